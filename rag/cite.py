"""Citation building blocks: sentence spans inside passages, `[n]` markers, quote checks, and
the scoring of a passage span against a claim (semantic similarity + content-word overlap).
Shared by every answerer; `rag.verify` turns the scores into verdicts."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

import numpy as np

from rag.catalog import keyword_terms, stems
from rag.clean import sentence_spans
from rag.injection import quotable

SUPPORT_WEIGHT = 0.5  # semantic share of the support score (benchmarks/claim_check.py)
PREFILTER = 8  # spans per passage embedded, best content-word overlap first
PAIR_COST = 0.03  # a lone sentence is preferred over a two-sentence span scoring about as well
_MARKER = re.compile(r"\s*\[(\d{1,9})\]")
_DEPENDENT = re.compile(
    r"^[\"“‘']?(this|that|these|those|it|its|he|she|they|his|her|their|him|them|such|"
    r"however|but|yet|still|also|instead|thus|therefore|hence|consequently|as a result|"
    r"(due to|because of|for|despite|after|with) (this|that|these|those|it|them)|"
    r"the (condition|move|decision|deal|plan|"
    r"demand|offer|statement|proposal|report|measure|bill|law|change|case|group|party|company))\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Span:
    """A sentence of a passage, with offsets into the stored article text."""

    start: int
    end: int
    text: str


def passage_sentences(text: str, start: int) -> list[Span]:
    """Sentences of a passage whose text is `article[start:start+len(text)]`."""
    return [Span(s, e, text[s - start : e - start]) for s, e in sentence_spans(text, start)]


def stands_alone(sentence: str) -> bool:
    """False for a sentence that leans on the one before ("This condition by Sattar ...")."""
    return not _DEPENDENT.match(sentence.strip())


def with_marker(quote: str, n: int) -> str:
    """A quoted sentence with its `[n]` marker, paragraph breaks folded to spaces."""
    return f"{' '.join(quote.split())} [{n}]"


def markers(text: str) -> list[int]:
    """The `[n]` numbers in a text, in order."""
    return [int(m.group(1)) for m in _MARKER.finditer(text)]


def strip_markers(text: str) -> str:
    return _MARKER.sub("", text).strip()


def quote_is_exact(article_text: str, quote: str, start: int, end: int) -> bool:
    """The promise every citation keeps: the quote is found verbatim at start:end."""
    return 0 <= start <= end <= len(article_text) and article_text[start:end] == quote


def jaccard(first: Sequence[str], second: Sequence[str]) -> float:
    a, b = set(first), set(second)
    return len(a & b) / len(a | b) if a and b else 0.0


# --- Reading a generated answer: sentences and citation markers --------------------------------

_NUMBERS = r"(?:passage\s*)?\d{1,2}(?:\s*(?:,|;|and|&)\s*(?:passage\s*)?\d{1,2})*"
_ANY_MARKER = re.compile(
    r"\[([^\[\]\n]{1,24})\]|【(\d{1,2})】|\((" + _NUMBERS + r")\)", re.IGNORECASE
)
_VALID = re.compile(r"^\s*" + _NUMBERS + r"\s*$", re.IGNORECASE)
_PLACEHOLDER = re.compile(r"^\s*(n|x|passage|source|citation|ref)\s*$", re.IGNORECASE)
_MARKER_AFTER_STOP = re.compile(
    r"([.!?])((?:\s*(?:\[[^\[\]\n]{1,24}\]|\(" + _NUMBERS + r"\)))+)", re.IGNORECASE
)
_LEADING_MARKERS = re.compile(
    r"^(?:\s*(?:\[[^\[\]\n]{1,24}\]|\(" + _NUMBERS + r"\)))+", re.IGNORECASE
)
_TAG = re.compile(r"</?\s*passage\b[^>\n]*>?", re.IGNORECASE)
_BULLET = re.compile(r"^\s*(?:[-*•]|\d{1,2}[.)])\s+")
_ABSTAIN = re.compile(
    r"\b(could not|cannot|can ?not|can't|couldn't|unable to) (find|answer|determine)|"
    r"\bnot (mentioned|stated|found|in the (passages|articles))|\bno information\b|"
    r"\b(passages|articles) (do not|don't) (say|mention|state|contain)",
    re.IGNORECASE,
)


def answer_sentences(text: str) -> list[str]:
    """Sentences of a generated answer, each keeping the markers written after it ("[2]",
    "(2)", "[Passage 2]", "[2, 3]"). Echoed passage tags and bare list numbers are dropped."""
    text = _MARKER_AFTER_STOP.sub(lambda m: f"{m.group(2)}{m.group(1)}", _TAG.sub(" ", text))
    sentences: list[str] = []
    for start, end in sentence_spans(text):
        sentence = _BULLET.sub("", text[start:end])
        lead = _LEADING_MARKERS.match(sentence)
        if lead and sentences:
            sentences[-1] += lead.group()
            sentence = sentence[lead.end() :]
        if re.search(r"[^\W\d_]", sentence):
            sentences.append(sentence.strip())
    return sentences


def parse_markers(sentence: str, count: int) -> tuple[str, list[int], list[str]]:
    """(sentence without markers, cited passage numbers in 1..count, problems found).

    Out-of-range numbers and malformed markers (`[n]`, `[a1]`) are removed and reported;
    bracketed words without digits (`[sic]`) and parenthesised numbers that are not passage
    numbers ("(1990)", "(7)" with 5 passages) are left alone."""
    cited: list[int] = []
    problems: list[str] = []

    def replace(match: re.Match[str]) -> str:
        body = next(g for g in match.groups() if g is not None)
        numbers = [int(d) for d in re.findall(r"\d+", body)]
        parenthesised = match.group(3) is not None  # a marker only when each number is a passage
        if parenthesised and not all(1 <= n <= count for n in numbers):
            return match.group()
        if _VALID.match(body):
            for number in numbers:
                if 1 <= number <= count:
                    cited.append(number)
                else:
                    problems.append(f"removed [{body}]: there is no passage {number}")
            return ""
        if re.search(r"\d", body) or _PLACEHOLDER.match(body):
            problems.append(f"removed malformed marker [{body}]")
            return ""
        return match.group()

    clean = _ANY_MARKER.sub(replace, sentence)
    clean = re.sub(r"\s+([.!?,;:])", r"\1", " ".join(clean.split()))
    return clean, list(dict.fromkeys(cited)), problems


def is_abstention(sentence: str) -> bool:
    """The model saying it cannot find the answer."""
    return bool(_ABSTAIN.search(sentence))


# --- Scoring passage spans against a claim ------------------------------------------------------


def content_overlap(claim: Sequence[str], span: Sequence[str]) -> float:
    """Share of the claim's content stems found in the span."""
    wanted = set(claim)
    return len(wanted & set(span)) / len(wanted) if wanted else 0.0


def content_stems(text: str) -> list[str]:
    return [s for s in stems(keyword_terms(text)) if s]


def candidate_spans(text: str, start: int) -> list[Span]:
    """Each sentence of a passage and each pair of adjacent sentences; sentences addressed to
    an AI assistant (rag.injection) are left out, and so are the pairs holding them."""
    sentences = passage_sentences(text, start)
    kept = quotable(sentences)
    ok = {(s.start, s.end) for s in kept}
    pairs = [
        Span(a.start, b.end, text[a.start - start : b.end - start])
        for a, b in zip(sentences, sentences[1:], strict=False)
        if (a.start, a.end) in ok and (b.start, b.end) in ok
    ]
    return kept + pairs


@dataclass(frozen=True)
class Support:
    """A span of passage `passage` (1-based) scored against a claim: `supported` once the
    claim checker (rag.verify) found that it agrees, with `reason` saying why not."""

    passage: int
    span: Span
    score: float
    semantic: float
    overlap: float
    supported: bool = False
    reason: str = ""
    single: bool = True  # one sentence (else two adjacent ones)


class Located(Protocol):
    """A passage: its text and where it starts in the stored article."""

    @property
    def text(self) -> str: ...

    @property
    def start(self) -> int: ...


class SupportChecker:
    """Scores spans of passages against a claim: `weight` x semantic similarity + the rest x
    content-word overlap; spans scoring `threshold` or more are candidates for support."""

    def __init__(
        self, encode: Callable[[list[str]], Any], threshold: float, weight: float = SUPPORT_WEIGHT
    ) -> None:
        self.encode = encode
        self.threshold = threshold
        self.weight = weight

    def rank(self, sentence: str, passages: Sequence[Located]) -> list[Support]:
        """Spans of every passage, best first (a lone sentence before a pair scoring about
        as well); the few best by word overlap per passage are embedded, in one batch."""
        claim = content_stems(sentence)
        chosen: list[tuple[int, float, Span, bool]] = []
        for number, passage in enumerate(passages, start=1):
            single = {(s.start, s.end) for s in passage_sentences(passage.text, passage.start)}
            spans = candidate_spans(passage.text, passage.start)
            lexical = sorted(
                ((content_overlap(claim, content_stems(s.text)), s) for s in spans),
                key=lambda pair: -pair[0],
            )[:PREFILTER]
            chosen += [(number, o, s, (s.start, s.end) in single) for o, s in lexical]
        if not chosen:
            return []
        vectors = np.asarray(self.encode([sentence] + [s.text for _, _, s, _ in chosen]))
        sims = vectors[1:] @ vectors[0]
        found = []
        for (number, overlap, span, alone), sim in zip(chosen, sims, strict=True):
            score = round(self.weight * float(sim) + (1 - self.weight) * overlap, 4)
            support = Support(number, span, score, round(float(sim), 4), round(overlap, 4))
            found.append((score - (0 if alone else PAIR_COST), replace(support, single=alone)))
        found.sort(key=lambda pair: -pair[0])
        return [support for _, support in found]

    def best(self, sentence: str, text: str, start: int, number: int = 1) -> Support:
        """The best-scoring span of one passage (`text` at article offset `start`)."""
        ranked = self.rank(sentence, [_Passage(text, start)])
        if not ranked:
            return Support(number, Span(start, start, ""), 0.0, 0.0, 0.0)
        best = ranked[0]
        return Support(number, best.span, best.score, best.semantic, best.overlap)


@dataclass(frozen=True)
class _Passage:
    text: str
    start: int
