"""Short-answer metrics on hand-made cases: exact match, token F1, verdict accuracy, the short
answer inside a quote, and the per-answer-type table."""

from __future__ import annotations

import pytest

from rag.metrics import METRIC_KEYS, Row, aggregate
from rag.question_sets import Question, split
from rag.reader_metrics import by_answer_type, reader_metrics, verdict_of


def _short(text: str, start: int = 10, article: str = "a") -> dict:
    return {"text": text, "article_id": article, "start": start, "end": start + len(text)}


def _quote(start: int, end: int, article: str = "a") -> dict:
    return {"article_id": article, "start": start, "end": end}


@pytest.mark.parametrize(
    ("gold", "said", "exact", "f1"),
    [
        (("Kamran Tessori", "Tessori"), "Kamran Tessori", 1.0, 1.0),
        (("Kamran Tessori",), "Tessori", 0.0, pytest.approx(0.6667, abs=1e-4)),
        (("Southwest Airlines",), "the Southwest Airlines", 1.0, 1.0),  # articles do not count
        (("$12.6 million",), "12.6 million", 1.0, 1.0),  # nor punctuation
        (("Monkeypox",), "Ebola", 0.0, 0.0),
    ],
)
def test_exact_match_and_f1_of_the_short_answer(gold, said, exact, f1) -> None:
    question = Question("q", "?", answers=gold)
    metrics = reader_metrics(question, f"{said}. “...” [1]", False, _short(said), [_quote(0, 99)])
    assert metrics["short_exact"] == exact
    assert metrics["short_f1"] == f1
    assert metrics["yes_no_accuracy"] is None


def test_no_short_answer_or_an_abstention_scores_zero() -> None:
    question = Question("q", "?", answers=("Monday",))
    quoted = reader_metrics(question, "Geo News reported on Monday. [1]", False, None, [])
    assert quoted["short_exact"] == 0.0 and quoted["short_f1"] == 0.0
    assert quoted["short_in_quote"] is None
    abstained = reader_metrics(question, "I could not find this.", True, None, [])
    assert abstained["short_exact"] == 0.0


@pytest.mark.parametrize(
    ("gold", "text", "right"),
    [
        ("Yes", "Yes. “The report says so.” [1]", 1.0),
        ("no", "Yes. “The report says so.” [1]", 0.0),
        ("Before", "Before. “...” [1] “...” [2]", 1.0),
        ("Consistent", "Consistent. “...” [1]", 1.0),
        ("no", "I could not find this in the articles.", 0.0),
    ],
)
def test_verdict_accuracy(gold: str, text: str, right: float) -> None:
    question = Question("v", "Did it?", answers=(gold,))
    abstained = text.startswith("I could not")
    metrics = reader_metrics(question, text, abstained, None, [])
    assert metrics["yes_no_accuracy"] == right
    assert metrics["short_exact"] is None


def test_verdict_of_reads_the_first_word_only() -> None:
    assert verdict_of("No. “This condition is not acceptable.” [1]") == "no"
    assert verdict_of("Kamran Tessori. “...”") is None
    assert verdict_of("Notably, ...") is None


def test_short_answer_must_lie_inside_a_cited_quote() -> None:
    question = Question("q", "?", answers=("X",))
    inside = reader_metrics(question, "X.", False, _short("X", 10), [_quote(5, 20)])
    outside = reader_metrics(question, "X.", False, _short("X", 10), [_quote(12, 20)])
    elsewhere = reader_metrics(question, "X.", False, _short("X", 10), [_quote(5, 20, "b")])
    assert inside["short_in_quote"] == 1.0
    assert outside["short_in_quote"] == 0.0 and elsewhere["short_in_quote"] == 0.0


def test_reader_metrics_are_aggregated_and_tabled_by_answer_type() -> None:
    assert {"short_exact", "short_f1", "yes_no_accuracy", "short_in_quote"} <= set(METRIC_KEYS)

    def row(kind: str, **metrics: float) -> Row:
        return Row(Question(kind, "?", answers=("x",)), "", False, [], [], None, 1.0, {}, metrics,
                   answer_type=kind)  # fmt: skip

    rows = [
        row("person", answer_contains=1.0, short_exact=1.0),
        row("person", answer_contains=0.0, short_exact=0.0),
        row("verdict", answer_contains=1.0, yes_no_accuracy=1.0),
    ]
    assert aggregate(rows)["short_exact"] == 0.5
    table = by_answer_type(rows)
    assert table["person"] == {
        "n": 2.0,
        "answer_contains": 0.5,
        "short_exact": 0.5,
        "yes_no_accuracy": None,
    }
    assert table["verdict"]["yes_no_accuracy"] == 1.0


def test_the_dev_split_is_fixed_and_halves_the_set() -> None:
    questions = [Question(f"q{i}", "?") for i in range(200)]
    tune, check = split(questions, "tune"), split(questions, "check")
    assert len(tune) + len(check) == 200 and 70 < len(tune) < 130
    assert not {q.id for q in tune} & {q.id for q in check}
    assert split(questions, "tune") == tune


@pytest.mark.parametrize(
    ("gold", "said", "quote", "contains"),
    [
        (("Nepal",), "Nepal", "Protests shook Nepal this week.", 1.0),
        (("Rapid test",), "a rapid test kit", "Take a rapid test kit.", 1.0),
        # a wrong statement whose quote holds the gold answer: answer_contains counts it
        (("Nestlé",), "Sept.", "Nestlé said on Sept. 1.", 0.0),
    ],
)
def test_short_contains_judges_the_stated_answer_alone(gold, said, quote, contains) -> None:
    question = Question("q", "?", answers=gold)
    text = f"{said}. “{quote}” [1]"
    metrics = reader_metrics(question, text, False, _short(said), [_quote(0, 99)])
    assert metrics["short_contains"] == contains
    assert (
        reader_metrics(question, "I could not find this.", True, None, [])["short_contains"] == 0.0
    )
