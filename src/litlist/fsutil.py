"""Writing files so that a crash never leaves half of one: temp file, fsync, rename."""

from __future__ import annotations

import os
from pathlib import Path


def write_atomic(path: Path, data: bytes | str, *, exclusive: bool = False) -> None:
    """Write `data` to `path` through a temporary file in the same folder, renamed into place.

    With `exclusive`, refuse (FileExistsError) when `path` exists at the moment of the rename,
    so a file that appeared while we worked is not clobbered either.
    """
    import tempfile

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
            os.link(tmp, path)
            os.unlink(tmp)
        else:
            os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
