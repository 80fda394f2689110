"""Find, read and validate a catalog file; keep a derived cache of it. Never writes the catalog.

`load()` is what every command calls: it takes the catalog from the cache when the cache still
stands for the file (see `cache.py`), or else parses it (TOML), validates it (`schema.py`)
paper by paper, refusing a catalog with any problem, and saves the result as compact
sections: columns for filters, one marshalled record per paper, and the search index.
`check()` validates from scratch and returns every problem instead of raising.
"""

from __future__ import annotations

import gc
import marshal
import os
import re
import stat as stat_module
import time
from array import array
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, nullcontext
from pathlib import Path

from litlist import cache
from litlist.errors import CatalogError, Problem
from litlist.model import COLUMNS, Catalog, Paper, Topic, Venue, from_record, to_record

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
    if own.is_file():
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
    """True for the shipped catalog, whatever the name used for it, or any file inside the
    installed package: those are never written."""
    real = Path(os.path.realpath(path))
    package = Path(os.path.realpath(Path(__file__).parent))
    shipped_files = {Path(os.path.realpath(p)) for p in (PACKAGED, SOURCE_TREE)}
    return real in shipped_files or package in real.parents


def _failure(path: Path, exc: OSError) -> CatalogError:
    if isinstance(exc, FileNotFoundError):
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
        return raw.decode("utf-8")
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
        _stat(where)
        text = _decode(where, _read(where))
        return schema.validate(_parse(where, text), str(where), text)
    except CatalogError as exc:
        return None, exc.problems


def load(path: str | os.PathLike | None = None, *, progress: Progress | None = None) -> Catalog:
    """The validated catalog, from the cache when it still stands for the file."""
    where = locate(path)
    stat = _stat(where)
    use_cache = cache.enabled()
    raw: bytes | None = None
    hashed_ns: int | None = None
    if use_cache:
        sections, raw, hashed_ns = cache.read(where, stat, lambda: _read(where))
        if sections is not None:
            try:
                return _from_sections(str(where), sections)
            except Exception:  # noqa: BLE001 - intact but not the shape we write: rebuild
                pass
    if raw is None:
        hashed_ns = time.time_ns()
        raw = _read(where)
    fingerprint = cache.fingerprint(where, stat, raw, hashed_ns or 0) if use_cache else None
    box = [raw]
    del raw  # _build lets the bytes go as soon as they are decoded
    writer = cache.Writer.open(where) if fingerprint is not None else None
    try:
        return _build(where, box, progress, writer, fingerprint)
    except cache.WriteError:
        # the cache could not be written (a full disk?): build again, in memory only
        return _build(where, [_read(where)], progress, None, None)


# ---------------------------------------------------------------- building


class _Sink:
    """Receives validated papers one by one and keeps only their compact form: columns and
    the search index in memory, records straight into the cache file being written (or in
    memory when there is none)."""

    def __init__(self, total: int, progress: Progress | None, writer: cache.Writer | None):
        from litlist import index

        self.records: list[bytes] | None = None if writer else []
        self.writer = writer
        if writer is not None:
            writer.begin("records")
        self.offsets = array("Q", [0])
        self.columns: dict[str, list] = {name: [] for name in COLUMNS}
        self.index = index.Builder()
        self.bar = (
            progress("Checking and indexing papers", total)
            if progress and total >= PROGRESS_FROM
            else None
        )

    def __call__(self, paper: Paper) -> None:
        position = len(self.offsets) - 1
        blob = marshal.dumps(to_record(paper))
        if self.writer is not None:
            self.writer.add(blob)
        else:
            self.records.append(blob)  # type: ignore[union-attr]
        self.offsets.append(self.offsets[-1] + len(blob))
        for name, column in self.columns.items():
            column.append(getattr(paper, name))
        self.index.add(position, paper)
        if self.bar is not None and position % 1000 == 999:
            self.bar.advance(1000)  # type: ignore[attr-defined]

    def close(self) -> None:
        if self.writer is not None:
            self.writer.end()
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


def _build(
    where: Path,
    box: list[bytes],
    progress: Progress | None,
    writer: cache.Writer | None,
    fingerprint: dict | None,
) -> Catalog:
    """Parse, validate and index the catalog; with a writer, into a new cache file (dropped
    if anything fails)."""
    with _collector_paused(), writer or nullcontext():
        text = _decode(where, box.pop())  # the raw bytes go here
        # parsing a large catalog takes seconds: say so (a bar with no end, on a terminal only)
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
        del text  # line numbers for problems are found by reading the file again
        # pydantic only now, in the memory the text just gave back: its import weighs 16 MB
        from litlist import schema

        rows = data.get("paper")
        sink = _Sink(len(rows) if isinstance(rows, list) else 0, progress, writer)
        try:
            shell, problems = schema.validate(
                data, str(where), lambda: _read(where).decode("utf-8", "replace"), sink=sink
            )
        finally:
            sink.close()
        del data
        if problems:
            raise CatalogError(where, problems)
        sections = _to_sections(shell.topics, shell.venues, sink)
        if writer is not None and fingerprint is not None:
            for name, value in sections.items():
                writer.section(name, value)
            writer.commit(fingerprint)
            del sections  # what the catalog needs now reads from the file just written
            written = cache.written(where)
            if written is not None:
                store = _SectionStore(written, columns=sink.columns)
                return Catalog(str(where), shell.topics, shell.venues, store=store)
            raise cache.WriteError("the cache just written cannot be read back")
        store = _SectionStore(sections, columns=sink.columns, records=sink.records)
        return Catalog(str(where), shell.topics, shell.venues, store=store)


def _codes(values: list, table: list) -> array:
    position = {value: i for i, value in enumerate(table)}
    return array("H", [position[v] for v in values])


def _to_sections(topics: list[Topic], venues: list[Venue], sink: _Sink) -> dict:
    cols = sink.columns
    tables = {
        "kind": sorted(set(cols["kind"])),
        "venue": [None, *dict.fromkeys(v for v in cols["venue"] if v)],
        "topic": list(dict.fromkeys(cols["topic"])),
    }
    meta = {
        "topics": [(t.slug, t.name) for t in topics],
        "venues": [(v.id, v.name, v.kind, v.aliases) for v in venues],
        "tables": tables,
    }
    sections: dict[str, object] = {
        "meta": marshal.dumps(meta),
        "id": "\n".join(cols["id"]).encode("utf-8"),
        "key": "\n".join(k or "" for k in cols["key"]).encode("utf-8"),
        "title": "\n".join(cols["title"]).encode("utf-8"),
        "year": array("H", [y or 0 for y in cols["year"]]),
        **{name: _codes(cols[name], table) for name, table in tables.items()},
        "record_offsets": sink.offsets,
    }
    if sink.records is not None:  # else they are in the cache file already
        sections["records"] = sink.records
    sections.update(sink.index.sections())
    return sections


# ---------------------------------------------------------------- reading the cache


class _Columns(Mapping):
    """Columns decoded from their sections the first time each is used."""

    def __init__(self, sections: Mapping, tables: dict) -> None:
        self._sections = sections
        self._tables = tables
        self._done: dict[str, list] = {}

    def __getitem__(self, name: str) -> list:
        if name not in self._done:
            self._done[name] = self._decode(name)
        return self._done[name]

    def _decode(self, name: str) -> list:
        if name not in COLUMNS:
            raise KeyError(name)
        part = self._sections[name]
        if name in ("id", "title"):
            return bytes(part).decode("utf-8").split("\n")
        if name == "key":
            return [k or None for k in bytes(part).decode("utf-8").split("\n")]
        if name == "year":
            return [y or None for y in part.cast("H")]
        table = self._tables[name]
        return [table[c] for c in part.cast("H")]

    def __iter__(self):
        return iter(COLUMNS)

    def __len__(self) -> int:
        return len(COLUMNS)


class _SectionStore:
    """A catalog's papers as cache sections: each record decoded when first asked for."""

    def __init__(self, sections: Mapping, *, columns=None, records: list[bytes] | None = None):
        self._sections = sections
        tables = marshal.loads(sections["meta"])["tables"]
        self.columns = columns if columns is not None else _Columns(sections, tables)
        self._records = records
        self._offsets = _ints(sections["record_offsets"], "Q")
        self._decoded: dict[int, Paper] = {}
        self._index = None

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def paper(self, i: int) -> Paper:
        paper = self._decoded.get(i)
        if paper is None:
            if self._records is not None:
                blob = self._records[i]
            else:
                blob = self._sections["records"][self._offsets[i] : self._offsets[i + 1]]
            paper = self._decoded[i] = from_record(marshal.loads(blob))
        return paper

    @property
    def index(self):
        if self._index is None:
            from litlist.index import SearchIndex

            self._index = SearchIndex(self._sections)
        return self._index

    @index.setter
    def index(self, value) -> None:
        self._index = value


def _ints(part, code: str):
    return part if isinstance(part, array) else part.cast(code)


def _from_sections(path: str, sections: Mapping) -> Catalog:
    meta = marshal.loads(sections["meta"])
    topics = [Topic(*t) for t in meta["topics"]]
    venues = [Venue(id, name, kind, tuple(aliases)) for id, name, kind, aliases in meta["venues"]]
    store = _SectionStore(sections)
    if len(store.columns["id"]) != len(store):
        raise ValueError("cache sections disagree")
    return Catalog(path, topics, venues, store=store)


__all__ = ["locate", "load", "check"]
