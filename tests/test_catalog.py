"""Finding, reading and checking catalog files (catalog.py), and the shipped catalog itself
compared with the reading list it was made from."""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

import pytest

from conftest import SEED, TINY_CATALOG, TINY_IDS
from litlist import catalog, query
from litlist.errors import CatalogError
from litlist.model import Catalog, Paper
from seedlist import SeedEntry, parse


def header_line(text: str, paper_id: str) -> int:
    """1-based line of the `[[paper]]` header of the paper with this id."""
    lines = text.splitlines()
    at = lines.index(f'id = "{paper_id}"')
    while lines[at].strip() != "[[paper]]":
        at -= 1
    return at + 1


def line_of(text: str, fragment: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if fragment in line)


def edit(old: str, new: str) -> str:
    assert TINY_CATALOG.count(old) == 1, old
    return TINY_CATALOG.replace(old, new)


# ---------------------------------------------------------------- a valid catalog


def test_load_tiny_catalog(tiny_catalog: Path) -> None:
    cat = catalog.load(tiny_catalog)
    assert cat.ids == TINY_IDS
    assert cat.path == str(tiny_catalog)
    beta = cat.paper(1)
    assert beta.authors == ("Jürgen Müller", "Zoë Dupont", "Łukasz Wróbel")
    assert beta.doi == "10.1234/beta.two"
    assert cat.paper(3).kind == "summary" and cat.paper(3).covers == ("alpha-one", "beta-two")
    assert [t.slug for t in cat.topics] == ["alpha", "alpha/beta", "gamma"]
    assert cat.venue("NeurIPS").aliases == ("NIPS",)


def test_check_tiny_catalog_has_no_problems(tiny_catalog: Path) -> None:
    cat, problems = catalog.check(tiny_catalog)
    assert problems == []
    assert cat is not None and cat.ids == TINY_IDS


def test_load_and_check_agree(tiny_catalog: Path) -> None:
    loaded = catalog.load(tiny_catalog)
    checked, _ = catalog.check(tiny_catalog)
    assert checked is not None
    assert [p.to_dict() for p in loaded.papers] == [p.to_dict() for p in checked.papers]


# ---------------------------------------------------------------- locating the catalog


def test_locate_prefers_argument_then_env_then_shipped(tmp_path: Path, monkeypatch) -> None:
    shipped = catalog.locate(None)
    assert shipped.name == "papers.toml" and shipped.is_file()
    monkeypatch.setenv(catalog.ENV_VAR, str(tmp_path / "env.toml"))
    assert catalog.locate(None) == tmp_path / "env.toml"
    assert catalog.locate(tmp_path / "arg.toml") == tmp_path / "arg.toml"
    monkeypatch.setenv(catalog.ENV_VAR, "")
    assert catalog.locate(None) == shipped


def test_locate_makes_paths_absolute(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert catalog.locate("mine.toml") == tmp_path / "mine.toml"
    monkeypatch.setenv("HOME", str(tmp_path))
    assert catalog.locate("~/x.toml") == tmp_path / "x.toml"


def test_load_uses_env_var(tiny_catalog: Path, monkeypatch) -> None:
    monkeypatch.setenv(catalog.ENV_VAR, str(tiny_catalog))
    assert catalog.load().ids == TINY_IDS


# ---------------------------------------------------------------- broken catalogs

# (name, old text, new text, paper id, field, words in the message)
BROKEN_PAPERS = [
    (
        "unknown field",
        'title = "Beta Estimation with Umlauts"',
        'titel = "Beta Estimation with Umlauts"',
        "beta-two",
        "titel",
        "unknown field",
    ),
    ("year too early", "year = 2022", "year = 999", "beta-two", "year", "1000"),
    ("year too late", "year = 2022", "year = 2202", "beta-two", "year", "less than or equal"),
    ("year as text", "year = 2022", 'year = "2022"', "beta-two", "year", "integer"),
    (
        "malformed arXiv id",
        'arxiv = "2202.00002"',
        'arxiv = "2202.2"',
        "beta-two",
        "arxiv",
        "not an arXiv id",
    ),
    (
        "arXiv id with version",
        'arxiv = "2202.00002"',
        'arxiv = "2202.00002v1"',
        "beta-two",
        "arxiv",
        "not an arXiv id",
    ),
    (
        "malformed DOI",
        'doi = "10.1234/beta.two"',
        'doi = "doi:beta.two"',
        "beta-two",
        "doi",
        "not a DOI",
    ),
    (
        "DOI as a URL",
        'doi = "10.1234/beta.two"',
        'doi = "https://doi.org/10.1234/beta.two"',
        "beta-two",
        "doi",
        "not a DOI",
    ),
    ("key not BibTeX-safe", 'key = "muller2022beta"', 'key = "müller 2022"', "beta-two", "key", ""),
    (
        "key with a parenthesis",
        'key = "muller2022beta"',
        'key = "(2022)beta"',
        "beta-two",
        "key",
        "",
    ),
    (
        "duplicate key up to case",
        'key = "muller2022beta"',
        'key = "Smith2020Alpha"',
        "beta-two",
        "key",
        "alpha-one",
    ),
    (
        "duplicate key",
        'key = "muller2022beta"',
        'key = "smith2020alpha"',
        "beta-two",
        "key",
        "alpha-one",
    ),
    ("duplicate id", 'id = "gamma-three"', 'id = "alpha-one"', "alpha-one", "id", "another paper"),
    (
        "undeclared topic",
        'topic = "gamma"',
        'topic = "delta"',
        "gamma-three",
        "topic",
        "'delta' is not declared",
    ),
    (
        "undeclared venue",
        'venue = "ICLR-WS"',
        'venue = "ICML-WS"',
        "gamma-three",
        "venue",
        "'ICML-WS' is not declared",
    ),
    (
        "no authors",
        'authors = ["Min-ji Lee"]',
        "authors = []",
        "gamma-three",
        "authors",
        "at least one author",
    ),
    (
        "authors left out",
        'authors = ["Min-ji Lee"]\n',
        "",
        "gamma-three",
        "authors",
        "at least one author",
    ),
    ("year left out", "year = 2024\n", "", "gamma-three", "year", "needs a year"),
    ("kind misspelt", 'kind = "summary"', 'kind = "sumary"', "alpha-summary", "kind", ""),
]


@pytest.mark.parametrize(
    ("old", "new", "paper", "field", "words"),
    [case[1:] for case in BROKEN_PAPERS],
    ids=[case[0] for case in BROKEN_PAPERS],
)
def test_broken_paper_is_reported_with_file_line_paper_field(
    write_catalog, old, new, paper, field, words
) -> None:
    path = write_catalog(edit(old, new))
    # the `[[paper]]` header above the edited line (edits keep the line count or shorten below)
    line = header_line(TINY_CATALOG, _id_at(TINY_CATALOG.index(old)))
    _, problems = catalog.check(path)
    assert {(p.paper, p.field) for p in problems if p.field != "title"} == {(paper, field)}, [
        p.render() for p in problems
    ]
    problem = next(p for p in problems if p.field == field)
    assert (problem.path, problem.line, problem.paper) == (str(path), line, paper)
    assert words in problem.message
    assert problem.render().startswith(f"{path}:{line}: paper '{paper}', field '{field}': ")


def _id_at(offset: int) -> str:
    """Id of the paper whose table holds this offset of TINY_CATALOG."""
    start = TINY_CATALOG.rindex("[[paper]]", 0, offset + 1)
    return re.search(r'^id = "([^"]+)"', TINY_CATALOG[start:], re.M).group(1)


@pytest.mark.parametrize(
    ("old", "new", "paper", "field"),
    [(c[1], c[2], c[3], c[4]) for c in BROKEN_PAPERS],
    ids=[case[0] for case in BROKEN_PAPERS],
)
def test_load_refuses_broken_paper_and_leaves_file_alone(
    write_catalog, old, new, paper, field
) -> None:
    path = write_catalog(edit(old, new))
    before = path.read_bytes(), path.stat().st_mtime_ns
    with pytest.raises(CatalogError) as info:
        catalog.load(path)
    message = str(info.value)
    assert message.startswith(f"{path}:")
    assert f"paper '{paper}'" in message and "\n" not in message
    assert any(p.field == field and p.paper == paper for p in info.value.problems)
    assert info.value.path == path
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before


def test_every_problem_is_collected(write_catalog) -> None:
    text = (
        TINY_CATALOG.replace('arxiv = "2001.00001"', 'arxiv = "x"')
        .replace('topic = "gamma"', 'topic = "delta"')
        .replace('doi = "10.1234/beta.two"', 'doi = "beta"')
    )
    path = write_catalog(text)
    _, problems = catalog.check(path)
    assert {(p.paper, p.field) for p in problems} == {
        ("alpha-one", "arxiv"),
        ("beta-two", "doi"),
        ("gamma-three", "topic"),
    }
    with pytest.raises(CatalogError) as info:
        catalog.load(path)
    assert len(info.value.problems) == 3
    assert "2 more problem(s)" in str(info.value)


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.toml"
    _, problems = catalog.check(path)
    assert [p.render() for p in problems] == [f"{path}: no such catalog file"]
    with pytest.raises(CatalogError, match="no such catalog file"):
        catalog.load(path)
    assert not path.exists()


def test_folder_instead_of_file(tmp_path: Path) -> None:
    _, problems = catalog.check(tmp_path)
    assert len(problems) == 1 and "is a folder" in problems[0].message
    with pytest.raises(CatalogError, match="folder"):
        catalog.load(tmp_path)


def test_not_utf8_names_the_line(write_catalog) -> None:
    raw = TINY_CATALOG.encode("utf-8").replace(b"Gamma Rays", b"Gamma \xff Rays")
    path = write_catalog(raw)
    line = line_of(TINY_CATALOG, "Gamma Rays")
    _, problems = catalog.check(path)
    assert len(problems) == 1
    assert problems[0].line == line
    assert "not UTF-8" in problems[0].message
    with pytest.raises(CatalogError) as info:
        catalog.load(path)
    assert str(info.value).startswith(f"{path}:{line}: not UTF-8")
    assert path.read_bytes() == raw


def test_latin1_file_is_not_utf8(write_catalog) -> None:
    path = write_catalog(TINY_CATALOG.encode("latin-1", errors="replace"))
    _, problems = catalog.check(path)
    assert problems[0].line == line_of(TINY_CATALOG, "Jürgen") and "UTF-8" in problems[0].message


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("year = 2024", "year = = 2024"),
        ('name = "Gamma Studies"', 'name = "Gamma Studies'),
        ('summary = ["감마 분석", "두 번째 요점"]', 'summary = ["감마 분석", "두 번째 요점"'),
        ('[[venue]]\nid = "arXiv"', '[[venue]\nid = "arXiv"'),
    ],
)
def test_not_toml_names_the_line(write_catalog, old: str, new: str) -> None:
    text = TINY_CATALOG.replace(old, new)
    assert text != TINY_CATALOG
    path = write_catalog(text)
    _, problems = catalog.check(path)
    assert len(problems) == 1
    problem = problems[0]
    assert "not valid TOML" in problem.message
    assert problem.line is not None
    # tomllib may notice the mistake a line later (an unclosed bracket), never earlier
    broken = text[: text.index(new)].count("\n") + 1
    assert broken <= problem.line <= broken + 2
    with pytest.raises(CatalogError, match=rf"^{re.escape(str(path))}:\d+: not valid TOML"):
        catalog.load(path)


def test_binary_garbage_is_not_a_catalog(write_catalog) -> None:
    path = write_catalog(bytes(range(256)) * 4)
    with pytest.raises(CatalogError):
        catalog.load(path)


@pytest.mark.parametrize("text", ["", "# nothing here\n", '[[topic]]\nslug = "a"\nname = "A"\n'])
def test_catalog_without_papers_is_valid(write_catalog, text: str) -> None:
    # `litlist init --empty` starts a list with topics and venues only
    path = write_catalog(text)
    cat, problems = catalog.check(path)
    assert problems == [] and cat is not None and len(cat) == 0
    assert len(catalog.load(path)) == 0
    assert len(catalog.load(path)) == 0  # from the cache too


def test_misspelt_table_name(write_catalog) -> None:
    path = write_catalog(TINY_CATALOG.replace("[[paper]]", "[[papers]]", 1))
    _, problems = catalog.check(path)
    assert any("unknown table 'papers'" in p.message for p in problems)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file(tiny_catalog: Path) -> None:
    tiny_catalog.chmod(0)
    try:
        with pytest.raises(CatalogError, match="permission denied"):
            catalog.load(tiny_catalog)
    finally:
        tiny_catalog.chmod(0o644)


# ---------------------------------------------------------------- the shipped catalog


def test_shipped_catalog_passes_check(shipped_catalog: Path) -> None:
    cat, problems = catalog.check(shipped_catalog)
    assert problems == [], [p.render() for p in problems]
    assert cat is not None and len(cat) == 46


def test_shipped_catalog_loads_by_default() -> None:
    assert len(catalog.load()) == 46


def test_shipped_catalog_counts(shipped: Catalog) -> None:
    kinds = [p.kind for p in shipped.papers]
    assert kinds.count("paper") == 44
    assert kinds.count("summary") == 2
    assert len(shipped.topics) == 18
    roots = [t.slug for t in shipped.topics if "/" not in t.slug]
    assert roots == ["alignment", "peft", "cot", "interpretability"]


def test_shipped_ids_and_keys_unique(shipped: Catalog) -> None:
    ids = shipped.ids
    keys = [k for k in shipped.keys if k is not None]
    assert len(set(ids)) == len(ids) == 46
    assert len(set(keys)) == len(keys) == 44
    # `show NAME` takes an id or a key: no id may be another paper's key
    for paper in shipped.papers:
        assert paper.id not in {p.key for p in shipped.papers if p is not paper}


def _ascii_fold(name: str) -> str:
    return re.sub(
        r"[^a-z]",
        "",
        unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower(),
    )


@pytest.mark.parametrize("position", range(46))
def test_shipped_paper_is_complete(shipped: Catalog, position: int) -> None:
    paper = shipped.paper(position)
    assert paper.title and paper.topic in {t.slug for t in shipped.topics}
    assert paper.summary_en.strip(), "every entry has an English summary"
    if paper.kind == "summary":
        assert paper.covers and set(paper.covers) <= set(shipped.ids)
        return
    assert paper.authors and all(a.strip() == a and a for a in paper.authors)
    assert len(set(paper.authors)) == len(paper.authors)
    assert paper.year is not None and 2017 <= paper.year <= 2025
    assert paper.venue is not None
    assert paper.arxiv and re.fullmatch(r"\d{4}\.\d{4,5}", paper.arxiv)
    # arXiv ids start with the year and month they were posted: never after the list's year
    assert 2000 + int(paper.arxiv[:2]) <= paper.year
    # author-year-word keys: surname of the first author, the list's year, a title word
    found = re.fullmatch(r"([a-z]+)(\d{4})([a-z]+)", paper.key or "")
    assert found, paper.key
    assert found.group(1) == _ascii_fold(paper.authors[0].split()[-1])
    assert int(found.group(2)) == paper.year
    assert paper.url is None or re.match(r"https?://", paper.url)


def _page_ranges(shipped: Catalog) -> dict[str, str]:
    """Each paper's pages, and its version of record's as `id/published`."""
    ranges = {}
    for paper in shipped.papers:
        if paper.pages:
            ranges[paper.id] = paper.pages
        if paper.published is not None and paper.published.pages:
            ranges[f"{paper.id}/published"] = paper.published.pages
    return ranges


def test_shipped_page_ranges_run_forward(shipped: Catalog) -> None:
    """A range is first-last with first <= last: a transposed or half-edited range is a typo."""
    ranges = _page_ranges(shipped)
    assert len(ranges) >= 20
    for where, pages in ranges.items():
        found = re.fullmatch(r"(\d+)-(\d+)", pages)
        assert found, (where, pages)
        assert int(found.group(1)) <= int(found.group(2)), (where, pages)


@pytest.mark.parametrize(
    ("where", "pages"),
    [
        # the ACL Anthology's record as it is now (acl-org/acl-anthology,
        # data/xml/2025.findings.xml, paper 459 of the NAACL 2025 Findings volume): the volume
        # was repaginated, and 8218-8232 is no longer this paper's range
        ("icd/published", "8233-8247"),
        ("llm-adapters", "5254-5276"),  # data/xml/2023.emnlp.xml, emnlp-main 319
        ("p-tuning-v2", "61-68"),  # data/xml/2022.acl.xml, acl-short 8
        ("acd/published", "2421-2431"),  # aclanthology.org/2024.findings-emnlp.136
    ],
)
def test_shipped_anthology_pages_are_the_anthologys(shipped: Catalog, where, pages) -> None:
    assert _page_ranges(shipped)[where] == pages


@pytest.mark.parametrize(
    ("paper_id", "name", "not_as"),
    [
        # the NeurIPS proceedings PDF's byline (the arXiv listing gives "Ed Chi", "Quoc Le")
        ("cot", "Ed H. Chi", "Ed Chi"),
        ("cot", "Quoc V. Le", "Quoc Le"),
        # the Anthology's shortened forms; the arXiv listing gives the whole name
        ("llm-adapters", "Roy Ka-Wei Lee", "Roy Lee"),
        ("p-tuning-v2", "Weng Lam Tam", "Weng Tam"),
    ],
)
def test_shipped_authors_are_named_as_their_bylines(shipped, paper_id, name, not_as) -> None:
    """README: authors as the version of record's byline prints them, not as an index
    shortens them."""
    authors = shipped.paper(shipped.ids.index(paper_id)).authors
    assert name in authors and not_as not in authors


def test_shipped_aliases_people_type(shipped: Catalog) -> None:
    aliases = {a for p in shipped.papers for a in p.aliases}
    for alias in [
        "DPO",
        "LoRA",
        "CoT",
        "Zero-shot-CoT",
        "Auto-CoT",
        "StreamingLLM",
        "DoLa",
        "PASTA",
        "SAT Probe",
        "ACT",
        "CAD",
        "AdaInfer",
    ]:
        assert alias in aliases


def test_shipped_venue_normalisation(shipped: Catalog) -> None:
    """NIPS is NeurIPS: venues are stored under their ids, never an alias."""
    ids = {v.id for v in shipped.venues}
    assert {p.venue for p in shipped.papers if p.venue} <= ids
    assert "NIPS" not in ids and "NeurIPS" in ids


# ---------------------------------------------------------------- shipped catalog vs the list


@pytest.fixture(scope="module")
def seed() -> list[SeedEntry]:
    return parse(SEED)


def _plain(title: str) -> str:
    return title.replace("’", "'").casefold()


def _matches(entry: SeedEntry, paper: Paper) -> bool:
    """The list's title is the paper's, possibly behind a label ("RLHF: ...", "ACT: ...")."""
    wanted = {_plain(entry.title)}
    if ": " in entry.title:
        wanted.add(_plain(entry.title.split(": ", 1)[1]))
    titles = [_plain(t) for t in (paper.title, *paper.other_titles)]
    return any(t == w or t.startswith(w + ":") for t in titles for w in wanted)


@pytest.fixture(scope="module")
def pairs(shipped: Catalog, seed: list[SeedEntry]) -> list[tuple[SeedEntry, Paper]]:
    """Each entry of the list with the catalog entry at the same position."""
    assert len(seed) == 46 == len(shipped)
    return list(zip(seed, shipped.papers, strict=True))


def test_seed_has_44_papers_and_2_summaries(seed: list[SeedEntry]) -> None:
    assert sum(not e.is_summary for e in seed) == 44
    assert sum(e.is_summary for e in seed) == 2


def test_catalog_is_the_list_in_order(pairs) -> None:
    for entry, paper in pairs:
        assert _matches(entry, paper), (entry.title, paper.title)
        assert paper.kind == ("summary" if entry.is_summary else "paper")


def test_catalog_topics_are_the_list_headings(shipped: Catalog, pairs) -> None:
    for entry, paper in pairs:
        assert shipped.topic(paper.topic).name == entry.heading, paper.id


def test_catalog_year_and_venue_are_the_lists(shipped: Catalog, pairs) -> None:
    for entry, paper in pairs:
        if entry.is_summary:
            continue
        assert paper.year == entry.tag_year, paper.id
        listed = entry.tag_venue or "arXiv"  # a year alone means a preprint
        assert paper.venue in query.resolve_venue(shipped, listed), (paper.id, listed)
        kind = shipped.venue(paper.venue).kind
        if entry.tag_venue is None:
            assert kind == "preprint", paper.id
        elif "WS" in entry.tag_venue or "Workshop" in entry.tag_venue:
            assert kind == "workshop", paper.id
        else:
            assert kind in ("conference", "journal"), paper.id


def test_summary_bullets_are_the_lists_verbatim(pairs) -> None:
    for entry, paper in pairs:
        assert list(paper.summary) == entry.bullets, paper.id


def test_every_catalog_bullet_occurs_in_the_seed(shipped: Catalog) -> None:
    # weaker than the test above but independent of the seed parser's pairing
    text = SEED.read_text(encoding="utf-8").replace("\n[SEP]\n", " [SEP]")
    in_seed = [
        line for line in text.splitlines() if line.startswith("- ") and not line.startswith("- [")
    ]
    bullets = [b for p in shipped.papers for b in p.summary]
    assert len(bullets) == len(in_seed)
    for bullet in bullets:
        assert f"- {bullet}\n" in text, bullet
        assert re.search(r"[가-힣]", bullet), "the list's bullets are Korean"


def test_choose_order_option_env_user_shipped(tmp_path, monkeypatch, tiny_catalog) -> None:
    own = catalog.user_catalog()
    assert catalog.choose(None) == (catalog.shipped(), catalog.BY_SHIPPED)
    own.parent.mkdir(parents=True, exist_ok=True)
    own.write_text(TINY_CATALOG, encoding="utf-8")
    assert catalog.choose(None) == (own, catalog.BY_USER)
    other = tmp_path / "other.toml"
    monkeypatch.setenv(catalog.ENV_VAR, str(other))
    assert catalog.choose(None) == (other, catalog.BY_ENV)
    assert catalog.choose(str(tiny_catalog)) == (tiny_catalog, catalog.BY_OPTION)


def test_user_catalog_follows_the_data_dir(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv(catalog.DATA_ENV_VAR, str(tmp_path / "d"))
    assert catalog.user_catalog() == tmp_path / "d" / "papers.toml"
    monkeypatch.delenv(catalog.DATA_ENV_VAR)
    assert catalog.user_catalog().name == "papers.toml"
    assert "litlist" in catalog.user_catalog().parts


def test_is_shipped_sees_through_other_names(tmp_path, tiny_catalog) -> None:
    link = tmp_path / "link.toml"
    link.symlink_to(catalog.shipped())
    assert catalog.is_shipped(catalog.shipped())
    assert catalog.is_shipped(link)
    assert catalog.is_shipped(Path(catalog.__file__).parent / "data" / "other.toml")
    assert not catalog.is_shipped(tiny_catalog)


def test_shipped_catalog_keeps_its_own_words_only(shipped: Catalog) -> None:
    """An abstract is its authors' text: the shipped list has summaries, never abstracts."""
    assert [p.id for p in shipped.papers if p.abstract] == []
