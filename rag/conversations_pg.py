"""The chat's conversations and the feedback log in the shared PostgreSQL database, so that every
app process behind the proxy sees the same conversations (a shared link opens on any of them)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from rag.conversations import (
    RATINGS,
    Conversation,
    Message,
    checked_title,
    conversation_of,
    message_of,
    message_row,
    new_id,
    timestamp,
)
from rag.errors import InputError, NotFoundError, StoreError
from rag.pg import connect, migrate, pool, redacted

MIGRATIONS: list[list[str]] = [
    [
        "CREATE TABLE conversations (id TEXT PRIMARY KEY, owner TEXT NOT NULL DEFAULT '',"
        " title TEXT NOT NULL, settings TEXT NOT NULL DEFAULT '{}', created_at TEXT NOT NULL,"
        " updated_at TEXT NOT NULL)",
        "CREATE INDEX conversations_owner ON conversations(owner, updated_at)",
        "CREATE TABLE messages (id TEXT PRIMARY KEY,"
        " conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,"
        " position INTEGER NOT NULL, role TEXT NOT NULL, content TEXT NOT NULL, answer TEXT,"
        " error TEXT, context TEXT NOT NULL DEFAULT '{}', rating TEXT, created_at TEXT NOT NULL,"
        " UNIQUE (conversation_id, position))",
        "CREATE TABLE feedback (id BIGSERIAL PRIMARY KEY,"
        " recorded_at TIMESTAMPTZ NOT NULL DEFAULT now(), entry JSONB NOT NULL)",
    ],
]


class PostgresConversations:
    """Conversations in PostgreSQL; safe for many threads, processes and machines at once."""

    def __init__(self, url: str, pool_size: int = 2) -> None:

        self.where = redacted(url)
        with connect(url) as conn:
            migrate(conn, "conversations", MIGRATIONS)
        self._pool = pool(url, pool_size, "newsdesk-conversations")

    def close(self) -> None:
        self._pool.close()

    @contextmanager
    def _db(self) -> Iterator[Any]:
        """A pooled connection in one transaction; database errors become StoreErrors."""
        import psycopg

        try:
            with self._pool.connection() as conn, conn.transaction():
                yield conn
        except psycopg.Error as exc:
            reason = " ".join(str(exc).split())
            raise StoreError(f"the conversations in {self.where}: {reason}") from None

    def create(self, owner: str, title: str, settings: Mapping[str, Any]) -> Conversation:
        now = timestamp()
        made = Conversation(new_id(), checked_title(title), owner, dict(settings), now, now)
        with self._db() as db:
            db.execute(
                "INSERT INTO conversations VALUES (%s, %s, %s, %s, %s, %s)",
                (made.id, owner, made.title, json.dumps(made.settings), now, now),
            )
        return made

    def get(self, conversation_id: str) -> Conversation | None:
        with self._db() as db:
            row = db.execute(
                "SELECT * FROM conversations WHERE id = %s", (conversation_id,)
            ).fetchone()
        return conversation_of(row) if row else None

    def list(self, owner: str, limit: int = 50) -> list[Conversation]:
        """The owner's conversations, the most recently used first."""
        with self._db() as db:
            rows = db.execute(
                "SELECT * FROM conversations WHERE owner = %s ORDER BY updated_at DESC LIMIT %s",
                (owner, limit),
            ).fetchall()
        return [conversation_of(r) for r in rows]

    def rename(self, conversation_id: str, title: str) -> None:
        """A new title; the conversation keeps its place in the list (renaming is not use)."""
        with self._db() as db:
            done = db.execute(
                "UPDATE conversations SET title = %s WHERE id = %s",
                (checked_title(title), conversation_id),
            )
        if done.rowcount == 0:
            raise NotFoundError(f"no conversation with id {conversation_id}")

    def delete(self, conversation_id: str) -> None:
        with self._db() as db:
            db.execute("DELETE FROM conversations WHERE id = %s", (conversation_id,))

    def save_settings(self, conversation_id: str, settings: Mapping[str, Any]) -> None:
        with self._db() as db:
            done = db.execute(
                "UPDATE conversations SET settings = %s, updated_at = %s WHERE id = %s",
                (json.dumps(dict(settings)), timestamp(), conversation_id),
            )
        if done.rowcount == 0:
            raise NotFoundError(f"no conversation with id {conversation_id}")

    def append(self, conversation_id: str, message: Message) -> None:
        """Add a message at the end (the conversation's row is locked meanwhile, so positions
        never collide, even with writers in two processes)."""
        with self._db() as db:
            known = db.execute(
                "SELECT 1 FROM conversations WHERE id = %s FOR UPDATE", (conversation_id,)
            )
            if known.fetchone() is None:
                raise NotFoundError(f"no conversation with id {conversation_id}")
            db.execute(
                "INSERT INTO messages VALUES (%s, %s, (SELECT coalesce(max(position), -1) + 1"
                " FROM messages WHERE conversation_id = %s), %s, %s, %s, %s, %s, %s, %s)",
                message_row(conversation_id, message),
            )
            db.execute(
                "UPDATE conversations SET updated_at = %s WHERE id = %s",
                (timestamp(), conversation_id),
            )

    def messages(self, conversation_id: str) -> list[Message]:
        with self._db() as db:
            rows = db.execute(
                "SELECT * FROM messages WHERE conversation_id = %s ORDER BY position",
                (conversation_id,),
            ).fetchall()
        return [message_of(r) for r in rows]

    def rate(self, message_id: str, rating: str | None) -> None:
        if rating is not None and rating not in RATINGS:
            raise InputError(f"a rating is up or down, not {rating!r}")
        with self._db() as db:
            db.execute("UPDATE messages SET rating = %s WHERE id = %s", (rating, message_id))

    def record_feedback(self, entry: Mapping[str, Any]) -> str:
        """Keep one rating of an answer in the feedback table; returns where it went."""
        from psycopg.types.json import Jsonb

        with self._db() as db:
            db.execute("INSERT INTO feedback(entry) VALUES (%s)", (Jsonb(dict(entry)),))
        return f"the feedback table of {self.where}"

    def feedback(self) -> list[dict[str, Any]]:
        """The feedback log, oldest first."""
        with self._db() as db:
            rows = db.execute("SELECT entry FROM feedback ORDER BY id").fetchall()
        return [dict(r["entry"]) for r in rows]
