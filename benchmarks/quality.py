"""Answer and retrieval quality of Newsdesk against two baselines, in one process on the same data.

Systems: the plain LangChain recipe (RecursiveCharacterTextSplitter, 1,000 characters with 200
overlap, Chroma similarity search, the same embedding model passed explicitly), keyword search
alone (Newsdesk's FTS5 index), and Newsdesk (hybrid retrieval and the configured answerer).
Data: ../shared/data/realtimeqa (each question asked as of its question_date),
../shared/data/multihop_rag (evidence recall, and abstention on its null questions), and the
written quiz and chat question sets over the RealTimeQA articles (`benchmarks/written.py`).
Built stores are cached under benchmarks/out/stores/. Prints the table and writes it into
README.md between the quality markers.

    python benchmarks/quality.py [--split tune|check] [--limit N]
                                 [--only realtimeqa|multihop|written|chat] [--no-readme]

`--split check` reports on the half of each dev set that settings were not tuned on (the
README's figures); `--split tune` is the half they were tuned on.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from rag.catalog import Filters  # noqa: E402
from rag.clean import date_key  # noqa: E402
from rag.config import Settings  # noqa: E402
from rag.evaluate import evaluate  # noqa: E402
from rag.metrics import Hit, percentile, retrieval_metrics  # noqa: E402
from rag.question_sets import SPLITS, Question, load_questions, split  # noqa: E402

CACHE = ROOT / "benchmarks" / "out" / "stores"
README = ROOT / "README.md"
START, END = "<!-- quality:start -->", "<!-- quality:end -->"
CHUNK_CHARS, OVERLAP_CHARS, DEPTH = 1000, 200, 10
NO_DAY = -10_000_000
COLUMNS = (
    "answer@1",
    "answer@5",
    "mrr@10",
    "evidence_recall@5",
    "answer_contains",
    "short_exact",
    "short_f1",
    "short_contains",
    "yes_no_accuracy",
    "citation_precision",
    "abstain_recall",
    "false_abstain_rate",
    "latency_p50_ms",
)
Search = Callable[[Question], list[Hit]]


@dataclass(frozen=True)
class Dataset:
    """A question set and the articles it is asked over."""

    name: str
    label: str
    questions: Path
    articles: Path
    store: str = ""  # the cached stores' folder name, when another set's articles are re-used

    @property
    def stored(self) -> str:
        return self.store or self.name


@dataclass
class Result:
    """One system's figures on one dataset."""

    dataset: str
    system: str
    metrics: dict[str, float | None]


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


# -- stores -------------------------------------------------------------------------------------
def newsdesk_store(dataset: Dataset, settings: Settings) -> Any:
    """Newsdesk's store of the dataset's articles (idempotent: a re-run adds nothing)."""
    from rag.ingest import read_sources
    from rag.store import open_store

    store = open_store(
        settings.replace(data_dir=CACHE / dataset.stored, chroma_url="", database_url="")
    )
    started = time.perf_counter()
    report = store.add(read_sources([str(dataset.articles)], 10**9), _progress("newsdesk"))
    log(
        f"newsdesk store: {store.count()} articles, {report.chunks} chunks embedded now "
        f"({time.perf_counter() - started:.0f} s)"
    )
    return store


def recipe_store(dataset: Dataset, settings: Settings) -> Any:
    """The plain LangChain recipe's Chroma collection (built once, then re-used)."""
    from langchain_chroma import Chroma
    from langchain_core.documents import Document

    from rag.embeddings import SentenceEmbedder

    folder = CACHE / f"langchain-{dataset.stored}"
    embedder = SentenceEmbedder(settings.embed_model, settings.embed_batch_size)
    db = Chroma("recipe", embedding_function=embedder, persist_directory=str(folder))
    marker = folder / "ready.json"
    if marker.exists():
        return db
    splitter = _splitter()
    docs, ids = [], []
    for record in read_jsonl(dataset.articles):
        day = date_key(record.get("published_at"))
        meta = {"article_id": str(record["id"]), "day": NO_DAY if day is None else day}
        for n, chunk in enumerate(splitter.split_text(str(record.get("text") or ""))):
            docs.append(Document(page_content=chunk, metadata=meta))
            ids.append(f"{record['id']}:{n}")
    started, progress = time.perf_counter(), _progress("recipe")
    for i in range(0, len(docs), 256):
        db.add_documents(docs[i : i + 256], ids=ids[i : i + 256])
        progress("embedding", min(i + 256, len(docs)), len(docs))
    log(f"recipe store: {len(docs)} chunks ({time.perf_counter() - started:.0f} s)")
    marker.write_text(json.dumps({"chunks": len(docs)}), encoding="utf-8")
    return db


def _splitter() -> Any:
    try:
        from langchain_text_splitters import RecursiveCharacterTextSplitter
    except ImportError:
        sys.exit("the recipe needs langchain-text-splitters: pip install langchain-text-splitters")
    return RecursiveCharacterTextSplitter(chunk_size=CHUNK_CHARS, chunk_overlap=OVERLAP_CHARS)


def _progress(name: str) -> Callable[[str, int, int], None]:
    shown: set[int] = set()

    def update(phase: str, done: int, total: int) -> None:
        step = int(10 * done / total) if total else -1
        if phase == "embedding" and step not in shown and step >= 0:
            shown.add(step)
            log(f"{name}: embedding {done}/{total} chunks")

    return update


# -- searching ----------------------------------------------------------------------------------
def recipe_search(db: Any) -> Search:
    def search(question: Question) -> list[Hit]:
        where = None
        if question.as_of:
            day = date_key(question.as_of)
            where = {"$or": [{"day": {"$lte": day}}, {"day": NO_DAY}]}
        docs = db.similarity_search(question.question, k=DEPTH, filter=where)
        return [Hit(d.metadata["article_id"], d.page_content) for d in docs]

    return search


def keyword_search(store: Any) -> Search:
    def search(question: Question) -> list[Hit]:
        found = store.catalog.keyword_search(
            question.question, DEPTH, Filters(as_of=question.as_of)
        )
        rows = store.chunk_rows([chunk_id for chunk_id, _ in found])
        return [Hit(rows[c].article_id, rows[c].text) for c, _ in found if c in rows]

    return search


def retrieval_only(questions: Sequence[Question], search: Search) -> dict[str, float | None]:
    """Ranking metrics and search latency of a system that returns passages, not answers."""
    per_question, latencies = [], []
    for question in questions:
        started = time.perf_counter()
        hits = search(question)
        latencies.append((time.perf_counter() - started) * 1000)
        per_question.append(retrieval_metrics(question, hits))
    metrics: dict[str, float | None] = {}
    for key in COLUMNS:
        values = [v for m in per_question if (v := m.get(key)) is not None]
        metrics[key] = round(sum(values) / len(values), 4) if values else None
    p50 = percentile(latencies, 50)
    metrics["latency_p50_ms"] = None if p50 is None else round(p50, 1)
    return metrics


# -- running and reporting ----------------------------------------------------------------------
def run_dataset(
    dataset: Dataset, settings: Settings, limit: int | None, part: str | None = None
) -> list[Result]:
    from rag.assistant import Assistant

    questions = load_questions(dataset.questions)
    questions = (split(questions, part) if part else questions)[:limit]
    log(f"== {dataset.label}: {len(questions)} questions")
    store = newsdesk_store(dataset, settings)
    results = [
        Result(
            dataset.label,
            "LangChain recipe",
            retrieval_only(questions, recipe_search(recipe_store(dataset, settings))),
        ),
        Result(
            dataset.label, "keyword search (FTS5)", retrieval_only(questions, keyword_search(store))
        ),
    ]
    assistant = Assistant(store, settings.replace(data_dir=store.data_dir, chroma_url=""))
    evaluation = evaluate(assistant, questions, progress=_every(len(questions)))
    results.append(Result(dataset.label, f"Newsdesk ({settings.answerer})", evaluation.metrics))
    return results


def _every(total: int) -> Callable[[int, int], None]:
    def tick(done: int, _: int) -> None:
        if done % 20 == 0 or done == total:
            log(f"newsdesk: {done}/{total} questions")

    return tick


def markdown(results: Sequence[Result], settings: Settings, part: str | None = None) -> str:
    """The comparison table with mrr@10 as a ratio of the recipe's."""
    head = ["data", "system", *COLUMNS, "mrr@10 × recipe"]
    lines = ["| " + " | ".join(head) + " |", "|---|---|" + "---:|" * (len(head) - 2)]
    for result in results:
        recipe = next(r for r in results if r.dataset == result.dataset).metrics.get("mrr@10")
        mrr = result.metrics.get("mrr@10")
        ratio = f"{mrr / recipe:.2f}×" if mrr is not None and recipe else "–"
        cells = [_fmt(k, result.metrics.get(k)) for k in COLUMNS]
        lines.append(
            f"| {result.dataset} | {result.system} | " + " | ".join(cells) + f" | {ratio} |"
        )
    note = (
        f"\nMeasured by `python benchmarks/quality.py{' --split ' + part if part else ''}` on "
        f"{time.strftime('%Y-%m-%d')}"
        f"{' (the half of each dev set no setting was tuned on)' if part == 'check' else ''}: "
        f"embedding model {settings.embed_model}, k={settings.k}, 2 CPU cores. answer@k: a top-k "
        "passage holds the gold answer (yes/no answers excluded); evidence_recall@5: gold "
        "articles among the top 5; RealTimeQA asked as of each question date (all systems "
        "filtered alike). Baselines return passages only, so answer, citation and abstention "
        "columns apply to Newsdesk; latency is per search for them and per full answer for "
        "Newsdesk.\n"
    )
    return "\n".join(lines) + "\n" + note


def _fmt(key: str, value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.0f}" if key.startswith("latency") else f"{value:.3f}"


def write_readme(table: str, readme: Path = README) -> None:
    """Put the table between the quality markers (appended at the end when they are missing)."""
    text = readme.read_text(encoding="utf-8") if readme.exists() else ""
    block = f"{START}\n{table.rstrip()}\n{END}"
    if START in text and END in text.split(START, 1)[1]:
        before, rest = text.split(START, 1)
        text = before + block + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + ("\n\n" if text else "") + block + "\n"
    readme.write_text(text, encoding="utf-8")


def dev_sets(data: Path) -> list[Dataset]:
    """The dev sets: RealTimeQA and the MultiHop-RAG sample of ../shared/data, and the written
    quiz and chat question sets over the RealTimeQA articles (`benchmarks/written.py`)."""
    from written import CHAT, CHAT_RESOLVED, resolve

    realtimeqa = data / "realtimeqa"
    multihop = data / "multihop_rag"
    return [
        Dataset(
            "realtimeqa",
            "RealTimeQA",
            realtimeqa / "questions_dev.jsonl",
            realtimeqa / "articles_dev.jsonl",
        ),
        Dataset(
            "multihop",
            "MultiHop-RAG",
            multihop / "questions_dev.jsonl",
            multihop / "evidence.jsonl",
        ),
        Dataset(
            "written",
            "Written quiz",
            resolve(realtimeqa / "articles_dev.jsonl"),
            realtimeqa / "articles_dev.jsonl",
            store="realtimeqa",
        ),
        Dataset(
            "chat",
            "Chat questions",
            resolve(realtimeqa / "articles_dev.jsonl", CHAT, CHAT_RESOLVED),
            realtimeqa / "articles_dev.jsonl",
            store="realtimeqa",
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--limit", type=int, default=None, help="questions per dataset")
    parser.add_argument("--split", choices=SPLITS, default=None, help="half of each dev set")
    parser.add_argument(
        "--only", choices=["realtimeqa", "multihop", "written", "chat"], default=None
    )
    parser.add_argument("--no-readme", action="store_true", help="print only")
    args = parser.parse_args()
    datasets = dev_sets(args.data)
    settings = Settings.from_env()
    results = []
    for dataset in datasets:
        if args.only in (None, dataset.name):
            results += run_dataset(dataset, settings, args.limit, args.split)
    table = markdown(results, settings, args.split)
    print(table)
    out = ROOT / "benchmarks" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "quality.json").write_text(
        json.dumps([r.__dict__ for r in results], indent=1), encoding="utf-8"
    )
    if not args.no_readme and args.limit is None and args.only is None and args.split == "check":
        write_readme(table)
        log(f"table written into {README}")


if __name__ == "__main__":
    main()
