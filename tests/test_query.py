"""Selecting papers (query.py): filters, id/key lookup, and ranked search, on the shipped
catalog (counts the reading list implies) and on the tiny one."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import SEED
from litlist import catalog, query, vocabulary
from litlist import index as ix
from litlist.errors import AmbiguousName, BadOption, UnknownChoice, UnknownKey
from litlist.model import Catalog
from seedlist import parse


def ids(cat: Catalog, positions) -> list[str]:
    return [cat.ids[i] for i in positions]


def top(cat: Catalog, text: str, **kwargs) -> list[str]:
    return [cat.ids[h.position] for h in query.search(cat, text, **kwargs)]


@pytest.fixture(scope="module")
def seed_years() -> Counter:
    """How many papers (not summary posts) the list gives for each year."""
    return Counter(e.tag_year for e in parse(SEED) if not e.is_summary)


# ---------------------------------------------------------------- --year


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024", (2024, 2024)),
        (" 2024 ", (2024, 2024)),
        ("2022..2023", (2022, 2023)),
        ("2023..", (2023, None)),
        ("..2020", (None, 2020)),
        ("2023..2023", (2023, 2023)),
    ],
)
def test_parse_years(text: str, expected: tuple) -> None:
    assert query.parse_years(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "..",
        "24",
        "20x4",
        "2024-2025",
        "2024..2022",
        "2022...2023",
        "2022..23",
        "twenty",
        "2024,2023",
        "-2024",
    ],
)
def test_parse_years_rejects(text: str) -> None:
    with pytest.raises(BadOption) as info:
        query.parse_years(text)
    assert "--year" in str(info.value)


def test_select_year_counts_match_the_list(shipped: Catalog, seed_years: Counter) -> None:
    def count(year: str) -> int:
        return len(query.select(shipped, year=year, kind="paper"))

    assert count("2024") == seed_years[2024] == 20
    assert count("2022..2023") == seed_years[2022] + seed_years[2023] == 16
    assert count("2023..") == seed_years[2023] + seed_years[2024] == 30
    assert count("..2020") == seed_years[2019] + seed_years[2020] == 4
    assert count("2019..2024") == sum(seed_years.values()) == 44
    assert count("2025..") == 0


def test_select_year_leaves_out_summary_posts(shipped: Catalog) -> None:
    # summary posts have no year: a year filter never matches them
    assert all(shipped.paper(i).kind == "paper" for i in query.select(shipped, year="..2100"))


# ---------------------------------------------------------------- --topic


def test_select_peft_papers(shipped: Catalog) -> None:
    papers = query.select(shipped, topic="peft", kind="paper")
    assert len(papers) == 13
    assert len(query.select(shipped, topic="peft")) == 15  # with the two summary posts
    assert {shipped.paper(i).topic for i in papers} == {"peft/method", "peft/analysis"}


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("peft", 15),
        ("PEFT", 15),
        ("alignment", 6),
        ("rlhf", 3),  # a segment of alignment/rlhf
        ("RLHF", 3),
        ("alignment/rlaif", 3),
        ("attention-sink", 3),
        ("Attention Sink", 3),  # a heading's name
        ("attention sink", 3),
        ("ATTENTION SINK", 3),
        ("interpretability/attention/attention-sink", 3),
        ("Contrastive Decoding", 7),
        ("interpretability", 21),  # with every sub-topic
        ("Mechanical Interpretability", 21),
        ("attribution", 7),
        ("Chain-of-Thought", 4),
        ("others", 1),
        ("Long-context LLM", 2),
        ("PEFT Analysis", 4),
    ],
)
def test_select_topic(shipped: Catalog, text: str, count: int) -> None:
    positions = query.select(shipped, topic=text)
    assert len(positions) == count
    assert positions == sorted(positions)  # the list's order


def test_select_topic_attention_sink_papers(shipped: Catalog) -> None:
    assert ids(shipped, query.select(shipped, topic="Attention Sink")) == [
        "streamingllm",
        "act",
        "spectral-filters",
    ]


@pytest.mark.parametrize(
    ("text", "suggested"),
    [("pefft", "peft"), ("atention sink", "Attention Sink"), ("rlfh", "alignment/rlhf")],
)
def test_select_unknown_topic_suggests(shipped: Catalog, text: str, suggested: str) -> None:
    with pytest.raises(UnknownChoice) as info:
        query.select(shipped, topic=text)
    error = info.value
    assert error.option == "--topic" and error.value == text
    assert suggested in error.closest
    assert set(error.valid) == {t.slug for t in shipped.topics}
    assert f"'{text}'" in str(error) and "did you mean" in str(error)


def test_select_unknown_topic_nothing_close(shipped: Catalog) -> None:
    with pytest.raises(UnknownChoice) as info:
        query.select(shipped, topic="zzzzqqq")
    assert info.value.closest == []
    assert "peft" in info.value.valid and "`litlist topics`" in str(info.value)


# ---------------------------------------------------------------- --venue


@pytest.mark.parametrize(
    "text",
    ["neurips", "nips", "NIPS", "NeurIPS", " NeurIPS ", "Neural Information Processing Systems"],
)
def test_select_neurips(shipped: Catalog, text: str) -> None:
    assert ids(shipped, query.select(shipped, venue=text)) == ["dpo", "cot", "zero-shot-cot"]


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("iclr", 9),
        ("ICLR Workshop", 1),
        ("iclr-ws", 1),
        ("icml-ws", 2),
        ("arxiv", 12),
        ("preprint", 12),
        ("Nature MI", 1),
        ("tacl", 1),
        ("naacl-hlt", 2),
    ],
)
def test_select_venue(shipped: Catalog, text: str, count: int) -> None:
    assert len(query.select(shipped, venue=text)) == count


def test_select_venue_of_record_only_matches_nothing(shipped: Catalog) -> None:
    # TMLR is declared (a version of record) but the list puts no paper there
    assert query.select(shipped, venue="tmlr") == []


@pytest.mark.parametrize(
    ("text", "suggested"), [("neurps", "NeurIPS"), ("icmll", "ICML"), ("emnpl", "EMNLP")]
)
def test_select_unknown_venue_suggests(shipped: Catalog, text: str, suggested: str) -> None:
    with pytest.raises(UnknownChoice) as info:
        query.select(shipped, venue=text)
    assert info.value.option == "--venue"
    assert suggested in info.value.closest
    assert "NeurIPS" in info.value.valid


# ---------------------------------------------------------------- combined


def test_filters_combine(shipped: Catalog) -> None:
    assert ids(shipped, query.select(shipped, topic="peft", year="2024")) == [
        "lora-note",
        "lora-learns-less",
        "llama-adapter",
    ]
    assert ids(shipped, query.select(shipped, venue="nips", year="2022")) == [
        "cot",
        "zero-shot-cot",
    ]
    assert ids(shipped, query.select(shipped, topic="cot", venue="nips", year="2023..")) == []
    assert ids(
        shipped, query.select(shipped, topic="interpretability", venue="iclr", year="2024")
    ) == ["ffn-attention-maps", "dola", "pasta", "sat-probe", "streamingllm"]


def test_select_without_filters_is_everything(shipped: Catalog) -> None:
    assert query.select(shipped) == list(range(46))
    assert len(query.select(shipped, kind="summary")) == 2


def test_select_bad_year_raises(shipped: Catalog) -> None:
    with pytest.raises(BadOption):
        query.select(shipped, year="last year")


# ---------------------------------------------------------------- lookup


def test_lookup_by_id_and_key(shipped: Catalog) -> None:
    assert ids(shipped, query.lookup(shipped, ["dpo", "hu2022lora", "cot"])) == [
        "dpo",
        "lora",
        "cot",
    ]
    assert ids(shipped, query.lookup(shipped, ["dpo", "rafailov2023direct"])) == ["dpo", "dpo"]
    assert ids(shipped, query.lookup(shipped, ["peft-summary"])) == ["peft-summary"]


def test_lookup_unknown_suggests(shipped: Catalog) -> None:
    with pytest.raises(UnknownKey) as info:
        query.lookup(shipped, ["dpo", "rafailov2023", "hu2022lroa"], where="draft.tex")
    error = info.value
    assert error.keys == ["rafailov2023", "hu2022lroa"]
    assert "rafailov2023direct" in error.suggestions["rafailov2023"]
    assert "hu2022lora" in error.suggestions["hu2022lroa"]
    assert "draft.tex" in str(error) and "did you mean" in str(error)


# ---------------------------------------------------------------- search: what users mean

# (query, the paper a user means — or the set of papers any of which is right)
QUERY_TABLE: list[tuple[str, str | frozenset[str]]] = [
    # acronyms and aliases, typed exactly
    ("dpo", "dpo"),
    ("DPO", "dpo"),
    ("lora", "lora"),
    ("cot", "cot"),
    ("dola", "dola"),
    ("pasta", "pasta"),
    ("streamingllm", "streamingllm"),
    ("StreamingLLM", "streamingllm"),
    ("sat probe", "sat-probe"),
    ("act", "act"),
    ("cad", "cad"),
    ("adainfer", "adainfer"),
    ("rlhf", "rlhf"),
    ("rlaif", "rlaif"),
    ("zero-shot-cot", "zero-shot-cot"),
    ("zero shot cot", "zero-shot-cot"),
    ("auto-cot", "auto-cot"),
    ("manual cot", "cot"),
    ("icd", "icd"),
    ("acd", "acd"),
    ("cd", "contrastive-decoding"),
    ("p-tuning", "p-tuning"),
    ("p-tuning v2", "p-tuning-v2"),
    ("llama adapter", "llama-adapter"),
    ("llm adapters", "llm-adapters"),
    ("delta tuning", "peft-nmi"),
    ("attnresln", "attnresln"),
    ("mam adapter", "unified-peft"),
    ("attention sink", "streamingllm"),
    ("prefix tuning", "prefix-tuning"),
    ("prompt tuning", "prompt-tuning"),
    ("adapter", "adapter"),
    # typos
    ("lroa", "lora"),
    ("loar", "lora"),
    ("streming llm", "streamingllm"),
    ("steaming llm", "streamingllm"),
    ("prefix tunning", "prefix-tuning"),
    ("prompt tunning", "prompt-tuning"),
    ("chain of thougt", "cot"),
    ("chian of thought", "cot"),
    ("contrastive decodng", "contrastive-decoding"),
    ("lost in the midle", "lost-in-the-middle"),
    ("constitutinal ai", "constitutional-ai"),
    ("adainfr", "adainfer"),
    ("atention sink", "streamingllm"),
    ("self-rewardng", "self-rewarding"),
    ("sat prob", "sat-probe"),
    ("houlsbey", "adapter"),
    ("kojma", "zero-shot-cot"),
    # authors
    ("kojima", "zero-shot-cot"),
    ("takeshi kojima", "zero-shot-cot"),
    ("percy liang", frozenset({"prefix-tuning", "contrastive-decoding", "lost-in-the-middle"})),
    ("kobayashi vector norms", "attention-norm"),
    ("kobayashi residual", "attnresln"),
    ("kobayashi feed-forward", "ffn-attention-maps"),
    ("rafailov", "dpo"),
    ("houlsby", "adapter"),
    ("christiano", "rlhf"),
    ("yuksekgonul", "sat-probe"),
    ("suzgun", "meta-prompting"),
    ("barbero", "transformers-need-glasses"),
    ("cancedda", "spectral-filters"),
    ("jason wei", "cot"),
    ("nelson liu", "lost-in-the-middle"),
    ("xiao attention sinks", "streamingllm"),
    ("lisa li prefix", "prefix-tuning"),
    # title phrases
    ("let's think step by step", "zero-shot-cot"),
    ("secretly a reward model", "dpo"),
    ("is dpo superior to ppo", "dpo-vs-ppo"),
    ("power of scale", "prompt-tuning"),
    ("gpt understands too", "p-tuning"),
    ("label words are anchors", "label-words-anchors"),
    ("information flow in-context learning", "label-words-anchors"),
    ("dark signals", "spectral-filters"),
    ("stages of inference", "stages-of-inference"),
    ("remarkable robustness", "stages-of-inference"),
    ("hidden attention sinks", "act"),
    ("post-hoc attention steering", "pasta"),
    ("tell your model where to attend", "pasta"),
    ("induced hallucinations", "icd"),
    ("hallucinate less", "cad"),
    ("noisy contexts retrieval-augmented", "acd"),
    ("harmlessness from ai feedback", "constitutional-ai"),
    ("low-rank adaptation", "lora"),
    ("what does bert look at", "bert-attention"),
    ("attention is not only a weight", "attention-norm"),
    ("learns less forgets less", "lora-learns-less"),
    ("a note on lora", "lora-note"),
    ("not all layers necessary", "adainfer"),
    ("transformers need glasses", "transformers-need-glasses"),
    ("over-squashing", "transformers-need-glasses"),
    ("decoding by contrasting layers", "dola"),
    ("constraint satisfaction factual errors", "sat-probe"),
    ("enhancing contextual understanding", "multi-input-cd"),
    ("contrastive decoding improves reasoning", "cd-reasoning"),
    ("open-ended text generation as optimization", "contrastive-decoding"),
    ("task-agnostic scaffolding", "meta-prompting"),
    ("zero shot reasoners", "zero-shot-cot"),
    ("prompting elicits reasoning", "cot"),
    ("parameter-efficient transfer learning for nlp", "adapter"),
    ("unified view of parameter-efficient transfer learning", "unified-peft"),
    ("fine-tuning language models from human preferences", "rlhf"),
    ("brief summary of parameter-efficient fine-tuning", "peft-summary"),
    ("strengths and weaknesses of peft", "peft-empirical"),
    ("adapter family", "llm-adapters"),
    # words from the English summaries
    ("bitfit", "peft-empirical"),
    ("gsm8k", "cd-reasoning"),
    ("alpaca", "llama-adapter"),
    # Korean phrases and terms from the list's bullets
    ("집단지성", "meta-prompting"),
    ("집단지성과 유사한 방식", "meta-prompting"),
    ("중간 부분에서 정보를 잘 가져오지 못한다", "lost-in-the-middle"),
    ("자기 자신의 feedback", "self-rewarding"),
    ("모든 CoT 과정을 자동화", "auto-cot"),
    ("일종의 아티클", "lora-note"),
    ("Context를 증폭", "cad"),
    ("역설적으로", "dpo-vs-ppo"),
    ("간략하게 요약한 글", "peft-summary"),
    ("세 개의 체계적인 분석 논문", "peft-analysis-summary"),
    ("4단계의 Inference Stage", "stages-of-inference"),
    ("Zero-initialized Attention을 사용하는 것이 중요", "llama-adapter"),
    ("no-op hypothesis", "bert-attention"),
    ("U-shape effect", "lost-in-the-middle"),
    ("representational collapse", "transformers-need-glasses"),
    ("jsd", "dola"),  # written "JSD가" in the bullet
    ("hmlv", "spectral-filters"),
    ("apc", "contrastive-decoding"),
]


def _wanted(expected: str | frozenset[str]) -> frozenset[str]:
    return expected if isinstance(expected, frozenset) else frozenset({expected})


def test_query_table_is_big_and_names_real_papers(shipped: Catalog) -> None:
    assert len(QUERY_TABLE) >= 40
    assert len({q for q, _ in QUERY_TABLE}) == len(QUERY_TABLE)
    for _, expected in QUERY_TABLE:
        assert _wanted(expected) <= set(shipped.ids)
    # every paper of the list can be found by some query
    covered = set().union(*(_wanted(e) for _, e in QUERY_TABLE))
    assert covered >= {p.id for p in shipped.papers if p.kind == "paper"}


@pytest.mark.parametrize(("text", "expected"), QUERY_TABLE, ids=[q for q, _ in QUERY_TABLE])
def test_search_top1(shipped: Catalog, text: str, expected) -> None:
    results = top(shipped, text, limit=3)
    assert results, f"{text!r} found nothing"
    assert results[0] in _wanted(expected), results


def test_search_top1_accuracy(shipped: Catalog) -> None:
    misses = [
        (text, top(shipped, text, limit=1))
        for text, expected in QUERY_TABLE
        if top(shipped, text, limit=1)[:1] not in [[w] for w in _wanted(expected)]
    ]
    accuracy = 1 - len(misses) / len(QUERY_TABLE)
    print(
        f"\nsearch top-1 accuracy: {accuracy:.1%} over {len(QUERY_TABLE)} queries; misses: {misses}"
    )
    assert accuracy == 1.0, misses


@pytest.mark.parametrize(
    ("text", "first", "below"),
    [
        ("dpo", "dpo", "dpo-vs-ppo"),  # the alias itself above a title that mentions it
        ("lora", "lora", "lora-learns-less"),
        ("cot", "cot", "auto-cot"),
        ("adapter", "adapter", "llama-adapter"),
        ("attention sink", "streamingllm", "spectral-filters"),
        ("contrastive decoding", "contrastive-decoding", "cd-reasoning"),
    ],
)
def test_search_exact_alias_wins(shipped: Catalog, text: str, first: str, below: str) -> None:
    hits = query.search(shipped, text, limit=None)
    ranked = [shipped.ids[h.position] for h in hits]
    assert ranked[0] == first and below in ranked
    assert hits[0].score > hits[ranked.index(below)].score


@pytest.mark.parametrize(
    ("text", "papers"),
    [
        ("kobayashi", {"attention-norm", "attnresln", "ffn-attention-maps"}),
        ("goro kobayashi", {"attention-norm", "attnresln", "ffn-attention-maps"}),
        ("percy liang", {"prefix-tuning", "contrastive-decoding", "lost-in-the-middle"}),
        ("xiang lisa li", {"prefix-tuning", "contrastive-decoding"}),
    ],
)
def test_search_author_finds_all_their_papers(shipped: Catalog, text: str, papers: set) -> None:
    hits = query.search(shipped, text, limit=None)
    best = {shipped.ids[h.position] for h in hits if h.score == hits[0].score}
    assert best == papers


@pytest.mark.parametrize(
    "text",
    [
        "qwxzv",
        "asdfghjkl",
        "xyzzy plugh",
        "quantum chromodynamics",
        "banana bread recipe",
        "블라블라",
        "🙂",
        "12345",
        "!!!",
        "",
        "   ",
        "the",
        "of the",
        "a",
        "the and of",
        "zzz",
        "lorem ipsum dolor sit amet",
        # words with weak look-alikes in the catalog: they stay below the score floor
        "elephant",
        "spring",
        "finance",
    ],
)
def test_search_nonsense_finds_nothing(shipped: Catalog, text: str) -> None:
    assert query.search(shipped, text) == []


def test_search_limit_and_order(shipped: Catalog) -> None:
    hits = query.search(shipped, "attention", limit=None)
    assert len(hits) > 5
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert query.search(shipped, "attention", limit=3) == hits[:3]
    assert len({h.position for h in hits}) == len(hits)


def test_search_within_filter(shipped: Catalog) -> None:
    within = query.select(shipped, topic="peft/analysis")
    found = top(shipped, "lora", within=within)
    assert found and set(found) <= {shipped.ids[i] for i in within}
    assert "lora" not in found
    assert top(shipped, "dpo", within=query.select(shipped, year="..2020")) == []


@pytest.mark.parametrize("variant", ["DPO", "Dpo", "ＤＰＯ", " dpo ", "d.p.o", "dpo!"])
def test_search_folds_case_width_punctuation(shipped: Catalog, variant: str) -> None:
    assert top(shipped, variant, limit=1) == ["dpo"]


def test_search_tiny_catalog_non_ascii_author(tiny_catalog) -> None:
    cat = catalog.load(tiny_catalog)
    for text in ["müller", "Muller", "MÜLLER", "wrobel", "Łukasz", "zoe dupont"]:
        assert top(cat, text, limit=1) == ["beta-two"], text
    assert top(cat, "감마", limit=1) == ["gamma-three"]
    assert top(cat, "amt", limit=1) == ["alpha-one"]


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(text=st.text(max_size=60))
def test_search_never_raises(shipped: Catalog, text: str) -> None:
    hits = query.search(shipped, text, limit=None)
    assert all(0 <= h.score <= 100 for h in hits)  # shown on the whole scale
    assert all(0 <= h.position < len(shipped) for h in hits)
    assert len({h.position for h in hits}) == len(hits)


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    words=st.lists(
        st.sampled_from(
            [
                "dpo",
                "lora",
                "attention",
                "sink",
                "집단지성",
                "the",
                "kobayashi",
                "λ",
                "",
                "-",
                "'",
                "🙂",
                "cot",
            ]
        ),
        max_size=8,
    ),
    limit=st.one_of(st.none(), st.integers(min_value=1, max_value=50)),
)
def test_search_never_raises_on_word_mixes(shipped: Catalog, words: list[str], limit) -> None:
    hits = query.search(shipped, " ".join(words), limit=limit)
    assert limit is None or len(hits) <= limit


# ---------------------------------------------------------------- search: descriptions

# (a description of what a paper did or is known for, the paper). Written from the papers
# themselves and what they are known for, not from the catalog's summaries, and before the
# scoring was tuned: the search must find a paper the way people remember it.
DESCRIPTIVE: list[tuple[str, str]] = [
    ("preference optimization without any reinforcement learning", "dpo"),
    ("which layers can an llm skip at inference time", "adainfer"),
    ("streaming generation that keeps the first tokens in the cache", "streamingllm"),
    ("train a reward model from human comparisons then optimize the policy with ppo", "rlhf"),
    (
        "align a model with a list of principles instead of human labels for harmlessness",
        "constitutional-ai",
    ),
    ("replace human preference labels with labels from an llm", "rlaif"),
    ("model judges its own answers to create training preferences", "self-rewarding"),
    (
        "small bottleneck modules inserted between transformer layers while pretrained weights "
        "stay frozen",
        "adapter",
    ),
    ("prepend trainable continuous vectors to every layer for generation tasks", "prefix-tuning"),
    (
        "soft prompts become competitive with full fine-tuning as the model gets bigger",
        "prompt-tuning",
    ),
    ("low rank matrices added to frozen weights so the update is cheap", "lora"),
    (
        "forgets less of the source domain but learns less than full fine-tuning",
        "lora-learns-less",
    ),
    ("turning llama into an instruction follower with gated zero attention", "llama-adapter"),
    (
        "framework connecting adapters prefix tuning and lora as one family of methods",
        "unified-peft",
    ),
    ("intermediate reasoning steps in few-shot exemplars improve arithmetic", "cot"),
    ("adding a single phrase to the prompt makes models reason without examples", "zero-shot-cot"),
    ("automatically constructing reasoning demonstrations by clustering questions", "auto-cot"),
    ("one model acts as a conductor that calls expert copies of itself", "meta-prompting"),
    ("attention heads of bert attend to separator tokens and periods", "bert-attention"),
    (
        "attention weights alone mislead, multiply by the norm of the transformed value vectors",
        "attention-norm",
    ),
    (
        "demonstration label tokens aggregate information in shallow layers for in-context "
        "learning",
        "label-words-anchors",
    ),
    ("deleting or swapping layers barely hurts the model", "stages-of-inference"),
    (
        "difference between a large expert model and a small amateur model to choose tokens",
        "contrastive-decoding",
    ),
    ("contrasting expert and amateur models helps math word problems", "cd-reasoning"),
    ("make a hallucinating copy of the model and subtract its predictions", "icd"),
    ("amplify the difference between outputs with and without the context document", "cad"),
    ("contrast final layer logits against earlier layer logits for truthfulness", "dola"),
    ("emphasize user-marked parts of the prompt by reweighting attention heads", "pasta"),
    ("model fails to use facts placed in the center of a long input", "lost-in-the-middle"),
    (
        "the last token representation cannot tell apart long sequences that differ slightly",
        "transformers-need-glasses",
    ),
    ("predict factual errors from attention to the constraint tokens", "sat-probe"),
    ("recalibrate attention at test time without fine-tuning", "act"),
    ("project hidden states on the singular vectors of the unembedding matrix", "spectral-filters"),
    ("survey in nature machine intelligence on tuning a small fraction of parameters", "peft-nmi"),
    ("comparing dpo and ppo where ppo wins when tuned well", "dpo-vs-ppo"),
    (
        "contrast predictions with relevant and irrelevant contexts so the model uses the given "
        "context",
        "multi-input-cd",
    ),
    ("noisy retrieved passages in rag, entropy decides how much to contrast", "acd"),
    (
        "prompts at every layer match fine-tuning even for small models and sequence labeling",
        "p-tuning-v2",
    ),
    (
        "trainable continuous prompt embeddings let gpt do natural language understanding",
        "p-tuning",
    ),
    (
        "effect of feed-forward networks on token mixing shown as attention maps",
        "ffn-attention-maps",
    ),
    (
        "layer norm and residual connections included when analyzing token contributions in "
        "masked language models",
        "attnresln",
    ),
    (
        "benchmark of adapter variants on arithmetic and commonsense reasoning with open models",
        "llm-adapters",
    ),
    ("which peft method works best with little training data", "peft-empirical"),
    ("practical notes on applying low-rank adaptation", "lora-note"),
    ("kv cache window attention collapses when the initial tokens are evicted", "streamingllm"),
    ("iterative dpo where the model is its own judge", "self-rewarding"),
]

# A second table of the same kind, written after the first round of tuning and never tuned
# on: it checks that what the scoring learned from the first one carries over.
DESCRIPTIVE_HELD_OUT: list[tuple[str, str]] = [
    ("rank decomposition matrices injected into each transformer layer", "lora"),
    ("reward model trained on human rankings of summaries", "rlhf"),
    ("ai feedback critiques and revisions using a constitution", "constitutional-ai"),
    ("llm labels preferences and matches rlhf on summarization", "rlaif"),
    ("closed form policy from the reward, classification loss on preference pairs", "dpo"),
    ("step by step rationale examples in the prompt", "cot"),
    ("zero-shot reasoning with a trigger sentence", "zero-shot-cot"),
    ("diverse questions and zero-shot rationales to build demonstrations", "auto-cot"),
    ("conductor model orchestrating expert instances", "meta-prompting"),
    ("bert heads that attend to the next token or the cls token", "bert-attention"),
    ("norm based analysis of attention", "attention-norm"),
    (
        "in-context learning explained through label tokens gathering information",
        "label-words-anchors",
    ),
    ("early exit of layers with a classifier on token probabilities", "adainfer"),
    (
        "stages of detokenization feature engineering prediction ensembling and residual "
        "sharpening",
        "stages-of-inference",
    ),
    ("amateur model log probabilities subtracted from expert", "contrastive-decoding"),
    ("decoding that contrasts output with and without context to reduce hallucination", "cad"),
    ("later layers vs earlier layers logit difference improves factual knowledge", "dola"),
    ("steering attention to highlighted text without changing weights", "pasta"),
    (
        "retrieval performance degrades when the relevant document is in the middle of the context",
        "lost-in-the-middle",
    ),
    (
        "over-squashing and representational collapse in decoder-only transformers",
        "transformers-need-glasses",
    ),
    ("attention sinks appear in tokens other than the first one", "act"),
    ("dark signals and massive activations on the first token", "spectral-filters"),
    (
        "trainable bottleneck layers for transfer learning in nlp with few parameters per task",
        "adapter",
    ),
    (
        "optimizing a small continuous task-specific vector for table-to-text and summarization",
        "prefix-tuning",
    ),
    (
        "only learn soft prompt tokens prepended to the input, model scale closes the gap",
        "prompt-tuning",
    ),
    ("full fine-tuning vs lora on code and math continued pretraining", "lora-learns-less"),
    ("parallel adapters and mix-and-match adapters", "unified-peft"),
    ("language model rewards itself using llm-as-a-judge", "self-rewarding"),
    ("induce hallucinations by fine-tuning then contrast to decode", "icd"),
]

# A third table, written from the papers' abstracts (arXiv / proceedings pages) and from what
# each paper is known for, by someone who had not read the catalog's summaries: phrasing of a
# different person, short and long, "the paper that ...". Frozen before summary_en was
# rewritten, so it measures whether what a researcher remembers finds the paper.
DESCRIPTIVE_FROM_ABSTRACTS: list[tuple[str, str]] = [
    ("the paper that fine-tuned gpt-2 with human preference comparisons", "rlhf"),
    (
        "reward learning for stylistic continuation with positive sentiment and tl;dr "
        "summarization",
        "rlhf",
    ),
    ("your language model is secretly a reward model", "dpo"),
    ("preference learning with a simple binary cross entropy loss and no sampling", "dpo"),
    ("study finding ppo beats dpo on code generation competitions", "dpo-vs-ppo"),
    ("advantage normalization large batch size and ema reference model for ppo", "dpo-vs-ppo"),
    (
        "harmless but non-evasive assistant trained by self-critique and revision",
        "constitutional-ai",
    ),
    ("ai labeler preferences instead of humans, comparable to rlhf on dialogue", "rlaif"),
    ("off-the-shelf llm gives rewards directly during reinforcement learning", "rlaif"),
    ("llama 2 70b trained on its own judgments beats claude 2 on alpacaeval", "self-rewarding"),
    ("adapter modules that add only a few parameters per task on glue", "adapter"),
    (
        "re-frame peft methods as modifications to specific hidden states of the pretrained model",
        "unified-peft",
    ),
    ("freeze the language model and optimize a sequence of virtual tokens", "prefix-tuning"),
    ("prefix for gpt-2 table-to-text and bart summarization", "prefix-tuning"),
    ("soft prompts learned by backpropagation beat gpt-3 few-shot prompting", "prompt-tuning"),
    ("prompt ensembling and robustness to domain shift with t5", "prompt-tuning"),
    ("gpts can be as good as berts at natural language understanding", "p-tuning"),
    ("continuous prompts improve knowledge probing on lama and superglue", "p-tuning"),
    ("deep prompt tuning works for named entity recognition and extractive qa", "p-tuning-v2"),
    (
        "reduces trainable parameters 10000 times on gpt-3 175b with no added inference latency",
        "lora",
    ),
    ("insights on deploying lora at scale without new experiments", "lora-note"),
    ("lora versus full finetuning on programming and mathematics", "lora-learns-less"),
    (
        "low-rank adaptation acts as a regularizer and keeps base model abilities",
        "lora-learns-less",
    ),
    ("instruction-following llama with 1.2m learnable parameters in an hour", "llama-adapter"),
    ("zero-init attention with a gating factor for multimodal instructions", "llama-adapter"),
    ("delta tuning survey with 100 nlp tasks", "peft-nmi"),
    ("addition-based specification-based and reparameterization-based methods", "peft-nmi"),
    (
        "flan-t5 peft benchmark across dataset sizes, slower convergence in low data",
        "peft-empirical",
    ),
    ("adapters integrated into llama bloom and gpt-j for math reasoning", "llm-adapters"),
    ("prompting with a series of intermediate steps lets palm solve gsm8k", "cot"),
    ("let's think step by step improves multiarith and gsm8k zero-shot", "zero-shot-cot"),
    (
        "automatic demonstrations with diverse sampled questions instead of manual chains",
        "auto-cot",
    ),
    ("task-agnostic scaffolding with a python interpreter for game of 24", "meta-prompting"),
    ("bert heads for syntax and coreference, and attention to [sep]", "bert-attention"),
    ("attention-based probing classifier for bert's syntactic knowledge", "bert-attention"),
    ("norm of the weighted transformed vectors instead of attention weights", "attention-norm"),
    ("word alignment from transformer nmt attention using vector norms", "attention-norm"),
    ("whole attention block analysis shows token mixing matters less than thought", "attnresln"),
    ("feed-forward blocks cancel out with surrounding components", "ffn-attention-maps"),
    ("label words act as anchors for in-context learning", "label-words-anchors"),
    (
        "anchor re-weighting and demonstration compression speed up in-context learning",
        "label-words-anchors",
    ),
    ("adaptively terminate inference with an svm on simple features", "adainfer"),
    ("early exit saves compute on sentiment tasks with llama 2 and opt", "adainfer"),
    (
        "models keep most accuracy when adjacent layers are deleted or swapped",
        "stages-of-inference",
    ),
    ("expert lm minus amateur lm with a plausibility constraint", "contrastive-decoding"),
    (
        "decoding method beating nucleus and top-k sampling in human evaluation",
        "contrastive-decoding",
    ),
    ("llama-65b with contrastive decoding outperforms palm on gsm8k and hellaswag", "cd-reasoning"),
    ("factually weak model built by inducing hallucinations, penalized when decoding", "icd"),
    ("knowledge conflicts where the context contradicts the model's prior", "cad"),
    (
        "adversarial irrelevant passages as negative samples in decoding for open-domain qa",
        "multi-input-cd",
    ),
    ("entropy based weight for context in noisy retrieval augmented generation", "acd"),
    ("premature layer chosen by jensen-shannon divergence, truthfulqa gains", "dola"),
    ("emphasis marks like bold text for llms through selected attention heads", "pasta"),
    ("factual queries as constraint satisfaction problems with llama-2", "sat-probe"),
    ("predict factual errors early from attention patterns", "sat-probe"),
    ("infinite-length generation by keeping initial tokens in a rolling kv cache", "streamingllm"),
    ("4 million tokens with window attention and sink tokens", "streamingllm"),
    ("attention sinks inside the sequence not only at the start hurt accuracy", "act"),
    ("tail of the embedding spectrum causes attention sinking", "spectral-filters"),
    ("logit lens extension with bands of singular vectors", "spectral-filters"),
    (
        "u-shaped performance curve over where the answer appears in multi-document qa",
        "lost-in-the-middle",
    ),
    ("long-context models are worse when key information is mid-input", "lost-in-the-middle"),
    (
        "decoder-only transformers fail at counting and copying due to low precision",
        "transformers-need-glasses",
    ),
]

# A fourth table: paraphrases, as a reader asks for a paper in their own words, written after
# summary_en was rewritten. 8 of 44 missed; each was fixed by giving a summary the words
# researchers use (dropping layers, practical lessons, taxonomy...), or a synonym. So it
# guards against regressions; it does not measure generalisation as the others do.
DESCRIPTIVE_PARAPHRASED: list[tuple[str, str]] = [
    ("how do you fine-tune gpt-2 with human feedback on summarization", "rlhf"),
    ("can you skip the reward model and optimize preferences directly", "dpo"),
    ("does ppo still beat dpo if implemented right", "dpo-vs-ppo"),
    ("training a harmless assistant with a list of rules and ai critiques", "constitutional-ai"),
    ("can ai-generated preference labels replace human annotators", "rlaif"),
    ("a model that improves by grading its own outputs", "self-rewarding"),
    ("small trainable modules added to bert for each new task", "adapter"),
    ("what design choices make adapters prefix tuning and lora work", "unified-peft"),
    ("continuous prefix vectors for generation with a frozen gpt-2", "prefix-tuning"),
    ("prompt tuning gets as good as model tuning for very large t5", "prompt-tuning"),
    ("learned prompts make gpt competitive with bert on understanding", "p-tuning"),
    ("prompt tuning on every layer for sequence labeling", "p-tuning-v2"),
    ("freezing weights and training two small matrices per layer", "lora"),
    ("lessons from running lora in practice", "lora-note"),
    ("does lora forget less than full fine-tuning on code", "lora-learns-less"),
    ("cheap instruction tuning of llama with gated adaption prompts", "llama-adapter"),
    ("taxonomy of parameter efficient methods with theory", "peft-nmi"),
    ("when should you use peft versus full fine-tuning given data size", "peft-empirical"),
    ("adapter library for open llms evaluated on math reasoning", "llm-adapters"),
    ("showing worked reasoning steps in the prompt helps big models", "cot"),
    ("reasoning without exemplars just by a magic phrase", "zero-shot-cot"),
    ("cluster questions to pick diverse chain of thought demos", "auto-cot"),
    ("gpt-4 coordinating copies of itself as specialists", "meta-prompting"),
    ("what do bert attention heads attend to", "bert-attention"),
    ("attention weight times vector norm gives a better picture", "attention-norm"),
    ("residual connections dominate over attention mixing in bert", "attnresln"),
    ("visualizing what ffn layers do to token interactions", "ffn-attention-maps"),
    ("how in-context learning works through label tokens", "label-words-anchors"),
    ("adaptive inference that exits at an intermediate layer", "adainfer"),
    ("dropping middle layers barely changes predictions", "stages-of-inference"),
    ("using a small lm to penalize bad continuations of a big lm", "contrastive-decoding"),
    ("contrastive decoding for math and commonsense reasoning benchmarks", "cd-reasoning"),
    ("fine-tune a model to hallucinate then contrast against it", "icd"),
    ("decoding that makes the model follow the given document over its memory", "cad"),
    ("irrelevant passages as negatives in contrastive decoding for qa", "multi-input-cd"),
    ("rag decoding that down-weights unreliable retrieved documents", "acd"),
    ("contrasting early and late layer outputs to cut hallucination", "dola"),
    ("let users emphasize prompt spans via attention reweighting", "pasta"),
    ("attention to entities predicts whether the llm answer is correct", "sat-probe"),
    ("why keeping the first token in the cache stabilizes long generation", "streamingllm"),
    ("training-free attention fix that improves llm accuracy", "act"),
    ("singular vectors of the unembedding explain sinks", "spectral-filters"),
    ("models do worse when the answer is in the middle of long input", "lost-in-the-middle"),
    ("last token representations collapse for long similar sequences", "transformers-need-glasses"),
]

# A fifth table: terse keyword queries (names, datasets, numbers, jargon), written after the
# rewrite and not tuned on: 40/44 first with the catalog and scoring before it, 43/44 after.
DESCRIPTIVE_KEYWORDS: list[tuple[str, str]] = [
    ("openai 2019 human preference reward learning language models", "rlhf"),
    ("closed-form optimal policy preference loss", "dpo"),
    ("empirical comparison reward-based and reward-free alignment", "dpo-vs-ppo"),
    ("anthropic constitution self-improvement harmless", "constitutional-ai"),
    ("scaling rlhf using ai labelers", "rlaif"),
    ("llm-as-a-judge iterative training beats gpt-4 on alpacaeval", "self-rewarding"),
    ("houlsby bottleneck adapter glue", "adapter"),
    ("parallel adapter variant from a unified perspective", "unified-peft"),
    ("virtual tokens prefix optimization natural language generation", "prefix-tuning"),
    ("lester soft prompt t5 scale", "prompt-tuning"),
    ("p-tuning superglue lama gpt", "p-tuning"),
    ("deep prompt tuning comparable to fine-tuning across scales", "p-tuning-v2"),
    ("trainable rank decomposition no inference latency", "lora"),
    ("note on deploying low-rank adaptation", "lora-note"),
    (
        "continued pretraining vs instruction finetuning with lora on code and math",
        "lora-learns-less",
    ),
    ("zero-initialized attention gating llama", "llama-adapter"),
    ("delta-tuning nature machine intelligence", "peft-nmi"),
    ("peft converges slower in low-resource settings flan-t5", "peft-empirical"),
    ("math10k commonsense170k adapters", "llm-adapters"),
    ("palm 540b chain-of-thought exemplars", "cot"),
    ("multiarith zero-shot prompting", "zero-shot-cot"),
    ("automatic construction of reasoning demonstrations", "auto-cot"),
    ("conductor model expert instances python interpreter", "meta-prompting"),
    ("attention maps of bert sep token", "bert-attention"),
    ("vector norm attention analysis special tokens", "attention-norm"),
    ("attention block residual layernorm analysis masked lm", "attnresln"),
    ("feed-forward contextualization attention map integrated gradients", "ffn-attention-maps"),
    ("information flow label words icl", "label-words-anchors"),
    ("adaptive layer termination for efficient llm inference", "adainfer"),
    ("layer deletion and swapping robustness four stages", "stages-of-inference"),
    ("opt-13b expert opt-125m amateur decoding", "contrastive-decoding"),
    ("contrastive decoding hellaswag gsm8k llama-65b", "cd-reasoning"),
    ("induce-then-contrast factscore truthfulqa", "icd"),
    ("contrast with and without context to reduce hallucination in summarization", "cad"),
    ("relevant and irrelevant context contrastive decoding open-domain qa", "multi-input-cd"),
    ("entropy-based adaptive weight contrastive decoding noisy retrieval", "acd"),
    ("decoding by contrasting layers jensen-shannon", "dola"),
    ("post-hoc attention steering user emphasis", "pasta"),
    ("constraint satisfaction factual error prediction attention probe", "sat-probe"),
    ("window attention failure initial tokens streaming", "streamingllm"),
    ("attention sinks beyond the first token calibration", "act"),
    ("logit spectroscopy dark signals", "spectral-filters"),
    ("multi-document qa position of relevant passage", "lost-in-the-middle"),
    ("representational collapse counting copying decoder-only", "transformers-need-glasses"),
]

# Queries about other fields, or about nothing: they must find nothing.
OUT_OF_FIELD = [
    "graph neural networks for molecules",
    "zxqwv",
    "speech synthesis vocoder",
    "protein folding structure prediction",
    "image segmentation with convolutional networks",
    "stock market price forecasting",
    "medieval french poetry",
    "weather radar rainfall nowcasting",
    "quantum error correction codes",
    "sourdough bread fermentation",
    "autonomous driving lidar point clouds",
    "reinforcement of concrete beams",
    # fields near ours, and words the synonym map widens (kv, summary, math, big, reduce)
    "federated learning privacy",
    "object detection yolo",
    "diffusion model image generation",
    "speech recognition with transformers",
    "time series forecasting transformer",
    "recommendation systems collaborative filtering",
    "kv store",
    "summary statistics",
    "math olympiad geometry",
    "big data pipelines",
    "reduce energy consumption of data centers",
]


def test_descriptive_table_is_big_and_names_real_papers(shipped: Catalog) -> None:
    assert len(DESCRIPTIVE) >= 40 and len(OUT_OF_FIELD) >= 10
    assert len({q for q, _ in DESCRIPTIVE}) == len(DESCRIPTIVE)
    assert {p for _, p in DESCRIPTIVE} <= set(shipped.ids)


def _descriptive_ranks(shipped: Catalog, table=DESCRIPTIVE) -> tuple[float, float, list]:
    ranks = []
    for text, expected in table:
        found = top(shipped, text, limit=3)
        ranks.append(found.index(expected) + 1 if expected in found else None)
    top1 = sum(r == 1 for r in ranks) / len(ranks)
    top3 = sum(r is not None for r in ranks) / len(ranks)
    misses = [
        (q, e, top(shipped, q, limit=3)) for (q, e), r in zip(table, ranks, strict=True) if r != 1
    ]
    print(
        f"\ndescriptive search over {len(ranks)} queries: top-1 {top1:.1%}, top-3 {top3:.1%}; "
        f"not first: {misses}"
    )
    return top1, top3, misses


def test_search_held_out_descriptions(shipped: Catalog) -> None:
    assert len(DESCRIPTIVE_HELD_OUT) >= 25
    assert {p for _, p in DESCRIPTIVE_HELD_OUT} <= set(shipped.ids)
    top1, top3, misses = _descriptive_ranks(shipped, DESCRIPTIVE_HELD_OUT)
    assert top1 >= 0.90 and top3 >= 0.97, misses


def test_search_descriptive_accuracy(shipped: Catalog) -> None:
    top1, top3, misses = _descriptive_ranks(shipped)
    assert top1 >= 0.90 and top3 >= 0.97, misses


def test_abstract_table_is_big_and_names_every_paper(shipped: Catalog) -> None:
    assert len(DESCRIPTIVE_FROM_ABSTRACTS) >= 40
    assert len({q for q, _ in DESCRIPTIVE_FROM_ABSTRACTS}) == len(DESCRIPTIVE_FROM_ABSTRACTS)
    papers = {p.id for p in shipped.papers if p.kind == "paper"}
    assert {p for _, p in DESCRIPTIVE_FROM_ABSTRACTS} == papers  # every paper, nothing else


def test_search_descriptions_from_abstracts(shipped: Catalog) -> None:
    top1, top3, misses = _descriptive_ranks(shipped, DESCRIPTIVE_FROM_ABSTRACTS)
    assert top1 >= 0.90 and top3 >= 0.97, misses


def test_search_paraphrased_descriptions(shipped: Catalog) -> None:
    assert len({q for q, _ in DESCRIPTIVE_PARAPHRASED}) == len(DESCRIPTIVE_PARAPHRASED) >= 40
    top1, top3, misses = _descriptive_ranks(shipped, DESCRIPTIVE_PARAPHRASED)
    assert top1 >= 0.90 and top3 >= 0.97, misses


def test_search_keyword_descriptions(shipped: Catalog) -> None:
    assert len({q for q, _ in DESCRIPTIVE_KEYWORDS}) == len(DESCRIPTIVE_KEYWORDS) >= 40
    top1, top3, misses = _descriptive_ranks(shipped, DESCRIPTIVE_KEYWORDS)
    assert top1 >= 0.90 and top3 >= 0.97, misses


@pytest.mark.parametrize("text", OUT_OF_FIELD)
def test_search_out_of_field_finds_nothing(shipped: Catalog, text: str) -> None:
    assert top(shipped, text) == []


# ---------------------------------------------------------------- names a user holds


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("hu2022lora", "lora"),
        ("HU2022LORA", "lora"),
        ("DPO", "dpo"),
        ("lora", "lora"),
        ("StreamingLLM", "streamingllm"),
        ("streaming llm", "streamingllm"),
        ("2305.18290", "dpo"),
        ("arXiv:2305.18290v3", "dpo"),
        ("https://arxiv.org/abs/2305.18290", "dpo"),
        ("https://arxiv.org/pdf/2305.18290v2.pdf", "dpo"),
        ("10.48550/arXiv.2305.18290", "dpo"),
        # as browsers and reference managers show them
        ("arxiv.org/abs/2305.18290v2", "dpo"),
        ("www.arxiv.org/abs/2309.17453", "streamingllm"),
        ("arxiv 2305.18290", "dpo"),
        ("https://doi.org/10.48550/arXiv.2305.18290", "dpo"),
        ("doi:10.48550/arxiv.2305.18290", "dpo"),
        ("doi.org/10.1038/s42256-023-00626-4", "peft-nmi"),
        ("dx.doi.org/10.1038/S42256-023-00626-4", "peft-nmi"),
    ],
)
def test_names_find_their_paper(shipped: Catalog, name: str, expected: str) -> None:
    assert ids(shipped, query.lookup(shipped, [name])) == [expected]
    hits = query.search(shipped, name)
    assert shipped.ids[hits[0].position] == expected and hits[0].score == 100


def test_doi_in_any_form_finds_its_paper(shipped: Catalog) -> None:
    position = next(i for i in range(len(shipped)) if shipped.paper(i).doi)
    doi = shipped.paper(position).doi
    for form in [doi, doi.upper(), f"doi:{doi}", f"https://doi.org/{doi}"]:
        assert query.lookup(shipped, [form]) == [position], form


def test_name_of_several_papers_lists_them(tiny_catalog) -> None:
    text = tiny_catalog.read_text(encoding="utf-8").replace(
        'aliases = ["BEU"]', 'aliases = ["AMT"]'
    )
    tiny_catalog.write_text(text, encoding="utf-8")
    cat = catalog.load(tiny_catalog)
    with pytest.raises(AmbiguousName) as info:
        query.lookup(cat, ["amt"])
    assert "smith2020alpha" in str(info.value) and "muller2022beta" in str(info.value)


def test_unknown_name_points_to_search(shipped: Catalog) -> None:
    with pytest.raises(UnknownKey) as info:
        query.lookup(shipped, ["hu2022lroa"])
    assert "did you mean hu2022lora" in str(info.value)
    assert "litlist search" in str(info.value)


def test_draft_keys_stay_keys_only(shipped: Catalog) -> None:
    with pytest.raises(UnknownKey):
        query.lookup(shipped, ["DPO"], keys_only=True)


# ---------------------------------------------------------------- Korean particles


@pytest.mark.parametrize(
    "particle",
    ["", "는", "를", "은", "을", "이", "의", "에서", "에서는", "으로", "과", "와", "도", "만"],
)
def test_korean_particles_meet(shipped: Catalog, particle: str) -> None:
    """Whatever particle a user types after a word, the same papers are found."""
    plain = top(shipped, "가설", limit=None)
    assert plain and top(shipped, "가설" + particle, limit=None) == plain


@pytest.mark.parametrize(
    ("word", "stem"),
    [
        ("수정하는", "수정"),  # a predicate ending, not 수정하 + the particle 는
        ("무해한", "무해"),
        ("효율적인", "효율"),
        ("집중시키는", "집중"),
        ("가중치를", "가중치"),
        ("모델들을", "모델"),  # particle, then the plural
        ("단계별로", "단계"),
        ("삭제해도", "삭제"),  # concessive, not 삭제해 + the particle 도
        ("유지된다", "유지"),
        ("생성하도록", "생성"),
        ("학습하면서", "학습"),
        ("무한", "무한"),  # 한 ends the noun: one syllable would remain
        ("제한", "제한"),
        ("모델", "모델"),
    ],
)
def test_korean_stem_finds_the_noun(word: str, stem: str) -> None:
    assert ix.korean_stem(word) == stem


@pytest.mark.parametrize(
    "korean",
    ["강화학습 없이 보상 모델 학습", "보상 모델을 강화학습 없이 학습하는", "인간 피드백의 보상"],
)
def test_korean_words_find_english_summaries(korean: str) -> None:
    catalog = _tiny(
        "a reward model trained by reinforcement learning from human feedback",
        "sourdough bread fermentation with wild yeast",
    )
    assert [catalog.ids[h.position] for h in query.search(catalog, korean)] == ["a"]


@pytest.mark.parametrize("verb", ["배우고", "배워서", "배운", "배우는"])
def test_korean_verbs_meet_their_english_however_they_end(verb: str) -> None:
    catalog = _tiny("models learn the task", "sourdough bread fermentation with wild yeast")
    assert [catalog.ids[h.position] for h in query.search(catalog, f"모델이 {verb}")] == ["a"]


@pytest.mark.parametrize(
    ("phrased", "plain"),
    [
        (
            "soft prompts become competitive as models get larger",
            "soft prompts competitive models larger",
        ),
        ("make llms forget less during fine tuning", "llms forget less fine tuning"),
    ],
)
def test_the_verbs_a_description_is_built_on_do_not_rank(
    shipped: Catalog, phrased: str, plain: str
) -> None:
    # "become", "get", "make" are absent from or rare in a short list, so they weighed as
    # much as the words the query is about and sank the paper below the evidence rule
    assert top(shipped, phrased, limit=1) == top(shipped, plain, limit=1) != []


@pytest.mark.parametrize(
    ("phrased", "plain"),
    [
        ("LoRA 관련 논문", "lora"),
        ("어텐션 싱크 논문들", "attention sink"),
        ("CoT 방법", "cot"),
        ("모든 층에 프롬프트", "층에 프롬프트"),  # 모든 (all) is rare in the bullets, not rare
    ],
)
def test_korean_phrasing_words_do_not_rank(shipped: Catalog, phrased: str, plain: str) -> None:
    # 논문 (paper), 관련 (related), 방법 (method) are in bullets that are about other things
    assert top(shipped, phrased, limit=1) == top(shipped, plain, limit=1) != []


def test_every_korean_term_is_found_with_or_without_a_particle() -> None:
    tokens = ix.Tokens()
    for term, senses in vocabulary.KOREAN_TERMS.items():
        assert senses and all(ix.words(sense) for sense in senses), term
        for typed in (term, term + "를", term + "에서는"):
            assert query._glossed(tokens, typed), typed


def test_korean_particle_stripping_rules() -> None:
    assert ix.strip_particle("가중치는") == "가중치"
    assert ix.strip_particle("가중치에서는") == "가중치"
    assert ix.strip_particle("jsd가") == "jsd"
    assert ix.strip_particle("사이") is None  # one syllable would remain
    assert ix.strip_particle("가중치") is None


# ---------------------------------------------------------------- what matched, noise, bounds


def test_hits_say_what_matched(shipped: Catalog) -> None:
    hits = query.search(shipped, "attention sink")
    assert dict(hits[0].matched) == {"alias": "attention sink"}
    described = query.search(shipped, "preference labels from an llm instead of humans")
    fields = dict(described[0].matched)
    assert "summary" in fields and len(fields["summary"]) < 200


def test_exact_surname_beats_typos_of_words(shipped: Catalog) -> None:
    assert top(shipped, "finn") == ["dpo"]


@pytest.mark.parametrize("n", [1000, 3000])
def test_huge_queries_are_bounded(shipped: Catalog, n: int) -> None:
    words = [f"w{i}x" for i in range(n)] + ["dpo"] * n
    hits = query.search(shipped, " ".join(words))
    assert all(0 <= h.score <= 100 for h in hits)  # shown on the whole scale
    assert len(ix.words(" ".join(words))) > query.MAX_QUERY_WORDS


@pytest.mark.parametrize(
    ("british", "american"),
    [("normalisation", "normalization"), ("summarised", "summarized"), ("behaviour", "behavior")],
)
def test_british_and_american_spellings_meet(british: str, american: str) -> None:
    tokens = ix.Tokens()
    assert tokens.of(british) == tokens.of(american)


# ---------------------------------------------------------------- spellings and abbreviations


@pytest.mark.parametrize(
    ("glued", "hyphenated"),
    [
        ("finetuning", "fine-tuning"),
        ("Finetuned", "fine tuned"),
        ("pretrained", "pre-trained"),
        ("feedforward", "feed-forward"),
        ("multimodal", "multi-modal"),
        ("zeroshot", "zero-shot"),
        ("posthoc", "post-hoc"),
    ],
)
def test_glued_compounds_meet_their_hyphenated_spelling(glued: str, hyphenated: str) -> None:
    tokens = ix.Tokens()
    assert tokens.text([glued]) == tokens.text([hyphenated])
    assert len(tokens.text([glued])) == 2


@pytest.mark.parametrize(
    ("glued", "spaced"),
    [
        ("chainofthought prompting", "chain of thought prompting"),
        ("attentionsink streaming", "attention sink streaming"),
        ("lostinthemiddle long context", "lost in the middle long context"),
    ],
)
def test_words_typed_without_spaces_inside_a_query(shipped: Catalog, glued, spaced) -> None:
    assert top(shipped, glued) == top(shipped, spaced) != []


def test_a_typo_is_not_taken_apart_as_glued_words(shipped: Catalog) -> None:
    idx = query._index(shipped)
    assert query._unglue(idx, "halucination") is None
    assert query._unglue(idx, "rewardmodel") == ["reward", "model"]


@pytest.mark.parametrize("word", ["present", "prefix", "predict", "finest", "multiple", "keys"])
def test_words_that_only_start_like_a_compound_stay_whole(word: str) -> None:
    assert len(ix.Tokens().of(word)) == 1


def test_glued_spelling_finds_what_the_hyphenated_one_finds(shipped: Catalog) -> None:
    hyphenated = top(shipped, "lora versus full fine-tuning on code and math", limit=3)
    assert hyphenated and hyphenated[0] == "lora-learns-less"
    glued = top(shipped, "lora versus full finetuning on code and math", limit=3)
    assert glued[:1] == hyphenated[:1]


def _tiny(summary_en: str, other: str):
    """A two-paper catalog: paper 'a' says `summary_en`, paper 'b' says `other`."""
    from litlist.model import Paper

    def paper(pid: str, text: str) -> Paper:
        return Paper(id=pid, kind="paper", title=f"Paper {pid}", topic="t", summary_en=text)

    return Catalog("tiny.toml", [], [], [paper("a", summary_en), paper("b", other)])


@pytest.mark.parametrize(
    ("query_text", "paper_says"),
    [
        ("rl from preferences", "reinforcement learning from preferences"),
        ("reinforcement learning from preferences", "RL from preferences"),
        ("kv cache eviction", "key value cache eviction"),
        ("retrieval augmented qa", "retrieval augmented question answering"),
        ("llm agents", "LLMs as agents"),
        ("llms as agents", "an LLM agent"),
        ("summaries of news", "summarization of news"),
        ("mitigate hallucinations", "alleviating hallucinations"),
        ("mechanistic interpretability", "mechanical interpretability"),
        ("an explanation of sinks", "explains the sinks"),
        ("analyzing attention", "an analysis of attention"),
    ],
)
def test_abbreviations_and_kin_find_the_paper(query_text: str, paper_says: str) -> None:
    catalog = _tiny(paper_says, "sourdough bread fermentation with wild yeast")
    assert [catalog.ids[h.position] for h in query.search(catalog, query_text)] == ["a"]


def test_words_the_index_makes_one_count_once() -> None:
    # "optimal" and "optimisation" are one token: the paper holding it in its title must
    # not outweigh the one holding the other words twice over
    catalog = _tiny("optimal control of delta updates", "a study of optimization")
    catalog_words = query._expand(query._index(catalog), ["optimal", "optimisation", "delta"])
    assert [w.text for w in catalog_words[0]] == ["optimal", "delta"]


def test_a_query_mostly_of_words_no_paper_uses_finds_nothing() -> None:
    catalog = _tiny("path finding in multi head attention", "sourdough bread fermentation")
    assert query.search(catalog, "multi agent path finding warehouse robots") == []
    assert [catalog.ids[h.position] for h in query.search(catalog, "multi path finding")] == ["a"]


@pytest.mark.parametrize("name", ["C. Finn", "Finn C", "c finn"])
def test_an_initial_with_a_surname_finds_the_author(shipped: Catalog, name: str) -> None:
    assert top(shipped, name) == top(shipped, "finn") == ["dpo"]


def test_a_synonym_counts_less_than_the_word_itself() -> None:
    catalog = _tiny("reinforcement learning from preferences", "RL from preferences")
    hits = query.search(catalog, "rl from preferences")
    assert [catalog.ids[h.position] for h in hits] == ["b", "a"]
    assert hits[0].score > hits[1].score


def test_words_a_description_is_phrased_with_do_not_rank(shipped: Catalog) -> None:
    # PASTA's alias ends in "Approach": that word alone must not lift it above the paper
    # the rest of the description is about
    plain = top(shipped, "subtracts a small model's predictions from a large model's", limit=3)
    phrased = "the approach that subtracts a small model's predictions from a large model's"
    assert plain and top(shipped, phrased, limit=3) == plain
    assert "pasta" not in top(shipped, phrased, limit=3)


def test_a_query_of_filler_words_alone_still_searches(shipped: Catalog) -> None:
    found = top(shipped, "approach")  # in PASTA's alias
    assert found and found[0] == "pasta"


# ---------------------------------------------------------------- a table written blind

# Written without reading the catalog's summaries: for each paper only its title and arXiv
# id, and what public pages (abstracts, blog posts, READMEs) say it is known for. Queries
# as a researcher would remember the paper: descriptions that avoid its title's words,
# British spellings, typos, mixed case, Korean, and a surname with a topic. A check of the
# search against text its authors did not tune it on.
# One query a line, "paper id | query".
_BLIND_TEXT = """
# preference learning and alignment
rlhf | reward model learnt from human comparisons for sentiment continuation
rlhf | ziegler christiano summarisation from human labellers
dpo | no reward model, classification loss on preferred vs rejected responses
dpo | 강화학습 없이 선호 데이터로 언어 모델을 직접 최적화
dpo | rafailov finn preferences
dpo-vs-ppo | PPO beats DPO on code competitions with advantage normalisation
dpo-vs-ppo | reward-free alignment exploits out-of-distribution responses
constitutional-ai | harmless assistant trained by self-critique and revisions against principles
constitutional-ai | 헌법 원칙에 따라 스스로 비판하고 수정하는 무해한 모델
rlaif | off-the-shelf LLM labels preferences instead of human annotators
rlaif | AI labeller preference as good as human feedback for summarization
self-rewarding | model acts as its own judge, iterative DPO on Llama 2 70B
self-rewarding | LLM-as-a-judge scores its own answers to build preference pairs
# parameter-efficient fine-tuning
adapter | houlsby bottleneck modules between transformer layers
adapter | small bottleneck layers added to BERT, within 0.4% of full finetuning on GLUE
unified-peft | one framework connecting prefix tuning, adapters and lora, mix and match
prefix-tuning | trainable virtual tokens prepended at every layer for table-to-text with GPT-2
prefix-tuning | prefx tuning for summarisation with a frozen BART
prompt-tuning | soft prompts catch up with model tuning as T5 grows to billions of parameters
prompt-tuning | lester soft prompt scale
p-tuning | continuous prompt embeddings make GPT good at NLU and LAMA knowledge probing
p-tuning-v2 | deep prompts on every layer match fine-tuning for sequence labelling
lora | freeze pretrained weights, inject trainable rank decomposition matrices
lora | 저랭크 분해 행렬로 가중치 업데이트를 근사하는 미세조정
lora | low rank adaption of big langauge models with no extra inference latency
lora-note | practical notes on deploying low-rank adapters at scale without new experiments
lora-learns-less | LoRA underperforms full finetuning on code and maths but forgets less
lora-learns-less | forgetting trade-off, low-rank vs full fine-tuning, continued pretraining
llama-adapter | zero-gated attention, learnable adaption prompts, 1.2M parameters, one hour
llama-adapter | instruction-following llama with zero initialised gating
peft-nmi | parameter-efficient methods seen through optimisation and optimal control
peft-empirical | PEFT on FLAN-T5 converges slower than full tuning with little data
llm-adapters | series vs parallel adapters vs LoRA on arithmetic and commonsense reasoning
# prompting and reasoning
cot | few-shot exemplars with intermediate reasoning steps improve arithmetic on PaLM 540B
cot | 중간 추론 단계를 예시로 보여주는 프롬프트
zero-shot-cot | kojima single trigger phrase elicits multi-step reasoning without exemplars
auto-cot | cluster questions for diversity and build demonstrations automatically
meta-prompting | conductor LM hands subtasks to expert copies of itself, python interpreter
meta-prompting | suzgun kalai scaffolding
# attention and interpretability
bert-attention | heads attend to SEP and punctuation, some track syntax and coreference
bert-attention | BERT 어텐션 헤드가 구문과 상호참조를 포착하는지 분석
attention-norm | norm of weighted value vectors instead of attention weights alone
attnresln | residual connections and layer normalisation in token mixing analysis of BERT
ffn-attention-maps | MLP sublayers' contextualisation drawn as attention, effects cancel out
label-words-anchors | in-context learning: label tokens aggregate demonstration information early
label-words-anchors | anchor re-weighting and demonstration compression for ICL
adainfer | early exit with an SVM classifier that stops inference at an intermediate layer
adainfer | 추론 시 일부 레이어만 사용하고 조기 종료
stages-of-inference | deleting and swapping adjacent layers; detokenisation then residual sharpening
stages-of-inference | tegmark gurnee layer swapping
# decoding
contrastive-decoding | expert minus amateur log-probs, plausibility constraint, open-ended text
contrastive-decoding | OPT-13B minus OPT-125M for less repetitive generations
cd-reasoning | weak vs strong model likelihood difference boosts GSM8K and HellaSwag
icd | fine-tune a factually weak model to hallucinate, subtract it while decoding
icd | 환각을 유도한 모델과 대조해서 사실성 향상
cad | probabilities with and without context, contrasted for faithful summarisation
cad | knowledge conflicts: override prior knowledge when the context contradicts it
multi-input-cd | adversarial irrelevant passages as negatives when decoding, open-domain QA
acd | entropy-based adaptive weight on retrieved context when passages are noisy
acd | 검색 증강 생성에서 노이즈 문맥에 강건한 디코딩
dola | contrast logits of later and earlier layers to improve truthfulness on TruthfulQA
dola | dynamic premature layer selection for factuality
pasta | steer selected attention heads toward user-emphasised spans, like bold text
pasta | 사용자가 강조한 부분에 어텐션을 집중시키는 방법
sat-probe | factual queries as constraints; attention to constraint tokens predicts errors
sat-probe | probe predicts when Llama-2 gets a fact wrong from its attention
# attention sinks and long context
streamingllm | keep the KV of the first tokens so window attention works for endless streams
streamingllm | 4 million tokens, 22x faster than sliding window recomputation
streamingllm | 초기 토큰의 KV를 유지해서 무한 길이 스트리밍 생성
act | sinks appear in later tokens too; calibrate attention at inference without finetuning
spectral-filters | logit lens extension that splits unembedding singular vectors into bands
spectral-filters | cancedda logit spectroscopy
lost-in-the-middle | U-shaped accuracy: relevant document at the start or end of long input
lost-in-the-middle | 긴 문맥 중간에 있는 정보를 잘 활용하지 못함
transformers-need-glasses | decoder-only models fail counting and copying at low float precision
transformers-need-glasses | last token states of distinct sequences become arbitrarily close
streamingllm | attenton sinks Streaming LLM
cd-reasoning | contrastve decoding reasoning gsm8k
streamingllm | KV Cache Eviction Keeps Initial Tokens
"""


def _table(text: str) -> list[tuple[str, str]]:
    """(query, paper id) pairs from lines "paper id | query"; # starts a comment line."""
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    return [(query_text, paper) for paper, query_text in (ln.split(" | ", 1) for ln in lines)]


BLIND = _table(_BLIND_TEXT)

# Neighbouring fields, other fields and nonsense, written with the table above: nothing fits.
BLIND_OUT_OF_FIELD = [
    # vision
    "vision transformer image classification with patches",
    "neural radiance fields novel view synthesis",
    "monocular depth estimation from single images",
    "video action recognition with 3d convolutions",
    "generative adversarial networks for face synthesis",
    # reinforcement learning, robotics
    "sim-to-real transfer for robotic grasping",
    "reinforcement learning for legged locomotion",
    "multi-agent path finding for warehouse robots",
    "policy gradients for atari games",
    # speech
    "speaker diarisation in meeting recordings",
    "text-to-speech prosody modelling",
    "automatic speech recognition for low-resource languages",
    "음성 인식 모델",
    # bioinformatics
    "single-cell RNA sequencing clustering",
    "genome variant calling with deep learning",
    "drug target interaction prediction",
    "protein language models for enzyme function",
    # databases
    "query optimiser cardinality estimation",
    "b-tree index concurrency control",
    "transaction isolation levels in distributed databases",
    "learned index structures for key-value stores",
    # ML systems
    "gpu kernel fusion compiler",
    "distributed data parallel training communication overlap",
    "pipeline parallelism bubble scheduling",
    "parameter server asynchronous sgd",
    # elsewhere, and nothing at all
    "election tweets sentiment",
    "이미지 분할 모델",
    "qwzx plorb fnord",
    "lorem ipsum dolor sit amet",
    "banana helicopter umbrella",
]


def test_blind_table_names_real_papers(shipped: Catalog) -> None:
    assert len({q for q, _ in BLIND}) == len(BLIND) >= 60
    assert len(set(BLIND_OUT_OF_FIELD)) == len(BLIND_OUT_OF_FIELD) >= 25
    papers = {p.id for p in shipped.papers if p.kind == "paper"}
    assert {p for _, p in BLIND} == papers  # every paper, nothing else


def test_search_blind_table(shipped: Catalog) -> None:
    # as first written it scored 84.8% / 86.1% (whole Korean sentences found nothing)
    top1, top3, misses = _descriptive_ranks(shipped, BLIND)
    assert top1 >= 0.95 and top3 >= 0.97, misses


@pytest.mark.parametrize("text", BLIND_OUT_OF_FIELD)
def test_search_blind_out_of_field_finds_nothing(shipped: Catalog, text: str) -> None:
    assert top(shipped, text) == []


# Written the same way after the fixes above, and measured once: 27 of 27 first (the code
# before this round: 21, all six Korean ones missed). Not tuned on since.
_BLIND_LATE_TEXT = """
rlhf | openai 2019 stylistic continuation with 5000 human comparisons
dpo | bradley-terry preference loss replaces the RL step
dpo-vs-ppo | tsinghua study: reward-based beats reward-free alignment on codecontests
constitutional-ai | bai et al. red teaming prompts with chain-of-thought critiques
rlaif | lee et al. google: llm labeler as good as humans for summarization and dialogue
self-rewarding | weston yuan iterative self-alignment alpacaeval
adapter | transfer learning with few task-specific parameters per task, BERT GLUE 2019
unified-peft | he et al. parallel adapter on the FFN, scaled, beats prefix tuning
prompt-tuning | google T5 soft prompt ensembling and domain shift robustness
llama-adapter | multimodal instruction following with ScienceQA from llama 7b
peft-nmi | tsinghua big survey: addition-based, specification-based, reparameterisation-based
cot | 체인 오브 소트 예시로 수학 문제 풀이 능력 향상
auto-cot | 다양한 질문을 골라 자동으로 추론 사슬 시연 만들기
meta-prompting | one LLM orchestrates itself as a panel of specialists, game of 24
attention-norm | attention weights alone mislead; multiply by transformed value vector length
label-words-anchors | 레이블 단어가 정보 흐름의 앵커 역할을 하는 문맥 내 학습
stages-of-inference | four universal phases from detokenization to sharpening in eight models
contrastive-decoding | li et al 2022 difference between large and small LM log-likelihoods
icd | penalise an evil llm fine-tuned on fabricated facts
cad | 문맥이 있을 때와 없을 때 출력 분포 차이를 증폭
acd | kim et al. EMNLP findings adaptive context weight for open-domain QA
dola | 후반 레이어와 초반 레이어 로짓 차이로 사실성 개선
pasta | Zhang 2024 ICLR attention steering without changing weights
sat-probe | yuksekgonul microsoft attention to constraint tokens and factual errors
streamingllm | 어텐션 싱크 토큰을 남겨 두고 슬라이딩 윈도우로 무한 생성
lost-in-the-middle | stanford liu multi-document question answering position bias
transformers-need-glasses | deepmind velickovic decoder-only information bottleneck
"""
BLIND_LATE = _table(_BLIND_LATE_TEXT)
BLIND_LATE_OUT_OF_FIELD = [
    "object tracking in video with transformers",
    "music generation with diffusion",
    "graph databases query languages",
    "protein-ligand docking with deep learning",
    "스마트폰 배터리 수명",
    "robot arm motion planning with reinforcement learning",
    "speech emotion recognition",
    "sparse matrix multiplication on gpus",
    "semantic segmentation of satellite images",
]


def test_search_blind_table_written_after_the_fixes(shipped: Catalog) -> None:
    assert len({q for q, _ in BLIND_LATE}) == len(BLIND_LATE) >= 25
    assert {p for _, p in BLIND_LATE} <= set(shipped.ids)
    top1, top3, misses = _descriptive_ranks(shipped, BLIND_LATE)
    assert top1 >= 0.95 and top3 >= 0.97, misses


@pytest.mark.parametrize(
    "text",
    [
        *BLIND_LATE_OUT_OF_FIELD,
        # a known miss: image and representation are in LLaMA-Adapter's summary, and the
        # index keeps no word order to tell "contrastive learning" from the words apart
        pytest.param(
            "contrastive learning for image representations simclr",
            marks=pytest.mark.xfail(strict=True, reason="words found apart, not as a phrase"),
        ),
    ],
)
def test_search_late_out_of_field_finds_nothing(shipped: Catalog, text: str) -> None:
    assert top(shipped, text) == []


# ---------------------------------------------------------------- a catalog that grows

_ALL_TABLES = ("QUERY_TABLE", "DESCRIPTIVE", "DESCRIPTIVE_HELD_OUT", "DESCRIPTIVE_PARAPHRASED")
_NONSENSE = ["zxqwv", "qwzx plorb fnord", "lorem ipsum dolor sit amet", "블라블라"]


def test_search_keeps_its_answers_when_papers_of_other_fields_join(
    shipped: Catalog, own_catalog
) -> None:
    """`litlist import` of 20 papers from vision, RL, speech, biology, databases and ML
    systems: every query answers as before, and each new paper is found by its title."""
    from typer.testing import CliRunner

    from litlist.cli import app

    bib = Path(__file__).parent / "fixtures" / "bib" / "other_fields.bib"
    args = ["-c", str(own_catalog), "import", str(bib), "--new-topic", "Other Fields"]
    result = CliRunner().invoke(app, args, prog_name="litlist")
    assert result.exit_code == 0, result.stderr
    grown = catalog.check(own_catalog)[0]
    new = [p for p in grown.papers if p.id not in set(shipped.ids)]
    assert len(new) == 20
    queries = [q for name in _ALL_TABLES for q, _ in globals()[name]] + [q for q, _ in BLIND]
    changed = [q for q in queries if top(grown, q, limit=1) != top(shipped, q, limit=1)]
    assert changed == []
    assert [p.id for p in new if top(grown, p.title, limit=1) != [p.id]] == []
    assert [q for q in _NONSENSE if top(grown, q)] == []


def test_nonsense_finds_nothing_in_a_large_synthetic_catalog(tmp_path, monkeypatch) -> None:
    """The benchmark's synthetic papers (the field's words in many combinations) give a
    query of nonsense, or of other fields, no evidence to stand on."""
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location(
        "bench", Path(__file__).parents[1] / "benchmarks" / "bench.py"
    )
    bench = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    monkeypatch.setitem(sys.modules, "bench", bench)  # its dataclasses look themselves up
    spec.loader.exec_module(bench)  # type: ignore[union-attr]
    path = tmp_path / "synthetic.toml"
    bench.generate(2000, 0, path)
    synthetic = catalog.check(path)[0]
    assert len(synthetic) == 2000
    assert [q for q in _NONSENSE + BLIND_OUT_OF_FIELD[-3:] if top(synthetic, q)] == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("LoRA 뭐였지", "lora"),  # a word no paper holds never refuses a name
        ("DPO 뭐였지", "dpo"),
        ("CoT 방법", "cot"),  # the paper named, before those whose alias holds the name
        ("2305.18290 블라블라", "dpo"),
    ],
)
def test_a_word_that_names_a_paper_is_not_refused_for_unknown_words(
    shipped: Catalog, text: str, expected: str
) -> None:
    assert top(shipped, text, limit=1) == [expected]


def test_a_name_beside_a_sound_alike_guess_is_still_found(shipped: Catalog) -> None:
    # 블라블라 sounds like "properly" to the loanword reader: papers holding that guess may
    # come first, but the paper the query names is never left out
    assert "lora" in top(shipped, "LoRA 블라블라", limit=3)


def test_a_named_paper_that_lacks_a_known_word_is_not_forced_first(shipped: Catalog) -> None:
    # "sink" is a word papers hold and DPO does not: the name alone does not decide
    assert top(shipped, "dpo attention sink", limit=1) != ["dpo"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("LoRA 노트", "lora-note"),  # note, by its sound: "A Note on LoRA"
        ("LoRA 인사이트", "lora-note"),  # insights
        ("LoRA 배포", "lora-note"),  # deploying (a Sino-Korean word: the glossary)
    ],
)
def test_hangul_loanwords_meet_the_english_words_they_sound_like(
    shipped: Catalog, text: str, expected: str
) -> None:
    assert top(shipped, text, limit=1) == [expected]


@pytest.mark.parametrize(
    ("hangul", "english"),
    [("노트", "note"), ("인사이트", "insights"), ("서빙", "serving"),
     ("트랜스포머", "transformer"), ("디코딩", "decoding"), ("어텐션", "attention"),
     ("인덱스", "index")],
)  # fmt: skip
def test_a_loanword_sounds_as_its_english_word(hangul: str, english: str) -> None:
    sound = query._sound_of_hangul(hangul)
    assert sound in (query._sound_of_english(english), query._sound_of_english(english[:-1]))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("초기 토큰을 남겨두는 스트리밍", "streamingllm"),  # 남겨두다: keep, with 두다 after it
        ("환각을 일부러 일으킨 모델로 대조", "icd"),  # 일으키다: induce, however it ends
        ("처음 토큰 몇 개를 남겨두면 무한히 생성", "streamingllm"),  # 무한히: an adverb of 무한
    ],
)
def test_native_verbs_and_adverbs_meet_their_english(
    shipped: Catalog, text: str, expected: str
) -> None:
    assert top(shipped, text, limit=1) == [expected]


def test_a_loanword_finds_the_catalog_words_that_sound_like_it(shipped: Catalog) -> None:
    idx = query._index(shipped)
    assert "insight" in query._sounding(idx, "인사이트")
    assert "note" in query._sounding(idx, "노트")
    assert query._sounding(idx, "노") == []  # one consonant says too little
