"""Evaluation metrics: answer matching, per-question scores and their aggregation. Pure functions.

`METRIC_KEYS` is the contract of `rag eval --json`; a metric that does not apply to a set (no
unanswerable questions, no gold evidence, ...) is None.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from rag.catalog import STOPWORDS

if TYPE_CHECKING:
    from rag.question_sets import Question

# the reader's own metrics (`rag.reader_metrics`): what the stated short answer scores
READER_KEYS = ("short_exact", "short_f1", "short_contains", "yes_no_accuracy", "short_in_quote")
METRIC_KEYS = (
    "answer@1",
    "answer@5",
    "answer@10",
    "mrr@10",
    "evidence_recall@5",
    "answer_contains",
    "answer_f1",
    *READER_KEYS,
    "citation_precision",
    "citation_recall",
    "abstain_precision",
    "abstain_recall",
    "false_abstain_rate",
    "latency_p50_ms",
    "latency_p95_ms",
)
EXTRA_KEYS = ("supported_citation_rate",)
LOWER_IS_BETTER = frozenset({"false_abstain_rate", "latency_p50_ms", "latency_p95_ms"})
RANK_DEPTH = 10
NO_ANSWER = frozenset({"insufficient information", "no answer", "unanswerable"})
VERDICTS = frozenset(
    "yes no true false agree disagree consistent inconsistent same different before after "
    "change no change".split()
)
SUPPORT_OVERLAP = 0.6
EVIDENCE_COVERAGE = 0.8
_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCT = re.compile(r"[^\w\s]|_")
_POSSESSIVE = re.compile(r"['’]s\b")


# -- text matching ------------------------------------------------------------------------------
def normalise_answer(text: str) -> str:
    """Lower case, no punctuation, no articles, single spaces (SQuAD style)."""
    text = unicodedata.normalize("NFKC", text).lower().replace("’", "'").replace("'", "")
    text = _ARTICLES.sub(" ", _PUNCT.sub(" ", text))
    return " ".join(text.split())


def contains_answer(text: str, answers: Sequence[str]) -> bool:
    """A normalised gold answer occurs in the normalised text, on word boundaries; a name
    followed by a possessive counts ("UCLA's campus" holds "UCLA")."""
    plain = f" {normalise_answer(text)} "
    unpossessed = f" {normalise_answer(_POSSESSIVE.sub('', text))} "
    return any(
        (needle := normalise_answer(a)) and (f" {needle} " in plain or f" {needle} " in unpossessed)
        for a in answers
    )


def token_f1(prediction: str, gold: str) -> float:
    """Token-level F1 of two texts after normalisation."""
    pred, ref = normalise_answer(prediction).split(), normalise_answer(gold).split()
    common = sum(min(pred.count(t), ref.count(t)) for t in set(pred) & set(ref))
    if not pred or not ref or common == 0:
        return 0.0
    precision, recall = common / len(pred), common / len(ref)
    return 2 * precision * recall / (precision + recall)


def content_words(text: str) -> set[str]:
    return {w for w in normalise_answer(text).split() if w not in STOPWORDS}


def supports(quote: str, evidence: str) -> bool:
    """The quote and a gold evidence text say the same thing: one contains the other, or most
    content words of the shorter occur in the longer."""
    if contains_answer(quote, [evidence]) or contains_answer(evidence, [quote]):
        return True
    q, e = content_words(quote), content_words(evidence)
    shorter = min(len(q), len(e))
    return shorter >= 4 and len(q & e) / shorter >= SUPPORT_OVERLAP


def covers(text: str, sentence: str) -> bool:
    """A passage holds a gold evidence sentence (verbatim, or nearly all its content words)."""
    if contains_answer(text, [sentence]):
        return True
    words = content_words(sentence)
    return len(words) >= 5 and len(words & content_words(text)) / len(words) >= EVIDENCE_COVERAGE


# -- scoring one question -----------------------------------------------------------------------
@dataclass(frozen=True)
class Hit:
    """A ranked passage as the metrics see it."""

    article_id: str
    text: str


def first_answer_rank(question: Question, ranked: Sequence[Hit], depth: int) -> int | None:
    """1-based rank of the first passage containing a gold answer, within `depth`."""
    for rank, hit in enumerate(ranked[:depth], start=1):
        if contains_answer(hit.text, question.checkable):
            return rank
    return None


def evidence_recall(question: Question, ranked: Sequence[Hit], depth: int = 5) -> float | None:
    """Share of gold evidence (document ids, else sentences) found in the top `depth`."""
    top = ranked[:depth]
    if question.evidence_doc_ids:
        found = {h.article_id for h in top}
        return _share([d in found for d in question.evidence_doc_ids])
    if question.evidence:
        return _share([any(covers(h.text, s) for h in top) for s in question.evidence])
    return None


def retrieval_metrics(question: Question, ranked: Sequence[Hit]) -> dict[str, float | None]:
    """answer@1/5/10, mrr@10 and evidence_recall@5 of one ranking (None where not applicable)."""
    metrics: dict[str, float | None] = dict.fromkeys(
        ("answer@1", "answer@5", "answer@10", "mrr@10", "evidence_recall@5")
    )
    if not question.answerable:
        return metrics
    if question.checkable:
        rank = first_answer_rank(question, ranked, RANK_DEPTH)
        for k in (1, 5, 10):
            metrics[f"answer@{k}"] = float(rank is not None and rank <= k)
        metrics["mrr@10"] = 1.0 / rank if rank else 0.0
    metrics["evidence_recall@5"] = evidence_recall(question, ranked)
    return metrics


def citation_is_correct(question: Question, quote: str) -> bool:
    """The quote contains a gold answer or supports a gold evidence text."""
    if contains_answer(quote, question.checkable):
        return True
    return any(supports(quote, e) for e in question.evidence)


def citation_recall(question: Question, quotes: Sequence[str], cited_ids: Sequence[str]) -> float:
    """Share of the gold evidence (sentences, else documents) that the citations cover."""
    if question.evidence:
        return _share([any(supports(q, e) for q in quotes) for e in question.evidence]) or 0.0
    return _share([d in cited_ids for d in question.evidence_doc_ids]) or 0.0


def answer_metrics(
    question: Question, text: str, abstained: bool, citations: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """answer_contains, answer_f1, citation precision and recall, and citation counts (pooled
    over a run for citation_precision and supported_citation_rate)."""
    metrics: dict[str, Any] = dict.fromkeys(
        ("answer_contains", "answer_f1", "citation_precision", "citation_recall")
    )
    counts = {
        "cited": 0,
        "cited_correct": 0,
        "cited_supported": sum(bool(c.get("supported", True)) for c in citations),
        "all_cited": len(citations),
    }
    if not question.answerable:
        return {**metrics, **counts}
    if question.answers:
        plain = re.sub(r"\s*\[\d+\]", "", text)
        metrics["answer_contains"] = (
            0.0 if abstained else float(contains_answer(plain, question.answers))
        )
        f1 = max(token_f1(plain, a) for a in question.answers)
        metrics["answer_f1"] = 0.0 if abstained else round(f1, 4)
    has_gold = bool(question.checkable or question.evidence)
    if has_gold and citations:
        counts["cited"] = len(citations)
        counts["cited_correct"] = sum(bool(c["correct"]) for c in citations)
        metrics["citation_precision"] = counts["cited_correct"] / counts["cited"]
    if not abstained and (question.evidence or question.evidence_doc_ids):
        quotes = [str(c["quote"]) for c in citations]
        metrics["citation_recall"] = citation_recall(
            question, quotes, [str(c["article_id"]) for c in citations]
        )
    return {**metrics, **counts}


def _share(flags: Sequence[bool]) -> float | None:
    return sum(flags) / len(flags) if flags else None


# -- a run -------------------------------------------------------------------------------------
@dataclass
class Row:
    """One evaluated question: gold, what the assistant did, and its metrics."""

    question: Question
    answer: str
    abstained: bool
    citations: list[dict[str, Any]]
    passages: list[dict[str, Any]]
    first_answer_rank: int | None
    latency_ms: float
    timings_ms: dict[str, float]
    metrics: dict[str, Any] = field(default_factory=dict)
    answer_type: str = "description"  # what the reader took the question to ask for
    short_answer: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["question"] = asdict(self.question)
        return data


def aggregate(rows: Sequence[Row]) -> dict[str, float | None]:
    """Every metric over a set of rows (means, pooled citation counts, abstention, latency)."""
    result: dict[str, float | None] = {}
    for key in ("answer@1", "answer@5", "answer@10", "mrr@10", "evidence_recall@5"):
        result[key] = _mean([r.metrics.get(key) for r in rows])
    result["answer_contains"] = _mean([r.metrics.get("answer_contains") for r in rows])
    result["answer_f1"] = _mean([r.metrics.get("answer_f1") for r in rows])
    for key in READER_KEYS:
        result[key] = _mean([r.metrics.get(key) for r in rows])
    result["citation_precision"] = _ratio(
        sum(r.metrics.get("cited_correct", 0) for r in rows),
        sum(r.metrics.get("cited", 0) for r in rows),
    )
    result["citation_recall"] = _mean([r.metrics.get("citation_recall") for r in rows])
    result.update(abstention(rows))
    latencies = [r.latency_ms for r in rows]
    result["latency_p50_ms"] = _round(percentile(latencies, 50), 1)
    result["latency_p95_ms"] = _round(percentile(latencies, 95), 1)
    result["supported_citation_rate"] = _ratio(
        sum(r.metrics.get("cited_supported", 0) for r in rows),
        sum(r.metrics.get("all_cited", 0) for r in rows),
    )
    return {k: _round(v, 4) if not k.startswith("latency") else v for k, v in result.items()}


def abstention(rows: Sequence[Row]) -> dict[str, float | None]:
    """Precision and recall of abstaining on unanswerable questions; false abstention rate."""
    abstained = [r for r in rows if r.abstained]
    unanswerable = [r for r in rows if not r.question.answerable]
    answerable = [r for r in rows if r.question.answerable]
    right = sum(not r.question.answerable for r in abstained)
    return {
        "abstain_precision": _ratio(right, len(abstained)),
        "abstain_recall": _ratio(right, len(unanswerable)),
        "false_abstain_rate": _ratio(sum(r.abstained for r in answerable), len(answerable)),
    }


def metrics_by_type(rows: Sequence[Row]) -> dict[str, dict[str, float | None]]:
    """`aggregate` for each question type, types in sorted order."""
    types = sorted({r.question.type for r in rows})
    return {t: aggregate([r for r in rows if r.question.type == t]) for t in types}


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile with linear interpolation (None for no values)."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _mean(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


def _ratio(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)
