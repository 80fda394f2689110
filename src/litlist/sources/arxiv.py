"""arXiv's API (https://info.arxiv.org/help/api/user-manual.html): an id in, a Draft out.

The answer is an Atom feed (namespaces declared on <feed>, as arXiv's own serializer in
arXiv/arxiv-search writes it): one <entry> for a known id, an empty feed for an unknown
one, and for a malformed id HTTP 400 with a feed whose one entry is titled "Error". The
feed is parsed with the standard library's expat, which expands no external entities; a
document type declaration (where entity tricks live) is refused outright.

A DOI on an arXiv record names the version of record: `fetch` cites that version (read
from Crossref) and keeps the arXiv id; when Crossref cannot give it, the paper is the
arXiv preprint with the journal reference and the DOI in its `note`, and no `doi` field,
so that it is never cited as a preprint carrying a journal's DOI.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from litlist.model import looks_like_organisation, organisation_author
from litlist.sources import (
    ARXIV_DOI,
    Draft,
    SourceError,
    get,
    latex_text,
    one_line,
    paragraphs,
    split_plain_name,
)

SERVICE = "arXiv"
API = "https://export.arxiv.org/api/query"
ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"


@dataclass
class Entry:
    """What arXiv says of a paper: the preprint, and where it says it was published."""

    preprint: Draft  # the arXiv version, without the journal's DOI
    doi: str | None = None  # the version of record's DOI, as the authors gave it
    journal_ref: str | None = None  # "Nature Machine Intelligence 5, 220-235 (2023)"


def fetch(arxiv_id: str, *, transport=None) -> Draft:
    """The paper arXiv knows under `arxiv_id` (no version), or SourceError: its version of
    record when arXiv names a DOI and Crossref has it, else the preprint."""
    answer = get(SERVICE, API, {"id_list": arxiv_id, "max_results": "1"}, transport=transport)
    if answer.status == 429:
        raise SourceError(SERVICE, "too many requests just now (HTTP 429); try again in a minute")
    if answer.status >= 500:
        raise SourceError(SERVICE, f"the service failed (HTTP {answer.status})")
    if answer.status >= 400 and b"<feed" not in answer.body[:4000]:
        raise SourceError(SERVICE, f"refused the request (HTTP {answer.status})")
    entry = read(answer.body, arxiv_id)
    if entry.doi is None:
        return preprint(entry)
    from litlist.sources import crossref

    try:
        published = crossref.fetch(entry.doi, transport=transport)
    except SourceError as exc:
        return preprint(entry, f"Crossref could not give it: {exc.what}")
    if published.year is None:
        return preprint(entry, "Crossref gives it no year")
    return as_published(entry, published)


def parse(body: bytes, arxiv_id: str) -> Draft:
    """The Draft in an Atom answer, read without asking Crossref: the preprint, with
    arXiv's journal reference and DOI (if any) in its note; or SourceError."""
    return preprint(read(body, arxiv_id))


def preprint(entry: Entry, why: str | None = None) -> Draft:
    """The arXiv preprint; a journal reference or DOI arXiv gives goes to its `note`
    (cited, not lost), and `why` says why the version of record is not used."""
    from litlist.bibtex import encode

    draft = entry.preprint
    where = ", ".join(
        part for part in (entry.journal_ref, entry.doi and f"doi:{entry.doi}") if part
    )
    if where:
        said = f"Published in {where}" if entry.journal_ref else f"Published as {where}"
        draft.extra["note"] = encode(said)
        if entry.doi:
            draft.notes.append(
                f"arXiv {draft.arxiv} names its published version ({entry.doi}), but "
                f"{why or 'it was not looked up'}; added as the arXiv preprint, with "
                "the journal reference in its note"
            )
        else:
            draft.notes.append(f"arXiv's journal reference, kept in the note: {where}")
    return draft


def as_published(entry: Entry, published: Draft) -> Draft:
    """The version of record (from Crossref) that keeps the arXiv id as its preprint."""
    arxiv = entry.preprint
    published.arxiv = arxiv.arxiv
    published.arxiv_class = arxiv.arxiv_class
    published.abstract = published.abstract or arxiv.abstract
    published.origin = f"arXiv {arxiv.arxiv}"
    published.notes.append(
        f"arXiv {arxiv.arxiv} is published ({entry.doi}): added as its version of record "
        f"({published.venue}, {published.year}), the arXiv id kept"
    )
    return published


def _xml(body: bytes):
    import xml.etree.ElementTree as ET

    # arXiv's feeds never declare a document type; one that does is not arXiv's
    if b"<!DOCTYPE" in body[:4096].upper() or b"<!ENTITY" in body.upper():
        raise SourceError(SERVICE, "the answer is not an arXiv feed (it declares entities)")
    try:
        return ET.fromstring(body)
    except ET.ParseError as exc:
        raise SourceError(SERVICE, f"the answer is not readable XML ({exc})") from None


def read(body: bytes, arxiv_id: str) -> Entry:
    """What an Atom answer says of `arxiv_id`, or SourceError (unknown id, error entry,
    malformed feed)."""
    root = _xml(body)
    if root.tag != f"{ATOM}feed":
        raise SourceError(SERVICE, "the answer is not an Atom feed")
    entries = root.findall(f"{ATOM}entry")
    if entries and (entries[0].findtext(f"{ATOM}title") or "").strip() == "Error":
        said = one_line(entries[0].findtext(f"{ATOM}summary") or "unknown error")
        raise SourceError(SERVICE, f"refused '{arxiv_id}': {said[:200]}")
    wanted = [e for e in entries if _id_of(e) == arxiv_id]
    if not wanted:
        raise SourceError(SERVICE, f"no paper with id '{arxiv_id}'")
    entry = wanted[0]
    title = one_line(entry.findtext(f"{ATOM}title") or "")
    if "$" in title or "\\" in title:  # arXiv keeps the TeX authors typed: $\alpha$, \"u
        title = latex_text(title)
    # arXiv gives plain names: a team ("Gemini Team") is told from a person by its last word
    # and stored braced, as the catalog writes an organisation
    authors = [
        organisation_author(name) if looks_like_organisation(name) else split_plain_name(name)
        for a in entry.findall(f"{ATOM}author")
        if (name := one_line(a.findtext(f"{ATOM}name") or ""))
    ]
    if not title or not authors:
        raise SourceError(SERVICE, f"the entry for '{arxiv_id}' has no title or no authors")
    published = entry.findtext(f"{ATOM}published") or ""
    year = int(published[:4]) if re.match(r"\d{4}-", published) else None
    primary = entry.find(f"{ARXIV}primary_category")
    draft = Draft(
        title=title,
        authors=authors,
        year=year,
        venue="arXiv",
        venue_kind="preprint",
        arxiv=arxiv_id,
        arxiv_class=primary.get("term") if primary is not None else None,
        url=f"https://arxiv.org/abs/{arxiv_id}",
        abstract=_abstract(entry.findtext(f"{ATOM}summary") or ""),
        origin=f"arXiv {arxiv_id}",
    )
    # (the abstract, when read, is the entry's <summary>)
    # arXiv's serializer writes one <arxiv:doi> per DOI (older answers: several in one,
    # space-separated); the first that is not arXiv's own names the version of record
    dois = [
        doi
        for element in entry.findall(f"{ARXIV}doi")
        for doi in (element.text or "").split()
        if not ARXIV_DOI.match(doi)
    ]
    journal = one_line(entry.findtext(f"{ARXIV}journal_ref") or "")
    return Entry(draft, dois[0] if dois else None, journal or None)


def _id_of(entry) -> str:
    """'2305.18290' from <id>http://arxiv.org/abs/2305.18290v3</id>."""
    text = (entry.findtext(f"{ATOM}id") or "").strip()
    found = re.search(r"/abs/(.+?)(v\d+)?$", text)
    return found.group(1) if found else ""


def _abstract(summary: str) -> str | None:
    """arXiv's <summary>, the abstract: Atom folds its lines; a blank line is a paragraph
    break, and TeX the authors typed ($\\ell_1$) is decoded as in titles."""
    convert = latex_text if "$" in summary or "\\" in summary else one_line
    return paragraphs(summary, convert) or None
