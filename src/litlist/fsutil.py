"""Reading and writing the user's files so that none is ever lost, half-written or replaced by
something else: regular files only, a temp file renamed into place, the file's mode and owner
kept, a change made by someone else since we read it detected instead of overwritten.

Raises `UnsafeFile`, `FileChanged` and `FileBusy` (user-facing) and plain `OSError` for I/O
failures, which callers turn into errors that name their file. No other litlist module is
imported.

Where a crash can strike (a kill -9, a power cut):
- a replaced file: the new bytes go to a synced temporary file that is renamed into place,
  so the file is always the old one or the new one;
- a file rewritten in place (it has other hard links, or another owner, that a rename
  would cut off): the new bytes first go to a synced journal beside it
  (`.<name>.litlist-journal`); the file is rewritten only then, and the journal removed
  last. The next litlist run that reads or locks the file finds a journal and finishes
  the write (or, when the file was never touched, drops it), so no window leaves the
  file half written for good.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat as st
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from litlist.errors import FileBusy, FileChanged, InputError, UnsafeFile, path_failed

# What link() says on file systems that have no hard links (FAT, some network mounts).
_NO_HARD_LINKS = frozenset(
    getattr(errno, name)
    for name in ("EPERM", "ENOTSUP", "EOPNOTSUPP", "ENOSYS", "EXDEV")
    if hasattr(errno, name)
)
# What flock() says where the file system has no locks.
_NO_LOCKS = frozenset(
    getattr(errno, name) for name in ("ENOLCK", "ENOTSUP", "EOPNOTSUPP") if hasattr(errno, name)
)
_CHUNK = 1 << 20
# How long a writer waits for another program's lock before giving up (seconds), unless
# $LITLIST_LOCK_TIMEOUT says otherwise: anyone who can read a file can lock it.
LOCK_TIMEOUT = 30.0
LOCK_TIMEOUT_ENV = "LITLIST_LOCK_TIMEOUT"
JOURNAL_MAGIC = b"litlist-journal 1\n"

# Called with one line when a lock is busy (the CLI sets it to print a note; services
# never print).
notify: Callable[[str], None] | None = None


def _crash_point(step: str) -> None:
    """A named step of a write; the crash tests kill the process here (see tests)."""


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What a file was when it was read: enough to tell whether anyone changed it since."""

    dev: int
    ino: int
    size: int
    mtime_ns: int
    sha256: str
    # the bytes read (by `read_file`): the check before a rename compares the file with
    # them, which is stronger than comparing hashes and costs no hashing of a 90 MB file
    data: bytes | None = field(default=None, compare=False, repr=False)
    # the SHA-256 state after those bytes: what is appended to them is hashed alone
    hashed: Any = field(default=None, compare=False, repr=False)


def kind_of(mode: int) -> str:
    """A file type in words, for messages ('a FIFO', 'a device', ...)."""
    if st.S_ISDIR(mode):
        return "a folder"
    if st.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if st.S_ISCHR(mode) or st.S_ISBLK(mode):
        return "a device"
    if st.S_ISSOCK(mode):
        return "a socket"
    if st.S_ISLNK(mode):
        return "a symbolic link"
    return "not a regular file"


def read_file(
    path: Path, *, limit: int | None = None, devices: bool = False
) -> tuple[bytes, Snapshot]:
    """The bytes of a regular file and a snapshot of it. A FIFO, device, socket or folder is
    refused (UnsafeFile) without blocking on it; FileNotFoundError and other OSErrors pass.
    With `limit`, at most `limit + 1` bytes are read: a longer result means a larger file.
    With `devices`, a character device is read too (/dev/null as an empty draft); give a
    `limit` then, since /dev/zero never ends."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(fd)
        if not (st.S_ISREG(info.st_mode) or (devices and st.S_ISCHR(info.st_mode))):
            raise UnsafeFile(path, f"is {kind_of(info.st_mode)}, not a regular file")
        os.set_blocking(fd, True)
        parts = []
        left = -1 if limit is None else limit + 1
        while left and (chunk := os.read(fd, _CHUNK if left < 0 else min(left, _CHUNK))):
            parts.append(chunk)
            left = left - len(chunk) if left > 0 else left
        data = b"".join(parts)
    finally:
        os.close(fd)
    hashed = hashlib.sha256(data)
    snap = Snapshot(
        info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, hashed.hexdigest(), data, hashed
    )
    return data, snap


def digest(data: bytes, read: Snapshot | None = None) -> str:
    """The SHA-256 of `data`; when `data` begins with the bytes `read` was taken of (an
    append), only the bytes after them are hashed."""
    if read is not None and read.data is not None and read.hashed is not None:
        if data.startswith(read.data):  # a memcmp: a tenth of hashing them again
            more = read.hashed.copy()
            more.update(memoryview(data)[len(read.data) :])
            return more.hexdigest()
    return hashlib.sha256(data).hexdigest()


def read_user_file(
    path: Path, why: str = "", *, limit: int | None = None, devices: bool = False
) -> bytes:
    """The bytes of a user's file (a draft, an .aux, a .bib), or InputError naming it, with
    `why` (where it was named from) after the reason. Read through `read_file`, so a FIFO is
    refused instead of hanging, and a device unless `devices` says it may be read; with
    `limit`, at most `limit + 1` bytes are read."""
    try:
        raw, _ = read_file(path, limit=limit, devices=devices)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file{why}") from None
    except UnsafeFile as exc:
        raise InputError(f"{path}: {exc.why}{why}") from None
    except OSError as exc:
        raise path_failed(path, exc, why) from None
    return raw


def read_text(
    path: Path,
    why: str = "",
    *,
    limit: int | None = None,
    too_long: str = "too large",
    devices: bool = False,
) -> str:
    """A user's UTF-8 text file, or InputError naming it (see `read_user_file`); with
    `limit`, a file of more characters than that is refused (`too_long` says what such a
    file is not)."""
    # a UTF-8 character takes at most 4 bytes: more than 4 * limit bytes is too long
    cap = None if limit is None else 4 * limit
    raw = read_user_file(path, why, limit=cap, devices=devices)
    try:
        text = "" if cap is not None and len(raw) > cap else raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text{why}") from None
    if limit is not None and (len(text) > limit or (cap is not None and len(raw) > cap)):
        raise InputError(f"{path}: more than {limit // 2**20} MB; {too_long}{why}")
    return text


def _lock_timeout() -> float:
    value = os.environ.get(LOCK_TIMEOUT_ENV, "").strip()
    try:
        return max(float(value), 0.0) if value else LOCK_TIMEOUT
    except ValueError:
        return LOCK_TIMEOUT


def lock_holder(info: os.stat_result) -> str:
    """Who holds a lock on the file with stat `info`, in words ('pid 123 (flock), a
    reader'), from /proc/locks where there is one."""
    want = f"{os.major(info.st_dev):02x}:{os.minor(info.st_dev):02x}:{info.st_ino}"
    try:
        with open("/proc/locks", encoding="ascii", errors="replace") as handle:
            lines = handle.read().splitlines()
    except OSError:
        return "another program"
    for line in lines:
        fields = line.split()
        if len(fields) < 6 or fields[1] == "->" or fields[5] != want:
            continue
        pid, mode = fields[4], fields[3]
        try:
            with open(f"/proc/{pid}/comm", encoding="utf-8", errors="replace") as handle:
                name = f" ({handle.read().strip()})"
        except OSError:
            name = ""
        reader = ", a reader's shared lock" if mode == "READ" else ""
        return f"another program (pid {pid}{name}{reader})"
    return "another program"


def _wait_for_lock(fd: int, path: Path, info: os.stat_result) -> None:
    """Take the exclusive lock on `fd`, saying once that we wait when someone else holds
    it, and giving up (FileBusy) after the lock timeout."""
    import fcntl
    import time

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return
    except BlockingIOError:
        pass
    limit = _lock_timeout()
    holder = lock_holder(info)
    if notify is not None:
        notify(f"waiting for {holder} to release {path} (up to {limit:g} s)")
    deadline = time.monotonic() + limit
    pause = 0.02
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        left = deadline - time.monotonic()
        if left <= 0:
            raise FileBusy(path, lock_holder(info), limit)
        time.sleep(min(pause, left))
        pause = min(pause * 2, 0.25)


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """An advisory lock (flock) around a read-modify-write of `path`, so two litlist
    processes editing one file take turns. A missing file has nothing to lock yet.

    Anyone who can read a file can lock it, so the wait is bounded: `notify` hears that we
    wait (and for whom), and after $LITLIST_LOCK_TIMEOUT seconds (30) it is FileBusy.
    An unfinished in-place write of `path` (a crash) is finished first (see `recover`).

    A write replaces the file by renaming a new one into place, so the lock a waiting
    process finally gets may be on the file that was replaced; it then locks the file now
    at `path` instead (else it and a process that came later would both hold "the" lock,
    on two different files, and one's paper could be lost)."""
    while True:
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        except OSError:
            yield
            return
        try:
            info = os.fstat(fd)
            if not st.S_ISREG(info.st_mode):
                break
            try:
                _wait_for_lock(fd, path, info)
            except OSError as exc:
                # a file system without locks (some network mounts): go on without one;
                # a change made meanwhile is still caught by the write (see `expect`)
                if exc.errno not in _NO_LOCKS:
                    raise
                break
            try:
                now = os.stat(path)
            except OSError:
                break  # it was deleted meanwhile: the write will say so
            if (now.st_dev, now.st_ino) == (info.st_dev, info.st_ino):
                break
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)  # a replaced file: lock the one there now
    try:
        _recover_locked(path)
        yield
    finally:
        os.close(fd)  # releases the lock


def check_writable(path: Path) -> None:
    """UnsafeFile unless a write to `path` may go ahead (a regular file, or a link to one,
    that is not read-only; see `write_atomic`): said before any work is done."""
    _target(Path(path))


def _foreign_link(path: Path) -> Path | None:
    """The first symbolic link on the way to `path` (in any folder of it, or `path` itself)
    that belongs to neither the user nor root, or None. Links are followed as the kernel
    would, so a root-owned link into a folder where another user planted one is caught."""
    mine = (os.geteuid(), 0)
    todo = list(Path(os.path.abspath(path)).parts[1:])
    todo.reverse()
    current = Path("/")
    hops = 0
    while todo:
        part = todo.pop()
        if part in (".", ""):
            continue
        if part == "..":
            current = current.parent
            continue
        step = current / part
        try:
            info = os.lstat(step)
        except OSError:
            return None  # the rest does not exist (yet): nothing there to follow
        if not st.S_ISLNK(info.st_mode):
            current = step
            continue
        if info.st_uid not in mine:
            return step
        hops += 1
        if hops > 40:
            return None  # a loop: the open fails with ELOOP and says so
        target = Path(os.readlink(step))
        if target.is_absolute():
            current = Path("/")
        todo.extend(reversed(target.parts[1:] if target.is_absolute() else target.parts))
    return None


def _target(path: Path) -> tuple[Path, os.stat_result | None]:
    """The file a write to `path` lands on, and its stat (None: it does not exist yet). A
    symbolic link the user owns is written through (the link stays a link); one planted by
    someone else is refused, as is anything that is not a regular file or is read-only."""
    planted = _foreign_link(path)
    if planted is not None:
        if planted == Path(os.path.abspath(path)):
            raise UnsafeFile(path, "is a symbolic link owned by another user; not following it")
        raise UnsafeFile(
            path,
            f"is reached through {planted}, a symbolic link owned by another user; "
            "not following it",
        )
    try:
        link = os.lstat(path)
    except FileNotFoundError:
        return path, None
    except OSError as exc:
        raise path_failed(path, exc) from None
    if st.S_ISLNK(link.st_mode):
        shown, path = path, Path(os.path.realpath(path))
        try:
            info = os.stat(path)
        except FileNotFoundError:
            return path, None
        except OSError as exc:  # a loop of links (ELOOP), a folder not searchable
            raise path_failed(shown, exc) from None
    else:
        info = link
    if not st.S_ISREG(info.st_mode):
        raise UnsafeFile(path, f"is {kind_of(info.st_mode)}, not a regular file; not replacing it")
    if not info.st_mode & 0o222 or not os.access(path, os.W_OK):
        raise UnsafeFile(path, "is read-only; not changing it")
    return path, info


def _unchanged(path: Path, expect: Snapshot, shown: Path | None = None) -> None:
    """Raise FileChanged (naming `shown`, else `path`) unless `path` is still exactly the
    file that was read: the same file (device and inode) with the same bytes. The bytes
    are compared with the ones read where the snapshot holds them (chunk by chunk, nothing
    hashed), else their SHA-256 with the snapshot's."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise FileChanged(shown or path, "was deleted") from None
    try:
        info = os.fstat(fd)
        same = (info.st_dev, info.st_ino) == (expect.dev, expect.ino) and st.S_ISREG(info.st_mode)
        if same:
            same = _same_bytes(fd, expect)
    finally:
        os.close(fd)
    if not same:
        raise FileChanged(shown or path, "was changed by another program")


def _same_bytes(fd: int, expect: Snapshot) -> bool:
    """True when the file open at `fd` holds exactly the bytes `expect` was taken of."""
    offset = 0
    if expect.data is not None:
        want = expect.data
        while chunk := os.pread(fd, _CHUNK, offset):
            # a memcmp (a memoryview's == compares byte objects one by one: 25x slower)
            if not want.startswith(chunk, offset):
                return False
            offset += len(chunk)
        return offset == len(want)
    digest = hashlib.sha256()
    while chunk := os.pread(fd, _CHUNK, offset):
        digest.update(chunk)
        offset += len(chunk)
    return digest.hexdigest() == expect.sha256


def write_atomic(
    path: Path,
    data: bytes | str,
    *,
    exclusive: bool = False,
    expect: Snapshot | None = None,
) -> None:
    """Write `data` to `path` so that a crash, a full disk or another program never leaves
    half a file or loses an edit.

    The data goes to a temporary file in the same folder (created exclusively, never through
    a link), is synced, and renamed into place; the folder is synced too. With `exclusive`,
    refuse (FileExistsError) when `path` exists at the moment of the rename. With `expect`,
    refuse (FileChanged) unless `path` is still the file that `expect` was taken of; the
    check is made on the file the rename took out of place (see `_swap_in`), so no other
    writer can slip in between the check and the rename. The replaced file keeps its mode,
    owner, group and extended attributes (ACLs, SELinux labels, user.* attributes). A file
    with other hard links, or owned by another user, is rewritten in place so every name
    and the owner stay as they were, through a journal (see the module's docstring).
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    path, info = _target(Path(path))
    if exclusive and info is not None:
        raise FileExistsError(errno.EEXIST, "File exists", str(path))
    if expect is not None:
        if info is None:
            raise FileChanged(path, "was deleted")
        if not _same_stat(info, expect):
            _unchanged(path, expect)  # touched, perhaps not changed: the bytes decide
    if info is not None and (
        info.st_nlink > 1 or (info.st_uid != os.geteuid() and os.geteuid() != 0)
    ):
        _rewrite_in_place(path, payload, info, expect)
        return
    _replace(path, payload, info, exclusive=exclusive, expect=expect)


def _same_stat(info: os.stat_result, expect: Snapshot) -> bool:
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns) == (
        expect.dev,
        expect.ino,
        expect.size,
        expect.mtime_ns,
    )


def _replace(
    path: Path,
    payload: bytes,
    info: os.stat_result | None,
    *,
    exclusive: bool,
    expect: Snapshot | None,
) -> None:
    import tempfile

    folder = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            if info is not None:
                os.fchmod(handle.fileno(), info.st_mode & 0o7777)
                if (info.st_uid, info.st_gid) != (os.geteuid(), os.getegid()):
                    os.fchown(handle.fileno(), info.st_uid, info.st_gid)
                    # chown drops set-id bits: put the mode back
                    os.fchmod(handle.fileno(), info.st_mode & 0o7777)
            else:
                umask = os.umask(0)
                os.umask(umask)
                os.fchmod(handle.fileno(), 0o666 & ~umask)
            if info is not None:
                _copy_xattrs(path, handle.fileno())
            os.fsync(handle.fileno())
        if exclusive:
            _link_new(Path(tmp), path)
        elif expect is not None:
            _swap_in(Path(tmp), path, expect)
        else:
            os.replace(tmp, path)
        _sync_folder(folder)
    except BaseException:
        _remove(tmp)
        raise


def _remove(tmp: str | Path) -> None:
    """Remove a temporary file of ours that a failed write leaves."""
    try:
        os.unlink(tmp)
    except FileNotFoundError:
        pass


def _copy_xattrs(path: Path, fd: int) -> None:
    """Give the new file `fd` the extended attributes of `path` (ACLs, SELinux labels,
    user.* attributes), as far as the file system has them and we may set them."""
    try:
        names = os.listxattr(path)
    except (OSError, AttributeError):
        return  # no extended attributes here (or, as on macOS, no os.listxattr)
    for name in names:
        try:
            os.setxattr(fd, name, os.getxattr(path, name))
        except OSError:
            pass  # e.g. a security.* attribute only root may set: the rest still go


# renameat2(2)'s flag: swap two names atomically (Linux 3.15+, most local file systems)
_RENAME_EXCHANGE = 2


def _exchange(one: Path, two: Path) -> bool:
    """Swap the files at `one` and `two` in one step; False where the system cannot."""
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd = -100
    result = renameat2(at_fdcwd, os.fsencode(one), at_fdcwd, os.fsencode(two), _RENAME_EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(two))


def _swap_in(tmp: Path, path: Path, expect: Snapshot) -> None:
    """Put `tmp` at `path` only if what it replaces is still the file `expect` was taken
    of. The two names are swapped in one step, and the file taken out of place (now at
    `tmp`) is checked: a file another program renamed into place, or changed, before the
    swap is seen there and swapped back. Where the system cannot swap, the file is checked
    just before a plain rename (a window of microseconds, not closed)."""
    _crash_point("before-rename")
    if not _exchange(tmp, path):
        _unchanged(path, expect)
        os.replace(tmp, path)
        return
    try:
        _unchanged(tmp, expect, shown=path)
    except BaseException:
        _exchange(tmp, path)  # theirs back in place; ours is removed by the caller
        raise
    os.unlink(tmp)  # the old file, checked


def _link_new(tmp: Path, path: Path) -> None:
    """Put `tmp` in place at `path` only if `path` does not exist (no window to clobber)."""
    try:
        os.link(tmp, path)
    except OSError as exc:
        if exc.errno not in _NO_HARD_LINKS:
            raise
        # a file system without hard links: reserve the name, then replace it
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_NOFOLLOW, 0o600))
        try:
            os.replace(tmp, path)
        except BaseException:
            os.unlink(path)  # our empty reservation, nobody else's file
            raise
    else:
        os.unlink(tmp)


def _journal_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.litlist-journal")


def _rewrite_in_place(
    path: Path, payload: bytes, info: os.stat_result, expect: Snapshot | None
) -> None:
    """Write into the existing inode (hard links, another owner). The bytes to write go to a
    synced journal first, so a crash at any point leaves the file either untouched or
    finishable from the journal by the next run (`recover`); an append only journals and
    writes the new bytes. A Python error puts the old bytes back."""
    fd = os.open(path, os.O_RDWR | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0))
    try:
        now = os.fstat(fd)
        if (now.st_dev, now.st_ino) != (info.st_dev, info.st_ino):
            raise FileChanged(path, "was replaced by another program")
        old = b""
        while chunk := os.pread(fd, _CHUNK, len(old)):
            old += chunk
        if expect is not None and (
            old != expect.data
            if expect.data is not None
            else len(old) != expect.size or hashlib.sha256(old).hexdigest() != expect.sha256
        ):
            # checked again on the bytes about to be rewritten, under the same descriptor
            raise FileChanged(path, "was changed by another program")
        start = len(old) if payload.startswith(old) else 0
        journal = _write_journal(path, now, start, payload, old)
        _crash_point("journal-written")
        try:
            half = start + (len(payload) - start) // 2
            _write_all(fd, payload[start:half], start)
            _crash_point("half-written")
            _write_all(fd, payload[half:], half)
            os.ftruncate(fd, len(payload))
            os.fsync(fd)
        except BaseException:
            # put the original bytes back (an append only needs its tail cut off); if
            # that fails too, the journal stays and the next run finishes the write
            if start == 0:
                _write_all(fd, old, 0)
            os.ftruncate(fd, len(old))
            os.fsync(fd)
            _drop_journal(journal)
            raise
        _crash_point("rewritten")
        _drop_journal(journal)
    finally:
        os.close(fd)


def _write_journal(path: Path, info: os.stat_result, start: int, payload: bytes, old: bytes):
    """Write, sync and put in place the journal of an in-place write of `path`: what its
    bytes from `start` on become, and the hashes of the file before and after."""
    import tempfile

    journal = _journal_path(path)
    if os.path.lexists(journal):
        _recover_locked(path)  # a journal a crash left: finished before the next write
        if os.path.lexists(journal):
            raise UnsafeFile(journal, "is in the way of litlist's journal; remove it first")
    header = (
        f"{info.st_dev} {info.st_ino} {start} {len(payload)} "
        f"{hashlib.sha256(old).hexdigest()} {hashlib.sha256(payload).hexdigest()}\n"
    ).encode("ascii")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".journal", dir=path.parent)
    except PermissionError:
        raise UnsafeFile(
            path,
            "has other hard links or another owner, so it is rewritten in place, which needs "
            f"a journal in {path.parent} (not writable); copy the file and use the copy",
        ) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(JOURNAL_MAGIC + header)
            handle.write(payload[start:])
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, journal)
    except BaseException:
        _remove(tmp)
        raise
    _sync_folder(path.parent)
    return journal


def _drop_journal(journal: Path) -> None:
    os.unlink(journal)
    _sync_folder(journal.parent)


def recover(path: Path) -> None:
    """Finish an in-place write of `path` that a crash interrupted, if its journal is
    there (cheap when it is not: one lstat). Takes the lock to do so."""
    if os.path.lexists(_journal_path(Path(path))):
        with locked(Path(path)):
            pass  # `locked` finishes it under the lock


def _recover_locked(path: Path) -> None:
    """With `path` locked: finish (or drop) the in-place write its journal records."""
    journal = _journal_path(path)
    try:
        fd = os.open(journal, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return  # none (or not one we could have written)
    try:
        info = os.fstat(fd)
        if not st.S_ISREG(info.st_mode) or info.st_uid != os.geteuid():
            return  # not ours: never applied
        parts = []
        while chunk := os.read(fd, _CHUNK):
            parts.append(chunk)
        data = b"".join(parts)
    finally:
        os.close(fd)
    head, _, rest = data.partition(b"\n")
    line, _, tail = rest.partition(b"\n")
    try:
        dev, ino, start, total, old_sha, new_sha = line.decode("ascii").split()
        dev_n, ino_n, start_n, total_n = int(dev), int(ino), int(start), int(total)
    except (UnicodeDecodeError, ValueError):
        dev_n = ino_n = start_n = total_n = -1
        old_sha = new_sha = ""
    intact = head + b"\n" == JOURNAL_MAGIC and start_n >= 0 and start_n + len(tail) == total_n
    try:
        target = os.open(path, os.O_RDWR | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        target = None  # nothing left to finish
    except OSError:
        return  # we may not write it (now): the journal waits for a run that may
    try:
        if target is not None and intact:
            now = os.fstat(target)
            if (now.st_dev, now.st_ino) == (dev_n, ino_n):
                current = b""
                while chunk := os.pread(target, _CHUNK, len(current)):
                    current += chunk
                sha = hashlib.sha256(current).hexdigest()
                if sha not in (old_sha, new_sha):
                    # half written: finish it (never started, or done: nothing to do)
                    if hashlib.sha256(current[:start_n] + tail).hexdigest() != new_sha:
                        return  # neither ours nor finishable: the journal stays for a person
                    _write_all(target, tail, start_n)
                    os.ftruncate(target, total_n)
                    os.fsync(target)
    finally:
        if target is not None:
            os.close(target)
    try:
        _drop_journal(journal)
    except OSError:
        pass


def _write_all(fd: int, data: bytes, offset: int) -> None:
    view = memoryview(data)
    while view:
        written = os.pwrite(fd, view, offset)
        view = view[written:]
        offset += written


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (best effort: not every system can open a folder)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
