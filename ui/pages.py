"""The app's pages for `st.navigation`; the Evaluate page joins when its module is present."""

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


def all_pages() -> list[Any]:
    """Chat (the default), Corpus and, when available, Evaluate."""
    pages = [chat_page(), corpus_page(), evaluate_page()]
    return [page for page in pages if page is not None]
