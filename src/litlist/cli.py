"""The `litlist` command line: options in, services called, renderer chosen, errors reported.

Commands stay thin (load → select → render). Every `LitlistError` a service raises becomes one
`error: …` line on stderr and exit code 1; a usage mistake (unknown option, bad value) becomes
one `error: …` line and exit code 2. Nothing else is caught: a bug should show its traceback.
"""

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import IntEnum, StrEnum
from pathlib import Path
from typing import Annotated

import typer
from typer.core import TyperGroup

from litlist import __version__, catalog, query, render
from litlist.errors import LitlistError
from litlist.model import Catalog, Paper


class ExitCode(IntEnum):
    OK = 0
    USER_ERROR = 1
    USAGE = 2


# typer re-exports BadParameter but not its bases; these are click's UsageError and
# ClickException whichever click (bundled or not) this typer uses.
_UsageError = typer.BadParameter.__mro__[1]
_ClickException = _UsageError.__mro__[1]


class _Group(TyperGroup):
    """Report usage errors as one `error:` line (Typer would draw a rich panel)."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        try:
            result = super().main(
                args=args,
                prog_name=prog_name or "litlist",
                complete_var=complete_var,
                standalone_mode=False,
                **extra,
            )
        except _ClickException as exc:
            message = exc.format_message().strip()
            if not message:  # bare `litlist`: the help was shown, nothing went wrong
                sys.exit(ExitCode.OK)
            ctx = getattr(exc, "ctx", None)
            path = ctx.command_path if ctx is not None else "litlist"
            render.error(f"{message.replace(chr(10), ' ')} (see '{path} --help')")
            sys.exit(ExitCode.USAGE)
        except typer.Abort:
            sys.exit(130)
        sys.exit(result if isinstance(result, int) else ExitCode.OK)


app = typer.Typer(
    cls=_Group,
    help="A typed, searchable catalog of the 'Language Model Post List' reading list.",
    no_args_is_help=True,
    add_completion=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class Format(StrEnum):
    table = "table"
    json = "json"
    keys = "keys"
    markdown = "markdown"


@contextmanager
def reporting() -> Iterator[None]:
    """Turn a LitlistError into `error: …` on stderr and exit code 1."""
    try:
        yield
    except LitlistError as exc:
        render.error(str(exc))
        raise typer.Exit(exc.exit_code) from None


# ---------------------------------------------------------------- completion


def _complete_names(ctx: typer.Context, incomplete: str) -> list[str]:
    try:
        cat = catalog.load(_catalog_option(ctx))
    except LitlistError:
        return []
    names = [n for n in [*cat.columns["id"], *cat.columns["key"]] if n]
    return [n for n in names if n.startswith(incomplete)]


def _complete_topics(ctx: typer.Context, incomplete: str) -> list[str]:
    try:
        cat = catalog.load(_catalog_option(ctx))
    except LitlistError:
        return []
    slugs = [t.slug for t in cat.topics]
    segments = [s.rsplit("/", 1)[-1] for s in slugs]
    return [s for s in dict.fromkeys(slugs + segments) if s.startswith(incomplete)]


def _catalog_option(ctx: typer.Context) -> str | None:
    root = ctx.find_root()
    return (root.params or {}).get("catalog_path") or (ctx.obj or {}).get("catalog")


# ---------------------------------------------------------------- shared options

TopicOpt = Annotated[
    str | None,
    typer.Option(
        "--topic",
        "-t",
        help="Topic slug, slug segment or heading name (peft, rlhf, 'Attention Sink').",
        autocompletion=_complete_topics,
    ),
]
VenueOpt = Annotated[
    str | None,
    typer.Option("--venue", "-v", help="Venue or alias, any case (neurips, nips, icml-ws)."),
]
YearOpt = Annotated[
    str | None,
    typer.Option("--year", "-y", help="A year or range: 2024, 2022..2023, 2023.., ..2020."),
]
FormatOpt = Annotated[
    Format,
    typer.Option(
        "--format", "-f", help="table (for people), json, keys (one citation key a line), markdown."
    ),
]
NamesArg = Annotated[
    list[str] | None,
    typer.Argument(
        help="Paper ids or citation keys.", autocompletion=_complete_names, show_default=False
    ),
]


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"litlist {__version__}\n")
        raise typer.Exit()


@app.callback()
def main_options(
    ctx: typer.Context,
    catalog_path: Annotated[
        str | None,
        typer.Option(
            "--catalog",
            "-c",
            metavar="PATH",
            help="Catalog file to use (default: $LITLIST_CATALOG, else the catalog shipped with "
            "litlist).",
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """litlist: find, read and cite the papers of a curated LLM reading list.

    Examples: litlist search dpo · litlist show --topic peft ·
    litlist export --tex draft.tex -o refs.bib
    """
    ctx.obj = {"catalog": catalog_path}


def _load(ctx: typer.Context) -> Catalog:
    return catalog.load(ctx.obj.get("catalog"), progress=render.progress_factory(sys.stderr))


def _emit(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


def _output(
    cat: Catalog,
    positions: list[int],
    fmt: Format,
    *,
    cards: bool,
    scores: list[float] | None = None,
    empty: str = "no papers match",
) -> None:
    """Write `positions` of `cat` in `fmt`; for people, a table or cards."""
    if fmt is Format.keys:
        _emit(render.to_keys(cat.columns["key"][i] for i in positions))
        return
    # a table shows only what the columns hold: no record is decoded for it
    brief = fmt is Format.table and not cards
    papers: list[Paper] = [cat.brief(i) if brief else cat.paper(i) for i in positions]
    if fmt is Format.json:
        _emit(render.to_json(papers, scores))
    elif fmt is Format.markdown:
        _emit(render.to_markdown(cat, papers))
    elif not papers:
        sys.stderr.write(empty + "\n")
    elif render.fancy(sys.stdout):
        if cards:
            render.rich_cards(sys.stdout, cat, papers)
        else:
            render.rich_table(sys.stdout, cat, papers, scores)
    elif cards:
        _emit("\n".join(render.plain_card(cat, p) for p in papers))
    else:
        _emit(render.plain_table(cat, papers, scores))


# ---------------------------------------------------------------- commands


@app.command()
def show(
    ctx: typer.Context,
    names: NamesArg = None,
    topic: TopicOpt = None,
    venue: VenueOpt = None,
    year: YearOpt = None,
    fmt: FormatOpt = Format.table,
    full: Annotated[bool, typer.Option("--full", help="Cards with authors and summaries.")] = False,
) -> None:
    """List papers, or show some in full.

    Examples: litlist show --topic peft · litlist show dpo lora ·
    litlist show --venue nips --year 2022..
    """
    with reporting():
        cat = _load(ctx)
        positions = query.select(cat, topic=topic, venue=venue, year=year)
        if names:
            wanted = set(positions)
            positions = [i for i in query.lookup(cat, names) if i in wanted]
        _output(cat, positions, fmt, cards=full or bool(names) or len(positions) <= 2)


@app.command()
def search(
    ctx: typer.Context,
    words: Annotated[
        list[str],
        typer.Argument(
            help="What you remember: an acronym, title words, an author, a Korean phrase.",
            metavar="QUERY...",
        ),
    ],
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="At most this many.")] = 10,
    topic: TopicOpt = None,
    venue: VenueOpt = None,
    year: YearOpt = None,
    fmt: FormatOpt = Format.table,
    full: Annotated[bool, typer.Option("--full", help="Cards with authors and summaries.")] = False,
) -> None:
    """Find papers by acronym, title words (typos forgiven), author or Korean phrase.

    Examples: litlist search dpo · litlist search lroa · litlist search percy liang ·
    litlist search 집단지성
    """
    with reporting():
        cat = _load(ctx)
        within = (
            query.select(cat, topic=topic, venue=venue, year=year)
            if (topic or venue or year)
            else None
        )
        hits = query.search(cat, " ".join(words), within=within, limit=limit)
        _output(
            cat,
            [h.position for h in hits],
            fmt,
            cards=full,
            scores=[h.score for h in hits],
            empty=f"no papers match '{' '.join(words)}'",
        )


@app.command()
def topics(ctx: typer.Context) -> None:
    """Show the list's heading tree with the number of papers under each heading.

    Example: litlist topics, then litlist show --topic attention-sink
    """
    with reporting():
        cat = _load(ctx)
        counts: dict[str, int] = {}
        for slug, kind in zip(cat.columns["topic"], cat.columns["kind"], strict=True):
            if kind == "paper":
                counts[slug] = counts.get(slug, 0) + 1
        render.topics(sys.stdout, cat, counts)


@app.command()
def venues(ctx: typer.Context) -> None:
    """Show the venues papers appeared at, with counts and years.

    Example: litlist venues, then litlist show --venue iclr --year 2024
    """
    with reporting():
        cat = _load(ctx)
        seen: dict[str, list[int]] = {}
        for venue_id, year in zip(cat.columns["venue"], cat.columns["year"], strict=True):
            if venue_id:
                seen.setdefault(venue_id, []).append(year)
        rows = [
            (v.id, v.name, v.kind, len(seen[v.id]), sorted(set(seen[v.id])))
            for v in cat.venues
            if v.id in seen
        ]
        rows.sort(key=lambda r: (-r[3], r[0]))
        render.venues(sys.stdout, rows)


@app.command()
def check(ctx: typer.Context) -> None:
    """Validate the catalog and say what it holds; list every problem and exit 1 if any.

    Examples: litlist check · litlist --catalog mylist.toml check
    """
    cat, problems = catalog.check(ctx.obj.get("catalog"))
    if problems or cat is None:
        for problem in problems:
            render.error(problem.render())
        sys.stderr.write(
            f"{len(problems)} problem(s) in {catalog.locate(ctx.obj.get('catalog'))}\n"
        )
        raise typer.Exit(ExitCode.USER_ERROR)
    kinds = cat.columns["kind"]
    papers = kinds.count("paper")
    years = sorted({y for y in cat.columns["year"] if y})
    used = sorted({v for v in cat.columns["venue"] if v})
    span = f"{years[0]}–{years[-1]}" if years else "none"
    _emit(
        f"ok: {cat.path}\n"
        f"{papers} papers, {len(cat) - papers} summary posts, {len(cat.topics)} topics, "
        f"{len(used)} venues ({', '.join(used)}), years {span}\n"
    )


def main() -> None:
    """Console-script entry point."""
    app()


@app.command(name="export")
def export_cmd(
    ctx: typer.Context,
    names: NamesArg = None,
    topic: TopicOpt = None,
    venue: VenueOpt = None,
    year: YearOpt = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Write to this file (refuses to overwrite without --force).",
            dir_okay=False,
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite the -o file.")] = False,
    merge: Annotated[
        Path | None,
        typer.Option(
            "--merge",
            help="Add the papers not already in this .bib, keeping every line of it.",
            dir_okay=False,
        ),
    ] = None,
    tex: Annotated[
        list[Path] | None,
        typer.Option(
            "--tex", help="Export what this LaTeX draft cites (follows \\input and \\include)."
        ),
    ] = None,
    aux: Annotated[
        Path | None, typer.Option("--aux", help="Export what this .aux file cites.")
    ] = None,
    allow_missing: Annotated[
        bool,
        typer.Option("--allow-missing", help="Export the known keys and warn about unknown ones."),
    ] = False,
    biblatex: Annotated[
        bool,
        typer.Option(
            "--biblatex", help="biblatex fields (eprinttype, journaltitle, date) for biber."
        ),
    ] = False,
    as_listed: Annotated[
        bool,
        typer.Option(
            "--as-listed",
            help="Cite papers as the list gives them, not their later version of record.",
        ),
    ] = False,
) -> None:
    """Write BibTeX for papers: all, a selection, or exactly what a draft cites.

    Examples: litlist export --topic rlhf · litlist export --tex draft.tex -o refs.bib ·
    litlist export dpo --merge refs.bib
    """
    from litlist import bibtex, citations

    with reporting():
        if output is not None and merge is not None:
            raise bibtex.ExportError("use either -o or --merge, not both")
        cat = _load(ctx)
        positions = query.select(cat, topic=topic, venue=venue, year=year)
        cited, source = citations.collect(tex or [], aux) if (tex or aux) else ([], "")
        if citations.ALL in cited:  # \nocite{*}: the draft cites everything
            cited = [k for k in cat.columns["key"] if k]
        if names or cited:
            found, warnings = query.resolve(
                cat, names or [], cited, where=source, allow_missing=allow_missing
            )
            for warning in warnings:
                render.warning(warning)
            chosen = set(positions)
            positions = [i for i in found if i in chosen]
        summaries = [cat.columns["id"][i] for i in positions if cat.columns["kind"][i] != "paper"]
        if summaries and (names or cited):
            render.warning(f"not citable, skipped (summary posts): {', '.join(summaries)}")
        positions = [i for i in positions if cat.columns["kind"][i] == "paper"]
        papers = [cat.paper(i) for i in positions]
        style = bibtex.Style(biblatex=biblatex, as_listed=as_listed)
        if merge is not None:
            report = bibtex.merge_into(merge, papers, cat, style)
            for line in report.lines():
                sys.stderr.write(line + "\n")
            return
        text = bibtex.export(papers, cat, style, progress=render.progress_factory(sys.stderr))
        if output is None:
            _emit(text)
        else:
            bibtex.write_new(output, text, force=force)
            noun = "entry" if len(papers) == 1 else "entries"
            sys.stderr.write(f"wrote {len(papers)} {noun} to {output}\n")
