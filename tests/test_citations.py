"""Which keys a LaTeX draft cites (citations.py): citation commands of natbib and biblatex,
comments, \\input/\\include, and compiled .aux files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from litlist import citations
from litlist.citations import collect, keys_in_aux, keys_in_draft, keys_in_tex
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


# ---------------------------------------------------------------- includes (issue 12)


def write_tree(folder: Path, files: dict[str, str]) -> Path:
    """Write every file; the first is the main one."""
    paths = [write(folder, name, text) for name, text in files.items()]
    return paths[0]


def test_input_without_braces_is_followed(tmp_path):
    main = write_tree(
        tmp_path,
        {
            "main.tex": "\\cite{a}\n\\input chap\n\\input other.tex % a comment\n"
            "\\input{third}\\input last",
            **{
                f"{name}.tex": f"\\cite{{{key}}}"
                for name, key in zip(["chap", "other", "third", "last"], "bcde", strict=True)
            },
        },
    )
    assert keys_in_draft(main) == ["a", "b", "c", "d", "e"]


def test_input_of_a_name_without_tex_prefers_the_tex_file(tmp_path):
    files = {
        "main.tex": "\\input{table.v2}\\input{raw.inc}",
        "table.v2.tex": "\\cite{a}",
        "table.v2": "\\cite{wrong}",
        "raw.inc": "\\cite{b}",  # no raw.inc.tex: the name as given
    }
    main = write_tree(tmp_path, files)
    assert keys_in_draft(main) == ["a", "b"]


def test_import_and_subimport_resolve_from_their_folders(tmp_path):
    # \subimport is relative to the importing file; plain \input in an imported file looks
    # in the import's folder first, then in the main file's
    files = {
        "main.tex": "\\cite{a}\\import{chapters/}{intro}\\cite{z}",
        "chapters/intro.tex": "\\cite{b}\\subimport{parts/}{one}\\input{near}",
        "chapters/parts/one.tex": "\\cite{c}\\subimport*{deeper/}{two.tex}",
        "chapters/parts/deeper/two.tex": "\\cite{d}\\input{shared}",
        "chapters/near.tex": "\\cite{e}",
        "shared.tex": "\\cite{f}",
    }
    main = write_tree(tmp_path, files)
    assert keys_in_draft(main) == ["a", "z", "b", "c", "d", "f", "e"]


def test_import_of_a_missing_file_is_an_error_naming_it(tmp_path):
    main = write(tmp_path, "main.tex", "\\cite{a}\n\\import{chapters/}{gone}")
    with pytest.raises(InputError) as caught:
        keys_in_draft(main)
    assert str(tmp_path / "chapters" / "gone.tex") in str(caught.value)
    assert f"{main}:2" in str(caught.value)


def test_input_if_file_exists_is_followed_and_may_be_missing(tmp_path):
    files = {
        "main.tex": "\\cite{a}\\InputIfFileExists{extra}{}{}"
        "\\InputIfFileExists{missing.tex}{\\relax}{}",
        "extra.tex": "\\cite{b}",
    }
    assert keys_in_draft(write_tree(tmp_path, files)) == ["a", "b"]


def test_a_deep_chain_of_inputs_has_no_recursion_limit(tmp_path):
    depth = 3000  # well past Python's default recursion limit of 1000
    for n in range(depth):
        write(tmp_path, f"c{n}.tex", f"\\cite{{k{n}}}\n\\input c{n + 1}\n")
    write(tmp_path, f"c{depth}.tex", "\\cite{last}\\input{c0}")  # and back: a cycle
    keys = keys_in_draft(tmp_path / "c0.tex")
    assert keys == [f"k{n}" for n in range(depth)] + ["last"]


def test_included_aux_chains_are_read_without_recursion(tmp_path):
    depth = 3000
    for n in range(depth):
        write(tmp_path, f"a{n}.aux", f"\\citation{{k{n}}}\n\\@input{{a{n + 1}.aux}}\n")
    keys, _ = citations.collect([], tmp_path / "a0.aux")
    assert keys == [f"k{n}" for n in range(depth)]


# ---------------------------------------------------------------- malformed citations


@pytest.mark.parametrize(
    ("tex", "line"),
    [
        ("\\cite{a}\n\\cite{x", 2),
        ("\\cite{x" * 50, 1),
        ("text\n\n\\citep[see]{b", 3),
        ("\\cite[" * 50, 1),
        ("{\\cite[}]{a}", 1),  # the group around the option closes first
    ],
)
def test_a_citation_that_is_never_closed_is_an_error_with_its_line(tex, line):
    with pytest.raises(InputError) as caught:
        keys_in_tex(tex, "draft.tex")
    assert str(caught.value).startswith(f"draft.tex:{line}: \\cite")
    assert "never closed" in str(caught.value)


@pytest.mark.parametrize(
    ("tex", "keys"),
    [
        ("\\cite", []),  # a bare \cite at the end
        ("\\cite{a} \\cite", ["a"]),
        ("\\cite[a]{b}]) }", ["b"]),  # stray closers are text
        ("\\cite[{x}]{a}\\cite[(]{b}", ["a", "b"]),
        ("\\textcites(a)(b)[{]}]{c}[d]{e}", ["c", "e"]),
        ("50\\% \\cite{a} \\\\% \\cite{never}\n\\cite{b}", ["a", "b"]),
    ],
)
def test_odd_but_closed_citations(tex, keys):
    assert keys_in_tex(tex) == keys


def test_line_numbers_count_only_line_feeds():
    tex = "a\x0cb\u2028c\r\n% \\cite{no}\r\n\\cite{x"  # a form feed and U+2028 are no lines
    with pytest.raises(InputError, match=r"^draft.tex:3: "):
        keys_in_tex(tex, "draft.tex")
    assert keys_in_tex("\\cite{a}% \\cite{b}\r\n\\cite{c}\r\n") == ["a", "c"]


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
def test_an_endless_draft_is_refused_not_read_forever(monkeypatch, tmp_path):
    monkeypatch.setattr(citations, "MAX_CHARS", 1000)
    with pytest.raises(InputError, match="^/dev/zero: more than 0 MB; not a LaTeX file"):
        keys_in_draft(Path("/dev/zero"))
    big = write(tmp_path, "big.tex", "\\cite{a}" + "x" * 1000)
    with pytest.raises(InputError, match="not a LaTeX file"):
        keys_in_draft(big)
    assert keys_in_draft(write(tmp_path, "ok.tex", "\\cite{a}" + "x" * 992)) == ["a"]


def test_a_fifo_as_draft_or_aux_is_refused_without_hanging(tmp_path):
    """Reading a FIFO would wait for a writer forever: fsutil refuses it without reading."""
    fifo = tmp_path / "draft.tex"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="FIFO"):
        keys_in_draft(fifo)
    main = write(tmp_path, "main.tex", "\\cite{a}\n\\input{draft}\n")
    with pytest.raises(InputError, match=r"FIFO.*\\input from"):
        keys_in_draft(main)
    with pytest.raises(InputError, match="FIFO"):
        collect([], fifo)
