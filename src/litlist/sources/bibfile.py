"""BibTeX entries (from arXiv, DBLP, the ACL Anthology, Google Scholar, a user's .bib) in,
Drafts out. Offline.

bibtexparser v2 splits the file into entries; field values are decoded from LaTeX with
pylatexenc (accents, braces, escaped specials) after names are split into BibTeX's
First/von/Last/Jr parts, since braces decide the split.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from litlist.sources import (
    ARXIV_DOI,
    ARXIV_ID,
    ARXIV_IN_TEXT,
    DOI_IN_TEXT,
    Draft,
    catalog_name,
    one_line,
)

_KINDS = {
    "article": "journal",
    "inproceedings": "conference",
    "conference": "conference",
    "proceedings": "conference",
    "incollection": "conference",
}
_PREPRINT_JOURNAL = re.compile(r"arxiv|corr\b|preprint", re.IGNORECASE)


@dataclass
class Item:
    """One entry of a .bib: its key and a Draft, or why it cannot become one."""

    key: str
    draft: Draft | None
    problem: str | None = None


class _Decoder:
    def __init__(self) -> None:
        from pylatexenc.latex2text import LatexNodes2Text

        self._decoder = LatexNodes2Text(math_mode="verbatim", strict_latex_spaces=True)

    def __call__(self, value: str) -> str:
        try:
            text = self._decoder.latex_to_text(value)
        except Exception:  # noqa: BLE001 - odd LaTeX in a user's entry: keep it as written
            text = value.replace("{", "").replace("}", "")
        return one_line(text)


def read(text: str) -> tuple[list[Item], list[str]]:
    """The entries of a .bib text, each as a Draft or a problem, and the blocks bibtexparser
    could not read at all (as short descriptions)."""
    import logging

    import bibtexparser

    # bibtexparser logs each unreadable block; we report them ourselves, one line each
    logger = logging.getLogger("bibtexparser")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        library = bibtexparser.parse_string(text)
    finally:
        logger.setLevel(level)
    decode = _Decoder()
    items = [_item(entry, decode) for entry in library.entries]
    broken = [
        f"line {(block.start_line or 0) + 1}: cannot be read as BibTeX"
        for block in library.failed_blocks
    ]
    return items, broken


def _people(value: str, decode: _Decoder) -> tuple[list[str], bool]:
    """Authors in catalog form, and whether the list ended in 'others' (et al.)."""
    from bibtexparser.middlewares.names import (
        InvalidNameError,
        parse_single_name_into_parts,
        split_multiple_persons_names,
    )

    people, cut = [], False
    for raw in split_multiple_persons_names(one_line(value)):
        if raw.strip().casefold() == "others":
            cut = True
            continue
        try:
            parts = parse_single_name_into_parts(raw)
        except InvalidNameError:
            people.append(decode(raw))
            continue
        pieces = (parts.first, parts.von, parts.last, parts.jr)
        people.append(catalog_name(*(decode(" ".join(p)) for p in pieces)))
    return [p for p in people if p], cut


def _arxiv_of(values: dict[str, str]) -> str | None:
    eprint = values.get("eprint", "").strip()
    prefix = values.get("archiveprefix", values.get("eprinttype", "arxiv")).casefold()
    if eprint and prefix == "arxiv":
        found = ARXIV_ID.match(eprint)
        if found:
            return found.group(1)
    doi = ARXIV_DOI.match(values.get("doi", "").strip())
    if doi:
        return doi.group(1)
    for name in ("url", "journal", "volume", "note", "howpublished", "arxiv"):
        found = ARXIV_IN_TEXT.search(values.get(name, ""))
        if found:
            return found.group(1)
    return None


def _doi_of(values: dict[str, str]) -> str | None:
    for name in ("doi", "url"):
        found = DOI_IN_TEXT.search(values.get(name, ""))
        if found and not ARXIV_DOI.match(found.group(1)):
            return found.group(1).rstrip(".")
    return None


def _item(entry, decode: _Decoder) -> Item:
    values = {f.key.casefold(): str(f.value) for f in entry.fields}
    title = decode(values.get("title", ""))
    if not title:
        return Item(entry.key, None, "no title")
    authors, cut = _people(values.get("author", ""), decode)
    if not authors:
        return Item(entry.key, None, "no authors")
    year_text = values.get("year") or values.get("date", "")[:4]
    year = int(year_text) if re.fullmatch(r"\s*\d{4}\s*", year_text) else None
    arxiv = _arxiv_of(values)
    kind = entry.entry_type.casefold()
    journal = decode(values.get("journal", values.get("journaltitle", "")))
    booktitle = decode(values.get("booktitle", ""))
    venue = booktitle or journal
    venue_kind = _KINDS.get(kind, "preprint")
    if "workshop" in venue.casefold():
        venue_kind = "workshop"
    if arxiv and (not venue or _PREPRINT_JOURNAL.search(venue)):
        venue, venue_kind, journal = "arXiv", "preprint", ""
    if not venue:
        return Item(entry.key, None, "no venue (journal or booktitle) and no arXiv id")
    url = values.get("url", "").strip()
    if arxiv and (not url or "arxiv" in url.casefold() or "doi.org" in url):
        url = f"https://arxiv.org/abs/{arxiv}"  # the catalog's link for a preprint
    elif "doi.org/" in url:
        url = ""  # the doi field says it
    draft = Draft(
        title=title,
        authors=authors,
        year=year,
        venue=venue,
        venue_kind=venue_kind,
        booktitle=booktitle if booktitle and venue_kind != "workshop" else None,
        workshop=booktitle if venue_kind == "workshop" else None,
        volume=decode(values["volume"]) if values.get("volume") and not arxiv else None,
        number=decode(values["number"]) if values.get("number") else None,
        pages=re.sub(r"\s*-+\s*", "-", values["pages"].strip()) if values.get("pages") else None,
        publisher=decode(values["publisher"]) if values.get("publisher") else None,
        arxiv=arxiv,
        arxiv_class=values.get("primaryclass", "").strip() or None,
        doi=_doi_of(values),
        url=url if re.match(r"^https?://\S+$", url) else None,
        key=entry.key,
        origin=f"entry '{entry.key}'",
    )
    if cut:
        draft.notes.append(f"entry '{entry.key}': the author list ends in 'others'")
    return draft_item(entry.key, draft)


def draft_item(key: str, draft: Draft) -> Item:
    """An Item for a Draft (the year is the one field BibTeX may leave out that we need)."""
    if draft.year is None:
        return Item(key, None, "no year")
    return Item(key, draft)
