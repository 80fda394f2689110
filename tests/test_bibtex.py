"""Papers → BibTeX (bibtex.py): entry types, names, the version cited, LaTeX escaping, title
protection, golden files, and property tests that read every value back — with bibtexparser,
with a LaTeX decoder, and with the real `bibtex` binary."""

from __future__ import annotations

import re
import subprocess
import tempfile
import tomllib
import unicodedata
from pathlib import Path

import bibtexparser
import pytest
from bibtexparser import Library
from bibtexparser.middlewares.names import (
    parse_single_name_into_parts,
    split_multiple_persons_names,
)
from bibtexparser.model import Entry, Field
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db

from conftest import requires_tools
from litlist import bibtex, catalog
from litlist.bibtex import Style, encode, encode_authors, encode_title
from litlist.model import Catalog, Paper, Topic, Venue, organisation

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "papers.toml"
GOLDEN = Path(__file__).parent / "fixtures" / "golden"
SPECIALS = "\\{}&%$#_~^"

needs_bibtex = requires_tools("bibtex")


@pytest.fixture(autouse=True)
def _isolated(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never touch ~/.cache, and always use the shipped catalog."""
    monkeypatch.setenv("LITLIST_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    monkeypatch.delenv("LITLIST_CATALOG", raising=False)


@pytest.fixture(scope="module")
def cat() -> Catalog:
    """The shipped catalog, validated from the file (no cache involved)."""
    loaded, problems = catalog.check(DATA)
    assert not problems and loaded is not None, [p.render() for p in problems]
    return loaded


@pytest.fixture(scope="module")
def raw() -> dict[str, dict]:
    """The shipped catalog's papers as plain TOML tables, by id: the source of truth."""
    with DATA.open("rb") as handle:
        return {p["id"]: p for p in tomllib.load(handle)["paper"]}


def paper(cat: Catalog, paper_id: str) -> Paper:
    return next(p for p in cat.papers if p.id == paper_id)


def parse(text: str) -> Library:
    """bibtexparser's reading of `text`, which must have no failed block."""
    library = bibtexparser.parse_string(text)
    assert library.failed_blocks == [], [b.raw for b in library.failed_blocks]
    return library


def exported(cat: Catalog, paper_id: str, style: Style | None = None) -> Entry:
    """The entry for one paper, as written by the exporter and read back by bibtexparser."""
    library = parse(bibtex.export([paper(cat, paper_id)], cat, style or Style()))
    assert len(library.entries) == 1
    return library.entries[0]


def values(entry: Entry) -> dict[str, str]:
    return {f.key: str(f.value) for f in entry.fields}


def names(entry: Entry) -> list[str]:
    return split_multiple_persons_names(values(entry)["author"])


def split_names(field: str) -> list[str]:
    """The names of an author field, split as BibTeX does: at the word "and" (any case)
    between whitespace at brace depth 0. (bibtexparser's split_multiple_persons_names drops
    the two characters after " and " when the next name starts with a backslash.)"""
    names: list[list[str]] = [[]]
    word, depth = "", 0
    for char in field + " ":
        depth += {"{": 1, "}": -1}.get(char, 0)
        if char in " \t\r\n" and depth == 0:
            if word.lower() == "and" and names[-1]:
                names.append([])
            elif word:
                names[-1].append(word)
            word = ""
        else:
            word += char
    return [" ".join(words) for words in names]


def balanced_for_bibtex(value: str) -> bool:
    """Braces balanced as BibTeX counts them: a backslash does not escape a brace."""
    depth = 0
    for char in value:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


# A LaTeX → text decoder for what `encode` writes: pylatexenc, taught the text-mode symbols
# it does not know (it reads \textbraceleft as nothing and \textasciicircum as U+02C6).
_CONTEXT = get_default_latex_context_db()
_CONTEXT.add_context_category(
    "litlist-symbols",
    prepend=True,
    macros=[
        MacroTextSpec("textbraceleft", "{"),
        MacroTextSpec("textbraceright", "}"),
        MacroTextSpec("textasciicircum", "^"),
        MacroTextSpec("textasciitilde", "~"),
        MacroTextSpec("textbackslash", "\\"),
    ],
)
_DECODER = LatexNodes2Text(latex_context=_CONTEXT)


def decode(latex: str) -> str:
    # pylatexenc does not know \textcommabelow (Romanian Ș): the letter and its mark
    latex = re.sub(r"\\textcommabelow\{(\w)\}", "\\1\u0326", latex)
    return _DECODER.latex_to_text(latex)


def unbraced(value: str) -> str:
    """A field value without the braces that protect it whole (a proceedings' name)."""
    assert value.startswith("{") and value.endswith("}") and balanced_for_bibtex(value[1:-1])
    return value[1:-1]


def same_text(a: str, b: str) -> bool:
    """Equal modulo whitespace (runs, NBSP) and Unicode composition."""

    def norm(s: str) -> str:
        return " ".join(unicodedata.normalize("NFC", s).split())

    return norm(a) == norm(b)


# ---------------------------------------------------------------- entry types


@pytest.mark.parametrize(
    ("paper_id", "key", "kind", "container", "expected"),
    [
        (
            "dpo",
            "rafailov2023direct",
            "inproceedings",
            "booktitle",
            "Advances in Neural Information Processing Systems",
        ),
        (
            "prefix-tuning",
            "li2021prefix",
            "inproceedings",
            "booktitle",
            "Proceedings of the 59th Annual Meeting of the Association for Computational "
            "Linguistics and the 11th International Joint Conference on Natural Language "
            "Processing (Volume 1: Long Papers)",
        ),
        # workshop papers: the workshop's own name, not "ICLR Workshop"
        (
            "peft-empirical",
            "pu2023empirical",
            "inproceedings",
            "booktitle",
            "ICLR 2023 Workshop on Mathematical and Empirical Understanding of Foundation "
            "Models (ME-FoMo)",
        ),
        (
            "bert-attention",
            "clark2019what",
            "inproceedings",
            "booktitle",
            "Proceedings of the 2019 ACL Workshop BlackboxNLP: Analyzing and Interpreting "
            "Neural Networks for NLP",
        ),
        (
            "lost-in-the-middle",
            "liu2024lost",
            "article",
            "journal",
            "Transactions of the Association for Computational Linguistics",
        ),
        ("peft-nmi", "ding2023parameter", "article", "journal", "Nature Machine Intelligence"),
        (
            "lora-learns-less",
            "biderman2024lora",
            "article",
            "journal",
            "Transactions on Machine Learning Research",
        ),
    ],
)
def test_entry_type_and_container(cat, paper_id, key, kind, container, expected):
    entry = exported(cat, paper_id)
    fields = values(entry)
    assert (entry.entry_type, entry.key) == (kind, key)
    written = unbraced(fields[container]) if container == "booktitle" else fields[container]
    assert written == expected
    other = {"booktitle": "journal", "journal": "booktitle"}[container]
    assert other not in fields


def test_journal_article_fields(cat):
    fields = values(exported(cat, "peft-nmi"))
    assert (fields["volume"], fields["number"], fields["pages"]) == ("5", "3", "220--235")
    assert fields["doi"] == "10.1038/s42256-023-00626-4"
    fields = values(exported(cat, "lost-in-the-middle"))
    assert (fields["volume"], fields["pages"], fields["year"]) == ("12", "157--173", "2024")
    assert fields["doi"] == "10.1162/tacl_a_00638"
    assert fields["url"] == "https://aclanthology.org/2024.tacl-1.9"


def test_p_tuning_is_cited_as_its_ai_open_article(cat):
    """The version of record of "GPT Understands, Too": AI Open 5:208-215 (2024)."""
    entry = exported(cat, "p-tuning")
    fields = values(entry)
    assert (entry.entry_type, entry.key, fields["journal"]) == ("article", "liu2021gpt", "AI Open")
    assert (fields["volume"], fields["pages"], fields["year"]) == ("5", "208--215", "2024")
    assert fields["doi"] == "10.1016/j.aiopen.2023.08.012"
    assert exported(cat, "p-tuning", Style(as_listed=True)).entry_type == "misc"


@pytest.mark.parametrize(
    ("paper_id", "eprint", "primary"),
    [
        ("rlhf", "1909.08593", "cs.CL"),
        ("constitutional-ai", "2212.08073", "cs.CL"),
        ("lora-note", "2404.05086", None),
    ],
)
def test_arxiv_preprint_is_misc_with_eprint(cat, paper_id, eprint, primary):
    """Classic BibTeX names the preprint once, in howpublished: with eprint as well, the
    styles that print both (ACM-Reference-Format, elsarticle) printed "arXiv preprint
    arXiv:1909.08593. arXiv:1909.08593 [cs.CL]". biblatex's eprint fields stand alone."""
    entry = exported(cat, paper_id)
    fields = values(entry)
    assert entry.entry_type == "misc"
    assert fields["howpublished"] == f"arXiv preprint arXiv:{eprint}"
    assert not {"eprint", "archivePrefix", "primaryClass"} & fields.keys()
    assert "booktitle" not in fields and "journal" not in fields
    fields = values(exported(cat, paper_id, Style(biblatex=True)))
    assert (fields["eprint"], fields.get("eprintclass")) == (eprint, primary)
    assert "howpublished" not in fields


def test_published_papers_keep_their_arxiv_id(cat):
    fields = values(exported(cat, "dpo"))
    assert (fields["eprint"], fields["archivePrefix"], fields["primaryClass"]) == (
        "2305.18290",
        "arXiv",
        "cs.LG",
    )
    assert fields["pages"] == "53728--53741"  # an en dash for BibTeX
    assert "howpublished" not in fields


def test_biblatex_fields(cat):
    style = Style(biblatex=True)
    fields = values(exported(cat, "peft-nmi", style))
    assert fields["journaltitle"] == "Nature Machine Intelligence" and "journal" not in fields
    fields = values(exported(cat, "rlhf", style))
    assert (fields["eprint"], fields["eprinttype"], fields["eprintclass"]) == (
        "1909.08593",
        "arxiv",
        "cs.CL",
    )
    assert not {"archivePrefix", "primaryClass", "howpublished"} & fields.keys()


def test_summary_posts_are_not_exported(cat):
    summaries = [p for p in cat.papers if not p.citable]
    assert summaries, "the shipped catalog has summary posts"
    assert bibtex.export(summaries, cat) == ""
    with pytest.raises(bibtex.ExportError, match="summary post"):
        bibtex.entry_for(summaries[0], cat)


# A book, two theses, a report and two web pages, as `litlist import` keeps them: the venue
# is who put the work out, its kind what the work is.
DOCUMENT_VENUES = [
    Venue("mit-press", "MIT Press", "book"),
    Venue("stanford", "Stanford University", "phdthesis"),
    Venue("toronto", "University of Toronto", "mastersthesis"),
    Venue("toronto-2", "University of Toronto", "report"),
    Venue("openai.com", "openai.com", "web"),
    Venue("anthropic-news", "Anthropic News", "web"),
]
DOCUMENTS = [
    Paper("book", "paper", "Deep Learning", "t", key="book", authors=("Ian Goodfellow",),
          year=2016, venue="mit-press", address="Cambridge, MA"),
    Paper("phd", "paper", "Connecting Images and Natural Language", "t", key="phd",
          authors=("Andrej Karpathy",), year=2016, venue="stanford"),
    Paper("ms", "paper", "Learning Multiple Layers of Features", "t", key="ms",
          authors=("Alex Krizhevsky",), year=2009, venue="toronto"),
    Paper("tr", "paper", "Preventing Co-Adaptation", "t", key="tr",
          authors=("Geoffrey Hinton",), year=2012, venue="toronto-2", number="TR 2012-001",
          volume="3"),
    Paper("web", "paper", "GPT-4 Technical Report", "t", key="web", authors=("OpenAI",),
          year=2023, venue="openai.com", url="https://openai.com/research/gpt-4",
          urldate="2024-05-01"),
    Paper("blog", "paper", "Introducing Claude", "t", key="blog", authors=("Anthropic",),
          year=2024, venue="anthropic-news", url="https://www.anthropic.com/news/claude"),
]  # fmt: skip


@pytest.fixture(scope="module")
def documents() -> Catalog:
    return Catalog("docs.toml", [Topic("t", "T")], DOCUMENT_VENUES, DOCUMENTS)


@pytest.mark.parametrize(
    ("key", "classic", "biblatex"),
    [
        (
            "book",
            ("book", {"publisher": "MIT Press", "address": "Cambridge, MA"}),
            ("book", {"publisher": "MIT Press", "location": "Cambridge, MA"}),
        ),
        (
            "phd",
            ("phdthesis", {"school": "Stanford University"}),
            ("thesis", {"type": "phdthesis", "institution": "Stanford University"}),
        ),
        (
            "ms",
            ("mastersthesis", {"school": "University of Toronto"}),
            ("thesis", {"type": "mathesis", "institution": "University of Toronto"}),
        ),
        (
            "tr",
            ("techreport", {"institution": "University of Toronto", "number": "TR 2012-001"}),
            ("report", {"type": "techreport", "institution": "University of Toronto"}),
        ),
        (
            "web",
            ("misc", {"howpublished": "\\url{https://openai.com/research/gpt-4}"}),
            ("online", {"url": "https://openai.com/research/gpt-4", "urldate": "2024-05-01"}),
        ),
        (
            "blog",
            ("misc", {"howpublished": "Anthropic News, \\url{https://www.anthropic.com/news/claude}"}),
            ("online", {"organization": "Anthropic News", "url": "https://www.anthropic.com/news/claude"}),
        ),
    ],
)  # fmt: skip
def test_works_outside_proceedings_keep_their_type(documents, key, classic, biblatex):
    """A book, thesis, report or web page is written as what it is, with who put it out."""
    for style, (kind, fields) in ((Style(), classic), (Style(biblatex=True), biblatex)):
        entry = exported(documents, key, style)
        assert entry.entry_type == kind
        assert fields.items() <= values(entry).items(), values(entry)


def test_works_outside_proceedings_carry_no_field_their_type_lacks(documents):
    """A report has no volume and a web page no publisher; a classic web page names its
    address once (howpublished), not again in url; only a web page has a urldate."""
    classic = {e.key: values(e) for e in parse(bibtex.export(DOCUMENTS, documents)).entries}
    assert "volume" not in classic["tr"] and "url" not in classic["web"]
    assert "urldate" not in classic["web"]  # classic BibTeX has no such field
    # "openai.com" alone would only repeat the address
    assert classic["web"]["howpublished"].count("openai.com") == 1
    latex = bibtex.export(DOCUMENTS, documents, Style(biblatex=True))
    modern = {e.key: values(e) for e in parse(latex).entries}
    assert "organization" not in modern["web"] and "volume" not in modern["tr"]
    assert [k for k, v in modern.items() if "urldate" in v] == ["web"]


def test_a_web_page_with_an_arxiv_id_is_cited_as_the_preprint(documents):
    page = Paper("pre", "paper", "A Page", "t", key="pre", authors=("Ann Lee",), year=2023,
                 venue="openai.com", url="https://openai.com/x", arxiv="2303.08774")  # fmt: skip
    text = bibtex.export([page], documents)
    entry = parse(text).entries[0]
    assert entry.entry_type == "misc"
    assert values(entry)["howpublished"] == "arXiv preprint arXiv:2303.08774"
    assert values(entry)["url"] == "https://openai.com/x"


def test_a_web_page_address_with_percent_or_hash_goes_in_the_url_field(documents):
    """\\url cannot read % or # inside another command's argument (ACM-Reference-Format
    wraps howpublished in one): such an address is written where styles print it alone."""
    url = "https://en.wikipedia.org/wiki/Attention_%28ml%29#Overview"
    page = Paper("wiki", "paper", "Attention", "t", key="wiki", authors=("Ann Lee",),
                 year=2024, venue="anthropic-news", url=url)  # fmt: skip
    fields = values(parse(bibtex.export([page], documents)).entries[0])
    assert (fields["howpublished"], fields["url"]) == ("Anthropic News", url)


def test_a_web_page_address_that_would_break_the_file_is_refused(documents):
    page = Paper("bad", "paper", "A Page", "t", key="bad", authors=("Ann Lee",), year=2023,
                 venue="openai.com", url="https://openai.com/}x")  # fmt: skip
    with pytest.raises(bibtex.ExportError, match="field 'url'"):
        bibtex.export([page], documents)


# ---------------------------------------------------------------- authors


def _family_given(author: str) -> tuple[str, str]:
    """How the catalog's author string splits: 'Family, Given' or 'Given ... Family'."""
    if "," in author:
        family, given = author.split(",", 1)
        return family.strip(), given.strip()
    *given, family = author.split()
    return family, " ".join(given)


@pytest.mark.parametrize(
    ("paper_id", "first", "last", "inside"),
    [
        ("dpo", "Rafailov, Rafael", "Finn, Chelsea", "Manning, Christopher D."),
        ("constitutional-ai", "Bai, Yuntao", "Kaplan, Jared", "El Showk, Sheer"),
        ("lora-learns-less", "Biderman, Dan", "Cunningham, John P.", "Gonzalez Ortiz, Jose Javier"),
        ("adapter", "Houlsby, Neil", "Gelly, Sylvain", "de Laroussilhe, Quentin"),
        ("act", "Yu, Zhongzhi", "Lin, Yingyan Celine", "Shaikh, Khalid"),
        ("prefix-tuning", "Li, Xiang Lisa", "Liang, Percy", None),
        ("spectral-filters", "Cancedda, Nicola", "Cancedda, Nicola", None),
    ],
)
def test_authors_family_comma_given(cat, raw, paper_id, first, last, inside):
    written = names(exported(cat, paper_id))
    assert len(written) == len(raw[paper_id]["authors"])
    assert (written[0], written[-1]) == (first, last)
    if inside:
        assert inside in written


@pytest.mark.parametrize(
    ("paper_id", "name", "von", "family", "given"),
    [
        (
            "lora-learns-less",
            "Gonzalez Ortiz, Jose Javier",
            [],
            ["Gonzalez", "Ortiz"],
            ["Jose", "Javier"],
        ),
        ("constitutional-ai", "El Showk, Sheer", [], ["El", "Showk"], ["Sheer"]),
        ("adapter", "de Laroussilhe, Quentin", ["de"], ["Laroussilhe"], ["Quentin"]),
    ],
)
def test_multi_word_family_names_stay_whole(cat, paper_id, name, von, family, given):
    """BibTeX's own split of the name: the whole family name, not its last word."""
    assert name in names(exported(cat, paper_id))
    parts = parse_single_name_into_parts(name)
    assert (parts.von, parts.last, parts.first) == (von, family, given)


def test_every_author_of_every_paper_matches_the_catalog(cat, raw):
    """For each citable paper: as many names as the version cited has authors, and each
    name's family and given parts (decoded from LaTeX) are the catalog's."""
    checked = 0
    for p in cat.papers:
        if not p.citable:
            continue
        source = raw[p.id]
        expected = (source.get("published") or {}).get("authors") or source["authors"]
        written = names(exported(cat, p.id))
        assert len(written) == len(expected), p.id
        for name, author in zip(written, expected, strict=True):
            parts = parse_single_name_into_parts(name)
            family, given = _family_given(author)
            assert decode(" ".join(parts.von + parts.last)) == family, (p.id, name)
            assert decode(" ".join(parts.first)) == given, (p.id, name)
            checked += 1
    assert checked > 300


def test_proceedings_give_editors_address_and_month_as_the_anthology_does(cat):
    text = bibtex.export([paper(cat, "prefix-tuning")], cat)
    # the month is BibTeX's macro, unbraced, so that every style prints it in its own way
    assert "\tmonth = aug,\n" in text
    fields = values(parse(text).entries[0])
    assert fields["address"] == "Online"
    assert split_multiple_persons_names(fields["editor"]) == [
        "Zong, Chengqing",
        "Xia, Fei",
        "Li, Wenjie",
        "Navigli, Roberto",
    ]
    biblatex = values(exported(cat, "prefix-tuning", Style(biblatex=True)))
    assert biblatex["date"] == "2021-08" and biblatex["location"] == "Online"
    assert "month" not in biblatex and "address" not in biblatex


def test_a_workshop_the_catalog_cannot_name_is_cited_as_the_preprint(cat):
    # lad2024remarkable: the list says "ICML Workshop" and names none
    entry = exported(cat, "stages-of-inference")
    fields = values(entry)
    assert entry.entry_type == "misc" and "booktitle" not in fields
    assert fields["howpublished"] == "arXiv preprint arXiv:2406.19384"
    # a named workshop stays a workshop paper
    named = exported(cat, "peft-empirical")
    assert named.entry_type == "inproceedings"
    assert unbraced(values(named)["booktitle"]).startswith("ICLR 2023 Workshop on Mathematical")


def test_readme_primary_class_claim_matches_the_catalog(cat):
    """README says how many of the papers with an arXiv id carry primaryClass; it is so."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    claim = re.search(
        r"`primaryClass` where arXiv's classification was confirmed \((\d+) of (\d+):", readme
    )
    assert claim is not None
    with_id = [p for p in cat.papers if p.citable and p.arxiv]
    with_class = [p for p in with_id if p.arxiv_class]
    assert (int(claim.group(1)), int(claim.group(2))) == (len(with_class), len(with_id))
    text = bibtex.export(with_id, cat, Style(biblatex=True))
    assert text.count("eprintclass = ") == len(with_class)


def test_a_journal_article_has_no_publisher_editor_or_address(cat):
    fields = values(exported(cat, "lost-in-the-middle"))
    assert fields["journal"] == "Transactions of the Association for Computational Linguistics"
    assert not {"publisher", "editor", "address"} & fields.keys()


# ---------------------------------------------------------------- version of record


def test_version_of_record_is_the_default(cat, raw):
    entry = exported(cat, "adainfer")
    fields = values(entry)
    assert (entry.entry_type, entry.key) == ("inproceedings", "fan2024not")
    assert unbraced(fields["booktitle"]) == (
        "Proceedings of the Thirty-Fourth International Joint Conference on Artificial Intelligence"
    )
    assert (fields["year"], fields["pages"]) == ("2025", "5083--5091")
    assert fields["doi"] == "10.24963/ijcai.2025/566"
    assert fields["url"] == "https://www.ijcai.org/proceedings/2025/566"
    written = names(entry)
    assert len(written) == 8 == len(raw["adainfer"]["published"]["authors"])
    assert (written[0], written[-1]) == ("Fan, Siqi", "Wang, Yequan")
    assert "Wang, Zhongyuan" not in written  # on the arXiv version only
    assert fields["eprint"] == "2403.02181"  # still findable on arXiv


def test_as_listed_cites_the_lists_version(cat):
    entry = exported(cat, "adainfer", Style(as_listed=True))
    fields = values(entry)
    assert entry.entry_type == "misc"
    assert fields["year"] == "2024" and fields["howpublished"] == "arXiv preprint arXiv:2403.02181"
    assert "booktitle" not in fields and "doi" not in fields
    written = names(entry)
    assert len(written) == 9 and written[-1] == "Wang, Zhongyuan"


def test_lora_learns_less_is_a_tmlr_article_unless_as_listed(cat):
    fields = values(exported(cat, "lora-learns-less"))
    assert fields["journal"] == "Transactions on Machine Learning Research"
    assert fields["url"] == "https://openreview.net/forum?id=aloEru2qCG"
    listed = exported(cat, "lora-learns-less", Style(as_listed=True))
    assert listed.entry_type == "misc" and "journal" not in values(listed)
    assert values(listed)["url"] == "https://arxiv.org/abs/2405.09673"


def test_version_of_record_title_is_used(cat):
    assert values(exported(cat, "rlaif"))["title"].startswith("{RLAIF} vs. {RLHF}: Scaling")
    listed = values(exported(cat, "rlaif", Style(as_listed=True)))
    assert listed["title"].startswith("{RLAIF}: Scaling") and listed["year"] == "2023"


# ---------------------------------------------------------------- escaping


@pytest.mark.parametrize(
    ("char", "latex"),
    [
        ("&", r"\&"),
        ("%", r"\%"),
        ("$", r"\$"),
        ("#", r"\#"),
        ("_", r"\_"),
        ("{", r"\textbraceleft{}"),
        ("}", r"\textbraceright{}"),
        ("~", r"\textasciitilde{}"),
        ("^", r"\textasciicircum{}"),
        ("\\", r"\textbackslash{}"),
    ],
)
def test_special_characters_are_escaped(char, latex):
    for ascii_accents in (True, False):
        assert encode(f"a{char}b", ascii_accents=ascii_accents) == f"a{latex}b"
        assert encode_title(f"a{char}b", ascii_accents=ascii_accents) == f"a{latex}b"
    assert decode(encode(f"a{char}b")) == f"a{char}b"


def test_a_paper_full_of_specials_exports_valid_bibtex(cat):
    base = paper(cat, "rlhf")
    nasty = Paper(
        id="nasty",
        kind="paper",
        key="nasty2024",
        topic=base.topic,
        year=2024,
        venue="arXiv",
        arxiv="2401.00001",
        arxiv_class="cs.CL",
        title="100% of $5 & #1 with a_b {unbalanced ~ ^ \\ back",
        authors=("Jo{hn Sm}ith", "Ann & Co, Bob_by", "Tom and Jerry"),
    )
    fields = values(parse(bibtex.export([nasty], cat)).entries[0])
    for name in ("title", "author"):
        assert balanced_for_bibtex(fields[name]), fields[name]
        stripped = re.sub(
            r"\\(textbraceleft|textbraceright|textasciitilde|textasciicircum|"
            r"textbackslash)\{\}|\\[&%$#_]",
            "",
            fields[name],
        )
        # every special is escaped; the braces left are the protection groups we added
        assert not set(stripped) & set("&%$#_~^\\"), fields[name]
    assert same_text(decode(fields["title"]), nasty.title)
    assert split_multiple_persons_names(fields["author"]) == [
        r"Sm\textbraceright{}ith, Jo\textbraceleft{}hn",
        r"Ann \& Co, Bob\_by",
        "Jerry, Tom {and}",
    ]


def test_author_named_and_is_not_split():
    written = encode_authors(["Tom and Jerry", "Procter And, Gamble", "others"])
    assert split_multiple_persons_names(written) == [
        "Jerry, Tom {and}",
        "Procter {And}, Gamble",
        "{others}",
    ]


@pytest.mark.parametrize("team", ["Gemini Team", "Mistral AI", "BigScience Workshop"])
def test_a_team_or_organisation_author_is_one_name(team):
    """Read as a person, "Gemini Team" printed as "G. Team" (abbrv) and "Team, G." (apalike)."""
    encoded = encode_authors([team, "Rohan Anil"])
    written = split_multiple_persons_names(encoded)
    assert written == ["{" + team + "}", "Anil, Rohan"]
    parts = parse_single_name_into_parts(written[0])
    assert (parts.first, parts.von, parts.last) == ([], [], ["{" + team + "}"])
    # a person whose family name only looks like a word stays a person
    assert encode_authors(["Ai, Lin", "Tom Lab Smith"]) == "Ai, Lin and Smith, Tom Lab"


@pytest.mark.parametrize(
    ("author", "classic", "utf8"),
    [
        ("{Google DeepMind}", "{Google DeepMind}", "{Google DeepMind}"),
        ("{Llama Team, AI @ Meta}", "{Llama Team, AI @ Meta}", "{Llama Team, AI @ Meta}"),
        ("{École Polytechnique}", "{{\\'E}cole Polytechnique}", "{École Polytechnique}"),
        ("{AT&T Labs and  Friends}", "{AT\\&T Labs and Friends}", "{AT\\&T Labs and Friends}"),
        ("{α Lab}", "{{\\ensuremath{\\alpha}} Lab}", "{{\\ensuremath{\\alpha}} Lab}"),
    ],
)
def test_an_organisation_braced_in_the_catalog_is_one_name(author, classic, utf8):
    """ "{Google DeepMind}" was written "DeepMind, Google" and printed "G. DeepMind"; braced
    whole, no style splits it, its "and" splits nothing and its accents are still encoded."""
    assert encode_authors([author, "Teven Le Scao"]) == classic + " and Scao, Teven Le"
    assert encode_authors([author], ascii_accents=False) == utf8
    written = split_multiple_persons_names(encode_authors([author, "Rohan Anil"]))
    assert len(written) == 2 and written[0] == classic
    parts = parse_single_name_into_parts(written[0])
    assert (parts.first, parts.von, parts.jr) == ([], [], [])


# ---------------------------------------------------------------- non-ASCII


@pytest.mark.parametrize(
    ("paper_id", "classic", "utf8"),
    [
        ("transformers-need-glasses", r"Veli{\v{c}}kovi{\'c}, Petar", "Veličković, Petar"),
        ("transformers-need-glasses", r"Ara{\'u}jo, Jo{\~a}o Madeira", "Araújo, João Madeira"),
    ],
)
def test_non_ascii_names(cat, paper_id, classic, utf8):
    classic_authors = values(exported(cat, paper_id))["author"]
    assert classic in split_multiple_persons_names(classic_authors)
    assert classic_authors.isascii()
    assert decode(classic) == utf8
    utf8_authors = values(exported(cat, paper_id, Style(biblatex=True)))["author"]
    assert utf8 in split_multiple_persons_names(utf8_authors)


def test_whole_classic_export_is_ascii(cat):
    assert bibtex.export(cat.papers, cat).isascii()
    assert not bibtex.export(cat.papers, cat, Style(biblatex=True)).isascii()


@pytest.mark.parametrize(
    ("text", "latex"),
    [
        ("Szűcs", r"Sz{\H{u}}cs"),
        ("ŰBER", r"{\H{U}}BER"),
        ("Erdős", r"Erd{\H{o}}s"),
        ("Müller", r"M{\"u}ller"),
        ("Wróbel", r"Wr{\'o}bel"),
        ("Łukasz", r"{\L}ukasz"),
        ("Straße", r"Stra{\ss}e"),
        ("e\u0301", r"{\'e}"),
        # two accents on one letter, which pylatexenc leaves as UTF-8 and pdflatex stops on
        ("Nguyễn", r"Nguy{\~{\^{e}}}n"),
        ("Đặng", r"{\DJ}{\u{\d{a}}}ng"),
        ("Phạm", r"Ph{\d{a}}m"),
        ("Ștefan", r"{\textcommabelow{S}}tefan"),
    ],
)
def test_accents_as_latex(text, latex):
    assert encode(text) == latex
    assert same_text(decode(latex), text)
    assert encode(text, ascii_accents=False) == text


@pytest.mark.parametrize(
    ("text", "latex"),
    [("Trường", r"Tru{\`{o}}ng"), ("Thủy", "Thuy"), ("Dương", "Duong"), ("김철수", "김철수")],
)
def test_a_mark_latex_cannot_typeset_is_left_off(text, latex):
    """OT1 and T1 have no horn (ư, ơ) and no hook above (ủ): only the mark is left off, so
    the name still compiles with pdflatex. Hangul has no LaTeX form at all: kept as it is."""
    assert encode(text) == latex


# ---------------------------------------------------------------- titles


@pytest.mark.parametrize(
    ("paper_id", "title"),
    [
        ("lora", "{LoRA}: Low-Rank Adaptation of Large Language Models"),
        ("adapter", "Parameter-Efficient Transfer Learning for {NLP}"),
        ("p-tuning", "{GPT} Understands, Too"),
        (
            "llama-adapter",
            "{LLaMA-Adapter}: Efficient Fine-tuning of Large Language Models "
            "with Zero-initialized Attention",
        ),
        ("dpo-vs-ppo", "Is {DPO} Superior to {PPO} for {LLM} Alignment? {A} Comprehensive Study"),
        ("bert-attention", "What Does {BERT} Look At? {An} Analysis of {BERT's} Attention"),
        (
            "dola",
            "{DoLa}: Decoding by Contrasting Layers Improves Factuality in Large Language Models",
        ),
        ("peft-nmi", "Parameter-efficient fine-tuning of large-scale pre-trained language models"),
        ("cot", "Chain-of-Thought Prompting Elicits Reasoning in Large Language Models"),
    ],
)
def test_title_words_with_inner_capitals_are_braced(cat, paper_id, title):
    assert values(exported(cat, paper_id))["title"] == title


@pytest.mark.parametrize(
    ("title", "latex"),
    [
        ("GPT-3 and GPT-4o", "{GPT-3} and {GPT-4o}"),
        # a hyphenated name is braced whole: "{LLaMA}-Adapter" prints "LLaMA-adapter"
        ("LLaMA-Adapter and LLM-Adapters", "{LLaMA-Adapter} and {LLM-Adapters}"),
        ("P-Tuning v2: Prompt Tuning", "{P-Tuning} v2: Prompt Tuning"),
        ("Zero-Shot Chain-of-Thought", "Zero-Shot Chain-of-Thought"),
        (
            "Training LLaMA with DPO, PPO (and NLP)",
            "Training {LLaMA} with {DPO}, {PPO} (and {NLP})",
        ),
        (
            '"BERT" and “T5” rediscover',
            r'"{BERT}" and {\textquotedblleft}{T5}{\textquotedblright} rediscover',
        ),
        # one capital among digits or symbols: lower-cased, T5 would read t5
        ("T5, C#, C++ in 3D", r"{T5}, {C\#}, {C++} in {3D}"),
        ("Attention Is All You Need", "Attention Is All You Need"),
        ("ÉCOLE of Veličković", r"{{\'E}COLE} of Veli{\v{c}}kovi{\'c}"),
        # a braced word that starts with a backslash would be a BibTeX "special character",
        # whose letters styles still lower-case: it needs a second brace level
        ("$GPT and \\LoRA", r"{{\$GPT}} and {{\textbackslash{}LoRA}}"),
    ],
)
def test_encode_title(title, latex):
    assert encode_title(title) == latex
    assert same_text(decode(latex), title)


@pytest.mark.parametrize(
    ("title", "latex"),
    [
        # arXiv's math stays math, braced against case changes (escaped it printed "$k$")
        ("$k$-NN in $O(n \\log n)$ Time", r"{$k$}{-NN} in {$O(n \log n)$} Time"),
        ("LoRA: $\\mathcal{O}(1)$ Memory", r"{LoRA}: {$\mathcal{O}(1)$} Memory"),
        ("A $50\\%$ or $x%y$ Gain", r"{A} {$50\%$} or {$x\%y$} Gain"),
        # no formula: a space inside a $, or braces BibTeX would not balance
        ("From $5 to $10", r"From \$5 to \$10"),
        ("Odd $}{$ Math", r"Odd \$\textbraceright{}\textbraceleft{}\$ Math"),
    ],
)
def test_math_in_a_title_is_written_as_math(title, latex):
    assert encode_title(title) == latex
    assert balanced_for_bibtex(latex)


# ---------------------------------------------------------------- golden files and parse-back


GOLDEN_SETS = {
    "classic.bib": (
        [
            "rlhf",
            "dpo",
            "adapter",
            "peft-nmi",
            "lost-in-the-middle",
            "peft-empirical",
            "bert-attention",
            "adainfer",
            "transformers-need-glasses",
        ],
        Style(),
    ),
    "biblatex.bib": (
        ["rlhf", "adapter", "peft-nmi", "transformers-need-glasses"],
        Style(biblatex=True),
    ),
}


@pytest.mark.parametrize("name", sorted(GOLDEN_SETS))
def test_golden_bib(cat, name):
    """Byte for byte what was reviewed by hand; a change here must be deliberate (update the
    file with the new output after reading the diff)."""
    ids, style = GOLDEN_SETS[name]
    text = bibtex.export([paper(cat, i) for i in ids], cat, style)
    assert text == (GOLDEN / name).read_text(encoding="utf-8")


@pytest.mark.parametrize("style", [Style(), Style(biblatex=True), Style(as_listed=True)], ids=str)
def test_whole_catalog_parses_back(cat, style):
    text = bibtex.export(cat.papers, cat, style)
    library = parse(text)
    expected = [p.key for p in cat.papers if p.citable]
    assert [e.key for e in library.entries] == expected
    assert len(expected) == 44
    for entry in library.entries:
        fields = values(entry)
        year = "date" if style.biblatex else "year"  # biblatex's own field, as --help says
        assert {"title", "author", year, "url"} <= fields.keys(), entry.key
        for value in fields.values():
            assert balanced_for_bibtex(value), (entry.key, value)


# ---------------------------------------------------------------- property tests

# TeX ligatures: `--` is an en dash and `''` a closing quote in LaTeX (the export leaves them
# to mean that), so text containing them does not decode to itself.
LIGATURES = ("--", "''", "``", "?`", "!`")
# Characters pylatexenc can only approximate in LaTeX (Ħ as H with a macron, Greek capitals
# as Latin letters, ŉ as \nument): kept out of the round trip, reported separately.
APPROXIMATED = set("·ĦħĸĿŀŉŦŧ")
# Letters pylatexenc has no LaTeX for, with a mark OT1 and T1 have no accent for either (Ȁ's
# double grave, ơ's horn): the export leaves that mark off (tested on its own below).
APPROXIMATED |= {
    chr(c)
    for c in range(0xA1, 0x250)
    if not chr(c).isascii()
    and encode(chr(c)).isascii()
    and any(
        unicodedata.combining(m) and m not in bibtex._MARKS
        for m in unicodedata.normalize("NFD", chr(c))
    )
}
LATIN = "".join(
    chr(c) for c in range(0xA1, 0x250) if chr(c) not in APPROXIMATED and chr(c).isprintable()
)

letters = st.one_of(
    st.characters(min_codepoint=0x21, max_codepoint=0x7E),  # printable ASCII, specials included
    st.sampled_from(SPECIALS),
    st.sampled_from(LATIN),
    st.sampled_from(["e\u0301", "o\u0308", "–", "—", "‘", "’", "“", "”", "…", "α", "ж"]),
    st.characters(min_codepoint=0x4E00, max_codepoint=0x4FFF),  # CJK ideographs
    st.characters(min_codepoint=0xAC00, max_codepoint=0xACFF),  # Hangul syllables
)
word = st.lists(letters, min_size=1, max_size=8).map("".join)
text = st.lists(st.one_of(letters, st.sampled_from([" ", "  ", "\t"])), max_size=40).map("".join)
name_word = word.filter(lambda w: "," not in w) | st.sampled_from(["and", "AND", "others", "de"])


@st.composite
def author(draw) -> tuple[str, str, str]:
    """(catalog string, expected family, expected given) in either form the catalog uses."""
    given = draw(st.lists(name_word, max_size=3))
    if draw(st.booleans()) and given:
        family = draw(st.lists(name_word, min_size=1, max_size=3))
        return f"{' '.join(family)}, {' '.join(given)}", " ".join(family), " ".join(given)
    family = draw(name_word)
    # written in full, the given names end before the first particle ("van", "de") after
    # the first word: from there on it is the family name, as BibTeX reads it
    cut = next((i for i in range(1, len(given)) if bibtex._is_particle(given[i])), len(given))
    full = " ".join([*given, family])
    return full, " ".join([*given[cut:], family]), " ".join(given[:cut])


def _no_ligature(value: str) -> bool:
    return not any(lig in value for lig in LIGATURES)


def _round_trip(field: str, value: str) -> str:
    """`value` written by bibtexparser's writer as a field, then parsed back."""
    library = Library([Entry("misc", "k", [Field(field, value)])])
    back = parse(bibtexparser.write_string(library))
    assert [e.key for e in back.entries] == ["k"]
    return str(back.entries[0].fields_dict[field].value)


PROPERTY = settings(max_examples=200, deadline=None)


@PROPERTY
@given(value=text.filter(_no_ligature), ascii_accents=st.booleans())
def test_property_encode_round_trips(value, ascii_accents):
    encoded = encode(value, ascii_accents=ascii_accents)
    assert balanced_for_bibtex(encoded)
    if ascii_accents:  # accented letters (Latin-1, Latin Extended-A) become LaTeX accents
        assert not [c for c in encoded if "\u00c0" <= c <= "\u017e" and c.isalpha()]
    back = _round_trip("note", encoded)
    assert back == encoded
    assert same_text(decode(back), value)


@PROPERTY
@given(value=text.filter(_no_ligature), ascii_accents=st.booleans())
def test_property_encode_title_round_trips(value, ascii_accents):
    assume(not bibtex._MATH.search(value))  # math is written as math, not as text
    encoded = encode_title(value, ascii_accents=ascii_accents)
    assert balanced_for_bibtex(encoded)
    back = _round_trip("title", encoded)
    assert same_text(decode(back), value)


@PROPERTY
@given(authors=st.lists(author(), min_size=1, max_size=4), ascii_accents=st.booleans())
def test_property_encode_authors_round_trips(authors, ascii_accents):
    assume(all(_no_ligature(a) for a, _, _ in authors))
    # a team ("X AI") is one name and a suffix ("X Y II") BibTeX's Jr part: tested above
    assume(not any(bibtex.looks_like_organisation(a) for a, _, _ in authors))
    assume(not any(organisation(a) is not None for a, _, _ in authors))  # "{x}": below
    assume(
        not any(bibtex._SUFFIX.fullmatch(w.strip()) for a, _, _ in authors for w in a.split(","))
    )
    assume(not any(bibtex._SUFFIX.fullmatch(a.split()[-1]) for a, _, _ in authors if a.split()))
    encoded = encode_authors([a for a, _, _ in authors], ascii_accents=ascii_accents)
    assert balanced_for_bibtex(encoded)
    back = _round_trip("author", encoded)
    written = split_names(back)
    assert len(written) == len(authors), (written, authors)
    for name, (_, family, given_names) in zip(written, authors, strict=True):
        parts = parse_single_name_into_parts(name)
        assert not parts.jr
        assert same_text(decode(" ".join(parts.von + parts.last)), family), (name, family)
        expected = _abbreviable(given_names)
        assert same_text(decode(" ".join(parts.first)), expected), (name, given_names)


org_name = text.filter(lambda t: "{" not in t and "}" not in t and any(c.isalpha() for c in t))


@PROPERTY
@given(names=st.lists(org_name, min_size=1, max_size=3), ascii_accents=st.booleans())
def test_property_an_organisation_round_trips_as_one_name(names, ascii_accents):
    """Whatever an organisation's name holds ("and", specials, accents, scripts), BibTeX
    reads it back as one name with no given part: nothing to abbreviate."""
    assume(all(_no_ligature(n) for n in names))
    authors = ["{" + n + "}" for n in names] + ["Rohan Anil"]
    encoded = encode_authors(authors, ascii_accents=ascii_accents)
    assert balanced_for_bibtex(encoded)
    written = split_names(_round_trip("author", encoded))
    assert len(written) == len(authors), (written, authors)
    for name, org in zip(written, names, strict=False):
        parts = parse_single_name_into_parts(name)
        assert (parts.first, parts.von, parts.jr, len(parts.last)) == ([], [], [], 1), name
        assert same_text(decode(parts.last[0]), org), (name, org)


@pytest.mark.parametrize(
    ("name", "written"),
    [
        ("João G.M. Araújo", "Araújo, João G. M."),  # abbrvnat printed "J. G. Araújo"
        ("Yingyan (Celine) Lin", "Lin, Yingyan Celine"),  # biber made the initial "(."
        ("Edward J. Hu", "Hu, Edward J."),
        ("de Laroussilhe, Quentin", "de Laroussilhe, Quentin"),
        # a suffix, written any way sources write it ("Jr., Guy L. Steele" before)
        ("Guy L. Steele Jr.", "Steele, Jr., Guy L."),
        ("Guy L. Steele, Jr.", "Steele, Jr., Guy L."),
        ("King, Jr., Martin Luther", "King, Jr., Martin Luther"),
        ("Hal Daumé III", "Daumé, III, Hal"),
        # particles with the family name ("Beethoven, Ludwig van" printed "L. v. Beethoven")
        ("Ludwig van Beethoven", "van Beethoven, Ludwig"),
        ("Jean de la Fontaine", "de la Fontaine, Jean"),
        ("bell hooks", "hooks, bell"),
        ("Juan de la Cruz Pérez", "de la Cruz Pérez, Juan"),
        ("Tom and Jerry", "Jerry, Tom and"),
        ("Sang-goo Lee", "Lee, Sang-goo"),
    ],
)
def test_names_are_written_so_every_style_can_abbreviate_them(name, written):
    assert bibtex.bibtex_name(name) == written
    parts = parse_single_name_into_parts(written)
    family = " ".join(parts.von + parts.last)
    assert family == written.split(",")[0] and not parts.first[-1:] == ["van"]


def _abbreviable(given: str) -> str:
    """Given names as the export writes them so that styles can abbreviate them: without
    parentheses, and with an initial's period never glued to the next letter."""
    given = given.replace("(", " ").replace(")", " ")
    return re.sub(r"(\w\.)(?=\w)", r"\1 ", given)


def _run_bibtex(folder: Path, bib: str, keys: list[str], style: str = "plain") -> str:
    """Run the real bibtex on `bib` citing everything; return the .bbl after checking the log."""
    (folder / "refs.bib").write_text(bib, encoding="utf-8")
    (folder / "doc.aux").write_text(
        "\\relax\n\\citation{*}\n\\bibdata{refs}\n\\bibstyle{" + style + "}\n", encoding="utf-8"
    )
    run = subprocess.run(["bibtex", "doc"], cwd=folder, capture_output=True, text=True, timeout=60)
    log = (folder / "doc.blg").read_text(encoding="utf-8", errors="replace")
    assert run.returncode == 0, log
    assert "error" not in log.lower(), log
    assert "Warning--" not in log, log
    bbl = (folder / "doc.bbl").read_text(encoding="utf-8", errors="replace")
    assert sorted(re.findall(r"\\bibitem\{([^}]*)\}", bbl)) == sorted(keys), bbl
    return bbl


@needs_bibtex
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    records=st.lists(
        st.tuples(text, st.lists(author(), min_size=1, max_size=3), text), min_size=1, max_size=4
    ),
    ascii_accents=st.booleans(),
)
def test_property_bibtex_accepts_encoded_entries(records, ascii_accents):
    library = Library()
    keys = []
    for n, (title, authors, note) in enumerate(records):
        key = f"k{n}"
        keys.append(key)
        library.add(
            Entry(
                "misc",
                key,
                [
                    Field("title", encode_title(title, ascii_accents=ascii_accents)),
                    Field(
                        "author",
                        encode_authors([a for a, _, _ in authors], ascii_accents=ascii_accents),
                    ),
                    Field("note", encode(note, ascii_accents=ascii_accents)),
                    Field("year", "2024"),
                ],
            )
        )
    with tempfile.TemporaryDirectory() as folder:
        _run_bibtex(Path(folder), bibtexparser.write_string(library), keys)


NASTY_TITLES = [
    "a { b",
    "b } a",
    "} {",
    "{LoRA}} x",
    "trailing \\",
    "100% of $5 & #1 _x_ ~ ^",
    "$GPT and C# for LoRA",
    "Making LoRA Work",
    "한국어 제목 and 中文",
    "Veličković's ŰBER Études",
]


@needs_bibtex
def test_bibtex_accepts_unbalanced_braces_and_keeps_protected_case(tmp_path):
    """Regression: `\\{` counts as a brace for BibTeX, so an unbalanced one broke the file."""
    library = Library()
    for n, title in enumerate(NASTY_TITLES):
        library.add(
            Entry(
                "misc",
                f"t{n}",
                [
                    Field("title", encode_title(title)),
                    Field("author", encode_authors(["Jo{hn Sm}ith", "Tom and Jerry"])),
                    Field("year", "2024"),
                ],
            )
        )
    bbl = _run_bibtex(
        tmp_path, bibtexparser.write_string(library), [f"t{n}" for n in range(len(NASTY_TITLES))]
    )
    # plain lower-cases titles: protected words keep their case, the rest do not
    assert "Making {LoRA} work" in bbl
    assert r"{{\$GPT}} and {C\#} for {LoRA}" in bbl
    assert r"Veli{\v{c}}kovi{\'c}'s {{\H{U}}BER} {\'e}tudes" in bbl


# ---------------------------------------------------------------- hostile values (issue 12)

INJECTION = "}}@misc{injected, title={Owned}}@comment{"


def _hostile(cat: Catalog, **change) -> Paper:
    """A paper as no `check` would let through (built directly, as a stale cache could)."""
    base = dict(
        id="hostile",
        kind="paper",
        key="hostile2024",
        topic=paper(cat, "rlhf").topic,
        year=2024,
        venue="arXiv",
        arxiv="2401.00001",
        title="Hostile",
        authors=("Eve Mallory",),
    )
    return Paper(**{**base, **change})


@pytest.mark.parametrize(
    "change",
    [
        {"title": "Title " + INJECTION},
        {"authors": ("Eve " + INJECTION, "} and {")},
        {"publisher": INJECTION, "volume": "1" + INJECTION, "number": "{{{"},
        {"venue": "NeurIPS", "booktitle": "Proc. " + INJECTION + "\\"},
        {"title": "@misc{second, title = {x}}", "authors": ("@comment{",)},
    ],
    ids=["title", "authors", "publisher-volume-number", "booktitle", "at-signs"],
)
@pytest.mark.parametrize("style", [Style(), Style(biblatex=True)], ids=["bibtex", "biblatex"])
def test_hostile_text_fields_stay_inside_one_entry(cat, change, style):
    text = bibtex.export([_hostile(cat, **change)], cat, style)
    library = parse(text)
    assert [e.key for e in library.entries] == ["hostile2024"]
    assert library.blocks == library.entries  # no @string, @comment or @preamble smuggled in
    for value in values(library.entries[0]).values():
        assert balanced_for_bibtex(value), value


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"url": "https://x.org/" + INJECTION}, "url"),
        ({"doi": "10.1234/x" + INJECTION}, "doi"),
        ({"doi": "10.1234/x\\"}, "doi"),
        ({"pages": "1}--2"}, "pages"),
        ({"arxiv": "2401.00001}", "venue": "NeurIPS"}, "eprint"),
        ({"arxiv": "2401.00001}"}, "howpublished"),
        ({"arxiv_class": "cs.CL{", "venue": "NeurIPS"}, "primaryClass"),
        ({"title": "Red \x1b[31m title"}, "title"),
        ({"url": "https://x.org/\u202e"}, "url"),
    ],
)
def test_hostile_verbatim_fields_are_refused_naming_paper_and_field(cat, change, field):
    with pytest.raises(bibtex.ExportError) as info:
        bibtex.export([_hostile(cat, **change)], cat)
    assert f"paper 'hostile', field '{field}'" in str(info.value)


# ---------------------------------------------------------------- reading a user's .bib


def _bibtexparser_reading(text: str) -> list[tuple[str, dict[str, str]]]:
    """What bibtexparser reads (its default stack resolves @string references and drops
    the outer braces or quotes), limited to the fields read_entries keeps."""
    out = []
    for entry in parse(text).entries:
        values = {f.key.lower(): str(f.value) for f in entry.fields}
        out.append((entry.key, {k: v for k, v in values.items() if k in bibtex._COMPARED}))
    return out


@pytest.mark.parametrize("name", sorted(p.name for p in GOLDEN.glob("*.bib")))
def test_read_entries_agrees_with_bibtexparser_on_the_golden_files(name):
    text = (GOLDEN / name).read_text(encoding="utf-8")
    assert list(bibtex.read_entries(text)) == _bibtexparser_reading(text)


@pytest.mark.parametrize("style", [Style(), Style(biblatex=True)], ids=["bibtex", "biblatex"])
def test_read_entries_agrees_with_bibtexparser_on_the_whole_catalog(cat, style):
    text = bibtex.export(cat.papers, cat, style)
    expected = _bibtexparser_reading(text)
    assert list(bibtex.read_entries(text)) == expected
    assert len(expected) == 44


def test_read_entries_resolves_strings_concatenation_and_odd_syntax():
    text = r"""
This is text outside any entry; an email like me@example.org is no entry either.
@String{ first = "Low-Rank" }
@STRING(second = first # " {Adaptation}")
@comment{ @misc{inside-a-comment, title = {no}} }
@preamble{ "\newcommand{\x}{y}" }
@Article( parens ,
  Title = "Quoted {with} braces" # { and } # second,
  year = 2021, doi = {10.1/x},
)
@misc{nested, title = {{{Deep}} {Er} },url={https://x.org/a}}
@misc{nofields}
@misc{unknown-macro, title = undefined # {!}}
"""
    assert list(bibtex.read_entries(text)) == [
        ("parens", {"title": "Quoted {with} braces and Low-Rank {Adaptation}", "doi": "10.1/x"}),
        ("nested", {"title": "{{Deep}} {Er} ", "url": "https://x.org/a"}),
        ("nofields", {}),
        ("unknown-macro", {"title": "!"}),
    ]


@given(
    st.lists(
        st.tuples(
            st.from_regex(r"[A-Za-z][A-Za-z0-9:_\-]{0,15}", fullmatch=True),
            st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=40),
        ),
        max_size=6,
        unique_by=lambda pair: pair[0].lower(),
    )
)
@settings(max_examples=150, deadline=None)
def test_property_read_entries_reads_what_we_write(entries):
    library = Library()
    for key, title in entries:
        library.add(
            Entry("misc", key, [Field("title", encode_title(title)), Field("year", "2020")])
        )
    text = bibtexparser.write_string(library) if entries else ""
    assert list(bibtex.read_entries(text)) == [
        (key, {"title": encode_title(title)}) for key, title in entries
    ]


def test_read_entries_resyncs_after_broken_entries_as_bibtexparser_does():
    # an entry never closed ends where the next line starts a block, as in bibtexparser;
    # where bibtexparser drops the cut entry as failed, its key is still kept here, so the
    # merge does not add that key a second time
    broken = "@misc{broken, title = {never closed\n" * 20_000
    text = broken + "@misc{good, title = {T}}\n@misc{cut, note = {a\n@misc{inner, title={I}}\n"
    keys = [key for key, _ in bibtex.read_entries(text)]
    assert keys == ["broken"] * 20_000 + ["good", "cut", "inner"]
    assert [e.key for e in bibtexparser.parse_string(text[len(broken) :]).entries] == [
        "good",
        "inner",
    ]


def test_a_very_long_title_is_encoded_word_by_word():
    # each word looked back over the whole title for a "!" or "?": quadratic (11 s here)
    title = "Word! " * 20_000 + "end"
    assert encode_title(title) == "Word! " + "{Word}! " * 19_999 + "end"


_ABSTRACT = "Costs fell 50% & more_than {half}; see α and Müller.\n\nA second paragraph."


@pytest.mark.parametrize("biblatex", [False, True])
def test_abstract_only_when_asked_and_escaped(cat: Catalog, biblatex: bool) -> None:
    lora = Paper("p", "paper", "A Work", "peft", key="k", authors=("Ann Lee",), year=2022,
                 venue="NeurIPS", abstract=_ABSTRACT)  # fmt: skip
    plain = parse(bibtex.export([lora], cat, Style(biblatex=biblatex))).entries[0]
    assert "abstract" not in values(plain)
    text = bibtex.export([lora], cat, Style(biblatex=biblatex, abstracts=True))
    value = values(parse(text).entries[0])["abstract"]
    assert balanced_for_bibtex(value)
    assert "50\\%" in value and "\\&" in value and "\\_" in value and "{half}" not in value
    paragraphs = value.split("\n\n")
    assert len(paragraphs) == 2 and decode(paragraphs[1]) == "A second paragraph."
    assert decode(paragraphs[0]).startswith("Costs fell 50% & more_than {half}; see α")
    assert "Müller" in decode(paragraphs[0])
