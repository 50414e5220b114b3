"""Evaluation runs: ask every question of a question set (read by `rag.question_sets`), score
the answers.

`--articles` evaluations use their own cached store under `<data_dir>/eval/`, so they never touch
the user's archive. Metrics are in `rag.metrics`, reports in `rag.report`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rag.config import Settings
from rag.errors import InputError
from rag.metrics import (
    METRIC_KEYS,
    RANK_DEPTH,
    Hit,
    Row,
    aggregate,
    answer_metrics,
    citation_is_correct,
    contains_answer,
    covers,
    metrics_by_type,
    retrieval_metrics,
)
from rag.question import analyse
from rag.question_sets import Question
from rag.reader_metrics import by_answer_type, reader_metrics

if TYPE_CHECKING:
    from rag.answer import Answer
    from rag.assistant import Assistant
    from rag.retrieve import Passage
    from rag.store import Store

Progress = Callable[[int, int], None]
IngestProgress = Callable[[str, int, int], None]
EVAL_STORE_FORMAT = "1"


# -- running ------------------------------------------------------------------------------------
@dataclass
class Evaluation:
    """The scored rows of a run and the metrics over them."""

    rows: list[Row]
    metrics: dict[str, float | None]
    by_type: dict[str, dict[str, float | None]]
    k: int
    by_answer_type: dict[str, dict[str, float | None]] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        """What `rag eval --json` prints: exactly the METRIC_KEYS, overall and per type."""
        return {
            "metrics": {key: self.metrics.get(key) for key in METRIC_KEYS},
            "by_type": {
                name: {key: values.get(key) for key in METRIC_KEYS}
                for name, values in self.by_type.items()
            },
            "by_answer_type": self.by_answer_type,
            "n": len(self.rows),
        }


def evaluate(
    assistant: Assistant,
    questions: Sequence[Question],
    k: int | None = None,
    progress: Progress | None = None,
) -> Evaluation:
    """Ask every question (in order, deterministically) and score the answers."""
    k = k or assistant.settings.k
    if questions:  # warm up (model loading, caches) so latencies are steady-state
        evaluate_one(assistant, questions[0], k)
    rows = []
    for done, question in enumerate(questions, start=1):
        rows.append(evaluate_one(assistant, question, k))
        if progress:
            progress(done, len(questions))
    return Evaluation(rows, aggregate(rows), metrics_by_type(rows), k, by_answer_type(rows))


def evaluate_one(assistant: Assistant, question: Question, k: int) -> Row:
    """Answer one question with `k` passages and rank max(10, k) passages for the metrics."""
    from rag.catalog import Filters

    try:
        answer = assistant.ask(question.question, question.history, question.as_of, k=k)
    except InputError as exc:
        raise InputError(f"question {question.id}: {exc}") from None
    state = assistant.chain(Filters(as_of=question.as_of), max(RANK_DEPTH, k)).invoke(
        {"question": answer.question, "history": [dict(t) for t in question.history]}
    )
    return score(question, answer, state["passages"])


def score(question: Question, answer: Answer, ranking: Sequence[Passage]) -> Row:
    """The row of one answered question: gold, answer, citations, ranked passages, metrics."""
    citations = [_citation(question, c) for c in answer.citations]
    hits = [Hit(p.article_id, p.text) for p in ranking]
    metrics = retrieval_metrics(question, hits)
    metrics.update(answer_metrics(question, answer.text, answer.abstained, citations))
    short = asdict(answer.short_answer) if answer.short_answer is not None else None
    metrics.update(reader_metrics(question, answer.text, answer.abstained, short, citations))
    passages = [_passage(question, rank, p) for rank, p in enumerate(ranking, start=1)]
    first = next((p["rank"] for p in passages if p["answer_bearing"]), None)
    return Row(
        question=question,
        answer=answer.text,
        abstained=answer.abstained,
        citations=citations,
        passages=passages,
        first_answer_rank=first,
        latency_ms=float(answer.timings_ms.get("total", 0.0)),
        timings_ms=dict(answer.timings_ms),
        metrics=metrics,
        answer_type=analyse(question.question).answer_type,
        short_answer=short,
    )


def _citation(question: Question, citation: Any) -> dict[str, Any]:
    return {
        "n": citation.n,
        "article_id": citation.article_id,
        "title": citation.title,
        "source": citation.source,
        "published_at": citation.published_at,
        "quote": citation.quote,
        "start": citation.start,
        "end": citation.end,
        "supported": citation.supported,
        "correct": question.answerable and citation_is_correct(question, citation.quote),
    }


def _passage(question: Question, rank: int, passage: Passage) -> dict[str, Any]:
    evidence = passage.article_id in question.evidence_doc_ids or any(
        covers(passage.text, s) for s in question.evidence
    )
    return {
        "rank": rank,
        "article_id": passage.article_id,
        "chunk_id": passage.chunk_id,
        "title": passage.title,
        "published_at": passage.published_at,
        "score": round(passage.score, 6),
        "answer_bearing": contains_answer(passage.text, question.checkable),
        "evidence": evidence,
        "text": passage.text,
    }


# -- the evaluation store -----------------------------------------------------------------------
def fingerprint(articles: Path, settings: Settings) -> str:
    """Hash of the articles (file or folder) and of the settings that shape the index."""
    digest = hashlib.sha256(EVAL_STORE_FORMAT.encode())
    shaping = [settings.embed_model, settings.chunk_overlap_tokens, settings.max_file_mb]
    digest.update(json.dumps(shaping).encode())
    for name, path in _article_files(articles):
        digest.update(name.encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:16]


def _article_files(articles: Path) -> list[tuple[str, Path]]:
    """The files `rag add` would read from a file or folder, by relative name."""
    from rag.ingest import SUFFIXES

    if not articles.is_dir():
        return [(articles.name, articles)]
    return [
        (str(p.relative_to(articles)), p)
        for p in sorted(articles.rglob("*"))
        if p.is_file()
        and p.suffix.lower() in SUFFIXES
        and not p.name.startswith(".")
        and p.name != "questions.jsonl"
    ]


def open_eval_store(
    settings: Settings, articles: Path | str, progress: IngestProgress | None = None
) -> tuple[Store, Settings]:
    """The cached evaluation store for `articles` (built on first use) and its settings."""
    from rag.ingest import read_sources
    from rag.store import open_store

    articles = Path(articles)
    if not articles.exists():
        raise InputError(f"no such articles file or folder: {articles}")
    directory = settings.data_dir / "eval" / fingerprint(articles, settings)
    eval_settings = settings.replace(data_dir=directory, chroma_url="", database_url="")
    store = open_store(eval_settings)
    marker = directory / "ready.json"
    if marker.exists():
        return store, eval_settings
    items = read_sources([str(articles)], int(settings.max_file_mb * 1e6), settings.fetch_timeout)
    report = store.add(items, progress or (lambda *_: None))
    if store.count() == 0:
        reason = report.failed[0].reason if report.failed else "no articles found"
        raise InputError(f"no articles could be read from {articles} ({reason})")
    info = {"articles": str(articles), "count": store.count(), "failed": len(report.failed)}
    marker.write_text(json.dumps(info), encoding="utf-8")
    return store, eval_settings
