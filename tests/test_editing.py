"""editing.py: keys and ids like the catalog's, TOML text that reads back exactly, venues
matched, duplicates found, and writes that only add lines to the user's file."""

from __future__ import annotations

import dataclasses
import difflib
import re
import unicodedata
from pathlib import Path

import pytest
import tomli
from hypothesis import given
from hypothesis import strategies as st

from conftest import TINY_CATALOG
from litlist import catalog, editing
from litlist.errors import FileChanged
from litlist.model import Venue
from litlist.sources import Draft


def added_lines_only(before: bytes, after: bytes) -> list[str]:
    """The lines `after` adds to `before`; fails if any line of `before` changed or went."""
    diff = list(difflib.ndiff(before.decode().splitlines(True), after.decode().splitlines(True)))
    assert not [d for d in diff if d.startswith("- ")], "a line of the file changed"
    return [d[2:] for d in diff if d.startswith("+ ")]


def test_key_base_makes_the_shipped_catalogs_keys(shipped) -> None:
    papers = [p for p in shipped.papers if p.kind == "paper"]
    made = {p.key: editing.key_base(p.authors, p.year, p.title) for p in papers}
    differ = {key: new for key, new in made.items() if key != new}
    # the list's year differs from the paper's in a few entries: the rest must match
    assert len(differ) <= 3, differ
    assert made["rafailov2023direct"] == "rafailov2023direct"
    assert made["obrien2023contrastive"] == "obrien2023contrastive"
    assert made["liu2022p"] == "liu2022p" and made["xu2024dpo"] == "xu2024dpo"


@pytest.mark.parametrize(
    ("author", "family"),
    [
        ("Rafael Rafailov", "Rafailov"),
        ("van Beethoven, Ludwig", "Beethoven"),
        ("El Showk, Sheer", "El Showk"),
        ("King, Jr., Martin Luther", "King"),
    ],
)
def test_family_name(author: str, family: str) -> None:
    assert editing.family_name(author) == family


def test_unique_names() -> None:
    assert editing.unique("a2020b", {"x"}, letters=True) == "a2020b"
    assert editing.unique("a2020b", {"a2020b"}, letters=True) == "a2020bb"
    assert editing.unique("a2020b", {"a2020b", "a2020bb"}, letters=True) == "a2020bc"
    assert editing.unique("dpo", {"dpo", "dpo-2"}, letters=False) == "dpo-3"


@given(st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=60))
def test_toml_string_reads_back_exactly(value: str) -> None:
    assert tomli.loads("v = " + editing.toml_string(value))["v"] == value


def test_toml_string_refuses_lone_surrogates() -> None:
    with pytest.raises(editing.EditError):
        editing.toml_string("a\udcff")


@pytest.mark.parametrize(
    ("name", "venue"),
    [
        ("Advances in Neural Information Processing Systems", "NeurIPS"),
        ("NIPS", "NeurIPS"),
        ("Proceedings of the 41st International Conference on Machine Learning", "ICML"),
        ("The Twelfth International Conference on Learning Representations", "ICLR"),
        ("International Conference on Learning Representations (ICLR)", "ICLR"),
        (
            "Proceedings of the 61st Annual Meeting of the Association for Computational "
            "Linguistics (Volume 1: Long Papers)",
            "ACL",
        ),
        ("Findings of the Association for Computational Linguistics: EMNLP 2023", "Findings-EMNLP"),
        # as DBLP writes proceedings: the name, then edition, place and dates
        ("Advances in Neural Information Processing Systems 30", "NeurIPS"),
        (
            "Advances in Neural Information Processing Systems 30: Annual Conference on Neural "
            "Information Processing Systems 2017, December 4-9, 2017, Long Beach, CA, {USA}",
            "NeurIPS",
        ),
        (
            "Advances in Neural Information Processing Systems 33: Annual Conference on Neural "
            "Information Processing Systems 2020, NeurIPS 2020, December 6-12, 2020, virtual",
            "NeurIPS",
        ),
        (
            "Proceedings of the 39th International Conference on Machine Learning, ICML 2022, "
            "17-23 July 2022, Baltimore, Maryland, USA",
            "ICML",
        ),
        (
            "3rd International Conference on Learning Representations, ICLR 2015, San Diego, "
            "CA, USA, May 7-9, 2015, Conference Track Proceedings",
            "ICLR",
        ),
        (
            "Proceedings of the 60th Annual Meeting of the Association for Computational "
            "Linguistics (Volume 1: Long Papers), {ACL} 2022, Dublin, Ireland, May 22-27, 2022",
            "ACL",
        ),
        (
            "Findings of the Association for Computational Linguistics: NAACL 2022, Seattle, "
            "WA, United States, July 10-15, 2022",
            "Findings-NAACL",
        ),
        # the head must be a known series' whole name: ACL's Findings are not ACL
        ("Findings of the Association for Computational Linguistics: ACL 2023, Toronto", None),
        ("International Conference on Machine Learning Workshop, Baltimore", None),
        ("Nature Machine Intelligence", "Nat. Mach. Intell."),
        ("the  nature machine-intelligence", "Nat. Mach. Intell."),
        ("{N}ature {M}achine {I}ntelligence", "Nat. Mach. Intell."),
        ("Transactions on Machine Learning Research", "TMLR"),
        ("arXiv", "arXiv"),
        ("Journal of Machine Learning Research", None),
        ("Conference", None),
        # never by a guess: a cut-off name, a longer one, a letter apart
        ("Proceedings of the 2019 Conference of the North", None),
        ("Conference of the North American Chapter", None),
        ("Nature Machine Intelligence Letters", None),
        ("Nature Machine Intelligenc", None),
        ("Transactions on Machine Learning Research B", None),
    ],
)
def test_match_venue(shipped, name: str, venue: str | None) -> None:
    assert editing.match_venue(name, shipped.venues) == venue


def test_a_series_is_matched_only_among_proceedings(shipped) -> None:
    """Years and ordinals set a conference's volumes apart, not a journal's name."""
    assert editing.match_venue("Proceedings of ICLR 2024", shipped.venues, "conference") == "ICLR"
    assert editing.match_venue("Proceedings of ICLR 2024", shipped.venues, "journal") is None
    tmlr = "Transactions on Machine Learning Research 2024"
    assert editing.match_venue(tmlr, shipped.venues, "conference") is None


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("The Journal of Neuroscience", "journal of  neuroscience", True),
        ("The Journal of Neuroscience", "Journal of Neuroscience Research", False),
        ("Physical Review D", "Physical Review E", False),
        ("Proceedings of the IEEE", "Proceedings of the IEEE/CVF Conference on CV", False),
        ("Semantic Web", "The Semantic Web. Latest Advances and New Domains", False),
        ("Ar{X}iv:2201.11903", "arXiv:2201.11990", False),
        ("Ar{X}iv:2201.11903", "arxiv 2201 11903", True),
        ("G\\\"odel's Journal", "Gödel’s journal", True),
    ],
)
def test_venue_name_is_one_normalisation(a: str, b: str, same: bool) -> None:
    assert (editing.venue_name(a) == editing.venue_name(b)) is same


def test_venue_words_is_linear_in_parentheses() -> None:
    """100k "(" in a journal name: one pass, so twice the name is twice the work (counted
    in characters visited, not timed)."""
    seen = []

    class Counting(str):
        def __iter__(self):
            for char in str.__iter__(self):
                seen.append(char)
                yield char

    for n in (50_000, 100_000):
        seen.clear()
        assert editing._without_parentheses(Counting("Journal " + "(" * n + "x")) == (
            "Journal " + "(" * n + "x"
        )
        assert len(seen) == n + 9
    assert editing._without_parentheses("A (b (c) d) E (f") == "A  E (f"
    # and the whole rule on such a name returns (the regexes after it see no parentheses
    # nested n deep, only n characters of punctuation)
    assert editing.venue_words("Journal " + "(" * 100_000 + "x") == "journal x"


def _draft(**values) -> Draft:
    base = dict(
        title="A Brand New Study of Things",
        authors=["Ada Lovelace", "Alan Turing"],
        year=2024,
        venue="arXiv",
        arxiv="2401.00001",
        origin="test draft",
    )
    return Draft(**{**base, **values})


@pytest.mark.parametrize(
    ("values", "existing", "why"),
    [
        ({"arxiv": "2305.18290"}, "dpo", "same arXiv id"),
        ({"arxiv": None, "doi": "10.1038/S42256-023-00626-4"}, "peft-nmi", "same DOI"),
        (
            {"arxiv": None, "title": "lora: LOW-RANK adaptation of large-language models!"},
            "lora",
            "same title",
        ),  # noqa: E501
        (
            {
                "arxiv": None,
                "title": "Delta tuning: a comprehensive study of parameter efficient methods "
                "for pre-trained language models",
            },
            "peft-nmi",
            "same title",
        ),  # noqa: E501
    ],
)
def test_duplicates_are_found(shipped, values: dict, existing: str, why: str) -> None:
    found = editing.Planner(shipped).duplicate(_draft(**values))
    assert found is not None and found[0] == existing and why in found[1]


def test_new_paper_is_not_a_duplicate_and_gets_its_names(shipped) -> None:
    planner = editing.Planner(shipped)
    draft = _draft()
    assert planner.duplicate(draft) is None
    row = planner.row(draft, editing.Options(topic="rlhf"))
    assert (row["id"], row["key"], row["topic"]) == (
        "lovelace2024brand",
        "lovelace2024brand",
        "alignment/rlhf",
    )
    paper = planner.add(row, draft.origin)
    # a second paper of the same first author, year and first word gets key ...b
    again = planner.row(
        _draft(arxiv="2401.00002", title="Brand Names"),
        editing.Options(topic="peft", aliases=["BN"]),
    )
    assert (again["key"], again["id"]) == ("lovelace2024brandb", "bn")
    assert planner.duplicate(_draft(arxiv="2401.00001", title="other")) == (
        paper.id,
        "same arXiv id 2401.00001",
    )


def test_cross_rules_are_checked(shipped) -> None:
    planner = editing.Planner(shipped)
    row = planner.row(_draft(), editing.Options(topic="peft"))
    with pytest.raises(editing.EditError, match="id 'dpo' is used"):
        planner.add({**row, "id": "dpo"}, "x")
    with pytest.raises(editing.EditError, match="key 'hu2022lora' is used by paper 'lora'"):
        planner.add({**row, "key": "hu2022lora"}, "x")
    with pytest.raises(editing.EditError, match="field 'arxiv'"):
        planner.add({**row, "arxiv": "not-an-id"}, "x")
    with pytest.raises(editing.EditError, match="venue 'Nowhere' is not declared"):
        planner.add({**row, "venue": "Nowhere"}, "x")


def test_bad_topic_lists_the_closest_and_points_to_topics(shipped) -> None:
    with pytest.raises(editing.EditError) as caught:
        editing.Planner(shipped).topic("attention-snk")
    message = str(caught.value)
    assert "did you mean" in message and "interpretability/attention/attention-sink?" in message
    assert "`litlist topics`" in message


def _commit(path: Path, drafts: list[Draft], topic: str = "gamma", new_topic=None) -> bytes:
    with editing.session(path) as held:
        planner = editing.Planner(held.catalog)
        if new_topic:
            topic = planner.new_topic(*new_topic)
        for draft in drafts:
            planner.add(planner.row(draft, editing.Options(topic=topic)), draft.origin)
        return held.commit(planner)


def test_commit_only_adds_lines_and_the_catalog_stays_valid(tiny_catalog) -> None:
    before = tiny_catalog.read_bytes()
    drafts = [
        _draft(),
        _draft(arxiv=None, title="On Journals", venue="Journal of Things", venue_kind="journal"),
    ]
    after = _commit(tiny_catalog, drafts, new_topic=("Delta Heading", "alpha/beta"))
    assert after == tiny_catalog.read_bytes()
    added = "".join(added_lines_only(before, after))
    assert added.count("[[paper]]") == 2 and added.count("[[venue]]") == 1
    cat, problems = catalog.check(tiny_catalog)
    assert problems == [] and cat is not None
    # the new topic sits right after its parent's subtree, the venue after the last venue
    assert [t.slug for t in cat.topics] == [
        "alpha",
        "alpha/beta",
        "alpha/beta/delta-heading",
        "gamma",
    ]
    assert cat.venues[-1] == Venue("JT", "Journal of Things", "journal", ())
    assert cat.ids[-2:] == ["lovelace2024brand", "lovelace2024journals"]
    assert cat.paper(len(cat) - 1).topic == "alpha/beta/delta-heading"


def test_commit_keeps_crlf_and_a_missing_final_newline(write_catalog) -> None:
    path = write_catalog(TINY_CATALOG.rstrip("\n").replace("\n", "\r\n").encode())
    before = path.read_bytes()
    after = _commit(path, [_draft()])
    assert after.startswith(before) and b"\n" not in after.replace(b"\r\n", b"")
    assert catalog.check(path)[1] == []


def test_commit_refuses_a_file_it_cannot_lay_out(write_catalog) -> None:
    import re

    # the same catalog with its venues as one inline array: valid, but not ours to lay out
    venues = re.findall(r"\[\[venue\]\]\n((?:\w+ = .*\n)+)", TINY_CATALOG)
    inline = ", ".join("{" + ", ".join(v.strip().splitlines()) + "}" for v in venues)
    text = f"venue = [{inline}]\n" + re.sub(r"\[\[venue\]\]\n(\w+ = .*\n)+", "", TINY_CATALOG)
    path = write_catalog(text)
    before = path.read_bytes()
    assert catalog.check(path)[1] == []
    with pytest.raises(editing.EditError, match="not laid out as one"):
        _commit(path, [_draft()])
    assert path.read_bytes() == before


def test_commit_detects_a_change_made_meanwhile(tiny_catalog) -> None:
    with editing.session(tiny_catalog) as held:
        planner = editing.Planner(held.catalog)
        planner.add(planner.row(_draft(), editing.Options(topic="gamma")), "x")
        tiny_catalog.write_text(TINY_CATALOG + "\n# an edit in another program\n")
        with pytest.raises(FileChanged):
            held.commit(planner)
    assert tiny_catalog.read_text().endswith("# an edit in another program\n")


@pytest.mark.parametrize("which", ["packaged", "source tree", "symlink"])
def test_the_shipped_catalog_is_never_edited(tmp_path, which: str) -> None:
    path = catalog.shipped()
    if which == "packaged":
        path = catalog.PACKAGED
    elif which == "symlink":
        (tmp_path / "link.toml").symlink_to(catalog.shipped())
        path = tmp_path / "link.toml"
    with pytest.raises(editing.EditError, match="litlist init"):
        with editing.session(path):
            pass


def test_cache_is_extended_through_the_search_store(tiny_catalog, monkeypatch) -> None:
    calls = []
    monkeypatch.setattr(catalog, "extend_cache", lambda *a: calls.append(a), raising=False)
    import hashlib

    before = hashlib.sha256(tiny_catalog.read_bytes()).hexdigest()
    after = _commit(tiny_catalog, [_draft()])
    ((where, sha, raw, topics, venues, papers, after_sha),) = calls
    assert (where, sha, raw) == (tiny_catalog, before, after)
    assert after_sha == hashlib.sha256(after).hexdigest()  # handed over, not hashed again
    assert [p.id for p in papers] == ["lovelace2024brand"]
    assert [t.slug for t in topics] == ["alpha", "alpha/beta", "gamma"] and len(venues) == 3


def test_without_papers_keeps_header_topics_and_venues() -> None:
    text = editing.without_papers(TINY_CATALOG)
    assert text.startswith("# a tiny catalog") and "[[paper]]" not in text
    data = tomli.loads(text)
    assert len(data["topic"]) == 3 and len(data["venue"]) == 3


def test_edit_row_round_trip_and_refusals(shipped) -> None:
    planner = editing.Planner(shipped)
    row = planner.row(_draft(), editing.Options(topic="peft"))
    edited = editing.edit_row(row, lambda text: text.replace('topic = "peft"', 'topic = "cot"'))
    assert edited["topic"] == "cot" and edited["title"] == row["title"]
    with pytest.raises(editing.EditError, match="not changed"):
        editing.edit_row(row, lambda text: text)
    with pytest.raises(editing.EditError, match="not changed"):
        editing.edit_row(row, lambda text: None)
    with pytest.raises(editing.EditError, match="empty"):
        editing.edit_row(row, lambda text: "# nothing\n")
    with pytest.raises(editing.EditError, match="not valid TOML"):
        editing.edit_row(row, lambda text: text + "\nbroken = \n")


def test_new_topic_goes_before_the_comment_of_the_next_table(write_catalog) -> None:
    text = TINY_CATALOG.replace(
        '[[topic]]\nslug = "gamma"', '# gamma is about rays\n[[topic]]\nslug = "gamma"'
    )
    path = write_catalog(text)
    after = _commit(path, [_draft()], new_topic=("Delta", "alpha"))
    added = added_lines_only(text.encode(), after)
    assert added == ["\n", "[[topic]]\n", 'slug = "alpha/delta"\n', 'name = "Delta"\n'] + added[4:]
    assert 'name = "Delta"\n\n# gamma is about rays\n[[topic]]\nslug = "gamma"' in after.decode()


def test_fields_the_schema_refuses_are_left_out_with_a_note(shipped) -> None:
    planner = editing.Planner(shipped)
    draft = _draft(pages="12, 14", url="ftp://x", doi="10.1/a b")
    row = planner.row(draft, editing.Options(topic="peft"))
    assert (row["pages"], row["url"], row["doi"]) == (None, None, None)
    assert len(planner.notes) == 3 and "left out pages '12, 14'" in planner.notes[0]
    paper = planner.add(row, draft.origin)
    assert paper.pages is None and paper.title == draft.title


def test_a_new_preprint_server_gets_its_own_venue(shipped) -> None:
    planner = editing.Planner(shipped)
    draft = _draft(venue="bioRxiv", venue_kind="preprint", arxiv=None)
    assert planner.venue(draft) == "bioRxiv"
    assert planner.new_venues == [Venue("bioRxiv", "bioRxiv", "preprint", ())]


def test_a_school_s_theses_and_reports_get_a_venue_each_named_in_words(shipped) -> None:
    """A thesis matches only a venue of its own kind: the same school's report, or the
    conference of a similar name, is another venue; ids read as the name, not initials."""
    planner = editing.Planner(shipped)
    thesis = _draft(arxiv=None, venue="University of Toronto", venue_kind="mastersthesis")
    report = _draft(arxiv=None, venue="University of Toronto", venue_kind="report")
    assert planner.venue(thesis) == "university-of-toronto"
    assert planner.venue(report) == "university-of-toronto-2"
    assert planner.venue(thesis) == "university-of-toronto"  # the second thesis: same venue
    # a report of the ICLR organisers is no ICLR paper
    iclr = _draft(arxiv=None, venue="International Conference on Learning Representations")
    assert planner.venue(dataclasses.replace(iclr, venue_kind="report")) != "ICLR"
    assert planner.venue(iclr) == "ICLR"
    kinds = [v.kind for v in planner.new_venues]
    assert kinds == ["mastersthesis", "report", "report"]


def test_a_web_page_without_its_url_is_refused(shipped) -> None:
    planner = editing.Planner(shipped)
    draft = _draft(arxiv=None, venue="openai.com", venue_kind="web", url=None)
    row = planner.row(draft, editing.Options(topic="peft"))
    assert row["venue"] == "openai.com"
    with pytest.raises(editing.EditError, match="web page .* needs a url"):
        planner.add(row, draft.origin)
    paper = planner.add({**row, "url": "https://openai.com/research/gpt-4"}, draft.origin)
    assert paper.venue == "openai.com"


def test_an_edit_that_makes_a_duplicate_is_refused(shipped) -> None:
    planner = editing.Planner(shipped)
    row = planner.row(_draft(), editing.Options(topic="peft"))
    with pytest.raises(editing.Duplicate, match="already in the catalog as 'dpo'"):
        planner.add({**row, "arxiv": "2305.18290"}, "edited")
    with pytest.raises(editing.Duplicate, match="'lora' \\(same title\\)"):
        planner.add(
            {**row, "other_titles": ["LoRA: Low-Rank Adaptation of Large Language Models"]}, "e"
        )
    assert planner.papers == []


def test_several_new_venues_and_topics_keep_their_order(tiny_catalog) -> None:
    drafts = [
        _draft(arxiv=None, title=f"Paper {n}", venue=f"Journal Number {n}", venue_kind="journal")
        for n in ("One", "Two", "Three")
    ]
    with editing.session(tiny_catalog) as held:
        planner = editing.Planner(held.catalog)
        first = planner.new_topic("First New", "alpha")
        second = planner.new_topic("Second New", "alpha")
        for draft, topic in zip(drafts, [first, second, second], strict=True):
            planner.add(planner.row(draft, editing.Options(topic=topic)), draft.origin)
        held.commit(planner)
        expected_topics = [t.slug for t in planner.topics]
        expected_venues = [v.id for v in planner.venues]
    cat, problems = catalog.check(tiny_catalog)
    assert problems == []
    assert [t.slug for t in cat.topics] == expected_topics
    assert expected_topics == [
        "alpha",
        "alpha/beta",
        "alpha/first-new",
        "alpha/second-new",
        "gamma",
    ]
    assert (
        [v.id for v in cat.venues]
        == expected_venues
        == ["NeurIPS", "arXiv", "ICLR-WS", "JNO", "JNT", "JNT-2"]
    )


def test_a_draft_keeps_month_editors_and_address(tiny_catalog) -> None:
    """What the ACL Anthology's BibTeX says and the catalog can hold is written, and read
    back; an editor list the schema refuses is left out with a note, the paper kept."""
    with editing.session(tiny_catalog) as held:
        planner = editing.Planner(held.catalog)
        draft = _draft(
            month=6, address="Toronto, Canada", editors=["Anna Rogers", "Jordan Boyd-Graber"]
        )
        planner.add(planner.row(draft, editing.Options(topic="gamma")), "x")
        odd = _draft(title="Another Study", arxiv="2401.00002", editors=["--"], month=13)
        planner.add(planner.row(odd, editing.Options(topic="gamma")), "y")
        held.commit(planner)
    cat, problems = catalog.check(tiny_catalog)
    assert problems == [] and cat is not None
    first, second = cat.papers[-2:]
    assert (first.month, first.address) == (6, "Toronto, Canada")
    assert first.editors == ("Anna Rogers", "Jordan Boyd-Graber")
    assert (second.month, second.editors) == (None, ())
    assert [n.split(" (")[0] for n in planner.notes] == [
        "test draft: left out month '13'",
        "test draft: left out editors '['--']'",
    ]


@pytest.mark.parametrize(
    ("options", "words"),
    [
        ({"key": ""}, "--key '': a citation key is letters A-Z a-z"),
        ({"key": "Smith2020Alpha"}, "--key 'Smith2020Alpha' is taken by paper 'alpha-one'"),
        ({"key": "9 lives"}, "a citation key is letters A-Z a-z"),
        ({"key": "smith 2020"}, "a citation key is letters A-Z a-z"),
        ({"key": "smith2020alpha"}, "--key 'smith2020alpha' is taken by paper 'alpha-one'"),
        ({"id": "Alpha"}, "an id is lower-case"),
        ({"id": "a,b"}, "an id is lower-case"),
        ({"id": "beta-two"}, "--id 'beta-two' is taken by paper 'beta-two'"),
    ],
)
def test_check_options_names_the_option_in_words(tiny_catalog, options, words) -> None:
    planner = editing.Planner(catalog.load(tiny_catalog))
    with pytest.raises(editing.EditError, match=re.escape(words)):
        planner.check_options(editing.Options(topic="gamma", **options))
    planner.check_options(editing.Options(topic="gamma", key="new2020key", id="new-id"))
    # a key as BibTeX takes it: JabRef's numeric keys, DBLP's with : and /
    for key in ("1102917", "00000000", "DBLP:conf/nips/X17", "a+b!c?d*e@f;g"):
        planner.check_options(editing.Options(topic="gamma", key=key))


def test_commit_on_a_full_disk_is_an_edit_error_and_changes_nothing(tiny_catalog, monkeypatch):
    import errno

    from litlist import fsutil

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    with editing.session(tiny_catalog) as held:
        planner = editing.Planner(held.catalog)
        planner.add(planner.row(_draft(), editing.Options(topic="gamma")), "x")
        monkeypatch.setattr(fsutil.os, "replace", full)
        monkeypatch.setattr(fsutil, "_exchange", full)  # the rename that checks (renameat2)
        with pytest.raises(editing.EditError, match="No space left on device; nothing written"):
            held.commit(planner)
    monkeypatch.undo()
    assert tiny_catalog.read_text() == TINY_CATALOG
    assert sorted(p.name for p in tiny_catalog.parent.iterdir()) == ["papers.toml"]


def test_titles_that_name_nothing_or_little_are_not_duplicates_on_their_own(shipped) -> None:
    """A title of punctuation only names no paper, and a short one ("Introduction", "Deep
    Learning": a book of 2016 and an article of 2015) is
    shared by different works: the same paper only with the same year."""
    planner = editing.Planner(shipped)
    first = _draft(title="???", arxiv=None)
    planner.add(planner.row(first, editing.Options(topic="peft")), "first")
    assert planner.duplicate(_draft(title="!!!", arxiv=None)) is None
    intro = _draft(title="Introduction", arxiv=None, year=2020)
    planner.add(planner.row(intro, editing.Options(topic="peft")), "intro")
    assert planner.duplicate(_draft(title="Introduction.", arxiv=None, year=2021)) is None
    again = planner.duplicate(_draft(title="introduction", arxiv=None, year=2020))
    assert again is not None and again[1] == "same title"


@pytest.mark.parametrize(
    ("first", "key"),
    [
        ("{Google DeepMind}", "googledeepmind2024gemma"),
        ("{Llama Team, AI @ Meta}", "llamateam2024gemma"),  # up to the comma
        ("{École Polytechnique}", "ecolepolytechnique2024gemma"),
        ("Gemini Team", "team2024gemma"),  # unbraced: read as a person, as before
    ],
)
def test_key_base_of_an_organisation_is_its_whole_name(first: str, key: str) -> None:
    assert editing.key_base([first, "Rohan Anil"], 2024, "Gemma: Open Models") == key


def test_a_new_topic_named_as_a_sibling_is_that_sibling(tiny_catalog) -> None:
    with editing.session(tiny_catalog) as held:
        planner = editing.Planner(held.catalog)
        assert planner.new_topic("beta  HEADING", "alpha") == "alpha/beta"
        assert planner.new_topic("Gamma Studies", None) == "gamma"
        # the same heading under another parent is another topic
        assert planner.new_topic("Beta Heading", "gamma") == "gamma/beta-heading"
        assert [t.slug for t, _ in planner.new_topics] == ["gamma/beta-heading"]


def test_the_shipped_peft_method_heading_is_reused(shipped) -> None:
    planner = editing.Planner(shipped)
    method = next(t for t in shipped.topics if t.slug == "peft/method")
    assert planner.new_topic(method.name.upper(), "peft") == "peft/method"
    assert planner.new_topics == []


@pytest.mark.parametrize(
    ("text", "latin"),
    [
        # official Revised Romanization spellings of words without sound changes
        ("한국", "hanguk"),
        ("서울", "seoul"),
        ("부산 대학교", "busan daehakgyo"),
        ("정보", "jeongbo"),
        ("Aksın", "Aksin"),
        ("Ødegaard Łukasz Straße Æsir Đorđević", "Odegaard Lukasz Strasse AEsir Dordevic"),
    ],
)
def test_romanize(text: str, latin: str) -> None:
    # decomposed (conjoining jamo, combining marks) or not, the same letters, which NFKD
    # then takes apart as any accented letter (ć -> c)
    for form in ("NFC", "NFD"):
        folded = unicodedata.normalize("NFKD", editing.romanize(unicodedata.normalize(form, text)))
        assert "".join(c for c in folded if not unicodedata.combining(c)) == latin


def test_ids_of_non_latin_names_are_ascii_and_readable(shipped) -> None:
    assert editing.key_base(["Aksın, Mehmet"], 2006, "Effect of X") == "aksin2006effect"
    assert editing.key_base(["김철수"], 2023, "대규모 언어 모델") == "gimcheolsu2023daegyumo"
    assert editing.slug("한국 정보") == "hanguk-jeongbo"
    planner = editing.Planner(shipped)
    draft = _draft(arxiv=None, venue="한국정보과학회 논문지", venue_kind="journal")
    venue_id = planner.venue(draft)
    assert venue_id.isascii() and venue_id == "hangukjeongbogwahakhoe-nonmunji"
    assert planner.new_venues[-1].name == "한국정보과학회 논문지"  # the name as written
    # a name in a script with no romanization here still gets an ASCII id
    assert planner.venue(_draft(arxiv=None, venue="情報処理学会論文誌", venue_kind="journal"))
    assert all(v.id.isascii() for v in planner.new_venues)
