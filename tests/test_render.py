"""Text for people and machines (render.py): widths of Korean text, plain and rich output."""

from __future__ import annotations

import io
import json
import re

import pytest

from litlist import render
from litlist.model import Catalog

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


def test_plain_card(shipped: Catalog) -> None:
    lora = shipped.paper(shipped.ids.index("lora"))
    card = render.plain_card(shipped, lora)
    assert card.splitlines()[0] == lora.title
    assert "Edward J. Hu" in card and "ICLR 2022" in card and "key: hu2022lora" in card
    assert "Parameter-Efficient Model Adaptation > PEFT Method" in card
    assert "arXiv: https://arxiv.org/abs/2106.09685" in card
    assert all(render.cells(line) <= 100 for line in card.splitlines() if " " in line.strip())


def test_plain_card_of_a_later_publication(shipped: Catalog) -> None:
    card = render.plain_card(shipped, shipped.paper(shipped.ids.index("lora-learns-less")))
    assert "published: TMLR 2024" in card and "arXiv 2024" in card


@pytest.mark.parametrize("columns", [60, 80, 120])
def test_rich_table_fits_the_terminal(shipped: Catalog, monkeypatch, columns: int) -> None:
    monkeypatch.setenv("COLUMNS", str(columns))
    out = Terminal()
    render.rich_table(out, shipped, shipped.papers)
    text = out.getvalue()
    plain = ANSI.sub("", text)
    assert all(key in plain for key in shipped.keys if key)  # keys are never wrapped
    assert widest(text) <= columns


def test_rich_cards_with_korean(shipped: Catalog, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "70")
    out = Terminal()
    render.rich_cards(out, shipped, [shipped.paper(shipped.ids.index("meta-prompting"))])
    text = out.getvalue()
    assert "Meta-Prompting" in text and "집단지성" in text
    assert widest(text) == 70


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
