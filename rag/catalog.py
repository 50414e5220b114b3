"""The article database next to Chroma (SQLite): full texts, metadata, chunk offsets and a
keyword index (FTS5, BM25) over the same chunks, all changed in one transaction."""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rag.article import Article
from rag.chunk import Chunk
from rag.clean import date_key
from rag.injection import VERSION as INJECTION_RULES
from rag.injection import instruction_spans

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles (
  article_id TEXT PRIMARY KEY, title TEXT NOT NULL, source TEXT, source_key TEXT,
  published_at TEXT, published_day INTEGER, url TEXT, author TEXT, origin TEXT,
  text TEXT NOT NULL, text_hash TEXT NOT NULL, content_hash TEXT NOT NULL,
  added_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')));
CREATE INDEX IF NOT EXISTS articles_text_hash ON articles(text_hash);
CREATE TABLE IF NOT EXISTS chunks (
  rowid INTEGER PRIMARY KEY, chunk_id TEXT UNIQUE NOT NULL, article_id TEXT NOT NULL,
  position INTEGER NOT NULL, start INTEGER NOT NULL, end INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS chunks_article ON chunks(article_id);
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(
  title, body, tokenize='porter unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_vocab USING fts5vocab(chunks_fts, 'row');
CREATE TABLE IF NOT EXISTS pending (chunk_id TEXT PRIMARY KEY);
"""

STOPWORDS = frozenset(
    """
    a about above after again against all am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further
    had has have having he her here hers herself him himself his how i if in into is it its
    itself just me more most my myself no nor not now of off on once only or other our ours out
    over own same she should so some such than that the their theirs them themselves then there
    these they this those through to too under until up very was we were what when where which
    while who whom why will with would you your yours yourself according said says also new
    week year news
    """.split()
)


@dataclass(frozen=True)
class Filters:
    """Which articles a search may use. Dates are ISO strings; `as_of` keeps undated articles."""

    source: str | None = None
    since: str | None = None
    until: str | None = None
    as_of: str | None = None


@dataclass(frozen=True)
class ChunkRow:
    """A stored chunk joined with its article's metadata."""

    chunk_id: str
    article_id: str
    position: int
    start: int
    end: int
    text: str
    title: str
    source: str | None
    published_at: str | None
    url: str | None
    flagged: bool = False


def keyword_terms(text: str) -> list[str]:
    """Content words of a query, lower-cased, stopwords removed, order kept, no repeats."""
    words = re.findall(r"[^\W_]+", text.lower())
    seen: dict[str, None] = {}
    for word in words:
        if word not in STOPWORDS and (len(word) > 1 or word.isdigit()):
            seen.setdefault(word, None)
    return list(seen)


class Catalog:
    """SQLite tables: articles, chunks, the FTS5 keyword index, and a journal of Chroma writes."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.RLock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA busy_timeout=10000")
        self._db.executescript(_SCHEMA)
        self._upgrade()

    def _upgrade(self) -> None:
        """Bring an older archive up to date in place: the `flagged_spans` column (sentences
        addressed to AI assistants, as JSON [[start, end], ...]) is added and filled in."""
        with self.transaction() as db:
            columns = {r["name"] for r in db.execute("PRAGMA table_info(articles)")}
            if "flagged_spans" not in columns:
                db.execute("ALTER TABLE articles ADD COLUMN flagged_spans TEXT")
            rescan = self._meta(db, "injection_rules") != INJECTION_RULES
            rows = db.execute(
                "SELECT article_id, text FROM articles"
                + ("" if rescan else " WHERE flagged_spans IS NULL")
            ).fetchall()
            db.executemany(
                "UPDATE articles SET flagged_spans = ? WHERE article_id = ?",
                [(_flagged_json(r["text"]), r["article_id"]) for r in rows],
            )
            self.set_meta(db, "injection_rules", INJECTION_RULES)

    @staticmethod
    def _meta(db: sqlite3.Connection, key: str) -> str | None:
        row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row["value"] if row else None

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic write: everything inside commits together or not at all."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    def get_meta(self, key: str) -> str | None:
        rows = self.query("SELECT value FROM meta WHERE key = ?", (key,))
        return rows[0]["value"] if rows else None

    def set_meta(self, db: sqlite3.Connection, key: str, value: str) -> None:
        db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    def journal(self, chunk_ids: Iterable[str]) -> None:
        """Record Chroma ids about to be written or deleted, so a crash can be repaired."""
        with self.transaction() as db:
            db.executemany("INSERT OR IGNORE INTO pending VALUES (?)", [(c,) for c in chunk_ids])

    def orphans(self) -> list[str]:
        """Journaled Chroma ids that no committed chunk owns."""
        rows = self.query(
            "SELECT p.chunk_id FROM pending p LEFT JOIN chunks c USING (chunk_id)"
            " WHERE c.chunk_id IS NULL"
        )
        return [r["chunk_id"] for r in rows]

    def clear_journal(self) -> None:
        """Forget journaled ids once their vectors match the committed chunks."""
        with self.transaction() as db:
            db.execute("DELETE FROM pending")

    def put(self, db: sqlite3.Connection, article: Article, chunks: Sequence[Chunk]) -> list[str]:
        """Insert or replace an article with its chunks; returns the chunk ids it replaced."""
        old = self.delete(db, article.article_id)
        db.execute(
            "INSERT INTO articles(article_id, title, source, source_key, published_at,"
            " published_day, url, author, origin, text, text_hash, content_hash, flagged_spans)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                article.article_id,
                article.title,
                article.source,
                _key(article.source),
                article.published_at,
                date_key(article.published_at),
                article.url,
                article.author,
                article.origin,
                article.text,
                article.text_hash,
                article.content_hash,
                _flagged_json(article.text),
            ),
        )
        for chunk in chunks:
            cur = db.execute(
                "INSERT INTO chunks(chunk_id, article_id, position, start, end) VALUES (?,?,?,?,?)",
                (chunk.chunk_id, chunk.article_id, chunk.position, chunk.start, chunk.end),
            )
            db.execute(
                "INSERT INTO chunks_fts(rowid, title, body) VALUES (?,?,?)",
                (cur.lastrowid, article.title, chunk.text),
            )
        db.executemany("DELETE FROM pending WHERE chunk_id = ?", [(c.chunk_id,) for c in chunks])
        return old

    def delete(self, db: sqlite3.Connection, article_id: str) -> list[str]:
        """Delete an article and its chunks; their Chroma ids are journaled for removal."""
        rows = db.execute(
            "SELECT rowid, chunk_id FROM chunks WHERE article_id = ?", (article_id,)
        ).fetchall()
        db.executemany("DELETE FROM chunks_fts WHERE rowid = ?", [(r["rowid"],) for r in rows])
        db.execute("DELETE FROM chunks WHERE article_id = ?", (article_id,))
        db.execute("DELETE FROM articles WHERE article_id = ?", (article_id,))
        ids = [r["chunk_id"] for r in rows]
        db.executemany("INSERT OR IGNORE INTO pending VALUES (?)", [(c,) for c in ids])
        return ids

    def articles(self) -> list[Article]:
        """Every stored article."""
        return [
            Article(
                article_id=r["article_id"],
                title=r["title"],
                text=r["text"],
                source=r["source"],
                published_at=r["published_at"],
                url=r["url"],
                author=r["author"],
                origin=r["origin"] or "",
            )
            for r in self.query("SELECT * FROM articles")
        ]

    def lookup(self, article_id: str) -> sqlite3.Row | None:
        rows = self.query("SELECT * FROM articles WHERE article_id = ?", (article_id,))
        return rows[0] if rows else None

    def by_text_hash(self, text_hash: str) -> str | None:
        rows = self.query("SELECT article_id FROM articles WHERE text_hash = ?", (text_hash,))
        return rows[0]["article_id"] if rows else None

    def sources(self) -> list[str]:
        """The outlets of the stored articles."""
        rows = self.query("SELECT DISTINCT source FROM articles WHERE source IS NOT NULL")
        return sorted(r["source"] for r in rows)

    def chunk_rows(self, chunk_ids: Sequence[str]) -> dict[str, ChunkRow]:
        """Chunks by id with their text sliced from the stored article."""
        if not chunk_ids:
            return {}
        marks = ",".join("?" * len(chunk_ids))
        rows = self.query(
            "SELECT c.chunk_id, c.article_id, c.position, c.start, c.end, a.title, a.source,"
            " a.published_at, a.url, substr(a.text, c.start + 1, c.end - c.start) AS text,"
            " coalesce(a.flagged_spans, '[]') != '[]' AS flagged"
            f" FROM chunks c JOIN articles a USING (article_id) WHERE c.chunk_id IN ({marks})",
            list(chunk_ids),
        )
        return {r["chunk_id"]: ChunkRow(**{**dict(r), "flagged": bool(r["flagged"])}) for r in rows}

    def document_frequencies(self, terms: Sequence[str]) -> tuple[int, dict[str, int]]:
        """Number of chunks, and in how many chunks each stemmed term occurs."""
        total = int(self.query("SELECT count(*) AS n FROM chunks")[0]["n"])
        if not terms:
            return total, {}
        marks = ",".join("?" * len(terms))
        rows = self.query(f"SELECT term, doc FROM chunks_vocab WHERE term IN ({marks})", terms)
        return total, {r["term"]: int(r["doc"]) for r in rows}

    def keyword_search(self, text: str, limit: int, filters: Filters) -> list[tuple[str, float]]:
        """BM25 over chunk bodies (and titles, weighted lower): (chunk_id, score), best first."""
        terms = keyword_terms(text)
        if not terms:
            return []
        match = " OR ".join(f'"{t}"' for t in terms)
        where, params = filter_sql(filters)
        rows = self.query(
            "SELECT c.chunk_id, -bm25(chunks_fts, 0.3, 1.0) AS score FROM chunks_fts f"
            " JOIN chunks c ON c.rowid = f.rowid JOIN articles a ON a.article_id = c.article_id"
            f" WHERE chunks_fts MATCH ? {where} ORDER BY bm25(chunks_fts, 0.3, 1.0) LIMIT ?",
            [match, *params, limit],
        )
        return [(r["chunk_id"], float(r["score"])) for r in rows]


def _flagged_json(text: str) -> str:
    return json.dumps([list(span) for span in instruction_spans(text)])


def flagged_spans(row: sqlite3.Row) -> list[tuple[int, int]]:
    """The flagged sentences of a stored article row, as (start, end) offsets."""
    return [(int(s), int(e)) for s, e in json.loads(row["flagged_spans"] or "[]")]


def _key(source: str | None) -> str | None:
    return source.strip().lower() if source else None


def filter_sql(filters: Filters) -> tuple[str, list[Any]]:
    """SQL conditions on table alias `a` for the given filters."""
    where = ""
    params: list[Any] = []
    if filters.source:
        where += " AND a.source_key = ?"
        params.append(_key(filters.source))
    for value, op in ((filters.since, ">="), (filters.until, "<=")):
        if value:
            where += f" AND a.published_day {op} ?"
            params.append(date_key(value))
    if filters.as_of:
        where += " AND (a.published_day IS NULL OR a.published_day <= ?)"
        params.append(date_key(filters.as_of))
    return where, params


_STEMMER = sqlite3.connect(":memory:", check_same_thread=False)
_STEMMER.executescript(
    "CREATE VIRTUAL TABLE words USING fts5(w, tokenize='porter unicode61 remove_diacritics 2');"
    "CREATE VIRTUAL TABLE words_vocab USING fts5vocab(words, 'instance');"
)
_STEM_LOCK = threading.Lock()


def stems(words: Sequence[str]) -> list[str]:
    """The keyword index's own stem of each word ('' for a word it drops), so that
    answer scoring matches words exactly as the index does."""
    if not words:
        return []
    with _STEM_LOCK:
        _STEMMER.execute("DELETE FROM words")
        _STEMMER.executemany(
            "INSERT INTO words(rowid, w) VALUES (?, ?)", list(enumerate(words, start=1))
        )
        found = dict(_STEMMER.execute("SELECT doc, term FROM words_vocab WHERE offset = 0"))
    return [found.get(i, "") for i in range(1, len(words) + 1)]
