"""The opened archive: its catalog and vectors, what other processes wrote since, the model its
vectors were built with, and the writer lock (which repairs an interrupted write first).

`rag.store.Store` builds on this: the writes live in `rag.store_write` and `rag.store_reindex`,
the reading API in `rag.store`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rag.article import Article
from rag.catalog import open_catalog
from rag.chunk import Chunk
from rag.errors import ModelMismatchError
from rag.grouping import backfill
from rag.plan import BATCH, Progress
from rag.plan import chunker as make_chunker
from rag.story_tables import StoryTables
from rag.vectors import FIRST, Chroma, Vectors

if TYPE_CHECKING:
    from rag.embeddings import SentenceEmbedder


class StoreBase:
    """What every part of the store shares: the opened catalog, stories and vectors, the
    embedder, the cache of what was read, and the writer lock."""

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

    def changed(self) -> None:
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

    def record_model(self, db: Any) -> None:
        """Record the embedding model in the catalog, unless one is recorded already."""
        if not self.embed_model:
            self.catalog.set_meta(db, "embed_model", self.embedder.name)
            self.catalog.set_meta(db, "dimension", str(self.embedder.dimension))

    def chunks(self, article: Article, step: Callable[[int], None] | None = None) -> list[Chunk]:
        """The article's chunks, as this archive cuts them."""
        return make_chunker(self.embedder, self.overlap_tokens)(article, step)

    # -- the writer lock ------------------------------------------------------------------
    @contextmanager
    def writing(self, progress: Progress) -> Iterator[None]:
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

    def close(self) -> None:
        self.catalog.close()
