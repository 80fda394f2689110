"""`litlist topics`, `litlist venues` and `litlist check`: what a catalog holds."""

import sys

import typer

from litlist import catalog, render
from litlist.cli._app import ExitCode, app, emit, load_catalog, reporting


@app.command()
def topics(ctx: typer.Context) -> None:
    """Show the list's heading tree with the number of papers under each heading.

    Examples:
      litlist topics
      litlist show --topic attention-sink
    """
    with reporting():
        cat = load_catalog(ctx)
        counts: dict[str, int] = {}
        for slug, kind in zip(cat.columns["topic"], cat.columns["kind"], strict=True):
            if kind == "paper":
                counts[slug] = counts.get(slug, 0) + 1
        summaries = cat.columns["kind"].count("summary")
        if not render.for_people(sys.stdout):  # piped: slug, papers, heading a line
            rows = render.tree_text(cat, counts)
            emit(render.records([slug, str(n), name] for _, slug, name, n in rows))
            return
        lines = render.topics(cat, counts, summaries, render.width(sys.stdout))
        render.write(sys.stdout, lines)


@app.command()
def venues(ctx: typer.Context) -> None:
    """Show the venues papers appeared at, with counts and years.

    Examples:
      litlist venues
      litlist show --venue iclr --year 2024
    """
    with reporting():
        cat = load_catalog(ctx)
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
        if not rows:  # a header over nothing says less than this
            sys.stderr.write("no papers yet, so no venues\n")
            return
        if not render.for_people(sys.stdout):  # piped: the table's columns, a venue a line
            emit(render.records(render.venue_cells(row) for row in rows))
            return
        render.write(sys.stdout, render.venues(rows, render.width(sys.stdout)))


_REASONS = {
    catalog.BY_OPTION: "chosen with --catalog",
    catalog.BY_ENV: "chosen by $LITLIST_CATALOG",
    catalog.BY_USER: "your catalog, made by `litlist init`",
    catalog.BY_SHIPPED: "the catalog shipped with litlist (read-only; `litlist init` makes "
    "your own)",
}


@app.command()
def check(ctx: typer.Context) -> None:
    """Validate the catalog and say what it holds; list every problem and exit 1 if any.

    Examples:
      litlist check
      litlist --catalog mylist.toml check
    """
    where, why = catalog.choose(ctx.obj.get("catalog"))
    cat, problems = catalog.check(where)
    if problems or cat is None:
        for problem in problems:
            render.error(problem.render())
        sys.stderr.write(f"{len(problems)} problem(s) in {where} ({_REASONS[why]})\n")
        raise typer.Exit(ExitCode.USER_ERROR)
    kinds = cat.columns["kind"]
    papers = kinds.count("paper")
    years = sorted({y for y in cat.columns["year"] if y})
    used = sorted({v for v in cat.columns["venue"] if v})
    span = f"{years[0]}–{years[-1]}" if years else "none"
    venues = render.count(len(used), "venue") + (f" ({', '.join(used)})" if used else "")
    lines = [
        f"in use: {_REASONS[why]}",
        f"{render.count(papers, 'paper')}, {render.count(len(cat) - papers, 'summary post')}, "
        f"{render.count(len(cat.topics), 'topic')}, {venues}, years {span}",
    ]
    # The path is what a user copies, so "ok: PATH" is one line however long; the rest is
    # wrapped on spaces to the screen like every other output.
    limit = render.width(sys.stdout)
    wrapped = "".join(f"{part}\n" for line in lines for part in render.wrap(line, limit))
    emit(f"ok: {cat.path}\n{wrapped}")
