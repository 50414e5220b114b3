"""Query speed on a ~10,000-chunk archive (RealTimeQA's 926 articles), warm and cold.

Prints retrieval p50/p95 (goal p95 <= 50 ms), full `ask` p50/p95 (goals 300 / 800 ms), the time
of a cold `rag ask` in a new process (goal < 6 s) and peak memory; the baseline measured in the same
run is a bare Chroma similarity search with the same query embedding, and the ratios are printed.
Then the same warm figures on the shared backend (the same archive copied into a PostgreSQL
cluster and a Chroma server on 127.0.0.1; goal: shared ask p95 <= 2x embedded), unless
`--embedded-only`.

    python benchmarks/query.py [--data ../shared/data] [--repeat 1] [--embedded-only]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.calibrate_abstain import assistant_for  # noqa: E402
from rag.catalog import Filters  # noqa: E402
from rag.retrieve import search  # noqa: E402


def load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def percentiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def timed(call) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def bare_search(store, question: str) -> None:  # type: ignore[no-untyped-def]
    """The baseline: embed the question and take Chroma's five nearest chunks."""
    vector = store.embedder.embed_query(question)
    store.collection.query(query_embeddings=[vector], n_results=5)


def warm(assistant, questions: list[dict]) -> dict[str, list[float]]:  # type: ignore[no-untyped-def]
    """Bare search, retrieval and ask latencies (ms) of each question, in a warm process."""
    store = assistant.store
    assistant.ask(questions[0]["question"])  # warm the model and the indexes
    bare, retrieval, ask, read = [], [], [], []
    for q in questions:
        filters = Filters(as_of=q["question_date"])
        bare.append(timed(lambda q=q: bare_search(store, q["question"])))
        retrieval.append(
            timed(lambda q=q, f=filters: search(store, q["question"], 5, f, assistant.weights))
        )
        started = time.perf_counter()
        answer = assistant.ask(q["question"], as_of=q["question_date"])
        ask.append((time.perf_counter() - started) * 1000)
        read.append(answer.timings_ms.get("read", 0.0))
    return {
        "bare chroma (embed + query)": bare,
        "retrieval": retrieval,
        "ask": ask,  # retrieve, read, answer
        "  of which read": read,
    }


def report(title: str, rows: dict[str, list[float]]) -> None:
    print(title)
    for name, values in rows.items():
        p50, p95 = percentiles(values)
        print(f"  {name:<28} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms")
    base50 = percentiles(rows["bare chroma (embed + query)"])[0]
    print(f"  ratio retrieval/bare p50: {percentiles(rows['retrieval'])[0] / base50:.2f}")
    print(f"  ratio ask/bare p50:       {percentiles(rows['ask'])[0] / base50:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--embedded-only", action="store_true", help="skip the shared backend")
    args = parser.parse_args()
    assistant = assistant_for("realtimeqa", [args.data / "realtimeqa" / "articles_dev.jsonl"])
    store = assistant.store
    questions = load(args.data / "realtimeqa" / "questions_dev.jsonl") * args.repeat
    print(f"archive: {store.stats()['chunks']} chunks, {store.count()} articles")
    embedded = warm(assistant, questions)
    report("embedded (SQLite + Chroma on disk)", embedded)
    if not args.embedded_only:
        compare_shared(assistant, questions, embedded)
    env = {**os.environ, "RAG_DATA_DIR": str(store.data_dir)}
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "rag", "ask", "--json", questions[1]["question"]],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    cold = time.perf_counter() - started
    print(
        f"cold `rag ask` (new process): {cold:.2f} s   (answer abstained: "
        f"{json.loads(done.stdout)['abstained']})"
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (this process): {peak:.0f} MiB")


def compare_shared(assistant, questions: list[dict], embedded: dict) -> None:  # type: ignore[no-untyped-def]
    """The same warm figures with the catalog in PostgreSQL and the vectors on a Chroma server,
    and shared/embedded ratios (goal: ask p95 <= 2x)."""
    from benchmarks.shared_copy import shared_copy
    from rag.assistant import Assistant

    with shared_copy(assistant.store) as store:
        remote = Assistant(store, assistant.settings.replace(data_dir=store.data_dir))
        shared = warm(remote, questions)
    report("shared (PostgreSQL + Chroma server on 127.0.0.1)", shared)
    for name in ("retrieval", "ask"):
        (e50, e95), (s50, s95) = percentiles(embedded[name]), percentiles(shared[name])
        print(f"shared/embedded {name}: p50 {s50 / e50:.2f}x, p95 {s95 / e95:.2f}x")


if __name__ == "__main__":
    main()
