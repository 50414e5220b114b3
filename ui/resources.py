"""Objects shared by every browser session of one server process: settings, the store (model,
Chroma, SQLite) and one assistant per answerer backend, each built once."""

from __future__ import annotations

from typing import TYPE_CHECKING

import streamlit as st

from rag.config import Settings
from rag.errors import RagError
from ui.render import one_line

if TYPE_CHECKING:
    from rag.answer import Assistant
    from rag.store import Store

FALLBACK_ANSWERER = "extractive"


def load_settings() -> Settings:
    """Settings from the environment; a bad value stops the page with a one-line error."""
    try:
        return Settings.from_env()
    except RagError as exc:
        st.error(f"Configuration error: {one_line(exc)}")
        st.stop()
        raise  # pragma: no cover - st.stop() raises


@st.cache_resource(show_spinner="Loading the archive and the embedding model…")
def shared_store(settings: Settings) -> Store:
    """The store for these settings, with the embedding model loaded (once per process)."""
    from rag.store import open_store

    store = open_store(settings)
    store.embedder.encode(["warm up"])
    return store


def open_archive() -> tuple[Settings, Store, dict]:
    """Settings, the shared store and its stats; a store that cannot open stops the page
    with a one-line error."""
    settings = load_settings()
    try:
        store = shared_store(settings)
        return settings, store, store.stats()
    except (RagError, OSError) as exc:
        st.error(f"The archive cannot be opened: {one_line(exc)}")
        st.stop()
        raise  # pragma: no cover - st.stop() raises


@st.cache_resource(show_spinner="Starting the answerer…")
def _assistant(settings: Settings, name: str) -> Assistant:
    from rag.answer import Assistant

    return Assistant(shared_store(settings), settings.replace(answerer=name))


def assistant_for(settings: Settings, name: str) -> tuple[Assistant, str | None]:
    """The assistant answering with backend `name`, or the extractive one and the reason why not.

    Every backend shares the one store; a backend that fails to build is retried on the next
    run (failures are not cached), so starting an LLM server later is picked up.
    """
    try:
        return _assistant(settings, name), None
    except RagError as exc:
        problem = f"The {name} answerer is unavailable: {one_line(exc)}"
    return _assistant(settings, FALLBACK_ANSWERER), problem
