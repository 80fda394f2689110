"""The catalog file's schema: pydantic v2 models that validate one TOML document.

Imported only when a catalog is (re)parsed or checked: pydantic's import costs more than
everything else a warm run does. Validation goes paper by paper so that every problem names
the paper and the field it is in; cross-paper rules (unique ids and keys, declared topics and
venues) run after. No I/O here: `catalog.py` reads the file and hands over the parsed data.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Container, Mapping
from operator import itemgetter
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from litlist.model import (
    CONTROL_CHARS,
    Catalog,
    Paper,
    Publication,
    Topic,
    Venue,
    field_names,
    organisation,
)

ARXIV_RE = re.compile(r"^(\d{4}\.\d{4,5}|[a-z\-]+(\.[A-Z]{2})?/\d{7})$")
ARXIV_CLASS_RE = re.compile(r"^[a-z\-]+(\.[A-Za-z\-]+)?$")
# After the prefix, anything printable but what could end a BibTeX value or a LaTeX
# argument early: whitespace, braces, quotes and backslashes.
DOI_RE = re.compile(r'^10\.\d{4,9}/[^\s{}"\\]+$')
# the path must begin with "/": two adjacent runs of the same characters would let a
# failing match backtrack quadratically (a 40,000-character URL took 12 s)
URL_RE = re.compile(r'^https?://[^\s/{}"\\]+(?:/[^\s{}"\\]*)?$', re.IGNORECASE)
# A citation key as the tools that made it write it (`Vaswani2017Attention`, JabRef's
# numeric `1102917`, `DBLP:conf/nips/VaswaniSPUJGKP17`): a user's draft cites it that way.
# The printable ASCII characters BibTeX, biber and \cite all take in a key, first
# character included (a digit too): none that could end a BibTeX key or a \cite argument
# early or that TeX reads as markup when it writes the key to the .aux and back (space,
# comma, braces, parentheses, =, %, #, ~, ^, $, &, quotes, \).
# BibTeX compares keys ignoring case, so
# uniqueness is checked on the casefolded key.
KEY_RE = re.compile(r"^[A-Za-z0-9_:.\-/+!?*@;]+$")
KEY_CHARS = "letters A-Z a-z, digits and _ : . - / + ! ? * @ ;"
ID_RE = re.compile(r"^[a-z0-9][a-z0-9\-]*$")
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9\-]*(/[a-z0-9][a-z0-9\-]*)*$")
# when a web page was read, as biblatex's urldate takes it: 2024, 2024-05 or 2024-05-01
URLDATE_RE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")
# a day, as `added` records it: 2026-12-07
DATE_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")
# an entry type and a field name as BibTeX and biber read them (lower case here)
ENTRY_TYPE_RE = re.compile(r"^[a-z][a-z0-9_\-]*$")
FIELD_NAME_RE = re.compile(r"^[a-z][a-z0-9_\-:.+]*$")
# a page or range; a part may be an article number with its page (ACM's "60:1--60:28")
PAGES_RE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z:.]*(\s*[-\u2013]+\s*[0-9A-Za-z][0-9A-Za-z:.]*)?$")

# strict: TOML has integers, so "2022", 2022.0 or true for a year is a mistake, not a year.
# Any year a printed work can have (Gauss's Theoria motus, 1809), up to next year's issues.
Year = Annotated[int, Field(ge=1000, le=datetime.date.today().year + 1, strict=True)]
Text = Annotated[str, Field(min_length=1)]
Month = Annotated[int, Field(ge=1, le=12, strict=True)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)

    # every text field of every table: an ESC in a title would reach the terminal, a
    # bidi override reorders what the reader sees
    @field_validator("*")
    @classmethod
    def _no_control_characters(cls, value: object, info: ValidationInfo) -> object:
        if info.context is not None and not info.context.get("controls", True):
            return value  # the source cannot hold any (see `model.may_hold_controls`)
        for text in value if isinstance(value, list) else [value]:
            if isinstance(text, str) and (found := CONTROL_CHARS.search(text)):
                raise ValueError(
                    f"control character U+{ord(found.group()):04X} at position "
                    f"{found.start() + 1}; remove it"
                )
        return value


def _check_doi(value: str | None) -> str | None:
    if value is not None and not DOI_RE.match(value):
        raise ValueError(
            f"{value!r} is not a DOI (10.NNNN/..., without spaces, braces, quotes or backslashes)"
        )
    if value is not None and value.lower().startswith("10.48550/"):
        raise ValueError("that is arXiv's DOI; put the id in 'arxiv' instead")
    return value


def _check_url(value: str | None) -> str | None:
    if value is not None and not URL_RE.match(value):
        raise ValueError(
            f"{value!r} is not an http(s) URL (without spaces, braces, quotes or backslashes)"
        )
    return value


def _check_authors(value: list[str]) -> list[str]:
    for name in value:
        # "," or "-" would be exported as an empty name (author = {}); most names start
        # with a letter, and testing that first skips a generator per name (10k papers
        # have 70,000 names)
        if not name[:1].isalpha() and not any(c.isalpha() for c in name):
            raise ValueError(f"author {name!r} has no letter in it")
        # BibTeX reads a name as "Given Family", "Family, Given" or "Family, Jr, Given":
        # more commas, or an empty part (", Daniel M. Ziegler"), is no name it reads back
        # as one (bibtex stops with an error, biber crashed)
        if "," in name and organisation(name) is None:
            parts = name.split(",")
            if len(parts) > 3 or not all(part.strip() for part in parts):
                raise ValueError(
                    f"author {name!r} is not one name: write 'Given Family', "
                    "'Family, Given' or 'Family, Jr., Given'"
                )
        # an organisation is braced whole, as in BibTeX ("{Google DeepMind}"); any other
        # brace would be exported escaped or unbalance the .bib
        if ("{" in name or "}" in name) and organisation(name) is None:
            raise ValueError(
                f"author {name!r} has a brace inside; only an organisation is braced, "
                'whole: "{Google DeepMind}"'
            )
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
    # model.VENUE_KINDS, spelt out for the type checker (a test keeps the two the same)
    kind: Literal[
        "conference",
        "journal",
        "workshop",
        "preprint",
        "book",
        "phdthesis",
        "mastersthesis",
        "report",
        "web",
    ]
    aliases: list[Text] = Field(default_factory=list)


class PublicationModel(_Strict):
    venue: Text
    year: Year
    title: Text | None = None
    authors: list[Text] = Field(default_factory=list)
    booktitle: Text | None = None
    workshop: Text | None = None
    volume: Text | None = None
    number: Text | None = None
    pages: Text | None = None
    publisher: Text | None = None
    doi: str | None = None
    url: str | None = None
    address: Text | None = None
    month: Month | None = None
    editors: list[Text] = Field(default_factory=list)

    _doi = field_validator("doi")(_check_doi)
    _url = field_validator("url")(_check_url)
    _pages = field_validator("pages")(_check_pages)
    _authors = field_validator("authors", "editors")(_check_authors)


class PaperModel(_Strict):
    id: str = Field(pattern=ID_RE.pattern)
    kind: Literal["paper", "summary"] = "paper"
    # validate_default: a paper that leaves these out is reported under the field's name
    key: str | None = Field(default=None, pattern=KEY_RE.pattern, validate_default=True)
    title: Text
    other_titles: list[Text] = Field(default_factory=list)
    authors: list[Text] = Field(default_factory=list, validate_default=True)
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
    aliases: list[Text] = Field(default_factory=list)
    covers: list[Text] = Field(default_factory=list, validate_default=True)
    summary: list[Text] = Field(default_factory=list)
    summary_en: str = ""
    address: Text | None = None
    month: Month | None = None
    editors: list[Text] = Field(default_factory=list)
    urldate: str | None = Field(default=None, pattern=URLDATE_RE.pattern)
    entry_type: str | None = Field(default=None, pattern=ENTRY_TYPE_RE.pattern)
    others: bool = False
    abstract: Text | None = None
    keywords: list[Text] = Field(default_factory=list)
    extra: dict[Annotated[str, Field(pattern=FIELD_NAME_RE.pattern)], str] = Field(
        default_factory=dict
    )
    status: Literal["to-read", "reading", "read"] | None = None
    added: str | None = Field(default=None, pattern=DATE_RE.pattern)
    published: PublicationModel | None = None

    _doi = field_validator("doi")(_check_doi)
    _url = field_validator("url")(_check_url)
    _pages = field_validator("pages")(_check_pages)
    _editors = field_validator("editors")(_check_authors)

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

    _authors = field_validator("authors")(_check_authors)

    @model_validator(mode="after")
    def _paper_needs_authors(self) -> PaperModel:
        # an edited volume (@collection, @proceedings) has editors and no author; a user's
        # own entry (one with its BibTeX type) needs what BibTeX needs of its type, which
        # `sources.bibfile` checks: a @manual or @booklet may have neither
        if (
            self.kind == "paper"
            and not self.authors
            and not self.editors
            and self.entry_type is None
        ):
            error = PydanticCustomError(
                "value_error", "a paper needs at least one author (or, edited, an editor)"
            )
            details = InitErrorDetails(type=error, loc=("authors",), input=[])
            raise ValidationError.from_exception_data("PaperModel", [details])
        return self

    @field_validator("covers")
    @classmethod
    def _only_summaries_cover(cls, value: list[str], info: ValidationInfo) -> list[str]:
        if value and info.data.get("kind") == "paper":
            raise ValueError("only a summary post 'covers' other papers")
        return value

    def to_paper(self) -> Paper:
        """The runtime record (lists become tuples); no dump to a dict on the way. The
        values are read from the model's __dict__ in one C call and passed in field order:
        a third of what reading and passing them by name cost."""
        published = None
        if self.published is not None:
            published = Publication(*_frozen(_PUBLICATION_VALUES(self.published.__dict__)))
        return Paper(*_frozen(_PAPER_VALUES(self.__dict__)), published)  # type: ignore[call-arg]


def _frozen(values: tuple) -> list:
    return [
        tuple(v) if isinstance(v, list) else tuple(v.items()) if isinstance(v, dict) else v
        for v in values
    ]


# `published` is the last field of a Paper (as `model.to_record` also has it)
_PAPER_VALUES = itemgetter(*field_names(Paper)[:-1])
_PUBLICATION_VALUES = itemgetter(*field_names(Publication))


_HEADER = re.compile(r"^[ \t]*\[\[[ \t]*(topic|venue|paper)[ \t]*\]\][ \t]*(?:#.*)?$", re.M)


class _Lines:
    """Line numbers of the `[[table]]` headers, found in one pass over the source the first
    time a problem needs one (a valid catalog never pays for it)."""

    def __init__(self, text: str | Callable[[], str] | None) -> None:
        self._text = text
        self._found: dict[str, list[int]] | None = None

    def of(self, table: str, index: int) -> int | None:
        if self._found is None:
            text = self._text() if callable(self._text) else self._text
            self._found = {"topic": [], "venue": [], "paper": []}
            line, last = 1, 0
            for match in _HEADER.finditer(text or ""):
                line += text.count("\n", last, match.start())  # type: ignore[union-attr]
                last = match.start()
                self._found[match.group(1)].append(line)
        numbers = self._found.get(table, [])
        return numbers[index] if index < len(numbers) else None


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


def explain(error: ValidationError) -> list[tuple[str, str]]:
    """(field, message) pairs for a paper that failed `PaperModel` (for `litlist add`)."""
    return _flatten(error)


def cross_problems(
    model: PaperModel,
    *,
    ids: Container[str],
    keys: Mapping[str, str],
    topics: Container[str],
    venues: Container[str],
    web: Container[str],
    all_ids: Container[object],
) -> list[tuple[str, str]]:
    """(field, message) for each rule between entries a valid paper breaks: its id or key
    (any case) held by another paper (`ids`, `keys`: casefolded key -> id), a topic or venue
    not declared, a web page without a url, covering a paper `all_ids` does not have. One
    place for them: `validate` checks a whole catalog with it, `litlist edit` one paper."""
    out = []
    if model.id in ids:
        out.append(("id", "id is used by another paper too"))
    if model.key is not None:
        folded = model.key.casefold()  # BibTeX: `Hu2022` and `hu2022` are one key
        if folded in keys:
            out.append(("key", f"key '{model.key}' is used by paper '{keys[folded]}' too"))
    if model.topic not in topics:
        out.append(("topic", f"topic '{model.topic}' is not declared in a [[topic]] table"))
    if model.venue is not None and model.venue not in venues:
        out.append(("venue", f"venue '{model.venue}' is not declared in a [[venue]] table"))
    if model.venue in web and not model.url:
        # the export cites a web page by its address: without one it names nothing
        out.append(("url", f"a web page (venue '{model.venue}' is of kind 'web') needs a url"))
    if model.published is not None and model.published.venue not in venues:
        out.append(
            (
                "published.venue",
                f"venue '{model.published.venue}' is not declared in a [[venue]] table",
            )
        )
    for covered in model.covers:
        if covered not in all_ids:
            out.append(("covers", f"covers unknown paper '{covered}'"))
    return out


def validate(
    data: dict,
    path: str,
    text: str | Callable[[], str] | None = None,
    *,
    sink: Callable[[Paper], None] | None = None,
    controls: bool = True,
) -> tuple[Catalog, list]:
    """Validate a parsed TOML document. Returns the catalog and the problems found.

    Papers are validated one at a time and each row of `data` is released once read, so a
    large catalog is never held twice. With `sink`, each valid paper goes there instead of
    into the returned catalog (whose paper list is then empty). `text` (or a function that
    returns it) is the source, read only to give problems their line numbers. The catalog
    holds every entry that validated on its own, so `check` can report every problem at once;
    callers must refuse a catalog that comes with problems. `controls=False` skips the check
    for control characters: only for a source that `model.may_hold_controls` cleared.
    """
    from litlist.errors import Problem

    lines = _Lines(text)
    problems: list[Problem] = []
    context = None if controls else {"controls": False}

    unknown = sorted(set(data) - {"topic", "venue", "paper"})
    for name in unknown:
        problems.append(Problem(path, f"unknown table '{name}' (expected topic, venue, paper)"))

    def rows_of(table: str) -> list:
        rows = data.get(table, [])
        if not isinstance(rows, list):
            problems.append(Problem(path, f"'{table}' must be an array of tables [[{table}]]"))
            return []
        return rows

    def check_row(table: str, model: type[_Strict], index: int, row: object):
        if not isinstance(row, dict):
            line = lines.of(table, index)
            problems.append(Problem(path, f"[[{table}]] entry must be a table", line=line))
            return None
        try:
            return model.model_validate(row, context=context)
        except ValidationError as exc:
            line = lines.of(table, index)
            label = row.get("id") or row.get("slug")
            for loc, msg in _flatten(exc):
                if table == "paper":
                    name = str(label) if label else f"#{index + 1}"
                    problems.append(Problem(path, msg, line=line, paper=name, field=loc or None))
                else:
                    where = f"{table} '{label or index + 1}': {msg}"
                    problems.append(Problem(path, where, line=line, field=loc or None))
            return None

    topics = [
        (i, m)
        for i, row in enumerate(rows_of("topic"))
        if (m := check_row("topic", TopicModel, i, row)) is not None
    ]
    venues = [
        (i, m)
        for i, row in enumerate(rows_of("venue"))
        if (m := check_row("venue", VenueModel, i, row)) is not None
    ]

    topic_slugs: dict[str, int] = {}
    for i, topic in topics:
        if topic.slug in topic_slugs:
            problems.append(
                Problem(path, f"topic '{topic.slug}' is declared twice", line=lines.of("topic", i))
            )
        topic_slugs[topic.slug] = i
    for slug, i in topic_slugs.items():
        parent = slug.rsplit("/", 1)[0] if "/" in slug else None
        if parent and parent not in topic_slugs:
            problems.append(
                Problem(
                    path,
                    f"topic '{slug}' has no parent topic '{parent}'",
                    line=lines.of("topic", i),
                )
            )

    venue_names: dict[str, str] = {}
    for i, venue in venues:
        for name in (venue.id, *venue.aliases):
            folded = name.casefold()
            if folded in venue_names and venue_names[folded] != venue.id:
                problems.append(
                    Problem(
                        path,
                        f"venue name '{name}' is used by '{venue_names[folded]}' too",
                        line=lines.of("venue", i),
                    )
                )
            venue_names[folded] = venue.id
    declared_venues = {v.id for _, v in venues}
    web_venues = {v.id for _, v in venues if v.kind == "web"}

    # a catalog with no papers yet is valid: `litlist init --empty` starts one
    rows = rows_of("paper")
    # every id the file names, valid entry or not: a paper with its own problem must not
    # also be reported as "unknown" by the summary that covers it
    all_ids = {row.get("id") for row in rows if isinstance(row, dict)}
    ids: set[str] = set()
    keys: dict[str, str] = {}
    papers: list[Paper] = []
    for index, row in enumerate(rows):
        model = check_row("paper", PaperModel, index, row)
        rows[index] = None  # let the parsed row go: only the compact record is kept
        if model is None:
            continue

        def bad(field: str, msg: str, paper_id: str = model.id, index: int = index) -> None:
            line = lines.of("paper", index)
            problems.append(Problem(path, msg, line=line, paper=paper_id, field=field))

        for field, msg in cross_problems(
            model,
            ids=ids,
            keys=keys,
            topics=topic_slugs.keys(),
            venues=declared_venues,
            web=web_venues,
            all_ids=all_ids,
        ):
            bad(field, msg)
        ids.add(model.id)
        if model.key is not None:
            keys[model.key.casefold()] = model.id
        paper = model.to_paper()
        if sink is None:
            papers.append(paper)
        else:
            sink(paper)

    catalog = Catalog(
        path,
        [Topic(slug=t.slug, name=t.name) for _, t in topics],
        [Venue(id=v.id, name=v.name, kind=v.kind, aliases=tuple(v.aliases)) for _, v in venues],
        papers,
    )
    return catalog, problems


__all__ = ["validate", "PaperModel", "Publication"]
