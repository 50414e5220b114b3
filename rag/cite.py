"""Citation building blocks: sentence spans inside passages, `[n]` markers, quote checks.
Pure functions, shared by every answerer."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from rag.catalog import STOPWORDS, keyword_terms, stems
from rag.clean import sentence_spans

SUPPORT_WEIGHT = 0.5  # semantic share of the support score (benchmarks/calibrate_citations.py)
MIN_OVERLAP = 0.0  # share of the sentence's content words a supporting span must hold (ditto)
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


# --- Verifying a generated answer: sentences, [n] markers, supporting spans -------------------

_ANY_MARKER = re.compile(r"\[([^\[\]\n]{1,24})\]")
_VALID = re.compile(r"^\s*(?:passage\s*)?\d+(?:\s*(?:,|;|and)\s*(?:passage\s*)?\d+)*\s*$", re.I)
_PLACEHOLDER = re.compile(r"^\s*(n|x|passage|source|citation|ref)\s*$", re.IGNORECASE)
_MARKER_AFTER_STOP = re.compile(r"([.!?])((?:\s*\[[^\[\]\n]{1,24}\])+)")
_TAG = re.compile(r"</?\s*passage\b[^>\n]*>?", re.IGNORECASE)
_BULLET = re.compile(r"^\s*(?:[-*•]|\d{1,2}[.)])\s+")
_NAME_WORD = re.compile(r"\b[A-Z][\w’'-]*")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_INSTRUCTION = re.compile(
    r"\b(ignore|disregard|forget)\b.{0,40}\b(instructions?|prompts?|rules)\b|system prompt|"
    r"\byou are now\b|\bnew instructions\b|"
    r"^\W*(say|tell|answer|respond|reply|write|output|print|repeat|pretend|act as)\b",
    re.IGNORECASE,
)
_ABSTAIN = re.compile(
    r"\b(could not|cannot|can ?not|can't|couldn't|unable to) (find|answer|determine)|"
    r"\bnot (mentioned|stated|found|in the (passages|articles))|\bno information\b",
    re.IGNORECASE,
)
DISCOURSE = frozenset(  # sentence openers that are not names
    "however instead meanwhile additionally furthermore moreover overall yes finally first "
    "second third therefore thus today yesterday many most some several millions thousands "
    "hundreds both each every other another".split()
)


def answer_sentences(text: str) -> list[str]:
    """Sentences of a generated answer, each keeping the `[n]` markers written after it.
    Echoed passage tags and bare list numbers ("1.") are not sentences."""
    text = _MARKER_AFTER_STOP.sub(lambda m: f"{m.group(2)}{m.group(1)}", _TAG.sub(" ", text))
    sentences: list[str] = []
    for start, end in sentence_spans(text):
        sentence = _BULLET.sub("", text[start:end])
        lead = re.match(r"^(?:\s*\[[^\[\]\n]{1,24}\])+", sentence)
        if lead and sentences:
            sentences[-1] += lead.group()
            sentence = sentence[lead.end() :]
        if re.search(r"[^\W\d_]", sentence):
            sentences.append(sentence.strip())
    return sentences


def parse_markers(sentence: str, count: int) -> tuple[str, list[int], list[str]]:
    """(sentence without markers, cited passage numbers in 1..count, problems found).

    Out-of-range numbers and malformed markers (`[n]`, `[a1]`) are removed and reported;
    bracketed words without digits (`[sic]`) are left alone."""
    cited: list[int] = []
    problems: list[str] = []

    def replace(match: re.Match[str]) -> str:
        body = match.group(1)
        if _VALID.match(body):
            for number in (int(d) for d in re.findall(r"\d+", body)):
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


def required_terms(sentence: str) -> set[str]:
    """Numbers and capitalised names a supporting span must contain (lower-cased words)."""
    needed = {n.replace(",", "").rstrip(".") for n in _NUMBER.findall(sentence)}
    first = re.match(r"\W*([^\W_]+)", sentence)
    for match in _NAME_WORD.finditer(sentence):
        for word in re.findall(r"[^\W_]+", match.group().lower()):
            opener = first is not None and match.start() == first.start(1)
            if opener and (word in DISCOURSE or word.endswith(("ly", "ing", "ed"))):
                continue
            if len(word) > 1 and word not in STOPWORDS:
                needed.add(word)
    return needed


def missing_terms(needed: set[str], span: str) -> list[str]:
    """The required terms that the span does not contain."""
    words = set(re.findall(r"[^\W_]+", span.lower()))
    words |= {n.replace(",", "").rstrip(".") for n in _NUMBER.findall(span)}
    return sorted(t for t in needed if t not in words)


def content_overlap(claim: Sequence[str], span: Sequence[str]) -> float:
    """Share of the claim's content stems found in the span."""
    wanted = set(claim)
    return len(wanted & set(span)) / len(wanted) if wanted else 0.0


def content_stems(text: str) -> list[str]:
    return [s for s in stems(keyword_terms(text)) if s]


def looks_like_instruction(text: str) -> bool:
    """A sentence addressed to a model ("Ignore previous instructions", "Say that ..."): never
    accepted as support, so an article cannot vouch for what it orders the model to write."""
    return bool(_INSTRUCTION.search(text))


def is_abstention(sentence: str) -> bool:
    """The model saying it cannot find the answer."""
    return bool(_ABSTAIN.search(sentence))


def candidate_spans(text: str, start: int) -> list[Span]:
    """Each sentence of a passage and each pair of adjacent sentences, instructions left out."""
    sentences = [(s, looks_like_instruction(s.text)) for s in passage_sentences(text, start)]
    pairs = [
        Span(a.start, b.end, text[a.start - start : b.end - start])
        for (a, a_bad), (b, b_bad) in zip(sentences, sentences[1:], strict=False)
        if not (a_bad or b_bad)
    ]
    return [s for s, bad in sentences if not bad] + pairs


@dataclass(frozen=True)
class Support:
    """The best span of one cited passage for a sentence, and whether it supports it."""

    passage: int
    span: Span
    score: float
    semantic: float
    overlap: float
    missing: tuple[str, ...]
    supported: bool


class SupportChecker:
    """Support = weighted semantic similarity and content-word overlap above a threshold, at
    least MIN_OVERLAP of the content words, every number and name of the sentence in the span."""

    def __init__(
        self, encode: Callable[[list[str]], Any], threshold: float, weight: float = SUPPORT_WEIGHT
    ) -> None:
        self.encode = encode
        self.threshold = threshold
        self.weight = weight

    def best(self, sentence: str, text: str, start: int, number: int = 1) -> Support:
        """The span of passage `number` (`text` starting at article offset `start`) that
        supports `sentence` best."""
        spans = candidate_spans(text, start)
        if not spans:
            return Support(number, Span(start, start, ""), 0.0, 0.0, 0.0, (), False)
        claim, needed = content_stems(sentence), required_terms(sentence)
        lexical = sorted(
            ((content_overlap(claim, content_stems(s.text)), s) for s in spans),
            key=lambda pair: -pair[0],
        )[:PREFILTER]
        vectors = np.asarray(self.encode([sentence] + [s.text for _, s in lexical]))
        sims = vectors[1:] @ vectors[0]
        found = [
            self._support(number, span, float(sim), overlap, needed)
            for (overlap, span), sim in zip(lexical, sims, strict=True)
        ]
        single = {(s.start, s.end) for s in passage_sentences(text, start)}
        return max(found, key=lambda s: (s.supported, s.score - _pair_cost(s.span, single)))

    def _support(
        self, number: int, span: Span, semantic: float, overlap: float, needed: set[str]
    ) -> Support:
        score = round(self.weight * semantic + (1 - self.weight) * overlap, 4)
        missing = tuple(missing_terms(needed, span.text))
        ok = score >= self.threshold and overlap >= MIN_OVERLAP and not missing
        return Support(number, span, score, round(semantic, 4), round(overlap, 4), missing, ok)


def _pair_cost(span: Span, single: set[tuple[int, int]]) -> float:
    return 0.0 if (span.start, span.end) in single else PAIR_COST


class Located(Protocol):
    """A passage: its text and where it starts in the stored article."""

    @property
    def text(self) -> str: ...

    @property
    def start(self) -> int: ...


@dataclass(frozen=True)
class Checked:
    """One sentence of a generated answer with the support found in each passage it cites."""

    text: str
    supports: tuple[Support, ...]
    abstains: bool = False

    @property
    def supported(self) -> bool:
        return any(s.supported for s in self.supports)


@dataclass
class Verified:
    """A generated answer after checking: rebuilt text, renumbered citations, what failed."""

    text: str
    citations: list[tuple[int, Support]]
    unsupported: list[str]
    notes: list[str]
    abstained: bool


def check_sentences(
    answer: str, passages: Sequence[Located], checker: SupportChecker
) -> tuple[list[Checked], list[str]]:
    """Every sentence of `answer` checked against the passages it cites; marker problems."""
    checked, notes = [], []
    for raw in answer_sentences(answer):
        text, cited, problems = parse_markers(raw, len(passages))
        notes.extend(problems)
        if not text.strip(" .[]"):
            continue
        supports = tuple(
            checker.best(text, passages[n - 1].text, passages[n - 1].start, n) for n in cited
        )
        checked.append(Checked(text, supports, not cited and is_abstention(text)))
    return checked, notes


def verify_answer(
    answer: str, passages: Sequence[Located], checker: SupportChecker, strict: bool = False
) -> Verified:
    """Check every sentence; number citations by quote and verdict; mark (or, when strict,
    drop) unsupported sentences."""
    checked, notes = check_sentences(answer, passages, checker)
    claims = [c for c in checked if not c.abstains]
    if strict:
        dropped = [c for c in claims if not c.supported]
        if dropped:
            notes.append(f"dropped {len(dropped)} unsupported sentence(s)")
        claims = [c for c in claims if c.supported]
    numbers: dict[tuple[int, int, int, bool], int] = {}
    citations: list[tuple[int, Support]] = []
    sentences = []
    for claim in claims:
        marks = []
        for support in claim.supports:
            if strict and not support.supported:
                continue
            key = (support.passage, support.span.start, support.span.end, support.supported)
            if key not in numbers:
                numbers[key] = len(numbers) + 1
                citations.append((numbers[key], support))
            marks.append(f" [{numbers[key]}]")
        sentences.append(claim.text + "".join(dict.fromkeys(marks)))
    unsupported = [c.text for c in claims if not c.supported]
    return Verified(" ".join(sentences), citations, unsupported, notes, not claims)


def describe_unsupported(unsupported: Sequence[str], notes: Sequence[str] = ()) -> list[str]:
    """Plain-text lines for the CLI: sentences no cited passage backs, and marker problems."""
    lines = []
    if unsupported:
        lines.append("Unsupported (no cited passage backs these sentences):")
        lines.extend(f"  ! {' '.join(s.split())}" for s in unsupported)
    lines.extend(f"  note: {note}" for note in notes)
    return lines
