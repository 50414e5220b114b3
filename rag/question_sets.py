"""Question sets for evaluation: one JSON object a line (our format, RealTimeQA's or
MultiHop-RAG's) read into `Question`s with whatever gold data the set provides, and split into
fixed tune and check halves."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rag.clean import parse_date
from rag.errors import InputError, describe_json_error
from rag.metrics import NO_ANSWER, VERDICTS, normalise_answer


@dataclass(frozen=True)
class Question:
    """One evaluation question with whatever gold data the set provides."""

    id: str
    question: str
    answers: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()
    evidence_doc_ids: tuple[str, ...] = ()
    as_of: str | None = None
    answerable: bool = True
    history: tuple[dict[str, str], ...] = ()
    type: str = "untyped"

    @property
    def checkable(self) -> tuple[str, ...]:
        """Gold answers that can be looked for in a passage (not yes/no verdicts)."""
        return tuple(a for a in self.answers if normalise_answer(a) not in VERDICTS)


def load_questions(path: Path | str) -> list[Question]:
    """Questions from a JSON Lines file; a bad line raises InputError naming it."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read question set {path}: {exc}") from None
    questions = parse_questions(text.splitlines(), str(path))
    if not questions:
        raise InputError(f"{path} holds no questions (one JSON object a line)")
    return questions


SPLITS = ("tune", "check")


def split(questions: Sequence[Question], part: str) -> list[Question]:
    """One half of a question set, fixed by each question's id: tune settings on "tune",
    report figures on "check" (questions the tuning never saw)."""
    if part not in SPLITS:
        raise InputError(f"unknown split {part!r}: choose {' or '.join(SPLITS)}")
    wanted = SPLITS.index(part)
    return [q for q in questions if int(hashlib.sha1(q.id.encode()).hexdigest(), 16) % 2 == wanted]


def parse_questions(lines: Iterable[str], origin: str) -> list[Question]:
    """Questions from JSON lines; ids must be unique."""
    questions: list[Question] = []
    seen: set[str] = set()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(
                f"{origin}:{number}: malformed JSON ({describe_json_error(exc, False)})"
            ) from None
        question = parse_question(record, f"{origin}:{number}", number)
        if question.id in seen:
            raise InputError(f"{origin}:{number}: duplicate question id {question.id!r}")
        seen.add(question.id)
        questions.append(question)
    return questions


def parse_question(record: Any, where: str, number: int = 0) -> Question:
    """A Question from one record (our format, RealTimeQA's or MultiHop-RAG's)."""
    if not isinstance(record, Mapping):
        raise InputError(f"{where}: a question must be a JSON object")
    text = " ".join(str(record.get("question") or "").split())
    if not text:
        raise InputError(f"{where}: no question text")
    answers = tuple(a for a in _strings(record.get("answer"), where, "answer") if a.strip())
    no_answer = any(normalise_answer(a) in NO_ANSWER for a in answers)
    answerable = record.get("answerable")
    if answerable is None:
        answerable = not no_answer
    elif not isinstance(answerable, bool):
        raise InputError(f"{where}: answerable must be true or false")
    raw_date = record.get("as_of") or record.get("question_date")
    as_of = parse_date(raw_date) if raw_date else None
    if raw_date and as_of is None:
        raise InputError(f"{where}: as_of {raw_date!r} is not a date (try YYYY-MM-DD)")
    return Question(
        id=str(record.get("id") or f"q{number}"),
        question=text,
        answers=() if no_answer else answers,
        evidence=tuple(_strings(record.get("evidence"), where, "evidence")),
        evidence_doc_ids=tuple(_strings(record.get("evidence_doc_ids"), where, "evidence_doc_ids")),
        as_of=as_of,
        answerable=answerable,
        history=_history(record.get("history"), where),
        type=str(record.get("type") or record.get("question_type") or "untyped"),
    )


def _strings(value: Any, where: str, name: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return [str(value)]
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        return [str(v) for v in value]
    raise InputError(f"{where}: {name} must be a string or a list of strings")


def _history(value: Any, where: str) -> tuple[dict[str, str], ...]:
    if not value:
        return ()
    turns: list[dict[str, str]] = []
    for turn in value if isinstance(value, list) else [None]:
        if not (
            isinstance(turn, Mapping)
            and turn.get("role") in {"user", "assistant"}
            and isinstance(turn.get("content"), str)
        ):
            raise InputError(f"{where}: history must be a list of {{role, content}} turns")
        turns.append({"role": str(turn["role"]), "content": str(turn["content"])})
    return tuple(turns)
