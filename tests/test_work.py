"""How much work a change to a catalog does on the whole file: an `add` or a curation verb
reads the catalog once (and once more for the check at the rename), and hashes it once
before and once after, whatever its size. Counted, never timed: the bytes hashed and the
full reads of the catalog, at two sizes."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from litlist import cache, catalog, fsutil
from litlist.cli import app

PAPER = """
[[paper]]
id = "bench-{n}"
kind = "paper"
key = "bench{n}counted"
title = "Counted Work Number {n} on Growing Lists"
authors = ["Ada Counter", "Bo Meter"]
year = 2020
venue = "ICML"
topic = "alignment/rlhf"
"""

ENTRY = """@inproceedings{{added{n},
  title={{A Paper Added to a List of {n}}},
  author={{Marker, Bench}},
  booktitle={{Advances in Neural Information Processing Systems}},
  year={{2021}}
}}
"""


def _catalog(tmp_path: Path, n: int) -> Path:
    """The shipped catalog and `n` made-up papers, with its cache built."""
    path = tmp_path / f"list-{n}.toml"
    text = catalog.shipped().read_text(encoding="utf-8")
    path.write_text(text + "".join(PAPER.format(n=i) for i in range(n)), encoding="utf-8")
    catalog.load(path)  # the cache, as a user's list has one
    return path


class _Counter:
    """Counts the bytes given to SHA-256 and the full reads of one file."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
        self.hashed = 0
        self.reads = 0
        real_sha256 = hashlib.sha256
        counter = self

        class Counting:
            def __init__(self, data: bytes = b"") -> None:
                counter.hashed += len(data)
                self._real = real_sha256(data)

            def update(self, data: bytes) -> None:
                counter.hashed += len(data)
                self._real.update(data)

            def hexdigest(self) -> str:
                return self._real.hexdigest()

            def copy(self) -> Counting:
                twin = Counting()
                twin._real = self._real.copy()
                return twin

        monkeypatch.setattr(hashlib, "sha256", Counting)
        real_read_file, real_read = fsutil.read_file, catalog._read

        def read_file(where, **kwargs):
            self.reads += Path(where) == path
            return real_read_file(where, **kwargs)

        def read(where):
            self.reads += Path(where) == path
            return real_read(where)

        monkeypatch.setattr(fsutil, "read_file", read_file)
        monkeypatch.setattr(catalog, "_read", read)


@pytest.mark.parametrize(
    "verb",
    [
        ["add", "--bib", "{bib}", "--topic", "peft"],
        ["mark", "bench-3", "read"],
        ["note", "bench-3", "a note"],
        ["rm", "bench-3", "--yes"],
    ],
    ids=lambda v: v[0],
)
def test_a_change_reads_and_hashes_the_catalog_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, verb: list[str]
) -> None:
    """At 200 and 400 papers: one full read of the catalog (the session's; the cache is
    checked against those bytes, not a second read), and the bytes hashed are the old
    content once and the new content once (the cache's fingerprint; an append, only what it
    added), not four or five times. The cache is checked by hash here (its stat is as good
    as new: `RACY_NS`)."""
    monkeypatch.setattr(cache, "RACY_NS", 10**18)  # every run checks the cache by hash
    passes = []
    for n in (200, 400):
        path = _catalog(tmp_path, n)
        bib = tmp_path / f"entry-{n}.bib"
        bib.write_text(ENTRY.format(n=n), encoding="utf-8")
        size = path.stat().st_size
        counter = _Counter(monkeypatch, path)
        args = [a.format(bib=bib) for a in verb]
        result = CliRunner().invoke(app, ["--catalog", str(path), *args], prog_name="litlist")
        assert result.exit_code == 0, result.output
        after = path.stat().st_size
        assert after != size  # the change was written
        assert counter.reads == 1
        # the old bytes once, the new ones once (an add: only the bytes it appended);
        # a little slack for small hashes elsewhere
        want = size + (after - size if verb[0] == "add" else after)
        assert want <= counter.hashed < want + 4096
        passes.append(counter.hashed / size)
        monkeypatch.undo()
        monkeypatch.setattr(cache, "RACY_NS", 10**18)
    assert abs(passes[0] - passes[1]) < 0.1  # the same number of passes at both sizes


def test_the_check_at_the_rename_compares_bytes_without_hashing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lost-update check at the rename compares the file with the bytes read (no
    hashing), and still refuses a file changed to other bytes of the same size."""
    path = tmp_path / "f.txt"
    path.write_bytes(b"a" * 3_000_000)
    _, snap = fsutil.read_file(path)
    counter = _Counter(monkeypatch, path)
    fsutil.write_atomic(path, b"new", expect=snap)
    assert counter.hashed == 0 and path.read_bytes() == b"new"
    monkeypatch.undo()
    path.write_bytes(b"a" * 3_000_000)
    _, snap = fsutil.read_file(path)
    with path.open("r+b") as handle:  # the same size, stat kept: only the bytes differ
        handle.seek(2_500_000)
        handle.write(b"b")
    import os

    os.utime(path, ns=(snap.mtime_ns, snap.mtime_ns))
    with pytest.raises(fsutil.FileChanged):
        fsutil.write_atomic(path, b"new", expect=snap)
    assert path.read_bytes()[2_500_000:2_500_001] == b"b"


LINES = [
    "[[paper]]",
    "[[topic]]",
    "[[venue]]",
    "  [[ paper ]]  # a comment",
    "[paper]",
    "[[topics]]",
    "[[venue]]\r",
    "\ufeff[[topic]]",
    "[[paper]] x",
    "[[paper.sub]]",
    'id = "a"',
    "# [[paper]]",
    "",
    "  ",
    'title = """',
    "[[topic]]#c",
    "\t[venue]",
]


def test_the_header_search_finds_what_the_header_pattern_finds() -> None:
    """`_headers` (a literal search for candidate lines, then the header pattern on each;
    on bytes without a line-starting BOM, the search without one) finds exactly the
    matches of `_HEADER` tried everywhere, for str and bytes, on texts made of header-like
    lines of every kind (start of file, BOM, CRLF, comments, no final line break)."""
    import random

    from litlist.editing import _HEADER, _HEADER_BYTES, _headers

    rng = random.Random(17)
    for _ in range(600):
        lines = [rng.choice(LINES) for _ in range(rng.randint(0, 12))]
        text = rng.choice(["\n", "\r\n"]).join(lines) + rng.choice(["", "\n"])
        for form, pattern in ((text, _HEADER), (text.encode("utf-8"), _HEADER_BYTES)):
            want = [(m.start(), m.group(1)) for m in pattern.finditer(form)]  # type: ignore[arg-type]
            assert [(m.start(), m.group(1)) for m in _headers(form)] == want, repr(form)


def test_a_cache_check_that_settles_nothing_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A catalog too freshly written to be trusted by its stat is hashed on every run; when
    the hash matches and the stat is the recorded one, recording the check again would
    settle nothing, so the cache is not written (a synced write per run at 100k). A new
    stat with the same bytes is still recorded, once."""
    import os

    path = tmp_path / "c.toml"
    path.write_bytes(catalog.shipped().read_bytes())
    catalog.load(path)
    monkeypatch.setattr(cache, "RACY_NS", 10**18)  # no check ever settles
    real = cache.set_meta
    written: list[dict] = []

    def set_meta(db, values: dict) -> None:
        written.append(values)
        real(db, values)

    monkeypatch.setattr(cache, "set_meta", set_meta)
    assert len(catalog.load(path)) > 0
    assert written == []
    info = path.stat()
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000))  # new stat, same bytes
    catalog.load(path)
    catalog.load(path)
    assert [list(v) for v in written] == [["fingerprint"]]


def test_the_digest_of_an_append_is_the_digest_of_the_whole(tmp_path: Path) -> None:
    """`fsutil.digest` hashes only the appended bytes and still gives the SHA-256 of the
    whole; bytes that do not begin with the ones read are hashed whole."""
    path = tmp_path / "f.txt"
    path.write_bytes(b"x" * 100_000)
    _, snap = fsutil.read_file(path)
    for data in (b"x" * 100_000 + b"more", b"x" * 100_000, b"y" + b"x" * 100_000, b""):
        assert fsutil.digest(data, snap) == hashlib.sha256(data).hexdigest()
        assert fsutil.digest(data) == hashlib.sha256(data).hexdigest()
