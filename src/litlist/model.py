"""The catalog's runtime data: plain, frozen records. No I/O and no pydantic here.

Validation lives in `schema.py` (pydantic, loaded only when a catalog is parsed); what it
produces is stored in the cache as plain values and rebuilt into these classes, so a warm
run never pays for pydantic's import.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from operator import attrgetter
from typing import Any, Protocol, TypeVar, dataclass_transform

_T = TypeVar("_T")

# Characters that steer a terminal or reorder text rather than show something: C0 controls
# but tab and newline, DEL, C1 controls (CSI at U+009B works like ESC [), and the bidi
# embeddings, overrides and isolates. `schema` rejects them in a catalog; `render` strips
# them from whatever it draws, since titles and queries also come from elsewhere.
CONTROL_CHARS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

# Where a TOML source could put a control character into a parsed string: the character
# itself (CR too: CRLF lines inside a multi-line string), a C1 or bidi character in UTF-8,
# or an escape that makes one (\b \f \r \e \u \U). _SUSPECT finds the bytes such a place
# starts with in one fast pass; _CONTROL_AT confirms each.
_SUSPECT = re.compile(rb"[\x00-\x08\x0b-\x1f\x7f\\\xc2\xe2]")
_CONTROL_AT = re.compile(
    rb"[\x00-\x08\x0b-\x1f\x7f]|\\[bfreuU]|\xc2[\x80-\x9f]|\xe2\x80[\xaa-\xae]|\xe2\x81[\xa6-\xa9]"
)


def may_hold_controls(raw: bytes) -> bool:
    """False when no string parsed from this TOML source can contain a control character,
    so validation may skip checking every field for one (a tenth of a first run's time)."""
    return any(_CONTROL_AT.match(raw, m.start()) for m in _SUSPECT.finditer(raw))


class _Record:
    """Base of the frozen records below: slots, equality, repr, and an __init__ that takes
    the fields in order or by name, with the class's defaults."""

    __slots__ = ()
    _fields: tuple[str, ...] = ()
    _defaults: dict[str, Any] = {}
    _setters: tuple[Any, ...] = ()  # the slots' __set__, in field order (see `_fast_record`)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        names = self._fields
        if len(args) == len(names) and not kwargs:
            # every field, in order (a record decoded or validated): the slots' own setters,
            # half the time of object.__setattr__ by name
            for set_slot, value in zip(self._setters, args, strict=True):
                set_slot(self, value)
            return
        if len(args) > len(names):
            raise TypeError(f"{type(self).__name__} takes {len(names)} fields")
        for name, value in zip(names, args, strict=False):
            object.__setattr__(self, name, value)
        for name in names[len(args) :]:
            if name in kwargs:
                value = kwargs.pop(name)
            elif name in self._defaults:
                value = self._defaults[name]
            else:
                raise TypeError(f"{type(self).__name__} needs '{name}'")
            object.__setattr__(self, name, value)
        if kwargs:
            raise TypeError(f"{type(self).__name__} has no field {', '.join(kwargs)}")

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen")

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return all(getattr(self, n) == getattr(other, n) for n in self._fields)

    def __hash__(self) -> int:
        return hash(tuple(getattr(self, n) for n in self._fields))

    def __repr__(self) -> str:
        values = ", ".join(f"{n}={getattr(self, n)!r}" for n in self._fields)
        return f"{type(self).__name__}({values})"


def _fast_record(cls: type) -> Any:
    """What @record does at run time: the class rebuilt on `_Record` with slots, from its
    annotations and defaults. Creating a dataclass costs about 1.5 ms, on every command."""
    names = tuple(cls.__dict__.get("__annotations__", {}))
    namespace = {k: v for k, v in cls.__dict__.items() if k not in names}
    namespace.pop("__dict__", None)
    namespace.pop("__weakref__", None)
    namespace.update(
        __slots__=names,
        _fields=names,
        _defaults={n: cls.__dict__[n] for n in names if n in cls.__dict__},
    )
    made: Any = type(cls.__name__, (_Record,), namespace)
    made._setters = tuple(getattr(made, name).__set__ for name in names)
    return made


@dataclass_transform(frozen_default=True)
def record(cls: type[_T]) -> type[_T]:
    """Like @dataclass(frozen=True, slots=True) for type checkers, but cheap to create."""
    return _fast_record(cls)  # type: ignore[no-any-return]


def organisation(author: str) -> str | None:
    """The name of an organisation as the catalog writes one, braced whole as BibTeX does
    ("{Google DeepMind}" -> "Google DeepMind"); None for a person. A brace anywhere else is
    no organisation (`schema` refuses such an author)."""
    if author[:1] != "{" or author[-1:] != "}":
        return None
    inner = author[1:-1]
    if "{" in inner or "}" in inner:
        return None
    return " ".join(inner.split())


def organisation_author(name: str) -> str:
    """`name` (an organisation's, as a source gives it) in the catalog's braced form; any
    brace inside it dropped, since the catalog allows only the outer pair. Empty when
    nothing is left."""
    inner = " ".join(name.replace("{", "").replace("}", "").split())
    return "{" + inner + "}" if inner else ""


# An organisation the catalog does not brace ("Gemini Team", "Mistral AI", "BigScience
# Workshop", as arXiv lists them and as catalogs written before braces meant an organisation
# have them): read as a person it becomes "Team, Gemini" and prints as "G. Team". Guessed
# from the last word; a person whose family name is such a word is written "Lab, Tom".
_ORGANISATION = frozenset(
    "Team Collaboration Consortium Group Workshop Project Initiative Foundation Institute"
    " Laboratory Lab Labs Inc Inc. Ltd Ltd. LLC Corporation AI".split()
)


def looks_like_organisation(author: str) -> bool:
    """Whether an unbraced name without a comma ends in a word only teams and organisations
    end in ("Gemini Team", "Mistral AI")."""
    words = author.split()
    return len(words) > 1 and words[-1] in _ORGANISATION and "," not in author


def field_names(cls: type) -> tuple[str, ...]:
    """The fields of a record class, in order."""
    return cls._fields  # type: ignore[attr-defined]


@record
class Topic:
    """A heading of the list: `slug` is a path such as `peft/method`."""

    slug: str
    name: str

    @property
    def depth(self) -> int:
        return self.slug.count("/")

    def contains(self, slug: str) -> bool:
        """True when `slug` is this topic or one of its sub-topics."""
        return slug == self.slug or slug.startswith(self.slug + "/")


# Venue kinds of works that are not papers in a journal or proceedings, with the words a
# reader knows them by: the venue is who put the work out (a book's publisher, a thesis's
# school, a report's institution, a web page's site), and the kind decides its BibTeX type.
DOCUMENT_KINDS = {
    "book": "book",
    "phdthesis": "PhD thesis",
    "mastersthesis": "master's thesis",
    "report": "technical report",
    "web": "web page",
}
VENUE_KINDS = ("conference", "journal", "workshop", "preprint", *DOCUMENT_KINDS)


@record
class Venue:
    """A conference, journal, workshop series or preprint server; or who put out a book,
    thesis, report or web page (`DOCUMENT_KINDS`)."""

    id: str
    name: str
    kind: str
    aliases: tuple[str, ...] = ()


@record
class Publication:
    """Where a paper appeared: the list's venue, or a later version of record."""

    venue: str
    year: int
    title: str | None = None
    authors: tuple[str, ...] = ()
    booktitle: str | None = None
    workshop: str | None = None
    volume: str | None = None
    number: str | None = None
    pages: str | None = None
    publisher: str | None = None
    doi: str | None = None
    url: str | None = None
    # what a proceedings' official BibTeX adds (the ACL Anthology's): where and when the
    # meeting was held, and who edited the volume
    address: str | None = None
    month: int | None = None
    editors: tuple[str, ...] = ()


@record
class Paper:
    """One entry of the list: a paper (`kind == "paper"`) or a summary post."""

    id: str
    kind: str
    title: str
    topic: str
    key: str | None = None
    other_titles: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    year: int | None = None
    venue: str | None = None
    workshop: str | None = None
    booktitle: str | None = None
    volume: str | None = None
    number: str | None = None
    pages: str | None = None
    publisher: str | None = None
    arxiv: str | None = None
    arxiv_class: str | None = None
    doi: str | None = None
    url: str | None = None
    aliases: tuple[str, ...] = ()
    covers: tuple[str, ...] = ()
    summary: tuple[str, ...] = ()
    summary_en: str = ""
    address: str | None = None
    month: int | None = None
    editors: tuple[str, ...] = ()
    urldate: str | None = None  # when a web page was read (2024-05-01): pages change
    # What a user's own entry brings (import, add): the entry type it was written as
    # ("incollection", biblatex's "mvbook"), an author list its source cut short ("and
    # others"), its abstract and keywords, and every other field verbatim, as BibTeX text,
    # in the order the source had them (exported as they came).
    entry_type: str | None = None
    others: bool = False
    abstract: str | None = None
    keywords: tuple[str, ...] = ()
    extra: tuple[tuple[str, str], ...] = ()
    # a reader's own list: where reading stands ("to-read", "reading", "read") and the day
    # the paper was added (ISO 8601, "2026-12-07"); the shipped papers have neither
    status: str | None = None
    added: str | None = None
    published: Publication | None = None  # last: to_record and from_record rely on it

    @property
    def citable(self) -> bool:
        return self.kind == "paper"

    @property
    def as_listed(self) -> Publication | None:
        """The paper as the list gives it (year and venue of the list)."""
        if self.year is None or self.venue is None:
            return None
        return Publication(
            venue=self.venue,
            year=self.year,
            booktitle=self.booktitle,
            workshop=self.workshop,
            volume=self.volume,
            number=self.number,
            pages=self.pages,
            publisher=self.publisher,
            doi=self.doi,
            url=self.url,
            address=self.address,
            month=self.month,
            editors=self.editors,
        )

    def to_dict(self) -> dict[str, object]:
        """Plain JSON-ready values, in field order; tuples become lists."""
        out: dict[str, object] = {}
        for name in field_names(Paper):
            value = getattr(self, name)
            if name == "extra":
                value = dict(value)
            elif isinstance(value, tuple):
                value = list(value)
            elif isinstance(value, Publication):
                value = {
                    k: list(v) if isinstance(v := getattr(value, k), tuple) else v
                    for k in field_names(Publication)
                }
            out[name] = value
        return out


class Catalog:
    """Everything one catalog file holds, in the list's order.

    Papers live in a store (a list of `Paper`s, or the cache's compact records) and become
    `Paper` objects only when asked for (`paper(i)`); the values filters need are columns
    (`columns["year"]`, ...), so a filter over 100,000 papers builds no paper at all.
    """

    def __init__(
        self,
        path: str,
        topics: list[Topic],
        venues: list[Venue],
        papers: list[Paper] | None = None,
        *,
        store: Store | None = None,
    ) -> None:
        self.path = path
        self.topics = topics
        self.venues = venues
        self._store: Store = PaperList(papers or []) if store is None else store
        self._by_topic = {t.slug: t for t in topics}
        self._by_venue = {v.id: v for v in venues}
        # what the CLI should tell the user about how the catalog was read (an untrusted cache)
        self.warnings: list[str] = []

    def __len__(self) -> int:
        return len(self._store)

    def paper(self, i: int) -> Paper:
        """The i-th entry, in full."""
        return self._store.paper(i)

    def brief(self, i: int) -> Paper:
        """The i-th entry with only what a table shows (id, key, kind, title, year, venue,
        topic, status, added), built from the columns: cheap for thousands of rows."""
        c = self.columns
        return Paper(
            id=c["id"][i],
            kind=c["kind"][i],
            title=c["title"][i],
            topic=c["topic"][i],
            key=c["key"][i],
            year=c["year"][i],
            venue=c["venue"][i],
            status=c["status"][i],
            added=c["added"][i],
        )

    @property
    def papers(self) -> list[Paper]:
        return [self.paper(i) for i in range(len(self))]

    @property
    def columns(self) -> Mapping[str, list]:
        return self._store.columns

    @property
    def index(self):
        return self._store.index

    @index.setter
    def index(self, value) -> None:
        self._store.index = value

    @property
    def ids(self) -> list[str]:
        return self.columns["id"]

    @property
    def keys(self) -> list[str | None]:
        return self.columns["key"]

    def topic(self, slug: str) -> Topic:
        return self._by_topic[slug]

    def venue(self, venue_id: str) -> Venue:
        return self._by_venue[venue_id]

    def topic_path(self, slug: str) -> list[Topic]:
        """The topic and its ancestors, root first."""
        parts = slug.split("/")
        prefixes = ("/".join(parts[: i + 1]) for i in range(len(parts)))
        return [self._by_topic[p] for p in prefixes if p in self._by_topic]

    def topic_order(self) -> dict[str, int]:
        """Position of each topic slug in the list's heading order."""
        return {t.slug: i for i, t in enumerate(self.topics)}


# status and added: `show --status` and `show --sort added` read a column, not 10,000 records
COLUMNS = ("id", "key", "kind", "title", "year", "venue", "topic", "status", "added")


class Store(Protocol):
    """Where a catalog's papers are kept: `PaperList`, or the cache's database."""

    index: object

    @property
    def columns(self) -> Mapping[str, list]: ...

    def __len__(self) -> int: ...

    def paper(self, i: int) -> Paper: ...


class PaperList:
    """A store of `Paper` objects in memory (a catalog just validated, or built in a test)."""

    def __init__(self, papers: list[Paper]) -> None:
        self._papers = papers
        self.columns = {name: [getattr(p, name) for p in papers] for name in COLUMNS}
        self.index: object = None

    def __len__(self) -> int:
        return len(self._papers)

    def paper(self, i: int) -> Paper:
        return self._papers[i]


def to_record(paper: Paper) -> tuple:
    """A paper as a tuple of plain values (what the cache stores), in field order."""
    values = _PAPER_ATTRS(paper)  # one C call: a first run makes a record per paper
    if paper.published is not None:
        return (*values[:-1], _PUBLICATION_ATTRS(paper.published))
    return values


_PAPER_ATTRS = attrgetter(*field_names(Paper))
_PUBLICATION_ATTRS = attrgetter(*field_names(Publication))


def from_record(values: tuple) -> Paper:
    """The inverse of `to_record`."""
    published = values[-1]
    return Paper(*values[:-1], Publication(*published) if published else None)  # type: ignore[call-arg]
