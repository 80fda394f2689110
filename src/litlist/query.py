"""Selecting papers: filters, key lookup with suggestions, and ranked fuzzy search. Pure.

Everything returns positions in the catalog (ints), so a filter over a large catalog never
decodes the papers it rejects; the CLI turns positions into papers only for what it prints.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

from litlist import index as ix
from litlist.errors import SHOWN, AmbiguousName, BadOption, UnknownChoice, UnknownKey
from litlist.model import Catalog, record
from litlist.vocabulary import (
    ENGLISH_SOUNDS,
    FILLER,
    HANGUL_LEADS,
    HANGUL_TAILS,
    KOREAN_FILLER,
    KOREAN_TERMS,
    KOREAN_VERBS,
    SYNONYMS,
)

# Below this a search result is noise: "no papers match" beats ten random papers. Every
# result that passes the evidence rule (`_enough`) is shown between this and 100.
SCORE_FLOOR = 62.0
# An alias typed exactly (DPO, LoRA, CoT), or any other name of a paper, outranks the rest.
EXACT_ALIAS = 100.0
# A word of a longer query that names a paper, the rest held by it or by no paper.
NAMED_PART = 99.9
# The same, when a word it lacks was read only by its sound (`_sounding`).
NAMED_GUESS = SCORE_FLOOR + 8
# How much a word found by its first letters, or with a typo, counts against the word itself.
PREFIX_SIMILARITY = 0.88
TYPO_SIMILARITY = 0.75
STOPWORDS = ix.STOPWORDS
# A query's distinct words beyond this are ignored: a pasted page cannot make a search slow
# or large (each word is a look-up, and each unknown one a scan of the vocabulary).
MAX_QUERY_WORDS = 64
# Unknown words of a query tried as words typed without spaces (`_unglue`): each is a
# look-up of its every piece, so a pasted page of strange words stays quick.
MAX_UNGLUED = 4
# Papers BM25 ranks best, rescored here by how much of the query each holds.
CANDIDATES = 100
# Share of a query's information a paper must hold (`_enough`), for 2-3 words and for more.
# 0.55 would let "cancedda logit spectroscopy" find its paper, but also "이미지 분할 모델"
# (image segmentation) find a paper that splits a task (분할) once a catalog has images.
SHORT_SHARE = 0.6
LONG_SHARE = 0.5
# A word no paper holds weighs as if this many papers held it.
UNKNOWN_DF = 0.0
# The field's words (abbreviations, the Korean glossary, filler) live in `vocabulary`.
SYNONYM_SIMILARITY = 0.9
# What an English word counts for a Hangul loanword that sounds like it (`_sounding`).
LOANWORD_SIMILARITY = 0.8
_VOWELS = frozenset("aeiouy")
# What a match in each place counts: an alias is a name, a summary only mentions.
FIELD_WEIGHTS = {
    "alias": 1.0,
    "title": 0.95,
    "author": 0.95,
    "summary": 0.8,
    "abstract": 0.75,
    "topic": 0.75,
    "venue": 0.7,
    "year": 0.7,
}


@record
class Hit:
    """One search result: a position in the catalog, its score (0-100), and what matched:
    (field, text) pairs, e.g. ("title", "Attention Sinks") or ("summary", "…a snippet…")."""

    position: int
    score: float
    matched: tuple[tuple[str, str], ...] = ()


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


def in_topic_order(catalog: Catalog, positions: list[int]) -> list[int]:
    """`positions` as the list's headings order them (a stable sort: within a heading, the
    file's order). A paper filed later under an earlier heading (by `add` or `import`, which
    append to the file) is listed under its heading, by every format alike."""
    order = catalog.topic_order()
    topics = catalog.columns["topic"]
    return sorted(positions, key=lambda i: order.get(topics[i], len(order)))


def _index(catalog: Catalog) -> ix.SearchIndex:
    if catalog.index is None:
        catalog.index = ix.build(catalog)
    return catalog.index


def named(catalog: Catalog, text: str) -> list[tuple[int, str]]:
    """(position, how) of the papers `text` names: a paper id or citation key (any case),
    an alias (any case and spacing: `StreamingLLM`, `lora`), an arXiv id (`2305.18290`,
    `arXiv:2305.18290v3`, an abs or pdf URL) or a DOI (`10.…`, `doi:…`, a doi.org URL)."""
    raw = text.strip()
    if not raw or len(raw) > 300:
        return []
    idx = _index(catalog)
    forms: list[tuple[str, tuple[str, ...]]] = [(raw.casefold(), ("id", "key"))]
    arxiv = ix.arxiv_id(raw)
    if arxiv:
        forms.append((arxiv, ("arxiv",)))
    doi = ix.doi_of(raw)
    if doi:
        forms.append((doi, ("doi",)))
    alias = ix.compact(raw)
    if alias:
        forms.append((alias, ("alias",)))
    found: dict[int, str] = {}
    for name, kinds in forms:
        for position, kind in idx.named(name, kinds):
            found.setdefault(position, kind)
    return list(found.items())


def lookup(
    catalog: Catalog, names: Iterable[str], where: str = "", *, keys_only: bool = False
) -> list[int]:
    """Positions of papers named by id or citation key — or, unless `keys_only` (a draft's
    \\cite, which resolves keys only), by any name `named` knows: an alias, an arXiv id, a
    DOI. A name that fits several papers is an error naming them; every unknown name is
    reported at once, with the closest keys."""
    ids, keys = catalog.columns["id"], catalog.columns["key"]
    wanted = list(dict.fromkeys(names))
    by_name: dict[str, int] = {}
    exact_ids = set(wanted)
    for i, (pid, key) in enumerate(zip(ids, keys, strict=True)):
        if not keys_only and pid in exact_ids:
            by_name.setdefault(pid, i)
        if key and key in exact_ids:
            by_name.setdefault(key, i)
    if not keys_only:
        for name in wanted:
            if name in by_name:
                continue
            found = named(catalog, name)
            if len({p for p, _ in found}) > 1:
                raise AmbiguousName(name, [keys[p] or ids[p] for p, _ in found])
            if found:
                by_name[name] = found[0][0]
    missing = [n for n in wanted if n not in by_name]
    if missing:
        known = [k for k in keys if k] + ([] if keys_only else list(ids))
        id_to_key = {pid: key for pid, key in zip(ids, keys, strict=True) if key}
        hints = {}
        for name in missing[:SHOWN]:  # the message names no more than these
            # a paper's id cited as if it were its key: the key is the answer
            exact = [id_to_key[name]] if name in id_to_key else []
            hints[name] = exact or closest(name, known, limit=2, cutoff=75)
        raise UnknownKey(missing, hints, where, search=not keys_only)
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


def _idf(size: int, df: float) -> float:
    """BM25's inverse document frequency: how much finding a word says."""
    return math.log(1 + (size - df + 0.5) / (df + 0.5))


def _typos(text: str, choices: list[str]) -> list[tuple[int, float]]:
    """(position, 0-1) of choices within TYPO_SIMILARITY of `text` by optimal string
    alignment: one slip (a missing, extra, wrong or swapped letter) in 4 to 7 letters, two from
    8 on. Unlike an insert/delete ratio, 'house' is not a typo of 'use'."""
    from rapidfuzz import process
    from rapidfuzz.distance import OSA

    found = process.extract(
        text, choices, scorer=OSA.normalized_similarity, score_cutoff=TYPO_SIMILARITY, limit=None
    )
    return [(pos, score) for _, score, pos in found]


class _Word:
    """One word of a query: the tokens that stand for it (with how exactly), and its weight."""

    __slots__ = ("text", "alternatives", "idf")

    def __init__(self, text: str) -> None:
        self.text = text
        self.alternatives: dict[str, float] = {}
        self.idf = 0.0


_synonym_groups: list[list[tuple[str, ...]]] = []


def _kin(tokens: ix.Tokens, query_tokens: set[str]) -> list[tuple[tuple[str, ...], list]]:
    """(member, other members) of the `SYNONYMS` groups whose member the query holds whole:
    the tokens of each, made once."""
    if not _synonym_groups:
        for group in SYNONYMS:
            members = [tuple(t for w in ix.words(m) for t in tokens.of(w)) for m in group]
            _synonym_groups.append([m for m in members if m])
    return [
        (member, [other for other in group if other is not member])
        for group in _synonym_groups
        for member in group
        if all(t in query_tokens for t in member)
    ]


def _plural(word: str) -> str | None:
    """An acronym's plural or singular (`llms` ~ `llm`): a word without vowels the stemmer
    leaves alone."""
    if word.isascii() and word.isalpha() and len(word) >= 2 and not _VOWELS & set(word):
        return word[:-1] if word.endswith("s") else word + "s"
    return None


def _korean(word: str) -> str | None:
    """The bare noun of a query word written in Hangul (`ix.korean_stem`), else None."""
    return ix.korean_stem(word) if ix.is_hangul(word[-1]) else None


def _glossed(tokens: ix.Tokens, word: str) -> list[tuple[str, ...]]:
    """The tokens of each English sense `KOREAN_TERMS` gives a Hangul word (as typed, or
    its bare noun)."""
    stem = _korean(word)
    senses = KOREAN_TERMS.get(word) or (KOREAN_TERMS.get(stem, ()) if stem else ())
    if not senses and stem:
        # a one-syllable term (`층을`), which `korean_stem` leaves whole
        short = (word[: -len(p)] for p in ix.PARTICLES if word.endswith(p))
        senses = next((KOREAN_TERMS[s] for s in short if s in KOREAN_TERMS), ())
    if not senses and stem:
        starts = [form for form in KOREAN_VERBS if word.startswith(form)]
        senses = KOREAN_VERBS[max(starts, key=len)] if starts else ()
    found = [tuple(t for w in ix.words(sense) for t in tokens.of(w)) for sense in senses]
    return [f for f in found if f]


def _sound_of_hangul(word: str) -> str:
    """A Hangul word's consonants as English sound classes (`vocabulary.HANGUL_LEADS`);
    "" for a word that is not all Hangul."""
    out = []
    for char in word:
        if not ix.is_hangul(char):
            return ""
        code = ord(char) - 0xAC00
        out.append(HANGUL_LEADS[code // 588] + HANGUL_TAILS[code % 28])
    return re.sub(r"(.)\1+", r"\1", "".join(out))


def _sound_of_english(word: str) -> str:
    """An English word's consonants as the classes Hangul writes them with: an r after a
    vowel is silent (Korean writes 서빙 for serving), a c before e, i, y is an s."""
    word = re.sub(r"(?<=[aeiou])r(?![aeiou])", "", word)
    word = re.sub(r"c(?=[eiy])", "s", word).replace("c", "k")
    out, i = [], 0
    while i < len(word):
        for spelling, sound in ENGLISH_SOUNDS:
            if word.startswith(spelling, i):
                out.append(sound)
                i += len(spelling)
                break
        else:
            i += 1  # a vowel, h, w or y
    return re.sub(r"(.)\1+", r"\1", "".join(out))


def _sounding(idx: ix.SearchIndex, word: str) -> list[str]:
    """Tokens of the catalog's English words that sound like `word`, a Hangul loanword
    (노트 note, 인사이트 insight, 서빙 serving): the same consonant classes, at least two of
    them, and a first letter a Hangul reader would write with the same first sound."""
    sound = _sound_of_hangul(word)
    if len(sound) < 2 or len(word) < 2:
        return []
    firsts = _FIRST_LETTERS.get(sound[0], "") if ix.is_hangul(word[0]) else ""
    if HANGUL_LEADS[(ord(word[0]) - 0xAC00) // 588] == "":
        firsts = "aeiouh"  # a syllable starting with a vowel
    # each class's letters in order, anything between: SQLite leaves few words to check
    # (an S after a K may be the same x: "index" is 인덱스)
    symbols = [c for n, c in enumerate(sound) if not (c == "S" and sound[n - 1 : n] == "K")]
    pattern = "*" + "*".join(f"[{_CLASS_LETTERS[symbol]}]" for symbol in symbols) + "*"
    found: dict[str, None] = {}
    for letter in firsts:
        rows = idx.matching(letter, pattern, max(4, len(sound)), 3 * len(sound) + 3)
        for text, tokens in rows:
            if not (text.isascii() and text.isalpha()):
                continue
            # a plural sounds as its singular: 인사이트 finds "insights"
            if sound in (_sound_of_english(text), _sound_of_english(text.removesuffix("s"))):
                found.update(dict.fromkeys(tokens.split()))
    return list(found)


# The letters an English spelling of each sound class holds (`vocabulary.ENGLISH_SOUNDS`).
_CLASS_LETTERS = {"K": "cgkqx", "T": "dt", "P": "bfpv", "S": "cstxz", "J": "cgj", "L": "lr",
                  "M": "m", "N": "n", "G": "n"}  # fmt: skip
# The first letters of English words that begin with a sound class (`_sound_of_hangul`).
_FIRST_LETTERS = {"K": "cgkq", "T": "dt", "P": "bfpv", "S": "csz", "J": "cgj", "L": "lr",
                  "M": "m", "N": "kn"}  # fmt: skip


def _unglue(idx: ix.SearchIndex, word: str) -> list[str] | None:
    """A word typed without its spaces ("chainofthought", "rewardmodel"), as the two or
    three words the catalog holds that make it up; else None. Pieces of three letters or
    more, and stop words between them ("of", "in the"); the split into fewest pieces wins."""
    if not (word.isascii() and word.isalpha() and 7 <= len(word) <= 30):
        return None
    pieces = {word[i:j] for i in range(len(word)) for j in range(i + 3, len(word) + 1)}
    tokens = {p: idx.tokens.of(p) for p in pieces}
    freqs = idx.doc_freqs(t for toks in tokens.values() for t in toks)
    held = {p for p, toks in tokens.items() if toks and all(t in freqs for t in toks)}
    held |= {p for p in STOPWORDS if p in word}
    best: dict[int, list[str]] = {0: []}  # prefix length -> fewest pieces that make it
    for end in range(1, len(word) + 1):
        splits = [best[i] + [word[i:end]] for i in best if word[i:end] in held]
        if splits:
            best[end] = min(splits, key=len)
    found = [p for p in best.get(len(word), []) if p not in STOPWORDS]
    return found if 2 <= len(found) <= 3 else None


def _expand(idx: ix.SearchIndex, words: list[str]) -> tuple[list[_Word], dict[str, int]]:
    """Each word's tokens: its own when the catalog holds them, and their kin (`_kin`); else
    words the catalog holds that start with it (a word typed in part) or are a typo of it.
    An exact word is never widened by typos: `finn` is Chelsea Finn, not a typo of `fine`.
    A Hangul word is also looked up by its bare noun, and found by its English terms."""
    # words that are one word to the index ("optimal", "optimisation") count once
    first = set({idx.tokens.of(_korean(w) or w) or (w,): w for w in reversed(words)}.values())
    out = [_Word(w) for w in words if w in first]
    stems = {w.text: _korean(w.text) for w in out}
    own = {
        w.text: tuple(dict.fromkeys(idx.tokens.of(w.text) + idx.tokens.of(stems[w.text] or "")))
        for w in out
    }
    groups = _kin(idx.tokens, {t for tokens in own.values() for t in tokens})
    plurals = {w.text: _plural(w.text) for w in out}
    wanted = [t for tokens in own.values() for t in tokens]
    wanted += [t for _, others in groups for other in others for t in other]
    freqs = idx.doc_freqs(wanted + [p for p in plurals.values() if p])
    kin: dict[str, set[str]] = {}  # a query token -> tokens that say it another way
    for member, others in groups:
        # another member counts by its rarest word, when the catalog holds all of its words
        heads = {
            min(other, key=freqs.__getitem__) for other in others if all(t in freqs for t in other)
        }
        for token in member:
            kin.setdefault(token, set()).update(heads)
    for word in out:
        said_otherwise = {k for t in own[word.text] for k in kin.get(t, ())}
        plural = plurals[word.text]
        if plural in freqs:
            said_otherwise.add(plural)
        word.alternatives = {t: SYNONYM_SIMILARITY for t in said_otherwise}
        word.alternatives.update({t: 1.0 for t in own[word.text] if t in freqs})
        if word.alternatives:
            continue
        text = stems[word.text] or word.text
        if len(text) >= (4 if text.isascii() else 2) and not text.isdigit():
            for _, tokens in idx.with_prefix(text):
                for token in tokens.split():
                    word.alternatives.setdefault(token, PREFIX_SIMILARITY)
        if len(text) >= 4 and not text.isdigit():  # 2020 is not a typo of 2021
            low, high = int(len(text) * TYPO_SIMILARITY), math.ceil(len(text) / TYPO_SIMILARITY)
            terms = idx.near(text, low, high)
            for pos, similarity in _typos(text, [w for w, _ in terms]):
                for token in terms[pos][1].split():
                    if similarity > word.alternatives.get(token, 0.0):
                        word.alternatives[token] = similarity
    glossed = {w.text: _glossed(idx.tokens, w.text) for w in out if stems[w.text]}
    english = [t for senses in glossed.values() for sense in senses for t in sense]
    freqs.update(idx.doc_freqs(t for w in out for t in w.alternatives if t not in freqs))
    freqs.update(idx.doc_freqs(t for t in english if t not in freqs))
    for word in out:
        # like a synonym: an English sense counts by its rarest word, when all are held
        for sense in glossed.get(word.text, ()):
            if all(t in freqs for t in sense):
                head = min(sense, key=freqs.__getitem__)
                if word.alternatives.get(head, 0.0) < SYNONYM_SIMILARITY:
                    word.alternatives[head] = SYNONYM_SIMILARITY
    # a loanword is read by its sound only beside a word the catalog knows: alone, or
    # among strangers, a sound-alike is a guess that would let nonsense (블라블라) through
    anchored = any(w.alternatives for w in out)
    for word in out:
        if anchored and not word.alternatives and not glossed.get(word.text):
            for token in _sounding(idx, stems[word.text] or word.text):
                word.alternatives[token] = LOANWORD_SIMILARITY
    freqs.update(idx.doc_freqs(t for w in out for t in w.alternatives if t not in freqs))
    unknown = _idf(idx.size, UNKNOWN_DF)
    for word in out:
        # what the word most likely means weighs (a typo's rarest look-alike would weigh
        # more than the word meant); a word the catalog does not hold weighs as much as its
        # rarest word: a query about something else (molecules, vocoders) then lacks most of
        # its information
        held = [(s, _idf(idx.size, freqs[t])) for t, s in word.alternatives.items() if t in freqs]
        word.idf = max(held)[1] if held else unknown
    return out, freqs


def _enough(words: list[_Word], found: list[float]) -> bool:
    """The evidence rule: a paper must hold enough of the query's information. One word
    alone must be found; of two or three, all but one, and most of their weight; of more,
    half their weight, so a description may use words the catalog lacks, but one common
    word out of eight is never enough. A query whose words are half or more ones no paper
    uses (robots, warehouses) is about something else, whatever the rest matches."""
    total = sum(w.idf for w in words)
    if total <= 0:
        return False
    if len(words) > 1 and 2 * sum(1 for w in words if not w.alternatives) >= len(words):
        # half the words are ones no paper uses: the query is about something else
        return False
    held = sum(w.idf for w, f in zip(words, found, strict=True) if f > 0)
    share = held / total
    missing = sum(1 for f in found if f <= 0)
    if len(words) == 1:
        return missing == 0
    if len(words) <= 3:
        return missing <= 1 and share >= SHORT_SHARE
    return share >= (LONG_SHARE if len(words) == 4 else LONG_SHARE * 4 / len(words))


def _score(words: list[_Word], fields: dict) -> tuple[float, list[float], dict[str, set[str]]]:
    """(quality 0-1, each word's best match, the tokens matched in each field)."""
    found: list[float] = []
    where: dict[str, set[str]] = {}
    for word in words:
        best, best_field, best_token = 0.0, "", ""
        for token, similarity in word.alternatives.items():
            for name, held in fields.items():
                value = similarity * FIELD_WEIGHTS[name]
                if value > best and token in held:
                    best, best_field, best_token = value, name, token
        found.append(best)
        if best > 0:
            where.setdefault(best_field, set()).add(best_token)
    total = sum(w.idf for w in words) or 1.0
    quality = sum(w.idf * f for w, f in zip(words, found, strict=True)) / total
    return quality, found, where


def search(
    catalog: Catalog,
    query: str,
    *,
    within: Iterable[int] | None = None,
    limit: int | None = 10,
    floor: float = SCORE_FLOOR,
) -> list[Hit]:
    """Papers ranked by how well they match `query`, best first, none below `floor`.

    A paper the whole query names (an alias, key, id, arXiv id or DOI) comes first with 100;
    an alias with a typo scores its similarity. Otherwise FTS5's BM25 (per-column weights)
    picks the candidates holding any of the query's words, and each is scored by how much
    of the query's information (its words' IDF) it holds, and where (`FIELD_WEIGHTS`); a
    paper short of `_enough` evidence is left out. Only the first MAX_QUERY_WORDS distinct
    words of a query count.
    """
    idx = _index(catalog)
    words = list(dict.fromkeys(ix.words(query)))[:MAX_QUERY_WORDS]
    if not words:
        return []
    allowed = set(within) if within is not None else None
    scores: dict[int, tuple[float, float]] = {}  # position -> (score, tie-break)
    matched: dict[int, tuple[tuple[str, str], ...]] = {}

    def offer(position: int, score: float, tie: float, why) -> None:
        if allowed is not None and position not in allowed:
            return
        if (score, tie) > scores.get(position, (0.0, 0.0)):
            scores[position] = (score, tie)
            matched[position] = why

    # the whole query as a name of a paper
    for position, kind in named(catalog, query):
        offer(position, EXACT_ALIAS, 1.0, ((kind, query.strip()),))
    content = [w for w in words if w not in STOPWORDS]
    content = [w for w in content if w not in FILLER and _korean(w) not in KOREAN_FILLER] or content
    expanded, freqs = _expand(idx, content) if content else ([], {})
    unknown_words = [w.text for w in expanded if not w.alternatives][:MAX_UNGLUED]
    unglued = {w: _unglue(idx, w) for w in unknown_words}
    if any(unglued.values()):  # "chainofthought prompting": the words it was typed without
        content = [part for w in content for part in (unglued.get(w) or [w])]
        expanded, freqs = _expand(idx, list(dict.fromkeys(content)))
    # a lone letter no paper holds is an initial ("C. Finn"): it says nothing either way
    expanded = [w for w in expanded if w.alternatives or len(w.text) > 1] or expanded

    # the whole query as an alias with a typo, when some word of it is not a word we hold
    # ("streming llm", "lroa"); CoT, CAD, ACT: short acronyms must be typed exactly
    whole = "".join(words)
    unknown = not content or any(max(w.alternatives.values(), default=0) < 1 for w in expanded)
    if 3 < len(whole) <= 60 and unknown and not scores:
        low, high = int(len(whole) * 0.75), math.ceil(len(whole) / 0.75)
        aliases = idx.aliases(whole[0], low, high)
        for pos, similarity in _typos(whole, [a for a, _ in aliases]):
            owner = aliases[pos][1]
            offer(owner, round(similarity * 100, 1), 0.0, (("alias", aliases[pos][0]),))

    # word by word: BM25 candidates, then the evidence each holds
    groups = [list(w.alternatives) for w in expanded]
    candidates = idx.candidates(groups, freqs, CANDIDATES, allowed)
    texts = idx.texts([position for position, _ in candidates])
    held = {t for w in expanded for t in w.alternatives}  # every token the query can match
    for position, bm25 in candidates:
        fields = {
            name: set(text.split()) for name, text in zip(ix.COLUMNS, texts[position], strict=True)
        }
        quality, found, where = _score(expanded, fields)
        if not _enough(expanded, found):
            continue
        # how much of the title the query covers: 'contrastive decoding' is the paper of
        # that name before one whose longer title also holds the words
        title = fields["title"]
        closeness = len(held & title) / len(title) if title else 0.0
        score = min(SCORE_FLOOR + (98 - SCORE_FLOOR) * quality + 2 * closeness, 99.9)
        offer(position, round(score, 1), bm25, where)  # BM25 (tf, length) breaks ties

    # a word of the query that is a name of a paper (alias, id, key, arXiv id, DOI): the
    # paper it names comes next to a whole-query name when every other word is one it holds
    # or one no paper holds ("LoRA 노트", "CoT 방법", "2305.18290 notes"); words no paper
    # holds say nothing about which paper is meant, so they never refuse a name
    parts = [part for part in query.split() if part.strip()] if len(words) > 1 else []
    for part in dict.fromkeys(parts[:MAX_QUERY_WORDS]):
        for position, kind in named(catalog, part):
            if scores.get(position, (0.0, 0.0))[0] >= NAMED_PART:
                continue
            own = set(ix.words(part))
            fields = {
                name: set(text.split())
                for name, text in zip(ix.COLUMNS, idx.texts([position])[position], strict=True)
            }
            others = [w for w in expanded if w.text not in own]
            _, found, _ = _score(others, fields)
            unheld = [w for w, f in zip(others, found, strict=True) if f <= 0 and w.alternatives]
            if not unheld:
                offer(position, NAMED_PART, 1.0, ((kind, part),))
            elif all(set(w.alternatives.values()) == {LOANWORD_SIMILARITY} for w in unheld):
                # what it lacks is only a guess at a loanword's sound: shown, below papers
                # that hold the guess
                offer(position, NAMED_GUESS, 1.0, ((kind, part),))

    ranked = sorted(scores.items(), key=lambda item: (-item[1][0], -item[1][1], item[0]))
    hits: list[Hit] = []
    for position, (score, _) in ranked:
        if score < floor:
            continue
        if limit is not None and len(hits) >= limit:
            break
        why = matched[position]
        if isinstance(why, dict):
            why = explain(catalog, position, why)
        hits.append(Hit(position, shown_score(score), why))
    return hits


def shown_score(score: float) -> float:
    """A score as people read it: 0 for the least evidence `search` lets through (the
    floor), 100 for a paper named whole. Ranking uses the score itself; this only spreads
    it over the whole scale, so that a paper holding one common word of the query ("Models")
    reads as weak next to one holding the query (34 against 76, not 75 against 91)."""
    return round(max(0.0, min(100.0, 100 * (score - SCORE_FLOOR) / (100 - SCORE_FLOOR))), 1)


# ---------------------------------------------------------------- why it matched

_SNIPPET_WORDS = 12


def explain(catalog: Catalog, position: int, where: dict[str, set[str]]) -> tuple:
    """(field, text) pairs saying what matched: the paper's own words that carry each
    matched token, and for a summary a short snippet around them."""
    paper = catalog.paper(position)
    tokens = _index(catalog).tokens  # the words a search stemmed, remembered
    texts = dict(zip(ix.TEXT_FIELDS, ix.paper_fields(paper), strict=True))
    out: list[tuple[str, str]] = []
    for field in ix.COLUMNS:
        wanted = where.get(field)
        if not wanted:
            continue
        if field in ("summary", "abstract"):
            out.append((field, _snippet(texts[field], wanted, tokens)))
        elif field in texts:
            seen: dict[str, None] = {}
            for text in texts[field]:
                for raw in re.findall(r"[^\W_]+", text):
                    if any(t in wanted for w in ix.words(raw) for t in tokens.of(w)):
                        seen[raw] = None
            out.append((field, ", ".join(seen) or " ".join(sorted(wanted))))
        elif field == "topic":
            path = catalog.topic_path(paper.topic)
            out.append((field, " › ".join(t.name for t in path)))
        elif field == "venue":
            out.append((field, paper.venue or ""))
        else:
            out.append((field, str(paper.year or "")))
    return tuple(out)


def _snippet(texts: list[str], wanted: set[str], tokens: ix.Tokens) -> str:
    """A few words of the summary text that holds most of `wanted`, around the first one."""
    best, best_hits, best_marks = "", -1, [0]
    for text in texts:
        parts = text.split()
        found = (
            i
            for i, part in enumerate(parts)
            if any(t in wanted for w in ix.words(part) for t in tokens.of(w))
        )
        # one text (an abstract of 200 words): its first match is all the snippet needs
        if len(texts) > 1:
            marks = list(found)
        else:
            first = next(found, None)
            marks = [] if first is None else [first]
        if len(marks) > best_hits:
            best, best_hits, best_marks = text, len(marks), marks or [0]
    parts = best.split()
    start = max(0, best_marks[0] - 3)
    end = min(len(parts), start + _SNIPPET_WORDS)
    snippet = " ".join(parts[start:end])
    return ("…" if start else "") + snippet + ("…" if end < len(parts) else "")
