"""Calibrate the extractive answerer's two abstention thresholds on data.

`RAG_ANSWER_THRESHOLD`: the confidence the best candidate of a name, number or date question
needs; `RAG_ABSTAIN_THRESHOLD`: the evidence the best sentence needs where the answer is quoted,
not stated: description questions, and typed noun phrase questions ("Which material ...?") whose
best candidate is too weak to state. Answerable: the tune half of RealTimeQA (as of each
question date) and of the written quiz set, MultiHop-RAG's non-null questions, and the shipped
set's answerable questions. Unanswerable: MultiHop-RAG's null questions, the shipped
unanswerable questions, and RealTimeQA's tune half put to the MultiHop-RAG archive (other
topics and years). The script prints, for each threshold, the false abstention rate and the
abstention recall, and picks the highest threshold whose false abstention rate stays within the
budget. The check half is left for reporting.

    python benchmarks/calibrate_abstain.py [--budget 0.10] [--data ../shared/data]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from quality import dev_sets  # noqa: E402

from rag.answer_types import THING  # noqa: E402
from rag.assistant import Assistant  # noqa: E402
from rag.catalog import Filters  # noqa: E402
from rag.config import Settings  # noqa: E402
from rag.ingest import read_sources  # noqa: E402
from rag.question_sets import Question, load_questions, split  # noqa: E402
from rag.store import open_store  # noqa: E402

CACHE = ROOT / "benchmarks" / "out" / "stores"


def assistant_for(name: str, sources: Iterable[Path]) -> Assistant:
    """An assistant over a cached store built from `sources` (re-used when present)."""
    settings = Settings.from_env().replace(data_dir=CACHE / name, chroma_url="", database_url="")
    store = open_store(settings)
    store.add(read_sources([str(s) for s in sources], 10**9))
    return Assistant(store, settings)


def scores(assistant: Assistant, question: Question, as_of: str | None) -> list[tuple[str, float]]:
    """("factoid", best candidate's confidence) for a name, number or date question, whose
    weak candidate abstains; ("other", best sentence's evidence) where the answer would be
    quoted: a description question, or a typed noun phrase question whose best candidate falls
    below the answer threshold (one strong enough is stated, never abstained on). Verdict
    questions are left out (their abstention is a claim finding no support)."""
    state = assistant.chain(Filters(as_of=as_of), assistant.settings.k).invoke(
        {"question": question.question, "history": list(question.history)}
    )
    reading = state["reading"]
    analysis = reading.analysis
    if analysis.is_verdict or reading.missing_outlets:
        return []
    if not analysis.is_factoid:
        return [("other", reading.evidence)]
    confidence = reading.answer.confidence if reading.answer else 0.0
    if analysis.answer_type != THING:
        return [("factoid", confidence)]
    # a typed noun phrase too weak to state is quoted, not abstained on
    quoted = confidence < assistant.settings.answer_threshold
    return [("other", reading.evidence)] if quoted else []


def table(
    name: str, answerable: Sequence[float], unanswerable: Sequence[float], budget: float
) -> None:
    print(f"\n{name}: answerable n={len(answerable)}  unanswerable n={len(unanswerable)}")
    print(f"{'threshold':>9} {'false_abstain':>13} {'abstain_recall':>14}")
    chosen = 0.0
    for step in range(5, 81):
        threshold = step / 100
        false_rate = sum(s < threshold for s in answerable) / max(1, len(answerable))
        recall = sum(s < threshold for s in unanswerable) / max(1, len(unanswerable))
        if step % 5 == 0:
            print(f"{threshold:>9.2f} {false_rate:>13.3f} {recall:>14.3f}")
        if false_rate <= budget:
            chosen = threshold
    print(f"chosen {name}={chosen:.2f} (false abstention budget {budget:.2f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--budget", type=float, default=0.10, help="max false abstention rate")
    args = parser.parse_args()
    rtqa = assistant_for("realtimeqa", [args.data / "realtimeqa" / "articles_dev.jsonl"])
    multihop = assistant_for("multihop", [args.data / "multihop_rag" / "evidence.jsonl"])
    shipped = assistant_for("shipped", [ROOT / "corpus"])
    found: dict[str, tuple[list[float], list[float]]] = {"factoid": ([], []), "other": ([], [])}

    def note(kind_scores: list[tuple[str, float]], answerable: bool) -> None:
        for kind, value in kind_scores:
            found[kind][0 if answerable else 1].append(value)

    for q in split(load_questions(args.data / "realtimeqa" / "questions_dev.jsonl"), "tune"):
        note(scores(rtqa, q, q.as_of), True)
        note(scores(multihop, q, None), False)
    written = next(d for d in dev_sets(args.data) if d.name == "written")
    for q in split(load_questions(written.questions), "tune"):
        note(scores(rtqa, q, q.as_of), True)
    for q in split(load_questions(args.data / "multihop_rag" / "questions_dev.jsonl"), "tune"):
        note(scores(multihop, q, None), q.answerable)
    for q in load_questions(ROOT / "corpus" / "questions.jsonl"):
        if not q.history:
            note(scores(shipped, q, None), q.answerable)
    table("RAG_ANSWER_THRESHOLD", *found["factoid"], args.budget)
    table("RAG_ABSTAIN_THRESHOLD", *found["other"], args.budget)


if __name__ == "__main__":
    main()
