"""`reindex`: re-chunk and re-embed every article into a fresh collection, then switch to it.

The new collection is written in full before the catalog commits the switch in one transaction;
the old one is dropped last (or, after a crash, by the next writer's repair).
"""

from __future__ import annotations

from typing import Any

from rag import store_write
from rag.article import recleaned
from rag.grouping import align_copies, refresh
from rag.plan import Planned, Progress, groups, pairs, quiet
from rag.reuse import Key, keys_of, vectors_for
from rag.store_base import StoreBase
from rag.vectors import next_name


def reindex(store: StoreBase, progress: Progress = quiet) -> dict[str, Any]:
    """Re-chunk and re-embed every article into a fresh collection, then switch to it."""
    catalog = store.catalog
    with store.writing(progress):
        current = store.vectors.name
        target = store.chroma.open(next_name(current))
        articles = [recleaned(a) for a in catalog.articles()]
        planned = [Planned(a, store.chunks(a), "updated") for a in articles]
        matches = store.stories.matches()
        planned = align_copies(
            planned, matches, store.stories.chunk_texts_of, store.embedder, store.overlap_tokens
        )
        story_of = {a: m.story_id for a, m in matches.items()}
        written: dict[Key, str] = {}
        total, done = sum(len(p.chunks) for p in planned), 0
        progress("embedding", 0, total)
        for group in groups(planned, store.batch_chunks):
            chunks = [c for p in group for c in p.chunks]
            keys = keys_of(chunks, story_of)
            vectors, _ = vectors_for(
                chunks,
                keys,
                lambda wanted: {k: written[k] for k in wanted if k in written},
                target.get,
                store_write.encoder(store, progress, done, total),
            )
            target.upsert(pairs(group), vectors)
            for key, chunk in zip(keys, chunks, strict=True):
                written.setdefault(key, chunk.chunk_id)
            done += len(chunks)
            progress("embedding", done, total)
        store_write.write_point("reindex:vectors-written")
        with catalog.transaction() as db:
            replaced = [old for a, cs, _ in planned for old in catalog.put(db, a, cs)]
            refresh(db, store.stories, planned, replaced)
            catalog.set_meta(db, "collection", target.name)
            catalog.set_meta(db, "embed_model", store.embedder.name)
            catalog.set_meta(db, "dimension", str(store.embedder.dimension))
            catalog.forget_journal(db)
        store.__dict__["vectors"] = target
        store.changed()
        store_write.write_point("reindex:committed")
        if current in store.chroma.names():
            store.chroma.drop(current)
        return {"articles": len(articles), "chunks": total, "embed_model": store.embedder.name}
