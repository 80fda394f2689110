"""The derived cache: a validated catalog saved as an SQLite database, so a warm run skips
TOML and pydantic and reads only what it uses (the tables are `catalog.py`'s and
`index.py`'s; this module decides where the file lives and whether it may be used).

One file per catalog path, in the user's cache folder. Its `meta` table records the format
version and the catalog's fingerprint: path, size, modification and change times, inode,
SHA-256, and when it was hashed. A cache is used only when the fingerprint matches the
catalog's `stat` and the catalog had not been modified within `RACY_NS` of being hashed (so a
later edit cannot hide behind an unchanged timestamp) — else the catalog is hashed again and
must match. Anything else, or anything unreadable, means "rebuild": a cache is an
optimisation, never trusted blindly, and nothing here raises on a bad one.

A cache is also used only while it is the very file litlist last wrote: after each write a
seal beside it (`<cache>.seal`) records the file's inode, size, modification time and change
time (ctime, which no user can set). One changed byte, a deleted row, a file copied back:
anything that touched the cache since litlist wrote it shows in its stat, and the cache is
rebuilt. Checking this costs one stat, where verifying the search tables' content would cost
reading all of them on every run (`PRAGMA quick_check` takes longer than a search at 100k).

What the cache trusts: only a folder and a file owned by the user running litlist and
writable by no one else. The folder is created private (0700); a folder or file that fails
this is not used (a warning, then the catalog is read without a cache); a cache file that
fails it is not opened, only replaced by a new private one (no warning: nothing is lost); the
file is opened only if it is a regular file (a FIFO or symlink in its place is replaced, never
followed);
new files are made with `mkstemp` (O_EXCL, so a planted name is never written through) and
renamed into place whole.
"""

from __future__ import annotations

import marshal
import os
import re
import sqlite3
import stat as stat_mod
import struct
import time
import zlib
from pathlib import Path

# Bump when the tables change shape: old caches are then simply rebuilt.
# 17: `names` holds plain titles (duplicate checks); 16: status and added columns, caches
# updated in place by curation verbs, and the search index holds abstracts; 13: papers carry
# urldate; 12: address, month and editors; 11: the search index
FORMAT = 17
SUFFIX = ".sqlite"
# A catalog modified this close to being hashed may change again without its timestamps
# changing (coarse clocks): its cache is re-verified by hash until it is older than this.
RACY_NS = 3_000_000_000
_STAT_FIELDS = ("size", "mtime_ns", "ctime_ns", "ino", "dev")
_SQLITE_MAGIC = b"SQLite format 3\x00"
_FALSE = ("", "0", "false", "no", "off")
_TRUE = ("1", "true", "yes", "on")


def cache_dir() -> Path:
    """$LITLIST_CACHE_DIR, else $XDG_CACHE_HOME/litlist, else ~/.cache/litlist."""
    explicit = os.environ.get("LITLIST_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "litlist"


def enabled() -> bool:
    """False when $LITLIST_NO_CACHE says so: 1/true/yes/on (any case) turn the cache off;
    unset, empty, 0/false/no/off leave it on. Any other value turns it off (the safe
    reading of a value we do not understand)."""
    value = os.environ.get("LITLIST_NO_CACHE", "").strip().lower()
    return value in _FALSE


def cache_path(source: Path) -> Path:
    """`<catalog name>-<CRC of its path>.sqlite`: readable, and one per catalog path (two paths
    that share a name and a CRC would only evict each other's cache: the meta names its
    source)."""
    raw = str(source).encode("utf-8", "surrogateescape")
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", source.stem)[:40] or "catalog"
    return cache_dir() / f"{stem}-{zlib.crc32(raw):08x}{SUFFIX}"


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


def digest(raw: bytes) -> str:
    """The SHA-256 of a catalog's bytes, as its fingerprint records it."""
    return _sha256(raw)


def fingerprint(source: Path, stat: os.stat_result, sha256: str, hashed_ns: int) -> dict:
    """What a cache must match to stand for `source`: its stat and its content's hash
    (`sha256`, the `digest` of the bytes read). `hashed_ns` is when those bytes were read
    (taken before reading them). The caller hashes the bytes once and passes the digest
    along, so a 90 MB catalog is not hashed again for each record of it."""
    return {"source": str(source), **_stat_of(stat), "sha256": sha256, "hashed_ns": hashed_ns}


# ---------------------------------------------------------------- trust


def _unsafe(st: os.stat_result) -> str | None:
    """Why a folder or file with this stat must not be trusted, or None."""
    if st.st_uid != os.geteuid():
        return "is owned by another user"
    if st.st_mode & 0o022:
        return "is writable by others"
    return None


def folder(notes: list[str]) -> Path | None:
    """The cache folder, created private if missing; None (and a note why) when it cannot
    be made or is not safe to use."""
    where = cache_dir()
    try:
        where.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = os.stat(where)
    except OSError:
        return None  # e.g. a read-only home: no cache, and nothing to warn about
    if not stat_mod.S_ISDIR(st.st_mode):
        return None
    why = _unsafe(st)
    if why is not None:
        notes.append(f"cache folder {where} {why}: not used; reading the catalog without cache")
        return None
    return where


def _usable_file(path: Path, notes: list[str]) -> bool:
    """True when `path` is a regular file of ours that no one else can write. A symlink,
    FIFO, folder or device there is removed if possible (the folder is ours), never opened."""
    try:
        st = os.lstat(path)
    except OSError:
        return False
    if not stat_mod.S_ISREG(st.st_mode):
        try:
            if stat_mod.S_ISDIR(st.st_mode):
                os.rmdir(path)
            else:
                os.unlink(path)
        except OSError:
            pass
        return False
    if _unsafe(st) is not None or not _sealed(path, st):
        return False  # not opened; the cache built now replaces it
    # an SQLite file is whole pages, as many as its header says: a cut or grown file is not
    # one we wrote (SQLite itself would read past a cut as zeros)
    try:
        with open(path, "rb", buffering=0) as handle:
            head = handle.read(100)
    except OSError:
        return False
    if len(head) < 100 or not head.startswith(_SQLITE_MAGIC):
        return False
    page = struct.unpack(">H", head[16:18])[0]
    page = 65536 if page == 1 else page
    pages = struct.unpack(">I", head[28:32])[0]
    return page >= 512 and st.st_size == page * pages


# ---------------------------------------------------------------- seal


def _seal_path(path: Path) -> Path:
    return path.with_name(path.name + ".seal")


def _stamp(st: os.stat_result) -> bytes:
    return f"{st.st_ino} {st.st_size} {st.st_mtime_ns} {st.st_ctime_ns}\n".encode()


def seal(path: Path) -> None:
    """Record that `path` is, as it is now, a cache litlist wrote (see the module's
    docstring). Call after every write to it; a seal that cannot be written only means a
    rebuild next time."""
    import tempfile

    try:
        st = os.stat(path)
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".seal", dir=path.parent)
        try:
            os.write(fd, _stamp(st))
        finally:
            os.close(fd)
        os.replace(name, _seal_path(path))
    except OSError:
        unseal(path)


def unseal(path: Path) -> None:
    """Remove the seal of `path`: it is not to be used until it is written again."""
    try:
        os.unlink(_seal_path(path))
    except OSError:
        pass


def _sealed(path: Path, st: os.stat_result) -> bool:
    """True when `path`, with stat `st`, is still the file the seal describes."""
    try:
        fd = os.open(_seal_path(path), os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return False
    try:
        return stat_mod.S_ISREG(os.fstat(fd).st_mode) and os.read(fd, 200) == _stamp(st)
    except OSError:
        return False
    finally:
        os.close(fd)


def _connect(path: Path | str) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    db.execute("pragma cell_size_check = on")  # damaged pages raise instead of misreading
    return db


def open_meta(db: sqlite3.Connection) -> dict:
    """The meta table as a dict (values unmarshalled)."""
    return {k: marshal.loads(v) for k, v in db.execute("select key, value from meta")}


def set_meta(db: sqlite3.Connection, values: dict) -> None:
    db.executemany(
        "insert or replace into meta values (?, ?)",
        [(k, marshal.dumps(v)) for k, v in values.items()],
    )


def _open(source: Path, notes: list[str]) -> tuple[sqlite3.Connection, dict] | None:
    path = cache_path(source)
    if not _usable_file(path, notes):
        return None
    try:
        db = _connect(path)
        meta = open_meta(db)
        if meta.get("format") != FORMAT or meta.get("fingerprint", {}).get("source") != str(source):
            db.close()
            return None
        return db, meta
    except Exception:  # noqa: BLE001 - any damage at all means "rebuild"
        return None


def read(
    source: Path,
    stat: os.stat_result,
    read_source,
    notes: list[str],
    known: tuple[bytes, str, int] | None = None,
) -> tuple[tuple[sqlite3.Connection, dict] | None, bytes | None, str | None, int | None]:
    """The open cache database (and its meta) for `source`, or None when absent, stale,
    damaged or untrusted. Call only with a `folder()` that was trusted.

    Also returns the catalog's bytes, their SHA-256 and when they were read, when it had to
    read them to check the hash (so a rebuild neither reads nor hashes them again).
    `known` is (bytes, SHA-256, when read) of the catalog as the caller has just read it
    (with `stat` taken of that same file): used instead of reading and hashing it again.
    """
    found = _open(source, notes)
    if found is None:
        return None, None, None, None
    db, meta = found
    print_ = meta["fingerprint"]
    raw = sha = hashed_ns = None
    current = _stat_of(stat)
    same_stat = all(print_.get(k) == current[k] for k in _STAT_FIELDS)
    settled = max(current["mtime_ns"], current["ctime_ns"]) + RACY_NS < print_.get("hashed_ns", 0)
    if not (same_stat and settled):
        if known is not None:
            raw, sha, hashed_ns = known
        else:
            hashed_ns = time.time_ns()
            raw = read_source()
            sha = _sha256(raw)
        if sha != print_.get("sha256"):
            db.close()
            return None, raw, sha, hashed_ns
        if same_stat and max(current["mtime_ns"], current["ctime_ns"]) + RACY_NS >= hashed_ns:
            # the same stat, still too fresh to be trusted without a hash: recording this
            # check would save the next run nothing (and cost a synced write)
            return (db, meta), raw, sha, hashed_ns
        # the content is the same: record the new stat so the next run need not hash it
        fresh = fingerprint(source, stat, sha, hashed_ns)
        path = cache_path(source)
        unseal(path)  # a crash in the write leaves no seal, and a rebuild next time
        try:
            set_meta(db, {"fingerprint": fresh})
            meta["fingerprint"] = fresh
        except sqlite3.Error:
            pass  # a read-only cache: the next run hashes the catalog again
        seal(path)
    return (db, meta), raw, sha, hashed_ns


class WriteError(Exception):
    """The cache file could not be written (a full disk, say): build without it."""


class NewFile:
    """A cache database written into a temporary file (created with `mkstemp`: a new file,
    never a planted symlink), then committed (renamed into place) or dropped."""

    def __init__(self, source: Path, where: Path) -> None:
        import tempfile  # only when a cache is written: not on a warm run's path

        self.target = cache_path(source)
        try:
            fd, name = tempfile.mkstemp(prefix=f".{self.target.name}.", suffix=".tmp", dir=where)
            os.close(fd)
        except OSError as exc:
            raise WriteError(exc) from None
        self.tmp = Path(name)
        try:
            self.db = _connect(self.tmp)
            # a temporary file: a crash leaves garbage to drop, never a cache to trust
            self.db.execute("pragma journal_mode = off")
            self.db.execute("pragma synchronous = off")
        except sqlite3.Error as exc:
            self.abort()
            raise WriteError(exc) from None

    def commit(self) -> None:
        """Put the finished file in place (its connection stays open for this run)."""
        try:
            self.db.execute("pragma journal_mode = delete")
            os.replace(self.tmp, self.target)
        except (OSError, sqlite3.Error) as exc:
            self.abort()
            raise WriteError(exc) from None
        seal(self.target)
        # the flat-section cache of litlist before format 7, for the same catalog: garbage now
        old = self.target.with_suffix(".cache")
        try:
            if stat_mod.S_ISREG(os.lstat(old).st_mode):
                os.unlink(old)
        except OSError:
            pass

    def abort(self) -> None:
        """Drop the temporary file."""
        try:
            self.db.close()
        except (AttributeError, sqlite3.Error):
            pass
        try:
            os.unlink(self.tmp)
        except OSError:
            pass


def drop(source: Path) -> None:
    """Delete the cache of `source` (the next run rebuilds it)."""
    unseal(cache_path(source))
    try:
        os.unlink(cache_path(source))
    except OSError:
        pass


def open_for_append(source: Path, notes: list[str]) -> tuple[sqlite3.Connection, dict] | None:
    """The trusted cache of `source` opened for writing, or None."""
    if folder(notes) is None:
        return None
    return _open(source, notes)
