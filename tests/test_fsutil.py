"""fsutil: a user's file is never replaced by something else, half-written, or silently
overwritten after someone else changed it; its mode, owner and links are kept."""

from __future__ import annotations

import errno
import multiprocessing
import os
import stat
import time
from pathlib import Path

import pytest

from litlist import fsutil
from litlist.errors import FileChanged, UnsafeFile

ROOT = os.geteuid() == 0
as_root = pytest.mark.skipif(not ROOT, reason="needs root to chown files or make devices")


def test_read_file_gives_bytes_and_snapshot(tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    path.write_bytes(b"@misc{a}\n")
    data, snap = fsutil.read_file(path)
    assert data == b"@misc{a}\n"
    assert snap.size == 9 and snap.ino == path.stat().st_ino


def test_read_file_refuses_a_fifo_without_hanging(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.bib"
    os.mkfifo(fifo)
    with pytest.raises(UnsafeFile, match="FIFO"):
        fsutil.read_file(fifo)


def test_read_file_refuses_a_folder(tmp_path: Path) -> None:
    with pytest.raises((UnsafeFile, IsADirectoryError)):
        fsutil.read_file(tmp_path)


def test_write_refuses_a_fifo(tmp_path: Path) -> None:
    fifo = tmp_path / "fakenull"
    os.mkfifo(fifo)
    with pytest.raises(UnsafeFile, match="not a regular file"):
        fsutil.write_atomic(fifo, "data")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


@as_root
def test_write_refuses_a_device(tmp_path: Path) -> None:
    dev = tmp_path / "fakenull"
    os.mknod(dev, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    with pytest.raises(UnsafeFile, match="device"):
        fsutil.write_atomic(dev, "data")
    assert stat.S_ISCHR(os.lstat(dev).st_mode)


def test_write_never_replaces_dev_null() -> None:
    before = os.lstat("/dev/null")
    with pytest.raises(UnsafeFile):
        fsutil.write_atomic(Path("/dev/null"), "data")
    assert stat.S_ISCHR(os.lstat("/dev/null").st_mode)
    assert os.lstat("/dev/null").st_ino == before.st_ino


def test_write_refuses_a_read_only_file(tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    path.write_text("mine\n")
    path.chmod(0o444)
    with pytest.raises(UnsafeFile, match="read-only"):
        fsutil.write_atomic(path, "theirs\n")
    assert path.read_text() == "mine\n"


def test_write_keeps_the_mode(tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    path.write_text("mine\n")
    path.chmod(0o640)
    fsutil.write_atomic(path, "mine\nmore\n")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert path.read_text() == "mine\nmore\n"


@as_root
def test_root_keeps_the_owner(tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    path.write_text("mine\n")
    os.chown(path, 65534, 65534)
    path.chmod(0o644)
    fsutil.write_atomic(path, "mine\nmore\n")
    info = path.stat()
    assert (info.st_uid, info.st_gid) == (65534, 65534)
    assert stat.S_IMODE(info.st_mode) == 0o644


@pytest.mark.parametrize("new", [b"one\ntwo\nthree\n", b"something else\n"])
def test_hard_linked_file_is_written_in_place(tmp_path: Path, new: bytes) -> None:
    path = tmp_path / "refs.bib"
    other = tmp_path / "paper" / "refs.bib"
    other.parent.mkdir()
    path.write_bytes(b"one\ntwo\n")
    os.link(path, other)
    ino = path.stat().st_ino
    fsutil.write_atomic(path, new)
    assert path.stat().st_ino == ino
    assert other.read_bytes() == new == path.read_bytes()
    assert sorted(os.listdir(tmp_path)) == ["paper", "refs.bib"]


class _DiskFullWrites:
    """`os` as fsutil sees it, except that writing into an existing file fails."""

    def __getattr__(self, name: str):
        return getattr(os, name)

    @staticmethod
    def pwrite(fd, data, offset):
        if offset > 0 and len(data) > 0:
            raise OSError(errno.ENOSPC, "No space left on device")
        return os.pwrite(fd, data, offset)


def test_in_place_append_that_fails_leaves_the_original(tmp_path, monkeypatch) -> None:
    path = tmp_path / "refs.bib"
    path.write_bytes(b"one\ntwo\n")
    os.link(path, tmp_path / "link.bib")
    monkeypatch.setattr(fsutil, "os", _DiskFullWrites())
    with pytest.raises(OSError, match="No space"):
        fsutil.write_atomic(path, b"one\ntwo\nthree\n")
    monkeypatch.undo()
    assert path.read_bytes() == b"one\ntwo\n"


def test_write_detects_a_change_since_the_read(tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    path.write_text("mine\n")
    _, snap = fsutil.read_file(path)
    path.write_text("mine\nsaved by my editor\n")
    with pytest.raises(FileChanged):
        fsutil.write_atomic(path, "mine\nlitlist's\n", expect=snap)
    assert path.read_text() == "mine\nsaved by my editor\n"
    assert os.listdir(tmp_path) == ["refs.bib"]


def test_write_detects_a_same_size_change(tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    path.write_text("aaaa\n")
    _, snap = fsutil.read_file(path)
    path.write_text("bbbb\n")
    os.utime(path, ns=(snap.mtime_ns, snap.mtime_ns))
    with pytest.raises(FileChanged):
        fsutil.write_atomic(path, "cccc\n", expect=snap)
    assert path.read_text() == "bbbb\n"


def test_write_with_an_unchanged_snapshot_succeeds(tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    path.write_text("mine\n")
    _, snap = fsutil.read_file(path)
    fsutil.write_atomic(path, "mine\nmore\n", expect=snap)
    assert path.read_text() == "mine\nmore\n"


def test_exclusive_refuses_an_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    path.write_text("mine\n")
    with pytest.raises(FileExistsError):
        fsutil.write_atomic(path, "theirs\n", exclusive=True)
    assert path.read_text() == "mine\n"


def test_own_symlink_is_written_through(tmp_path: Path) -> None:
    target = tmp_path / "real.bib"
    target.write_text("mine\n")
    link = tmp_path / "refs.bib"
    link.symlink_to(target)
    fsutil.write_atomic(link, "mine\nmore\n")
    assert link.is_symlink() and target.read_text() == "mine\nmore\n"


@as_root
def test_symlink_planted_by_another_user_is_refused(tmp_path: Path, monkeypatch) -> None:
    thesis = tmp_path / "thesis.tex"
    thesis.write_text("my thesis\n")
    link = tmp_path / "refs.bib"
    link.symlink_to(thesis)
    os.lchown(link, 65534, 65534)
    # as the victim, a normal user (uid 1000), who owns neither the link nor uid 65534
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    with pytest.raises(UnsafeFile, match="symbolic link"):
        fsutil.write_atomic(link, "cache bytes")
    monkeypatch.undo()
    assert thesis.read_text() == "my thesis\n"


def _hold_lock(path: str, ready, seconds: float) -> None:
    with fsutil.locked(Path(path)):
        ready.set()
        time.sleep(seconds)


def test_locked_makes_a_second_writer_wait(tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    path.write_text("mine\n")
    ctx = multiprocessing.get_context("fork")
    ready = ctx.Event()
    holder = ctx.Process(target=_hold_lock, args=(str(path), ready, 0.5))
    holder.start()
    try:
        assert ready.wait(10)
        start = time.monotonic()
        with fsutil.locked(path):
            waited = time.monotonic() - start
    finally:
        holder.join(10)
    assert waited > 0.2  # it waited for the other process's lock, however slow the machine


def test_locked_on_a_missing_file_is_fine(tmp_path: Path) -> None:
    with fsutil.locked(tmp_path / "new.bib"):
        pass


def test_hard_linked_file_changed_since_the_read_is_not_rewritten(tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    path.write_bytes(b"one\n")
    os.link(path, tmp_path / "link.bib")
    _, snap = fsutil.read_file(path)
    with open(path, "ab") as handle:  # same inode: the editor appended in place
        handle.write(b"two\n")
    with pytest.raises(FileChanged):
        fsutil.write_atomic(path, b"one\nthree\n", expect=snap)
    assert path.read_bytes() == b"one\ntwo\n"


def test_locked_follows_the_file_a_write_put_in_place(tmp_path: Path) -> None:
    """B waits for A's lock; A's write renames a new file into place and a later C locks
    that one. When A is done, B must wait for C, not take the lock of the replaced file
    (then B and C would both edit, and one's paper could be lost)."""
    import fcntl
    import threading

    path = tmp_path / "papers.toml"
    path.write_text("one\n")
    order: list[str] = []
    c_holds, a_done = threading.Event(), threading.Event()

    def b() -> None:
        with fsutil.locked(path):
            order.append("B in")

    def c() -> None:
        fd = os.open(path, os.O_RDONLY)
        fcntl.flock(fd, fcntl.LOCK_EX)
        c_holds.set()
        a_done.wait(10)
        time.sleep(0.5)  # B, if it wrongly went ahead, is in by now
        order.append("C out")
        os.close(fd)

    waiter = threading.Thread(target=b)
    with fsutil.locked(path):
        waiter.start()
        time.sleep(0.2)  # B is waiting for A's lock
        fsutil.write_atomic(path, "two\n")
        later = threading.Thread(target=c)
        later.start()
        assert c_holds.wait(10)
    a_done.set()
    waiter.join(10)
    later.join(10)
    assert order == ["C out", "B in"]


def test_check_writable_says_why_before_any_work(tmp_path: Path) -> None:
    path = tmp_path / "papers.toml"
    path.write_text("x\n")
    fsutil.check_writable(path)
    path.chmod(0o444)  # refused even for root: the mode says the user wants it kept
    with pytest.raises(UnsafeFile, match="read-only"):
        fsutil.check_writable(path)
    path.chmod(0o644)
    os.mkfifo(tmp_path / "fifo")
    with pytest.raises(UnsafeFile, match="FIFO"):
        fsutil.check_writable(tmp_path / "fifo")


def test_locked_on_a_file_system_without_locks_goes_on(tmp_path: Path, monkeypatch) -> None:
    """Some network mounts have no flock (ENOLCK): the edit goes on, and a change made
    meanwhile is still caught by the write's snapshot check."""
    import fcntl

    def no_locks(fd: int, operation: int) -> None:
        raise OSError(errno.ENOLCK, "No locks available")

    path = tmp_path / "papers.toml"
    path.write_text("one\n")
    monkeypatch.setattr(fcntl, "flock", no_locks)
    with fsutil.locked(path):
        _, snap = fsutil.read_file(path)
        fsutil.write_atomic(path, "two\n", expect=snap)
    assert path.read_text() == "two\n"
