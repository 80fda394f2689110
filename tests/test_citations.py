"""Which keys a LaTeX draft cites (citations.py): citation commands of natbib and biblatex,
comments, \\input/\\include, and compiled .aux files."""

from __future__ import annotations

from pathlib import Path

import pytest

from litlist import citations
from litlist.citations import keys_in_aux, keys_in_draft, keys_in_tex
from litlist.errors import InputError


@pytest.fixture(autouse=True)
def _isolated(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never touch ~/.cache."""
    monkeypatch.setenv("LITLIST_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    monkeypatch.delenv("LITLIST_CATALOG", raising=False)


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------- commands


@pytest.mark.parametrize(
    ("tex", "keys"),
    [
        (r"\cite{a}", ["a"]),
        (r"\citep[p.~3]{a,b}", ["a", "b"]),
        (r"\citep[see][p.~3]{a, b ,c}", ["a", "b", "c"]),
        (r"\citet{rafailov2023direct}", ["rafailov2023direct"]),
        (r"\citeauthor{a} and \citeyear{b}", ["a", "b"]),
        (r"\citealp{a} \citealt{b} \citeyearpar{c}", ["a", "b", "c"]),
        (r"\Citet{a} \Citep{b} \Citeauthor{c}", ["a", "b", "c"]),
        (r"\nocite{a}", ["a"]),
        (r"\nocite{*}", ["*"]),
        (r"\autocite{a}", ["a"]),
        (r"\parencite[see][12]{x}", ["x"]),
        (r"\textcite{a} \Textcite{b} \footcite{c} \smartcite{d} \fullcite{e}", list("abcde")),
        (r"\Cite{a} \Parencite{b} \Autocite{c}", ["a", "b", "c"]),
        (r"\cites{a}{b}", ["a", "b"]),
        (r"\parencites[1]{a}[2][3]{b}", ["a", "b"]),
        (r"\textcites(pre)(post)[1]{a}[2]{b}", ["a", "b"]),
        (r"\Cites{a}{b}", ["a", "b"]),
        (r"\citep*{a} \citet*[p.~1]{b} \citeauthor*{c}", ["a", "b", "c"]),
        ("\\citep\n  [p.~3]\n  {a}", ["a"]),
        (r"\cite{a}\cite{b}\cite{a}", ["a", "b"]),  # first-use order, once each
        # only \cites and kin take several key groups: {x} after \citet is text
        (r"\citet{a} {\em et al.}", ["a"]),
        (r"\cite[{p. 3]}]{a}", ["a"]),  # a ] inside braces does not end the option
        (r"\citetext{see also} \defcitealias{a}{Paper I} \citestyle{plainnat}", []),
        (r"\newcommand{\mycite}[1]{\citep{#1}} \mycite{a}", ["a"]),
        (r"\bibliography{refs} \bibliographystyle{plainnat} \label{b}", []),
    ],
)
def test_keys_in_tex(tex, keys):
    assert keys_in_tex(tex) == keys


@pytest.mark.parametrize(
    ("tex", "keys"),
    [
        ("% \\cite{a}\n\\cite{b}", ["b"]),
        ("\\cite{b} % and \\cite{a}", ["b"]),
        ("text %\\cite{a}\n\\citep{b}", ["b"]),
        # \% is a percent sign, not a comment
        ("50\\% of \\cite{a}", ["a"]),
        ("50\\%\\cite{a} 10\\% \\citet{b}", ["a", "b"]),
        # \\ is a line break: the % after it starts a comment
        ("a \\\\% \\cite{x}\n\\cite{b}", ["b"]),
        ("a \\\\\\% \\cite{a}", ["a"]),
    ],
)
def test_commented_out_citations_are_ignored(tex, keys):
    assert keys_in_tex(tex) == keys


# ---------------------------------------------------------------- drafts and \input


def test_input_and_include_are_followed(tmp_path):
    main = write(
        tmp_path,
        "draft.tex",
        "\n".join(
            [
                r"\documentclass{article}",
                r"\begin{document}",
                r"Intro \citep{a}.",
                r"\input{sections/method.tex}",  # with the extension
                r"\include{sections/results}",  # without (\include always adds it)
                r"\input {appendix}",  # without, and a space
                r"% \input{sections/commented}",
                r"\end{document}",
            ]
        ),
    )
    # LaTeX resolves \input relative to the main file's folder, also from nested files
    write(tmp_path, "sections/method.tex", "\\citet{b}\n\\input{sections/deep}\n")
    write(tmp_path, "sections/deep.tex", "\\cite{c,a}")
    write(tmp_path, "sections/results.tex", "\\parencite{d}")
    write(tmp_path, "appendix.tex", "\\nocite{e}")
    write(tmp_path, "sections/commented.tex", "\\cite{never}")
    assert keys_in_draft(main) == ["a", "b", "c", "d", "e"]


def test_input_cycle_terminates(tmp_path):
    main = write(tmp_path, "main.tex", "\\cite{a}\\input{other}")
    write(tmp_path, "other.tex", "\\cite{b}\\input{main}")
    assert keys_in_draft(main) == ["a", "b"]


def test_missing_input_is_an_error_naming_it(tmp_path):
    main = write(tmp_path, "draft.tex", "\\cite{a}\n\n\\input{sections/missing}\n")
    with pytest.raises(InputError) as caught:
        keys_in_draft(main)
    message = str(caught.value)
    assert str(tmp_path / "sections" / "missing.tex") in message
    assert f"{main}:3" in message  # where the \input is


def test_missing_draft_is_an_error(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        keys_in_draft(tmp_path / "nope.tex")


def test_draft_that_is_not_utf8_is_an_error(tmp_path):
    path = tmp_path / "latin1.tex"
    path.write_bytes("\\cite{a} Caf\xe9".encode("latin-1"))
    with pytest.raises(InputError, match="not UTF-8"):
        keys_in_draft(path)


# ---------------------------------------------------------------- .aux


def test_keys_in_aux_bibtex_and_biblatex():
    aux = "\n".join(
        [
            r"\relax",
            r"\citation{a,b}",
            r"\citation{c}",
            r"\bibstyle{plainnat}",
            r"\bibdata{refs}",
            r"\bibcite{a}{{1}{2020}{{Smith}}{{}}}",  # what bibtex resolved, not a citation
            r"\abx@aux@cite{0}{d}",  # biblatex 3.x: refsection, key
            r"\abx@aux@segm{0}{0}{d}",
            r"\abx@aux@cite{e}",  # older biblatex: key only
            r"\citation{a}",
        ]
    )
    assert keys_in_aux(aux) == ["a", "b", "c", "d", "e"]


def test_included_files_aux_is_followed(tmp_path):
    """\\include writes its citations to its own .aux, which the main .aux \\@input's."""
    main = write(
        tmp_path,
        "thesis.aux",
        "\\relax\n\\citation{a}\n\\@input{chap1.aux}\n\\@input{never-compiled.aux}\n",
    )
    write(tmp_path, "chap1.aux", "\\relax\n\\citation{b}\n")
    keys, source = citations.collect([], main)
    assert keys == ["a", "b"]
    assert source == str(main)


def test_collect_merges_drafts_and_aux_in_order(tmp_path):
    draft = write(tmp_path, "draft.tex", "\\cite{b,a}")
    aux = write(tmp_path, "draft.aux", "\\citation{a}\n\\citation{c}\n")
    keys, source = citations.collect([draft], aux)
    assert keys == ["b", "a", "c"]
    assert source == f"{draft}, {aux}"


def test_missing_aux_is_an_error(tmp_path):
    with pytest.raises(InputError, match="no such file") as caught:
        citations.collect([], tmp_path / "draft.aux")
    assert "draft.aux" in str(caught.value)
