"""Conversations kept in SQLite: round trips of answers (citations, short answer), order,
listing per browser, rename, delete, ratings, and two writers at once."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
import threading
from pathlib import Path

import pytest

from rag.answer import Answer, Citation, Claim, ShortAnswer
from rag.conversations import Message, answer_from_dict, open_conversations, title_of
from rag.errors import InputError, NotFoundError
from rag.retrieve import Passage

TEXT = "Sattar wants to be restored as the party chief. The MQM-P said no."


def _answer(short: bool = True) -> Answer:
    passage = Passage(
        "a1:0",
        "a1",
        "Title",
        "The News",
        None,
        "https://x.test/a",
        0,
        len(TEXT),
        TEXT,
        0.9,
        dense_score=0.8,
    )
    citation = Citation.of(1, passage, TEXT[:47], 0, 47)
    return Answer(
        question="What did Sattar want?",
        text=f"{TEXT[:47]} [1]",
        abstained=False,
        citations=[citation],
        passages=[passage],
        timings_ms={"total": 12.5},
        short_answer=ShortAnswer("restored as the party chief", "a1", 19, 46, 0.8)
        if short
        else None,
    )


@pytest.fixture
def book(tmp_path: Path, backend):
    """The conversations of an archive in tmp_path, on each backend."""
    made = open_conversations(tmp_path, backend.urls(tmp_path)[0])
    yield made
    getattr(made, "close", lambda: None)()


def _execute(book, tmp_path: Path, sql: str) -> None:  # type: ignore[no-untyped-def]
    """Change the stored rows behind the book's back (as a damaged file or row would)."""
    if hasattr(book, "_pool"):
        with book._pool.connection() as db:
            db.execute(sql)
        return
    with sqlite3.connect(tmp_path / "conversations.db") as db:
        db.execute(sql)


def test_an_answer_comes_back_equal_with_its_citations_and_short_answer(
    book, tmp_path: Path
) -> None:
    made = book.create("me", title_of("What did Sattar want?"), {"k": 3})
    book.append(made.id, Message(role="user", content="What did Sattar want?"))
    book.append(made.id, Message(role="assistant", content="x", answer=_answer(), context={"k": 3}))
    question, reply = book.messages(made.id)
    assert (question.role, question.content, question.answer) == (
        "user",
        "What did Sattar want?",
        None,
    )
    assert (
        reply.answer == _answer()
        and reply.answer.short_answer.text == "restored as the party chief"
    )
    assert reply.context == {"k": 3} and book.get(made.id).settings == {"k": 3}


def test_answers_saved_without_or_with_unknown_fields_still_load() -> None:
    data = _answer(short=False).as_dict()
    del data["short_answer"]  # saved before the reader existed
    data["citations"][0]["new_field"] = 1  # saved by a newer version
    data["something_else"] = "ignored"
    loaded = answer_from_dict(json.loads(json.dumps(data)))
    assert loaded.short_answer is None and loaded.citations == _answer().citations


def test_checked_claims_load_as_claims() -> None:
    claims = [Claim("Sattar wants to lead.", True, (1,)), Claim("He quit.", False, (), "none")]
    answer = dataclasses.replace(_answer(), claims=claims)
    loaded = answer_from_dict(json.loads(json.dumps(answer.as_dict())))
    assert loaded.claims == claims and not loaded.claims[1].supported


def test_a_broken_stored_answer_is_an_error_message_not_a_crash(book, tmp_path: Path) -> None:
    made = book.create("me", "t", {})
    book.append(made.id, Message(role="assistant", content="x", answer=_answer()))
    _execute(book, tmp_path, "UPDATE messages SET answer = '{\"citations\": 5}'")
    (message,) = book.messages(made.id)
    assert message.answer is None and "cannot be shown" in message.error


def test_listing_is_per_owner_newest_first_and_rename_delete_work(book, tmp_path: Path) -> None:
    older = book.create("me", "older", {})
    newer = book.create("me", "newer", {})
    book.create("someone else", "theirs", {})
    assert [c.title for c in book.list("me")] == ["newer", "older"]
    book.append(older.id, Message(role="user", content="back to it"))
    assert [c.title for c in book.list("me")] == ["older", "newer"], "used last, listed first"
    book.rename(newer.id, "  renamed \n title ")
    assert book.get(newer.id).title == "renamed title"
    assert [c.title for c in book.list("me")] == ["older", "renamed title"], "kept its place"
    with pytest.raises(InputError):
        book.rename(newer.id, "   ")
    book.delete(older.id)
    assert book.get(older.id) is None and book.messages(older.id) == []
    with pytest.raises(NotFoundError):
        book.append(older.id, Message(role="user", content="gone"))


def test_ratings_are_kept_and_checked(book, tmp_path: Path) -> None:
    made = book.create("me", "t", {})
    reply = Message(role="assistant", content="x", answer=_answer())
    book.append(made.id, reply)
    book.rate(reply.id, "up")
    assert book.messages(made.id)[0].rating == "up"
    book.rate(reply.id, None)
    assert book.messages(made.id)[0].rating is None
    with pytest.raises(InputError):
        book.rate(reply.id, "sideways")


def test_two_writers_never_mix_or_collide(book, tmp_path: Path) -> None:
    first, second = book.create("a", "one", {}), book.create("b", "two", {})
    errors: list[BaseException] = []

    def write(conversation: str, label: str) -> None:
        try:
            for n in range(25):
                book.append(conversation, Message(role="user", content=f"{label}{n}"))
        except BaseException as exc:  # noqa: BLE001 - asserted below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(c.id, c.title)) for c in (first, second)]
    threads += [threading.Thread(target=write, args=(first.id, "extra"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    contents = [m.content for m in book.messages(first.id)]
    assert len(contents) == 50 and all(c.startswith(("one", "extra")) for c in contents)
    assert [m.content for m in book.messages(second.id)] == [f"two{n}" for n in range(25)]


def test_titles_come_from_the_first_question() -> None:
    assert title_of("  What   did\nSattar demand? ") == "What did Sattar demand?"
    long = title_of("word " * 40)
    assert len(long) == 60 and long.endswith("…")
