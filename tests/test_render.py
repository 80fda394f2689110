"""Text for people and machines (render.py): widths of Korean text, plain and rich output."""

from __future__ import annotations

import io
import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from litlist import render
from litlist.model import Catalog, Paper, Topic, Venue

ANSI = re.compile(r"\x1b\[[0-9;]*m|\x1b\]8;[^\x1b]*\x1b\\")


def widest(text: str) -> int:
    """Terminal cells of the widest line, escape sequences left out."""
    return max(render.cells(ANSI.sub("", line)) for line in text.splitlines())


class Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def test_cells_counts_korean_twice() -> None:
    assert render.cells("abc") == 3
    assert render.cells("집단지성") == 8
    assert render.cells("LoRA를") == 6


@pytest.mark.parametrize("limit", [10, 20, 37])
def test_wrap_korean_fits_the_width(limit: int) -> None:
    text = (
        "하나의 LLM이 (1) 스스로 복잡한 task를 분할하여 각 expert에 할당하는 meta model과 "
        "(2) expert model의 역할을 모두 하는 Meta-Prompting을 제시함"
    )
    lines = render.wrap(text, limit)
    assert " ".join(lines) == text
    assert all(render.cells(line) <= limit or " " not in line for line in lines)
    assert len(lines) > 1


def test_fancy_only_on_a_terminal_without_no_color(monkeypatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert render.fancy(Terminal())
    assert not render.fancy(io.StringIO())
    monkeypatch.setenv("NO_COLOR", "")
    assert not render.fancy(Terminal())
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setenv("TERM", "dumb")
    assert not render.fancy(Terminal())


def test_progress_bars_only_on_a_terminal(monkeypatch) -> None:
    assert render.progress_factory(io.StringIO()) is None


def test_to_json_empty_and_scores(shipped: Catalog) -> None:
    assert json.loads(render.to_json([])) == []
    rows = json.loads(render.to_json(shipped.papers[:2], [99.5, 80.0]))
    assert [r["score"] for r in rows] == [99.5, 80.0]
    assert "score" not in json.loads(render.to_json(shipped.papers[:1]))[0]


def test_to_keys_skips_summary_posts() -> None:
    assert render.to_keys(["a2020x", None, "b2021y"]) == "a2020x\nb2021y\n"
    assert render.to_keys([]) == ""


# ---------------------------------------------------------------- every screen, every width

WIDTHS = [60, 80, 100, 160]
QUERIES = ["attention sink", "dpo", "집단지성", "memory efficient attention for long documents"]
URL = re.compile(r"^https?://\S+$")
BORDER = "╭─╮│╰╯"


def screens(cat: Catalog, limit: int) -> dict[str, list[render.Line]]:
    """Every screen litlist draws for people, laid out at `limit` columns."""
    from litlist import query

    out = {
        "show": render.table(cat, cat.papers, limit),
        "show --sort": render.table(cat, cat.papers, limit, grouped=False),
        "cards": render.cards(cat, cat.papers, limit),
        "topics": render.topics(cat, {p.topic: 1 for p in cat.papers}, 2, limit),
        "venues": render.venues(
            [(v.id, v.name, v.kind, 1, [2019, 2021, 2022, 2024]) for v in cat.venues], limit
        ),
    }
    for words in QUERIES:
        hits = query.search(cat, words, limit=10)
        out[f"search {words}"] = render.table(
            cat,
            [cat.paper(h.position) for h in hits],
            limit,
            [h.score for h in hits],
            [h.matched for h in hits],
        )
    return out


@pytest.fixture(scope="module")
def roomy(shipped: Catalog) -> dict[str, set[str]]:
    """The words of every screen laid out with room to spare: nothing wrapped, nothing cut."""
    saved = render.CARD_MAX
    render.CARD_MAX = 10_000
    try:
        return {
            name: set(render.plain(lines).split()) for name, lines in screens(shipped, 5000).items()
        }
    finally:
        render.CARD_MAX = saved


@pytest.mark.parametrize("limit", WIDTHS)
def test_every_screen_fits_and_breaks_no_word(shipped: Catalog, roomy, limit: int) -> None:
    from rich.cells import cell_len  # rich's own display width, not ours: Korean counts 2

    for name, lines in screens(shipped, limit).items():
        text = render.plain(lines)
        for line in text.splitlines():
            # a URL is printed whole on a line of its own even when wider than the screen
            assert cell_len(line) <= limit or URL.match(line), (name, line)
        for word in text.split():
            if not word.strip(BORDER):
                continue
            # a fragment of a broken word is not a word of the roomy screen; "…" ends a
            # what-matched line cut after a whole word
            assert word in roomy[name] or word.rstrip("…") in roomy[name] or word == "…", (
                name,
                limit,
                word,
            )


@pytest.mark.parametrize("limit", WIDTHS)
def test_keys_slugs_urls_and_titles_whole(shipped: Catalog, limit: int) -> None:
    shown = screens(shipped, limit)
    table = render.plain(shown["show"]).split()
    cards = render.plain(shown["cards"])
    topics = render.plain(shown["topics"]).split()
    for paper in shipped.papers:
        assert (paper.key or paper.id) in table
        assert " ".join(paper.title.split()) in " ".join(_box_text(cards).split())
        for _, url in render.links(paper):
            assert url in cards.splitlines() or any(
                line.endswith("  " + url) for line in cards.splitlines()
            )
    assert {t.slug for t in shipped.topics} <= set(topics)


def _box_text(text: str) -> str:
    """What is inside the cards' borders."""
    return "\n".join(line[2:-2] for line in text.splitlines() if line.startswith("│"))


@pytest.mark.parametrize("limit", WIDTHS)
def test_table_titles_are_whole_in_their_column(shipped: Catalog, limit: int) -> None:
    lines = render.plain(render.table(shipped, shipped.papers, limit)).splitlines()
    start = lines[0].index("title")
    for paper in shipped.papers:
        (row,) = [n for n, line in enumerate(lines) if f" {paper.key or paper.id} " in line]
        cell = [lines[row][start:]]
        for line in lines[row + 1 :]:
            if line[:start].strip() or not line.strip():
                break
            cell.append(line[start:])
        assert " ".join(" ".join(cell).split()) == " ".join(paper.title.split()), cell


@pytest.mark.parametrize("limit", WIDTHS)
def test_cards_borders_line_up_with_korean(shipped: Catalog, limit: int) -> None:
    from rich.cells import cell_len

    size = min(limit, render.CARD_MAX)
    text = render.plain(render.cards(shipped, shipped.papers, limit))
    boxed = [line for line in text.splitlines() if line and line[0] in "╭│╰"]
    assert any("집단지성" in line for line in boxed)
    assert {cell_len(line) for line in boxed} == {size}


def test_narrow_tables_drop_columns_before_breaking_words(shipped: Catalog) -> None:
    header = render.plain(render.table(shipped, shipped.papers, 60)).splitlines()[0]
    assert header.split() == ["year", "key", "title"]
    header = render.plain(render.table(shipped, shipped.papers, 100)).splitlines()[0]
    assert header.split() == ["year", "venue", "key", "title"]


@pytest.mark.parametrize("limit", WIDTHS)
def test_terminal_output_is_the_plain_text_in_colour(
    shipped: Catalog, monkeypatch, limit: int
) -> None:
    """Colour changes nothing else: the styled output without its escape codes is the plain
    text NO_COLOR and pipes get, and links are terminal hyperlinks."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    for name, lines in screens(shipped, limit).items():
        out = Terminal()
        render.write(out, lines)
        styled = out.getvalue()
        assert "\x1b[" in styled, name
        assert ANSI.sub("", styled) == render.plain(lines), name
    out = Terminal()
    render.write(out, render.cards(shipped, shipped.papers[:1], limit))
    url = render.links(shipped.papers[0])[0][1]
    assert "\x1b]8;id=" in out.getvalue() and url in out.getvalue()
    monkeypatch.setenv("NO_COLOR", "1")
    out = Terminal()
    render.write(out, screens(shipped, limit)["show"])
    assert out.getvalue() == render.plain(screens(shipped, limit)["show"])


def test_width_from_columns_else_80_when_piped(monkeypatch) -> None:
    monkeypatch.setattr(render, "_controlling_width", lambda: None)  # the developer's tty
    monkeypatch.setenv("COLUMNS", "123")
    assert render.width(io.StringIO()) == 123
    monkeypatch.setenv("COLUMNS", "10")
    assert render.width(io.StringIO()) == render.MIN_WIDTH
    monkeypatch.delenv("COLUMNS")
    assert render.width(io.StringIO()) == 80


def test_summary_post_says_it_has_no_link(shipped: Catalog) -> None:
    post = shipped.paper(shipped.ids.index("peft-summary"))
    card = render.plain(render.card(shipped, post, 80))
    assert "summary post · id: peft-summary" in card
    assert "no link: the list gives none for this summary post" in card
    text = render.to_markdown(shipped, [post])
    assert "Brief Summary of Parameter-Efficient Fine-Tuning for Language Models (no link" in text


def test_card_of_a_later_publication(shipped: Catalog) -> None:
    paper = shipped.paper(shipped.ids.index("lora-learns-less"))
    card = render.plain(render.card(shipped, paper, 100))
    assert "published: TMLR 2024" in card and "arXiv 2024" in card


@pytest.mark.parametrize(
    ("kind", "name", "shown"),
    [
        ("phdthesis", "Stanford University", "PhD thesis, Stanford University 2016"),
        ("mastersthesis", "University of Toronto", "Master's thesis, University of Toronto 2016"),
        ("report", "OpenAI", "Technical report, OpenAI 2016"),
        ("book", "MIT Press", "Book, MIT Press 2016"),
        ("web", "openai.com", "Web page, openai.com 2016"),
        ("conference", "International Conference", "v 2016"),  # the venue's short id, as ever
    ],
)
def test_card_says_what_a_work_outside_proceedings_is(kind: str, name: str, shown: str) -> None:
    venue = Venue("v", name, kind)
    paper = Paper("p", "paper", "A Work", "t", key="k", authors=("Ann Lee",), year=2016, venue="v")
    cat = Catalog("c.toml", [Topic("t", "T")], [venue], [paper])
    assert f"│ {shown} · key: k " in render.plain(render.card(cat, paper, 100))


def test_venues_table_names_kinds_in_words() -> None:
    rows = [("stanford", "Stanford University", "phdthesis", 1, [2016])]
    rows.append(("ICLR", "International Conference", "conference", 2, [2023]))
    text = render.plain(render.venues(rows, 100))
    assert "PhD thesis" in text and "phdthesis" not in text
    assert "conference" in text


def test_years_text_joins_runs() -> None:
    assert render.years_text([2024, 2019, 2021, 2022, 2023, 2022]) == "2019, 2021–2024"
    assert render.years_text([2020]) == "2020"


def test_markdown_groups_under_headings(shipped: Catalog) -> None:
    chosen = [shipped.paper(shipped.ids.index(i)) for i in ("streamingllm", "dpo", "act")]
    text = render.to_markdown(shipped, chosen)
    lines = text.splitlines()
    # the list's order, not the order given
    assert lines[0] == "## Alignment Tuning"
    assert text.index("Direct Preference") < text.index("Efficient Streaming")
    assert text.count("\n#### Attention Sink\n") == 1  # depth 2: four hashes
    assert text.count("\n## Mechanical Interpretability\n") == 1
    assert "\n\n\n" not in text
    assert render.to_markdown(shipped, []) == ""


@pytest.mark.parametrize("limit", WIDTHS)
def test_rich_at_the_same_width_changes_no_line(shipped: Catalog, limit: int) -> None:
    """rich's own Console(width=…), left to wrap as it would, keeps every laid-out line as it
    is (a URL wider than the screen aside): our widths are rich's widths, Korean included."""
    from rich.console import Console
    from rich.text import Text

    for name, lines in screens(shipped, limit).items():
        kept = [line for line in lines if not URL.match("".join(t for t, _ in line))]
        out = io.StringIO()
        console = Console(file=out, width=limit, color_system=None, highlight=False)
        for line in kept:
            console.print(Text.assemble(*line), overflow="fold")
        assert out.getvalue() == render.plain(kept), name


# words of Latin letters, Hangul and CJK ideographs, some longer than any line
_WORD = st.text(alphabet=st.sampled_from("abcXYZ-:집단지성論文é"), min_size=1, max_size=30)


@given(words=st.lists(_WORD, max_size=40), limit=st.integers(min_value=8, max_value=120))
def test_fold_fits_and_keeps_every_word(words: list[str], limit: int) -> None:
    from rich.cells import cell_len

    text = " ".join(words)
    lines = render.fold(text, limit)
    assert all(cell_len(line) <= limit for line in lines)
    wrapped = render.wrap(text, limit)
    # wrap breaks only at spaces; fold breaks a word only where it alone is too wide
    assert " ".join(wrapped).split() == words
    assert all(cell_len(line) <= limit or " " not in line for line in wrapped)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("Rafael Rafailov", "Rafael Rafailov"),
        ("van der Berg, Jan", "Jan van der Berg"),
        ("King, Jr., Martin Luther", "Martin Luther King Jr."),
        ("Gonzalez Ortiz, Jose Javier", "Jose Javier Gonzalez Ortiz"),
        # an organisation: its name, no braces, its comma not read as BibTeX's
        ("{Google DeepMind}", "Google DeepMind"),
        ("{Llama Team, AI @ Meta}", "Llama Team, AI @ Meta"),
    ],
)
def test_card_names_read_as_people(stored: str, shown: str) -> None:
    """A card lists authors separated by commas: BibTeX's comma forms would read as two."""
    assert render.display_name(stored) == shown


@pytest.mark.parametrize(
    ("authors", "editors", "shown"),
    [
        ((), ("Ann Lee",), "Ann Lee (ed.)"),
        ((), ("Lee, Ann", "Bo Kim"), "Ann Lee, Bo Kim (eds.)"),
        (("Cy Dee",), ("Ann Lee",), "Cy Dee"),  # the authors, when the work has some
    ],
)
def test_card_names_editors_of_a_work_without_authors(authors, editors, shown) -> None:
    paper = Paper("p", "paper", "A Volume", "t", key="k", authors=authors, editors=editors,
                  year=2016)  # fmt: skip
    cat = Catalog("c.toml", [Topic("t", "T")], [], [paper])
    text = _box_text(render.plain(render.card(cat, paper, 60)))
    assert shown in text and ("(ed" in text) == (not authors)


def _abstract_card(abstract: str | None, whole: bool = False, **fields) -> str:
    paper = Paper("p", "paper", "A Work", "t", key="k", authors=("Ann Lee",), year=2016,
                  abstract=abstract, **fields)  # fmt: skip
    cat = Catalog("c.toml", [Topic("t", "T")], [], [paper])
    return render.plain(render.card(cat, paper, 60, whole=whole))


def _box_text(card: str) -> str:
    return " ".join(line.strip("│ ") for line in card.splitlines() if line.startswith("│"))


def test_card_folds_a_long_abstract_and_full_shows_it_whole() -> None:
    first = " ".join(f"alpha{n}" for n in range(60))
    second = " ".join(f"omega{n}" for n in range(20))
    card = _abstract_card(f"{first}\n\n{second}", summary_en="Our own words.")
    text = _box_text(card)
    assert text.index("Our own words.") < text.index("abstract") < text.index("alpha0")
    assert render.ABSTRACT_HINT in text and "omega0" not in text
    body = card.splitlines()
    start = next(i for i, line in enumerate(body) if "│ abstract" in line)
    assert body[start + render.ABSTRACT_LINES].rstrip(" │").endswith("…")
    whole = _box_text(_abstract_card(f"{first}\n\n{second}", whole=True))
    assert "alpha59" in whole and "omega19" in whole and render.ABSTRACT_HINT not in whole
    # the paragraph break is kept: a blank line inside the box
    assert any(line.strip("│ ") == "" for line in _abstract_card(f"{first}\n\n{second}",
               whole=True).splitlines())  # fmt: skip


def test_card_with_a_short_abstract_has_no_hint() -> None:
    text = _box_text(_abstract_card("Short and whole."))
    assert "Short and whole." in text and render.ABSTRACT_HINT not in text


def test_card_without_summary_or_abstract_says_so_once() -> None:
    card = _abstract_card(None)
    assert card.count("no summary or abstract") == 1
    assert "no summary or abstract" not in _abstract_card(None, summary_en="Ours.")
    assert "no summary or abstract" not in _abstract_card("Theirs.")
