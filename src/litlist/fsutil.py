"""Writing files so that a crash never leaves half of one: temp file, fsync, rename."""

from __future__ import annotations

import errno
import os
from pathlib import Path

# What link() says on file systems that have no hard links (FAT, some network mounts).
_NO_HARD_LINKS = frozenset(
    getattr(errno, name)
    for name in ("EPERM", "ENOTSUP", "EOPNOTSUPP", "ENOSYS", "EXDEV")
    if hasattr(errno, name)
)


def write_atomic(path: Path, data: bytes | str, *, exclusive: bool = False) -> None:
    """Write `data` to `path` through a temporary file in the same folder, renamed into place.

    With `exclusive`, refuse (FileExistsError) when `path` exists at the moment of the rename,
    so a file that appeared while we worked is not clobbered either. A symbolic link is
    written through: the file it points to is updated and the link stays a link.
    """
    import tempfile

    if path.is_symlink():
        path = Path(os.path.realpath(path))
    payload = data.encode("utf-8") if isinstance(data, str) else data
    folder = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            # keep the user's permissions on a file we replace
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        if exclusive:
            # link() fails if the target exists: no window in which another file is replaced
            try:
                os.link(tmp, path)
            except OSError as exc:
                if exc.errno not in _NO_HARD_LINKS:
                    raise
                # a file system without hard links: reserve the name, then replace it
                os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
                try:
                    os.replace(tmp, path)
                except BaseException:
                    os.unlink(path)  # our empty reservation, nobody else's file
                    raise
            else:
                os.unlink(tmp)
        else:
            os.replace(tmp, path)
        _sync_folder(folder)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


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
