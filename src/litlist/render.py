"""Text for people (rich tables and cards, or plain text when piped) and for machines (JSON,
keys, Markdown). Every function returns a string or writes to a stream it is given; nothing
here decides what to show, only how.

rich is imported only when a table or card is drawn on a terminal: plain output, JSON and keys
never pay for it.
"""

from __future__ import annotations

import gc
import os
import re
import sys
import unicodedata
from collections.abc import Iterable, Sequence
from typing import NamedTuple, TextIO

from litlist.model import CONTROL_CHARS, DOCUMENT_KINDS, Catalog, Paper, Venue, organisation

ARXIV_ABS = "https://arxiv.org/abs/"
DOI_URL = "https://doi.org/"


# ---------------------------------------------------------------- choosing a style


def printable(text: str) -> str:
    """`text` without what would steer the terminal (ESC sequences, C1 controls, bidi
    overrides): titles, queries and file names come from people we need not trust."""
    return CONTROL_CHARS.sub("", text)


COLOR_CHOICES = ("auto", "always", "never")
_color = "auto"  # --color, set once per run by the command line


def set_color(choice: str) -> None:
    """What `--color` chose: auto (the environment and the terminal decide), always, never."""
    global _color
    _color = choice if choice in COLOR_CHOICES else "auto"


def _env_says(name: str) -> bool:
    """Whether a switch like FORCE_COLOR is on: set, and not to 0 (the clicolor convention)."""
    value = os.environ.get(name)
    return value is not None and value.strip() != "0"


def _isatty(stream: TextIO | None) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (OSError, ValueError):  # a closed stream
        return False


def forced() -> bool:
    """Colour asked for whatever stdout is: `--color always`, or FORCE_COLOR or
    CLICOLOR_FORCE with `--color auto` (`litlist show --color always | less -R`)."""
    if _color != "auto":
        return _color == "always"
    return _env_says("FORCE_COLOR") or _env_says("CLICOLOR_FORCE")


def fancy(stream: TextIO) -> bool:
    """Colour (drawn with rich): `--color always`; never with `--color never` or NO_COLOR;
    else where colour is forced or on a terminal that is not `dumb`. Only the colour
    depends on this: the layout is the same either way."""
    if _color != "auto":
        return _color == "always"
    if "NO_COLOR" in os.environ:
        return False
    if forced():
        return True
    return os.environ.get("TERM") != "dumb" and _isatty(stream)


def for_people(stream: TextIO) -> bool:
    """Whether tables are laid out for a person (header, columns, wrapped titles) rather than
    as records, one a line and tab-separated, for grep, sort, cut and fzf (gh's convention):
    on a terminal, or where colour is forced into a pager. NO_COLOR changes only colour."""
    return _isatty(stream) or forced()


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


def venue_label(paper: Paper, venue: Venue | None = None) -> str:
    """`NeurIPS 2023`; for a book, thesis, report or web page what it is and who put it out
    (`PhD thesis, Stanford University 2016`: a venue id alone would not say it); or what a
    summary post is."""
    if paper.kind == "summary":
        return "summary post"
    if venue is not None and venue.kind in DOCUMENT_KINDS:
        what = DOCUMENT_KINDS[venue.kind]
        return f"{what[:1].upper()}{what[1:]}, {venue.name} {paper.year}"
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
        title = f"[{paper.title}]({link})" if link else f"{paper.title} (no link in the list)"
        tag = "Summary" if paper.year is None else f"{paper.year % 100:02d}' {paper.venue}"
        lines.append(f"- [{tag}] {title}")
        lines += [f"  - {line}" for line in paper.summary]
    return ("\n".join(lines).strip() + "\n") if lines else ""


def _in_topic_order(catalog: Catalog, papers: Sequence[Paper]) -> list[Paper]:
    order = catalog.topic_order()
    return sorted(papers, key=lambda p: order.get(p.topic, len(order)))


# ---------------------------------------------------------------- layout
#
# Every screen for people is laid out here once, as lines of (text, style) segments fitted
# to a width; `write` then prints them plain (piped, NO_COLOR) or styled with rich (a colour
# terminal). So colour never changes the layout, and piped text is the same screen without
# its colours, at $COLUMNS or 80 columns.

Line = list[tuple[str, str]]  # (text, rich style) segments; the style is "" for none

PIPE_WIDTH = 80  # piped output without $COLUMNS: the width `less` and most editors show
MIN_WIDTH = 40  # narrower than this, lines may overflow rather than become unreadable
GAP = "  "  # between table columns
HANG = "  "  # before the second line of a heading that wraps


def cells(text: str) -> int:
    """Terminal cells `text` takes: CJK wide characters count twice, combining marks not."""
    if text.isascii():  # nearly every title, key and name: no per-character look-up
        return len(text)
    return sum(
        0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1
        for c in text
    )


def count(n: int, noun: str) -> str:
    """`n` and its noun, singular for one: "1 paper", "2 papers", "0 papers"."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def wrap(text: str, limit: int) -> list[str]:
    """Wrap on spaces by terminal cells (Korean is two cells a character). A word longer
    than `limit` stays whole on its own line: see `fold` to break it."""
    lines: list[str] = []
    current, used = "", 0  # the line so far and its cells, kept as it grows
    measure = len if text.isascii() else cells
    for word in text.split():
        size = measure(word)
        if current and used + 1 + size > limit:
            lines.append(current)
            current, used = word, size
        elif current:
            current, used = f"{current} {word}", used + 1 + size
        else:
            current, used = word, size
    if current:
        lines.append(current)
    return lines or [""]


def fold(text: str, limit: int) -> list[str]:
    """`wrap`, then break a word that alone is wider than `limit` (no space to break at)."""
    out: list[str] = []
    for line in wrap(text, limit):
        while cells(line) > limit:
            cut, used = 0, 0
            while cut < len(line) and used + cells(line[cut]) <= limit:
                used += cells(line[cut])
                cut += 1
            cut = max(cut, 1)
            out.append(line[:cut])
            line = line[cut:]
        out.append(line)
    return out


def clip(text: str, limit: int, lines: int) -> list[str]:
    """At most `lines` wrapped lines, the last ending in `…` after a whole word if cut; a
    cut never ends on a label without its text (`· summary:…`) or on a separator."""
    wrapped = fold(text, limit)
    if len(wrapped) <= lines:
        return wrapped
    kept = wrapped[:lines]
    while kept:
        last = kept[-1]
        while last and cells(last) + 1 > limit:  # room for the `…`
            last = last.rsplit(" ", 1)[0] if " " in last else last[:-1]
        words = last.split(" ")
        while words and (words[-1].endswith(":") or words[-1] in ("·", "↳", "")):
            words.pop()
        if words:
            end = " ".join(words)
            return kept[:-1] + [end if end.endswith("…") else end + "…"]
        kept.pop()  # nothing but a label: the line before ends the cut
    return [wrapped[0][: max(limit - 1, 0)] + "…"]


def cut(text: str, limit: int) -> str:
    """`text` if it fits in `limit` cells, else as much as fits before a `…`."""
    if cells(text) <= limit:
        return text
    out, used = "", 1
    for char in text:
        used += cells(char)
        if used > limit:
            break
        out += char
    return out + "…"


def pad(text: str, size: int, right: bool = False) -> str:
    if text.isascii():  # str's own padding, a cell a character
        return text.rjust(size) if right else text.ljust(size)
    space = " " * max(0, size - cells(text))
    return space + text if right else text + space


def width(stream: TextIO | None = None) -> int:
    """Columns to fit: $COLUMNS when set, else the width of the terminal `stream` (stdout)
    is, else of the terminal the user sits at (stderr's, or the controlling /dev/tty: in
    `litlist show --color always | less -R` stdout is a pipe but the window has a width),
    else 80."""
    env = os.environ.get("COLUMNS", "")
    if env.isdigit() and int(env) > 0:
        return max(MIN_WIDTH, int(env))
    for candidate in (stream if stream is not None else sys.stdout, sys.stderr):
        if _isatty(candidate):
            try:
                return max(MIN_WIDTH, os.get_terminal_size(candidate.fileno()).columns)
            except (AttributeError, OSError, ValueError):
                pass
    found = _controlling_width()
    return max(MIN_WIDTH, found) if found else PIPE_WIDTH


def _controlling_width() -> int | None:
    """The width of the process's controlling terminal, if it has one."""
    try:
        fd = os.open("/dev/tty", os.O_RDONLY | getattr(os, "O_NOCTTY", 0))
    except OSError:  # no controlling terminal (cron, CI, a daemon), or no /dev/tty at all
        return None
    try:
        return os.get_terminal_size(fd).columns or None
    except OSError:
        return None
    finally:
        os.close(fd)


def plain(lines: Sequence[Line]) -> str:
    """The text of laid-out lines, without styles or trailing spaces, and drawn without
    terminal controls (see `printable`): every screen leaves through here or `write`."""
    return printable("".join("".join(text for text, _ in line).rstrip() + "\n" for line in lines))


def write(stream: TextIO, lines: Sequence[Line]) -> None:
    """Print laid-out lines: styled with rich on a colour terminal, else plain text."""
    if not fancy(stream):
        stream.write(plain(lines))
        return
    from rich.text import Text

    text = Text("\n").join(
        Text.assemble(*((printable(t), style) for t, style in line)) for line in lines
    )
    # the layout already fits the width; rich must neither wrap nor crop it
    _console(stream, colour=True).print(text, soft_wrap=True)


class Column(NamedTuple):
    """A column of a grid: fixed columns are as wide as their widest value and never wrap;
    the one `flex` column takes the rest and wraps on spaces. On a narrow screen, columns
    with `drop` give way (1 first) before the flex column would break a word."""

    header: str
    style: str = ""
    right: bool = False
    flex: bool = False
    drop: int = 0


class Heading(NamedTuple):
    """A row of a grid drawn across every column (a topic path above its papers)."""

    text: str
    style: str = "bold magenta"


# A cell of the flex column: the main text, then extra (text, style, most lines) parts
FlexCell = tuple[str, list[tuple[str, str, int]]]


def grid(
    columns: list[Column], rows: Sequence[Heading | list], limit: int, *, header: bool = True
) -> list[Line]:
    """Rows (lists of cells; the flex column's cell is a str or a FlexCell) laid out in
    `limit` cells, with a header row."""
    # A large table is hundreds of thousands of small lists and tuples, none in a cycle: the
    # cyclic collector would rescan them again and again (a quarter of the time at 11k rows)
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _grid(columns, rows, limit, header)
    finally:
        if enabled:
            gc.enable()


def _grid(columns: list[Column], rows: Sequence[Heading | list], limit: int, header: bool):
    body = [r for r in rows if not isinstance(r, Heading)]
    flex = next((n for n, c in enumerate(columns) if c.flex), None)
    sizes = [
        0 if n == flex else max([cells(c.header) if header else 0] + [cells(r[n]) for r in body])
        for n, c in enumerate(columns)
    ]
    mains = [r[flex] if isinstance(r[flex], str) else r[flex][0] for r in body] if flex else []
    # the flex column needs its longest word, and a little more to be readable
    need = min(24, max((cells(m) for m in mains), default=0))
    for main in mains:
        if cells(main) > need:  # only a text wider than `need` can hold a wider word
            measure = len if main.isascii() else cells
            need = max(need, *map(measure, main.split()))
    shown = list(range(len(columns)))
    while flex is not None:
        fixed = sum(sizes[n] for n in shown if n != flex) + len(GAP) * (len(shown) - 1)
        droppable = [n for n in shown if columns[n].drop]
        if limit - fixed >= need or not droppable:
            sizes[flex] = max(limit - fixed, 8)
            break
        shown.remove(min(droppable, key=lambda n: columns[n].drop))
    out: list[Line] = []
    if header:
        out.append(_grid_line(columns, shown, sizes, [c.header for c in columns], "bold"))
    if flex is not None:
        indent = " " * sum(sizes[n] + len(GAP) for n in shown if n < flex)
        # wide enough for every word (the usual case): no word needs breaking
        breaker = wrap if sizes[flex] >= need else fold
    for row in rows:
        if isinstance(row, Heading):
            if len(out) > int(header):
                out.append([])
            # a heading that wraps goes on indented, not as a second heading
            texts = wrap(row.text, limit - len(HANG))
            out += [[((HANG if n else "") + t, row.style)] for n, t in enumerate(texts)]
            continue
        if flex is None:
            out.append(_grid_line(columns, shown, sizes, row))
            continue
        cell = row[flex]
        main, parts = (cell, []) if isinstance(cell, str) else cell
        texts = breaker(main, sizes[flex])
        out.append(_grid_line(columns, shown, sizes, [*row[:flex], texts[0], *row[flex + 1 :]]))
        out += [[(indent, ""), (t, columns[flex].style)] for t in texts[1:]]
        for text, style, most in parts:
            out += [[(indent, ""), (t, style)] for t in clip(text, sizes[flex], most)]
    return out


def _grid_line(columns, shown, sizes, values, style: str | None = None) -> Line:
    line: Line = []
    last = shown[-1]
    for n in shown:
        col = columns[n]
        if line:
            line.append((GAP, ""))
        text = values[n]
        if n != last or col.right:  # the last column is not padded: no trailing spaces
            text = pad(text, sizes[n], col.right)
        line.append((text, style or col.style))
    return line


# ---------------------------------------------------------------- papers


def _rows(papers: Sequence[Paper], scores: Sequence[float] | None) -> list:
    """(paper, score or None) pairs."""
    if scores is None:
        return [(p, None) for p in papers]
    return list(zip(papers, scores, strict=True))


def matched_text(matched: Sequence[tuple[str, str]]) -> str:
    """What matched, as one line: `title: Attention, Sinks · summary: …`."""
    return " · ".join(f"{field}: {words}" for field, words in matched)


SUMMARY_VENUE = "summary post"  # the venue cell of the list author's own summary posts

# A table's key and venue cells are at most this wide, so that one long name (an imported
# `dblp-conf-nips-vaswanispujgkp17`, a journal's abbreviation) does not push the venue or
# the year out of every row. The key column holds every key of the shipped list whole;
# cards, JSON, keys and piped records always give names whole.
KEY_MAX = 26
VENUE_MAX = 14


def venue_cell(catalog: Catalog, venue_id: str | None) -> str:
    """A venue as a table names it: its id if that fits in VENUE_MAX cells, else the longest
    of its aliases that does (`Nat. Mach. Intell.` is `Nature MI`), else the id cut."""
    if venue_id is None:
        return SUMMARY_VENUE
    if cells(venue_id) <= VENUE_MAX:
        return venue_id
    try:
        aliases = catalog.venue(venue_id).aliases
    except KeyError:  # a paper shown from a draft's venues, not the catalog's
        aliases = ()
    fitting = [a for a in aliases if cells(a) <= VENUE_MAX]
    return max(fitting, key=cells) if fitting else cut(venue_id, VENUE_MAX)


def table(
    catalog: Catalog,
    papers: Sequence[Paper],
    limit: int,
    scores: Sequence[float] | None = None,
    matched: Sequence[Sequence[tuple[str, str]]] | None = None,
    *,
    grouped: bool | None = None,
    added: bool = False,
) -> list[Line]:
    """Year, venue, key and title (and score for search results; the date added first,
    with `added`: what `show --sort added` sorts by), under the list's headings when
    `grouped` (default: when not search results); a dim line under a search result's title
    says what matched. On a narrow screen the venue, then the year give way."""
    rows = _rows(papers, scores)
    grouped = scores is None if grouped is None else grouped
    if grouped:
        order = catalog.topic_order()
        rows.sort(key=lambda r: order.get(r[0].topic, 0))
    columns = [
        Column("year", drop=2),
        Column("venue", "cyan", drop=1),
        Column("key", "green"),
        Column("title", flex=True),
    ]
    if scores is not None:
        columns.insert(0, Column("score", "dim", right=True, drop=3))
    if added:  # the order the rows are in: the last column to give way
        columns.insert(0, Column("added", "dim", drop=4))
    out: list[Heading | list] = []
    last = None
    for n, (paper, score) in enumerate(rows):
        if grouped and paper.topic != last:
            out.append(Heading(" › ".join(t.name for t in catalog.topic_path(paper.topic))))
            last = paper.topic
        parts = []
        if matched is not None and matched[n]:
            parts.append(("↳ " + matched_text(matched[n]), "dim", 2))
        row: list = [
            str(paper.year or ""),
            venue_cell(catalog, paper.venue),
            cut(paper.key or paper.id, KEY_MAX),
            (paper.title, parts),
        ]
        if scores is not None:
            row.insert(0, f"{score:.0f}")
        if added:
            row.insert(0, paper.added or "")
        out.append(row)
    return grid(columns, out, limit)


def records(rows: Iterable[Sequence[str]]) -> str:
    """Rows as text for programs: one a line, fields tab-separated, no header and no
    wrapping; a tab or line break inside a field (a hostile title) becomes a space."""
    return "".join(
        "\t".join(" ".join(printable(field).split()) for field in row) + "\n" for row in rows
    )


def paper_records(
    papers: Sequence[Paper], scores: Sequence[float] | None = None, *, added: bool = False
) -> str:
    """A table piped: key (or a summary post's id), year, venue, title and topic slug, and
    the rounded score for search results, or with `added` the date added (empty when the
    paper has none); each whole (`cut -f1` gives the keys)."""
    return records(
        [
            paper.key or paper.id,
            str(paper.year or ""),
            paper.venue or SUMMARY_VENUE,
            paper.title,
            paper.topic,
            *([f"{score:.0f}"] if score is not None else []),
            *([paper.added or ""] if added else []),
        ]
        for paper, score in _rows(papers, scores)
    )


CARD_MAX = 100  # wider cards are hard to read; a wide terminal gets a 100-column card


def display_name(name: str) -> str:
    """A catalog name as people read it in a list of authors: "van der Berg, Jan" is
    "Jan van der Berg" and "King, Jr., Martin Luther" is "Martin Luther King Jr." (the comma
    forms keep BibTeX's parts apart; in a comma-separated list they would read as two people).
    An organisation, braced whole in the catalog, is its name without the braces."""
    if (whole := organisation(name)) is not None:
        return whole
    parts = [p.strip() for p in name.split(",")]
    if len(parts) == 2 and all(parts):
        return f"{parts[1]} {parts[0]}"
    if len(parts) == 3 and all(parts):
        return f"{parts[2]} {parts[0]} {parts[1]}"
    return name


# Lines of an abstract a card shows unless asked for all of it (`--full`): a reminder of
# what the paper says, below the list's own summaries, not the paper again.
ABSTRACT_LINES = 4
ABSTRACT_HINT = "(abstract cut; --full shows it whole)"


def card(catalog: Catalog, paper: Paper, limit: int, *, whole: bool = False) -> list[Line]:
    """A paper in a box: the whole title wrapped inside it, authors, venue and key, topic,
    the list's own summaries, then the abstract (its first ABSTRACT_LINES lines and a hint,
    or all of it when `whole`); then its links below the box, each URL whole on a line of its
    own so it can be copied (and clicked, on a terminal) without border characters."""
    size = min(limit, CARD_MAX)
    inner = size - 4
    body: list[tuple[str, str]] = [(t, "bold") for t in fold(paper.title, inner)]

    def add(text: str, style: str = "", hang: str = "") -> None:
        """`text` wrapped inside the box; with `hang`, it starts the first line and the
        following lines are indented as far (a bullet)."""
        wrapped = fold(text, inner - cells(hang))
        indent = " " * cells(hang)
        body.extend(((indent if n else hang) + t, style) for n, t in enumerate(wrapped))

    if paper.authors:
        add(", ".join(map(display_name, paper.authors)) + (" et al." * paper.others), "italic")
    elif paper.editors:  # an edited volume: its editors, said to be editors
        said = " (eds.)" if len(paper.editors) > 1 else " (ed.)"
        add(", ".join(map(display_name, paper.editors)) + said, "italic")
    ident = f"key: {paper.key}" if paper.key else f"id: {paper.id}"
    venue = catalog.venue(paper.venue) if paper.venue else None
    add(f"{venue_label(paper, venue)} · {ident}", "cyan")
    if paper.published:
        pub = paper.published
        add(f"published: {pub.venue} {pub.year}" + (f" — {pub.title}" if pub.title else ""), "cyan")
    add(" › ".join(t.name for t in catalog.topic_path(paper.topic)), "magenta")
    reading = [paper.status or "", f"added {paper.added}" if paper.added else ""]
    if any(reading):
        add(" · ".join(filter(None, reading)), "green")
    if paper.aliases:
        add("aliases: " + ", ".join(paper.aliases), "dim")
    if paper.covers:
        add("covers: " + ", ".join(paper.covers), "dim")
    for bullet in paper.summary:
        add(bullet, hang="• ")
    if paper.summary_en:
        add(paper.summary_en, "dim")
    if paper.abstract:
        _abstract(body, paper.abstract, inner, whole)
    elif not paper.summary and not paper.summary_en and paper.kind != "summary":
        add("no summary or abstract", "dim")
    found = links(paper)
    if not found and paper.kind == "summary":
        add("no link: the list gives none for this summary post", "dim")
    out: list[Line] = [[("╭" + "─" * (size - 2) + "╮", "dim")]]
    out += [[("│ ", "dim"), (pad(t, inner), s), (" │", "dim")] for t, s in body]
    out.append([("╰" + "─" * (size - 2) + "╯", "dim")])
    labels = max((len(label) for label, _ in found), default=0)
    for label, url in found:
        if labels + 2 + cells(url) <= limit:
            out.append([(f"{label:<{labels}}  ", "dim"), (url, f"link {url}")])
        else:
            out += [[(label, "dim")], [(url, f"link {url}")]]
    return out


def _abstract(body: list[tuple[str, str]], text: str, inner: int, whole: bool) -> None:
    """The abstract's lines under a heading, paragraphs apart, folded to ABSTRACT_LINES
    with a hint unless `whole`."""
    lines: list[str] = []
    for n, paragraph in enumerate(text.split("\n\n")):
        lines += ([""] if n else []) + fold(paragraph, inner)
    body.append(("abstract", "bold"))
    if whole or len(lines) <= ABSTRACT_LINES:
        body.extend((line, "") for line in lines)
        return
    shown = lines[:ABSTRACT_LINES]
    while shown and not shown[-1]:
        shown.pop()  # the cut falls on a paragraph break
    if lines[len(shown)]:  # cut inside a paragraph: say so where it stops
        last = shown[-1]
        while last and cells(last) + 1 > inner:
            last = last.rsplit(" ", 1)[0] if " " in last else last[:-1]
        shown[-1] = last + "…"
    body.extend((line, "") for line in shown)
    body.append((ABSTRACT_HINT, "dim"))


def cards(
    catalog: Catalog, papers: Sequence[Paper], limit: int, *, whole: bool = False
) -> list[Line]:
    """Cards one after another, a blank line between them (abstracts whole if `whole`)."""
    out: list[Line] = []
    for paper in papers:
        if out:
            out.append([])
        out += card(catalog, paper, limit, whole=whole)
    return out


# ---------------------------------------------------------------- topics and venues


def tree_text(catalog: Catalog, counts: dict[str, int]) -> list[tuple[int, str, str, int]]:
    """(depth, slug, name, papers including sub-topics) in the list's order."""
    rows = []
    for topic in catalog.topics:
        total = sum(n for slug, n in counts.items() if topic.contains(slug))
        rows.append((topic.depth, topic.slug, topic.name, total))
    return rows


def topics(catalog: Catalog, counts: dict[str, int], summaries: int, limit: int) -> list[Line]:
    """The heading tree: name, papers under it (sub-topics included) and the slug to type.
    A slug is never broken: when a row does not fit, its slug goes on a line of its own."""
    rows = tree_text(catalog, counts)
    papers = sum(counts.values())
    intro = f"{count(papers, 'paper')} under {count(len(catalog.topics), 'topic')}"
    if summaries:
        intro += (
            f", and {count(summaries, 'summary post')} (overviews of papers below; not "
            "counted in the numbers)"
        )
    out: list[Line] = [[(t, "bold")] for t in wrap(intro + ".", limit)]
    indents = ["  " * depth for depth, _, _, _ in rows]
    name_size = max((cells(i + r[2]) for i, r in zip(indents, rows, strict=True)), default=0)
    count_size = max((len(str(r[3])) for r in rows), default=0)
    slug_size = max((cells(r[1]) for r in rows), default=0)
    one_line = name_size + count_size + slug_size + 2 * len(GAP) <= limit
    if not one_line:
        name_size = min(name_size, limit - count_size - len(GAP))
    out.append([])
    for (depth, slug, name, total), indent in zip(rows, indents, strict=True):
        shown = [indent + t for t in fold(name, name_size - len(indent))]
        head: Line = [
            (pad(shown[0], name_size), "bold" if depth == 0 else ""),
            (GAP + pad(str(total), count_size, right=True), "cyan"),
        ]
        out.append(head + ([(GAP + slug, "green")] if one_line else []))
        out += [[(indent + "  " + t.strip(), "")] for t in shown[1:]]
        if not one_line:  # the slug on a line of its own, under its heading
            out.append([(indent + "  ", ""), (slug, "green")])
    return out


def years_text(years: list[int]) -> str:
    """`2019, 2021–2024`: runs of consecutive years as ranges."""
    runs: list[list[int]] = []
    for year in sorted(set(years)):
        if runs and year == runs[-1][-1] + 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    return ", ".join(str(r[0]) if len(r) == 1 else f"{r[0]}–{r[-1]}" for r in runs)


def venues(rows: list[tuple[str, str, str, int, list[int]]], limit: int) -> list[Line]:
    """rows: (id, name, kind, count, years): the same columns, in the same order, piped or
    not; on a narrow screen the kind, then the years give way, and the full name wraps."""
    columns = [
        Column("venue", "cyan"),
        Column("papers", right=True),
        Column("years", drop=2),
        Column("kind", "dim", drop=1),
        Column("full name", flex=True),
    ]
    return grid(columns, [venue_cells(row) for row in rows], limit)


def venue_cells(row: tuple[str, str, str, int, list[int]]) -> list[str]:
    """A row of `venues`, as its cells: id, papers, years, kind, full name."""
    vid, name, kind, n, years = row
    # "PhD thesis", not the catalog's "phdthesis"
    return [vid, str(n), years_text(years), DOCUMENT_KINDS.get(kind, kind), name]


# ---------------------------------------------------------------- reports


class Entry(NamedTuple):
    """One line of a report on many entries (`import`): `label: text`, then `tail` (a
    title) cut to keep the line to the screen, then the entry's notes under it."""

    label: str
    text: str
    tail: str = ""
    notes: tuple[str, ...] = ()


_REPORT_STYLES = {"added": "green", "would add": "green", "failed": "red"}


def report(entries: Sequence[Entry], summary: str, limit: int) -> list[Line]:
    """A report fitted to `limit` cells with no word broken: each entry on its line (its
    title cut after a whole word with `…`; a long reason goes on, indented), each note
    indented under its entry, and the summary line last."""
    out: list[Line] = []
    # titles line up after the widest `added: key` (within half the screen)
    heads = [cells(f"{e.label}: {e.text}") for e in entries if e.tail]
    align = min(max(heads, default=0), limit // 2)
    for entry in entries:
        head = f"{entry.label}: {entry.text}"
        if entry.tail:
            head = pad(head, align)
        style = _REPORT_STYLES.get(entry.label, "")
        room = limit - cells(head) - len(GAP)
        if entry.tail and room >= 12:  # too little room for a title: the key says which
            out.append([(head, style), (GAP + clip(entry.tail, room, 1)[0], "")])
        else:
            out += _hanging(head, limit, "", style)
        for note in entry.notes:
            out += _hanging(f"note: {note}", limit, "  ", "cyan")
    out += _hanging(summary, limit, "", "bold")
    return out


def _hanging(text: str, limit: int, indent: str, style: str) -> list[Line]:
    """`text` wrapped after `indent`, its further lines indented two more."""
    rest = indent + "  "
    lines = wrap(text, max(limit - len(rest), 20))
    return [[((rest if n else indent) + line, style)] for n, line in enumerate(lines)]


# ---------------------------------------------------------------- messages


def _console(stream: TextIO, *, colour: bool = False):
    """A rich console on `stream`; with `colour`, one that draws colour whatever the stream
    is (`fancy` decided it should: --color and the environment are read there, once)."""
    from rich.console import Console

    if colour:
        return Console(
            file=stream, highlight=False, soft_wrap=False, force_terminal=True, no_color=False
        )
    return Console(file=stream, highlight=False, soft_wrap=False)


# What str.splitlines (and a terminal, or `grep`) would break a line at.
_LINE_BREAKS = re.compile("[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")


def one_line(text: str) -> str:
    """`text` as one line: a line break inside a file name or key shows escaped (`\\n`)."""
    return _LINE_BREAKS.sub(lambda m: m.group(0).encode("unicode_escape").decode(), text)


# the label of a message on stderr, coloured as git and cargo colour theirs (SGR codes
# written directly: a one-line message need not import rich)
_LABELS = {"error": "1;31", "warning": "1;33", "note": "1;36"}


def labelled(label: str, message: str) -> str:
    """`label: message` as a line for stderr, the label coloured where stderr gets colour."""
    head = f"{label}:"
    if fancy(sys.stderr):
        head = f"\x1b[{_LABELS[label]}m{head}\x1b[0m"
    return f"{head} {one_line(printable(message))}\n"


def error(message: str) -> None:
    """The one line a user mistake gets, on stderr."""
    sys.stderr.write(labelled("error", message))


def warning(message: str) -> None:
    sys.stderr.write(labelled("warning", message))


def note(message: str) -> None:
    """Something a user may want to know about what was done (a new venue, a key changed)."""
    sys.stderr.write(labelled("note", message))


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
    """Progress bars for long work, drawn only on a terminal; None (no bars) when piped,
    even with colour forced (a bar redrawn in a pipe is noise)."""
    if not (fancy(stream) and _isatty(stream)):
        return None
    return lambda label, total: _Bar(stream, label, total)
