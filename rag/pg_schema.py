"""The shared catalog's schema (`rag.catalog_pg`) as migrations: each a list of statements,
applied in order, once per database (`rag.pg.migrate`), so that a database made by an older
Newsdesk is upgraded in place when a newer one opens it."""

from __future__ import annotations

from rag.catalog import TITLE_WEIGHT
from rag.story_tables import POSTGRES_SCHEMA

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
    [  # 2: postings for BM25 (rag.pg_keywords), filled from the chunks' tsvectors
        "CREATE TABLE postings (term TEXT NOT NULL, chunk_id TEXT NOT NULL,"
        " article_id TEXT NOT NULL, f DOUBLE PRECISION NOT NULL, tokens INTEGER NOT NULL,"
        " PRIMARY KEY (term, chunk_id))",
        "CREATE INDEX postings_article ON postings(article_id)",
        "INSERT INTO postings(term, chunk_id, article_id, f, tokens)"
        f" SELECT u.lexeme, c.chunk_id, c.article_id, {TITLE_WEIGHT}::float8"
        " * cardinality(array_positions(u.weights, 'B'))"
        " + cardinality(array_positions(u.weights, 'D')), c.tokens"
        " FROM chunks c CROSS JOIN LATERAL unnest(c.keywords) u",
    ],
    [  # 3: the flagged sentences of each article (rag.injection), filled in when it opens
        "ALTER TABLE articles ADD COLUMN IF NOT EXISTS flagged_spans TEXT",
    ],
    POSTGRES_SCHEMA,  # 4: stories (rag.story_tables)
]
