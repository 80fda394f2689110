"""Screens as people and programs get them: tables piped as records, colour on demand, widths
read from the terminal the user sits at, long names in tables, reports that fit.

Colour and terminal widths are tested on real pseudo-terminals (os.openpty, pty.fork):
what a terminal is cannot be faked with a stream that says `isatty()`.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest
from typer.testing import CliRunner

from litlist.cli import app

WIDTHS = [60, 80, 100, 160]
ESCAPES = re.compile(r"\x1b\[[0-9;]*m|\x1b\]8;[^\x1b]*\x1b\\")
# no colour switch of the developer's environment reaches a test unless it sets one
QUIET = {"FORCE_COLOR": None, "CLICOLOR_FORCE": None, "NO_COLOR": None, "COLUMNS": None}


@pytest.fixture
def piped(monkeypatch):
    """`litlist ARGS` with stdout a pipe and no terminal anywhere (CliRunner)."""
    monkeypatch.setattr("litlist.render._controlling_width", lambda: None)
    runner = CliRunner()

    def invoke(*args: str, **env: str):
        return runner.invoke(app, list(args), env={**QUIET, **env}, prog_name="litlist")

    return invoke


def _environ(**env: str) -> dict[str, str]:
    skip = {k for k, v in QUIET.items() if v is None} | set(env)
    environ = {k: v for k, v in os.environ.items() if k not in skip}
    environ.update(TERM="xterm-256color", **env)
    return environ


def _terminal(columns: int) -> tuple[int, int]:
    leader, follower = os.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    return leader, follower


def _drain(fd: int) -> bytes:
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # EIO: the program ended and closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def tty_run(args: list[str], columns: int, *, stdout_tty: bool, **env: str):
    """Run `litlist ARGS` with stderr on a pseudo-terminal `columns` wide and stdout on it
    too, or a pipe (`litlist … | less -R`). Returns (exit code, stdout, terminal text)."""
    leader, follower = _terminal(columns)
    proc = subprocess.Popen(
        [sys.executable, "-m", "litlist", *args],
        stdout=follower if stdout_tty else subprocess.PIPE,
        stderr=follower,
        env=_environ(**env),
    )
    os.close(follower)
    import threading

    # the terminal is read while stdout is: a full terminal buffer would block the program
    screen_parts: list[bytes] = []
    reader = threading.Thread(target=lambda: screen_parts.append(_drain(leader)))
    reader.start()
    out = b"" if stdout_tty else proc.stdout.read()  # type: ignore[union-attr]
    reader.join(timeout=60)
    screen = b"".join(screen_parts)
    os.close(leader)
    code = proc.wait(timeout=60)
    return code, out.decode(), screen.decode().replace("\r\n", "\n")


def ctty_run(args: list[str], columns: int, **env: str) -> tuple[int, str]:
    """Run `litlist ARGS` in a session whose controlling terminal is `columns` wide, with
    stdout and stderr both pipes: only /dev/tty knows the width."""
    import pty

    out_r, out_w = os.pipe()
    pid, leader = pty.fork()
    if pid == 0:  # the child: its controlling terminal is the pty
        try:
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
            os.dup2(out_w, 1)
            os.dup2(out_w, 2)
            os.execve(sys.executable, [sys.executable, "-m", "litlist", *args], _environ(**env))
        finally:
            os._exit(127)
    os.close(out_w)
    chunks = []
    while chunk := os.read(out_r, 65536):
        chunks.append(chunk)
    os.close(out_r)
    _drain(leader)
    os.close(leader)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), b"".join(chunks).decode()


# ---------------------------------------------------------------- 1. piped: one record a line


@pytest.mark.parametrize("columns", [None, "60", "160"])
def test_a_piped_table_is_one_paper_a_line(piped, shipped, columns) -> None:
    env = {"COLUMNS": columns} if columns else {}
    out = piped("show", **env).stdout
    lines = out.splitlines()
    assert len(lines) == len(shipped)  # no header, no headings, no wrapped fragments
    rows = [line.split("\t") for line in lines]
    assert all(len(row) == 5 for row in rows)
    keys = [p.key or p.id for p in shipped.papers]
    assert sorted(row[0] for row in rows) == sorted(keys)
    # whole titles however narrow the screen, so grep finds a paper with its key and year
    cot = next(row for row in rows if row[0] == "wei2022chain")
    assert cot[1:5] == [
        "2022",
        "NeurIPS",
        "Chain-of-Thought Prompting Elicits Reasoning in Large Language Models",
        "cot/chain-of-thought",
    ]


def test_piped_search_keeps_the_columns_and_adds_the_score(piped) -> None:
    shown = piped("show", "--topic", "attention-sink").stdout.splitlines()
    found = piped("search", "attention", "sink").stdout.splitlines()
    assert found and all(len(line.split("\t")) == 6 for line in found)
    first = found[0].split("\t")
    assert first[0] == "xiao2024efficient" and first[5] == "100"
    # `cut -f1-5` of a search gives the lines `show` gives
    assert {"\t".join(line.split("\t")[:5]) for line in found} <= set(shown) | {
        "\t".join(line.split("\t")[:5]) for line in found if "attention-sink" not in line
    }


def test_piped_topics_and_venues_are_records(piped, shipped) -> None:
    topics = [line.split("\t") for line in piped("topics").stdout.splitlines()]
    assert [row[0] for row in topics] == [t.slug for t in shipped.topics]
    assert ["cot", "4", "Chain-of-Thought"] in topics or any(
        row[0] == "cot" and row[2] == "Chain-of-Thought" for row in topics
    )
    venues = [line.split("\t") for line in piped("venues").stdout.splitlines()]
    assert all(len(row) == 5 for row in venues)
    assert any(row[0] == "ICLR" and row[4].startswith("International Conference") for row in venues)


def test_cards_and_json_are_the_same_piped(piped) -> None:
    card = piped("show", "dpo", COLUMNS="80").stdout
    assert card.startswith("╭") and "│ Direct Preference Optimization" in card
    assert piped("show", "-f", "json").stdout.startswith("[\n")


def test_a_tab_or_line_break_in_a_field_stays_in_its_field() -> None:
    """The catalog refuses control characters, but a record never trusts that."""
    from litlist import render

    text = render.records([["k", "Alpha\tMethods\nfor  Tiny\x1b[31m", ""]])
    assert text == "k\tAlpha Methods for Tiny[31m\t\n"


def test_the_readme_pipe_gives_keys(piped) -> None:
    """`litlist show --topic peft | cut -f1`, as the README shows it."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    assert "litlist show --topic peft | cut -f1" in readme
    out = piped("show", "--topic", "peft").stdout
    firsts = [line.split("\t")[0] for line in out.splitlines()]
    keys = piped("show", "--topic", "peft", "-f", "keys").stdout.split()
    # the keys in the table's order; a summary post has no key and shows its id
    assert [k for k in firsts if k in keys] == keys


@pytest.mark.parametrize("columns", WIDTHS)
def test_the_width_of_a_pipe_into_a_pager_is_the_terminal_s(columns: int) -> None:
    """`litlist show --color always | less -R`: stdout is a pipe, stderr the window."""
    code, out, _ = tty_run(["show", "--color", "always"], columns, stdout_tty=False)
    assert code == 0
    lines = [ESCAPES.sub("", line) for line in out.splitlines()]
    assert lines[0].split()[0] == "year" and lines[0].split()[-2:] == ["key", "title"]
    assert max(len(line) for line in lines) <= columns
    assert max(len(line) for line in lines) > columns - 12  # the width is used, not 80


@pytest.mark.parametrize("columns", [60, 160])
def test_the_width_comes_from_the_controlling_terminal(columns: int) -> None:
    """Both streams piped (`litlist show --color always 2>&1 | less -R`): /dev/tty."""
    code, out = ctty_run(["show", "--color", "always"], columns)
    assert code == 0, out
    lines = [ESCAPES.sub("", line) for line in out.splitlines()]
    assert lines[0].split()[0] == "year" and lines[0].split()[-2:] == ["key", "title"]
    assert columns - 12 < max(len(line) for line in lines) <= columns


# ---------------------------------------------------------------- 2. colour on demand


def test_color_never_on_a_terminal_is_the_same_screen_without_colour() -> None:
    _, _, coloured = tty_run(["show", "--topic", "peft"], 100, stdout_tty=True)
    _, _, plain = tty_run(["show", "--topic", "peft", "--color", "never"], 100, stdout_tty=True)
    assert "\x1b[" in coloured and "\x1b" not in plain
    assert ESCAPES.sub("", coloured) == plain


@pytest.mark.parametrize(
    ("flags", "env"),
    [
        (["--color", "always"], {}),
        (["--color=always"], {}),
        ([], {"FORCE_COLOR": "1"}),
        ([], {"CLICOLOR_FORCE": "1"}),
    ],
)
def test_colour_forced_into_a_pipe_is_the_terminal_s_layout(flags: list, env: dict) -> None:
    _, _, screen = tty_run(["show", "--topic", "peft"], 100, stdout_tty=True)
    code, out, _ = tty_run(["show", "--topic", "peft", *flags], 100, stdout_tty=False, **env)
    assert code == 0
    assert "\x1b[" in out  # coloured although stdout is a pipe
    assert out == screen  # and what the terminal shows, character for character


def test_the_global_option_goes_before_the_command_too() -> None:
    _, out, _ = tty_run(["--color", "always", "show", "--topic", "peft"], 100, stdout_tty=False)
    assert "\x1b[" in out and out.startswith("\x1b")


@pytest.mark.parametrize("env", [{"NO_COLOR": "1"}, {"FORCE_COLOR": "0"}, {}])
def test_colour_off_in_a_pipe_unless_forced(env: dict) -> None:
    code, out, _ = tty_run(["show", "--topic", "peft"], 100, stdout_tty=False, **env)
    assert code == 0 and "\x1b" not in out
    assert "\t" in out.splitlines()[0]  # records


def test_no_color_beats_force_color_but_not_the_option() -> None:
    _, out, _ = tty_run(["show", "dpo"], 100, stdout_tty=True, NO_COLOR="1", FORCE_COLOR="1")
    assert "\x1b[" not in out
    _, _, screen = tty_run(["show", "dpo", "--color", "always"], 100, stdout_tty=True, NO_COLOR="1")
    assert "\x1b[" in screen


def test_error_and_note_are_coloured_on_a_terminal(tmp_path: Path) -> None:
    code, _, screen = tty_run(["show", "nosuchpaper"], 100, stdout_tty=True)
    assert code == 1
    assert re.match(r"\x1b\[[0-9;]*merror:\x1b\[0m ", screen), screen
    code, _, screen = tty_run(["show", "nosuchpaper"], 100, stdout_tty=True, NO_COLOR="1")
    assert screen.startswith("error: ")


def test_error_is_plain_in_a_pipe(piped) -> None:
    result = piped("show", "nosuchpaper")
    assert result.stderr.startswith("error: ")


def test_an_unknown_colour_is_a_usage_error(piped) -> None:
    result = piped("show", "--color", "sometimes")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ") and "sometimes" in result.stderr


# ---------------------------------------------------------------- 3. long names in tables

LONG_KEY = "dblp-conf-nips-vaswanispujgkp17-attent"  # 38 characters, as an import made one


@pytest.fixture
def long_names(write_catalog) -> Path:
    from conftest import TINY_CATALOG

    text = TINY_CATALOG.replace('key = "smith2020alpha"', f'key = "{LONG_KEY}"')
    text = text.replace(
        'name = "Beta Heading"', 'name = "Beta Heading for Estimation with Many Long Words Indeed"'
    )
    return write_catalog(text)


@pytest.fixture
def people(monkeypatch):
    """`litlist ARGS` laid out for a person at `columns`, without colour."""
    monkeypatch.setattr("litlist.render._controlling_width", lambda: None)
    runner = CliRunner()

    def invoke(columns: int, *args: str):
        env = {**QUIET, "COLUMNS": str(columns), "FORCE_COLOR": "1", "NO_COLOR": "1"}
        result = runner.invoke(app, list(args), env=env, prog_name="litlist")
        assert result.exit_code == 0, result.stderr
        return result.stdout

    return invoke


@pytest.mark.parametrize("columns", WIDTHS)
def test_a_long_key_is_cut_in_tables_and_whole_elsewhere(people, piped, long_names, columns):
    from litlist import render

    out = people(columns, "--catalog", str(long_names), "show")
    header = out.splitlines()[0].split()
    if columns >= 80:  # the venue keeps its column: the key's is capped
        assert header == ["year", "venue", "key", "title"]
    cut = LONG_KEY[: render.KEY_MAX - 1] + "…"
    assert cut in out and LONG_KEY not in out
    assert all(len(line) <= columns for line in out.splitlines())
    found = people(columns, "--catalog", str(long_names), "search", "alpha", "methods")
    assert cut in found
    if columns >= 80:
        assert found.splitlines()[0].split() == ["score", "year", "venue", "key", "title"]
    # whole in a card, in keys, in JSON and piped
    assert LONG_KEY in people(columns, "--catalog", str(long_names), "show", "alpha-one")
    keys = piped("--catalog", str(long_names), "show", "-f", "keys").stdout
    assert LONG_KEY in keys.split()
    assert LONG_KEY in piped("--catalog", str(long_names), "show", "-f", "json").stdout
    assert LONG_KEY in piped("--catalog", str(long_names), "show").stdout


@pytest.mark.parametrize("columns", WIDTHS)
def test_a_venue_is_named_by_its_short_label_in_tables(people, piped, shipped, columns) -> None:
    out = people(columns, "show", "--venue", "Nat. Mach. Intell.", "--full")
    assert "Nat. Mach. Intell." in out  # a card says it whole
    rows = [p for p in shipped.papers if p.venue == "Nat. Mach. Intell."]
    table = people(columns, "show", "--topic", rows[0].topic)
    if columns >= 80:
        assert "Nature MI" in table and "Nat. Mach. Intell." not in table
    # piped records keep the venue's id, what --venue takes
    assert "\tNat. Mach. Intell.\t" in piped("show", "--topic", rows[0].topic).stdout


def test_the_venue_label_rule() -> None:
    from litlist import render
    from litlist.model import Catalog, Venue

    venues = [
        Venue(
            id="Nat. Mach. Intell.",
            name="Nature Machine Intelligence",
            kind="journal",
            aliases=("Nature MI", "NMI"),
        ),
        Venue(id="arXiv", name="arXiv preprint", kind="preprint", aliases=("arxiv.org",)),
        Venue(id="stanford-university-school", name="Stanford", kind="phdthesis", aliases=()),
    ]
    cat = Catalog("x", [], venues, [])
    assert render.venue_cell(cat, "arXiv") == "arXiv"  # the id when it fits
    assert render.venue_cell(cat, "Nat. Mach. Intell.") == "Nature MI"  # longest fitting alias
    assert render.venue_cell(cat, "stanford-university-school") == "stanford-univ…"
    assert render.venue_cell(cat, None) == "summary post"


@pytest.mark.parametrize("columns", WIDTHS)
def test_a_wrapped_heading_does_not_read_as_a_second_heading(people, long_names, columns):
    out = people(columns, "--catalog", str(long_names), "show")
    heading = "Alpha Methods › Beta Heading for Estimation with Many Long Words Indeed"
    lines = out.splitlines()
    start = next(n for n, line in enumerate(lines) if line.startswith("Alpha Methods › Beta"))
    shown = [lines[start]]
    for line in lines[start + 1 :]:
        if not line.startswith("  ") or line.strip()[:4].isdigit():
            break
        shown.append(line)
    assert " ".join(s.strip() for s in shown) == heading
    assert len(shown) == (1 if len(heading) <= columns else len(shown)) and all(
        len(s) <= columns for s in shown
    )
    if len(heading) > columns:
        assert len(shown) > 1  # wrapped, each further line indented under the first


# ---------------------------------------------------------------- 4. reports that fit

BIB = Path(__file__).parent / "fixtures" / "bib"


@pytest.mark.parametrize("columns", WIDTHS)
@pytest.mark.parametrize("bib", ["import20.bib", "hostile.bib"])
def test_the_import_report_fits_without_breaking_a_word(piped, own_catalog, bib, columns):
    def report(width: int) -> list[str]:
        args = ["-c", str(own_catalog), "import", str(BIB / bib), "-t", "peft", "--dry-run"]
        return piped(*args, COLUMNS=str(width)).stderr.splitlines()

    whole = {
        line.split()[2]: line.partition("  ")[2].strip()
        for line in report(1000)
        if line.startswith("would add: ")
    }
    lines = report(columns)
    # a line fits, unless it names the file by a path longer than the screen: a path is what
    # a user copies, so it is never broken (the path here is as deep as where the tests run)
    path = str(BIB / bib)
    assert all(
        len(line) <= columns or (path in line and len(path) + len("failed: ") > columns)
        for line in lines
    ), lines
    for line in lines:
        if line.startswith("would add: "):
            # one line each: the label, the key, and the title's first words, whole
            title = whole[line.split()[2]]
            shown = line.partition("  ")[2].strip()
            if shown.endswith("…"):
                assert (title + " ").startswith(shown[:-1] + " "), (shown, title)
            else:
                assert shown in ("", title), (shown, title)
    # the summary last; a note under its entry, indented
    last = max(n for n, line in enumerate(lines) if not line.startswith(" "))
    summary = " ".join(line.strip() for line in lines[last:])
    assert summary.startswith("dry run, nothing written: would add ")
    assert [line for line in lines if line.startswith("  note: ")] or bib == "import20.bib"
    # no word broken: every word shown is a word of the report on the widest screen
    wide = set(" ".join(report(1000)).split())
    assert set(" ".join(lines).replace("…", "").split()) <= wide


def test_the_import_report_is_one_line_a_paper_at_160(piped, own_catalog) -> None:
    """The report the issue saw break `Tra`/`nsformer` at 160 columns: each paper's line
    is whole (id and key once), no line longer than the screen."""
    result = piped(
        "-c",
        str(own_catalog),
        "import",
        str(BIB / "import20.bib"),
        "-t",
        "peft",
        "--dry-run",
        COLUMNS="160",
    )
    lines = result.stderr.splitlines()
    adds = [line for line in lines if line.startswith("would add: ")]
    assert len(adds) == 17
    assert all("…" not in line and "(key " not in line for line in adds)
    assert all(len(line) <= 160 for line in lines)


# ---------------------------------------------------------------- 5. usage errors


def test_import_mistakes_are_reported_in_the_order_a_user_fixes_them(
    piped, shipped_catalog, own_catalog, tmp_path
) -> None:
    """What was typed (exit 2), then the file, then the catalog: fixing one error never
    meets an older one. Each step fixes what the previous error named."""
    missing = str(tmp_path / "nope.bib")
    bib = str(BIB / "acl.bib")
    steps = [
        (
            ["-c", str(shipped_catalog), "import", missing, "-t", "peft", "--new-topic", "X"],
            2,
            "--topic",
        ),
        (["-c", str(shipped_catalog), "import", missing, "-t", "peft"], 1, "nope.bib"),
        (["-c", str(shipped_catalog), "import", bib, "-t", "peft"], 1, "litlist init"),
        # with no topic at all the papers go to the inbox: the same order of checks
        (["-c", str(shipped_catalog), "import", missing], 1, "nope.bib"),
        (["-c", str(shipped_catalog), "import", bib], 1, "litlist init"),
    ]
    for args, code, named in steps:
        result = piped(*args)
        assert result.exit_code == code, (args, result.stderr)
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: ") and named in lines[0], lines
    assert piped("-c", str(own_catalog), "import", bib, "-t", "peft").exit_code == 0


def test_add_mistakes_are_reported_in_the_order_a_user_fixes_them(
    piped, shipped_catalog, tmp_path
) -> None:
    missing = str(tmp_path / "nope.bib")
    result = piped("-c", str(shipped_catalog), "add", "--bib", missing, "--parent", "peft")
    assert result.exit_code == 2 and "--new-topic" in result.stderr
    result = piped("-c", str(shipped_catalog), "add", "--bib", missing, "-t", "peft")
    assert result.exit_code == 1 and "nope.bib" in result.stderr
    result = piped("-c", str(shipped_catalog), "add", "--bib", str(BIB / "acl.bib"), "-t", "peft")
    assert result.exit_code == 1 and "litlist init" in result.stderr


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["show", "--topic"], "error: --topic needs a value (see `litlist show --help`)"),
        (["export", "--merge"], "error: --merge needs a value (see `litlist export --help`)"),
        (["--catalog"], "error: --catalog needs a value (see `litlist --help`)"),
        (
            ["show", "--topi", "x"],
            "error: no option --topi; did you mean `--topic`? (see `litlist show --help`)",
        ),
        (["shwo"], "error: no command 'shwo'; did you mean `show`? (see `litlist --help`)"),
        (["search"], "error: missing QUERY... (see `litlist search --help`)"),
        (
            ["show", "-f", "jsn"],
            "error: --format: 'jsn' is not one of table, json, keys, markdown; did you mean "
            "json? (see `litlist show --help`)",
        ),
        (
            ["search", "x", "-n", "abc"],
            "error: --limit: 'abc' is not a whole number (see `litlist search --help`)",
        ),
        (["topics", "extra"], "error: unexpected argument: extra (see `litlist topics --help`)"),
        (
            ["export", "dpo", "-o", "/"],
            "error: --output: file '/' is a directory (see `litlist export --help`)",
        ),
    ],
)
def test_click_s_messages_speak_in_litlist_s_voice(piped, args, expected) -> None:
    result = piped(*args)
    assert result.exit_code == 2
    assert result.stderr == expected + "\n"
    assert "'litlist" not in result.stderr and "Invalid value" not in result.stderr


# ---------------------------------------------------------------- 6. small ones


def test_add_bib_from_a_terminal_says_what_it_waits_for(own_catalog) -> None:
    """`litlist add --bib -` at a terminal: a prompt on stderr, then the pasted entry."""
    leader, follower = _terminal(100)
    proc = subprocess.Popen(
        [sys.executable, "-m", "litlist", "-c", str(own_catalog), "add", "--bib", "-"]
        + ["-t", "peft", "--dry-run"],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env=_environ(),
    )
    os.close(follower)
    seen = b""
    while b"Ctrl-D" not in seen:  # the prompt comes before anything is read
        try:
            chunk = os.read(leader, 1024)
        except OSError:  # the program ended without asking
            chunk = b""
        assert chunk, seen.decode()
        seen += chunk
    assert b"paste a BibTeX entry, then Ctrl-D" in seen
    entry = (BIB / "acl.bib").read_bytes().replace(b"\n", b"\r")
    os.write(leader, entry + b"\r\x04")
    seen += _drain(leader)
    os.close(leader)
    assert proc.wait(timeout=60) == 0, seen.decode()
    assert b"dry run, nothing written: would add" in seen


def test_add_bib_from_a_pipe_has_no_prompt(piped, own_catalog) -> None:
    entry = (BIB / "acl.bib").read_text(encoding="utf-8")
    result = CliRunner().invoke(
        app,
        ["-c", str(own_catalog), "add", "--bib", "-", "-t", "peft", "--dry-run"],
        input=entry,
        env=QUIET,
    )
    assert result.exit_code == 0, result.stderr
    assert "Ctrl-D" not in result.stderr


def test_add_dry_run_shows_the_paper_and_writes_nothing(piped, own_catalog) -> None:
    before = own_catalog.read_bytes()
    result = piped(
        "-c", str(own_catalog), "add", "--bib", str(BIB / "acl.bib"), "-t", "peft", "--dry-run"
    )
    assert result.exit_code == 0, result.stderr
    assert own_catalog.read_bytes() == before
    last = result.stderr.splitlines()[-1]
    assert last.startswith("dry run, nothing written: would add '") and str(own_catalog) in last
    assert result.stdout.startswith("╭")  # the card of what would be added
    # and the real one adds what the dry run showed
    done = piped("-c", str(own_catalog), "add", "--bib", str(BIB / "acl.bib"), "-t", "peft")
    assert done.exit_code == 0 and done.stdout == result.stdout
    assert own_catalog.read_bytes() != before


def test_add_dry_run_on_the_shipped_catalog_still_says_init(piped, shipped_catalog) -> None:
    result = piped(
        "-c", str(shipped_catalog), "add", "--bib", str(BIB / "acl.bib"), "-t", "peft", "--dry-run"
    )
    assert result.exit_code == 1 and "litlist init" in result.stderr


def test_no_match_says_the_filters_and_a_next_step(piped) -> None:
    result = piped("search", "lora", "--year", "2099")
    assert result.exit_code == 0 and result.stdout == ""
    assert result.stderr == (
        "no papers match 'lora' with --year 2099 (without it: `litlist search lora`)\n"
    )
    assert piped("search", "lora").stdout  # the next step it gives finds it
    result = piped("show", "--year", "2030")
    assert result.stderr == "no papers match --year 2030; the list's papers are from 2019–2024\n"
    result = piped("show", "--topic", "peft", "--venue", "tmlr")
    assert result.stderr.startswith("no papers match --topic peft --venue tmlr; `litlist topics`")


def test_export_of_everything_says_how_many(piped, shipped) -> None:
    result = piped("export")
    papers = sum(1 for p in shipped.papers if p.kind == "paper")
    assert result.stdout.count("\n@") + result.stdout.startswith("@") == papers
    assert result.stderr.startswith(f"exported {papers} entries: every paper in the list")
    assert piped("export", "--topic", "peft").stderr == ""  # chosen: nothing to say
    assert piped("export", "dpo").stderr == ""


@pytest.mark.parametrize("columns", WIDTHS)
def test_the_matched_line_never_ends_on_a_bare_label(people, columns) -> None:
    for words in (["attention", "sink"], ["chain", "of", "thought", "models"], ["kojima"]):
        out = people(columns, "search", *words)
        for line in out.splitlines():
            text = line.strip()
            assert not re.search(r"(^|\s)(\S+:|·|↳)…$", text), (columns, words, line)
            assert text not in ("·", "↳")


def test_clip_drops_a_label_left_without_its_text() -> None:
    from litlist import render

    text = "↳ title: Attention, Sinks · summary: …a long snippet of the summary here"
    assert render.clip(text, 30, 1) == ["↳ title: Attention, Sinks…"]
    text = "↳ title: Models · summary: …thelongwordhere"  # the 2nd line would be the label
    assert render.clip(text, 18, 2) == ["↳ title: Models…"]
    # a text that fits is untouched
    assert render.clip("title: a · b: c", 40, 1) == ["title: a · b: c"]


def test_keys_come_in_the_table_s_order_after_an_import(piped, people, own_catalog) -> None:
    """Papers filed directly under a parent topic (`--topic peft`) are appended to the file
    but shown under their heading: every format lists them in that order."""
    done = piped("-c", str(own_catalog), "import", str(BIB / "import20.bib"), "-t", "peft")
    assert done.exit_code == 0, done.stderr
    args = ["-c", str(own_catalog), "show", "--topic", "peft"]
    keys = piped(*args, "-f", "keys").stdout.split()
    records = [line.split("\t")[0] for line in piped(*args).stdout.splitlines()]
    table = people(200, *args)
    at = table.splitlines()[0].index("key")
    shown = [line[at:].split()[0] for line in table.splitlines()[1:] if line[:4].isdigit()]
    assert [k for k in records if k in keys] == keys
    from litlist import render

    records_cut = [render.cut(k, render.KEY_MAX) for k in records]
    assert shown == [k for k in records_cut if k in shown] and len(shown) >= len(keys)
    json_keys = [r["key"] for r in json.loads(piped(*args, "-f", "json").stdout) if r["key"]]
    assert json_keys == keys
    # and the order was not already the file's: the import put papers before others
    topics = [line.split("\t")[4] for line in piped(*args).stdout.splitlines()]
    assert topics == sorted(topics, key=lambda t: (t != "peft", t != "peft/method", t))


@pytest.mark.parametrize(
    ("words", "right", "weak"),
    [
        ("zero-shot reasoners", "kojima2022large", "wei2022chain"),
        ("self-rewardng language models", "yuan2024self", "zhang2024llama"),
    ],
)
def test_a_common_word_alone_reads_as_a_weak_match(shipped, words, right, weak) -> None:
    """A paper holding little of the query (its one common word and a mention) is far below
    the paper the query describes: scores spread over 0-100 from the evidence floor."""
    from litlist import query

    hits = {shipped.ids[h.position]: h for h in query.search(shipped, words)}
    keys = {shipped.ids[h.position]: shipped.columns["key"][h.position] for h in hits.values()}
    by_key = {keys[i]: h for i, h in hits.items()}
    assert by_key[right].score >= 90
    assert by_key[weak].score <= 60  # was 82 and 80: a weak match read as a good one
    assert by_key[right].score - by_key[weak].score >= 35


def test_shown_scores_keep_the_ranking(shipped) -> None:
    from litlist import query

    assert query.shown_score(100) == 100 and query.shown_score(query.SCORE_FLOOR) == 0
    for words in ("attention sink", "lroa", "preference optimization without rl", "집단지성"):
        scores = [h.score for h in query.search(shipped, words, limit=None)]
        assert scores == sorted(scores, reverse=True) and all(0 <= s <= 100 for s in scores)


def test_notes_are_coloured_on_a_terminal_and_plain_in_a_pipe(own_catalog) -> None:
    args = ["-c", str(own_catalog), "import", str(BIB / "hostile.bib"), "-t", "peft"]
    _, _, screen = tty_run([*args, "--dry-run"], 120, stdout_tty=True)
    assert re.search(r"\x1b\[[0-9;]*m {2}note: ", screen), screen
    _, _, plain = tty_run([*args, "--dry-run"], 120, stdout_tty=True, NO_COLOR="1")
    assert "\x1b" not in plain and "\n  note: " in plain
    assert ESCAPES.sub("", screen) == plain  # colour changes nothing else
