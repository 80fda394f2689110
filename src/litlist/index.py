"""The search index: our tokeniser, and the SQLite tables a search reads (FTS5 for BM25).

Tokens are made here, the same way for the catalog and for a query: `words()` folds case,
width and accents; English words are stemmed (PyStemmer, so `decoding` meets `decode`), and a
glued compound gets the tokens of its parts (`finetuning` meets `fine-tuning`); a Hangul
word ending in a particle (`가중치는`, `가중치를`) is indexed both as typed and without the
particle, so whichever particle a user types, the stems meet. FTS5 is then told to split
on spaces only (its `ascii` tokenizer, fed lower-case tokens), so both sides agree exactly.

One database holds a catalog (see `catalog.py` for the papers and meta tables); this module
owns the search tables:

- `fts`: one contentless FTS5 row per paper (rowid = position), columns alias, title,
  author, summary (Korean bullets and summary_en: the list's own words), abstract (the
  author's, as a .bib, arXiv or Crossref gave it), topic (its headings), venue (names) and
  year, so BM25 weighs a match by column and by how rare its token is;
- `tokens`: the same token strings in a plain table, so a search reads its candidates'
  tokens back instead of tokenising their records again (FTS5 with its own content
  scores four times slower);
- `terms`: every word as written (folded, not stemmed) with its tokens, for prefixes and
  typos (a typo is a slip in what the user saw, not in a stem);
- `names`: aliases (compacted), ids, keys, arXiv ids, DOIs and plain titles, for exact names;
- `df`: how many papers hold each token, copied from FTS5's vocabulary when the index is
  built: fts5vocab counts by reading a token's whole list of positions, 40 ms a query of
  common words at 100,000 abstracts, where this table answers in a look-up.

Pure apart from the connection it is given: no files, no rapidfuzz (that is `query.py`'s).
"""

from __future__ import annotations

import functools
import re
import sqlite3
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar, cast

if TYPE_CHECKING:
    from litlist.model import Catalog, Paper, Topic, Venue

# The FTS5 columns, in order; `query.py` names matches after them.
COLUMNS = ("alias", "title", "author", "summary", "abstract", "topic", "venue", "year")
TEXT_FIELDS = COLUMNS[:5]  # what `paper_fields` gives, in order
# BM25 weights per column (FTS5's bm25() arguments): only the order of candidates. An
# abstract weighs as a summary: BM25 already discounts its length.
BM25_WEIGHTS = (6.0, 3.0, 3.0, 1.0, 1.0, 0.5, 0.5, 0.5)

STOPWORDS = frozenset(
    """a an and are as at be by can could do does for from has have how i in into is it its of
    on or our that the their them then there these they this to was we were what when where
    any some each such so than very also
    which who whose why will with via vs""".split()
)

_WORD = re.compile(r"[^\W_]+")
_COMBINING = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")
# Runs of accented Latin letters (and stray combining marks): the only text whose accents
# need stripping. Decomposing whole strings would also take Hangul apart, at a high price.
_ACCENTED = re.compile(
    r"[\u00c0-\u024f\u1e00-\u1eff\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+"
)

# Korean particles (josa) and their usual combinations, longest first so `에서는` is taken
# whole. A rule list, not an analyzer: kiwipiepy would add a model load of about a second to
# every search, and a catalog's Korean is short bullets where these endings are what varies.
_BASE_PARTICLES = (
    "이 가 은 는 을 를 의 에 에서 으로 로 과 와 도 만 까지 부터 보다 처럼 에게".split()
)
_COMBINED = [
    a + b
    for a in ("에서", "으로", "로", "에", "과", "와", "만", "까지", "부터", "에게")
    for b in ("는", "도", "의", "은", "을", "이", "만")
]
PARTICLES = tuple(sorted(set(_BASE_PARTICLES + _COMBINED), key=len, reverse=True))


# British spellings as American ones, before stemming (which leaves -ise and -ize apart):
# summaries say "summarisation", users type "summarization". Applied to catalog and query
# alike, so a word it changes needlessly ("promise") still meets itself.
_BRITISH = (
    (re.compile(r"(?<=[a-z]{2})is(e|ed|es|ing|er|ers|ation|ations)$"), r"iz\1"),
    (re.compile(r"(?<=[a-z])ys(e|ed|es|ing)$"), r"yz\1"),
    (re.compile(r"(?<=[a-z]{2}[ilvbm])our(s|ed|ing|able|ite|ites)?$"), r"or\1"),
)


def american(word: str) -> str:
    """`word` (folded ASCII) in American spelling: normalisation → normalization."""
    if len(word) >= 6:
        for pattern, replacement in _BRITISH:
            word = pattern.sub(replacement, word)
    return word


# Compounds written both glued and hyphenated ("finetuning", "fine-tuning"; "pretrained",
# "pre-trained"): a glued one gets the tokens of its two parts, so every spelling meets. A
# hand-kept list of the field's usual ones: a general splitter would cut "present" at "pre".
_GLUED = re.compile(
    r"fine(?=tun)|pre(?=train)|feed(?=forward)|multi(?=head|modal|task|lingual)"
    r"|zero(?=shot)|few(?=shot)|post(?=hoc)|key(?=value)"
    r"|self(?=attention|supervis|instruct|consisten)"
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


def is_hangul(char: str) -> bool:
    return "\uac00" <= char <= "\ud7a3"


def strip_particle(word: str) -> str | None:
    """`word` without a Korean particle at its end (`가중치는` → `가중치`, `JSD가` → `jsd`),
    or None. Only a word ending in Hangul, and only when at least two characters remain:
    a one-syllable stem would join unrelated words."""
    if len(word) < 3 or not is_hangul(word[-1]):
        return None
    for particle in PARTICLES:
        if word.endswith(particle) and len(word) - len(particle) >= 2:
            return word[: -len(particle)]
    return None


# Endings that make a Hangul noun a verb or an adjective (`수정하는`, `무해한`, `효율적인`):
# a query's predicate is looked up by its noun. Query-side only: the index keeps the words
# as written, and a query's bare noun reaches them by prefix (`선호` finds `선호하여`).
PREDICATE_ENDINGS = tuple(
    sorted(
        """하는지 하는 하고 하여 해서 하지 하며 한다 했다 하게 하기 할 한 함 해
        해도 하면 해야 하다 했던 하던 하려면 하면서 했지만 하지만 합니다 했습니다 하도록
        시키는 시켜 시킨 시키기 시킨다 시키면 되는 되어 되고 된 됨 된다 되다 되면 되지 됐다
        되도록 되었다 적인 적으로 적 스러운 히""".split(),
        key=len,
        reverse=True,
    )
)


def korean_stem(word: str) -> str:
    """The noun a Hangul query word is about: without a predicate ending
    (`PREDICATE_ENDINGS`; `수정하는` is not `수정하` + `는`) or else without a particle
    (`strip_particle`) and a plural or "per" suffix, keeping at least two syllables; the
    word itself when none applies."""
    if is_hangul(word[-1:] or "a"):
        for ending in PREDICATE_ENDINGS:
            if word.endswith(ending) and len(word) - len(ending) >= 2:
                return word[: -len(ending)]
    stem = strip_particle(word) or word
    # a plural (`모델들`) or "per" (`단계별`) suffix on the noun
    if len(stem) >= 3 and stem[-1] in "들별":
        stem = stem[:-1]
    return stem


class Tokens:
    """Word → tokens, remembered: a catalog repeats its words, and stemming each once keeps
    building a large catalog's index cheap. The stemmer is imported on first use only."""

    def __init__(self) -> None:
        # word -> its tokens joined by spaces ("" for a stop word): what an FTS column holds
        self._joined: dict[str, str] = {}
        self._stem = None

    def _stemmer(self):
        if self._stem is None:
            import Stemmer  # PyStemmer: Snowball's English stemmer, in C

            self._stem = Stemmer.Stemmer("english").stemWord
        return self._stem

    def of(self, word: str) -> tuple[str, ...]:
        """The tokens of one folded word (empty for a stop word)."""
        found = self._joined.get(word)
        if found is None:
            found = self._joined[word] = " ".join(self._make(word))
        return tuple(found.split())

    def _make(self, word: str) -> tuple[str, ...]:
        if word in STOPWORDS:
            return ()
        if word.isascii():
            if not word.isalpha():
                return (word,)
            glued = _GLUED.match(word)
            if glued and glued.end() < len(word):  # once per distinct word: Tokens remembers
                parts = (word[: glued.end()], word[glued.end() :])
                return tuple(self._stemmer()(american(part)) for part in parts)
            return (self._stemmer()(american(word)),)
        stem = strip_particle(word)
        if stem is None:
            return (word,)
        base = self._stemmer()(stem) if stem.isascii() and stem.isalpha() else stem
        return (word, base)

    def field(self, texts: Iterable[str]) -> str:
        """The tokens of several texts as one FTS column value (tokens separated by spaces).
        The per-word work is a dictionary look-up done by `map`: at 100,000 papers this is
        most of what building the index costs."""
        unique = dict.fromkeys(words(" ".join(texts)))
        joined = self._joined
        try:
            return " ".join(map(joined.__getitem__, unique))
        except KeyError:
            for word in unique:
                if word not in joined:
                    joined[word] = " ".join(self._make(word))
            return " ".join(map(joined.__getitem__, unique))

    def text(self, texts: Iterable[str]) -> list[str]:
        """The distinct tokens of several texts."""
        return list(dict.fromkeys(self.field(texts).split()))

    def known(self) -> dict[str, str]:
        return self._joined


class Facets:
    """The words a paper's topic headings and venue stand for, as FTS column values (tokens
    separated by spaces). Each topic and each venue is tokenised once: a catalog has few of
    them (remembering them by topic, venue and year together made a new entry for most
    papers, 2.5 MB and 0.04 s at 10,000)."""

    def __init__(self, topics: Sequence[Topic], venues: Sequence[Venue], tokens: Tokens):
        self._tokens = tokens
        self._topic_names = {t.slug: t for t in topics}
        self._venue_names = {v.id: (v.id, v.name, *v.aliases) for v in venues}
        self._topics: dict[str | None, str] = {}
        self._venues: dict[str | None, str] = {}

    def of(self, topic: str | None, venue: str | None, year: int | None) -> tuple[str, str, str]:
        """The topic, venue and year columns of a paper."""
        topic_column = self._topics.get(topic)
        if topic_column is None:
            texts: list[str] = []
            parts = (topic or "").split("/")
            for n in range(len(parts)):
                heading = self._topic_names.get("/".join(parts[: n + 1]))
                if heading is not None:
                    texts += [heading.name, heading.slug.rsplit("/", 1)[-1]]
            topic_column = self._topics[topic] = " ".join(self._tokens.text(texts))
        venue_column = self._venues.get(venue)
        if venue_column is None:
            names = self._venue_names.get(venue or "", ())
            venue_column = self._venues[venue] = " ".join(self._tokens.text(names))
        return topic_column, venue_column, str(year) if year else ""


def paper_fields(
    paper: Paper,
) -> tuple[list[str], list[str], list[str], list[str], list[str]]:
    """The texts of alias, title, author, summary and abstract of one paper."""
    titles = [paper.title, *paper.other_titles]
    authors = list(paper.authors)
    if paper.published:
        if paper.published.title:
            titles.append(paper.published.title)
        authors += paper.published.authors
    summary = list(paper.summary)
    if paper.summary_en:
        summary.append(paper.summary_en)
    abstract = [paper.abstract] if paper.abstract else []
    return list(paper.aliases), titles, authors, summary, abstract


def paper_tokens(paper: Paper, tokens: Tokens, facets: Facets) -> list[str]:
    """Each FTS column of one paper (`COLUMNS`): its tokens, separated by spaces."""
    # most papers have no alias: an empty field needs no tokenising
    fields = [tokens.field(texts) if texts else "" for texts in paper_fields(paper)]
    fields += facets.of(paper.topic, paper.venue, paper.year)
    return fields


# ---------------------------------------------------------------- identifiers

# A URL may come without its scheme or with www. (as browsers show it), and arXiv's DOI
# in any form a DOI takes.
_URL = r"(?:https?://)?(?:www\.)?"
_DOI_PREFIX = rf"(?:{_URL}(?:dx\.)?doi\.org/|doi:\s*)"
_ARXIV = re.compile(
    rf"(?:{_URL}(?:export\.)?arxiv\.org/(?:abs|pdf)/|arxiv[:\s]\s*"
    rf"|{_DOI_PREFIX}?10\.48550/arxiv\.)?"
    r"((?:\d{4}\.\d{4,5})|(?:[a-z-]+(?:\.[a-z]{2})?/\d{7}))(?:v\d+)?(?:\.pdf)?/?",
    re.IGNORECASE,
)
_DOI = re.compile(rf"{_DOI_PREFIX}?(10\.\d{{4,9}}/\S+)", re.IGNORECASE)


def arxiv_id(text: str) -> str | None:
    """The arXiv id in `2305.18290`, `arXiv:2305.18290v3`, `arxiv 2305.18290`, an abs or pdf
    URL (with or without https://), or arXiv's DOI (bare, doi: or a doi.org URL)."""
    match = _ARXIV.fullmatch(text.strip())
    return match.group(1).lower() if match else None


def doi_of(text: str) -> str | None:
    """A DOI, lower-case, from `10.…`, `doi:10.…` or a doi.org URL, with or without
    https:// (DOIs ignore case)."""
    match = _DOI.fullmatch(text.strip())
    return match.group(1).lower() if match else None


_NOT_ALNUM = re.compile(r"[\W_]+")


def plain_title(title: str) -> str:
    """A title reduced for comparison: case, accents, punctuation and spaces dropped."""
    if not title.isascii():  # decomposed, an accent is a separate mark, dropped below
        title = unicodedata.normalize("NFKD", title)
    return _NOT_ALNUM.sub("", title.casefold())


def arxiv_name(arxiv: str) -> str:
    """An arXiv id as `names` stores it (no version, lower case)."""
    return arxiv_id(arxiv) or arxiv.lower()


def paper_names(paper: Paper) -> list[tuple[str, str]]:
    """(name, kind) pairs a paper can be called by, in the forms `names` stores; its titles
    (`plain_title`: the title, other titles, the version of record's) are there for the
    duplicate check of `add` and `import`, which then reads no record."""
    out = [(compact(a), "alias") for a in paper.aliases if compact(a)]
    out.append((paper.id.casefold(), "id"))
    if paper.key:
        out.append((paper.key.casefold(), "key"))
    if paper.arxiv:
        out.append((arxiv_name(paper.arxiv), "arxiv"))
    for doi in {paper.doi, paper.published.doi if paper.published else None} - {None}:
        out.append((doi.lower(), "doi"))  # type: ignore[union-attr]
    titles = {paper.title, *paper.other_titles}
    if paper.published and paper.published.title:
        titles.add(paper.published.title)
    out += [(plain, "title") for plain in {plain_title(t) for t in titles} if plain]
    return out


# ---------------------------------------------------------------- the tables

NAMES_INDEX = "names_name"  # see Builder.add
_CREATE_NAMES_INDEX = f"create index {NAMES_INDEX} on names(name)"
SCHEMA = f"""
create table terms(word text primary key, tokens text not null) without rowid;
create table names(name text not null, kind text not null, pos integer not null);
{_CREATE_NAMES_INDEX};
create virtual table fts using fts5(
    alias, title, author, summary, abstract, topic, venue, year,
    tokenize = 'ascii', content = '', detail = 'full'
);
create table tokens(
    pos integer primary key, alias, title, author, summary, abstract, topic, venue, year
);
create virtual table fts_vocab using fts5vocab(fts, 'row');
create table df(term text primary key, doc integer not null) without rowid;
"""


class Builder:
    """Indexes papers one by one into a database holding `SCHEMA` (inside the caller's
    transaction: `executescript` would end it, so the tables are made before)."""

    BATCH = 500  # as catalog._Sink's

    def __init__(self, db: sqlite3.Connection, topics, venues) -> None:
        self.db = db
        self.tokens = Tokens()
        self.facets = Facets(topics, venues, self.tokens)
        self._rows: list[tuple] = []
        self._names: list[tuple] = []
        self._fresh: bool | None = None  # indexing from position 0 (not an append)?
        self._sort_names = False
        self._appended: dict[str, int] = {}  # token -> papers holding it, on an append

    def add(self, position: int, paper: Paper) -> None:
        if self._fresh is None:
            self._fresh = position == 0
        fields = paper_tokens(paper, self.tokens, self.facets)
        self._rows.append((position, *fields))
        self._names += [(name, kind, position) for name, kind in paper_names(paper)]
        if len(self._rows) >= self.BATCH:
            if self._fresh and not self._sort_names:
                # a large catalog: its names are indexed once they are all in, in one sort,
                # rather than kept in order through every insert (100k papers: 0.5 s, not
                # 1.2 s). A small one keeps the index it has (and the pages where they were).
                self.db.execute(f"drop index if exists {NAMES_INDEX}")
                self._sort_names = True
            self.flush()

    def flush(self) -> None:
        if not self._fresh:
            counts = self._appended
            for row in self._rows:
                for token in set(" ".join(row[1:]).split()):
                    counts[token] = counts.get(token, 0) + 1
        self.db.executemany(
            "insert into fts(rowid, alias, title, author, summary, abstract, topic, venue, year)"
            " values (?,?,?,?,?,?,?,?,?)",
            self._rows,
        )
        self.db.executemany("insert into tokens values (?,?,?,?,?,?,?,?,?)", self._rows)
        self.db.executemany("insert into names values (?,?,?)", self._names)
        self._rows, self._names = [], []

    def finish(self) -> None:
        """Flush the last papers, index their names, and record every word seen (new ones
        only, on an append)."""
        self.flush()
        if self._sort_names:
            self.db.execute(_CREATE_NAMES_INDEX)
            self._sort_names = False
        self.db.executemany(
            "insert or ignore into terms values (?, ?)",
            ((word, toks) for word, toks in self.tokens.known().items() if toks),
        )
        if self._fresh:
            self.db.execute("delete from df")
            self.db.execute("insert into df select term, doc from fts_vocab")
        else:
            self.db.executemany(
                "insert into df values (?, ?)"
                " on conflict(term) do update set doc = doc + excluded.doc",
                self._appended.items(),
            )
            self._appended = {}


class _Damaged(Exception):
    """A search table gave what an intact cache cannot hold."""


_Read = TypeVar("_Read", bound=Callable[..., Any])


def _rebuilt_on_error(method: _Read) -> _Read:
    """A read of the search tables that any error at all (SQLite's, or a row of the wrong
    shape or type) makes rebuild the cache (`recover`) and ask again, once: a damaged
    cache is never an answer and never a traceback."""

    @functools.wraps(method)
    def read(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except Exception:  # noqa: BLE001 - whatever the damage, the rebuilt cache answers
            if self._recover is None:
                raise
            self.db = self._recover()
            self._recover = None
            return method(self, *args, **kwargs)

    return cast(_Read, read)


def _position(value: object) -> int:
    """A paper's position as a search table holds it; anything else is damage."""
    if type(value) is not int or value < 0:
        raise _Damaged(f"position {value!r}")
    return value


class SearchIndex:
    """What a search reads, over an open database (the cache file or one in memory).

    The catalog this run loaded has `size` papers; `litlist add` in another process may
    append rows to the same cache file meanwhile, so every position read here is kept below
    `size` (one snapshot: the papers the rest of the run knows). A result that cannot come
    from an intact cache (a paper with no tokens row, a row of the wrong shape), or any
    error reading one, is damage: the cache is rebuilt (`_rebuilt_on_error`)."""

    def __init__(self, db: sqlite3.Connection, size: int, *, recover=None) -> None:
        self.db = db
        self.size = size
        self._recover = recover
        self.tokens = Tokens()

    def _rows(self, sql: str, params: Sequence = ()) -> list:
        return self.db.execute(sql, params).fetchall()

    @_rebuilt_on_error
    def doc_freqs(self, tokens: Iterable[str]) -> dict[str, int]:
        """How many papers hold each token (tokens held by none are left out)."""
        wanted = list(dict.fromkeys(tokens))
        if not wanted:
            return {}
        marks = ",".join("?" * len(wanted))
        return dict(self._rows(f"select term, doc from df where term in ({marks})", wanted))

    @_rebuilt_on_error
    def candidates(
        self,
        groups: Sequence[Iterable[str]],
        freqs: dict[str, int],
        limit: int,
        within: set[int] | None = None,
    ) -> list[tuple[int, float]]:
        """(position, BM25 score) of papers holding the query's words, best first: those
        holding every group (a word's tokens) first, then those holding any of its rarer
        tokens. Tokens in more than a twentieth of a large catalog say little and would make FTS5
        score most of a large catalog; they still count when candidates are rescored."""
        groups = [list(dict.fromkeys(g)) for g in groups]
        groups = [g for g in groups if g]
        if not groups:
            return []
        # at least 50: in a small catalog every word is in a fifth of it
        common = max(50, self.size // 20)

        def match(expression: str, count: int | None) -> list[tuple[int, float]]:
            weights = ", ".join(str(w) for w in BM25_WEIGHTS)
            sql = f"select rowid, bm25(fts, {weights}) as r from fts where fts match ? order by r"
            if within is None and count is not None:
                rows = self._rows(sql + " limit ?", (expression, count))
            else:
                rows = self._rows(sql, (expression,))
            found = [
                (r[0], -r[1])
                for r in rows
                if _position(r[0]) < self.size and (within is None or r[0] in within)
            ]
            return found[:count] if count is not None else found

        def any_of(tokens: Iterable[str]) -> str:
            return "(" + " OR ".join(f'"{t}"' for t in tokens) + ")"

        found: dict[int, float] = {}
        # a group whose every token is common would make FTS5 walk most of the catalog
        narrow = [g for g in groups if any(freqs.get(t, 0) <= common for t in g)] or groups
        if len(narrow) > 1:
            found.update(match(" AND ".join(any_of(g) for g in narrow), limit))
        if len(found) < limit:
            tokens = [t for g in groups for t in g]
            rare = [t for t in tokens if freqs.get(t, 0) <= common] or tokens
            for position, score in match(any_of(rare), limit):
                found.setdefault(position, score)
                if len(found) >= limit:
                    break
        return list(found.items())

    @_rebuilt_on_error
    def aliases(self, first: str, low: int, high: int) -> list[tuple[str, int]]:
        """(compact alias, position) of aliases starting with `first`, between `low` and
        `high` characters long (a typo of an alias keeps its first letter, here)."""
        rows = self._rows(
            "select name, pos from names where name >= ? and name < ? and kind = 'alias'"
            " and length(name) between ? and ?",
            (first, first + "\U0010ffff", low, high),
        )
        return [(name, pos) for name, pos in rows if _position(pos) < self.size]

    @_rebuilt_on_error
    def texts(self, positions: Sequence[int]) -> dict[int, tuple[str, ...]]:
        """The indexed tokens of some papers, column by column (`COLUMNS`)."""
        if not positions:
            return {}
        marks = ",".join("?" * len(positions))
        wanted = list(positions)
        rows = self._rows(f"select * from tokens where pos in ({marks})", wanted)
        found = {row[0]: tuple(row[1:]) for row in rows}
        # every indexed paper has one row of tokens, one string per column
        if len(found) < len(set(wanted)) or any(
            len(texts) != len(COLUMNS) or not all(isinstance(t, str) for t in texts)
            for texts in found.values()
        ):
            raise _Damaged("tokens")
        return found

    @_rebuilt_on_error
    def with_prefix(self, prefix: str, limit: int = 200) -> list[tuple[str, str]]:
        """(word, tokens) of the words that start with `prefix`."""
        return self._rows(
            "select word, tokens from terms where word >= ? and word < ? limit ?",
            (prefix, prefix + "\U0010ffff", limit),
        )

    @_rebuilt_on_error
    def near(self, word: str, low: int, high: int) -> list[tuple[str, str]]:
        """(word, tokens) of the words that start with `word`'s first letter and are `low` to
        `high` characters long: where a typo of it can be (a slip in the first letter is
        rare, and this keeps a large vocabulary's scan to a small part of it)."""
        return self._rows(
            "select word, tokens from terms where word >= ? and word < ?"
            " and length(word) between ? and ?",
            (word[0], word[0] + "\U0010ffff", low, high),
        )

    @_rebuilt_on_error
    def matching(self, first: str, pattern: str, low: int, high: int) -> list[tuple[str, str]]:
        """(word, tokens) of the words that start with `first`, are `low` to `high`
        characters long and match the GLOB `pattern` (SQLite filters, in C)."""
        return self._rows(
            "select word, tokens from terms where word >= ? and word < ?"
            " and length(word) between ? and ? and word glob ?",
            (first, first + "\U0010ffff", low, high, pattern),
        )

    @_rebuilt_on_error
    def named(self, name: str, kinds: Sequence[str] | None = None) -> list[tuple[int, str]]:
        """(position, kind) of the papers called `name` (stored forms: see `paper_names`)."""
        rows = self._rows("select pos, kind from names where name = ?", (name,))
        return [
            (p, k) for p, k in rows if _position(p) < self.size and (kinds is None or k in kinds)
        ]


def build(catalog: Catalog) -> SearchIndex:
    """The index of a catalog that did not come from the cache, in memory."""
    db = sqlite3.connect(":memory:", check_same_thread=False)
    db.executescript(SCHEMA)
    builder = Builder(db, catalog.topics, catalog.venues)
    for i in range(len(catalog)):
        builder.add(i, catalog.paper(i))
    builder.finish()
    return SearchIndex(db, len(catalog))
