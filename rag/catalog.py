"""The article catalog next to the vectors: full texts, metadata, chunk offsets, a keyword index
over the same chunks and the journal of vector writes, all changed in one transaction.

`Catalog` is the interface; `open_catalog` chooses the implementation, in one place: SQLite in
the data dir (`rag.catalog_sqlite`, the default) or a shared PostgreSQL database with
`RAG_DATABASE_URL` (`rag.catalog_pg`). Both rank keywords alike (BM25 over the same tokens), so
an archive answers the same questions the same way on either.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from rag.article import Article
from rag.chunk import Chunk
from rag.clean import date_key
from rag.injection import instruction_spans

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
TITLE_WEIGHT = 0.3  # a title word counts this much of a body word in keyword ranking (BM25)

Waiting = Callable[[float, float], None]  # (seconds waited so far, seconds it may wait)


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
    flagged: bool = False  # its article holds text addressed to AI assistants (rag.injection)


@dataclass(frozen=True)
class Totals:
    """What the archive holds, in counts: the figures of `rag stats`."""

    articles: int
    chunks: int
    sources: dict[str, int]  # outlet -> articles
    no_source: int
    first_published: str | None
    last_published: str | None


class Catalog(Protocol):
    """Articles, chunks, the keyword index and the journal of vector writes.

    Writes happen inside `transaction()`, whose handle goes to `put`, `delete`, `set_meta` and
    `forget_journal`; each committed transaction moves `generation()` on, so a reader in
    another process can tell that the archive changed.
    """

    where: str  # the catalog's place, for messages: a file, or a database URL without password
    refresh_interval: float  # seconds a reader may trust what it read before asking again
    mark: str  # the driver's placeholder in `query` and in statements on a transaction's handle

    # -- writing --------------------------------------------------------------------------
    def transaction(self) -> AbstractContextManager[Any]: ...
    def put(self, tx: Any, article: Article, chunks: Sequence[Chunk]) -> list[str]: ...
    def delete(self, tx: Any, article_id: str) -> list[str]: ...
    def set_meta(self, tx: Any, key: str, value: str) -> None: ...
    def forget_journal(self, tx: Any) -> None: ...
    def journal(self, chunk_ids: Iterable[str]) -> None: ...
    def orphans(self) -> list[str]: ...
    def clear_journal(self) -> None: ...
    def writer_lock(self, wait: float, on_wait: Waiting) -> AbstractContextManager[None]: ...
    def writer(self) -> str: ...

    # -- reading --------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None: ...
    def generation(self) -> int: ...
    def articles(self) -> list[Article]: ...
    def lookup(self, article_id: str) -> Mapping[str, Any] | None: ...
    def by_text_hash(self, text_hash: str) -> str | None: ...
    def count(self) -> int: ...
    def totals(self) -> Totals: ...
    def listing(self) -> list[dict[str, Any]]: ...
    def sources(self) -> list[str]: ...
    def chunk_ids(self) -> set[str]: ...
    def chunk_spans(self, article_id: str) -> list[tuple[str, int, int, int]]: ...
    def chunk_rows(self, chunk_ids: Sequence[str]) -> dict[str, ChunkRow]: ...
    def document_frequencies(self, terms: Sequence[str]) -> tuple[int, dict[str, int]]: ...
    def keyword_search(
        self, text: str, limit: int, filters: Filters
    ) -> list[tuple[str, float]]: ...
    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Any]: ...
    def problems(self) -> list[str]: ...
    def outside_bytes(self) -> int: ...
    def close(self) -> None: ...


def open_catalog(data_dir: Path, database_url: str = "") -> Catalog:
    """The archive's catalog: PostgreSQL at `database_url`, else SQLite in `data_dir`."""
    if database_url:
        from rag.catalog_pg import PostgresCatalog

        return PostgresCatalog(database_url)
    from rag.catalog_sqlite import SQLiteCatalog

    return SQLiteCatalog(Path(data_dir) / "articles.db", Path(data_dir))


def keyword_terms(text: str) -> list[str]:
    """Content words of a query, lower-cased, stopwords removed, order kept, no repeats."""
    words = re.findall(r"[^\W_]+", text.lower())
    seen: dict[str, None] = {}
    for word in words:
        if word not in STOPWORDS and (len(word) > 1 or word.isdigit()):
            seen.setdefault(word, None)
    return list(seen)


def source_key(source: str | None) -> str | None:
    """An outlet's name as filters compare it."""
    return source.strip().lower() if source else None


def filter_sql(filters: Filters, mark: str = "?") -> tuple[str, list[Any]]:
    """SQL conditions on table alias `a` for the given filters (`mark`: the driver's
    placeholder)."""
    where = ""
    params: list[Any] = []
    if filters.source:
        where += f" AND a.source_key = {mark}"
        params.append(source_key(filters.source))
    for value, op in ((filters.since, ">="), (filters.until, "<=")):
        if value:
            where += f" AND a.published_day {op} {mark}"
            params.append(date_key(value))
    if filters.as_of:
        where += f" AND (a.published_day IS NULL OR a.published_day <= {mark})"
        params.append(date_key(filters.as_of))
    return where, params


def article_values(article: Article) -> tuple[Any, ...]:
    """An article's columns, in the order both catalogs store them."""
    return (
        article.article_id,
        article.title,
        article.source,
        source_key(article.source),
        article.published_at,
        date_key(article.published_at),
        article.url,
        article.author,
        article.origin,
        article.text,
        article.text_hash,
        article.content_hash,
        flagged_json(article.text),
    )


ARTICLE_COLUMNS = (
    "article_id, title, source, source_key, published_at, published_day, url, author, origin,"
    " text, text_hash, content_hash, flagged_spans"
)
FLAGGED = "coalesce(a.flagged_spans, '[]') <> '[]'"  # SQL: the article `a` has flagged text


def flagged_json(text: str) -> str:
    """The sentences of `text` addressed to AI assistants, as stored: JSON [[start, end], ...]."""
    return json.dumps([list(span) for span in instruction_spans(text)])


def flagged_spans(row: Mapping[str, Any]) -> list[tuple[int, int]]:
    """The flagged sentences of a stored article row, as (start, end) offsets."""
    return [(int(s), int(e)) for s, e in json.loads(row["flagged_spans"] or "[]")]


def flag_rows(rows: Iterable[Mapping[str, Any]]) -> list[tuple[str, str]]:
    """(flagged_json, article_id) of stored article rows (article_id, text): their flags under
    today's rules (`rag.injection.VERSION`)."""
    return [(flagged_json(r["text"]), r["article_id"]) for r in rows]


def article_of(row: Mapping[str, Any]) -> Article:
    """The `Article` a stored row holds."""
    return Article(
        article_id=row["article_id"],
        title=row["title"],
        text=row["text"],
        source=row["source"],
        published_at=row["published_at"],
        url=row["url"],
        author=row["author"],
        origin=row["origin"] or "",
    )


# -- the keyword index's own tokens ------------------------------------------------------------
_TOKENIZER = "porter unicode61 remove_diacritics 2"
_STEMMER = sqlite3.connect(":memory:", check_same_thread=False)
_STEMMER.executescript(
    f"CREATE VIRTUAL TABLE words USING fts5(title, body, tokenize='{_TOKENIZER}');"
    "CREATE VIRTUAL TABLE words_vocab USING fts5vocab(words, 'instance');"
)
_STEM_LOCK = threading.Lock()
_STEMS: dict[str, str] = {}  # word -> its stem, as the index stems it
STEM_CACHE = 200_000


def stems(words: Sequence[str]) -> list[str]:
    """The keyword index's own stem of each word ('' for a word it drops), so that
    answer scoring matches words exactly as the index does. Stems met before are kept."""
    if not words:
        return []
    with _STEM_LOCK:
        if len(_STEMS) + len(words) > STEM_CACHE:
            _STEMS.clear()
        missing = [w for w in dict.fromkeys(words) if w not in _STEMS]
        if missing:
            _STEMMER.execute("DELETE FROM words")
            _STEMMER.executemany(
                "INSERT INTO words(rowid, body) VALUES (?, ?)", list(enumerate(missing, start=1))
            )
            rows = _STEMMER.execute("SELECT doc, term FROM words_vocab WHERE offset = 0")
            found = dict(rows.fetchall())
            _STEMS.update((w, found.get(i, "")) for i, w in enumerate(missing, start=1))
        return [_STEMS[w] for w in words]


def tokens(pairs: Sequence[tuple[str, str]]) -> list[tuple[list[str], list[str]]]:
    """The stemmed tokens, in order, of each (title, body): exactly what the SQLite keyword
    index holds for them, so that a PostgreSQL catalog ranks the same words the same way."""
    if not pairs:
        return []
    with _STEM_LOCK:
        _STEMMER.execute("DELETE FROM words")
        _STEMMER.executemany(
            "INSERT INTO words(rowid, title, body) VALUES (?, ?, ?)",
            [(i, title, body) for i, (title, body) in enumerate(pairs, start=1)],
        )
        rows = _STEMMER.execute(
            "SELECT doc, col, offset, term FROM words_vocab ORDER BY doc, col, offset"
        ).fetchall()
    found: list[tuple[list[str], list[str]]] = [([], []) for _ in pairs]
    for doc, col, _, term in rows:
        found[doc - 1][0 if col == "title" else 1].append(term)
    return found
