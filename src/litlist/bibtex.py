"""Papers → BibTeX entries, built with bibtexparser v2's model and writer; merging into a
user's .bib without touching a line of it; writing files safely.

Values are encoded for LaTeX here: the ten special characters escaped, accented letters as
LaTeX accents for classic BibTeX (biber reads UTF-8, so `--biblatex` keeps it), and title
words with capitals inside (LoRA, BERT, GPT-3) braced so that styles which lower-case titles
keep them.
"""

from __future__ import annotations

import logging
import re
import unicodedata
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import bibtexparser
from bibtexparser import Library
from bibtexparser.model import Entry, Field

from litlist import fsutil
from litlist.errors import FileChanged, InputError, LitlistError, OutputExists
from litlist.model import (
    CONTROL_CHARS,
    DOCUMENT_KINDS,
    Catalog,
    Paper,
    Publication,
    Venue,
    looks_like_organisation,
    organisation,
)

# pylatexenc logs a warning for every character without a LaTeX form (all of Korean);
# those are kept as UTF-8, which is what we want.
logging.getLogger("pylatexenc").setLevel(logging.ERROR)
# bibtexparser logs to stderr on its own (a notice that writing 10,000 entries is slow, a
# "please report this bug"): what the user must know comes as our own one-line errors.
logging.getLogger("bibtexparser").addHandler(logging.NullHandler())
logging.getLogger("bibtexparser").propagate = False

_SPECIALS = {
    "\\": r"\textbackslash{}",
    # not \{ and \}: BibTeX counts braces even after a backslash, so an unbalanced \{ ends
    # the field (or the entry) early
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_SPECIAL_RE = re.compile("|".join(re.escape(c) for c in _SPECIALS))
# Words of a title, a hyphenated compound as one: braces around a part only
# ("{LLaMA}-Adapter") still let styles lower-case the other parts ("LLaMA-adapter").
_WORD = re.compile(r"[^\s/:]+")


class ExportError(LitlistError):
    """An export that cannot be done as asked."""


@dataclass(frozen=True)
class Style:
    """How to write entries: for biber/biblatex, and which version of a paper to cite."""

    biblatex: bool = False
    as_listed: bool = False
    abstracts: bool = False  # a bibliography prints none: only when asked (`--abstracts`)


# ---------------------------------------------------------------- encoding values


def _encoder():
    from pylatexenc.latexencode import (
        RULE_DICT,
        UnicodeToLatexConversionRule,
        UnicodeToLatexEncoder,
    )

    # pylatexenc's table gives the Hungarian double acute of Ű/ű as an acute (\'u): Szűcs
    # would print as Szúcs
    fixes = UnicodeToLatexConversionRule(RULE_DICT, {0x170: r"\H{U}", 0x171: r"\H{u}"})
    return UnicodeToLatexEncoder(
        non_ascii_only=True,
        replacement_latex_protection="braces-all",
        unknown_char_policy="keep",
        conversion_rules=[fixes, "defaults"],
    )


_ENCODER = None


def encode(text: str, *, ascii_accents: bool = True) -> str:
    """Text as a BibTeX field value: specials escaped, accents as LaTeX when asked."""
    global _ENCODER
    escaped = _SPECIAL_RE.sub(lambda m: _SPECIALS[m.group(0)], text)
    if escaped.isascii() or not (ascii_accents or _NOT_FOR_PDFLATEX.search(escaped)):
        return escaped
    if _ENCODER is None:
        _ENCODER = _encoder()
    if not ascii_accents:
        # biber passes UTF-8 through and pdflatex typesets Latin letters from it, but stops
        # at a Greek letter or a math sign ("Unicode character α not set up"): only those
        # go as LaTeX (\ensuremath{\alpha})
        return _NOT_FOR_PDFLATEX.sub(lambda m: _ENCODER.unicode_to_latex(m.group()), escaped)
    # pylatexenc only touches non-ASCII characters, so our escapes survive
    escaped = _ENCODER.unicode_to_latex(unicodedata.normalize("NFC", escaped))
    if not escaped.isascii():
        # a letter with accents no precomposed character has ("P̄": P and a combining
        # macron) goes whole; any other character one by one
        escaped = _LETTER_MARKS.sub(lambda m: _stacked_accents(m.group()), escaped)
        escaped = "".join(c if c.isascii() else _stacked_accents(c) for c in escaped)
    return escaped


_LETTER_MARKS = re.compile("[A-Za-z][\u0300-\u036f]+")


# Greek and Coptic, arrows, mathematical operators
_NOT_FOR_PDFLATEX = re.compile("[\u0370-\u03ff\u2190-\u22ff]")


# Combining marks as the LaTeX accent commands that work in both OT1 (LaTeX's default) and
# T1. pylatexenc knows letters with one accent; a letter with two (Vietnamese ễ, ậ, ờ) it
# keeps as UTF-8, which pdflatex stops on ("Unicode character ễ not set up for use with
# LaTeX"): such a letter is written as nested accents, {\~{\^{e}}}.
_MARKS = {
    "\u0300": "`",
    "\u0301": "'",
    "\u0302": "^",
    "\u0303": "~",
    "\u0304": "=",
    "\u0306": "u",
    "\u0307": ".",
    "\u0308": '"',
    "\u030a": "r",
    "\u030b": "H",
    "\u030c": "v",
    "\u0323": "d",
    "\u0326": "textcommabelow",
    "\u0327": "c",
    "\u0331": "b",
}


def _stacked_accents(char: str) -> str:
    """A letter pylatexenc left as UTF-8, as an ASCII letter under LaTeX accents. A mark
    with no command in OT1 or T1 (the Vietnamese horn of ư and ơ, the hook above of ủ:
    only the T5 encoding has them) is left off, as names are commonly written in English
    text, rather than stop the document. Anything else (Korean, Chinese) stays as it is."""
    decomposed = unicodedata.normalize("NFD", char)
    base, marks = decomposed[0], decomposed[1:]
    if not (base.isascii() and base.isalpha() and marks):
        return char
    out = base
    for mark in marks:
        if mark in _MARKS:
            out = f"\\{_MARKS[mark]}{{{out}}}"
    return out if out == base else "{" + out + "}"


def _needs_protection(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    if not letters:
        return False
    if len(letters) == 1:
        # "A", but also "T5", "3D", "C#", "C++": lower-cased they would read t5, 3d, c#
        return letters[0].isupper()
    return any(c.isupper() for c in letters[1:])


# Math in a title, as arXiv gives it ("$k$-NN", "$O(n \\log n)$"): a $ at each end, no space
# just inside either, so "from $5 to $10" is no formula.
_MATH = re.compile(r"\$[^\s$](?:[^$]*[^\s$])?\$")
_MATH_SPECIAL = re.compile(r"(?<!\\)[%#&]")


def _math(formula: str) -> str | None:
    """A title's formula as LaTeX math, braced so that no style changes its case; None when
    it cannot stay math safely (braces BibTeX would not balance, non-ASCII)."""
    depth = 0
    for char in formula:
        depth += 1 if char == "{" else -1 if char == "}" else 0
        if depth < 0:
            return None
    if depth or not formula.isascii() or CONTROL_CHARS.search(formula):
        return None
    # % would comment out the rest of the line, # and & are errors even in math
    return "{" + _MATH_SPECIAL.sub(lambda m: "\\" + m.group(0), formula) + "}"


def encode_title(title: str, *, ascii_accents: bool = True) -> str:
    """A title with its acronyms and mixed-case words (LoRA, BERT, GPT-3, LLaMA) braced, and
    its math ($k$-NN) written as math: escaped, it printed as "$k$-NN"."""
    out: list[str] = []
    last = 0
    for match in _MATH.finditer(title):
        math = _math(match.group(0))
        if math is not None:
            out.append(_encode_title_words(title[last : match.start()], ascii_accents))
            out.append(math)
            last = match.end()
    out.append(_encode_title_words(title[last:], ascii_accents))
    return "".join(out)


def _encode_title_words(title: str, ascii_accents: bool) -> str:
    """Text of a title (no math): specials escaped, words with capitals inside braced."""
    out: list[str] = []
    last = 0
    for match in _WORD.finditer(title):
        out.append(encode(title[last : match.start()], ascii_accents=ascii_accents))
        word = match.group(0)
        # BibTeX keeps a capital only at the start and after ": "; a new sentence after
        # "!" or "?" ("Transformers need glasses! Information ...") needs braces to keep it.
        # Only the gap since the last word is looked at: searching the whole prefix for
        # each word made a long title quadratic.
        gap = title[last : match.start()]
        before_spaces = gap.rstrip()
        after_sentence = before_spaces != gap and (
            (before_spaces or title[max(last - 1, 0) : last])[-1:] in ("!", "?")
        )
        core = word.rstrip(".,;?!'\"\u2019\u201d)")
        tail = word[len(core) :]
        head = core[: len(core) - len(core.lstrip("(\"'\u2018\u201c"))]
        core = core[len(head) :]
        encoded = encode(core, ascii_accents=ascii_accents)
        protect = any(_needs_protection(part) for part in core.split("-"))
        if protect or (after_sentence and core[:1].isupper()):
            # "{\$GPT}" would be a BibTeX "special character", whose letters styles still
            # change case: a second brace level protects it
            encoded = ("{{" + encoded + "}}") if encoded.startswith("\\") else ("{" + encoded + "}")
        out.append(
            encode(head, ascii_accents=ascii_accents)
            + encoded
            + encode(tail, ascii_accents=ascii_accents)
        )
        last = match.end()
    out.append(encode(title[last:], ascii_accents=ascii_accents))
    return "".join(out)


# An initial's period glued to the next initial ("G.M."): BibTeX and biber read "G.M." as
# one name part, so abbreviating styles print "G." and lose the M.
_GLUED_INITIAL = re.compile(r"(?<=\w\.)(?=\w)")


# A generational suffix, BibTeX's "Jr" part: "Guy L. Steele Jr." read as 'Given Family' made
# "Jr." the family name ("Jr., Guy L. Steele", sorted under J and printed "G. L. S. Jr.").
_SUFFIX = re.compile(r"(?:Jr|Sr)\.?|II|III|IV")


def _is_particle(word: str) -> bool:
    """A word of a family name's "von" part ("van", "de", "la"); never the word "and"."""
    return word[:1].islower() and word.casefold() != "and"


def bibtex_name(name: str) -> str:
    """'Given Family' (or 'Family, Given', or 'Family, Jr., Given') as BibTeX's 'Family,
    Given' ('Family, Jr., Given'), in a form every style can abbreviate: glued initials apart
    ("G.M." → "G. M."), no parentheses in the given names ("Yingyan (Celine)" would print as
    "Y. (."), their words kept; lower-case particles ("van", "de la") with the family name
    and a suffix ("Jr.", "III") in its own part, as BibTeX reads a name written in full."""
    parts = [part.strip() for part in name.split(",")]
    suffix = ""
    if len(parts) >= 3:
        family, suffix, given = parts[0], parts[1], ", ".join(parts[2:])
    elif len(parts) == 2 and not _SUFFIX.fullmatch(parts[1]):
        family, given = parts
    else:  # 'Given Family', 'Given Family Jr.' or 'Given Family, Jr.'
        words = parts[0].split()
        if len(parts) == 2:
            suffix = parts[1]
        elif len(words) > 2 and _SUFFIX.fullmatch(words[-1]):
            suffix = words.pop()
        # BibTeX's "von" part, as it reads a name written in full: from the first lower-case
        # word after the given name to the end ("Juan de la Cruz Pérez": "de la Cruz Pérez")
        start = next(
            (i for i in range(1, len(words) - 1) if _is_particle(words[i])), len(words) - 1
        )
        family, given = " ".join(words[start:]), " ".join(words[:start])
    given = " ".join(_GLUED_INITIAL.sub(" ", given.replace("(", " ").replace(")", " ")).split())
    if suffix:
        return f"{family}, {suffix}, {given}"
    return f"{family}, {given}" if given else family


def encode_authors(authors: tuple[str, ...] | list[str], *, ascii_accents: bool = True) -> str:
    """Authors as BibTeX's `Family, Given and Family, Given ...`, each name encoded; an
    organisation ("{Google DeepMind}", or a guessed team) braced whole, so that no style
    splits or abbreviates it."""
    out = []
    for author in authors:
        name = organisation(author)
        if name is None and looks_like_organisation(author):
            name = " ".join(author.split())
        if name is None:
            out.append(encode_name(bibtex_name(author), ascii_accents=ascii_accents))
        else:
            # inside the braces an "and" splits nothing and no word is abbreviated
            out.append(_protect_case(encode(name, ascii_accents=ascii_accents)))
    return " and ".join(out)


_AND_WORD = re.compile(r"(?<![^\s,])and(?![^\s,])", re.IGNORECASE)


def encode_name(name: str, *, ascii_accents: bool = True) -> str:
    """Encode one BibTeX name ('Family, Given'): specials escaped (braces included), and a
    word "and" (or a name that is just "others") braced so BibTeX neither splits the name
    there nor reads it as "et al."."""
    encoded = encode(name, ascii_accents=ascii_accents)
    encoded = _AND_WORD.sub(lambda m: "{" + m.group(0) + "}", encoded)
    return "{others}" if encoded.strip().lower() == "others" else encoded


# ---------------------------------------------------------------- entries


def version_of(paper: Paper, style: Style) -> Publication:
    """The version to cite: the later version of record unless the list's is asked for."""
    listed = paper.as_listed
    if paper.published is not None and not style.as_listed:
        return paper.published
    if listed is None:
        raise ExportError(f"'{paper.id}' is a summary post, not a citable paper")
    return listed


def entry_for(
    paper: Paper, catalog: Catalog, style: Style = Style(), dropped: Dropped | None = None
) -> Entry:
    """One bibtexparser Entry for `paper`, with fields in the order people write them. A
    user's own entry (one with the `entry_type` it was imported as) is written back as its
    type with its fields (see `_own_entry`); what biblatex's data model forbids is left out
    of a --biblatex export and counted in `dropped`."""
    pub = version_of(paper, style)
    if paper.entry_type is not None:
        return _own_entry(paper, pub, catalog, style, dropped)
    venue = catalog.venue(pub.venue)
    accents = not style.biblatex
    title = pub.title or paper.title
    authors = pub.authors or paper.authors
    fields: list[tuple[str, str]] = [
        ("title", encode_title(title, ascii_accents=accents)),
        ("author", _authors_field(authors, paper.others, accents)),
    ]
    if venue.kind == "journal":
        kind = "article"
        fields.append(("journaltitle" if style.biblatex else "journal", encode(venue.name)))
    elif venue.kind == "workshop" and not (pub.booktitle or pub.workshop) and paper.arxiv:
        # a workshop the catalog cannot name ("ICML Workshop") is no venue a reader can
        # find: the paper is cited as the preprint it is
        kind = "misc"
    elif venue.kind in ("conference", "workshop"):
        kind = "inproceedings"
        booktitle = pub.booktitle or pub.workshop or venue.name
        fields.append(("booktitle", _protect_case(encode(booktitle, ascii_accents=accents))))
    elif venue.kind in DOCUMENT_KINDS and not (venue.kind == "web" and paper.arxiv):
        kind = _DOCUMENT_TYPES[venue.kind][style.biblatex]
        fields += _document_fields(venue, pub, style)
    else:
        kind = "misc"
    for name in ("volume", "number"):
        value = getattr(pub, name)
        # a report has a number but no volume, a web page neither (biber: not in the model)
        if value and not (kind in ("online", "misc") and venue.kind == "web"):
            if not (name == "volume" and kind in ("techreport", "report")):
                fields.append((name, encode(value)))
    if pub.pages:
        fields.append(("pages", re.sub(r"\s*[-\u2013\u2014]+\s*", "--", pub.pages)))
    # biblatex's data model has no publisher for an article (biber warns), and the classic
    # styles print none for one either: a journal names its publisher itself
    if pub.editors and kind == "inproceedings":
        fields.append(("editor", encode_authors(pub.editors, ascii_accents=accents)))
    if pub.address and kind in _PLACED:
        # where the meeting was held (or the publisher, school or institution is); biber
        # reads a classic address as location
        name = "location" if style.biblatex else "address"
        fields.append((name, encode(pub.address, ascii_accents=accents)))
    # a book's publisher is its venue when the entry named no other; a thesis, report
    # or web page has none in either data model
    publisher = pub.publisher or (venue.name if kind == "book" else None)
    if publisher and kind in ("inproceedings", "misc", "book") and venue.kind != "web":
        fields.append(("publisher", encode(publisher, ascii_accents=accents)))
    # biblatex's own date field (with the month: 2021-08); classic BibTeX styles know only
    # year and month, the month as the standard macro (aug) that every style abbreviates
    if style.biblatex:
        fields.append(("date", f"{pub.year}-{pub.month:02d}" if pub.month else str(pub.year)))
    else:
        if pub.month:
            fields.append(("month", _MONTHS[pub.month - 1]))
        fields.append(("year", str(pub.year)))
    if paper.arxiv:
        if kind == "misc" and not style.biblatex:
            # the preprint's venue, for the styles that print no eprint (plainnat, ICML's,
            # plain, splncs04); styles that do print one (ACM-Reference-Format, elsarticle,
            # biblatex reading this file) would print the id twice if eprint came too
            fields.append(("howpublished", f"arXiv preprint arXiv:{paper.arxiv}"))
        else:
            fields += _eprint(paper.arxiv, paper.arxiv_class, style.biblatex)
    if pub.doi:
        fields.append(("doi", pub.doi))
    url = pub.url or (f"https://arxiv.org/abs/{paper.arxiv}" if paper.arxiv else None)
    # a classic web page names its address in howpublished (see `_document_fields`),
    # where \url's braces are ours: the address itself is checked on its own
    web = venue.kind == "web" and not paper.arxiv
    classic_web = kind == "misc" and web and _inline_url(pub.url)
    if url and classic_web:
        _refuse_unsafe(paper, "url", url)
    elif url:
        fields.append(("url", url))
        if kind == "online" and paper.urldate:
            fields.append(("urldate", paper.urldate))
    fields += _abstract(paper, style, accents)
    for name, value in fields:
        if not (classic_web and name == "howpublished"):
            _refuse_unsafe(paper, name, value)
    # a month macro is written bare (month = aug): braced, styles would print "aug"
    return Entry(
        kind,
        paper.key or paper.id,
        [Field(k, v, enclosing="no-enclosing" if k == "month" else None) for k, v in fields],
    )


def _authors_field(authors: tuple[str, ...], others: bool, accents: bool) -> str:
    """The author (or editor) field: the names, and "and others" when the source's list
    was cut short, which styles print as "et al."."""
    names = encode_authors(authors, ascii_accents=accents)
    return f"{names} and others" if others and names else names


class Dropped(dict):
    """Fields a --biblatex export left out because biblatex's data model forbids them in
    their entry's type: field name -> {entry type: count}."""

    def count(self, field: str, entry_type: str) -> None:
        """Remember one field left out of one entry."""
        types = self.setdefault(field, {})
        types[entry_type] = types.get(entry_type, 0) + 1

    def line(self) -> str:
        """One sentence naming every field left out and where, for stderr."""
        said = "; ".join(
            f"{field} (" + ", ".join(f"@{t} ×{n}" for t, n in sorted(types.items())) + ")"
            for field, types in sorted(self.items())
        )
        return f"left out what biblatex's data model has no field for: {said}"


def _own_entry(
    paper: Paper, pub: Publication, catalog: Catalog, style: Style, dropped: Dropped | None
) -> Entry:
    """A user's own entry (imported from their .bib) written back as they had it: its entry
    type (a biblatex-only type as its nearest classic type in a classic export), each
    column in the field of its name, and every other field verbatim from `extra`. A
    --biblatex export leaves out what the data model forbids in the type (`dropped`);
    a classic export keeps everything, since BibTeX skips fields a style does not use."""
    from litlist import datamodel

    venue = catalog.venue(pub.venue)
    extra = dict(paper.extra)
    accents = not style.biblatex
    source_type = paper.entry_type or "misc"
    if style.biblatex:
        kind = source_type
    else:
        kind = datamodel.classic_type(source_type, extra.get("type", ""))
        said = extra.get("type", "").strip()
        if kind != source_type and (said in datamodel.THESIS_KEYS or said in datamodel.REPORT_KEYS):
            del extra["type"]  # biblatex's key for what the classic type now says
    canonical = datamodel.biblatex_type(source_type)
    fields: list[tuple[str, str]] = [
        ("title", encode_title(pub.title or paper.title, ascii_accents=accents))
    ]
    authors = pub.authors or paper.authors
    if authors:
        fields.append(("author", _authors_field(authors, paper.others, accents)))
    if pub.editors:
        fields.append(("editor", encode_authors(pub.editors, ascii_accents=accents)))
    # the venue, in the field the type keeps it in; one that only names what the entry is
    # (an arXiv preprint, "Unpublished") or that came from another field is not written
    name = _protect_case(encode(venue.name, ascii_accents=accents))
    if canonical in ("article", "periodical", "suppperiodical") and venue.kind != "preprint":
        fields.append(
            (
                "journaltitle" if style.biblatex else "journal",
                encode(venue.name, ascii_accents=accents),
            )
        )
    elif pub.booktitle or pub.workshop:
        booktitle = pub.booktitle or pub.workshop or ""
        fields.append(("booktitle", _protect_case(encode(booktitle, ascii_accents=accents))))
    elif canonical in ("thesis", "report") and venue.kind in DOCUMENT_KINDS:
        if not ({"school", "institution"} & extra.keys()):
            school = "institution" if style.biblatex or canonical == "report" else "school"
            fields.append((school, name))
    for column in ("volume", "number"):
        if value := getattr(pub, column):
            fields.append((column, encode(value, ascii_accents=accents)))
    if pub.pages:
        fields.append(("pages", re.sub(r"\s*[-\u2013\u2014]+\s*", "--", pub.pages)))
    if pub.publisher:
        fields.append(("publisher", encode(pub.publisher, ascii_accents=accents)))
    # an entry that gave both a location (the column) and an address (kept in `extra`)
    # gets both back, each under its own name
    both = "address" in extra
    if pub.address:
        fields.append(
            (
                "location" if style.biblatex or both else "address",
                encode(pub.address, ascii_accents=accents),
            )
        )
    if style.biblatex:
        if pub.month and "date" not in extra:
            # biblatex's month is one number, which the date says: a source's "23--29 Jul"
            # would make biber warn, so it is written as the month it names (July)
            extra.pop("month", None)
        if "month" in extra and "date" not in extra:
            # a month that names none ("8,") as the source wrote it, with its year
            fields.append(("year", str(pub.year)))
        elif "date" not in extra:
            fields.append(("date", f"{pub.year}-{pub.month:02d}" if pub.month else str(pub.year)))
    else:
        if pub.month and "month" not in extra:  # else the source's "nov, dec", as it was
            fields.append(("month", _MONTHS[pub.month - 1]))
        fields.append(("year", str(pub.year)))
    # the arXiv id as eprint, unless a field the source wrote says it already ("journal =
    # {arXiv preprint arXiv:1412.6980}"), which styles that print eprint would repeat
    if paper.arxiv and not any(paper.arxiv in value for value in extra.values()):
        fields += _eprint(paper.arxiv, paper.arxiv_class, style.biblatex)
    if pub.doi:
        fields.append(("doi", pub.doi))
    # likewise a URL read from a field kept as written (howpublished = {\url{...}})
    if pub.url and not any(pub.url in value for value in extra.values()):
        fields.append(("url", pub.url))
    if paper.urldate:
        fields.append(("urldate", paper.urldate))
    fields += _abstract(paper, style, accents)
    if paper.keywords:
        fields.append(("keywords", encode(", ".join(paper.keywords), ascii_accents=accents)))
    for field_name, value in fields:
        _refuse_unsafe(paper, field_name, value)
    written = {name.casefold() for name, _ in fields}
    # fields the columns already wrote under their biblatex or classic name
    written |= {datamodel.FIELD_ALIASES.get(name, name) for name in written}
    for field_name, value in extra.items():
        alias = datamodel.FIELD_ALIASES.get(field_name)
        if field_name in written or (alias in written and not (both and field_name == "address")):
            continue
        _refuse_unsafe(paper, field_name, value, verbatim=False)
        fields.append((field_name, value))
    if style.biblatex:
        kept = []
        for field_name, value in fields:
            if datamodel.allows(kind, field_name.casefold()):
                kept.append((field_name, value))
            elif dropped is not None:
                dropped.count(field_name.casefold(), kind)
        fields = kept
    return Entry(
        kind,
        paper.key or paper.id,
        # a month macro is written bare (month = aug); a source's "nov, dec" is text
        [
            Field(k, v, enclosing="no-enclosing" if k == "month" and v in _MONTHS else None)
            for k, v in fields
        ],
    )


# Venue kind -> (classic BibTeX entry type, biblatex entry type).
_DOCUMENT_TYPES = {
    "book": ("book", "book"),
    "phdthesis": ("phdthesis", "thesis"),
    "mastersthesis": ("mastersthesis", "thesis"),
    "report": ("techreport", "report"),
    "web": ("misc", "online"),
}
# Entry types whose address (location) the styles print.
_PLACED = frozenset("inproceedings book phdthesis mastersthesis thesis techreport report".split())


def _inline_url(url: str | None) -> bool:
    """Whether a web page's address can go into howpublished as \\url{...}: not when it has
    a % or # (or ^), which \\url reads right only outside another command's argument, and
    ACM-Reference-Format wraps howpublished in one (the document stops); such an address
    goes into the url field, which styles write on its own."""
    return url is not None and not re.search(r"[%#^]", url)


def _document_fields(venue: Venue, pub: Publication, style: Style) -> list[tuple[str, str]]:
    """The fields that say who put out a book, thesis, report or web page: a thesis's
    school and a report's institution (biblatex: `institution` and a `type`), a web page's
    site and address (a book's publisher is written with the others' publishers)."""
    accents = not style.biblatex
    name = encode(venue.name, ascii_accents=accents)
    if venue.kind in ("phdthesis", "mastersthesis"):
        if not style.biblatex:
            return [("school", name)]
        return [
            ("type", "phdthesis" if venue.kind == "phdthesis" else "mathesis"),
            ("institution", name),
        ]
    if venue.kind == "report":
        return (
            [("type", "techreport"), ("institution", name)]
            if style.biblatex
            else [("institution", name)]
        )
    if venue.kind != "web":
        return []
    # a site named by more than its address ("OpenAI Blog", "Wikipedia") says so; a name
    # that is only the address's host ("openai.com", as an import names a site) would
    # repeat the address
    host = re.match(r"https?://(?:www\.)?([^/\s:?#]+)", pub.url or "")
    named = not host or venue.name.casefold() != host.group(1).casefold()
    if style.biblatex:
        return [("organization", name)] if named else []
    # howpublished, not url: plain, alpha and the other styles without a url field print it
    # too, and styles with one (plainnat) would print the address twice
    link = f"\\url{{{pub.url}}}" if _inline_url(pub.url) else ""
    said = ", ".join(part for part in (name if named else "", link) if part)
    return [("howpublished", said)] if said else []


def _protect_case(value: str) -> str:
    """A proceedings' name braced whole: APA styles (apacite, biblatex-apa) set a booktitle
    in sentence case, which would print "the association for computational linguistics".
    An organisation's name is braced the same way, so that BibTeX reads it as one word."""
    # "{\'E...}" would be a BibTeX special character, whose letters styles still change
    return "{{" + value + "}}" if value.startswith("\\") else "{" + value + "}"


# Written as they are, not LaTeX-encoded (an identifier must stay copyable, and \url reads
# its argument verbatim): `check` keeps these characters out, but a catalog from elsewhere
# (an old cache, a catalog that skipped `check`) must not break the file either.
_VERBATIM_FIELDS = {"pages", "eprint", "primaryClass", "eprintclass", "howpublished", "doi", "url"}
_NOT_VERBATIM = re.compile(r'[{}"\\]')


def _eprint(arxiv: str, arxiv_class: str | None, biblatex: bool) -> list[tuple[str, str]]:
    """An arXiv id and class as biblatex (eprinttype, eprintclass) or classic BibTeX
    (archivePrefix, primaryClass) names them."""
    if biblatex:
        fields = [("eprint", arxiv), ("eprinttype", "arxiv")]
        return fields + ([("eprintclass", arxiv_class)] if arxiv_class else [])
    fields = [("eprint", arxiv), ("archivePrefix", "arXiv")]
    return fields + ([("primaryClass", arxiv_class)] if arxiv_class else [])


def _abstract(paper: Paper, style: Style, accents: bool) -> list[tuple[str, str]]:
    """The abstract field, only when asked for (`--abstracts`): a bibliography prints none.
    Escaped like any text; paragraphs stay apart by a blank line, as Zotero and Better
    BibTeX write them (BibTeX and biber read it as a space or \\par alike)."""
    if not (style.abstracts and paper.abstract):
        return []
    paragraphs = paper.abstract.split("\n\n")
    return [("abstract", "\n\n".join(encode(p, ascii_accents=accents) for p in paragraphs))]


def _refuse_unsafe(paper: Paper, name: str, value: str, *, verbatim: bool = True) -> None:
    """ExportError unless `value` stays inside its field: braces balanced as BibTeX counts
    them (a backslash does not escape a brace), no control character, and no brace, quote
    or backslash at all in a value written verbatim."""
    depth = 0
    for char in value:
        depth += 1 if char == "{" else -1 if char == "}" else 0
        if depth < 0:
            break
    unsafe = depth != 0 or bool(CONTROL_CHARS.search(value))
    if verbatim and name in _VERBATIM_FIELDS and _NOT_VERBATIM.search(value):
        unsafe = True
    if unsafe:
        raise ExportError(
            f"paper '{paper.id}', field '{name}': {value[:80]!r} would break the BibTeX "
            "file; fix it in the catalog (`litlist check` says how)"
        )


def export(
    papers: list[Paper],
    catalog: Catalog,
    style: Style = Style(),
    progress=None,
    dropped: Dropped | None = None,
) -> str:
    """BibTeX text for `papers` (summary posts are skipped: they are not citable); fields
    biblatex's data model forbids, left out of a --biblatex export, go into `dropped`."""
    library = Library()
    citable = [p for p in papers if p.citable]
    bar = progress("Writing BibTeX", len(citable)) if progress and len(citable) >= 2000 else None
    try:
        for n, paper in enumerate(citable, 1):
            library.add(entry_for(paper, catalog, style, dropped))
            if bar and n % 500 == 0:
                bar.advance(500)
    finally:
        if bar:
            bar.close()
    if not citable:
        return ""
    with warnings.catch_warnings():  # its deprecation notices are for us, not the user
        warnings.simplefilter("ignore")
        return bibtexparser.write_string(library)


# LaTeX commands that only the T1 font encoding has: in LaTeX's default OT1 (ICML's template
# loads no fontenc) "Command \k unavailable in encoding OT1" stops the document.
_T1_ONLY = re.compile(r"\\(?:k\{\w\}|DJ|dj|NG|ng|TH|th|DH|dh)(?![A-Za-z])")


@dataclass(frozen=True)
class Trouble:
    """What pdflatex will stop on in a classic export, by entry key: characters no LaTeX
    command writes (Hangul, Chinese), kept as UTF-8; commands only T1 fonts have (ą, Đ)."""

    untypesettable: dict[str, str] = field(default_factory=dict)
    needs_t1: dict[str, str] = field(default_factory=dict)


def pdflatex_trouble(text: str) -> Trouble:
    """The Trouble in a classic export's `text` (one pass; nothing to do in the usual case)."""
    if text.isascii() and not _T1_ONLY.search(text):
        return Trouble()
    trouble = Trouble()
    for block in re.split(r"\n(?=@)", text):
        if "{" not in block or "," not in block:
            continue
        key = block[block.index("{") + 1 : block.index(",")]
        if chars := "".join(dict.fromkeys(c for c in block if not c.isascii())):
            trouble.untypesettable[key] = chars
        if commands := list(dict.fromkeys(_T1_ONLY.findall(block))):
            trouble.needs_t1[key] = ", ".join(commands)
    return trouble


# ---------------------------------------------------------------- files


def write_new(path: Path, text: str, *, force: bool = False) -> None:
    """Write `text` to `path`; an existing file is replaced only with `force`, and never one
    that is not a regular file (a device, a FIFO) or that is read-only."""
    if not path.parent.is_dir():
        raise ExportError(f"{path}: folder {path.parent} does not exist")
    try:
        fsutil.write_atomic(path, text, exclusive=not force)
    except FileExistsError:
        raise OutputExists(path) from None
    except OSError as exc:
        raise ExportError(f"{path}: {exc.strerror or exc}") from None


# ---------------------------------------------------------------- reading a user's .bib

_ARXIV_IN_TEXT = re.compile(
    r"(?:arxiv(?:\.org)?[.:/ ]*(?:abs/|pdf/)?)(\d{4}\.\d{4,5})", re.IGNORECASE
)
_ARXIV_ALONE = re.compile(r"\s*(?:arxiv:)?(\d{4}\.\d{4,5})(v\d+)?\s*", re.IGNORECASE)
# a DOI as people write it: bare, `doi:10...`, or as a doi.org link
_DOI_IN_TEXT = re.compile(
    r"^\s*(?:doi:\s*|https?://(?:dx\.)?doi\.org/)?(10\.\d{4,9}/\S+?)\s*$", re.IGNORECASE
)
_DOI_IN_URL = re.compile(r"^\s*https?://(?:dx\.)?doi\.org/(10\.\d{4,9}/\S+?)\s*$", re.IGNORECASE)
# arXiv gives every paper a DOI of its own: 10.48550/arXiv.2305.18290 is 2305.18290
_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(\d{4}\.\d{4,5})(v\d+)?$", re.IGNORECASE)

# The fields a merge compares; all others are skipped unread.
_COMPARED = ("title", "doi", "url", "eprint", "arxiv", "journal", "note", "howpublished")
_BLOCK_START = re.compile(r"@[ \t\r\n]*([A-Za-z][\w\-]*)[ \t\r\n]*([{(])")
# where BibTeX tools resync after a broken entry: a block start at the start of a line
_LINE_START_BLOCK = re.compile(r"^[ \t]*@[ \t]*[A-Za-z][\w\-]*[ \t\r\n]*[{(]", re.MULTILINE)
_BRACE = re.compile(r"[{}]")
_FLAT_GROUP = re.compile(r'\{([^{}]*)\}|"([^{}"]*)"')
_BRACE_OR_PAREN = re.compile(r"[{}()]")
_BRACE_OR_QUOTE = re.compile(r'[{}"]')
_FIELD_NAME = re.compile(r"[\s,]*([^\s=,{}\"#()]+)\s*=\s*")
_MACRO = re.compile(r"[^\s,#{}\"()=]+")
_NUMBER = re.compile(r"\d+")
_MONTHS = ("jan feb mar apr may jun jul aug sep oct nov dec").split()


def _group_end(text: str, start: int, closer: str = "}", limit: int | None = None) -> int | None:
    """Where the group opened at `start` (`{`, or `(` with closer `)`) closes, before
    `limit`; braces count as BibTeX counts them (a backslash escapes nothing). None when it
    does not close there."""
    depth = 0
    pattern = _BRACE if closer == "}" else _BRACE_OR_PAREN
    end = len(text) if limit is None else limit
    for match in pattern.finditer(text, start + (closer == ")"), end):
        char = match.group(0)
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0 and closer == "}":
                return match.start()
            if depth < 0:
                return None
        elif char == ")" and depth == 0:
            return match.start()
    return None


def _quoted_end(text: str, start: int) -> int | None:
    """Where the "-quoted value opened at `start` ends (a quote outside braces)."""
    depth = 0
    for match in _BRACE_OR_QUOTE.finditer(text, start + 1):
        char = match.group(0)
        if char == '"' and depth == 0:
            return match.start()
        depth += 1 if char == "{" else -1 if char == "}" else 0
    return None


class Budget:
    """How many characters @string names may still expand to while one .bib is read: each
    @string may name the one before twice (s2 = s1 # s1), doubling at every step, and 40
    such lines would stand for a terabyte. Ten times the file and 10 MB is more than any
    real .bib needs; past it a name stands for nothing."""

    def __init__(self, text: str) -> None:
        self.left = 10 * len(text) + 10_000_000

    def take(self, expansion: str) -> str:
        """`expansion`, or what of it the budget still allows."""
        allowed = expansion[: max(self.left, 0)]
        self.left -= len(allowed) + (len(allowed) < len(expansion))  # below 0: it ran out
        return allowed


def _value(body: str, pos: int, strings: dict[str, str], budget: Budget) -> tuple[str, int]:
    """The value at `pos` (pieces in braces or quotes, numbers and @string names joined by
    #), with @string names replaced by what they stand for (within `budget`), and where it
    ends."""
    parts: list[str] = []
    while True:
        while pos < len(body) and body[pos] in " \t\r\n":
            pos += 1
        char = body[pos : pos + 1]
        if simple := _FLAT_GROUP.match(body, pos):  # most values: no braces inside
            parts.append(simple.group(1) if simple.group(1) is not None else simple.group(2))
            pos = simple.end()
        elif char in ("{", '"'):
            end = _group_end(body, pos) if char == "{" else _quoted_end(body, pos)
            if end is None:
                return "".join(parts), len(body)
            parts.append(body[pos + 1 : end])
            pos = end + 1
        elif found := (_NUMBER.match(body, pos) or _MACRO.match(body, pos)):
            word = found.group(0)
            parts.append(word if word.isdigit() else budget.take(strings.get(word.lower(), "")))
            pos = found.end()
        else:
            return "".join(parts), pos
        while pos < len(body) and body[pos] in " \t\r\n":
            pos += 1
        if body[pos : pos + 1] != "#":
            return "".join(parts), pos
        pos += 1


_MONTH_NAMES = (
    "January February March April May June July August September October November December"
).split()


def month_macros() -> dict[str, str]:
    """BibTeX's predefined month macros (jan ... dec), each standing for the month's name
    as the standard styles define it (plain.bst: `MACRO {apr} {"April"}`), so that
    `apr # "-" # may` reads "April-May", as BibTeX prints it: the names a .bib's @strings
    start from."""
    return dict(zip(_MONTHS, _MONTH_NAMES, strict=True))


def resolve_value(raw: str, strings: dict[str, str], budget: Budget) -> str:
    """A field value as a .bib writes it (pieces in braces or quotes, numbers, @string names
    and month macros, joined by #) as the text it stands for; an unknown name stands for
    nothing, as in BibTeX. `strings` maps lower-case @string names (the month macros among
    them: see `month_macros`) to their text and is only read, never copied: copying it for
    every value made a file of many @strings quadratic. `budget` is shared by all the
    values of one file."""
    return _value(raw, 0, strings, budget)[0]


def _fields(
    body: str, strings: dict[str, str], wanted: tuple[str, ...] | None, budget: Budget
) -> dict[str, str]:
    """`name = value` pairs of an entry's (or a @string's) body, names in lower case."""
    found: dict[str, str] = {}
    pos = 0
    while match := _FIELD_NAME.match(body, pos):
        name = match.group(1).lower()
        value, pos = _value(body, match.end(), strings, budget)
        if wanted is None or name in wanted:
            found[name] = value
        if pos == match.end():  # no value could be read: the rest is not fields
            break
    return found


def read_entries(text: str) -> Iterator[tuple[str, dict[str, str]]]:
    """(key, fields) of each entry of a .bib, with only the fields a merge compares, @string
    names resolved. One linear pass with no parse tree.

    Why not bibtexparser: reading a 50 MB .bib with it took 14 s and 500 MB before a merge
    could start; this pass keeps only what a merge compares and takes about 2 s.
    """
    for _, key, values in _entries(text):
        yield key, values


def _entries(text: str) -> Iterator[tuple[int, str, dict[str, str]]]:
    """read_entries, with where in `text` each entry ends (for a progress bar)."""
    strings = {month: month for month in _MONTHS}
    budget = Budget(text)
    pos = 0
    while match := _BLOCK_START.search(text, pos):
        kind = match.group(1).lower()
        # an entry ends by the next line that starts a block, closed or not (as bibtexparser
        # reads it): one broken entry hides no other, and none is scanned to the end of the
        # file, which made a file of many broken entries quadratic
        following = _LINE_START_BLOCK.search(text, match.end())
        limit = following.start() if following else len(text)
        end = _group_end(text, match.end() - 1, "}" if match.group(2) == "{" else ")", limit)
        if end is None:
            end = pos = limit
        else:
            pos = end + 1
        body = text[match.end() : end]
        if kind in ("comment", "preamble"):
            continue
        if kind == "string":
            strings.update(_fields(body, strings, None, budget))
            continue
        key, comma, rest = body.partition(",")
        if key.strip():
            yield pos, key.strip(), _fields(rest, strings, _COMPARED, budget) if comma else {}


_DECODER = None


def _plain(value: str) -> str:
    """A field value reduced for comparison: LaTeX decoded, lower case, letters and digits."""
    global _DECODER
    text = value
    if "\\" in value or "$" in value:  # only LaTeX commands need the (slow) decoder
        from pylatexenc.latex2text import LatexNodes2Text

        if _DECODER is None:
            _DECODER = LatexNodes2Text()
        try:
            text = _DECODER.latex_to_text(value)
        except Exception:  # noqa: BLE001 - odd LaTeX in a user's file: compare it raw
            text = value
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text.casefold() if c.isalnum())


def _doi_of(value: str) -> str | None:
    found = _DOI_IN_TEXT.match(value)
    return found.group(1).lower() if found else None


@dataclass
class _Known:
    by_key: dict[str, str] = field(default_factory=dict)  # case-folded: BibTeX ignores case
    by_arxiv: dict[str, str] = field(default_factory=dict)
    by_doi: dict[str, str] = field(default_factory=dict)
    by_title: dict[str, str] = field(default_factory=dict)

    def add(self, key: str, values: dict[str, str]) -> None:
        """Remember an entry of the user's .bib by everything a paper could match it on."""
        self.by_key.setdefault(key.casefold(), key)
        for name in ("eprint", "arxiv", "url", "journal", "note", "howpublished"):
            text = values.get(name, "")
            found = _ARXIV_IN_TEXT.search(text) or (
                _ARXIV_ALONE.fullmatch(text) if name in ("eprint", "arxiv") else None
            )
            if found:
                self.by_arxiv.setdefault(found.group(1), key)
        dois = [_doi_of(values.get("doi", ""))]
        if found_url := _DOI_IN_URL.match(values.get("url", "")):
            dois.append(found_url.group(1).lower())
        for doi in filter(None, dois):
            if arxiv := _ARXIV_DOI.match(doi):
                self.by_arxiv.setdefault(arxiv.group(1), key)
            self.by_doi.setdefault(doi, key)
        if values.get("title"):
            self.by_title.setdefault(_plain(values["title"]), key)

    def find(self, paper: Paper, style: Style) -> tuple[str, str] | None:
        """(existing key, why) when the .bib already has this paper."""
        key = paper.key or paper.id
        if key.casefold() in self.by_key:
            return self.by_key[key.casefold()], "same key"
        if paper.arxiv and paper.arxiv in self.by_arxiv:
            return self.by_arxiv[paper.arxiv], "same arXiv id"
        dois = {d.lower() for d in (paper.doi, paper.published and paper.published.doi) if d}
        for doi in dois:
            if doi in self.by_doi:
                return self.by_doi[doi], "same DOI"
        titles = [paper.title, *paper.other_titles]
        if paper.published and paper.published.title:
            titles.append(paper.published.title)
        for title in titles:
            plain = _plain(title)
            if plain in self.by_title:
                return self.by_title[plain], "same title"
        return None


def _known(text: str, progress=None) -> _Known:
    known = _Known()
    # a progress bar only where reading takes long enough to wonder (a few MB and up)
    bar = progress("Reading the .bib", len(text)) if progress and len(text) >= 2_000_000 else None
    shown = 0
    try:
        for n, (end, key, values) in enumerate(_entries(text), 1):
            known.add(key, values)
            if bar and n % 1000 == 0:
                bar.advance(end - shown)
                shown = end
    finally:
        if bar:
            bar.close()
    return known


@dataclass
class MergeReport:
    path: Path
    added: list[str] = field(default_factory=list)
    present: list[tuple[str, str, str]] = field(default_factory=list)  # (key, existing, why)
    # added under the cited key although the .bib has the paper (key, existing, why)
    added_as_cited: list[tuple[str, str, str]] = field(default_factory=list)
    # what pdflatex will stop on in the added entries: see `pdflatex_trouble`
    trouble: Trouble = field(default_factory=Trouble)
    # fields a --biblatex merge left out (biblatex's data model has none for them)
    dropped: Dropped = field(default_factory=lambda: Dropped())

    def lines(self) -> list[str]:
        """The merge as a user reads it: a paper the .bib has under another key one line
        each (that key is news), those under the very same key one line together, the
        count of what was added last."""
        same = [key for key, existing, _ in self.present if existing == key]
        out = [
            f"{self.path}: already has {key} as '{existing}' ({why}); not added"
            for key, existing, why in self.present
            if existing != key
        ]
        if same:
            shown = ", ".join(same[:5]) + (f" and {len(same) - 5} more" if len(same) > 5 else "")
            papers = "paper" if len(same) == 1 else "papers"
            out.insert(
                0,
                f"{self.path}: already has {len(same)} {papers} under the same key ({shown}); "
                "not added",
            )
        out += [
            f"{self.path}: has {key} as '{existing}' ({why}); added as {key} too, "
            "the key the draft cites (--add-as-cited)"
            for key, existing, why in self.added_as_cited
        ]
        out.append(
            f"added {len(self.added)} entr{'y' if len(self.added) == 1 else 'ies'} "
            f"to {self.path}" + (f": {', '.join(self.added)}" if self.added else "")
        )
        return out


@dataclass(frozen=True)
class CitingDraft:
    """What a merge must keep compiling: the keys a draft cites, and where it cites them
    (`where(keys)` gives each key's `file:line` places; asked only when a key conflicts)."""

    keys: frozenset[str]
    where: Callable[[set[str]], dict[str, list[str]]]
    add_as_cited: bool = False


def merge_into(
    path: Path,
    papers: list[Paper],
    catalog: Catalog,
    style: Style = Style(),
    progress=None,
    draft: CitingDraft | None = None,
) -> MergeReport:
    """Append to the .bib at `path` the papers it does not already have; every byte already
    in it stays as it was, and new entries use its line endings. A missing file is created.

    A paper the `draft` cites under a key the .bib has under another key would leave the
    draft's citation undefined: that is an ExportError naming each place to change, and
    nothing is written, unless `draft.add_as_cited` asks to add it under the cited key.

    The file is locked against other litlist runs while we work, and if anything else
    changed it since it was read, nothing is written (FileChanged) so that edit is kept."""
    report = MergeReport(path)
    with fsutil.locked(path):
        try:
            raw, snapshot = fsutil.read_file(path)
        except FileNotFoundError:
            raw, snapshot = b"", None
        except OSError as exc:
            raise InputError(f"{path}: {exc.strerror or exc}") from None
        try:
            original = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError(f"{path}: not UTF-8 text; refusing to merge into it") from None
        known = _known(original, progress)
        new: list[Paper] = []
        for paper in papers:
            if not paper.citable:
                continue
            found = known.find(paper, style)
            if found:
                entry = (paper.key or paper.id, found[0], found[1])
                if not (draft and draft.add_as_cited and _breaks(draft, paper, found[0])):
                    report.present.append(entry)
                    continue
                report.added_as_cited.append(entry)
            new.append(paper)
            known.by_key[(paper.key or paper.id).casefold()] = paper.key or paper.id
            report.added.append(paper.key or paper.id)
        if draft is not None:
            _refuse_broken_draft(path, draft, report.present + report.added_as_cited)
        if not new:
            return report
        # new entries end their lines as the file does (an editor on Windows saved it CRLF)
        newline = "\r\n" if _uses_crlf(original) else "\n"
        tail = original[-4:].replace("\r\n", "\n")
        separator = (
            "" if not original or tail.endswith("\n\n") else "\n" if tail.endswith("\n") else "\n\n"
        )
        written = export(new, catalog, style, dropped=report.dropped)
        if not style.biblatex:
            report.trouble = pdflatex_trouble(written)
        addition = (separator + written).replace("\n", newline)
        try:
            fsutil.write_atomic(
                path,
                raw + addition.encode("utf-8"),
                expect=snapshot,
                exclusive=snapshot is None,
            )
        except FileExistsError:
            raise FileChanged(path, "was created by another program") from None
        except OSError as exc:
            raise ExportError(f"{path}: {exc.strerror or exc}") from None
    return report


def _breaks(draft: CitingDraft, paper: Paper, existing: str) -> bool:
    """Whether the draft cites `paper` by a key the .bib has under another key (`existing`)."""
    key = paper.key or paper.id
    return key in draft.keys and existing != key


def _refuse_broken_draft(path: Path, draft: CitingDraft, found: list[tuple[str, str, str]]) -> None:
    """ExportError naming every `file:line` whose citation the merge would leave undefined:
    each key the draft cites that the .bib has under another key, unless it is added under
    the cited key (a key that differs only in case cannot be: BibTeX would see it twice)."""
    broken = [
        (key, existing, why)
        for key, existing, why in found
        if key in draft.keys
        and existing != key
        and (not draft.add_as_cited or existing.casefold() == key.casefold())
    ]
    if not broken:
        return
    places = draft.where({key for key, _, _ in broken})
    changes = "; ".join(
        f"{', '.join(places.get(key, ['the draft']))}: change {key} to {existing} ({why})"
        for key, existing, why in broken
    )
    many = len(broken) > 1
    # a key that differs only in case cannot be added beside the other (BibTeX sees one key)
    only_case = all(e.casefold() == k.casefold() for k, e, _ in broken)
    hint = "" if only_case else f"; or pass --add-as-cited to add {'them' if many else 'it'} "
    hint += "" if only_case else f"under the cited key{'s' if many else ''}"
    raise ExportError(
        f"{path} already has {len(broken)} paper{'s' if many else ''} the draft cites under "
        f"another key (the draft would not compile): {changes}{hint}; {path} not written"
    )


def _uses_crlf(text: str) -> bool:
    """Whether the file's lines end in CRLF (judged by its first line ending)."""
    first = text.find("\n")
    return first > 0 and text[first - 1] == "\r"
