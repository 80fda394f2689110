"""Adding papers to a user's catalog file: duplicates, ids and keys, venues and topics, and a
write that keeps every byte that was there.

A `Session` holds the catalog file locked, its bytes as read and the catalog loaded from
them; a `Planner` turns Drafts (see `sources/`) into validated papers, refusing duplicates;
`Session.commit` writes them. New [[paper]] tables are appended at the end of the file, a new
[[venue]] goes after the last venue table, a new [[topic]] after its parent's last sub-topic:
only lines are added, nothing that was there moves or changes. Each paper is checked by the
catalog's schema and the same cross rules (unique id and key, declared topic and venue)
against the loaded catalog; the file as a whole is not parsed again, so adding one paper to
a list of 10,000 stays fast.
"""

from __future__ import annotations

import functools
import os
import re
import shlex
import time
import unicodedata
from collections.abc import Callable, Container, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from litlist import catalog, fsutil
from litlist.errors import LitlistError
from litlist.index import arxiv_name, plain_title
from litlist.index import paper_names as index_names
from litlist.model import (
    CONTROL_CHARS,
    DOCUMENT_KINDS,
    Catalog,
    Paper,
    Topic,
    Venue,
    organisation,
)
from litlist.sources import Draft, ascii_fold

# Title words a citation key skips ("The Power of Scale" -> lester2021power).
KEY_STOPWORDS = frozenset(
    "a an the on of in is are for to and or at by from with as via into".split()
)
# A longer key in a .bib is kept out: no one types it, and messages would quote all of it.
MAX_KEY = 80
# The order fields are written in, as in the shipped catalog.
ORDER = (
    "id kind key title authors year month venue workshop booktitle editors volume number pages "
    "publisher address topic arxiv arxiv_class doi url urldate aliases summary summary_en "
    "status added"
).split()
MULTILINE = ("authors", "summary")
# Titles shorter than this (letters and digits) match another paper's only in the same year.
SHORT_TITLE = 16
# Fields a source may give in a form the schema refuses; left out rather than losing the paper.
DROPPABLE = frozenset(
    "workshop booktitle volume number pages publisher arxiv_class doi url month address "
    "editors urldate".split()
)
_HEADER = re.compile(
    r"^\ufeff?[ \t]*\[\[?[ \t]*([A-Za-z0-9_.\-]+)[ \t]*\]\]?[ \t]*(?:#.*)?\r?$", re.M
)


class EditError(LitlistError):
    """The catalog cannot be changed as asked (nothing was written)."""


# ---------------------------------------------------------------- names


def title_words(title: str) -> list[str]:
    """The words of a title as keys use them: hyphenated words split, folded to ASCII."""
    words = re.split(r"[\s\-/:]+", romanize(title))
    return [w for w in (ascii_fold(part) for part in words) if w]


def family_name(author: str) -> str:
    """The family name of an author in catalog form, without a von part; an organisation's
    name up to its first comma ("{Llama Team, AI @ Meta}" -> "Llama Team")."""
    if (name := organisation(author)) is not None:
        return name.split(",", 1)[0]
    if "," in author:
        family = author.split(",", 1)[0].split()
        while len(family) > 1 and family[0][:1].islower():
            family = family[1:]  # "van Beethoven" -> "Beethoven"
        return " ".join(family)
    return author.split()[-1] if author.split() else author


# Latin letters NFKD does not take apart, as they are written in ASCII.
_LATIN = str.maketrans(
    {
        "ı": "i",
        "ø": "o",
        "Ø": "O",
        "ß": "ss",
        "ẞ": "SS",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "ð": "d",
        "Ð": "D",
        "þ": "th",
        "Þ": "Th",
        "ħ": "h",
        "Ħ": "H",
        "ŋ": "ng",
        "Ŋ": "Ng",
        "ĸ": "q",
        "ſ": "s",
    }
)
# Revised Romanization of Korean, a syllable's initial, vowel and final consonant in
# Unicode's order (syllable = 0xAC00 + (initial * 21 + vowel) * 28 + final).
_INITIALS = "g kk n d tt r m b pp s ss - j jj ch k t p h".split()
_VOWELS = "a ae ya yae eo e yeo ye o wa wae oe yo u wo we wi yu eu ui i".split()
_FINALS = ["", *"k k k n n n t l k m l l l p l m p p t t ng t t k t p t".split()]


def romanize(text: str) -> str:
    """`text` with its Hangul syllables in Revised Romanization, one syllable at a time
    (sound changes across syllables not applied: 한국 -> hanguk), and Latin letters NFKD
    keeps whole folded as ASCII writes them (Aksın -> Aksin, Ødegaard -> Odegaard)."""
    out: list[str] = []
    for char in unicodedata.normalize("NFC", text).translate(_LATIN):
        index = ord(char) - 0xAC00
        if 0 <= index < 11172:
            initial, rest = divmod(index, 588)
            vowel, final = divmod(rest, 28)
            out.append(_INITIALS[initial].strip("-") + _VOWELS[vowel] + _FINALS[final])
        else:
            out.append(char)
    return "".join(out)


def key_base(authors: list[str] | tuple[str, ...], year: int | None, title: str) -> str:
    """A citation key the way the catalog's are made: first author's family name, year,
    first title word that is not a stop word (rafailov2023direct)."""
    family = ascii_fold(romanize(family_name(authors[0]))) if authors else ""
    words = [w for w in title_words(title) if w not in KEY_STOPWORDS] or title_words(title)
    base = f"{family or 'anon'}{year or ''}{words[0] if words else ''}"
    return base if base[0].isalpha() else "x" + base


def slug(text: str) -> str:
    """Lower-case ASCII letters and digits joined by single hyphens ('LLaMA-Adapter V2' ->
    'llama-adapter-v2'); empty when nothing Latin is left."""
    text = unicodedata.normalize("NFKD", romanize(text)).casefold()
    return re.sub(r"[^a-z0-9]+", "-", text.encode("ascii", "ignore").decode()).strip("-")


def unique(base: str, taken: Container[str], *, letters: bool) -> str:
    """`base`, or the first of base+b, base+c… (keys) or base-2, base-3… (ids) not taken."""
    if base not in taken:
        return base
    n = 2
    while True:
        name = base + (_letters(n) if letters else f"-{n}")
        if name not in taken:
            return name
        n += 1


def _letters(n: int) -> str:
    """2 -> 'b', 26 -> 'z', 27 -> 'ab'..., as Google Scholar disambiguates keys."""
    out = ""
    while n:
        n, rest = divmod(n - 1, 26)
        out = chr(ord("a") + rest) + out
    return out


_NOT_ALNUM = re.compile(r"[\W_]+")


# ---------------------------------------------------------------- TOML text

_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r", "\b": "\\b"}
_ESCAPES["\f"] = "\\f"


_TOML_TABLE = {ord(c): e for c, e in _ESCAPES.items()}
_TOML_TABLE.update({n: f"\\u{n:04X}" for n in [*range(0x20), 0x7F] if chr(n) not in _ESCAPES})
_SURROGATE = re.compile("[\ud800-\udfff]")


def toml_string(value: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped, every other
    character (Korean, accents, emoji) written as itself."""
    if _SURROGATE.search(value):
        raise EditError(f"text with an unpaired surrogate cannot be written: {value!r}")
    # str.translate: one C pass (a Python loop per character was most of writing an import)
    return '"' + value.translate(_TOML_TABLE) + '"'


def toml_key(name: str) -> str:
    """A TOML key: bare where TOML allows it, else quoted."""
    return name if re.fullmatch(r"[A-Za-z0-9_-]+", name) else toml_string(name)


def _value(name: str, value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):  # an inline table of strings (a paper's `extra`)
        return "{" + ", ".join(f"{toml_key(k)} = {toml_string(v)}" for k, v in value.items()) + "}"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return toml_string(value)
    items = list(value)  # type: ignore[call-overload]
    if name in MULTILINE and items:
        return "[\n" + "".join(f"    {toml_string(v)},\n" for v in items) + "]"
    return "[" + ", ".join(toml_string(v) for v in items) + "]"


def table_text(table: str, row: dict, order: list[str] | tuple[str, ...] = ()) -> str:
    """One `[[table]]` as TOML text, fields in `order` then the rest; None left out."""
    names = [n for n in order if n in row] + [n for n in row if n not in order]
    lines = [f"[[{table}]]"]
    lines += [f"{n} = {_value(n, row[n])}" for n in names if row[n] is not None]
    return "\n".join(lines) + "\n"


def _proven(table: str, row: dict, text: str) -> str:
    """`text` if it parses as TOML to exactly `row` (so what is written is what was meant)."""
    import tomli

    expected = {k: (list(v) if isinstance(v, tuple) else v) for k, v in row.items()}
    expected = {k: v for k, v in expected.items() if v is not None}
    try:
        parsed = tomli.loads(text)
    except tomli.TOMLDecodeError as exc:  # pragma: no cover - a bug in table_text
        raise EditError(f"internal error: generated TOML does not parse ({exc})") from None
    if parsed != {table: [expected]}:  # pragma: no cover - a bug in table_text
        raise EditError("internal error: generated TOML does not read back as written")
    return text


# ---------------------------------------------------------------- the file's layout


@dataclass
class _Block:
    table: str
    start: int  # offset of the header line
    stop: int  # offset of the next header (or the end of the text)

    def end(self, text: str | bytes) -> int:
        """Offset just past the table's last line that is not blank or a comment (a
        comment just above the next header belongs to that one)."""
        newline, comment = ("\n", "#") if isinstance(text, str) else (b"\n", b"#")
        end = self.stop
        while end > self.start:
            line_start = max(self.start, text.rfind(newline, self.start, end - 1) + 1)  # type: ignore[arg-type]
            line = text[line_start:end].strip()
            if line and not line.startswith(comment):  # type: ignore[arg-type]
                break
            end = line_start
        return end


# Where a header can start: a line beginning with "[" after blanks. A search for this
# (a literal line break first) skips through a 90 MB catalog five times faster than
# `_HEADER` tried at every position, which then only checks the lines found.
_HEADER_START = re.compile(r"\n\ufeff?[ \t]*\[")
_BOM = "\ufeff".encode()


def _for_bytes(pattern: re.Pattern[str]) -> re.Pattern[bytes]:
    """A header pattern for a catalog's bytes (its optional BOM as UTF-8 bytes)."""
    bom = f"(?:{re.escape(_BOM.decode('latin-1'))})?"
    raw = pattern.pattern.replace("\\ufeff?", bom).encode("latin-1")
    return re.compile(raw, pattern.flags & re.M)


# The same two for a catalog's bytes, so that an add need not decode (and encode again)
# a whole list of 100,000 papers to append to it.
_HEADER_BYTES = _for_bytes(_HEADER)
_HEADER_START_BYTES = _for_bytes(_HEADER_START)
_HEADER_START_PLAIN_BYTES = re.compile(rb"\n[ \t]*\[")


def _headers(text: str | bytes) -> Iterator[re.Match]:
    """`_HEADER.finditer(text)`, the same matches, found faster (`text` may be bytes)."""
    header, start = (
        (_HEADER, _HEADER_START) if isinstance(text, str) else (_HEADER_BYTES, _HEADER_START_BYTES)
    )
    if isinstance(text, bytes) and b"\n" + _BOM not in text:
        # no line starts with a byte order mark (a file's first line is matched by
        # `header` itself): the search without one takes half the time on 90 MB
        start = _HEADER_START_PLAIN_BYTES
    for position in [0, *(m.start() + 1 for m in start.finditer(text))]:  # type: ignore[arg-type]
        if found := header.match(text, position):  # type: ignore[arg-type]
            yield found


def _blocks(text: str | bytes) -> list[_Block]:
    """The tables of a catalog's text, in order."""
    blocks: list[_Block] = []
    for match in _headers(text):
        if blocks:
            blocks[-1].stop = match.start()
        blocks.append(_Block(_name(match), match.start(), len(text)))
    return blocks


def _name(header: re.Match) -> str:
    name = header.group(1).strip()
    return name if isinstance(name, str) else name.decode("ascii")


def _slug_in(text: str | bytes, block: _Block) -> str | None:
    import tomli

    part = text[block.start : block.stop]
    part = part if isinstance(part, str) else part.decode("utf-8", "replace")
    found = re.search(r"^[ \t]*slug[ \t]*=(.*)$", part, re.M)
    if not found:
        return None
    try:
        return tomli.loads("v =" + found.group(1).rstrip("\r")).get("v")
    except tomli.TOMLDecodeError:
        return None


class Layout:
    """Where in a catalog's text each table is, checked against the loaded catalog: if the
    file is not written as one `[[topic]]`/`[[venue]]`/`[[paper]]` table per entry, we say so
    rather than guess where to add."""

    def __init__(
        self, text: str | bytes, cat: Catalog, path: Path, blocks: list[_Block] | None = None
    ) -> None:
        # topics and venues as blocks; papers only counted (100,000 of them, at every add)
        self.topics: list[_Block] = []
        self.venues: list[_Block] = []
        papers = 0
        if blocks is not None:  # the tables a caller has already found
            self.topics = [b for b in blocks if b.table == "topic"]
            self.venues = [b for b in blocks if b.table == "venue"]
            papers = sum(b.table == "paper" for b in blocks)
        last: _Block | None = None  # the last topic or venue, until the next header
        for match in _headers(text) if blocks is None else ():
            if last is not None:
                last.stop, last = match.start(), None
            name = _name(match)
            if name == "paper":
                papers += 1
            elif name in ("topic", "venue"):
                last = _Block(name, match.start(), len(text))
                (self.topics if name == "topic" else self.venues).append(last)
        slugs = [_slug_in(text, b) for b in self.topics]
        if (
            slugs != [t.slug for t in cat.topics]
            or len(self.venues) != len(cat.venues)
            or papers != len(cat)
        ):
            raise EditError(
                f"{path}: not laid out as one [[topic]], [[venue]] or [[paper]] table per "
                "entry; litlist adds only to such files (add this paper by hand)"
            )
        self.text = text
        self.by_slug = {s: b for s, b in zip(slugs, self.topics, strict=True) if s}

    def after_subtree(self, parent: str | None) -> int:
        """Where a new topic under `parent` goes: after the last table of parent's subtree
        (or after the last topic)."""
        prefix = f"{parent}/" if parent else ""
        chosen = [
            b for s, b in self.by_slug.items() if not parent or s == parent or s.startswith(prefix)
        ]
        if chosen:
            return chosen[-1].end(self.text)
        return self.after_venues() if not self.topics else self.topics[-1].end(self.text)

    def after_venues(self) -> int:
        if self.venues:
            return self.venues[-1].end(self.text)
        if self.topics:
            return self.topics[-1].end(self.text)
        return len(self.text)


# ---------------------------------------------------------------- planning


@dataclass
class Skipped:
    origin: str
    existing: str
    why: str


@dataclass
class Failed:
    origin: str
    why: str


@dataclass
class Options:
    """What the user gives on the command line besides the draft."""

    topic: str
    id: str | None = None
    key: str | None = None
    aliases: list[str] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)
    summary_en: str = ""
    # a reader's own list: where reading stands and the day the paper came in (ISO date)
    status: str | None = "to-read"
    added: str | None = None
    venue: str | None = None  # --venue ID: every paper goes under this venue


class UnknownTopic(EditError):
    """A --topic or --parent that names no topic: a bad option value, as for `show`."""

    exit_code = 2


class Duplicate(EditError):
    """The paper is in the catalog already."""

    def __init__(self, origin: str, existing: str, why: str) -> None:
        self.existing = existing
        super().__init__(f"{origin} is already in the catalog as '{existing}' ({why})")


class Planner:
    """Turns drafts into validated papers for one catalog, and remembers what it added so a
    whole import is checked as one (no duplicate between two entries of one .bib)."""

    def __init__(self, cat: Catalog, *, many: bool = False) -> None:
        self.catalog = cat
        self.topics = list(cat.topics)
        self.venues = list(cat.venues)
        self._venues = Venues(cat.venues)
        # --venue NAME=ID: venue_name(NAME) -> ID; `many`: an import (notes name the entry)
        self.venue_map: dict[str, str] = {}
        self.many = many
        self.papers: list[Paper] = []
        self.rows: list[dict] = []
        self.new_topics: list[tuple[Topic, str | None]] = []  # (topic, parent slug)
        self.new_venues: list[Venue] = []
        self.notes: list[str] = []
        # keys the .bib being imported gives its own entries: a key made for another entry
        # never takes one (a draft citing it would get the wrong paper)
        self.reserved: set[str] = set()
        # arXiv ids, DOIs and titles of the papers this planner added (the catalog's are
        # looked up in its index: see `duplicate`)
        self._checked: tuple[dict, Any] | None = None  # (row, its validated PaperModel)
        self._last_topic: str | None = None  # the slug `row` found last
        self.by_arxiv: dict[str, str] = {}
        self.by_doi: dict[str, str] = {}
        self.by_title: dict[str, str] = {}
        self.years: dict[str, int | None] = {}

    # the catalog's ids and keys, read when first needed: the check `add` makes before going
    # to the network needs them only for --id and --key
    @functools.cached_property
    def ids(self) -> set[str]:
        return set(self.catalog.columns["id"])

    @functools.cached_property
    def keys(self) -> dict[str, str]:
        """Casefolded key -> id: BibTeX takes `Hu2022` and `hu2022` for one key."""
        cols = self.catalog.columns
        return {k.casefold(): i for k, i in zip(cols["key"], cols["id"], strict=True) if k}

    def _remember(self, paper: Paper) -> None:
        for name, kind in index_names(paper):
            table = {"arxiv": self.by_arxiv, "doi": self.by_doi, "title": self.by_title}
            if kind in table:
                table[kind].setdefault(name, paper.id)
        self.years[paper.id] = paper.year

    def _known(self, name: str, kind: str) -> tuple[str, int | None] | None:
        """(id, year) of the first paper, in the catalog or added here, that `names` gives
        `name` of `kind`: one indexed query, no record decoded (an `add` to a list of
        100,000 papers reads three rows, not 100,000 records)."""
        from litlist.query import _index

        for position, _ in _index(self.catalog).named(name, (kind,)):
            return self.catalog.columns["id"][position], self.catalog.columns["year"][position]
        table = {"arxiv": self.by_arxiv, "doi": self.by_doi, "title": self.by_title}[kind]
        found = table.get(name)
        return (found, self.years.get(found)) if found is not None else None

    # ------------------------------------------------------------ lookups

    def duplicate(self, draft: Draft | Paper) -> tuple[str, str] | None:
        """(existing id, why) when the catalog (or this batch) has the paper already: the
        same arXiv id, the same DOI in any case, or the same title (or other title) up to
        case, accents and punctuation."""
        if draft.arxiv and (found := self._known(arxiv_name(draft.arxiv), "arxiv")):
            return found[0], f"same arXiv id {draft.arxiv}"
        if draft.doi and (found := self._known(draft.doi.lower(), "doi")):
            return found[0], f"same DOI {draft.doi}"
        titles = [draft.title, *getattr(draft, "other_titles", ())]
        for title in titles:
            plain = plain_title(title)
            found = self._known(plain, "title") if plain else None  # "???" names no paper
            # a short title ("Introduction", "Editorial") is shared by different works:
            # the same one only in the same year
            if found and (len(plain) >= SHORT_TITLE or found[1] == draft.year):
                return found[0], "same title"
        return None

    def check_identifier(self, kind: str, value: str) -> None:
        """Raise Duplicate when an arXiv id or DOI about to be fetched is in the catalog
        already: the answer is known without asking the network (or needing it)."""
        from litlist.query import named

        wanted = "arxiv" if kind == "arxiv" else "doi"
        for position, how in named(self.catalog, value):
            if how == wanted:
                label = "arXiv id" if wanted == "arxiv" else "DOI"
                origin = f"arXiv:{value}" if wanted == "arxiv" else f"doi:{value}"
                raise Duplicate(origin, self.catalog.columns["id"][position], f"same {label}")

    def check_duplicate(self, draft: Draft) -> None:
        """Raise Duplicate when the draft's paper is already there."""
        found = self.duplicate(draft)
        if found:
            raise Duplicate(draft.origin, *found)

    def check_options(self, options: Options) -> None:
        """EditError, in words, when --key or --id is not one the catalog accepts or is
        taken already, or an --alias or summary holds a control character: said before a
        request is made and a draft is built."""
        from litlist.schema import ID_RE, KEY_CHARS, KEY_RE

        # option, value, pattern, what it is, its characters, its first one, the paper
        # that holds the value already (keys compared as BibTeX does, ignoring case)
        checks = [
            (
                "--key",
                options.key,
                KEY_RE,
                "a citation key",
                KEY_CHARS,
                "any of them",
                lambda key: self.keys.get(key.casefold()),
            ),
            (
                "--id",
                options.id,
                ID_RE,
                "an id",
                "lower-case letters a-z, digits and -",
                "a letter or digit",
                lambda id_: id_ if id_ in self.ids else None,
            ),
        ]
        for option, value, pattern, what, chars, first, holder in checks:
            if value is None:
                continue
            if not pattern.match(value):
                raise EditError(f"{option} {value!r}: {what} is {chars}, starting with {first}")
            if (owner := holder(value)) is not None:
                raise EditError(f"{option} {value!r} is taken by paper '{owner}'; choose another")
        texts = [("--alias", options.aliases), ("--summary", options.summary)]
        for option, values in [*texts, ("--summary-en", [options.summary_en])]:
            for value in values:
                if found := CONTROL_CHARS.search(value):
                    raise EditError(
                        f"{option}: control character U+{ord(found.group()):04X} at position "
                        f"{found.start() + 1}; remove it"
                    )
                if option != "--summary-en" and not value:
                    raise EditError(f"{option} is empty")

    def topic(self, text: str, option: str = "--topic") -> str:
        """The topic slug `text` names exactly (slug, last slug segment or heading), else
        UnknownChoice (naming `option`) with the closest and a pointer to `litlist topics`."""
        from litlist.errors import UnknownChoice
        from litlist.query import closest

        wanted = text.strip().casefold()
        found = [
            t.slug
            for t in self.topics
            if wanted in (t.slug.casefold(), t.name.casefold(), t.slug.rsplit("/", 1)[-1])
        ]
        if len(found) == 1:
            return found[0]
        valid = [t.slug for t in self.topics]
        near = found or closest(text, valid + [t.name for t in self.topics])
        error = UnknownChoice(option, text, valid, near)
        if option != "--topic":
            raise UnknownTopic(str(error))
        raise UnknownTopic(f"{error} (--new-topic HEADING --parent SLUG makes one)")

    def new_topic(self, heading: str, parent: str | None) -> str:
        """Declare a topic `heading` under `parent` (a slug); its slug is derived."""
        parent_slug = self.topic(parent, "--parent") if parent else None
        segment = slug(heading)
        if not segment:
            raise EditError(f"--new-topic: cannot make a slug of '{heading}' (use Latin letters)")
        full = f"{parent_slug}/{segment}" if parent_slug else segment
        if any(t.slug == full for t in self.topics):
            return full  # it exists: use it
        # a sibling of the same heading (up to case and spacing) is that topic, whatever
        # its slug ('PEFT Method' under peft is peft/method, not a second peft/peft-method)
        wanted = " ".join(heading.split()).casefold()
        for t in self.topics:
            if (t.slug.rpartition("/")[0] or None) == parent_slug and (
                " ".join(t.name.split()).casefold() == wanted
            ):
                return t.slug
        topic = Topic(slug=full, name=heading.strip())
        after = [
            i
            for i, t in enumerate(self.topics)
            if parent_slug and (t.slug == parent_slug or t.slug.startswith(parent_slug + "/"))
        ]
        self.topics.insert(after[-1] + 1 if after else len(self.topics), topic)
        self.new_topics.append((topic, parent_slug))
        return full

    def venue(self, draft: Draft, chosen: str | None = None) -> str:
        """The id of the known venue the draft names (by the rule of `venue_name`), else of
        a new venue table, with a note when its name resembles a known one. `chosen` (the
        user's --venue) files it under that venue id instead, made if it is new."""
        name = draft.venue or "arXiv"
        chosen = chosen or self.venue_map.get(venue_name(name))
        if chosen is not None:
            # an id as written, else an id, name or alias in any case (`--venue nips`), else
            # a new venue of that id
            folded = [v.id for v in self.venues if chosen.casefold() in _folded_names(v)]
            known = chosen if any(v.id == chosen for v in self.venues) else next(iter(folded), None)
            return known or self._new_venue(chosen, name, draft.venue_kind)
        # a school's theses are not its reports, nor a publisher's books a journal of the
        # same name: a work outside journals and proceedings matches only its own kind
        found = self._venues.match(name, draft.venue_kind)
        if found:
            return found
        # who put out a book, thesis, report or page reads better whole than as initials
        # ("stanford-university", not "SU")
        short = _short_name(name)
        if _shelf(draft.venue_kind) and " " in name.strip():
            short = slug(name)[:40].strip("-") or short
        taken = {n.casefold() for v in self.venues for n in (v.id, v.name, *v.aliases)}
        venue_id = short
        n = 2
        while venue_id.casefold() in taken:
            venue_id = f"{short}-{n}"
            n += 1
        near = self._venues.resembling(name, draft.venue_kind)
        venue_id = self._new_venue(venue_id, name, draft.venue_kind)
        if near is not None:
            if self.many:  # an import: the option names which entries it is for
                hint = shlex.quote(f"{name}={near.id}")
                where = f"{draft.origin}: "
            else:
                hint, where = shlex.quote(near.id), ""
            self.notes.append(
                f"{where}venue '{name}' resembles existing '{near.id}'; --venue {hint} to "
                "file it there"
            )
        return venue_id

    def choose_venues(self, values: list[str]) -> str | None:
        """Read --venue values: `ID` files every paper under venue ID, `NAME=ID` the papers
        whose venue is NAME (by the rule of `venue_name`); the ID of the first form, if any.
        EditError for an empty or control-character value, or two of the first form."""
        every: list[str] = []
        for value in values:
            name, _, venue_id = value.rpartition("=")
            venue_id = venue_id.strip()
            if not venue_id or (name and not venue_name(name)):
                raise EditError(f"--venue {value!r}: give a venue id, or NAME=ID")
            if found := CONTROL_CHARS.search(value):
                raise EditError(f"--venue: control character U+{ord(found.group()):04X}; remove it")
            if name:
                self.venue_map[venue_name(name)] = venue_id
            else:
                every.append(venue_id)
        if len(set(every)) > 1:
            raise EditError(f"--venue: {every[0]!r} or {every[1]!r}? give one venue id")
        return every[0] if every else None

    def _new_venue(self, venue_id: str, name: str, kind: str) -> str:
        name = "arXiv preprint" if name == "arXiv" else name
        venue = Venue(id=venue_id, name=name, kind=kind, aliases=())
        self.venues.append(venue)
        self._venues.add(venue)
        self.new_venues.append(venue)
        self.notes.append(f"new venue '{venue_id}' ({name}, {kind})")
        return venue_id

    # ------------------------------------------------------------ adding

    def row(self, draft: Draft, options: Options) -> dict:
        """The [[paper]] row for a draft (ids, key and venue chosen), not yet validated."""
        # the slug itself, as an import gives it for every entry: no search of the topics
        topic = options.topic if options.topic == self._last_topic else self.topic(options.topic)
        self._last_topic = topic
        key = options.key or self._key(draft)
        if options.id:
            paper_id = options.id
        else:
            base = slug(options.aliases[0]) if options.aliases else ""
            # the catalog's way (vaswani2017attention), whatever key a .bib gave: a key
            # like dblp:conf/nips/VaswaniSPUJGKP17 stays the citation key, not the id
            made = slug(key_base(draft.authors, draft.year, draft.title))
            paper_id = unique(base or made or "paper", self.ids, letters=False)
        venue = self.venue(draft, options.venue)
        booktitle = draft.booktitle
        filed = self._venues.by_id[venue]
        if (
            filed.kind in _PROCEEDINGS_KINDS
            and not (booktitle or draft.workshop)
            and draft.venue
            and draft.venue != filed.name
        ):
            booktitle = draft.venue  # the 13th of a series is never cited as the 11th
        row = {
            "id": paper_id,
            "kind": "paper",
            "key": key,
            "title": draft.title,
            "authors": list(draft.authors),
            "year": draft.year,
            "venue": venue,
            "workshop": draft.workshop,
            "booktitle": booktitle,
            "volume": draft.volume,
            "number": draft.number,
            "pages": draft.pages,
            "publisher": draft.publisher,
            "month": draft.month,
            "address": draft.address,
            "editors": list(draft.editors),
            "topic": topic,
            "arxiv": draft.arxiv,
            "arxiv_class": draft.arxiv_class,
            "doi": draft.doi,
            "url": draft.url,
            "urldate": draft.urldate,
            "aliases": list(options.aliases),
            "summary": list(options.summary),
            "summary_en": options.summary_en or None,
            "status": options.status,
            "added": options.added,
            "entry_type": draft.entry_type,
            "others": draft.others or None,
            "abstract": draft.abstract or None,
            "keywords": list(draft.keywords) or None,
            "extra": dict(draft.extra) or None,
        }
        self._drop_invalid(row, draft.origin)
        return row

    def _drop_invalid(self, row: dict, origin: str) -> None:
        """Leave out, with a note, a field a source gave that the schema refuses (pages
        written as '12, 14', a DOI with spaces): the paper is still worth adding."""
        from pydantic import ValidationError

        from litlist import schema

        given = {k: v for k, v in row.items() if v is not None and v != [] and v != ""}
        try:
            # kept: `add` of this same row need not validate it again
            self._checked = (given, schema.PaperModel.model_validate(given))
        except ValidationError as exc:
            for name, message in schema.explain(exc):
                name = name.split(".")[0]  # "editors.0": the list it is in
                if name in DROPPABLE and row.get(name) is not None:
                    self.notes.append(f"{origin}: left out {name} '{row[name]}' ({message})")
                    row[name] = None

    def _key(self, draft: Draft) -> str:
        from litlist.schema import KEY_CHARS, KEY_RE

        fits = draft.key and len(draft.key) <= MAX_KEY and KEY_RE.match(draft.key)
        if fits and draft.key.casefold() not in self.keys:  # type: ignore[union-attr]
            return draft.key  # type: ignore[return-value]
        key = unique(key_base(draft.authors, draft.year, draft.title), _Taken(self), letters=True)
        if draft.key:
            owner = self.keys.get(draft.key.casefold())
            why = (
                f"is paper '{owner}''s"
                if owner is not None
                else f"is not a key the catalog accepts ({KEY_CHARS}; at most {MAX_KEY} characters)"
            )
            shown = draft.key if len(draft.key) <= 60 else draft.key[:59] + "…"
            self.notes.append(f"{draft.origin}: key '{shown}' {why}; using '{key}'")
        return key

    def reserve(self, keys: list[str]) -> None:
        """Keep `keys` (those a .bib uses) for their own entries: keys made for others
        avoid them, in any case, as BibTeX compares keys."""
        self.reserved.update(key.casefold() for key in keys)

    def add(self, row: dict, origin: str) -> Paper:
        """Validate `row` (schema and cross rules) and keep it for the write."""
        from pydantic import ValidationError

        from litlist import schema

        row = {k: v for k, v in row.items() if v is not None and v != [] and v != ""}
        checked, self._checked = self._checked, None
        try:
            model = checked[1] if checked and checked[0] == row else None
            paper: Paper = (model or schema.PaperModel.model_validate(row)).to_paper()
        except ValidationError as exc:
            field_name, message = schema.explain(exc)[0]
            raise EditError(f"{origin}: field '{field_name}': {message}") from None
        if paper.id in self.ids:
            raise EditError(f"{origin}: id '{paper.id}' is used by another paper (--id NEW)")
        if paper.key and paper.key.casefold() in self.keys:
            owner = self.keys[paper.key.casefold()]
            raise EditError(f"{origin}: key '{paper.key}' is used by paper '{owner}' (--key NEW)")
        if paper.topic not in {t.slug for t in self.topics}:
            raise EditError(f"{origin}: topic '{paper.topic}' is not declared")
        filed = self._venues.by_id.get(paper.venue or "")
        if filed is None:
            raise EditError(f"{origin}: venue '{paper.venue}' is not declared")
        if filed.kind == "web" and not paper.url:
            raise EditError(f"{origin}: a web page (venue '{paper.venue}') needs a url")
        found = self.duplicate(paper)  # again: an edit in $EDITOR may have changed the ids
        if found:
            raise Duplicate(origin, *found)
        self.ids.add(paper.id)
        if paper.key:
            self.keys[paper.key.casefold()] = paper.id
        self._remember(paper)
        self.papers.append(paper)
        self.rows.append(row)
        return paper

    def drop_unused_venues(self) -> None:
        """Forget new venues no added paper names (their entry failed after all)."""
        used = {p.venue for p in self.papers}
        unused = [v for v in self.new_venues if v.id not in used]
        self.new_venues = [v for v in self.new_venues if v.id in used]
        self.venues = [v for v in self.venues if v not in unused]

    def paper_text(self, row: dict) -> str:
        """A paper row as the TOML text that will be appended, proven to read back."""
        return _proven("paper", row, table_text("paper", row, ORDER))


class _Taken:
    """A key is taken when the catalog or this batch has it, or a .bib reserved it (any
    case, as BibTeX compares keys)."""

    def __init__(self, planner: Planner) -> None:
        self.planner = planner

    def __contains__(self, key: object) -> bool:
        folded = str(key).casefold()
        return folded in self.planner.keys or folded in self.planner.reserved


def parse_table(text: str) -> dict:
    """The row of a text holding one [[paper]] table (EditError if it holds anything else,
    its message a predicate: "is not valid TOML: …", to follow what the text is)."""
    import tomli

    try:
        data = tomli.loads(text)
    except tomli.TOMLDecodeError as exc:
        raise EditError(f"is not valid TOML: {exc}") from None
    rows = data.get("paper")
    if set(data) != {"paper"} or not isinstance(rows, list) or len(rows) != 1:
        raise EditError("is not one [[paper]] table (it must hold exactly one, and nothing else)")
    return rows[0]


def parse_edited(text: str) -> dict:
    """The one [[paper]] table of a snippet a user edited; EditError if it is not one."""
    try:
        return parse_table(text)
    except EditError as exc:
        raise EditError(f"the edited text {exc}") from None


# ---------------------------------------------------------------- venues

# The rule, as the README states it: two venue names are one venue when they read the same
# once case, accents, LaTeX markup, punctuation, spacing and a leading "The" are set aside
# (`venue_name`) -- for proceedings also "Proceedings of", years, ordinals, volume numbers
# (`Vol. 2`, a number before or after the name) and a part in parentheses, since each paper
# keeps its own booktitle (`venue_words`), and a proceedings' name names a known series when
# its head (`series_head`: before DBLP's edition, place and dates) is that series' whole
# name -- or when the catalog lists one as another's alias (or id). Nothing closer than that
# is a match: a close name is a new venue, with a note naming the one it resembles.
_ORDINAL = re.compile(
    r"\b((twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety) (first|second|third|fourth|"
    r"fifth|sixth|seventh|eighth|ninth)|"
    r"\d+(st|nd|rd|th)|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|"
    r"eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|"
    r"nineteenth|[a-z]+tieth)\b"
)
# a LaTeX command (\textit, \v) or escaped symbol (\&, \"), and grouping braces
_LATEX = re.compile(r"\\(?:[a-z]+|.)|[{}]")
_PROCEEDINGS = re.compile(r"^(in )?(proceedings|proc)( of)?( the)? ")
# Names this long get no "resembles" note: comparing them costs more than it helps.
RESEMBLE_MAX = 300
# Word-for-word closeness (rapidfuzz ratio, 0-100) from which a new venue's name is said to
# resemble a known one; only ever a note, never a match.
RESEMBLE_RATIO = 85


def _without_parentheses(text: str) -> str:
    """`text` without its balanced (...) groups, nested ones included, in one pass (a name
    of 100,000 "(" costs as much as any other name of its length)."""
    out: list[str] = []
    opened: list[int] = []
    for char in text:
        if char == "(":
            opened.append(len(out))
            out.append(char)
        elif char == ")" and opened:
            del out[opened.pop() :]
        else:
            out.append(char)
    return "".join(out)


@functools.lru_cache(maxsize=4096)
def venue_name(name: str) -> str:
    """A venue name as the rule compares it: case, accents, LaTeX commands and braces,
    punctuation and spacing set aside, and a leading 'The' dropped."""
    text = unicodedata.normalize("NFKD", name).casefold()
    if not text.isascii():  # accents are separate marks now: dropped, not spaces
        text = "".join(c for c in text if not unicodedata.combining(c))
    text = _NOT_ALNUM.sub(" ", _LATEX.sub("", text)).strip()
    return text.removeprefix("the ").strip()


@functools.lru_cache(maxsize=4096)
def venue_words(name: str) -> str:
    """A proceedings' name as the rule compares series: `venue_name` without 'Proceedings of
    (the)', years, ordinals, volume numbers (also a number before or after the name) and parts
    in parentheses ('Proceedings of the 41st International Conference on Machine Learning'
    -> 'international conference on machine learning')."""
    text = venue_name(_without_parentheses(name))
    text = _PROCEEDINGS.sub("", text + " ").strip()
    text = re.sub(r"\b((19|20)\d\d|vol(ume)? \d+)\b", " ", text)
    text = _ORDINAL.sub(" ", text)
    words = text.split()
    while words and (words[0] in ("the", "of", "in") or words[0].isdigit()):
        words = words[1:]
    while words and words[-1].isdigit():  # a volume number as written in the name
        words = words[:-1]
    return " ".join(words)


# Where a proceedings' name ends and DBLP's edition, place and dates begin: its first comma,
# or a colon after a volume number ("Advances in ... Systems 30: Annual Conference ...").
_EDITION = re.compile(r",|(?<=\d)\s*:")


def series_head(name: str) -> str:
    """A proceedings' name up to its first comma or a volume number's colon, parts in
    parentheses left out ('Proceedings of the 39th International Conference on Machine
    Learning, ICML 2022, 17-23 July 2022, Baltimore' -> 'Proceedings of the 39th
    International Conference on Machine Learning')."""
    return _EDITION.split(_without_parentheses(name), maxsplit=1)[0]


_PROCEEDINGS_KINDS = ("conference", "workshop")
_NUMBER = re.compile(r"\d+")


class Venues:
    """Known venues, looked up by the rule above: a dict per reading, so a venue is found
    in one step however many a catalog has (an import asks once per entry)."""

    def __init__(self, venues: list[Venue] = ()) -> None:  # type: ignore[assignment]
        self.venues: list[Venue] = []
        self.by_id: dict[str, Venue] = {}
        self._names: dict[tuple[str, str], str] = {}  # (shelf, venue_name) -> id
        self._series: dict[tuple[str, str], str] = {}  # (shelf, venue_words) -> id
        for venue in venues:
            self.add(venue)

    def add(self, venue: Venue) -> None:
        """Know `venue` too (the first venue to give a name keeps it)."""
        self.venues.append(venue)
        self.by_id.setdefault(venue.id, venue)
        shelf = _shelf(venue.kind)
        for name in (venue.id, venue.name, *venue.aliases):
            self._names.setdefault((shelf, venue_name(name)), venue.id)
            if venue.kind in _PROCEEDINGS_KINDS:
                self._series.setdefault((shelf, venue_words(name)), venue.id)

    def match(self, name: str, kind: str = "conference") -> str | None:
        """The id of the venue of `kind`'s shelf that `name` names by the rule (a paper of a
        conference or workshop also by its series), else None."""
        shelf = _shelf(kind)
        found = self._names.get((shelf, venue_name(name)))
        if found is None and kind in _PROCEEDINGS_KINDS:
            # the series by its whole name, else by the name's head alone: the head must
            # read as a known series' whole name, so a different name after a colon
            # (Findings of the ACL: NAACL, : EMNLP) still names a different series
            for series in dict.fromkeys((venue_words(name), venue_words(series_head(name)))):
                found = self._series.get((shelf, series)) if series else None
                if found is not None:
                    break
        return found if venue_name(name) else None

    def resembling(self, name: str, kind: str) -> Venue | None:
        """A known venue of `kind`'s shelf whose name is close to `name` but not the same by
        the rule: one that begins with the other word for word, or that differs in a few
        letters (Physical Review B and Physical Review A). For a note; never a match."""
        wanted = venue_words(name) if len(name) <= RESEMBLE_MAX else ""
        if len(wanted) < 4:
            return None
        from rapidfuzz import fuzz

        numbers = _NUMBER.findall(wanted)
        best, found = 0.0, None
        for venue in (v for v in self.venues if _shelf(v.kind) == _shelf(kind)):
            for known in (venue.name, *venue.aliases):
                words = venue_words(known) if len(known) <= RESEMBLE_MAX else ""
                # other numbers name another thing (arXiv:2201.11903, not 2201.11990)
                if len(words) < 4 or _NUMBER.findall(words) != numbers:
                    continue
                shorter, longer = sorted((wanted, words), key=len)
                # word for word, from a name of two words or more ("Semantic Web")
                if " " in shorter and (longer + " ").startswith(shorter + " "):
                    return venue
                score = fuzz.ratio(wanted, words, score_cutoff=RESEMBLE_RATIO)
                if score > best:
                    best, found = score, venue
        return found


def match_venue(name: str, venues: list[Venue], kind: str = "conference") -> str | None:
    """The id of the venue among `venues` that `name` names by the rule, for a paper of
    `kind` (see `Venues.match`), else None."""
    return Venues(venues).match(name, kind)


def _folded_names(venue: Venue) -> set[str]:
    return {n.casefold() for n in (venue.id, venue.name, *venue.aliases)}


def _shelf(kind: str) -> str:
    """The kind itself for a book, thesis, report or web page; "" for every kind of venue
    papers appear at (conference, journal, workshop, preprint), which match one another."""
    return kind if kind in DOCUMENT_KINDS else ""


def _short_name(name: str) -> str:
    """An id for a new venue, in ASCII (see `romanize`): the name if short, else its
    initials ('Journal of Machine Learning Research' -> 'JMLR')."""
    latin = romanize(name)
    if latin != unicodedata.normalize("NFC", name).translate(_LATIN):
        # romanized Korean reads better whole than as initials of syllable groups
        return slug(latin)[:40].strip("-") or "venue"
    latin = unicodedata.normalize("NFKD", latin)
    name = latin.encode("ascii", "ignore").decode() if not latin.isascii() else latin
    words = venue_words(name).split()
    if len(name) <= 16 and name.strip() and " " not in name.strip():
        return name.strip()
    # at most 12 initials and 40 characters of slug: an id is typed and shown in tables
    initials = "".join(w[0] for w in words if w not in KEY_STOPWORDS).upper()[:12]
    return initials or slug(name)[:40].strip("-") or "venue"


# ---------------------------------------------------------------- the write


@dataclass
class Session:
    """A catalog file held for editing: locked, read, and loaded from the bytes read."""

    path: Path
    raw: bytes
    snapshot: fsutil.Snapshot
    catalog: Catalog

    def commit(self, planner: Planner) -> bytes:
        """Write the planner's papers (and new topics and venues) into the file, keeping
        every byte that was there; then bring the cache up to date. The new content."""
        if not planner.papers:
            return self.raw
        planner.drop_unused_venues()
        # the file's bytes as read, never decoded and encoded again: only the new tables
        # are encoded (a list of 100,000 papers is 90 MB)
        text = self.raw
        newline = "\r\n" if b"\r\n" in text else "\n"
        layout = Layout(text, self.catalog, self.path)
        inserts: list[tuple[int, str]] = []
        row: dict[str, object]
        for topic, parent in planner.new_topics:
            row = {"slug": topic.slug, "name": topic.name}
            inserts.append((layout.after_subtree(parent), _table("topic", row)))
        for venue in planner.new_venues:
            row = {"id": venue.id, "name": venue.name, "kind": venue.kind, "aliases": []}
            inserts.append((layout.after_venues(), _table("venue", row)))
        papers = "".join("\n" + planner.paper_text(row) for row in planner.rows)
        inserts.append((len(text), papers))
        # one pass over the text, the inserts in offset order (at one offset, in the order
        # they were planned: two new venues keep theirs); copying the whole text once per
        # insert took seconds for an import that makes hundreds of venues
        parts: list[bytes] = []
        done = 0
        for offset, snippet in sorted(inserts, key=lambda insert: insert[0]):  # stable
            parts.append(text[done:offset])
            done = offset
            if offset and text[offset - 1 : offset] != b"\n":
                parts.append(newline.encode())  # the file's last line had no line break
            block = snippet if snippet.startswith("\n") else "\n" + snippet
            parts.append(block.replace("\n", newline).encode("utf-8"))
        parts.append(text[done:])
        data = b"".join(parts)
        try:
            fsutil.write_atomic(self.path, data, expect=self.snapshot)
        except OSError as exc:  # a full disk, a folder we may not write in: nothing written
            raise EditError(f"{self.path}: {exc.strerror or exc}; nothing written") from None
        # the new content's hash, for the cache: an append hashes only the new tables
        after = fsutil.digest(data, self.snapshot)
        _extend_cache(self.path, self.snapshot.sha256, data, planner, after)
        return data


def _table(table: str, row: dict) -> str:
    return _proven(table, row, table_text(table, row))


def _extend_cache(
    path: Path, before_sha256: str, raw: bytes, planner: Planner, after_sha256: str
) -> None:
    """Append the new papers to the catalog's cache so the next command runs at warm speed
    (no re-parse of the whole list; `extend_cache` drops the cache instead if it cannot)."""
    catalog.extend_cache(
        path, before_sha256, raw, planner.topics, planner.venues, planner.papers, after_sha256
    )


def check_writable(path: Path, *, writing: bool = True) -> None:
    """Refuse the shipped catalog (and any file inside the installed package), a missing
    file and (unless not `writing`: a dry run) one that cannot be written, up front,
    before any network request."""
    if catalog.is_shipped(path):
        raise EditError(
            f"{path} is the catalog shipped with litlist and is never changed; "
            "run `litlist init` to start your own list (a copy of it), then add to that"
        )
    if not os.path.lexists(path):
        raise EditError(f"{path}: no such catalog; `litlist init {path}` starts one")
    if writing:
        fsutil.check_writable(path)  # read-only, a FIFO, another user's link: say so first


def without_papers(text: str) -> str:
    """A catalog's text up to its first [[paper]] table: the header comment, topics and
    venues (what `litlist init --empty` starts from)."""
    first = next((b for b in _blocks(text) if b.table == "paper"), None)
    if first is None:
        return text
    return text[: first.start].rstrip() + "\n"


@contextmanager
def session(
    path: Path, *, writing: bool = True, progress: catalog.Progress | None = None
) -> Iterator[Session]:
    """Hold the catalog at `path` for editing: refuse the shipped catalog (and one that
    cannot be written, when `writing`), lock the file, read it and load the catalog
    (with `progress` bars while a large one is read without its cache)."""
    check_writable(path, writing=writing)
    with fsutil.locked(path):
        read_ns = time.time_ns()  # taken before the read, as a cache fingerprint wants
        try:
            raw, snapshot = fsutil.read_file(path)
        except FileNotFoundError:
            raise EditError(f"{path}: no such catalog; `litlist init` starts one") from None
        except OSError as exc:
            raise EditError(f"{path}: {exc.strerror or exc}") from None
        # the bytes just read, and their hash, are the ones the cache is checked against:
        # a catalog of 100,000 papers (90 MB) is read and hashed once, not twice
        loaded = catalog.load(path, progress=progress, known=(raw, snapshot, read_ns))
        yield Session(path, raw, snapshot, loaded)


def edit_row(row: dict, edit: Callable[[str], str | None]) -> dict:
    """Let the user change a paper row as TOML text (`edit` shows it and returns the edited
    text, None when unchanged); EditError when they leave it empty or unchanged."""
    import tomli

    text = (
        "# Edit this paper, then save and close. Leave it empty or unchanged to add nothing.\n"
        + table_text("paper", {k: v for k, v in row.items() if v is not None}, ORDER)
    )
    edited = edit(text)
    if edited is None or edited == text:
        raise EditError("the paper was not changed in the editor; nothing added")
    try:
        empty = not tomli.loads(edited)
    except tomli.TOMLDecodeError:
        empty = False
    if not edited.strip() or empty:
        raise EditError("the edited paper is empty; nothing added")
    return parse_edited(edited)
