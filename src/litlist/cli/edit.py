"""`litlist init`, `litlist add` and `litlist import`: start your own list and add to it.

Status lines go to stderr; the card of a paper added goes to stdout. The editing machinery
is imported inside the commands: every other command would pay ~16 ms for it at start-up.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from litlist import catalog
from litlist.cli._app import Format, app, output, reporting, say_lock_waits, told
from litlist.errors import BadOption, InputError
from litlist.model import Catalog

if TYPE_CHECKING:
    from litlist import editing

TopicArg = Annotated[
    str | None,
    typer.Option(
        "--topic", "-t", help="Topic slug or heading it goes under (`litlist topics` lists them)."
    ),
]
NewTopicOpt = Annotated[
    str | None,
    typer.Option("--new-topic", metavar="HEADING", help="Make a new topic with this heading."),
]
VenueOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--venue",
        metavar="ID",
        help="File the papers under this venue id (made if new); NAME=ID only those whose "
        "venue is NAME.",
    ),
]
ParentOpt = Annotated[
    str | None,
    typer.Option("--parent", metavar="SLUG", help="The topic a --new-topic goes under."),
]


class Status(StrEnum):
    TO_READ = "to-read"
    READING = "reading"
    READ = "read"
    NONE = "none"


StatusOpt = Annotated[
    Status,
    typer.Option("--status", help="Where your reading stands: to-read, reading, read or none."),
]
INBOX = "Inbox"  # the heading papers go under when no topic is given


def _reading(status: Status) -> dict:
    """What a paper added today records: its status and today's date (ISO 8601)."""
    import datetime

    return {
        "status": None if status is Status.NONE else status.value,
        "added": datetime.date.today().isoformat(),
    }


def _topic_of(
    planner: editing.Planner, topic: str | None, heading: str | None, parent: str | None
) -> str:
    """The slug --topic names, or of the --new-topic; with neither, the inbox (made on
    demand), where papers wait to be sorted with `litlist move`."""
    if topic:
        return planner.topic(topic)
    return planner.new_topic(heading or INBOX, parent if heading else None)


def _say(line: str) -> None:
    """A status line on stderr: what was done, or why not. Best effort (`told`)."""
    from litlist import render

    # keys and titles come from a .bib or a service we need not trust: no ESC sequences
    with told():
        sys.stderr.write(render.printable(line) + "\n")
        sys.stderr.flush()


def _note(line: str) -> None:
    from litlist import render

    with told():
        render.note(line)  # `note:` coloured on a terminal
        sys.stderr.flush()


def _target(ctx: typer.Context) -> Path:
    return catalog.locate(ctx.obj.get("catalog"))


@app.command()
def init(
    path: Annotated[
        str | None,
        typer.Argument(
            metavar="[PATH]",
            help="Where to create it: a file, or a folder to put papers.toml in (default: "
            "your user data folder).",
            show_default=False,
        ),
    ] = None,
    empty: Annotated[
        bool, typer.Option("--empty", help="Topics and venues only, no papers.")
    ] = False,
) -> None:
    """Start your own list: a copy of the shipped catalog (or --empty) you can add to.

    Examples:
      litlist init
      litlist init --empty
      litlist init ~/notes/papers.toml
      litlist init ~/notes/     (makes ~/notes/papers.toml)
    """
    from litlist import editing, fsutil

    with reporting():
        where = Path(path or catalog.user_catalog()).expanduser().absolute()
        # a folder (one that exists, or "notes/" meant as one): the catalog goes in it
        if path is not None and (where.is_dir() or path.endswith(("/", os.sep))):
            where = where / catalog.user_catalog().name
        data, _ = fsutil.read_file(catalog.shipped())
        if empty:
            data = editing.without_papers(data.decode("utf-8")).encode("utf-8")
        try:
            if where.is_symlink():  # even one whose file is gone: it names a catalog
                raise FileExistsError
            where.parent.mkdir(parents=True, exist_ok=True)
            fsutil.write_atomic(where, data, exclusive=True)
        except FileExistsError:
            raise editing.EditError(
                f"{where} exists; litlist init never replaces a catalog (add to it, or "
                "give another PATH)"
            ) from None
        except OSError as exc:
            raise editing.EditError(f"{where}: {exc.strerror or exc}") from None
        what = "topics and venues, no papers" if empty else "a copy of the shipped list"
        _say(f"created {where} ({what})")
        in_use, why = catalog.choose(None)
        if in_use == where:
            _say("it is now your default catalog (`litlist check` says which one is in use)")
        elif where == catalog.user_catalog():
            _note(f"{why} ({in_use}) still comes first; unset it to use this one")
        else:
            _say(f"use it with: litlist --catalog {where} … (or set LITLIST_CATALOG={where})")
        _say(
            "next: litlist add 1706.03762 --topic attention (an arXiv id or a DOI) · litlist topics"
        )


def _editor(outcome: str) -> str:
    """The editor command: $VISUAL, else $EDITOR (the first set to something); "" when they
    are set but empty (refused as such, never read as "use vi"); `vi` only when neither is
    set and there is a terminal for it: with none, vi would write its screen codes into
    the output, so the user is told to set $EDITOR."""
    from litlist import editing

    for name in ("VISUAL", "EDITOR"):
        if os.environ.get(name, "").strip():
            return os.environ[name]
    if "VISUAL" in os.environ or "EDITOR" in os.environ:
        return ""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise editing.EditError(
            "no editor to open with no terminal: set $EDITOR (e.g. EDITOR=nano, or a "
            f"command that edits the file it is given); {outcome}"
        )
    return "vi"


def _run_editor(text: str, *, suffix: str = ".toml", outcome: str = "nothing added") -> str:
    """Open $VISUAL/$EDITOR on `text` in a temporary file; the edited text. EditError (its
    message ending in `outcome`) when the editor cannot run or fails, or leaves no UTF-8
    file behind."""
    import shlex
    import subprocess
    import tempfile

    from litlist import editing

    command = _editor(outcome)
    try:
        words = shlex.split(command)
    except ValueError as exc:  # an unclosed quote in $EDITOR
        raise editing.EditError(f"cannot run the editor ({command}): {exc}") from None
    if not words:
        raise editing.EditError(
            f"$EDITOR is empty; set it to an editor, e.g. EDITOR=nano; {outcome}"
        )
    fd, name = tempfile.mkstemp(prefix="litlist-", suffix=suffix)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        try:
            code = subprocess.call([*words, name])
        except OSError as exc:  # not installed, not executable
            raise editing.EditError(
                f"cannot run the editor ({command}): {exc.strerror or exc}; {outcome}"
            ) from None
        if code != 0:
            raise editing.EditError(f"the editor ({command}) failed; {outcome}")
        try:
            return Path(name).read_bytes().decode("utf-8")
        except FileNotFoundError:
            raise editing.EditError(f"the editor removed the file; {outcome}") from None
        except UnicodeDecodeError:
            raise editing.EditError(f"the edited file is not UTF-8 text; {outcome}") from None
    finally:
        try:
            os.unlink(name)
        except FileNotFoundError:
            pass


def _read_bib(source: str, what: str = "BibTeX entries") -> str:
    from litlist import fsutil
    from litlist.sources import bibfile

    limit = bibfile.MAX_BYTES
    if source == "-":
        if sys.stdin.isatty():  # waiting on a terminal looks hung: say what is wanted
            sys.stderr.write(f"paste {what}, then Ctrl-D\n")
            sys.stderr.flush()
        raw = sys.stdin.buffer.read(limit + 1)  # bytes: decoded as a file's are
    else:
        raw = fsutil.read_user_file(Path(source), limit=limit)
    if len(raw) > limit:
        # a .bib is read whole: a larger one would take gigabytes of memory and minutes
        raise InputError(f"{source}: more than {limit // 2**20} MB; split it and import the parts")
    return bibfile.decode(raw, source)


def _one_topic(topic: str | None, new_topic: str | None, parent: str | None, what: str) -> None:
    """At most one of --topic and --new-topic says where `what` (neither: the inbox);
    --parent only with the latter (with --topic it would be ignored without a word). Usage
    mistakes (exit 2), checked before any file is read: what a user types is fixed first,
    then the files."""
    if topic and new_topic:
        raise BadOption(f"say where {what} once: --topic SLUG or --new-topic HEADING, not both")
    if parent is not None and not new_topic:
        raise BadOption("--parent goes with --new-topic (the new topic's parent)")


@contextmanager
def _bar(progress, label: str, total: int) -> Iterator[Callable[[], None]]:
    """A step function for `total` steps of work: a progress bar on a terminal (from 500
    steps; `progress` is None elsewhere), closed however the work ends."""
    if progress is None or total < 500:
        yield lambda: None
        return
    bar = progress(label, total)
    count = 0

    def step() -> None:
        nonlocal count
        count += 1
        if count % 100 == 0:
            bar.advance(100)

    try:
        yield step
    finally:
        bar.close()


def _card(where: Path, planner: editing.Planner, papers: list) -> None:
    shown = Catalog(str(where), planner.topics, planner.venues, papers)
    output(shown, list(range(len(papers))), Format.table, cards=True)


@app.command()
def add(
    ctx: typer.Context,
    identifier: Annotated[
        str | None,
        typer.Argument(
            metavar="ID", help="arXiv id or URL, DOI or doi.org URL.", show_default=False
        ),
    ] = None,
    topic: TopicArg = None,
    bib: Annotated[
        str | None,
        typer.Option("--bib", metavar="FILE", help="Add from a BibTeX entry in FILE (- = stdin)."),
    ] = None,
    paper_id: Annotated[str | None, typer.Option("--id", help="The paper's id.")] = None,
    key: Annotated[str | None, typer.Option("--key", help="The citation key.")] = None,
    alias: Annotated[
        list[str] | None, typer.Option("--alias", help="A short name (DPO); repeatable.")
    ] = None,
    summary: Annotated[
        list[str] | None, typer.Option("--summary", help="One summary bullet; repeatable.")
    ] = None,
    summary_en: Annotated[str, typer.Option("--summary-en", help="An English summary.")] = "",
    edit: Annotated[
        bool, typer.Option("--edit", help="Review the paper in $EDITOR before it is saved.")
    ] = False,
    new_topic: NewTopicOpt = None,
    parent: ParentOpt = None,
    status: StatusOpt = Status.TO_READ,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show the paper that would be added; write nothing.")
    ] = False,
    venue: VenueOpt = None,
) -> None:
    """Add a paper to your list from arXiv, Crossref (DOI) or a BibTeX entry.

    With no --topic it goes to the Inbox topic, to sort later with `litlist move`.

    Examples:
      litlist add 1706.03762 -t attention --alias Transformer
      litlist add 10.18653/v1/N19-1423 --topic peft
      litlist add --bib entry.bib --topic cot --dry-run
      litlist add 10.1103/PhysRevB.1.1 -t peft --venue PRB
    """
    from litlist import editing, sources
    from litlist.sources import bibfile

    with reporting():
        # in the order a user fixes them: what was typed, then the file given, then the
        # catalog written to
        if (identifier is None) == (bib is None):
            raise BadOption("give an arXiv id or DOI, or --bib FILE (one of them)")
        _one_topic(topic, new_topic, parent, "the paper goes")
        entry = _read_bib(bib, "a BibTeX entry") if bib is not None else None
        where = _target(ctx)
        editing.check_writable(where, writing=not dry_run)
        options = editing.Options(
            topic=topic or "",
            id=paper_id,
            key=key,
            # an alias is a name and a bullet a line: a pasted line break is a space
            aliases=[" ".join(a.split()) for a in alias or []],
            summary=[" ".join(s.split()) for s in summary or []],
            summary_en=summary_en.strip(),
            **_reading(status),
        )
        # the list as it is now: a wrong topic, --key or --id, or a paper it has is found
        # before the network. With nothing to wait for (a --bib entry, no editor) the file
        # is locked, read and loaded once, here, for the checks and the write alike.
        with contextlib.ExitStack() as stack:
            held = None
            if entry is not None and not edit:
                say_lock_waits()
                held = stack.enter_context(editing.session(where, writing=not dry_run))
            before = editing.Planner(held.catalog if held else catalog.load(where))
            chosen = _topic_of(before, topic, new_topic, parent)
            before.check_options(options)
            options.venue = before.choose_venues(venue or [])
            if entry is not None:
                items, broken = bibfile.read(entry)
                items = [item for item in items if not item.shared]
                if len(items) != 1 or broken:
                    raise InputError(
                        f"{bib}: holds {len(items)} entries"
                        + (f" and {len(broken)} unreadable block(s)" if broken else "")
                        + "; `litlist add --bib` takes one (use `litlist import` for many)"
                    )
                if items[0].draft is None:
                    name = bibfile.entry_name(items[0].key)
                    raise InputError(f"{bib}: {name}: {items[0].problem}")
                draft = items[0].draft
            else:
                kind, value = sources.parse_id(identifier or "")
                before.check_identifier(kind, value)
                if kind == "arxiv":
                    from litlist.sources import arxiv

                    draft = arxiv.fetch(value)
                else:
                    from litlist.sources import crossref

                    draft = crossref.fetch(value)
            if draft.year is None:
                raise InputError(f"{draft.origin}: no year")
            edited = None
            if edit:
                # no lock is held while the editor is open (another add would wait on it for
                # as long): the edited row is checked against the list as it is afterwards
                before.check_duplicate(draft)
                edited = editing.edit_row(
                    before.row(draft, dataclasses.replace(options, topic=chosen)), _run_editor
                )
            if held is None:
                say_lock_waits()
                held = stack.enter_context(editing.session(where, writing=not dry_run))
            planner = editing.Planner(held.catalog)
            planner.choose_venues(venue or [])
            options.topic = _topic_of(planner, topic, new_topic, parent)
            planner.check_duplicate(draft)
            row = planner.row(draft, options)
            paper = planner.add(edited if edited is not None else row, draft.origin)
            if not dry_run:
                held.commit(planner)
        for line in [*draft.notes, *planner.notes]:
            _note(line)
        # as import says it: the same words, so a dry run reads as what the real one does
        done = "dry run, nothing written: would add" if dry_run else "added"
        _say(f"{done} '{paper.id}' (key {paper.key}) to {where}, under '{paper.topic}'")
        _card(where, planner, [paper])


@app.command(name="import")
def import_cmd(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(metavar="FILE", help="A .bib file (- = stdin).")],
    topic: TopicArg = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would be added and skipped; write nothing.")
    ] = False,
    new_topic: NewTopicOpt = None,
    parent: ParentOpt = None,
    status: StatusOpt = Status.TO_READ,
    venue: VenueOpt = None,
) -> None:
    """Add every entry of a .bib file; papers already in the list are skipped.

    With no --topic they go to the Inbox topic, to sort later with `litlist move`.

    Examples:
      litlist import refs.bib --topic peft
      litlist import refs.bib --topic cot --dry-run
      litlist import refs.bib -t cot --venue 'Phys Rev B=PRB'
    """
    from litlist import editing, render
    from litlist.sources import bibfile

    with reporting():
        # in the order a user fixes them: what was typed, then the file, then the catalog
        _one_topic(topic, new_topic, parent, "the papers go")
        text = _read_bib(file)
        where = _target(ctx)
        editing.check_writable(where, writing=not dry_run)
        items, broken = bibfile.read(text)
        verb = "would add" if dry_run else "added"
        # what happened to each entry, in the file's order, with its notes under it
        entries: list[render.Entry] = []
        counts = {"added": 0, "present": 0, "failed": 0, "parts": 0}
        added_ids: set[str] = set()
        progress = render.progress_factory(sys.stderr)  # None unless stderr is a terminal
        say_lock_waits()
        with editing.session(where, writing=not dry_run, progress=progress) as held:
            planner = editing.Planner(held.catalog, many=True)
            chosen = _topic_of(planner, topic, new_topic, parent)
            options = editing.Options(
                topic=chosen, venue=planner.choose_venues(venue or []), **_reading(status)
            )
            planner.reserve([item.key for item in items if item.key])
            with _bar(progress, "Importing entries", len(items)) as step:
                for item in items:
                    step()
                    origin = bibfile.entry_name(item.key)
                    if item.shared:
                        entries.append(
                            render.Entry(
                                "note", f"{origin}: {item.problem}; not a paper of its own"
                            )
                        )
                        counts["parts"] += 1
                        continue
                    if item.draft is None:
                        place = f"{file}:{item.line}: {origin}"  # to find it in the file
                        why = item.problem or "unreadable"
                        entries.append(render.Entry("failed", f"{place}: {why}"))
                        counts["failed"] += 1
                        continue
                    noted = len(planner.notes)
                    found = planner.duplicate(item.draft)
                    if found:
                        existing, why = found
                        if existing in added_ids:
                            why += ", an entry added from this file"
                        entries.append(
                            render.Entry("already present", f"{origin} is '{existing}' ({why})")
                        )
                        counts["present"] += 1
                        continue
                    try:
                        row = planner.row(item.draft, options)
                        paper = planner.add(row, origin)
                    except editing.EditError as exc:
                        why = str(exc).removeprefix(origin + ": ")
                        entries.append(render.Entry("failed", f"{origin}: {why}"))
                        counts["failed"] += 1
                        continue
                    added_ids.add(paper.id)
                    counts["added"] += 1
                    notes = [*item.draft.notes, *planner.notes[noted:]]
                    entries.append(
                        render.Entry(
                            verb,
                            paper.key or paper.id,
                            paper.title,
                            # said under the entry: its name need not be said again
                            tuple(n.removeprefix(f"{origin}: ") for n in notes),
                        )
                    )
            if not dry_run:
                held.commit(planner)
        entries += [render.Entry("failed", f"{place}: {why}") for place, why in broken]
        counts["failed"] += len(broken)
        prefix = "dry run, nothing written: " if dry_run else ""
        summary = (
            f"{prefix}{verb} {counts['added']}, already present {counts['present']}, "
            f"failed {counts['failed']}"
            # every entry of the file is counted: a set or a volume others inherit from too
            + (f", sets and volumes of others {counts['parts']}" if counts["parts"] else "")
        )
        with told():  # written already: a report that cannot be printed changes nothing
            render.write(sys.stderr, render.report(entries, summary, render.width(sys.stderr)))
        failed = counts["failed"]
        if counts["added"] and not topic and not new_topic:
            _say(f"in the inbox ('{chosen}'): sort them with litlist move ID... --topic SLUG")
        if failed:
            raise typer.Exit(1)
