"""The same archive on the shared backend, for benchmarks: a PostgreSQL cluster and a Chroma
server of their own on 127.0.0.1 (`tests/servers.py`), filled by `rag migrate`'s code from an
embedded store (vectors copied, nothing re-embedded), stopped when the block ends."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))


@contextmanager
def shared_copy(store: Any, ranking: str = "bm25") -> Iterator[Any]:
    """A Store on PostgreSQL and a Chroma server holding what `store` holds (its data dir is
    shared for the query model only). `ranking` picks the PostgreSQL keyword ranking."""
    from servers import start_chroma, start_postgres

    from rag.migrate import migrate
    from rag.store import Store

    postgres, chroma = start_postgres(), start_chroma()
    try:
        url = postgres.create_database("benchmark")
        target = Store(store.data_dir, lambda: store.embedder, chroma.url, database_url=url)
        started = time.perf_counter()
        report = migrate(store, target)
        print(
            f"shared copy: {report.target} in {time.perf_counter() - started:.0f} s"
            f" (counts match: {report.matches})",
            file=sys.stderr,
        )
        target.catalog.ranking = ranking
        yield target
        target.close()
    finally:
        chroma.stop()
        postgres.stop()
