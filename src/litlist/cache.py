"""The derived cache: a validated catalog saved in flat sections, so a warm run skips TOML and
pydantic and reads only what it uses.

One file per catalog path, under the user's cache folder:

    MAGIC | section | section | ... | header (marshal) | its length and CRC | MAGIC

The header records the catalog's path, size, modification and change times, inode, SHA-256,
when it was hashed, and each section's offset, length and CRC-32. A cache is used only when:
the header matches the catalog's `stat` and the catalog had not been modified within
`RACY_NS` of being hashed (so a later edit cannot hide behind an unchanged timestamp) — else
the catalog is hashed again and must match `sha256`; and every section's CRC matches.
Anything else, or anything unreadable, means
"rebuild": a cache is an optimisation, never trusted blindly, and nothing here raises on a bad
one.
"""

from __future__ import annotations

import marshal
import mmap
import os
import re
import struct
import time
import zlib
from array import array
from collections.abc import Mapping
from pathlib import Path

MAGIC = b"litlist-cache-6\n"
# Bump when the sections' contents change shape: old caches are then simply rebuilt.
FORMAT = 6
# A catalog modified this close to being hashed may change again without its timestamps
# changing (coarse clocks): its cache is re-verified by hash until it is older than this.
RACY_NS = 3_000_000_000
_STAT_FIELDS = ("size", "mtime_ns", "ctime_ns", "ino", "dev")

Sections = dict[str, memoryview]


def cache_dir() -> Path:
    """$LITLIST_CACHE_DIR, else $XDG_CACHE_HOME/litlist, else ~/.cache/litlist."""
    explicit = os.environ.get("LITLIST_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "litlist"


def enabled() -> bool:
    return os.environ.get("LITLIST_NO_CACHE", "") in ("", "0")


def cache_path(source: Path) -> Path:
    """`<catalog name>-<CRC of its path>.cache`: readable, and one per catalog path (two paths
    that share a name and a CRC would only evict each other's cache: the header names its
    source)."""
    raw = str(source).encode("utf-8", "surrogateescape")
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", source.stem)[:40] or "catalog"
    return cache_dir() / f"{stem}-{zlib.crc32(raw):08x}.cache"


def _sha256(raw: bytes) -> str:
    import hashlib  # only when a catalog is hashed: not on a warm run's path

    return hashlib.sha256(raw).hexdigest()


def _stat_of(stat: os.stat_result) -> dict[str, int]:
    return {
        "size": stat.st_size,
        "mtime_ns": stat.st_mtime_ns,
        "ctime_ns": stat.st_ctime_ns,
        "ino": stat.st_ino,
        "dev": stat.st_dev,
    }


def fingerprint(source: Path, stat: os.stat_result, raw: bytes, hashed_ns: int) -> dict:
    """What a cache must match to stand for `source`: its stat and its content's hash.
    `hashed_ns` is when `raw` was read (taken before reading it)."""
    return {
        "format": FORMAT,
        "source": str(source),
        **_stat_of(stat),
        "sha256": _sha256(raw),
        "hashed_ns": hashed_ns,
    }


def _open(source: Path) -> tuple[dict, mmap.mmap] | None:
    try:
        with open(cache_path(source), "rb") as handle:
            view = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError):
        return None
    try:
        tail = len(MAGIC) + 8
        if len(view) < len(MAGIC) + tail or view[: len(MAGIC)] != MAGIC:
            return None
        if view[-len(MAGIC) :] != MAGIC:
            return None
        length, crc = struct.unpack(">II", view[-tail : -len(MAGIC)])
        head = view[-tail - length : -tail]
        if len(head) != length or zlib.crc32(head) != crc:
            return None
        header = marshal.loads(head)
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            return None
        if header.get("source") != str(source):
            return None
        return header, view
    except Exception:  # noqa: BLE001 - any damage at all means "rebuild"
        return None


def read(
    source: Path, stat: os.stat_result, read_source
) -> tuple[Sections | None, bytes | None, int | None]:
    """The cached sections for `source`, or None when absent, stale or damaged.

    Also returns the catalog's bytes and when they were read, when it had to read them to
    check the hash (so a rebuild does not read them again).
    """
    found = _open(source)
    if found is None:
        return None, None, None
    header, view = found
    raw = hashed_ns = None
    current = _stat_of(stat)
    same_stat = all(header.get(k) == current[k] for k in _STAT_FIELDS)
    settled = max(current["mtime_ns"], current["ctime_ns"]) + RACY_NS < header.get("hashed_ns", 0)
    if not (same_stat and settled):
        hashed_ns = time.time_ns()
        raw = read_source()
        if _sha256(raw) != header.get("sha256"):
            return None, raw, hashed_ns
    try:
        sections = _sections(header, view)
    except Exception:  # noqa: BLE001
        return None, raw, hashed_ns
    if sections is not None and raw is not None:
        # the content is the same: record the new stat so the next run need not hash it
        _rewrite_header(source, header, view, fingerprint(source, stat, raw, hashed_ns or 0))
    return sections, raw, hashed_ns


def _sections(header: dict, view: mmap.mmap, *, verify: bool = True) -> Sections | None:
    table = header.get("sections")
    if not isinstance(table, dict):
        return None
    whole = memoryview(view)
    out: Sections = {}
    for name, (offset, length, crc) in table.items():
        part = whole[offset : offset + length]
        if len(part) != length:
            return None
        if verify and zlib.crc32(part) != crc:
            return None
        out[name] = part
    return out


class WriteError(Exception):
    """The cache file could not be written (a full disk, say): build without it."""


class Writer:
    """A cache file written section by section into a temporary file, then committed
    (renamed into place). A section may come in many chunks, e.g. one record per paper as
    papers are validated, so a large catalog's records never wait in memory."""

    def __init__(self, source: Path) -> None:
        self.target = cache_path(source)
        self._tmp = self.target.with_name(f".{self.target.name}.{os.getpid()}.tmp")
        self._table: dict[str, list[int]] = {}
        self._current: list | None = None
        try:
            self.target.parent.mkdir(parents=True, exist_ok=True)
            self._handle = open(self._tmp, "wb")
            self._handle.write(MAGIC)
        except OSError as exc:
            raise WriteError(exc) from None
        self._offset = len(MAGIC)

    @classmethod
    def open(cls, source: Path) -> Writer | None:
        """A writer, or None when the cache folder cannot be written."""
        try:
            return cls(source)
        except WriteError:
            return None

    def __enter__(self) -> Writer:
        return self

    def __exit__(self, kind, error, trace) -> None:
        if error is not None:
            self.abort()  # nothing half-written stays behind

    def begin(self, name: str) -> None:
        self._current = [name, self._offset, 0, 0]

    def add(self, chunk) -> None:
        current = self._current
        assert current is not None
        try:
            if isinstance(chunk, array):
                chunk.tofile(self._handle)
            else:
                self._handle.write(chunk)
        except OSError as exc:
            raise WriteError(exc) from None
        size = memoryview(chunk).nbytes
        current[2] += size
        current[3] = zlib.crc32(chunk, current[3])
        self._offset += size

    def end(self) -> None:
        assert self._current is not None
        name, offset, length, crc = self._current
        self._table[name] = [offset, length, crc]
        self._current = None

    def section(self, name: str, value: object) -> None:
        """A whole section: bytes, an array, or a list of them written one after another."""
        self.begin(name)
        for chunk in value if isinstance(value, list) else [value]:
            self.add(chunk)
        self.end()

    def copy(self, body: memoryview, table: dict[str, list[int]]) -> None:
        """Sections as another cache file laid them out, right after its MAGIC."""
        try:
            self._handle.write(body)
        except OSError as exc:
            raise WriteError(exc) from None
        self._offset += body.nbytes
        self._table.update(table)

    def commit(self, header: dict) -> None:
        """Write the header (with this file's sections) and put the file in place."""
        head = marshal.dumps(dict(header, sections=self._table))
        try:
            self._handle.write(head + struct.pack(">II", len(head), zlib.crc32(head)) + MAGIC)
            self._handle.close()
            os.replace(self._tmp, self.target)
        except OSError as exc:
            raise WriteError(exc) from None

    def abort(self) -> None:
        """Drop the temporary file."""
        try:
            self._handle.close()
        except OSError:
            pass
        try:
            os.unlink(self._tmp)
        except OSError:
            pass


def written(source: Path) -> Sections | None:
    """The sections of the cache this run has just written, without checking its CRCs again
    (that would read every page of it)."""
    found = _open(source)
    if found is None:
        return None
    header, view = found
    return _sections(header, view, verify=False)


def write(source: Path, expected: dict, sections: Mapping[str, object]) -> None:
    """Save `sections` for `source`, atomically; a cache that cannot be written is skipped."""
    writer = Writer.open(source)
    if writer is None:
        return
    try:
        with writer:
            for name, value in sections.items():
                writer.section(name, value)
            writer.commit(expected)
    except WriteError:
        pass  # no cache this time


def _rewrite_header(source: Path, header: dict, view: mmap.mmap, fresh: dict) -> None:
    """The same sections under a new header (the catalog was touched, not changed)."""
    table = header["sections"]
    end = max((offset + length for offset, length, _ in table.values()), default=len(MAGIC))
    writer = Writer.open(source)
    if writer is None:
        return
    try:
        with writer:
            writer.copy(memoryview(view)[len(MAGIC) : end], table)
            writer.commit(dict(header, **fresh))
    except WriteError:
        pass  # the old header stays: the next run hashes the catalog again
