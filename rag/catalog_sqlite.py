"""The embedded catalog: one SQLite file in the data dir, with an FTS5 keyword index (BM25) and
a file lock for writers. Its schema is a list of migrations (`rag.sqlite_schema`); opening an
older archive upgrades it in place."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

from rag.article import Article
from rag.catalog import (
    ARTICLE_COLUMNS,
    FLAGGED,
    TITLE_WEIGHT,
    ChunkRow,
    Filters,
    Totals,
    Waiting,
    article_of,
    article_values,
    filter_sql,
    flag_rows,
    keyword_terms,
)
from rag.chunk import Chunk
from rag.injection import VERSION as INJECTION_RULES
from rag.sqlite_schema import migrate


class SQLiteCatalog:
    """SQLite tables: articles, chunks, the FTS5 keyword index, and a journal of vector writes."""

    refresh_interval = 0.0  # reading the generation costs microseconds: ask every time
    mark = "?"

    def __init__(self, path: Path, lock_dir: Path | None = None) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.where = str(path)
        self.lock_dir = lock_dir or path.parent
        self._lock = threading.RLock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA busy_timeout=10000")
        migrate(self._db)
        self._refresh_flags()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic write: everything inside commits together or not at all, and moves the
        generation on."""
        with self._tx() as db:
            yield db
            _next_generation(db)

    def _refresh_flags(self) -> None:
        """Flag the articles an older archive never flagged, or every article when the rules
        changed since they were flagged (`rag.injection.VERSION`), in place."""
        rescan = self.get_meta("injection_rules") != INJECTION_RULES
        if not rescan and not self._query(
            "SELECT 1 FROM articles WHERE flagged_spans IS NULL LIMIT 1"
        ):
            return
        with self._tx() as db:
            where = "" if rescan else " WHERE flagged_spans IS NULL"
            found = flag_rows(db.execute("SELECT article_id, text FROM articles" + where))
            db.executemany("UPDATE articles SET flagged_spans = ? WHERE article_id = ?", found)
            self.set_meta(db, "injection_rules", INJECTION_RULES)
            if found:
                _next_generation(db)

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        """Rows of a read outside the catalog's own methods (the story tables')."""
        return self._query(sql, params)

    def get_meta(self, key: str) -> str | None:
        rows = self._query("SELECT value FROM meta WHERE key = ?", (key,))
        return rows[0]["value"] if rows else None

    def set_meta(self, tx: sqlite3.Connection, key: str, value: str) -> None:
        tx.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    def generation(self) -> int:
        return int(self.get_meta("generation") or 0)

    # -- the journal and the writer lock --------------------------------------------------
    def journal(self, chunk_ids: Iterable[str]) -> None:
        """Record vector ids about to be written or deleted, so a crash can be repaired."""
        with self._tx() as db:
            db.executemany("INSERT OR IGNORE INTO pending VALUES (?)", [(c,) for c in chunk_ids])

    def orphans(self) -> list[str]:
        """Journaled vector ids that no committed chunk owns."""
        rows = self._query(
            "SELECT p.chunk_id FROM pending p LEFT JOIN chunks c USING (chunk_id)"
            " WHERE c.chunk_id IS NULL"
        )
        return [r["chunk_id"] for r in rows]

    def clear_journal(self) -> None:
        """Forget journaled ids once their vectors match the committed chunks."""
        with self._tx() as db:
            self.forget_journal(db)

    def forget_journal(self, tx: sqlite3.Connection) -> None:
        tx.execute("DELETE FROM pending")

    def writer_lock(self, wait: float, on_wait: Waiting) -> AbstractContextManager[None]:
        from rag.lock import writer_lock

        return writer_lock(self.lock_dir, wait, on_wait)

    def writer(self) -> str:
        from rag.lock import holder

        return holder(self.lock_dir)

    # -- articles and chunks --------------------------------------------------------------
    def put(self, tx: sqlite3.Connection, article: Article, chunks: Sequence[Chunk]) -> list[str]:
        """Insert or replace an article with its chunks; returns the chunk ids it replaced."""
        old = self.delete(tx, article.article_id)
        tx.execute(
            f"INSERT INTO articles({ARTICLE_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            article_values(article),
        )
        for chunk in chunks:
            cur = tx.execute(
                "INSERT INTO chunks(chunk_id, article_id, position, start, end) VALUES (?,?,?,?,?)",
                (chunk.chunk_id, chunk.article_id, chunk.position, chunk.start, chunk.end),
            )
            tx.execute(
                "INSERT INTO chunks_fts(rowid, title, body) VALUES (?,?,?)",
                (cur.lastrowid, article.title, chunk.searchable),
            )
        tx.executemany("DELETE FROM pending WHERE chunk_id = ?", [(c.chunk_id,) for c in chunks])
        return old

    def delete(self, tx: sqlite3.Connection, article_id: str) -> list[str]:
        """Delete an article and its chunks; their vector ids are journaled for removal."""
        rows = tx.execute(
            "SELECT rowid, chunk_id FROM chunks WHERE article_id = ?", (article_id,)
        ).fetchall()
        tx.executemany("DELETE FROM chunks_fts WHERE rowid = ?", [(r["rowid"],) for r in rows])
        tx.execute("DELETE FROM chunks WHERE article_id = ?", (article_id,))
        tx.execute("DELETE FROM articles WHERE article_id = ?", (article_id,))
        ids = [r["chunk_id"] for r in rows]
        tx.executemany("INSERT OR IGNORE INTO pending VALUES (?)", [(c,) for c in ids])
        return ids

    def articles(self) -> list[Article]:
        """Every stored article."""
        return [article_of(r) for r in self._query("SELECT * FROM articles")]

    def lookup(self, article_id: str) -> Mapping[str, Any] | None:
        rows = self._query("SELECT * FROM articles WHERE article_id = ?", (article_id,))
        return rows[0] if rows else None

    def by_text_hash(self, text_hash: str) -> str | None:
        rows = self._query("SELECT article_id FROM articles WHERE text_hash = ?", (text_hash,))
        return rows[0]["article_id"] if rows else None

    def count(self) -> int:
        return int(self._query("SELECT count(*) AS n FROM articles")[0]["n"])

    def totals(self) -> Totals:
        dates = self._query("SELECT min(published_at) AS lo, max(published_at) AS hi FROM articles")
        sources = self._query(
            "SELECT coalesce(source, '') AS s, count(*) AS n FROM articles GROUP BY s"
        )
        return Totals(
            articles=self.count(),
            chunks=int(self._query("SELECT count(*) AS n FROM chunks")[0]["n"]),
            sources={r["s"]: int(r["n"]) for r in sources if r["s"]},
            no_source=sum(int(r["n"]) for r in sources if not r["s"]),
            first_published=dates[0]["lo"],
            last_published=dates[0]["hi"],
        )

    def listing(self) -> list[dict[str, Any]]:
        """Every article without its text, newest first, with its number of chunks."""
        rows = self._query(
            "SELECT a.article_id AS id, a.title, a.source, a.published_at, a.url,"
            " (SELECT count(*) FROM chunks c WHERE c.article_id = a.article_id) AS chunks,"
            f" {FLAGGED} AS flagged FROM articles a ORDER BY a.published_at DESC, a.title"
        )
        return [dict(r) | {"flagged": bool(r["flagged"])} for r in rows]

    def sources(self) -> list[str]:
        """The outlets of the stored articles."""
        rows = self._query("SELECT DISTINCT source FROM articles WHERE source IS NOT NULL")
        return sorted(r["source"] for r in rows)

    def chunk_ids(self) -> set[str]:
        return {r["chunk_id"] for r in self._query("SELECT chunk_id FROM chunks")}

    def chunk_spans(self, article_id: str) -> list[tuple[str, int, int, int]]:
        """(chunk_id, position, start, end) of an article's chunks, in order."""
        rows = self._query(
            "SELECT chunk_id, position, start, end FROM chunks WHERE article_id = ?"
            " ORDER BY position",
            (article_id,),
        )
        return [tuple(r) for r in rows]  # type: ignore[misc]

    def chunk_rows(self, chunk_ids: Sequence[str]) -> dict[str, ChunkRow]:
        """Chunks by id with their text sliced from the stored article."""
        if not chunk_ids:
            return {}
        marks = ",".join("?" * len(chunk_ids))
        rows = self._query(
            "SELECT c.chunk_id, c.article_id, c.position, c.start, c.end, a.title, a.source,"
            " a.published_at, a.url, substr(a.text, c.start + 1, c.end - c.start) AS text,"
            f" {FLAGGED} AS flagged"
            f" FROM chunks c JOIN articles a USING (article_id) WHERE c.chunk_id IN ({marks})",
            list(chunk_ids),
        )
        return {r["chunk_id"]: ChunkRow(**dict(r) | {"flagged": bool(r["flagged"])}) for r in rows}

    # -- the keyword index ----------------------------------------------------------------
    def document_frequencies(self, terms: Sequence[str]) -> tuple[int, dict[str, int]]:
        """Number of chunks, and in how many chunks each stemmed term occurs."""
        total = int(self._query("SELECT count(*) AS n FROM chunks")[0]["n"])
        if not terms:
            return total, {}
        marks = ",".join("?" * len(terms))
        rows = self._query(f"SELECT term, doc FROM chunks_vocab WHERE term IN ({marks})", terms)
        return total, {r["term"]: int(r["doc"]) for r in rows}

    def keyword_search(self, text: str, limit: int, filters: Filters) -> list[tuple[str, float]]:
        """BM25 over chunk bodies (and titles, weighted lower): (chunk_id, score), best first."""
        terms = keyword_terms(text)
        if not terms:
            return []
        match = " OR ".join(f'"{t}"' for t in terms)
        where, params = filter_sql(filters)
        rank = f"bm25(chunks_fts, {TITLE_WEIGHT}, 1.0)"
        rows = self._query(
            f"SELECT c.chunk_id, -{rank} AS score FROM chunks_fts f"
            " JOIN chunks c ON c.rowid = f.rowid JOIN articles a ON a.article_id = c.article_id"
            f" WHERE chunks_fts MATCH ? {where} ORDER BY {rank} LIMIT ?",
            [match, *params, limit],
        )
        return [(r["chunk_id"], float(r["score"])) for r in rows]

    def problems(self) -> list[str]:
        """What disagrees inside the catalog (nothing, unless it was damaged)."""
        found = []
        chunk_rows = {r[0] for r in self._query("SELECT rowid FROM chunks")}
        if {r[0] for r in self._query("SELECT rowid FROM chunks_fts")} != chunk_rows:
            found.append("the keyword index and the chunk table differ")
        if self._query(
            "SELECT chunk_id FROM chunks WHERE article_id NOT IN (SELECT article_id FROM articles)"
        ):
            found.append("chunks without their article")
        if self._query(
            "SELECT article_id FROM articles"
            " WHERE article_id NOT IN (SELECT article_id FROM chunks)"
        ):
            found.append("articles without chunks")
        return found

    def outside_bytes(self) -> int:
        """Bytes kept outside the data dir (none: the file is inside it)."""
        return 0


def _next_generation(db: sqlite3.Connection) -> None:
    db.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'")
