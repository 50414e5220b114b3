"""The catalog's story tables (next to `rag.catalog`'s, in SQLite or PostgreSQL): each
article's story with the MinHash signature a later `rag add` compares new articles with, and each
chunk's text hash so that a chunk a story already holds reuses its vector.

The tables are a migration of each catalog (`SQLITE_SCHEMA`, `POSTGRES_SCHEMA`); an archive made
before stories gets its rows on its next write (`Store` fills them under the writer lock). Reads
go through `Catalog.query`, writes through the connection of a `Catalog.transaction`, so they
commit with the rest of a write; the SQL is the same on both, with the catalog's placeholder.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rag.catalog import Catalog, source_key
from rag.stories import Match

SQLITE_SCHEMA = [
    "CREATE TABLE IF NOT EXISTS story_members (article_id TEXT PRIMARY KEY,"
    " story_id TEXT NOT NULL, seq INTEGER NOT NULL, copy_of TEXT, similarity REAL,"
    " signature BLOB NOT NULL)",
    "CREATE INDEX IF NOT EXISTS story_members_story ON story_members(story_id)",
    "CREATE TABLE IF NOT EXISTS chunk_texts (chunk_id TEXT PRIMARY KEY, text_hash TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS chunk_texts_hash ON chunk_texts(text_hash)",
]
POSTGRES_SCHEMA = [
    "CREATE TABLE IF NOT EXISTS story_members (article_id TEXT PRIMARY KEY,"
    " story_id TEXT NOT NULL, seq INTEGER NOT NULL, copy_of TEXT, similarity DOUBLE PRECISION,"
    " signature BYTEA NOT NULL)",
    "CREATE INDEX IF NOT EXISTS story_members_story ON story_members(story_id)",
    "CREATE TABLE IF NOT EXISTS chunk_texts (chunk_id TEXT PRIMARY KEY, text_hash TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS chunk_texts_hash ON chunk_texts(text_hash)",
]
_MEMBERS = (
    "SELECT m.story_id, m.article_id, m.seq, m.copy_of, m.similarity, a.title, a.source,"
    " a.published_at, a.url FROM story_members m JOIN articles a USING (article_id)"
)
_ORDER = " ORDER BY m.story_id, a.published_day IS NULL, a.published_day, m.seq"


def _marks(values: Sequence[Any]) -> str:
    return ",".join("?" * len(values))


class StoryTables:
    """Story memberships and chunk text hashes in the archive's catalog database."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        # ties of added_at (one per second in SQLite, per write in PostgreSQL) broken by
        # SQLite's insertion order, by id in PostgreSQL
        self._added = "a.rowid" if catalog.mark == "?" else "a.article_id"

    def _sql(self, sql: str) -> str:
        """`sql` (written with ? placeholders) in the catalog's own placeholders."""
        return sql if self.catalog.mark == "?" else sql.replace("?", self.catalog.mark)

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        return self.catalog.query(self._sql(sql), params)

    def _write(self, db: Any, sql: str, params: Sequence[Any]) -> None:
        db.execute(self._sql(sql), params)

    def _write_many(self, db: Any, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            db.cursor().executemany(self._sql(sql), rows)

    # -- reading ------------------------------------------------------------------------------
    def signatures(self) -> list[Any]:
        """(article_id, story_id, signature) of every member, first added first (LSH index)."""
        return self._read("SELECT article_id, story_id, signature FROM story_members ORDER BY seq")

    def matches(self) -> dict[str, Match]:
        """Every stored membership as the detection that made it (no signature)."""
        rows = self._read("SELECT article_id, story_id, copy_of, similarity FROM story_members")
        return {
            r["article_id"]: Match(
                r["article_id"], r["story_id"], r["copy_of"], r["similarity"], b""
            )
            for r in rows
        }

    def stories_of(self, article_ids: Sequence[str]) -> dict[str, str]:
        """article_id -> story_id of the given articles (those that have one)."""
        if not article_ids:
            return {}
        rows = self._read(
            "SELECT article_id, story_id FROM story_members"
            f" WHERE article_id IN ({_marks(article_ids)})",
            list(article_ids),
        )
        return {r["article_id"]: r["story_id"] for r in rows}

    def members(self, story_ids: Sequence[str] | None = None) -> list[Any]:
        """Members of the given stories (all stories with None) with their articles'
        metadata, each story in publication order: earliest date first, undated after,
        then first added."""
        if story_ids is None:
            return self._read(_MEMBERS + _ORDER)
        if not story_ids:
            return []
        where = f" WHERE m.story_id IN ({_marks(story_ids)})"
        return self._read(_MEMBERS + where + _ORDER, list(story_ids))

    def listing(self) -> list[dict[str, Any]]:
        """Every story with its members in publication order; stories first published most
        recently first (undated ones last), as `rag list` orders articles."""
        members: dict[str, list[dict[str, Any]]] = {}
        for row in self.members():
            members.setdefault(row["story_id"], []).append(member(row))
        stories = [
            {"story_id": story_id, "first": copies[0], "copies": len(copies), "members": copies}
            for story_id, copies in members.items()
        ]
        stories.sort(key=lambda s: s["first"]["title"])
        stories.sort(key=lambda s: s["first"]["published_at"] or "", reverse=True)
        return stories

    def stored_keys(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], str]:
        """Committed chunks holding each (story_id, text_hash) key: key -> chunk_id."""
        by_story: dict[str, list[str]] = {}
        for story_id, text_hash in keys:
            by_story.setdefault(story_id, []).append(text_hash)
        return {
            (story_id, text_hash): chunk_id
            for story_id, hashes in by_story.items()
            for text_hash, chunk_id in self.reusable(story_id, hashes).items()
        }

    def reusable(self, story_id: str, text_hashes: Sequence[str]) -> dict[str, str]:
        """text_hash -> a committed chunk of the story with that text (its vector is reused)."""
        if not text_hashes:
            return {}
        rows = self._read(
            "SELECT t.text_hash, min(t.chunk_id) AS chunk_id FROM chunk_texts t"
            " JOIN chunks c ON c.chunk_id = t.chunk_id"
            " JOIN story_members m ON m.article_id = c.article_id"
            f" WHERE m.story_id = ? AND t.text_hash IN ({_marks(text_hashes)})"
            " GROUP BY t.text_hash",
            [story_id, *text_hashes],
        )
        return {r["text_hash"]: r["chunk_id"] for r in rows}

    def chunk_texts_of(self, article_id: str) -> list[str]:
        """The texts of an article's stored chunks, in order."""
        rows = self._read(
            'SELECT substr(a.text, c.start + 1, c."end" - c.start) AS text FROM chunks c'
            " JOIN articles a USING (article_id) WHERE c.article_id = ? ORDER BY c.position",
            (article_id,),
        )
        return [r["text"] for r in rows]

    def unchecked(self) -> list[str]:
        """Articles without a story (stored before stories existed), first added first."""
        rows = self._read(
            "SELECT a.article_id FROM articles a LEFT JOIN story_members m USING (article_id)"
            f" WHERE m.article_id IS NULL ORDER BY a.added_at, {self._added}"
        )
        return [r["article_id"] for r in rows]

    def unhashed_chunks(self) -> list[Any]:
        """Chunks (with their text) stored before chunk text hashes existed."""
        return self._read(
            'SELECT c.chunk_id, substr(a.text, c.start + 1, c."end" - c.start) AS text'
            " FROM chunks c JOIN articles a USING (article_id)"
            " LEFT JOIN chunk_texts t ON t.chunk_id = c.chunk_id WHERE t.chunk_id IS NULL"
        )

    # -- writing (inside a Catalog.transaction) ------------------------------------------------
    def put_membership(
        self,
        db: Any,
        article_id: str,
        story_id: str,
        copy_of: str | None,
        similarity: float | None,
        signature: bytes,
    ) -> None:
        """Insert or update an article's story; an updated article keeps its place (seq)."""
        self._write(
            db,
            "INSERT INTO story_members(article_id, story_id, seq, copy_of, similarity, signature)"
            " VALUES (?, ?, (SELECT coalesce(max(seq), 0) + 1 FROM story_members), ?, ?, ?)"
            " ON CONFLICT(article_id) DO UPDATE SET story_id = excluded.story_id,"
            " copy_of = excluded.copy_of, similarity = excluded.similarity,"
            " signature = excluded.signature",
            (article_id, story_id, copy_of, similarity, signature),
        )

    def set_signature(self, db: Any, article_id: str, signature: bytes) -> None:
        self._write(
            db,
            "UPDATE story_members SET signature = ? WHERE article_id = ?",
            (signature, article_id),
        )

    def put_chunk_hashes(self, db: Any, rows: Sequence[tuple[str, str]]) -> None:
        """(chunk_id, text_hash) of written chunks."""
        self._write_many(
            db,
            "INSERT INTO chunk_texts(chunk_id, text_hash) VALUES (?, ?)"
            " ON CONFLICT(chunk_id) DO UPDATE SET text_hash = excluded.text_hash",
            list(rows),
        )

    def forget_chunks(self, db: Any, chunk_ids: Sequence[str]) -> None:
        self._write_many(
            db, "DELETE FROM chunk_texts WHERE chunk_id = ?", [(c,) for c in chunk_ids]
        )

    def forget_article(self, db: Any, article_id: str) -> None:
        self._write(db, "DELETE FROM story_members WHERE article_id = ?", (article_id,))


def member(row: Any) -> dict[str, Any]:
    """A story member as `rag show` and `rag list --stories` print it."""
    return {
        "id": row["article_id"],
        "title": row["title"],
        "source": row["source"],
        "published_at": row["published_at"],
        "url": row["url"],
        "copy_of": row["copy_of"],
        "similarity": row["similarity"],
    }


def same_text_twin(
    catalog: Catalog, text_hash: str, source: str | None, article_id: str
) -> str | None:
    """Another stored article with this text from the same outlet (a duplicate), if any."""
    sql = (
        "SELECT article_id FROM articles WHERE text_hash = ? AND coalesce(source_key, '') = ?"
        " AND article_id != ? ORDER BY added_at LIMIT 1"
    )
    rows = catalog.query(
        sql.replace("?", catalog.mark), (text_hash, source_key(source) or "", article_id)
    )
    return rows[0]["article_id"] if rows else None
