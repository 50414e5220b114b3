"""The shared catalog: a PostgreSQL database (`RAG_DATABASE_URL`) that app processes and writers
on several machines use at once. Driver: psycopg 3, with a small connection pool per process.

- Keyword index: each chunk's words as a `tsvector` (PostgreSQL full-text search, GIN index),
  holding exactly the tokens SQLite's FTS5 index would (`rag.catalog.tokens`), title words
  weighted B and body words D. Matches are ranked by BM25 computed in SQL from those weights, a
  per-term document count and the archive's totals, the same formula as FTS5's `bm25()`, so
  both catalogs rank alike. `ts_rank` (PostgreSQL's own ranking) is there for comparison.
- Writers: a session-level advisory lock; the server drops it when a writer dies.
- Schema: migrations, applied once under a transaction-level advisory lock, so several
  processes starting together upgrade the database once.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from rag.article import Article
from rag.catalog import (
    TITLE_WEIGHT,
    ChunkRow,
    Filters,
    Totals,
    Waiting,
    article_of,
    article_values,
    filter_sql,
    keyword_terms,
    stems,
    tokens,
)
from rag.chunk import Chunk
from rag.errors import StoreError

WRITER_KEY = 0x4E5753  # the advisory lock of writers ("NWS"); one archive per database
MIGRATION_KEY = 0x4E574D  # taken while the schema is upgraded
POLL = 0.2  # seconds between two tries for the writer lock
RANKINGS = ("bm25", "ts_rank")
CONNECT = {
    "connect_timeout": 10,
    "keepalives": 1,
    "keepalives_idle": 10,  # a writer on a dead machine loses its lock within about 25 s
    "keepalives_interval": 5,
    "keepalives_count": 3,
}

MIGRATIONS: list[list[str]] = [
    [
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        "INSERT INTO meta(key, value) VALUES ('generation', '0'),"
        " ('archive', left(replace(gen_random_uuid()::text, '-', ''), 16))",
        "CREATE TABLE articles ("
        " article_id TEXT PRIMARY KEY, title TEXT NOT NULL, source TEXT, source_key TEXT,"
        " published_at TEXT, published_day INTEGER, url TEXT, author TEXT, origin TEXT,"
        " text TEXT NOT NULL, text_hash TEXT NOT NULL, content_hash TEXT NOT NULL,"
        " added_at TIMESTAMPTZ NOT NULL DEFAULT now())",
        "CREATE INDEX articles_text_hash ON articles(text_hash)",
        "CREATE INDEX articles_published ON articles(published_at)",
        "CREATE TABLE chunks ("
        " chunk_id TEXT PRIMARY KEY, article_id TEXT NOT NULL REFERENCES articles(article_id),"
        ' position INTEGER NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL,'
        " keywords TSVECTOR NOT NULL, tokens INTEGER NOT NULL)",
        "CREATE INDEX chunks_article ON chunks(article_id)",
        "CREATE INDEX chunks_keywords ON chunks USING GIN (keywords)",
        "CREATE TABLE terms (term TEXT PRIMARY KEY, docs INTEGER NOT NULL)",
        "CREATE TABLE totals (one BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (one),"
        " chunks BIGINT NOT NULL, tokens BIGINT NOT NULL)",
        "INSERT INTO totals(chunks, tokens) VALUES (0, 0)",
        "CREATE TABLE pending (chunk_id TEXT PRIMARY KEY)",
    ],
]


def connect(url: str, application_name: str = "newsdesk", autocommit: bool = True) -> Any:
    """A connection to the database at `url`; a database that cannot be reached is a
    StoreError naming it (without its password)."""
    import psycopg
    from psycopg.rows import dict_row

    try:
        return psycopg.connect(
            url,
            autocommit=autocommit,
            row_factory=dict_row,
            application_name=application_name[:63],
            **CONNECT,
        )
    except psycopg.Error as exc:
        raise StoreError(f"cannot reach the database {redacted(url)}: {_reason(exc)}") from None


def _reason(exc: Exception) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def redacted(url: str) -> str:
    from rag.config import redacted_url

    return redacted_url(url)


def migrate(conn: Any, component: str, steps: Sequence[Sequence[str]]) -> int:
    """Apply the migrations of `component` the database has not had yet; returns its version."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_KEY,))
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (component TEXT NOT NULL,"
            " version INTEGER NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now(),"
            " PRIMARY KEY (component, version))"
        )
        row = conn.execute(
            "SELECT coalesce(max(version), 0) AS v FROM schema_migrations WHERE component = %s",
            (component,),
        ).fetchone()
        done = int(row["v"])
        for version, statements in enumerate(steps, start=1):
            if version > done:
                for statement in statements:
                    conn.execute(statement)
                conn.execute(
                    "INSERT INTO schema_migrations(component, version) VALUES (%s, %s)",
                    (component, version),
                )
    return max(done, len(steps))


def tsvector(title_tokens: Sequence[str], body_tokens: Sequence[str]) -> str:
    """A `tsvector` literal: title tokens at positions 1.. weighted B, body tokens after them."""
    where: dict[str, list[str]] = {}
    for n, term in enumerate(title_tokens, start=1):
        where.setdefault(term, []).append(f"{n}B")
    for n, term in enumerate(body_tokens, start=len(title_tokens) + 1):
        where.setdefault(term, []).append(str(min(n, 16383)))
    return " ".join(f"{_quoted(t)}:{','.join(p[:256])}" for t, p in where.items())


def tsquery(terms: Iterable[str]) -> str:
    """A `tsquery` literal matching any of the terms."""
    return " | ".join(_quoted(t) for t in terms)


def _quoted(term: str) -> str:
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


_BM25 = f"""
WITH q AS (SELECT term FROM unnest(%s::text[]) AS term),
tot AS (SELECT chunks::float8 AS n, CASE WHEN chunks > 0 THEN tokens::float8 / chunks
        ELSE 1 END AS avgdl FROM totals),
idf AS (SELECT q.term, greatest(ln((tot.n - coalesce(t.docs, 0) + 0.5)
        / (coalesce(t.docs, 0) + 0.5)), 1e-6) AS idf
        FROM q CROSS JOIN tot LEFT JOIN terms t USING (term)),
hits AS (SELECT c.chunk_id, c.tokens, u.lexeme,
         {TITLE_WEIGHT} * cardinality(array_positions(u.weights, 'B'))
         + cardinality(array_positions(u.weights, 'D')) AS f
         FROM chunks c JOIN articles a USING (article_id) CROSS JOIN LATERAL unnest(c.keywords) u
         WHERE c.keywords @@ %s::tsquery AND u.lexeme = ANY(%s::text[]) {{where}})
SELECT h.chunk_id, sum(i.idf * h.f * 2.2 / (h.f + 1.2 * (0.25 + 0.75 * h.tokens / tot.avgdl)))
       AS score
FROM hits h JOIN idf i ON i.term = h.lexeme CROSS JOIN tot
GROUP BY h.chunk_id ORDER BY score DESC, h.chunk_id LIMIT %s
"""

_TS_RANK = f"""
SELECT c.chunk_id, ts_rank('{{1.0, 0, {TITLE_WEIGHT}, 0}}', c.keywords, %s::tsquery, 1) AS score
FROM chunks c JOIN articles a USING (article_id)
WHERE c.keywords @@ %s::tsquery {{where}} ORDER BY score DESC, c.chunk_id LIMIT %s
"""


class PostgresCatalog:
    """The catalog in a PostgreSQL database, shared by every process pointed at it."""

    refresh_interval = 1.0  # a reader asks for the generation at most once a second

    def __init__(self, url: str, ranking: str = "bm25", pool_size: int = 4) -> None:
        if ranking not in RANKINGS:
            raise ValueError(f"ranking is one of {RANKINGS}, not {ranking!r}")
        self.url = url
        self.where = redacted(url)
        self.ranking = ranking
        with connect(url) as conn:
            migrate(conn, "catalog", MIGRATIONS)
        from psycopg.rows import dict_row
        from psycopg_pool import ConnectionPool

        self._pool = ConnectionPool(
            url,
            min_size=1,
            max_size=pool_size,
            kwargs={"autocommit": True, "row_factory": dict_row, **CONNECT},
            open=True,
            name="newsdesk-catalog",
            num_workers=1,
            max_idle=120,
        )

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
            tx.execute("UPDATE meta SET value = (value::bigint + 1)::text WHERE key = 'generation'")

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        with self._pool.connection() as conn:
            return conn.execute(sql, params).fetchall()

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

    @contextmanager
    def writer_lock(self, wait: float, on_wait: Waiting) -> Iterator[None]:
        """Hold the archive's writer lock (an advisory lock on a connection of its own, so the
        server releases it if this process dies), waiting up to `wait` seconds."""
        import socket

        from rag.lock import busy_message, command

        who = f"{command()} (pid {__import__('os').getpid()} on {socket.gethostname()})"
        conn = connect(self.url, who)
        try:
            start, noticed = time.monotonic(), -1.0
            while not conn.execute(
                "SELECT pg_try_advisory_lock(%s) AS got", (WRITER_KEY,)
            ).fetchone()["got"]:
                waited = time.monotonic() - start
                if waited >= wait:
                    raise StoreError(busy_message(self.writer(), wait))
                if waited - noticed >= 1.0 or noticed < 0:
                    on_wait(waited, wait)
                    noticed = waited
                time.sleep(min(POLL, max(0.0, wait - waited)))
            yield
        finally:
            conn.close()  # ends the session, and with it the lock

    def writer(self) -> str:
        """Who holds the writer lock, e.g. 'rag add (pid 12 on desk-3), since 10:04:05'."""
        rows = self._query(
            "SELECT a.application_name AS name, a.backend_start AS since FROM pg_locks l"
            " JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory'"
            " AND l.granted AND l.classid = 0 AND l.objid = %s"
            " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())",
            (WRITER_KEY,),
        )
        if not rows:
            return "another writer"
        since = rows[0]["since"].astimezone().strftime("%H:%M:%S")
        return f"{rows[0]['name'] or 'a writer'}, since {since}"

    # -- articles and chunks --------------------------------------------------------------
    def put(self, tx: Any, article: Article, chunks: Sequence[Chunk]) -> list[str]:
        """Insert or replace an article with its chunks; returns the chunk ids it replaced."""
        old = self.delete(tx, article.article_id)
        tx.execute(
            "INSERT INTO articles(article_id, title, source, source_key, published_at,"
            " published_day, url, author, origin, text, text_hash, content_hash)"
            " VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)",
            article_values(article),
        )
        found = tokens([(article.title, chunk.text) for chunk in chunks])
        rows = [
            (c.chunk_id, c.article_id, c.position, c.start, c.end, tsvector(t, b), len(t) + len(b))
            for c, (t, b) in zip(chunks, found, strict=True)
        ]
        cursor = tx.cursor()
        cursor.executemany(
            'INSERT INTO chunks(chunk_id, article_id, position, start, "end", keywords, tokens)'
            " VALUES (%s, %s, %s, %s, %s, %s::tsvector, %s)",
            rows,
        )
        docs = Counter(term for t, b in found for term in set(t) | set(b))
        cursor.executemany(
            "INSERT INTO terms(term, docs) VALUES (%s, %s)"
            " ON CONFLICT (term) DO UPDATE SET docs = terms.docs + EXCLUDED.docs",
            sorted(docs.items()),
        )
        tx.execute(
            "UPDATE totals SET chunks = chunks + %s, tokens = tokens + %s",
            (len(rows), sum(r[-1] for r in rows)),
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
                "UPDATE terms t SET docs = t.docs - g.n FROM (SELECT u.lexeme, count(*) AS n"
                " FROM chunks c CROSS JOIN LATERAL unnest(c.keywords) u WHERE c.article_id = %s"
                " GROUP BY u.lexeme) g WHERE t.term = g.lexeme",
                (article_id,),
            )
            tx.execute("DELETE FROM terms WHERE docs <= 0")
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
            " (SELECT count(*) FROM chunks c WHERE c.article_id = a.article_id)::int AS chunks"
            ' FROM articles a ORDER BY a.published_at COLLATE "C" DESC NULLS LAST,'
            ' a.title COLLATE "C"'
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
            ' a.published_at, a.url, substr(a.text, c.start + 1, c."end" - c.start) AS text'
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
        terms = [t for t in stems(keyword_terms(text)) if t]
        if not terms:
            return []
        where, params = filter_sql(filters, "%s")
        query = tsquery(terms)
        if self.ranking == "ts_rank":
            sql, args = _TS_RANK.format(where=where), [query, query, *params, limit]
        else:
            sql, args = _BM25.format(where=where), [terms, query, terms, *params, limit]
        return [(r["chunk_id"], float(r["score"])) for r in self._query(sql, args)]

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
        return found

    def outside_bytes(self) -> int:
        """The database's size on its server."""
        rows = self._query("SELECT pg_database_size(current_database()) AS n")
        return int(rows[0]["n"])
