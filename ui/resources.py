"""Objects shared by every browser session of one server process: settings, the store (model,
vectors, catalog), the conversations and one assistant per answerer backend, each built once."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

import streamlit as st

from rag.config import Settings
from rag.errors import RagError
from ui.render import one_line

if TYPE_CHECKING:
    from rag.assistant import Assistant
    from rag.conversations import Conversations
    from rag.store import Store

FALLBACK_ANSWERER = "extractive"
WARM_UP_DELAY = 3.0  # seconds


def load_settings() -> Settings:
    """Settings from the environment; a bad value stops the page with a one-line error."""
    try:
        return Settings.from_env()
    except RagError as exc:
        st.error(f"Configuration error: {one_line(exc)}")
        st.stop()
        raise  # pragma: no cover - st.stop() raises


@st.cache_resource(show_spinner="Opening the archive…")
def shared_store(settings: Settings) -> Store:
    """The store for these settings (once per process). Nothing heavy is loaded here: the
    query model loads in the background after the first page (`warm_up`), and the ingestion
    model only when articles are added."""
    from rag.store import open_store

    return open_store(settings)


@st.cache_resource(show_spinner=False)
def _warm_up_thread(settings: Settings) -> threading.Thread:
    thread = threading.Thread(
        target=_warm_up, args=(shared_store(settings), settings), name="newsdesk-warm-up"
    )
    thread.daemon = True
    thread.start()
    return thread


def warm_up(settings: Settings) -> None:
    """Once per process, after the first page is out: load what the first answer needs (the
    ONNX query model when it exists, Chroma, the answer chain, WordNet), so it does not wait."""
    _warm_up_thread(settings)


def _warm_up(store: Store, settings: Settings) -> None:
    time.sleep(WARM_UP_DELAY)  # let the browser draw the first page before the CPU is busy
    try:
        if store.embedder.query_model_ready():
            store.embedder.encode(["warm up"])
        store.collection.count()
        import rag.extractive  # noqa: F401 - the answer chain and the default answerer
        from rag.kinds import load

        load()  # WordNet, for typed questions ("Which sport ...?")
    except Exception:  # noqa: BLE001 - the first question reports any real problem itself
        return


@st.cache_resource(show_spinner=False)
def conversation_store(data_dir: Path, database_url: str = "") -> Conversations:
    """The archive's conversations (one per process): in its PostgreSQL database when it has
    one, else in the data dir."""
    from rag.conversations import open_conversations

    return open_conversations(data_dir, database_url)


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
    from rag.assistant import Assistant

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
