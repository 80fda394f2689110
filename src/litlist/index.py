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
from collections import defaultdict
from collections.abc import Mapping
from functools import partial
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from litlist.model import Catalog, Paper

# Field codes stored in the postings, and how much a match in each counts.
ALIAS, TITLE, AUTHOR, TOPIC, VENUE, SUMMARY = range(6)
FIELD_WEIGHTS = (0.90, 0.95, 0.95, 0.75, 0.70, 0.80)
FIELD_BITS = 3

_WORD = re.compile(r"[^\W_]+")
_COMBINING = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")
# Runs of accented Latin letters (and stray combining marks): the only text whose accents
# need stripping. Decomposing whole strings would also take Hangul apart, at a high price.
_ACCENTED = re.compile(
    r"[\u00c0-\u024f\u1e00-\u1eff\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+"
)


def _strip_accents(match: re.Match[str]) -> str:
    return _COMBINING.sub("", unicodedata.normalize("NFD", match.group(0)))


def words(text: str) -> list[str]:
    """The words of `text`, folded: case, width and accents folded, apostrophes dropped
    ("Let's" is "lets"), everything else that is not a letter or digit a separator."""
    if text.isascii():
        text = text.lower()
    else:
        if not unicodedata.is_normalized("NFKC", text):
            text = unicodedata.normalize("NFKC", text)
        text = _ACCENTED.sub(_strip_accents, text.casefold())
        text = text.replace("\u2019", "").replace("\u2018", "")
    return _WORD.findall(text.replace("'", "").replace("`", ""))


def normalize(text: str) -> str:
    """`words` joined by single spaces."""
    return " ".join(words(text))


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
        self._postings: defaultdict[str, array] = defaultdict(partial(array, "I"))
        self._aliases: list[str] = []
        self._alias_owner = array("I")
        self._names: dict[str, list[str]] = {}  # authors recur across papers: fold each once

    def add(self, position: int, paper: Paper) -> None:
        # Each field's texts are folded in one call and each distinct word posted once:
        # at 100,000 papers this loop is most of what building a cache costs.
        groups: dict[int, list[str]] = {}
        for code, text in paper_texts(paper):
            groups.setdefault(code, []).append(text)
        base = position << FIELD_BITS
        postings = self._postings
        for code, texts in groups.items():
            if code == AUTHOR:
                found: set[str] = set()
                for name in texts:
                    folded = self._names.get(name)
                    if folded is None:
                        folded = self._names[name] = words(name)
                    found.update(folded)
            else:
                found = set(words(" ".join(texts)))
            if code == ALIAS:
                for alias in texts:
                    self._aliases.append(compact(alias))
                    self._alias_owner.append(position)
            posting = base | code
            for word in found:
                postings[word].append(posting)

    def sections(self) -> dict[str, object]:
        """The index as sections: vocabulary (sorted), offsets, postings, aliases. The
        postings stay one array per word (the cache writes them one after another), so a
        large catalog's postings are never copied into one."""
        vocab = sorted(self._postings)
        lists = [self._postings[word] for word in vocab]
        offsets = array("I", [0])
        total = 0
        for postings in lists:
            total += len(postings)
            offsets.append(total)
        return {
            "vocab": "\n".join(vocab).encode("utf-8"),
            "offsets": offsets,
            "postings": lists,
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
        self.aliases = text("aliases")
        self.alias_owner = ints("alias_owner")
        postings = sections["postings"]
        self._lists = postings if isinstance(postings, list) else None  # fresh from a Builder
        self._flat = None if self._lists is not None else ints("postings")  # from the cache
        self._offsets = ints("offsets")

    def postings(self, position: int):
        """The postings of the `position`-th vocabulary word: (paper << FIELD_BITS) | field."""
        if self._lists is not None:
            return self._lists[position]
        return self._flat[self._offsets[position] : self._offsets[position + 1]]  # type: ignore[index]


def build(catalog: Catalog) -> SearchIndex:
    """The index of a catalog that did not come from the cache."""
    builder = Builder()
    for i in range(len(catalog)):
        builder.add(i, catalog.paper(i))
    return SearchIndex(builder.sections())
