"""Calibrate the extractive answerer's abstention threshold on data.

Answerable: RealTimeQA questions (as of each question date) and the answerable questions of the
shipped set. Unanswerable: MultiHop-RAG's null questions, the shipped set's unanswerable questions,
and RealTimeQA questions put to the MultiHop-RAG archive (other topics and years). For every
question the best sentence's evidence score is computed once; the script prints, for each
threshold, the false abstention rate on answerable questions and the abstention recall on
unanswerable ones, and picks the highest threshold whose false abstention rate stays within the
budget.

    python benchmarks/calibrate_abstain.py [--budget 0.08] [--data ../shared/data]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rag.answer import Assistant  # noqa: E402
from rag.config import Settings  # noqa: E402
from rag.ingest import read_sources  # noqa: E402
from rag.store import open_store  # noqa: E402

CACHE = ROOT / "benchmarks" / "out" / "stores"


def load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def assistant_for(name: str, sources: Iterable[Path]) -> Assistant:
    """An assistant over a cached store built from `sources` (re-used when present)."""
    settings = Settings.from_env().replace(data_dir=CACHE / name)
    store = open_store(settings)
    store.add(read_sources([str(s) for s in sources], 10**9))
    return Assistant(store, settings)


def best_score(assistant: Assistant, question: str, as_of: str | None) -> float:
    passages = assistant.ask(question, as_of=as_of).passages
    return assistant.answerer.evidence(assistant.answerer.rank(question, passages))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--budget", type=float, default=0.08, help="max false abstention rate")
    args = parser.parse_args()
    rtqa = assistant_for("realtimeqa", [args.data / "realtimeqa" / "articles_dev.jsonl"])
    multihop = assistant_for("multihop", [args.data / "multihop_rag" / "evidence.jsonl"])
    shipped = assistant_for("shipped", [ROOT / "corpus"])
    rtqa_questions = load(args.data / "realtimeqa" / "questions_dev.jsonl")
    answerable: list[float] = []
    unanswerable: list[float] = []
    for q in rtqa_questions:
        answerable.append(best_score(rtqa, q["question"], q.get("question_date")))
        unanswerable.append(best_score(multihop, q["question"], None))
    for q in load(args.data / "multihop_rag" / "questions_dev.jsonl"):
        if q.get("question_type") == "null_query":
            unanswerable.append(best_score(multihop, q["question"], None))
    shipped_set = ROOT / "corpus" / "questions.jsonl"
    if shipped_set.exists():
        for q in load(shipped_set):
            if q.get("history"):
                continue
            bucket = answerable if q.get("answerable", True) else unanswerable
            bucket.append(best_score(shipped, q["question"], None))
    print(f"answerable n={len(answerable)}  unanswerable n={len(unanswerable)}")
    print(f"{'threshold':>9} {'false_abstain':>13} {'abstain_recall':>14} {'abstain_prec':>12}")
    chosen = 0.0
    for step in range(20, 71):
        threshold = step / 100
        false_rate = sum(s < threshold for s in answerable) / len(answerable)
        caught = sum(s < threshold for s in unanswerable)
        recall = caught / len(unanswerable)
        abstained = caught + sum(s < threshold for s in answerable)
        precision = caught / abstained if abstained else 1.0
        print(f"{threshold:>9.2f} {false_rate:>13.3f} {recall:>14.3f} {precision:>12.3f}")
        if false_rate <= args.budget:
            chosen = threshold
    print(f"chosen RAG_ABSTAIN_THRESHOLD={chosen:.2f} (false abstention budget {args.budget:.2f})")


if __name__ == "__main__":
    main()
