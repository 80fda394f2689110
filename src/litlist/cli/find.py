"""`litlist show` and `litlist search`: pick papers, then list them or show them in full."""

from enum import StrEnum
from typing import Annotated

import typer

from litlist import query
from litlist.cli._app import (
    Format,
    FormatOpt,
    FullOpt,
    NamesArg,
    TopicOpt,
    VenueOpt,
    YearOpt,
    app,
    load_catalog,
    output,
    reporting,
)
from litlist.model import Catalog


class Sort(StrEnum):
    YEAR = "year"
    VENUE = "venue"
    TITLE = "title"
    ADDED = "added"


class Status(StrEnum):
    TO_READ = "to-read"
    READING = "reading"
    READ = "read"


def _sorted(cat: Catalog, positions: list[int], by: Sort) -> list[int]:
    """Positions by year (oldest first), venue (then year), title (case-insensitive) or
    the day added (oldest first); ties keep the list's order. Entries without the value
    (summary posts have no year or venue; the shipped papers no date added) come last."""
    cols = cat.columns
    years, venues, titles = cols["year"], cols["venue"], cols["title"]
    if by is Sort.ADDED:
        added = cols["added"]
        return sorted(positions, key=lambda i: (added[i] is None, added[i] or ""))

    def key(i: int) -> tuple:
        if by is Sort.YEAR:
            return (years[i] is None, years[i] or 0)
        if by is Sort.VENUE:
            return (venues[i] is None, (venues[i] or "").casefold(), years[i] or 0)
        return (False, titles[i].casefold())

    return sorted(positions, key=key)


def _at_least_one(value: int) -> int:
    # a callback, not min=1: Typer's help would show the range as `<int range> [x>=1]`
    if value < 1:
        raise typer.BadParameter(f"{value} is not a number of papers; use 1 or more")
    return value


@app.command()
def show(
    ctx: typer.Context,
    names: NamesArg = None,
    topic: TopicOpt = None,
    venue: VenueOpt = None,
    year: YearOpt = None,
    fmt: FormatOpt = Format.table,
    full: FullOpt = False,
    sort: Annotated[
        Sort | None,
        typer.Option(
            "--sort",
            metavar="ORDER",
            help="year (oldest first), venue, title or added (oldest first), instead of the "
            "list's order and headings.",
        ),
    ] = None,
    status: Annotated[
        Status | None,
        typer.Option("--status", help="Only papers you marked so: to-read, reading or read."),
    ] = None,
) -> None:
    """List papers, or show some in full.

    Examples:
      litlist show --topic peft
      litlist show dpo lora
      litlist show --venue nips --year 2022-2023
      litlist show --topic interpretability --sort year
      litlist show --status to-read --sort added
    """
    with reporting():
        cat = load_catalog(ctx)
        positions = query.select(cat, topic=topic, venue=venue, year=year)
        if status:
            marked = cat.columns["status"]
            positions = [i for i in positions if marked[i] == status.value]
        if names:
            wanted = set(positions)
            positions = [i for i in query.lookup(cat, names) if i in wanted]
        if sort:
            positions = _sorted(cat, positions, sort)
        cards = full or bool(names) or len(positions) <= 2
        empty = "no papers match"
        if given := _filters(topic=topic, venue=venue, year=year):
            empty = f"no papers match {given}{_next_step(cat, year)}"
        output(
            cat,
            positions,
            fmt,
            cards=cards,
            grouped=sort is None,
            whole=full,
            empty=empty,
            added=sort is Sort.ADDED,
        )


def _filters(**values: str | None) -> str:
    """The filters given, as typed: `--topic peft --year 2030`."""
    return " ".join(f"--{name} {value}" for name, value in values.items() if value)


def _next_step(cat: Catalog, year: str | None) -> str:
    """What to try after filters matched nothing: for --year, the years the list has; else
    the commands that list the topics and venues there are."""
    years = sorted({y for y in cat.columns["year"] if y})
    if year and years:
        return f"; the list's papers are from {years[0]}–{years[-1]}"
    return "; `litlist topics` and `litlist venues` list what there is"


def _echo(text: str, limit: int = 80) -> str:
    """The query as a message repeats it: cut, so a pasted page stays one short line."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


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
    limit: Annotated[
        int,
        typer.Option(
            "--limit", "-n", metavar="N", callback=_at_least_one, help="At most this many."
        ),
    ] = 10,
    topic: TopicOpt = None,
    venue: VenueOpt = None,
    year: YearOpt = None,
    fmt: FormatOpt = Format.table,
    full: FullOpt = False,
) -> None:
    """Find papers by acronym, title words (typos forgiven), author or Korean phrase.

    Examples:
      litlist search dpo
      litlist search lroa
      litlist search percy liang
      litlist search 집단지성
    """
    with reporting():
        cat = load_catalog(ctx)
        within = (
            query.select(cat, topic=topic, venue=venue, year=year)
            if (topic or venue or year)
            else None
        )
        hits = query.search(cat, " ".join(words), within=within, limit=limit)
        output(
            cat,
            [h.position for h in hits],
            fmt,
            cards=full,
            whole=full,
            scores=[h.score for h in hits],
            matched=[h.matched for h in hits],
            empty=f"no papers match '{_echo(' '.join(words))}'"
            + (
                f" with {given} (without it: `litlist search {_echo(' '.join(words))}`)"
                if (given := _filters(topic=topic, venue=venue, year=year))
                else ""
            ),
        )
