"""How much of what whole passages hold the sentence context keeps (RAG_PROMPT_CONTEXT=
sentences), without an LLM: for each question, the top-k passages as the LLM answerer gets
them, then the sentence context (rag.evidence) for each budget (RAG_PROMPT_SENTENCES). Prints, per
setting, the share of questions whose gold answer the context still holds among those whose
passages hold it, and the context's length in words against the passages'.

RealTimeQA and MultiHop-RAG dev (the `tune` half by default: settings are chosen there) and
the shipped question set.

    python benchmarks/sentence_context.py [--data ../shared/data] [--split tune|check] [--k 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.quality import dev_sets, log, newsdesk_store  # noqa: E402
from rag.config import Settings  # noqa: E402
from rag.evidence import excerpt_bodies  # noqa: E402
from rag.metrics import contains_answer  # noqa: E402
from rag.question_sets import Question, load_questions, split  # noqa: E402

BUDGETS = (1, 2, 3, 4, 5, 6, 8)


def contexts(store: Any, settings: Settings, questions: list[Question], k: int) -> list[dict]:
    """Per question: its gold answers, the passages' text and the ranked sentences."""
    from rag.assistant import Assistant
    from rag.catalog import Filters
    from rag.followup import condense
    from rag.retrieve import search
    from rag.sentences import Ranker

    assistant = Assistant(store, settings)
    ranker = Ranker(store)
    rows = []
    for q in questions:
        if not q.answerable or not q.answers:
            continue
        query = condense(q.question, q.history)
        # as the LLM answerer gets them: retrieved, with no reader putting answers first
        passages = search(store, query, k, Filters(as_of=q.as_of), assistant.weights)
        ranked = ranker.agree(query, ranker.rank(query, passages))
        rows.append({"answers": q.answers, "passages": passages, "ranked": ranked})
    return rows


def figures(rows: list[dict]) -> list[tuple[str, float, float, float]]:
    """(setting, answer kept, words p50, words vs passages) for the passages and each setting."""
    held = [
        r for r in rows if contains_answer(" ".join(p.text for p in r["passages"]), r["answers"])
    ]
    whole = [sum(len(p.text.split()) for p in r["passages"]) for r in held]
    out = [(f"whole passages, n={len(held)}", 1.0, statistics.median(whole or [0]), 1.0)]
    for budget in BUDGETS:
        kept, words = 0, []
        for r in held:
            text = "\n".join(excerpt_bodies(r["ranked"], r["passages"], budget))
            kept += contains_answer(text, r["answers"])
            words.append(len(text.split()))
        share = kept / len(held) if held else 0.0
        ratio = sum(words) / sum(whole) if whole else 0.0
        out.append((f"{budget} sentences", share, statistics.median(words or [0]), ratio))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--split", choices=("tune", "check"), default="tune")
    parser.add_argument("--k", type=int, default=3)
    args = parser.parse_args()
    settings = Settings.from_env()
    sets = dev_sets(args.data)
    results: dict[str, list[tuple[str, float, float, float]]] = {}
    for dataset in sets:
        store = newsdesk_store(dataset, settings)
        questions = split(load_questions(dataset.questions), args.split)
        log(f"{dataset.label}: {len(questions)} questions")
        results[dataset.label] = figures(contexts(store, settings, questions, args.k))
        store.close()
    with tempfile.TemporaryDirectory() as folder:
        from rag.ingest import read_sources
        from rag.store import open_store

        store = open_store(settings.replace(data_dir=Path(folder), chroma_url="", database_url=""))
        store.add(read_sources([str(ROOT / "corpus")], 10**8))
        questions = load_questions(ROOT / "corpus" / "questions.jsonl")
        results["shipped"] = figures(contexts(store, settings, questions, args.k))
        store.close()
    print_table(results, args)


def print_table(results: dict[str, list[tuple[str, float, float, float]]], args: Any) -> None:
    names = list(results)
    print(f"\nanswer kept / words p50 / words vs passages; k={args.k}, {args.split} half")
    print(f"{'context':<26}" + "".join(f"{n:>26}" for n in names))
    for i, (setting, *_rest) in enumerate(next(iter(results.values()))):
        cells = [results[n][i] for n in names]
        if i == 0:  # how many questions' passages hold the answer, per set
            setting = "whole passages"
            print(
                f"{'questions counted':<26}"
                + "".join(f"{c[0].split('=')[1]:>10}{'':16}" for c in cells)
            )
        print(
            f"{setting:<26}" + "".join(f"{c[1]:>10.3f} {c[2]:>6.0f} {c[3]:>7.2f}  " for c in cells)
        )


if __name__ == "__main__":
    main()
