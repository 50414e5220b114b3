"""How a write keeps stories: detection for the articles it plans, the story rows it commits
with them, and the rows an archive made before stories gets on its next write."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence

from rag.align import aligned
from rag.article import Article
from rag.catalog import Catalog
from rag.chunk import chunk_article, embed_title
from rag.embeddings import SentenceEmbedder
from rag.plan import Planned
from rag.stories import Match, StoryIndex, chunk_text_hash, decide, shingles, signature
from rag.story_tables import StoryTables


def story_index(catalog: Catalog, tables: StoryTables, threshold: float) -> StoryIndex:
    """The LSH index over every stored article's signature."""

    def text_of(article_id: str) -> str | None:
        row = catalog.lookup(article_id)
        return None if row is None else str(row["text"])

    return StoryIndex(threshold, tables.signatures(), text_of)


def detect(planned: Sequence[Planned], index: StoryIndex) -> dict[str, Match]:
    """The story of every planned article, in order (an article may copy an earlier one)."""
    return {
        p.article.article_id: decide(
            p.article.article_id, p.article.text_hash, p.article.text, index
        )
        for p in planned
    }


def align_copies(
    planned: Sequence[Planned],
    matches: dict[str, Match],
    stored_texts: Callable[[str], list[str]],
    embedder: SentenceEmbedder,
    overlap_tokens: int,
) -> list[Planned]:
    """Near copies re-chunked along the chunks of the article each one copies (stored, or
    planned earlier in this write), so that their shared text gets the same chunks."""
    texts_of: dict[str, list[str]] = {}
    out: list[Planned] = []
    for item in planned:
        match = matches.get(item.article.article_id)
        copy_of = match.copy_of if match is not None else None
        if copy_of is not None:
            reference = texts_of.get(copy_of)
            if reference is None:
                reference = stored_texts(copy_of)
            chunks = aligned(
                item.article,
                reference,
                _splitter(item.article, embedder, overlap_tokens),
                embed_title(item.article.title, embedder.count_tokens),
                lambda texts: [n <= embedder.max_tokens - 2 for n in embedder.count_tokens(texts)],
            )
            item = Planned(item.article, chunks, item.status)
        texts_of[item.article.article_id] = [c.text for c in item.chunks]
        out.append(item)
    return out


def _splitter(
    article: Article, embedder: SentenceEmbedder, overlap_tokens: int
) -> Callable[[str], list[tuple[int, int]]]:
    def split(text: str) -> list[tuple[int, int]]:
        chunks = chunk_article(
            article.article_id,
            article.content_hash,
            article.title,
            text,
            embedder.count_tokens,
            embedder.max_tokens,
            overlap_tokens,
        )
        return [(c.start, c.end) for c in chunks]

    return split


def record(
    db: sqlite3.Connection,
    tables: StoryTables,
    group: Sequence[Planned],
    matches: dict[str, Match],
    replaced: Sequence[str],
) -> None:
    """Inside the write's transaction: memberships and chunk hashes of a committed group."""
    tables.forget_chunks(db, replaced)
    for article, chunks, _ in group:
        match = matches.get(article.article_id)
        if match is None:  # stories off (a baseline): the next write with them fills it in
            continue
        tables.put_membership(
            db,
            article.article_id,
            match.story_id,
            match.copy_of,
            match.similarity,
            match.signature,
        )
        tables.put_chunk_hashes(db, [(c.chunk_id, chunk_text_hash(c.text)) for c in chunks])


def refresh(
    db: sqlite3.Connection, tables: StoryTables, planned: Sequence[Planned], replaced: Sequence[str]
) -> None:
    """After a reindex: each article keeps its story, with the signature and chunk hashes of
    its (re-cleaned, re-chunked) text."""
    tables.forget_chunks(db, replaced)
    for article, chunks, _ in planned:
        tables.set_signature(db, article.article_id, signature(shingles(article.text)))
        tables.put_chunk_hashes(db, [(c.chunk_id, chunk_text_hash(c.text)) for c in chunks])


def backfill(catalog: Catalog, tables: StoryTables, threshold: float) -> int:
    """Stories and chunk hashes for what was stored before stories existed (first added
    first, so the earliest copy starts each story); returns how many articles were checked."""
    missing = tables.unchecked()
    unhashed = tables.unhashed_chunks()
    if not missing and not unhashed:
        return 0
    index = story_index(catalog, tables, threshold)
    matches = []
    for article_id in missing:
        row = catalog.lookup(article_id)
        if row is not None:
            matches.append(decide(article_id, row["text_hash"], row["text"], index))
    with catalog.transaction() as db:
        for m in matches:
            tables.put_membership(
                db, m.article_id, m.story_id, m.copy_of, m.similarity, m.signature
            )
        tables.put_chunk_hashes(db, [(r["chunk_id"], chunk_text_hash(r["text"])) for r in unhashed])
    return len(matches)
