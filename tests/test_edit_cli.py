"""`litlist init`, `add` and `import` from the command line: recorded arXiv and Crossref
answers (no network), the user's file only ever gaining lines, one `error:` line for every
failure with the catalog untouched, and the round trip of issue 9."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import TINY_CATALOG
from litlist import catalog
from litlist.cli import app
from test_editing import added_lines_only

BIB = Path(__file__).parent / "fixtures" / "bib"


@pytest.fixture
def run():
    runner = CliRunner()

    def invoke(*args: str | Path, input: str | None = None):
        return runner.invoke(app, [str(a) for a in args], input=input, prog_name="litlist")

    return invoke


def ok(result) -> str:
    assert result.exit_code == 0, (result.stdout, result.stderr, result.exception)
    return result.stdout


def one_error(result, code: int = 1) -> str:
    """The one `error:` line of a failed run (exit `code`, or any non-zero one if -1)."""
    assert result.exit_code == code or (code == -1 and result.exit_code > 0), (
        result.stdout,
        result.stderr,
    )
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


# ---------------------------------------------------------------- init


def test_init_copies_the_shipped_list_and_becomes_the_default(run) -> None:
    result = run("init")
    ok(result)
    own = catalog.user_catalog()
    assert own.read_bytes() == catalog.shipped().read_bytes()
    assert str(own) in result.stderr and "litlist add" in result.stderr
    assert catalog.choose(None) == (own, catalog.BY_USER)
    assert "in use: your catalog" in ok(run("check"))


def test_check_names_the_catalog_in_use_and_why(run, tiny_catalog, monkeypatch) -> None:
    assert "in use: the catalog shipped with litlist" in ok(run("check"))
    assert "in use: chosen with --catalog" in ok(run("--catalog", tiny_catalog, "check"))
    monkeypatch.setenv("LITLIST_CATALOG", str(tiny_catalog))
    assert "in use: chosen by $LITLIST_CATALOG" in ok(run("check"))


def test_init_refuses_an_existing_file(run, tmp_path) -> None:
    path = tmp_path / "deep" / "folder" / "mine.toml"
    ok(run("init", path))
    path.write_text("# mine, edited\n")
    line = one_error(run("init", path))
    assert str(path) in line and "never replaces" in line
    assert path.read_text() == "# mine, edited\n"


def test_a_broken_link_as_your_catalog_is_said_not_replaced_by_the_shipped_list(
    run, tmp_path
) -> None:
    """A user catalog that is a link whose file is gone (a moved Dropbox folder) was silently
    passed over: every command read the 46 shipped papers as if they were the user's."""
    own = catalog.user_catalog()
    own.parent.mkdir(parents=True, exist_ok=True)
    gone = tmp_path / "moved" / "papers.toml"
    own.symlink_to(gone)
    assert catalog.choose(None) == (own, catalog.BY_USER)
    for command in (["show"], ["search", "dpo"], ["export", "dpo"]):
        line = one_error(run(*command))
        assert f"{own}: a link to {gone}, which does not exist" in line, line
    line = one_error(run("init", "--empty"))
    assert "never replaces" in line
    assert own.is_symlink() and not gone.exists()


def test_init_empty_has_topics_and_venues_and_no_papers(run, tmp_path) -> None:
    path = tmp_path / "empty.toml"
    ok(run("init", "--empty", path))
    cat, problems = catalog.check(path)
    assert problems == [] and cat is not None
    assert len(cat) == 0 and len(cat.topics) == 18 and len(cat.venues) == 17
    assert path.read_text().startswith("# litlist catalog")


# ---------------------------------------------------------------- add


def test_add_from_arxiv_prints_the_card_and_only_adds_lines(run, recorded, own_catalog) -> None:
    before = own_catalog.read_bytes()
    result = run(
        "-c", own_catalog, "add", "https://arxiv.org/abs/1706.03762v7",
        "--topic", "attention", "--alias", "Transformer",
        "--summary", 'Self-attention "only"', "--summary", "두 번째 요점",
        "--summary-en", "The Transformer.",
    )  # fmt: skip
    out = ok(result)
    # the card: the title first inside its box, then the authors
    title, authors = (line.strip("│ ") for line in out.splitlines()[1:3])
    assert title == "Attention Is All You Need"
    assert authors.startswith("Ashish Vaswani, Noam Shazeer")
    assert "key: vaswani2017attention" in out and "aliases: Transformer" in out
    assert "added 'transformer' (key vaswani2017attention)" in result.stderr
    assert [r.url.params["id_list"] for r in recorded] == ["1706.03762"]
    added = "".join(added_lines_only(before, own_catalog.read_bytes()))
    assert added.startswith('\n[[paper]]\nid = "transformer"\n')
    assert 'summary = [\n    "Self-attention \\"only\\"",\n    "두 번째 요점",\n]\n' in added
    cat, problems = catalog.check(own_catalog)
    assert problems == [] and cat is not None
    paper = cat.paper(len(cat) - 1)
    assert (paper.id, paper.topic, paper.arxiv_class, paper.year) == (
        "transformer", "interpretability/attention", "cs.CL", 2017
    )  # fmt: skip
    assert ok(run("-c", own_catalog, "search", "transformer", "-f", "keys")).startswith(
        "vaswani2017attention\n"
    )
    # arXiv's <summary> is kept as the abstract, and search reads it
    assert paper.abstract is not None and paper.abstract.startswith("A sequence transduction model")
    hits = ok(run("-c", own_catalog, "search", "sequence", "transduction", "-f", "keys"))
    assert hits.splitlines()[:1] == ["vaswani2017attention"]


def test_add_from_crossref_files_a_cut_name_only_where_told(run, recorded, own_catalog) -> None:
    """Crossref cuts NAACL 2019's proceedings title short ("… Conference of the North"):
    not the same name, so a new venue, with a note; `--venue NAACL` files it there."""
    doi = "https://doi.org/10.18653/v1/N19-1423"
    work = own_catalog.with_name("work.toml")
    work.write_bytes(own_catalog.read_bytes())
    result = run("-c", work, "add", doi, "--topic", "peft")
    ok(result)
    assert "resembles existing 'NAACL'; --venue NAACL to file it there" in result.stderr
    cat, _ = catalog.check(work)
    assert cat.paper(len(cat) - 1).venue != "NAACL" and len(cat.venues) == 18
    ok(run("-c", own_catalog, "add", doi, "--topic", "peft", "--venue", "NAACL"))
    cat, _ = catalog.check(own_catalog)
    paper = cat.paper(len(cat) - 1)
    assert (paper.key, paper.venue, paper.pages, paper.year) == (
        "devlin2019bert", "NAACL", "4171-4186", 2019
    )  # fmt: skip
    assert paper.doi == "10.18653/v1/N19-1423"
    assert paper.booktitle == "Proceedings of the 2019 Conference of the North"
    assert len(cat.venues) == 17  # no new venue


@pytest.mark.parametrize(
    ("identifier", "existing"),
    [("2203.06904", "peft-nmi"), ("10.1038/S42256-023-00626-4", "peft-nmi")],
)
def test_add_refuses_a_duplicate_naming_it(run, recorded, own_catalog, identifier, existing):
    before = own_catalog.read_bytes()
    line = one_error(run("-c", own_catalog, "add", identifier, "--topic", "peft"))
    assert f"already in the catalog as '{existing}'" in line
    assert own_catalog.read_bytes() == before


@pytest.mark.parametrize(
    "identifier",
    [
        "2305.18290",
        "arXiv:2305.18290v3",
        "https://arxiv.org/abs/2305.18290",
        "10.48550/arXiv.2305.18290",
    ],
)
def test_add_of_a_known_arxiv_id_needs_no_network(run, recorded, own_catalog, identifier):
    """DPO is in the list: saying so needs no request (and works offline)."""
    before = own_catalog.read_bytes()
    line = one_error(run("-c", own_catalog, "add", identifier, "--topic", "rlhf"))
    assert "already in the catalog as 'dpo'" in line and "same arXiv id" in line
    assert recorded == []
    assert own_catalog.read_bytes() == before


def test_add_to_the_shipped_catalog_points_to_init(run, recorded) -> None:
    before = catalog.shipped().read_bytes()
    line = one_error(run("add", "1706.03762", "--topic", "peft"))
    assert "litlist init" in line and "shipped" in line
    assert recorded == []  # refused before going to the network
    assert catalog.shipped().read_bytes() == before


def _failing(status: int | None = None, exc: Exception | None = None):
    import httpx

    def answer(request):
        if exc is not None:
            raise exc
        return httpx.Response(status or 200, text="<html>not a feed")

    return httpx.MockTransport(answer)


@pytest.mark.parametrize(
    ("identifier", "transport", "service", "words"),
    [
        ("2399.99999", None, "arXiv", "no paper with id"),
        ("10.9999/nothing", None, "Crossref", "no work with DOI"),
        ("1706.03762", "503", "arXiv", "HTTP 503"),
        ("1706.03762", "timeout", "arXiv", "no answer within 5 s"),
        ("1706.03762", "offline", "arXiv", "cannot connect (no network, or the service"),
        ("1706.03762", "garbage", "arXiv", "not readable XML"),
        ("10.9999/x", "garbage", "Crossref", "not JSON"),
    ],
)
def test_add_service_failures_are_one_line_and_change_nothing(
    run, recorded, own_catalog, monkeypatch, identifier, transport, service, words
) -> None:
    import httpx

    from litlist import sources

    choices = {
        "503": _failing(503),
        "timeout": _failing(exc=httpx.ReadTimeout("slow")),
        "offline": _failing(exc=httpx.ConnectError("no network")),
        "garbage": _failing(200),
    }
    if transport:
        monkeypatch.setattr(sources, "TRANSPORT", choices[transport])
    before = own_catalog.read_bytes()
    line = one_error(run("-c", own_catalog, "add", identifier, "--topic", "peft"))
    assert line.startswith(f"error: {service}: ") and words in line and "--bib" in line
    assert "Error" not in line and "Exception" not in line  # words, not httpx's class names
    assert own_catalog.read_bytes() == before


def test_add_bad_topic_names_the_closest_before_any_request(run, recorded, own_catalog):
    # a bad option value, like a bad --topic for show: exit 2
    line = one_error(run("-c", own_catalog, "add", "1706.03762", "--topic", "attention-snk"), 2)
    assert "interpretability/attention/attention-sink" in line and "litlist topics" in line
    assert recorded == []


def test_add_with_a_new_topic(run, recorded, own_catalog) -> None:
    before = own_catalog.read_bytes()
    ok(
        run(
            "-c", own_catalog, "add", "1706.03762",
            "--new-topic", "Transformer Basics", "--parent", "interpretability/attention",
        )
    )  # fmt: skip
    added = added_lines_only(before, own_catalog.read_bytes())
    assert 'slug = "interpretability/attention/transformer-basics"\n' in added
    cat, problems = catalog.check(own_catalog)
    assert problems == []
    slugs = [t.slug for t in cat.topics]
    # after the parent's last sub-topic, before the next sibling subtree
    at = slugs.index("interpretability/attention/transformer-basics")
    assert slugs[at - 1] == "interpretability/attention/attention-sink"
    assert slugs[at + 1] == "interpretability/long-context"
    assert cat.paper(len(cat) - 1).topic == slugs[at]


def test_add_bib_from_a_file_and_from_stdin(run, own_catalog) -> None:
    ok(run("-c", own_catalog, "add", "--bib", BIB / "acl.bib", "--topic", "peft"))
    cat, problems = catalog.check(own_catalog)
    assert problems == [] and cat.keys[-1] == "devlin-etal-2019-bert"
    assert cat.paper(len(cat) - 1).venue == "NAACL"
    text = (BIB / "scholar.bib").read_text()
    result = run("-c", own_catalog, "add", "--bib", "-", "--topic", "cot", input=text)
    ok(result)
    cat, problems = catalog.check(own_catalog)
    assert problems == [] and cat.keys[-1] == "muller2020beta"
    assert cat.paper(len(cat) - 1).authors[1] == "de la Vallée Poussin, Charles"
    assert cat.paper(len(cat) - 1).venue == "ICML"


def test_add_bib_key_clash_gets_a_new_key_and_says_so(run, own_catalog) -> None:
    entry = (BIB / "scholar.bib").read_text().replace("muller2020beta", "hu2022lora")
    result = run("-c", own_catalog, "add", "--bib", "-", "--topic", "cot", input=entry)
    ok(result)
    assert "key 'hu2022lora' is paper 'lora''s; using 'muller2020uber'" in result.stderr
    assert catalog.check(own_catalog)[0].keys[-1] == "muller2020uber"


@pytest.mark.parametrize(
    "key",
    ["Muller2020Beta", "mullerUberBeta2020", "DBLP:conf/icml/MullerP20", "Muller2020+x"],
)
def test_add_bib_keeps_the_key_a_tool_wrote(run, own_catalog, key) -> None:
    # JabRef, Zotero (Better BibTeX), Semantic Scholar and DBLP write keys in mixed case,
    # DBLP's with slashes: the user's draft cites them that way, so they are kept.
    entry = (BIB / "scholar.bib").read_text().replace("muller2020beta", key)
    result = run("-c", own_catalog, "add", "--bib", "-", "--topic", "cot", input=entry)
    ok(result)
    assert "using" not in result.stderr
    cat, problems = catalog.check(own_catalog)
    assert problems == [] and cat.keys[-1] == key
    out = ok(run("-c", own_catalog, "export", key.lower()))  # found in any case
    assert out.startswith(f"@inproceedings{{{key},")


def test_add_bib_key_differing_only_in_case_is_a_clash(run, own_catalog) -> None:
    # BibTeX takes `HU2022LoRA` and `hu2022lora` for one key ("Repeated entry")
    entry = (BIB / "scholar.bib").read_text().replace("muller2020beta", "HU2022LoRA")
    result = run("-c", own_catalog, "add", "--bib", "-", "--topic", "cot", input=entry)
    ok(result)
    assert "key 'HU2022LoRA' is paper 'lora''s; using 'muller2020uber'" in result.stderr
    line = one_error(
        run(
            "-c",
            own_catalog,
            "add",
            "--bib",
            "-",
            "-t",
            "cot",
            "--key",
            "Hu2022LoRA",
            input=entry.replace("Beta", "Gamma"),
        ),
        code=1,
    )
    assert "--key 'Hu2022LoRA' is taken by paper 'lora'" in line


def test_add_bib_with_several_entries_points_to_import(run, own_catalog) -> None:
    line = one_error(run("-c", own_catalog, "add", "--bib", BIB / "import20.bib", "-t", "peft"))
    assert "holds 20 entries" in line and "litlist import" in line


def test_add_edit_opens_the_editor(run, recorded, own_catalog, tmp_path, monkeypatch) -> None:
    script = tmp_path / "editor.py"
    script.write_text(
        "import sys\n"
        "p = sys.argv[1]\n"
        "t = open(p, encoding='utf-8').read()\n"
        "open(p, 'w', encoding='utf-8').write(t.replace('topic = \"peft\"', "
        '\'topic = "cot"\\nsummary_en = "Edited."\'))\n'
    )
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    monkeypatch.delenv("VISUAL", raising=False)
    ok(run("-c", own_catalog, "add", "1706.03762", "--topic", "peft", "--edit"))
    paper = catalog.check(own_catalog)[0].papers[-1]
    assert (paper.topic, paper.summary_en) == ("cot", "Edited.")
    # an editor that changes nothing: nothing added
    monkeypatch.setenv("EDITOR", "true")
    before = own_catalog.read_bytes()
    line = one_error(run("-c", own_catalog, "add", "10.18653/v1/N19-1423", "-t", "peft", "--edit"))
    assert "not changed" in line and own_catalog.read_bytes() == before


def test_add_needs_exactly_one_source(run, own_catalog) -> None:
    assert "one of them" in one_error(run("-c", own_catalog, "add", "--topic", "peft"), 2)
    line = one_error(run("-c", own_catalog, "add", "hello", "--topic", "peft"))
    assert "neither an arXiv id" in line


# ---------------------------------------------------------------- import


def test_import_dry_run_writes_nothing(run, own_catalog) -> None:
    before = own_catalog.read_bytes()
    result = run("-c", own_catalog, "import", BIB / "import20.bib", "--topic", "peft", "--dry-run")
    ok(result)
    assert own_catalog.read_bytes() == before
    last = result.stderr.splitlines()[-1]
    assert last == "dry run, nothing written: would add 17, already present 3, failed 0"


def test_import_reports_failures_and_writes_the_rest(run, own_catalog, tmp_path) -> None:
    bib = tmp_path / "some.bib"
    bib.write_text(
        (BIB / "arxiv.bib")
        .read_text()
        .replace("2305.18290", "2305.99999")
        .replace("Direct Preference", "Indirect Preference")
        + "\n@article{notitle, author={A B}, year={2020}, journal={J}}\n"
    )
    result = run("-c", own_catalog, "import", bib, "--topic", "rlhf")
    assert result.exit_code == 1
    # the report fits the terminal: a long path may wrap, so read it with lines joined
    assert f"failed: {bib}:11: entry 'notitle': no title" in " ".join(result.stderr.split())
    assert result.stderr.splitlines()[-1] == "added 1, already present 0, failed 1"
    assert catalog.check(own_catalog)[0].keys[-1] == "rafailov2023indirect"


# ---------------------------------------------------------------- the round trip


def test_round_trip(run, recorded, tmp_path, monkeypatch) -> None:
    """init -> add an arXiv id -> add --bib -> import 20 entries (5 already there) ->
    search finds each new paper -> export compiles with bibtex and biber -> check is clean
    -> the catalog only gained lines."""
    ok(run("init"))
    own = catalog.user_catalog()
    before = own.read_bytes()
    ok(run("add", "1706.03762", "--topic", "attention", "--alias", "Transformer"))
    ok(run("add", "--bib", BIB / "acl.bib", "--topic", "peft"))
    result = run("import", BIB / "import20.bib", "--topic", "alignment")
    ok(result)
    assert result.stderr.splitlines()[-1] == "added 15, already present 5, failed 0"
    for existing in ["dpo", "lora", "cot", "transformer", "devlin2019bert"]:
        assert re.search(rf"already present: entry '[^']+' is '{existing}'", result.stderr)
    cat, problems = catalog.check(None)
    assert problems == [] and cat is not None and cat.path == str(own)
    new = cat.papers[46:]
    assert len(new) == 17
    for paper in new:
        keys = ok(run("search", paper.title, "-f", "keys", "-n", "3")).split()
        assert paper.key in keys, (paper.title, keys)
    assert cat.venue("JMLR").kind == "journal"  # Raffel et al.: a new venue table
    added = added_lines_only(before, own.read_bytes())
    assert sum(line.startswith("[[paper]]") for line in added) == 17
    _compiles(run, tmp_path, [p.key for p in cat.papers if p.kind == "paper"])


def _compiles(run, tmp_path: Path, keys: list[str]) -> None:
    import shutil

    from test_export_cli import _assert_resolved, _biber, _bibtex, _latex, write

    if not (shutil.which("pdflatex") and shutil.which("bibtex") and shutil.which("biber")):
        if os.environ.get("CI"):
            raise AssertionError("TeX tools missing in CI")
        pytest.skip("pdflatex, bibtex or biber not on PATH")
    for folder, flags in [("bibtex", []), ("biber", ["--biblatex"])]:
        where = tmp_path / folder
        where.mkdir()
        ok(run("export", *flags, "-o", where / "refs.bib"))
        if folder == "bibtex":
            preamble = "\\usepackage{natbib}\n\\usepackage{url}\n"
            ending = "\\bibliographystyle{plainnat}\n\\bibliography{refs}\n"
            cite = "\\citep"
        else:
            preamble = "\\usepackage[backend=biber]{biblatex}\n\\addbibresource{refs.bib}\n"
            ending = "\\printbibliography\n"
            cite = "\\parencite"
        write(
            where,
            "doc.tex",
            "\\documentclass{article}\n" + preamble + "\\begin{document}\n"
            f"All: {cite}{{" + ",".join(keys) + "}.\n" + ending + "\\end{document}\n",
        )
        _latex(where, "doc")
        (_bibtex if folder == "bibtex" else _biber)(where, "doc")
        _latex(where, "doc")
        _assert_resolved(_latex(where, "doc"))


@pytest.mark.online
def test_live_services_answer_as_recorded() -> None:
    from litlist.sources import arxiv, crossref

    paper = arxiv.fetch("1706.03762")
    assert paper.title == "Attention Is All You Need" and paper.arxiv_class == "cs.CL"
    assert paper.authors[0] == "Ashish Vaswani" and paper.year == 2017
    work = crossref.fetch("10.18653/v1/N19-1423")
    assert work.title.startswith("BERT") and work.authors[0] == "Jacob Devlin"
    assert work.year == 2019 and work.pages == "4171-4186"


def test_tiny_catalog_fixture_is_still_valid(tiny_catalog) -> None:
    assert catalog.check(tiny_catalog)[1] == [] and TINY_CATALOG


def test_init_says_when_litlist_catalog_still_wins(run, tiny_catalog, monkeypatch) -> None:
    monkeypatch.setenv("LITLIST_CATALOG", str(tiny_catalog))
    result = run("init")
    ok(result)
    assert f"$LITLIST_CATALOG ({tiny_catalog}) still comes first" in result.stderr


def test_network_and_editing_code_stay_out_of_other_commands() -> None:
    """httpx only in sources/, tomlkit only in the editing package, and neither (nor the editing
    machinery) loaded by a command that does not add."""
    import subprocess

    src = Path(catalog.__file__).parent
    for path in src.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if "sources" not in path.parts:
            assert not re.search(r"^\s*(import|from) httpx", text, re.M), path
        if "editing" not in path.parts:
            assert not re.search(r"^\s*(import|from) tomlkit", text, re.M), path
    code = (
        "import sys\nfrom litlist.cli import app\n"
        "try:\n    app(['search', 'dpo'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('httpx', 'litlist.editing', 'litlist.sources') "
        "if m in sys.modules))"
    )
    env = dict(os.environ, PYTHONPATH=str(src.parent))
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert done.stdout.splitlines()[-1] == "[]"


def test_add_to_a_missing_catalog_says_how_to_start_one(run, recorded, tmp_path) -> None:
    missing = tmp_path / "nope.toml"
    line = one_error(run("-c", missing, "add", "1706.03762", "--topic", "peft"))
    assert f"litlist init {missing}" in line and recorded == []
    assert not missing.exists()


def test_topic_and_new_topic_are_one_or_the_other(run, own_catalog) -> None:
    both = ["--topic", "peft", "--new-topic", "X"]
    assert "or --new-topic" in one_error(run("-c", own_catalog, "add", "1706.03762", *both), 2)
    assert "or --new-topic" in one_error(
        run("-c", own_catalog, "import", BIB / "acl.bib", *both), 2
    )
    # --parent with --topic would be ignored without a word
    for command in (["add", "1706.03762"], ["import", BIB / "acl.bib"]):
        line = one_error(run("-c", own_catalog, *command, "-t", "peft", "--parent", "cot"), 2)
        assert "--parent goes with --new-topic" in line


# ---------------------------------------------------------------- hostile input


def test_import_of_a_hostile_bib_reports_each_entry_and_still_compiles(
    run, own_catalog, tmp_path, monkeypatch
) -> None:
    """Entries as people paste them (tests/fixtures/bib/hostile.bib): each is added, skipped
    or failed with its reason; the grown catalog checks clean, every exported entry parses
    back as one entry, and the whole export compiles with bibtex and with biber."""
    import bibtexparser

    before = own_catalog.read_bytes()
    monkeypatch.setenv("COLUMNS", "200")  # each line whole (test_screens.py fits it to less)
    result = run("-c", own_catalog, "import", BIB / "hostile.bib", "--topic", "peft")
    assert result.exit_code == 1  # some entries failed
    lines = result.stderr.splitlines()
    # every entry counted, the volume others inherit from too
    assert lines[-1] == "added 6, already present 1, failed 5, sets and volumes of others 1"
    for expected in [
        "already present: entry 'smith1999again' is 'smith1999old' (same arXiv id "
        "hep-th/9901001, an entry added from this file)",
        "failed: line 82: entry 'dupfield' has the field title twice",
        "failed: line 83: a second entry 'names2021' (only the first is read)",
        f"failed: {BIB / 'hostile.bib'}:80: entry 'inpress': no year",
        "note: entry 'DBLP:conf/iclr/2022': a volume other entries inherit from; "
        "not a paper of its own",
    ]:
        assert expected in lines, (expected, lines)
    # an entry's notes are under it, without its name again
    at = next(n for n, line in enumerate(lines) if line.startswith("added: openai2022alpha "))
    assert lines[at + 1 : at + 3] == [
        "  note: the author list ends in 'others'",
        "  note: year '2022a' read as 2022",
    ]
    cat, problems = catalog.check(own_catalog)
    assert problems == [] and cat is not None
    added = added_lines_only(before, own_catalog.read_bytes())
    assert sum(line.startswith("[[paper]]") for line in added) == 6
    # and entries as the ACM, PMLR, IEEE export them, a report, a thesis, a book, a page
    result = run("-c", own_catalog, "import", BIB / "sites.bib", "--topic", "peft")
    assert ok(result) == "" and result.stderr.endswith("added 8, already present 0, failed 0\n")
    cat, problems = catalog.check(own_catalog)
    assert problems == [] and cat is not None
    new = {p.key: p for p in cat.papers[-14:]}
    assert new["openai2022alpha"].title == "Learning α-Divergences in $O(n^2)$: A Study"
    assert (new["garcia-etal-2023-concat"].month, new["smithOldStyle1999"].arxiv) == (
        12,
        "hep-th/9901001",
    )
    monkeypatch.setenv("LITLIST_CATALOG", str(own_catalog))
    for flags in ([], ["--biblatex"]):
        exported = ok(run("export", *flags))
        library = bibtexparser.parse_string(exported)
        assert library.failed_blocks == []
        assert len(library.entries) == sum(p.citable for p in cat.papers)
        got = {e.key: e for e in library.entries}
        title = got["openai2022alpha"]["title"]
        # α is printed as α (pdflatex needs it as LaTeX even for biber): not the dollars
        # and the backslash of "$\alpha$" kept as text
        assert "\\ensuremath{\\alpha}" in title
        assert "textbackslash" not in title and "\\$" not in title
    _compiles(run, tmp_path, list(new))


def _editor(tmp_path: Path, body: str) -> str:
    script = tmp_path / "editor.py"
    script.write_text("import os, sys\np = sys.argv[1]\n" + body)
    return f"{sys.executable} {script}"


@pytest.mark.parametrize(
    ("editor", "words"),
    [
        ("no-such-editor-anywhere", "cannot run the editor"),
        ("vi 'unclosed", "cannot run the editor"),
        ("WRITES_LATIN1", "not UTF-8 text"),
        ("DELETES", "removed the file"),
        ("EMPTIES", "empty"),
        ("INVALID", "not valid TOML"),
        ("false", "failed"),
    ],
)
def test_add_edit_with_an_editor_that_misbehaves_is_one_line(
    run, own_catalog, tmp_path, monkeypatch, editor, words
) -> None:
    scripts = {
        "WRITES_LATIN1": "open(p, 'wb').write('title = \"M\\u00fcller\"'.encode('latin-1'))\n",
        "DELETES": "os.unlink(p)\n",
        "EMPTIES": "open(p, 'w').close()\n",
        "INVALID": "open(p, 'a').write('\\n= = =\\n')\n",
    }
    if editor in scripts:
        editor = _editor(tmp_path, scripts[editor])
    monkeypatch.setenv("EDITOR", editor)
    monkeypatch.delenv("VISUAL", raising=False)
    before = own_catalog.read_bytes()
    result = run("-c", own_catalog, "add", "--bib", BIB / "acl.bib", "-t", "peft", "--edit")
    assert words in one_error(result)
    assert own_catalog.read_bytes() == before


@pytest.mark.parametrize(
    ("option", "words"),
    [
        (["--key", ""], "--key '': a citation key is letters A-Z a-z"),
        (["--key", "Has Space"], "--key 'Has Space': a citation key is letters A-Z a-z"),
        (["--key", "a{b,c}%"], "a citation key is letters A-Z a-z"),
        (["--key", "klüger2020"], "a citation key is letters A-Z a-z"),
        (["--key", "hu2022lora"], "--key 'hu2022lora' is taken by paper 'lora'"),
        (["--id", ""], "--id '': an id is lower-case"),
        (["--id", "LoRA 2"], "an id is lower-case"),
        (["--id", "lora"], "--id 'lora' is taken by paper 'lora'"),
        (["--new-topic", "!!!"], "cannot make a slug of '!!!'"),
        (["--summary", "red \x1b[31m"], "--summary: control character U+001B at position 5"),
        (["--alias", "\u202eevil"], "--alias: control character U+202E at position 1"),
        (["--summary-en", "a\x07b"], "--summary-en: control character U+0007"),
        (["--alias", "  "], "--alias is empty"),
        (["--new-topic", "X", "--parent", "nope"], "--parent: no match for 'nope'"),
    ],
)
def test_add_bad_options_are_refused_before_any_request(
    run, recorded, own_catalog, option, words
) -> None:
    before = own_catalog.read_bytes()
    topic = [] if "--new-topic" in option else ["--topic", "peft"]
    line = one_error(run("-c", own_catalog, "add", "1706.03762", *topic, *option), ANY_CODE)
    assert words in line
    assert recorded == [] and own_catalog.read_bytes() == before


ANY_CODE = -1


def test_add_to_a_read_only_catalog_is_refused_before_any_request(run, recorded, own_catalog):
    own_catalog.chmod(0o444)
    try:
        line = one_error(run("-c", own_catalog, "add", "1706.03762", "--topic", "peft"))
    finally:
        own_catalog.chmod(0o644)
    assert "read-only" in line and recorded == []


def test_add_on_a_full_disk_is_one_line_and_changes_nothing(run, own_catalog, monkeypatch):
    import errno

    from litlist import fsutil

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    before = own_catalog.read_bytes()
    monkeypatch.setattr(fsutil.os, "replace", full)
    monkeypatch.setattr(fsutil, "_exchange", full)  # the rename that checks (renameat2)
    line = one_error(run("-c", own_catalog, "add", "--bib", BIB / "acl.bib", "-t", "peft"))
    monkeypatch.undo()
    assert "No space left on device" in line and "nothing written" in line
    assert own_catalog.read_bytes() == before
    assert [p.name for p in own_catalog.parent.iterdir() if p.name.startswith(".")] == []


def test_add_bib_from_stdin_that_is_not_utf8_is_one_line(run, own_catalog) -> None:
    entry = (BIB / "scholar.bib").read_text().replace('M{\\"u}ller', "M\u00fcller")
    before = own_catalog.read_bytes()
    result = run("-c", own_catalog, "add", "--bib", "-", "-t", "cot", input=entry.encode("latin-1"))
    assert "-: not UTF-8 text (line 3)" in one_error(result)
    assert own_catalog.read_bytes() == before


def test_import_report_has_no_terminal_controls(run, own_catalog, tmp_path) -> None:
    bib = tmp_path / "evil.bib"
    bib.write_text(
        "@article{evil\x1b]0;owned\x07,\n title={T\x1b[2J},\n author={A, B},\n"
        " journal={J}, year=2020}\n"
    )
    result = run("-c", own_catalog, "import", bib, "--topic", "peft")
    assert "failed: entry 'evil]0;owned'" in result.stderr
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr


def test_init_into_a_folder_puts_papers_toml_in_it(run, tmp_path) -> None:
    """`init notes` (a folder there) or `init notes/new/` (one meant as a folder): the
    catalog goes inside, not in place of the folder or as a file named "new"."""
    (tmp_path / "notes").mkdir()
    ok(run("init", tmp_path / "notes"))
    ok(run("init", f"{tmp_path}/notes/new/"))
    assert (tmp_path / "notes" / "papers.toml").is_file()
    assert (tmp_path / "notes" / "new" / "papers.toml").is_file()


@pytest.mark.parametrize("first", ["# my list\n", ""])
def test_add_to_a_catalog_saved_with_a_byte_order_mark(run, tmp_path, first) -> None:
    """Windows Notepad starts a UTF-8 file with a BOM: the catalog reads, the paper goes in,
    and the BOM and every other byte stay."""
    path = tmp_path / "bom.toml"
    before = b"\xef\xbb\xbf" + (first + TINY_CATALOG.split("\n\n", 1)[1]).encode()
    path.write_bytes(before)
    ok(run("-c", path, "add", "--bib", BIB / "acl.bib", "--topic", "gamma"))
    after = path.read_bytes()
    assert after.startswith(b"\xef\xbb\xbf" + first.encode() + b"[[topic]]")
    assert 'key = "devlin-etal-2019-bert"\n' in added_lines_only(before, after)
    cat, problems = catalog.check(path)
    assert problems == [] and cat is not None and cat.keys[-1] == "devlin-etal-2019-bert"


def test_add_options_are_written_as_they_will_be_read(run, own_catalog) -> None:
    """An alias is a name and a summary bullet a line: pasted spaces and line breaks do
    not go into the file (the catalog reads values stripped, so they would not match)."""
    result = run(
        "-c", own_catalog, "add", "--bib", BIB / "acl.bib", "-t", "peft",
        "--alias", " BERT\n", "--alias", "Deep\nBidirectional", "--summary", " one\n two ",
        "--summary-en", "  Kept as paragraphs.\n\nSecond.  ",
    )  # fmt: skip
    ok(result)
    added = "".join(added_lines_only(catalog.shipped().read_bytes(), own_catalog.read_bytes()))
    assert 'aliases = ["BERT", "Deep Bidirectional"]\n' in added
    assert 'summary = [\n    "one two",\n]\n' in added
    assert 'summary_en = "Kept as paragraphs.\\n\\nSecond."\n' in added
    assert ok(run("-c", own_catalog, "show", "BERT", "-f", "keys")) == "devlin-etal-2019-bert\n"


def test_import_of_a_bib_too_large_to_read_is_one_line(run, own_catalog, tmp_path, monkeypatch):
    from litlist.sources import bibfile

    monkeypatch.setattr(bibfile, "MAX_BYTES", 1000)
    bib = tmp_path / "huge.bib"
    bib.write_text((BIB / "import20.bib").read_text())
    line = one_error(run("-c", own_catalog, "import", bib, "--topic", "peft"))
    assert line == f"error: {bib}: more than 0 MB; split it and import the parts"
    result = run("-c", own_catalog, "import", "-", "-t", "peft", input=bib.read_text())
    assert "error: -: more than 0 MB" in one_error(result)


def test_import_dry_run_of_a_read_only_catalog_shows_what_would_be_added(run, own_catalog):
    own_catalog.chmod(0o444)
    try:
        dry = run("-c", own_catalog, "import", BIB / "acl.bib", "-t", "peft", "--dry-run")
        real = run("-c", own_catalog, "import", BIB / "acl.bib", "-t", "peft")
    finally:
        own_catalog.chmod(0o644)
    assert ok(dry) == "" and "would add 1" in dry.stderr
    assert "read-only" in one_error(real)


# ---------------------------------------------------------------- organisations as authors


def test_organisations_stay_one_name_from_import_to_card_json_search_and_export(
    run, own_catalog
) -> None:
    """`{Google DeepMind}` in a .bib was imported as a person and exported "DeepMind,
    Google" (printed "G. DeepMind"): now the catalog keeps it braced, the card shows the
    name, JSON keeps the catalog's form, search finds its words, export braces it whole."""
    import json

    ok(run("-c", own_catalog, "import", BIB / "organisations.bib", "--topic", "peft"))
    cat, problems = catalog.check(own_catalog)
    assert problems == []
    added = {p.key: p.authors for p in cat.papers[-3:]}
    assert added == {
        "gemma2024": ("{Google DeepMind}",),
        "llama3herd": ("{Llama Team, AI @ Meta}",),
        "bloom2022": ("{BigScience Workshop}", "Le Scao, Teven", "Angela Fan"),
    }
    card = ok(run("-c", own_catalog, "show", "gemma2024"))
    assert "Google DeepMind" in card and "{" not in card
    shown = json.loads(ok(run("-c", own_catalog, "show", "llama3herd", "-f", "json")))
    assert shown[0]["authors"] == ["{Llama Team, AI @ Meta}"]
    for words, key in (("deepmind", "gemma2024"), ("bigscience", "bloom2022")):
        found = json.loads(ok(run("-c", own_catalog, "search", words, "-f", "json")))
        assert found and found[0]["key"] == key, words
    bib = ok(run("-c", own_catalog, "export", "gemma2024", "llama3herd", "bloom2022"))
    assert "author = {{Google DeepMind}}" in bib
    assert "author = {{Llama Team, AI @ Meta}}" in bib
    assert "author = {{BigScience Workshop} and Le Scao, Teven and Fan, Angela}" in bib
    # importing the same .bib again adds nothing: the same arXiv ids
    again = run("-c", own_catalog, "import", BIB / "organisations.bib", "--topic", "peft")
    ok(again)
    assert "added 0, already present 3" in again.stderr, again.stderr


def test_add_by_doi_keeps_crossrefs_group_author_as_an_organisation(
    run, recorded, own_catalog
) -> None:
    before = own_catalog.read_bytes()
    ok(run("-c", own_catalog, "add", "10.1038/nature11247", "--topic", "peft"))
    added = added_lines_only(before, own_catalog.read_bytes())
    assert any('"{The ENCODE Project Consortium}"' in line for line in added), added
    cat, problems = catalog.check(own_catalog)
    assert problems == []
    paper = cat.paper(len(cat) - 1)
    assert paper.key == "theencodeprojectconsortium2012integrated"
    bib = ok(run("-c", own_catalog, "export", paper.key))
    assert "author = {{The ENCODE Project Consortium}}" in bib
