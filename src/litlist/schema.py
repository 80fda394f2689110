"""The catalog file's schema: pydantic v2 models that validate one TOML document.

Imported only when a catalog is (re)parsed or checked: pydantic's import costs more than
everything else a warm run does. Validation goes paper by paper so that every problem names
the paper and the field it is in; cross-paper rules (unique ids and keys, declared topics and
venues) run after. No I/O here: `catalog.py` reads the file and hands over the parsed data.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from litlist.model import Catalog, Paper, Publication, Topic, Venue

ARXIV_RE = re.compile(r"^(\d{4}\.\d{4,5}|[a-z\-]+(\.[A-Z]{2})?/\d{7})$")
ARXIV_CLASS_RE = re.compile(r"^[a-z\-]+(\.[A-Za-z\-]+)?$")
DOI_RE = re.compile(r"^10\.\d{4,9}/\S+$")
KEY_RE = re.compile(r"^[a-z][a-z0-9_:.\-]*$")
ID_RE = re.compile(r"^[a-z0-9][a-z0-9\-]*$")
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9\-]*(/[a-z0-9][a-z0-9\-]*)*$")
PAGES_RE = re.compile(r"^[0-9A-Za-z]+(\s*[-\u2013]+\s*[0-9A-Za-z]+)?$")

# strict: TOML has integers, so "2022", 2022.0 or true for a year is a mistake, not a year.
Year = Annotated[int, Field(ge=1900, le=2100, strict=True)]
Text = Annotated[str, Field(min_length=1)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


def _check_doi(value: str | None) -> str | None:
    if value is not None and not DOI_RE.match(value):
        raise ValueError(f"'{value}' is not a DOI (10.NNNN/...)")
    if value is not None and value.lower().startswith("10.48550/"):
        raise ValueError("that is arXiv's DOI; put the id in 'arxiv' instead")
    return value


def _check_url(value: str | None) -> str | None:
    if value is not None and not re.match(r"^https?://\S+$", value):
        raise ValueError(f"'{value}' is not an http(s) URL")
    return value


def _check_pages(value: str | None) -> str | None:
    if value is not None and not PAGES_RE.match(value):
        raise ValueError(f"'{value}' is not a page or page range")
    return value


class TopicModel(_Strict):
    slug: str = Field(pattern=SLUG_RE.pattern)
    name: Text


class VenueModel(_Strict):
    id: Text
    name: Text
    kind: Literal["conference", "journal", "workshop", "preprint"]
    aliases: list[Text] = []


class PublicationModel(_Strict):
    venue: Text
    year: Year
    title: Text | None = None
    authors: list[Text] = []
    booktitle: Text | None = None
    workshop: Text | None = None
    volume: Text | None = None
    number: Text | None = None
    pages: Text | None = None
    publisher: Text | None = None
    doi: str | None = None
    url: str | None = None

    _doi = field_validator("doi")(_check_doi)
    _url = field_validator("url")(_check_url)
    _pages = field_validator("pages")(_check_pages)


class PaperModel(_Strict):
    id: str = Field(pattern=ID_RE.pattern)
    kind: Literal["paper", "summary"] = "paper"
    # validate_default: a paper that leaves these out is reported under the field's name
    key: str | None = Field(default=None, pattern=KEY_RE.pattern, validate_default=True)
    title: Text
    other_titles: list[Text] = []
    authors: list[Text] = Field(default=[], validate_default=True)
    year: Year | None = Field(default=None, validate_default=True)
    venue: Text | None = Field(default=None, validate_default=True)
    workshop: Text | None = None
    booktitle: Text | None = None
    volume: Text | None = None
    number: Text | None = None
    pages: Text | None = None
    publisher: Text | None = None
    topic: Text
    arxiv: str | None = None
    arxiv_class: str | None = Field(default=None, pattern=ARXIV_CLASS_RE.pattern)
    doi: str | None = None
    url: str | None = None
    aliases: list[Text] = []
    covers: list[Text] = Field(default=[], validate_default=True)
    summary: list[Text] = []
    summary_en: str = ""
    published: PublicationModel | None = None

    _doi = field_validator("doi")(_check_doi)
    _url = field_validator("url")(_check_url)
    _pages = field_validator("pages")(_check_pages)

    @field_validator("arxiv")
    @classmethod
    def _arxiv(cls, value: str | None) -> str | None:
        if value is not None and not ARXIV_RE.match(value):
            raise ValueError(f"'{value}' is not an arXiv id (e.g. 2305.18290, without a version)")
        return value

    @field_validator("title")
    @classmethod
    def _title(cls, value: str) -> str:
        if "\n" in value:
            raise ValueError("a title is one line")
        return value

    # Rules that depend on `kind` are field validators (not a model validator) so that the
    # problem names its field. `kind` is declared first, so it is in `info.data` here unless
    # it is itself invalid, and then only that is reported.
    @field_validator("key", "year", "venue")
    @classmethod
    def _paper_needs(cls, value: object, info: ValidationInfo) -> object:
        if value is None and info.data.get("kind") == "paper":
            raise ValueError(f"a paper needs a {info.field_name}")
        return value

    @field_validator("authors")
    @classmethod
    def _paper_needs_authors(cls, value: list[str], info: ValidationInfo) -> list[str]:
        if not value and info.data.get("kind") == "paper":
            raise ValueError("a paper needs at least one author")
        return value

    @field_validator("covers")
    @classmethod
    def _only_summaries_cover(cls, value: list[str], info: ValidationInfo) -> list[str]:
        if value and info.data.get("kind") == "paper":
            raise ValueError("only a summary post 'covers' other papers")
        return value

    def to_paper(self) -> Paper:
        data = self.model_dump()
        return Paper.from_dict(data)


def _line_of(text_lines: list[str] | None, index: int, table: str = "paper") -> int | None:
    """Line number of the `index`-th `[[table]]` header in the source, if known."""
    if text_lines is None:
        return None
    seen = -1
    header = f"[[{table}]]"
    for number, line in enumerate(text_lines, 1):
        if line.strip() == header:
            seen += 1
            if seen == index:
                return number
    return None


def _flatten(error: ValidationError) -> list[tuple[str, str]]:
    """(field path, message) pairs from a pydantic error, in plain words."""
    out = []
    for item in error.errors():
        loc = ".".join(str(p) for p in item["loc"])
        kind = item["type"]
        if kind == "extra_forbidden":
            msg = "unknown field (typo?)"
        elif kind == "missing":
            msg = "required field is missing"
        else:
            msg = item["msg"].removeprefix("Value error, ")
        out.append((loc, msg))
    return out


def validate(data: dict, path: str, text: str | None = None) -> tuple[Catalog, list]:
    """Validate a parsed TOML document. Returns the catalog and the problems found.

    The catalog holds every entry that validated on its own, so `check` can report every
    problem at once; callers must refuse a catalog that comes with problems.
    """
    from litlist.errors import Problem

    lines = text.splitlines() if text is not None else None
    problems: list[Problem] = []

    unknown = sorted(set(data) - {"topic", "venue", "paper"})
    for name in unknown:
        problems.append(Problem(path, f"unknown table '{name}' (expected topic, venue, paper)"))

    def models(table: str, model: type[_Strict]) -> list:
        rows = data.get(table, [])
        if not isinstance(rows, list):
            problems.append(Problem(path, f"'{table}' must be an array of tables [[{table}]]"))
            return []
        out = []
        for index, row in enumerate(rows):
            line = _line_of(lines, index, table)
            label = row.get("id") or row.get("slug") if isinstance(row, dict) else None
            if not isinstance(row, dict):
                problems.append(Problem(path, f"[[{table}]] entry must be a table", line=line))
                continue
            try:
                out.append((model.model_validate(row), line))
            except ValidationError as exc:
                for loc, msg in _flatten(exc):
                    paper = str(label) if label else f"#{index + 1}"
                    problems.append(
                        Problem(
                            path,
                            msg,
                            line=line,
                            paper=paper if table == "paper" else None,
                            field=loc or None,
                        )
                        if table == "paper"
                        else Problem(
                            path,
                            f"{table} '{label or index + 1}': {msg}",
                            line=line,
                            field=loc or None,
                        )
                    )
        return out

    topics = models("topic", TopicModel)
    venues = models("venue", VenueModel)
    papers = models("paper", PaperModel)
    if not data.get("paper"):
        problems.append(Problem(path, "the catalog has no [[paper]] entries"))

    topic_slugs: dict[str, int | None] = {}
    for topic, line in topics:
        if topic.slug in topic_slugs:
            problems.append(Problem(path, f"topic '{topic.slug}' is declared twice", line=line))
        topic_slugs[topic.slug] = line
    for slug, line in topic_slugs.items():
        parent = slug.rsplit("/", 1)[0] if "/" in slug else None
        if parent and parent not in topic_slugs:
            problems.append(
                Problem(path, f"topic '{slug}' has no parent topic '{parent}'", line=line)
            )

    venue_ids: dict[str, str] = {}
    for venue, line in venues:
        for name in (venue.id, *venue.aliases):
            folded = name.casefold()
            if folded in venue_ids and venue_ids[folded] != venue.id:
                problems.append(
                    Problem(
                        path, f"venue name '{name}' is used by '{venue_ids[folded]}' too", line=line
                    )
                )
            venue_ids[folded] = venue.id
    declared_venues = {v.id for v, _ in venues}

    ids: dict[str, str] = {}
    keys: dict[str, str] = {}
    # every id the file names, valid entry or not: a paper with its own problem must not
    # also be reported as "unknown" by the summary that covers it
    rows = data.get("paper")
    all_ids = {
        row.get("id") for row in (rows if isinstance(rows, list) else []) if isinstance(row, dict)
    }
    for paper, line in papers:

        def bad(field: str, msg: str, paper=paper, line=line) -> None:
            problems.append(Problem(path, msg, line=line, paper=paper.id, field=field))

        if paper.id in ids:
            bad("id", "id is used by another paper too")
        ids[paper.id] = paper.id
        if paper.key is not None:
            if paper.key in keys:
                bad("key", f"key '{paper.key}' is used by paper '{keys[paper.key]}' too")
            keys[paper.key] = paper.id
        if paper.topic not in topic_slugs:
            bad("topic", f"topic '{paper.topic}' is not declared in a [[topic]] table")
        if paper.venue is not None and paper.venue not in declared_venues:
            bad("venue", f"venue '{paper.venue}' is not declared in a [[venue]] table")
        if paper.published is not None and paper.published.venue not in declared_venues:
            bad(
                "published.venue",
                f"venue '{paper.published.venue}' is not declared in a [[venue]] table",
            )
        for covered in paper.covers:
            if covered not in all_ids:
                bad("covers", f"covers unknown paper '{covered}'")

    catalog = Catalog(
        path=path,
        topics=[Topic(slug=t.slug, name=t.name) for t, _ in topics],
        venues=[
            Venue(id=v.id, name=v.name, kind=v.kind, aliases=tuple(v.aliases)) for v, _ in venues
        ],
        papers=[p.to_paper() for p, _ in papers],
    )
    return catalog, problems


__all__ = ["validate", "PaperModel", "Publication"]
