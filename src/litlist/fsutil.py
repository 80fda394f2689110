"""Reading and writing the user's files so that none is ever lost, half-written or replaced by
something else: regular files only, a temp file renamed into place, the file's mode and owner
kept, a change made by someone else since we read it detected instead of overwritten.

Raises `UnsafeFile` and `FileChanged` (user-facing) and plain `OSError` for I/O failures,
which callers turn into errors that name their file. No other litlist module is imported.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat as st
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from litlist.errors import FileChanged, InputError, UnsafeFile

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


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What a file was when it was read: enough to tell whether anyone changed it since."""

    dev: int
    ino: int
    size: int
    mtime_ns: int
    sha256: str


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
    snap = Snapshot(
        info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, hashlib.sha256(data).hexdigest()
    )
    return data, snap


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
        raise InputError(f"{path}: {exc.strerror or exc}{why}") from None
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


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """An advisory lock (flock) around a read-modify-write of `path`, so two litlist
    processes editing one file take turns. A missing file has nothing to lock yet.

    A write replaces the file by renaming a new one into place, so the lock a waiting
    process finally gets may be on the file that was replaced; it then locks the file now
    at `path` instead (else it and a process that came later would both hold "the" lock,
    on two different files, and one's paper could be lost)."""
    import fcntl

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
                fcntl.flock(fd, fcntl.LOCK_EX)
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
        yield
    finally:
        os.close(fd)  # releases the lock


def check_writable(path: Path) -> None:
    """UnsafeFile unless a write to `path` may go ahead (a regular file, or a link to one,
    that is not read-only; see `write_atomic`): said before any work is done."""
    _target(Path(path))


def _target(path: Path) -> tuple[Path, os.stat_result | None]:
    """The file a write to `path` lands on, and its stat (None: it does not exist yet). A
    symbolic link the user owns is written through (the link stays a link); one planted by
    someone else is refused, as is anything that is not a regular file or is read-only."""
    try:
        link = os.lstat(path)
    except FileNotFoundError:
        return path, None
    if st.S_ISLNK(link.st_mode):
        if link.st_uid not in (os.geteuid(), 0):
            raise UnsafeFile(path, "is a symbolic link owned by another user; not following it")
        path = Path(os.path.realpath(path))
        try:
            info = os.stat(path)
        except FileNotFoundError:
            return path, None
    else:
        info = link
    if not st.S_ISREG(info.st_mode):
        raise UnsafeFile(path, f"is {kind_of(info.st_mode)}, not a regular file; not replacing it")
    if not info.st_mode & 0o222 or not os.access(path, os.W_OK):
        raise UnsafeFile(path, "is read-only; not changing it")
    return path, info


def _unchanged(path: Path, expect: Snapshot) -> None:
    """Raise FileChanged unless `path` is still exactly the file that was read."""
    try:
        data, now = read_file(path)
    except FileNotFoundError:
        raise FileChanged(path, "was deleted") from None
    if now != expect:
        raise FileChanged(path, "was changed by another program")
    del data


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
    refuse (FileChanged) unless `path` is still the file that `expect` was taken of. The
    replaced file keeps its mode, owner and group. A file with other hard links, or owned by
    another user, is rewritten in place so every name and the owner stay as they were.
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    path, info = _target(Path(path))
    if exclusive and info is not None:
        raise FileExistsError(errno.EEXIST, "File exists", str(path))
    if expect is not None:
        if info is None:
            raise FileChanged(path, "was deleted")
        _unchanged(path, expect)
    if info is not None and (
        info.st_nlink > 1 or (info.st_uid != os.geteuid() and os.geteuid() != 0)
    ):
        _rewrite_in_place(path, payload, info, expect)
        return
    _replace(path, payload, info, exclusive=exclusive, expect=expect)


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
            os.fsync(handle.fileno())
        if expect is not None:
            _unchanged(path, expect)  # the last moment before the rename
        if exclusive:
            _link_new(Path(tmp), path)
        else:
            os.replace(tmp, path)
        _sync_folder(folder)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


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


def _rewrite_in_place(
    path: Path, payload: bytes, info: os.stat_result, expect: Snapshot | None
) -> None:
    """Write into the existing inode (hard links, another owner). An append writes only the
    new bytes and cuts them off again if that fails; anything else needs the whole file
    rewritten, which a failure could leave half done, so it keeps a copy to put back."""
    fd = os.open(path, os.O_RDWR | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0))
    try:
        now = os.fstat(fd)
        if (now.st_dev, now.st_ino) != (info.st_dev, info.st_ino):
            raise FileChanged(path, "was replaced by another program")
        old = b""
        while chunk := os.pread(fd, _CHUNK, len(old)):
            old += chunk
        if expect is not None and (
            len(old) != expect.size or hashlib.sha256(old).hexdigest() != expect.sha256
        ):
            # checked again on the bytes about to be rewritten, under the same descriptor
            raise FileChanged(path, "was changed by another program")
        start = len(old) if payload.startswith(old) else 0
        try:
            _write_all(fd, payload[start:], start)
            os.ftruncate(fd, len(payload))
            os.fsync(fd)
        except BaseException:
            # put the original bytes back (an append only needs its tail cut off)
            if start == 0:
                _write_all(fd, old, 0)
            os.ftruncate(fd, len(old))
            os.fsync(fd)
            raise
    finally:
        os.close(fd)


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
