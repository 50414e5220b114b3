"""Adding and removing articles, consistently across the catalog and the vectors.

Writes go to Chroma first (journaled), then commit in the catalog in one transaction; old
vectors are deleted last. Readers trust only committed chunks, and `StoreBase.repair()` deletes
journaled vectors no committed chunk owns, so an interrupted `rag add` leaves nothing half-done
behind. The write pipeline itself (planning, grouping, embedding) is `rag.plan`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from rag.article import Article, Failure
from rag.grouping import align_copies, detect, record, story_index
from rag.plan import (
    AddReport,
    Planned,
    Progress,
    RemoveReport,
    advance,
    collect,
    embed,
    groups,
    pairs,
    plan,
    prepare,
    quiet,
)
from rag.reuse import keys_of, vectors_for
from rag.store_base import StoreBase
from rag.stories import Match, near_copies


def write_point(name: str) -> None:
    """A named step of the write protocol, e.g. 'add:vectors-written'. It does nothing: crash
    tests replace it (`rag.store_write.write_point`) to kill the process at exactly that step."""


def add(
    store: StoreBase, items: Iterable[Article | Failure], progress: Progress = quiet
) -> AddReport:
    """Store new and changed articles; skip unchanged ones and duplicates; report all.

    Sources are read (URLs fetched) and new articles chunked before the writer lock is
    taken, so a slow source never holds up another writer.
    """
    store.check_model()
    report = AddReport()
    articles = collect(items, report, progress)
    chunks_of = prepare(articles, store.catalog, store.chunks, progress)
    with store.writing(progress):
        store.check_model()
        planned = plan(articles, store.catalog, chunks_of, report)
        matches = detect_matches(store, planned)
        planned = align_copies(
            planned, matches, store.stories.chunk_texts_of, store.embedder, store.overlap_tokens
        )
        report.near_duplicate = near_copies(list(matches.values()))
        total = sum(len(p.chunks) for p in planned)
        progress("embedding", 0, total)
        done = 0
        for group in groups(planned, store.batch_chunks):
            chunks = [c for p in group for c in p.chunks]
            vectors, reused = _vectors(
                store, chunks, matches, encoder(store, progress, done, total)
            )
            write_group(store, group, vectors, matches)
            for article, cs, status in group:
                getattr(report, status).append(article.article_id)
                done += len(cs)
            report.reused += reused
            progress("embedding", done, total)
        report.chunks = total
        return report


def _vectors(
    store: StoreBase,
    chunks: Sequence[Any],
    matches: dict[str, Match],
    encode: Callable[[Any], Any],
) -> tuple[Any, int]:
    """Vectors of a group's chunks, and how many were reused from the same story."""
    if not store.detect_copies:
        return encode(chunks), 0
    story_of = {a: m.story_id for a, m in matches.items()}
    keys = keys_of(chunks, story_of)
    return vectors_for(chunks, keys, store.stories.stored_keys, store.vectors.get, encode)


def detect_matches(store: StoreBase, planned: Sequence[Planned]) -> dict[str, Match]:
    """The stories the planned articles belong to (none when copy detection is off)."""
    if not store.detect_copies:
        return {}
    return detect(
        planned, story_index(store.catalog, store.stories, store.near_duplicate_threshold)
    )


def encoder(store: StoreBase, progress: Progress, done: int, total: int) -> Callable[[Any], Any]:
    """Embeds chunks, progress counting on from `done`."""
    return lambda chunks: embed(store.embedder, chunks, advance(progress, done, total))


def write_group(
    store: StoreBase,
    group: Sequence[Planned],
    vectors: Any,
    matches: dict[str, Match] | None = None,
) -> None:
    """Journal, write vectors, commit the catalog, then delete the replaced vectors."""
    catalog = store.catalog
    ids = [c.chunk_id for p in group for c in p.chunks]
    catalog.journal(ids)
    write_point("add:journaled")
    store.vectors.upsert(pairs(group), vectors)
    write_point("add:vectors-written")
    with catalog.transaction() as db:
        store.record_model(db)
        replaced = [old for a, cs, _ in group for old in catalog.put(db, a, cs)]
        record(db, store.stories, group, matches or {}, replaced)
    store.changed()
    write_point("add:committed")
    stale = sorted(set(replaced) - set(ids))
    if stale:
        store.vectors.delete(stale)
    write_point("add:old-vectors-deleted")
    catalog.clear_journal()


def remove(
    store: StoreBase, article_ids: Sequence[str], progress: Progress = quiet
) -> RemoveReport:
    """Remove articles by id (all three stores). Idempotent: ids that are not (or no longer)
    in the archive are reported as missing, so an interrupted remove can simply be rerun."""
    catalog = store.catalog
    report = RemoveReport()
    with store.writing(progress):
        for article_id in dict.fromkeys(article_ids):
            if catalog.lookup(article_id) is None:
                report.missing.append(article_id)
                continue
            with catalog.transaction() as db:
                ids = catalog.delete(db, article_id)
                store.stories.forget_chunks(db, ids)
                store.stories.forget_article(db, article_id)
            store.changed()
            write_point("remove:committed")
            store.vectors.delete(ids)
            write_point("remove:vectors-deleted")
            catalog.clear_journal()
            report.removed.append(article_id)
    return report
