"""Copies fold into one passage: among retrieved passages, each story keeps the passages of
one member (its best-scoring copy; the earliest copy when it holds the same passage), which
lists the story's other copies in `also_in`."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from rag.catalog import Filters
from rag.clean import date_key
from rag.stories import Copy, Story

if TYPE_CHECKING:
    from rag.retrieve import Passage


def fold(
    passages: Sequence[Passage], stories: Mapping[str, Story], filters: Filters, grouped: bool
) -> list[Passage]:
    """Passages (best first) with their story and its other copies; with `grouped`, copies'
    passages folded into the chosen member's, which takes the story's best score."""
    if not grouped:
        return [_annotated(p, stories.get(p.article_id), filters) for p in passages]
    lead: dict[str, Passage] = {}
    chosen: dict[str, str] = {}
    for passage in passages:
        story = stories.get(passage.article_id)
        if story is None:
            continue
        best = lead.setdefault(story.story_id, passage)
        current = chosen.setdefault(story.story_id, passage.article_id)
        if passage.text == best.text and story.rank(passage.article_id) < story.rank(current):
            chosen[story.story_id] = passage.article_id  # the same passage, published earlier
    kept = []
    for passage in passages:
        story = stories.get(passage.article_id)
        if story is not None and chosen[story.story_id] != passage.article_id:
            continue
        if story is not None and passage.text == lead[story.story_id].text:
            passage = dataclasses.replace(passage, score=lead[story.story_id].score)
        kept.append(_annotated(passage, story, filters))
    kept.sort(key=lambda p: -p.score)
    return kept


def _annotated(passage: Passage, story: Story | None, filters: Filters) -> Passage:
    if story is None:
        return passage
    also = tuple(
        c for c in story.members if c.article_id != passage.article_id and _visible(c, filters)
    )
    return dataclasses.replace(passage, story_id=story.story_id, also_in=also)


def _visible(copy: Copy, filters: Filters) -> bool:
    """A copy published after the answer's date (as-of, until) is not listed."""
    day = date_key(copy.published_at)
    limits = [date_key(v) for v in (filters.as_of, filters.until) if v]
    return day is None or all(limit is None or day <= limit for limit in limits)
