"""The shared catalog: a PostgreSQL database (`RAG_DATABASE_URL`) that app processes and writers
on several machines use at once (driver: psycopg 3, a small connection pool per process).

Its reads are `rag.catalog_pg_reads`, its keyword index `rag.pg_keywords` (full-text search
ranked like FTS5); writers hold an advisory lock the server drops when a writer dies; the schema
is a list of migrations (`rag.pg`), applied once however many processes start together.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from rag import pg
from rag.article import Article
from rag.catalog import (
    ARTICLE_COLUMNS,
    Waiting,
    article_values,
    flag_rows,
)
from rag.catalog_pg_reads import PostgresReads
from rag.chunk import Chunk
from rag.injection import VERSION as INJECTION_RULES
from rag.pg_keywords import RANKINGS, index_rows
from rag.pg_schema import MIGRATIONS


class PostgresCatalog(PostgresReads):
    """The catalog in a PostgreSQL database, shared by every process pointed at it."""

    refresh_interval = 1.0  # a reader asks for the generation at most once a second
    mark = "%s"

    def __init__(self, url: str, ranking: str = "bm25", pool_size: int = 4) -> None:
        if ranking not in RANKINGS:
            raise ValueError(f"ranking is one of {RANKINGS}, not {ranking!r}")
        self.url = url
        self.where = pg.redacted(url)
        self.ranking = ranking
        with pg.connect(url) as conn:
            pg.migrate(conn, "catalog", MIGRATIONS)
        self._pool = pg.pool(url, pool_size, "newsdesk-catalog")
        self._refresh_flags()

    def close(self) -> None:
        self._pool.close()

    @contextmanager
    def _tx(self) -> Iterator[Any]:
        with self._pool.connection() as conn, conn.transaction():
            yield conn

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        """One atomic write: everything inside commits together or not at all, and moves the
        generation on."""
        with self._tx() as tx:
            yield tx
            _next_generation(tx)

    def _refresh_flags(self) -> None:
        """Flag the articles an older archive never flagged, or every article when the rules
        changed since they were flagged (`rag.injection.VERSION`), in place, once."""
        rescan = self.get_meta("injection_rules") != INJECTION_RULES
        if not rescan and not self._query(
            "SELECT 1 FROM articles WHERE flagged_spans IS NULL LIMIT 1"
        ):
            return
        with self._tx() as tx:
            tx.execute("SELECT pg_advisory_xact_lock(%s)", (pg.MIGRATION_KEY,))
            rules = tx.execute("SELECT value FROM meta WHERE key = 'injection_rules'").fetchone()
            again = rules is None or rules["value"] != INJECTION_RULES  # (another process's?)
            where = "" if again else " WHERE flagged_spans IS NULL"
            found = flag_rows(tx.execute("SELECT article_id, text FROM articles" + where))
            tx.cursor().executemany(
                "UPDATE articles SET flagged_spans = %s WHERE article_id = %s", found
            )
            self.set_meta(tx, "injection_rules", INJECTION_RULES)
            if found:
                _next_generation(tx)

    def get_meta(self, key: str) -> str | None:
        rows = self._query("SELECT value FROM meta WHERE key = %s", (key,))
        return rows[0]["value"] if rows else None

    def set_meta(self, tx: Any, key: str, value: str) -> None:
        tx.execute(
            "INSERT INTO meta(key, value) VALUES (%s, %s)"
            " ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
            (key, value),
        )

    def generation(self) -> int:
        return int(self.get_meta("generation") or 0)

    # -- the journal and the writer lock --------------------------------------------------
    def journal(self, chunk_ids: Iterable[str]) -> None:
        with self._tx() as tx:
            tx.cursor().executemany(
                "INSERT INTO pending VALUES (%s) ON CONFLICT DO NOTHING",
                [(c,) for c in chunk_ids],
            )

    def orphans(self) -> list[str]:
        rows = self._query(
            "SELECT p.chunk_id FROM pending p LEFT JOIN chunks c USING (chunk_id)"
            " WHERE c.chunk_id IS NULL"
        )
        return [r["chunk_id"] for r in rows]

    def clear_journal(self) -> None:
        with self._tx() as tx:
            self.forget_journal(tx)

    def forget_journal(self, tx: Any) -> None:
        tx.execute("DELETE FROM pending")

    def writer_lock(self, wait: float, on_wait: Waiting) -> AbstractContextManager[None]:
        return pg.writer_lock(self.url, wait, on_wait)

    def writer(self) -> str:
        with self._pool.connection() as conn:
            return pg.writer(conn)

    # -- articles and chunks --------------------------------------------------------------
    def put(self, tx: Any, article: Article, chunks: Sequence[Chunk]) -> list[str]:
        """Insert or replace an article with its chunks; returns the chunk ids it replaced."""
        old = self.delete(tx, article.article_id)
        marks = ",".join(["%s"] * 13)
        tx.execute(
            f"INSERT INTO articles({ARTICLE_COLUMNS}) VALUES ({marks})", article_values(article)
        )
        rows = index_rows(article.title, chunks)
        cursor = tx.cursor()
        cursor.executemany(
            'INSERT INTO chunks(chunk_id, article_id, position, start, "end", keywords, tokens)'
            " VALUES (%s, %s, %s, %s, %s, %s::tsvector, %s)",
            rows.chunks,
        )
        with cursor.copy("COPY postings(term, chunk_id, article_id, f, tokens) FROM STDIN") as copy:
            for posting in rows.postings:
                copy.write_row(posting)
        cursor.executemany(
            "INSERT INTO terms(term, docs) VALUES (%s, %s)"
            " ON CONFLICT (term) DO UPDATE SET docs = terms.docs + EXCLUDED.docs",
            sorted(rows.docs.items()),
        )
        tx.execute(
            "UPDATE totals SET chunks = chunks + %s, tokens = tokens + %s",
            (len(rows.chunks), sum(r[-1] for r in rows.chunks)),
        )
        cursor.executemany(
            "DELETE FROM pending WHERE chunk_id = %s", [(c.chunk_id,) for c in chunks]
        )
        return old

    def delete(self, tx: Any, article_id: str) -> list[str]:
        """Delete an article and its chunks; their vector ids are journaled for removal."""
        rows = tx.execute(
            "SELECT chunk_id, tokens FROM chunks WHERE article_id = %s", (article_id,)
        ).fetchall()
        if rows:
            tx.execute(
                "UPDATE terms t SET docs = t.docs - g.n FROM (SELECT term, count(*) AS n"
                " FROM postings WHERE article_id = %s GROUP BY term) g WHERE t.term = g.term",
                (article_id,),
            )
            tx.execute("DELETE FROM terms WHERE docs <= 0")
            tx.execute("DELETE FROM postings WHERE article_id = %s", (article_id,))
            tx.execute(
                "UPDATE totals SET chunks = chunks - %s, tokens = tokens - %s",
                (len(rows), sum(int(r["tokens"]) for r in rows)),
            )
        tx.execute("DELETE FROM chunks WHERE article_id = %s", (article_id,))
        tx.execute("DELETE FROM articles WHERE article_id = %s", (article_id,))
        ids = [r["chunk_id"] for r in rows]
        tx.cursor().executemany(
            "INSERT INTO pending VALUES (%s) ON CONFLICT DO NOTHING", [(c,) for c in ids]
        )
        return ids


def _next_generation(tx: Any) -> None:
    tx.execute("UPDATE meta SET value = (value::bigint + 1)::text WHERE key = 'generation'")
