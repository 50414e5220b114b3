"""kill -9 at each write point of add, remove and reindex: the archive stays consistent, readers
see only committed articles, and running the same command again completes it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from test_store import _md, assert_consistent

from rag.catalog import Filters
from rag.embeddings import SentenceEmbedder
from rag.ingest import read_sources
from rag.store import Store

RUNNER = Path(__file__).with_name("crash_at.py")
OLD = "The old pier opened in 1932. Fishing boats moored there every night until the storm."
NEW = "The new pier opens in 2030. It will be twice as long and lit all night for ferries."
TRAM = "Tram drivers agreed a pay deal. Services resume on Monday."
OTHERS = {
    "school": "A new school opened in the valley town. Pupils planted an oak tree at the gate.",
    "market": "The farmers market moved to the old station hall. Stall rents stayed the same.",
}


def _archive(embedder: SentenceEmbedder, root: Path, backend) -> tuple[Path, Path]:
    """An archive with a pier story and two others, and a folder with the pier story changed
    and a new tram story: adding it replaces vectors and adds new ones."""
    first, later = root / "first", root / "later"
    _md(first, "pier", "Pier", OLD, url="https://example.com/pier")
    for name, body in OTHERS.items():
        _md(first, name, name.title(), body, url=f"https://example.com/{name}")
    _md(later, "pier", "Pier", NEW, url="https://example.com/pier")
    _md(later, "tram", "Tram", TRAM)
    data = root / "data"
    store = backend.store(data, embedder)
    store.add(read_sources([str(first)], 10**6))
    store.close()
    return data, later


def _crash(backend, data: Path, point: str, *args: str) -> None:
    env = {**os.environ, **backend.env(data), "HF_HUB_OFFLINE": "1"}
    done = subprocess.run(
        [sys.executable, str(RUNNER), point, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == -9, f"{point} was never reached: {done.stdout}{done.stderr}"


def _reopen(backend, data: Path, embedder: SentenceEmbedder) -> Store:
    """The crashed archive, opened fresh (embedded: a copy, a path this process never opened;
    shared: the same databases, as another machine would)."""
    if backend.shared:
        return backend.store(data, embedder)
    copy = data.with_name(data.name + "-after")
    shutil.copytree(data, copy)
    return Store(copy, embedder)


def _texts(store: Store) -> dict[str, str]:
    return {a["title"]: store.article(a["id"])["text"] for a in store.list_articles()}


def _search_hits_are_committed(store: Store) -> None:
    vector = store.embedder.embed_query("When does the pier open?")
    hits = store.dense_search(vector, 10, Filters())
    committed = store.chunk_rows([chunk_id for chunk_id, _ in hits])
    assert committed, "the archive still answers"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("point", "committed"),
    [
        ("add:journaled", False),
        ("add:vectors-written", False),
        ("add:committed", True),
        ("add:old-vectors-deleted", True),
    ],
)
def test_kill_during_add(
    embedder: SentenceEmbedder, tmp_path: Path, point: str, committed: bool, backend
) -> None:
    data, later = _archive(embedder, tmp_path, backend)
    _crash(backend, data, point, "add", str(later))
    store = _reopen(backend, data, embedder)
    texts = _texts(store)
    assert texts["Pier"] == (NEW if committed else OLD), "one version, never a mix"
    assert ("Tram" in texts) is committed
    _search_hits_are_committed(store)
    store.repair()
    assert_consistent(store)
    again = store.add(read_sources([str(later)], 10**6))  # the same command, run again
    done = {"unchanged": 2} if committed else {"updated": 1, "added": 1}
    assert {k: len(v) for k, v in again.as_dict().items() if v} == done
    assert _texts(store) == {"Pier": NEW, "Tram": TRAM} | {n.title(): b for n, b in OTHERS.items()}
    assert_consistent(store)


@pytest.mark.slow
@pytest.mark.parametrize("point", ["remove:committed", "remove:vectors-deleted"])
def test_kill_during_remove(
    embedder: SentenceEmbedder, tmp_path: Path, point: str, backend
) -> None:
    data, _ = _archive(embedder, tmp_path, backend)
    first = backend.store(data, embedder)
    ids = {a["title"]: a["id"] for a in first.list_articles()}
    first.close()
    pier, school = ids["Pier"], ids["School"]
    _crash(backend, data, point, "remove", pier, school)
    store = _reopen(backend, data, embedder)
    assert set(_texts(store)) == {"School", "Market"}, "the first removal was committed alone"
    _search_hits_are_committed(store)
    store.repair()
    assert_consistent(store)
    again = store.remove([pier, school])
    assert again.as_dict() == {"removed": [school], "missing": [pier]}
    assert set(_texts(store)) == {"Market"}
    assert_consistent(store)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("point", "switched"), [("reindex:vectors-written", False), ("reindex:committed", True)]
)
def test_kill_during_reindex(
    embedder: SentenceEmbedder, tmp_path: Path, point: str, switched: bool, backend
) -> None:
    data, _ = _archive(embedder, tmp_path, backend)
    _crash(backend, data, point, "reindex")
    store = _reopen(backend, data, embedder)
    assert len(store.chroma.names()) == 2, "the crash left both collections"
    assert (store.vectors.name == "newsdesk_chunks_1") is switched
    assert_consistent(store)
    _search_hits_are_committed(store)
    store.repair()
    assert store.chroma.names() == [store.vectors.name], "the other collection is dropped"
    assert_consistent(store)
    result = store.reindex()
    assert result["articles"] == 3 and store.chroma.names() == [store.vectors.name]
    assert set(_texts(store)) == {"Pier", "School", "Market"}
    assert_consistent(store)
