"""`litlist note`, `edit`, `move`, `rm` and `mark`: curate the papers of your own list.

Each command changes only the lines of the papers it names (see `editing/change.py`) and
prints one line saying what changed. The file is locked only while it is read, changed and
written: never while an editor is open or a question waits for an answer. After those, the
paper's table is read again under the lock and must be as it was, or nothing is written.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from litlist import catalog
from litlist.cli._app import app, reporting
from litlist.cli.edit import NewTopicOpt, ParentOpt, _run_editor, _say, _target
from litlist.errors import LitlistError

if TYPE_CHECKING:
    from litlist.editing.change import Change

IdsArg = Annotated[
    list[str],
    typer.Argument(
        metavar="ID...", help="Paper ids (or keys, aliases, arXiv ids, DOIs).", show_default=False
    ),
]
# Lines of an editor's file that litlist wrote and drops again.
MARK = "# litlist:"


def _positions(change: Change, names: list[str]) -> list[int]:
    from litlist import query

    return list(dict.fromkeys(query.lookup(change.catalog, names)))


def _apply(ctx: typer.Context, names: list[str], work) -> None:
    """Lock the catalog, change the papers `names` names with `work(change, positions)`
    (the message it returns, or (message, notes)), write, and say what changed."""
    from litlist import editing
    from litlist.editing.change import Change

    where = _target(ctx)
    editing.check_writable(where)
    with editing.session(where) as held:
        change = Change(held)
        said = work(change, _positions(change, names))
        change.commit()
    message, notes = said if isinstance(said, tuple) else (said, [])
    for line in notes:
        _say(f"note: {line}")
    _say(message)


def _snapshot(where: Path, name: str) -> tuple[str, str]:
    """(paper id, its table's text) as the file holds them now, read without the lock
    (for an editor session: the table is compared again, and the file's layout checked,
    under the lock before anything is written)."""
    from litlist import editing, query
    from litlist.editing.change import Regions, parse_table

    cat = catalog.load(where)
    position = query.lookup(cat, [name])[0]
    paper_id = cat.columns["id"][position]
    try:
        text = where.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise editing.EditError(f"{where}: {getattr(exc, 'strerror', None) or exc}") from None
    places = Regions(text)
    if len(places) == len(cat):
        place = places[position]
        table = text[place.start : place.end]
        try:
            if parse_table(table).get("id") == paper_id:
                return paper_id, table
        except editing.EditError:
            pass
    # not one table per paper as the catalog has them: say so as a change would
    editing.Layout(text, cat, where)
    raise editing.EditError(f"{where}: cannot find the table of '{paper_id}'; nothing changed")


def _again(change: Change, paper_id: str, table: str) -> int:
    """The position of `paper_id` in the catalog held now, whose table must still be
    `table` (another program may have changed it while the editor was open)."""
    from litlist import editing

    position = change.ids.get(paper_id)
    if position is None or change.table(position) != table:
        raise editing.EditError(
            f"'{paper_id}' was changed by another program while you edited it; nothing "
            f"written (run the command again)"
        )
    return position


@contextmanager
def _keeping(text: str, paper_id: str, suffix: str) -> Iterator[None]:
    """Write what an editor session gave; when that fails (the paper changed meanwhile, the
    table does not pass, the lock is held), keep `text` in a file of its own and name it in
    the error, so that no one's typing is lost."""
    try:
        yield
    except LitlistError as exc:
        exc.args = (f"{exc}; your edited text is kept in {_keep(text, paper_id, suffix)}",)
        raise


def _keep(text: str, paper_id: str, suffix: str) -> str:
    """A new private file holding `text`, in litlist's cache folder (else the temporary
    folder); its path, or why it could not be written."""
    import re
    import tempfile

    from litlist import cache

    folder = (cache.folder([]) if cache.enabled() else None) or Path(tempfile.gettempdir())
    name = re.sub(r"[^\w.-]+", "_", paper_id)[:60]
    try:
        fd, path = tempfile.mkstemp(prefix=f"litlist-edit-{name}-", suffix=suffix, dir=folder)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        return f"no file ({folder}: {exc.strerror or exc})"
    return path


def _strip_marks(text: str) -> str:
    return "".join(line for line in text.splitlines(keepends=True) if not line.startswith(MARK))


def _terminal() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


@app.command()
def note(
    ctx: typer.Context,
    args: Annotated[
        list[str],
        typer.Argument(
            metavar="ID... [TEXT]",
            help="Papers, then the note (the last argument, when there are two or more).",
            show_default=False,
        ),
    ],
    english: Annotated[
        bool, typer.Option("--en", help="Add to the English summary instead of the bullets.")
    ] = False,
) -> None:
    """Add a summary bullet to papers, or edit a paper's bullets in $EDITOR.

    Examples:
      litlist note dpo "보상 모델 없이 선호로 학습"
      litlist note lora qlora "Adapters only" --en
      litlist note dpo     (opens $EDITOR)
    """
    from litlist import editing
    from litlist.editing import curate
    from litlist.editing.change import Change, parse_table

    with reporting():
        if len(args) >= 2:
            *names, text = args
            curate.clean_text(text, "note")
            _apply(
                ctx,
                names,
                lambda change, positions: curate.note(change, positions, text, english=english),
            )
            return
        where = _target(ctx)
        editing.check_writable(where)
        paper_id, table = _snapshot(where, args[0])
        shown, current = curate.notes_text(parse_table(table), paper_id, english=english, mark=MARK)
        edited = _run_editor(shown, suffix=".txt", outcome="nothing changed")
        bullets = curate.notes_read(_strip_marks(edited), english=english)
        if bullets == current:
            _say(f"the notes of '{paper_id}' were not changed; nothing written")
            return
        with _keeping(edited, paper_id, ".txt"), editing.session(where) as held:
            change = Change(held)
            position = _again(change, paper_id, table)
            message = curate.set_notes(change, position, bullets, english=english)
            change.commit()
        _say(message)


@app.command()
def edit(
    ctx: typer.Context,
    name: Annotated[
        str, typer.Argument(metavar="ID", help="The paper to edit.", show_default=False)
    ],
) -> None:
    """Edit one paper's TOML table in $EDITOR; it is checked before it is saved.

    A table that does not pass opens again with the error on top (on a terminal), or is
    refused with its file and line; only that table's lines change.

    Examples:
      litlist edit dpo
      litlist edit vaswani2017attention
    """
    from litlist import editing
    from litlist.editing import curate
    from litlist.editing.change import Change

    with reporting():
        where = _target(ctx)
        editing.check_writable(where)
        paper_id, table = _snapshot(where, name)
        newline = "\r\n" if "\r\n" in table else "\n"
        header = (
            f"{MARK} edit '{paper_id}', save and close; the id stays. These lines are dropped.\n"
        )
        text = table
        while True:
            edited = _run_editor(header + text.replace("\r\n", "\n"), outcome="nothing changed")
            edited = _strip_marks(edited).replace("\r\n", "\n").replace("\n", newline)
            if not edited.endswith(newline):
                edited += newline
            if edited == table:
                _say(f"'{paper_id}' was not changed; nothing written")
                return
            retry = None
            with _keeping(edited, paper_id, ".toml"), editing.session(where) as held:
                change = Change(held)
                position = _again(change, paper_id, table)
                try:
                    message = curate.replace(change, position, edited)
                except editing.EditError as exc:
                    if not _terminal():
                        raise
                    retry = exc
                else:
                    change.commit()
            if retry is None:
                break
            text = f"{MARK} error: {retry}\n" + edited
        _say(message)


@app.command()
def move(
    ctx: typer.Context,
    names: IdsArg,
    topic: Annotated[
        str | None,
        typer.Option("--topic", "-t", help="The topic they go under (`litlist topics`)."),
    ] = None,
    new_topic: NewTopicOpt = None,
    parent: ParentOpt = None,
) -> None:
    """File papers under another topic (an existing one, or a --new-topic).

    Examples:
      litlist move vaswani2017attention --topic attention
      litlist move lora qlora --new-topic Adapters
    """
    from litlist.editing import curate

    def work(change: Change, positions: list[int]) -> str:
        slug = curate.topic_for(change.planner, topic, new_topic, parent)
        return curate.move(change, positions, slug, new=bool(change.planner.new_topics))

    with reporting():
        curate.check_destination(topic, new_topic, parent)
        _apply(ctx, names, work)


@app.command()
def mark(
    ctx: typer.Context,
    args: Annotated[
        list[str],
        typer.Argument(
            metavar="ID... STATUS",
            help="Papers, then to-read, reading or read.",
            show_default=False,
        ),
    ],
) -> None:
    """Set where your reading of papers stands: to-read, reading or read.

    Examples:
      litlist mark dpo read
      litlist mark lora qlora reading
      litlist show --status to-read
    """
    from litlist.editing import curate

    with reporting():
        names, status = curate.split_status(args)
        _apply(ctx, names, lambda change, positions: curate.mark(change, positions, status))


@app.command(name="rm")
def remove(
    ctx: typer.Context,
    names: IdsArg,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False,
) -> None:
    """Remove papers from your list: shows what goes and asks first.

    Examples:
      litlist rm vaswani2017attention
      litlist rm dpo-vs-ppo lora-note --yes
    """
    from litlist import editing, query, render
    from litlist.editing import curate

    with reporting():
        where = _target(ctx)
        editing.check_writable(where)
        if yes:  # nothing to show: the papers are looked up once, under the lock
            _apply(ctx, names, curate.remove)
            return
        cat = catalog.load(where)
        positions = list(dict.fromkeys(query.lookup(cat, names)))
        ids = [cat.columns["id"][i] for i in positions]
        if not _terminal():
            raise editing.EditError(
                f"rm asks before it removes {curate.names(ids)}; with no terminal to "
                "ask on, add --yes"
            )
        for i in positions:
            sys.stderr.write(
                render.printable(f"  {cat.columns['id'][i]}  {cat.columns['title'][i]}") + "\n"
            )
        answer = input(f"remove {len(ids)} paper{'s' * (len(ids) != 1)} from {where}? [y/N] ")
        if answer.strip().casefold() not in ("y", "yes"):
            _say("nothing removed")
            raise typer.Exit(1)

        # looked up again under the lock: a paper gone meanwhile is named, nothing removed
        _apply(ctx, ids, curate.remove)
