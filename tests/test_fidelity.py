"""Import, then export: what a user's .bib says comes out as it went in (#15).

Each bibliography is imported into an empty list and exported (classic and --biblatex);
every field of every imported entry is compared with the source, field by field, after
one normalisation (`_norm`), or named in `KNOWN`, a list of justified differences. The
entry counts are reconciled (imported + already present + refused + shared = entries),
and each refusal is named with `file:line` and must be in `REFUSED`, entries that lack
what the catalog needs. The exports compile with bibtex (plainnat) and biber with no
warning the source itself does not cause.

The sources: tests/fixtures/bib/fidelity/ (see its README), the issue's reproductions in
tests/fixtures/bib/repro/, and TeX Live's xampl.bib and biblatex-examples.bib (kpsewhich).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import bibtexparser
import pytest
from typer.testing import CliRunner

from conftest import requires_tools
from litlist import bibtex, datamodel
from litlist.cli import app
from litlist.sources import ARXIV_ID, arxiv_id, bibfile, latex_text
from test_export_cli import _tool, ok

FIXTURES = Path(__file__).parent / "fixtures" / "bib"


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A list of one's own in tmp_path, a private cache, no colour."""
    monkeypatch.setenv("LITLIST_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("LITLIST_DATA_DIR", str(tmp_path / "data"))
    for name in ("LITLIST_CATALOG", "LITLIST_NO_CACHE", "XDG_CACHE_HOME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_COLOR", "1")


@pytest.fixture
def run():
    runner = CliRunner()
    return lambda *args: runner.invoke(app, [str(a) for a in args], prog_name="litlist")


def _kpsewhich(name: str) -> Path | None:
    if not shutil.which("kpsewhich"):
        return None
    found = subprocess.run(["kpsewhich", name], capture_output=True, text=True, timeout=60)
    return Path(found.stdout.strip()) if found.returncode == 0 and found.stdout.strip() else None


SOURCES = {
    **{path.stem: path for path in sorted((FIXTURES / "fidelity").glob("*.bib"))},
    **{f"repro-{path.stem}": path for path in sorted((FIXTURES / "repro").glob("*.bib"))},
    "xampl": "xampl.bib",
    "biblatex-examples": "biblatex-examples.bib",
}

# Entries the catalog cannot hold, each for what it lacks (a title, or a year: the list is
# sorted and cited by year). Everything else in these files must be imported.
REFUSED = {
    ("xampl", "whole-journal"): "no title",
    ("xampl", "misc-minimal"): "no title",
    ("xampl", "random-note-crossref"): "no title",
    ("xampl", "booklet-minimal"): "no year",
    ("xampl", "manual-minimal"): "no year",
    ("xampl", "unpublished-minimal"): "no year",
}

# Known, justified differences: (field, why). A field listed here may differ.
KNOWN = {
    "crossref": "the fields an entry inherits are written into it",
    "xdata": "the fields an entry inherits are written into it",
    "url": "an arXiv paper is linked to its abstract page; a doi.org link is the doi field",
    "type": "a thesis's or report's biblatex key (phdthesis) is said by the classic type",
    "month": "biblatex's month is one number: a range of months keeps its first",
    "eprinttype": "arXiv's prefix is written as each export spells it",
    "archiveprefix": "arXiv's prefix is written as each export spells it",
    "eprint": "arXiv's id without its version",
}
# Also known: a sort key macro in a year is dropped (the catalog's year is a number), and
# arXiv's own DOI (10.48550/arXiv.…) is the arxiv id (see `_compare`).
NAME_FIELDS = ("author", "editor")


def _source(name: str) -> Path:
    where = SOURCES[name]
    if isinstance(where, Path):
        return where
    found = _kpsewhich(where)
    if found is None:
        pytest.skip(f"{where} not found by kpsewhich (TeX Live not installed)")
    return found


def _entries(text: str) -> dict[str, tuple[str, int, dict[str, str]]]:
    """key -> (type, line, fields) as BibTeX reads them (@string names resolved)."""
    library = bibtexparser.parse_string(text, parse_stack=[])
    strings = bibtex.month_macros()
    budget = bibtex.Budget(text)
    for block in library.strings:
        strings[block.key.lower()] = bibtex.resolve_value(str(block.value), strings, budget)
    return {
        e.key: (
            e.entry_type.lower(),
            (e.start_line or 0) + 1,
            {
                f.key.split()[-1].lower(): bibtex.resolve_value(str(f.value), strings, budget)
                for f in e.fields
            },
        )
        for e in library.entries
    }


def _text(value: str) -> str:
    """A value as the text it prints, compared without case, spacing or dash forms."""
    text = unicodedata.normalize("NFC", latex_text(value.replace("--", "-")))
    text = text.replace("\u2013", "-").replace("\u2014", "-").replace("{", "").replace("}", "")
    return " ".join(text.casefold().split())


def _norm(name: str, value: str) -> object:
    """One normalisation for every field: names as the people BibTeX reads (with 'and
    others'), months as numbers, DOIs and arXiv ids as identifiers, keyword lists as sets,
    everything else as the text it prints."""
    if name in NAME_FIELDS:
        return bibfile._people(value, latex_text)
    if name == "month":
        return bibfile._month({"month": value}) or _text(value)
    if name == "doi":
        return re.sub(r"^https?://(dx\.)?doi\.org/", "", value.strip()).casefold()
    if name == "eprint" and (found := ARXIV_ID.match(value.strip())):
        return arxiv_id(found.group(1))
    if name == "keywords":
        return {_text(k) for k in re.split(r"[,;]", value) if k.strip()}
    return _text(value)


def _renamed(name: str, biblatex: bool, out_type: str) -> str:
    """The name a source field is exported under."""
    if biblatex:
        return datamodel.FIELD_ALIASES.get(name, name)
    classic = {v: k for k, v in datamodel.FIELD_ALIASES.items()}
    if name == "institution" and out_type not in ("phdthesis", "mastersthesis"):
        return name
    return classic.get(name, name)


def _compare(
    key: str,
    source: tuple[str, int, dict[str, str]],
    out_type: str,
    out: dict[str, str],
    biblatex: bool,
    dropped: set[tuple[str, str]],
) -> list[str]:
    """Every difference between a source entry and its export that is not known."""
    src_type, _, fields = source
    wanted = src_type if biblatex else datamodel.classic_type(src_type, fields.get("type", ""))
    problems = [] if out_type == wanted else [f"type @{src_type} exported as @{out_type}"]
    for name, value in fields.items():
        if not value.strip() or name in KNOWN:
            continue
        if name == "year" and "\\" in value:
            continue  # a sort key in a year ({\noopsort{1973c}}1981) prints nothing
        target = _renamed(name, biblatex, out_type)
        target = name if target not in out and name in out else target
        if name == "doi" and bibfile.ARXIV_DOI.match(value.strip()):
            continue  # arXiv's own DOI names the preprint the eprint field names
        if (target, out_type) in dropped or (name, out_type) in dropped:
            continue  # left out as the data model asks, and said on stderr
        if name in ("date", "year") and target not in out:
            # the year (and month) of a date, written as year/month or as date
            said = out.get("date") or out.get("year", "")
            if _text(value)[:4] != _text(said)[:4]:
                problems.append(f"{name}: {value!r} -> {said!r}")
            continue
        if target not in out:
            problems.append(f"{name}: {value!r} missing")
            continue
        if name in ("date", "year"):
            equal = _text(value)[:4] == _text(out[target])[:4]
        else:
            equal = _norm(name, value) == _norm(name, out[target])
        if not equal:
            problems.append(f"{name}: {value!r} -> {out[target]!r}")
    return problems


def _imported(result_stdout: str) -> dict[str, list[str]]:
    """What `import` said about each entry, by outcome."""
    said: dict[str, list[str]] = {"added": [], "present": [], "failed": [], "shared": []}
    for line in result_stdout.splitlines():
        if found := re.match(r"(?:added|would add): (\S+)  ", line):
            said["added"].append(found.group(1))
        elif found := re.match(r"already present: entry '(.*?)' is ", line):
            said["present"].append(found.group(1))
        elif found := re.match(r"failed: (.*?):(\d+): entry '(.*?)': (.*)", line):
            said["failed"].append(f"{found.group(3)}|{found.group(2)}|{found.group(4)}")
        elif found := re.match(r"note: entry '(.*?)': .*; not a paper of its own", line):
            said["shared"].append(found.group(1))
    return said


@pytest.fixture(autouse=True)
def _whole_lines(monkeypatch) -> None:
    """The import report fits the terminal's width: here every line is read whole."""
    monkeypatch.setenv("COLUMNS", "2000")


def _import(run, source: Path) -> tuple[dict[str, tuple[str, int, dict[str, str]]], dict]:
    ok(run("init", "--empty"))
    result = run("import", source, "--topic", "peft")
    assert result.exit_code in (0, 1), (result.stdout, result.stderr, result.exception)
    assert "Traceback" not in result.stdout + result.stderr
    return _entries(source.read_text(encoding="utf-8")), _imported(result.stdout + result.stderr)


@pytest.mark.parametrize("biblatex", [False, True], ids=["classic", "biblatex"])
@pytest.mark.parametrize("name", SOURCES)
def test_import_then_export_keeps_every_field(run, tmp_path, name, biblatex):
    source = _source(name)
    entries, said = _import(run, source)
    # every entry accounted for, once
    counted = sum(len(keys) for keys in said.values())
    assert counted == len(entries), (counted, len(entries), said)
    for failure in said["failed"]:
        key, line, why = failure.split("|")
        assert REFUSED.get((name, key)) == why, f"{source}:{line}: {key} refused: {why}"
        assert int(line) == entries[key][1]
    # every imported entry exported with every field (the abstract too, which a plain export
    # leaves out: a bibliography prints none)
    bib = tmp_path / "out.bib"
    result = run("export", "--abstracts", *(["--biblatex"] if biblatex else []), "-o", bib)
    ok(result)
    dropped = set()
    if found := re.search(
        r"note: left out what biblatex's data model has no field for: (.*)", result.stderr
    ):
        for part in found.group(1).split("; "):
            field, types = part.split(" (", 1)
            dropped |= {(field, t.split()[0].lstrip("@")) for t in types.rstrip(")").split(", ")}
    exported = _entries(bib.read_text(encoding="utf-8"))
    problems = []
    for key in said["added"]:
        out_type, _, out = exported[key]
        for problem in _compare(key, entries[key], out_type, out, biblatex, dropped):
            problems.append(f"{source.name}:{entries[key][1]}: {key}: {problem}")
    assert problems == []


# ---------------------------------------------------------------- compiling


def _warnings(folder: Path, bib: Path, biblatex: bool, *, strict: bool = True) -> set[str]:
    """The warnings bibtex (plainnat) or biber gives for every entry of `bib`, each as
    '<message> in <key>' with line numbers and file names left out; with `strict`, an
    error fails the test (a source may have its own: a biblatex file read by bibtex)."""
    folder.mkdir()
    (folder / "refs.bib").write_bytes(bib.read_bytes())
    if biblatex:
        preamble = "\\usepackage[backend=biber]{biblatex}\n\\addbibresource{refs.bib}\n"
        body = "\\nocite{*}\\printbibliography\n"
    else:
        preamble = "\\usepackage{natbib}\n\\providecommand{\\noopsort}[1]{}\n"
        body = "\\nocite{*}\\bibliographystyle{plainnat}\\bibliography{refs}\n"
    (folder / "doc.tex").write_text(
        f"\\documentclass{{article}}\n{preamble}\\begin{{document}}\n{body}\\end{{document}}\n",
        encoding="utf-8",
    )
    _tool(folder, "pdflatex", "-interaction=nonstopmode", "doc")
    done = subprocess.run(
        ["biber" if biblatex else "bibtex", "doc"], cwd=folder, capture_output=True, text=True
    )
    log = (folder / "doc.blg").read_text(encoding="utf-8", errors="replace")
    if strict:
        assert "error message" not in log and "ERROR" not in log, log[-3000:]
        assert done.returncode == 0 or not biblatex, log[-3000:]
    if biblatex:
        found = re.findall(r"WARN - (.*)", log)
    else:
        found = re.findall(r"Warning--(.*)", log)
    return {re.sub(r"\(.*?\.bib\)|line \d+|refs\.bib", "", w).strip() for w in found}


@requires_tools("pdflatex", "bibtex", "biber")
@pytest.mark.parametrize("biblatex", [False, True], ids=["bibtex", "biber"])
@pytest.mark.parametrize("name", SOURCES)
def test_exports_compile_with_no_warning_the_source_does_not_cause(run, tmp_path, name, biblatex):
    source = _source(name)
    entries, _ = _import(run, source)
    bib = tmp_path / "out.bib"
    ok(run("export", *(["--biblatex"] if biblatex else []), "-o", bib))
    mine = _warnings(tmp_path / "export", bib, biblatex)
    theirs = _warnings(tmp_path / "source", source, biblatex, strict=False)
    # Known: bibtex reads a biblatex-only type (@mvbook) as @misc and asks nothing of it;
    # the classic export writes it as its classic type (@book), whose required fields
    # plainnat then asks for ("empty publisher", "can't use both author and editor").
    mapped = {key for key, (kind, _, _) in entries.items() if kind not in datamodel.CLASSIC_TYPES}
    new = {w for w in mine - theirs if biblatex or w.rsplit(" in ", 1)[-1] not in mapped}
    assert new == set()


# ---------------------------------------------------------------- what the export writes


def _import_text(run, tmp_path: Path, text: str) -> None:
    """An empty list of one's own, with `text` imported into it."""
    source = tmp_path / "in.bib"
    source.write_text(text, encoding="utf-8")
    ok(run("init", "--empty"))
    ok(run("import", source, "--topic", "peft"))


def _export(run, *flags: str) -> tuple[dict, str]:
    """The list exported: (type, fields) by key, and what was said on stderr besides the
    count of an export of the whole list."""
    result = run("export", *flags)
    ok(result)
    said = "".join(
        line for line in result.stderr.splitlines(True) if not line.startswith("exported ")
    )
    return {k: (t, f) for k, (t, _, f) in _entries(result.stdout).items()}, said


def test_biblatex_only_types_are_mapped_only_in_the_classic_export(run, tmp_path):
    text = (
        "@mvbook{mv, title={Works}, author={Aristotle}, date={1984}, volumes={2},"
        " publisher={Princeton University Press}}\n"
        "@thesis{th, title={T}, author={Ada Lovelace}, date={2013}, type={phdthesis},"
        " institution={University of Toronto}}\n"
        "@patent{pat, title={Telephone}, author={Bell, Alexander Graham}, year={1876},"
        " number={174465}, holder={Bell}}\n"
    )
    _import_text(run, tmp_path, text)
    classic, _ = _export(run)
    assert {k: t for k, (t, _) in classic.items()} == {
        "mv": "book",
        "th": "phdthesis",
        "pat": "misc",
    }
    assert classic["th"][1]["school"] == "{University of Toronto}"
    assert "type" not in classic["th"][1]  # @phdthesis says it
    assert classic["mv"][1]["volumes"] == "2" and classic["pat"][1]["holder"] == "Bell"
    biblatex, _ = _export(run, "--biblatex")
    assert {k: t for k, (t, _) in biblatex.items()} == {
        "mv": "mvbook",
        "th": "thesis",
        "pat": "patent",
    }
    assert biblatex["th"][1]["type"] == "phdthesis"


def test_fields_biblatex_forbids_are_left_out_and_said_once(run, tmp_path):
    text = "".join(
        f"@article{{a{n}, title={{T{n}}}, author={{X Y}}, journal={{J}}, year=2020,"
        " howpublished={Somewhere}, series={S}}\n"
        for n in range(3)
    )
    _import_text(run, tmp_path, text)
    classic, stderr = _export(run)
    assert classic["a0"][1]["howpublished"] == "Somewhere" and stderr == ""
    biblatex, stderr = _export(run, "--biblatex")
    assert "howpublished" not in biblatex["a0"][1] and biblatex["a0"][1]["series"] == "S"
    assert stderr.splitlines() == [
        "note: left out what biblatex's data model has no field for: howpublished (@article ×3)"
    ]


def test_and_others_is_exported_and_shown_as_et_al(run, tmp_path):
    text = (FIXTURES / "repro" / "others.bib").read_text(encoding="utf-8")
    _import_text(run, tmp_path, text)
    exported, _ = _export(run)
    assert exported["lin2010"][1]["author"] == "Lin, Yuanqing and Zhou, X and others"
    card = ok(run("show", "lin2010"))
    assert "Yuanqing Lin, X Zhou et al." in card


def test_an_abstract_is_exported_only_when_asked_for(run, tmp_path):
    """A bibliography prints no abstract: an imported entry's abstract is kept in the list
    and written by `export --abstracts` only, as for papers added from arXiv or Crossref."""
    _import_text(
        run,
        tmp_path,
        "@article{own, title={A Study}, author={Doe, Jane}, journal={J}, year=2020,"
        " abstract={We study things.}, series={S}}\n",
    )
    for flags in ([], ["--biblatex"]):
        plain, _ = _export(run, *flags)
        assert "abstract" not in plain["own"][1] and plain["own"][1]["series"] == "S"
        asked, _ = _export(run, *flags, "--abstracts")
        assert asked["own"][1]["abstract"] == "We study things."
