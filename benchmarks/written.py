"""The written question sets about the RealTimeQA articles: news-quiz questions
(`benchmarks/written_questions.jsonl`) and questions phrased the way people type them into a
chat (`benchmarks/chat_questions.jsonl`: "Who's the new head of Jeep North America?").

The questions and answers are the project's own; their
gold evidence is kept as character spans of the articles in ../shared/data/realtimeqa, whose
text is not ours to commit, and is filled in at run time. Like the dev sets, the set is split
into a tune half and a check half by question id (`rag.question_sets.split`).

    python benchmarks/written.py [--data ../shared/data]   # writes the resolved set
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WRITTEN = ROOT / "benchmarks" / "written_questions.jsonl"
RESOLVED = ROOT / "benchmarks" / "out" / "written_resolved.jsonl"
CHAT = ROOT / "benchmarks" / "chat_questions.jsonl"
CHAT_RESOLVED = ROOT / "benchmarks" / "out" / "chat_resolved.jsonl"


def resolve(articles: Path, written: Path = WRITTEN, out: Path = RESOLVED) -> Path:
    """The written questions with their evidence text cut from `articles` (RealTimeQA's
    articles_dev.jsonl), as a question file `rag eval` reads; returns its path."""
    wanted = set()
    records = [json.loads(line) for line in written.read_text(encoding="utf-8").splitlines()]
    for record in records:
        wanted.update(record["evidence_doc_ids"])
    texts = {}
    with articles.open(encoding="utf-8") as lines:
        for line in lines:
            article = json.loads(line)
            if article["id"] in wanted:
                texts[article["id"]] = article["text"]
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as sink:
        for record in records:
            text = texts[record["evidence_doc_ids"][0]]
            spans = record.pop("evidence_spans")
            record["evidence"] = [text[start:end] for start, end in spans]
            sink.write(json.dumps(record, ensure_ascii=False) + "\n")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    args = parser.parse_args()
    articles = args.data / "realtimeqa" / "articles_dev.jsonl"
    if not articles.is_file():
        sys.exit(f"error: {articles} not found (the RealTimeQA articles the set is asked over)")
    print(resolve(articles))
    print(resolve(articles, CHAT, CHAT_RESOLVED))


if __name__ == "__main__":
    main()
