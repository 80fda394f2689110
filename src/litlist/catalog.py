"""Find, read and validate a catalog file; keep a derived cache of it. Never writes the catalog.

`load()` is what every command calls: it takes the catalog from the cache when the cache still
stands for the file (see `cache.py`), or else parses it (TOML), validates it (`schema.py`)
paper by paper, refusing a catalog with any problem, and streams the result into an SQLite
database (the cache file, or one in memory when there is no cache): a `papers` table of one
marshalled record per paper with its CRC-32, a `columns` table holding each column filters
use as one blob (with its CRC-32), a `meta` table (format, fingerprint, topics, venues,
size), and the search tables of `index.py`. `extend_cache()` appends papers to a cache in place.
`check()` validates from scratch and returns every problem instead of raising.
"""

from __future__ import annotations

import gc
import marshal
import os
import re
import sqlite3
import stat as stat_module
import time
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from litlist import cache
from litlist.errors import CatalogError, Problem
from litlist.model import (
    COLUMNS,
    Catalog,
    Paper,
    Topic,
    Venue,
    from_record,
    may_hold_controls,
    to_record,
)

if TYPE_CHECKING:  # fsutil is imported only where a catalog is written or recovered
    from litlist import fsutil

ENV_VAR = "LITLIST_CATALOG"
PACKAGED = Path(__file__).parent / "data" / "papers.toml"
# A source checkout (editable install, or running the tests from the tree).
SOURCE_TREE = Path(__file__).resolve().parents[2] / "data" / "papers.toml"
# Catalogs this large show a progress bar while they are parsed and indexed.
PROGRESS_FROM = 2000
PARSE_NOTICE = 2_000_000  # characters

Progress = Callable[[str, int | None], object]


DATA_ENV_VAR = "LITLIST_DATA_DIR"
# Why a catalog was chosen, in the words `litlist check` prints.
BY_OPTION, BY_ENV, BY_USER, BY_SHIPPED = "--catalog", "$LITLIST_CATALOG", "your catalog", "shipped"


def user_catalog() -> Path:
    """Where `litlist init` puts the user's own catalog: $LITLIST_DATA_DIR (tests), else the
    platform's user data folder (~/.local/share/litlist on Linux)."""
    folder = os.environ.get(DATA_ENV_VAR)
    if not folder:
        # imported here: most runs name their catalog or have none of their own
        import platformdirs

        folder = platformdirs.user_data_dir("litlist", appauthor=False)
    return Path(folder).expanduser().absolute() / "papers.toml"


def choose(path: str | os.PathLike | None = None) -> tuple[Path, str]:
    """The catalog to use and why: `path` (--catalog), else $LITLIST_CATALOG, else the user's
    own catalog if `litlist init` made one, else the catalog shipped with litlist."""
    if path not in (None, ""):
        return Path(path).expanduser().absolute(), BY_OPTION  # type: ignore[arg-type]
    chosen = os.environ.get(ENV_VAR)
    if chosen:
        return Path(chosen).expanduser().absolute(), BY_ENV
    own = user_catalog()
    # anything at that path is the user's catalog, also a link whose file is gone: reading it
    # then says what is wrong, rather than the shipped list being read in its place unsaid
    if os.path.lexists(own):
        return own, BY_USER
    for candidate in (PACKAGED, SOURCE_TREE):
        if candidate.is_file():
            return candidate, BY_SHIPPED
    return PACKAGED, BY_SHIPPED


def locate(path: str | os.PathLike | None = None) -> Path:
    """The catalog to use (see `choose` for the order)."""
    return choose(path)[0]


def shipped() -> Path:
    """The catalog litlist ships (in the package, or in a source checkout)."""
    return PACKAGED if PACKAGED.is_file() else SOURCE_TREE


def is_shipped(path: Path) -> bool:
    """True for the shipped catalog, whatever the name used for it (a symlink, a hard link:
    the same device and inode), or any file inside the installed package: those are never
    written."""
    try:
        info = os.stat(path)
    except OSError:
        info = None
    for candidate in (PACKAGED, SOURCE_TREE):
        try:
            ship = os.stat(candidate)
        except OSError:
            continue
        if info is not None and (info.st_dev, info.st_ino) == (ship.st_dev, ship.st_ino):
            return True
    real = Path(os.path.realpath(path))
    package = Path(os.path.realpath(Path(__file__).parent))
    return package in real.parents


def _finish_interrupted_write(path: Path) -> None:
    """A catalog rewritten in place (it has other hard links) by a litlist that crashed
    midway is finished from its journal before it is read (see fsutil). One lstat when
    there is none; fsutil is imported only when there is one (it costs a warm run 17 ms)."""
    if os.path.lexists(path.with_name(f".{path.name}.litlist-journal")):  # fsutil's name
        from litlist import fsutil

        fsutil.recover(path)


def _failure(path: Path, exc: OSError) -> CatalogError:
    if isinstance(exc, FileNotFoundError) and path.is_symlink():
        message = f"a link to {os.readlink(path)}, which does not exist"
    elif isinstance(exc, FileNotFoundError):
        message = "no such catalog file"
    elif isinstance(exc, IsADirectoryError):
        message = "is a folder, not a catalog file"
    elif isinstance(exc, PermissionError):
        message = "permission denied"
    else:
        message = exc.strerror or str(exc)
    return CatalogError(path, [Problem(path, message)])


_NOT_A_FILE = (
    (stat_module.S_ISDIR, "a folder"),
    (stat_module.S_ISFIFO, "a named pipe (FIFO)"),
    (stat_module.S_ISCHR, "a character device"),
    (stat_module.S_ISBLK, "a block device"),
    (stat_module.S_ISSOCK, "a socket"),
)


def _regular(path: Path, stat: os.stat_result) -> os.stat_result:
    """`stat` if it is a regular file's; else a CatalogError that says what the path is."""
    if not stat_module.S_ISREG(stat.st_mode):
        what = next((name for test, name in _NOT_A_FILE if test(stat.st_mode)), "not a file")
        raise CatalogError(path, [Problem(path, f"is {what}, not a catalog file")])
    return stat


def _stat(path: Path) -> os.stat_result:
    try:
        stat = os.stat(path)
    except OSError as exc:
        raise _failure(path, exc) from None
    return _regular(path, stat)


def _read(path: Path) -> bytes:
    # O_NONBLOCK: a FIFO put in the file's place after _stat would otherwise block open()
    # until someone writes to it; the fstat then refuses it without reading
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise _failure(path, exc) from None
    try:
        with open(fd, "rb") as handle:
            _regular(path, os.fstat(handle.fileno()))
            return handle.read()
    except OSError as exc:
        raise _failure(path, exc) from None


def _decode(path: Path, raw: bytes) -> str:
    try:
        # a byte order mark (Windows Notepad writes one) only says the file is UTF-8
        return raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise CatalogError(
            path, [Problem(path, f"not UTF-8 text (byte 0x{raw[exc.start]:02x})", line=line)]
        ) from None


def _parse(path: Path, text: str) -> dict:
    # tomli's compiled wheels parse 3-4x faster than the standard library's tomllib (the
    # same parser, interpreted); parsing is most of what a changed catalog costs.
    try:
        import tomli as toml
    except ImportError:  # pragma: no cover - a platform without tomli
        import tomllib as toml  # type: ignore[no-redef]

    try:
        return toml.loads(text)
    except toml.TOMLDecodeError as exc:
        message = str(exc)
        found = re.search(r"\(at line (\d+), column \d+\)", message)
        line = int(found.group(1)) if found else None
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", message)
        raise CatalogError(path, [Problem(path, f"not valid TOML: {message}", line=line)]) from None


def check(path: str | os.PathLike | None = None) -> tuple[Catalog | None, list[Problem]]:
    """Validate the catalog from scratch (no cache): the catalog and every problem found."""
    from litlist import schema

    where = locate(path)
    try:
        _finish_interrupted_write(where)
        _stat(where)
        text = _decode(where, _read(where))
        return schema.validate(_parse(where, text), str(where), text)
    except CatalogError as exc:
        return None, exc.problems


def load(
    path: str | os.PathLike | None = None,
    *,
    progress: Progress | None = None,
    known: tuple[bytes, fsutil.Snapshot, int] | None = None,
) -> Catalog:
    """The validated catalog, from the cache when it still stands for the file.

    `known` is (bytes, `fsutil.Snapshot`, when read) of the file as the caller has just read
    it (an edit holds the file locked and has read it already): those bytes and their hash
    are used instead of reading and hashing the file again, as long as the file's stat is
    still the snapshot's (else it is read again).

    Why a cache was not used when it could not be trusted is in the catalog's `warnings`
    (services do not print; the CLI does)."""
    where = locate(path)
    _finish_interrupted_write(where)
    stat = _stat(where)
    given: tuple[bytes, str, int] | None = None
    if known is not None:
        data, snap, read_ns = known
        if (snap.dev, snap.ino, snap.size, snap.mtime_ns) == (
            stat.st_dev,
            stat.st_ino,
            stat.st_size,
            stat.st_mtime_ns,
        ):
            given = (data, snap.sha256, read_ns)
    notes: list[str] = []
    home = cache.folder(notes) if cache.enabled() else None
    raw: bytes | None = None
    sha: str | None = None
    hashed_ns: int | None = None
    if home is not None:
        found, raw, sha, hashed_ns = cache.read(
            where, stat, lambda: _read(where), notes, known=given
        )
        if found is not None:
            try:
                return _noted(_from_db(where, *found), notes)
            except Exception:  # noqa: BLE001 - intact but not the shape we write: rebuild
                found[0].close()
    if raw is None and given is not None:
        raw, sha, hashed_ns = given
    if raw is None:
        hashed_ns = time.time_ns()
        raw = _read(where)
    fingerprint = None
    if home:
        fingerprint = cache.fingerprint(where, stat, sha or cache.digest(raw), hashed_ns or 0)
    box = [raw]
    del raw  # _build lets the bytes go as soon as they are decoded
    target = None
    if home is not None:
        try:
            target = cache.NewFile(where, home)
        except cache.WriteError:
            target = None
    try:
        return _noted(_build(where, box, progress, target, fingerprint), notes)
    except (cache.WriteError, sqlite3.Error):
        if target is None:
            raise
        # the cache could not be written (a full disk?): build again, in memory only
        return _noted(_build(where, [_read(where)], progress, None, None), notes)


def _noted(cat: Catalog, notes: list[str]) -> Catalog:
    cat.warnings = list(dict.fromkeys(notes))
    return cat


# ---------------------------------------------------------------- building

TABLES = """
create table meta(key text primary key, value blob not null) without rowid;
create table papers(pos integer primary key, record blob not null, crc integer not null);
create table columns(name text primary key, value blob not null, crc integer not null);
"""


class _Sink:
    """Receives validated papers one by one and streams them into the database (rows of
    `papers` and the search index) in batches; keeps only the columns in memory."""

    # rows written per executemany: 500 keep 1.7 MB less in memory than 2,000 at the end of
    # a 10k first run, for the same time (CPU of catalog.load, min of 4: 1.368 s / 1.369 s)
    BATCH = 500

    def __init__(self, db: sqlite3.Connection, builder, total: int, progress: Progress | None):
        self.db = db
        self.builder = builder
        self.start = 0
        self.count = 0
        self.rows: list[tuple] = []
        self.columns: dict[str, list] = {name: [] for name in COLUMNS}
        self.bar = (
            progress("Checking and indexing papers", total)
            if progress and total >= PROGRESS_FROM
            else None
        )

    def __call__(self, paper: Paper) -> None:
        position = self.start + self.count
        self.count += 1
        blob = marshal.dumps(to_record(paper))
        self.rows.append((position, blob, zlib.crc32(blob)))
        for name, column in self.columns.items():
            column.append(getattr(paper, name))
        self.builder.add(position, paper)
        if len(self.rows) >= self.BATCH:
            self.flush()
        if self.bar is not None and position % 1000 == 999:
            self.bar.advance(1000)  # type: ignore[attr-defined]

    def flush(self) -> None:
        self.db.executemany("insert into papers values (?, ?, ?)", self.rows)
        self.rows = []

    def close(self) -> None:
        try:
            self.flush()
            self.builder.finish()
        finally:
            if self.bar is not None:
                self.bar.close()  # type: ignore[attr-defined]


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Building makes millions of objects and no reference cycles: the cyclic collector would
    only rescan the parsed document again and again (a quarter of the time at 100k papers)."""
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _loose(data: dict) -> tuple[list[Topic], list[Venue]]:
    """Topics and venues as the document gives them, before validation: the search index
    needs their names while papers stream in (a document that fails validation is dropped
    with its index, so an odd value here costs nothing)."""
    topics, venues = [], []
    for row in data.get("topic") or []:
        if isinstance(row, dict) and isinstance(row.get("slug"), str):
            topics.append(Topic(row["slug"], str(row.get("name", ""))))
    for row in data.get("venue") or []:
        if isinstance(row, dict) and isinstance(row.get("id"), str):
            aliases = row.get("aliases")
            aliases = (
                tuple(a for a in aliases if isinstance(a, str)) if isinstance(aliases, list) else ()
            )
            venues.append(
                Venue(row["id"], str(row.get("name", "")), str(row.get("kind", "")), aliases)
            )
    return topics, venues


def _save_columns(db: sqlite3.Connection, columns: Mapping[str, list]) -> None:
    """Each column as one marshalled blob with its CRC-32: a filter over 100,000 papers
    reads one row, not a table of records."""
    rows = []
    for name, values in columns.items():
        blob = marshal.dumps(values)
        rows.append((name, blob, zlib.crc32(blob)))
    db.executemany("insert or replace into columns values (?, ?, ?)", rows)


def _memory_db() -> sqlite3.Connection:
    return sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)


def _build(
    where: Path,
    box: list[bytes],
    progress: Progress | None,
    target: cache.NewFile | None,
    fingerprint: dict | None,
) -> Catalog:
    """Parse, validate and index the catalog into a database: a new cache file with
    `target` (dropped if anything fails), else one in memory."""
    from litlist import index

    db = target.db if target is not None else _memory_db()
    try:
        with _collector_paused():
            raw = box.pop()
            controls = may_hold_controls(raw)  # one pass over bytes: see schema.validate
            text = _decode(where, raw)
            del raw  # the raw bytes go here
            # parsing a large catalog takes seconds: say so (a bar with no end, on a terminal)
            bar = (
                progress(f"Parsing {where.name}", None)
                if progress and len(text) > PARSE_NOTICE
                else None
            )
            try:
                data = _parse(where, text)
            finally:
                if bar is not None:
                    bar.close()  # type: ignore[attr-defined]
            # pydantic only now, in the memory the text gives back: its import weighs 16 MB
            del text  # line numbers for problems are found by reading the file again
            from litlist import schema

            db.executescript(TABLES + index.SCHEMA)
            db.execute("begin")
            builder = index.Builder(db, *_loose(data))
            rows = data.get("paper")
            sink = _Sink(db, builder, len(rows) if isinstance(rows, list) else 0, progress)
            try:
                shell, problems = schema.validate(
                    data,
                    str(where),
                    lambda: _read(where).decode("utf-8", "replace"),
                    sink=sink,
                    controls=controls,
                )
            finally:
                sink.close()
            del data
            if problems:
                raise CatalogError(where, problems)
            meta = {
                "format": cache.FORMAT,
                "fingerprint": fingerprint or {"source": str(where)},
                "topics": [(t.slug, t.name) for t in shell.topics],
                "venues": [(v.id, v.name, v.kind, v.aliases) for v in shell.venues],
                "size": sink.count,
            }
            _save_columns(db, sink.columns)
            cache.set_meta(db, meta)
            db.execute("commit")
            if target is not None:
                target.commit()
    except BaseException:
        if target is not None:
            target.abort()
        else:
            db.close()
        raise
    store = _DbStore(
        db, meta, columns=sink.columns, recover=(lambda: _recover(where)) if target else None
    )
    return Catalog(str(where), shell.topics, shell.venues, store=store)


# ---------------------------------------------------------------- reading the database


class CacheDamaged(Exception):
    """A row or column of a cache did not match its checksum."""


class _Column(Sequence):
    """One column of `papers`, read on demand: a few values (the rows a table shows) come
    from their papers' records; anything more reads the whole column once."""

    SINGLES = 64

    def __init__(self, store: _DbStore, name: str) -> None:
        self._store = store
        self._name = name
        self._values: list | None = None
        self._singles = 0

    def _all(self) -> list:
        if self._values is None:
            self._values = self._store.column(self._name)
        return self._values

    def __getitem__(self, i):  # type: ignore[override]
        if self._values is None and isinstance(i, int) and self._singles < self.SINGLES:
            self._singles += 1
            size = len(self._store)
            if -size <= i < size:
                return getattr(self._store.paper(i % size), self._name)
        return self._all()[i]

    def __len__(self) -> int:
        return len(self._store)

    def __iter__(self):
        return iter(self._all())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence):
            return list(self) == list(other)
        return NotImplemented

    def __hash__(self):  # a view of mutable data, like a list
        raise TypeError("unhashable type: column")

    def __repr__(self) -> str:
        return f"column({self._name})"


class _Columns(Mapping):
    def __init__(self, store: _DbStore) -> None:
        self._done = {name: _Column(store, name) for name in COLUMNS}

    def __getitem__(self, name: str):
        return self._done[name]

    def __iter__(self):
        return iter(COLUMNS)

    def __len__(self) -> int:
        return len(COLUMNS)


class _DbStore:
    """A catalog's papers in a database: each record decoded (and its CRC checked) when
    first asked for. A cache found damaged while in use is rebuilt on the spot (`recover`)
    and the question asked again of the new one."""

    def __init__(self, db: sqlite3.Connection, meta: dict, *, columns=None, recover=None):
        self.db = db
        self._size = meta["size"]
        self.columns = columns if columns is not None else _Columns(self)
        self._decoded: dict[int, Paper] = {}
        self._index = None
        self._recover = recover

    def __len__(self) -> int:
        return self._size

    def _recovered(self) -> _DbStore:
        if self._recover is None:
            raise CacheDamaged("a database built in this run is damaged")
        fresh: _DbStore = self._recover()
        self.__dict__.update(fresh.__dict__)
        return self

    def paper(self, i: int) -> Paper:
        paper = self._decoded.get(i)
        if paper is None:
            try:
                row = self.db.execute(
                    "select record, crc from papers where pos = ?", (i,)
                ).fetchone()
                if row is None or zlib.crc32(row[0]) != row[1]:
                    raise CacheDamaged(f"record {i}")
                paper = from_record(marshal.loads(row[0]))
            except (sqlite3.DatabaseError, CacheDamaged, ValueError, TypeError, EOFError):
                return self._recovered().paper(i)
            self._decoded[i] = paper
        return paper

    def column(self, name: str) -> list:
        """A whole column, checked against its CRC."""
        if name not in COLUMNS:
            raise KeyError(name)
        try:
            row = self.db.execute(
                "select value, crc from columns where name = ?", (name,)
            ).fetchone()
            if row is None or zlib.crc32(row[0]) != row[1]:
                raise CacheDamaged(name)
            values = marshal.loads(row[0])
            # `extend_cache` in another process may have appended papers since this run
            # read the meta: the column then starts with the papers this run knows
            if not isinstance(values, list) or len(values) < self._size:
                raise CacheDamaged(name)
            del values[self._size :]
        except (sqlite3.DatabaseError, CacheDamaged, ValueError, EOFError, TypeError):
            return list(self._recovered().columns[name])
        return values

    @property
    def index(self):
        if self._index is None:
            from litlist.index import SearchIndex

            self._index = SearchIndex(self.db, self._size, recover=self._index_recovered)
        return self._index

    @index.setter
    def index(self, value) -> None:
        self._index = value

    def _index_recovered(self) -> sqlite3.Connection:
        return self._recovered().db


def _from_db(where: Path, db: sqlite3.Connection, meta: dict) -> Catalog:
    topics = [Topic(*t) for t in meta["topics"]]
    venues = [Venue(id, name, kind, tuple(aliases)) for id, name, kind, aliases in meta["venues"]]
    # papers another process appends later are past `size`: this run sees the catalog as
    # its meta says it was (the snapshot the search index keeps to, too)
    last = db.execute("select max(pos) from papers where pos < ?", (meta["size"],)).fetchone()[0]
    if (last if last is not None else -1) != meta["size"] - 1:
        raise CacheDamaged("papers table and meta disagree")
    store = _DbStore(db, meta, recover=lambda: _recover(where))
    return Catalog(str(where), topics, venues, store=store)


def _recover(where: Path) -> _DbStore:
    """A new store for `where` after its cache was found damaged: the cache is dropped and
    the catalog built again (into a new cache when it can be written)."""
    cache.drop(where)
    if cache.cache_path(where).exists():  # could not be dropped: do not meet it again
        fresh = _build(where, [_read(where)], None, None, None)
    else:
        fresh = load(where)
    return fresh._store  # type: ignore[return-value]


# ---------------------------------------------------------------- appending


def fingerprint_sha(where: str | os.PathLike) -> str | None:
    """The SHA-256 of the catalog content the cache of `where` stands for, or None when
    there is no usable cache. (A caller about to append can also hash the bytes it read.)"""
    source = Path(where).expanduser().absolute()
    found = cache.open_for_append(source, [])
    if found is None:
        return None
    db, meta = found
    db.close()
    return meta.get("fingerprint", {}).get("sha256")


def extend_cache(
    where: Path,
    before_sha256: str,
    raw: bytes,
    topics: list[Topic],
    venues: list[Venue],
    papers: list[Paper],
    after_sha256: str | None = None,
) -> None:
    """Record in the cache of `where` that `papers` were appended to it (`litlist add`):
    `change_cache` with only papers appended."""
    change_cache(
        where, before_sha256, raw, topics, venues, appended=papers, after_sha256=after_sha256
    )


def _fits(meta: dict, before_sha256: str, topics: list[Topic], venues: list[Venue]) -> bool:
    """True when the cache stands for the catalog before the change and every paper it
    indexed keeps its facets: every old topic and venue is still there as it was, and no
    new topic is a parent of an old one (its heading would be an old paper's facet)."""
    old_topics = [Topic(*t) for t in meta["topics"]]
    old_venues = [Venue(i, n, k, tuple(a)) for i, n, k, a in meta["venues"]]
    new_topics = [t for t in topics if t not in set(old_topics)]
    return (
        meta["fingerprint"].get("sha256") == before_sha256
        and set(old_topics) <= set(topics)
        and set(old_venues) <= set(venues)
        and not any(t.contains(o.slug) for t in new_topics for o in old_topics)
    )


def _unindex(db: sqlite3.Connection, position: int) -> None:
    """Take the paper at `position` out of the search tables. The FTS5 table keeps no
    content: a row is deleted by giving back the tokens it was indexed with (`tokens`)."""
    from litlist.index import COLUMNS as FTS_COLUMNS

    fields = ", ".join(FTS_COLUMNS)
    db.execute(
        f"insert into fts(fts, rowid, {fields}) select 'delete', pos, {fields} from tokens"
        " where pos = ?",
        (position,),
    )
    _uncount(db, [position])
    db.execute("delete from tokens where pos = ?", (position,))
    db.execute("delete from names where pos = ?", (position,))


def _uncount(db: sqlite3.Connection, positions: Sequence[int]) -> None:
    """`df` counts the papers holding each token: the papers at `positions`, about to leave
    the search tables, no longer do (their tokens are still in `tokens`)."""
    from litlist.index import COLUMNS as FTS_COLUMNS

    fields = ", ".join(FTS_COLUMNS)
    counts: dict[str, int] = {}
    for position in positions:
        row = db.execute(f"select {fields} from tokens where pos = ?", (position,)).fetchone()
        for token in set(" ".join(row or ()).split()):
            counts[token] = counts.get(token, 0) + 1
    db.executemany(
        "update df set doc = doc - ? where term = ?", [(n, t) for t, n in counts.items()]
    )
    db.executemany("delete from df where term = ? and doc <= 0", [(t,) for t in counts])


def change_cache(
    where: Path,
    before_sha256: str,
    raw: bytes,
    topics: list[Topic],
    venues: list[Venue],
    *,
    replaced: Mapping[int, Paper] | None = None,
    removed: Sequence[int] = (),
    appended: Sequence[Paper] = (),
    after_sha256: str | None = None,
) -> None:
    """Record in the cache of `where` how its papers changed, so the next command runs warm
    without parsing the whole list again.

    Call after the catalog file was replaced (atomically) by `raw`, its new full content,
    with `before_sha256` the SHA-256 of the content before, `topics` and `venues` the
    complete new lists, `replaced` the papers changed in place (old position -> the new
    paper, validated), `removed` the old positions of papers taken out, and `appended` new
    papers in file order after the last one. Positions are the old ones throughout; papers
    after a removed one move up. If the cache stands for `before_sha256` and its papers
    keep their facets (see `_fits`), rows, columns, search tables and fingerprint change in
    one transaction; otherwise, or on any error, the cache file is deleted and the next
    command rebuilds it. Never raises. `after_sha256` is the SHA-256 of `raw` when the
    caller has it (an append hashes only what it added; see `fsutil.digest`).
    """
    from litlist import index

    replaced = replaced or {}
    source = Path(where).expanduser().absolute()
    found = None
    try:
        found = cache.open_for_append(source, [])
        if found is None:
            cache.drop(source)
            return
        db, meta = found
        if not _fits(meta, before_sha256, topics, venues):
            raise CacheDamaged("the cache does not stand for the catalog before the change")
        hashed_ns = time.time_ns()  # before stat: an edit after it shows as racy
        stat = os.stat(source)
        size = meta["size"]
        gone = sorted(set(removed))
        if any(not 0 <= i < size for i in [*gone, *replaced]):
            raise CacheDamaged("a changed position is not in the cache")
        cache.unseal(cache.cache_path(source))  # a crash before the seal: rebuilt next time
        db.execute("begin immediate")
        try:
            old = _DbStore(db, meta, recover=None)
            # only the columns that change are read and written again (a status: one of nine)
            names = (
                COLUMNS
                if gone or appended
                else [
                    n
                    for n in COLUMNS
                    if any(getattr(old.paper(i), n) != getattr(p, n) for i, p in replaced.items())
                ]
            )
            columns = {name: list(old.column(name)) for name in names}
            builder = index.Builder(db, topics, venues)
            builder._fresh = False  # an update: keep the names index as it is
            for position, paper in sorted(replaced.items()):
                blob = marshal.dumps(to_record(paper))
                db.execute(
                    "update papers set record = ?, crc = ? where pos = ?",
                    (blob, zlib.crc32(blob), position),
                )
                _unindex(db, position)
                builder.add(position, paper)
                for name in names:
                    columns[name][position] = getattr(paper, name)
            builder.flush()
            if gone:
                _shift(db, gone)
                keep = set(gone)
                columns = {
                    name: [v for i, v in enumerate(values) if i not in keep]
                    for name, values in columns.items()
                }
                size -= len(gone)
            sink = _Sink(db, builder, len(appended), None)
            sink.start = size
            for paper in appended:
                sink(paper)
            sink.close()  # also indexes the words of every paper added or replaced
            size += len(appended)
            _save_columns(db, {name: columns[name] + sink.columns[name] for name in names})
            cache.set_meta(
                db,
                {
                    "fingerprint": cache.fingerprint(
                        source, stat, after_sha256 or cache.digest(raw), hashed_ns
                    ),
                    "topics": [(t.slug, t.name) for t in topics],
                    "venues": [(v.id, v.name, v.kind, v.aliases) for v in venues],
                    "size": size,
                },
            )
            db.execute("commit")
        except BaseException:
            db.execute("rollback")
            raise
        cache.seal(cache.cache_path(source))
    except Exception:  # noqa: BLE001 - a cache we cannot update is rebuilt next time
        cache.drop(source)
    finally:
        if found is not None:
            found[0].close()


def _shift(db: sqlite3.Connection, gone: list[int]) -> None:
    """Delete the papers at positions `gone` (sorted) and move the ones after each up, in
    every table. FTS5 rowids cannot be renumbered: the rows from the first removed on are
    deleted and inserted again from `tokens` (SQL only, nothing tokenised again)."""
    first = gone[0]
    from litlist.index import COLUMNS as FTS_COLUMNS

    fields = ", ".join(FTS_COLUMNS)
    db.execute(
        f"insert into fts(fts, rowid, {fields}) select 'delete', pos, {fields} from tokens"
        " where pos >= ?",
        (first,),
    )
    db.execute("create temp table if not exists gone(r integer primary key)")
    db.execute("delete from gone")
    db.executemany("insert into gone values (?)", [(i,) for i in gone])
    _uncount(db, gone)
    for table in ("papers", "tokens", "names"):
        db.execute(f"delete from {table} where pos in (select r from gone)")
    moved = "(select count(*) from gone where r < {t}.pos)"
    # one pass, in ascending order (the rowid scan's): each row's new place was freed by a
    # removed row or by a row moved before it. Were SQLite ever to visit rows in another
    # order, the unique rowid would raise, and the cache is dropped (see change_cache).
    for table in ("papers", "tokens", "names"):
        db.execute(
            f"update {table} set pos = pos - {moved.format(t=table)} where pos > ?", (first,)
        )
    db.execute(
        f"insert into fts(rowid, {fields}) select pos, {fields} from tokens where pos >= ?",
        (first,),
    )


__all__ = [
    "locate",
    "load",
    "check",
    "choose",
    "user_catalog",
    "shipped",
    "is_shipped",
    "extend_cache",
    "change_cache",
    "fingerprint_sha",
]
