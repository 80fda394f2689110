"""Venues are never merged by a guess (issue 15 item 2): `import` and `add` file a paper
under a known venue only when the names are one by the stated rule, keep each paper's own
journal or booktitle on export, and only suggest (`note: … resembles …`, `--venue`)."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import bibtexparser
import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from litlist import catalog, editing
from litlist.cli import app
from litlist.sources import crossref
from test_edit_cli import ok

HERE = Path(__file__).parent / "fixtures"
REPRO = HERE / "venues"


@pytest.fixture
def run():
    runner = CliRunner()
    return lambda *args: runner.invoke(app, [str(a) for a in args], prog_name="litlist")


@pytest.fixture
def empty(run, tmp_path: Path) -> Path:
    """A user's list with the shipped topics and venues and no papers."""
    path = tmp_path / "mine.toml"
    ok(run("init", "--empty", path))
    return path


def _entries(text: str) -> dict[str, dict[str, str]]:
    """key -> {field: value without braces} of a .bib text."""
    library = bibtexparser.parse_string(text)
    return {
        e.key: {f.key.lower(): re.sub(r"[{}]", "", str(f.value)) for f in e.fields}
        for e in library.entries
    }


def _venue_fields(fields: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in fields.items() if k in ("journal", "booktitle")}


@pytest.mark.parametrize("name", ["venue-prefix.bib", "sameprefix-inproceedings.bib"])
def test_import_then_export_keeps_each_journal_and_booktitle(run, empty, name) -> None:
    """The Journal of Neuroscience is not Journal of Neuroscience Research, Phys. Rev. E not
    Phys. Rev. D, CVPR's proceedings not the Proceedings of the IEEE, nor an LNCS volume the
    Semantic Web journal: each comes back as the source wrote it."""
    source = _entries((REPRO / name).read_text())
    ok(run("-c", empty, "import", REPRO / name, "--topic", "peft"))
    exported = _entries(ok(run("-c", empty, "export")))
    assert set(exported) == set(source)
    for key, fields in source.items():
        assert _venue_fields(exported[key]) == _venue_fields(fields), key


def test_an_arxiv_number_in_a_journal_is_never_another_paper_s(run, empty) -> None:
    """`Ar{X}iv:2201.11903` stays 2201.11903, however close 2201.11990 of the entry before."""
    result = run("-c", empty, "import", REPRO / "arxiv-fuzzy.bib", "--topic", "peft")
    ok(result)
    assert "resembles" not in result.stderr  # another number is another thing
    text = ok(run("-c", empty, "export", "wei2022chain"))
    assert "2201.11903" in text and "2201.11990" not in text
    text = ok(run("-c", empty, "export", "smith2022using"))
    assert "2201.11990" in text and "2201.11903" not in text


def test_a_close_name_is_a_new_venue_with_a_note_and_venue_files_it_there(run, empty, monkeypatch):
    monkeypatch.setenv("COLUMNS", "300")  # the report's lines whole
    result = run("-c", empty, "import", REPRO / "venue-prefix.bib", "--topic", "peft")
    ok(result)
    lines = result.stderr.splitlines()
    # the note stands under its entry (a6), which the report names by key
    at = next(n for n, line in enumerate(lines) if line.startswith("added: a6 "))
    assert (
        "  note: venue 'Physical Review E' resembles existing 'PRD'; "
        "--venue 'Physical Review E=PRD' to file it there"
    ) in itertools.takewhile(lambda line: line.startswith("  "), lines[at + 1 :])
    cat = catalog.load(empty)
    by_key = {cat.paper(i).key: cat.paper(i).venue for i in range(len(cat))}
    assert by_key["a5"] != by_key["a6"] and by_key["a1"] != by_key["a2"]


def test_venue_name_equals_files_those_entries_under_a_venue(run, empty, tmp_path) -> None:
    ok(run("-c", empty, "import", REPRO / "venue-prefix.bib", "--topic", "peft"))
    bib = tmp_path / "more.bib"
    bib.write_text(
        "@article{n1, title={Another One}, author={Doe, Jane}, journal={Phys. Rev. E},"
        " year={2016}}\n"
        "@article{n2, title={And Another}, author={Doe, Jane}, journal={Phys. Rev. X},"
        " year={2016}}\n"
    )
    ok(run("-c", empty, "import", bib, "-t", "peft", "--venue", "phys rev e=PRE"))
    cat = catalog.load(empty)
    by_key = {cat.paper(i).key: cat.paper(i).venue for i in range(len(cat))}
    assert by_key["n1"] == by_key["a6"] == "PRE"
    assert by_key["n2"] not in ("PRE", "PRD")


def test_add_venue_files_under_an_existing_id_or_makes_it(run, empty, tmp_path) -> None:
    entry = tmp_path / "one.bib"
    entry.write_text(
        "@article{x1, title={A Paper}, author={Doe, Jane}, journal={Nat. Mach. Intel.},"
        " year={2020}}\n"
    )
    ok(run("-c", empty, "add", "--bib", entry, "-t", "peft", "--venue", "nature mi"))
    entry.write_text(
        "@article{x0, title={Z Paper}, author={Doe, Jane}, journal={NMI Letters}, year={2020}}"
    )
    ok(
        run(
            "-c",
            empty,
            "add",
            "--bib",
            entry,
            "-t",
            "peft",
            "--venue",
            "NATURE MACHINE intelligence",
        )
    )
    entry.write_text(
        "@article{x2, title={B Paper}, author={Doe, Jane}, journal={Phys. Rev. B}, year={2020}}"
    )
    result = run("-c", empty, "add", "--bib", entry, "-t", "peft", "--venue", "PRB")
    ok(result)
    assert "new venue 'PRB' (Phys. Rev. B, journal)" in result.stderr
    cat = catalog.load(empty)
    assert [cat.paper(i).venue for i in range(len(cat))] == ["Nat. Mach. Intell."] * 2 + ["PRB"]
    line = run("-c", empty, "add", "--bib", entry, "-t", "peft", "--venue", "=")
    assert line.exit_code == 1 and line.stderr.startswith("error: --venue '='")


def test_series_volumes_are_one_venue_and_each_keeps_its_own_booktitle(run, empty, tmp_path):
    """The 11th and 14th SEMANTiCS are filed with the 13th as one series; none is cited as
    another (each paper keeps its booktitle). A journal of that name is no series."""
    bib = tmp_path / "semantics.bib"
    names = {
        "s13": "Proceedings of the 13th International Conference on Semantic Systems",
        "s11": "Proceedings of the 11th International Conference on Semantic Systems",
        "s14": "Proceedings of the 14th International Conference on Semantic Systems",
    }
    bib.write_text(
        "".join(
            f"@inproceedings{{{key}, title={{Paper {key}}}, author={{Doe, Jane}},"
            f" booktitle={{{name}}}, year={{20{key[1:]}}}}}\n"
            for key, name in names.items()
        )
        + "@article{s12, title={Paper s12}, author={Doe, Jane}, journal={Proceedings of the"
        " 12th International Conference on Semantic Systems}, year={2016}}\n"
    )
    result = run("-c", empty, "import", bib, "-t", "peft")
    ok(result)
    assert result.stderr.count("new venue") == 2  # the series, and the journal
    exported = _entries(ok(run("-c", empty, "export")))
    assert {key: exported[key]["booktitle"] for key in names} == names
    twelfth = "Proceedings of the 12th International Conference on Semantic Systems"
    assert exported["s12"]["journal"] == twelfth


def test_add_by_doi_never_files_phys_rev_b_under_phys_rev_a(tiny_catalog) -> None:
    """Crossref's answer for a journal article (the recorded Nature MI one, its
    container-title changed to Physical Review B) in a list that has Physical Review A."""
    answer = json.loads((HERE / "http" / "crossref-peft-nmi.json").read_text())
    answer["message"]["container-title"] = ["Physical Review B"]
    draft = crossref.parse(answer, "10.1103/physrevb.0.0")
    assert (draft.venue, draft.venue_kind) == ("Physical Review B", "journal")
    cat = catalog.load(tiny_catalog)
    cat.venues.append(editing.Venue("PRA", "Physical Review A", "journal", ()))
    planner = editing.Planner(cat)
    assert planner.venue(draft) not in ("PRA", None)
    assert (
        "venue 'Physical Review B' resembles existing 'PRA'; --venue PRA to file it there"
        in planner.notes
    )


def test_import_gives_no_entry_a_key_the_bib_uses_for_another(run, empty, tmp_path) -> None:
    """Issue 18 item 16: with smith2020deep in the list, the .bib's own smith2020deep gets a
    new key, and never smith2020deepb, which a later entry of the same .bib is called."""
    first = tmp_path / "first.bib"
    first.write_text(
        "@article{smith2020deep, title={Deep Nets}, author={Smith, Ann}, journal={J}, year={2020}}"
    )
    ok(run("-c", empty, "import", first, "-t", "peft"))
    bib = tmp_path / "refs.bib"
    bib.write_text(
        "@article{smith2020deep, title={Deep Trees}, author={Smith, Bob}, journal={J},"
        " year={2020}}\n"
        "@article{Smith2020DeepB, title={Deep Lakes}, author={Smith, Cy}, journal={J},"
        " year={2020}}\n"
    )
    result = run("-c", empty, "import", bib, "-t", "peft")
    ok(result)
    cat = catalog.load(empty)
    keys = {cat.paper(i).title: cat.paper(i).key for i in range(len(cat))}
    assert keys == {
        "Deep Nets": "smith2020deep",
        "Deep Trees": "smith2020deepc",
        "Deep Lakes": "Smith2020DeepB",
    }
    assert "key 'smith2020deep' is paper 'smith2020deep''s; using 'smith2020deepc'" in (
        result.stderr
    )


def _list_of(n: int, path: Path) -> Path:
    """A catalog of `n` papers (the shipped topics and venues), loaded once so its cache
    stands, as a user's list does."""
    head = catalog.shipped().read_text(encoding="utf-8")
    head = editing.without_papers(head)
    tables = "".join(
        f'\n[[paper]]\nid = "p{i}"\nkind = "paper"\nkey = "p{i}x"\ntitle = "Paper number {i}"\n'
        f'authors = ["A. Author"]\nyear = 2020\nvenue = "arXiv"\ntopic = "peft"\n'
        f'arxiv = "2001.{i:05d}"\ndoi = "10.1000/p{i}"\n'
        for i in range(n)
    )
    path.write_text(head + tables, encoding="utf-8")
    catalog.load(path)
    return path


def test_a_duplicate_check_reads_no_record_whatever_the_list_s_size(tmp_path) -> None:
    """Issue 15 item 6: `add` asked the catalog for every record to look for a duplicate;
    the index answers instead, so a list twice as long costs no more records: one, the
    duplicate's own, to name it."""
    from litlist.sources import Draft

    decoded = []
    for n in (200, 400):
        cat = catalog.load(_list_of(n, tmp_path / f"list-{n}.toml"))
        planner = editing.Planner(cat)
        new = Draft(title="Something New", authors=["B. Author"], year=2024, arxiv="2401.00001")
        assert planner.duplicate(new) is None
        same = [
            Draft(title="x", authors=[], year=2020, arxiv=f"2001.{n - 1:05d}"),
            Draft(title="x", authors=[], year=2020, doi=f"10.1000/P{n - 1}"),
            Draft(title=f"paper NUMBER {n - 1}!", authors=[], year=2020),
        ]
        found = [planner.duplicate(d) for d in same]
        assert [f[0] if f else None for f in found] == [f"p{n - 1}"] * 3
        decoded.append(len(cat._store._decoded))  # type: ignore[attr-defined]
    assert decoded == [1, 1]


def test_import_shows_a_progress_bar_on_a_terminal_only(run, empty, tmp_path) -> None:
    from test_cli import on_terminal

    bib = tmp_path / "many.bib"
    bib.write_text(
        "".join(
            f"@article{{e{i}, title={{Entry {i} of many}}, author={{Doe, Jane}},"
            f" journal={{J}}, year={{2020}}}}\n"
            for i in range(600)
        )
    )
    shown = on_terminal(["-c", str(empty), "import", str(bib), "-t", "peft", "--dry-run"], 100)
    assert "Importing entries" in shown and "would add 600" in shown
    piped = run("-c", empty, "import", bib, "-t", "peft", "--dry-run")
    assert "Importing entries" not in piped.stderr and "would add 600" in piped.stderr


@given(st.text(alphabet="[]\n\r \t\ufeffpaper.#=x'é", max_size=80))
def test_headers_are_found_as_the_header_pattern_finds_them(text: str) -> None:
    """The fast header scan of a catalog's text (or of its bytes, at the same places)
    finds exactly what `_HEADER` finds."""
    expected = [m.span() for m in editing._HEADER.finditer(text)]
    assert [m.span() for m in editing._headers(text)] == expected
    raw = text.encode("utf-8")
    at = [len(raw[: m.start()].decode()) for m in editing._headers(raw)]
    assert at == [start for start, _ in expected]


def test_a_venue_made_of_a_hostile_name_gets_a_short_id(tiny_catalog) -> None:
    from litlist.sources import Draft

    planner = editing.Planner(catalog.load(tiny_catalog))
    draft = Draft(
        title="T", authors=["A"], year=2020, venue="Journal (" * 1000, venue_kind="journal"
    )
    assert planner.venue(draft) == "J" * 12
    assert planner.new_venues[-1].name == "Journal (" * 1000  # the name itself is kept whole


def test_a_venue_is_who_put_the_work_out_never_an_entry_type(run, empty, tmp_path) -> None:
    """One publisher is one venue (of books) whatever the entry type; an entry that names
    no one who put it out is filed under "Unknown", never under its type's name."""
    bib = tmp_path / "types.bib"
    bib.write_text(
        "@book{b1, title={Structure and Design}, author={Doe, Jane},"
        " publisher={Addison-Wesley}, year={1994}}\n"
        "@inbook{b2, title={A Chapter of It}, author={Doe, Jane}, chapter={3},"
        " publisher={Addison-Wesley}, year={1995}}\n"
        "@misc{m1, title={Some Data Set}, author={Roe, Ann}, year={2024}}\n"
        "@unpublished{u1, title={A Manuscript}, author={Roe, Ann}, note={draft}, year={2020}}\n"
        "@patent{p1, title={A Telephone}, author={Bell, Alexander Graham}, year={1876}}\n"
        "@periodical{j1, title={A Special Issue}, editor={Roe, Ann}, year={2011}}\n"
        "@mvcollection{c1, title={Collected Works}, editor={Roe, Ann}, year={2001}}\n"
    )
    ok(run("-c", empty, "import", bib, "--topic", "peft"))
    cat = catalog.load(empty)
    by_key = {cat.paper(i).key: cat.paper(i).venue for i in range(len(cat))}
    assert by_key["b1"] == by_key["b2"] == "Addison-Wesley"
    addison = [v for v in cat.venues if "addison" in v.name.casefold()]
    assert [(v.id, v.kind) for v in addison] == [("Addison-Wesley", "book")]
    types = {"misc", "unpublished", "patent", "periodical", "mvcollection"}
    assert not {n.casefold() for v in cat.venues for n in (v.id, v.name)} & types
    assert {by_key[k] for k in ("m1", "u1", "p1", "j1", "c1")} == {"Unknown"}
    # and nothing says "Unknown" in the export: it is no journal, booktitle or school
    exported = ok(run("-c", empty, "export"))
    assert len(_entries(exported)) == 7 and "Unknown" not in exported
