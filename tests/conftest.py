"""Shared fixtures: one real embedding model per test session, and the two backends every
store, retrieval, answer, crash and app test runs against: `embedded` (SQLite and Chroma in the
data dir) and `shared` (a real PostgreSQL cluster and a real `chroma run` server on 127.0.0.1,
started once per session, with a database of its own for each archive)."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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


class Backend:
    """Where an archive keeps its catalog and vectors: in its data dir (`embedded`), or in the
    session's PostgreSQL and Chroma servers (`shared`, one new database per data dir)."""

    def __init__(self, name: str, servers: Any = None) -> None:
        self.name = name
        self.servers = servers
        self._databases: dict[Path, str] = {}
        self._numbers = itertools.count(1)
        self._opened: list[Any] = []

    @property
    def shared(self) -> bool:
        return self.name == "shared"

    def urls(self, data_dir: Path) -> tuple[str, str]:
        """(RAG_DATABASE_URL, RAG_CHROMA_URL) of the archive in `data_dir`."""
        if not self.shared:
            return "", ""
        key = Path(data_dir).resolve()
        if key not in self._databases:
            postgres, _ = self.servers
            self._databases[key] = postgres.create_database(f"archive_{next(self._numbers)}")
        return self._databases[key], self.servers[1].url

    def env(self, data_dir: Path) -> dict[str, str]:
        """The environment of a `rag` process or app server on that archive."""
        database, chroma = self.urls(data_dir)
        env = {"RAG_DATA_DIR": str(data_dir)}
        return env | ({"RAG_DATABASE_URL": database, "RAG_CHROMA_URL": chroma} if database else {})

    def store(self, data_dir: Path, embedder: Any, **options: Any) -> Any:
        from rag.store import Store

        database, chroma = self.urls(data_dir)
        made = Store(data_dir, embedder, chroma_url=chroma, database_url=database, **options)
        self._opened.append(made)
        return made

    def close(self) -> None:
        """Close every store it opened (their database connections)."""
        for made in self._opened:
            made.close()
        self._opened.clear()

    def settings(self, data_dir: Path, **changes: Any) -> Any:
        from rag.config import Settings

        database, chroma = self.urls(data_dir)
        return Settings(data_dir=data_dir, database_url=database, chroma_url=chroma, **changes)


@pytest.fixture(scope="session")
def servers() -> Iterator[tuple[Any, Any]]:
    """A PostgreSQL cluster and a Chroma server on 127.0.0.1, for the whole session."""
    from servers import postgres_available, start_chroma, start_postgres

    if not postgres_available():
        pytest.fail("PostgreSQL is not installed: run `make test` (it installs `postgresql`)")
    postgres = start_postgres()
    try:
        chroma = start_chroma()
    except BaseException:
        postgres.stop()
        raise
    yield postgres, chroma
    chroma.stop()
    postgres.stop()


@pytest.fixture(scope="session", params=["embedded", "shared"])
def backend(request: pytest.FixtureRequest) -> Iterator[Backend]:
    """Each test that takes it runs twice: on the embedded and on the shared backend."""
    made = Backend(request.param)
    if request.param == "shared":
        made = Backend("shared", request.getfixturevalue("servers"))
    yield made
    made.close()


@pytest.fixture
def store(embedder, settings, backend: Backend):
    """A fresh Store in tmp_path (on each backend), sharing the session's model."""
    built = backend.store(settings.data_dir, embedder)
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
