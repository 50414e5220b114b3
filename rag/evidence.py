"""The few sentences of the retrieved passages that bear on a question, each with the sentence
before it for context: a prompt a fraction of the length of whole passages, for local LLMs
whose time goes mostly into reading the prompt (RAG_PROMPT_CONTEXT=sentences)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from rag.cite import Located, Span, content_overlap, content_stems, passage_sentences
from rag.injection import quotable

SEMANTIC_WEIGHT = 0.5
GAP = " … "


def best_sentences(
    question: str,
    passages: Sequence[Located],
    encode: Callable[[list[str]], Any],
    budget: int,
    context: int = 1,
) -> list[list[Span]]:
    """For each passage, in order, the sentences to show: the `budget` best over all passages
    (semantic similarity and keyword coverage of the question), each with up to `context`
    sentences before it. Sentences addressed to AI assistants are never chosen."""
    sentences = [quotable(passage_sentences(p.text, p.start)) for p in passages]
    flat = [(n, i, s) for n, spans in enumerate(sentences) for i, s in enumerate(spans)]
    if not flat:
        return [[] for _ in passages]
    wanted = content_stems(question)
    vectors = np.asarray(encode([question] + [s.text for _, _, s in flat]))
    sims = vectors[1:] @ vectors[0]
    scores = [
        SEMANTIC_WEIGHT * float(sim)
        + (1 - SEMANTIC_WEIGHT) * content_overlap(wanted, content_stems(s.text))
        for (_, _, s), sim in zip(flat, sims, strict=True)
    ]
    order = sorted(range(len(flat)), key=lambda j: -scores[j])[: max(1, budget)]
    keep: set[tuple[int, int]] = set()
    for j in order:
        n, i, _ = flat[j]
        keep |= {(n, i - back) for back in range(context + 1) if i - back >= 0}
    return [[s for i, s in enumerate(spans) if (n, i) in keep] for n, spans in enumerate(sentences)]


def excerpt(spans: Sequence[Span]) -> str:
    """Chosen sentences of one passage in order, gaps between them marked with an ellipsis."""
    parts: list[str] = []
    last_end = None
    for span in spans:
        if parts and last_end is not None and span.start > last_end + 2:
            parts.append(GAP.strip())
        parts.append(" ".join(span.text.split()))
        last_end = span.end
    return " ".join(parts)
