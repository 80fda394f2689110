"""`litlist note`, `edit`, `move`, `rm` and `mark` (issue 17): each changes only the lines of
the papers it names, refuses a hostile editor with one `error:` line and the catalog as it
was, leaves the cache warm (updated for the changed papers, never rebuilt), and loses nothing
when two commands run at once. Also the inbox, the ids and status `add`/`import` give."""

from __future__ import annotations

import datetime
import difflib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from litlist import catalog, index, query
from litlist.cli import app
from test_edit_cli import BIB, ok, one_error

TODAY = datetime.date.today().isoformat()


@pytest.fixture
def run():
    runner = CliRunner()

    def invoke(*args: str | Path, input: str | None = None):
        return runner.invoke(app, [str(a) for a in args], input=input, prog_name="litlist")

    return invoke


def changes(before: bytes, after: bytes) -> tuple[list[str], list[str]]:
    """(lines removed, lines added) between two versions of a file."""
    diff = list(difflib.ndiff(before.decode().splitlines(True), after.decode().splitlines(True)))
    return [d[2:] for d in diff if d.startswith("- ")], [d[2:] for d in diff if d.startswith("+ ")]


def table_lines(text: str, paper_id: str) -> tuple[int, int]:
    """(first, last + 1) line numbers (0-based) of the [[paper]] table with `paper_id`."""
    lines = text.splitlines()
    start = lines.index(f'id = "{paper_id}"') - 1
    end = start + 1
    while end < len(lines) and not lines[end].startswith("[["):
        end += 1
    return start, end


def only_in(before: bytes, after: bytes, paper_id: str) -> tuple[list[str], list[str]]:
    """The changes, asserted to fall inside the table of `paper_id`."""
    old = before.decode().splitlines()
    first, last = table_lines(before.decode(), paper_id)
    matcher = difflib.SequenceMatcher(a=old, b=after.decode().splitlines(), autojunk=False)
    for tag, i1, i2, _, _ in matcher.get_opcodes():
        if tag != "equal":
            assert first <= i1 and i2 <= last, (tag, i1, i2, first, last)
    return changes(before, after)


def warm(path: Path, monkeypatch) -> catalog.Catalog:
    """The catalog as the next command loads it, asserted to come from the cache (no parse),
    and to equal the catalog validated from scratch."""
    with monkeypatch.context() as patch:

        def refuse(*args, **kwargs):
            raise AssertionError("the cache was rebuilt, not updated")

        patch.setattr(catalog, "_build", refuse)
        cat = catalog.load(path)
        cached = [cat.paper(i) for i in range(len(cat))]
        columns = {name: list(cat.columns[name]) for name in cat.columns}
    fresh, problems = catalog.check(path)
    assert problems == [] and fresh is not None
    assert cached == fresh.papers
    assert columns == {name: list(values) for name, values in fresh.columns.items()}
    assert cat.topics == fresh.topics
    # the search tables too: the same answers as an index built from scratch
    for words in ("dpo", "attention", "preference optimization", "low rank", "선호", "alpha"):
        ranked = [(h.position, round(h.score, 6)) for h in query.search(cat, words, limit=20)]
        again = [(h.position, round(h.score, 6)) for h in query.search(fresh, words, limit=20)]
        assert ranked == again, words
    return cat


@pytest.fixture
def mine(own_catalog: Path, run) -> Path:
    """The user's catalog, with a warm cache (as after any command)."""
    ok(run("-c", own_catalog, "search", "dpo"))
    return own_catalog


# ---------------------------------------------------------------- note


def test_note_adds_one_line_to_the_papers_bullets(run, mine, monkeypatch) -> None:
    before = mine.read_bytes()
    result = run("-c", mine, "note", "dpo", "선호 데이터만으로  학습\n한다")
    ok(result)
    assert result.stderr == "added a note to 'dpo'\n"
    removed, added = only_in(before, mine.read_bytes(), "dpo")
    assert removed == [] and added == ['    "선호 데이터만으로 학습 한다",\n']
    cat = warm(mine, monkeypatch)
    assert cat.paper(cat.ids.index("dpo")).summary[-1] == "선호 데이터만으로 학습 한다"
    hits = [cat.ids[i] for i, _ in query.named(cat, "dpo")]
    assert hits == ["dpo"]


def test_note_on_several_papers_and_in_english(run, mine, monkeypatch) -> None:
    before = mine.read_bytes()
    ok(run("-c", mine, "note", "dpo", "lora", "shared point"))
    removed, added = changes(before, mine.read_bytes())
    assert removed == [] and added == ['    "shared point",\n'] * 2
    middle = mine.read_bytes()
    result = run("-c", mine, "note", "lora", "Also merged at inference.", "--en")
    ok(result)
    assert result.stderr == "added to the English summary of 'lora'\n"
    removed, added = only_in(middle, mine.read_bytes(), "lora")
    assert len(removed) == 1 and removed[0].startswith("summary_en = ")
    assert len(added) == 1 and added[0].endswith(' Also merged at inference."\n')
    cat = warm(mine, monkeypatch)
    assert cat.paper(cat.ids.index("lora")).summary_en.endswith(
        "adaptation. Also merged at inference."
    )


def test_note_on_a_paper_without_bullets_adds_the_field(run, tmp_path, monkeypatch) -> None:
    from conftest import TINY_CATALOG

    path = tmp_path / "tiny.toml"
    path.write_text(TINY_CATALOG)
    before = path.read_bytes()
    ok(run("-c", path, "note", "beta-two", "first"))
    removed, added = only_in(before, path.read_bytes(), "beta-two")
    assert removed == [] and added == ["summary = [\n", '    "first",\n', "]\n"]
    # in the catalog's order: before summary_en
    assert 'summary = [\n    "first",\n]\nsummary_en = "Beta estimation."' in path.read_text()
    # a list written on one line is written again, one bullet a line
    middle = path.read_bytes()
    ok(run("-c", path, "note", "alpha-one", "second"))
    removed, added = only_in(middle, path.read_bytes(), "alpha-one")
    assert removed == ['summary = ["작은 카탈로그를 위한 알파 방법을 제시함"]\n']
    assert added[1:3] == ['    "작은 카탈로그를 위한 알파 방법을 제시함",\n', '    "second",\n']
    warm(path, monkeypatch)


def test_note_refuses_empty_text_and_unknown_papers(run, mine) -> None:
    before = mine.read_bytes()
    assert "the note is empty" in one_error(run("-c", mine, "note", "dpo", "  "))
    assert "no-such-paper" in one_error(run("-c", mine, "note", "no-such-paper", "x"), -1)
    assert "U+0007" in one_error(run("-c", mine, "note", "dpo", "bell\x07"))
    assert mine.read_bytes() == before


# ---------------------------------------------------------------- mark


def test_mark_sets_one_line_and_show_filters_by_it(run, mine, monkeypatch) -> None:
    before = mine.read_bytes()
    result = run("-c", mine, "mark", "dpo", "lora", "reading")
    ok(result)
    assert result.stderr == "marked 'dpo', 'lora' reading\n"
    removed, added = changes(before, mine.read_bytes())
    assert removed == [] and added == ['status = "reading"\n'] * 2
    middle = mine.read_bytes()
    ok(run("-c", mine, "mark", "dpo", "read"))
    removed, added = only_in(middle, mine.read_bytes(), "dpo")
    assert removed == ['status = "reading"\n'] and added == ['status = "read"\n']
    warm(mine, monkeypatch)
    assert ok(run("-c", mine, "show", "--status", "reading", "-f", "keys")) == "hu2022lora\n"
    assert ok(run("-c", mine, "show", "--status", "read", "-f", "keys")) == "rafailov2023direct\n"
    assert "already read" in run("-c", mine, "mark", "dpo", "read").stderr


def test_mark_needs_a_known_status(run, mine) -> None:
    # usage mistakes (exit 2) that say what was wrong, before the catalog is read
    before = mine.read_bytes()
    line = one_error(run("-c", mine, "mark", "dpo", "done"), 2)
    assert "unknown status 'done'" in line and "to-read, reading or read" in line
    line = one_error(run("-c", mine, "mark", "dpo", "to_read"), 2)
    assert "did you mean to-read?" in line
    line = one_error(run("-c", mine, "mark", "dpo"), 2)
    assert "no status given after 'dpo'" in line and "to-read, reading or read" in line
    assert "no papers given" in one_error(run("-c", mine, "mark", "read"), 2)
    # a usage mistake is said even when the catalog cannot be used
    missing = mine.with_name("missing.toml")
    assert "unknown status" in one_error(run("-c", missing, "mark", "dpo", "done"), 2)
    assert mine.read_bytes() == before


# ---------------------------------------------------------------- move


def test_move_changes_the_topic_line(run, mine, monkeypatch) -> None:
    before = mine.read_bytes()
    result = run("-c", mine, "move", "dpo", "--topic", "peft")
    ok(result)
    assert result.stderr == "moved 'dpo' to 'peft'\n"
    removed, added = only_in(before, mine.read_bytes(), "dpo")
    assert removed == ['topic = "alignment/rlhf"\n'] and added == ['topic = "peft"\n']
    cat = warm(mine, monkeypatch)
    assert "dpo" in [cat.ids[i] for i in query.select(cat, topic="peft")]


def test_move_to_a_new_topic_adds_its_table(run, mine, monkeypatch) -> None:
    before = mine.read_bytes()
    result = run(
        "-c", mine, "move", "dpo", "--new-topic", "Preference Tricks", "--parent", "alignment"
    )
    ok(result)
    assert result.stderr == "moved 'dpo' to new topic 'alignment/preference-tricks'\n"
    removed, added = changes(before, mine.read_bytes())
    assert removed == ['topic = "alignment/rlhf"\n']
    assert sorted(added) == sorted(
        [
            "[[topic]]\n",
            'slug = "alignment/preference-tricks"\n',
            'name = "Preference Tricks"\n',
            "\n",
            'topic = "alignment/preference-tricks"\n',
        ]
    )
    assert '[[topic]]\nslug = "alignment/preference-tricks"\nname = "Preference Tricks"\n\n' in (
        mine.read_text()
    )
    warm(mine, monkeypatch)


def test_move_to_an_unknown_topic_is_refused(run, mine) -> None:
    before = mine.read_bytes()
    assert "no-such-topic" in one_error(run("-c", mine, "move", "dpo", "-t", "no-such-topic"), 2)
    assert mine.read_bytes() == before


def test_move_says_where_once(run, mine) -> None:
    # usage mistakes (exit 2), named, before the catalog is read
    before = mine.read_bytes()
    line = one_error(run("-c", mine, "move", "dpo"), 2)
    assert "say where the papers go: --topic SLUG or --new-topic HEADING" in line
    line = one_error(run("-c", mine, "move", "dpo", "--topic", "peft", "--new-topic", "Y"), 2)
    assert "not both" in line
    line = one_error(run("-c", mine, "move", "dpo", "--topic", "peft", "--parent", "peft"), 2)
    assert "--parent goes with --new-topic" in line
    missing = mine.with_name("missing.toml")
    assert "not both" in one_error(
        run("-c", missing, "move", "dpo", "-t", "a", "--new-topic", "B"), 2
    )
    assert mine.read_bytes() == before


# ---------------------------------------------------------------- rm


def test_rm_without_a_terminal_asks_for_yes(run, mine) -> None:
    before = mine.read_bytes()
    line = one_error(run("-c", mine, "rm", "dpo-vs-ppo"))
    assert "--yes" in line and "'dpo-vs-ppo'" in line
    assert mine.read_bytes() == before


def test_rm_takes_out_the_table_and_its_blank_line(run, mine, monkeypatch) -> None:
    before = mine.read_bytes()
    first, last = table_lines(before.decode(), "dpo-vs-ppo")
    result = run("-c", mine, "rm", "dpo-vs-ppo", "--yes")
    ok(result)
    assert result.stderr.splitlines()[-1] == "removed 'dpo-vs-ppo'"
    removed, added = changes(before, mine.read_bytes())
    assert added == []
    # its lines and one blank line
    assert sorted(removed) == sorted(before.decode().splitlines(True)[first:last])
    cat = warm(mine, monkeypatch)
    assert "dpo-vs-ppo" not in cat.ids
    search = query.search
    assert [cat.ids[h.position] for h in search(cat, "dpo", limit=1)] == ["dpo"]


def test_rm_refuses_a_paper_a_summary_post_covers(run, mine) -> None:
    before = mine.read_bytes()
    line = one_error(run("-c", mine, "rm", "lora", "--yes"))
    assert "summary post 'peft-summary' covers 'lora'" in line
    assert mine.read_bytes() == before


def test_rm_says_when_a_topic_is_left_empty(run, tmp_path, monkeypatch) -> None:
    from conftest import TINY_CATALOG

    path = tmp_path / "tiny.toml"
    path.write_text(TINY_CATALOG)
    cat = catalog.load(path)
    ids = [cat.ids[i] for i in range(len(cat)) if cat.columns["topic"][i] == "gamma"]
    result = run("-c", path, "rm", *ids, "--yes")
    ok(result)
    assert "note: topic 'gamma' has no papers now; it stays declared" in result.stderr
    assert 'slug = "gamma"' in path.read_text()
    warm(path, monkeypatch)


# ---------------------------------------------------------------- edit


def editor(tmp_path: Path, body: str) -> str:
    script = tmp_path / "editor.py"
    script.write_text("import os, sys\np = sys.argv[1]\n" + body)
    return f"{sys.executable} {script}"


def test_edit_changes_only_the_edited_lines(run, mine, tmp_path, monkeypatch) -> None:
    body = "t = open(p).read()\nopen(p, 'w').write(t.replace('year = 2023', 'year = 2024'))\n"
    monkeypatch.setenv("EDITOR", editor(tmp_path, body))
    before = mine.read_bytes()
    result = run("-c", mine, "edit", "dpo")
    ok(result)
    assert result.stderr == "edited 'dpo'\n"
    removed, added = only_in(before, mine.read_bytes(), "dpo")
    assert removed == ["year = 2023\n"] and added == ["year = 2024\n"]
    cat = warm(mine, monkeypatch)
    assert cat.paper(cat.ids.index("dpo")).year == 2024


def test_edit_that_changes_nothing_writes_nothing(run, mine, monkeypatch) -> None:
    monkeypatch.setenv("EDITOR", "true")
    before = mine.read_bytes()
    result = run("-c", mine, "edit", "dpo")
    ok(result)
    assert result.stderr == "'dpo' was not changed; nothing written\n"
    assert mine.read_bytes() == before


HOSTILE = {
    "missing": ("no-such-editor-anywhere", "cannot run the editor"),
    "fails": ("false", "failed"),
    "invalid TOML": ("open(p, 'a').write('\\n= = =\\n')\n", "not valid TOML"),
    "another id": (
        "t = open(p).read()\nopen(p, 'w').write(t.replace('id = \"dpo\"', 'id = \"dpo2\"'))\n",
        "an edit keeps the id",
    ),
    "deletes": ("os.unlink(p)\n", "removed the file"),
    "not UTF-8": (
        "open(p, 'wb').write('title = \"M\\u00fcller\"'.encode('latin-1'))\n",
        "not UTF-8",
    ),
    "bad year": (
        "t = open(p).read()\nopen(p, 'w').write(t.replace('year = 2023', 'year = \"soon\"'))\n",
        "field 'year'",
    ),
    "taken key": (
        "t = open(p).read()\nopen(p, 'w').write(t.replace('rafailov2023direct', 'hu2022lora'))\n",
        "key 'hu2022lora' is used by paper 'lora'",
    ),
    "unknown topic": (
        "t = open(p).read()\nopen(p, 'w').write(t.replace('alignment/rlhf', 'nowhere'))\n",
        "topic 'nowhere' is not declared",
    ),
    "two tables": ("open(p, 'a').write('\\n[[paper]]\\nid = \"x\"\\n')\n", "exactly one"),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_edit_with_a_hostile_editor_leaves_the_catalog(
    run, mine, tmp_path, monkeypatch, case
) -> None:
    body, words = HOSTILE[case]
    command = body if case in ("missing", "fails") else editor(tmp_path, body)
    monkeypatch.setenv("EDITOR", command)
    monkeypatch.delenv("VISUAL", raising=False)
    before = mine.read_bytes()
    line = one_error(run("-c", mine, "edit", "dpo"))
    assert words in line, line
    assert mine.read_bytes() == before
    if case in ("bad year", "taken key", "unknown topic", "invalid TOML"):
        first, _ = table_lines(before.decode(), "dpo")
        assert f"{mine}:{first + 1}:" in line  # file:line of the paper's table
    warm(mine, monkeypatch)


@pytest.mark.parametrize("case", ["missing", "fails", "deletes", "not UTF-8"])
def test_note_in_an_editor_with_a_hostile_editor_leaves_the_catalog(
    run,
    mine,
    tmp_path,
    monkeypatch,
    case,
) -> None:
    body, words = HOSTILE[case]
    command = body if case in ("missing", "fails") else editor(tmp_path, body)
    monkeypatch.setenv("EDITOR", command)
    monkeypatch.delenv("VISUAL", raising=False)
    before = mine.read_bytes()
    assert words in one_error(run("-c", mine, "note", "dpo"))
    assert mine.read_bytes() == before


def test_note_in_an_editor_sets_the_bullets(run, mine, tmp_path, monkeypatch) -> None:
    body = (
        "t = open(p, encoding='utf-8').read()\n"
        "open(p, 'w', encoding='utf-8').write(t + '둘째 줄\\n')\n"
    )
    monkeypatch.setenv("EDITOR", editor(tmp_path, body))
    before = mine.read_bytes()
    result = run("-c", mine, "note", "dpo")
    ok(result)
    assert result.stderr == "set the notes of 'dpo' (2 bullets)\n"
    removed, added = only_in(before, mine.read_bytes(), "dpo")
    assert '    "둘째 줄",\n' in added and len(added) == len(removed) + 1
    warm(mine, monkeypatch)


def test_edit_refuses_when_the_paper_changed_meanwhile(run, mine, tmp_path, monkeypatch) -> None:
    """The lock is not held while the editor is open: a change made meanwhile (here by the
    editor itself, to the catalog) is found, and nothing is written over it."""
    body = (
        f"c = {str(mine)!r}\nt = open(c).read()\n"
        "open(c, 'w').write(t.replace('year = 2023', 'year = 2021'))\n"
        "e = open(p).read()\nopen(p, 'w').write(e.replace('DPO', 'DPO-x'))\n"
    )
    monkeypatch.setenv("EDITOR", editor(tmp_path, body))
    line = one_error(run("-c", mine, "edit", "dpo"))
    assert "changed by another program while you edited it" in line
    text = mine.read_text()
    assert "year = 2021" in text and "DPO-x" not in text
    # nothing could be written: the edited text is kept, in a file the error names
    assert "DPO-x" in kept(line)


def kept(line: str) -> str:
    """The text of the file an error line says an edit is kept in."""
    found = re.search(r"your edited text is kept in (\S+)$", line)
    assert found, line
    path = Path(found[1])
    assert path.stat().st_mode & 0o077 == 0  # private: a note may be personal
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize("case", ["bad year", "taken key", "invalid TOML", "two tables"])
def test_edit_refused_with_no_terminal_keeps_the_edited_text(
    run, mine, tmp_path, monkeypatch, case
) -> None:
    body, _ = HOSTILE[case]
    monkeypatch.setenv("EDITOR", editor(tmp_path, body + "open(p, 'a').write('# mine\\n')\n"))
    before = mine.read_bytes()
    line = one_error(run("-c", mine, "edit", "dpo"))
    assert mine.read_bytes() == before
    text = kept(line)
    assert text.endswith("# mine\n") and 'id = "dpo"' in text


def test_edit_refused_says_what_the_text_is_not(run, mine, tmp_path, monkeypatch) -> None:
    body, _ = HOSTILE["two tables"]
    monkeypatch.setenv("EDITOR", editor(tmp_path, body))
    line = one_error(run("-c", mine, "edit", "dpo"))
    assert ": the edited text is not one [[paper]] table (it must hold exactly one" in line
    assert "is the text" not in line


def test_note_in_an_editor_keeps_the_text_when_the_paper_changed(
    run, mine, tmp_path, monkeypatch
) -> None:
    body = (
        f"c = {str(mine)!r}\nt = open(c).read()\n"
        "open(c, 'w').write(t.replace('year = 2023', 'year = 2021'))\n"
        "e = open(p, encoding='utf-8').read()\n"
        "open(p, 'w', encoding='utf-8').write(e + '읽고 쓴 메모\\n')\n"
    )
    monkeypatch.setenv("EDITOR", editor(tmp_path, body))
    line = one_error(run("-c", mine, "note", "dpo"))
    assert "changed by another program" in line
    assert "읽고 쓴 메모" in kept(line) and "읽고 쓴 메모" not in mine.read_text()


# ---------------------------------------------------------------- every verb


def test_every_verb_refuses_the_shipped_catalog(run, shipped_catalog) -> None:
    before = shipped_catalog.read_bytes()
    for args in (
        ["note", "dpo", "x"],
        ["mark", "dpo", "read"],
        ["move", "dpo", "-t", "peft"],
        ["rm", "dpo-vs-ppo", "--yes"],
        ["edit", "dpo"],
    ):
        line = one_error(run("-c", shipped_catalog, *args))
        assert "litlist init" in line, args
    assert shipped_catalog.read_bytes() == before


def test_a_change_indexes_only_the_changed_paper(run, mine, monkeypatch) -> None:
    """The cache is updated, not rebuilt: one paper is tokenised, whatever the list's size."""
    added = []
    real = index.Builder.add

    def counting(self, position, paper):
        added.append(paper.id)
        return real(self, position, paper)

    monkeypatch.setattr(index.Builder, "add", counting)
    ok(run("-c", mine, "note", "dpo", "one more"))
    ok(run("-c", mine, "mark", "lora", "read"))
    ok(run("-c", mine, "rm", "dpo-vs-ppo", "--yes"))
    assert added == ["dpo", "lora"]
    warm(mine, monkeypatch)


def test_a_crlf_catalog_keeps_its_line_endings(run, tmp_path, monkeypatch) -> None:
    from conftest import TINY_CATALOG

    path = tmp_path / "crlf.toml"
    path.write_bytes(TINY_CATALOG.replace("\n", "\r\n").encode())
    ok(run("-c", path, "note", "alpha-one", "x"))
    ok(run("-c", path, "mark", "alpha-one", "read"))
    data = path.read_bytes()
    assert b"\n" not in data.replace(b"\r\n", b"")
    warm(path, monkeypatch)


def test_concurrent_note_and_import_lose_nothing(mine, tmp_path) -> None:
    """Four notes and an import at once: every note and every imported paper is there."""
    src = Path(catalog.__file__).parent.parent
    env = dict(os.environ, PYTHONPATH=str(src))
    base = [sys.executable, "-m", "litlist", "--catalog", str(mine)]
    procs = [
        subprocess.Popen(
            [*base, "note", "dpo", f"concurrent note {n}"], env=env, stderr=subprocess.PIPE
        )
        for n in range(4)
    ]
    procs.append(
        subprocess.Popen([*base, "import", str(BIB / "acl.bib")], env=env, stderr=subprocess.PIPE)
    )
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
    cat, problems = catalog.check(mine)
    assert problems == [] and cat is not None
    dpo = next(p for p in cat.papers if p.id == "dpo")
    assert sorted(b for b in dpo.summary if b.startswith("concurrent")) == [
        f"concurrent note {n}" for n in range(4)
    ]
    assert sum(p.topic == "inbox" for p in cat.papers) >= 1


# ---------------------------------------------------------------- add and import


def test_import_without_a_topic_fills_an_inbox_with_short_ids(run, mine, monkeypatch) -> None:
    before = mine.read_bytes()
    result = run("-c", mine, "import", BIB / "acl.bib")
    ok(result)
    assert "in the inbox ('inbox')" in result.stderr
    text = mine.read_text()
    assert '[[topic]]\nslug = "inbox"\nname = "Inbox"\n' in text
    cat = warm(mine, monkeypatch)
    new = [cat.paper(i) for i in range(len(cat)) if cat.columns["topic"][i] == "inbox"]
    assert new and all(p.status == "to-read" and p.added == TODAY for p in new)
    # the catalog's ids: author, year, first title word; the .bib's key stays the key
    bert = next(p for p in new if p.key == "devlin-etal-2019-bert")
    assert bert.id == "devlin2019bert"
    assert ok(run("-c", mine, "show", "--status", "to-read", "-f", "keys")).split() == [
        p.key for p in new
    ]
    assert ok(run("-c", mine, "show", "--sort", "added", "-f", "keys")).split()[: len(new)] == [
        p.key for p in new
    ]
    assert before.decode() in text or changes(before, mine.read_bytes())[0] == []


def test_import_status_none_records_no_status(run, mine) -> None:
    ok(run("-c", mine, "import", BIB / "acl.bib", "-t", "peft", "--status", "none"))
    cat = catalog.load(mine)
    new = [cat.paper(i) for i in range(len(cat)) if cat.columns["added"][i] == TODAY]
    assert new and all(p.status is None for p in new)


def test_card_shows_status_and_date(run, mine) -> None:
    ok(run("-c", mine, "mark", "dpo", "reading"))
    assert "reading" in ok(run("-c", mine, "show", "dpo"))
    ok(run("-c", mine, "import", BIB / "acl.bib"))
    out = ok(run("-c", mine, "show", "devlin2019bert"))
    assert f"to-read · added {TODAY}" in out


def test_edit_on_a_terminal_opens_again_with_the_error(run, mine, tmp_path, monkeypatch) -> None:
    """A table that fails comes back in the editor with the error on top; the second save
    (here: the year fixed) is written."""
    from litlist.cli import curate

    seen = tmp_path / "seen.txt"
    body = (
        f"s = {str(seen)!r}\nt = open(p).read()\nfirst = not os.path.exists(s)\n"
        "open(s, 'a').write(t + '\\n----\\n')\n"
        "year = 'year = \"soon\"' if first else 'year = 2024'\n"
        "open(p, 'w').write(t.replace('year = 2023', year).replace('year = \"soon\"', year))\n"
    )
    monkeypatch.setenv("EDITOR", editor(tmp_path, body))
    monkeypatch.setattr(curate, "_terminal", lambda: True)
    before = mine.read_bytes()
    ok(run("-c", mine, "edit", "dpo"))
    rounds = seen.read_text().split("\n----\n")
    assert "# litlist: error:" in rounds[1] and "field 'year'" in rounds[1]
    removed, added = only_in(before, mine.read_bytes(), "dpo")
    assert removed == ["year = 2023\n"] and added == ["year = 2024\n"]


def test_note_in_an_editor_unchanged_writes_nothing(run, mine, monkeypatch) -> None:
    monkeypatch.setenv("EDITOR", "true")
    before = mine.read_bytes()
    result = run("-c", mine, "note", "dpo")
    ok(result)
    assert "not changed" in result.stderr and mine.read_bytes() == before


def test_add_without_a_topic_goes_to_the_inbox(run, mine, tmp_path) -> None:
    entry = tmp_path / "one.bib"
    entry.write_text(
        "@inproceedings{DBLP:conf/nips/VaswaniSPUJGKP17,\n  title={Attention is All you Need},\n"
        "  author={Vaswani, Ashish and Shazeer, Noam},\n  booktitle={NeurIPS},\n  year={2017}\n}\n"
    )
    before = mine.read_bytes()
    result = run("-c", mine, "add", "--bib", entry, "--status", "reading")
    ok(result)
    assert "under 'inbox'" in result.stderr
    added = changes(before, mine.read_bytes())[1]
    assert 'id = "vaswani2017attention"\n' in added
    assert 'key = "DBLP:conf/nips/VaswaniSPUJGKP17"\n' in added
    assert 'status = "reading"\n' in added and f'added = "{TODAY}"\n' in added
    assert 'topic = "inbox"\n' in added and 'slug = "inbox"\n' in added


@pytest.mark.parametrize(("answer", "gone"), [("y\n", True), ("n\n", False), ("\n", False)])
def test_rm_on_a_terminal_shows_and_asks(run, mine, monkeypatch, answer, gone) -> None:
    from litlist.cli import curate

    monkeypatch.setattr(curate, "_terminal", lambda: True)
    before = mine.read_bytes()
    result = run("-c", mine, "rm", "dpo-vs-ppo", input=answer)
    assert "dpo-vs-ppo" in result.stderr and "[y/N]" in result.stdout
    assert (result.exit_code == 0) == gone
    assert (mine.read_bytes() != before) == gone
    if not gone:
        assert result.stderr.splitlines()[-1] == "nothing removed"


def test_a_file_not_written_one_table_per_entry_is_refused(run, tmp_path) -> None:
    path = tmp_path / "inline.toml"
    path.write_text(
        'topic = [{slug = "a", name = "A"}]\n'
        'venue = [{id = "V", name = "V", kind = "conference"}]\n'
        '[[paper]]\nid = "x"\nkind = "paper"\nkey = "x2020a"\ntitle = "T"\n'
        'authors = ["A B"]\nyear = 2020\nvenue = "V"\ntopic = "a"\n'
    )
    before = path.read_bytes()
    line = one_error(run("-c", path, "mark", "x", "read"))
    assert "one [[topic]], [[venue]] or [[paper]] table per entry" in line and "by hand" in line
    assert path.read_bytes() == before


def test_note_en_in_an_editor_sets_the_english_summary(run, mine, tmp_path, monkeypatch) -> None:
    body = "t = open(p).read()\nopen(p, 'w').write(t + 'A second\\n  line.\\n')\n"
    monkeypatch.setenv("EDITOR", editor(tmp_path, body))
    before = mine.read_bytes()
    result = run("-c", mine, "note", "lora", "--en")
    ok(result)
    assert result.stderr == "set the English summary of 'lora'\n"
    removed, added = only_in(before, mine.read_bytes(), "lora")
    assert len(removed) == 1 and len(added) == 1
    assert added[0].endswith(' adaptation. A second line."\n')
    warm(mine, monkeypatch)


# ---------------------------------------------------------------- paths that cannot be opened


@pytest.mark.parametrize(
    "verb",
    [
        ["mark", "dpo", "read"],
        ["note", "dpo", "text"],
        ["note", "dpo"],
        ["move", "dpo", "--topic", "peft"],
        ["rm", "dpo", "--yes"],
        ["edit", "dpo"],
        ["add", "--bib", "{bib}"],
        ["import", "{bib}"],
    ],
)
def test_a_catalog_that_is_a_loop_of_links_is_one_error(run, tmp_path, monkeypatch, verb) -> None:
    # `ln -s loop2 loop1; ln -s loop1 loop2`: resolving it fails with ELOOP wherever it is met
    (tmp_path / "loop1").symlink_to(tmp_path / "loop2")
    (tmp_path / "loop2").symlink_to(tmp_path / "loop1")
    bib = BIB / "arxiv.bib"
    monkeypatch.setenv("LITLIST_CATALOG", str(tmp_path / "loop1"))
    monkeypatch.setenv("EDITOR", "true")
    line = one_error(run(*[word.format(bib=bib) for word in verb]))
    assert line.startswith(f"error: {tmp_path / 'loop1'}: ")
    assert "symbolic links" in line


# ---------------------------------------------------------------- which editor


@pytest.fixture
def fake_vi(tmp_path, monkeypatch) -> Path:
    """A `vi` first on PATH that leaves a mark when it runs (and changes nothing)."""
    folder = tmp_path / "bin"
    folder.mkdir()
    ran = tmp_path / "vi-ran"
    script = folder / "vi"
    script.write_text(f"#!/bin/sh\necho ESC >> {ran}\n")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    return ran


@pytest.mark.parametrize("verb", [["edit", "dpo"], ["note", "dpo"]])
def test_no_editor_set_and_no_terminal_is_refused(run, mine, monkeypatch, fake_vi, verb) -> None:
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.delenv("EDITOR", raising=False)
    before = mine.read_bytes()
    line = one_error(run("-c", mine, *verb))
    assert "set $EDITOR" in line
    assert not fake_vi.exists()  # vi never ran: its screen codes would go into the output
    assert mine.read_bytes() == before


@pytest.mark.parametrize("visual", [None, "", "  "])
def test_an_empty_editor_is_refused_not_vi(run, mine, monkeypatch, fake_vi, visual) -> None:
    monkeypatch.setenv("EDITOR", "")
    if visual is None:
        monkeypatch.delenv("VISUAL", raising=False)
    else:
        monkeypatch.setenv("VISUAL", visual)
    line = one_error(run("-c", mine, "edit", "dpo"))
    assert "$EDITOR is empty" in line
    assert not fake_vi.exists()


def test_vi_is_the_editor_only_on_a_terminal(monkeypatch) -> None:
    from litlist.cli import edit as cli_edit

    class Tty:
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.delenv("EDITOR", raising=False)
    monkeypatch.setattr(sys, "stdin", Tty())
    monkeypatch.setattr(sys, "stdout", Tty())
    assert cli_edit._editor("nothing changed") == "vi"
    monkeypatch.setenv("VISUAL", "")
    monkeypatch.setenv("EDITOR", "nano -w")
    assert cli_edit._editor("nothing changed") == "nano -w"


@pytest.mark.parametrize(
    ("summary", "after"),
    [
        ("Low-rank adapters", "Low-rank adapters. Also merged."),  # closed with a stop
        ("Low-rank adapters.", "Low-rank adapters. Also merged."),
        ("Adapters (Hu et al.)", "Adapters (Hu et al.). Also merged."),
        ('It says "no reward model."', 'It says "no reward model." Also merged.'),
        ("Does it work?", "Does it work? Also merged."),
        ("", "Also merged."),
    ],
)
def test_note_en_adds_a_sentence_of_its_own(run, tmp_path, summary, after) -> None:
    from conftest import TINY_CATALOG

    path = tmp_path / "tiny.toml"
    path.write_text(TINY_CATALOG.replace("Beta estimation.", summary.replace('"', '\\"')))
    ok(run("-c", path, "note", "beta-two", "Also merged.", "--en"))
    cat = catalog.load(path)
    assert cat.paper(cat.ids.index("beta-two")).summary_en == after


def test_show_sort_added_shows_the_date_it_sorts_by(run, mine, monkeypatch) -> None:
    ok(run("-c", mine, "import", BIB / "acl.bib", "-t", "peft"))
    # piped: the date added is the last field of each record (empty for a shipped paper)
    lines = ok(run("-c", mine, "show", "--sort", "added")).splitlines()
    fields = [line.split("\t") for line in lines]
    assert all(len(f) == 6 for f in fields), lines
    assert fields[0][5] == TODAY and fields[-1][5] == ""
    # other orders keep the five fields
    assert all(len(line.split("\t")) == 5 for line in ok(run("-c", mine, "show")).splitlines())
    # for people: a column, first, headed "added"
    monkeypatch.setenv("COLUMNS", "100")
    table = ok(run("-c", mine, "--color", "always", "show", "--sort", "added"))
    plain = re.sub(r"\x1b\[[0-9;]*m", "", table).splitlines()
    assert plain[0].split()[:2] == ["added", "year"]
    assert plain[1].startswith(TODAY)
    table = re.sub(r"\x1b\[[0-9;]*m", "", ok(run("-c", mine, "--color", "always", "show")))
    assert "added" not in table.splitlines()[0]


# ---------------------------------------------------------------- a stderr that fails


def _python_output(unbuffered: bool, **more: str) -> dict[str, str]:
    """The environment, with Python's output buffered as in a user's shell or unbuffered as
    some CI runners set it: both are tested."""
    env = {**os.environ, **more}
    env.pop("PYTHONUNBUFFERED", None)
    if unbuffered:
        env["PYTHONUNBUFFERED"] = "1"
    return env


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (Linux)")
@pytest.mark.parametrize(
    ("verb", "done"),
    [
        (["note", "dpo", "written once"], "written once"),
        (["note", "lora", "in English", "--en"], "in English"),
        (["mark", "dpo", "reading"], 'status = "reading"'),
        (["move", "dpo", "--topic", "peft"], "peft"),
        (["rm", "dpo-vs-ppo", "--yes"], None),
        (["edit", "dpo"], "year = 2024"),
        (["import", str(BIB / "acl.bib")], "devlin-etal-2019-bert"),
    ],
)
@pytest.mark.parametrize("unbuffered", [False, True], ids=["buffered", "unbuffered"])
def test_a_change_written_exits_0_though_stderr_is_full(
    mine, tmp_path, verb, done, unbuffered
) -> None:
    # `litlist note X "text" 2>/dev/full` wrote the note, then exited 1 on the report: a
    # script that retries on failure added it twice. With stderr buffered (a user's shell),
    # Python's own flush at exit failed too and made it exit 120.
    body = "t = open(p).read()\nopen(p, 'w').write(t.replace('year = 2023', 'year = 2024'))\n"
    env = _python_output(unbuffered, EDITOR=editor(tmp_path, body))
    env.pop("VISUAL", None)
    before = mine.read_text()
    with open("/dev/full", "w") as full:
        proc = subprocess.run(
            [sys.executable, "-m", "litlist", "--catalog", str(mine), *verb],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=full,
            timeout=120,
        )
    assert proc.returncode == 0
    after = mine.read_text()
    assert after != before
    if done is None:
        assert 'id = "dpo-vs-ppo"' in before and 'id = "dpo-vs-ppo"' not in after
    else:
        assert after.count(done) > before.count(done)


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (Linux)")
@pytest.mark.parametrize(
    ("verb", "code"), [(["mark", "dpo", "done"], 2), (["note", "no-such-paper", "x"], 1)]
)
@pytest.mark.parametrize("unbuffered", [False, True], ids=["buffered", "unbuffered"])
def test_a_failure_keeps_its_exit_code_though_stderr_is_full(mine, verb, code, unbuffered) -> None:
    before = mine.read_bytes()
    with open("/dev/full", "w") as full:
        proc = subprocess.run(
            [sys.executable, "-m", "litlist", "--catalog", str(mine), *verb],
            env=_python_output(unbuffered),
            stderr=full,
            timeout=120,
        )
    assert proc.returncode == code
    assert mine.read_bytes() == before
