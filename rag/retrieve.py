"""Hybrid retrieval: dense (Chroma) and keyword (FTS5 BM25) results fused by weighted reciprocal
rank, with source and date filters and an `as_of` date that prefers articles near it."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from rag.catalog import Filters
from rag.clean import date_key
from rag.dates import asked_window
from rag.fold import fold
from rag.store import Store
from rag.stories import Copy, copies_of


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk with its article's metadata and every score that ranked it."""

    chunk_id: str
    article_id: str
    title: str
    source: str | None
    published_at: str | None
    url: str | None
    start: int
    end: int
    text: str
    score: float
    dense_score: float | None = None
    keyword_score: float | None = None
    dense_rank: int | None = None
    keyword_rank: int | None = None
    flagged: bool = False  # its article holds text addressed to AI assistants (rag.injection)
    story_id: str | None = None  # the story this article belongs to
    also_in: tuple[Copy, ...] = ()  # the story's other copies (folded into this passage)

    def __post_init__(self) -> None:
        if not isinstance(self.also_in, tuple) or any(
            not isinstance(c, Copy) for c in self.also_in
        ):  # read back from JSON or a LangChain Document
            object.__setattr__(self, "also_in", copies_of(self.also_in))

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


TIE_BREAK = 1e-6


@dataclass(frozen=True)
class Weights:
    """How the ranked lists are fused."""

    dense: float = 1.0
    keyword: float = 1.0
    recency: float = 3.0
    half_life_days: float = 7.0
    outside_window: float = 0.5  # what an article before the time asked ("this week") keeps
    rrf_k: int = 60
    fusion: str = "rrf"
    max_per_article: int = 2
    group_stories: bool = True


def fuse(
    dense: list[tuple[str, float]], keyword: list[tuple[str, float]], weights: Weights
) -> dict[str, float]:
    """Weighted fusion of two ranked lists of (id, score).

    `rrf` (default): reciprocal rank fusion, ties broken by the `score` fusion below (so two
    passages with mirrored ranks are told apart by how far ahead each one was).
    `score`: each list's scores scaled to [0, 1] (dense by min-max over a span of at least
    0.25, keyword by the best score) and summed with the weights.
    """
    by_score: dict[str, float] = {}
    by_rank: dict[str, float] = {}
    for ranked, weight, scaled in (
        (dense, weights.dense, _min_max(dense)),
        (keyword, weights.keyword, _by_best(keyword)),
    ):
        for rank, (chunk_id, _) in enumerate(ranked, start=1):
            by_score[chunk_id] = by_score.get(chunk_id, 0.0) + weight * scaled[rank - 1]
            by_rank[chunk_id] = by_rank.get(chunk_id, 0.0) + weight / (weights.rrf_k + rank)
    if weights.fusion == "score":
        return by_score
    return {chunk_id: by_rank[chunk_id] + TIE_BREAK * by_score[chunk_id] for chunk_id in by_rank}


def _min_max(ranked: list[tuple[str, float]], min_span: float = 0.25) -> list[float]:
    """Scores scaled to [0, 1]; the span is at least `min_span`, so that near-equal
    similarities in a short list stay near-equal."""
    if not ranked:
        return []
    scores = [s for _, s in ranked]
    high = max(scores)
    low = min(min(scores), high - min_span)
    return [(s - low) / (high - low) for s in scores]


def _by_best(ranked: list[tuple[str, float]]) -> list[float]:
    best = max((s for _, s in ranked), default=0.0)
    return [s / best if best > 0 else 0.0 for _, s in ranked]


def recency_boost(
    published_at: str | None, as_of: str | None, weights: Weights, window: int | None = None
) -> float:
    """Multiplier in [1, 1 + recency]: 1 + recency for an article dated on `as_of`, halving
    every `half_life_days` before it; undated articles get no boost. An article older than
    the `window` of days the question names ("this week") keeps `outside_window` of it."""
    day, ref = date_key(published_at), date_key(as_of)
    if day is None or ref is None or weights.recency <= 0:
        return 1.0
    age = max(0, ref - day)
    boost = 1.0 + weights.recency * math.pow(0.5, age / weights.half_life_days)
    return boost * weights.outside_window if window is not None and age > window else boost


def search(
    store: Store,
    query: str,
    k: int,
    filters: Filters,
    weights: Weights,
    candidates: int = 60,
) -> list[Passage]:
    """The top `k` passages for `query` under `filters`."""
    vector = store.embedder.embed_query(query)
    dense = store.dense_search(vector, candidates, filters)
    keyword = store.catalog.keyword_search(query, candidates, filters)
    fused = fuse(dense, keyword, weights)
    window = asked_window(query)
    rows = store.chunk_rows(list(fused))
    dense_at = {cid: (rank, score) for rank, (cid, score) in enumerate(dense, start=1)}
    keyword_at = {cid: (rank, score) for rank, (cid, score) in enumerate(keyword, start=1)}
    passages = []
    for chunk_id, score in fused.items():
        row = rows.get(chunk_id)
        if row is None:  # a vector whose chunk was never committed
            continue
        d_rank, d_score = dense_at.get(chunk_id, (None, None))
        k_rank, k_score = keyword_at.get(chunk_id, (None, None))
        passages.append(
            Passage(
                chunk_id=chunk_id,
                article_id=row.article_id,
                title=row.title,
                source=row.source,
                published_at=row.published_at,
                url=row.url,
                start=row.start,
                end=row.end,
                text=row.text,
                score=score * recency_boost(row.published_at, filters.as_of, weights, window),
                dense_score=d_score,
                keyword_score=k_score,
                dense_rank=d_rank,
                keyword_rank=k_rank,
                flagged=row.flagged,
            )
        )
    passages.sort(key=lambda p: (-p.score, p.chunk_id))
    stories = store.stories_of([p.article_id for p in passages])
    passages = fold(passages, stories, filters, weights.group_stories)
    return _diverse(passages, k, weights.max_per_article)


def _diverse(passages: list[Passage], k: int, per_article: int) -> list[Passage]:
    """The best `k` passages with at most `per_article` from any one article, so that the top
    of the list covers several articles; when too few articles match, the rest fill up.

    The cap lifts a passage above better ones of a capped article only when it is on the
    question's topic (`_on_topic`): an archive's one other article is not pulled in for being
    other, so an unrelated (or planted) article takes no passage from the one that answers."""
    near = max((p.dense_score or 0.0 for p in passages), default=0.0) / 2
    taken: dict[str, int] = {}
    chosen: list[Passage] = []
    spare: list[Passage] = []
    for passage in passages:
        if taken.get(passage.article_id, 0) >= max(1, per_article):
            spare.append(passage)
        elif spare and not _on_topic(passage, near):
            chosen.append(spare.pop(0))
            spare.append(passage)
        else:
            taken[passage.article_id] = taken.get(passage.article_id, 0) + 1
            chosen.append(passage)
        if len(chosen) == k:
            return chosen
    return chosen + spare[: k - len(chosen)]


def _on_topic(passage: Passage, near: float) -> bool:
    """Found by the question's words, or at least `near` by meaning (half as near as the
    nearest passage: an unrelated article's passages score about 0)."""
    return passage.keyword_rank is not None or (passage.dense_score or 0.0) >= near


class HybridRetriever(BaseRetriever):
    """The same search as a LangChain retriever, so it drops into other LangChain apps."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    store: Store
    k: int = 5
    filters: Filters = Filters()
    weights: Weights = Weights()
    candidates: int = 60

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        passages = search(self.store, query, self.k, self.filters, self.weights, self.candidates)
        return [
            Document(page_content=p.text, id=p.chunk_id, metadata=_metadata(p)) for p in passages
        ]


def _metadata(passage: Passage) -> dict[str, Any]:
    meta = passage.as_dict()
    meta.pop("text")
    return meta


def passage_from_document(doc: Document) -> Passage:
    """The Passage a HybridRetriever document was made from."""
    return Passage(text=doc.page_content, **doc.metadata)
