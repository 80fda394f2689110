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


def _hold_lock(path: str, ready, release) -> None:
    with fsutil.locked(Path(path)):
        ready.set()
        release.wait(30)


def test_locked_makes_a_second_writer_wait(tmp_path: Path, monkeypatch) -> None:
    """The second writer waits, and says so (`notify`), until the first lets go: the note
    comes only while the lock is busy, so releasing from it shows the wait, with no clock."""
    path = tmp_path / "refs.bib"
    path.write_text("mine\n")
    ctx = multiprocessing.get_context("fork")
    ready, release = ctx.Event(), ctx.Event()
    holder = ctx.Process(target=_hold_lock, args=(str(path), ready, release))
    holder.start()
    notes: list[str] = []

    def waiting(text: str) -> None:
        notes.append(text)
        release.set()  # the first writer finishes only now

    monkeypatch.setattr(fsutil, "notify", waiting)
    try:
        assert ready.wait(30)
        with fsutil.locked(path):
            assert release.is_set()
    finally:
        release.set()
        holder.join(30)
    [note] = notes
    assert note.startswith("waiting for another program (pid ") and str(path) in note
    assert f"pid {holder.pid}" in note


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


def test_locked_follows_the_file_a_write_put_in_place(tmp_path: Path, monkeypatch) -> None:
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

    b_waits = threading.Event()
    monkeypatch.setattr(fsutil, "notify", None)
    fsutil.notify = lambda text: b_waits.set()  # said only while B finds the lock busy
    waiter = threading.Thread(target=b)
    with fsutil.locked(path):
        waiter.start()
        assert b_waits.wait(30)  # B is waiting for A's lock
        fsutil.write_atomic(path, "two\n")
        later = threading.Thread(target=c)
        later.start()
        assert c_holds.wait(10)
    a_done.set()
    waiter.join(30)
    later.join(30)
    fsutil.notify = None
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


# ---------------------------------------------------------------- issue 18, item 9: crashes

# Run in a child process that kills itself (SIGKILL: no cleanup, as a power cut or kill -9)
# at one named step of the write.
_CRASH_SCRIPT = """
import os, signal, sys
from pathlib import Path
from litlist import fsutil

def crash(step):
    if step == sys.argv[2]:
        os.kill(os.getpid(), signal.SIGKILL)

fsutil._crash_point = crash
fsutil.write_atomic(Path(sys.argv[1]), sys.stdin.buffer.read())
"""

OLD = b"".join(
    b'[[paper]]\nid = "p%05d"\ntitle = "Old title %05d"\n\n' % (n, n) for n in range(2000)
)
REWRITE = OLD.replace(b"Old title", b"New words")
APPEND = OLD + b'[[paper]]\nid = "added"\ntitle = "One more"\n'


def _crash_at(path: Path, step: str, new: bytes, as_other_user: bool = False) -> int:
    import subprocess
    import sys

    script = _CRASH_SCRIPT
    if as_other_user:
        script = script.replace(
            "fsutil._crash_point = crash", "fsutil._crash_point = crash\nos.geteuid = lambda: 4321"
        )
    done = subprocess.run([sys.executable, "-c", script, str(path), step], input=new, check=False)
    return done.returncode


@pytest.mark.parametrize("new", [REWRITE, APPEND], ids=["rewrite", "append"])
@pytest.mark.parametrize("step", ["journal-written", "half-written", "rewritten", "none"])
def test_a_crash_at_any_step_of_an_in_place_write_loses_nothing(
    tmp_path: Path, step: str, new: bytes
) -> None:
    """A hard-linked catalog is rewritten in place. Killed at each step, the file is the
    old or the new one once the next run has looked at it (and, before, it is the old or
    new one, or half written with a journal that finishes it)."""
    path = tmp_path / "papers.toml"
    path.write_bytes(OLD)
    backup = tmp_path / "backup.toml"
    os.link(path, backup)
    _crash_and_check(tmp_path, path, backup, step, new)


@pytest.mark.parametrize("step", ["journal-written", "half-written", "rewritten", "none"])
def test_a_crash_rewriting_another_users_file_loses_nothing(tmp_path: Path, step: str) -> None:
    """A file of another user that we may write (a shared group file) is rewritten in place
    too, so that its owner stays: the same journal covers it. (The writer is made to run
    as another user than the file's owner.)"""
    path = tmp_path / "papers.toml"
    path.write_bytes(OLD)
    ino = path.stat().st_ino
    code = _crash_at(path, step, REWRITE, as_other_user=True)
    assert code == (0 if step == "none" else -9)
    assert path.stat().st_ino == ino  # never replaced: rewritten in place
    fsutil.recover(path)
    assert path.read_bytes() == (OLD if step == "journal-written" else REWRITE)
    assert sorted(os.listdir(tmp_path)) == ["papers.toml"]


def _crash_and_check(tmp_path: Path, path: Path, backup: Path, step: str, new: bytes) -> None:
    code = _crash_at(path, step, new)
    assert code == (0 if step == "none" else -9)
    journal = tmp_path / ".papers.toml.litlist-journal"
    if step == "half-written":
        assert path.read_bytes() not in (OLD, new) and journal.exists()
    fsutil.recover(path)  # what the next run does first
    after = path.read_bytes()
    expected = {"journal-written": OLD, "half-written": new, "rewritten": new, "none": new}
    assert after == expected[step] and backup.read_bytes() == after
    assert path.stat().st_ino == backup.stat().st_ino  # still one file under two names
    assert sorted(os.listdir(tmp_path)) == ["backup.toml", "papers.toml"]


def test_the_next_read_of_a_catalog_finishes_a_crashed_write(tmp_path: Path) -> None:
    """A search after the crash reads the finished catalog, not half of one."""
    from conftest import TINY_CATALOG
    from litlist import catalog

    path = tmp_path / "papers.toml"
    path.write_text(TINY_CATALOG, encoding="utf-8")
    os.link(path, tmp_path / "backup.toml")
    new = TINY_CATALOG.replace("# a tiny catalog", "# a small catalog").replace(
        "Gamma Rays of Attention", "Gamma Rays, Rewritten"
    )
    assert _crash_at(path, "half-written", new.encode()) == -9
    assert path.read_text(encoding="utf-8") not in (TINY_CATALOG, new)  # half written
    assert catalog.load(path).paper(2).title == "Gamma Rays, Rewritten"
    assert not (tmp_path / ".papers.toml.litlist-journal").exists()


def test_a_crash_before_the_rename_leaves_the_old_file(tmp_path: Path) -> None:
    path = tmp_path / "papers.toml"
    path.write_bytes(OLD)
    import subprocess
    import sys

    script = _CRASH_SCRIPT.replace(
        "fsutil.write_atomic(Path(sys.argv[1]), sys.stdin.buffer.read())",
        "_, snap = fsutil.read_file(Path(sys.argv[1]))\n"
        "fsutil.write_atomic(Path(sys.argv[1]), sys.stdin.buffer.read(), expect=snap)",
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(path), "before-rename"], input=REWRITE, check=False
    )
    assert done.returncode == -9 and path.read_bytes() == OLD


def test_a_journal_of_another_user_or_a_link_is_never_applied(tmp_path: Path) -> None:
    path = tmp_path / "papers.toml"
    path.write_bytes(OLD)
    victim = tmp_path / "victim"
    victim.write_bytes(b"litlist-journal 1\n")
    (tmp_path / ".papers.toml.litlist-journal").symlink_to(victim)
    fsutil.recover(path)
    assert path.read_bytes() == OLD and victim.read_bytes() == b"litlist-journal 1\n"


# ---------------------------------------------------------------- item 10: lost updates


def _editor_saves_at(monkeypatch, path: Path, how: str) -> None:
    """At the last step before litlist's rename, an editor that ignores locks saves."""

    def save(step: str) -> None:
        if step != "before-rename":
            return
        if how == "rename":  # most editors: a new file renamed over the old
            tmp = path.with_name("editor.tmp")
            tmp.write_bytes(b"the editor's save\n")
            os.replace(tmp, path)
        else:  # in place, same inode
            with open(path, "r+b") as handle:
                handle.write(b"THE")

    monkeypatch.setattr(fsutil, "_crash_point", save)


@pytest.mark.parametrize("swap", [True, False], ids=["exchange", "no-exchange"])
@pytest.mark.parametrize("how", ["rename", "in-place"])
def test_a_save_just_before_the_rename_is_not_lost(tmp_path, monkeypatch, how, swap) -> None:
    """The check and the rename cannot be separated: with renameat2's exchange the file
    taken out of place is the one checked; a save landing then is put back."""
    path = tmp_path / "papers.toml"
    path.write_bytes(b"the list\n")
    _, snap = fsutil.read_file(path)
    if not swap:
        # a system without the exchange: the check comes just before the rename
        monkeypatch.setattr(fsutil, "_exchange", lambda one, two: False)
    _editor_saves_at(monkeypatch, path, how)
    with pytest.raises(FileChanged, match="changed by another program"):
        fsutil.write_atomic(path, b"the list\nlitlist's paper\n", expect=snap)
    after = path.read_bytes()
    assert after == (b"the editor's save\n" if how == "rename" else b"THE list\n")
    assert sorted(os.listdir(tmp_path)) == ["papers.toml"]


def test_a_touch_without_a_change_is_no_change(tmp_path: Path) -> None:
    path = tmp_path / "papers.toml"
    path.write_bytes(b"the list\n")
    _, snap = fsutil.read_file(path)
    os.utime(path, ns=(1, 1))
    fsutil.write_atomic(path, b"the list\nmore\n", expect=snap)
    assert path.read_bytes() == b"the list\nmore\n"


# ---------------------------------------------------------------- item 14: lock waits


def test_a_readers_shared_lock_ends_in_an_error_naming_it(tmp_path, monkeypatch) -> None:
    """`flock -s papers.toml sleep 1d` by anyone who can read the file: the owner's write
    waits, says for whom, and gives up with an error instead of hanging."""
    import fcntl

    from litlist.errors import FileBusy

    path = tmp_path / "papers.toml"
    path.write_text("list\n")
    reader = os.open(path, os.O_RDONLY)
    fcntl.flock(reader, fcntl.LOCK_SH)
    notes: list[str] = []
    monkeypatch.setattr(fsutil, "notify", notes.append)
    monkeypatch.setenv("LITLIST_LOCK_TIMEOUT", "0.2")
    try:
        with pytest.raises(FileBusy) as caught:
            with fsutil.locked(path):
                pytest.fail("got a lock a reader holds")
    finally:
        os.close(reader)
    message = str(caught.value)
    assert message.startswith(f"{path} is still locked by another program (pid {os.getpid()}")
    assert "a reader's shared lock" in message and "nothing written" in message
    [note] = notes
    assert note.startswith("waiting for another program") and "up to 0.2 s" in note
    assert path.read_text() == "list\n"


# ---------------------------------------------------------------- item 19: planted folders


def _foreign_link(monkeypatch, link: Path, target: Path) -> None:
    """A symbolic link at `link` owned by another user: made so as root, else by making
    litlist believe it runs as another user."""
    link.symlink_to(target, target_is_directory=True)
    if ROOT:
        os.lchown(link, 65534, 65534)
    else:
        monkeypatch.setattr(os, "geteuid", lambda: os.getuid() + 1)


@pytest.mark.parametrize("depth", ["parent", "grandparent", "through-a-link-of-mine"])
def test_a_folder_link_of_another_user_in_the_path_is_not_followed(
    tmp_path, monkeypatch, depth
) -> None:
    victim = tmp_path / "victim"
    (victim / "sub").mkdir(parents=True)
    (victim / "refs.bib").write_text("the victim's\n")
    (victim / "sub" / "refs.bib").write_text("the victim's\n")
    shared = tmp_path / "shared"
    shared.mkdir()
    _foreign_link(monkeypatch, shared / "out", victim)
    if depth == "parent":
        target = shared / "out" / "refs.bib"
    elif depth == "grandparent":
        target = shared / "out" / "sub" / "refs.bib"
    else:
        mine = tmp_path / "mine"
        mine.symlink_to(shared / "out")
        target = mine / "refs.bib"
    with pytest.raises(UnsafeFile, match="symbolic link owned by another user"):
        fsutil.write_atomic(target, "litlist's\n")
    with pytest.raises(UnsafeFile, match=str(shared / "out")):
        fsutil.check_writable(target)
    assert (victim / "refs.bib").read_text() == "the victim's\n"
    assert (victim / "sub" / "refs.bib").read_text() == "the victim's\n"


def test_links_of_mine_and_roots_in_the_path_are_followed(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "via").symlink_to(real)
    fsutil.write_atomic(tmp_path / "via" / "refs.bib", "mine\n")
    assert (real / "refs.bib").read_text() == "mine\n"


# ---------------------------------------------------------------- item 20: xattrs


def _xattrs_or_skip(path: Path) -> None:
    try:
        os.setxattr(path, "user.litlist-test", b"kept")
    except OSError as exc:
        pytest.skip(f"this file system has no user.* extended attributes ({exc.strerror})")


def test_a_replaced_file_keeps_its_extended_attributes(tmp_path: Path) -> None:
    path = tmp_path / "papers.toml"
    path.write_text("list\n")
    _xattrs_or_skip(path)
    _, snap = fsutil.read_file(path)
    fsutil.write_atomic(path, "list\nmore\n", expect=snap)
    assert path.read_text() == "list\nmore\n"
    assert os.getxattr(path, "user.litlist-test") == b"kept"
    fsutil.write_atomic(path, "forced\n")  # -o --force
    assert os.getxattr(path, "user.litlist-test") == b"kept"


def _acl_granting(uid: int) -> bytes:
    """A POSIX ACL in the kernel's xattr form (what `setfacl -m u:UID:rw` writes): owner rw,
    user `uid` rw, group r, mask rw, others r."""
    import struct

    anyone = 0xFFFFFFFF
    entries = [(0x01, 6, anyone), (0x02, 6, uid), (0x04, 4, anyone), (0x10, 6, anyone)]
    entries.append((0x20, 4, anyone))
    return struct.pack("<I", 2) + b"".join(struct.pack("<HHI", *e) for e in entries)


def test_a_replaced_file_keeps_its_acl(tmp_path: Path) -> None:
    """A colleague given write access with an ACL keeps it after litlist's write."""
    path = tmp_path / "papers.toml"
    path.write_text("list\n")
    acl = _acl_granting(65534)
    try:
        os.setxattr(path, "system.posix_acl_access", acl)
    except OSError as exc:
        pytest.skip(f"this file system has no POSIX ACLs ({exc.strerror})")
    _, snap = fsutil.read_file(path)
    fsutil.write_atomic(path, "list\nmore\n", expect=snap)
    assert os.getxattr(path, "system.posix_acl_access") == acl
