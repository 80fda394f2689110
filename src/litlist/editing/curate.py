"""The curation verbs over a `Change`: note, mark, move, edit, remove. Each changes only the
lines it must (see `change.py`) and returns what it did, in words, for the one line the
command prints. No I/O here besides what `Change.commit` writes.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from litlist.editing import EditError, Planner
from litlist.editing.change import Change, append_item, parse_table, set_field
from litlist.errors import BadOption
from litlist.model import CONTROL_CHARS

STATUSES = ("to-read", "reading", "read")
# how many ids a one-line message names before "and N more"
NAMED = 4


def names(ids: list[str]) -> str:
    """'a', 'b' and 3 more."""
    shown = ", ".join(f"'{i}'" for i in ids[:NAMED])
    return shown + (f" and {len(ids) - NAMED} more" if len(ids) > NAMED else "")


def clean_text(text: str, what: str) -> str:
    """`text` as one line (a pasted line break is a space); EditError when it is empty or
    holds a control character."""
    text = " ".join(text.split())
    if not text:
        raise EditError(f"the {what} is empty")
    if found := CONTROL_CHARS.search(text):
        raise EditError(
            f"the {what} holds control character U+{ord(found.group()):04X} at position "
            f"{found.start() + 1}; remove it"
        )
    return text


def _with(name: str, value: object) -> Callable[[dict], dict]:
    """A row changer: field `name` set to `value`."""
    return lambda row: {**row, name: value}


def _setter(name: str, value: object) -> Callable[[str], str]:
    """A table text changer: field `name` set to `value`."""
    return lambda table: set_field(table, name, value)


# what ends a sentence, and the quotes that may close after its stop (`"… done."`); not a
# bracket: `(Hu et al.)` ends an abbreviation, the sentence's stop comes after it
_SENTENCE_END = frozenset(".!?…。！？")
_CLOSERS = "\"'”’»」』"


def _add_sentence(summary: str, text: str) -> str:
    """`text` added to an English summary as a sentence of its own: after a full stop
    when the summary does not end a sentence already ("Low-rank adapters. Also merged
    at inference."), never run on into its last sentence."""
    summary = summary.strip()
    if not summary:
        return text
    if summary.rstrip(_CLOSERS)[-1:] not in _SENTENCE_END:
        summary += "."
    return f"{summary} {text}"


def note(change: Change, positions: list[int], text: str, *, english: bool = False) -> str:
    """Add `text` as the last summary bullet of each paper (with `english`: to the end of
    its English summary)."""
    text = clean_text(text, "note")
    for position in positions:
        row = parse_table(change.table(position))
        if english:
            value = _add_sentence(str(row.get("summary_en", "")), text)
            change.update(
                position,
                _with("summary_en", value),
                _setter("summary_en", value),
                ("summary_en", value),
            )
        else:
            current = list(row.get("summary", []))
            change.update(
                position,
                _with("summary", [*current, text]),
                functools.partial(append_item, name="summary", item=text, current=current),
                ("summary", [*current, text]),
            )
    ids = [change.paper(i).id for i in positions]
    what = "to the English summary of" if english else "a note to"
    return f"added {what} {names(ids)}"


def notes_text(row: dict, paper_id: str, *, english: bool, mark: str) -> tuple[str, list[str]]:
    """What an editor shows of a paper's notes (its bullets one a line, or its English
    summary), under a first line starting with `mark`; and the notes as they are now."""
    if english:
        current = [" ".join(str(row.get("summary_en", "")).split())]
    else:
        current = [" ".join(str(b).split()) for b in row.get("summary", [])]
    current = [line for line in current if line]
    what = "English summary" if english else "bullets"
    header = (
        f"{mark} the {what} of '{paper_id}', {'one paragraph' if english else 'one a line'}; "
        f"save and close. Lines starting with '{mark}' are dropped.\n"
    )
    return header + "".join(line + "\n" for line in current), current


def notes_read(text: str, *, english: bool) -> list[str]:
    """The notes an edited text holds: one bullet a non-blank line, spaces collapsed (with
    `english`, the whole text as one paragraph)."""
    lines = [" ".join(line.split()) for line in text.splitlines()]
    lines = [line for line in lines if line]
    return [" ".join(lines)] if english and lines else lines


def set_notes(change: Change, position: int, bullets: list[str], *, english: bool) -> str:
    """Make the paper's bullets (or, with `english`, its English summary) `bullets`."""
    bullets = [clean_text(b, "bullet") for b in bullets if b.strip()]
    name = "summary_en" if english else "summary"
    value: object = " ".join(bullets) if english else bullets
    if not bullets:
        value = None

    def row_of(row: dict) -> dict:
        row = dict(row)
        if value is None:
            row.pop(name, None)
        else:
            row[name] = value
        return row

    before = parse_table(change.table(position))
    if row_of(before) == before:
        raise EditError("the notes were not changed; nothing written")
    paper = change.update(position, row_of, lambda table: set_field(table, name, value))
    if english:
        return f"set the English summary of '{paper.id}'"
    return f"set the notes of '{paper.id}' ({len(bullets)} bullet{'s' * (len(bullets) != 1)})"


def split_status(args: list[str]) -> tuple[list[str], str]:
    """`ID... STATUS` as `mark` takes it: (the papers, the status). A usage error (exit 2)
    that says what is missing or wrong, checked before any file is read."""
    choices = ", ".join(STATUSES[:-1]) + f" or {STATUSES[-1]}"
    *papers, status = args
    if status in STATUSES:
        if not papers:
            raise BadOption(f"no papers given before '{status}' (litlist mark dpo {status})")
        return papers, status
    if not papers:  # one word: a paper with no status after it
        raise BadOption(f"no status given after '{status}': end with {choices}")
    from litlist import query

    # `to_read`, `To Read`: the status as typed another way, else the ones spelt alike
    typed = "-".join(status.replace("_", " ").casefold().split())
    near = [typed] if typed in STATUSES else query.closest(status, STATUSES, limit=1)
    hint = f"; did you mean {near[0]}?" if near else ""
    raise BadOption(f"unknown status '{status}': the status is {choices}{hint}")


def _set(change: Change, positions: list[int], name: str, value: str) -> list[str]:
    """Set field `name` of each paper to `value`; the ids of the papers it changed (a paper
    that has it already is left as it is)."""
    done = []
    for position in positions:
        if parse_table(change.table(position)).get(name) == value:
            continue
        change.update(position, _with(name, value), _setter(name, value), (name, value))
        done.append(change.paper(position).id)
    return done


def mark(change: Change, positions: list[int], status: str) -> str:
    """Set each paper's reading status."""
    if status not in STATUSES:
        raise EditError(f"status '{status}' is not one of {', '.join(STATUSES)}")
    done = _set(change, positions, "status", status)
    if not done:
        return f"nothing to change: already {status}"
    return f"marked {names(done)} {status}"


def move(change: Change, positions: list[int], slug: str, *, new: bool = False) -> str:
    """File each paper under topic `slug` (a declared one, or one the planner made: `new`)."""
    done = _set(change, positions, "topic", slug)
    if not done:
        return f"nothing to change: already under '{slug}'"
    return f"moved {names(done)} to {'new topic ' if new else ''}'{slug}'"


def check_destination(topic: str | None, heading: str | None, parent: str | None) -> None:
    """Exactly one of --topic and --new-topic, and --parent only with the latter: a usage
    error (exit 2) that says which, checked before any file is read."""
    if topic and heading:
        raise BadOption(
            "say where the papers go once: --topic SLUG or --new-topic HEADING, not both"
        )
    if not topic and not heading:
        raise BadOption("say where the papers go: --topic SLUG or --new-topic HEADING")
    if parent is not None and not heading:
        raise BadOption("--parent goes with --new-topic (the new topic's parent)")


def topic_for(planner: Planner, topic: str | None, heading: str | None, parent: str | None) -> str:
    """The slug --topic names, or of the --new-topic made under --parent."""
    check_destination(topic, heading, parent)
    if heading:
        return planner.new_topic(heading, parent)
    return planner.topic(topic or "")


def remove(change: Change, positions: list[int]) -> tuple[str, list[str]]:
    """Take the papers out; refuse when a summary post that stays covers one of them. The
    message, and notes on the topics and venues left with no paper (they stay declared)."""
    gone = {change.paper(i).id for i in positions}
    kinds = change.catalog.columns["kind"]
    for i, kind in enumerate(kinds):
        if kind != "summary" or i in positions:
            continue
        post = change.paper(i)
        held = [c for c in post.covers if c in gone]
        if held:
            raise EditError(
                f"summary post '{post.id}' covers {names(held)}; take them out of its covers "
                f"first (litlist edit {post.id}), or remove the post too"
            )
    for position in positions:
        change.remove(position)
    cols = change.catalog.columns
    left = [i for i in range(len(cols["id"])) if i not in change.removed]
    topics_left = {cols["topic"][i] for i in left}
    venues_left = {cols["venue"][i] for i in left}
    notes = []
    for slug in dict.fromkeys(cols["topic"][i] for i in positions):
        if slug not in topics_left:
            notes.append(f"topic '{slug}' has no papers now; it stays declared")
    for venue in dict.fromkeys(cols["venue"][i] for i in positions):
        if venue and venue not in venues_left:
            notes.append(f"venue '{venue}' has no papers now; it stays declared")
    return f"removed {names([change.paper(i).id for i in positions])}", notes


def replace(change: Change, position: int, text: str) -> str:
    """Put the edited `text` in place of the paper's table: one [[paper]] table with the
    same id, valid among the others (EditError naming file:line otherwise)."""
    old = change.paper(position)
    where = change.where(position)
    try:
        row = parse_table(text)
    except EditError as exc:
        raise EditError(f"{where}: the edited text {exc}") from None
    if row.get("id") != old.id:
        raise EditError(
            f"{where}: the edited table has id {row.get('id')!r}, not '{old.id}'; an edit "
            "keeps the id (nothing written)"
        )
    if text == change.table(position):
        raise EditError(f"'{old.id}' was not changed; nothing written")
    change.replace(position, text, row)
    return f"edited '{old.id}'"
