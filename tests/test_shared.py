"""The newsroom deployment: schema migrations upgrade archives in place, readers see other
processes' writes, writers queue on PostgreSQL's advisory lock, and `rag migrate` copies an
embedded archive into PostgreSQL and a Chroma server without re-embedding."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from test_store import STORIES, _md, _stories, assert_consistent

from rag.catalog import Filters
from rag.catalog_pg import MIGRATIONS as PG_STEPS
from rag.catalog_sqlite import SQLiteCatalog
from rag.ingest import read_sources
from rag.sqlite_schema import MIGRATIONS
from rag.store import Store

ROOT = Path(__file__).resolve().parents[1]


def _add(store: Store, *paths: Path):
    return store.add(read_sources([str(p) for p in paths], 10**6))


# -- migrations -------------------------------------------------------------------------------
def test_an_archive_of_the_first_schema_is_upgraded_in_place(embedder, tmp_path: Path) -> None:
    store = Store(tmp_path / "data", embedder)
    (kept,) = _add(store, _md(tmp_path / "in", "ferry", "Ferry", STORIES["ferry"])).added
    store.close()
    path = tmp_path / "data" / "articles.db"
    with sqlite3.connect(path) as db:  # back to what the first archives were: no versions
        db.execute("DELETE FROM meta WHERE key IN ('generation', 'archive')")
        db.execute("DROP INDEX articles_published")
        db.execute("PRAGMA user_version = 0")
    catalog = SQLiteCatalog(path)
    assert catalog._query("PRAGMA user_version")[0][0] == len(MIGRATIONS)
    assert catalog.generation() == 0 and len(catalog.get_meta("archive") or "") == 16
    assert [a.article_id for a in catalog.articles()] == [kept]
    catalog.close()
    again = Store(tmp_path / "data", embedder)
    assert again.article(kept)["text"] == STORIES["ferry"]
    assert again.catalog.generation() == 0
    _add(again, _md(tmp_path / "more", "zep", "Airship", "A zeppelin landed in the harbour."))
    assert again.catalog.generation() == 1, "a committed write moves the generation on"
    assert_consistent(again)


def test_processes_opening_a_new_database_together_migrate_it_once(servers) -> None:
    from rag.catalog_pg import PostgresCatalog

    url = servers[0].create_database("migrating_together")
    opened: list[PostgresCatalog] = []
    errors: list[BaseException] = []

    def open_one() -> None:
        try:
            opened.append(PostgresCatalog(url))
        except BaseException as exc:  # noqa: BLE001 - asserted below
            errors.append(exc)

    threads = [threading.Thread(target=open_one) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors and len(opened) == 4
    versions = opened[0]._query("SELECT component, version FROM schema_migrations")
    assert versions == [{"component": "catalog", "version": n + 1} for n in range(len(PG_STEPS))]
    assert len({c.get_meta("archive") for c in opened}) == 1
    for catalog in opened:
        catalog.close()


def test_a_postgresql_archive_of_the_first_schema_is_upgraded_in_place(
    embedder, tmp_path: Path, servers
) -> None:
    """Version 1 had no postings: the upgrade fills them from the chunks' tsvectors, and BM25
    ranks exactly as it did from the postings written by `put`."""
    url = servers[0].create_database("upgraded")
    store = Store(tmp_path, embedder, database_url=url)
    _add(store, _stories(tmp_path / "in"))
    question = "When did the island ferry resume sailing after the storms?"
    before = store.catalog.keyword_search(question, 10, Filters())
    with store.catalog._tx() as tx:  # back to version 1
        tx.execute("DROP TABLE postings")
        tx.execute("DELETE FROM schema_migrations WHERE version > 1")
    store.close()
    again = Store(tmp_path, embedder, database_url=url)
    version = again.catalog._query("SELECT max(version) AS v FROM schema_migrations")[0]["v"]
    assert version == len(PG_STEPS)
    after = again.catalog.keyword_search(question, 10, Filters())
    assert before and [c for c, _ in after] == [c for c, _ in before]
    assert [s for _, s in after] == pytest.approx([s for _, s in before], rel=1e-9)
    assert again.catalog.problems() == []
    _add(again, _md(tmp_path / "more", "zep", "Airship", "A zeppelin landed in the harbour."))
    assert_consistent(again)
    again.close()


def test_an_unreachable_database_is_a_one_line_error(tmp_path: Path) -> None:
    from servers import free_port

    url = f"postgresql://newsdesk:secret@127.0.0.1:{free_port()}/newsdesk"
    env = {**os.environ, "RAG_DATA_DIR": str(tmp_path), "RAG_DATABASE_URL": url}
    done = subprocess.run(
        [sys.executable, "-m", "rag", "stats"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith("Error: cannot reach the database postgresql://newsdesk:***@")
    assert "secret" not in done.stderr and len(done.stderr.strip().splitlines()) == 1


# -- readers and writers in several processes -------------------------------------------------
def test_a_reader_sees_another_writers_adds_removes_and_reindex(
    embedder, tmp_path: Path, backend
) -> None:
    """Two Stores on one archive, as two app processes would be: the reader's cached figures
    follow the writer's changes within a few seconds, and a reindex does not break it."""
    data = tmp_path / "data"
    writer = backend.store(data, embedder)
    _add(writer, _stories(tmp_path / "in"))
    reader = backend.store(data, embedder)
    vector = embedder.embed_query("When did the island ferry resume sailing?")
    assert reader.stats()["articles"] == len(STORIES)
    assert reader.dense_search(vector, 3, Filters())

    (airship,) = _add(
        writer, _md(tmp_path / "new", "zep", "Airship", "A zeppelin landed in the harbour.")
    ).added
    assert _within(5, lambda: reader.stats()["articles"] == len(STORIES) + 1)
    assert airship in {a["id"] for a in reader.list_articles()}
    writer.remove([airship])
    assert _within(5, lambda: reader.count() == len(STORIES))

    before = reader.vectors.name
    writer.reindex()
    assert writer.vectors.name != before and before not in writer.chroma.names()
    hits = reader.dense_search(vector, 3, Filters())  # its collection was dropped meanwhile
    assert hits and reader.vectors.name == writer.vectors.name
    assert set(reader.chunk_rows([c for c, _ in hits])) == {c for c, _ in hits}
    assert_consistent(reader)


def _within(seconds: float, check) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return bool(check())


def test_a_waiting_writer_names_the_one_holding_the_database_lock(
    embedder, tmp_path: Path, backend
) -> None:
    if not backend.shared:
        pytest.skip("the embedded archive's file lock is tested in test_store")
    first, second = backend.store(tmp_path, embedder), backend.store(tmp_path, embedder)
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with first.catalog.writer_lock(10, lambda *_: None):
            held.set()
            release.wait(30)

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        assert held.wait(30)
        assert f"pid {os.getpid()} on " in second.catalog.writer()
        noticed: list[tuple[float, float]] = []
        busy = f"another `rag add`.*pid {os.getpid()}"
        with (
            pytest.raises(Exception, match=busy),
            second.catalog.writer_lock(0.5, lambda *w: noticed.append(w)),
        ):
            pass
        assert noticed and noticed[0][1] == 0.5
    finally:
        release.set()
        thread.join(30)
    started = time.monotonic()
    with second.catalog.writer_lock(5, lambda *_: None):  # released: the next one gets it
        assert time.monotonic() - started < 1
        assert f"pid {os.getpid()} on " in second.catalog.writer()


# -- rag migrate ------------------------------------------------------------------------------
def _rag(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "rag", *args],
        env={**os.environ, **env, "HF_HUB_OFFLINE": "1"},
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.mark.slow
def test_rag_migrate_copies_an_embedded_archive_without_reembedding(
    embedder, tmp_path: Path, servers
) -> None:
    data = tmp_path / "data"
    embedded = Store(data, embedder)
    _add(embedded, ROOT / "corpus", _stories(tmp_path / "in"))
    embedded.reindex()  # the current collection is no longer the first one
    source_ids = sorted(embedded.catalog.chunk_ids())
    source_vectors = embedded.collection.get(ids=source_ids, include=["embeddings"])
    database = servers[0].create_database("migrated")
    env = {"RAG_DATA_DIR": str(data), "RAG_EMBED_MODEL": "no-such-model"}  # never loaded
    done = _rag(env, "migrate", "--to", database, "--chroma", servers[1].url, "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    expected = {"articles": len(STORIES) + 1, "chunks": len(source_ids), "vectors": len(source_ids)}
    assert report["source"] == report["target"] == expected and report["counts_match"]
    assert report["copied"] == len(STORIES) + 1 and report["unchanged"] == 0

    shared = Store(tmp_path / "elsewhere", embedder, servers[1].url, database_url=database)
    assert shared.catalog.chunk_ids() == set(source_ids)
    copied = shared.collection.get(ids=source_ids, include=["embeddings"])
    mine, theirs = _by_id(copied), _by_id(source_vectors)
    assert set(mine) == set(theirs)
    assert max(abs(mine[i] - theirs[i]).max() for i in mine) < 1e-6, "the stored vectors"
    assert shared.stats()["embed_model"] == "all-MiniLM-L6-v2"
    assert _stories_of(shared) == _stories_of(embedded) != {}, "stories copied with them"
    question = "Who is the convener of MQM-P?"
    ranked = shared.catalog.keyword_search(question, 10, Filters())
    expected_ranking = embedded.catalog.keyword_search(question, 10, Filters())
    assert [c for c, _ in ranked] == [c for c, _ in expected_ranking], "BM25 ranks alike"
    assert [s for _, s in ranked] == pytest.approx([s for _, s in expected_ranking])
    assert_consistent(shared)

    again = _rag(env, "migrate", "--to", database, "--chroma", servers[1].url)
    assert again.returncode == 0, again.stderr
    assert again.stdout.splitlines()[0] == (
        f"copied 0 articles (0 chunks and their vectors), {len(STORIES) + 1} already there"
    )
    assert again.stdout.splitlines()[-1] == "counts match"


def _stories_of(store: Store) -> dict[str, list[str]]:
    return {s["story_id"]: sorted(m["id"] for m in s["members"]) for s in store.list_stories()}


def _by_id(found: dict) -> dict[str, Any]:
    """Each vector as a float32 array (copied through the server's JSON: equal to the last
    bit or two)."""
    import numpy as np

    return {
        chunk_id: np.asarray(vector, dtype=np.float32)
        for chunk_id, vector in zip(found["ids"], found["embeddings"], strict=True)
    }


def test_migrate_keeps_local_vectors_without_a_chroma_server(
    embedder, tmp_path: Path, servers
) -> None:
    from rag.migrate import migrate

    data = tmp_path / "data"
    embedded = Store(data, embedder)
    _add(embedded, _stories(tmp_path / "in"))
    embedded.reindex()
    database = servers[0].create_database("migrated_local")
    target = Store(data, embedder, database_url=database)
    report = migrate(embedded, target)
    assert report.matches and len(report.copied) == len(STORIES)
    assert target.vectors.name == embedded.vectors.name == "newsdesk_chunks_1"
    assert target.chroma.names() == ["newsdesk_chunks_1"], "the source's vectors are kept"
    assert_consistent(target)
    assert_consistent(embedded)


def test_both_postgresql_rankings_rank_the_matching_chunks(store: Store, tmp_path: Path, backend):
    if not backend.shared:
        pytest.skip("PostgreSQL's rankings")
    _add(store, _stories(tmp_path / "in"))
    question = "When did the island ferry resume sailing after the storms?"
    bm25 = store.catalog.keyword_search(question, 10, Filters(as_of="2030-01-01"))
    store.catalog.ranking = "ts_rank"
    ts_rank = store.catalog.keyword_search(question, 10, Filters(as_of="2030-01-01"))
    assert bm25 and {c for c, _ in ts_rank} == {c for c, _ in bm25}
    assert ts_rank[0][0] == bm25[0][0] == store.catalog.chunk_spans(_ferry(store))[0][0]


def _ferry(store: Store) -> str:
    return next(a["id"] for a in store.list_articles() if a["title"] == "Ferry news")
