"""arXiv's API (https://info.arxiv.org/help/api/user-manual.html): an id in, a Draft out.

The answer is an Atom feed: one <entry> for a known id; for an unknown one arXiv answers an
empty feed, and for a malformed id a feed whose one entry is titled "Error" (HTTP 200 or
400). The feed is parsed with the standard library's expat, which expands no external
entities; a document type declaration (where entity tricks live) is refused outright.
"""

from __future__ import annotations

import re

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


def fetch(arxiv_id: str, *, transport=None) -> Draft:
    """The paper arXiv knows under `arxiv_id` (no version), or SourceError."""
    response = get(SERVICE, API, {"id_list": arxiv_id, "max_results": "1"}, transport=transport)
    if response.status_code >= 500:
        raise SourceError(SERVICE, f"the service failed (HTTP {response.status_code})")
    body = response.content
    if response.status_code >= 400 and b"<feed" not in body[:2000]:
        raise SourceError(SERVICE, f"refused the request (HTTP {response.status_code})")
    return parse(body, arxiv_id)


def _xml(body: bytes):
    import xml.etree.ElementTree as ET

    # arXiv's feeds never declare a document type; one that does is not arXiv's
    if b"<!DOCTYPE" in body[:4096].upper() or b"<!ENTITY" in body.upper():
        raise SourceError(SERVICE, "the answer is not an arXiv feed (it declares entities)")
    try:
        return ET.fromstring(body)
    except ET.ParseError as exc:
        raise SourceError(SERVICE, f"the answer is not readable XML ({exc})") from None


def parse(body: bytes, arxiv_id: str) -> Draft:
    """The Draft in an Atom answer for `arxiv_id`, or SourceError (unknown id, error entry,
    malformed feed)."""
    root = _xml(body)
    if root.tag != f"{ATOM}feed":
        raise SourceError(SERVICE, "the answer is not an Atom feed")
    entries = root.findall(f"{ATOM}entry")
    if entries and (entries[0].findtext(f"{ATOM}title") or "").strip() == "Error":
        said = one_line(entries[0].findtext(f"{ATOM}summary") or "unknown error")
        raise SourceError(SERVICE, f"refused '{arxiv_id}': {said}")
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
    doi = one_line(entry.findtext(f"{ARXIV}doi") or "") or None
    if doi and (ARXIV_DOI.match(doi) or " " in doi):
        doi = None  # arXiv's own DOI, or several: the arxiv field says it all
    draft = Draft(
        title=title,
        authors=authors,
        year=year,
        venue="arXiv",
        venue_kind="preprint",
        arxiv=arxiv_id,
        arxiv_class=primary.get("term") if primary is not None else None,
        doi=doi,
        url=f"https://arxiv.org/abs/{arxiv_id}",
        abstract=_abstract(entry.findtext(f"{ATOM}summary") or ""),
        origin=f"arXiv {arxiv_id}",
    )
    journal = one_line(entry.findtext(f"{ARXIV}journal_ref") or "")
    if journal:
        draft.notes.append(f"arXiv's journal reference: {journal}")
    return draft


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
