"""The catalog schema (schema.py): one paper, one topic, one venue at a time, and the
cross-paper rules, on parsed data (no files here; test_catalog.py covers the files)."""

from __future__ import annotations

import copy

import pytest
from pydantic import ValidationError

from litlist import schema
from litlist.errors import Problem
from litlist.model import may_hold_controls

PAPER = {
    "id": "alpha-one",
    "kind": "paper",
    "key": "smith2020alpha",
    "title": "Alpha Methods for Tiny Catalogs",
    "authors": ["Jane Smith", "Bob Jones"],
    "year": 2020,
    "venue": "NeurIPS",
    "topic": "alpha",
    "arxiv": "2001.00001",
    "doi": "10.1234/alpha.one",
}

DOCUMENT = {
    "topic": [{"slug": "alpha", "name": "Alpha"}, {"slug": "alpha/beta", "name": "Beta"}],
    "venue": [
        {
            "id": "NeurIPS",
            "name": "Neural Information Processing Systems",
            "kind": "conference",
            "aliases": ["NIPS"],
        },
        {"id": "arXiv", "name": "arXiv preprint", "kind": "preprint"},
    ],
    "paper": [
        PAPER,
        dict(
            PAPER,
            id="beta-two",
            key="muller2022beta",
            title="Beta",
            topic="alpha/beta",
            venue="arXiv",
            authors=["Jürgen Müller"],
            year=2022,
            doi=None,
            arxiv="2202.00002",
        ),
    ],
}


def _fields(exc: ValidationError) -> set[str]:
    return {".".join(str(p) for p in e["loc"]) for e in exc.errors()}


def test_paper_model_accepts_a_valid_paper() -> None:
    paper = schema.PaperModel.model_validate(PAPER).to_paper()
    assert paper.id == "alpha-one"
    assert paper.authors == ("Jane Smith", "Bob Jones")
    assert paper.year == 2020
    assert paper.citable


def test_paper_model_keeps_non_ascii_authors_as_written() -> None:
    names = ["Jürgen Müller", "Zoë Dupont", "Łukasz Wróbel", "김민지"]
    paper = schema.PaperModel.model_validate(dict(PAPER, authors=names)).to_paper()
    assert list(paper.authors) == names


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"titel": "Alpha"}, "titel"),  # a typo is an error, not silently ignored
        ({"year": 999}, "year"),
        ({"year": 2300}, "year"),
        ({"year": "2020"}, "year"),  # TOML has integers: a string year is a mistake
        ({"year": 2020.0}, "year"),
        ({"year": True}, "year"),
        ({"arxiv": "2001.1"}, "arxiv"),
        ({"arxiv": "2001.00001v2"}, "arxiv"),
        ({"arxiv": "arXiv:2001.00001"}, "arxiv"),
        ({"arxiv": "https://arxiv.org/abs/2001.00001"}, "arxiv"),
        ({"doi": "doi:10.1234/x"}, "doi"),
        ({"doi": "https://doi.org/10.1234/x"}, "doi"),
        ({"doi": "10.12/x"}, "doi"),
        ({"doi": "10.48550/arXiv.2001.00001"}, "doi"),  # arXiv's DOI belongs in `arxiv`
        ({"key": "smith(2020)"}, "key"),
        ({"key": "smith%2020"}, "key"),
        ({"key": "smith#2020"}, "key"),
        ({"key": "smith\\2020"}, "key"),
        ({"key": "müller2022beta"}, "key"),
        ({"key": "smith 2020"}, "key"),
        ({"key": "smith{2020}"}, "key"),
        ({"key": "smith,2020"}, "key"),
        ({"id": "Alpha One"}, "id"),
        ({"kind": "article"}, "kind"),
        ({"authors": []}, "authors"),
        ({"authors": [""]}, "authors.0"),
        ({"title": ""}, "title"),
        ({"title": "Two\nLines"}, "title"),
        ({"url": "arxiv.org/abs/2001.00001"}, "url"),
        ({"pages": "12 to 14"}, "pages"),
        ({"covers": ["beta-two"]}, "covers"),  # only summary posts cover papers
        ({"month": 13}, "month"),
        ({"month": "aug"}, "month"),  # a number: the export writes BibTeX's macro from it
        ({"editors": ["-"]}, "editors"),
    ],
)
def test_paper_model_rejects_bad_field_and_names_it(change: dict, field: str) -> None:
    data = dict(PAPER, **change)
    with pytest.raises(ValidationError) as info:
        schema.PaperModel.model_validate(data)
    assert field in _fields(info.value)


@pytest.mark.parametrize("missing", ["key", "year", "venue", "authors", "title", "topic", "id"])
def test_paper_model_names_the_missing_field(missing: str) -> None:
    data = {k: v for k, v in PAPER.items() if k != missing}
    with pytest.raises(ValidationError) as info:
        schema.PaperModel.model_validate(data)
    assert missing in _fields(info.value)


@pytest.mark.parametrize(
    "arxiv", ["2305.18290", "1909.08593", "0704.0001", "hep-th/9901001", "math.GT/0309136"]
)
def test_paper_model_accepts_arxiv_id_forms(arxiv: str) -> None:
    assert schema.PaperModel.model_validate(dict(PAPER, arxiv=arxiv)).arxiv == arxiv


def test_summary_post_needs_no_key_year_venue_or_authors() -> None:
    post = {
        "id": "a-summary",
        "kind": "summary",
        "title": "A Summary",
        "topic": "alpha",
        "covers": ["alpha-one"],
        "summary": ["요약"],
    }
    paper = schema.PaperModel.model_validate(post).to_paper()
    assert paper.key is None and paper.authors == () and not paper.citable


def test_published_version_is_validated_too() -> None:
    data = dict(PAPER, published={"venue": "ICML", "year": 2024, "doi": "nope"})
    with pytest.raises(ValidationError) as info:
        schema.PaperModel.model_validate(data)
    assert "published.doi" in _fields(info.value)
    data = dict(PAPER, published={"venue": "ICML", "year": 2024, "volume": "1", "isbn": "x"})
    with pytest.raises(ValidationError) as info:
        schema.PaperModel.model_validate(data)
    assert "published.isbn" in _fields(info.value)


@pytest.mark.parametrize("slug", ["Alpha", "alpha/", "/alpha", "alpha beta", "alpha//beta"])
def test_topic_model_rejects_bad_slug(slug: str) -> None:
    with pytest.raises(ValidationError):
        schema.TopicModel.model_validate({"slug": slug, "name": "X"})


def test_venue_model_rejects_unknown_kind() -> None:
    with pytest.raises(ValidationError):
        schema.VenueModel.model_validate({"id": "X", "name": "X", "kind": "blog"})


def test_venue_kinds_are_the_ones_the_model_knows() -> None:
    """schema spells out model.VENUE_KINDS for the type checker: the two must agree."""
    from typing import get_args

    from litlist.model import VENUE_KINDS

    assert get_args(schema.VenueModel.model_fields["kind"].annotation) == VENUE_KINDS


@pytest.mark.parametrize("kind", ["book", "phdthesis", "mastersthesis", "report", "web"])
def test_venue_model_accepts_the_kinds_of_works_outside_proceedings(kind: str) -> None:
    venue = schema.VenueModel.model_validate({"id": "X", "name": "X", "kind": kind})
    assert venue.kind == kind


@pytest.mark.parametrize("urldate", ["2024", "2024-05", "2024-05-01"])
def test_urldate_takes_what_biblatex_takes(urldate: str) -> None:
    assert schema.PaperModel.model_validate(dict(PAPER, urldate=urldate)).urldate == urldate


@pytest.mark.parametrize("urldate", ["May 2024", "2024-13-01", "2024-05-01T10:00", "24-05-01"])
def test_urldate_of_another_form_is_refused(urldate: str) -> None:
    with pytest.raises(ValidationError) as caught:
        schema.PaperModel.model_validate(dict(PAPER, urldate=urldate))
    assert _fields(caught.value) == {"urldate"}


def _with_web_venue(**change) -> dict:
    document = _with_second(venue="blog", arxiv=None, **change)
    document["venue"].append({"id": "blog", "name": "Some Blog", "kind": "web"})
    return document


def test_validate_a_web_page_needs_its_url() -> None:
    problem = _one(_problems(_with_web_venue()))
    assert (problem.paper, problem.field) == ("beta-two", "url")
    assert "web page" in problem.message
    assert _problems(_with_web_venue(url="https://blog.example.org/post")) == []


# ---------------------------------------------------------------- validate(): whole documents


def _problems(document: dict) -> list[Problem]:
    _, problems = schema.validate(document, "cat.toml")
    return problems


def _one(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, [p.render() for p in problems]
    return problems[0]


def test_validate_accepts_the_document() -> None:
    cat, problems = schema.validate(copy.deepcopy(DOCUMENT), "cat.toml")
    assert problems == []
    assert cat.ids == ["alpha-one", "beta-two"]
    assert [t.slug for t in cat.topics] == ["alpha", "alpha/beta"]


def _with_second(**change) -> dict:
    document = copy.deepcopy(DOCUMENT)
    document["paper"][1].update(change)
    return document


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"id": "alpha-one"}, "id", "used by another paper"),
        ({"key": "smith2020alpha"}, "key", "alpha-one"),
        ({"key": "Smith2020Alpha"}, "key", "alpha-one"),  # BibTeX ignores case
        ({"topic": "gamma"}, "topic", "not declared"),
        ({"venue": "ICML"}, "venue", "not declared"),
        ({"published": {"venue": "ICML", "year": 2024}}, "published.venue", "not declared"),
    ],
)
def test_validate_cross_paper_rules_name_paper_and_field(change, field, words) -> None:
    problem = _one(_problems(_with_second(**change)))
    assert problem.paper == change.get("id", "beta-two")
    assert problem.field == field
    assert words in problem.message
    assert problem.path == "cat.toml"


def test_validate_reports_every_problem_not_just_the_first() -> None:
    document = _with_second(topic="gamma", venue="ICML", year=999)
    document["paper"][0]["arxiv"] = "bad"
    problems = _problems(document)
    got = {(p.paper, p.field) for p in problems}
    assert {("alpha-one", "arxiv"), ("beta-two", "year")} <= got
    # beta-two failed on its own, so its topic/venue are not checked twice; alpha-one still is
    assert len(problems) == 2


def test_validate_summary_covering_unknown_paper() -> None:
    document = copy.deepcopy(DOCUMENT)
    document["paper"].append(
        {
            "id": "s",
            "kind": "summary",
            "title": "S",
            "topic": "alpha",
            "covers": ["alpha-one", "nope"],
        }
    )
    problem = _one(_problems(document))
    assert (problem.paper, problem.field) == ("s", "covers")
    assert "nope" in problem.message


def test_validate_covered_paper_with_its_own_problem_is_not_reported_as_unknown() -> None:
    document = copy.deepcopy(DOCUMENT)
    document["paper"][1]["titel"] = "typo"
    document["paper"].append(
        {"id": "s", "kind": "summary", "title": "S", "topic": "alpha", "covers": ["beta-two"]}
    )
    problems = _problems(document)
    assert [(p.paper, p.field) for p in problems] == [("beta-two", "titel")]


@pytest.mark.parametrize(
    ("document", "words"),
    [
        (dict(DOCUMENT, papers=[]), "unknown table 'papers'"),
        (dict(DOCUMENT, paper={"id": "x"}), "array of tables"),
    ],
)
def test_validate_document_shape(document: dict, words: str) -> None:
    assert any(words in p.message for p in _problems(copy.deepcopy(document)))


def test_validate_accepts_a_catalog_without_papers() -> None:
    document = copy.deepcopy(DOCUMENT)
    del document["paper"]
    assert _problems(document) == []


def test_validate_topic_problems() -> None:
    document = copy.deepcopy(DOCUMENT)
    document["topic"].append({"slug": "alpha", "name": "Again"})
    document["topic"].append({"slug": "delta/epsilon", "name": "Orphan"})
    messages = " | ".join(p.message for p in _problems(document))
    assert "'alpha' is declared twice" in messages
    assert "no parent topic 'delta'" in messages


def test_validate_venue_alias_clash() -> None:
    document = copy.deepcopy(DOCUMENT)
    document["venue"][1]["aliases"] = ["nips"]
    problem = _one(_problems(document))
    assert "'nips'" in problem.message and "used by 'NeurIPS'" in problem.message


def test_validate_gives_lines_when_it_has_the_text() -> None:
    text = "\n".join(
        ["[[topic]]", 'slug = "alpha"', "", "[[paper]]", 'id = "x"', "", "[[paper]]", 'id = "y"']
    )
    document = {"topic": [{"slug": "alpha", "name": "A"}], "paper": [{"id": "x"}, {"id": "y"}]}
    _, problems = schema.validate(document, "cat.toml", text)
    lines = {p.paper: p.line for p in problems}
    assert lines == {"x": 4, "y": 7}


# ---------------------------------------------------------------- Problem


def test_problem_render_names_file_line_paper_and_field() -> None:
    text = Problem("cat.toml", "bad value", line=12, paper="dpo", field="year").render()
    assert text == "cat.toml:12: paper 'dpo', field 'year': bad value"
    assert Problem("cat.toml", "no such catalog file").render() == "cat.toml: no such catalog file"


# ---------------------------------------------------------------- hostile values (issue 12)

# what would close a BibTeX value early or smuggle in another entry
INJECTION = "}}@misc{injected, title={Owned}}@comment{"


BAD_DOIS = [
    "10.1234/x" + INJECTION,
    "10.1234/a b",
    "10.1234/a\\b",
    '10.1234/a"b',
    "10.1234/",
    "doi:10.1234/ab",
    "https://doi.org/10.1234/ab",
    "10.12/short-prefix",
]
BAD_URLS = [
    "https://x.org/" + INJECTION,
    "https://x.org/a{b",
    "https://x.org/a\\b",
    'https://x.org/"',
    "javascript:alert(1)",
    "ftp://x.org/a",
    "https://",
    "https:///path-only",
    "https://x.org/\x1b[2J",
]


@pytest.mark.parametrize(
    ("field", "value"), [("doi", v) for v in BAD_DOIS] + [("url", v) for v in BAD_URLS]
)
def test_doi_or_url_of_the_wrong_shape_is_rejected(field: str, value: str) -> None:
    with pytest.raises(ValidationError) as info:
        schema.PaperModel.model_validate(dict(PAPER, **{field: value}))
    assert _fields(info.value) == {field}


@pytest.mark.parametrize(
    ("doi", "url"),
    [
        ("10.1145/3442188.3445922", "https://aclanthology.org/2021.acl-long.353/"),
        ("10.18653/v1/2021.acl-long.353", "http://example.org/a?b=1&c=%20#frag"),
        ("10.1000/(sici)1097-4571<3::aid>2.0.co;2-x", "HTTPS://Example.org/~me/"),
    ],
)
def test_real_dois_and_urls_still_pass(doi: str, url: str) -> None:
    paper = schema.PaperModel.model_validate(dict(PAPER, doi=doi, url=url))
    assert (paper.doi, paper.url) == (doi, url)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": "Alpha \x1b[31mred\x1b[0m"}, "title"),
        ({"title": "Alpha\rBeta"}, "title"),
        ({"title": "Alpha \u202egnp.exe"}, "title"),  # a right-to-left override
        ({"authors": ["Jane Smith", "Bob\x07 Jones"]}, "authors"),
        ({"summary": ["fine", "not \x9b2J fine"]}, "summary"),
        ({"summary_en": "bell \x07"}, "summary_en"),
        ({"aliases": ["A\x00B"]}, "aliases"),
        ({"publisher": "P\x7f"}, "publisher"),
        ({"published": {"venue": "NeurIPS", "year": 2021, "title": "T\x1b"}}, "published.title"),
    ],
)
def test_control_characters_are_rejected_in_any_field(change: dict, field: str) -> None:
    problem = _one(_problems(_with_second(**change)))
    assert (problem.paper, problem.field) == ("beta-two", field)
    assert "control character U+" in problem.message


def test_control_characters_in_topics_and_venues_are_rejected() -> None:
    document = copy.deepcopy(DOCUMENT)
    document["topic"][0]["name"] = "Alpha\x1b]0;owned\x07"
    document["venue"][1]["name"] = "arXiv\x1b[2J"
    controls = [p for p in _problems(document) if "control character" in p.message]
    assert [(p.field, p.message.split(":")[0]) for p in controls] == [
        ("name", "topic 'alpha'"),
        ("name", "venue 'arXiv'"),
    ]


def test_tab_and_newline_are_not_control_characters_in_a_summary() -> None:
    paper = schema.PaperModel.model_validate(dict(PAPER, summary_en="one\n\ttwo"))
    assert paper.summary_en == "one\n\ttwo"


@pytest.mark.parametrize("author", ["'t Hooft", "(Anonymous)", "3M Team", "-Ω"])
def test_an_author_whose_first_letter_comes_later_is_accepted(author: str) -> None:
    assert _problems(_with_second(authors=["Jürgen Müller", author])) == []


@pytest.mark.parametrize("author", [",", " , ", "-", "1 2", "."])
def test_an_author_with_no_letter_is_rejected(author: str) -> None:
    problem = _one(_problems(_with_second(authors=["Jürgen Müller", author])))
    assert (problem.paper, problem.field) == ("beta-two", "authors")
    assert "no letter" in problem.message
    published = {"venue": "NeurIPS", "year": 2023, "authors": [author]}
    problem = _one(_problems(_with_second(published=published)))
    assert (problem.paper, problem.field) == ("beta-two", "published.authors")


def test_a_long_url_with_a_bad_end_is_rejected_without_backtracking() -> None:
    # the URL pattern once had two adjacent runs of the same characters: a failing match
    # of this size backtracked for minutes
    for url in ("https://" + "a" * 100_000 + '"', "https://x.org/" + "a" * 100_000 + "{"):
        with pytest.raises(ValidationError) as info:
            schema.PaperModel.model_validate(dict(PAPER, url=url))
        assert _fields(info.value) == {"url"}


@pytest.mark.parametrize(
    "title",
    [
        '"Escaped \\u001b[2J ESC"',
        '"Escaped \\U0000202e bidi"',
        '"Escaped \\b backspace"',
        '"Raw \x1b ESC"',
        '"""Raw CR\r\nin a multi-line string"""',
    ],
)
def test_load_refuses_control_characters_however_written(write_catalog, title: str) -> None:
    """The first run of a catalog skips the per-field check only when its text cannot
    produce a control character: escapes and raw characters both take the checked path."""
    from conftest import TINY_CATALOG
    from litlist import catalog
    from litlist.errors import CatalogError

    text = TINY_CATALOG.replace('"Alpha Methods for Tiny Catalogs"', title, 1)
    assert text != TINY_CATALOG
    assert may_hold_controls(text.encode("utf-8"))
    # refused by our check, or already by TOML (a raw ESC) or the title rule (a line break)
    with pytest.raises(CatalogError, match="control character|not valid TOML|one line"):
        catalog.load(write_catalog(text))


def test_a_plain_catalog_takes_the_fast_path_and_loads(tiny_catalog) -> None:
    from litlist import catalog

    assert not may_hold_controls(tiny_catalog.read_bytes())
    assert len(catalog.load(tiny_catalog)) == 4


@pytest.mark.parametrize(
    "author", ["{Google DeepMind}", "{Llama Team, AI @ Meta}", "{École Polytechnique}"]
)
def test_an_organisation_braced_whole_is_accepted(author: str) -> None:
    assert _problems(_with_second(authors=[author, "Teven Le Scao"])) == []


@pytest.mark.parametrize(
    "author", ["{Google} DeepMind", "{{Google DeepMind}}", "Google {DeepMind}", "{Google", "X}"]
)
def test_an_author_with_any_other_brace_is_rejected(author: str) -> None:
    problem = _one(_problems(_with_second(authors=["Jürgen Müller", author])))
    assert (problem.paper, problem.field) == ("beta-two", "authors")
    assert "brace" in problem.message and "{Google DeepMind}" in problem.message


def test_an_organisation_in_a_later_version_and_as_editor_is_accepted() -> None:
    published = {"venue": "conf", "year": 2024, "authors": ["{BigScience Workshop}"]}
    published["editors"] = ["{ACL}"]
    document = _with_second(published=published)
    document.setdefault("venue", []).append({"id": "conf", "name": "Conf", "kind": "conference"})
    assert [p.message for p in _problems(document)] == []
    bad = _with_second(published=dict(published, editors=["{A}CL"]))
    assert "brace" in _one(_problems(bad)).message


@pytest.mark.parametrize(
    "author", [", Daniel M. Ziegler", "Ziegler, ", "Ziegler, , Daniel", "A, B, C, D"]
)
def test_an_author_that_bibtex_would_not_read_as_one_name_is_rejected(author: str) -> None:
    # #18 item 21: ", Daniel M. Ziegler" was exported as `author = {, ...}`: bibtex stopped
    # with an error and biber crashed
    problem = _one(_problems(_with_second(authors=["Jürgen Müller", author])))
    assert (problem.paper, problem.field) == ("beta-two", "authors")
    assert "is not one name" in problem.message


@pytest.mark.parametrize("author", ["Ziegler, Daniel M.", "King, Jr., Martin Luther"])
def test_an_author_with_one_or_two_commas_is_accepted(author: str) -> None:
    assert _problems(_with_second(authors=[author])) == []


def test_any_year_of_print_is_accepted_and_an_edited_volume_needs_no_author() -> None:
    # #15: Gauss's Theoria motus (1809) was refused; so was an edited volume
    assert _problems(_with_second(year=1809)) == []
    assert _problems(_with_second(authors=[], editors=["Dilip Parameshwar Gaonkar"])) == []
    [problem] = _problems(_with_second(authors=[]))
    assert (problem.field, problem.message[:36]) == (
        "authors",
        "a paper needs at least one author (o",
    )
