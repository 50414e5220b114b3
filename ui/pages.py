"""The app's pages for `st.navigation`, each at a URL of its own (/chat, /corpus, /evaluate);
the root URL opens the chat, keeping its query (so `/?c=ID` opens that conversation)."""

from __future__ import annotations

from typing import Any

import streamlit as st


def chat_page() -> Any:
    from ui.chat import render_chat_page

    return st.Page(render_chat_page, title="Chat", icon=":material/forum:", url_path="chat")


def corpus_page() -> Any:
    from ui.corpus import render_corpus_page

    return st.Page(
        render_corpus_page, title="Corpus", icon=":material/library_books:", url_path="corpus"
    )


def evaluate_page() -> Any | None:
    try:
        from ui.evaluate import render_evaluate_page
    except ImportError:
        return None
    return st.Page(
        render_evaluate_page, title="Evaluate", icon=":material/fact_check:", url_path="evaluate"
    )


def _to_chat() -> None:
    st.switch_page(chat_page(), query_params=st.query_params.to_dict())


def home_page() -> Any:
    """The root URL: not in the menu; it switches to /chat."""
    return st.Page(_to_chat, title="Newsdesk", url_path="home", default=True, visibility="hidden")


def all_pages() -> list[Any]:
    """Chat, Corpus and, when available, Evaluate; the hidden root page opens the chat."""
    pages = [home_page(), chat_page(), corpus_page(), evaluate_page()]
    return [page for page in pages if page is not None]
