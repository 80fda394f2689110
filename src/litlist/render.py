"""Text for people (rich tables and cards, or plain text when piped) and for machines (JSON,
keys, Markdown). Every function returns a string or writes to a stream it is given; nothing
here decides what to show, only how.

rich is imported only when a table or card is drawn on a terminal: plain output, JSON and keys
never pay for it.
"""

from __future__ import annotations

import os
import shutil
import sys
import unicodedata
from collections.abc import Iterable, Sequence
from typing import TextIO

from litlist.model import CONTROL_CHARS, Catalog, Paper, field_names

ARXIV_ABS = "https://arxiv.org/abs/"
DOI_URL = "https://doi.org/"


# ---------------------------------------------------------------- choosing a style


def printable(text: str) -> str:
    """`text` without what would steer the terminal (ESC sequences, C1 controls, bidi
    overrides): titles, queries and file names come from people we need not trust."""
    return CONTROL_CHARS.sub("", text)


def fancy(stream: TextIO) -> bool:
    """Draw with rich: only on a terminal, and never when NO_COLOR is set."""
    if "NO_COLOR" in os.environ or os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def width() -> int:
    return max(40, shutil.get_terminal_size((100, 24)).columns)


# ---------------------------------------------------------------- machine formats


def to_json(
    papers: Iterable[Paper],
    scores: Sequence[float] | None = None,
    matched: Sequence[Sequence[tuple[str, str]]] | None = None,
) -> str:
    """A JSON array of entries (with `score` and `matched` — field: matching words or a
    summary snippet — for search results); `[]` when empty."""
    import json

    rows = []
    for n, paper in enumerate(papers):
        row = paper.to_dict()
        if scores is not None:
            row["score"] = scores[n]
        if matched is not None:
            row["matched"] = dict(matched[n])
        rows.append(row)
    return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"


def to_keys(keys: Iterable[str | None]) -> str:
    """One citation key a line (summary posts have none and are left out)."""
    return "".join(f"{k}\n" for k in keys if k)


def links(paper: Paper) -> list[tuple[str, str]]:
    out = []
    if paper.arxiv:
        out.append(("arXiv", ARXIV_ABS + paper.arxiv))
    if paper.doi:
        out.append(("DOI", DOI_URL + paper.doi))
    if paper.url and all(paper.url != url for _, url in out):
        out.append(("URL", paper.url))
    return out


def venue_label(paper: Paper) -> str:
    """`NeurIPS 2023`, or the list's label for a summary post."""
    if paper.kind == "summary":
        return "Summary"
    return f"{paper.venue} {paper.year}"


def to_markdown(catalog: Catalog, papers: Sequence[Paper]) -> str:
    """A reading list grouped under the list's headings, like the original post."""
    lines: list[str] = []
    shown: list[str] = []
    for paper in _in_topic_order(catalog, papers):
        for depth, topic in enumerate(catalog.topic_path(paper.topic)):
            if len(shown) > depth and shown[depth] == topic.slug:
                continue
            del shown[depth:]
            shown.append(topic.slug)
            # one blank line around a heading, also between a heading and its sub-heading
            lines += ([] if lines and lines[-1] == "" else [""]) + [
                f"{'#' * (depth + 2)} {topic.name}",
                "",
            ]
        link = paper.url or (ARXIV_ABS + paper.arxiv if paper.arxiv else None)
        title = f"[{paper.title}]({link})" if link else paper.title
        tag = "Summary" if paper.year is None else f"{paper.year % 100:02d}' {paper.venue}"
        lines.append(f"- [{tag}] {title}")
        lines += [f"  - {line}" for line in paper.summary]
    return ("\n".join(lines).strip() + "\n") if lines else ""


def _in_topic_order(catalog: Catalog, papers: Sequence[Paper]) -> list[Paper]:
    order = catalog.topic_order()
    return sorted(papers, key=lambda p: order.get(p.topic, len(order)))


# ---------------------------------------------------------------- plain text


def cells(text: str) -> int:
    """Terminal cells `text` takes: CJK wide characters count twice."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def wrap(text: str, limit: int) -> list[str]:
    """Wrap on spaces by terminal cells (Korean is two cells a character)."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if current and cells(candidate) > limit:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines or [""]


def _rows(papers: Sequence[Paper], scores: Sequence[float] | None) -> list:
    """(paper, score or None) pairs, each title fit to draw (see `printable`)."""
    papers = [_printable_title(p) for p in papers]
    if scores is None:
        return [(p, None) for p in papers]
    return list(zip(papers, scores, strict=True))


def _printable_title(paper: Paper) -> Paper:
    if not CONTROL_CHARS.search(paper.title):
        return paper  # nearly always: no copy
    values = {name: getattr(paper, name) for name in field_names(Paper)}
    return Paper(**{**values, "title": printable(paper.title)})


def matched_line(matched: Sequence[tuple[str, str]], limit: int) -> str:
    """What matched, as one line of at most `limit` cells: `title: Attention, Sinks · …`."""
    text = printable(" · ".join(f"{field}: {words}" for field, words in matched))
    if cells(text) <= limit:
        return text
    out = ""
    for char in text:
        if cells(out + char) > limit - 1:
            break
        out += char
    return out + "…"


def plain_table(
    catalog: Catalog,
    papers: Sequence[Paper],
    scores: Sequence[float] | None = None,
    matched: Sequence[Sequence[tuple[str, str]]] | None = None,
) -> str:
    """Rows of year, venue, key and title under the list's headings; one line a paper (and
    for search results a second, indented line saying what matched)."""
    out: list[str] = []
    last_topic = None
    rows = _rows(papers, scores)
    if scores is None:
        order = catalog.topic_order()
        rows.sort(key=lambda r: order.get(r[0].topic, 0))
    # columns as wide as their widest value, so nothing is cut ("Nat. Mach. Intell.")
    venue_width = max((len(p.venue or "Summary") for p, _ in rows), default=7)
    key_width = max((len(p.key or p.id) for p, _ in rows), default=8)
    for n, (paper, score) in enumerate(rows):
        if scores is None and paper.topic != last_topic:
            path = " > ".join(t.name for t in catalog.topic_path(paper.topic))
            out.append(("\n" if out else "") + path)
            last_topic = paper.topic
        year = str(paper.year) if paper.year else "    "
        venue = paper.venue or "Summary"
        key = paper.key or paper.id
        head = f"{score:5.1f}  " if score is not None else "  "
        out.append(f"{head}{year}  {venue:<{venue_width}}  {key:<{key_width}}  {paper.title}")
        if matched is not None and matched[n]:
            out.append("       ↳ " + matched_line(matched[n], width() - 9))
    return "\n".join(out) + "\n"


def plain_card(catalog: Catalog, paper: Paper) -> str:
    limit = min(width(), 100) - 4
    lines = [paper.title]
    if paper.authors:
        lines += wrap(", ".join(paper.authors), limit)
    where = [venue_label(paper), f"key: {paper.key}" if paper.key else f"id: {paper.id}"]
    lines.append(" | ".join(where))
    if paper.published:
        pub = paper.published
        lines.append(
            f"published: {pub.venue} {pub.year}" + (f" — {pub.title}" if pub.title else "")
        )
    lines.append("topic: " + " > ".join(t.name for t in catalog.topic_path(paper.topic)))
    if paper.aliases:
        lines.append("aliases: " + ", ".join(paper.aliases))
    if paper.covers:
        lines.append("covers: " + ", ".join(paper.covers))
    lines += [f"{label}: {url}" for label, url in links(paper)]
    for bullet in paper.summary:
        wrapped = wrap(bullet, limit - 2)
        lines.append("- " + wrapped[0])
        lines += ["  " + more for more in wrapped[1:]]
    if paper.summary_en:
        lines += wrap(paper.summary_en, limit)
    return printable("\n".join(lines)) + "\n"


# ---------------------------------------------------------------- rich


def _console(stream: TextIO):
    from rich.console import Console

    return Console(file=stream, highlight=False, soft_wrap=False)


def rich_table(
    stream: TextIO,
    catalog: Catalog,
    papers: Sequence[Paper],
    scores: Sequence[float] | None = None,
    title: str | None = None,
    *,
    matched: Sequence[Sequence[tuple[str, str]]] | None = None,
) -> None:
    from rich.table import Table
    from rich.text import Text

    table = Table(
        title=title, show_lines=False, expand=False, pad_edge=False, box=None, header_style="bold"
    )
    if scores is not None:
        table.add_column("score", justify="right", style="dim", no_wrap=True)
    # Keys are what people copy: never wrapped. On a narrow terminal the venue gives way.
    table.add_column("year", no_wrap=True)
    table.add_column("venue", style="cyan", overflow="ellipsis", max_width=20)
    table.add_column("key", style="green", no_wrap=True)
    table.add_column("title", overflow="fold", ratio=1)
    order = catalog.topic_order()
    rows = _rows(papers, scores)
    if scores is None:
        rows.sort(key=lambda r: order.get(r[0].topic, 0))
    last = None
    for n, (paper, score) in enumerate(rows):
        if scores is None and paper.topic != last:
            path = " › ".join(t.name for t in catalog.topic_path(paper.topic))
            table.add_row(*([""] * 3), Text(path, style="bold magenta"), end_section=False)
            last = paper.topic
        title_cell = Text(paper.title)
        if matched is not None and matched[n]:
            # what matched, dim under the title, one line within the terminal's width
            title_cell.append("\n" + matched_line(matched[n], max(20, width() // 2)), "dim")
        cells_ = [
            str(paper.year or ""),
            paper.venue or "Summary",
            paper.key or paper.id,
            title_cell,
        ]
        if score is not None:
            cells_.insert(0, f"{score:.0f}")
        table.add_row(*cells_)
    _console(stream).print(table)


def rich_cards(stream: TextIO, catalog: Catalog, papers: Sequence[Paper]) -> None:
    from rich.console import Group
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    console = _console(stream)
    for paper in papers:
        body = Text()
        if paper.authors:
            body.append(", ".join(paper.authors) + "\n", style="italic")
        body.append(venue_label(paper), style="cyan")
        body.append(
            "   " + (f"key {paper.key}" if paper.key else f"id {paper.id}") + "\n", style="green"
        )
        if paper.published:
            pub = paper.published
            body.append(
                f"published: {pub.venue} {pub.year}"
                + (f" — {pub.title}" if pub.title else "")
                + "\n",
                style="cyan",
            )
        body.append(
            " › ".join(t.name for t in catalog.topic_path(paper.topic)) + "\n", style="magenta"
        )
        if paper.aliases:
            body.append("aliases: " + ", ".join(paper.aliases) + "\n", style="dim")
        if paper.covers:
            body.append("covers: " + ", ".join(paper.covers) + "\n", style="dim")
        for label, url in links(paper):
            body.append(f"{label}: ", style="dim")
            body.append(url + "\n", style=f"link {url}")
        parts: list[Text | Table] = [body]
        if paper.summary:
            bullets = Table.grid(padding=(0, 1))  # a hanging indent for wrapped bullets
            bullets.add_column(no_wrap=True)
            bullets.add_column()
            for line in paper.summary:
                bullets.add_row("•", Text(line))
            parts.append(bullets)
        if paper.summary_en:
            parts.append(Text(paper.summary_en, style="dim"))
        console.print(
            Panel(
                Group(*parts),
                title=Text(printable(paper.title), style="bold"),
                title_align="left",
                width=min(console.width, 110),
            )
        )


def tree_text(catalog: Catalog, counts: dict[str, int]) -> list[tuple[int, str, str, int]]:
    """(depth, slug, name, papers including sub-topics) in the list's order."""
    rows = []
    for topic in catalog.topics:
        total = sum(n for slug, n in counts.items() if topic.contains(slug))
        rows.append((topic.depth, topic.slug, topic.name, total))
    return rows


def topics(stream: TextIO, catalog: Catalog, counts: dict[str, int]) -> None:
    rows = tree_text(catalog, counts)
    if fancy(stream):
        from rich.tree import Tree

        root = Tree(f"[bold]{len(catalog)} entries[/bold]")
        nodes: dict[str, Tree] = {}
        for depth, slug, name, total in rows:
            parent = nodes.get(slug.rsplit("/", 1)[0]) if depth else root
            nodes[slug] = (parent or root).add(f"{name} [dim]{slug}[/dim] [cyan]{total}[/cyan]")
        _console(stream).print(root)
        return
    for depth, slug, name, total in rows:
        stream.write(f"{'  ' * depth}{name}  [{slug}]  {total}\n")


def venues(stream: TextIO, rows: list[tuple[str, str, str, int, list[int]]]) -> None:
    """rows: (id, name, kind, count, years)."""
    if fancy(stream):
        from rich.table import Table

        table = Table(box=None, header_style="bold", pad_edge=False)
        for name in ("venue", "full name", "kind", "papers", "years"):
            table.add_column(name, justify="right" if name == "papers" else "left")
        for vid, name, kind, count, years in rows:
            table.add_row(vid, name, kind, str(count), ", ".join(map(str, years)))
        _console(stream).print(table)
        return
    for vid, name, kind, count, years in rows:
        stream.write(
            f"{vid:<20} {count:>3}  {', '.join(map(str, years)):<20}  {kind:<10}  {name}\n"
        )


def error(message: str) -> None:
    """The one line a user mistake gets, on stderr."""
    sys.stderr.write(f"error: {printable(message)}\n")


def warning(message: str) -> None:
    sys.stderr.write(f"warning: {printable(message)}\n")


class _Bar:
    """A rich progress bar on stderr; `advance(n)` as work is done, `close()` at the end."""

    def __init__(self, stream: TextIO, label: str, total: int | None) -> None:
        from rich.progress import Progress

        self._bar = Progress(console=_console(stream), transient=True)
        self._task = self._bar.add_task(label, total=total)
        self._bar.start()

    def advance(self, n: int) -> None:
        self._bar.update(self._task, advance=n)

    def close(self) -> None:
        self._bar.stop()


def progress_factory(stream: TextIO):
    """Progress bars for long work, drawn only on a terminal; None (no bars) when piped."""
    if not fancy(stream):
        return None
    return lambda label, total: _Bar(stream, label, total)
