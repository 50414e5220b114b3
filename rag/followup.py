"""Resolve a follow-up question against the conversation, deterministically (no LLM)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from rag.catalog import keyword_terms

_ANAPHORA = re.compile(
    r"\b(it|its|he|him|his|she|her|they|them|their|this|that|these|those|there|the same|"
    r"the party|the group|the company|the deal|the plan|the demand|the offer|then)\b",
    re.IGNORECASE,
)


def needs_context(question: str) -> bool:
    """A question that points back ("Did they accept it?") or is too short to stand alone."""
    return bool(_ANAPHORA.search(question)) or len(keyword_terms(question)) <= 1


def condense(question: str, history: Sequence[Mapping[str, str]]) -> str:
    """The question, plus the content words of the latest user turn when it needs them."""
    previous = [t["content"] for t in history if t.get("role") == "user"]
    if not previous or not needs_context(question):
        return question
    own = set(keyword_terms(question))
    carried = [w for w in keyword_terms(previous[-1]) if w not in own]
    return f"{question} ({' '.join(carried)})" if carried else question
