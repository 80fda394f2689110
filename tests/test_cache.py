"""The derived cache (cache.py, used by catalog.load): seen edits, survives damage, agrees
with a cold run, and never stands in for a catalog that is now broken."""

from __future__ import annotations

import os
import signal
import sqlite3
import stat as stat_mod
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from conftest import TINY_CATALOG
from litlist import cache, catalog, query
from litlist.errors import CatalogError
from litlist.model import COLUMNS, Catalog


def snapshot(cat: Catalog) -> dict:
    """Everything a command can read from a catalog, as plain values."""
    return {
        "topics": [(t.slug, t.name) for t in cat.topics],
        "venues": [(v.id, v.name, v.kind, v.aliases) for v in cat.venues],
        "papers": [p.to_dict() for p in cat.papers],
        "columns": {k: list(v) for k, v in cat.columns.items()},
    }


def cache_file(source: Path) -> Path:
    return cache.cache_path(source.absolute())


def cache_is_valid_for(source: Path) -> bool:
    """The cache would be used, and every row, column and page of it checks out (a full
    check, as only a test can afford)."""
    found, _, _, _ = cache.read(source.absolute(), source.stat(), source.read_bytes, [])
    if found is None:
        return False
    db, meta = found
    try:
        if db.execute("pragma integrity_check").fetchone()[0] != "ok":
            return False
        rows = db.execute("select record, crc from papers").fetchall()
        if len(rows) != meta["size"] or any(zlib.crc32(r) != c for r, c in rows):
            return False
        columns = db.execute("select name, value, crc from columns").fetchall()
        if len(columns) != len(COLUMNS) or any(zlib.crc32(v) != c for _, v, c in columns):
            return False
        return True
    except sqlite3.DatabaseError:
        return False
    finally:
        db.close()


@pytest.fixture
def no_parsing(monkeypatch):
    """Make parsing impossible, so a load that succeeds must have come from the cache."""

    def refuse(*args, **kwargs):
        raise AssertionError("the catalog was parsed instead of read from the cache")

    monkeypatch.setattr(catalog, "_build", refuse)


def cold(path: Path, monkeypatch) -> Catalog:
    with monkeypatch.context() as m:
        m.setenv("LITLIST_NO_CACHE", "1")
        return catalog.load(path)


# ---------------------------------------------------------------- where and when


def test_cache_lives_in_litlist_cache_dir(tiny_catalog: Path, cache_dir: Path) -> None:
    assert cache.cache_dir() == cache_dir
    assert list(cache_dir.iterdir()) == []
    catalog.load(tiny_catalog)
    files = sorted(cache_dir.iterdir())
    target = cache_file(tiny_catalog)
    # the cache, and the seal that says litlist wrote it as it is (see cache.py)
    assert files == [target, target.with_name(target.name + ".seal")]
    assert files[0].read_bytes().startswith(b"SQLite format 3\x00")


def test_cache_dir_defaults_to_xdg_then_home(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.delenv("LITLIST_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.cache_dir() == tmp_path / "xdg" / "litlist"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache.cache_dir() == tmp_path / "home" / ".cache" / "litlist"


def test_no_cache_env_writes_nothing(tiny_catalog: Path, cache_dir: Path, monkeypatch) -> None:
    cold(tiny_catalog, monkeypatch)
    assert list(cache_dir.iterdir()) == []


@pytest.mark.parametrize("value", ["1", "yes", "true", "on", "TRUE", " Yes "])
def test_no_cache_env_values_that_disable(monkeypatch, value: str) -> None:
    monkeypatch.setenv("LITLIST_NO_CACHE", value)
    assert not cache.enabled()


@pytest.mark.parametrize("value", ["0", "false", "no", "off", "", "False", "OFF"])
def test_no_cache_env_values_that_enable(monkeypatch, value: str) -> None:
    """`LITLIST_NO_CACHE=false` once turned the cache off (issue 12, item 13)."""
    monkeypatch.setenv("LITLIST_NO_CACHE", value)
    assert cache.enabled()


def test_warm_load_reads_the_cache(tiny_catalog: Path, request) -> None:
    first = catalog.load(tiny_catalog)
    request.getfixturevalue("no_parsing")
    second = catalog.load(tiny_catalog)
    assert snapshot(second) == snapshot(first)


def test_each_catalog_has_its_own_cache(write_catalog, cache_dir: Path) -> None:
    one = write_catalog(TINY_CATALOG, "one.toml")
    two = write_catalog(
        TINY_CATALOG.replace("Alpha Methods for Tiny", "Other Methods for Tiny"), "two.toml"
    )
    assert catalog.load(one).paper(0).title == "Alpha Methods for Tiny Catalogs"
    assert catalog.load(two).paper(0).title == "Other Methods for Tiny Catalogs"
    assert catalog.load(one).paper(0).title == "Alpha Methods for Tiny Catalogs"
    assert len(list(cache_dir.glob("*.sqlite"))) == 2


def test_unwritable_cache_dir_is_no_error(tiny_catalog: Path, tmp_path: Path, monkeypatch) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    monkeypatch.setenv("LITLIST_CACHE_DIR", str(blocker / "cache"))
    assert catalog.load(tiny_catalog).ids == catalog.load(tiny_catalog).ids
    assert blocker.read_text() == "x"


# ---------------------------------------------------------------- edits are seen


def _same_size_edit(path: Path, old: str, new: str, keep_mtime: bool) -> None:
    assert len(old.encode()) == len(new.encode())
    stat = path.stat()
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path.write_text(text.replace(old, new), encoding="utf-8")
    assert path.stat().st_size == stat.st_size
    if keep_mtime:
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        assert path.stat().st_mtime_ns == stat.st_mtime_ns


@pytest.mark.parametrize("keep_mtime", [False, True], ids=["new-mtime", "same-mtime"])
def test_edit_keeping_size_is_seen(tiny_catalog: Path, keep_mtime: bool) -> None:
    assert catalog.load(tiny_catalog).paper(1).year == 2022
    _same_size_edit(tiny_catalog, "year = 2022", "year = 2023", keep_mtime)
    assert catalog.load(tiny_catalog).paper(1).year == 2023
    _same_size_edit(tiny_catalog, '"Bob Jones"', '"Bob Jonas"', keep_mtime)
    assert catalog.load(tiny_catalog).paper(0).authors == ("Jane Smith", "Bob Jonas")


def test_edit_changing_size_is_seen(tiny_catalog: Path) -> None:
    catalog.load(tiny_catalog)
    text = tiny_catalog.read_text(encoding="utf-8")
    tiny_catalog.write_text(
        text.replace('aliases = ["AMT"]', 'aliases = ["AMT", "Alpha"]'), encoding="utf-8"
    )
    cat = catalog.load(tiny_catalog)
    assert cat.paper(0).aliases == ("AMT", "Alpha")
    # the search index is rebuilt with it
    assert [cat.ids[h.position] for h in query.search(cat, "alpha", limit=1)] == ["alpha-one"]


def test_edit_adding_a_paper_is_seen(tiny_catalog: Path) -> None:
    before = catalog.load(tiny_catalog)
    extra = TINY_CATALOG[
        TINY_CATALOG.index('[[paper]]\nid = "gamma-three"') : TINY_CATALOG.index(
            '[[paper]]\nid = "alpha-summary"'
        )
    ]
    extra = extra.replace("gamma-three", "delta-four").replace("lee2024gamma", "lee2024delta")
    extra = extra.replace("Gamma Rays of Attention", "Delta Waves")
    tiny_catalog.write_text(TINY_CATALOG + "\n" + extra, encoding="utf-8")
    after = catalog.load(tiny_catalog)
    assert len(after) == len(before) + 1 and after.ids[-1] == "delta-four"
    hits = query.search(after, "delta waves")
    assert [after.ids[h.position] for h in hits][:1] == ["delta-four"]


def test_replaced_file_is_seen(tiny_catalog: Path, tmp_path: Path) -> None:
    catalog.load(tiny_catalog)
    other = tmp_path / "other.toml"
    other.write_text(TINY_CATALOG.replace("Beta Estimation", "Gamma Estimation"), encoding="utf-8")
    os.replace(other, tiny_catalog)
    assert catalog.load(tiny_catalog).paper(1).title == "Gamma Estimation with Umlauts"


# ---------------------------------------------------------------- broken catalogs


@pytest.mark.parametrize("keep_mtime", [False, True], ids=["new-mtime", "same-mtime"])
@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("year = 2022", "year = 9022"),  # invalid value, same size
        ("titl", "tytl"),  # unknown field, same size (first `title` is alpha-one's)
        ("year = 2024", "year = =024"),  # not TOML, same size
    ],
)
def test_broken_catalog_is_never_served_from_cache(
    tiny_catalog: Path, old: str, new: str, keep_mtime: bool
) -> None:
    catalog.load(tiny_catalog)
    assert cache_is_valid_for(tiny_catalog)
    text = tiny_catalog.read_text(encoding="utf-8")
    stat = tiny_catalog.stat()
    tiny_catalog.write_text(text.replace(old, new, 1), encoding="utf-8")
    if keep_mtime:
        os.utime(tiny_catalog, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    for _ in range(2):  # and not on the run after either
        with pytest.raises(CatalogError):
            catalog.load(tiny_catalog)


def test_not_utf8_is_never_served_from_cache(tiny_catalog: Path) -> None:
    catalog.load(tiny_catalog)
    raw = tiny_catalog.read_bytes()
    tiny_catalog.write_bytes(raw.replace("ü".encode(), b"\xfc\xfc", 1))
    with pytest.raises(CatalogError, match="UTF-8"):
        catalog.load(tiny_catalog)


def test_deleted_catalog_is_never_served_from_cache(tiny_catalog: Path) -> None:
    catalog.load(tiny_catalog)
    tiny_catalog.unlink()
    with pytest.raises(CatalogError, match="no such catalog file"):
        catalog.load(tiny_catalog)


def test_fixed_catalog_loads_again(tiny_catalog: Path) -> None:
    good = tiny_catalog.read_text(encoding="utf-8")
    catalog.load(tiny_catalog)
    tiny_catalog.write_text(good.replace("year = 2022", "year = 0"), encoding="utf-8")
    with pytest.raises(CatalogError):
        catalog.load(tiny_catalog)
    tiny_catalog.write_text(good, encoding="utf-8")
    assert catalog.load(tiny_catalog).paper(1).year == 2022


# ---------------------------------------------------------------- damage


def _truncate_half(blob: bytes) -> bytes:
    return blob[: len(blob) // 2]


def _flip(offset_from_end: int):
    def flip(blob: bytes) -> bytes:
        data = bytearray(blob)
        data[len(data) - offset_from_end] ^= 0x01
        return bytes(data)

    return flip


def _flip_at(offset: int):
    def flip(blob: bytes) -> bytes:
        data = bytearray(blob)
        data[offset] ^= 0x40
        return bytes(data)

    return flip


DAMAGE = {
    "empty": lambda blob: b"",
    "truncated": _truncate_half,
    "truncated-by-one": lambda blob: blob[:-1],
    "magic-only": lambda blob: b"SQLite format 3\x00",
    "garbage": lambda blob: os.urandom(len(blob)),
    "text": lambda blob: b"hello, I am not a cache\n" * 10,
    "bit-flip-in-payload": _flip(20),
    "bit-flip-last-byte": _flip(1),
    "bit-flip-in-magic": _flip_at(3),
    "bit-flip-in-page-size": _flip_at(16),
    "bit-flip-in-page-count": _flip_at(31),
    "extra-bytes": lambda blob: blob + b"\0\0\0",
    # a flip that leaves a loadable database with a wrong title: only the checksums notice
    "bit-flip-in-a-title": lambda blob: blob.replace(b"Gamma Rays", b"Gamma Raxs", 1),
    "bit-flip-in-a-record-title": lambda blob: blob[::-1].replace(
        b"Gamma Rays"[::-1], b"Gamma Raxs"[::-1], 1
    )[::-1],
}


@pytest.mark.parametrize("damage", list(DAMAGE), ids=list(DAMAGE))
def test_damaged_cache_is_rebuilt_with_same_results(
    tiny_catalog: Path, damage: str, monkeypatch
) -> None:
    reference = snapshot(cold(tiny_catalog, monkeypatch))
    catalog.load(tiny_catalog)
    target = cache_file(tiny_catalog)
    damaged = DAMAGE[damage](target.read_bytes())
    assert damaged != target.read_bytes()
    target.write_bytes(damaged)
    loaded = catalog.load(tiny_catalog)
    assert snapshot(loaded) == reference
    for text in ["gamma rays", "alpha", "müller"]:
        assert query.search(loaded, text) == query.search(cold(tiny_catalog, monkeypatch), text)
    # and the damaged file was replaced by a good one (or the damage was in unused bytes)
    assert cache_is_valid_for(tiny_catalog)


def test_cache_folder_in_place_of_cache_file(tiny_catalog: Path, monkeypatch) -> None:
    reference = snapshot(cold(tiny_catalog, monkeypatch))
    cache_file(tiny_catalog).mkdir(parents=True)
    assert snapshot(catalog.load(tiny_catalog)) == reference


def test_intact_cache_of_the_wrong_shape_is_rebuilt(tiny_catalog: Path, monkeypatch) -> None:
    """A database whose meta matches but whose tables this version cannot use."""
    reference = snapshot(cold(tiny_catalog, monkeypatch))
    source = tiny_catalog.absolute()
    catalog.load(tiny_catalog)
    db = sqlite3.connect(cache_file(tiny_catalog))
    db.execute("drop table papers")
    db.commit()
    db.close()
    assert snapshot(catalog.load(tiny_catalog)) == reference
    assert source.exists() and cache_is_valid_for(tiny_catalog)


def test_cache_of_other_format_version_is_ignored(tiny_catalog: Path, monkeypatch) -> None:
    catalog.load(tiny_catalog)
    monkeypatch.setattr(cache, "FORMAT", cache.FORMAT + 1)
    assert not cache_is_valid_for(tiny_catalog)
    catalog.load(tiny_catalog)  # rebuilt in the new format
    assert cache_is_valid_for(tiny_catalog)


def test_cache_for_another_path_is_not_used(tiny_catalog: Path, tmp_path: Path) -> None:
    """A cache copied into the slot of another catalog (same bytes!) is not trusted."""
    catalog.load(tiny_catalog)
    twin = tmp_path / "twin.toml"
    twin.write_bytes(tiny_catalog.read_bytes())
    cache_file(twin).write_bytes(cache_file(tiny_catalog).read_bytes())
    assert not cache_is_valid_for(twin)
    assert catalog.load(twin).path == str(twin)


# ---------------------------------------------------------------- warm == cold


QUERIES = [
    "dpo",
    "lroa",
    "kojima",
    "percy liang",
    "집단지성",
    "attention sink",
    "chain of thougt",
    "contrastive decoding",
    "qwxzv",
    "prefix tunning",
]


def test_shipped_catalog_warm_equals_cold(shipped_catalog: Path, monkeypatch, request) -> None:
    reference = cold(shipped_catalog, monkeypatch)
    catalog.load(shipped_catalog)  # writes the cache
    request.getfixturevalue("no_parsing")
    warm = catalog.load(shipped_catalog)
    assert snapshot(warm) == snapshot(reference)
    for text in QUERIES:
        assert query.search(warm, text) == query.search(reference, text), text
    for filters in [
        {"topic": "peft"},
        {"venue": "nips"},
        {"year": "2023.."},
        {"topic": "Attention Sink", "year": "2024"},
    ]:
        assert query.select(warm, **filters) == query.select(reference, **filters)


def test_tiny_catalog_warm_equals_cold(tiny_catalog: Path, monkeypatch) -> None:
    reference = cold(tiny_catalog, monkeypatch)
    catalog.load(tiny_catalog)
    warm = catalog.load(tiny_catalog)
    assert snapshot(warm) == snapshot(reference)
    for text in ["alpha", "müller", "muller", "감마", "beu", "nips"]:
        assert query.search(warm, text) == query.search(reference, text), text


def test_cache_write_failing_midway_still_loads(
    tiny_catalog: Path, cache_dir: Path, monkeypatch
) -> None:
    """A full disk while the papers stream into the cache: the catalog is built again in
    memory, nothing half-written is left behind, and the next run builds the cache."""
    reference = snapshot(cold(tiny_catalog, monkeypatch))
    calls = {"n": 0}
    real_flush = catalog._Sink.flush

    def failing_flush(self) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise sqlite3.OperationalError("database or disk is full")
        real_flush(self)

    with monkeypatch.context() as m:
        m.setattr(catalog._Sink, "BATCH", 1)
        m.setattr(catalog._Sink, "flush", failing_flush)
        assert snapshot(catalog.load(tiny_catalog)) == reference
    assert calls["n"] >= 2
    assert not any(cache_dir.iterdir())  # no cache, and no temporary file
    assert snapshot(catalog.load(tiny_catalog)) == reference
    assert cache_is_valid_for(tiny_catalog)


def test_fresh_build_reads_records_from_the_file_it_wrote(tiny_catalog: Path) -> None:
    """The first run's catalog serves its papers from the cache it has just written."""
    cat = catalog.load(tiny_catalog)
    assert cache_file(tiny_catalog).exists()
    assert [p.id for p in cat.papers] == cat.columns["id"]


# ---------------------------------------------------------------- trust (issue 12, items 1-3)

AS_ROOT = os.geteuid() == 0
needs_root = pytest.mark.skipif(
    not AS_ROOT, reason="a second user's files can only be made here when running as root"
)
OTHER_UID = 65534  # nobody


def test_cache_folder_is_created_private(tiny_catalog: Path, tmp_path: Path, monkeypatch) -> None:
    folder = tmp_path / "new" / "cache"
    monkeypatch.setenv("LITLIST_CACHE_DIR", str(folder))
    catalog.load(tiny_catalog)
    assert stat_mod.S_IMODE(folder.stat().st_mode) == 0o700
    assert cache_file(tiny_catalog).exists()


@pytest.mark.parametrize("mode", [0o777, 0o770, 0o1777])
def test_folder_writable_by_others_is_not_used(
    tiny_catalog: Path, cache_dir: Path, monkeypatch, mode: int
) -> None:
    reference = snapshot(cold(tiny_catalog, monkeypatch))
    cache_dir.chmod(mode)
    cat = catalog.load(tiny_catalog)
    assert snapshot(cat) == reference
    assert len(cat.warnings) == 1 and "writable by others" in cat.warnings[0]
    assert list(cache_dir.iterdir()) == []  # nothing written into it either


def test_cache_file_writable_by_others_is_not_used(tiny_catalog: Path, monkeypatch) -> None:
    catalog.load(tiny_catalog)
    target = cache_file(tiny_catalog)
    _poison(target)
    target.chmod(0o666)
    cat = catalog.load(tiny_catalog)
    assert cat.paper(0).url == "https://example.org/alpha"
    # replaced by a private cache: nothing to warn about (issue 18 item 22)
    assert cat.warnings == []
    assert not target.stat().st_mode & 0o022 and cache_is_valid_for(tiny_catalog)


def _poison(target: Path) -> None:
    """What an attacker would do: keep the fingerprint, change what the papers say."""
    db = sqlite3.connect(target)
    record, pos = db.execute("select record, pos from papers order by pos limit 1").fetchone()
    forged = record.replace(b"https://example.org/alpha", b"https://evil.example/alpha")
    db.execute(
        "update papers set record = ?, crc = ? where pos = ?", (forged, zlib.crc32(forged), pos)
    )
    db.commit()
    db.close()


def test_fifo_at_cache_path_never_hangs(tiny_catalog: Path, monkeypatch) -> None:
    reference = snapshot(cold(tiny_catalog, monkeypatch))
    target = cache_file(tiny_catalog)
    target.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(target)
    signal.signal(signal.SIGALRM, lambda *_: pytest.fail("opening the cache hung on a FIFO"))
    signal.alarm(20)
    try:
        assert snapshot(catalog.load(tiny_catalog)) == reference
    finally:
        signal.alarm(0)
    assert stat_mod.S_ISREG(os.lstat(target).st_mode)  # replaced by a real cache


def test_symlink_at_cache_path_is_not_followed(tiny_catalog: Path, tmp_path: Path) -> None:
    victim = tmp_path / "thesis.tex"
    victim.write_text("my thesis\n")
    target = cache_file(tiny_catalog)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.symlink_to(victim)
    assert catalog.load(tiny_catalog).paper(0).id == "alpha-one"
    assert victim.read_text() == "my thesis\n"
    assert not target.is_symlink() and cache_is_valid_for(tiny_catalog)


def test_planted_temporary_names_are_not_written_through(
    tiny_catalog: Path, tmp_path: Path
) -> None:
    """The old temporary name was `.<name>.<pid>.tmp`: symlinks planted for the next pids
    pointed the cache's bytes at a victim's file. Temporary files are now made by mkstemp."""
    victim = tmp_path / "thesis.tex"
    victim.write_text("my thesis\n")
    target = cache_file(tiny_catalog)
    target.parent.mkdir(parents=True, exist_ok=True)
    for pid in range(os.getpid() - 5, os.getpid() + 50):
        (target.parent / f".{target.name}.{pid}.tmp").symlink_to(victim)
    catalog.load(tiny_catalog)
    assert victim.read_text() == "my thesis\n"
    assert cache_is_valid_for(tiny_catalog)


def test_cli_prints_one_warning_for_an_untrusted_folder(
    tiny_catalog: Path, cache_dir: Path
) -> None:
    cache_dir.chmod(0o777)
    env = dict(os.environ, PYTHONPATH=str(Path(catalog.__file__).parents[1]))
    done = subprocess.run(
        [sys.executable, "-m", "litlist", "--catalog", str(tiny_catalog), "show", "alpha-one"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("warning: cache folder"), lines
    assert "Alpha Methods" in done.stdout


@needs_root
def test_cache_file_of_another_user_is_not_used(tiny_catalog: Path) -> None:
    catalog.load(tiny_catalog)
    target = cache_file(tiny_catalog)
    _poison(target)
    os.chown(target, OTHER_UID, OTHER_UID)
    cat = catalog.load(tiny_catalog)
    assert cat.paper(0).url == "https://example.org/alpha"
    assert cat.warnings == []  # replaced by one of ours: nothing to warn about
    assert target.stat().st_uid == os.geteuid() and cache_is_valid_for(tiny_catalog)


@needs_root
def test_cache_folder_of_another_user_is_not_used(tiny_catalog: Path, cache_dir: Path) -> None:
    os.chown(cache_dir, OTHER_UID, OTHER_UID)
    cat = catalog.load(tiny_catalog)
    assert cat.paper(0).id == "alpha-one"
    assert "owned by another user" in cat.warnings[0]
    assert list(cache_dir.iterdir()) == []


@needs_root
def test_second_user_cannot_poison_a_shared_folder(
    tiny_catalog: Path, tmp_path: Path, monkeypatch
) -> None:
    """Another user, in a real process of their own (os.setuid), writes a forged cache for
    the victim's catalog into a group-shared folder: the victim is warned and reads the
    catalog itself."""
    import shutil
    import tempfile

    shared = Path(tempfile.mkdtemp(prefix="litlist-shared-"))  # reachable by the other user
    request_cleanup = lambda: shutil.rmtree(shared, ignore_errors=True)  # noqa: E731
    shared.chmod(0o1777)
    monkeypatch.setenv("LITLIST_CACHE_DIR", str(shared))
    good = tmp_path / "good"
    good.mkdir(mode=0o700)
    with monkeypatch.context() as m:
        m.setenv("LITLIST_CACHE_DIR", str(good))
        catalog.load(tiny_catalog)
        forged = cache_file(tiny_catalog)
        _poison(forged)
        forged.chmod(0o644)
    planted = shared / forged.name
    script = (
        "import os, shutil, sys\n"
        f"os.setgid({OTHER_UID}); os.setuid({OTHER_UID})\n"
        "with open(sys.argv[1], 'wb') as f: f.write(sys.stdin.buffer.read())\n"
        "os.chmod(sys.argv[1], 0o644)\n"
    )
    try:
        done = subprocess.run(
            [sys.executable, "-c", script, str(planted)], input=forged.read_bytes(), timeout=60
        )
        assert done.returncode == 0 and planted.stat().st_uid == OTHER_UID
        cat = catalog.load(tiny_catalog)
        assert cat.paper(0).url == "https://example.org/alpha"
        assert cat.warnings and "cache folder" in cat.warnings[0]
    finally:
        request_cleanup()


# ---------------------------------------------------------------- appending (for `litlist add`)


def _append_delta(path: Path) -> tuple[bytes, Catalog]:
    """Append a paper to the catalog file (atomically, as `litlist add` does); the new
    bytes and the catalog validated from them."""
    extra = TINY_CATALOG[
        TINY_CATALOG.index('[[paper]]\nid = "gamma-three"') : TINY_CATALOG.index(
            '[[paper]]\nid = "alpha-summary"'
        )
    ]
    extra = extra.replace("gamma-three", "delta-four").replace("lee2024gamma", "lee2024delta")
    extra = extra.replace("Gamma Rays of Attention", "Delta Waves of Routing")
    extra = extra.replace("2403.00003", "2404.00004")
    raw = path.read_bytes() + b"\n" + extra.encode()
    tmp = path.with_suffix(".new")
    tmp.write_bytes(raw)
    os.replace(tmp, path)
    fresh, problems = catalog.check(path)
    assert not problems and fresh is not None
    return raw, fresh


def test_extend_cache_appends_in_place(tiny_catalog: Path, request, monkeypatch) -> None:
    catalog.load(tiny_catalog)
    before = catalog.fingerprint_sha(tiny_catalog)
    assert before == __import__("hashlib").sha256(tiny_catalog.read_bytes()).hexdigest()
    raw, fresh = _append_delta(tiny_catalog)
    catalog.extend_cache(
        tiny_catalog.absolute(), before, raw, fresh.topics, fresh.venues, [fresh.paper(4)]
    )
    reference = cold(tiny_catalog, monkeypatch)
    request.getfixturevalue("no_parsing")  # the next run is warm: no parse, no rebuild
    warm = catalog.load(tiny_catalog)
    assert snapshot(warm) == snapshot(reference)
    assert warm.ids[-1] == "delta-four"
    assert [warm.ids[h.position] for h in query.search(warm, "delta waves")][:1] == ["delta-four"]
    assert query.lookup(warm, ["2404.00004"]) == [4]
    assert cache_is_valid_for(tiny_catalog)


def test_extend_cache_of_another_content_drops_the_cache(tiny_catalog: Path) -> None:
    catalog.load(tiny_catalog)
    raw, fresh = _append_delta(tiny_catalog)
    catalog.extend_cache(
        tiny_catalog.absolute(), "0" * 64, raw, fresh.topics, fresh.venues, [fresh.paper(4)]
    )
    assert not cache_file(tiny_catalog).exists()
    assert catalog.load(tiny_catalog).ids[-1] == "delta-four"  # rebuilt


def test_extend_cache_without_a_cache_is_harmless(tiny_catalog: Path) -> None:
    raw, fresh = _append_delta(tiny_catalog)
    catalog.extend_cache(tiny_catalog, "x", raw, fresh.topics, fresh.venues, [fresh.paper(4)])
    assert catalog.fingerprint_sha(tiny_catalog) is None
    assert catalog.load(tiny_catalog).ids[-1] == "delta-four"


# ---------------------------------------------------------------- issue 18, items 12 and 13


@pytest.mark.parametrize("warm", [True, False], ids=["from-cache", "just-built"])
def test_a_reader_keeps_its_snapshot_while_add_appends(tiny_catalog: Path, warm: bool) -> None:
    """`search` beside `add`: the add appends papers to the very cache file the search has
    open (one it just built, or read). The search keeps to the papers it loaded: no
    IndexError, no position past its catalog."""
    if warm:
        catalog.load(tiny_catalog)
    reader = catalog.load(tiny_catalog)
    assert len(reader) == 4
    before = catalog.fingerprint_sha(tiny_catalog)
    raw, fresh = _append_delta(tiny_catalog)
    catalog.extend_cache(
        tiny_catalog.absolute(), before, raw, fresh.topics, fresh.venues, [fresh.paper(4)]
    )
    assert catalog.fingerprint_sha(tiny_catalog) != before  # appended into the same file
    for text in ["delta waves", "delta-four", "2404.00004", "gamma", "deltawaves"]:
        hits = query.search(reader, text)
        assert all(h.position < 4 for h in hits)
    assert list(reader.columns["id"]) == TINY_IDS_IN_FILE
    assert catalog.load(tiny_catalog).ids[-1] == "delta-four"  # the next run sees it


TINY_IDS_IN_FILE = ["alpha-one", "beta-two", "gamma-three", "alpha-summary"]


def _first_in_search_tables(blob: bytes) -> int:
    # "umlaut" in lower case is only in the search tables: the record says "Umlauts"
    at = blob.find(b"umlaut")
    assert at > 0
    return at


@pytest.mark.parametrize("reseal", [False, True], ids=["as-found", "seal-forged"])
def test_tokens_rows_removed_mean_a_rebuild(tiny_catalog: Path, monkeypatch, reseal) -> None:
    """A tokens table with rows removed made every search die with KeyError. Seen by its
    seal, and, should the seal be forged, by a candidate with no tokens row."""
    catalog.load(tiny_catalog)
    target = cache_file(tiny_catalog)
    db = sqlite3.connect(target)
    db.execute("delete from tokens where pos in (0, 1)")
    db.commit()
    db.close()
    if reseal:
        cache.seal(target)
    loaded = catalog.load(tiny_catalog)
    for text in ["umlauts", "alpha methods", "gamma"]:
        assert query.search(loaded, text) == query.search(cold(tiny_catalog, monkeypatch), text)
    assert cache_is_valid_for(tiny_catalog)
    db = sqlite3.connect(target)
    assert db.execute("select count(*) from tokens").fetchone()[0] == 4
    db.close()


def test_one_changed_byte_in_the_search_tables_means_a_rebuild(
    tiny_catalog: Path, monkeypatch
) -> None:
    """One changed byte in the search tables made a search return the wrong paper on every
    run: the records' checksums do not cover them. The seal does: any change litlist did not
    make means the cache is rebuilt."""
    catalog.load(tiny_catalog)
    target = cache_file(tiny_catalog)
    blob = target.read_bytes()
    at = _first_in_search_tables(blob)
    target.write_bytes(blob[:at] + b"x" + blob[at + 1 :])
    loaded = catalog.load(tiny_catalog)
    for text in ["umlauts", "umlaut", "beta estimation", "xmlauts"]:
        assert query.search(loaded, text) == query.search(cold(tiny_catalog, monkeypatch), text)
    assert b"xmlaut" not in target.read_bytes()  # rebuilt


@pytest.mark.parametrize(
    "damage",
    [
        "update tokens set title = 5 where pos = 1",
        "update names set pos = 'zz'",
        "drop table terms",
        "update tokens set pos = pos + 100 where pos = 0",
    ],
    ids=["token-of-another-type", "name-position-not-a-number", "no-terms", "tokens-moved"],
)
def test_any_error_reading_the_search_tables_means_a_rebuild(
    tiny_catalog: Path, monkeypatch, damage: str
) -> None:
    """Even when the seal says the file is litlist's (forged here; bit rot would not show
    in the stat either), an error reading the search tables rebuilds the cache and asks
    again: never a traceback, never an answer from the damaged tables."""
    catalog.load(tiny_catalog)
    target = cache_file(tiny_catalog)
    db = sqlite3.connect(target)
    db.execute(damage)
    db.commit()
    db.close()
    cache.seal(target)
    loaded = catalog.load(tiny_catalog)
    for text in ["umlauts", "AMT", "alpha methods", "gamma"]:
        assert query.search(loaded, text) == query.search(cold(tiny_catalog, monkeypatch), text)
    assert cache_is_valid_for(tiny_catalog)
