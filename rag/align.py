"""Chunks of a near copy aligned with the chunks of the story member it copies.

Chunk boundaries depend on the headline's length (the title is embedded with every chunk), so
a copy under a new headline would be cut differently and share no chunk text with the article it
copies. Here every chunk of that article whose text appears unchanged in the copy (in order) is
kept as it is, so its vector can be reused, and only the rest of the copy (an added paragraph, a
changed sentence, a boilerplate line) is chunked anew.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rag.article import Article
from rag.chunk import Chunk, make_chunk
from rag.injection import instruction_spans

Split = Callable[[str], list[tuple[int, int]]]  # text -> chunk spans, as the chunker cuts it
Fits = Callable[[Sequence[str]], list[bool]]  # embed texts -> whether each fits the model


def aligned(
    article: Article,
    reference: Sequence[str],
    split: Split,
    head: str,
    fits: Fits,
) -> list[Chunk]:
    """The article's chunks: the reference chunk texts found in it (in order) as they are, the
    uncovered stretches cut by `split`. `head` is the article's embedded title."""
    spans = _found(article.text, reference)
    keep = fits([_embed(head, article.text[s:e]) for s, e in spans]) if spans else []
    spans = [span for span, ok in zip(spans, keep, strict=True) if ok]
    for start, end in _gaps(article.text, spans):
        spans += [(start + s, start + e) for s, e in split(article.text[start:end])]
    spans.sort()
    planted = instruction_spans(article.text)
    return [
        make_chunk(article.article_id, article.content_hash, n, article.text, s, e, head, planted)
        for n, (s, e) in enumerate(spans)
    ]


def _embed(head: str, body: str) -> str:
    return f"{head}\n{body}" if head else body


def _found(text: str, reference: Sequence[str]) -> list[tuple[int, int]]:
    """Where each reference chunk occurs in the text, in order (each after the last found
    one's start, as chunks overlap)."""
    spans: list[tuple[int, int]] = []
    at = 0
    for chunk in reference:
        if not chunk.strip():
            continue
        found = text.find(chunk, at)
        if found >= 0:
            spans.append((found, found + len(chunk)))
            at = found + 1
    return spans


def _gaps(text: str, spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Stretches of the text with words in them that no span covers."""
    gaps: list[tuple[int, int]] = []
    at = 0
    for start, end in sorted(spans):
        if start > at and text[at:start].strip():
            gaps.append((at, start))
        at = max(at, end)
    if at < len(text) and text[at:].strip():
        gaps.append((at, len(text)))
    return gaps
