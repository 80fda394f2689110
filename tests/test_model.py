"""Runtime records (model.py) and the search index's text folding (index.py)."""

from __future__ import annotations

import marshal

import pytest

from litlist import index
from litlist.model import Catalog, Topic, from_record, to_record


def test_topic_tree() -> None:
    topic = Topic("interpretability/attention", "Attention & Probability")
    assert topic.depth == 1
    assert topic.contains("interpretability/attention/attention-sink")
    assert topic.contains("interpretability/attention")
    assert not topic.contains("interpretability/attention-sink-x")
    assert not topic.contains("interpretability")
    assert Topic("peft", "PEFT").depth == 0


def test_paper_round_trips_through_the_cache_record(shipped: Catalog) -> None:
    for paper in shipped.papers:
        assert from_record(marshal.loads(marshal.dumps(to_record(paper)))) == paper


def test_paper_to_dict_is_plain_json_values(shipped: Catalog) -> None:
    paper = shipped.paper(shipped.ids.index("adainfer"))
    data = paper.to_dict()
    assert data["authors"] == list(paper.authors)
    assert data["published"]["venue"] == "IJCAI"
    assert isinstance(data["published"]["authors"], list)


def test_as_listed_is_the_lists_version(shipped: Catalog) -> None:
    paper = shipped.paper(shipped.ids.index("rlaif"))
    assert paper.published is not None and paper.published.venue == "ICML"
    listed = paper.as_listed
    assert listed is not None and (listed.venue, listed.year) == ("arXiv", 2023)
    summary = shipped.paper(shipped.ids.index("peft-summary"))
    assert summary.as_listed is None and not summary.citable


def test_catalog_topic_path_and_order(shipped: Catalog) -> None:
    path = shipped.topic_path("interpretability/attention/attention-sink")
    assert [t.name for t in path] == [
        "Mechanical Interpretability",
        "Attention & Probability",
        "Attention Sink",
    ]
    order = shipped.topic_order()
    assert order["alignment"] < order["peft"] < order["cot"] < order["interpretability"]


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Streaming-LLM", "streaming llm"),
        ("BERT’s Attention", "berts attention"),
        ("Let's think", "lets think"),
        ("Jürgen MÜLLER", "jurgen muller"),
        ("ＤＰＯ", "dpo"),
        ("집단지성과 유사한", "집단지성과 유사한"),
        ("LoRA를 (Low-Rank)", "lora를 low rank"),
        ("snake_case", "snake case"),
        ("", ""),
    ],
)
def test_normalize(text: str, folded: str) -> None:
    assert index.normalize(text) == folded


def test_compact() -> None:
    assert index.compact("Streaming LLM") == index.compact("streamingllm") == "streamingllm"
    assert index.compact("Zero-shot-CoT") == "zeroshotcot"
