"""`litlist init`, `litlist add` and `litlist import`: start your own list and add to it.

Status lines go to stderr; the card of a paper added goes to stdout. The editing machinery
is imported inside the commands: every other command would pay ~16 ms for it at start-up.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from litlist import catalog
from litlist.cli._app import Format, app, output, reporting
from litlist.errors import InputError
from litlist.model import Catalog, Paper

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


def _say(line: str) -> None:
    from litlist import render

    # keys and titles come from a .bib or a service we need not trust: no ESC sequences
    sys.stderr.write(render.printable(line) + "\n")


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
            _say(f"note: {why} ({in_use}) still comes first; unset it to use this one")
        else:
            _say(f"use it with: litlist --catalog {where} … (or set LITLIST_CATALOG={where})")
        _say(
            "next: litlist add 1706.03762 --topic attention (an arXiv id or a DOI) · litlist topics"
        )


def _run_editor(text: str) -> str | None:
    """Open $VISUAL/$EDITOR on `text` in a temporary .toml file; the edited text, or None
    when the editor failed."""
    import shlex
    import subprocess
    import tempfile

    from litlist import editing

    command = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    try:
        words = shlex.split(command)
    except ValueError as exc:  # an unclosed quote in $EDITOR
        raise editing.EditError(f"cannot run the editor ({command}): {exc}") from None
    if not words:
        raise editing.EditError("$EDITOR is empty; set it to an editor, e.g. EDITOR=nano")
    fd, name = tempfile.mkstemp(prefix="litlist-", suffix=".toml")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        try:
            code = subprocess.call([*words, name])
        except OSError as exc:  # not installed, not executable
            raise editing.EditError(
                f"cannot run the editor ({command}): {exc.strerror or exc}; nothing added"
            ) from None
        if code != 0:
            raise editing.EditError(f"the editor ({command}) failed; nothing added")
        try:
            return Path(name).read_bytes().decode("utf-8")
        except FileNotFoundError:
            raise editing.EditError("the editor removed the file; nothing added") from None
        except UnicodeDecodeError:
            raise editing.EditError("the edited paper is not UTF-8 text; nothing added") from None
    finally:
        try:
            os.unlink(name)
        except FileNotFoundError:
            pass


def _read_bib(source: str) -> str:
    from litlist import fsutil
    from litlist.sources import bibfile

    limit = bibfile.MAX_BYTES
    if source == "-":
        raw = sys.stdin.buffer.read(limit + 1)  # bytes: decoded as a file's are
    else:
        raw = fsutil.read_user_file(Path(source), limit=limit)
    if len(raw) > limit:
        # a .bib is read whole: a larger one would take gigabytes of memory and minutes
        raise InputError(f"{source}: more than {limit // 2**20} MB; split it and import the parts")
    return bibfile.decode(raw, source)


def _one_topic(topic: str | None, new_topic: str | None, parent: str | None, what: str) -> None:
    """Exactly one of --topic and --new-topic says where `what`; --parent only with the
    latter (with --topic it would be ignored without a word)."""
    from litlist import editing

    if bool(topic) == bool(new_topic):
        raise editing.EditError(
            f"say where {what}: --topic SLUG (see `litlist topics`) or --new-topic"
        )
    if parent is not None and not new_topic:
        raise editing.EditError("--parent goes with --new-topic (the new topic's parent)")


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
    venue: VenueOpt = None,
) -> None:
    """Add a paper to your list from arXiv, Crossref (DOI) or a BibTeX entry.

    Examples:
      litlist add 1706.03762 -t attention --alias Transformer
      litlist add 10.18653/v1/N19-1423 --topic peft
      litlist add --bib entry.bib --topic cot
      litlist add 10.1103/PhysRevB.1.1 -t peft --venue PRB
    """
    from litlist import editing, sources
    from litlist.sources import bibfile

    with reporting():
        if (identifier is None) == (bib is None):
            raise editing.EditError("give an arXiv id or DOI, or --bib FILE (one of them)")
        _one_topic(topic, new_topic, parent, "the paper goes")
        where = _target(ctx)
        editing.check_writable(where)
        options = editing.Options(
            topic=topic or "",
            id=paper_id,
            key=key,
            # an alias is a name and a bullet a line: a pasted line break is a space
            aliases=[" ".join(a.split()) for a in alias or []],
            summary=[" ".join(s.split()) for s in summary or []],
            summary_en=summary_en.strip(),
        )
        # the list as it is now: a wrong topic, --key or --id, or a paper it has is found
        # before the network
        before = editing.Planner(catalog.load(where))
        if topic:
            before.topic(topic)
        else:
            before.new_topic(new_topic or "", parent)
        before.check_options(options)
        options.venue = before.choose_venues(venue or [])
        if bib is not None:
            items, broken = bibfile.read(_read_bib(bib))
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
        with editing.session(where) as held:
            planner = editing.Planner(held.catalog)
            planner.choose_venues(venue or [])
            if new_topic:
                options.topic = planner.new_topic(new_topic, parent)
            planner.check_duplicate(draft)
            row = planner.row(draft, options)
            if edit:
                row = editing.edit_row(row, _run_editor)
            paper = planner.add(row, draft.origin)
            held.commit(planner)
        for line in [*draft.notes, *planner.notes]:
            _say(f"note: {line}")
        _say(f"added '{paper.id}' (key {paper.key}) to {where}")
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
    venue: VenueOpt = None,
) -> None:
    """Add every entry of a .bib file; papers already in the list are skipped.

    Examples:
      litlist import refs.bib --topic peft
      litlist import refs.bib --topic cot --dry-run
      litlist import refs.bib -t cot --venue 'Phys Rev B=PRB'
    """
    from litlist import editing, render
    from litlist.sources import bibfile

    with reporting():
        _one_topic(topic, new_topic, parent, "the papers go")
        where = _target(ctx)
        editing.check_writable(where, writing=not dry_run)
        items, broken = bibfile.read(_read_bib(file))
        failed = [editing.Failed(place, why) for place, why in broken]
        skipped: list[editing.Skipped] = []
        added: list[Paper] = []
        added_ids: set[str] = set()
        notes: list[str] = []
        progress = render.progress_factory(sys.stderr)  # None unless stderr is a terminal
        with editing.session(where, writing=not dry_run, progress=progress) as held:
            planner = editing.Planner(held.catalog, many=True)
            chosen = (
                planner.new_topic(new_topic, parent) if new_topic else planner.topic(topic or "")
            )
            options = editing.Options(topic=chosen, venue=planner.choose_venues(venue or []))
            planner.reserve([item.key for item in items if item.key])
            with _bar(progress, "Importing entries", len(items)) as step:
                for item in items:
                    step()
                    origin = bibfile.entry_name(item.key)
                    if item.shared:
                        notes.append(f"{origin}: {item.problem}; not a paper of its own")
                        continue
                    if item.draft is None:
                        failed.append(editing.Failed(origin, item.problem or "unreadable"))
                        continue
                    notes += item.draft.notes
                    found = planner.duplicate(item.draft)
                    if found:
                        existing, why = found
                        if existing in added_ids:
                            why += ", an entry added from this file"
                        skipped.append(editing.Skipped(origin, existing, why))
                        continue
                    try:
                        row = planner.row(item.draft, options)
                        added.append(planner.add(row, origin))
                        added_ids.add(added[-1].id)
                    except editing.EditError as exc:
                        why = str(exc).removeprefix(origin + ": ")
                        failed.append(editing.Failed(origin, why))
            if not dry_run:
                held.commit(planner)
        verb = "would add" if dry_run else "added"
        for paper in added:
            _say(f"{verb}: '{paper.id}' (key {paper.key}) {paper.title}")
        for skip in skipped:
            _say(f"already present: {skip.origin} is '{skip.existing}' ({skip.why})")
        for fail in failed:
            _say(f"failed: {fail.origin}: {fail.why}")
        for note in [*notes, *planner.notes]:
            _say(f"note: {note}")
        prefix = "dry run, nothing written: " if dry_run else ""
        _say(f"{prefix}{verb} {len(added)}, already present {len(skipped)}, failed {len(failed)}")
        if failed:
            raise typer.Exit(1)
