"""Chroma vectors plus the SQLite catalog, kept consistent; idempotent add, replace and remove.

Writes go to Chroma first (journaled), then commit in SQLite in one transaction; old vectors are
deleted last. Readers trust only committed chunks, and `repair()` deletes journaled vectors no
committed chunk owns, so an interrupted `rag add` leaves nothing half-done behind.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from rag.catalog import Catalog, ChunkRow, Filters, flagged_spans
from rag.chunk import Chunk, chunk_article
from rag.clean import date_key
from rag.embeddings import SentenceEmbedder
from rag.errors import EmptyStoreError, ModelMismatchError, NotFoundError, StoreError
from rag.ingest import Article, Failure
from rag.lock import writer_lock

Progress = Callable[[str, int, int], None]
NO_DAY = -10_000_000
OVERFETCH = 3  # a filtered dense search first looks this many times further, unfiltered
BATCH = 512  # chunks embedded and committed together; sorting this many by length keeps
# padding low (~3% waste against ~19% for 64), and a Ctrl-C loses at most one group's work


@dataclass
class AddReport:
    """What `add` did to each source."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    duplicate: list[str] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)
    chunks: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "duplicate": self.duplicate,
            "failed": [{"path": f.origin, "reason": f.reason} for f in self.failed],
        }


def _quiet(_: str, __: int, ___: int) -> None:
    return None


class Store:
    """The article archive in `data_dir`: `articles.db` (SQLite) and `chroma/` (vectors)."""

    lock_wait = 10.0  # seconds a writer waits for another one to finish

    def __init__(
        self,
        data_dir: Path,
        embedder: SentenceEmbedder,
        chroma_url: str = "",
        overlap_tokens: int = 48,
        batch_chunks: int = BATCH,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.overlap_tokens = overlap_tokens
        self.batch_chunks = batch_chunks
        self.embedder = embedder
        self.chroma_url = chroma_url
        self.catalog = Catalog(self.data_dir / "articles.db")

    # -- Chroma ---------------------------------------------------------------------------
    @cached_property
    def client(self) -> Any:
        os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
        if self.chroma_url:
            from urllib.parse import urlsplit

            url = urlsplit(self.chroma_url)
            return chromadb.HttpClient(
                host=url.hostname or "127.0.0.1",
                port=url.port or 8000,
                ssl=url.scheme == "https",
                settings=settings,
            )
        return chromadb.PersistentClient(path=str(self.data_dir / "chroma"), settings=settings)

    def _collection(self, name: str | None = None) -> Any:
        name = name or self.catalog.get_meta("collection") or "newsdesk_chunks_0"
        return self.client.get_or_create_collection(
            name, embedding_function=None, metadata={"hnsw:space": "cosine"}
        )

    @cached_property
    def collection(self) -> Any:
        return self._collection()

    # -- identity of the index ------------------------------------------------------------
    @property
    def embed_model(self) -> str | None:
        return self.catalog.get_meta("embed_model")

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
    def repair(self) -> int:
        """Delete vectors left by an interrupted write; returns how many."""
        orphans = self.catalog.orphans()
        for i in range(0, len(orphans), 1000):
            self.collection.delete(ids=orphans[i : i + 1000])
        self.catalog.clear_journal()
        return len(orphans)

    def add(self, items: Iterable[Article | Failure], progress: Progress = _quiet) -> AddReport:
        """Store new and changed articles; skip unchanged ones and duplicates; report all."""
        with writer_lock(self.data_dir, self.lock_wait):
            self.check_model()
            self.repair()
            report = AddReport()
            planned = self._plan(items, report, progress)
            total = sum(len(chunks) for _, chunks, _ in planned)
            progress("embedding", 0, total)
            done = 0
            for group in _groups(planned, self.batch_chunks):
                chunks = [c for _, cs, _ in group for c in cs]
                vectors = self._embed(chunks, _advance(progress, done, total))
                self._write(group, vectors)
                for article, cs, status in group:
                    getattr(report, status).append(article.article_id)
                    done += len(cs)
                progress("embedding", done, total)
            report.chunks = total
            return report

    def _plan(
        self, items: Iterable[Article | Failure], report: AddReport, progress: Progress
    ) -> list[tuple[Article, list[Chunk], str]]:
        """Articles to embed; failures, unchanged articles and duplicates go to the report."""
        planned: dict[str, tuple[Article, list[Chunk], str]] = {}
        seen_ids: dict[str, str] = {}
        seen_text: dict[str, str] = {}
        for n, item in enumerate(items, start=1):
            progress("reading", n, 0)
            if isinstance(item, Failure):
                report.failed.append(item)
                continue
            status, why = self._classify(item, seen_ids, seen_text)
            seen_ids.setdefault(item.article_id, item.origin)
            seen_text.setdefault(item.text_hash, item.article_id)
            if status == "unchanged":
                report.unchanged.append(item.article_id)
            elif status == "duplicate":
                report.duplicate.append(f"{item.origin} ({why})")
            else:
                planned[item.article_id] = (item, self._chunks(item), status)
        return list(planned.values())

    def _classify(
        self, article: Article, seen_ids: dict[str, str], seen_text: dict[str, str]
    ) -> tuple[str, str]:
        """Status of an article against the store and the earlier items of this run."""
        if article.text_hash in seen_text:
            return "duplicate", f"same text as {seen_text[article.text_hash]}"
        if article.article_id in seen_ids:
            return "duplicate", f"same id as {seen_ids[article.article_id]}"
        stored = self.catalog.lookup(article.article_id)
        if stored is not None and stored["content_hash"] == article.content_hash:
            return "unchanged", ""
        twin = self.catalog.by_text_hash(article.text_hash)
        if twin and twin != article.article_id:
            return "duplicate", f"same text as {twin}"
        return ("updated" if stored is not None else "added"), ""

    def _write(self, group: Sequence[tuple[Article, list[Chunk], str]], vectors: Any) -> None:
        ids = [c.chunk_id for _, cs, _ in group for c in cs]
        self.catalog.journal(ids)
        _upsert(self.collection, group, vectors)
        with self.catalog.transaction() as db:
            self._record_model(db)
            replaced = [old for a, cs, _ in group for old in self.catalog.put(db, a, cs)]
        stale = sorted(set(replaced) - set(ids))
        if stale:
            self.collection.delete(ids=stale)
        self.catalog.clear_journal()

    def remove(self, article_ids: Sequence[str]) -> list[str]:
        """Remove articles by id (all three stores); unknown ids raise NotFoundError."""
        missing = [a for a in article_ids if self.catalog.lookup(a) is None]
        if missing:
            raise NotFoundError(f"no article with id {', '.join(missing)} (see `rag list`)")
        with writer_lock(self.data_dir, self.lock_wait):
            self.repair()
            for article_id in article_ids:
                with self.catalog.transaction() as db:
                    ids = self.catalog.delete(db, article_id)
                if ids:
                    self.collection.delete(ids=ids)
                self.catalog.clear_journal()
            return list(article_ids)

    def reindex(self, progress: Progress = _quiet) -> dict[str, Any]:
        """Re-chunk and re-embed every article into a fresh collection, then switch to it."""
        with writer_lock(self.data_dir, self.lock_wait):
            current = self.catalog.get_meta("collection") or "newsdesk_chunks_0"
            number = int(current.rsplit("_", 1)[-1]) + 1
            for stale in self.client.list_collections():
                stale_name = getattr(stale, "name", stale)
                if stale_name.startswith("newsdesk_chunks_") and stale_name != current:
                    self.client.delete_collection(stale_name)
            target = self._collection(f"newsdesk_chunks_{number}")
            articles = [_article(r) for r in self.catalog.query("SELECT * FROM articles")]
            planned = [(a, self._chunks(a), "updated") for a in articles]
            total, done = sum(len(c) for _, c, _ in planned), 0
            progress("embedding", 0, total)
            for group in _groups(planned, self.batch_chunks):
                chunks = [c for _, cs, _ in group for c in cs]
                _upsert(target, group, self._embed(chunks, _advance(progress, done, total)))
                done += len(chunks)
                progress("embedding", done, total)
            with self.catalog.transaction() as db:
                for article, chunks, _ in planned:
                    self.catalog.put(db, article, chunks)
                self.catalog.set_meta(db, "collection", target.name)
                self.catalog.set_meta(db, "embed_model", self.embedder.name)
                self.catalog.set_meta(db, "dimension", str(self.embedder.dimension))
                db.execute("DELETE FROM pending")
            if current in {getattr(c, "name", c) for c in self.client.list_collections()}:
                self.client.delete_collection(current)
            self.__dict__["collection"] = target
            return {"articles": len(articles), "chunks": total, "embed_model": self.embedder.name}

    def _embed(self, chunks: Sequence[Chunk], step: Callable[[int], None]) -> Any:
        """Vectors in chunk order, encoded longest first in slices so that progress moves."""
        import numpy as np

        texts = [c.embed_text for c in chunks]
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        size = 4 * self.embedder.batch_size
        starts = list(range(0, len(order), size))
        if len(starts) > 1 and len(order) - starts[-1] <= size // 2:
            starts.pop()  # a short tail joins the slice before: small inputs take another path
        parts = []
        for start, stop in zip(starts, [*starts[1:], len(order)], strict=True):
            parts.append(self.embedder.encode([texts[j] for j in order[start:stop]], bulk=True))
            step(stop)
        stacked = np.vstack(parts)
        vectors = np.empty_like(stacked)
        vectors[order] = stacked
        return vectors

    def _chunks(self, article: Article) -> list[Chunk]:
        return chunk_article(
            article.article_id,
            article.content_hash,
            article.title,
            article.text,
            self.embedder.count_tokens,
            self.embedder.max_tokens,
            self.overlap_tokens,
        )

    # -- reading --------------------------------------------------------------------------
    def count(self) -> int:
        return int(self.catalog.query("SELECT count(*) AS n FROM articles")[0]["n"])

    def require_articles(self) -> None:
        if self.count() == 0:
            raise EmptyStoreError("the archive is empty: add articles with `rag add PATH|URL`")

    def dense_search(
        self, vector: Sequence[float], limit: int, filters: Filters
    ) -> list[tuple[str, float]]:
        """Nearest chunks by cosine similarity: (chunk_id, similarity), best first.

        With filters, a wider unfiltered search is filtered here first (Chroma's own metadata
        filter costs ~30 ms at 10k chunks against ~2 ms for a plain search); only when too few
        hits survive does the filtered search run.
        """
        where = chroma_where(filters)
        if where is not None:
            found = self.collection.query(
                query_embeddings=[list(vector)],
                n_results=limit * OVERFETCH,
                include=["distances", "metadatas"],
            )
            hits = [
                (i, 1.0 - float(d))
                for i, d, meta in zip(
                    *(found[key][0] for key in ("ids", "distances", "metadatas")), strict=True
                )
                if meta_matches(meta or {}, filters)
            ]
            if len(hits) >= limit or len(found["ids"][0]) < limit * OVERFETCH:
                return hits[:limit]
        found = self.collection.query(
            query_embeddings=[list(vector)], n_results=limit, where=where, include=["distances"]
        )
        return [
            (i, 1.0 - float(d)) for i, d in zip(found["ids"][0], found["distances"][0], strict=True)
        ]

    def chunk_rows(self, chunk_ids: Sequence[str]) -> dict[str, ChunkRow]:
        return self.catalog.chunk_rows(chunk_ids)

    def article(self, article_id: str) -> dict[str, Any]:
        row = self.catalog.lookup(article_id)
        if row is None:
            raise NotFoundError(f"no article with id {article_id} (see `rag list`)")
        listing = _listing(row, self._chunk_counts().get(article_id, 0))
        flagged = [row["text"][s:e] for s, e in flagged_spans(row)]
        return {**listing, "text": row["text"], "flagged_sentences": flagged}

    def list_articles(self) -> list[dict[str, Any]]:
        counts = self._chunk_counts()
        rows = self.catalog.query("SELECT * FROM articles ORDER BY published_at DESC, title")
        return [_listing(r, counts.get(r["article_id"], 0)) for r in rows]

    def _chunk_counts(self) -> dict[str, int]:
        rows = self.catalog.query(
            "SELECT article_id, count(*) AS n FROM chunks GROUP BY article_id"
        )
        return {r["article_id"]: int(r["n"]) for r in rows}

    def stats(self) -> dict[str, Any]:
        q = self.catalog.query
        dates = q("SELECT min(published_at) AS lo, max(published_at) AS hi FROM articles")[0]
        sources = q("SELECT coalesce(source, '') AS s, count(*) AS n FROM articles GROUP BY s")
        size = sum(p.stat().st_size for p in self.data_dir.rglob("*") if p.is_file())
        return {
            "articles": self.count(),
            "chunks": int(q("SELECT count(*) AS n FROM chunks")[0]["n"]),
            "sources": {r["s"] or "(unknown)": int(r["n"]) for r in sources},
            "first_published": dates["lo"],
            "last_published": dates["hi"],
            "embed_model": self.embed_model,
            "bytes": size,
        }

    def close(self) -> None:
        self.catalog.close()


def _advance(progress: Progress, done: int, total: int) -> Callable[[int], None]:
    """Progress inside a group whose first chunk is number `done`."""
    return lambda n: progress("embedding", done + n, total)


def _groups(planned: list[Any], size: int) -> Iterable[list[Any]]:
    """Whole articles grouped so each group holds about `size` chunks."""
    group: list[Any] = []
    count = 0
    for item in planned:
        group.append(item)
        count += len(item[1])
        if count >= size:
            yield group
            group, count = [], 0
    if group:
        yield group


def _upsert(
    collection: Any, group: Sequence[tuple[Article, list[Chunk], str]], vectors: Any
) -> None:
    """Write a group's vectors to Chroma, each with its article's filter metadata."""
    chunks = [(article, c) for article, cs, _ in group for c in cs]
    collection.upsert(
        ids=[c.chunk_id for _, c in chunks],
        embeddings=vectors,
        metadatas=[_chunk_meta(article) for article, _ in chunks],
    )


def _article(row: Any) -> Article:
    return Article(
        article_id=row["article_id"],
        title=row["title"],
        text=row["text"],
        source=row["source"],
        published_at=row["published_at"],
        url=row["url"],
        author=row["author"],
        origin=row["origin"] or "",
    )


def _chunk_meta(article: Article) -> dict[str, Any]:
    day = date_key(article.published_at)
    return {
        "article_id": article.article_id,
        "source_key": (article.source or "").strip().lower(),
        "day": NO_DAY if day is None else day,
    }


def _listing(row: Any, chunks: int) -> dict[str, Any]:
    return {
        "id": row["article_id"],
        "title": row["title"],
        "source": row["source"],
        "published_at": row["published_at"],
        "url": row["url"],
        "chunks": chunks,
        "flagged": bool(flagged_spans(row)),
    }


def meta_matches(meta: dict[str, Any], filters: Filters) -> bool:
    """Whether a chunk's Chroma metadata passes the filters (the same test as `chroma_where`)."""
    day = meta.get("day", NO_DAY)
    if filters.source and meta.get("source_key") != filters.source.strip().lower():
        return False
    if filters.since and day < (date_key(filters.since) or 0):
        return False
    if filters.until and (day == NO_DAY or day > (date_key(filters.until) or 0)):
        return False
    return not (filters.as_of and day > (date_key(filters.as_of) or 0))


def chroma_where(filters: Filters) -> dict[str, Any] | None:
    """Chroma metadata filter equal to `catalog.filter_sql` for the same filters."""
    conds: list[dict[str, Any]] = []
    if filters.source:
        conds.append({"source_key": filters.source.strip().lower()})
    if filters.since:
        conds.append({"day": {"$gte": date_key(filters.since)}})
    if filters.until:
        conds += [{"day": {"$lte": date_key(filters.until)}}, {"day": {"$ne": NO_DAY}}]
    if filters.as_of:
        conds.append({"day": {"$lte": date_key(filters.as_of)}})
    if not conds:
        return None
    return conds[0] if len(conds) == 1 else {"$and": conds}


__all__ = ["AddReport", "Filters", "Store", "StoreError"]


def open_store(settings: Any) -> Store:
    """The store described by the settings (embedding model loaded only when needed)."""
    embedder = SentenceEmbedder(
        settings.embed_model, settings.embed_batch_size, Path(settings.data_dir) / "models"
    )
    return Store(
        settings.data_dir,
        embedder,
        settings.chroma_url,
        settings.chunk_overlap_tokens,
        settings.add_batch_chunks,
    )
