"""The chat's conversations in one SQLite file, `<data dir>/conversations.db`, and the feedback log
next to it (`<data dir>/feedback.jsonl`): the embedded implementation of
`rag.conversations.Conversations`."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rag.conversations import (
    RATINGS,
    Conversation,
    Message,
    _json,
    checked_title,
    conversation_of,
    message_of,
    message_row,
    new_id,
    timestamp,
)
from rag.errors import InputError, NotFoundError, StoreError

FEEDBACK_FILE = "feedback.jsonl"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
  id TEXT PRIMARY KEY, owner TEXT NOT NULL DEFAULT '', title TEXT NOT NULL,
  settings TEXT NOT NULL DEFAULT '{}', created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS conversations_owner ON conversations(owner, updated_at);
CREATE TABLE IF NOT EXISTS messages (
  id TEXT PRIMARY KEY,
  conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
  position INTEGER NOT NULL, role TEXT NOT NULL, content TEXT NOT NULL, answer TEXT,
  error TEXT, context TEXT NOT NULL DEFAULT '{}', rating TEXT, created_at TEXT NOT NULL,
  UNIQUE (conversation_id, position));
"""


class SQLiteConversations:
    """Conversations in one SQLite file; safe for several threads and processes at once."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self._db() as db:
                db.execute("PRAGMA journal_mode=WAL")
                db.executescript(_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"cannot open the conversations in {self.path}: {exc}") from None

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        """A short-lived connection in one transaction (cheap in SQLite, safe across threads)."""
        try:
            db = sqlite3.connect(self.path, timeout=10)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the conversations in {self.path}: {exc}") from None
        db.row_factory = sqlite3.Row
        try:
            db.execute("PRAGMA foreign_keys=ON")
            with db:
                yield db
        except sqlite3.Error as exc:  # locked for too long, disk full, read-only, ...
            raise StoreError(f"the conversations in {self.path}: {exc}") from None
        finally:
            db.close()

    def create(self, owner: str, title: str, settings: Mapping[str, Any]) -> Conversation:
        now = timestamp()
        made = Conversation(new_id(), checked_title(title), owner, dict(settings), now, now)
        with self._db() as db:
            db.execute(
                "INSERT INTO conversations VALUES (?, ?, ?, ?, ?, ?)",
                (made.id, owner, made.title, json.dumps(made.settings), now, now),
            )
        return made

    def get(self, conversation_id: str) -> Conversation | None:
        with self._db() as db:
            row = db.execute(
                "SELECT * FROM conversations WHERE id = ?", (conversation_id,)
            ).fetchone()
        return conversation_of(row) if row else None

    def list(self, owner: str, limit: int = 50) -> list[Conversation]:
        """The owner's conversations, the most recently used first."""
        with self._db() as db:
            rows = db.execute(
                "SELECT * FROM conversations WHERE owner = ? ORDER BY updated_at DESC LIMIT ?",
                (owner, limit),
            ).fetchall()
        return [conversation_of(r) for r in rows]

    def rename(self, conversation_id: str, title: str) -> None:
        """A new title; the conversation keeps its place in the list (renaming is not use)."""
        self._update(conversation_id, "title = ?", checked_title(title), touch=False)

    def delete(self, conversation_id: str) -> None:
        with self._db() as db:
            db.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,))

    def save_settings(self, conversation_id: str, settings: Mapping[str, Any]) -> None:
        self._update(conversation_id, "settings = ?", json.dumps(dict(settings)))

    def _update(
        self, conversation_id: str, assignment: str, value: str, touch: bool = True
    ) -> None:
        stamp = ", updated_at = ?" if touch else ""
        values = (value, timestamp(), conversation_id) if touch else (value, conversation_id)
        with self._db() as db:
            done = db.execute(f"UPDATE conversations SET {assignment}{stamp} WHERE id = ?", values)
        if done.rowcount == 0:
            raise NotFoundError(f"no conversation with id {conversation_id}")

    def append(self, conversation_id: str, message: Message) -> None:
        """Add a message at the end (positions never collide, even with two writers)."""
        with self._db() as db:
            db.execute("BEGIN IMMEDIATE")
            known = db.execute("SELECT 1 FROM conversations WHERE id = ?", (conversation_id,))
            if known.fetchone() is None:
                raise NotFoundError(f"no conversation with id {conversation_id}")
            db.execute(
                "INSERT INTO messages VALUES (?, ?, (SELECT coalesce(max(position), -1) + 1 "
                "FROM messages WHERE conversation_id = ?), ?, ?, ?, ?, ?, ?, ?)",
                message_row(conversation_id, message),
            )
            db.execute(
                "UPDATE conversations SET updated_at = ? WHERE id = ?",
                (timestamp(), conversation_id),
            )

    def messages(self, conversation_id: str) -> list[Message]:
        with self._db() as db:
            rows = db.execute(
                "SELECT * FROM messages WHERE conversation_id = ? ORDER BY position",
                (conversation_id,),
            ).fetchall()
        return [message_of(r) for r in rows]

    def rate(self, message_id: str, rating: str | None) -> None:
        if rating is not None and rating not in RATINGS:
            raise InputError(f"a rating is up or down, not {rating!r}")
        with self._db() as db:
            db.execute("UPDATE messages SET rating = ? WHERE id = ?", (rating, message_id))

    def record_feedback(self, entry: Mapping[str, Any]) -> str:
        """Append one rating of an answer to the feedback log; returns where it went."""
        path = self.path.with_name(FEEDBACK_FILE)
        line = json.dumps(dict(entry), ensure_ascii=False) + "\n"
        with _FEEDBACK_LOCK, path.open("a", encoding="utf-8") as out:
            out.write(line)
        return str(path)

    def feedback(self) -> list[dict[str, Any]]:
        """The feedback log, oldest first."""
        path = self.path.with_name(FEEDBACK_FILE)
        if not path.is_file():
            return []
        lines = path.read_text(encoding="utf-8").splitlines()
        return [entry for entry in map(_json, lines) if isinstance(entry, dict)]


_FEEDBACK_LOCK = threading.Lock()
