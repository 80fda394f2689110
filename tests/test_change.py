"""editing/change.py: one field's lines set, one bullet added, tables removed, and nothing
else in the text touched, whatever way the table is written."""

from __future__ import annotations

import pytest
import tomli

from litlist import catalog, fsutil
from litlist.editing import Session
from litlist.editing.change import Change, append_item, set_field

TABLE = (
    "[[paper]]\n"
    'id = "a"  # mine\n'
    '"status" = "read"\n'
    "summary = [\n"
    '  "x = y",   \n'
    "  # kept\n"
    '  "two",\n'
    "]\n"
    "[paper.published]\n"
    'venue = "X"\n'
)


def test_set_field_replaces_only_its_line_whatever_its_key_looks_like() -> None:
    out = set_field(TABLE, "status", "reading")
    assert out == TABLE.replace('"status" = "read"', 'status = "reading"')


def test_set_field_adds_a_missing_field_at_the_top_level() -> None:
    out = set_field(TABLE, "topic", "t")
    assert tomli.loads(out)["paper"][0]["topic"] == "t"
    assert tomli.loads(out)["paper"][0]["published"] == {"venue": "X"}  # not in the sub-table
    assert out.replace('topic = "t"\n', "") == TABLE


def test_set_field_to_none_removes_its_lines() -> None:
    out = set_field(TABLE, "summary", None)
    assert "x = y" not in out and "# kept" not in out
    assert tomli.loads(out)["paper"][0] == {
        "id": "a",
        "status": "read",
        "published": {"venue": "X"},
    }


def test_append_item_adds_one_line_before_the_bracket() -> None:
    out = append_item(TABLE, "summary", "three", ["x = y", "two"])
    assert out == TABLE.replace('  "two",\n]', '  "two",\n  "three",\n]')


def test_append_item_keeps_crlf() -> None:
    crlf = TABLE.replace("\n", "\r\n")
    out = append_item(crlf, "summary", "three", ["x = y", "two"])
    assert out == crlf.replace('  "two",\r\n]', '  "two",\r\n  "three",\r\n]')
    assert set_field(crlf, "status", "to-read").count("\n") == crlf.count("\r\n")


@pytest.mark.parametrize("which", ["first", "last"])
def test_removing_a_table_takes_its_lines_and_one_blank(tiny_catalog, which) -> None:
    raw, snapshot = fsutil.read_file(tiny_catalog)
    cat = catalog.load(tiny_catalog)
    change = Change(Session(tiny_catalog, raw, snapshot, cat))
    position = 0 if which == "first" else len(cat) - 1
    change.remove(position)
    text = change.new_text()
    data = tomli.loads(text)
    assert [p["id"] for p in data["paper"]] == [i for n, i in enumerate(cat.ids) if n != position]
    assert "\n\n\n" not in text and text.endswith("\n") and not text.endswith("\n\n")
    # every line left is a line of the file, in order
    old = raw.decode().splitlines()
    it = iter(old)
    assert all(line in it for line in text.splitlines())
