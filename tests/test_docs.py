"""Documentation meta-tests: every command explains itself in --help and is in the README."""

from __future__ import annotations

import inspect
import os
import re
import subprocess
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from conftest import requires_tools
from litlist.cli import app

README = Path(__file__).resolve().parents[1] / "README.md"
COMMANDS = sorted(typer.main.get_command(app).commands)  # type: ignore[attr-defined]


def test_the_commands_are_there() -> None:
    assert {"show", "search", "topics", "venues", "check"} <= set(COMMANDS)


@pytest.mark.parametrize("name", COMMANDS)
def test_command_has_help(name: str) -> None:
    command = typer.main.get_command(app).commands[name]  # type: ignore[attr-defined]
    assert command.help and len(command.help.split()) >= 5, name
    for param in command.params:
        if param.param_type_name == "option":
            assert param.help, f"{name} {param.opts} has no help text"
    result = CliRunner().invoke(app, [name, "--help"], prog_name="litlist")
    assert result.exit_code == 0, result.stderr
    first_line = command.help.strip().splitlines()[0]
    assert " ".join(first_line.split()[:4]) in " ".join(result.stdout.split())


def _examples(help_text: str) -> list[str]:
    """The lines of a help text's `Examples:` paragraph."""
    _, found, rest = help_text.partition("Examples:\n")
    assert found, "no Examples: paragraph"
    return [line.strip() for line in rest.split("\n\n")[0].splitlines()]


@pytest.mark.parametrize("name", [None, *COMMANDS])
@pytest.mark.parametrize("columns", ["60", "80", "100"])
def test_help_gives_examples_one_a_line(name: str | None, columns: str) -> None:
    """As gh does: each example a command of its own, shown whole on its own line, and
    hints in words (TEXT, N, PATH), not Typer's `<str>`."""
    group = typer.main.get_command(app)
    command = group.commands[name] if name else group  # type: ignore[attr-defined]
    examples = _examples(inspect.cleandoc(command.help or ""))
    assert examples and all(e.startswith("litlist ") and "·" not in e for e in examples)
    args = [name, "--help"] if name else ["--help"]
    result = CliRunner().invoke(app, args, prog_name="litlist", env={"COLUMNS": columns})
    assert result.exit_code == 0, result.stderr
    shown = [line.strip(" │") for line in result.stdout.splitlines()]
    for example in examples:
        # every example fits a 60-column terminal inside rich's help box, so none wraps
        assert len(example) <= 56, example
        assert example in shown, (example, result.stdout)
    assert "<str>" not in result.stdout and "<int" not in result.stdout
    assert "<path>" not in result.stdout and "<file>" not in result.stdout


def test_top_level_help_lists_every_command() -> None:
    result = CliRunner().invoke(app, ["--help"], prog_name="litlist")
    assert result.exit_code == 0
    for name in COMMANDS:
        assert re.search(rf"\b{name}\b", result.stdout), name


@pytest.mark.parametrize("name", COMMANDS)
def test_command_is_in_readme(name: str) -> None:
    """Only that README.md mentions `litlist ... <command>` on some line."""
    text = README.read_text(encoding="utf-8")
    assert re.search(rf"\blitlist\b[^\n]*\b{name}\b", text), f"README.md never shows {name}"


# ---------------------------------------------------------------- the README's examples


def _run(*args: str) -> str:
    result = CliRunner().invoke(app, list(args), prog_name="litlist")
    assert result.exit_code == 0, (args, result.stderr)
    return result.stdout


def test_readme_examples_say_what_they_do() -> None:
    """The claims written next to the README's examples."""
    text = README.read_text(encoding="utf-8")
    assert "litlist show --year 2024 --format keys | wc -l      # 20" in text
    assert len(_run("show", "--year", "2024", "--format", "keys").splitlines()) == 20
    assert "'.[0].key'   # \"hu2022lora\"" in text
    assert '"key": "hu2022lora"' in _run("search", "lora", "--format", "json").split("},")[0]
    for query, expected in [
        (["dpo"], "rafailov2023direct"),
        (["lroa"], "hu2022lora"),
        (["streming", "llm"], "xiao2024efficient"),
        (["kojima"], "kojima2022large"),
        (["집단지성"], "suzgun2024meta"),
    ]:
        assert f"litlist search {' '.join(query)}" in text
        assert _run("search", *query, "--format", "keys").splitlines()[0] == expected


def _readme_draft() -> str:
    text = README.read_text(encoding="utf-8")
    found = re.search(r"cat > draft\.tex <<'TEX'\n(.*?)\nTEX\n", text, re.S)
    assert found, "README.md has no draft workflow"
    return found.group(1) + "\n"


def test_readme_draft_workflow(tmp_path: Path) -> None:
    """`litlist export --tex draft.tex -o refs.bib` on the README's own draft: exactly the
    three keys it cites (not the commented-out one), and the message the README shows."""
    draft = tmp_path / "draft.tex"
    draft.write_text(_readme_draft(), encoding="utf-8")
    result = CliRunner().invoke(
        app, ["export", "--tex", str(draft), "-o", str(tmp_path / "refs.bib")], prog_name="litlist"
    )
    assert result.exit_code == 0, result.stderr
    assert "wrote 3 entries to" in result.stderr
    assert "wrote 3 entries to refs.bib" in README.read_text(encoding="utf-8")
    bib = (tmp_path / "refs.bib").read_text(encoding="utf-8")
    keys = re.findall(r"^@\w+\{([^,]+),", bib, re.M)
    assert keys == ["rafailov2023direct", "ziegler2019fine", "hu2022lora"]  # as first cited
    assert "kojima2022large" not in bib


@requires_tools("pdflatex", "bibtex")
def test_readme_draft_compiles_the_first_time(tmp_path: Path) -> None:
    """The README's draft, its exported refs.bib, and the README's own TeX commands: no
    BibTeX warning, no undefined citation."""
    (tmp_path / "draft.tex").write_text(_readme_draft(), encoding="utf-8")
    result = CliRunner().invoke(
        app, ["export", "--tex", str(tmp_path / "draft.tex"), "-o", str(tmp_path / "refs.bib")]
    )
    assert result.exit_code == 0, result.stderr
    text = README.read_text(encoding="utf-8")
    assert "pdflatex draft && bibtex draft && pdflatex draft && pdflatex draft" in text
    for tool in ["pdflatex", "bibtex", "pdflatex", "pdflatex"]:
        args = [tool, "draft"] if tool == "bibtex" else [tool, "-interaction=nonstopmode", "draft"]
        run = subprocess.run(args, cwd=tmp_path, capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stdout[-2000:]
    blg = (tmp_path / "draft.blg").read_text(encoding="utf-8", errors="replace")
    assert "Warning--" not in blg and "error" not in blg.lower(), blg
    log = (tmp_path / "draft.log").read_text(encoding="utf-8", errors="replace")
    assert "undefined" not in log.lower(), log[-2000:]


CAPTURE = re.compile(r"<!-- capture: litlist (.*?) -->\n```text\n(.*?)```", re.S)


def _capture(args: str) -> str:
    # as an 80-column terminal shows it, without the colour: FORCE_COLOR lays a table out
    # for a person although CliRunner's stdout is no terminal, NO_COLOR leaves colour out
    env = {"COLUMNS": "80", "FORCE_COLOR": "1", "NO_COLOR": "1"}
    result = CliRunner().invoke(app, args.split(), prog_name="litlist", env=env)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_readme_captures_are_what_litlist_prints() -> None:
    """The README's text captures of a table and a card, at 80 columns. After a
    change to the catalog's text, `LITLIST_UPDATE_CAPTURES=1 pytest tests/test_docs.py`
    rewrites them."""
    text = README.read_text(encoding="utf-8")
    captures = CAPTURE.findall(text)
    assert len(captures) >= 2
    if os.environ.get("LITLIST_UPDATE_CAPTURES") == "1":
        text = CAPTURE.sub(
            lambda m: f"<!-- capture: litlist {m[1]} -->\n```text\n{_capture(m[1])}```", text
        )
        README.write_text(text, encoding="utf-8")
        captures = CAPTURE.findall(text)
    for args, shown in captures:
        assert _capture(args) == shown, f"{args}: LITLIST_UPDATE_CAPTURES=1 rewrites it"
    assert any("╭" in shown for _, shown in captures)  # a card
    assert any(shown.startswith("year  venue") for _, shown in captures)  # a table
