"""The catalog's runtime data: plain, frozen records. No I/O and no pydantic here.

Validation lives in `schema.py` (pydantic, loaded only when a catalog is parsed); what it
produces is stored in the cache as plain values and rebuilt into these classes, so a warm
run never pays for pydantic's import.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Protocol

VENUE_KINDS = ("conference", "journal", "workshop", "preprint")


@dataclass(frozen=True, slots=True)
class Topic:
    """A heading of the list: `slug` is a path such as `peft/method`."""

    slug: str
    name: str

    @property
    def depth(self) -> int:
        return self.slug.count("/")

    @property
    def parent(self) -> str | None:
        return self.slug.rsplit("/", 1)[0] if "/" in self.slug else None

    def contains(self, slug: str) -> bool:
        """True when `slug` is this topic or one of its sub-topics."""
        return slug == self.slug or slug.startswith(self.slug + "/")


@dataclass(frozen=True, slots=True)
class Venue:
    """A conference, journal, workshop series or preprint server."""

    id: str
    name: str
    kind: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
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
    published: Publication | None = None

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
        )

    def to_dict(self) -> dict[str, object]:
        """Plain JSON-ready values, in field order; tuples become lists."""
        out: dict[str, object] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, tuple):
                value = list(value)
            elif isinstance(value, Publication):
                value = {
                    k.name: list(v) if isinstance(v := getattr(value, k.name), tuple) else v
                    for k in fields(value)
                }
            out[f.name] = value
        return out

    @classmethod
    def from_dict(cls, data: dict) -> Paper:
        """Rebuild from `to_dict()` output (trusted: it was validated before it was cached)."""
        values = dict(data)
        for name in ("other_titles", "authors", "aliases", "covers", "summary"):
            values[name] = tuple(values.get(name) or ())
        pub = values.get("published")
        if pub:
            pub = dict(pub, authors=tuple(pub.get("authors") or ()))
        values["published"] = Publication(**pub) if pub else None
        return cls(**values)


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

    def __len__(self) -> int:
        return len(self._store)

    def paper(self, i: int) -> Paper:
        """The i-th entry, in full."""
        return self._store.paper(i)

    def brief(self, i: int) -> Paper:
        """The i-th entry with only what a table shows (id, key, kind, title, year, venue,
        topic), built from the columns: cheap for thousands of rows."""
        c = self.columns
        return Paper(
            id=c["id"][i],
            kind=c["kind"][i],
            title=c["title"][i],
            topic=c["topic"][i],
            key=c["key"][i],
            year=c["year"][i],
            venue=c["venue"][i],
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


COLUMNS = ("id", "key", "kind", "title", "year", "venue", "topic")


class Store(Protocol):
    """Where a catalog's papers are kept: `PaperList`, or the cache's sections."""

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
    values = [getattr(paper, f.name) for f in fields(Paper)]
    if paper.published is not None:
        values[-1] = tuple(getattr(paper.published, f.name) for f in fields(Publication))
    return tuple(values)


def from_record(values: tuple) -> Paper:
    """The inverse of `to_record`."""
    published = values[-1]
    return Paper(*values[:-1], Publication(*published) if published else None)  # type: ignore[call-arg]
