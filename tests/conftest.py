"""Shared fixtures: one real embedding model per test session."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


@pytest.fixture(scope="session")
def embedder():
    from rag.embeddings import SentenceEmbedder

    return SentenceEmbedder("all-MiniLM-L6-v2")
