"""Answerer backends, picked by name in one registry (`RAG_ANSWERER`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rag.errors import ConfigError

if TYPE_CHECKING:
    from rag.answer import Answerer
    from rag.config import Settings
    from rag.store import Store


def _extractive(settings: Settings, store: Store) -> Answerer:
    from rag.extractive import ExtractiveAnswerer

    return ExtractiveAnswerer(store, settings.abstain_threshold, settings.answer_sentences)


ANSWERERS: dict[str, Callable[[Any, Any], Any]] = {
    "extractive": _extractive,
}


def make_answerer(name: str, settings: Settings, store: Store) -> Answerer:
    """The answerer registered under `name`; an unknown name lists the valid ones."""
    try:
        factory = ANSWERERS[name.strip().lower()]
    except KeyError:
        valid = ", ".join(sorted(ANSWERERS))
        raise ConfigError(f"unknown answerer {name!r}: choose one of {valid}") from None
    return factory(settings, store)
