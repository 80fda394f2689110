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
    content once and the new content once (the cache's fingerprint), not four or five
    times. The cache is checked by hash here (its stat is as good as new: `RACY_NS`)."""
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
        # the old bytes once, the new ones once; a little slack for small hashes elsewhere
        assert size + after <= counter.hashed < size + after + 4096
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


def _reference(text: str | bytes) -> tuple[list, list, int]:
    """What Layout found before `_scan`: every header via `_headers`, one at a time."""
    from litlist.editing import _Block, _headers, _name

    topics: list = []
    venues: list = []
    papers = 0
    last = None
    for match in _headers(text):
        if last is not None:
            last.stop, last = match.start(), None
        name = _name(match)
        if name == "paper":
            papers += 1
        elif name in ("topic", "venue"):
            last = _Block(name, match.start(), len(text))
            (topics if name == "topic" else venues).append(last)
    return topics, venues, papers


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


def test_the_fast_layout_scan_finds_what_the_header_walk_finds() -> None:
    """`_scan` (one regex pass for the paper count) gives the same topic and venue blocks
    and paper count as walking every header with `_headers`, for str and bytes, on texts
    made of header-like lines of every kind (start of file, BOM, CRLF, comments, no final
    line break)."""
    import random

    from litlist.editing import _scan

    rng = random.Random(17)
    for _ in range(600):
        lines = [rng.choice(LINES) for _ in range(rng.randint(0, 12))]
        text = rng.choice(["\n", "\r\n"]).join(lines) + rng.choice(["", "\n"])
        for form in (text, text.encode("utf-8")):
            assert _scan(form) == _reference(form), repr(form)
