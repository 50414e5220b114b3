"""Which conversation a browser session has open, its URL (`?c=ID`), and the sidebar's list of
this browser's conversations (newest first) with open, rename and delete."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from typing import Any

import streamlit as st

from rag.conversations import Conversation, Conversations, new_id
from rag.errors import RagError
from ui.browser import OWNER_COOKIE, owner_cookie_script
from ui.render import escape_markdown, one_line

QUERY_KEY = "c"
LISTED = 30
CURRENT = "conversation"
DATE_KEYS = ("as_of", "since", "until")


def browser_owner() -> str:
    """This browser's id (a cookie), so its conversations are listed apart from others'."""
    state = st.session_state
    if "owner" not in state:
        cookie = str(st.context.cookies.get(OWNER_COOKIE, "") or "")
        known = re.fullmatch(r"[0-9a-f]{32}", cookie) is not None
        state["owner"] = cookie if known else new_id() + new_id()
        if not known:
            st.html(owner_cookie_script(state["owner"]), unsafe_allow_javascript=True)
    return str(state["owner"])


def current_conversation(
    book: Conversations, apply: Callable[[Mapping[str, Any]], None]
) -> Conversation | None:
    """The open conversation: on a session's first run the one named in the URL, later the
    one chosen in the sidebar. The URL always names it, so a reload or a link reopens it."""
    state = st.session_state
    if CURRENT not in state:
        state[CURRENT] = None
        wanted = st.query_params.get(QUERY_KEY)
        found = book.get(str(wanted)) if wanted else None
        if found is not None:
            open_conversation(found, apply)
        elif wanted:
            state["chat_notice"] = "That conversation no longer exists; this is a new one."
    found = book.get(state[CURRENT]) if state[CURRENT] else None
    if found is None:
        state[CURRENT] = None
        if QUERY_KEY in st.query_params:
            del st.query_params[QUERY_KEY]
    elif st.query_params.get(QUERY_KEY) != found.id:
        st.query_params[QUERY_KEY] = found.id
    return found


def open_conversation(found: Conversation, apply: Callable[[Mapping[str, Any]], None]) -> None:
    """Make `found` the open conversation, with the sidebar set as it was asked."""
    st.session_state[CURRENT] = found.id
    st.session_state.pop("confirm_delete", None)
    st.session_state.pop("chat_notice", None)
    apply(found.settings)


def start_conversation(book: Conversations, title: str, settings: Mapping[str, Any]) -> str:
    """A new conversation for this browser, now the open one; returns its id."""
    made = book.create(browser_owner(), title, settings)
    st.session_state[CURRENT] = made.id
    st.session_state.pop("chat_notice", None)
    st.query_params[QUERY_KEY] = made.id
    return made.id


def new_chat() -> None:
    st.session_state[CURRENT] = None
    st.session_state.pop("confirm_delete", None)
    st.session_state.pop("chat_notice", None)


def render_list(book: Conversations, apply: Callable[[Mapping[str, Any]], None]) -> None:
    """This browser's conversations, the most recent first; the open one stands out."""
    listed = book.list(browser_owner(), LISTED)
    if not listed:
        st.caption("Your conversations will be listed here.")
        return
    st.caption("Conversations")
    open_id = st.session_state.get(CURRENT)
    for item in listed:
        left, right = st.columns([6, 1], vertical_alignment="center", gap="small")
        left.button(
            escape_markdown(item.title),
            key=f"conv-{item.id}",
            type="secondary" if item.id == open_id else "tertiary",
            width="stretch",
            help=f"Last used {_when(item.updated_at)}",
            on_click=_open_by_id,
            args=(book, item.id, apply),
        )
        right.button(
            "",
            key=f"menu-{item.id}",
            icon=":material/edit:",
            type="tertiary",
            help="Rename or delete",
            on_click=_toggle_menu,
            args=(item.id,),
        )
        if st.session_state.get("confirm_delete") == item.id:
            _confirm_delete(book, item)
        elif st.session_state.get("menu") == item.id:
            _menu(book, item)


def _toggle_menu(conversation_id: str) -> None:
    state = st.session_state
    state["menu"] = None if state.get("menu") == conversation_id else conversation_id


def _open_by_id(book: Conversations, conversation_id: str, apply: Any) -> None:
    found = book.get(conversation_id)
    if found is not None:
        open_conversation(found, apply)


def _menu(book: Conversations, item: Conversation) -> None:
    key = f"title-{item.id}"
    with st.container(border=True):
        st.text_input("Title", value=item.title, key=key, max_chars=120)
        row = st.container(horizontal=True)
        row.button("Rename", key=f"rename-{item.id}", on_click=_rename, args=(book, item.id, key))
        row.button(
            "Delete",
            key=f"delete-{item.id}",
            icon=":material/delete:",
            on_click=lambda: st.session_state.update(confirm_delete=item.id, menu=None),
        )


def _rename(book: Conversations, conversation_id: str, key: str) -> None:
    try:
        book.rename(conversation_id, str(st.session_state.get(key) or ""))
        st.session_state["menu"] = None
    except RagError as exc:
        st.toast(f"Not renamed: {one_line(exc)}.", icon=":material/error:")


def _confirm_delete(book: Conversations, item: Conversation) -> None:
    with st.container(border=True):
        st.warning(f"Delete “{escape_markdown(item.title)}”? This cannot be undone.")
        row = st.container(horizontal=True)
        row.button(
            "Yes, delete",
            key=f"confirm-delete-{item.id}",
            type="primary",
            on_click=_delete,
            args=(book, item.id),
        )
        row.button(
            "Cancel",
            key=f"cancel-delete-{item.id}",
            on_click=lambda: st.session_state.pop("confirm_delete", None),
        )


def _delete(book: Conversations, conversation_id: str) -> None:
    st.session_state.pop("confirm_delete", None)
    book.delete(conversation_id)
    if st.session_state.get(CURRENT) == conversation_id:
        st.session_state[CURRENT] = None


def _when(stamp: str) -> str:
    try:
        moment = dt.datetime.fromisoformat(stamp)
    except ValueError:
        return "earlier"
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")
