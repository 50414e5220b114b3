"""Hybrid retrieval: keyword rescue of rare words, filters, as-of and the LangChain seam."""

from __future__ import annotations

from pathlib import Path

import pytest
from langchain_core.documents import Document

from rag.catalog import Filters
from rag.dates import asked_window
from rag.ingest import read_sources
from rag.retrieve import (
    HybridRetriever,
    Passage,
    Weights,
    _diverse,
    fuse,
    passage_from_document,
    recency_boost,
    search,
)
from rag.store import Store

ROOT = Path(__file__).resolve().parents[1]

ARTICLES = {
    "jan.md": (
        "2023-01-10",
        "Daily Bugle",
        "Harbour bridge closed",
        "The harbour bridge was closed for repairs on Tuesday. Engineers found cracks.",
    ),
    "mar.md": (
        "2023-03-20",
        "Daily Bugle",
        "Harbour bridge reopens",
        "The harbour bridge reopened to traffic after repairs. Engineers praised the work.",
    ),
    "jun.md": (
        "2023-06-05",
        "Evening Post",
        "Harbour bridge to get new lanes",
        "The harbour bridge will get two new lanes, the council said on Monday.",
    ),
    "undated.md": (
        None,
        "Evening Post",
        "Harbour bridge history",
        "The harbour bridge was built in 1932 by a team of engineers.",
    ),
}


@pytest.fixture(scope="module")
def store(embedder, tmp_path_factory, backend) -> Store:
    folder = tmp_path_factory.mktemp("bridge-articles")
    for name, (date, source, title, body) in ARTICLES.items():
        front = f"---\ntitle: {title}\nsource: {source}\n" + (
            f"published_at: '{date}'\n" if date else ""
        )
        (folder / name).write_text(front + "---\n" + body + "\n", encoding="utf-8")
    built = backend.store(tmp_path_factory.mktemp("bridge-store"), embedder)
    built.add(read_sources([str(folder), str(ROOT / "corpus")], 10**7))
    return built


def _titles(passages) -> list[str]:
    return [p.title for p in passages]


def test_rare_word_is_found_through_keywords(store: Store) -> None:
    passages = search(store, "Who is the convener of MQM-P?", 5, Filters(), Weights())
    assert "convener" in passages[0].text
    assert passages[0].keyword_rank is not None


def test_source_filter(store: Store) -> None:
    passages = search(store, "harbour bridge", 10, Filters(source="evening post"), Weights())
    assert passages and {p.source for p in passages} == {"Evening Post"}


def test_date_range_excludes_undated_and_out_of_range(store: Store) -> None:
    passages = search(
        store, "harbour bridge", 10, Filters(since="2023-02-01", until="2023-04-30"), Weights()
    )
    assert _titles(passages) == ["Harbour bridge reopens"]


def test_as_of_keeps_undated_and_drops_later_articles(store: Store) -> None:
    passages = search(store, "harbour bridge", 10, Filters(as_of="2023-03-31"), Weights())
    titles = set(_titles(passages))
    assert "Harbour bridge to get new lanes" not in titles
    assert {"Harbour bridge closed", "Harbour bridge reopens", "Harbour bridge history"} <= titles


def test_as_of_prefers_the_nearest_article(store: Store) -> None:
    passages = search(
        store,
        "harbour bridge engineers repairs",
        10,
        Filters(as_of="2023-03-25"),
        Weights(recency=1.0),
    )
    dated = [p for p in passages if p.published_at]
    assert dated[0].title == "Harbour bridge reopens"


def test_a_time_the_question_names_demotes_older_articles(store: Store) -> None:
    weights = Weights(recency=0.01)  # so little that the closer match wins without a window
    as_of = Filters(as_of="2023-03-22")
    plain = search(
        store, "Why was the harbour bridge closed? Engineers found cracks", 10, as_of, weights
    )
    dated = search(
        store,
        "Why was the harbour bridge closed this week? Engineers found cracks",
        10,
        as_of,
        weights,
    )
    assert _titles(plain)[0] == "Harbour bridge closed"  # January: 71 days before
    assert _titles(dated)[0] == "Harbour bridge reopens"  # March: 2 days before


@pytest.mark.parametrize(
    ("question", "days"),
    [
        ("Which movie topped the box office last weekend?", 7),
        ("Who resigned this week?", 7),
        ("What did the senator say on Tuesday?", 7),
        ("Which team won last week?", 14),
        ("What did the council approve this month?", 31),
        ("How many jobs were added last month?", 62),
        ("Who won the 2020 election?", None),
        ("What happened last year?", None),
    ],
)
def test_the_time_a_question_names(question: str, days: int | None) -> None:
    assert asked_window(question) == days


def test_recency_boost_outside_the_window_keeps_its_share() -> None:
    weights = Weights(recency=1.0, half_life_days=10, outside_window=0.5)
    assert recency_boost("2023-03-05", "2023-03-10", weights, 7) == pytest.approx(1 + 0.5**0.5)
    assert recency_boost("2023-02-28", "2023-03-10", weights, 7) == pytest.approx(0.75)
    assert recency_boost("2023-02-28", "2023-03-10", weights) == pytest.approx(1.5)


def test_langchain_retriever_returns_documents(store: Store) -> None:
    retriever = HybridRetriever(store=store, k=3)
    docs = retriever.invoke("When was the harbour bridge built?")
    assert docs and all(isinstance(d, Document) for d in docs)
    passage = passage_from_document(docs[0])
    assert passage.title == "Harbour bridge history"
    article = store.article(passage.article_id)["text"]
    assert article[passage.start : passage.end] == passage.text


def test_fuse_rewards_agreement() -> None:
    fused = fuse([("a", 0.9), ("b", 0.85), ("d", 0.5)], [("b", 5.0), ("c", 4.0)], Weights())
    assert max(fused, key=fused.get) == "b"
    keyword_only = fuse([("a", 0.9)], [("c", 4.0)], Weights(dense=0.0))
    assert keyword_only["a"] == 0.0
    rrf = fuse([("a", 0.9), ("b", 0.8)], [("b", 5.0), ("c", 4.0)], Weights(fusion="rrf"))
    assert rrf["b"] == pytest.approx(1 / 62 + 1 / 61, abs=1e-5)


def test_score_fusion_keeps_a_rare_word_margin() -> None:
    fused = fuse([("a", 0.70), ("b", 0.69)], [("b", 9.0), ("a", 0.01)], Weights(fusion="score"))
    assert fused["b"] > fused["a"]


def test_rrf_ties_are_broken_by_the_margin() -> None:
    mirrored = fuse([("a", 0.70), ("b", 0.69)], [("b", 9.0), ("a", 0.01)], Weights())
    assert mirrored["b"] > mirrored["a"]
    assert mirrored["a"] == pytest.approx(1 / 61 + 1 / 62, abs=1e-5)


def test_recency_boost_halves_with_age() -> None:
    weights = Weights(recency=1.0, half_life_days=10)
    assert recency_boost("2023-03-10", "2023-03-10", weights) == pytest.approx(2.0)
    assert recency_boost("2023-02-28", "2023-03-10", weights) == pytest.approx(1.5)
    assert recency_boost(None, "2023-03-10", weights) == 1.0
    assert recency_boost("2023-03-10", None, weights) == 1.0


def test_stems_are_the_keyword_indexs_own_and_stay_so_once_kept() -> None:
    import rag.catalog as catalog

    first = catalog.stems(["running", "Cats", "running", "the"])
    assert first == ["run", "cat", "run", "the"]
    assert "running" in catalog._STEMS  # kept: asked again, it is not stemmed again
    assert catalog.stems(["cats", "running", "walked"]) == ["cat", "run", "walk"]
    catalog._STEMS.clear()
    assert catalog.stems(["walked", "running"]) == ["walk", "run"]


def _passage(chunk: str, score: float, dense: float, keyword: int | None) -> Passage:
    return Passage(
        chunk_id=chunk,
        article_id=chunk[0],
        title="",
        source=None,
        published_at=None,
        url=None,
        start=0,
        end=1,
        text=chunk,
        score=score,
        dense_score=dense,
        keyword_rank=keyword,
    )


@pytest.mark.parametrize(
    ("other", "chosen"),
    [
        (_passage("B1", 0.01, 0.02, None), ["A1", "A2", "A3"]),  # unrelated: not pulled in
        (_passage("B1", 0.01, 0.02, 9), ["A1", "A2", "B1"]),  # shares the question's words
        (_passage("B1", 0.01, 0.40, None), ["A1", "A2", "B1"]),  # near by meaning
    ],
)
def test_the_per_article_cap_lifts_only_passages_on_the_topic(
    other: Passage, chosen: list[str]
) -> None:
    ranked = [_passage(f"A{n}", 0.05 - n / 100, 0.7, n) for n in (1, 2, 3, 4)] + [other]
    assert [p.chunk_id for p in _diverse(ranked, 3, 2)] == chosen
