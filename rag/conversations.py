"""Chat conversations kept in the data dir: each with its title, settings and messages (questions,
answers with their citations and short answer, errors, feedback), so a reload or a shared link
brings one back.

`Conversations` is the interface the app uses; `rag.conversations_sqlite.SQLiteConversations`
keeps them in `<data dir>/conversations.db` (and the feedback log in `<data dir>/feedback.jsonl`),
`rag.conversations_pg.PostgresConversations` in the shared PostgreSQL database. Answers are
stored as JSON and read back into `Answer` objects; fields an older or newer version does not
know are ignored, so stored answers stay readable.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from rag.errors import InputError

if TYPE_CHECKING:
    from rag.answer import Answer

FILE_NAME = "conversations.db"
TITLE_CHARS = 60
MAX_TITLE_CHARS = 120
RATINGS = frozenset({"up", "down"})


@dataclass(frozen=True)
class Conversation:
    """One conversation's header; its messages are read with `Conversations.messages`."""

    id: str
    title: str
    owner: str = ""
    settings: dict[str, Any] = field(default_factory=dict)
    created_at: str = ""
    updated_at: str = ""


@dataclass
class Message:
    """A question (role "user") or an answer (role "assistant"; `answer` or `error` is set).
    `context` holds what the answer was asked with (backend, as_of, filters, k, history)."""

    role: str
    content: str
    answer: Answer | None = None
    error: str | None = None
    context: dict[str, Any] = field(default_factory=dict)
    rating: str | None = None
    id: str = field(default_factory=lambda: new_id())
    created_at: str = ""


class Conversations(Protocol):
    """Where conversations live (SQLite here; other databases implement the same methods)."""

    def create(self, owner: str, title: str, settings: Mapping[str, Any]) -> Conversation: ...
    def get(self, conversation_id: str) -> Conversation | None: ...
    def list(self, owner: str, limit: int = 50) -> list[Conversation]: ...
    def rename(self, conversation_id: str, title: str) -> None: ...
    def delete(self, conversation_id: str) -> None: ...
    def save_settings(self, conversation_id: str, settings: Mapping[str, Any]) -> None: ...
    def append(self, conversation_id: str, message: Message) -> None: ...
    def messages(self, conversation_id: str) -> list[Message]: ...
    def rate(self, message_id: str, rating: str | None) -> None: ...
    def record_feedback(self, entry: Mapping[str, Any]) -> str: ...
    def feedback(self) -> list[dict[str, Any]]: ...


def new_id() -> str:
    """A random id of 16 hex digits: safe in a URL, a DOM id and a widget key."""
    return uuid.uuid4().hex[:16]


def title_of(question: str) -> str:
    """A conversation's title from its first question: one line, at most TITLE_CHARS."""
    text = " ".join(str(question).split())
    return text if len(text) <= TITLE_CHARS else text[: TITLE_CHARS - 1].rstrip() + "…"


def timestamp() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


def open_conversations(data_dir: Path, database_url: str = "") -> Conversations:
    """The conversations of the archive: in its PostgreSQL database when it has one, else in
    `data_dir`."""
    if database_url:
        from rag.conversations_pg import PostgresConversations

        return PostgresConversations(database_url)
    from rag.conversations_sqlite import SQLiteConversations

    return SQLiteConversations(Path(data_dir) / FILE_NAME)


def checked_title(title: str) -> str:
    text = " ".join(str(title).split())
    if not text:
        raise InputError("a conversation needs a title")
    return text[:MAX_TITLE_CHARS]


def conversation_of(row: Mapping[str, Any]) -> Conversation:
    settings = _json(row["settings"])
    return Conversation(
        id=row["id"],
        title=row["title"],
        owner=row["owner"],
        settings=settings if isinstance(settings, dict) else {},
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def message_row(conversation_id: str, message: Message) -> tuple[Any, ...]:
    """The values of a new `messages` row, in column order; the conversation id twice (the
    row's own, then the one the next position is counted in). Stamps the message's time."""
    message.created_at = message.created_at or timestamp()
    answer = json.dumps(message.answer.as_dict()) if message.answer is not None else None
    return (
        message.id,
        conversation_id,
        conversation_id,
        message.role,
        message.content,
        answer,
        message.error,
        json.dumps(message.context),
        message.rating,
        message.created_at,
    )


def message_of(row: Mapping[str, Any]) -> Message:
    answer, error = None, row["error"]
    if row["answer"]:
        try:
            answer = answer_from_dict(_json(row["answer"]))
        except (TypeError, ValueError, KeyError):
            error = error or "This answer was saved by another version and cannot be shown."
    context = _json(row["context"])
    return Message(
        role=row["role"],
        content=row["content"],
        answer=answer,
        error=error,
        context=context if isinstance(context, dict) else {},
        rating=row["rating"],
        id=row["id"],
        created_at=row["created_at"],
    )


def _json(text: str | None) -> Any:
    try:
        return json.loads(text or "null")
    except ValueError:
        return None


def answer_from_dict(data: Any) -> Answer:
    """An `Answer` from `Answer.as_dict()`; keys it does not have are ignored, so answers saved
    before or after a field was added still load (`short_answer` may be absent or None)."""
    from rag.answer import Answer, Citation, Claim, ShortAnswer
    from rag.retrieve import Passage

    if not isinstance(data, dict):
        raise ValueError("not an answer")
    values = _known(Answer, data)
    values["citations"] = [Citation(**_known(Citation, c)) for c in data.get("citations") or []]
    values["passages"] = [Passage(**_known(Passage, p)) for p in data.get("passages") or []]
    if "claims" in values:  # checked claims of an LLM answer; citations saved as a list
        values["claims"] = [_claim(Claim, c) for c in data.get("claims") or []]
    short = data.get("short_answer")
    if "short_answer" in values:
        values["short_answer"] = ShortAnswer(**_known(ShortAnswer, short)) if short else None
    return Answer(**values)


def _claim(cls: type, data: Any) -> Any:
    values = _known(cls, data)
    values["citations"] = tuple(values.get("citations") or ())
    return cls(**values)


def _known(cls: type, data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise ValueError(f"not a {cls.__name__}")
    names = {f.name for f in dataclasses.fields(cls)}
    return {k: v for k, v in data.items() if k in names}
