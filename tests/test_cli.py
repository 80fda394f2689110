"""The command line (cli.py) through Typer's CliRunner: every command, every format, empty
results, usage mistakes and broken catalogs."""

from __future__ import annotations

import json
import re
from importlib.metadata import version
from pathlib import Path

import pytest
from typer.testing import CliRunner

import litlist
from conftest import TINY_CATALOG, TINY_IDS
from litlist.cli import app

JSON_FIELDS = {
    "id": str,
    "key": (str, type(None)),
    "kind": str,
    "title": str,
    "authors": list,
    "year": (int, type(None)),
    "venue": (str, type(None)),
    "topic": str,
    "arxiv": (str, type(None)),
    "doi": (str, type(None)),
    "url": (str, type(None)),
    "aliases": list,
    "summary": list,
    "summary_en": str,
}


# The terminal's layout without its colour, though CliRunner's stdout is no terminal:
# FORCE_COLOR lays tables out for a person, NO_COLOR leaves the colour out. The piped form
# (one record a line) has tests of its own, run with `PIPED`.
FOR_PEOPLE = {"FORCE_COLOR": "1", "NO_COLOR": "1"}
PIPED = {"FORCE_COLOR": None, "CLICOLOR_FORCE": None, "NO_COLOR": None}


@pytest.fixture
def run(monkeypatch):
    # laid out at $COLUMNS, else 80 columns: never the developer's $COLUMNS or terminal
    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.setattr("litlist.render._controlling_width", lambda: None)
    runner = CliRunner()

    def invoke(*args: str, env: dict | None = None):
        return runner.invoke(
            app, list(args), env={**FOR_PEOPLE, **(env or {})}, prog_name="litlist"
        )

    return invoke


def ok(result) -> str:
    assert result.exit_code == 0, (result.stdout, result.stderr, result.exception)
    assert "Traceback" not in result.stderr
    return result.stdout


def one_error_line(result, code: int) -> str:
    """The single `error: ...` line a failure prints; nothing on stdout, no traceback."""
    assert result.exit_code == code, (result.stdout, result.stderr)
    assert "Traceback" not in result.stdout + result.stderr
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ") and len(lines[0]) > len("error: ") + 5
    return lines[0]


def parse_json(result) -> list[dict]:
    rows = json.loads(ok(result))
    assert isinstance(rows, list)
    for row in rows:
        for name, kind in JSON_FIELDS.items():
            assert name in row, name
            assert isinstance(row[name], kind), (name, row[name])
        assert all(isinstance(a, str) for a in row["authors"])
        assert all(isinstance(s, str) for s in row["summary"])
    return rows


# ---------------------------------------------------------------- show


def test_show_json_is_the_whole_catalog(run, shipped) -> None:
    rows = parse_json(run("show", "--format", "json"))
    assert [r["id"] for r in rows] == shipped.ids
    assert sum(r["kind"] == "paper" for r in rows) == 44
    dpo = next(r for r in rows if r["id"] == "dpo")
    assert dpo["key"] == "rafailov2023direct"
    assert dpo["kind"] == "paper"
    assert dpo["title"].startswith("Direct Preference Optimization")
    assert dpo["authors"][0] == "Rafael Rafailov" and len(dpo["authors"]) == 6
    assert (dpo["year"], dpo["venue"], dpo["topic"]) == (2023, "NeurIPS", "alignment/rlhf")
    assert dpo["arxiv"] == "2305.18290" and dpo["aliases"] == ["DPO"]
    assert dpo["url"].startswith("https://")
    assert "DPO" in dpo["summary"][0] and dpo["summary_en"]
    assert "score" not in dpo


def test_show_json_summary_post(run) -> None:
    rows = parse_json(run("show", "peft-summary", "-f", "json"))
    (post,) = rows
    assert post["kind"] == "summary" and post["key"] is None and post["authors"] == []
    assert post["covers"] == ["adapter", "prefix-tuning", "prompt-tuning", "lora"]


def test_show_json_keeps_non_ascii(run, tiny_catalog: Path) -> None:
    result = run("--catalog", str(tiny_catalog), "show", "beta-two", "--format", "json")
    assert "Jürgen Müller" in ok(result)  # not \u00fc escapes
    (row,) = parse_json(result)
    assert row["authors"] == ["Jürgen Müller", "Zoë Dupont", "Łukasz Wróbel"]
    assert row["doi"] == "10.1234/beta.two"


def test_show_table_groups_under_headings(run) -> None:
    out = ok(run("show", "--topic", "peft"))
    lines = out.splitlines()
    assert lines[0].split() == ["year", "venue", "key", "title"]
    # headings are rows of their own, from the first column, not inside the title column
    assert "Parameter-Efficient Model Adaptation › PEFT Method" in lines
    assert "Parameter-Efficient Model Adaptation › PEFT Analysis" in lines
    assert out.index("PEFT Method") < out.index("hu2022lora") < out.index("PEFT Analysis")
    assert "LoRA: Low-Rank Adaptation of Large Language Models" in " ".join(out.split())
    assert max(len(line) for line in lines) <= 80


def test_show_names_gives_cards(run) -> None:
    out = ok(run("show", "dpo", "hu2022lora"))
    assert "Rafael Rafailov, Archit Sharma" in out
    assert "https://arxiv.org/abs/2305.18290" in out
    assert "https://arxiv.org/abs/2106.09685" in out
    assert "aliases: DPO" in out
    assert "• 훈련 과정이 복잡한 PPO" in out
    # the URLs below the box, whole and on lines of their own
    assert "arXiv  https://arxiv.org/abs/2305.18290" in out.splitlines()
    assert out.index("Direct Preference") < out.index("LoRA: Low-Rank")


def test_show_full_gives_cards_for_a_list(run) -> None:
    out = ok(run("show", "--topic", "attention-sink", "--full"))
    assert out.count("key: ") == 3 and "Guangxuan Xiao" in out


def test_show_keys(run) -> None:
    out = ok(run("show", "--topic", "peft", "--format", "keys"))
    keys = out.splitlines()
    assert len(keys) == 13  # the summary posts have no key
    assert "hu2022lora" in keys and all(k.islower() and " " not in k for k in keys)


def test_show_markdown(run) -> None:
    out = ok(run("show", "--topic", "peft", "--format", "markdown"))
    assert out.startswith("## Parameter-Efficient Model Adaptation\n")
    assert "\n### PEFT Method\n" in out and "\n### PEFT Analysis\n" in out
    assert "- [22' ICLR] [LoRA: Low-Rank Adaptation of Large Language Models](" in out
    assert "- [Summary] Brief Summary of Parameter-Efficient Fine-Tuning" in out
    assert "  - LoRA가 Full Fine-tuning에 비해" in out
    assert "\n\n\n" not in out
    assert sum(line.startswith("- [") for line in out.splitlines()) == 15


@pytest.mark.parametrize(
    ("args", "count"),
    [
        (["--topic", "peft"], 15),
        (["--topic", "Attention Sink"], 3),
        (["-t", "rlhf"], 3),
        (["--venue", "neurips"], 3),
        (["--venue", "nips"], 3),
        (["--venue", "NIPS"], 3),
        (["--year", "2022-2023"], 16),  # a dash reads as the range it means
        (["-y", "2022–2023"], 16),
        (["--year", "2024"], 20),
        (["-y", "2022..2023"], 16),
        (["--year", "2023.."], 30),
        (["--year", "..2020"], 4),
        (["--topic", "peft", "--year", "2024"], 3),
        (["--venue", "iclr", "--year", "2024", "--topic", "interpretability"], 5),
    ],
)
def test_show_filters(run, args: list[str], count: int) -> None:
    assert len(parse_json(run("show", *args, "--format", "json"))) == count


def test_show_names_and_filter_intersect(run) -> None:
    rows = parse_json(run("show", "dpo", "cot", "--venue", "nips", "--year", "2022", "-f", "json"))
    assert [r["id"] for r in rows] == ["cot"]


# ---------------------------------------------------------------- empty results


@pytest.mark.parametrize(
    "args",
    [
        ["search", "qwxzv"],
        ["search", "the"],
        ["show", "--year", "2031"],
        ["show", "--topic", "cot", "--venue", "tacl"],
        ["search", "dpo", "--year", "..2020"],
    ],
)
def test_empty_results(run, args: list[str]) -> None:
    result = run(*args)
    assert ok(result) == ""
    assert "no papers match" in result.stderr
    assert "error" not in result.stderr
    assert json.loads(ok(run(*args, "--format", "json"))) == []
    assert ok(run(*args, "--format", "keys")) == ""
    assert ok(run(*args, "--format", "markdown")) == ""


# ---------------------------------------------------------------- search


def test_search_json_has_score_and_catalog_fields(run) -> None:
    rows = parse_json(run("search", "dpo", "--format", "json"))
    assert rows[0]["id"] == "dpo"
    scores = [r["score"] for r in rows]
    assert all(isinstance(s, (int, float)) and 0 < s <= 100 for s in scores)
    assert scores == sorted(scores, reverse=True)
    assert rows[0]["score"] > rows[1]["score"]


def test_search_joins_words(run) -> None:
    rows = parse_json(run("search", "percy", "liang", "-f", "json"))
    assert rows[0]["id"] in {"prefix-tuning", "contrastive-decoding", "lost-in-the-middle"}
    assert parse_json(run("search", "sat", "probe", "-f", "json"))[0]["id"] == "sat-probe"


def test_search_korean(run) -> None:
    rows = parse_json(run("search", "집단지성", "-f", "json"))
    assert rows[0]["id"] == "meta-prompting"


def test_search_table(run) -> None:
    out = ok(run("search", "lroa"))
    header, first = out.splitlines()[:2]
    assert header.split() == ["score", "year", "venue", "key", "title"]
    score, *rest = first.split()[:4]
    assert score.isdigit() and rest == ["2022", "ICLR", "hu2022lora"]  # scores as integers
    assert "LoRA: Low-Rank Adaptation" in first


def test_search_keys(run) -> None:
    assert ok(run("search", "streming", "llm", "-f", "keys")).splitlines()[0] == (
        "xiao2024efficient"
    )


def test_search_markdown(run) -> None:
    out = ok(run("search", "dola", "--limit", "1", "--format", "markdown"))
    assert "#### Contrastive Decoding" in out
    assert "[24' ICLR] [DoLa: Decoding by Contrasting Layers" in out


def test_search_limit(run) -> None:
    assert len(parse_json(run("search", "attention", "--limit", "2", "-f", "json"))) == 2
    assert len(parse_json(run("search", "attention", "-n", "1", "-f", "json"))) == 1
    assert len(parse_json(run("search", "attention", "-f", "json"))) == 10  # the default


def test_search_with_filters(run) -> None:
    rows = parse_json(run("search", "lora", "--topic", "peft/analysis", "-f", "json"))
    assert rows and all(r["topic"] == "peft/analysis" for r in rows)
    rows = parse_json(run("search", "attention", "--venue", "nips", "-f", "json"))
    assert all(r["venue"] == "NeurIPS" for r in rows)
    rows = parse_json(run("search", "lora", "--year", "2024", "-f", "json"))
    assert {r["id"] for r in rows} >= {"lora-note", "lora-learns-less"}
    assert all(r["year"] == 2024 for r in rows)


# ---------------------------------------------------------------- topics, venues, check


def test_topics(run, shipped) -> None:
    out = ok(run("topics", env={"COLUMNS": "120"}))
    intro, blank, *lines = out.splitlines()
    # the counts add up to the papers; the summary posts are said to be apart
    assert intro.startswith("44 papers under 18 topics, and 2 summary posts") and not blank
    assert len(lines) == 18
    # name, count and slug are apart by at least two spaces
    parts = [line.strip().split("  ") for line in lines]
    rows = {
        p[-1].strip(): (p[0].strip(), int(p[-2])) for p in (list(filter(None, x)) for x in parts)
    }
    for topic in shipped.topics:
        assert rows[topic.slug][0] == topic.name
    assert rows["peft"][1] == 13 and rows["alignment"][1] == 6
    assert rows["interpretability/attention/attention-sink"][1] == 3
    roots = ["alignment", "peft", "cot", "interpretability"]
    assert sum(rows[r][1] for r in roots) == 44
    # sub-topics are indented under their parent
    assert lines[0].startswith("Alignment Tuning") and lines[1].startswith("  RLHF")


def test_topics_narrow_puts_the_slug_on_its_own_line(run) -> None:
    out = ok(run("topics", env={"COLUMNS": "60"}))
    lines = [line.strip() for line in out.splitlines()]
    assert "interpretability/attention/attention-interpretation" in lines
    assert max(len(line) for line in out.splitlines()) <= 60


def test_venues(run) -> None:
    out = ok(run("venues", env={"COLUMNS": "100"}))
    header, *lines = out.splitlines()
    # the same columns in the same order as on a terminal
    assert [h for h in header.split("  ") if h] == [
        "venue",
        " papers",
        "years",
        "kind",
        "full name",
    ]
    rows = {
        line.split("  ")[0].strip(): [c.strip() for c in line.split("  ") if c]
        for line in lines
        if not line.startswith(" ")
    }
    assert rows["NeurIPS"][1:4] == ["3", "2022–2023", "conference"]
    assert rows["arXiv"][1:4] == ["12", "2019, 2021–2024", "preprint"]  # aligned like the rest
    assert rows["ICLR"][1] == "9"
    assert "NIPS" not in rows and "TMLR" not in rows  # no paper of the list is there
    assert sum(int(r[1]) for r in rows.values()) == 44


def test_topics_and_venues_of_an_empty_list(run, tmp_path: Path) -> None:
    env = {"LITLIST_DATA_DIR": str(tmp_path)}
    ok(run("init", "--empty", env=env))
    out = ok(run("topics", env=env))
    assert out.startswith("0 papers under 18 topics.") and "alignment/rlhf" in out
    result = run("venues", env=env)
    assert ok(result) == "" and result.stderr == "no papers yet, so no venues\n"
    assert "0 papers, 0 summary posts, 18 topics, 0 venues, years none" in ok(
        run("check", env={**env, "COLUMNS": "200"})
    )


def test_counts_of_one_are_singular(run, tmp_path: Path) -> None:
    env = {"LITLIST_DATA_DIR": str(tmp_path), "COLUMNS": "200"}
    ok(run("init", "--empty", env=env))
    entry = "@article{doe2020one, title={One}, author={Doe, Jane}, journal={TACL}, year=2020}"
    (tmp_path / "one.bib").write_text(entry)
    ok(run("add", "--bib", str(tmp_path / "one.bib"), "--topic", "peft", env=env))
    assert ok(run("topics", env=env)).startswith("1 paper under 18 topics.")
    assert "1 paper, 0 summary posts, 18 topics, 1 venue (TACL), years 2020" in ok(
        run("check", env=env)
    )


def test_check_shipped(run) -> None:
    result = run("check")
    out = ok(result)
    assert out.startswith("ok: ") and "papers.toml" in out
    assert "44 papers, 2 summary posts, 18 topics" in out
    assert "years 2019–2024" in " ".join(out.split())  # wrapped at 80 columns
    assert result.stderr == ""


def test_check_fits_the_width(run) -> None:
    out = ok(run("check", env={"COLUMNS": "60"}))
    first, *rest = out.splitlines()
    assert first.startswith("ok: ") and first.endswith("papers.toml")
    assert all(len(line) <= 60 for line in rest)
    assert "years 2019–2024" in " ".join(out.split())


def test_check_keeps_a_long_path_on_its_ok_line(run, tmp_path: Path, shipped_catalog: Path) -> None:
    # An installed catalog's path is often longer than the screen (CI's was): it stays on
    # the "ok:" line, whole, so it can be copied.
    deep = tmp_path.joinpath(*["a-rather-long-folder-name"] * 6)
    deep.mkdir(parents=True)
    target = deep / "papers.toml"
    target.write_bytes(shipped_catalog.read_bytes())
    out = ok(run("--catalog", str(target), "check", env={"COLUMNS": "80"}))
    assert out.splitlines()[0] == f"ok: {target}"


def test_check_tiny(run, tiny_catalog: Path) -> None:
    out = ok(run("--catalog", str(tiny_catalog), "check"))
    assert f"ok: {tiny_catalog}" in out
    assert "3 papers, 1 summary post, 3 topics, 3 venues" in out


def test_check_lists_every_problem(run, write_catalog) -> None:
    path = write_catalog(
        TINY_CATALOG.replace('arxiv = "2001.00001"', 'arxiv = "x"').replace(
            'topic = "gamma"', 'topic = "delta"'
        )
    )
    before = path.read_bytes()
    result = run("--catalog", str(path), "check")
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 3 and "Traceback" not in result.stderr
    assert lines[0].startswith(f"error: {path}:") and "paper 'alpha-one', field 'arxiv'" in lines[0]
    assert "paper 'gamma-three', field 'topic'" in lines[1]
    assert lines[2] == f"2 problem(s) in {path} (chosen with --catalog)"
    assert path.read_bytes() == before


def test_version(run) -> None:
    out = ok(run("--version"))
    assert out == f"litlist {litlist.__version__}\n"
    assert litlist.__version__ == version("litlist")


# ---------------------------------------------------------------- usage mistakes: exit 2


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["show", "--format", "xml"], "'xml'"),
        (["search", "dpo", "--format", "bibtex"], "'bibtex'"),
        (["search", "dpo", "--limit", "0"], "--limit"),
        (["search", "dpo", "--limit", "many"], "'many'"),
        (["show", "--bogus"], "--bogus"),
        (["search"], "QUERY"),
        (["show", "--topic"], "--topic"),
        (["frobnicate"], "frobnicate"),
        (["--catalog"], "--catalog"),
        (["topics", "extra"], "extra"),
    ],
)
def test_usage_mistake(run, args: list[str], named: str) -> None:
    line = one_error_line(run(*args), 2)
    assert "╭" not in line  # a plain line, not a rich panel
    assert named in line


def test_no_arguments_shows_help_without_an_empty_error(run) -> None:
    result = run()
    assert "Usage" in result.stdout
    assert result.stderr == ""
    assert result.exit_code == 0


# ---------------------------------------------------------------- user mistakes: exit 1


def test_unknown_topic(run) -> None:
    line = one_error_line(run("show", "--topic", "atention sink"), 2)
    assert "--topic" in line and "'atention sink'" in line and "Attention Sink" in line
    # a pointer to the list, not all 18 slugs
    assert line.endswith("`litlist topics` lists them all") and len(line) < 160
    assert "cot/others" not in line


def test_unknown_venue(run) -> None:
    line = one_error_line(run("search", "dpo", "--venue", "neurps"), 2)
    assert "--venue" in line and "NeurIPS" in line and "`litlist venues`" in line


def test_bad_year_is_a_usage_error(run) -> None:
    line = one_error_line(run("show", "--year", "2024x"), 2)
    assert "--year" in line and "2022..2023" in line


@pytest.mark.parametrize(
    "args", [["--topic", "pfet"], ["--venue", "neurps"], ["--year", "20x"], ["-y", "2025-2020"]]
)
def test_a_bad_filter_value_is_one_kind_of_mistake(run, args: list[str]) -> None:
    for command in (["show"], ["search", "dpo"], ["export"]):
        line = one_error_line(run(*command, *args), 2)
        assert args[0] in line or "--year" in line


def test_an_empty_dash_range_is_named_as_typed(run) -> None:
    line = one_error_line(run("show", "--year", "2025-2020"), 2)
    assert "'2025-2020' is an empty range" in line and "--year" in line


def test_venue_has_no_short_option(run) -> None:
    line = one_error_line(run("show", "-v", "nips"), 2)
    assert "-v" in line


@pytest.mark.parametrize(
    ("args", "first", "last"),
    [
        (["--sort", "year"], "ziegler2019fine", None),
        (["--sort", "title", "--topic", "cot"], "zhang2023automatic", "suzgun2024meta"),
        (["--sort", "venue", "--topic", "cot"], "suzgun2024meta", "kojima2022large"),
    ],
)
def test_show_sort(run, args: list[str], first: str, last: str | None) -> None:
    keys = ok(run("show", *args, "-f", "keys")).splitlines()
    assert keys[0] == first and (last is None or keys[-1] == last)
    if args[1] == "year":
        years = [r["year"] for r in parse_json(run("show", *args, "-f", "json"))]
        assert years == sorted(years, key=lambda y: (y is None, y or 0))
    # sorted, the table has no headings: the list's order is gone
    table = ok(run("show", *args)).splitlines()
    assert not any("›" in line for line in table)


def test_unknown_paper(run) -> None:
    line = one_error_line(run("show", "dpo", "rafailov2023"), 1)
    assert "rafailov2023" in line and "rafailov2023direct" in line


# ---------------------------------------------------------------- broken catalogs


BROKEN = {
    "unknown field": TINY_CATALOG.replace('title = "Gamma Rays', 'titel = "Gamma Rays'),
    "bad year": TINY_CATALOG.replace("year = 2022", "year = 22"),
    "not TOML": TINY_CATALOG.replace("year = 2024", "year = = 2024"),
    "not UTF-8": TINY_CATALOG.encode().replace("Müller".encode(), b"M\xfcller"),
}
COMMANDS = [
    ["show"],
    ["search", "alpha"],
    ["topics"],
    ["venues"],
    ["show", "-f", "json"],
    ["show", "alpha-one"],
]


@pytest.mark.parametrize("how", ["option", "env"])
@pytest.mark.parametrize("command", COMMANDS, ids=[" ".join(c) for c in COMMANDS])
@pytest.mark.parametrize("broken", list(BROKEN))
def test_broken_catalog_fails_cleanly(
    run, write_catalog, broken: str, command: list[str], how: str
) -> None:
    path = write_catalog(BROKEN[broken])
    before = path.read_bytes(), path.stat().st_mtime_ns
    if how == "option":
        result = run("--catalog", str(path), *command)
    else:
        result = run(*command, env={"LITLIST_CATALOG": str(path)})
    line = one_error_line(result, 1)
    assert line.startswith(f"error: {path}:")
    assert result.stdout == ""
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before


@pytest.mark.parametrize("broken", list(BROKEN))
def test_broken_catalog_check(run, write_catalog, broken: str) -> None:
    path = write_catalog(BROKEN[broken])
    before = path.read_bytes()
    result = run("check", env={"LITLIST_CATALOG": str(path)})
    assert result.exit_code == 1 and result.stdout == ""
    *problems, total = result.stderr.splitlines()
    assert problems and all(p.startswith(f"error: {path}:") for p in problems)
    assert total == f"{len(problems)} problem(s) in {path} (chosen by $LITLIST_CATALOG)"
    assert path.read_bytes() == before


@pytest.mark.parametrize("where", ["missing", "folder"])
def test_catalog_that_is_not_a_file(run, tmp_path: Path, where: str) -> None:
    path = tmp_path / "nope.toml" if where == "missing" else tmp_path
    line = one_error_line(run("--catalog", str(path), "search", "dpo"), 1)
    assert str(path) in line
    assert ("no such catalog file" if where == "missing" else "folder") in line
    assert not (tmp_path / "nope.toml").exists()


def test_option_beats_env(run, tiny_catalog: Path, tmp_path: Path) -> None:
    rows = parse_json(
        run(
            "--catalog",
            str(tiny_catalog),
            "show",
            "-f",
            "json",
            env={"LITLIST_CATALOG": str(tmp_path / "missing.toml")},
        )
    )
    assert sorted(r["id"] for r in rows) == sorted(TINY_IDS)


def test_env_catalog_is_used(run, tiny_catalog: Path) -> None:
    rows = parse_json(run("show", "-f", "json", env={"LITLIST_CATALOG": str(tiny_catalog)}))
    assert sorted(r["id"] for r in rows) == sorted(TINY_IDS)


def test_cli_does_not_write_next_to_the_catalog(run, tiny_catalog: Path) -> None:
    before = sorted(tiny_catalog.parent.iterdir())
    ok(run("--catalog", str(tiny_catalog), "show"))
    ok(run("--catalog", str(tiny_catalog), "search", "alpha"))
    assert sorted(tiny_catalog.parent.iterdir()) == before


def test_python_dash_m(tiny_catalog: Path) -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "litlist",
            "--catalog",
            str(tiny_catalog),
            "show",
            "--format",
            "keys",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["smith2020alpha", "muller2022beta", "lee2024gamma"]


# ---------------------------------------------------------------- shell completion


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("litlist show lo", {"lora", "lora-note", "lora-learns-less", "lost-in-the-middle"}),
        ("litlist export rafa", {"rafailov2023direct"}),
        ("litlist show --topic attention-s", {"attention-sink"}),
        ("litlist show --venue Neur", {"NeurIPS"}),
        ("litlist show --venue nip", {"nips"}),  # any case, as --venue reads it
        ("litlist search dpo --venue ic", {"icml", "iclr", "iclr-ws", "icml-ws"}),
        (
            "litlist search dpo --topic interpretability/attention/c",
            {"interpretability/attention/contrastive-decoding"},
        ),
    ],
)
def test_shell_completion_offers_ids_keys_and_topics(words: str, expected: set[str]) -> None:
    env = {
        "_LITLIST_COMPLETE": "complete_bash",
        "COMP_WORDS": words,
        "COMP_CWORD": str(len(words.split()) - 1),
    }
    result = CliRunner().invoke(app, [], env=env, prog_name="litlist")
    assert set(result.stdout.split()) == expected, result.stdout


# ---------------------------------------------------------------- names and what matched


@pytest.mark.parametrize(
    ("args", "key"),
    [
        (["show", "DPO", "-f", "json"], "rafailov2023direct"),
        (["show", "lora", "-f", "json"], "hu2022lora"),
        (["show", "arXiv:2305.18290v3", "-f", "json"], "rafailov2023direct"),
        (["export", "StreamingLLM"], "xiao2024efficient"),
        (["search", "https://arxiv.org/abs/2305.18290", "-f", "json"], "rafailov2023direct"),
        (["search", "hu2022lora", "-f", "json"], "hu2022lora"),
    ],
)
def test_commands_take_any_name_of_a_paper(run, args: list[str], key: str) -> None:
    result = run(*args)
    if "json" in args:
        rows = parse_json(result)
        assert rows[0]["key"] == key
        if args[0] == "search":
            assert rows[0]["score"] == 100 and rows[0]["matched"]
    else:
        assert key in ok(result)


def test_show_unknown_name_points_to_search(run) -> None:
    line = one_error_line(run("show", "rafailov2023"), 1)
    assert "did you mean rafailov2023direct" in line and "litlist search rafailov2023" in line


def test_search_json_says_what_matched(run) -> None:
    rows = parse_json(run("search", "keeps", "the", "first", "tokens", "-f", "json"))
    assert rows and all(isinstance(r["matched"], dict) and r["matched"] for r in rows)


def test_search_table_shows_what_matched(run) -> None:
    out = ok(run("search", "attention", "sink", env={"COLUMNS": "120"}))
    lines = out.splitlines()
    assert "xiao2024efficient" in lines[1] and lines[2].strip().startswith("↳ alias:")
    # under the title, in its column
    assert lines[2].index("↳") == lines[1].index("Efficient Streaming")


def test_no_match_message_of_a_huge_query_is_one_short_line(run) -> None:
    words = [f"zq{i}x" for i in range(3000)]
    result = run("search", *words)
    assert result.exit_code == 0
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and len(lines[0]) < 120 and lines[0].startswith("no papers match")


# ---------------------------------------------------------------- on a real terminal


def on_terminal(args: list[str], columns: int, **env: str) -> str:
    """What `litlist ARGS` prints on a pseudo-terminal `columns` wide (no $COLUMNS: the
    width comes from the terminal itself), with line feeds as written."""
    from test_screens import tty_run

    code, _, screen = tty_run(args, columns, stdout_tty=True, **env)
    assert code == 0
    return screen


ESCAPES = re.compile(r"\x1b\[[0-9;]*m|\x1b\]8;[^\x1b]*\x1b\\")


@pytest.mark.parametrize("columns", [60, 100])
@pytest.mark.parametrize(
    "args", [["show", "dpo"], ["show", "--topic", "peft"], ["search", "attention", "sink"]]
)
def test_no_color_is_the_terminal_output_without_colour(args: list[str], columns: int) -> None:
    coloured = on_terminal(args, columns)
    plain = on_terminal(args, columns, NO_COLOR="1")
    assert "\x1b[" in coloured and "\x1b" not in plain
    assert ESCAPES.sub("", coloured) == plain
    # laid out for the terminal's width; with colour forced into a pipe the same text at
    # $COLUMNS (a table piped without it is one record a line: test_screens.py)
    assert max(len(line) for line in plain.splitlines() if " " in line) <= columns
    env = {"COLUMNS": str(columns), **FOR_PEOPLE}
    piped = CliRunner().invoke(app, args, env=env, prog_name="litlist")
    assert piped.stdout == plain


def test_an_abstract_is_in_json_on_cards_and_found_by_search(run, tmp_path: Path) -> None:
    abstract = (
        "We measure how sheaf cohomology predicts gradient flow in deep networks, "
        "over many long sentences. " * 6
    ).strip() + "\n\nA second paragraph about tropical geometry."
    text = TINY_CATALOG.replace(
        'summary_en = "Beta estimation."', f"abstract = {json.dumps(abstract)}"
    )
    path = tmp_path / "papers.toml"
    path.write_text(text, encoding="utf-8")
    assert "ok:" in ok(run("--catalog", str(path), "check"))
    (row,) = parse_json(run("--catalog", str(path), "show", "beta-two", "--format", "json"))
    assert row["abstract"] == abstract
    card = ok(run("--catalog", str(path), "show", "beta-two"))
    assert "sheaf cohomology" in card and "tropical" not in card and "--full" in card
    assert "tropical geometry" in ok(run("--catalog", str(path), "show", "beta-two", "--full"))
    hits = parse_json(run("--catalog", str(path), "search", "tropical", "geometry", "-f", "json"))
    assert [h["id"] for h in hits] == ["beta-two"] and "abstract" in hits[0]["matched"]
