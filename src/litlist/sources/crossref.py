"""Crossref's REST API (https://api.crossref.org/works/{doi}): a DOI in, a Draft out.

The answer is JSON: {"status": "ok", "message-type": "work", "message": {...}} with `title`,
`subtitle` and `container-title` as lists, `author` and `editor` as lists of {given, family,
suffix, sequence} (an organisation: {name, sequence}), dates as {"date-parts": [[y, m, d]]}
(`[[null]]` when the date is unknown). An unknown DOI is HTTP 404 ("Resource not found.").
The shape is checked with pydantic before a value is read: an answer of another shape is
one error, never a traceback.
"""

from __future__ import annotations

import html
import json
import re
from urllib.parse import quote

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from litlist.model import organisation_author
from litlist.sources import Draft, SourceError, catalog_name, get, one_line, paragraphs

SERVICE = "Crossref"
API = "https://api.crossref.org/works/"

# Crossref's work types -> the kind of a new [[venue]] table
_KINDS = {
    "journal-article": "journal",
    "proceedings-article": "conference",
    "posted-content": "preprint",
    "book-chapter": "conference",  # its book is the venue, as an imported @incollection's
    # works outside journals and proceedings: their publisher or school is the venue
    "book": "book",
    "monograph": "book",
    "edited-book": "book",
    "reference-book": "book",
    "report": "report",
    "dissertation": "phdthesis",  # unless its `degree` says master's
}
# Crossref's work types -> the BibTeX entry type the work is exported as: Crossref says
# what a work is, and a chapter filed under its book like proceedings is still a chapter
# of a collection. (A posted preprint has none: it is cited as the preprint it is.) With
# an entry type, the export also writes the fields kept in `extra` (ISBN, subtitle, ...).
_ENTRY_TYPES = {
    "journal-article": "article",
    "proceedings-article": "inproceedings",
    "book-chapter": "incollection",
    "book": "book",
    "monograph": "book",
    "edited-book": "book",
    "reference-book": "book",
    "report": "techreport",
    "dissertation": "phdthesis",
}


# ---------------------------------------------------------------- the answer's shape


class _Shape(BaseModel):
    # strict: a number where text belongs (an integer DOI) is another shape, not text
    model_config = ConfigDict(extra="ignore", strict=True, populate_by_name=True)


class _Date(_Shape):
    parts: list[list[int | None]] = Field(alias="date-parts")


class _Person(_Shape):
    given: str | None = None
    family: str | None = None
    suffix: str | None = None
    name: str | None = None  # an organisation
    sequence: str | None = None


class _Named(_Shape):
    name: str | None = None


class _Event(_Shape):
    name: str | None = None
    location: str | None = None


class _Link(_Shape):
    url: str | None = Field(default=None, alias="URL")


class _Resource(_Shape):
    primary: _Link | None = None


class _IsbnType(_Shape):
    value: str
    type: str | None = None


class _Work(_Shape):
    """The fields of a Crossref work that litlist reads, with the types Crossref documents
    (https://api.crossref.org/swagger-ui/index.html, "Work")."""

    doi: str | None = Field(default=None, alias="DOI")
    type: str | None = None
    title: list[str] | None = None
    subtitle: list[str] | None = None
    container_title: list[str] | None = Field(default=None, alias="container-title")
    author: list[_Person] | None = None
    editor: list[_Person] | None = None
    publisher: str | None = None
    publisher_location: str | None = Field(default=None, alias="publisher-location")
    volume: str | None = None
    issue: str | None = None
    page: str | None = None
    article_number: str | None = Field(default=None, alias="article-number")
    isbn: list[str] | None = Field(default=None, alias="ISBN")
    isbn_type: list[_IsbnType] | None = Field(default=None, alias="isbn-type")
    published_print: _Date | None = Field(default=None, alias="published-print")
    published_online: _Date | None = Field(default=None, alias="published-online")
    published: _Date | None = None
    issued: _Date | None = None
    approved: _Date | None = None
    created: _Date | None = None
    institution: list[_Named] | None = None
    degree: list[str] | None = None
    event: _Event | None = None
    resource: _Resource | None = None
    abstract: str | None = None  # JATS XML


class _Envelope(_Shape):
    status: str | None = None
    message_type: str = Field(alias="message-type")
    message: _Work


# ---------------------------------------------------------------- reading


def fetch(doi: str, *, transport=None) -> Draft:
    """The work Crossref registers under `doi`, or SourceError."""
    answer = get(SERVICE, API + quote(doi, safe="/"), transport=transport)
    if answer.status == 404:
        raise SourceError(SERVICE, f"no work with DOI '{doi}'")
    if answer.status == 429:
        raise SourceError(SERVICE, "too many requests just now (HTTP 429); try again in a minute")
    if answer.status >= 400:
        raise SourceError(SERVICE, f"the service failed (HTTP {answer.status})")
    try:
        data = json.loads(answer.body)
    except (ValueError, RecursionError):  # RecursionError: nesting deeper than Python's stack
        raise SourceError(SERVICE, "the answer is not JSON") from None
    return parse(data, doi)


def parse(answer: object, doi: str) -> Draft:
    """The Draft in a Crossref answer, or SourceError when it is not a work we can read."""
    try:
        envelope = _Envelope.model_validate(answer)
    except ValidationError as exc:
        raise SourceError(SERVICE, f"the answer is not a Crossref work ({_where(exc)})") from None
    except RecursionError:
        raise SourceError(SERVICE, "the answer is not a Crossref work (nested too deep)") from None
    if envelope.message_type != "work":
        raise SourceError(SERVICE, "the answer is not a Crossref work")
    return _draft(envelope.message, doi)


def _where(error: ValidationError) -> str:
    """The first problem pydantic found, as 'message.author: a list expected'."""
    first = error.errors()[0]
    place = ".".join(str(part) for part in first["loc"]) or "the answer"
    return f"{place[:80]}: {first['msg'][:80]}"


def _draft(work: _Work, doi: str) -> Draft:
    title = _first(work.title)
    # `sequence: first` marks the first author; the others keep their order
    people = sorted(work.author or [], key=lambda a: a.sequence != "first")
    authors = [name for person in people if (name := _person(person))]
    if not title or not authors:
        raise SourceError(SERVICE, f"the work '{doi}' has no title or no authors")
    kind = _KINDS.get(work.type or "", "journal")
    if kind == "phdthesis" and any("master" in d.casefold() for d in work.degree or []):
        kind = "mastersthesis"
    # a chapter's or a paper's book is the last container title; one before it is the
    # series the book is in ("Lecture Notes in Computer Science", "SPIE Proceedings")
    containers = [one_line(_text(t)) for t in work.container_title or [] if t.strip()]
    container = containers[-1] if containers else None
    series = containers[0] if kind == "conference" and len(containers) > 1 else None
    publisher = one_line(work.publisher or "") or None
    venue = container or publisher
    if kind in ("book", "report", "phdthesis", "mastersthesis"):
        # who put it out (a dissertation's school), not the series it is in
        venue = _institution(work) or publisher or container
    elif kind == "preprint":
        # a posted preprint's server is named as its institution ("bioRxiv"); its
        # publisher is who runs the server
        venue = _institution(work) or container or publisher
    year, month, dated_by = _date(work)
    where = work.event.location if work.event is not None and kind == "conference" else None
    extra = {}
    subtitle = _first(work.subtitle)
    if subtitle:
        extra["subtitle"] = subtitle
    if series:
        extra["series"] = series
    if isbn := _isbn(work):
        extra["isbn"] = isbn
    pages = _pages(work.page)
    if work.article_number:
        if pages and pages != work.article_number:
            extra["articleno"] = work.article_number  # ACM's field: pages within the article
        else:
            pages = work.article_number  # as APS and Nature write an article's "page"
    draft = Draft(
        title=title,
        authors=authors,
        year=year,
        month=month,
        venue=venue,
        venue_kind=kind,
        booktitle=container if kind == "conference" else None,
        volume=work.volume or None,
        number=work.issue or None,
        pages=pages,
        publisher=publisher,
        address=one_line(where) or None if where else None,
        editors=[name for person in work.editor or [] if (name := _person(person))],
        entry_type="mastersthesis"
        if kind == "mastersthesis"
        else _ENTRY_TYPES.get(work.type or ""),
        # the DOI as the user typed it unless Crossref names another work (DOIs ignore case)
        doi=work.doi if work.doi and work.doi.casefold() != doi.casefold() else doi,
        url=_url(work),
        abstract=_abstract(work.abstract),
        origin=f"Crossref {doi}",
    )
    if dated_by == "created":
        draft.notes.append(
            f"Crossref {doi} gives no date of publication: {year} is the year its DOI was "
            "registered; check it (`litlist add --edit` lets you change it)"
        )
    if extra:
        from litlist.bibtex import encode

        draft.extra = {name: encode(value) for name, value in extra.items()}
    return draft


_TAG = re.compile(r"<[^<>]*>")


def _text(value: str) -> str:
    """A title as text: publishers deposit them with JATS or HTML markup (<i>in vivo</i>,
    H<sub>2</sub>O, MathML) and entities (&amp;)."""
    if "<" in value or "&" in value:
        value = html.unescape(_TAG.sub("", value))
    return value


def _first(values: list[str] | None) -> str | None:
    """The first of a list of titles, as text on one line."""
    for value in values or []:
        if text := one_line(_text(value)):
            return text
    return None


def _date(work: _Work) -> tuple[int | None, int | None, str]:
    """Year, month and the name of the first date Crossref gives: the print edition's,
    the online one's, the date of issue; else the day a dissertation was approved; else
    the day the DOI was registered. A date whose year is unknown (`[[null]]`) gives way to
    the next."""
    dates = {
        "published-print": work.published_print,
        "published-online": work.published_online,
        "published": work.published,
        "issued": work.issued,
        "approved": work.approved,
        "created": work.created,
    }
    for name, date in dates.items():
        parts = date.parts[0] if date is not None and date.parts else []
        if parts and parts[0] is not None and 1000 <= parts[0] <= 9999:
            month = parts[1] if len(parts) > 1 else None
            return parts[0], month if month is not None and 1 <= month <= 12 else None, name
    return None, None, ""


def _person(person: _Person) -> str | None:
    family = one_line(person.family or "")
    if not family:
        # a group author (a consortium, a company) comes as `name` alone: an organisation,
        # braced whole in the catalog so it is exported as one name; an entry with neither
        # (a role with no one named) is no one
        return organisation_author(one_line(person.name or "")) or None
    # Crossref gives the family name whole ("Del Maestro", "Dalla Serra"): it stays whole
    return catalog_name(one_line(person.given or ""), "", family, one_line(person.suffix or ""))


def _institution(work: _Work) -> str | None:
    """The first institution a work names (a dissertation's university), if any."""
    for found in work.institution or []:
        if name := one_line(found.name or ""):
            return name
    return None


def _isbn(work: _Work) -> str | None:
    """The print ISBN (the book on a shelf), else the first one Crossref lists."""
    printed = [i.value for i in work.isbn_type or [] if i.type == "print"]
    listed = printed or list(work.isbn or [])
    return one_line(listed[0]) or None if listed else None


def _pages(page: str | None) -> str | None:
    return one_line(page.replace("\u2013", "-")) or None if page else None


def _url(work: _Work) -> str | None:
    """Where the publisher shows the work (`resource.primary.URL`), when it is a web
    address."""
    link = work.resource.primary if work.resource is not None else None
    url = one_line(link.url or "") if link is not None else ""
    return url if re.match(r"https?://\S+$", url) else None


# JATS (and the HTML some publishers deposit): a paragraph or section ends a paragraph; a
# heading ("Abstract") is no part of the text; any other tag is markup around words.
_JATS_BREAK = re.compile(r"</(?:jats:)?(?:p|sec)\s*>|<br\s*/?>", re.IGNORECASE)
_JATS_TITLE = re.compile(r"<(jats:)?title\b[^>]*>.*?</(?:jats:)?title\s*>", re.IGNORECASE | re.S)


def _abstract(value: object) -> str | None:
    """Crossref's `abstract` (a JATS fragment) as text: words and paragraph breaks kept,
    markup and entities gone."""
    if not isinstance(value, str):
        return None
    text = _JATS_TITLE.sub(" ", value)
    text = _JATS_BREAK.sub("\n\n", text)
    text = html.unescape(_TAG.sub("", text))
    return paragraphs(text) or None
