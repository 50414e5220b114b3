"""Retrieval quality on the shared backend against the embedded one, on the RealTimeQA dev set
(../shared/data/realtimeqa, each question asked as of its date), in one run on one archive.

Keyword search alone: SQLite FTS5's BM25, PostgreSQL ranked with the same BM25 (the default),
and PostgreSQL's own `ts_rank`. Then Newsdesk whole (hybrid retrieval and the extractive
answerer) on each backend. Prints answer@1 and answer@5 (goal: shared within 0.02 of embedded).

    python benchmarks/shared_quality.py [--data ../shared/data] [--limit N]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.quality import (  # noqa: E402
    Dataset,
    keyword_search,
    log,
    newsdesk_store,
    retrieval_only,
)
from benchmarks.shared_copy import shared_copy  # noqa: E402
from rag.config import Settings  # noqa: E402
from rag.evaluate import evaluate  # noqa: E402
from rag.question_sets import load_questions  # noqa: E402

GOAL = 0.02


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--limit", type=int, default=None)
    args = parser.parse_args()
    from rag.assistant import Assistant

    folder = args.data / "realtimeqa"
    dataset = Dataset(
        "realtimeqa", "RealTimeQA", folder / "questions_dev.jsonl", folder / "articles_dev.jsonl"
    )
    questions = load_questions(dataset.questions)[: args.limit]
    settings = Settings.from_env()
    embedded = newsdesk_store(dataset, settings)
    rows: list[tuple[str, dict]] = []
    rows.append(
        ("keyword: SQLite FTS5 bm25()", retrieval_only(questions, keyword_search(embedded)))
    )
    newsdesk = Assistant(embedded, settings.replace(data_dir=embedded.data_dir, chroma_url=""))
    log("newsdesk on the embedded backend")
    rows.append(("Newsdesk, embedded", evaluate(newsdesk, questions).metrics))
    with shared_copy(embedded) as shared:
        for ranking in ("bm25", "ts_rank"):
            shared.catalog.ranking = ranking
            name = f"keyword: PostgreSQL {'BM25 (default)' if ranking == 'bm25' else 'ts_rank'}"
            rows.append((name, retrieval_only(questions, keyword_search(shared))))
        shared.catalog.ranking = "bm25"
        log("newsdesk on the shared backend")
        remote = settings.replace(data_dir=shared.data_dir)
        rows.append(("Newsdesk, shared", evaluate(Assistant(shared, remote), questions).metrics))
    print(f"\nRealTimeQA dev, {len(questions)} questions, as of each question date")
    print(f"{'system':<38} {'answer@1':>9} {'answer@5':>9} {'mrr@10':>8} {'p50 ms':>8}")
    for name, metrics in rows:
        cells = [metrics.get(k) for k in ("answer@1", "answer@5", "mrr@10", "latency_p50_ms")]
        shown = [f"{c:.3f}" if isinstance(c, float) and c < 10 else f"{c}" for c in cells]
        print(f"{name:<38} {shown[0]:>9} {shown[1]:>9} {shown[2]:>8} {shown[3]:>8}")
    by = dict(rows)
    for a, b in (
        ("keyword: SQLite FTS5 bm25()", "keyword: PostgreSQL BM25 (default)"),
        ("keyword: SQLite FTS5 bm25()", "keyword: PostgreSQL ts_rank"),
        ("Newsdesk, embedded", "Newsdesk, shared"),
    ):
        gaps = [
            round(abs((by[b].get(k) or 0) - (by[a].get(k) or 0)), 6)  # 0.78 - 0.76 is 0.02
            for k in ("answer@1", "answer@5")
        ]
        verdict = "within" if max(gaps) <= GOAL else "NOT within"
        print(
            f"{b} vs {a}: |Δanswer@1| {gaps[0]:.3f}, |Δanswer@5| {gaps[1]:.3f} ({verdict} {GOAL})"
        )


if __name__ == "__main__":
    main()
