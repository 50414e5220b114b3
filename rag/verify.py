"""Checking a generated answer claim by claim. Each sentence is checked against every retrieved
passage, not only the one it cites: the spans scoring best (rag.cite) must also agree with it
(rag.agree: negation, numbers, dates, names, who did what to whom), and, with a judge, a model
must say yes. The citation points at the span that backs the claim; an unsupported claim keeps
the reason. An answer none of whose claims is backed becomes an abstention (or, when asked,
is shown labelled as unsupported)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from rag.agree import contradicts, disagreement
from rag.cite import (
    Located,
    Support,
    SupportChecker,
    answer_sentences,
    is_abstention,
    parse_markers,
)
from rag.claims import analyse
from rag.names import word_set

AGREEMENT_CANDIDATES = 6  # best-scoring spans compared with a claim, in order
CITED_MARGIN = 0.1  # a cited passage's span wins when it scores this close to the best
CONTRADICTION_MARGIN = 0.15  # a span that disagrees outweighs agreeing ones scoring this much less
SYNONYM = 0.45  # word-embedding similarity at which a passage's verb stands for the claim's
Judge = Callable[[str, str], tuple[bool, float]]  # (claim, span) -> (entailed, margin)
Articles = Callable[[str], str | None]  # article id -> its stored text


@dataclass(frozen=True)
class ClaimCheck:
    """One sentence of a generated answer and the verdict on it."""

    text: str
    cited: tuple[int, ...]  # passage numbers the model wrote
    support: Support | None  # the backing span (or the closest one, when unsupported)
    abstains: bool = False

    @property
    def supported(self) -> bool:
        return self.support is not None and self.support.supported

    @property
    def reason(self) -> str:
        if self.supported:
            return ""
        return self.support.reason if self.support else "no passage says this"


@dataclass
class Verified:
    """A generated answer after checking: its claims, rebuilt text, renumbered citations."""

    text: str
    citations: list[tuple[int, Support]]
    claims: list[tuple[ClaimCheck, tuple[int, ...]]]  # each claim with its citation numbers
    notes: list[str] = field(default_factory=list)
    abstained: bool = False

    @property
    def unsupported(self) -> list[str]:
        return [c.text for c, _ in self.claims if not c.supported]


class ClaimChecker:
    """Deterministic claim checking over span scores, with an optional model judge."""

    def __init__(
        self, scorer: SupportChecker, judge: Judge | None = None, articles: Articles | None = None
    ) -> None:
        self.scorer = scorer
        self.judge = judge
        self.articles = articles  # where a passage's whole article is read (names by title)
        self._vectors: dict[str, Any] = {}

    def similar(self, word: str, candidates: Sequence[str]) -> bool:
        """Whether one of `candidates` means about the same as `word` (embedding similarity)."""
        words = [w for w in dict.fromkeys([word, *candidates]) if w not in self._vectors]
        if words:
            self._vectors.update(zip(words, self.scorer.encode(words), strict=True))
        own = self._vectors[word]
        return any(float(self._vectors[c] @ own) >= SYNONYM for c in candidates if c != word)

    def check(
        self, claim: str, passages: Sequence[Located], cited: Sequence[int] = ()
    ) -> Support | None:
        """The span that backs `claim` (`supported`), else the closest one with the reason."""
        ranked = self.scorer.rank(claim, passages)
        if not ranked:
            return None
        facts = analyse(claim)
        words = [word_set(p.text) for p in passages]
        texts = self._article_texts(passages)
        agreeing: list[Support] = []
        refused: Support | None = None
        strongest: float | None = None  # score of the best span that says otherwise
        for support in ranked[:AGREEMENT_CANDIDATES]:
            if support.score < self.scorer.threshold:
                break
            span = analyse(support.span.text)
            passage = support.passage - 1
            reason = disagreement(facts, span, words[passage], self.similar, texts[passage])
            if reason is None:
                agreeing.append(support)
                continue
            if refused is None:
                refused = replace(support, reason=_numbered_reason(reason, support.passage))
            if contradicts(reason) and strongest is None:
                strongest = support.score
        if strongest is not None:
            agreeing = [s for s in agreeing if s.score >= strongest - CONTRADICTION_MARGIN]
        if agreeing:
            return self._judged(claim, _prefer_cited(agreeing, cited))
        if refused is not None:
            return refused
        best = ranked[0]
        return replace(best, reason=f"no passage says this (closest: passage {best.passage})")

    def _article_texts(self, passages: Sequence[Located]) -> list[str]:
        """The whole article of each passage (its own text when there is no article lookup)."""
        found: dict[str, str] = {}
        texts = []
        for passage in passages:
            article_id = getattr(passage, "article_id", None)
            if self.articles is None or article_id is None:
                texts.append(passage.text)
                continue
            if article_id not in found:
                found[article_id] = self.articles(article_id) or passage.text
            texts.append(found[article_id])
        return texts

    def _judged(self, claim: str, support: Support) -> Support:
        if self.judge is None:
            return replace(support, supported=True)
        entailed, margin = self.judge(claim, support.span.text)
        if entailed:
            return replace(support, supported=True)
        reason = f"the model judge reads passage {support.passage} otherwise ({margin:+.1f})"
        return replace(support, reason=reason)


def _numbered_reason(reason: str, passage: int) -> str:
    """ "negated in passage (...)" -> "negated in passage 2 (...)"."""
    numbered = re.sub(r"\bpassage\b", f"passage {passage}", reason, count=1)
    return numbered if numbered != reason else f"passage {passage}: {reason}"


def _prefer_cited(agreeing: list[Support], cited: Sequence[int]) -> Support:
    best = agreeing[0]
    for support in agreeing:
        if support.passage in cited and support.score >= best.score - CITED_MARGIN:
            return support
    return best


def check_sentences(
    answer: str, passages: Sequence[Located], checker: ClaimChecker
) -> tuple[list[ClaimCheck], list[str]]:
    """Every sentence of `answer` checked against all the passages; marker problems."""
    checked, notes = [], []
    for raw in answer_sentences(answer):
        text, cited, problems = parse_markers(raw, len(passages))
        notes.extend(problems)
        if not text.strip(" .[]()"):
            continue
        if not cited and is_abstention(text):
            checked.append(ClaimCheck(text, (), None, abstains=True))
            continue
        checked.append(ClaimCheck(text, tuple(cited), checker.check(text, passages, cited)))
    return checked, notes


def verify_answer(
    answer: str,
    passages: Sequence[Located],
    checker: ClaimChecker,
    strict: bool = False,
    show_unsupported: bool = False,
) -> Verified:
    """Check every claim and number the citations by quote. With no claim backed, the answer
    is an abstention (shown, labelled, with `show_unsupported`); `strict` drops the
    unsupported claims of an answer that has supported ones."""
    checked, notes = check_sentences(answer, passages, checker)
    claims = [c for c in checked if not c.abstains]
    if not any(c.supported for c in claims):
        if claims and show_unsupported:
            notes.append("no claim of this answer is backed by the passages")
            return Verified(" ".join(c.text for c in claims), [], [(c, ()) for c in claims], notes)
        return Verified("", [], [(c, ()) for c in claims], notes, abstained=True)
    if strict:
        dropped = [c for c in claims if not c.supported]
        if dropped:
            notes.append(f"dropped {len(dropped)} unsupported sentence(s)")
        claims = [c for c in claims if c.supported]
    return _numbered(claims, notes)


def _numbered(claims: list[ClaimCheck], notes: list[str]) -> Verified:
    numbers: dict[tuple[int, int, int], int] = {}
    citations: list[tuple[int, Support]] = []
    sentences, numbered = [], []
    for claim in claims:
        marks: tuple[int, ...] = ()
        if claim.supported and claim.support is not None:
            span = claim.support
            key = (span.passage, span.span.start, span.span.end)
            if key not in numbers:
                numbers[key] = len(numbers) + 1
                citations.append((numbers[key], span))
            marks = (numbers[key],)
        sentences.append(claim.text + "".join(f" [{n}]" for n in marks))
        numbered.append((claim, marks))
    return Verified(" ".join(sentences), citations, numbered, notes)


def describe_claims(claims: Sequence[tuple[str, str]], notes: Sequence[str] = ()) -> list[str]:
    """Plain-text lines for the CLI: each unsupported (sentence, reason), and marker notes."""
    lines = []
    if claims:
        lines.append("Not supported by the passages:")
        lines.extend(f"  ! {' '.join(text.split())}  ({reason})" for text, reason in claims)
    lines.extend(f"  note: {note}" for note in notes)
    return lines
