"""Network answers: the recorded arXiv and Crossref answers of tests/fixtures/http/ read as
the services really send them, an arXiv paper with a journal DOI cited as its version of
record, and hostile or broken answers (wrong JSON types, deep nesting, a drip, a gzip
bomb) ending in one SourceError with the catalog untouched. No test goes to the network."""

from __future__ import annotations

import gzip
import json
import tracemalloc

import httpx
import pytest

from conftest import HTTP_FIXTURES, RECORDED
from litlist import sources
from litlist.bibtex import encode_authors
from litlist.sources import SourceError, arxiv, crossref


def _work(name: str) -> dict:
    return json.loads((HTTP_FIXTURES / name).read_text(encoding="utf-8"))


def _replay(request: httpx.Request) -> httpx.Response:
    """The recorded answers, as conftest's `recorded` fixture serves them."""
    from conftest import RECORDED_STATUS

    for (host, part), name in RECORDED.items():
        if request.url.host == host and part.lower() in str(request.url).lower():
            body = (HTTP_FIXTURES / name).read_bytes()
            return httpx.Response(RECORDED_STATUS.get(name, 200), content=body)
    return httpx.Response(404, text="Resource not found.")


# ---------------------------------------------------------------- Crossref, real shapes


@pytest.mark.parametrize(
    ("name", "doi", "expected"),
    [
        # a journal article numbered, not paged: the article number is its page
        ("crossref-srep16696.json", "10.1038/srep16696", {
            "venue": "Scientific Reports", "venue_kind": "journal", "year": 2015, "month": 11,
            "volume": "5", "number": "1", "pages": "16696", "entry_type": "article",
            "url": "https://www.nature.com/articles/srep16696",
        }),
        # a proceedings paper with a subtitle, held where its event says
        ("crossref-vqf-subtitle.json", "10.1145/3448016.3452841", {
            "title": "Vector Quotient Filters", "venue_kind": "conference",
            "entry_type": "inproceedings",
            "booktitle": "Proceedings of the 2021 International Conference on Management of Data",
            "year": 2021, "month": 6, "pages": "1386-1399", "address": "Virtual Event China",
            "extra": {"subtitle": "Overcoming the Time/Space Trade-Off in Filter Design"},
            "url": "https://dl.acm.org/doi/10.1145/3448016.3452841",
        }),
        # a book chapter: its book is the booktitle, exported as @incollection
        ("crossref-chapter-isbn.json", "10.1007/978-3-662-46370-3_13", {
            "entry_type": "incollection", "booktitle": "Shoulder Stiffness",
            "publisher": "Springer Berlin Heidelberg", "pages": "155-158", "year": 2015,
            "extra": {"isbn": "9783662463697"},
        }),
        # issued [[null]] and no other date of publication: the DOI's date, with a note
        ("crossref-icdcsw-undated.json", "10.1109/icdcsw.2003.1203662", {
            "venue_kind": "conference", "year": 2004, "month": 6, "pages": "877-882",
            "address": "Providence, Rhode Island, USA",
            "notes": [
                "Crossref 10.1109/icdcsw.2003.1203662 gives no date of publication: 2004 is "
                "the year its DOI was registered; check it (`litlist add --edit` lets you "
                "change it)"
            ],
        }),
        # a dissertation dated only by `approved`, filed under its school
        ("crossref-thesis-uq.json", "10.14264/uql.2020.791", {
            "venue": "The University of Queensland", "venue_kind": "phdthesis",
            "entry_type": "phdthesis",
            "year": 2020, "month": 5,
        }),
        # a master's thesis says so in `degree`; an author entry naming no one is no author
        ("crossref-thesis-lsu.json", "10.31390/gradschool_theses.6125", {
            "venue": "Louisiana State University and Agricultural and Mechanical College",
            "venue_kind": "mastersthesis", "entry_type": "mastersthesis", "year": 2025,
            "month": 4,
            "authors": ["Joshua Rovira"],
        }),
        # a posted preprint: its server is its venue
        ("crossref-biorxiv.json", "10.1101/055319", {
            "venue": "bioRxiv", "venue_kind": "preprint", "entry_type": None, "year": 2016,
            "month": 5,
        }),
        # a report: dated when issued (1992), not when OSTI approved the record (2008)
        ("crossref-report-osti.json", "10.2172/10115553", {
            "venue": "Idaho National Engineering and Environmental Laboratory",
            "venue_kind": "report", "entry_type": "techreport", "year": 1992, "month": 10,
        }),
        # editors; a series before the volume's own title; a page that is an id
        ("crossref-spie-editors.json", "10.1117/12.2214605", {
            "editors": ["Joseph A. Izatt", "James G. Fujimoto", "Valery V. Tuchin"],
            "booktitle": (
                "Optical Coherence Tomography and Coherence Domain Optical Methods in "
                "Biomedicine XX"
            ),
            "extra": {"series": "SPIE Proceedings"}, "volume": "9697", "pages": "96973B",
            "year": 2016, "month": 3,
        }),
    ],
)  # fmt: skip
def test_crossref_real_answers_are_read_whole(name: str, doi: str, expected: dict) -> None:
    draft = crossref.parse(_work(name), doi)
    got = {field: getattr(draft, field) for field in expected}
    if "editors" in expected:
        got["editors"] = draft.editors[: len(expected["editors"])]
    assert got == expected
    assert draft.doi == doi and draft.title and draft.authors


def test_crossref_family_names_of_several_words_stay_whole() -> None:
    """Crossref gives given and family apart: "Dalla Serra" (a real record) and "Del
    Maestro" stay family names, stored 'Family, Given' and exported so BibTeX splits them
    back the same way."""
    draft = crossref.parse(_work("crossref-srep16696.json"), "10.1038/srep16696")
    assert "Dalla Serra, Mauro" in draft.authors
    answer = _work("crossref-srep16696.json")
    answer["message"]["author"] = [{"given": "Adrian", "family": "Del Maestro"}]
    draft = crossref.parse(answer, "10.1038/srep16696")
    assert draft.authors == ["Del Maestro, Adrian"]
    assert encode_authors(draft.authors) == "Del Maestro, Adrian"


def test_crossref_article_number_beside_a_page_range_is_acms_articleno() -> None:
    answer = _work("crossref-srep16696.json")
    answer["message"]["article-number"] = "60"
    answer["message"]["page"] = "1–28"
    draft = crossref.parse(answer, "10.1038/srep16696")
    assert (draft.pages, draft.extra.get("articleno")) == ("1-28", "60")


# ---------------------------------------------------------------- Crossref, hostile shapes


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"author": "Ann Lee"}, "message.author"),
        ({"published-print": "2019"}, "message.published-print"),
        ({"issued": {"date-parts": [2019]}}, "message.issued.date-parts"),
        ({"publisher": ["Springer"]}, "message.publisher"),
        ({"DOI": 10}, "message.DOI"),
        ({"title": "A title"}, "message.title"),
        ({"page": 12}, "message.page"),
        ({"editor": [{"family": 7}]}, "message.editor"),
    ],
)
def test_crossref_answer_of_another_shape_is_one_error(change: dict, where: str) -> None:
    answer = _work("crossref-srep16696.json")
    answer["message"].update(change)
    with pytest.raises(SourceError, match="^Crossref: the answer is not a Crossref work") as err:
        crossref.parse(answer, "10.1038/srep16696")
    assert where in str(err.value) and "\n" not in str(err.value)


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 200_000 + b"]" * 200_000,
        b'{"message-type": "work", "message": {"title": ' + b"[" * 200_000 + b"]" * 200_000,
        b'{"status": "ok", "message-type": "work", "message": null}',
        b'{"status": "ok", "message-type": "work", "message": {"author": null}}',
        b"null",
    ],
)
def test_crossref_broken_bodies_are_one_error(body: bytes) -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=body))
    with pytest.raises(SourceError, match="^Crossref: "):
        crossref.fetch("10.1038/srep16696", transport=transport)


# ---------------------------------------------------------------- arXiv


def test_arxiv_current_feed_shape_is_read() -> None:
    """Namespaces declared once on <feed>, https links, unprefixed opensearch elements."""
    body = (HTTP_FIXTURES / "arxiv-1706.03762.xml").read_bytes()
    assert b'<feed xmlns:opensearch="' in body and b"<arxiv:primary_category term=" in body
    draft = arxiv.parse(body, "1706.03762")
    assert (draft.arxiv_class, draft.year, len(draft.authors)) == ("cs.CL", 2017, 8)


@pytest.mark.parametrize(
    "body",
    [
        b"<feed xmlns='http://www.w3.org/2005/Atom'><entry>"
        + b"<a>" * 200_000
        + b"</a>" * 200_000
        + b"</entry></feed>",
        b"<feed xmlns='http://www.w3.org/2005/Atom'><entry><id>http://arxiv.org/abs/"
        b"1706.03762v1</id><title>T</title></entry></feed>",
    ],
)
def test_arxiv_deep_or_empty_entries_are_one_error(body: bytes) -> None:
    with pytest.raises(SourceError, match="^arXiv: (no paper|the entry for)"):
        arxiv.parse(body, "1706.03762")


def test_arxiv_error_is_http_400_with_an_atom_body() -> None:
    transport = httpx.MockTransport(_replay)
    with pytest.raises(SourceError) as err:
        arxiv.fetch("1234.123456", transport=transport)
    assert "refused '1234.123456': incorrect id format for 1234.123456" in str(err.value)


def test_arxiv_paper_with_a_journal_doi_is_its_version_of_record() -> None:
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.host)
        return _replay(request)

    draft = arxiv.fetch("2203.06904", transport=httpx.MockTransport(answer))
    assert seen == ["export.arxiv.org", "api.crossref.org"]
    assert (draft.venue, draft.venue_kind, draft.year) == (
        "Nature Machine Intelligence",
        "journal",
        2023,
    )
    assert (draft.volume, draft.number, draft.pages) == ("5", "3", "220-235")
    assert draft.doi == "10.1038/s42256-023-00626-4"
    assert (draft.arxiv, draft.arxiv_class) == ("2203.06904", "cs.CL")  # the preprint kept
    assert "note" not in draft.extra


@pytest.mark.parametrize(
    ("crossref_answer", "why"),
    [
        (httpx.ConnectError("down"), "cannot connect"),
        (httpx.Response(404, text="Resource not found."), "no work with DOI"),
        (httpx.Response(200, json={"status": "ok", "message-type": "work"}), "not a Crossref"),
    ],
)
def test_arxiv_journal_doi_unresolved_is_the_preprint_with_a_note(crossref_answer, why) -> None:
    """Offline or unresolved, the paper is the preprint, with the journal reference in
    `note` and no `doi`: never a preprint carrying a journal's DOI."""

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.host == "api.crossref.org":
            if isinstance(crossref_answer, Exception):
                raise crossref_answer
            return crossref_answer
        return _replay(request)

    draft = arxiv.fetch("2203.06904", transport=httpx.MockTransport(answer))
    assert (draft.venue, draft.venue_kind, draft.doi) == ("arXiv", "preprint", None)
    assert draft.extra["note"].startswith("Published in Nature Machine Intelligence 5, 220-235")
    assert "doi:10.1038/s42256-023-00626-4" in draft.extra["note"]
    assert any(why in note and "arXiv preprint" in note for note in draft.notes)


# ---------------------------------------------------------------- the HTTP helper


class _Stream(httpx.SyncByteStream):
    """A body sent piece by piece; counts the pieces read."""

    def __init__(self, pieces, on_read=None) -> None:
        self.pieces = pieces
        self.on_read = on_read
        self.read = 0

    def __iter__(self):
        for piece in self.pieces:
            self.read += 1
            if self.on_read:
                self.on_read()
            yield piece


def test_a_drip_is_cut_off_by_the_total_time(monkeypatch) -> None:
    """One byte every 2 s (on a fake clock) never trips a per-read timeout; the total
    does, after about TIMEOUT / 2 reads, not after the whole body."""
    now = [0.0]
    monkeypatch.setattr(sources, "CLOCK", lambda: now[0])

    def tick() -> None:
        now[0] += 2.0

    # 10,000 bytes would take 5.5 hours at this pace
    stream = _Stream(iter([b"x"] * 10_000), tick)
    transport = httpx.MockTransport(lambda request: httpx.Response(200, stream=stream))
    with pytest.raises(SourceError, match="no whole answer within 15 s"):
        crossref.fetch("10.1038/srep16696", transport=transport)
    assert stream.read <= sources.TIMEOUT / 2 + 1


def test_an_answer_past_the_size_cap_is_not_read_further(monkeypatch) -> None:
    monkeypatch.setattr(sources, "MAX_BYTES", 200_000)
    stream = _Stream(iter([b"x" * 65536] * 1000))
    transport = httpx.MockTransport(lambda request: httpx.Response(200, stream=stream))
    with pytest.raises(SourceError, match="larger than"):
        arxiv.fetch("1706.03762", transport=transport)
    assert stream.read <= 200_000 // 65536 + 1  # 4 pieces of 1,000


def test_a_gzip_bomb_is_unpacked_only_up_to_the_cap(monkeypatch) -> None:
    """48 MB of zeros in a 47 kB gzip: unpacked in 64 kB pieces, stopped at a 1 MB cap;
    memory stays near the cap, far below the bomb's size."""
    monkeypatch.setattr(sources, "MAX_BYTES", 1_000_000)
    bomb = gzip.compress(bytes(48_000_000), compresslevel=9)
    assert len(bomb) < 100_000

    def answer(request: httpx.Request) -> httpx.Response:
        headers = {"content-encoding": "gzip", "content-type": "application/json"}
        return httpx.Response(200, stream=_Stream(iter([bomb])), headers=headers)

    tracemalloc.start()
    try:
        with pytest.raises(SourceError, match="larger than 1 MB"):
            crossref.fetch("10.1038/srep16696", transport=httpx.MockTransport(answer))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8_000_000


def test_a_gzip_answer_within_the_cap_is_read() -> None:
    body = gzip.compress((HTTP_FIXTURES / "crossref-srep16696.json").read_bytes())

    def answer(request: httpx.Request) -> httpx.Response:
        assert "gzip" in request.headers["accept-encoding"]
        pieces = _Stream(iter([body[:100], body[100:]]))
        return httpx.Response(200, stream=pieces, headers={"content-encoding": "gzip"})

    draft = crossref.fetch("10.1038/srep16696", transport=httpx.MockTransport(answer))
    assert draft.pages == "16696"


@pytest.mark.parametrize(
    ("exc", "words"),
    [
        (httpx.ConnectError("[Errno -3] Temporary failure in name resolution"), "cannot connect"),
        (httpx.ReadTimeout("timed out"), "no answer within 5 s"),
        (httpx.RemoteProtocolError("peer closed connection"), "broke off"),
        (httpx.TooManyRedirects("loop"), "too many redirects"),
    ],
)
def test_network_failures_are_said_in_words(exc: Exception, words: str) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        raise exc

    with pytest.raises(SourceError) as err:
        arxiv.fetch("1706.03762", transport=httpx.MockTransport(answer))
    message = str(err.value)
    assert words in message and type(exc).__name__ not in message and "Errno" not in message


# ---------------------------------------------------------------- through `litlist add`


@pytest.fixture
def run():
    from typer.testing import CliRunner

    from litlist.cli import app

    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(app, [str(a) for a in args], prog_name="litlist")

    return invoke


def test_add_of_a_hostile_answer_is_one_line_and_changes_nothing(
    run, tiny_catalog, monkeypatch
) -> None:
    broken = _work("crossref-srep16696.json")
    broken["message"]["author"] = "Laura Tosatto"
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json=broken))
    monkeypatch.setattr(sources, "TRANSPORT", transport)
    before = tiny_catalog.read_bytes()
    result = run("-c", tiny_catalog, "add", "10.1038/srep16696", "--topic", "alpha")
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: Crossref: the answer is not a")
    assert tiny_catalog.read_bytes() == before


def test_add_of_an_arxiv_id_with_a_journal_doi_files_the_journal_paper(
    run, tiny_catalog, recorded
) -> None:
    import tomllib

    result = run("-c", tiny_catalog, "add", "2203.06904", "--topic", "alpha")
    assert result.exit_code == 0, result.stderr
    assert "is published (10.1038/s42256-023-00626-4)" in result.stderr
    papers = tomllib.loads(tiny_catalog.read_text(encoding="utf-8"))["paper"]
    row = next(p for p in papers if p.get("arxiv") == "2203.06904")
    assert row["doi"] == "10.1038/s42256-023-00626-4" and row["pages"] == "220-235"
    assert row["title"].startswith("Parameter-efficient fine-tuning")
    venues = tomllib.loads(tiny_catalog.read_text(encoding="utf-8"))["venue"]
    assert next(v for v in venues if v["id"] == row["venue"])["kind"] == "journal"
    assert [r.url.host for r in recorded] == ["export.arxiv.org", "api.crossref.org"]


def test_add_of_a_book_chapter_keeps_its_type_isbn_and_book(run, tiny_catalog, recorded):
    import tomllib

    result = run("-c", tiny_catalog, "add", "10.1007/978-3-662-46370-3_13", "--topic", "alpha")
    assert result.exit_code == 0, result.stderr
    papers = tomllib.loads(tiny_catalog.read_text(encoding="utf-8"))["paper"]
    row = next(p for p in papers if p.get("doi") == "10.1007/978-3-662-46370-3_13")
    assert (row["entry_type"], row["booktitle"]) == ("incollection", "Shoulder Stiffness")
    assert row["extra"] == {"isbn": "9783662463697"}
    assert row["publisher"] == "Springer Berlin Heidelberg"


def test_add_of_a_published_arxiv_paper_offline_from_crossref_is_the_preprint(
    run, tiny_catalog, monkeypatch
) -> None:
    import tomllib

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.host == "api.crossref.org":
            raise httpx.ConnectError("down")
        return _replay(request)

    monkeypatch.setattr(sources, "TRANSPORT", httpx.MockTransport(answer))
    result = run("-c", tiny_catalog, "add", "2203.06904", "--topic", "alpha")
    assert result.exit_code == 0, result.stderr
    assert "added as the arXiv preprint" in result.stderr
    papers = tomllib.loads(tiny_catalog.read_text(encoding="utf-8"))["paper"]
    row = next(p for p in papers if p.get("arxiv") == "2203.06904")
    assert "doi" not in row and row["venue"] == "arXiv"
    assert row["extra"]["note"].startswith("Published in Nature Machine Intelligence 5")
