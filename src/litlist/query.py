"""Selecting papers: filters, key lookup with suggestions, and ranked fuzzy search. Pure.

Everything returns positions in the catalog (ints), so a filter over a large catalog never
decodes the papers it rejects; the CLI turns positions into papers only for what it prints.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable

from litlist import index as ix
from litlist.errors import BadOption, UnknownChoice, UnknownKey
from litlist.model import Catalog, record

# Below this a search result is noise: "no papers match" beats ten random papers.
SCORE_FLOOR = 62.0
# An alias typed exactly (DPO, LoRA, CoT) outranks any partial match.
EXACT_ALIAS = 100.0
PREFIX_SCORE = 88.0
TYPO_SIMILARITY = 0.75
STOPWORDS = frozenset(
    "a an and are as at by for from in into is it of on or the to with via vs".split()
)


@record
class Hit:
    """One search result: a position in the catalog and its score (0-100)."""

    position: int
    score: float


# ---------------------------------------------------------------- filters


def parse_years(text: str) -> tuple[int | None, int | None]:
    """`2024`, `2022..2023`, `2023..` or `..2020` as an inclusive (low, high) range."""
    match = re.fullmatch(r"\s*(\d{4})?\s*(\.\.)?\s*(\d{4})?\s*", text)
    if (
        not match
        or not (match.group(1) or match.group(3))
        or (not match.group(2) and match.group(3))
    ):
        raise BadOption(f"--year: cannot read '{text}'; use 2024, 2022..2023, 2023.. or ..2020")
    low = int(match.group(1)) if match.group(1) else None
    high = int(match.group(3)) if match.group(3) else None
    if not match.group(2):
        high = low
    if low is not None and high is not None and low > high:
        raise BadOption(f"--year: '{text}' is an empty range ({low} is after {high})")
    return low, high


def closest(value: str, choices: Iterable[str], limit: int = 3, cutoff: float = 60) -> list[str]:
    """The choices most like `value` (for 'did you mean' hints)."""
    from rapidfuzz import fuzz, process

    unique = list(dict.fromkeys(choices))
    found = process.extract(
        value.casefold(),
        [c.casefold() for c in unique],
        scorer=fuzz.WRatio,
        limit=limit,
        score_cutoff=cutoff,
    )
    # only the close contenders: "rafailov2023direct", not "rafailov2023direct or cot"
    best = found[0][1] if found else 0
    return [unique[i] for _, score, i in found if score >= best - 10]


def resolve_topic(catalog: Catalog, text: str) -> set[str]:
    """Topic slugs matching a slug, a slug segment or a heading name, with their sub-topics."""
    wanted = text.strip().casefold()
    roots = [
        t
        for t in catalog.topics
        if wanted in (t.slug.casefold(), t.name.casefold())
        or wanted in t.slug.casefold().split("/")
        or wanted.replace(" ", "-") in t.slug.casefold().split("/")
    ]
    if not roots:
        valid = [t.slug for t in catalog.topics]
        names = valid + [t.name for t in catalog.topics]
        raise UnknownChoice("--topic", text, valid, closest(text, names))
    return {t.slug for t in catalog.topics if any(root.contains(t.slug) for root in roots)}


def resolve_venue(catalog: Catalog, text: str) -> set[str]:
    """Venue ids whose id, full name or an alias is `text`, case-insensitive (NIPS is NeurIPS)."""
    wanted = text.strip().casefold()
    found = {
        v.id
        for v in catalog.venues
        if wanted in {v.id.casefold(), v.name.casefold(), *(a.casefold() for a in v.aliases)}
    }
    if not found:
        used = dict.fromkeys(v for v in catalog.columns["venue"] if v)
        names = list(used) + [a for v in catalog.venues if v.id in used for a in v.aliases]
        raise UnknownChoice("--venue", text, list(used), closest(text, names))
    return found


def select(
    catalog: Catalog,
    *,
    topic: str | None = None,
    venue: str | None = None,
    year: str | None = None,
    kind: str | None = None,
) -> list[int]:
    """Positions of the entries that pass every given filter, in the list's order."""
    positions: list[int] = list(range(len(catalog)))
    cols = catalog.columns
    if topic:
        slugs = resolve_topic(catalog, topic)
        positions = [i for i in positions if cols["topic"][i] in slugs]
    if venue:
        venues = resolve_venue(catalog, venue)
        positions = [i for i in positions if cols["venue"][i] in venues]
    if year:
        low, high = parse_years(year)
        years = cols["year"]
        positions = [
            i
            for i in positions
            if years[i] is not None
            and (low is None or years[i] >= low)
            and (high is None or years[i] <= high)
        ]
    if kind:
        positions = [i for i in positions if cols["kind"][i] == kind]
    return list(positions)


def lookup(
    catalog: Catalog, names: Iterable[str], where: str = "", *, keys_only: bool = False
) -> list[int]:
    """Positions of papers named by id or citation key (only by key with `keys_only`, as in a
    draft's \\cite); every unknown name is reported at once, with the closest keys."""
    ids, keys = catalog.columns["id"], catalog.columns["key"]
    by_name: dict[str, int] = {}
    for i, (pid, key) in enumerate(zip(ids, keys, strict=True)):
        if not keys_only:
            by_name.setdefault(pid, i)
        if key:
            by_name.setdefault(key, i)
    wanted = list(dict.fromkeys(names))
    missing = [n for n in wanted if n not in by_name]
    if missing:
        known = [k for k in keys if k] + ([] if keys_only else list(ids))
        id_to_key = {pid: key for pid, key in zip(ids, keys, strict=True) if key}
        hints = {}
        for name in missing:
            # a paper's id cited as if it were its key: the key is the answer
            exact = [id_to_key[name]] if name in id_to_key else []
            hints[name] = exact or closest(name, known, limit=2, cutoff=75)
        raise UnknownKey(missing, hints, where)
    return [by_name[n] for n in wanted]


def resolve(
    catalog: Catalog,
    names: Iterable[str] = (),
    cited: Iterable[str] = (),
    *,
    where: str = "",
    allow_missing: bool = False,
) -> tuple[list[int], list[str]]:
    """Positions of the papers named on the command line (ids or keys) and cited by a draft
    (keys only, since that is what \\cite resolves), and warnings. Unknown names raise,
    except cited ones with `allow_missing`, which become a warning."""
    positions = lookup(catalog, names)
    warnings: list[str] = []
    cited = list(cited)
    try:
        positions += lookup(catalog, cited, where, keys_only=True)
    except UnknownKey as exc:
        if not allow_missing:
            raise
        warnings.append(f"{exc}; exporting the rest")
        unknown = set(exc.keys)
        positions += lookup(catalog, [k for k in cited if k not in unknown], keys_only=True)
    return list(dict.fromkeys(positions)), warnings


# ---------------------------------------------------------------- search


def _word_matches(word: str, vocab: list[str]) -> dict[int, float]:
    """Vocabulary positions like `word`: exact 100, prefix (a Korean particle, a word typed
    in part) PREFIX_SCORE, or a typo (see `_typos`)."""

    found: dict[int, float] = {}
    start = bisect_left(vocab, word)
    min_prefix = 2 if not word.isascii() else 4
    if len(word) >= 2:
        end = start
        while end < len(vocab) and vocab[end].startswith(word):
            # a short word counts as a prefix only before a Korean particle: `jsd` finds
            # "JSD가", but `ab` does not find every word starting with "ab"
            rest = vocab[end][len(word) :]
            if len(word) >= min_prefix or (word.isascii() and not rest[:1].isascii()):
                found[end] = PREFIX_SCORE
            end += 1
    if start < len(vocab) and vocab[start] == word:
        found[start] = 100.0
    if len(word) >= 4 and not word.isdigit():  # 2020 is not a typo of 2021
        for pos, score in _typos(word, vocab):
            if score > found.get(pos, 0):
                found[pos] = score
    return found


def _typos(text: str, choices: list[str]) -> list[tuple[int, float]]:
    """(position, 0-100) of choices within TYPO_SIMILARITY of `text` by optimal string
    alignment: one slip (a missing, extra, wrong or swapped letter) in 4 to 7 letters, two from
    8 on. Unlike an insert/delete ratio, 'house' is not a typo of 'use'."""
    from rapidfuzz import process
    from rapidfuzz.distance import OSA

    found = process.extract(
        text, choices, scorer=OSA.normalized_similarity, score_cutoff=TYPO_SIMILARITY, limit=None
    )
    return [(pos, score * 100.0) for _, score, pos in found]


def _facets(catalog: Catalog) -> dict[str, list[tuple[str, set]]]:
    """Words of topic headings, venue names and years, each with the column values they
    stand for: a search reaches those papers through the columns, not through postings."""
    facets: dict[str, list[tuple[str, set]]] = {}

    def add(text: str, column: str, values: set) -> None:
        for word in ix.normalize(text).split():
            facets.setdefault(word, []).append((column, values))

    for topic in catalog.topics:
        # a heading stands for its sub-topics too
        below = {t.slug for t in catalog.topics if topic.contains(t.slug)}
        add(topic.name, "topic", below)
        add(topic.slug.rsplit("/", 1)[-1], "topic", below)
    for venue in catalog.venues:
        for name in (venue.id, venue.name, *venue.aliases):
            add(name, "venue", {venue.id})
    for year in set(catalog.columns["year"]):
        if year is not None:
            add(str(year), "year", {year})
    return facets


_WEIGHT = {
    "topic": ix.FIELD_WEIGHTS[ix.TOPIC],
    "venue": ix.FIELD_WEIGHTS[ix.VENUE],
    "year": ix.FIELD_WEIGHTS[ix.VENUE],
}


def search(
    catalog: Catalog,
    query: str,
    *,
    within: Iterable[int] | None = None,
    limit: int | None = 10,
    floor: float = SCORE_FLOOR,
) -> list[Hit]:
    """Papers ranked by how well they match `query`, best first, none below `floor`.

    Two signals, the better one counts: the whole query against each alias (exact, or with a
    typo), and word by word against every field, weighted by field (`index.FIELD_WEIGHTS`),
    averaged over the query's words so every word has to find something.
    """
    if catalog.index is None:
        catalog.index = ix.build(catalog)
    idx = catalog.index
    words = ix.normalize(query).split()
    if not words:
        return []
    # Stop words alone ("the", "of a") match everything and mean nothing: only an alias
    # spelled that way can still be found (the whole-query pass below).
    content = [w for w in words if w not in STOPWORDS]
    allowed = set(within) if within is not None else None
    scores: dict[int, float] = {}

    # whole query against aliases
    whole = "".join(words)
    aliases, owners = idx.aliases, idx.alias_owner
    if len(whole) <= 3:  # CoT, CAD, ACT: short acronyms must be typed exactly
        matches = [(pos, 100.0) for pos, alias in enumerate(aliases) if alias == whole]
    else:
        matches = _typos(whole, aliases)
    for pos, score in matches:
        owner = owners[pos]
        if score >= 100.0:
            score = EXACT_ALIAS
        if score > scores.get(owner, 0):
            scores[owner] = score

    # word by word against every field
    vocab = idx.vocab
    per_word: dict[int, list[float]] = {}
    weights = ix.FIELD_WEIGHTS
    mask = (1 << ix.FIELD_BITS) - 1
    facets = _facets(catalog) if content else {}
    facet_words = sorted(facets)

    def credit(paper: int, n: int, value: float) -> None:
        best = per_word.get(paper)
        if best is None:
            best = per_word[paper] = [0.0] * len(content)
        if value > best[n]:
            best[n] = value

    for n, word in enumerate(content):
        for pos, similarity in _word_matches(word, vocab).items():
            for code in idx.postings(pos):
                credit(code >> ix.FIELD_BITS, n, similarity * weights[code & mask])
        for pos, similarity in _word_matches(word, facet_words).items():
            for column, values in facets[facet_words[pos]]:
                value = similarity * _WEIGHT[column]
                for paper, held in enumerate(catalog.columns[column]):
                    if held in values:
                        credit(paper, n, value)
    for paper, best in per_word.items():
        score = sum(best) / len(best)
        if score > scores.get(paper, 0):
            scores[paper] = score

    hits = [
        Hit(p, round(s, 1))
        for p, s in scores.items()
        if s >= floor and (allowed is None or p in allowed)
    ]
    hits.sort(key=lambda h: (-h.score, h.position))
    return hits[:limit] if limit else hits
