"""Embed less: a chunk whose text a chunk of the same story already has reuses that vector
instead of being embedded again (syndicated copies share most paragraphs).

The key is (story, chunk text): copies of one story say the same, so a shared paragraph's
vector serves every copy (it was embedded with the first copy's headline). Each copy still gets
its own vector entry in Chroma, so removing one copy never touches another's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from rag.chunk import Chunk
from rag.stories import chunk_text_hash

Key = tuple[str, str]  # (story_id, chunk text hash)
Lookup = Callable[[Sequence[Key]], Mapping[Key, str]]  # keys -> chunk ids holding them
Encode = Callable[[Sequence[Chunk]], Any]  # chunks -> their vectors (rows in order)


def keys_of(chunks: Sequence[Chunk], story_of: Mapping[str, str]) -> list[Key]:
    """Each chunk's reuse key; a chunk whose article has no story gets a key of its own."""
    return [
        (story_of.get(c.article_id) or f"article:{c.article_id}", chunk_text_hash(c.text))
        for c in chunks
    ]


def vectors_for(
    chunks: Sequence[Chunk],
    keys: Sequence[Key],
    lookup: Lookup,
    fetch: Callable[[Sequence[str]], Mapping[str, Any]],
    encode: Encode,
) -> tuple[Any, int]:
    """Vectors for `chunks` in order, and how many were reused rather than embedded: stored
    vectors with the same key first, then one embedding per key for the rest."""
    import numpy as np

    known = dict(lookup(sorted(set(keys))))
    stored = fetch(sorted(set(known.values())))
    first: dict[Key, int] = {}
    fresh: list[int] = []
    for i, key in enumerate(keys):
        if (key in known and known[key] in stored) or key in first:
            continue
        first[key] = i
        fresh.append(i)
    embedded = encode([chunks[i] for i in fresh]) if fresh else None
    row_of = {index: n for n, index in enumerate(fresh)}
    rows = [
        embedded[row_of[first[key]]]
        if key in first
        else np.asarray(stored[known[key]], dtype=np.float32)
        for key in keys
    ]
    vectors = np.vstack(rows) if rows else np.zeros((0, 0), dtype=np.float32)
    return vectors, len(keys) - len(fresh)
