"""Sentence-aware chunks that fit the embedding model, with overlap and exact character offsets."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rag.clean import sentence_spans
from rag.injection import instruction_spans, searchable, within

TokenCounter = Callable[[Sequence[str]], list[int]]
Step = Callable[[int], None]  # called with the text offset reached, for progress
TITLE_TOKENS = 48


@dataclass(frozen=True)
class Chunk:
    """A slice `text[start:end]` of a stored article; `embed_text` is what the model sees."""

    chunk_id: str
    article_id: str
    position: int
    start: int
    end: int
    text: str
    embed_text: str  # the title and the searchable text
    flagged: tuple[tuple[int, int], ...] = ()  # its sentences addressed to AI assistants

    @property
    def searchable(self) -> str:
        """The text as embedded and keyword-indexed: without its flagged sentences."""
        return searchable(self.text, self.start, self.flagged)


def embed_title(title: str, count: TokenCounter) -> str:
    """The title as embedded with each chunk, cut to at most TITLE_TOKENS tokens."""
    words = title.split()
    while words and count([" ".join(words)])[0] > TITLE_TOKENS:
        words = words[: max(1, int(len(words) * 0.8))] if len(words) > 1 else []
    return " ".join(words)


def chunk_article(
    article_id: str,
    version: str,
    title: str,
    text: str,
    count: TokenCounter,
    max_tokens: int,
    overlap_tokens: int,
    step: Step | None = None,
) -> list[Chunk]:
    """Pack whole sentences into chunks of at most `max_tokens` (title and specials included)."""
    head = embed_title(title, count)
    budget = max_tokens - 2 - (count([head])[0] if head else 0) - 1
    pieces = _pieces(text, count, budget, step or _no_step)
    planted = instruction_spans(text)
    chunks: list[Chunk] = []
    first = 0
    while first < len(pieces):
        last, total = first, pieces[first][2]
        while last + 1 < len(pieces) and total + pieces[last + 1][2] <= budget:
            last += 1
            total += pieces[last][2]
        start, end = pieces[first][0], pieces[last][1]
        chunks.append(make_chunk(article_id, version, len(chunks), text, start, end, head, planted))
        if last + 1 >= len(pieces):
            break
        first = _overlap_start(pieces, first, last, overlap_tokens)
    return chunks


def make_chunk(
    article_id: str,
    version: str,
    position: int,
    text: str,
    start: int,
    end: int,
    head: str,
    planted: Sequence[tuple[int, int]],
) -> Chunk:
    """Chunk `position` of an article: `text[start:end]`, embedded under its title `head` and
    without the flagged sentences (`planted`, article offsets) that fall in it."""
    flagged = within(planted, start, end)
    shown = searchable(text[start:end], start, flagged)
    return Chunk(
        chunk_id=f"{article_id}:{version[:10]}:{position}",
        article_id=article_id,
        position=position,
        start=start,
        end=end,
        text=text[start:end],
        embed_text=f"{head}\n{shown}" if head else shown,
        flagged=flagged,
    )


def _overlap_start(pieces: list[tuple[int, int, int]], first: int, last: int, overlap: int) -> int:
    """First piece of the next chunk: re-use trailing pieces worth at most `overlap` tokens."""
    nxt, carried = last + 1, 0
    while nxt - 1 > first and carried + pieces[nxt - 1][2] <= overlap:
        nxt -= 1
        carried += pieces[nxt][2]
    return nxt


def _no_step(_: int) -> None:
    return None


def _pieces(text: str, count: TokenCounter, budget: int, step: Step) -> list[tuple[int, int, int]]:
    """Sentences as (start, end, tokens); a sentence over budget is split at word boundaries."""
    spans = sentence_spans(text)
    tokens = count([text[s:e] for s, e in spans]) if spans else []
    pieces: list[tuple[int, int, int]] = []
    for (start, end), n in zip(spans, tokens, strict=True):
        if n <= budget:
            pieces.append((start, end, n))
        else:
            pieces.extend(_split_long(text, start, end, count, budget, step))
        step(end)
    return pieces


def _split_long(
    text: str, start: int, end: int, count: TokenCounter, budget: int, step: Step
) -> list[tuple[int, int, int]]:
    words = [(start + m.start(), start + m.end()) for m in re.finditer(r"\S+", text[start:end])]
    out: list[tuple[int, int, int]] = []
    i = 0
    while i < len(words):
        size = min(len(words) - i, max(1, budget // 2))
        while True:
            s, e = words[i][0], words[i + size - 1][1]
            n = count([text[s:e]])[0]
            if n <= budget or size == 1:
                break
            size = max(1, int(size * budget / n * 0.95))
        out.append((s, e, n))
        step(e)
        i += size
    return out
