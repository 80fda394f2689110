"""The search index: every word of every searchable field, mapped to the papers it is in.

Built once when a catalog is validated and stored in the cache, so a search reads postings
instead of re-tokenising the catalog. Pure: no I/O, no rapidfuzz (that is `query.py`'s).
"""

from __future__ import annotations

import re
import unicodedata
from array import array
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from litlist.model import Catalog, Paper

# Field codes stored in the postings, and how much a match in each counts.
ALIAS, TITLE, AUTHOR, TOPIC, VENUE, SUMMARY = range(6)
FIELD_NAMES = ("alias", "title", "author", "topic", "venue", "summary")
FIELD_WEIGHTS = (0.90, 0.95, 0.95, 0.75, 0.70, 0.80)
FIELD_BITS = 3

_APOSTROPHES = str.maketrans("", "", "'\u2019\u2018`")
_NON_WORD = re.compile(r"[^\w]+|_")


def normalize(text: str) -> str:
    """Fold case, width and accents, drop apostrophes, and turn punctuation into spaces."""
    text = unicodedata.normalize("NFKC", text).casefold().translate(_APOSTROPHES)
    if not text.isascii():
        decomposed = unicodedata.normalize("NFD", text)
        # strip combining accents, but keep Hangul (and other scripts) intact
        text = unicodedata.normalize(
            "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
        )
    return " ".join(_NON_WORD.sub(" ", text).split())


def compact(text: str) -> str:
    """`normalize` without spaces: 'Streaming-LLM' and 'streamingllm' meet here."""
    return normalize(text).replace(" ", "")


def paper_fields(paper: Paper, catalog: Catalog) -> list[tuple[int, str]]:
    """(field code, text) pairs that search looks at for one paper."""
    out: list[tuple[int, str]] = [(TITLE, paper.title)]
    out += [(TITLE, title) for title in paper.other_titles]
    if paper.published and paper.published.title:
        out.append((TITLE, paper.published.title))
    out += [(ALIAS, alias) for alias in paper.aliases]
    out += [(AUTHOR, author) for author in paper.authors]
    for topic in catalog.topic_path(paper.topic):
        out.append((TOPIC, topic.name))
        out.append((TOPIC, topic.slug.rsplit("/", 1)[-1]))
    versions = [(paper.year, paper.venue)]
    if paper.published:
        versions.append((paper.published.year, paper.published.venue))
    for year, venue_id in versions:
        if year is not None:
            out.append((VENUE, str(year)))
        if venue_id is None:
            continue
        venue = catalog.venue(venue_id)
        out += [(VENUE, venue.id), (VENUE, venue.name), *((VENUE, a) for a in venue.aliases)]
    out += [(SUMMARY, line) for line in paper.summary]
    if paper.summary_en:
        out.append((SUMMARY, paper.summary_en))
    return out


def build(catalog: Catalog, progress: Callable | None = None) -> dict:
    """The index of `catalog` as plain values (lists and arrays) that pickle compactly."""
    postings: dict[str, set[int]] = {}
    aliases: list[str] = []
    alias_owner = array("I")
    total = len(catalog)
    bar = progress("Indexing papers", total) if progress and total >= 2000 else None
    try:
        _collect(catalog, postings, aliases, alias_owner, bar)
    finally:
        if bar:
            bar.close()
    vocab = sorted(postings)
    offsets = array("I", [0])
    flat = array("I")
    for word in vocab:
        flat.extend(sorted(postings[word]))
        offsets.append(len(flat))
    return {
        "vocab": vocab,
        "offsets": offsets,
        "postings": flat,
        "aliases": aliases,
        "alias_owner": alias_owner,
    }


def _collect(catalog: Catalog, postings: dict, aliases: list, alias_owner: array, bar) -> None:
    for i in range(len(catalog)):
        paper = catalog.paper(i)
        for code, text in paper_fields(paper, catalog):
            posting = (i << FIELD_BITS) | code
            for word in normalize(text).split():
                postings.setdefault(word, set()).add(posting)
            if code == ALIAS:
                aliases.append(compact(text))
                alias_owner.append(i)
        if bar and i % 1000 == 999:
            bar.advance(1000)
