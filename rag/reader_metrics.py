"""Metrics of the reader's short answers: SQuAD-style exact match and token F1 against the gold
answers, yes/no (verdict) accuracy, whether the short answer lies inside a cited quote, and
counts and accuracy per answer type. Pure functions over one question and its answer."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from rag.metrics import READER_KEYS, VERDICTS, contains_answer, normalise_answer, token_f1

if TYPE_CHECKING:
    from rag.metrics import Row
    from rag.question_sets import Question

_VERDICT_WORD = re.compile(r"^\W*([A-Za-z]+(?: [A-Za-z]+)?)\.")


def verdict_of(text: str) -> str | None:
    """The verdict an answer opens with ("Yes. “...”" -> "yes"), if it opens with one."""
    match = _VERDICT_WORD.match(text)
    word = normalise_answer(match.group(1)) if match else ""
    return word if word in VERDICTS else None


def reader_metrics(
    question: Question,
    text: str,
    abstained: bool,
    short: Mapping[str, Any] | None,
    citations: Sequence[Mapping[str, Any]],
) -> dict[str, float | None]:
    """short_exact / short_f1 / short_contains over factoid gold answers (no short answer
    counts 0), yes_no_accuracy over verdict gold answers, short_in_quote over answers with one.
    short_contains judges the stated answer alone: answer_contains also counts the quotes, so
    a wrong statement whose quote holds the gold answer scores there and not here."""
    metrics: dict[str, float | None] = dict.fromkeys(READER_KEYS)
    if short is not None:
        metrics["short_in_quote"] = float(_in_quote(short, citations))
    if not question.answerable or not question.answers:
        return metrics
    verdicts = [normalise_answer(a) for a in question.answers if normalise_answer(a) in VERDICTS]
    if verdicts:
        metrics["yes_no_accuracy"] = float(not abstained and verdict_of(text) in verdicts)
        return metrics
    said = "" if abstained or short is None else str(short["text"])
    metrics["short_exact"] = float(
        any(normalise_answer(said) == normalise_answer(a) for a in question.answers) and bool(said)
    )
    metrics["short_f1"] = round(max(token_f1(said, a) for a in question.answers), 4)
    metrics["short_contains"] = float(bool(said) and contains_answer(said, question.answers))
    return metrics


def _in_quote(short: Mapping[str, Any], citations: Sequence[Mapping[str, Any]]) -> bool:
    return any(
        c["article_id"] == short["article_id"]
        and c["start"] <= short["start"]
        and short["end"] <= c["end"]
        for c in citations
    )


def by_answer_type(rows: Sequence[Row]) -> dict[str, dict[str, float | None]]:
    """For each answer type the reader saw: how many questions, and their mean
    answer_contains, short_exact and yes_no_accuracy."""
    types = sorted({r.answer_type for r in rows})
    table: dict[str, dict[str, float | None]] = {}
    for kind in types:
        group = [r for r in rows if r.answer_type == kind]
        table[kind] = {"n": float(len(group))}
        for key in ("answer_contains", "short_exact", "yes_no_accuracy"):
            values = [v for r in group if (v := r.metrics.get(key)) is not None]
            table[kind][key] = round(sum(values) / len(values), 4) if values else None
    return table
