"""The `extractive` answerer: no LLM. It scores the sentences of the retrieved passages against
the question (semantic similarity and IDF-weighted keyword coverage), quotes the best few with
their `[n]` markers, and abstains when the evidence is weak."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from rag.answer import ABSTAIN_TEXT, Citation, Draft, Turn
from rag.catalog import keyword_terms, stems
from rag.cite import Span, jaccard, passage_sentences, stands_alone, with_marker
from rag.injection import quotable
from rag.retrieve import Passage
from rag.store import Store

SEMANTIC_POOL = 20
PASSAGES_READ = 5
REPEAT_PENALTY = 0.2
_WHO = re.compile(r"^\s*(who|whom|whose)\b", re.IGNORECASE)
_WHEN = re.compile(r"^\s*(when|what (year|date|day|month|time))\b", re.IGNORECASE)
_COUNT = re.compile(r"\b(how (many|much|long|old|far)|what (percentage|number|share))\b", re.I)
_NAME = re.compile(r"\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)+\b")
_DATE = re.compile(
    r"\b(\d{4}|monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|"
    r"april|may|june|july|august|september|october|november|december|yesterday|today)\b",
    re.IGNORECASE,
)
_NUMBER = re.compile(
    r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|hundred|thousand|"
    r"million|billion|dozen)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Scoring:
    """How sentence evidence is weighed into one score."""

    semantic: float = 0.4
    coverage: float = 0.3
    prior: float = 0.25
    fits_type: float = 0.05
    informative: float = 0.1
    question_penalty: float = 0.3


@dataclass
class Candidate:
    """A sentence of a retrieved passage and how well it answers the question."""

    passage: Passage
    rank: int
    span: Span
    terms: frozenset[str]
    coverage: float = 0.0
    semantic: float = 0.0
    evidence: float = 0.0
    score: float = 0.0


class ExtractiveAnswerer:
    """Quote the sentences that answer the question; abstain below `threshold`."""

    def __init__(
        self, store: Store, threshold: float, max_sentences: int = 2, scoring: Scoring = Scoring()
    ) -> None:
        self.store = store
        self.threshold = threshold
        self.max_sentences = max_sentences
        self.scoring = scoring

    def stream(
        self, question: str, passages: Sequence[Passage], history: Sequence[Turn] = ()
    ) -> Iterator[str | Draft]:
        said = [t["content"] for t in history if t.get("role") == "assistant"]
        draft = self.answer(question, passages, said)
        pieces = draft.text.split("] ")
        for i, piece in enumerate(pieces):
            yield piece + ("] " if i < len(pieces) - 1 else "")
        yield draft

    def answer(self, question: str, passages: Sequence[Passage], said: Sequence[str] = ()) -> Draft:
        """Quote the best sentences; sentences the conversation already gave rank lower."""
        ranked = _demote_repeats(self.rank(question, passages), said)
        if not ranked or self.evidence(ranked) < self.threshold:
            return Draft(ABSTAIN_TEXT, [], True)
        texts: dict[str, str] = {}
        chosen = self._choose(ranked, texts)
        citations = [
            Citation.of(
                n, c.passage, texts[c.passage.article_id][start : c.span.end], start, c.span.end
            )
            for n, (c, start) in enumerate(chosen, start=1)
        ]
        text = " ".join(with_marker(c.quote, c.n) for c in citations)
        return Draft(text, citations, False)

    @staticmethod
    def evidence(ranked: Sequence[Candidate]) -> float:
        """How strongly the best sentence answers the question (semantic + keyword evidence
        only, no rank prior): the quantity the abstention threshold applies to."""
        return max((c.evidence for c in ranked), default=0.0)

    def rank(self, question: str, passages: Sequence[Passage]) -> list[Candidate]:
        """Every sentence of the top passages, best answer first."""
        candidates = _candidates(passages[:PASSAGES_READ])
        if not candidates:
            return []
        weights = self._term_weights(question)
        total = sum(weights.values()) or 1.0
        for c in candidates:
            c.coverage = sum(w for t, w in weights.items() if t in c.terms) / total
        top = max(p.score for p in passages[:PASSAGES_READ]) or 1.0
        pool = sorted(
            candidates, key=lambda c: (-(c.coverage + 0.2 * c.passage.score / top), c.rank)
        )
        pool = pool[:SEMANTIC_POOL]
        vectors = self.store.embedder.encode([question] + [c.span.text for c in pool])
        sims = np.asarray(vectors[1:]) @ np.asarray(vectors[0])
        asked = {w.lower() for w in re.findall(r"\w+", question)}
        w = self.scoring
        for c, sim in zip(pool, sims, strict=True):
            c.semantic = float(sim)
            c.evidence = 0.5 * c.semantic + 0.5 * c.coverage
            c.score = (
                w.semantic * c.semantic
                + w.coverage * c.coverage
                + w.prior * c.passage.score / top
                + w.fits_type * _fits_type(question, c.span.text)
                + w.informative * _informative(c.span.text, asked)
                - w.question_penalty * c.span.text.rstrip().endswith("?")
            )
        return sorted(pool, key=lambda c: (-c.score, c.rank, c.span.start))

    def _term_weights(self, question: str) -> dict[str, float]:
        terms = [t for t in dict.fromkeys(stems(keyword_terms(question))) if t]
        total, freq = self.store.catalog.document_frequencies(terms)
        return {
            t: math.log(1 + (total - freq.get(t, 0) + 0.5) / (freq.get(t, 0) + 0.5)) for t in terms
        }

    def _choose(
        self, ranked: list[Candidate], texts: dict[str, str]
    ) -> list[tuple[Candidate, int]]:
        """The best sentences, each with the start of its quote (widened to the sentence
        before when it cannot stand alone); quotes never overlap or repeat each other.
        `texts` collects the stored text of each article read, by article id."""
        best = ranked[0]
        chosen: list[tuple[Candidate, int]] = []
        for c in ranked:
            if len(chosen) >= self.max_sentences:
                break
            if chosen and (c.score < 0.85 * best.score or c.evidence < self.threshold):
                break
            text = self._article_text(c.passage.article_id, texts)
            start = c.span.start if stands_alone(c.span.text) else _previous_start(c, text)
            covered = [i for i, (o, _) in enumerate(chosen) if _contains(c, start, o)]
            if covered:  # the widened quote holds an earlier one: it takes that one's place
                chosen[covered[0]] = (c, start)
                continue
            if any(
                _overlaps(c, start, o, o_start) or jaccard(c.terms, o.terms) >= 0.6
                for o, o_start in chosen
            ):
                continue
            chosen.append((c, start))
        return chosen

    def _article_text(self, article_id: str, texts: dict[str, str]) -> str:
        if article_id not in texts:
            texts[article_id] = self.store.catalog.lookup(article_id)["text"]
        return texts[article_id]


def _previous_start(c: Candidate, text: str) -> int:
    """Start of the sentence before `c` in the same paragraph of `text` (or `c`'s own start)."""
    para_start = text.rfind("\n", 0, c.span.start) + 1
    before = passage_sentences(text[para_start : c.span.start], para_start)
    return before[-1].start if before and quotable(before[-1:]) else c.span.start


def _candidates(passages: Sequence[Passage]) -> list[Candidate]:
    seen: dict[tuple[str, int], Candidate] = {}
    spans = [
        (rank, p, s)
        for rank, p in enumerate(passages, 1)
        for s in quotable(passage_sentences(p.text, p.start))
    ]
    words = [keyword_terms(s.text) for _, _, s in spans]
    vocab = sorted({w for ws in words for w in ws})
    stem_of = dict(zip(vocab, stems(vocab), strict=True))
    for (rank, passage, span), ws in zip(spans, words, strict=True):
        key = (passage.article_id, span.start)
        if key not in seen and len(span.text.split()) >= 4:
            terms = frozenset(stem_of[w] for w in ws if stem_of[w])
            seen[key] = Candidate(passage, rank, span, terms)
    return list(seen.values())


def _overlaps(a: Candidate, a_start: int, b: Candidate, b_start: int) -> bool:
    same = a.passage.article_id == b.passage.article_id
    return same and a_start < b.span.end and b_start < a.span.end


def _demote_repeats(ranked: list[Candidate], said: Sequence[str]) -> list[Candidate]:
    """A follow-up wants something new: sentences already in earlier answers move down."""
    earlier = " ".join(" ".join(text.split()) for text in said)
    if not earlier:
        return ranked
    for c in ranked:
        if " ".join(c.span.text.split()) in earlier:
            c.score -= REPEAT_PENALTY
    return sorted(ranked, key=lambda c: (-c.score, c.rank, c.span.start))


def _contains(a: Candidate, a_start: int, b: Candidate) -> bool:
    same = a.passage.article_id == b.passage.article_id
    return same and a_start <= b.span.start and b.span.end <= a.span.end


def _informative(sentence: str, asked: set[str]) -> float:
    """1 when the sentence names something (a name or a number) the question does not."""
    words = re.findall(r"(?<!^)(?<![.!?] )\b([A-Z][\w-]+|\d[\d,.]*)", sentence)
    return float(any(word.lower() not in asked for word in words))


def _fits_type(question: str, sentence: str) -> float:
    """1 when the sentence holds the kind of thing the question asks for (name, date, number)."""
    if _WHO.search(question):
        return float(bool(_NAME.search(sentence)))
    if _WHEN.search(question):
        return float(bool(_DATE.search(sentence)))
    if _COUNT.search(question):
        return float(bool(_NUMBER.search(sentence)))
    return 0.0
