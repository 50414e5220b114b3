"""What the shared PostgreSQL catalog answers readers: articles, chunks, the keyword index's
statistics and search, and the checks of its consistency. `rag.catalog_pg.PostgresCatalog` adds
the connections, the meta table, the journal, the writer lock and the writes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rag.article import Article
from rag.catalog import FLAGGED, ChunkRow, Filters, Totals, article_of
from rag.pg_keywords import ranked


class PostgresReads:
    """The reads of `rag.catalog_pg.PostgresCatalog`, over its connection pool."""

    _pool: Any
    ranking: str

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        with self._pool.connection() as conn:
            return conn.execute(sql, params).fetchall()

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """Rows of a read outside the catalog's own methods (the story tables')."""
        return self._query(sql, params)

    # -- articles and chunks --------------------------------------------------------------
    def articles(self) -> list[Article]:
        return [article_of(r) for r in self._query("SELECT * FROM articles")]

    def lookup(self, article_id: str) -> Mapping[str, Any] | None:
        rows = self._query("SELECT * FROM articles WHERE article_id = %s", (article_id,))
        return rows[0] if rows else None

    def by_text_hash(self, text_hash: str) -> str | None:
        rows = self._query("SELECT article_id FROM articles WHERE text_hash = %s", (text_hash,))
        return rows[0]["article_id"] if rows else None

    def count(self) -> int:
        return int(self._query("SELECT count(*) AS n FROM articles")[0]["n"])

    def totals(self) -> Totals:
        row = self._query(
            'SELECT count(*) AS n, min(published_at COLLATE "C") AS lo,'
            ' max(published_at COLLATE "C") AS hi, (SELECT chunks FROM totals) AS chunks'
            " FROM articles"
        )[0]
        sources = self._query(
            "SELECT coalesce(source, '') AS s, count(*) AS n FROM articles GROUP BY 1"
        )
        return Totals(
            articles=int(row["n"]),
            chunks=int(row["chunks"]),
            sources={r["s"]: int(r["n"]) for r in sources if r["s"]},
            no_source=sum(int(r["n"]) for r in sources if not r["s"]),
            first_published=row["lo"],
            last_published=row["hi"],
        )

    def listing(self) -> list[dict[str, Any]]:
        return self._query(
            "SELECT a.article_id AS id, a.title, a.source, a.published_at, a.url,"
            " (SELECT count(*) FROM chunks c WHERE c.article_id = a.article_id)::int AS chunks,"
            f" {FLAGGED} AS flagged FROM articles a"
            ' ORDER BY a.published_at COLLATE "C" DESC NULLS LAST, a.title COLLATE "C"'
        )

    def sources(self) -> list[str]:
        rows = self._query("SELECT DISTINCT source FROM articles WHERE source IS NOT NULL")
        return sorted(r["source"] for r in rows)

    def chunk_ids(self) -> set[str]:
        return {r["chunk_id"] for r in self._query("SELECT chunk_id FROM chunks")}

    def chunk_spans(self, article_id: str) -> list[tuple[str, int, int, int]]:
        rows = self._query(
            'SELECT chunk_id, position, start, "end" FROM chunks WHERE article_id = %s'
            " ORDER BY position",
            (article_id,),
        )
        return [(r["chunk_id"], r["position"], r["start"], r["end"]) for r in rows]

    def chunk_rows(self, chunk_ids: Sequence[str]) -> dict[str, ChunkRow]:
        if not chunk_ids:
            return {}
        rows = self._query(
            'SELECT c.chunk_id, c.article_id, c.position, c.start, c."end", a.title, a.source,'
            ' a.published_at, a.url, substr(a.text, c.start + 1, c."end" - c.start) AS text,'
            f" {FLAGGED} AS flagged"
            " FROM chunks c JOIN articles a USING (article_id) WHERE c.chunk_id = ANY(%s)",
            (list(chunk_ids),),
        )
        return {r["chunk_id"]: ChunkRow(**r) for r in rows}

    # -- the keyword index ----------------------------------------------------------------
    def document_frequencies(self, terms: Sequence[str]) -> tuple[int, dict[str, int]]:
        """Number of chunks, and in how many chunks each stemmed term occurs."""
        total = int(self._query("SELECT chunks FROM totals")[0]["chunks"])
        if not terms:
            return total, {}
        rows = self._query("SELECT term, docs FROM terms WHERE term = ANY(%s)", (list(terms),))
        return total, {r["term"]: int(r["docs"]) for r in rows}

    def keyword_search(self, text: str, limit: int, filters: Filters) -> list[tuple[str, float]]:
        """Chunks matching any content word of `text`, ranked (BM25 by default): (chunk_id,
        score), best first."""
        found = ranked(text, limit, filters, self.ranking)
        if found is None:
            return []
        return [(r["chunk_id"], float(r["score"])) for r in self._query(*found)]

    def problems(self) -> list[str]:
        """What disagrees inside the catalog (nothing, unless it was damaged)."""
        found = []
        if self._query(
            "SELECT article_id FROM articles a WHERE NOT EXISTS"
            " (SELECT 1 FROM chunks c WHERE c.article_id = a.article_id)"
        ):
            found.append("articles without chunks")
        counted = self._query(
            "SELECT (SELECT count(*) FROM chunks) = t.chunks AND"
            " (SELECT coalesce(sum(tokens), 0) FROM chunks) = t.tokens AS ok FROM totals t"
        )
        if not counted[0]["ok"]:
            found.append("the totals disagree with the chunk table")
        if self._query(
            "WITH idx AS (SELECT u.lexeme AS term, count(*)::int AS docs FROM chunks c"
            " CROSS JOIN LATERAL unnest(c.keywords) u GROUP BY 1),"
            " kept AS (SELECT term, docs FROM terms)"
            " (SELECT * FROM idx EXCEPT SELECT * FROM kept)"
            " UNION ALL (SELECT * FROM kept EXCEPT SELECT * FROM idx) LIMIT 1"
        ):
            found.append("the term counts disagree with the keyword index")
        if self._query(
            "WITH idx AS (SELECT u.lexeme AS term, c.chunk_id FROM chunks c"
            " CROSS JOIN LATERAL unnest(c.keywords) u),"
            " kept AS (SELECT term, chunk_id FROM postings)"
            " (SELECT * FROM idx EXCEPT SELECT * FROM kept)"
            " UNION ALL (SELECT * FROM kept EXCEPT SELECT * FROM idx) LIMIT 1"
        ):
            found.append("the postings disagree with the keyword index")
        return found

    def outside_bytes(self) -> int:
        """The database's size on its server."""
        rows = self._query("SELECT pg_database_size(current_database()) AS n")
        return int(rows[0]["n"])
