"""sources/: identifiers parsed, recorded arXiv and Crossref answers read, every failure of a
service one SourceError naming it, BibTeX entries of four real-world shapes read."""

from __future__ import annotations

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import HTTP_FIXTURES
from litlist import bibtex, sources
from litlist.errors import InputError
from litlist.sources import SourceError, arxiv, bibfile, crossref


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2305.18290", ("arxiv", "2305.18290")),
        ("arXiv:2305.18290v3", ("arxiv", "2305.18290")),
        ("https://arxiv.org/abs/2305.18290", ("arxiv", "2305.18290")),
        ("https://arxiv.org/pdf/2305.18290v2.pdf", ("arxiv", "2305.18290")),
        ("hep-th/9901001v1", ("arxiv", "hep-th/9901001")),
        ("10.18653/v1/N19-1423", ("doi", "10.18653/v1/N19-1423")),
        ("https://doi.org/10.1038/s42256-023-00626-4", ("doi", "10.1038/s42256-023-00626-4")),
        ("doi:10.1038/X.", ("doi", "10.1038/X")),
        ("https://doi.org/10.48550/arXiv.2305.18290", ("arxiv", "2305.18290")),
        # old-style ids as arXiv writes them, whatever case was pasted
        ("arXiv:HEP-TH/9901001", ("arxiv", "hep-th/9901001")),
        ("arxiv:MATH.gt/0309136v2", ("arxiv", "math.GT/0309136")),
        ("https://arxiv.org/pdf/hep-th/9901001v1.pdf", ("arxiv", "hep-th/9901001")),
        # the other ways a link or an id gets pasted
        ("arXiv: 2305.18290", ("arxiv", "2305.18290")),
        ("https://arxiv.org/html/2305.18290v1", ("arxiv", "2305.18290")),
        ("https://arxiv.org/abs/2305.18290?context=cs", ("arxiv", "2305.18290")),
        ("http://arxiv.org/abs/2305.18290v2#S3", ("arxiv", "2305.18290")),
        ("arxiv.org/abs/2305.18290/", ("arxiv", "2305.18290")),
        ("https://browse.arxiv.org/abs/2305.18290", ("arxiv", "2305.18290")),
        # a DOI in a link is percent-encoded, and ? or # ends it
        (
            "https://doi.org/10.1002/(SICI)1097-4571(199806)49%3A8%3C693%3A%3AAID-ASI4%3E3.0.CO%3B2-0",
            ("doi", "10.1002/(SICI)1097-4571(199806)49:8<693::AID-ASI4>3.0.CO;2-0"),
        ),
        ("10.1002/(SICI)1097-4571(199806)49:8<693::AID-ASI4>3.0.CO;2-0",
         ("doi", "10.1002/(SICI)1097-4571(199806)49:8<693::AID-ASI4>3.0.CO;2-0")),
        ("https://doi.org/10.1000/xyz?utm_source=x", ("doi", "10.1000/xyz")),
        ("doi.org/10.1000/xyz", ("doi", "10.1000/xyz")),
        ("http://dx.doi.org/10.1000/XYZ", ("doi", "10.1000/XYZ")),
        ("  DOI: 10.1000/xyz \n", ("doi", "10.1000/xyz")),
        # a publisher's page that names the DOI in its path
        ("https://dl.acm.org/doi/10.1145/3442188.3445922", ("doi", "10.1145/3442188.3445922")),
        ("https://onlinelibrary.wiley.com/doi/full/10.1002/asi.4", ("doi", "10.1002/asi.4")),
    ],
)  # fmt: skip
def test_parse_id_accepts_what_users_paste(text: str, expected: tuple[str, str]) -> None:
    assert sources.parse_id(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "dpo", "2305", "10.1/x", "https://example.org/2305.18290", "", "   ",
        "https://doi.org/", "https://doi.org/10.1000/xyz and more", "2305.18290 2305.18291",
        "https://example.org/doi/not-a-doi",
    ],
)  # fmt: skip
def test_parse_id_refuses_anything_else(text: str) -> None:
    with pytest.raises(InputError, match="neither an arXiv id"):
        sources.parse_id(text)


def _feed(name: str) -> bytes:
    return (HTTP_FIXTURES / name).read_bytes()


def test_arxiv_entry_is_read_in_full() -> None:
    draft = arxiv.parse(_feed("arxiv-1706.03762.xml"), "1706.03762")
    assert draft.title == "Attention Is All You Need"
    assert draft.authors[0] == "Ashish Vaswani" and draft.authors[-1] == "Illia Polosukhin"
    assert len(draft.authors) == 8
    assert (draft.year, draft.venue, draft.venue_kind) == (2017, "arXiv", "preprint")
    assert (draft.arxiv, draft.arxiv_class, draft.doi) == ("1706.03762", "cs.CL", None)
    assert draft.url == "https://arxiv.org/abs/1706.03762"


def test_arxiv_doi_and_journal_reference() -> None:
    draft = arxiv.parse(_feed("arxiv-2203.06904.xml"), "2203.06904")
    # the title's line break in the feed is gone
    assert draft.title.startswith("Delta Tuning: A Comprehensive Study of Parameter Efficient")
    assert "  " not in draft.title and "\n" not in draft.title
    # read offline it is the preprint: the journal's DOI is not its doi but in its note
    assert draft.doi is None and (draft.venue, draft.arxiv) == ("arXiv", "2203.06904")
    assert draft.extra["note"] == (
        "Published in Nature Machine Intelligence 5, 220-235 (2023), doi:10.1038/s42256-023-00626-4"
    )
    assert any("not looked up" in note for note in draft.notes)


@pytest.mark.parametrize(
    ("name", "arxiv_id", "words"),
    [
        ("arxiv-unknown.xml", "2399.99999", "no paper with id '2399.99999'"),
        ("arxiv-error.xml", "1234.123456", "incorrect id format for 1234.123456"),
    ],
)
def test_arxiv_unknown_or_refused_id(name: str, arxiv_id: str, words: str) -> None:
    with pytest.raises(SourceError, match="^arXiv: ") as caught:
        arxiv.parse(_feed(name), arxiv_id)
    assert words in str(caught.value) and "--bib" in str(caught.value)


@pytest.mark.parametrize(
    "body",
    [
        b"<feed xmlns='http://www.w3.org/2005/Atom'><entry>",
        b"Rate exceeded.",
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]><feed>&lol;</feed>',
        b"<rss/>",
        b"",
    ],
)
def test_arxiv_malformed_answers(body: bytes) -> None:
    with pytest.raises(SourceError, match="^arXiv: "):
        arxiv.parse(body, "1706.03762")


def _transport(handler) -> httpx.MockTransport:
    return httpx.MockTransport(handler)


def _raise(exc: Exception):
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc

    return handler


@pytest.mark.parametrize(
    ("handler", "words"),
    [
        (lambda r: httpx.Response(503, text="busy"), "HTTP 503"),
        (lambda r: httpx.Response(400, text="bad"), "HTTP 400"),
        (_raise(httpx.ReadTimeout("slow")), "no answer within 5 s"),
        (_raise(httpx.ConnectError("no route")), "cannot connect (no network"),
    ],
)
def test_arxiv_service_failures(handler, words: str) -> None:
    with pytest.raises(SourceError, match="^arXiv: ") as caught:
        arxiv.fetch("1706.03762", transport=_transport(handler))
    assert words in str(caught.value)


@pytest.mark.parametrize(
    ("handler", "words"),
    [
        (lambda r: httpx.Response(404, text="Resource not found."), "no work with DOI"),
        (lambda r: httpx.Response(500, text="oops"), "HTTP 500"),
        (lambda r: httpx.Response(200, text="<html>"), "not JSON"),
        (lambda r: httpx.Response(200, json={"status": "ok"}), "not a Crossref work"),
        (_raise(httpx.ConnectTimeout("slow")), "no answer within 5 s"),
    ],
)
def test_crossref_service_failures(handler, words: str) -> None:
    with pytest.raises(SourceError, match="^Crossref: ") as caught:
        crossref.fetch("10.9999/x", transport=_transport(handler))
    assert words in str(caught.value) and "--bib" in str(caught.value)


def test_requests_name_litlist_and_only_a_real_address(monkeypatch) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=_feed("arxiv-1706.03762.xml"))

    arxiv.fetch("1706.03762", transport=_transport(handler))
    monkeypatch.setenv("LITLIST_EMAIL", "me@example.org")
    arxiv.fetch("1706.03762", transport=_transport(handler))
    assert seen[0].headers["user-agent"] == f"litlist/{sources.__version__}"
    assert seen[1].headers["user-agent"].endswith("(mailto:me@example.org)")
    assert seen[0].url.params["id_list"] == "1706.03762"


def test_crossref_work_is_read() -> None:
    import json

    answer = json.loads((HTTP_FIXTURES / "crossref-peft-nmi.json").read_text())
    draft = crossref.parse(answer, "10.1038/S42256-023-00626-4")
    assert (
        draft.title == "Parameter-efficient fine-tuning of large-scale pre-trained language models"
    )
    assert draft.authors == ["Ning Ding", "Yujia Qin", "Maosong Sun"]
    assert (draft.year, draft.venue, draft.venue_kind) == (
        2023,
        "Nature Machine Intelligence",
        "journal",
    )
    assert (draft.volume, draft.number, draft.pages) == ("5", "3", "220-235")
    assert draft.publisher == "Springer Science and Business Media LLC"
    assert draft.doi == "10.1038/S42256-023-00626-4"  # as asked: DOIs ignore case


@pytest.mark.parametrize(
    ("extra", "venue", "kind"),
    [
        ({"type": "book", "container-title": ["Lecture Notes"]}, "Springer", "book"),
        ({"type": "monograph"}, "Springer", "book"),
        ({"type": "report"}, "Springer", "report"),
        ({"type": "dissertation", "institution": [{"name": "ETH Zürich"}]}, "ETH Zürich",
         "phdthesis"),
        ({"type": "journal-article", "container-title": ["Nature"]}, "Nature", "journal"),
    ],
)  # fmt: skip
def test_crossref_work_type_decides_the_venue_and_its_kind(extra, venue, kind) -> None:
    """A book is its publisher's (not its series'), a dissertation its school's."""
    message = {
        "title": ["A Work"],
        "author": [{"given": "Ann", "family": "Lee"}],
        "issued": {"date-parts": [[2020]]},
        "publisher": "Springer",
        **extra,
    }
    draft = crossref.parse({"message-type": "work", "message": message}, "10.1/x")
    assert (draft.venue, draft.venue_kind) == (venue, kind)


def test_crossref_names_with_suffix_particles_and_order() -> None:
    message = {
        "title": ["A Title"],
        "type": "proceedings-article",
        "container-title": ["Proceedings of Something"],
        "issued": {"date-parts": [[2020, 1]]},
        "author": [
            {"given": "Ludwig", "family": "van Beethoven", "sequence": "additional"},
            {"given": "Martin Luther", "family": "King", "suffix": "Jr.", "sequence": "first"},
            {"name": "The Big Consortium", "sequence": "additional"},
        ],
    }
    draft = crossref.parse({"message-type": "work", "message": message}, "10.1/x")
    assert draft.authors == [
        "King, Jr., Martin Luther",
        "van Beethoven, Ludwig",
        "{The Big Consortium}",  # an organisation: braced whole, exported as one name
    ]
    assert (draft.year, draft.venue_kind, draft.booktitle) == (
        2020,
        "conference",
        "Proceedings of Something",
    )


@pytest.mark.parametrize(
    ("printed", "stored", "as_bibtex"),
    [
        ("Rafael Rafailov", "Rafael Rafailov", "Rafailov, Rafael"),
        ("Ludwig van Beethoven", "van Beethoven, Ludwig", "van Beethoven, Ludwig"),
        ("Tom B. Brown Jr.", "Brown, Jr., Tom B.", "Brown, Jr., Tom B."),
        (
            "Charles de la Vallée Poussin",
            "de la Vallée Poussin, Charles",
            "de la Vallée Poussin, Charles",
        ),
        ("Plato", "Plato", "Plato"),
    ],
)
def test_names_stored_so_bibtex_splits_them_back(printed: str, stored: str, as_bibtex: str) -> None:
    from bibtexparser.middlewares.names import parse_single_name_into_parts

    assert sources.split_plain_name(printed) == stored
    assert bibtex.bibtex_name(stored) == as_bibtex
    parts = parse_single_name_into_parts(as_bibtex)
    family = as_bibtex.split(",")[0]
    assert " ".join(parts.von + parts.last) == family
    assert parts.jr == (["Jr."] if "Jr." in printed else [])


# Entries as each site exports them (written for these tests in each site's format).
BIB = HTTP_FIXTURES.parent / "bib"
ARXIV_BIB = (BIB / "arxiv.bib").read_text(encoding="utf-8")
DBLP_BIB = (BIB / "dblp.bib").read_text(encoding="utf-8")
ACL_BIB = (BIB / "acl.bib").read_text(encoding="utf-8")
SCHOLAR_BIB = (BIB / "scholar.bib").read_text(encoding="utf-8")


def _one(text: str) -> bibfile.Item:
    items, broken = bibfile.read(text)
    assert broken == [] and len(items) == 1
    return items[0]


def test_bib_from_arxiv() -> None:
    draft = _one(ARXIV_BIB).draft
    assert draft is not None
    assert draft.authors[4] == "Christopher D. Manning" and len(draft.authors) == 6
    assert (draft.arxiv, draft.arxiv_class, draft.venue, draft.year) == (
        "2305.18290",
        "cs.LG",
        "arXiv",
        2023,
    )
    assert draft.key == "rafailov2023direct"


def test_bib_from_dblp() -> None:
    draft = _one(DBLP_BIB).draft
    assert draft is not None
    assert draft.authors[3] == "Zeyuan Allen-Zhu"  # {-} decoded
    # CoRR's volume and the journal's name are kept as DBLP wrote them (#15: nothing lost)
    assert (draft.arxiv, draft.venue, draft.volume) == ("2106.09685", "arXiv", "abs/2106.09685")
    assert draft.extra["journal"] == "CoRR"
    assert draft.key == "DBLP:journals/corr/abs-2106-09685"


def test_bib_from_acl_anthology() -> None:
    draft = _one(ACL_BIB).draft
    assert draft is not None
    assert draft.title.startswith("BERT: Pre-training")
    assert draft.authors == ["Jacob Devlin", "Ming-Wei Chang", "Kenton Lee", "Kristina Toutanova"]
    assert draft.venue.startswith(
        "Proceedings of the 2019 Conference of the North American Chapter"
    )
    assert (draft.doi, draft.pages, draft.venue_kind) == (
        "10.18653/v1/N19-1423",
        "4171-4186",
        "conference",
    )
    assert draft.url == "https://aclanthology.org/N19-1423/"


def test_bib_from_google_scholar_with_latex_and_name_parts() -> None:
    item = _one(SCHOLAR_BIB)
    draft = item.draft
    assert draft is not None
    assert draft.title == "Über Beta: LaTeX & accents in titles"
    assert draft.authors == [
        "Jürgen Müller",
        "de la Vallée Poussin, Charles",
        "King, Jr., Martin Luther",
    ]
    assert any("others" in note for note in draft.notes)
    assert (draft.pages, draft.year) == ("1-10", 2020)


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ("@article{a, author={X Y}, year={2020}, journal={J}}", "no title"),
        ("@article{a, title={T}, year={2020}, journal={J}}", "no authors"),
        ("@article{a, title={T}, author={X Y}, journal={J}}", "no year"),
    ],
)
def test_bib_entries_that_cannot_be_papers(entry: str, problem: str) -> None:
    item = _one(entry)
    assert item.draft is None and problem in (item.problem or "")


def test_bib_unreadable_block_is_reported() -> None:
    items, broken = bibfile.read(ARXIV_BIB + "\n@misc{broken,\n title={x\n")
    assert len(items) == 1 and broken == [("line 11", "cannot be read as BibTeX")]


_BIB_PIECES = st.sampled_from(
    ["@article{", "@misc{k,", "title={", "author={", " and ", "}", "{", ",", "=", '"', "\\",
     "\\'e", "year={2020}", "journal={J}", "others", "\n", "x y", "$", "%", "#"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(_BIB_PIECES | st.text(max_size=5), max_size=30))
def test_bib_reading_never_raises(parts: list[str]) -> None:
    items, _ = bibfile.read("".join(parts))
    for item in items:
        assert (item.draft is None) != (item.problem is None)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_arxiv_answers_are_a_draft_or_a_source_error(body: bytes) -> None:
    try:
        arxiv.parse(body, "1706.03762")
    except SourceError as exc:
        assert str(exc).startswith("arXiv: ")


# ---------------------------------------------------------------- hostile .bib files

HOSTILE_BIB = (BIB / "hostile.bib").read_text(encoding="utf-8")


def _by_key(text: str) -> dict[str, bibfile.Item]:
    items, _ = bibfile.read(text)
    return {item.key: item for item in items}


def test_bib_values_are_read_as_bibtex_reads_them() -> None:
    """@string names, # concatenation, month macros, editors and address (ACL Anthology)."""
    draft = _by_key(HOSTILE_BIB)["garcia-etal-2023-concat"].draft
    assert draft is not None
    assert draft.title == "Concatenated Titles with 50% Less & More"
    assert draft.venue == (
        "Proceedings of the 2023 Conference on Empirical Methods in Natural Language Processing"
    )
    assert draft.publisher == "Association for Computational Linguistics"
    assert (draft.month, draft.address, draft.pages) == (12, "Singapore", "1-10")
    assert draft.editors == ["Houda Bouamor", "Juan Pino"]
    assert draft.authors == ["María García", "Jörg Müller", "Hans Straße"]


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        (r"Learning $\alpha$-Divergences", "Learning α-Divergences"),  # not "$\alpha$"
        # math with a layout (a sub- or superscript, a group) stays LaTeX, which the export
        # writes back as math: decoded, "$\pi_n(S^n)$" printed as "π_n(S^n)" (#15)
        (r"Cost $O(n^2)$ and $\ell_1$", r"Cost $O(n^2)$ and $\ell_1$"),
        ("Reducing 90% of the Cost", "Reducing 90% of the Cost"),  # % is no comment here
        (r"Reducing 90\% of the Cost", "Reducing 90% of the Cost"),
        ("Search & Rescue", "Search & Rescue"),
        (r"{\em Emphasis} and \textbf{Bold}", "Emphasis and Bold"),
        ("Plain -- With Dashes", "Plain – With Dashes"),
        ("{" * 3000 + "Deep" + "}" * 3000, "Deep"),
        (
            r"$\mathcal{O}(n)$ on $\mathbb{R}^d$ with $\ell_1$",
            r"$\mathcal{O}(n)$ on $\mathbb{R}^d$ with $\ell_1$",
        ),
        # an operator keeps the space TeX sets after it; text accents still join
        (r"in $O(n \log n)$ Time, $\max_i x$", r"in O(n log n) Time, $\max_i x$"),
        (r"\L ukasz and Stra\ss e", "Łukasz and Straße"),
        # font and box commands keep their words; the logos are words
        (r"A \texttt{torch.compile} Study of \textsf{PaLM}", "A torch.compile Study of PaLM"),
        (r"Writing \LaTeX{} and \mbox{Bib}\TeX\ Fast", "Writing LaTeX and BibTeX Fast"),
    ],
)
def test_bib_titles_are_decoded_to_the_text_they_print(title: str, expected: str) -> None:
    entry = f"@article{{k, title = {{{title}}}, author = {{A, B}}, journal = {{J}}, year = 2020}}"
    draft = _one(entry).draft
    assert draft is not None and draft.title == expected


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ("month = jun, year = 2020", (2020, 6)),
        ("month = {June}, year = 2020", (2020, 6)),
        ("month = 11, year = {2020}", (2020, 11)),
        ("date = {2023-01-10}", (2023, 1)),
        ("year = {2024a}", (2024, None)),
        ('year = "{2019}"', (2019, None)),
        ("year = {in press}", (None, None)),
        ("year = {2020--2021}", (2020, None)),
        ("year = {forthcoming}", (None, None)),
        ("month = {Summer}, year = 2020", (2020, None)),
        ("month = {23--29 Jul}, year = 2023", (2023, 7)),  # PMLR
        ("month = {Jun.}, year = 2020", (2020, 6)),
        ("month = {Mayhem}, year = 2020", (2020, None)),
    ],
)
def test_bib_year_and_month_in_every_form(fields: str, expected: tuple) -> None:
    item = _one(f"@article{{k, title={{T}}, author={{A, B}}, journal={{J}}, {fields}}}")
    year, month = expected
    if year is None:
        assert item.draft is None and item.problem == "no year"
        return
    assert item.draft is not None and (item.draft.year, item.draft.month) == expected
    if fields.endswith("a}"):
        assert any("'2024a' read as 2024" in note for note in item.draft.notes)


def test_bib_crossref_gives_the_venue_not_the_volumes_identity() -> None:
    found = _by_key(HOSTILE_BIB)
    first = found["DBLP:conf/iclr/DoeR22"].draft
    second = found["DBLP:conf/iclr/RoeD22"].draft
    assert first is not None and second is not None
    for draft in (first, second):
        assert draft.venue.startswith("The Tenth International Conference on Learning")
        assert (draft.year, draft.publisher, draft.venue_kind) == (
            2022,
            "OpenReview.net",
            "conference",
        )
        assert draft.doi is None  # the volume's DOI is not each paper's
    volume = found["DBLP:conf/iclr/2022"]
    assert volume.shared and volume.draft is None


def test_bib_identifiers_are_read_as_meant() -> None:
    found = _by_key(HOSTILE_BIB)
    dblp = found["DBLP:conf/iclr/DoeR22"].draft
    assert dblp is not None and dblp.url == "https://openreview.net/forum?id=abc_def"  # \_
    old = found["smithOldStyle1999"].draft
    assert old is not None
    assert (old.arxiv, old.arxiv_class, old.year, old.month) == (
        "hep-th/9901001",
        "hep-th",
        1999,
        1,
    )
    again = found["smith1999again"].draft  # \url{https://arxiv.org/abs/hep-th/9901001v2}
    assert again is not None and again.arxiv == "hep-th/9901001"
    escaped = _one(
        "@article{k, title={T}, author={A, B}, journal={J}, year=2020, doi={10.1000/a\\_b}}"
    ).draft
    assert escaped is not None and escaped.doi == "10.1000/a_b"


def test_bib_blocks_that_cannot_be_read_say_why_once() -> None:
    _, broken = bibfile.read(HOSTILE_BIB)
    assert broken == [
        ("line 82", "entry 'dupfield' has the field title twice"),
        ("line 83", "a second entry 'names2021' (only the first is read)"),
    ]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"\xef\xbb\xbf@misc{k}", "@misc{k}"),  # a byte order mark (Windows editors)
        ("% Encoding: ISO8859_1\n@misc{M\u00fcller}".encode("latin-1"), "M\u00fcller"),
        ("% Encoding: windows-1252\n\u201cq\u201d".encode("cp1252"), "\u201cq\u201d"),
    ],
)
def test_bib_decode_utf8_or_the_encoding_jabref_declares(raw: bytes, expected: str) -> None:
    assert expected in bibfile.decode(raw, "refs.bib")
    assert not bibfile.decode(raw, "refs.bib").startswith("\ufeff")


def test_bib_decode_names_the_line_that_is_not_utf8() -> None:
    raw = "@misc{a,\n title={ok},\n author={M\u00fcller, J}}".encode("latin-1")
    with pytest.raises(InputError, match=r"^refs\.bib: not UTF-8 text \(line 3\); .*iconv"):
        bibfile.decode(raw, "refs.bib")


def test_arxiv_titles_keep_no_tex() -> None:
    """arXiv's feed gives titles as their authors typed them, TeX and all."""
    body = _feed("arxiv-1706.03762.xml").replace(
        b"Attention Is All You Need", rb"Learning $\alpha$-Divergences, \"Uber $\mathcal{O}(n)$"
    )
    draft = arxiv.parse(body, "1706.03762")
    assert draft.title == "Learning α-Divergences, Über O(n)"


def test_bib_keys_no_one_could_cite_are_replaced_and_cut_short_in_notes() -> None:
    long_key = "k" * 5000
    item = _one(f"@article{{{long_key}, title={{T}}, author={{A, B}}, journal={{J}}, year=2020}}")
    assert item.draft is not None and item.draft.origin == f"entry '{'k' * 59}…'"


def test_crossref_titles_lose_their_markup_and_keep_month_and_place() -> None:
    """Publishers deposit titles with JATS/HTML markup, MathML and entities."""
    import json

    answer = json.loads((HTTP_FIXTURES / "crossref-bert.json").read_text())
    answer["message"]["title"] = [
        "Learning <i>in situ</i>: H<sub>2</sub>O &amp; <scp>BERT</scp> with "
        "<mml:math><mml:mi>α</mml:mi></mml:math>-divergences"
    ]
    answer["message"]["published-print"] = {"date-parts": [[2019, 6, 2]]}
    draft = crossref.parse(answer, "10.18653/v1/N19-1423")
    assert draft.title == "Learning in situ: H2O & BERT with α-divergences"
    assert (draft.year, draft.month, draft.address) == (2019, 6, "Minneapolis, Minnesota")


@pytest.mark.parametrize(
    ("author", "expected"),
    [
        ("A B and C D and", ["A B", "C D"]),  # a list cut short at its end
        ("Doe, J. and others and Roe, R.", ["J. Doe", "R. Roe"]),
        ("Alan M.~Turing", ["Alan M. Turing"]),
        ("{\\relax Ch}ristopher Manning", ["Christopher Manning"]),
        ('{\\"O}zt{\\"u}rk, Ahmet', ["Ahmet Öztürk"]),
        ("김철수 and 王 小明", ["김철수", "王 小明"]),
    ],
)
def test_bib_author_lists_in_odd_forms(author: str, expected: list[str]) -> None:
    draft = _one(f"@article{{k, title={{T}}, author={{{author}}}, journal={{J}}, year=2020}}").draft
    assert draft is not None and draft.authors == expected


@pytest.mark.parametrize(
    ("field", "doi"),
    [
        ("doi = {10.1002/(SICI)1097-4571(199806)49:8<693::AID-ASI4>3.0.CO;2-0}",
         "10.1002/(SICI)1097-4571(199806)49:8<693::AID-ASI4>3.0.CO;2-0"),  # was cut at <
        ("doi = {https://doi.org/10.1002/%28SICI%291097-4571%28199806%2949%3A8%3C693%3A%3AAID"
         "-ASI4%3E3.0.CO%3B2-0}", "10.1002/(SICI)1097-4571(199806)49:8<693::AID-ASI4>3.0.CO;2-0"),
        ("url = {https://doi.org/10.1000/A%2FB}", "10.1000/A/B"),
        ("doi = {DOI: 10.1000/xyz.}", "10.1000/xyz"),
        ("url = {https://dl.acm.org/doi/10.1145/3442188.3445922}", "10.1145/3442188.3445922"),
    ],
)  # fmt: skip
def test_bib_dois_in_every_form(field: str, doi: str) -> None:
    draft = _one(
        f"@article{{k, title={{T}}, author={{A, B}}, journal={{J}}, year=2020, {field}}}"
    ).draft
    assert draft is not None and draft.doi == doi


def test_parse_id_does_not_echo_a_huge_paste() -> None:
    with pytest.raises(InputError) as caught:
        sources.parse_id("x" * 100_000)
    assert len(str(caught.value)) < 200


def test_bib_entries_from_other_sites() -> None:
    found = _by_key((BIB / "sites.bib").read_text(encoding="utf-8"))
    acm = found["10.1145/3442188.3445922"].draft
    assert acm is not None
    # &amp; and &#233; are text LaTeX can print; the emoji stays an entity (pdflatex
    # would stop at it in a reference list)
    assert acm.title.endswith("Too Big? &#x1f99c; & été")
    assert (acm.address, acm.pages) == ("Virtual Event, Canada", "610-623")
    pmlr = found["pmlr-v202-li23a"].draft
    assert pmlr is not None and (pmlr.month, pmlr.volume) == (7, "202")
    venues = {
        key: (item.draft.venue, item.draft.venue_kind)
        for key, item in found.items()
        if item.draft is not None
    }
    # what a report, thesis, book or page is stays known, so the export can say it again
    assert venues["openai2023gpt4"] == ("OpenAI", "report")
    assert venues["smith2019thesis"] == ("Stanford University", "phdthesis")
    assert venues["goodfellow2016deep"] == ("MIT Press", "book")
    assert venues["blog2023"] == ("example.org", "web")
    assert venues["github2023"] == ("GitHub repository", "web")
    assert venues["9186360"][1] == "journal"
    blog = found["blog2023"].draft
    # the address in howpublished = {\url{...}}, the date it was read from the note
    assert blog is not None and blog.url == "https://example.org/blog/post"
    assert blog.urldate == "2024-01-01"


@pytest.mark.parametrize(
    ("entry", "venue", "kind"),
    [
        ("@thesis{k, type = {mathesis}, institution = {ETH Zürich}", "ETH Zürich", "mastersthesis"),
        ("@thesis{k, type = {Master's thesis}, school = {MIT}", "MIT", "mastersthesis"),
        ("@thesis{k, type = {phdthesis}, institution = {MIT}", "MIT", "phdthesis"),
        ("@thesis{k, type = {MSc thesis}, institution = {MIT}", "MIT", "mastersthesis"),
        ("@thesis{k, institution = {MIT}", "MIT", "phdthesis"),  # biblatex: a thesis, no type
        ("@report{k, type = {techreport}, institution = {Google}", "Google", "report"),
        ("@online{k, url = {https://www.example.org/a}, urldate = {2024-05}", "example.org", "web"),
        ("@misc{k, howpublished = {Blog}, url = {https://b.org/p}", "Blog", "web"),
        # a @misc is a web page only by its address; a preprint stays one
        ("@misc{k, howpublished = {Personal communication}", "Personal communication", "preprint"),
        ("@misc{k, url = {https://arxiv.org/abs/2305.18290}", "arXiv", "preprint"),
        ("@misc{k, url = {https://doi.org/10.5281/zenodo.1}", "doi.org", "preprint"),
        ("@misc{k, howpublished = {ICML Workshop on X}, url = {https://x.org}",
         "ICML Workshop on X", "workshop"),
        # "workshop" in an institution's name makes no workshop paper of its report
        ("@techreport{k, institution = {The Workshop Institute}", "The Workshop Institute",
         "report"),
    ],
)  # fmt: skip
def test_bib_entry_type_decides_the_kind_of_a_new_venue(entry, venue, kind) -> None:
    draft = _one(entry + ", title = {T}, author = {Roe, Rich}, year = 2021}").draft
    assert draft is not None and (draft.venue, draft.venue_kind) == (venue, kind)
    if kind == "web":
        assert draft.url and draft.url.startswith("https://")
    if entry.startswith("@online"):
        assert draft.urldate == "2024-05"


def test_bib_a_comment_line_inside_an_entry_hides_no_field() -> None:
    entry = (
        "@article{k,\n title = {T},\n % checked 2024\n author = {Roe, Rich},\n"
        " journal = {J},\n year = 2021\n}"
    )
    draft = _one(entry).draft
    assert draft is not None and draft.authors == ["Rich Roe"]


@pytest.mark.parametrize(
    ("field", "arxiv_id"),
    [
        ("url = {https://arxiv.org/abs/hep-th/9901001v2}", "hep-th/9901001"),
        ("note = {arXiv:math.GT/0309136}", "math.GT/0309136"),
        ("volume = {abs/2106.09685}", "2106.09685"),  # DBLP's CoRR volume
        ("url = {https://example.com/abs/papers/1234567}", None),  # no arXiv in sight
    ],
)
def test_bib_arxiv_ids_found_in_text(field: str, arxiv_id: str | None) -> None:
    entry = f"@article{{k, title={{T}}, author={{A, B}}, journal={{J}}, year=2020, {field}}}"
    draft = _one(entry).draft
    assert draft is not None and draft.arxiv == arxiv_id


def test_crossref_group_author_is_an_organisation() -> None:
    """Crossref gives an organisation as `name` alone; the catalog braces it whole."""
    import json

    answer = json.loads((HTTP_FIXTURES / "crossref-encode.json").read_text())
    draft = crossref.parse(answer, "10.1038/nature11247")
    assert draft.authors == ["{The ENCODE Project Consortium}"]
    assert (draft.year, draft.venue, draft.volume, draft.pages) == (2012, "Nature", "489", "57-74")
    # a person whose family name is a word teams end in stays a person: the comma form
    person = {"title": ["T"], "author": [{"given": "Tom", "family": "Lab"}, {"name": "Lab"}]}
    draft = crossref.parse({"message-type": "work", "message": person}, "10.1/x")
    assert draft.authors == ["Lab, Tom", "{Lab}"]
    assert bibtex.encode_authors(draft.authors) == "Lab, Tom and {Lab}"
    blank = {"message-type": "work", "message": {"title": ["T"], "author": [{"name": " {} "}]}}
    with pytest.raises(SourceError, match="no title or no authors"):
        crossref.parse(blank, "10.1/x")


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("{Google DeepMind}", ["{Google DeepMind}"]),
        ("{Llama Team, AI @ Meta}", ["{Llama Team, AI @ Meta}"]),
        ("{BigScience Workshop} and Le Scao, Teven", ["{BigScience Workshop}", "Le Scao, Teven"]),
        ("{{\\'E}cole Polytechnique} and Tom Smith", ["{École Polytechnique}", "Tom Smith"]),
        ("{Procter and {G}amble}", ["{Procter and Gamble}"]),
        # braces that do not span the name: a person, as before
        ('{\\"O}zt{\\"u}rk, Ahmet and {\\\'E}mile Zola', ["Ahmet Öztürk", "Émile Zola"]),
        ("{Le Scao}, Teven", ["Le Scao, Teven"]),
        ("{ } and Tom Smith", ["Tom Smith"]),  # an empty group is no author
        # unbraced, a team is guessed from its last word; a person so named uses a comma
        ("Gemini Team and Lab, Tom", ["{Gemini Team}", "Lab, Tom"]),
    ],
)
def test_bib_author_braced_whole_is_an_organisation(written: str, read: list[str]) -> None:
    text = f"@misc{{k, title={{T}}, author={{{written}}}, year=2024, howpublished={{x}}}}"
    (item,), _ = bibfile.read(text)
    assert item.draft is not None and item.draft.authors == read


def test_arxiv_team_author_is_stored_as_an_organisation() -> None:
    """arXiv lists a team as a plain name; read as a person, "Gemini Team" became "Team,
    Gemini" and the key team2017attention."""
    body = _feed("arxiv-1706.03762.xml").replace(b"Ashish Vaswani", b"Gemini  Team")
    draft = arxiv.parse(body, "1706.03762")
    assert draft.authors[:2] == ["{Gemini Team}", "Noam Shazeer"]


def test_arxiv_summary_is_the_abstract_with_its_paragraphs() -> None:
    draft = arxiv.parse(_feed("arxiv-1706.03762.xml"), "1706.03762")
    assert draft.abstract is not None
    assert draft.abstract.startswith("A sequence transduction model built on attention alone")
    assert "\n" not in draft.abstract  # Atom's folded lines are one paragraph
    body = _feed("arxiv-1706.03762.xml").replace(
        b"reworded for this test).", b"reworded for this test).\n\n  A $\\ell_1$ penalty helps."
    )
    draft = arxiv.parse(body, "1706.03762")
    assert draft.abstract is not None
    assert draft.abstract.endswith("reworded for this test).\n\nA ℓ_1 penalty helps.")


def test_crossref_jats_abstract_keeps_words_and_paragraphs() -> None:
    import json

    answer = json.loads((HTTP_FIXTURES / "crossref-bert.json").read_text())
    answer["message"]["abstract"] = (
        "<jats:title>Abstract</jats:title><jats:p>We read <jats:italic>deep</jats:italic>"
        "\n   bidirectional models &amp; their H<jats:sub>2</jats:sub> use.</jats:p>"
        "<jats:sec><jats:p>A second paragraph.</jats:p></jats:sec>"
    )
    draft = crossref.parse(answer, "10.18653/v1/N19-1423")
    assert draft.abstract == (
        "We read deep bidirectional models & their H2 use.\n\nA second paragraph."
    )
    answer["message"]["abstract"] = ["not", "text"]  # a broken answer is refused whole
    with pytest.raises(SourceError, match="message.abstract"):
        crossref.parse(answer, "10.18653/v1/N19-1423")


def test_bib_abstract_keeps_its_paragraph_breaks() -> None:
    item = _one(
        "@article{k, title={T}, author={A, B}, journal={J}, year=2020,\n"
        "  abstract={First \\emph{line}\n  goes on.\n\n  Second paragraph, caf\\'e.}}"
    )
    assert item.draft is not None
    assert item.draft.abstract == "First line goes on.\n\nSecond paragraph, café."
