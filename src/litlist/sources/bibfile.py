"""BibTeX entries (from arXiv, DBLP, the ACL Anthology, Google Scholar, a user's .bib) in,
Drafts out. Offline.

bibtexparser v2 splits the file into entries; field values are decoded from LaTeX with
pylatexenc (accents, braces, escaped specials) after names are split into BibTeX's
First/von/Last/Jr parts, since braces decide the split.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from litlist.errors import InputError
from litlist.model import looks_like_organisation, organisation_author
from litlist.sources import (
    ARXIV_DOI,
    ARXIV_ID,
    ARXIV_IN_TEXT,
    DOI_ID,
    DOI_IN_TEXT,
    DOI_URL,
    Draft,
    arxiv_id,
    catalog_name,
    latex_text,
    one_line,
    paragraphs,
)

_KINDS = {
    "article": "journal",
    "periodical": "journal",
    "suppperiodical": "journal",
    "inproceedings": "conference",
    "conference": "conference",
    "proceedings": "conference",
    "mvproceedings": "conference",
    # a part of a book is filed under the book's title, as a paper under its proceedings
    "incollection": "conference",
    "inbook": "conference",
    "bookinbook": "conference",
    "suppbook": "conference",
    "suppcollection": "conference",
    "inreference": "conference",
    # works outside journals and proceedings keep what they are, so the export writes
    # them back as the same type with their school, institution or publisher
    "book": "book",
    "mvbook": "book",
    "collection": "book",
    "mvcollection": "book",
    "reference": "book",
    "mvreference": "book",
    "phdthesis": "phdthesis",
    "mastersthesis": "mastersthesis",
    "techreport": "report",
    "report": "report",  # biblatex's
}
# Entry types of a page on the web: one with a URL (and no arXiv id) is cited as a web page.
_WEB_TYPES = frozenset("misc online electronic www".split())
_PREPRINT_JOURNAL = re.compile(r"arxiv|corr\b|preprint", re.IGNORECASE)


# The largest .bib read (about 600,000 entries): reading keeps the whole file as objects,
# about 25 times its size in memory (a 4.4 MB file of 30,000 entries: 145 MB), so this
# one takes 2.5 GB already.
MAX_BYTES = 100 * 2**20


@dataclass
class Item:
    """One entry of a .bib: its key and a Draft, or why it cannot become one. An entry that
    is only there for others to inherit from (a @proceedings that others name in `crossref`,
    an @xdata) is `shared`: neither a paper nor a failure."""

    key: str
    draft: Draft | None
    problem: str | None = None
    shared: bool = False
    line: int = 0  # where the entry starts in its file (1 = the first line)


# Entry types that hold what other entries inherit (crossref, xdata), not a paper.
_SHARED_TYPES = frozenset("proceedings mvproceedings book mvbook collection mvcollection".split())


_ENCODING_LINE = re.compile(rb"^\s*%\s*Encoding:\s*([\w\-]+)", re.IGNORECASE)


def decode(raw: bytes, name: str) -> str:
    """The text of a .bib file's bytes: UTF-8 (a byte order mark is dropped), or the encoding
    JabRef names on its first line (`% Encoding: ISO8859_1`, as JabRef wrote files before it
    moved to UTF-8); else InputError saying which line is not UTF-8."""
    import codecs

    try:
        return raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        where = raw.count(b"\n", 0, exc.start) + 1
        declared = _ENCODING_LINE.match(raw[:200])
        if declared:
            label = declared.group(1).decode("ascii").replace("ISO8859", "ISO-8859")
            try:
                return raw.decode(codecs.lookup(label).name)
            except (LookupError, UnicodeDecodeError):
                pass
        convert = "iconv -f latin1 -t utf-8" + ("" if name == "-" else f" {name} > fixed.bib")
        raise InputError(
            f"{name}: not UTF-8 text (line {where}); convert it first, e.g. {convert}"
        ) from None


def read(text: str) -> tuple[list[Item], list[tuple[str, str]]]:
    """The entries of a .bib text, each as a Draft or a problem, and the blocks that cannot
    be read at all as (where, why) pairs. Values are read as BibTeX reads them: @string
    names and month macros replaced, pieces joined by #, fields missing from an entry
    inherited from the entry its `crossref` or `xdata` names."""
    import logging

    import bibtexparser
    from bibtexparser.model import DuplicateBlockKeyBlock, DuplicateFieldKeyBlock

    from litlist.bibtex import Budget, month_macros, resolve_value

    text = text.removeprefix("\ufeff")
    # bibtexparser logs each unreadable block; we report them ourselves, one line each
    logger = logging.getLogger("bibtexparser")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        # no middleware: values are resolved below, # concatenation included, which
        # bibtexparser's own string middleware leaves as written
        library = bibtexparser.parse_string(text, parse_stack=[])
    finally:
        logger.setLevel(level)
    strings = _new_macros(month_macros())
    budget = Budget(text)
    for block in library.strings:
        strings[block.key.lower()] = resolve_value(str(block.value), strings, budget)
    entries = [
        (
            entry,
            {_name(f.key): resolve_value(str(f.value), strings, budget) for f in entry.fields},
        )
        for entry in library.entries
    ]
    by_key = {entry.key.casefold(): values for entry, values in entries}
    parents = set()
    for _, values in entries:
        for name in ("crossref", "xdata"):
            for parent in values.get(name, "").split(","):
                if parent.strip().casefold() in by_key:
                    parents.add(parent.strip().casefold())
                    _inherit(values, by_key[parent.strip().casefold()], name)
    decode = latex_text
    items = []
    for entry, values in entries:
        item = _item(entry, values, decode)
        kind = entry.entry_type.casefold()
        if kind == "set":  # biblatex's: other entries, cited as one
            item = Item(entry.key, None, "a set of other entries", shared=True)
        shared = kind == "xdata" or (entry.key.casefold() in parents and kind in _SHARED_TYPES)
        # a volume others inherit from is a paper of its own only when it names people
        if shared and (item.draft is None or not (item.draft.authors or item.draft.editors)):
            item = Item(entry.key, None, "a volume other entries inherit from", shared=True)
        item.line = (entry.start_line or 0) + 1
        items.append(item)
    broken = []
    for failed in library.failed_blocks:
        where = f"line {(failed.start_line or 0) + 1}"
        if isinstance(failed, DuplicateBlockKeyBlock):
            why = f"a second {entry_name(failed.key)} (only the first is read)"
        elif isinstance(failed, DuplicateFieldKeyBlock):
            names = ", ".join(sorted(failed.duplicate_keys))
            key = getattr(failed.ignore_error_block, "key", "")
            why = f"{entry_name(key)} has the field {names} twice"
        else:
            why = "cannot be read as BibTeX"
        broken.append((where, why))
    if budget.left < 0:
        broken.append(("@string", "names stand for more text than any .bib needs; cut short"))
    return items, broken


# What an entry does not take from the volume it names (it takes every other field it
# lacks, as BibTeX and biber do: an isbn, a publisher, a series): the volume's own
# identifiers and pages, which name the volume (two papers of one proceedings would
# otherwise look like the same paper), and the fields that name an entry itself.
_NOT_INHERITED = frozenset(
    "doi url eprint eprinttype archiveprefix eprintclass primaryclass arxiv arxivid pages "
    "ids crossref xdata xref key label shorthand sortkey entryset options related "
    "title subtitle titleaddon shorttitle".split()
)
# a crossref'd volume's titles are the child's book titles, as biber maps them
_AS_BOOK = {"title": "booktitle", "subtitle": "booksubtitle", "titleaddon": "booktitleaddon"}


def _new_macros(months: dict[str, str]) -> dict[str, str]:
    """The table of @string names one file's values are resolved with (a test counts the
    lookups in it to show that reading stays linear in the number of @strings)."""
    return months


def _name(key: str) -> str:
    """A field's name, lower case: the last word of what bibtexparser read as one (a "%"
    comment line before a field, which biber skips, comes out glued to its name)."""
    return key.split()[-1].casefold() if key.split() else key.casefold()


def _inherit(values: dict[str, str], parent: dict[str, str], how: str) -> None:
    """Fill the fields `values` lacks from the entry it names in `crossref` or `xdata`
    (all but `_NOT_INHERITED`); a crossref'd volume's title is the child's booktitle, as
    biber and BibTeX take it."""
    if how == "crossref":
        for name, book in _AS_BOOK.items():
            if name in parent:
                values.setdefault(book, parent[name])
    for name, value in parent.items():
        if name not in _NOT_INHERITED:
            values.setdefault(name, value)


_LAST_AND = re.compile(r"(?:^|\s)and$", re.IGNORECASE)


def _people(value: str, decode: Callable[[str], str]) -> tuple[list[str], bool]:
    """Authors in catalog form, and whether the list ended in 'others' (et al.)."""
    from bibtexparser.middlewares.names import (
        InvalidNameError,
        parse_single_name_into_parts,
        split_multiple_persons_names,
    )

    people, cut = [], False
    # a list cut at its end ("A and B and") leaves "and" glued to the last name
    value = _LAST_AND.sub("", one_line(value))
    for raw in split_multiple_persons_names(value):
        if raw.strip().casefold() == "others":
            cut = True
            continue
        if extended := _extended_name(raw):
            people.append(catalog_name(*(decode(part) for part in extended)))
            continue
        if _braced_whole(raw.strip()):
            # BibTeX's way of writing an organisation ({Google DeepMind}): one name, kept
            # braced in the catalog so it is exported that way again
            people.append(organisation_author(decode(raw.strip()[1:-1])))
            continue
        try:
            parts = parse_single_name_into_parts(raw)
        except InvalidNameError:
            people.append(decode(raw))
            continue
        if "," not in raw and looks_like_organisation(plain := one_line(decode(raw))):
            # a team the .bib forgot to brace ("Gemini Team and ..."), guessed as arXiv's are
            people.append(organisation_author(plain))
            continue
        pieces = (parts.first, parts.von, parts.last, parts.jr)
        people.append(catalog_name(*(decode(" ".join(p)) for p in pieces)))
    return [p for p in people if p], cut


# biblatex's extended name format, as Better BibLaTeX writes a name with a particle:
# "family=Santos, given=Joao Miguel, prefix=dos, useprefix=false"
_EXTENDED_KEY = re.compile(r"\s*([a-z\-]+)\s*=\s*(.*)", re.IGNORECASE | re.DOTALL)


def _extended_name(raw: str) -> tuple[str, str, str, str] | None:
    """(given, prefix, family, suffix) of a name in biblatex's extended format, else None.
    `useprefix` and the initials keys change how a style sorts and abbreviates, not who the
    person is, and are not kept."""
    parts: dict[str, str] = {}
    for piece in _split_outside_braces(raw, ","):
        found = _EXTENDED_KEY.fullmatch(piece)
        if not found:
            return None
        value = found.group(2).strip()
        if (value[:1] == '"' and value[-1:] == '"') or _braced_whole(value):
            value = value[1:-1]
        parts[found.group(1).casefold()] = value
    if not ({"family", "given"} & parts.keys()):
        return None
    return (
        parts.get("given", ""),
        parts.get("prefix", ""),
        parts.get("family", ""),
        parts.get("suffix", ""),
    )


def _split_outside_braces(text: str, separator: str) -> list[str]:
    """`text` split at each `separator` outside braces."""
    pieces, depth, start = [], 0, 0
    for position, char in enumerate(text):
        depth += 1 if char == "{" else -1 if char == "}" else 0
        if char == separator and depth == 0:
            pieces.append(text[start:position])
            start = position + 1
    pieces.append(text[start:])
    return pieces


def _braced_whole(name: str) -> bool:
    """Whether one brace group spans the whole name ("{Google DeepMind}", not "{\\"O}zt{\\"u}rk"
    nor a lone accented letter "{\\'E}", which BibTeX reads as one special character)."""
    if name[:1] != "{" or name[-1:] != "}" or name[1:2] == "\\":
        return False
    depth = 0
    for position, char in enumerate(name):
        depth += 1 if char == "{" else -1 if char == "}" else 0
        if depth == 0:
            return position == len(name) - 1
    return False


# Fields that hold an arXiv id alone (`arxiv = {1805.07518}`, Mendeley's arxivId), and
# fields where a bare id counts once the entry says it is on arXiv (`journal = {{arXiv}}`,
# `volume = {1506.04967}`, as Papers and Mendeley write preprints).
_ID_FIELDS = ("arxiv", "arxivid", "eprint")
_BARE_ID_FIELDS = ("volume", "number", "pages", "note", "howpublished", "eprint")
_SAYS_ARXIV = ("journal", "journaltitle", "publisher", "howpublished", "archiveprefix")
_BRACES = re.compile(r"[{}]")


def _unbraced(value: str) -> str:
    """A value without its braces: `Ar{X}iv` (braced to keep its capitals) is arXiv."""
    return _BRACES.sub("", _verbatim(value))


def _arxiv_of(values: dict[str, str]) -> str | None:
    """The arXiv id an entry gives, wherever people put it: eprint with archivePrefix (or
    eprinttype) arXiv, an arxiv or arxivid field, arXiv's DOI, an arXiv link or "arXiv:id"
    in any field that may hold one, or a bare id in volume, number or note of an entry
    whose journal, publisher or howpublished is arXiv."""
    prefix = values.get("archiveprefix", values.get("eprinttype", "arxiv"))
    for name in _ID_FIELDS:
        if name == "eprint" and _unbraced(prefix).strip().casefold() != "arxiv":
            continue
        found = ARXIV_ID.match(_unbraced(values.get(name, "")))
        if found:
            return arxiv_id(found.group(1))
    doi = ARXIV_DOI.match(_verbatim(values.get("doi", "")))
    if doi and (found := ARXIV_ID.match(doi.group(1))):
        return arxiv_id(found.group(1))
    for name in (
        "url",
        "journal",
        "journaltitle",
        "volume",
        "number",
        "note",
        "howpublished",
        "arxiv",
        "eprint",
        "booktitle",
        "pages",
    ):
        found = ARXIV_IN_TEXT.search(_unbraced(values.get(name, "")))
        if found:
            return arxiv_id(found.group(1))
    if any(_unbraced(values.get(n, "")).strip().casefold() == "arxiv" for n in _SAYS_ARXIV):
        for name in _BARE_ID_FIELDS:
            found = ARXIV_ID.match(_unbraced(values.get(name, "")).strip())
            if found:
                return arxiv_id(found.group(1))
    return None


def _doi_of(values: dict[str, str]) -> str | None:
    from urllib.parse import unquote

    for name in ("doi", "url", "note", "howpublished"):
        text = _verbatim(values.get(name, ""))
        found = None
        if link := DOI_URL.match(text):  # in a link the DOI is percent-encoded
            found = unquote(link.group(1))
        elif name == "doi" and (whole := DOI_ID.match(text)):
            found = whole.group(1)  # the field whole: an old SICI DOI has <, > and ;
        elif inside := DOI_IN_TEXT.search(text):
            found = inside.group(1)
        if found and not ARXIV_DOI.match(found):
            return found.rstrip(".")
    return None


_ESCAPED = re.compile(r"\\([_%&#$~])")


def _verbatim(value: str) -> str:
    """A URL, DOI or eprint as meant: DBLP and others escape LaTeX's specials in them
    (`paper\\_files`, `50\\%`), and some wrap a link in \\url{...}."""
    value = value.strip()
    if value.startswith("\\url{") and value.endswith("}"):
        value = value[5:-1].strip()
    return _ESCAPED.sub(r"\1", value)


def _year(values: dict[str, str], decode: Callable[[str], str]) -> tuple[int | None, str | None]:
    """The year (`year`, else biblatex's `date`), and a note when it had to be read out of
    something longer ('2024a', as some lists tell two papers of a year apart)."""
    # a macro in a year is a sort key that prints nothing ({\noopsort{1973c}}1981: 1981)
    raw = _SORT_MACRO.sub("", values.get("year", ""))
    text = decode(raw) or decode(values.get("date", ""))[:4]
    # "2024a", "2020--2021", "2019 (online)": the year it starts with
    found = re.match(r"(\d{4})(?!\d)(.*)", text)
    if not found:
        return None, None
    note = f"year '{text}' read as {found.group(1)}" if found.group(2).strip() else None
    return int(found.group(1)), note


_SORT_MACRO = re.compile(r"\\[A-Za-z]+\s*\{[^{}]*\}")


_ONE_MONTH = re.compile(
    r"(?:0?[1-9]|1[0-2]|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?)",
    re.IGNORECASE,
)
_MONTH_NAMES = "jan feb mar apr may jun jul aug sep oct nov dec".split()
_MONTH_FULL = {
    name[:3]: name
    for name in "january february march april may june july august september october "
    "november december".split()
}


def _month(values: dict[str, str]) -> int | None:
    """The month of `month` (a macro such as jun, a name, a number) or of biblatex's
    `date` (2023-06-10); None when it says none."""
    text = values.get("month", "").strip().strip(".").casefold()
    if text.isdigit() and 1 <= int(text) <= 12:
        return int(text)
    # "jun", "June", "Jun.", and PMLR's "23--29 Jul" (the first month a range names)
    for word in re.findall(r"[a-z]+", text):
        if word[:3] in _MONTH_NAMES and (len(word) == 3 or _MONTH_FULL[word[:3]] == word):
            return _MONTH_NAMES.index(word[:3]) + 1
    found = re.match(r"\s*\d{4}-(\d{2})\b", values.get("date", ""))
    if found and 1 <= int(found.group(1)) <= 12:
        return int(found.group(1))
    return None


_ACCESSED = re.compile(r"\b(?:accessed|retrieved|visited)\b\W*(\d{4}-\d{2}-\d{2})\b", re.I)


def _urldate(values: dict[str, str]) -> str | None:
    """When a web page was read: biblatex's urldate, ACM's lastaccessed, or the date of a
    note such as "Accessed: 2024-01-01" (as classic .bib files say it)."""
    said = (values.get("urldate") or values.get("lastaccessed") or "").strip()
    if not said and (found := _ACCESSED.search(values.get("note", ""))):
        said = found.group(1)
    return said or None


def _other_venue(values: dict[str, str], decode: Callable[[str], str]) -> tuple[str, str]:
    """Where an entry that is not in a journal or proceedings comes from, and the field
    that says it: the institution of a report, the school of a thesis, the publisher of a
    book, what `howpublished` says, an event's title, else the site its URL is on ("" for
    the field: the venue is read from the address, which is kept)."""
    for name in ("institution", "school", "organization", "publisher", "howpublished"):
        text = _verbatim(values.get(name, ""))
        if text and not re.match(r"https?://", text):
            return decode(text), name
    for name in ("url", "howpublished"):
        found = re.match(r"https?://(?:www\.)?([^/\s:?#]+)", _verbatim(values.get(name, "")))
        if found:
            return found.group(1), ""
    if values.get("eventtitle"):
        return decode(values["eventtitle"]), ""
    return "", ""


# Fields litlist keeps in columns of its own (or, crossref and xdata, resolves on reading);
# every other field of an entry is kept verbatim in `extra` and exported as it came.
_COLUMN_FIELDS = frozenset(
    "title author editor year month volume number pages publisher doi url urldate address "
    "location eprint archiveprefix eprinttype primaryclass eprintclass abstract keywords "
    "crossref xdata".split()
)
# Entry types BibTeX and biblatex require an author (or, for a book, an editor) of; a
# @manual, @booklet, @misc, @online or @proceedings may name neither.
_NEEDS_PEOPLE = frozenset(
    "article inproceedings conference incollection inbook bookinbook suppbook book mvbook "
    "collection mvcollection phdthesis mastersthesis thesis techreport report unpublished "
    "patent".split()
)
# Entry types whose venue is a journal, and those whose venue is the book or proceedings
# they are part of (booktitle); a thesis's venue is its school, a report's its institution.
_JOURNAL_TYPES = frozenset("article periodical suppperiodical".split())
_BOOKTITLE_TYPES = frozenset(
    "inproceedings conference incollection inbook bookinbook suppbook suppcollection "
    "inreference".split()
)
_SCHOOL_TYPES = frozenset("thesis phdthesis mastersthesis report techreport".split())
# A date that says no more than a year and a month is kept in the year and month columns;
# one with a day or a range is kept verbatim too.
_YEAR_MONTH = re.compile(r"\s*\d{4}(?:-\d{2})?\s*")


def _venue(kind: str, values: dict[str, str], decode: Callable[[str], str]) -> tuple[str, str]:
    """An entry's venue and the field it was read from: an article's journal (never a stray
    booktitle), a chapter's or paper's booktitle, a thesis's school or institution (never a
    journaltitle), else who put the work out (`_other_venue`)."""
    journal_field = "journal" if values.get("journal") else "journaltitle"
    order = [journal_field, "booktitle"]
    if kind in _BOOKTITLE_TYPES:
        order.reverse()
    if kind in _SCHOOL_TYPES:
        order = ["school", "institution"]
    for name in order:
        if text := decode(values.get(name, "")):
            return text, name
    return _other_venue(values, decode)


# Math whose printed text would lose its layout (a sub- or superscript, a group): kept as
# LaTeX in a title, which the export writes back as math ($\pi_n(S^n)$ was π_n(S^n)).
_LAID_OUT_MATH = re.compile(r"\$[^$]*[_^{][^$]*\$")


def _title(value: str, decode: Callable[[str], str]) -> str:
    """A title as the text it prints, its laid-out math kept as written."""
    kept = _LAID_OUT_MATH.findall(value)
    if not kept:
        return decode(value)
    # each formula stands aside as a word of letters the decoder leaves alone
    text = decode(_LAID_OUT_MATH.sub(lambda m: f"QQMATH{len(kept)}QQ", value))
    found = iter(kept)
    text = re.sub(r"QQMATH\d+QQ", lambda m: next(found), text)
    return text


def _item(entry, values: dict[str, str], decode: Callable[[str], str]) -> Item:
    title = _title(values.get("title", ""), decode)
    if not title:
        return Item(entry.key, None, "no title")
    authors, cut = _people(values.get("author", ""), decode)
    editors, _ = _people(values.get("editor", ""), decode)
    kind = entry.entry_type.casefold()
    # biblatex's `usetranslator` cites a translation by its translators
    if not (authors or editors or values.get("translator")) and kind in _NEEDS_PEOPLE:
        return Item(entry.key, None, "no authors (nor editors)")
    year, year_note = _year(values, decode)
    arxiv = _arxiv_of(values)
    # a report, a thesis, a book, a blog post: who put it out is the venue, of a kind
    # that says what the work is (see model.DOCUMENT_KINDS)
    venue, venue_field = _venue(kind, values, decode)
    venue_kind = _KINDS.get(kind, "preprint")
    if kind == "thesis":  # biblatex's: its `type` says which degree
        said = values.get("type", "")
        masters = re.search(r"master|mathesis|\bm\.?\s?sc\b|\bma\b", said, re.IGNORECASE)
        venue_kind = "mastersthesis" if masters else "phdthesis"
    if venue_kind in ("conference", "journal", "preprint") and "workshop" in venue.casefold():
        venue_kind = "workshop"
    if arxiv and (not venue or _PREPRINT_JOURNAL.search(venue)):
        # the field that named arXiv ("Ar{X}iv:1409.0473") stays as written, in `extra`
        venue, venue_kind, venue_field = "arXiv", "preprint", ""
    if venue_field == "publisher" and venue_kind in ("conference", "journal", "workshop"):
        # a publisher is one venue, of books, whatever cites it (a chapter naming no book)
        venue_kind = "book"
    if not venue:
        # an unpublished manuscript, a patent, a @misc known by its DOI name no one who put
        # them out: "Unknown", never the entry type; a preprint's kind, which no export
        # writes back as a journal, booktitle or school
        venue, venue_kind = "Unknown", "preprint"
    url = _verbatim(values.get("url", ""))
    if not url and re.match(r"https?://", _verbatim(values.get("howpublished", ""))):
        url = _verbatim(values["howpublished"])  # howpublished = {\url{...}}
    url = url if re.match(r"^https?://\S+$", url) else ""
    if arxiv and not url:  # the user's own link, as written, else the catalog's
        url = f"https://arxiv.org/abs/{arxiv}"
    # a page is cited by its address: a @misc without one (or with only a DOI) is not one
    if (
        kind in _WEB_TYPES
        and venue_kind == "preprint"
        and not arxiv
        and url
        and not DOI_URL.match(url)
    ):
        venue_kind = "web"
    pages = decode(values.get("pages", "")).replace("\u2013", "-").replace("\u2014", "-")
    pages = re.sub(r"\s*-+\s*", "-", pages)
    if pages and not _PAGES.match(pages):
        pages = ""  # a list of ranges ("431-456, 791-823"): kept as written, in `extra`
    # eprint and its type and class are arXiv's columns only when they name arXiv (an
    # eprint of jstor or pubmed stays in `extra`, verbatim), and a class only when it is
    # one arXiv class ("cs, eess" stays too): what the entry says is exported as it said it
    prefix = _unbraced(values.get("archiveprefix", values.get("eprinttype", "arxiv")))
    eprint = _unbraced(values.get("eprint", "")).strip()
    arxiv_eprint = (
        bool(arxiv) and prefix.strip().casefold() == "arxiv" and eprint in ("", arxiv)
    )  # an eprint written otherwise ("1008.2849v1", with its version) stays as written
    arxiv_class = values.get("primaryclass") or values.get("eprintclass") or ""
    if not (arxiv_eprint and _ARXIV_CLASS.match(arxiv_class.strip())):
        arxiv_class = ""
    booktitle = ""
    if venue_field == "booktitle" and kind not in _JOURNAL_TYPES:
        booktitle = decode(values["booktitle"])
    # the field the venue came from is kept as a column only where the export writes the
    # venue back into it; anywhere else (a booklet's howpublished) it stays in `extra`
    writes_back = (
        (venue_field in ("journal", "journaltitle") and kind in _JOURNAL_TYPES)
        or (venue_field == "booktitle" and kind not in _JOURNAL_TYPES)
        or (venue_field in ("school", "institution") and kind in _SCHOOL_TYPES)
    )
    consumed = _COLUMN_FIELDS | ({venue_field} if writes_back else set())
    if values.get("pages") and not pages:
        consumed -= {"pages"}
    if values.get("month") and not _ONE_MONTH.fullmatch(values["month"].strip()):
        consumed -= {"month"}  # "nov, dec", "23--29 Jul": kept as written too
    if _YEAR_MONTH.fullmatch(values.get("date", "")):
        consumed |= {"date"}
    if not arxiv_eprint:
        consumed -= {"eprint", "archiveprefix", "eprinttype"}
    if not arxiv_class:
        consumed -= {"primaryclass", "eprintclass"}
    if values.get("location", "").strip() and values.get("address", "").strip():
        consumed -= {"address"}  # the column is the location; the address is kept too
    draft = Draft(
        title=title,
        authors=authors,
        year=year,
        venue=venue,
        venue_kind=venue_kind,
        booktitle=booktitle if booktitle and venue_kind != "workshop" else None,
        workshop=booktitle if booktitle and venue_kind == "workshop" else None,
        volume=decode(values["volume"]) if values.get("volume") else None,
        number=decode(values["number"]) if values.get("number") else None,
        pages=pages or None,
        publisher=decode(values["publisher"]) if values.get("publisher") else None,
        arxiv=arxiv,
        arxiv_class=arxiv_class.strip() or None,
        doi=_doi_of(values),
        url=url or None,
        urldate=_urldate(values),
        month=_month(values),
        # where a meeting was held: biblatex's location (ACM's address is the publisher's)
        address=decode(values.get("location") or values.get("address") or "") or None,
        editors=editors,
        entry_type=kind,
        others=cut,
        # each paragraph decoded alone: the decoder makes one line of what it reads
        abstract=paragraphs(values.get("abstract", ""), decode) or None,
        keywords=_keywords(decode(values.get("keywords", ""))),
        extra={
            name: one_line(value)
            for name, value in values.items()
            if name not in consumed and value.strip() and _EXTRA_NAME.match(name)
        },
        key=entry.key,
        origin=entry_name(entry.key),
    )
    if cut:
        draft.notes.append(f"{draft.origin}: the author list ends in 'others'")
    if year_note:
        draft.notes.append(f"{draft.origin}: {year_note}")
    return draft_item(entry.key, draft)


# a page or a range of them, as the catalog keeps pages (schema.PAGES_RE)
_PAGES = re.compile(r"^[0-9A-Za-z][0-9A-Za-z:.]*(-[0-9A-Za-z][0-9A-Za-z:.]*)?$")
# one arXiv subject class, as the catalog keeps it (schema.ARXIV_CLASS_RE)
_ARXIV_CLASS = re.compile(r"^[a-z\-]+(\.[A-Za-z\-]+)?$")
# a field name the catalog can keep (schema.FIELD_NAME_RE; names were read lower case)
_EXTRA_NAME = re.compile(r"^[a-z][a-z0-9_\-:.+]*$")


def _keywords(text: str) -> list[str]:
    """A keywords field's words and phrases, as Zotero (", ") and others (";") separate them."""
    return [k for k in (" ".join(part.split()) for part in re.split(r"[,;]", text)) if k]


def entry_name(key: str) -> str:
    """An entry as messages name it: "entry 'key'", a key longer than a line cut short."""
    key = " ".join(key.split())
    return f"entry '{key if len(key) <= 60 else key[:59] + '…'}'"


def draft_item(key: str, draft: Draft) -> Item:
    """An Item for a Draft (the year is the one field BibTeX may leave out that we need)."""
    if draft.year is None:
        return Item(key, None, "no year")
    return Item(key, draft)
