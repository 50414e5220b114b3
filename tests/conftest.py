"""Shared fixtures: one real embedding model per test session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

# Property-based tests: bounded in CI (about 20 s for the whole fuzz suite on 2 cores), no
# example database written into the work tree; `HYPOTHESIS_PROFILE=thorough` hunts longer.
_QUIET = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
hypothesis_settings.register_profile(
    "ci", max_examples=200, deadline=None, database=None, suppress_health_check=_QUIET
)
hypothesis_settings.register_profile(
    "thorough", max_examples=5000, deadline=None, database=None, suppress_health_check=_QUIET
)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session")
def embedder():
    from rag.embeddings import SentenceEmbedder

    return SentenceEmbedder("all-MiniLM-L6-v2")


@pytest.fixture
def settings(tmp_path):
    """Default settings with a fresh data dir in tmp_path."""
    from rag.config import Settings

    return Settings(data_dir=tmp_path / "data")


@pytest.fixture
def store(embedder, settings):
    """A fresh Store (real Chroma and SQLite) in tmp_path, sharing the session's model."""
    from rag.store import Store

    built = Store(settings.data_dir, embedder)
    yield built
    built.close()


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The corpus shipped with the project (repo/corpus)."""
    return Path(__file__).resolve().parents[1] / "corpus"


@pytest.fixture(scope="session")
def shipped_article(corpus_dir: Path) -> Path:
    """The article the project started from (the Karachi MQM story, with its headline list)."""
    return corpus_dir / "tessori-mqm-unification.md"
