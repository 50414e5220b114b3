"""Chroma vectors plus the catalog, kept consistent; idempotent add, replace and remove.

Writes go to Chroma first (journaled), then commit in the catalog in one transaction; old
vectors are deleted last. Readers trust only committed chunks, and `repair()` deletes journaled
vectors no committed chunk owns, so an interrupted `rag add` leaves nothing half-done behind.

The Chroma side lives in `rag.vectors`, the write pipeline (planning, grouping, embedding) in
`rag.plan`; this module holds the consistency protocol and the reading API.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rag.article import Article, Failure, recleaned
from rag.catalog import ChunkRow, Filters, flagged_spans, open_catalog
from rag.chunk import Chunk
from rag.errors import EmptyStoreError, ModelMismatchError, NotFoundError, StoreError
from rag.grouping import align_copies, backfill, detect, record, refresh, story_index
from rag.plan import (
    BATCH,
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
from rag.plan import chunker as make_chunker
from rag.reuse import Key, keys_of, vectors_for
from rag.stories import Match, Story, near_copies, stories_from_rows
from rag.story_tables import StoryTables, member
from rag.vectors import FIRST, Chroma, Vectors, is_missing, next_name

if TYPE_CHECKING:
    from rag.embeddings import SentenceEmbedder


def write_point(name: str) -> None:
    """A named step of the write protocol, e.g. 'add:vectors-written'. It does nothing: crash
    tests replace it to kill the process at exactly that step."""


class Store:
    """The article archive: its catalog (`articles.db` in `data_dir`, or PostgreSQL at
    `database_url`) and its vectors (`chroma/` in `data_dir`, or the server at `chroma_url`)."""

    lock_wait = 10.0  # seconds a writer waits for another one to finish (RAG_WRITE_WAIT)
    near_duplicate_threshold = 0.45  # RAG_NEAR_DUPLICATE_THRESHOLD
    detect_copies = True  # off: no stories, no reused vectors (today's pipeline, a baseline)

    def __init__(
        self,
        data_dir: Path,
        embedder: SentenceEmbedder | Callable[[], SentenceEmbedder],
        chroma_url: str = "",
        overlap_tokens: int = 48,
        batch_chunks: int = BATCH,
        database_url: str = "",
    ) -> None:
        self.data_dir = Path(data_dir)
        self.overlap_tokens = overlap_tokens
        self.batch_chunks = batch_chunks
        if callable(embedder) and not hasattr(embedder, "encode"):
            self._make_embedder = embedder  # built on first use: the chat's first page
        else:  # and `rag list` never import the embedding stack
            self.__dict__["embedder"] = embedder
        self.chroma_url = chroma_url
        self.database_url = database_url
        self.catalog = open_catalog(self.data_dir, database_url)
        self.stories = StoryTables(self.catalog)
        archive = self.catalog.get_meta("archive") or ""
        database = f"newsdesk_{archive}" if chroma_url and archive else ""
        self.chroma = Chroma(self.data_dir / "chroma", chroma_url, database)
        self._seen: tuple[float, int] = (time.monotonic(), self.catalog.generation())
        self._cache: dict[str, Any] = {}

    # -- Chroma ---------------------------------------------------------------------------
    @property
    def client(self) -> Any:
        return self.chroma.client

    @cached_property
    def vectors(self) -> Vectors:
        """The current collection (the one the catalog's chunks point into)."""
        return self.chroma.open(self.catalog.get_meta("collection") or FIRST)

    # -- other processes' writes ----------------------------------------------------------
    def refresh(self, force: bool = False) -> bool:
        """Notice writes by other processes (the catalog's generation moved on): forget what
        was cached, and follow a reindex to its new collection. Asks the catalog at most once
        per its `refresh_interval`; returns whether anything changed."""
        checked, generation = self._seen
        now = time.monotonic()
        if not force and now - checked < self.catalog.refresh_interval:
            return False
        current = self.catalog.generation()
        self._seen = (now, current)
        if current == generation and not force:
            return False
        self._cache.clear()
        held = self.__dict__.get("vectors")
        if held is not None and held.name != (self.catalog.get_meta("collection") or FIRST):
            del self.__dict__["vectors"]
        return True

    def _cached(self, key: str, read: Callable[[], Any]) -> Any:
        self.refresh()
        if key not in self._cache:
            self._cache[key] = read()
        return self._cache[key]

    def _changed(self) -> None:
        """This process wrote: what it cached is stale at once."""
        self._cache.clear()

    @property
    def collection(self) -> Any:
        return self.vectors.collection

    # -- identity of the index ------------------------------------------------------------
    @property
    def embed_model(self) -> str | None:
        return self.catalog.get_meta("embed_model")

    @cached_property
    def embedder(self) -> SentenceEmbedder:
        return self._make_embedder()

    def check_model(self) -> None:
        """Refuse to mix vectors of two models in one index."""
        built = self.embed_model
        if built and built.lower() != self.embedder.name.lower():
            raise ModelMismatchError(
                f"the index was built with {built!r} but RAG_EMBED_MODEL is "
                f"{self.embedder.name!r}: run `rag reindex` to re-embed, or set it back"
            )

    def _record_model(self, db: Any) -> None:
        if not self.embed_model:
            self.catalog.set_meta(db, "embed_model", self.embedder.name)
            self.catalog.set_meta(db, "dimension", str(self.embedder.dimension))

    # -- writing --------------------------------------------------------------------------
    @contextmanager
    def _writing(self, progress: Progress) -> Iterator[None]:
        """Hold the writer lock (queueing behind another writer, with notices as 'waiting'
        progress: seconds waited, seconds it may wait), then repair any interrupted write."""

        def waiting(waited: float, limit: float) -> None:
            progress("waiting", int(waited), int(limit))

        with self.catalog.writer_lock(self.lock_wait, waiting):
            self.repair()
            if self.detect_copies:
                backfill(self.catalog, self.stories, self.near_duplicate_threshold)
            yield

    def repair(self) -> int:
        """Delete vectors left by an interrupted write, and collections left by an interrupted
        reindex; returns how many vectors."""
        orphans = self.catalog.orphans()
        self.vectors.delete(orphans)
        self.catalog.clear_journal()
        for stale in self.chroma.names():
            if stale != self.vectors.name:
                self.chroma.drop(stale)
        return len(orphans)

    def add(self, items: Iterable[Article | Failure], progress: Progress = quiet) -> AddReport:
        """Store new and changed articles; skip unchanged ones and duplicates; report all.

        Sources are read (URLs fetched) and new articles chunked before the writer lock is
        taken, so a slow source never holds up another writer.
        """
        self.check_model()
        report = AddReport()
        articles = collect(items, report, progress)
        chunks_of = prepare(articles, self.catalog, self._chunks, progress)
        with self._writing(progress):
            self.check_model()
            planned = plan(articles, self.catalog, chunks_of, report)
            matches = self._detect(planned)
            planned = align_copies(
                planned, matches, self.stories.chunk_texts_of, self.embedder, self.overlap_tokens
            )
            report.near_duplicate = near_copies(list(matches.values()))
            total = sum(len(p.chunks) for p in planned)
            progress("embedding", 0, total)
            done = 0
            for group in groups(planned, self.batch_chunks):
                chunks = [c for p in group for c in p.chunks]
                vectors, reused = self._vectors(chunks, matches, progress, done, total)
                self._write(group, vectors, matches)
                for article, cs, status in group:
                    getattr(report, status).append(article.article_id)
                    done += len(cs)
                report.reused += reused
                progress("embedding", done, total)
            report.chunks = total
            return report

    def _vectors(
        self,
        chunks: Sequence[Any],
        matches: dict[str, Match],
        progress: Progress,
        done: int,
        total: int,
    ) -> tuple[Any, int]:
        """Vectors of a group's chunks, and how many were reused from the same story."""
        encode = self._encoder(progress, done, total)
        if not self.detect_copies:
            return encode(chunks), 0
        story_of = {a: m.story_id for a, m in matches.items()}
        keys = keys_of(chunks, story_of)
        return vectors_for(chunks, keys, self.stories.stored_keys, self.vectors.get, encode)

    def _detect(self, planned: Sequence[Planned]) -> dict[str, Match]:
        if not self.detect_copies:
            return {}
        return detect(
            planned, story_index(self.catalog, self.stories, self.near_duplicate_threshold)
        )

    def _encoder(self, progress: Progress, done: int, total: int) -> Callable[[Any], Any]:
        """Embeds chunks, progress counting on from `done`."""
        return lambda chunks: embed(self.embedder, chunks, advance(progress, done, total))

    def _write(
        self, group: Sequence[Planned], vectors: Any, matches: dict[str, Match] | None = None
    ) -> None:
        """Journal, write vectors, commit the catalog, then delete the replaced vectors."""
        ids = [c.chunk_id for p in group for c in p.chunks]
        self.catalog.journal(ids)
        write_point("add:journaled")
        self.vectors.upsert(pairs(group), vectors)
        write_point("add:vectors-written")
        with self.catalog.transaction() as db:
            self._record_model(db)
            replaced = [old for a, cs, _ in group for old in self.catalog.put(db, a, cs)]
            record(db, self.stories, group, matches or {}, replaced)
        self._changed()
        write_point("add:committed")
        stale = sorted(set(replaced) - set(ids))
        if stale:
            self.vectors.delete(stale)
        write_point("add:old-vectors-deleted")
        self.catalog.clear_journal()

    def remove(self, article_ids: Sequence[str], progress: Progress = quiet) -> RemoveReport:
        """Remove articles by id (all three stores). Idempotent: ids that are not (or no longer)
        in the archive are reported as missing, so an interrupted remove can simply be rerun."""
        report = RemoveReport()
        with self._writing(progress):
            for article_id in dict.fromkeys(article_ids):
                if self.catalog.lookup(article_id) is None:
                    report.missing.append(article_id)
                    continue
                with self.catalog.transaction() as db:
                    ids = self.catalog.delete(db, article_id)
                    self.stories.forget_chunks(db, ids)
                    self.stories.forget_article(db, article_id)
                self._changed()
                write_point("remove:committed")
                self.vectors.delete(ids)
                write_point("remove:vectors-deleted")
                self.catalog.clear_journal()
                report.removed.append(article_id)
        return report

    def reindex(self, progress: Progress = quiet) -> dict[str, Any]:
        """Re-chunk and re-embed every article into a fresh collection, then switch to it."""
        with self._writing(progress):
            current = self.vectors.name
            target = self.chroma.open(next_name(current))
            articles = [recleaned(a) for a in self.catalog.articles()]
            planned = [Planned(a, self._chunks(a), "updated") for a in articles]
            matches = self.stories.matches()
            planned = align_copies(
                planned, matches, self.stories.chunk_texts_of, self.embedder, self.overlap_tokens
            )
            story_of = {a: m.story_id for a, m in matches.items()}
            written: dict[Key, str] = {}
            total, done = sum(len(p.chunks) for p in planned), 0
            progress("embedding", 0, total)
            for group in groups(planned, self.batch_chunks):
                chunks = [c for p in group for c in p.chunks]
                keys = keys_of(chunks, story_of)
                vectors, _ = vectors_for(
                    chunks,
                    keys,
                    lambda wanted: {k: written[k] for k in wanted if k in written},
                    target.get,
                    self._encoder(progress, done, total),
                )
                target.upsert(pairs(group), vectors)
                for key, chunk in zip(keys, chunks, strict=True):
                    written.setdefault(key, chunk.chunk_id)
                done += len(chunks)
                progress("embedding", done, total)
            write_point("reindex:vectors-written")
            with self.catalog.transaction() as db:
                replaced = [old for a, cs, _ in planned for old in self.catalog.put(db, a, cs)]
                refresh(db, self.stories, planned, replaced)
                self.catalog.set_meta(db, "collection", target.name)
                self.catalog.set_meta(db, "embed_model", self.embedder.name)
                self.catalog.set_meta(db, "dimension", str(self.embedder.dimension))
                self.catalog.forget_journal(db)
            self.__dict__["vectors"] = target
            self._changed()
            write_point("reindex:committed")
            if current in self.chroma.names():
                self.chroma.drop(current)
            return {"articles": len(articles), "chunks": total, "embed_model": self.embedder.name}

    def _chunks(self, article: Article, step: Callable[[int], None] | None = None) -> list[Chunk]:
        return make_chunker(self.embedder, self.overlap_tokens)(article, step)

    # -- reading --------------------------------------------------------------------------
    def count(self) -> int:
        return int(self._cached("count", self.catalog.count))

    def sources(self) -> list[str]:
        """The outlets of the stored articles."""
        return list(self._cached("sources", self.catalog.sources))

    def require_articles(self) -> None:
        if self.count() == 0:
            raise EmptyStoreError("the archive is empty: add articles with `rag add PATH|URL`")

    def dense_search(
        self, vector: Sequence[float], limit: int, filters: Filters
    ) -> list[tuple[str, float]]:
        """Nearest chunks by cosine similarity: (chunk_id, similarity), best first. A collection
        dropped meanwhile (a `rag reindex` in another process) is followed to its successor."""
        self.refresh()
        try:
            return self.vectors.search(vector, limit, filters)
        except Exception as exc:
            if not is_missing(exc) or not self.refresh(force=True):
                raise
        return self.vectors.search(vector, limit, filters)

    def chunk_rows(self, chunk_ids: Sequence[str]) -> dict[str, ChunkRow]:
        return self.catalog.chunk_rows(chunk_ids)

    def stories_of(self, article_ids: Sequence[str]) -> dict[str, Story]:
        """The story of each of these articles (those that have one), by article id."""
        story_of = self.stories.stories_of(sorted(set(article_ids)))
        found = stories_from_rows(self.stories.members(sorted(set(story_of.values()))))
        return {a: found[s] for a, s in story_of.items() if s in found}

    def article(self, article_id: str) -> dict[str, Any]:
        row = self.catalog.lookup(article_id)
        if row is None:
            raise NotFoundError(f"no article with id {article_id} (see `rag list`)")
        listed = {
            "id": row["article_id"],
            "title": row["title"],
            "source": row["source"],
            "published_at": row["published_at"],
            "url": row["url"],
            "chunks": len(self.catalog.chunk_spans(article_id)),
        }
        story_id = self.stories.stories_of([article_id]).get(article_id)
        members = [member(r) for r in self.stories.members([story_id] if story_id else [])]
        flagged = [row["text"][s:e] for s, e in flagged_spans(row)]
        return {
            **listed,
            "flagged": bool(flagged),
            "story_id": story_id,
            "story": members,
            "text": row["text"],
            "flagged_sentences": flagged,
        }

    def list_articles(self) -> list[dict[str, Any]]:
        """Every article (id, title, source, published_at, url, chunks, flagged, story_id),
        newest first."""
        rows = self.catalog.listing()
        story_of = self.stories.stories_of([r["id"] for r in rows])
        return [r | {"story_id": story_of.get(r["id"])} for r in rows]

    def list_stories(self) -> list[dict[str, Any]]:
        """Every story with its members in publication order, newest first."""
        return self.stories.listing()

    def stats(self) -> dict[str, Any]:
        totals = self._cached("totals", self.catalog.totals)
        size = sum(p.stat().st_size for p in self.data_dir.rglob("*") if p.is_file())
        return {
            "articles": totals.articles,
            "chunks": totals.chunks,
            "sources": totals.sources,
            "no_source": totals.no_source,
            "first_published": totals.first_published,
            "last_published": totals.last_published,
            "embed_model": self.embed_model,
            "bytes": size + self.catalog.outside_bytes(),
        }

    def close(self) -> None:
        self.catalog.close()


def open_store(settings: Any) -> Store:
    """The store described by the settings (embedding model loaded only when needed)."""

    def embedder() -> SentenceEmbedder:
        from rag.embeddings import SentenceEmbedder

        return SentenceEmbedder(
            settings.embed_model, settings.embed_batch_size, Path(settings.data_dir) / "models"
        )

    store = Store(
        settings.data_dir,
        embedder,
        settings.chroma_url,
        settings.chunk_overlap_tokens,
        settings.add_batch_chunks,
        settings.database_url,
    )
    store.lock_wait = settings.write_wait
    store.near_duplicate_threshold = settings.near_duplicate_threshold
    return store


__all__ = ["AddReport", "Filters", "RemoveReport", "Store", "StoreError", "open_store"]
