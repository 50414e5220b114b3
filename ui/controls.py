"""The chat's sidebar settings: passages, answerer, dates and outlet, kept per conversation,
and the timings of the last answer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import streamlit as st

from rag.catalog import Filters
from ui.history import new_chat
from ui.render import plural

if TYPE_CHECKING:
    from rag.config import Settings
    from rag.conversations import Message

ALL_OUTLETS = "All outlets"
EARLIEST, LATEST = dt.date(1900, 1, 1), dt.date(2100, 12, 31)
WIDGETS = {"k": "chat-k", "backend": "chat-backend", "source": "chat-source"}
DATES = {"as_of": "chat-as_of", "since": "chat-since", "until": "chat-until"}


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

    def saved(self) -> dict[str, Any]:
        """What a conversation keeps, to set the sidebar again when it is reopened."""
        return {k: v for k, v in asdict(self).items() if k != "show_timings"}


def apply_settings(saved: Mapping[str, Any]) -> None:
    """Set the sidebar's widgets to a reopened conversation's settings."""
    state = st.session_state
    for name, key in WIDGETS.items():
        if saved.get(name) is not None:
            state[key] = int(saved[name]) if name == "k" else str(saved[name])
        elif name == "source":
            state[key] = ALL_OUTLETS
    for name, key in DATES.items():
        value = saved.get(name)
        try:
            state[key] = dt.date.fromisoformat(str(value)[:10]) if value else None
        except ValueError:
            state[key] = None


def sidebar(
    settings: Settings, stats: dict[str, Any], messages: list[Message]
) -> tuple[Controls, Any]:
    from rag.llms import ANSWERERS

    with st.sidebar:
        st.button("New chat", icon=":material/add_comment:", width="stretch", on_click=new_chat)
        listed = st.container()  # filled last, so a conversation started now is listed
        st.divider()
        names = list(ANSWERERS)
        state = st.session_state
        if "chat-backend" in state and state["chat-backend"] not in names:
            del state["chat-backend"]  # a reopened conversation's backend is gone
        default = names.index(settings.answerer) if settings.answerer in names else 0
        # persist_state="session": the values survive a visit to another page; a value set
        # from a reopened conversation wins over the defaults
        backend = st.selectbox(
            "Answerer",
            names,
            index=default if "chat-backend" not in state else 0,
            key="chat-backend",
            persist_state="session",
        )
        k = st.slider(
            "Passages to read",
            1,
            20,
            min(max(settings.k, 1), 20) if "chat-k" not in state else None,
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
        outlets = [ALL_OUTLETS, *sorted(stats["sources"])]
        if st.session_state.get("chat-source", ALL_OUTLETS) not in outlets:
            st.session_state["chat-source"] = ALL_OUTLETS  # its outlet was removed meanwhile
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
    ), listed


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
    answered = [m for m in messages if m.answer is not None]
    if not answered:
        st.caption("No answer yet.")
        return
    timings = answered[-1].answer.timings_ms  # type: ignore[union-attr]
    rows = [{"step": name, "ms": round(float(ms), 1)} for name, ms in timings.items()]
    st.dataframe(rows, hide_index=True, width="stretch")
