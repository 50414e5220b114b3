"""The vector side of the store: chunk vectors in Chroma collections, each with its article's
filter metadata, and the dense search over them.

`Chroma` is the client (on disk, or a shared server with `RAG_CHROMA_URL`) and names the
collections; `Vectors` is one collection. The store decides which collection is current. On a
server, each archive keeps its collections in a Chroma database of its own (named after the
archive's id), so several archives can share one server without touching each other's vectors.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

from rag.article import Article
from rag.catalog import Filters
from rag.chunk import Chunk
from rag.clean import date_key
from rag.errors import StoreError

PREFIX = "newsdesk_chunks_"
FIRST = f"{PREFIX}0"
NO_DAY = -10_000_000
OVERFETCH = 3  # a filtered dense search first looks this many times further, unfiltered
DELETE_BATCH = 1000


class Vectors:
    """One Chroma collection of chunk vectors (cosine space)."""

    def __init__(self, collection: Any) -> None:
        self.collection = collection

    @property
    def name(self) -> str:
        return str(self.collection.name)

    def upsert(self, pairs: Sequence[tuple[Article, Chunk]], vectors: Any) -> None:
        """Write the vectors of these chunks, each with its article's filter metadata."""
        self.collection.upsert(
            ids=[chunk.chunk_id for _, chunk in pairs],
            embeddings=vectors,
            metadatas=[chunk_meta(article) for article, _ in pairs],
        )

    def get(self, ids: Sequence[str]) -> dict[str, Any]:
        """The stored vectors of these chunk ids (those that exist): id -> vector."""
        if not ids:
            return {}
        found = self.collection.get(ids=list(ids), include=["embeddings"])
        return dict(zip(found["ids"], found["embeddings"], strict=True))

    def delete(self, ids: Sequence[str]) -> None:
        for i in range(0, len(ids), DELETE_BATCH):
            self.collection.delete(ids=list(ids[i : i + DELETE_BATCH]))

    def search(
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


class Chroma:
    """The Chroma client holding the archive's collections: on disk at `path`, or a server
    (in the Chroma database `database`, created when missing)."""

    def __init__(self, path: Path, url: str = "", database: str = "") -> None:
        self.path = Path(path)
        self.url = url
        self.database = database

    @cached_property
    def client(self) -> Any:
        os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
        if not self.url:
            return chromadb.PersistentClient(path=str(self.path), settings=settings)
        from urllib.parse import urlsplit

        url = urlsplit(self.url)
        where = {
            "host": url.hostname or "127.0.0.1",
            "port": url.port or 8000,
            "ssl": url.scheme == "https",
        }
        try:
            if self.database:
                _ensure_database(self.database, **where)
            return chromadb.HttpClient(
                **where,
                database=self.database or chromadb.DEFAULT_DATABASE,
                settings=settings,
            )
        except Exception as exc:  # noqa: BLE001 - any failure to reach it means the same
            raise StoreError(
                f"cannot use the Chroma server at {self.url}: {_reason(exc)}"
            ) from None

    def open(self, name: str) -> Vectors:
        """The collection `name`, created empty when missing."""
        return Vectors(
            self.client.get_or_create_collection(
                name, embedding_function=None, metadata={"hnsw:space": "cosine"}
            )
        )

    def names(self) -> list[str]:
        """Names of the archive's collections (current, and any left by a reindex)."""
        found = [getattr(c, "name", c) for c in self.client.list_collections()]
        return [str(name) for name in found if str(name).startswith(PREFIX)]

    def drop(self, name: str) -> None:
        self.client.delete_collection(name)


def _ensure_database(name: str, host: str, port: int, ssl: bool) -> None:
    """Create the Chroma database `name` on the server unless it exists (another process may
    create it at the same moment: that is fine too)."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from chromadb.errors import NotFoundError as Missing

    admin = chromadb.AdminClient(
        ChromaSettings(
            chroma_api_impl="chromadb.api.fastapi.FastAPI",
            chroma_server_host=host,
            chroma_server_http_port=port,
            chroma_server_ssl_enabled=ssl,
            anonymized_telemetry=False,
        )
    )
    try:
        admin.get_database(name)
    except Missing:
        try:
            admin.create_database(name)
        except Exception:  # noqa: BLE001 - created meanwhile by another process?
            admin.get_database(name)


def _reason(exc: Exception) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def is_missing(exc: Exception) -> bool:
    """Whether a Chroma error says the collection is gone (dropped by another process)."""
    from chromadb.errors import NotFoundError as Missing

    return isinstance(exc, Missing) or "does not exist" in str(exc)


def next_name(current: str) -> str:
    """The collection a reindex of `current` writes into."""
    return f"{PREFIX}{int(current.rsplit('_', 1)[-1]) + 1}"


def chunk_meta(article: Article) -> dict[str, Any]:
    """What a chunk's vector carries for filtering: its article, outlet and day."""
    day = date_key(article.published_at)
    return {
        "article_id": article.article_id,
        "source_key": (article.source or "").strip().lower(),
        "day": NO_DAY if day is None else day,
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
