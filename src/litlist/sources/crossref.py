"""Crossref's REST API (https://api.crossref.org/works/{doi}): a DOI in, a Draft out.

The answer is JSON: {"status": "ok", "message-type": "work", "message": {...}} with `title`
and `container-title` as lists, `author` as a list of {given, family, suffix, sequence} (an
organisation: {name, sequence}), dates as `date-parts`. An unknown DOI is HTTP 404
("Resource not found.").
"""

from __future__ import annotations

import html
import re
from urllib.parse import quote

from litlist.model import organisation_author
from litlist.sources import Draft, SourceError, catalog_name, get, one_line, paragraphs

SERVICE = "Crossref"
API = "https://api.crossref.org/works/"

# Crossref's work types -> the kind of a new [[venue]] table
_KINDS = {
    "journal-article": "journal",
    "proceedings-article": "conference",
    "posted-content": "preprint",
    "book-chapter": "conference",
    # works outside journals and proceedings: their publisher or school is the venue
    "book": "book",
    "monograph": "book",
    "edited-book": "book",
    "reference-book": "book",
    "report": "report",
    "dissertation": "phdthesis",  # Crossref does not say which degree; most are doctoral
}


def fetch(doi: str, *, transport=None) -> Draft:
    """The work Crossref registers under `doi`, or SourceError."""
    response = get(SERVICE, API + quote(doi, safe="/"), transport=transport)
    if response.status_code == 404:
        raise SourceError(SERVICE, f"no work with DOI '{doi}'")
    if response.status_code >= 400:
        raise SourceError(SERVICE, f"the service failed (HTTP {response.status_code})")
    try:
        answer = response.json()
    except ValueError:
        raise SourceError(SERVICE, "the answer is not JSON") from None
    return parse(answer, doi)


_TAG = re.compile(r"<[^<>]*>")


def _first(values: object) -> str | None:
    """The first of a list of titles, as text: publishers deposit them with JATS or HTML
    markup (<i>in vivo</i>, H<sub>2</sub>O, MathML) and entities (&amp;)."""
    if isinstance(values, list) and values and isinstance(values[0], str):
        text = values[0]
        if "<" in text or "&" in text:
            text = html.unescape(_TAG.sub("", text))
        return one_line(text) or None
    return None


def _date(message: dict) -> tuple[int | None, int | None]:
    """Year and month (None when not given) of the earliest date Crossref names."""
    for name in ("published-print", "published-online", "published", "issued"):
        parts = (message.get(name) or {}).get("date-parts") or []
        if parts and parts[0] and isinstance(parts[0][0], int):
            month = parts[0][1] if len(parts[0]) > 1 else None
            return parts[0][0], month if isinstance(month, int) and 1 <= month <= 12 else None
    return None, None


def _person(author: dict) -> str | None:
    family = one_line(str(author.get("family") or ""))
    if not family:
        # a group author (a consortium, a company) comes as `name` alone: an organisation,
        # braced whole in the catalog so it is exported as one name
        return organisation_author(str(author.get("name") or "")) or None
    return catalog_name(
        one_line(str(author.get("given") or "")), "", family, str(author.get("suffix") or "")
    )


def _institution(message: dict) -> str | None:
    """The first institution a work names (a dissertation's university), if any."""
    found = message.get("institution")
    first = found[0] if isinstance(found, list) and found else found
    name = first.get("name") if isinstance(first, dict) else None
    return one_line(name) or None if isinstance(name, str) else None


def parse(answer: object, doi: str) -> Draft:
    """The Draft in a Crossref answer, or SourceError when it is not a work we can read."""
    if not isinstance(answer, dict) or answer.get("message-type") != "work":
        raise SourceError(SERVICE, "the answer is not a Crossref work")
    message = answer.get("message")
    if not isinstance(message, dict):
        raise SourceError(SERVICE, "the answer is not a Crossref work")
    title = _first(message.get("title"))
    listed = message.get("author")
    people: list = listed if isinstance(listed, list) else []
    # `sequence: first` marks the first author; the others keep their order
    people = sorted(people, key=lambda a: a.get("sequence") != "first")
    authors = [name for a in people if isinstance(a, dict) and (name := _person(a))]
    if not title or not authors:
        raise SourceError(SERVICE, f"the work '{doi}' has no title or no authors")
    kind = _KINDS.get(str(message.get("type")), "journal")
    container = _first(message.get("container-title"))
    pages = message.get("page")
    year, month = _date(message)
    event = message.get("event")
    venue = container or message.get("publisher")
    if kind in ("book", "report", "phdthesis"):
        # who put it out (a dissertation's school), not the series it is in
        venue = _institution(message) or message.get("publisher") or container
    where = event.get("location") if isinstance(event, dict) and kind == "conference" else None
    return Draft(
        title=title,
        authors=authors,
        year=year,
        month=month,
        venue=venue,
        venue_kind=kind,
        booktitle=container if kind == "conference" else None,
        volume=str(message["volume"]) if message.get("volume") else None,
        number=str(message["issue"]) if message.get("issue") else None,
        pages=str(pages).replace("–", "-") if pages else None,
        publisher=one_line(str(message.get("publisher") or "")) or None,
        address=one_line(where) or None if isinstance(where, str) else None,
        # the DOI as the user typed it unless Crossref names another work (DOIs ignore case)
        doi=doi if str(message.get("DOI", doi)).casefold() == doi.casefold() else message["DOI"],
        abstract=_abstract(message.get("abstract")),
        origin=f"Crossref {doi}",
    )


# JATS (and the HTML some publishers deposit): a paragraph or section ends a paragraph; a
# heading ("Abstract") is no part of the text; any other tag is markup around words.
_JATS_BREAK = re.compile(r"</(?:jats:)?(?:p|sec)\s*>|<br\s*/?>", re.IGNORECASE)
_JATS_TITLE = re.compile(r"<(jats:)?title\b[^>]*>.*?</(?:jats:)?title\s*>", re.IGNORECASE | re.S)
_TAG = re.compile(r"<[^>]*>")


def _abstract(value: object) -> str | None:
    """Crossref's `abstract` (a JATS fragment) as text: words and paragraph breaks kept,
    markup and entities gone."""
    if not isinstance(value, str):
        return None
    text = _JATS_TITLE.sub(" ", value)
    text = _JATS_BREAK.sub("\n\n", text)
    text = html.unescape(_TAG.sub("", text))
    return paragraphs(text) or None
