"""The derived cache (cache.py, used by catalog.load): seen edits, survives damage, agrees
with a cold run, and never stands in for a catalog that is now broken."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from conftest import TINY_CATALOG
from litlist import cache, catalog, query
from litlist.errors import CatalogError
from litlist.model import Catalog


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
    sections, _, _ = cache.read(source.absolute(), source.stat(), source.read_bytes)
    return sections is not None


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
    files = list(cache_dir.iterdir())
    assert files == [cache_file(tiny_catalog)]
    assert files[0].read_bytes().startswith(cache.MAGIC)


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


@pytest.mark.parametrize("value", ["1", "yes", "true"])
def test_no_cache_env_values(monkeypatch, value: str) -> None:
    monkeypatch.setenv("LITLIST_NO_CACHE", value)
    assert not cache.enabled()
    monkeypatch.setenv("LITLIST_NO_CACHE", "0")
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
    assert len(list(cache_dir.iterdir())) == 2


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
        ("year = 2022", "year = 1022"),  # invalid value, same size
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
    "magic-only": lambda blob: cache.MAGIC,
    "garbage": lambda blob: os.urandom(len(blob)),
    "text": lambda blob: b"hello, I am not a cache\n" * 10,
    "bit-flip-in-payload": _flip(20),
    "bit-flip-last-byte": _flip(1),
    "bit-flip-in-magic": _flip_at(3),
    "bit-flip-in-header-length": _flip_at(len(cache.MAGIC) + 2),
    "bit-flip-in-header": _flip_at(len(cache.MAGIC) + 12),
    "extra-bytes": lambda blob: blob + b"\0\0\0",
    # a flip that leaves a loadable payload with a wrong title: only the checksum notices
    "bit-flip-in-a-title": lambda blob: blob.replace(b"Gamma Rays", b"Gamma Raxs", 1),
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
    assert not cache_is_valid_for(tiny_catalog)
    assert snapshot(catalog.load(tiny_catalog)) == reference
    # and the damaged file was replaced by a good one
    assert target.read_bytes() != damaged
    assert cache_is_valid_for(tiny_catalog)


def test_cache_folder_in_place_of_cache_file(tiny_catalog: Path, monkeypatch) -> None:
    reference = snapshot(cold(tiny_catalog, monkeypatch))
    cache_file(tiny_catalog).mkdir(parents=True)
    assert snapshot(catalog.load(tiny_catalog)) == reference


def test_intact_cache_of_the_wrong_shape_is_rebuilt(tiny_catalog: Path, monkeypatch) -> None:
    """A cache whose checksums match but whose payload this version cannot use."""
    reference = snapshot(cold(tiny_catalog, monkeypatch))
    source = tiny_catalog.absolute()
    expected = cache.fingerprint(source, source.stat(), source.read_bytes(), time.time_ns())
    cache.write(source, expected, {"meta": b"42"})
    assert snapshot(catalog.load(tiny_catalog)) == reference


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
    """A full disk while the records stream into the cache: the catalog is built again in
    memory, nothing half-written is left behind, and the next run builds the cache."""
    reference = snapshot(cold(tiny_catalog, monkeypatch))
    calls = {"n": 0}
    real_add = cache.Writer.add

    def failing_add(self, chunk) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise cache.WriteError("No space left on device")
        real_add(self, chunk)

    with monkeypatch.context() as m:
        m.setattr(cache.Writer, "add", failing_add)
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
