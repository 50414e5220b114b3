"""The Chat page: a conversation with the archive. Answers stream in, cite their sources, and
follow-up questions use the conversation so far."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

import streamlit as st

from rag.conversations import Conversation, Conversations, Message, title_of
from rag.errors import RagError
from ui.answer_view import render_answer, render_details, render_text
from ui.browser import STYLE, chat_script
from ui.controls import Controls, apply_settings, sidebar
from ui.history import (
    browser_owner,
    current_conversation,
    render_list,
    start_conversation,
)
from ui.render import escape_markdown, one_line, plural, text_html
from ui.resources import (
    FALLBACK_ANSWERER,
    assistant_for,
    conversation_store,
    open_archive,
    warm_up,
)

if TYPE_CHECKING:
    from rag.answer import Answer
    from rag.config import Settings
    from rag.store import Store


def render_chat_page() -> None:
    """The whole page; called by the app's navigation."""
    settings, store, stats = open_archive()
    try:
        _page(settings, store, stats)
    except RagError as exc:  # the conversations cannot be read or saved
        st.error(f"The conversation cannot be kept: {one_line(exc)}")


def _page(settings: Settings, store: Store, stats: dict[str, Any]) -> None:
    book = conversation_store(settings.data_dir, settings.database_url)
    browser_owner()
    st.html(STYLE)
    st.html(chat_script(), unsafe_allow_javascript=True)
    current = current_conversation(book, apply_settings)
    messages = book.messages(current.id) if current else []
    controls, listed = sidebar(settings, stats, messages)
    st.title("Newsdesk", anchor=False)
    st.caption("Ask about the news archive. Every answer quotes its sources, marked [1], [2], …")
    notice = st.session_state.get("chat_notice")  # shown until another chat is opened
    if notice:
        st.info(escape_markdown(notice), icon=":material/info:")
    if stats["articles"] == 0:
        _empty_corpus()
    else:
        _conversation(book, current, messages, controls, settings, store)
    with listed:
        render_list(book, apply_settings)
    warm_up(settings)


def _conversation(
    book: Conversations,
    current: Conversation | None,
    messages: list[Message],
    controls: Controls,
    settings: Settings,
    store: Store,
) -> None:
    """The messages so far, then the question box; a question is answered below them."""
    if controls.backend != FALLBACK_ANSWERER:  # the default one is built at the first question
        _, problem = assistant_for(settings, controls.backend)
        if problem:
            st.error(f"{problem}. Answering with the extractive answerer instead.")
    for message in messages:
        _render_message(message, store, settings, book)
    question = st.chat_input("Ask about the news…", max_chars=settings.max_question_chars)
    if question is not None and not question.strip():
        st.toast("Type a question first.", icon=":material/edit:")
    elif question:
        _turn(book, current, messages, question.strip(), controls, settings, store)


def _empty_corpus() -> None:
    from ui.pages import corpus_page

    st.info(
        "The archive is empty, so there is nothing to answer from yet. Add articles on the "
        "Corpus page (upload files or paste URLs), or from a terminal with `rag add PATH|URL` "
        "(for example `rag add corpus`).",
        icon=":material/inbox:",
    )
    st.page_link(corpus_page(), label="Add articles", icon=":material/upload_file:")
    st.chat_input("Add articles first…", disabled=True)


def _render_message(message: Message, store: Store, settings: Settings, book: Any) -> None:
    with st.chat_message(message.role):
        if message.role == "user":
            st.html(text_html(message.content, "nd-question"))
        elif message.error or message.answer is None:
            st.error(message.error or "This answer is missing.")
        else:
            render_answer(message, store, settings.data_dir, book)


def _history(messages: list[Message]) -> list[dict[str, str]]:
    """The turns a follow-up question is read with (failed answers and their questions left
    out)."""
    turns: list[dict[str, str]] = []
    for message in messages:
        if message.role == "assistant" and message.error:
            if turns and turns[-1]["role"] == "user":
                turns.pop()
            continue
        turns.append({"role": message.role, "content": message.content})
    return turns


def _turn(
    book: Conversations,
    current: Conversation | None,
    messages: list[Message],
    question: str,
    controls: Controls,
    settings: Settings,
    store: Store,
) -> None:
    """Ask one question: show it, say what is being done, stream the answer, then its sources;
    both are saved in the conversation (a new one for the first question)."""
    conversation_id = current.id if current else ""
    if not conversation_id:
        conversation_id = start_conversation(book, title_of(question), controls.saved())
    history = _history(messages)
    book.append(conversation_id, Message(role="user", content=question))
    with st.chat_message("user"):
        st.html(text_html(question, "nd-question"))
    context = {
        "backend": controls.backend,
        "as_of": controls.as_of,
        "filters": asdict(controls.filters()),
        "k": controls.k,
        "history": history,
    }
    message = Message(role="assistant", content="", context=context)
    with st.chat_message("assistant"):
        status_slot, text_slot = st.empty(), st.empty()
        status = status_slot.status("Searching the archive…", expanded=False, state="running")
        final = _answer(message, question, history, controls, settings, store, status, text_slot)
        status_slot.empty()
        if final is None:
            st.error(message.error)
        else:
            message.answer, message.content = final, final.text
            render_text(message, text_slot)
        book.append(conversation_id, message)
        if final is not None:
            render_details(message, store, settings.data_dir, book)
    book.save_settings(conversation_id, controls.saved())


def _answer(
    message: Message,
    question: str,
    history: list[dict[str, str]],
    controls: Controls,
    settings: Settings,
    store: Store,
    status: Any,
    text_slot: Any,
) -> Answer | None:
    """The Answer, streamed into `text_slot` while `status` names the step; None (and
    `message.error` set) when it fails."""
    final: list[Answer] = []
    try:
        _prepare_query_model(store, status)
        assistant, _ = assistant_for(settings, controls.backend)
        message.context["backend"] = assistant.settings.answerer
        pieces = assistant.stream(
            question, history, controls.as_of, controls.filters(), controls.k, _step(status)
        )
        text_slot.write_stream(_escaped(pieces, final, status))
    except RagError as exc:
        message.error = f"Error: {one_line(exc)}"
    except Exception as exc:  # an edge: never show a traceback in the chat
        message.error = f"Unexpected error: {type(exc).__name__}: {one_line(exc)}"
    if not message.error and not final:
        message.error = "Error: the answerer returned no answer"
    return None if message.error else final[-1]


def _step(status: Any) -> Callable[[str, int], None]:
    def update(name: str, count: int) -> None:
        if name == "reading":
            status.update(label=f"Reading {plural(count, 'passage')}…", state="running")
        else:
            status.update(label="Searching the archive…", state="running")

    return update


def _prepare_query_model(store: Store, status: Any) -> None:
    """The first question on a new data dir exports the query model (about 10 s): say so."""
    if store.embedder.query_model_ready():
        return
    status.update(
        label="Preparing the query model (once for this archive, about 10-20 s)…",
        expanded=True,
        state="running",
    )
    with status:
        bar = st.progress(0.0, text="Starting…")

    def step(text: str, done: int, total: int) -> None:
        bar.progress(done / total if total else 1.0, text=f"{text} (step {done} of {total})")

    store.embedder.prepare_query_model(step)
    bar.empty()
    status.update(label="Searching the archive…", expanded=False, state="running")


DRAFT_LABELS = {
    "drafting": ":gray[*Draft, not checked yet:*] ",
    "checking": "\n\n:gray[*Checking each claim against the passages…*]",
}
STATUS = {"drafting": "Writing a draft…", "checking": "Checking each claim…"}


def _escaped(pieces: Iterator[Any], final: list[Answer], status: Any) -> Iterator[str]:
    """Text pieces escaped for markdown, an LLM's draft labelled as unchecked (the checked
    answer replaces it); the final Answer is kept aside."""
    from rag.answer import Answer, Progress

    writing = False
    for piece in pieces:
        if isinstance(piece, Answer):
            final.append(piece)
            continue
        if isinstance(piece, Progress):
            status.update(label=STATUS.get(piece.step, "Writing the answer…"), state="running")
            writing = True
            yield DRAFT_LABELS.get(piece.step, "")
            continue
        if not writing:
            status.update(label="Writing the answer…", state="running")
            writing = True
        yield escape_markdown(piece)
