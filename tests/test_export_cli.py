"""`litlist export` end to end (Typer's CliRunner): stdout, -o/--force, --merge into a user's
.bib, atomic writes, --tex/--aux, unknown keys — and the real TeX toolchain (pdflatex with
bibtex and with biber) compiling the whole catalog and a small draft."""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import stat
import subprocess
import tomllib
import unicodedata
from pathlib import Path

import bibtexparser
import pytest
from typer.testing import CliRunner

from conftest import TINY_CATALOG, requires_tools
from litlist import bibtex, fsutil
from litlist.cli import app

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "papers.toml"

with DATA.open("rb") as _handle:
    _PAPERS = tomllib.load(_handle)["paper"]
ALL_KEYS = [p["key"] for p in _PAPERS if p["kind"] == "paper"]
SUMMARY_IDS = [p["id"] for p in _PAPERS if p["kind"] == "summary"]
ID_OF = {p["key"]: p["id"] for p in _PAPERS if p["kind"] == "paper"}


@pytest.fixture(autouse=True)
def _isolated(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never touch ~/.cache; always the shipped catalog; no colour codes."""
    monkeypatch.setenv("LITLIST_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    for name in ("LITLIST_CATALOG", "LITLIST_NO_CACHE", "XDG_CACHE_HOME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_COLOR", "1")


@pytest.fixture
def run():
    runner = CliRunner()

    def invoke(*args: str | Path):
        return runner.invoke(app, [str(a) for a in args], prog_name="litlist")

    return invoke


def ok(result) -> str:
    assert result.exit_code == 0, (result.stdout, result.stderr, result.exception)
    assert "Traceback" not in result.stderr
    return result.stdout


def one_error_line(result) -> str:
    """The single `error: ...` line of a user error (exit 1); nothing on stdout."""
    assert result.exit_code == 1, (result.stdout, result.stderr, result.exception)
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


def keys_of(text: str) -> list[str]:
    library = bibtexparser.parse_string(text)
    assert library.failed_blocks == [], [b.raw for b in library.failed_blocks]
    return [e.key for e in library.entries]


def listing(folder: Path) -> list[str]:
    """Every name in the folder, hidden temp files included."""
    return sorted(os.listdir(folder))


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------- selection and stdout


def test_export_goes_to_stdout_by_default(run, tmp_path):
    result = run("export", "dpo", "hu2022lora")  # an id and a key
    assert keys_of(ok(result)) == ["rafailov2023direct", "hu2022lora"]
    assert result.stderr == ""


def test_export_everything_skips_summary_posts(run):
    text = ok(run("export"))
    assert keys_of(text) == ALL_KEYS and len(ALL_KEYS) == 44
    assert SUMMARY_IDS  # the catalog has some, and none is exported
    for summary in SUMMARY_IDS:
        assert summary not in text


def test_export_of_a_summary_post_alone_is_empty(run):
    result = run("export", SUMMARY_IDS[0])
    assert keys_of(ok(result)) == []


def test_export_topic(run):
    expected = [
        p["key"] for p in _PAPERS if p["kind"] == "paper" and p["topic"].startswith("peft/method")
    ]
    assert len(expected) >= 5
    assert keys_of(ok(run("export", "--topic", "peft/method"))) == expected


def test_export_unknown_id_suggests(run):
    line = one_error_line(run("export", "rafailov2023directt"))
    assert "'rafailov2023directt'" in line and "did you mean rafailov2023direct" in line


def test_as_listed_and_biblatex_flags(run):
    record = ok(run("export", "adainfer"))
    assert record.startswith("@inproceedings{fan2024not,") and "year = {2025}" in record
    listed = ok(run("export", "adainfer", "--as-listed"))
    assert listed.startswith("@misc{fan2024not,") and "year = {2024}" in listed
    assert "Wang, Zhongyuan" in listed and "Wang, Zhongyuan" not in record
    biblatex = ok(run("export", "peft-nmi", "--biblatex"))
    assert "journaltitle = {Nature Machine Intelligence}" in biblatex
    assert "eprinttype = {arxiv}" in biblatex


# ---------------------------------------------------------------- -o and --force


def test_output_file(run, tmp_path):
    out = tmp_path / "refs.bib"
    result = run("export", "dpo", "lora", "-o", out)
    assert ok(result) == ""
    assert out.read_text(encoding="utf-8") == ok(run("export", "dpo", "lora"))
    assert "wrote 2 entries" in result.stderr and str(out) in result.stderr
    assert listing(tmp_path) == ["refs.bib"]  # no temp file left behind


def test_output_refuses_an_existing_file(run, tmp_path):
    out = tmp_path / "refs.bib"
    original = "% my own bibliography — café\n@misc{mine, title = {Mine}}\n".encode()
    out.write_bytes(original)
    line = one_error_line(run("export", "dpo", "-o", out))
    assert str(out) in line and "--force" in line
    assert out.read_bytes() == original
    assert listing(tmp_path) == ["refs.bib"]


@pytest.mark.parametrize("name", ["itself", "symlink", "hard link"])
@pytest.mark.parametrize("flags", [["-o"], ["--force", "-o"], ["--merge"]])
def test_export_never_writes_over_the_catalog_in_use(run, tmp_path, name, flags):
    # `export dpo -o papers.toml --force` put BibTeX over the user's own list
    own = tmp_path / "papers.toml"
    own.write_bytes((ROOT / "data" / "papers.toml").read_bytes())
    before = own.read_bytes()
    target = {"itself": own, "symlink": tmp_path / "link.toml", "hard link": tmp_path / "hard"}
    if name == "symlink":
        target[name].symlink_to(own)
    elif name == "hard link":
        os.link(own, target[name])
    line = one_error_line(run("--catalog", own, "export", "dpo", *flags, target[name]))
    assert line == f"error: {target[name]} is the catalog in use; write the BibTeX to another file"
    assert own.read_bytes() == before


@pytest.mark.parametrize("reads", ["--tex", "--aux"])
def test_export_never_writes_over_the_draft_it_reads(run, tmp_path, reads):
    draft = tmp_path / ("draft.tex" if reads == "--tex" else "draft.aux")
    draft.write_text(
        "\\citation{rafailov2023direct}\n" if reads == "--aux" else "\\cite{hu2022lora}\n"
    )
    before = draft.read_bytes()
    line = one_error_line(run("export", reads, draft, "-o", draft, "--force"))
    what = "a draft being read" if reads == "--tex" else "the .aux being read"
    assert line == f"error: {draft} is {what}; write the BibTeX to another file"
    assert draft.read_bytes() == before


def test_force_replaces_and_keeps_permissions(run, tmp_path):
    out = tmp_path / "refs.bib"
    out.write_text("old\n", encoding="utf-8")
    out.chmod(0o640)
    ok(run("export", "dpo", "-o", out, "--force"))
    assert keys_of(out.read_text(encoding="utf-8")) == ["rafailov2023direct"]
    assert out.stat().st_mode & 0o777 == 0o640
    assert listing(tmp_path) == ["refs.bib"]


def test_output_and_merge_together_is_an_error(run, tmp_path):
    line = one_error_line(
        run("export", "dpo", "-o", tmp_path / "a.bib", "--merge", tmp_path / "b.bib")
    )
    assert "--merge" in line
    assert listing(tmp_path) == []


# ---------------------------------------------------------------- --merge

# A user's .bib: a comment, a @string, odd spacing, non-ASCII, and five papers of the
# catalog under the user's own keys (or the same key), each found a different way.
USER_BIB = """\
% My bibliography — hand-edited, keep as is
@string{iclr = "International Conference on Learning Representations"}

@inproceedings{mine-lora,
  title     = {{LoRA}: Low-Rank Adaptation of Large Language Models},
  author    = {Hu, Edward J. and others},
  booktitle = iclr,
  year      = 2022,
}

@article{dpo-preprint,
  title = {{DPO} as a preprint},
  author = {Rafailov, Rafael},
  journal = {CoRR},
  url = {https://arxiv.org/abs/2305.18290},
  year = {2023}
}

@misc{prefix,   title = {Prefix tuning, my notes},
   doi = {https://doi.org/10.18653/V1/2021.ACL-LONG.353}}

@misc{cot-v6, title={Something else entirely}, eprint={2201.11903v6}, archivePrefix={arXiv}}

@misc{ziegler2019fine, title = {Fine-Tuning LMs (my copy)}, author = {Ziegler, D.}}
% a comment at the end, no newline after it"""

PRESENT = {
    "hu2022lora": ("mine-lora", "same title"),
    "rafailov2023direct": ("dpo-preprint", "same arXiv id"),
    "li2021prefix": ("prefix", "same DOI"),
    "wei2022chain": ("cot-v6", "same arXiv id"),
    "ziegler2019fine": ("ziegler2019fine", "same key"),
}


def test_merge_adds_only_new_papers_and_keeps_every_byte(run, tmp_path):
    bib = tmp_path / "refs.bib"
    original = USER_BIB.encode("utf-8")
    bib.write_bytes(original)
    wanted = ["lora", "dpo", "prefix-tuning", "cot", "rlhf", "self-rewarding", "adapter"]
    result = run("export", *wanted, "--merge", bib)
    assert ok(result) == ""
    after = bib.read_bytes()
    assert after.startswith(original)
    added = after[len(original) :].decode("utf-8")
    assert keys_of(added) == ["yuan2024self", "houlsby2019parameter"]
    user_keys = ["mine-lora", "dpo-preprint", "prefix", "cot-v6", "ziegler2019fine"]
    assert keys_of(after.decode("utf-8")) == [*user_keys, "yuan2024self", "houlsby2019parameter"]
    lines = result.stderr.splitlines()
    for key, (existing, why) in PRESENT.items():
        if key == existing:  # the same key: said once, with a count
            assert f"already has 1 paper under the same key ({key}); not added" in lines[0]
            continue
        line = next(li for li in lines if f" {key} " in li)
        assert f"'{existing}'" in line and why in line and "not added" in line
    assert lines[-1] == f"added 2 entries to {bib}: yuan2024self, houlsby2019parameter"
    assert listing(tmp_path) == ["refs.bib"]


def test_merge_twice_changes_nothing_the_second_time(run, tmp_path):
    bib = tmp_path / "refs.bib"
    bib.write_text(USER_BIB, encoding="utf-8")
    ok(run("export", "self-rewarding", "dola", "--merge", bib))
    once = bib.read_bytes()
    result = run("export", "self-rewarding", "dola", "--merge", bib)
    ok(result)
    assert bib.read_bytes() == once
    assert result.stderr.splitlines()[-1] == f"added 0 entries to {bib}"
    assert "already has 2 papers under the same key (" in result.stderr
    assert "chuang2024dola" in result.stderr and "'chuang2024dola'" not in result.stderr


def test_merge_says_papers_under_the_same_key_once_with_a_count(run, tmp_path):
    """A second merge of a whole topic is one line, not a line per entry."""
    bib = tmp_path / "refs.bib"
    ok(run("export", "--topic", "peft", "-o", bib))
    result = run("export", "--topic", "peft", "--merge", bib)
    ok(result)
    lines = result.stderr.splitlines()
    assert len(lines) == 2, lines
    assert re.fullmatch(
        rf"{re.escape(str(bib))}: already has (\d+) papers under the same key "
        r"\([^ ,]+(, [^ ,]+){4} and \d+ more\); not added",
        lines[0],
    ), lines[0]
    assert lines[1] == f"added 0 entries to {bib}"


def test_merge_keeps_crlf_and_a_missing_final_newline(run, tmp_path):
    bib = tmp_path / "refs.bib"
    original = b"@misc{mine,\r\n  title = {Caf\xc3\xa9},\r\n  year = {2020}\r\n}"
    bib.write_bytes(original)
    ok(run("export", "dpo", "--merge", bib))
    after = bib.read_bytes()
    assert after.startswith(original)
    assert keys_of(after.decode("utf-8")) == ["mine", "rafailov2023direct"]


def test_merge_creates_a_missing_file(run, tmp_path):
    bib = tmp_path / "new.bib"
    ok(run("export", "dpo", "lora", "--merge", bib))
    assert bib.read_text(encoding="utf-8") == ok(run("export", "dpo", "lora"))


def test_merge_refuses_a_file_that_is_not_utf8(run, tmp_path):
    bib = tmp_path / "latin1.bib"
    original = "@misc{x, title = {Caf\xe9}}\n".encode("latin-1")
    bib.write_bytes(original)
    line = one_error_line(run("export", "dpo", "--merge", bib))
    assert str(bib) in line and "UTF-8" in line
    assert bib.read_bytes() == original


# ---------------------------------------------------------------- atomic writes


class _FullDisk:
    """`os` as fsutil sees it, except that renaming or linking a file into place fails."""

    def __getattr__(self, name: str):
        return getattr(os, name)

    @staticmethod
    def replace(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    link = replace


@pytest.fixture
def failing_rename(monkeypatch: pytest.MonkeyPatch):
    """The disk fills up at the moment the finished temp file is renamed into place (the
    temp file itself was written and synced)."""
    monkeypatch.setenv("LITLIST_NO_CACHE", "1")
    monkeypatch.setattr(fsutil, "os", _FullDisk())
    monkeypatch.setattr(fsutil, "_exchange", _FullDisk.replace)  # the checked rename


@pytest.mark.parametrize("how", [["--merge"], ["--force", "-o"]])
def test_failed_write_leaves_the_file_and_no_temp(run, tmp_path, failing_rename, how):
    bib = tmp_path / "refs.bib"
    bib.write_text(USER_BIB, encoding="utf-8")
    before = bib.read_bytes()
    line = one_error_line(run("export", "self-rewarding", *how, bib))
    assert "No space left on device" in line and str(bib) in line
    assert bib.read_bytes() == before
    assert listing(tmp_path) == ["refs.bib"]


def test_failed_write_of_a_new_file_leaves_nothing(run, tmp_path, failing_rename):
    one_error_line(run("export", "dpo", "-o", tmp_path / "refs.bib"))
    assert listing(tmp_path) == []


# ---------------------------------------------------------------- --tex and --aux

DRAFT = r"""\documentclass{article}
\usepackage{natbib}
\usepackage{url}
\begin{document}
Direct preference optimization \citep{rafailov2023direct} simplifies RLHF
\citep[see][p.~3]{ziegler2019fine, lee2023rlaif}; 50\% of it is
\citet{barbero2024transformers}. % \cite{xu2024dpo} was cut
\input{sections/related}
\bibliographystyle{plainnat}
\bibliography{refs}
\end{document}
"""
RELATED = "\\citeauthor{hu2022lora} proposed LoRA.\n% \\citep{wei2022chain}\n"
DRAFT_KEYS = [
    "rafailov2023direct",
    "ziegler2019fine",
    "lee2023rlaif",
    "barbero2024transformers",
    "hu2022lora",
]


@pytest.fixture
def draft(tmp_path) -> Path:
    write(tmp_path, "sections/related.tex", RELATED)
    return write(tmp_path, "draft.tex", DRAFT)


def test_tex_exports_exactly_the_cited_keys(run, draft):
    assert keys_of(ok(run("export", "--tex", draft))) == DRAFT_KEYS


def test_tex_with_nocite_star_exports_everything(run, tmp_path):
    main = write(tmp_path, "all.tex", "\\nocite{*}\n\\citep{hu2022lora}\n")
    assert keys_of(ok(run("export", "--tex", main))) == ALL_KEYS


def test_tex_unknown_keys_exit_1_naming_each(run, tmp_path):
    main = write(
        tmp_path,
        "draft.tex",
        "\\citep{rafailov2032direct, hu2022lora}\n\\citet{houlsby2019parametr}\n"
        "\\cite{nosuchpaper2099}\n",
    )
    out = tmp_path / "refs.bib"
    line = one_error_line(run("export", "--tex", main, "-o", out))
    assert str(main) in line
    assert "'rafailov2032direct' (did you mean rafailov2023direct" in line
    assert "'houlsby2019parametr' (did you mean houlsby2019parameter" in line
    assert "'nosuchpaper2099'" in line
    assert "'hu2022lora'" not in line
    assert not out.exists()


def test_tex_allow_missing_exports_the_rest_with_a_warning(run, tmp_path):
    main = write(
        tmp_path, "draft.tex", "\\citep{rafailov2032direct, hu2022lora}\n\\cite{nosuchpaper2099}\n"
    )
    result = run("export", "--tex", main, "--allow-missing")
    assert keys_of(ok(result)) == ["hu2022lora"]
    warning = result.stderr.splitlines()
    assert len(warning) == 1 and warning[0].startswith("warning: ")
    assert "'rafailov2032direct'" in warning[0] and "'nosuchpaper2099'" in warning[0]
    assert "exporting the rest" in warning[0]


def test_tex_missing_input_file_is_an_error(run, tmp_path):
    main = write(tmp_path, "draft.tex", "\\cite{hu2022lora}\n\\input{chapters/missing}\n")
    line = one_error_line(run("export", "--tex", main))
    assert str(tmp_path / "chapters" / "missing.tex") in line


def test_aux_exports_the_cited_keys(run, tmp_path):
    aux = write(
        tmp_path,
        "draft.aux",
        "\\relax\n\\citation{hu2022lora,rafailov2023direct}\n"
        "\\abx@aux@cite{0}{wei2022chain}\n\\bibstyle{plain}\n",
    )
    assert keys_of(ok(run("export", "--aux", aux))) == [
        "hu2022lora",
        "rafailov2023direct",
        "wei2022chain",
    ]


# ---------------------------------------------------------------- the real toolchain

TEX_FLAGS = ["-interaction=nonstopmode", "-halt-on-error"]


needs_bibtex = requires_tools("pdflatex", "bibtex")
needs_biber = requires_tools("pdflatex", "biber")


def _tex_has(name: str) -> bool:
    found = shutil.which("kpsewhich") and subprocess.run(
        ["kpsewhich", name], capture_output=True, text=True, timeout=60
    )
    return bool(found and found.returncode == 0 and found.stdout.strip())


def requires_tex_file(name: str, package: str) -> pytest.MarkDecorator:
    """Skip when TeX lacks a style file, and say which Debian package has it; never in CI,
    where .ci/run installs it."""
    return pytest.mark.skipif(
        not os.environ.get("CI") and not _tex_has(name),
        reason=f"{name} not found by kpsewhich (Debian: {package})",
    )


def _tool(folder: Path, *command: str) -> subprocess.CompletedProcess:
    # TeX's per-user cache (fonts mktexpk makes) goes next to the session's temp folders,
    # shared by the tests of one run, never into the user's home
    var = folder.parent / "texmf-var"
    done = subprocess.run(
        list(command),
        cwd=folder,
        capture_output=True,
        text=True,
        errors="replace",
        timeout=300,
        env=dict(os.environ, TEXMFVAR=str(var)),
    )
    assert done.returncode == 0, (command, done.stdout[-3000:])
    return done


def _latex(folder: Path, name: str) -> str:
    _tool(folder, "pdflatex", *TEX_FLAGS, name)
    return (folder / f"{name}.log").read_text(encoding="utf-8", errors="replace")


def _assert_resolved(log: str) -> None:
    """No undefined citation or reference left in a final LaTeX log."""
    assert not re.search(r"Citation [`'].*' .*undefined", log), log[-3000:]
    assert "There were undefined" not in log
    assert "could not be found in the database" not in log
    assert not re.search(r"Please \(?re\)?run Biber", log)
    assert "Rerun to get citations correct" not in log


def _bibtex(folder: Path, name: str) -> str:
    _tool(folder, "bibtex", name)
    blg = (folder / f"{name}.blg").read_text(encoding="utf-8", errors="replace")
    assert "Warning--" not in blg, blg
    assert not re.search(r"\(There (were|was) \d+ (warning|error)", blg), blg
    return blg


def _biber(folder: Path, name: str) -> str:
    _tool(folder, "biber", name)
    blg = (folder / f"{name}.blg").read_text(encoding="utf-8", errors="replace")
    assert "WARN" not in blg and "ERROR" not in blg, blg
    return blg


def _compile(folder: Path, name: str, backend: str = "bibtex") -> str:
    """pdflatex, bibtex or biber, then pdflatex twice: every citation resolved. The .log."""
    _latex(folder, name)
    (_bibtex if backend == "bibtex" else _biber)(folder, name)
    _latex(folder, name)
    log = _latex(folder, name)
    _assert_resolved(log)
    return log


@needs_bibtex
def test_whole_catalog_compiles_with_bibtex_and_plainnat(run, tmp_path):
    ok(run("export", "-o", tmp_path / "refs.bib"))
    write(
        tmp_path,
        "doc.tex",
        "\\documentclass{article}\n"
        "\\usepackage{natbib}\n\\usepackage{url}\n\\begin{document}\n"
        "\\nocite{*}\nAll of them: \\citep{" + ",".join(ALL_KEYS) + "}.\n"
        "\\bibliographystyle{plainnat}\n\\bibliography{refs}\n\\end{document}\n",
    )
    _compile(tmp_path, "doc")
    bbl = " ".join((tmp_path / "doc.bbl").read_text(encoding="utf-8").split())  # unwrap lines
    assert sorted(re.findall(r"\\bibitem\[[^\]]*\]\{([^}]*)\}", bbl)) == sorted(ALL_KEYS)
    # plainnat lower-cases titles; the braced words keep their capitals
    assert "{LoRA} learns less and forgets less" in bbl
    assert "Is {DPO} superior to {PPO} for {LLM} alignment?" in bbl
    # accents under the default OT1 encoding, as most conference templates use
    assert r"Petar Veli{\v{c}}kovi{\'c}" in bbl
    # a new sentence after "!" keeps its capital
    assert "Transformers need glasses! {Information} over-squashing" in bbl
    aux = (tmp_path / "doc.aux").read_text(encoding="utf-8")
    assert sorted(re.findall(r"\\bibcite\{([^}]*)\}", aux)) == sorted(ALL_KEYS)


@needs_biber
@requires_tex_file("ieee.bbx", "texlive-bibtex-extra")
@pytest.mark.parametrize("style", ["authoryear", "ieee"])
@pytest.mark.parametrize("flags", [[], ["--biblatex"]], ids=["default", "biblatex"])
def test_whole_catalog_compiles_with_biber(run, tmp_path, flags, style):
    """biblatex's authoryear and, from biblatex-ieee, ieee: no warning from biber."""
    ok(run("export", *flags, "-o", tmp_path / "refs.bib"))
    write(
        tmp_path,
        "doc.tex",
        "\\documentclass{article}\n"
        f"\\usepackage[backend=biber,style={style}]{{biblatex}}\n\\addbibresource{{refs.bib}}\n"
        "\\begin{document}\nAll of them: \\parencite{" + ",".join(ALL_KEYS) + "}.\n"
        "\\printbibliography\n\\end{document}\n",
    )
    _compile(tmp_path, "doc", "biber")
    bbl = (tmp_path / "doc.bbl").read_text(encoding="utf-8")
    assert sorted(re.findall(r"\\entry\{([^}]*)\}", bbl)) == sorted(ALL_KEYS)
    # biber read the names right, from LaTeX accents or from UTF-8, multi-word family
    # names whole (biber joins their words with \bibnamedelima)
    for family in (
        "Veličković",
        "Araújo",
        "Gonzalez\\bibnamedelima Ortiz",
        "El\\bibnamedelima Showk",
    ):
        assert f"family={{{family}}}" in bbl, family
    assert "family={Laroussilhe},\n" in bbl and "prefix={de}," in bbl  # a "von" part
    # every initial biber makes is a letter and a period: no "(." from a parenthesis
    assert not re.search(r"giveni=\{[^}]*[()]", bbl)


EXPORT_VARIANTS = [[], ["--biblatex"], ["--as-listed"], ["--as-listed", "--biblatex"]]


@needs_biber
@pytest.mark.parametrize("flags", EXPORT_VARIANTS, ids=" ".join)
def test_every_export_variant_fits_biblatex_data_model(run, tmp_path, flags):
    """biber's own check of each entry's type and fields against biblatex's data model."""
    ok(run("export", *flags, "-o", tmp_path / "refs.bib"))
    done = _tool(tmp_path, "biber", "--tool", "--validate-datamodel", "refs.bib")
    log = done.stdout + (tmp_path / "refs.bib.blg").read_text(encoding="utf-8", errors="replace")
    assert "Datamodel validation complete" in log, log  # biber did run its checks
    assert "WARN" not in log and "ERROR" not in log, log


@needs_bibtex
@requires_tex_file("IEEEtran.bst", "texlive-publishers")
@pytest.mark.parametrize("flags", [[], ["--as-listed"]], ids=["default", "as-listed"])
@pytest.mark.parametrize("style", ["plainnat", "abbrvnat", "unsrtnat", "IEEEtran"])
def test_whole_catalog_compiles_in_each_bibtex_style(run, tmp_path, style, flags):
    """No warning from bibtex in the natbib styles and IEEEtran, with url loaded."""
    ok(run("export", *flags, "-o", tmp_path / "refs.bib"))
    natbib = "" if style == "IEEEtran" else "\\usepackage{natbib}\n"  # IEEEtran: numbers only
    write(
        tmp_path,
        "doc.tex",
        f"\\documentclass{{article}}\n{natbib}\\usepackage{{url}}\n\\begin{{document}}\n"
        f"\\nocite{{*}}\n\\bibliographystyle{{{style}}}\n\\bibliography{{refs}}\n"
        "\\end{document}\n",
    )
    _compile(tmp_path, "doc")
    aux = (tmp_path / "doc.aux").read_text(encoding="utf-8")
    assert sorted(re.findall(r"\\bibcite\{([^}]*)\}", aux)) == sorted(ALL_KEYS)


# The bibliography as a reader sees it: pdftotext (Debian's poppler-utils) on a page wide
# enough, and hyphenation off, so that no word is broken across lines.
RENDER_PREAMBLE = (
    "\\documentclass{article}\n\\usepackage[T1]{fontenc}\n\\usepackage{lmodern}\n"
    "\\usepackage[paperwidth=120cm,paperheight=250cm,margin=1cm]{geometry}\n"
    "\\usepackage{url}\n\\hyphenpenalty=10000 \\exhyphenpenalty=10000\n"
)


def _rendered(folder: Path) -> str:
    _tool(folder, "pdftotext", "-enc", "UTF-8", "doc.pdf", "doc.txt")
    return " ".join((folder / "doc.txt").read_text(encoding="utf-8").split())


# The styles reviewers compile with beyond natbib's and IEEE's: the publishers' own classes
# (ACM, Springer's LNCS, Elsevier, each loading what its template loads), APA and Chicago
# author-year styles, and BibTeX's standard ones. (preamble, a file it needs, Debian package)
ARTICLE = (
    "\\documentclass{article}\n\\usepackage[T1]{fontenc}\n\\usepackage{lmodern}\n"
    "\\usepackage{url}\n"
)
NATBIB = ARTICLE + "\\usepackage{natbib}\n"
REVIEWER_BSTS = {
    "ACM-Reference-Format": (  # T1, as acmart loads it where its fonts are installed
        "\\documentclass[sigconf,nonacm]{acmart}\n\\usepackage[T1]{fontenc}\n\\usepackage{lmodern}\n",
        "acmart.cls",
        "texlive-publishers",
    ),
    "splncs04": (  # Springer's LNCS template loads T1
        "\\documentclass{llncs}\n\\usepackage[T1]{fontenc}\n\\usepackage{url}\n",
        "llncs.cls",
        "texlive-publishers",
    ),
    # Elsevier's template loads hyperref: without it or url, elsarticle's \\url stand-in
    # cannot typeset the _ of a proceedings URL (true of any .bib)
    "elsarticle-num": (
        "\\documentclass{elsarticle}\n\\usepackage{hyperref}\n",
        "elsarticle-num.bst",
        "texlive-publishers",
    ),
    "elsarticle-harv": (
        "\\documentclass[authoryear]{elsarticle}\n\\usepackage{hyperref}\n",
        "elsarticle-harv.bst",
        "texlive-publishers",
    ),
    "apacite": (ARTICLE + "\\usepackage{apacite}\n", "apacite.sty", "texlive-bibtex-extra"),
    "apalike": (NATBIB, "apalike.bst", "texlive-base"),
    "chicago": (NATBIB, "chicago.bst", "texlive-bibtex-extra"),
    "plain": (ARTICLE, "plain.bst", "texlive-base"),
    "alpha": (ARTICLE, "alpha.bst", "texlive-base"),
    "siam": (ARTICLE, "siam.bst", "texlive-base"),
    "acm": (ARTICLE, "acm.bst", "texlive-base"),
}
# What a style's warning says is missing: a warning allowed only for an entry that has none
# of these (ICLR and TMLR papers have no pages; NeurIPS names no publisher's city), never
# for something the export left out or wrote in a form the style could not read.
ABSENT = {
    "empty address": ("address",),
    "empty publisher": ("publisher",),
    "empty pages": ("pages",),
    "page numbers missing": ("pages",),
    "page numbers missing in both pages and numpages fields": ("pages",),
    "no number and no volume": ("number", "volume"),
}


def _assert_warnings_only_for_absent_data(folder: Path, name: str, bib: Path) -> None:
    """bibtex, whose .blg may warn only that an entry lacks what the catalog does not have."""
    _tool(folder, "bibtex", name)
    blg = (folder / f"{name}.blg").read_text(encoding="utf-8", errors="replace")
    fields = {
        e.key: {f.key.lower() for f in e.fields}
        for e in bibtexparser.parse_string(bib.read_text(encoding="utf-8")).entries
    }
    for line in blg.splitlines():
        if not line.startswith("Warning--"):
            assert "error message" not in line, blg
            continue
        if line == "Warning--`others' not consistent with 6th ed. of the APA Manual":
            continue  # apacite's, for an author list the source cut short ("and others")
        found = re.fullmatch(r"Warning--(.*) in (\S+)", line)
        assert found and found.group(1) in ABSENT, line
        missing, key = ABSENT[found.group(1)], found.group(2)
        assert not set(missing) & fields[key], (line, fields[key])


def _typeset_with_bibtex(folder: Path, bib: Path, preamble: str, style: str) -> str:
    """Every entry of `bib` in `style`, compiled (pdflatex, bibtex, pdflatex twice) with
    every citation resolved and warnings only for absent data: the text a reader sees."""
    write(
        folder,
        "doc.tex",
        f"{preamble}\\hyphenpenalty=10000 \\exhyphenpenalty=10000\n\\begin{{document}}\n"
        f"\\nocite{{*}}\n\\bibliographystyle{{{style}}}\n\\bibliography{{refs}}\n"
        "\\end{document}\n",
    )
    _latex(folder, "doc")
    _assert_warnings_only_for_absent_data(folder, "doc", bib)
    _latex(folder, "doc")
    _assert_resolved(_latex(folder, "doc"))
    return unicodedata.normalize("NFC", _rendered(folder))


ACL_PROCEEDINGS = "Annual Meeting of the Association for Computational Linguistics"


def _assert_typeset_cleanly(
    text: str, preprints: list[str], proceedings: str, url_alone: bool = False
) -> None:
    """What a reader sees: each preprint's arXiv id once (not "arXiv preprint arXiv:X.
    arXiv:X"), a proceedings' name in its capitals, no LaTeX left raw. With `url_alone`
    (biblatex-apa prints a @misc's URL, which names arXiv, and no eprint) the id may be
    in the URL only."""
    squeezed = "".join(text.split())
    for arxiv in preprints:
        said = squeezed.count(f"arXiv:{arxiv}")
        alone = url_alone and said == 0 and f"arxiv.org/abs/{arxiv}" in squeezed
        assert said == 1 or alone, (
            arxiv,
            re.findall(f".{{80}}{arxiv}", text),
        )
    assert proceedings in text
    assert not re.search(r"[\\{}$]|\?\?", text), re.findall(r".{30}[\\{}$?].{30}", text)


def _preprints(bib: Path) -> list[str]:
    """The arXiv ids of the entries a .bib cites as preprints (@misc, or an imported
    @article whose journal names arXiv, as Google Scholar writes one)."""
    text = bib.read_text(encoding="utf-8")
    entries = bibtexparser.parse_string(text).entries
    journal = {e.key: e.fields_dict["journal"].value for e in entries if "journal" in e.fields_dict}
    found = [
        re.search(r"\d{4}\.\d{4,5}", e.fields_dict["url"].value)
        for e in entries
        if e.entry_type == "misc" or "arxiv" in journal.get(e.key, "").casefold()
    ]
    assert all(found) and found
    return [f.group(0) for f in found if f]


def _reviewer_style(name: str, table: dict) -> pytest.param:
    file, package = table[name][1:]
    return pytest.param(name, marks=requires_tex_file(file, package), id=name)


@requires_tools("pdflatex", "bibtex", "pdftotext")
@pytest.mark.parametrize("style", [_reviewer_style(n, REVIEWER_BSTS) for n in REVIEWER_BSTS])
def test_whole_catalog_typesets_cleanly_in_reviewers_bibtex_styles(run, tmp_path, style):
    """Once per style, every entry together: bibtex warns of nothing but data the catalog
    does not have, and the bibliography reads right."""
    bib = tmp_path / "refs.bib"
    ok(run("export", "-o", bib))
    text = _typeset_with_bibtex(tmp_path, bib, REVIEWER_BSTS[style][0], style)
    aux = (tmp_path / "doc.aux").read_text(encoding="utf-8")
    assert set(re.findall(r"\\bibcite\{([^}]*)\}", aux)) == set(ALL_KEYS)
    _assert_typeset_cleanly(text, _preprints(bib), ACL_PROCEEDINGS)


COLLECTED_BIB = Path(__file__).parent / "fixtures" / "user-import.bib"


@requires_tools("pdflatex", "bibtex", "pdftotext")
@pytest.mark.parametrize(
    "style",
    [
        pytest.param("plainnat", id="plainnat"),
        *(_reviewer_style(n, REVIEWER_BSTS) for n in ("ACM-Reference-Format", "apacite")),
    ],
)
def test_what_a_user_imports_exports_cleanly(run, tmp_path, style):
    """A user's own list, filled by `import` from a .bib as people collect them (JMLR, Nature,
    ACL, NeurIPS, a team as author, Vietnamese, Romanian and Polish names): its export
    compiles as cleanly as the shipped catalog's."""
    ok(run("init", "--empty"))
    imported = ok(run("import", COLLECTED_BIB, "--topic", "peft"))
    bib = tmp_path / "refs.bib"
    ok(run("export", "-o", bib))
    assert len(keys_of(bib.read_text(encoding="utf-8"))) == 12, imported
    preamble = NATBIB if style == "plainnat" else REVIEWER_BSTS[style][0]
    text = _typeset_with_bibtex(tmp_path, bib, preamble, style)
    _assert_typeset_cleanly(
        text, _preprints(bib), "North American Chapter of the Association for Computational"
    )
    assert "Gemini Team" in text  # not "G. Team" nor "Team, G."
    assert not re.search(r"\bTeam, G|\bG\. Team", text)
    # \textcommabelow draws Ș's mark as a comma, which pdftotext reads as one: "S,tef"
    for name in ("Nguyễn", "tefănescu", "Dąbrowski", "Schmidhuber", "van Beethoven"):
        assert name in text, name
    # "Guy L. Steele Jr.", "Ludwig van Beethoven": apacite printed "Jr., G. L. S." and
    # "Beethoven, L. v."
    assert "Steele" in text and not re.search(r"Jr\.?, G", text)
    assert re.search(r"-[Nn]earest [Nn]eighbors in \S\(\S log \S\)", text)  # math, not "$k$"


KINDS_BIB = Path(__file__).parent / "fixtures" / "bib" / "kinds.bib"
# What each style calls a PhD thesis and a technical report, as it prints them.
KIND_WORDS = {
    "plainnat": ("PhD thesis", "Technical Report"),
    "IEEEtran": ("Ph.D. dissertation", "Tech. Rep."),
    "ACM-Reference-Format": ("Ph. D. Dissertation", "Technical Report"),
    "authoryear": ("PhD thesis", "Tech. rep."),
    "ieee": ("Ph.D. dissertation", "Tech. Rep."),
}


def _imported_kinds(run) -> None:
    """A user's own list filled from a .bib of a book, two theses, a report and three web
    pages (one whose address has a % and a #)."""
    ok(run("init", "--empty"))
    ok(run("import", KINDS_BIB, "--topic", "peft"))


def _exported_kinds(run, bib: Path, *flags: str) -> dict[str, str]:
    """Export the list to `bib`: its entries' types by key."""
    ok(run("export", *flags, "-o", bib))
    entries = bibtexparser.parse_string(bib.read_text(encoding="utf-8")).entries
    return {e.key: e.entry_type for e in entries}


def _assert_kinds_typeset(text: str, style: str) -> None:
    """Who put each work out, and what it is, as the reader sees them."""
    squeezed = "".join(text.split())  # a URL or a number broken across lines
    thesis, report = KIND_WORDS[style]
    for said in (
        thesis,
        report,
        "Stanford University",
        "University of Toronto",
        "MIT Press",
        "Cambridge, MA",
        "Anthropic News",
        "UTML TR 2012-001",
        "openai.com/research/gpt-4",
        "anthropic.com/news/claude-3-family",
        "Wikipedia",
        "wikipedia.org/wiki/Attention_%28machine_learning%29#Overview",
    ):
        assert "".join(said.split()) in squeezed, (said, text)
    assert squeezed.count("openai.com/research/gpt-4") == 1  # the address once


@requires_tools("pdflatex", "bibtex", "pdftotext")
@pytest.mark.parametrize(
    "style",
    [
        pytest.param("plainnat", id="plainnat"),
        pytest.param("IEEEtran", marks=requires_tex_file("IEEEtran.bst", "texlive-publishers")),
        _reviewer_style("ACM-Reference-Format", REVIEWER_BSTS),
    ],
)
def test_imported_books_theses_reports_and_pages_export_as_what_they_are(run, tmp_path, style):
    """@book, @phdthesis, @mastersthesis, @techreport and a web page @misc come back as
    such, with publisher, school, institution and number, and the page's address: bibtex
    warns of nothing, once for all seven in each style."""
    bib = tmp_path / "refs.bib"
    _imported_kinds(run)
    kinds = _exported_kinds(run, bib)
    assert sorted(kinds.values()) == sorted(
        ["book", "phdthesis", "mastersthesis", "techreport", "misc", "misc", "misc"]
    )
    if style == "ACM-Reference-Format":
        preamble = REVIEWER_BSTS[style][0]
    else:
        preamble = RENDER_PREAMBLE + ("\\usepackage{natbib}\n" if style == "plainnat" else "")
    text = _typeset_with_bibtex(tmp_path, bib, preamble, style)
    assert "Warning--" not in (tmp_path / "doc.blg").read_text(encoding="utf-8")
    _assert_kinds_typeset(text, style)


@requires_tools("pdflatex", "biber", "pdftotext")
@requires_tex_file("ieee.bbx", "texlive-bibtex-extra")
@pytest.mark.parametrize("style", ["authoryear", "ieee"])
def test_imported_books_theses_reports_and_pages_compile_with_biblatex(run, tmp_path, style):
    """The --biblatex export (each entry's own type, a web page's urldate) and the classic
    one both fit biblatex's data model, and biber warns of nothing."""
    _imported_kinds(run)
    for flags, name in (([], "classic.bib"), (["--biblatex"], "refs.bib")):
        kinds = _exported_kinds(run, tmp_path / name, *flags)
        done = _tool(tmp_path, "biber", "--tool", "--validate-datamodel", name)
        log = done.stdout + (tmp_path / f"{name}.blg").read_text(encoding="utf-8")
        assert "Datamodel validation complete" in log, log
        assert "WARN" not in log and "ERROR" not in log, log
    # each as the .bib had it (#15): biber reads @phdthesis as @thesis, @techreport as @report
    expected = ["book", "mastersthesis", "misc", "misc", "misc", "phdthesis", "techreport"]
    assert sorted(kinds.values()) == expected
    write(
        tmp_path,
        "doc.tex",
        RENDER_PREAMBLE + f"\\usepackage[backend=biber,style={style}]{{biblatex}}\n"
        "\\addbibresource{refs.bib}\n\\begin{document}\n\\nocite{*}\n\\printbibliography\n"
        "\\end{document}\n",
    )
    _compile(tmp_path, "doc", "biber")
    _assert_kinds_typeset(_rendered(tmp_path), style)


# biblatex styles beyond authoryear and ieee, from their own packages (biblatex-apa,
# biblatex-chicago, biblatex-nature): (the line that loads it, a file it needs, Debian package)
REVIEWER_BBXS = {
    "apa": ("\\usepackage[backend=biber,style=apa]{biblatex}", "apa.bbx", "texlive-bibtex-extra"),
    "chicago": (
        "\\usepackage[authordate,backend=biber]{biblatex-chicago}",
        "chicago-authordate.bbx",
        "texlive-bibtex-extra",
    ),
    "nature": (
        "\\usepackage[backend=biber,style=nature]{biblatex}",
        "nature.bbx",
        "texlive-bibtex-extra",
    ),
}


@requires_tools("pdflatex", "biber", "pdftotext")
@pytest.mark.parametrize("style", [_reviewer_style(n, REVIEWER_BBXS) for n in REVIEWER_BBXS])
def test_whole_catalog_typesets_cleanly_in_reviewers_biblatex_styles(run, tmp_path, style):
    """The --biblatex export in APA, Chicago and Nature: no warning from biber, and the
    bibliography reads right (APA sets a booktitle in sentence case: the ACL's stays)."""
    ok(run("export", "--biblatex", "-o", tmp_path / "refs.bib"))
    write(
        tmp_path,
        "doc.tex",
        RENDER_PREAMBLE + REVIEWER_BBXS[style][0] + "\n\\addbibresource{refs.bib}\n"
        "\\begin{document}\n\\nocite{*}\n\\printbibliography\n\\end{document}\n",
    )
    _compile(tmp_path, "doc", "biber")
    bbl = (tmp_path / "doc.bbl").read_text(encoding="utf-8")
    assert set(re.findall(r"\\entry\{([^}]*)\}", bbl)) == set(ALL_KEYS)
    # biblatex prints an eprint as "arXiv: 1909.08593", once
    _assert_typeset_cleanly(
        _rendered(tmp_path), _preprints(tmp_path / "refs.bib"), ACL_PROCEEDINGS, style == "apa"
    )


def _assert_reads_as_written(text: str, as_listed: bool) -> None:
    """Capitals, accents and initials as the papers have them."""
    for written in ("LLaMA-Adapter", "LLM-Adapters", "P-Tuning", "LoRA", "BERT", "Veličković"):
        assert written in text, written
    assert "Y. C. Lin" in text  # not "Y. (. Lin" or "Y. ( Lin"
    assert ("J. G. M. Araújo" if as_listed else "J. M. Araújo") in text  # not "J. G. Araújo"
    # no initial next to a parenthesis, nor a parenthesis made an initial
    assert not re.search(r"\b[A-Z]\.\s*\(|\(\.", text), re.findall(r".{30}\(\..{30}", text)


@requires_tools("pdflatex", "bibtex", "pdftotext")
@pytest.mark.parametrize("flags", [[], ["--as-listed"]], ids=["default", "as-listed"])
def test_bibliography_reads_as_written_with_abbrvnat(run, tmp_path, flags):
    ok(run("export", *flags, "-o", tmp_path / "refs.bib"))
    write(
        tmp_path,
        "doc.tex",
        RENDER_PREAMBLE + "\\usepackage{natbib}\n\\begin{document}\n\\nocite{*}\n"
        "\\bibliographystyle{abbrvnat}\n\\bibliography{refs}\n\\end{document}\n",
    )
    _compile(tmp_path, "doc")
    _assert_reads_as_written(_rendered(tmp_path), as_listed=bool(flags))


@requires_tools("pdflatex", "biber", "pdftotext")
@requires_tex_file("ieee.bbx", "texlive-bibtex-extra")
@pytest.mark.parametrize("flags", [["--biblatex"], ["--biblatex", "--as-listed"]], ids=" ".join)
def test_bibliography_reads_as_written_with_biblatex_ieee(run, tmp_path, flags):
    ok(run("export", *flags, "-o", tmp_path / "refs.bib"))
    write(
        tmp_path,
        "doc.tex",
        RENDER_PREAMBLE
        + "\\usepackage[backend=biber,style=ieee,maxnames=99]{biblatex}\n"  # all authors
        "\\addbibresource{refs.bib}\n\\begin{document}\n\\nocite{*}\n"
        "\\printbibliography\n\\end{document}\n",
    )
    _compile(tmp_path, "doc", "biber")
    _assert_reads_as_written(_rendered(tmp_path), as_listed="--as-listed" in flags)


@needs_bibtex
def test_draft_exported_with_tex_compiles(run, draft):
    folder = draft.parent
    ok(run("export", "--tex", draft, "-o", folder / "refs.bib"))
    assert keys_of((folder / "refs.bib").read_text(encoding="utf-8")) == DRAFT_KEYS
    # the draft uses LaTeX's default OT1 encoding: its papers' accents must work there
    _compile(folder, "draft")
    aux = (folder / "draft.aux").read_text(encoding="utf-8")
    assert sorted(re.findall(r"\\bibcite\{([^}]*)\}", aux)) == sorted(DRAFT_KEYS)
    # the compiled .aux names the same keys
    assert keys_of(ok(run("export", "--aux", folder / "draft.aux"))) == DRAFT_KEYS


@needs_biber
def test_biblatex_draft_exported_with_tex_compiles(run, tmp_path):
    main = write(
        tmp_path,
        "paper.tex",
        "\n".join(
            [
                r"\documentclass{article}",
                r"\usepackage[backend=biber,style=authoryear]{biblatex}",
                r"\addbibresource{refs.bib}",
                r"\begin{document}",
                r"\textcite{xiao2024efficient} found attention sinks",
                r"\autocite[3]{yu2024unveiling};",
                r"see also \parencites[12]{cancedda2024spectral}{liu2024lost}. % \cite{dola}",
                r"\printbibliography",
                r"\end{document}",
            ]
        ),
    )
    keys = ["xiao2024efficient", "yu2024unveiling", "cancedda2024spectral", "liu2024lost"]
    ok(run("export", "--biblatex", "--tex", main, "-o", tmp_path / "refs.bib"))
    assert keys_of((tmp_path / "refs.bib").read_text(encoding="utf-8")) == keys
    _compile(tmp_path, "paper", "biber")
    bbl = (tmp_path / "paper.bbl").read_text(encoding="utf-8")
    assert sorted(re.findall(r"\\entry\{([^}]*)\}", bbl)) == sorted(keys)
    # biblatex's .aux (\abx@aux@cite) names the same keys
    assert sorted(keys_of(ok(run("export", "--aux", tmp_path / "paper.aux")))) == sorted(keys)


def test_merge_through_a_symlink_updates_the_linked_file(run, tmp_path: Path) -> None:
    """refs.bib -> shared/refs.bib: the shared file gets the new entry, the link stays a link."""
    shared = tmp_path / "shared"
    shared.mkdir()
    target = shared / "refs.bib"
    original = "@misc{mine, title = {Mine}, year = {2020}}\n"
    target.write_text(original, encoding="utf-8")
    link = tmp_path / "refs.bib"
    link.symlink_to(target)
    result = run("export", "dpo", "--merge", link)
    assert result.exit_code == 0, result.stderr
    assert link.is_symlink()
    merged = target.read_text(encoding="utf-8")
    assert merged.startswith(original) and "rafailov2023direct" in merged


def test_new_file_on_a_file_system_without_hard_links(run, tmp_path, monkeypatch) -> None:
    """link() refused (FAT, some network mounts): the new file is still written whole."""
    import errno as errno_module

    def no_links(src, dst):
        raise OSError(errno_module.EPERM, "Operation not permitted")

    monkeypatch.setattr(fsutil.os, "link", no_links)
    out = tmp_path / "refs.bib"
    result = run("export", "dpo", "-o", out)
    assert result.exit_code == 0, result.stderr
    assert "rafailov2023direct" in out.read_text(encoding="utf-8")
    assert listing(tmp_path) == ["refs.bib"]
    # and it still refuses to overwrite
    one_error_line(run("export", "dpo", "-o", out))


# ---------------------------------------------------------------- hostile catalogs (issue 12)


@pytest.mark.parametrize(
    ("line", "replacement"),
    [
        (
            'url = "https://example.org/alpha"',
            'url = "https://x.org/}}@misc{injected, title={Owned}}@comment{"',
        ),
        ('doi = "10.1234/beta.two"', 'doi = "10.1234/x}}@misc{injected,}"'),
    ],
    ids=["url", "doi"],
)
def test_injection_through_doi_or_url_is_refused(run, write_catalog, line, replacement):
    assert line in TINY_CATALOG
    hostile = write_catalog(TINY_CATALOG.replace(line, replacement))
    error = one_error_line(run("--catalog", hostile, "export"))
    name = replacement.split(" ")[0]
    assert f"field '{name}'" in error and "paper '" in error
    assert "is not a" in error


@pytest.mark.parametrize("how", [[], ["-o", "x.bib"], ["--merge", "x.bib"]], ids=" ".join)
def test_a_name_pdflatex_cannot_typeset_is_warned_of(run, write_catalog, tmp_path, how):
    """Hangul has no LaTeX form: kept as UTF-8, it stops pdflatex ("Unicode character 김 not
    set up for use with LaTeX"). The export still writes it, and says which entry and what
    compiles it; --biblatex (UTF-8 for biber, with XeLaTeX or LuaLaTeX) says nothing."""
    line = 'authors = ["Min-ji Lee"]'
    assert line in TINY_CATALOG
    korean = write_catalog(TINY_CATALOG.replace(line, 'authors = ["Min-ji Lee", "김철수"]'))
    where = [str(tmp_path / a) if a.endswith(".bib") else a for a in how]
    result = run("--catalog", korean, "export", *where)
    assert result.exit_code == 0, result.stderr
    warnings = [w for w in result.stderr.splitlines() if w.startswith("warning:")]
    assert warnings == [
        "warning: lee2024gamma: pdflatex cannot typeset 김철수 (no LaTeX command writes it); "
        "compile with XeLaTeX or LuaLaTeX"
    ]
    written = result.stdout if not how else (tmp_path / "x.bib").read_text(encoding="utf-8")
    assert "김철수" in written and len(keys_of(written)) == 3
    quiet = run("--catalog", korean, "export", "--biblatex")
    assert "warning" not in quiet.stderr
    # accents have LaTeX forms (Müller, Łukasz): nothing to warn of
    plain = run("--catalog", write_catalog(TINY_CATALOG), "export")
    assert ok(plain).isascii() and "warning" not in plain.stderr


def test_a_letter_only_t1_fonts_have_is_warned_of(run, write_catalog):
    """ą (\\k) and Đ (\\DJ) exist only in T1 fonts: in LaTeX's default OT1, which ICML's
    template keeps, pdflatex stops ("Command \\k unavailable in encoding OT1")."""
    line = 'authors = ["Min-ji Lee"]'
    polish = write_catalog(
        TINY_CATALOG.replace(line, 'authors = ["Min-ji Lee", "Michał Zając", "Đorđe Mil"]')
    )
    result = run("--catalog", polish, "export")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines()[:-1] == [
        r"warning: lee2024gamma: \k{a}, \DJ, \dj need T1 fonts: add \usepackage[T1]{fontenc}"
        " if the document has none (LaTeX's default OT1, as in ICML's template, stops on them)"
    ]
    assert result.stderr.splitlines()[-1].startswith("exported 3 entries: every paper")
    assert r"Zaj{\k{a}}c" in result.stdout


# ---------------------------------------------------------------- drafts that cite nothing


@pytest.mark.parametrize(
    ("name", "text", "option"),
    [
        ("empty.tex", "", "--tex"),
        ("plain.tex", "\\documentclass{article}\nNo citation here.\n", "--tex"),
        ("bare.tex", "Ends in a bare \\cite", "--tex"),
        ("commented.tex", "% \\cite{rafailov2023direct}\n", "--tex"),
        ("draft.aux", "\\relax\n", "--aux"),
    ],
)
@pytest.mark.parametrize("target", ["stdout", "-o", "--merge"])
def test_a_draft_that_cites_nothing_is_an_error_not_everything(
    run, tmp_path, name, text, option, target
):
    source = write(tmp_path, name, text)
    bib = tmp_path / "refs.bib"
    if target == "--merge":
        bib.write_text(USER_BIB, encoding="utf-8")
    before = listing(tmp_path)
    args = [] if target == "stdout" else [target, bib]
    line = one_error_line(run("export", option, source, *args))
    assert line == f"error: {source} cites no papers"
    assert listing(tmp_path) == before
    if target == "--merge":
        assert bib.read_text(encoding="utf-8") == USER_BIB


def test_dev_null_as_draft_cites_nothing(run, tmp_path):
    assert one_error_line(run("export", "--tex", os.devnull)) == (
        f"error: {os.devnull} cites no papers"
    )


def test_a_draft_whose_citations_sit_behind_input_without_braces(run, tmp_path):
    write(tmp_path, "chap.tex", "\\citep{rafailov2023direct}")
    main = write(tmp_path, "main.tex", "\\input chap\n")
    assert keys_of(ok(run("export", "--tex", main))) == ["rafailov2023direct"]


def test_nocite_star_still_means_everything_with_a_filter(run, tmp_path):
    main = write(tmp_path, "main.tex", "\\nocite{*}")
    expected = ok(run("export", "--topic", "rlhf"))
    assert keys_of(ok(run("export", "--tex", main, "--topic", "rlhf"))) == keys_of(expected)


@pytest.mark.parametrize("target", ["-o", "--merge"])
def test_a_filter_that_leaves_none_of_the_cited_papers_writes_nothing(run, tmp_path, target):
    main = write(tmp_path, "m.tex", "\\cite{hu2022lora}")  # a PEFT paper, not RLHF
    bib = tmp_path / "x.bib"
    line = one_error_line(run("export", "--tex", main, "--topic", "rlhf", target, bib))
    assert line == (
        f"error: none of the papers {main} cites is in the selection (--topic rlhf); "
        f"{bib} not written"
    )
    assert listing(tmp_path) == ["m.tex"]


def test_an_export_to_a_file_with_nothing_in_it_writes_nothing(run, tmp_path):
    bib = tmp_path / "x.bib"
    line = one_error_line(run("export", "--topic", "peft", "--venue", "tacl", "-o", bib))
    assert (
        line
        == f"error: no citable paper to export with --topic peft --venue tacl; {bib} not written"
    )
    assert listing(tmp_path) == []


# ---------------------------------------------------------------- --merge finds what is there

# each entry is one catalog paper under a form the old comparison missed
DISGUISED_BIB = r"""@string{lora = "{LoRA}"}
@string{rest = "Low-Rank Adaptation of Large Language Models"}

@inproceedings{Rafailov2023Direct, title = {Some other title}}
@misc{mine-prefix, title = {Notes}, doi = {doi:10.18653/V1/2021.ACL-LONG.353}}
@misc{mine-prompt, title = {Notes 2}, doi = {https://doi.org/10.18653/v1/2021.emnlp-main.243}}
@misc{mine-ptuning, title = {Notes 3}, url = {https://dx.doi.org/10.18653/v1/2022.acl-short.8}}
@misc{mine-dpo-doi, title = {Notes 4}, doi = {10.48550/arXiv.2305.18290}}
@misc{mine-lora, title = lora # ": " # rest}
"""
DISGUISED = {
    "rafailov2023direct": ("Rafailov2023Direct", "same key"),
    "li2021prefix": ("mine-prefix", "same DOI"),
    "lester2021power": ("mine-prompt", "same DOI"),
    "liu2022p": ("mine-ptuning", "same DOI"),
    "hu2022lora": ("mine-lora", "same title"),
}


def test_merge_finds_papers_under_other_case_doi_forms_and_string_titles(run, tmp_path):
    bib = write(tmp_path, "refs.bib", DISGUISED_BIB)
    result = run(
        "export", "dpo", "prefix-tuning", "prompt-tuning", "p-tuning-v2", "lora", "--merge", bib
    )
    ok(result)
    assert bib.read_text(encoding="utf-8") == DISGUISED_BIB
    for key, (existing, why) in DISGUISED.items():
        assert f"already has {key} as '{existing}' ({why}); not added" in result.stderr
    assert result.stderr.splitlines()[-1] == f"added 0 entries to {bib}"


def test_merge_finds_a_paper_by_arxivs_own_doi(run, tmp_path):
    bib = write(tmp_path, "refs.bib", "@misc{dpo-doi, doi = {10.48550/arXiv.2305.18290}}\n")
    result = run("export", "dpo", "--merge", bib)
    ok(result)
    assert "already has rafailov2023direct as 'dpo-doi' (same arXiv id)" in result.stderr


def test_merge_adds_crlf_entries_to_a_crlf_file(run, tmp_path):
    bib = tmp_path / "refs.bib"
    original = b"@misc{mine,\r\n  title = {Mine},\r\n}\r\n"
    bib.write_bytes(original)
    ok(run("export", "dpo", "lora", "--merge", bib))
    after = bib.read_bytes()
    assert after.startswith(original)
    added = after[len(original) :]
    assert added.startswith(b"\r\n@") and added.endswith(b"}\r\n")
    assert b"\n" not in added.replace(b"\r\n", b"")  # no bare LF anywhere
    assert keys_of(after.decode("utf-8")) == ["mine", "rafailov2023direct", "hu2022lora"]


def test_merge_adds_lf_entries_to_an_lf_file(run, tmp_path):
    bib = write(tmp_path, "refs.bib", "@misc{mine, title = {Mine}}\n")
    ok(run("export", "dpo", "--merge", bib))
    assert b"\r" not in bib.read_bytes()


def test_merge_an_unclosed_entry_hides_none_after_it(run, tmp_path):
    text = "@misc{broken, title = {never closed\n\n@misc{rafailov2023direct, title = {DPO}}\n"
    bib = write(tmp_path, "refs.bib", text)
    result = run("export", "dpo", "--merge", bib)
    ok(result)
    assert "already has 1 paper under the same key (rafailov2023direct)" in result.stderr
    assert bib.read_text(encoding="utf-8") == text


# ---------------------------------------------------------------- files that are not plain files


def _fifo(folder: Path) -> Path:
    path = folder / "fakenull"
    os.mkfifo(path)
    return path


def _device(folder: Path) -> Path:
    """A character device like /dev/null (major 1, minor 3), made in the test's folder:
    /dev/null itself is never put at risk."""
    if os.geteuid() != 0:
        pytest.skip("making a device node needs root")
    path = folder / "fakenull"
    try:
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("this container may not make device nodes")
    return path


def _link_to_fifo(folder: Path) -> Path:
    """A symbolic link of ours (written through) that leads to a FIFO."""
    os.mkfifo(folder / "pipe")
    os.symlink("pipe", folder / "fakenull")
    return folder / "fakenull"


@pytest.mark.parametrize("make", [_fifo, _device, _link_to_fifo], ids=["fifo", "device", "link"])
@pytest.mark.parametrize("how", [["-o"], ["-o", "--force"], ["--merge"]], ids=" ".join)
def test_a_fifo_or_device_is_never_replaced(run, tmp_path, make, how):
    target = make(tmp_path)
    before = listing(tmp_path)
    kinds = {name: stat.S_IFMT((tmp_path / name).lstat().st_mode) for name in before}
    args = [*how[:1], target, *how[1:]]
    line = one_error_line(run("export", "dpo", *args))
    assert "fakenull" in line or "pipe" in line
    assert "not a regular file" in line
    # still the FIFO, device or link, and no temp file left
    assert {
        name: stat.S_IFMT((tmp_path / name).lstat().st_mode) for name in listing(tmp_path)
    } == kinds


def test_output_dash_is_stdout(run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert keys_of(ok(run("export", "dpo", "-o", "-"))) == ["rafailov2023direct"]
    assert listing(tmp_path) == []


# ---------------------------------------------------------------- permissions, owner, links


@pytest.mark.parametrize("how", [["--merge"], ["--force", "-o"]], ids=" ".join)
def test_a_read_only_file_is_refused(run, tmp_path, how):
    bib = write(tmp_path, "refs.bib", USER_BIB)
    bib.chmod(0o444)
    line = one_error_line(run("export", "self-rewarding", *how, bib))
    assert str(bib) in line and "read-only" in line
    assert bib.read_text(encoding="utf-8") == USER_BIB
    assert stat.S_IMODE(bib.stat().st_mode) == 0o444
    assert listing(tmp_path) == ["refs.bib"]


@pytest.mark.skipif(os.geteuid() != 0, reason="chown to another user needs root")
@pytest.mark.parametrize("how", [["--merge"], ["--force", "-o"]], ids=" ".join)
def test_root_keeps_the_owner_and_mode_of_a_users_file(run, tmp_path, how):
    bib = write(tmp_path, "refs.bib", USER_BIB)
    os.chown(bib, 65534, 65534)
    bib.chmod(0o640)
    ok(run("export", "self-rewarding", *how, bib))
    info = bib.stat()
    assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (65534, 65534, 0o640)
    assert "yuan2024self" in bib.read_text(encoding="utf-8")


@pytest.mark.parametrize("how", [["--merge"], ["--force", "-o"]], ids=" ".join)
def test_a_hard_linked_bib_stays_linked(run, tmp_path, how):
    bib = write(tmp_path, "refs.bib", USER_BIB)
    other = tmp_path / "thesis-refs.bib"
    os.link(bib, other)
    ok(run("export", "self-rewarding", *how, bib))
    assert os.path.samefile(bib, other) and bib.stat().st_nlink == 2
    text = other.read_text(encoding="utf-8")
    assert "yuan2024self" in text
    if how == ["--merge"]:
        assert text.startswith(USER_BIB)
    assert listing(tmp_path) == ["refs.bib", "thesis-refs.bib"]


# ---------------------------------------------------------------- an edit made while merging

EDIT = "\n@misc{saved-meanwhile, title = {Saved by the editor while litlist worked}}\n"


@pytest.mark.parametrize("linked", [False, True], ids=["plain", "hard-linked"])
def test_an_edit_made_during_the_merge_is_detected_and_kept(run, tmp_path, monkeypatch, linked):
    bib = write(tmp_path, "refs.bib", USER_BIB)
    if linked:
        os.link(bib, tmp_path / "other.bib")
    real_export = bibtex.export

    def export_while_the_user_saves(*args, **kwargs):
        # between the merge's read and its write, the user's editor saves an entry
        with bib.open("a", encoding="utf-8") as handle:
            handle.write(EDIT)
        return real_export(*args, **kwargs)

    monkeypatch.setattr(bibtex, "export", export_while_the_user_saves)
    line = one_error_line(run("export", "self-rewarding", "--merge", bib))
    assert str(bib) in line and "changed" in line and "nothing written" in line
    assert bib.read_text(encoding="utf-8") == USER_BIB + EDIT  # the edit is there, ours not
    assert len(listing(tmp_path)) == (2 if linked else 1)


def test_a_file_replaced_during_the_merge_is_detected(run, tmp_path, monkeypatch):
    bib = write(tmp_path, "refs.bib", USER_BIB)
    real_export = bibtex.export

    def export_while_the_editor_renames(*args, **kwargs):
        # editors save by writing a new file and renaming it over the old one
        new = write(tmp_path, "refs.bib.new", USER_BIB)
        os.replace(new, bib)
        return real_export(*args, **kwargs)

    monkeypatch.setattr(bibtex, "export", export_while_the_editor_renames)
    one_error_line(run("export", "self-rewarding", "--merge", bib))
    assert bib.read_text(encoding="utf-8") == USER_BIB
    assert listing(tmp_path) == ["refs.bib"]


def test_merge_holds_the_lock_while_it_reads_and_writes(run, tmp_path, monkeypatch):
    bib = write(tmp_path, "refs.bib", USER_BIB)
    events: list[str] = []
    real_locked, real_write = fsutil.locked, fsutil.write_atomic

    @contextlib.contextmanager
    def recording_lock(path):
        with real_locked(path):
            events.append(f"lock {Path(path).name}")
            yield
            events.append("unlock")

    def recording_write(path, *args, **kwargs):
        events.append("write")
        return real_write(path, *args, **kwargs)

    monkeypatch.setattr(fsutil, "locked", recording_lock)
    monkeypatch.setattr(fsutil, "write_atomic", recording_write)
    ok(run("export", "self-rewarding", "--merge", bib))
    assert events == ["lock refs.bib", "write", "unlock"]


def test_allow_missing_with_no_known_key_writes_nothing(run, tmp_path):
    main = write(tmp_path, "m.tex", "\\cite{nobody2020}")
    result = run("export", "--tex", main, "--allow-missing", "-o", tmp_path / "x.bib")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        f"error: none of the papers {main} cites is in the catalog; {tmp_path / 'x.bib'} "
        "not written"
    )
    assert listing(tmp_path) == ["m.tex"]


# ---------------------------------------------------------------- a merge keeps the draft compiling

# The user's .bib has LoRA as hu2021lora (found by its title) and DPO as dpo-preprint (by
# its arXiv link); the draft cites both by the catalog's keys, one of them in an \input file.
OTHER_KEYS_BIB = """\
@inproceedings{hu2021lora,
  title = {{LoRA}: Low-Rank Adaptation of Large Language Models},
  author = {Hu, Edward J. and others},
  booktitle = {International Conference on Learning Representations},
  year = {2022}
}

@misc{dpo-preprint,
  title = {Direct Preference Optimization},
  author = {Rafailov, Rafael and others},
  howpublished = {\\url{https://arxiv.org/abs/2305.18290}},
  year = {2023}
}
"""
MERGE_DRAFT = r"""\documentclass{article}
\usepackage{natbib}
\usepackage{url}
\begin{document}
Low-rank updates~\citep{hu2022lora}.
\input{sections/rlhf}
Again \citet{hu2022lora}.
\bibliographystyle{plainnat}
\bibliography{refs}
\end{document}
"""
MERGE_SECTION = "RLHF~\\citep{ziegler2019fine}.\n\nDPO~\\citep{rafailov2023direct}.\n"


@pytest.fixture
def merge_draft(tmp_path) -> tuple[Path, Path]:
    write(tmp_path, "sections/rlhf.tex", MERGE_SECTION)
    bib = write(tmp_path, "refs.bib", OTHER_KEYS_BIB)
    return write(tmp_path, "draft.tex", MERGE_DRAFT), bib


def test_merge_that_would_leave_a_citation_undefined_fails_naming_each_line(run, merge_draft):
    main, bib = merge_draft
    before = bib.read_bytes()
    line = one_error_line(run("export", "--tex", main, "--merge", bib))
    section = main.parent / "sections" / "rlhf.tex"
    assert f"{main}:5, {main}:7: change hu2022lora to hu2021lora (same title)" in line
    assert f"{section}:3: change rafailov2023direct to dpo-preprint (same arXiv id)" in line
    assert "ziegler2019fine" not in line  # not in the .bib: it would simply be added
    assert "--add-as-cited" in line and f"{bib} not written" in line
    assert bib.read_bytes() == before  # nothing written, not even ziegler2019fine
    assert listing(main.parent) == ["draft.tex", "refs.bib", "sections"]


def test_merge_with_add_as_cited_adds_the_cited_keys(run, merge_draft):
    main, bib = merge_draft
    before = bib.read_bytes()
    result = run("export", "--tex", main, "--merge", bib, "--add-as-cited")
    ok(result)
    after = bib.read_bytes()
    assert after.startswith(before)
    added = ["hu2022lora", "ziegler2019fine", "rafailov2023direct"]
    assert keys_of(after.decode("utf-8")) == ["hu2021lora", "dpo-preprint", *added]
    assert "has hu2022lora as 'hu2021lora' (same title); added as hu2022lora" in result.stderr
    assert result.stderr.splitlines()[-1] == f"added 3 entries to {bib}: {', '.join(added)}"


@needs_bibtex
def test_draft_compiles_after_a_merge_with_add_as_cited(run, merge_draft):
    main, bib = merge_draft
    ok(run("export", "--tex", main, "--merge", bib, "--add-as-cited"))
    folder = main.parent
    _compile(folder, "draft")


def test_a_key_that_differs_only_in_case_cannot_be_added_as_cited(run, tmp_path):
    bib = write(tmp_path, "refs.bib", "@misc{HU2022LoRA, title = {Something}}\n")
    main = write(tmp_path, "draft.tex", "\\cite{hu2022lora}\n")
    for extra in ([], ["--add-as-cited"]):
        line = one_error_line(run("export", "--tex", main, "--merge", bib, *extra))
        assert f"{main}:1: change hu2022lora to HU2022LoRA (same key)" in line
        assert "--add-as-cited" not in line  # it would not help: BibTeX sees one key
    assert bib.read_text(encoding="utf-8") == "@misc{HU2022LoRA, title = {Something}}\n"


def test_a_conflict_found_through_an_aux_names_its_lines(run, tmp_path):
    bib = write(tmp_path, "refs.bib", OTHER_KEYS_BIB)
    aux = write(
        tmp_path, "draft.aux", "\\relax\n\\citation{ziegler2019fine}\n\\citation{hu2022lora}\n"
    )
    line = one_error_line(run("export", "--aux", aux, "--merge", bib))
    assert f"{aux}:3: change hu2022lora to hu2021lora (same title)" in line


def test_nocite_star_names_no_key_to_break(run, tmp_path):
    # \nocite{*} lists every entry of the .bib: hu2021lora prints, nothing is undefined
    bib = write(tmp_path, "refs.bib", OTHER_KEYS_BIB)
    main = write(tmp_path, "draft.tex", "\\nocite{*}\n")
    result = run("export", "--tex", main, "--merge", bib)
    ok(result)
    assert "already has hu2022lora as 'hu2021lora' (same title); not added" in result.stderr


def test_a_merge_of_named_papers_has_no_draft_to_break(run, tmp_path):
    bib = write(tmp_path, "refs.bib", OTHER_KEYS_BIB)
    result = run("export", "lora", "self-rewarding", "--merge", bib)
    ok(result)
    assert "already has hu2022lora as 'hu2021lora' (same title); not added" in result.stderr


@pytest.mark.parametrize("how", [["-o", "x.bib"], []], ids=["-o", "stdout"])
def test_add_as_cited_needs_a_merge_and_a_draft(run, tmp_path, how):
    main = write(tmp_path, "draft.tex", "\\cite{hu2022lora}\n")
    line = one_error_line(run("export", "--tex", main, "--add-as-cited", *how))
    assert "--add-as-cited goes with --merge" in line
    line = one_error_line(run("export", "lora", "--merge", tmp_path / "r.bib", "--add-as-cited"))
    assert "--add-as-cited goes with --merge" in line


def test_biblatex_writes_the_fields_its_help_names(run):
    """--help says --biblatex writes eprinttype, journaltitle and date: it does, and no year."""
    # rich draws the help in a box: its side lines fall inside a wrapped sentence
    help_text = " ".join(re.sub("[\u2500-\u257f]", " ", ok(run("export", "--help"))).split())
    named = re.search(r"biblatex fields \(([^)]*)\)", help_text)
    assert named is not None, help_text
    fields = [f.strip() for f in named.group(1).split(",")]
    assert fields == ["eprinttype", "journaltitle", "date"]
    library = bibtexparser.parse_string(ok(run("export", "--biblatex")))
    written = {name for entry in library.entries for name in entry.fields_dict}
    assert set(fields) <= written
    assert "year" not in written and "journal" not in written
    assert all("date" in entry.fields_dict for entry in library.entries)


ORGANISATIONS_BIB = Path(__file__).parent / "fixtures" / "bib" / "organisations.bib"


@requires_tools("pdflatex", "bibtex", "biber", "pdftotext")
@pytest.mark.parametrize(
    ("style", "flags"),
    [
        pytest.param("plainnat", [], id="plainnat"),
        pytest.param(
            "IEEEtran",
            [],
            id="IEEEtran",
            marks=requires_tex_file("IEEEtran.bst", "texlive-publishers"),
        ),
        pytest.param(
            "apacite", [], id="apacite", marks=_reviewer_style("apacite", REVIEWER_BSTS).marks
        ),
        pytest.param("authoryear", [], id="authoryear"),
        pytest.param("authoryear", ["--biblatex"], id="authoryear-biblatex"),
    ],
)
def test_organisations_as_authors_typeset_whole(run, tmp_path, style, flags):
    """ "{Google DeepMind}" read as a person printed "G. DeepMind" or "DeepMind, G.": an
    organisation braced in the catalog compiles with no warning and prints whole."""
    ok(run("init", "--empty"))
    ok(run("import", ORGANISATIONS_BIB, "--topic", "peft"))
    bib = tmp_path / "refs.bib"
    ok(run("export", *flags, "-o", bib))
    if style == "authoryear":
        preamble = RENDER_PREAMBLE + (
            "\\usepackage[backend=biber,style=authoryear,maxnames=99]{biblatex}\n"
            "\\addbibresource{refs.bib}\n"
        )
        end = "\\printbibliography\n"
    else:
        packages = {"plainnat": "\\usepackage{natbib}\n", "apacite": "\\usepackage{apacite}\n"}
        preamble = RENDER_PREAMBLE + packages.get(style, "")
        end = f"\\bibliographystyle{{{style}}}\n\\bibliography{{refs}}\n"
    write(
        tmp_path,
        "doc.tex",
        f"{preamble}\\begin{{document}}\n\\nocite{{*}}\n{end}\\end{{document}}\n",
    )
    _compile(tmp_path, "doc", "biber" if style == "authoryear" else "bibtex")
    text = unicodedata.normalize("NFC", _rendered(tmp_path))
    for name in ("Google DeepMind", "Llama Team, AI @ Meta", "BigScience Workshop"):
        assert name in text, (name, text[:2000])
    assert not re.search(r"DeepMind, G|G\. DeepMind|Workshop, B|B\. Workshop|Meta, L", text), text
    assert "Le Scao" in text and not re.search(r"[\\{}]", text)


@needs_biber
def test_exported_abstracts_fit_biblatex_data_model(run, tmp_path):
    from conftest import TINY_CATALOG

    text = TINY_CATALOG.replace(
        'summary_en = "Beta estimation."',
        'abstract = "Half of 50% & more_than {x}: α.\\n\\nNext paragraph."',
    )
    (tmp_path / "p.toml").write_text(text, encoding="utf-8")
    ok(run("--catalog", str(tmp_path / "p.toml"), "export", "--biblatex", "--abstracts",
           "-o", tmp_path / "refs.bib"))  # fmt: skip
    assert "abstract = {Half of 50\\%" in (tmp_path / "refs.bib").read_text(encoding="utf-8")
    done = _tool(tmp_path, "biber", "--tool", "--validate-datamodel", "refs.bib")
    log = done.stdout + (tmp_path / "refs.bib.blg").read_text(encoding="utf-8", errors="replace")
    assert "Datamodel validation complete" in log, log
    assert "WARN" not in log and "ERROR" not in log, log


@pytest.mark.parametrize("given", ["--tex", "--aux", "draft", "aux-input"])
def test_a_loop_of_links_a_draft_reads_is_one_error(run, tmp_path, given) -> None:
    # `ln -s b.tex a.tex; ln -s a.tex b.tex`: Path.resolve() raised RuntimeError on it
    (tmp_path / "a.tex").symlink_to(tmp_path / "b.tex")
    (tmp_path / "b.tex").symlink_to(tmp_path / "a.tex")
    draft = tmp_path / "draft.tex"
    draft.write_text("\\cite{hu2022lora}\n\\input{a}\n", encoding="utf-8")
    args = {
        "--tex": ["--tex", tmp_path / "a.tex"],
        "--aux": ["--aux", tmp_path / "a.tex"],
        "draft": ["--tex", draft],
    }.get(given, [])
    if given == "aux-input":  # an .aux that \@input's a loop: skipped as LaTeX skips it
        aux = tmp_path / "draft.aux"
        aux.write_text("\\citation{hu2022lora}\n\\@input{a.tex}\n", encoding="utf-8")
        assert "@" in ok(run("export", "--aux", aux))
        return
    line = one_error_line(run("export", *args))
    assert line.startswith(f"error: {tmp_path / 'a.tex'}: ")
    assert "symbolic links" in line
