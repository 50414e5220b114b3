"""The Chat page: a conversation with the archive. Answers stream in, cite their sources, and
follow-up questions use the conversation so far."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import streamlit as st

from rag.catalog import Filters
from rag.errors import RagError
from ui.answer_view import Message, answer_body_html, render_answer, render_details
from ui.render import escape_markdown, one_line, plural, text_html
from ui.resources import assistant_for, open_archive

if TYPE_CHECKING:
    from rag.answer import Answer, Assistant
    from rag.config import Settings
    from rag.store import Store

ALL_OUTLETS = "All outlets"
EARLIEST, LATEST = dt.date(1900, 1, 1), dt.date(2100, 12, 31)


@dataclass(frozen=True)
class Controls:
    """What the sidebar asks for: how many passages, which articles, which backend."""

    k: int
    backend: str
    as_of: str | None = None
    since: str | None = None
    until: str | None = None
    source: str | None = None
    show_timings: bool = False

    def filters(self) -> Filters:
        return Filters(source=self.source, since=self.since, until=self.until)


def render_chat_page() -> None:
    """The whole page; called by the app's navigation."""
    settings, store, stats = open_archive()
    messages: list[Message] = st.session_state.setdefault("messages", [])
    controls = _sidebar(settings, stats, messages)
    st.title("Newsdesk", anchor=False)
    st.caption("Ask about the news archive. Every answer quotes its sources, marked [1], [2], …")
    if stats["articles"] == 0:
        _empty_corpus()
        return
    assistant, problem = assistant_for(settings, controls.backend)
    if problem:
        st.error(f"{problem}. Answering with the extractive answerer instead.")
    for message in messages:
        _render_message(message, store, settings)
    question = st.chat_input("Ask about the news…", max_chars=settings.max_question_chars)
    if question:
        _turn(assistant, question, controls, messages, settings)


def _sidebar(settings: Settings, stats: dict[str, Any], messages: list[Message]) -> Controls:
    from rag.llms import ANSWERERS

    with st.sidebar:
        if st.button("New chat", icon=":material/add_comment:", width="stretch"):
            messages.clear()
        names = list(ANSWERERS)
        default = names.index(settings.answerer) if settings.answerer in names else 0
        # persist_state="session": the values survive a visit to another page
        backend = st.selectbox(
            "Answerer", names, index=default, key="chat-backend", persist_state="session"
        )
        k = st.slider(
            "Passages to read",
            1,
            20,
            min(max(settings.k, 1), 20),
            key="chat-k",
            persist_state="session",
        )
        as_of = _date_input(
            st,
            "Answer as of",
            "chat-as_of",
            "Only articles published by this day; the nearest ones first.",
        )
        since_col, until_col = st.columns(2)
        since = _date_input(since_col, "From", "chat-since", "Published on or after this day.")
        until = _date_input(until_col, "Until", "chat-until", "Published on or before this day.")
        if since and until and since > until:
            st.warning("The date range is empty: 'From' is after 'Until'.")
        outlets = [ALL_OUTLETS, *sorted(s for s in stats["sources"] if s != "(unknown)")]
        if st.session_state.get("chat-source", ALL_OUTLETS) not in outlets:
            del st.session_state["chat-source"]  # its outlet was removed meanwhile
        source = st.selectbox("Outlet", outlets, key="chat-source", persist_state="session")
        show_timings = st.toggle(
            "Show timings of the last answer", key="chat-show_timings", persist_state="session"
        )
        if show_timings:
            _timings(messages)
        st.caption(f"{plural(stats['articles'], 'article')} · {plural(stats['chunks'], 'passage')}")
    return Controls(
        k=int(k),
        backend=str(backend),
        as_of=_iso(as_of),
        since=_iso(since),
        until=_iso(until),
        source=None if source == ALL_OUTLETS else str(source),
        show_timings=bool(show_timings),
    )


def _date_input(where: Any, label: str, key: str, help_text: str) -> dt.date | None:
    """An optional day (empty by default) whose value survives a visit to another page."""
    value = where.date_input(
        label,
        value=None,
        min_value=EARLIEST,
        max_value=LATEST,
        key=key,
        help=help_text,
        persist_state="session",
    )
    return value if isinstance(value, dt.date) else None


def _iso(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, dt.date) else None


def _timings(messages: list[Message]) -> None:
    answered = [m for m in messages if m.get("answer") is not None]
    if not answered:
        st.caption("No answer yet.")
        return
    timings = answered[-1]["answer"].timings_ms
    rows = [{"step": name, "ms": round(float(ms), 1)} for name, ms in timings.items()]
    st.dataframe(rows, hide_index=True, width="stretch")


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


def _render_message(message: Message, store: Store, settings: Settings) -> None:
    with st.chat_message(message["role"]):
        if message["role"] == "user":
            st.html(text_html(message["content"], "nd-question"))
        elif message.get("error"):
            st.error(message["error"])
        else:
            render_answer(message, store, settings.data_dir)


def _history(messages: list[Message]) -> list[dict[str, str]]:
    return [{"role": m["role"], "content": m["content"]} for m in messages if not m.get("error")]


def _turn(
    assistant: Assistant,
    question: str,
    controls: Controls,
    messages: list[Message],
    settings: Settings,
) -> None:
    """Ask one question: show it, stream the answer, then its sources; keep both in the chat."""
    history = _history(messages)
    messages.append({"id": uuid.uuid4().hex[:12], "role": "user", "content": question})
    with st.chat_message("user"):
        st.html(text_html(question, "nd-question"))
    message: Message = {
        "id": uuid.uuid4().hex[:12],
        "role": "assistant",
        "content": "",
        "answer": None,
        "backend": assistant.settings.answerer,
        "as_of": controls.as_of,
        "filters": asdict(controls.filters()),
        "history": history,
    }
    with st.chat_message("assistant"):
        final: list[Answer] = []
        pieces = assistant.stream(question, history, controls.as_of, controls.filters(), controls.k)
        slot = st.empty()
        try:
            with st.spinner("Searching the archive…"):
                slot.write_stream(_escaped(pieces, final))
        except RagError as exc:
            message["error"] = f"Error: {one_line(exc)}"
        except Exception as exc:  # an edge: never show a traceback in the chat
            message["error"] = f"Unexpected error: {type(exc).__name__}: {one_line(exc)}"
        if not message.get("error") and not final:
            message["error"] = "Error: the answerer returned no answer"
        if message.get("error"):
            st.error(message["error"])
        else:
            message["answer"] = final[-1]
            message["content"] = final[-1].text
            slot.html(answer_body_html(final[-1]))  # the checked answer replaces the draft
            render_details(message, assistant.store, settings.data_dir)
    messages.append(message)


DRAFT_LABELS = {
    "drafting": ":gray[*Draft, not checked yet:*] ",
    "checking": "\n\n:gray[*Checking each claim against the passages…*]",
}


def _escaped(pieces: Iterator[Any], final: list[Answer]) -> Iterator[str]:
    """Text pieces escaped for markdown, an LLM's draft labelled as such; the final Answer is
    kept aside."""
    from rag.answer import Answer, Progress

    for piece in pieces:
        if isinstance(piece, Answer):
            final.append(piece)
        elif isinstance(piece, Progress):
            yield DRAFT_LABELS.get(piece.step, "")
        else:
            yield escape_markdown(piece)
