"""Documentation meta-tests: every command explains itself in --help and is in the README."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

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
