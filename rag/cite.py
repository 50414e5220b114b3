"""Citation building blocks: sentence spans inside passages, `[n]` markers, quote checks.
Pure functions, shared by every answerer."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rag.clean import sentence_spans

_MARKER = re.compile(r"\s*\[(\d+)\]")
_DEPENDENT = re.compile(
    r"^[\"“‘']?(this|that|these|those|it|its|he|she|they|his|her|their|him|them|such|"
    r"however|but|yet|still|also|instead|thus|therefore|the (condition|move|decision|deal|plan|"
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
