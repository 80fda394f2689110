"""Changing papers already in a user's catalog file: the text of one [[paper]] table edited
in place, or the table taken out; what the curation verbs (note, mark, move, edit, rm) share.

A `Change` works on a `Session` (the file locked, read and loaded). It finds each paper's
table in the text (checked against the loaded catalog by `Layout`), changes only the lines
it must (one field's lines, one bullet added before the closing bracket, one table removed)
and proves each result: the changed table must parse back to exactly the row meant, and the
paper must pass the schema and the catalog's cross rules (`schema.cross_problems`). Nothing
else in the file is touched, so comments, order and spacing stay byte for byte. `commit`
writes the file atomically (lock and snapshot check: `fsutil`) and updates the cache for
the changed papers only (`catalog.change_cache`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from litlist import catalog, fsutil
from litlist.editing import (
    ORDER,
    EditError,
    Layout,
    Planner,
    Session,
    _blocks,
    _value,
    parse_table,
    toml_key,
)
from litlist.model import Paper

# A `key =` line of a table: bare, quoted or dotted keys (`published.venue = ...`).
_KEY_PART = r'(?:[A-Za-z0-9_-]+|"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\')'
_ASSIGN = re.compile(rf"^[ \t]*{_KEY_PART}(?:[ \t]*\.[ \t]*{_KEY_PART})*[ \t]*=")


@dataclass
class Region:
    """Where one paper's table is in the text: its header line up to just past its last line
    that is not blank or a comment (sub-tables such as [paper.published] included)."""

    start: int
    end: int


class Regions:
    """The [[paper]] tables of a catalog's text, in file order; where each ends is found
    only when asked (10,000 tables' ends would cost more than the rest of a change)."""

    def __init__(self, text: str, blocks: list | None = None) -> None:
        self.text = text
        self.blocks = _blocks(text) if blocks is None else blocks
        self.heads = [n for n, b in enumerate(self.blocks) if b.table == "paper"]

    def __len__(self) -> int:
        return len(self.heads)

    def __getitem__(self, position: int) -> Region:
        n = last = self.heads[position]
        while last + 1 < len(self.blocks) and self.blocks[last + 1].table.startswith("paper."):
            last += 1
        return Region(self.blocks[n].start, self.blocks[last].end(self.text))


def regions(text: str, blocks: list | None = None) -> Regions:
    """The [[paper]] tables of a catalog's text (its `_blocks`, when known), in file order."""
    return Regions(text, blocks)


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def _field_span(lines: list[str], name: str) -> tuple[int, int] | None:
    """(first, last + 1) of the lines holding top-level field `name` of the table whose
    header is lines[0], or None. A value spans the fewest lines that parse as TOML: a
    multi-line array or string cannot parse before its closing line."""
    import tomli

    i = 1
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if stripped.startswith("["):  # a sub-table: the top level is over
            return None
        found = _ASSIGN.match(line)
        if not found:
            i += 1
            continue
        end = i + 1
        while True:
            try:
                tomli.loads("".join(lines[i:end]))
                break
            except tomli.TOMLDecodeError:
                if end >= len(lines):
                    raise EditError(f"cannot read field at line {i + 1} of the table") from None
                end += 1
        # the key as TOML reads it: {name: 1} is field `name` itself, not a dotted part of it
        if tomli.loads(found.group(0) + " 1") == {name: 1}:
            return i, end
        i = end
    return None


def _top_end(lines: list[str]) -> int:
    """Index just past the last line of the table's top level that is not blank or a
    comment (before a sub-table's header)."""
    last = 0
    for i, line in enumerate(lines[1:], 1):
        stripped = line.strip()
        if stripped.startswith("["):
            break
        if stripped and not stripped.startswith("#"):
            last = i
    return last + 1


def _newline(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def set_field(table: str, name: str, value: object) -> str:
    """The table's text with field `name` set to `value` (None: removed): its lines
    replaced, or a new line after the top level's last field; every other line kept."""
    newline = _newline(table)
    lines = _lines(table)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += newline
    span = _field_span(lines, name)
    text = [] if value is None else [f"{toml_key(name)} = {_value(name, value)}\n"]
    new = [line.replace("\n", newline) for t in text for line in _lines(t)]
    if span is not None:
        lines[span[0] : span[1]] = new
    elif new:
        at = _place(lines, name)
        lines[at:at] = new
    return "".join(lines)


def _place(lines: list[str], name: str) -> int:
    """Where a new field goes: after the field that comes before it in the catalog's order,
    if the table has one; else after the top level's last line."""
    if name in ORDER:
        for before in reversed(ORDER[: ORDER.index(name)]):
            span = _field_span(lines, before)
            if span is not None:
                return span[1]
    return _top_end(lines)


def append_item(table: str, name: str, item: str, current: list) -> str:
    """The table's text with `item` added at the end of list field `name` (now `current`):
    one line inserted before the closing bracket of a list written one item a line, else
    the field written again."""
    from litlist.editing import toml_string

    lines = _lines(table)
    span = _field_span(lines, name) if current else None
    if span is not None and span[1] - span[0] >= 3:
        last, previous = lines[span[1] - 1], lines[span[1] - 2]
        if last.strip().startswith("]") and previous.rstrip().endswith(","):
            indent = previous[: len(previous) - len(previous.lstrip())] or "    "
            newline = _newline(table)
            lines.insert(span[1] - 1, f"{indent}{toml_string(item)},{newline}")
            return "".join(lines)
    return set_field(table, name, [*current, item])


# ---------------------------------------------------------------- a change


@dataclass
class Change:
    """Papers of one held catalog changed in place or removed, for one write."""

    held: Session
    text: str = ""
    places: Regions | None = None
    tables: dict[int, str] = field(default_factory=dict)  # position -> new table text
    papers: dict[int, Paper] = field(default_factory=dict)  # position -> the paper now
    removed: dict[int, Paper] = field(default_factory=dict)
    _planner: Planner | None = None
    newline: str = "\n"
    ids: dict[str, int] = field(default_factory=dict)  # every id now -> its position
    keys: dict[str, str] = field(default_factory=dict)  # casefolded key -> id

    def __post_init__(self) -> None:
        try:
            self.text = self.held.raw.decode("utf-8")
        except UnicodeDecodeError:  # pragma: no cover - the catalog loaded, so it is UTF-8
            raise EditError(f"{self.held.path}: not UTF-8 text") from None
        blocks = _blocks(self.text)
        try:
            Layout(self.text, self.held.catalog, self.held.path, blocks)  # one table per entry
        except EditError:
            raise EditError(
                f"{self.held.path}: not laid out as one [[topic]], [[venue]] or [[paper]] table "
                "per entry; litlist changes only such files (change this one by hand)"
            ) from None
        self.places = regions(self.text, blocks)
        self.newline = _newline(self.text)
        cols = self.held.catalog.columns
        self.ids = {pid: i for i, pid in enumerate(cols["id"])}
        self.keys = {k.casefold(): i for k, i in zip(cols["key"], cols["id"], strict=True) if k}

    @property
    def planner(self) -> Planner:
        """Topics and venues, and new topics (made only by `move --new-topic`)."""
        if self._planner is None:
            self._planner = Planner(self.held.catalog)
        return self._planner

    def _topics_venues(self) -> tuple[list, list]:
        if self._planner is None:
            return list(self.catalog.topics), list(self.catalog.venues)
        return self._planner.topics, self._planner.venues

    @property
    def catalog(self):
        return self.held.catalog

    def table(self, position: int) -> str:
        """The paper's table as it stands in this change."""
        if position in self.tables:
            return self.tables[position]
        assert self.places is not None
        place = self.places[position]
        return self.text[place.start : place.end]

    def paper(self, position: int) -> Paper:
        return self.papers.get(position) or self.catalog.paper(position)

    def line(self, position: int) -> int:
        """The line of the catalog file the paper's table starts on."""
        assert self.places is not None
        return self.text.count("\n", 0, self.places[position].start) + 1

    def where(self, position: int) -> str:
        return f"{self.held.path}:{self.line(position)}"

    def update(
        self,
        position: int,
        change: Callable[[dict], dict],
        edit: Callable[[str], str],
        field_value: tuple[str, object] | None = None,
    ) -> Paper:
        """Change paper `position`: `change` gives the row meant from the row it has,
        `edit` the table's new text from its text. The text must read back as that row.

        With `field_value` (name, value), the caller vouches that the value is one the
        schema and the cross rules accept (a status from the list, a declared topic, a
        bullet checked for control characters): the paper is made from the old one with
        that field changed, without loading pydantic (half a note's time at 10,000 papers).
        """
        text = self.table(position)
        before = parse_table(text)
        wanted = change(dict(before))
        new_text = edit(text)
        if parse_table(new_text) != wanted:  # pragma: no cover - a bug in the text surgery
            raise EditError(f"{self.where(position)}: internal error: the edit would not read back")
        if field_value is None:
            return self.replace(position, new_text, wanted)
        paper = _with_field(self.paper(position), *field_value)
        self.tables[position] = new_text
        self.papers[position] = paper
        return paper

    def replace(self, position: int, new_text: str, row: dict | None = None) -> Paper:
        """Put `new_text` (one [[paper]] table, its row `row` when known) in the place of
        paper `position`, once it passes the schema and the catalog's cross rules."""
        if row is None:
            row = parse_table(new_text)
        paper = self.validate(position, row)
        self.tables[position] = new_text
        self.papers[position] = paper
        return paper

    def validate(self, position: int, row: dict) -> Paper:
        """The paper `row` makes at `position`, checked as `litlist check` would check it
        among the others; EditError naming the file, line, paper and field."""
        from pydantic import ValidationError

        from litlist import schema

        where = self.where(position)
        try:
            model = schema.PaperModel.model_validate(row)
        except ValidationError as exc:
            name, message = schema.explain(exc)[0]
            label = row.get("id", "?")
            raise EditError(f"{where}: paper '{label}': field '{name}': {message}") from None
        topics, venues = self._topics_venues()
        old = self.paper(position)
        self._forget(old)
        problems = schema.cross_problems(
            model,
            ids=self.ids,
            keys=self.keys,
            topics={t.slug for t in topics},
            venues={v.id for v in venues},
            web={v.id for v in venues if v.kind == "web"},
            # a summary post's covers: the papers there are, with itself
            all_ids=set(self.ids) | {model.id} if model.covers else (),
        )
        if problems:
            self._remember(old, position)
            name, message = problems[0]
            raise EditError(f"{where}: paper '{model.id}': field '{name}': {message}")
        self._remember(model, position)
        return model.to_paper()

    def _forget(self, paper) -> None:
        self.ids.pop(paper.id, None)
        if paper.key:
            self.keys.pop(paper.key.casefold(), None)

    def _remember(self, paper, position: int) -> None:
        self.ids[paper.id] = position
        if paper.key:
            self.keys[paper.key.casefold()] = paper.id

    def remove(self, position: int) -> None:
        """Take paper `position` out (its table and the blank lines after it)."""
        self.removed[position] = paper = self.paper(position)
        self._forget(paper)

    def changed(self) -> bool:
        new_topics = self._planner.new_topics if self._planner else []
        return bool(self.tables or self.removed or new_topics)

    def new_text(self) -> str:
        """The catalog's text with every change made; all else as it was."""
        assert self.planner is not None
        out: list[str] = []
        at = 0
        text = self.text
        assert self.places is not None
        newline = self.newline
        for position in sorted({*self.removed, *self.tables}):
            place = self.places[position]
            if position in self.removed:
                out.append(text[at : place.start])
                at = _after_blank_lines(text, place.end)
                if at >= len(text):  # the last table: drop the blank lines before it instead
                    out[-1] = out[-1].rstrip("\r\n") + (newline if out[-1].strip() else "")
            else:
                out.append(text[at : place.start])
                new = self.tables[position]
                if not new.endswith("\n") and place.end < len(text):
                    new += newline
                out.append(new)
                at = place.end
        out.append(text[at:])
        return "".join(out)

    def commit(self) -> bytes:
        """Write the changed catalog (new topics too) and update its cache; the new bytes."""
        if not self.changed():
            return self.held.raw
        topics, venues = self._topics_venues()
        text = self.new_text()
        if self._planner is not None:
            text = _with_topics(text, self._planner, self.newline)
        data = text.encode("utf-8")
        try:
            fsutil.write_atomic(self.held.path, data, expect=self.held.snapshot)
        except OSError as exc:
            raise EditError(f"{self.held.path}: {exc.strerror or exc}; nothing written") from None
        catalog.change_cache(
            self.held.path,
            self.held.snapshot.sha256,
            data,
            topics,
            venues,
            replaced={i: p for i, p in self.papers.items() if i not in self.removed},
            removed=sorted(self.removed),
        )
        return data


def _with_field(paper: Paper, name: str, value: object) -> Paper:
    """`paper` with field `name` set to `value` (a list as the tuple a Paper holds)."""
    from litlist.model import field_names, from_record, to_record

    values = list(to_record(paper))
    values[field_names(Paper).index(name)] = tuple(value) if isinstance(value, list) else value
    return from_record(tuple(values))


def _after_blank_lines(text: str, at: int) -> int:
    """`at` moved past the blank lines that follow it."""
    while at < len(text):
        stop = text.find("\n", at)
        stop = len(text) if stop < 0 else stop + 1
        if text[at:stop].strip():
            break
        at = stop
    return at


def _with_topics(text: str, planner: Planner, newline: str) -> str:
    """`text` with the planner's new topics, each after its parent's subtree (after the last
    topic when it has none), as `Session.commit` puts them; nothing else moves."""
    from litlist.editing import _slug_in, _table

    for topic, parent in planner.new_topics:
        blocks = [b for b in _blocks(text) if b.table == "topic"]
        prefix = f"{parent}/" if parent else ""
        chosen = [
            b
            for b in blocks
            if (s := _slug_in(text, b)) and (not parent or s == parent or s.startswith(prefix))
        ]
        offset = chosen[-1].end(text) if chosen else (blocks[-1].end(text) if blocks else 0)
        before = text[:offset]
        if before and not before.endswith("\n"):
            before += newline
        block = "\n" + _table("topic", {"slug": topic.slug, "name": topic.name})
        text = before + block.replace("\n", newline) + text[offset:]
    return text
