"""The embedded catalog's schema (`rag.catalog_sqlite`) as migrations: each a list of statements
or a function, applied in order in one transaction; `PRAGMA user_version` counts the migrations
applied, so opening an older archive upgrades it in place."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence

from rag.story_tables import SQLITE_SCHEMA

Step = Sequence[str] | Callable[[sqlite3.Connection], None]


def _add_flagged_spans(db: sqlite3.Connection) -> None:
    """3: the flagged sentences of each article (rag.injection), JSON [[start, end], ...],
    filled in when the catalog opens; archives of the first schema may have the column already."""
    if "flagged_spans" not in {r[1] for r in db.execute("PRAGMA table_info(articles)")}:
        db.execute("ALTER TABLE articles ADD COLUMN flagged_spans TEXT")


MIGRATIONS: list[Step] = [
    [  # 1: the schema of the first archives (IF NOT EXISTS: they already have it)
        "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS articles ("
        " article_id TEXT PRIMARY KEY, title TEXT NOT NULL, source TEXT, source_key TEXT,"
        " published_at TEXT, published_day INTEGER, url TEXT, author TEXT, origin TEXT,"
        " text TEXT NOT NULL, text_hash TEXT NOT NULL, content_hash TEXT NOT NULL,"
        " added_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')))",
        "CREATE INDEX IF NOT EXISTS articles_text_hash ON articles(text_hash)",
        "CREATE TABLE IF NOT EXISTS chunks ("
        " rowid INTEGER PRIMARY KEY, chunk_id TEXT UNIQUE NOT NULL, article_id TEXT NOT NULL,"
        " position INTEGER NOT NULL, start INTEGER NOT NULL, end INTEGER NOT NULL)",
        "CREATE INDEX IF NOT EXISTS chunks_article ON chunks(article_id)",
        "CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5("
        " title, body, tokenize='porter unicode61 remove_diacritics 2')",
        "CREATE VIRTUAL TABLE IF NOT EXISTS chunks_vocab USING fts5vocab(chunks_fts, 'row')",
        "CREATE TABLE IF NOT EXISTS pending (chunk_id TEXT PRIMARY KEY)",
    ],
    [  # 2: a generation number for readers in other processes, the archive's own id (its
        # vectors' database on a shared Chroma server); listing by date
        "INSERT OR IGNORE INTO meta(key, value) VALUES ('generation', '0')",
        "INSERT OR IGNORE INTO meta(key, value) VALUES ('archive', lower(hex(randomblob(8))))",
        "CREATE INDEX IF NOT EXISTS articles_published ON articles(published_at)",
    ],
    _add_flagged_spans,
    SQLITE_SCHEMA,  # 4: stories (rag.story_tables)
]


def migrate(db: sqlite3.Connection, steps: Sequence[Step] = MIGRATIONS) -> int:
    """Apply the migrations `db` has not had yet, in one transaction; returns its version."""
    db.execute("BEGIN IMMEDIATE")
    try:
        done = int(db.execute("PRAGMA user_version").fetchone()[0])
        for version, statements in enumerate(steps, start=1):
            if version > done:
                _apply(db, statements)
                db.execute(f"PRAGMA user_version = {version}")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
    return max(done, len(steps))


def _apply(db: sqlite3.Connection, step: Step) -> None:
    if callable(step):
        step(db)
        return
    for statement in step:
        db.execute(statement)
