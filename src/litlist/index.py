"""The search index: the words of every paper's aliases, titles, authors and summaries,
mapped to the papers they are in. Pure: no I/O, no rapidfuzz (that is `query.py`'s).

Built once, paper by paper, when a catalog is validated (`Builder`), and stored in the cache
as flat arrays (`sections()`), so a search reads postings instead of re-tokenising the
catalog. Topic headings, venues and years are not indexed per paper: a search matches them
against the few topics and venues there are and reaches the papers through the catalog's
columns.
"""

from __future__ import annotations

import re
import unicodedata
from array import array
from collections.abc import Mapping
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
_COMBINING = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")


def normalize(text: str) -> str:
    """Fold case, width and accents, drop apostrophes, and turn punctuation into spaces."""
    text = unicodedata.normalize("NFKC", text).casefold().translate(_APOSTROPHES)
    if not text.isascii():
        # strip combining accents; Hangul decomposes to jamo here and is recomposed below
        text = unicodedata.normalize("NFC", _COMBINING.sub("", unicodedata.normalize("NFD", text)))
    return " ".join(_NON_WORD.sub(" ", text).split())


def compact(text: str) -> str:
    """`normalize` without spaces: 'Streaming-LLM' and 'streamingllm' meet here."""
    return normalize(text).replace(" ", "")


def paper_texts(paper: Paper) -> list[tuple[int, str]]:
    """(field code, text) pairs of one paper that the postings hold."""
    out: list[tuple[int, str]] = [(TITLE, paper.title)]
    out += [(TITLE, title) for title in paper.other_titles]
    if paper.published and paper.published.title:
        out.append((TITLE, paper.published.title))
    out += [(ALIAS, alias) for alias in paper.aliases]
    out += [(AUTHOR, author) for author in paper.authors]
    if paper.published:
        out += [(AUTHOR, author) for author in paper.published.authors]
    out += [(SUMMARY, line) for line in paper.summary]
    if paper.summary_en:
        out.append((SUMMARY, paper.summary_en))
    return out


class Builder:
    """Collects postings paper by paper; `sections()` gives the finished index."""

    def __init__(self) -> None:
        self._postings: dict[str, array] = {}
        self._aliases: list[str] = []
        self._alias_owner = array("I")
        self._names: dict[str, str] = {}  # author names repeat across papers: fold each once

    def add(self, position: int, paper: Paper) -> None:
        seen: set[tuple[str, int]] = set()
        base = position << FIELD_BITS
        for code, text in paper_texts(paper):
            if code == AUTHOR:
                folded = self._names.get(text)
                if folded is None:
                    folded = self._names[text] = normalize(text)
            else:
                folded = normalize(text)
            if code == ALIAS:
                self._aliases.append(folded.replace(" ", ""))
                self._alias_owner.append(position)
            for word in folded.split():
                if (word, code) not in seen:
                    seen.add((word, code))
                    bucket = self._postings.get(word)
                    if bucket is None:
                        bucket = self._postings[word] = array("I")
                    bucket.append(base | code)

    def sections(self) -> dict[str, bytes | array]:
        """The index as flat sections: vocabulary (sorted), offsets, postings, aliases."""
        vocab = sorted(self._postings)
        offsets = array("I", [0])
        flat = array("I")
        for word in vocab:
            flat.extend(self._postings[word])
            offsets.append(len(flat))
        return {
            "vocab": "\n".join(vocab).encode("utf-8"),
            "offsets": offsets,
            "postings": flat,
            "aliases": "\n".join(self._aliases).encode("utf-8"),
            "alias_owner": self._alias_owner,
        }


class SearchIndex:
    """The index as a search reads it, over sections from the cache or a fresh Builder."""

    def __init__(self, sections: Mapping[str, object]) -> None:
        def text(name: str) -> list[str]:
            raw = bytes(sections[name])  # type: ignore[call-overload]
            return raw.decode("utf-8").split("\n") if raw else []

        def ints(name: str):
            value = sections[name]
            return value if isinstance(value, array) else memoryview(value).cast("I")  # type: ignore[arg-type]

        self.vocab = text("vocab")
        self.offsets = ints("offsets")
        self.postings = ints("postings")
        self.aliases = text("aliases")
        self.alias_owner = ints("alias_owner")


def build(catalog: Catalog) -> SearchIndex:
    """The index of a catalog that did not come from the cache."""
    builder = Builder()
    for i in range(len(catalog)):
        builder.add(i, catalog.paper(i))
    return SearchIndex(builder.sections())
