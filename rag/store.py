"""The article archive's API: add, remove and reindex articles, and read them back.

The parts live below it in flow order: `rag.store_base` opens the catalog and vectors and holds
the writer lock, `rag.store_write` adds and removes articles (journaled, so an interrupted write
leaves nothing half-done behind), `rag.store_reindex` re-embeds the archive; the Chroma side is
`rag.vectors`, the write pipeline (planning, grouping, embedding) `rag.plan`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rag import store_write
from rag.article import Article, Failure
from rag.catalog import ChunkRow, Filters, flagged_spans
from rag.errors import EmptyStoreError, NotFoundError
from rag.plan import AddReport, Progress, RemoveReport, quiet
from rag.store_base import StoreBase
from rag.store_reindex import reindex
from rag.stories import Story, stories_from_rows
from rag.story_tables import member
from rag.vectors import is_missing

if TYPE_CHECKING:
    from rag.embeddings import SentenceEmbedder


class Store(StoreBase):
    """The article archive: its catalog (`articles.db` in `data_dir`, or PostgreSQL at
    `database_url`) and its vectors (`chroma/` in `data_dir`, or the server at `chroma_url`)."""

    # -- writing --------------------------------------------------------------------------
    def add(self, items: Iterable[Article | Failure], progress: Progress = quiet) -> AddReport:
        """Store new and changed articles; skip unchanged ones and duplicates; report all."""
        return store_write.add(self, items, progress)

    def remove(self, article_ids: Sequence[str], progress: Progress = quiet) -> RemoveReport:
        """Remove articles by id; ids not (or no longer) in the archive are reported missing."""
        return store_write.remove(self, article_ids, progress)

    def reindex(self, progress: Progress = quiet) -> dict[str, Any]:
        """Re-chunk and re-embed every article into a fresh collection, then switch to it."""
        return reindex(self, progress)

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
