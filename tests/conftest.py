"""Shared fixtures: a tiny valid catalog in tmp_path, an isolated cache folder, the shipped
catalog's path, and the reading list the catalog was made from."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

# Typer reads FORCE_COLOR once, when its help module is first imported: imported here, it
# reads the environment the suite started with, not that of the test that happened to
# show help first (tests set FORCE_COLOR to lay tables out for people in CliRunner)
import typer.rich_utils  # noqa: F401

from litlist import catalog
from litlist.model import Catalog

SEED = Path("/work/shared/seed/000_1ae4bb1b6c410908.txt")

# Small but complete: nested topics, a venue with an alias, a workshop, a summary post,
# non-ASCII authors and Korean summary bullets. Tests derive broken catalogs from this text
# by replacing one line, so each line below is unique on purpose.
TINY_CATALOG = """\
# a tiny catalog for the tests

[[topic]]
slug = "alpha"
name = "Alpha Methods"

[[topic]]
slug = "alpha/beta"
name = "Beta Heading"

[[topic]]
slug = "gamma"
name = "Gamma Studies"

[[venue]]
id = "NeurIPS"
name = "Advances in Neural Information Processing Systems"
kind = "conference"
aliases = ["NIPS"]

[[venue]]
id = "arXiv"
name = "arXiv preprint"
kind = "preprint"

[[venue]]
id = "ICLR-WS"
name = "ICLR Workshop"
kind = "workshop"

[[paper]]
id = "alpha-one"
kind = "paper"
key = "smith2020alpha"
title = "Alpha Methods for Tiny Catalogs"
authors = ["Jane Smith", "Bob Jones"]
year = 2020
venue = "NeurIPS"
topic = "alpha"
arxiv = "2001.00001"
url = "https://example.org/alpha"
aliases = ["AMT"]
summary = ["작은 카탈로그를 위한 알파 방법을 제시함"]
summary_en = "Alpha methods, for tiny catalogs."

[[paper]]
id = "beta-two"
kind = "paper"
key = "muller2022beta"
title = "Beta Estimation with Umlauts"
authors = ["Jürgen Müller", "Zoë Dupont", "Łukasz Wróbel"]
year = 2022
venue = "arXiv"
topic = "alpha/beta"
arxiv = "2202.00002"
doi = "10.1234/beta.two"
aliases = ["BEU"]
summary_en = "Beta estimation."

[[paper]]
id = "gamma-three"
kind = "paper"
key = "lee2024gamma"
title = "Gamma Rays of Attention"
authors = ["Min-ji Lee"]
year = 2024
venue = "ICLR-WS"
workshop = "ICLR 2024 Workshop on Gamma"
topic = "gamma"
arxiv = "2403.00003"
aliases = []
summary = ["감마 분석", "두 번째 요점"]

[[paper]]
id = "alpha-summary"
kind = "summary"
title = "A Short Summary of Alpha and Beta"
topic = "alpha"
covers = ["alpha-one", "beta-two"]
summary = ["알파와 베타를 간략하게 요약한 글"]
"""

TINY_IDS = ["alpha-one", "beta-two", "gamma-three", "alpha-summary"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked `online` talk to arXiv and Crossref: skipped unless asked for with
    `-m online` or LITLIST_ONLINE=1."""
    if os.environ.get("LITLIST_ONLINE") == "1" or "online" in (config.getoption("-m") or ""):
        return
    skip = pytest.mark.skip(reason="talks to arXiv and Crossref; run with -m online")
    for item in items:
        if "online" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def isolated_env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own cache folder, an empty user data folder (so no test ever sees a
    real user's own catalog) and the default catalog; ~/.cache is never touched."""
    cache = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("LITLIST_CACHE_DIR", str(cache))
    monkeypatch.setenv("LITLIST_DATA_DIR", str(tmp_path_factory.mktemp("data")))
    for name in ("LITLIST_CATALOG", "LITLIST_NO_CACHE", "XDG_CACHE_HOME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    return cache


@pytest.fixture
def cache_dir(isolated_env: Path) -> Path:
    """The cache folder of this test."""
    return isolated_env


@pytest.fixture
def catalog_text() -> str:
    """The tiny catalog's TOML source."""
    return TINY_CATALOG


@pytest.fixture
def write_catalog(tmp_path: Path):
    """Write TOML text (or bytes) to a catalog file in tmp_path and return its path."""

    def write(content: str | bytes, name: str = "papers.toml") -> Path:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return write


@pytest.fixture
def tiny_catalog(write_catalog) -> Path:
    """Path of a valid tiny catalog in tmp_path."""
    return write_catalog(TINY_CATALOG)


@pytest.fixture
def shipped_catalog() -> Path:
    """Path of the catalog litlist ships (what it uses with no --catalog and no env var)."""
    path = catalog.locate(None)
    assert path.is_file(), f"shipped catalog not found at {path}"
    return path


@pytest.fixture(scope="session")
def shipped() -> Catalog:
    """The shipped catalog, validated from scratch (no cache involved); shared, read-only."""
    # catalog.shipped(), not locate(None): this session fixture is made before the autouse
    # one that hides a user's own catalog
    cat, problems = catalog.check(catalog.shipped())
    assert not problems, [p.render() for p in problems]
    assert cat is not None
    return cat


def requires_tools(*tools: str) -> pytest.MarkDecorator:
    """Skip a test when a TeX tool is missing here, and say which; never in CI (CI=true),
    where .ci/run installs them and a missing one must fail the run, not hide it."""
    missing = [t for t in tools if shutil.which(t) is None]
    return pytest.mark.skipif(
        bool(missing) and not os.environ.get("CI"),
        reason=f"{' and '.join(missing)} not on PATH (Debian: texlive-latex-extra, "
        "texlive-bibtex-extra, biber)",
    )


HTTP_FIXTURES = Path(__file__).parent / "fixtures" / "http"
# What each recorded answer answers: (host, a string the request's URL contains) -> file.
RECORDED = {
    ("export.arxiv.org", "id_list=1706.03762"): "arxiv-1706.03762.xml",
    ("export.arxiv.org", "id_list=2203.06904"): "arxiv-2203.06904.xml",
    ("export.arxiv.org", "id_list=2399.99999"): "arxiv-unknown.xml",
    ("export.arxiv.org", "id_list=1234.123456"): "arxiv-error.xml",
    ("api.crossref.org", "10.18653/v1/N19-1423"): "crossref-bert.json",
    ("api.crossref.org", "10.1038/s42256-023-00626-4"): "crossref-peft-nmi.json",
    ("api.crossref.org", "10.1038/nature11247"): "crossref-encode.json",
    ("api.crossref.org", "10.1038/srep16696"): "crossref-srep16696.json",
    ("api.crossref.org", "10.1145/3448016.3452841"): "crossref-vqf-subtitle.json",
    ("api.crossref.org", "10.1007/978-3-662-46370-3_13"): "crossref-chapter-isbn.json",
    ("api.crossref.org", "10.1109/icdcsw.2003.1203662"): "crossref-icdcsw-undated.json",
    ("api.crossref.org", "10.14264/uql.2020.791"): "crossref-thesis-uq.json",
    ("api.crossref.org", "10.31390/gradschool_theses.6125"): "crossref-thesis-lsu.json",
    ("api.crossref.org", "10.1101/055319"): "crossref-biorxiv.json",
    ("api.crossref.org", "10.2172/10115553"): "crossref-report-osti.json",
    ("api.crossref.org", "10.1117/12.2214605"): "crossref-spie-editors.json",
}
# The HTTP status a recorded answer came with when it is not 200: arXiv answers a
# malformed id with 400 and an Atom error feed.
RECORDED_STATUS = {"arxiv-error.xml": 400}


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> list:
    """Replay the recorded arXiv and Crossref answers instead of the network; an unknown
    Crossref DOI gets Crossref's 404. Returns the list of requests made."""
    import httpx

    from litlist import sources

    seen: list = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        url = str(request.url)
        for (host, part), name in RECORDED.items():
            if request.url.host == host and part.lower() in url.lower():  # DOIs ignore case
                body = (HTTP_FIXTURES / name).read_bytes()
                kind = "application/atom+xml" if name.endswith(".xml") else "application/json"
                status = RECORDED_STATUS.get(name, 200)
                return httpx.Response(status, content=body, headers={"content-type": kind})
        if request.url.host == "api.crossref.org":
            return httpx.Response(404, text="Resource not found.")
        raise AssertionError(f"no recorded answer for {url}")

    monkeypatch.setattr(sources, "TRANSPORT", httpx.MockTransport(answer))
    return seen


@pytest.fixture
def own_catalog(tmp_path: Path) -> Path:
    """A user's own catalog: a copy of the shipped one in tmp_path."""
    path = tmp_path / "mine.toml"
    path.write_bytes(catalog.shipped().read_bytes())
    return path
