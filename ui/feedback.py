"""Feedback on answers (kept where the conversations are) and questions saved for evaluation
(JSON Lines in the data dir)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rag.answer import Answer
    from rag.conversations import Conversations

QUESTIONS_FILE = "questions.jsonl"
_LOCK = threading.Lock()


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _citations(answer: Answer) -> list[dict[str, Any]]:
    return [
        {
            "n": c.n,
            "article_id": c.article_id,
            "title": c.title,
            "quote": c.quote,
            "start": c.start,
            "end": c.end,
        }
        for c in answer.citations
    ]


def record_feedback(
    book: Conversations, answer: Answer, rating: str, context: Mapping[str, Any] | None = None
) -> str:
    """Keep one rating ("up" or "down") of an answer; the latest entry per answer wins.
    Returns where it went."""
    entry = {
        "time": _now(),
        "rating": rating,
        "question": answer.question,
        "answer": answer.text,
        "abstained": answer.abstained,
        "citations": _citations(answer),
        **dict(context or {}),
    }
    return book.record_feedback(entry)


def question_record(
    answer: Answer, thumbs_up: bool, as_of: str | None = None, history: list[Any] | None = None
) -> dict[str, Any]:
    """A question-set line (the format `rag eval` reads); a liked answer becomes its gold."""
    from rag.cite import strip_markers

    asked = json.dumps([answer.question.lower(), history or []], ensure_ascii=False)
    digest = hashlib.sha1(asked.encode("utf-8")).hexdigest()[:10]
    record: dict[str, Any] = {"id": f"chat-{digest}", "question": answer.question}
    if as_of:
        record["as_of"] = as_of
    if history:
        record["history"] = history
    if thumbs_up and answer.abstained:
        record["answerable"] = False
    elif thumbs_up:
        record["answer"] = strip_markers(answer.text)
        record["evidence"] = [c.quote for c in answer.citations]
    return record


def save_question(data_dir: Path, record: Mapping[str, Any]) -> Path:
    """Add a question to the set, replacing an earlier line with the same id (ids stay unique)."""
    path = Path(data_dir) / QUESTIONS_FILE
    with _LOCK:
        path.parent.mkdir(parents=True, exist_ok=True)
        kept = []
        if path.is_file():
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip() and _line_id(line) != record["id"]:
                    kept.append(line)
        kept.append(json.dumps(dict(record), ensure_ascii=False))
        partial = path.with_name(path.name + ".partial")
        partial.write_text("\n".join(kept) + "\n", encoding="utf-8")
        os.replace(partial, path)
    return path


def _line_id(line: str) -> str | None:
    try:
        record = json.loads(line)
    except json.JSONDecodeError:
        return None
    return str(record.get("id")) if isinstance(record, dict) else None
