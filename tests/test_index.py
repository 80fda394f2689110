"""The search index as a build writes it (`index.Builder`): tables and answers that do not
depend on how the papers were batched."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from litlist import cache, catalog, index, query
from test_cache import _append_delta, cache_file, cache_is_valid_for

NAMES = ["AMT", "beu", "smith2020alpha", "gamma-three", "2403.00003", "nothing-here"]
SEARCHES = ["gamma rays", "amt", "müller"]


def _names_index(source: Path) -> list:
    db = sqlite3.connect(cache_file(source))
    try:
        return db.execute(
            "select name, tbl_name, sql from sqlite_master"
            " where type = 'index' and tbl_name = 'names'"
        ).fetchall()
    finally:
        db.close()


def test_builder_of_many_batches_indexes_names_at_the_end(tiny_catalog: Path, monkeypatch) -> None:
    """A catalog larger than one batch has its names index made after its names are in
    (one sort): the cache then holds the same index and answers as a one-batch build."""
    small = catalog.load(tiny_catalog)
    expected = [query.named(small, name) for name in NAMES]
    searches = [query.search(small, text) for text in SEARCHES]
    index_before = _names_index(tiny_catalog)
    assert index_before
    cache.drop(tiny_catalog.absolute())
    monkeypatch.setattr(index.Builder, "BATCH", 2)
    large = catalog.load(tiny_catalog)
    assert [query.named(large, name) for name in NAMES] == expected
    assert [query.search(large, text) for text in SEARCHES] == searches
    assert _names_index(tiny_catalog) == index_before
    assert cache_is_valid_for(tiny_catalog)


def test_builder_appending_more_than_a_batch_still_answers_names(
    tiny_catalog: Path, monkeypatch
) -> None:
    catalog.load(tiny_catalog)
    index_before = _names_index(tiny_catalog)
    before = catalog.fingerprint_sha(tiny_catalog)
    raw, fresh = _append_delta(tiny_catalog)
    monkeypatch.setattr(index.Builder, "BATCH", 1)
    catalog.extend_cache(
        tiny_catalog.absolute(), before, raw, fresh.topics, fresh.venues, [fresh.paper(4)]
    )
    assert catalog.fingerprint_sha(tiny_catalog) is not None  # extended, not dropped
    assert _names_index(tiny_catalog) == index_before
    assert query.lookup(catalog.load(tiny_catalog), ["2404.00004"]) == [4]
    assert cache_is_valid_for(tiny_catalog)


def _abstract_catalog(tmp_path: Path, abstracts: list[str]) -> Path:
    """A catalog of papers with neutral titles whose only other text is an abstract."""
    head = '[[topic]]\nslug = "t"\nname = "T"\n\n[[venue]]\nid = "V"\nname = "V"\n'
    head += 'kind = "conference"\n'
    papers = [
        f'[[paper]]\nid = "p{i}"\nkey = "k{i}"\ntitle = "Paper {i}"\nauthors = ["A B"]\n'
        f'year = 2020\nvenue = "V"\ntopic = "t"\nabstract = "{text}"\n'
        for i, text in enumerate(abstracts)
    ]
    path = tmp_path / "abstracts.toml"
    path.write_text(head + "\n".join(papers), encoding="utf-8")
    return path


def test_candidates_are_ordered_by_bm25_not_by_position(tmp_path: Path) -> None:
    """FTS5 scores nothing (bm25() is 0 for every row) in a contentless table that keeps
    no positions; the index keeps them, so the paper that says a rare word most, in the
    shortest text, is the first candidate wherever it is in the list."""
    filler = " ".join(f"word{n}" for n in range(40))
    texts = [f"{filler} sheaf"] * 5 + ["sheaf cohomology sheaf"]
    cat = catalog.load(_abstract_catalog(tmp_path, texts))
    idx = query._index(cat)
    found = idx.candidates([["sheaf"]], idx.doc_freqs(["sheaf"]), limit=3)
    assert found[0][0] == 5
    assert all(score > 0 for _, score in found)


def test_search_reads_abstracts(tmp_path: Path) -> None:
    texts = [
        "We study how sparse sheaf cohomology explains gradient flow in deep networks.",
        "A survey of treebanks for dependency parsing in many languages.",
    ]
    cat = catalog.load(_abstract_catalog(tmp_path, texts))
    hits = query.search(cat, "cohomology of sheaves and gradient flow")
    assert [h.position for h in hits][:1] == [0]
    assert hits[0].matched[0][0] == "abstract"
    assert query.search(cat, "sourdough starter feeding schedule") == []


def _doc_freqs(source: Path) -> list:
    db = sqlite3.connect(cache_file(source))
    try:
        return db.execute("select term, doc from df order by term").fetchall()
    finally:
        db.close()


def test_an_append_counts_papers_per_token_as_a_build_would(tiny_catalog: Path) -> None:
    catalog.load(tiny_catalog)
    before = catalog.fingerprint_sha(tiny_catalog)
    raw, fresh = _append_delta(tiny_catalog)
    catalog.extend_cache(
        tiny_catalog.absolute(), before, raw, fresh.topics, fresh.venues, [fresh.paper(4)]
    )
    assert catalog.fingerprint_sha(tiny_catalog) is not None  # extended, not dropped
    appended = _doc_freqs(tiny_catalog)
    assert ("rout", 1) in appended  # a word of the new paper only
    cache.drop(tiny_catalog.absolute())
    catalog.load(tiny_catalog)
    assert appended == _doc_freqs(tiny_catalog)
