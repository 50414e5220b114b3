"""The bad-input corpus through a real `rag add` and through the Corpus page: every bad source
fails alone with its one-line reason, the good ones beside it are stored, and nothing already
stored changes. Plus the writer queue and a slow URL that never holds the writer lock."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from badinputs import GOOD, LIMIT_MB, URL_CASES, story, write_corpus, write_single_inputs
from hostile import Site, serve
from test_store import assert_consistent

from rag.embeddings import SentenceEmbedder
from rag.ingest import read_sources
from rag.lock import writer_lock
from rag.store import Store

ENV = {
    "RAG_MAX_FILE_MB": str(LIMIT_MB),
    "RAG_FETCH_DEADLINE": "2",
    "RAG_FETCH_TIMEOUT": "5",
    "RAG_ALLOW_PRIVATE_URLS": "1",  # the hostile site runs on 127.0.0.1
    "HF_HUB_OFFLINE": "1",
}


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    with serve() as served:
        yield served


def _env(data: Path, **env: str) -> dict[str, str]:
    environ = {**os.environ, **ENV, "RAG_DATA_DIR": str(data), **env}
    environ.pop("RAG_PROGRESS", None)
    return environ


def _rag(data: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "rag", *args],
        env=_env(data, **env),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@contextlib.contextmanager
def _lock_held(data: Path) -> Iterator[threading.Event]:
    """Another writer holds the archive's lock until the yielded event is set (or the block
    ends)."""
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with writer_lock(data, 1):
            holding.set()
            release.wait(60)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert holding.wait(10)
        yield release
    finally:
        release.set()
        holder.join(10)


def _seeded(embedder: SentenceEmbedder, root: Path) -> tuple[Path, dict]:
    """An archive holding two articles, and a snapshot of everything stored about them."""
    seeds = root / "seeds"
    seeds.mkdir()
    for topic in ("ferry", "school"):
        (seeds / f"{topic}.txt").write_text(f"{topic.title()} news\n{story(topic)}\n")
    data = root / "data"
    store = Store(data, embedder)
    store.add(read_sources([str(seeds)], 10**6))
    snapshot = _snapshot(store)
    store.close()
    return data, snapshot


def _snapshot(store: Store) -> dict:
    articles = store.catalog.articles()
    chunks = [
        (a.article_id, chunk_id, start, end)
        for a in articles
        for chunk_id, _, start, end in store.catalog.chunk_spans(a.article_id)
    ]
    return {
        "articles": {a.article_id: (a.content_hash, a.text) for a in articles},
        "chunks": sorted(chunks),
    }


def _unchanged(before: dict, store: Store) -> None:
    after = _snapshot(store)
    for article_id, stored in before["articles"].items():
        assert after["articles"][article_id] == stored
    assert set(before["chunks"]) <= set(after["chunks"])
    vectors = set(store.collection.get(ids=[c[1] for c in before["chunks"]], include=[])["ids"])
    assert vectors == {c[1] for c in before["chunks"]}


def _expected(root: Path, site: Site) -> dict[str, str | None]:
    expected = write_corpus(root / "corpus")
    expected |= write_single_inputs(root / "single")
    expected |= {site.url(path): outcome for path, outcome in URL_CASES.items()}
    return expected


def _inputs(root: Path, expected: dict[str, str | None]) -> list[str]:
    named = [o for o in expected if not o.startswith(str(root / "corpus"))]
    return [str(root / "corpus"), *named]


def _said(stderr: str) -> list[str]:
    """What stderr says besides the one-time note that the query model is being prepared."""
    progress = ("Preparing the query model", "Query model ready.")
    return [line for line in stderr.splitlines() if not line.startswith(progress)]


def _stored_origins(store: Store) -> set[str]:
    return {a.origin for a in store.catalog.articles()}


@pytest.mark.slow
def test_bad_inputs_through_rag_add(embedder: SentenceEmbedder, tmp_path: Path, site: Site):
    data, before = _seeded(embedder, tmp_path)
    expected = _expected(tmp_path, site)
    started = time.monotonic()
    done = _rag(data, "add", "--json", *_inputs(tmp_path, expected))
    took = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    assert _said(done.stderr) == [], "no warnings, no tracebacks"
    report = json.loads(done.stdout)
    failed = {f["path"]: f["reason"] for f in report["failed"]}
    bad = {origin: reason for origin, reason in expected.items() if reason is not GOOD}
    assert set(failed) == set(bad), set(failed) ^ set(bad)
    for origin, reason in bad.items():
        assert failed[origin].startswith(reason), (origin, failed[origin])
        assert "\n" not in failed[origin] and not failed[origin].startswith("unreadable: ")
    good = {origin for origin, reason in expected.items() if reason is GOOD}
    assert len(report["added"]) == len(good) and not report["updated"]
    assert took < 120, "the slow URL failed at its deadline"

    copy = data.with_name("after")  # opened fresh: this process never opened that path
    shutil.copytree(data, copy)
    store = Store(copy, embedder)
    assert _stored_origins(store) == good | {
        str(tmp_path / "seeds" / f) for f in ("ferry.txt", "school.txt")
    }
    _unchanged(before, store)
    assert_consistent(store)
    texts = {store.article(a)["title"]: store.article(a)["text"] for a in report["added"]}
    assert "\x1b" not in texts["Water plan"], "terminal escapes are not stored"
    assert texts["Tram plan"] == story("tram"), "UTF-16 without a BOM is read as text"
    store.close()

    again = _rag(data, "add", *_inputs(tmp_path, expected))
    assert again.returncode == 0 and _said(again.stderr) == []
    lines = again.stdout.splitlines()
    assert lines[0].startswith(f"added 0, updated 0, unchanged {len(good)}, duplicate 0, failed")
    assert all(line.startswith("  failed: ") for line in lines[1:])
    assert len(lines) == 1 + len(bad), "one line per failed source"
    assert "  failed: " + str(tmp_path / "corpus" / "bad\\nname.txt") + ": empty file" in lines


def test_a_slow_url_never_holds_the_writer_lock(
    embedder: SentenceEmbedder, tmp_path: Path, site: Site
) -> None:
    data, before = _seeded(embedder, tmp_path)
    gone = sorted(before["articles"])[0]
    env = {**os.environ, **ENV, "RAG_DATA_DIR": str(data), "RAG_FETCH_DEADLINE": "8"}
    started = time.monotonic()
    slow = subprocess.Popen(
        [sys.executable, "-m", "rag", "add", "--json", site.url("/slow")],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while "/slow" not in site.hits and time.monotonic() < deadline:
            time.sleep(0.05)
        assert "/slow" in site.hits, "the download started"
        removed = _rag(data, "remove", "--wait", "0", gone)  # fails at once if the lock is held
        assert removed.returncode == 0, removed.stderr
        assert removed.stdout == f"removed 1: {gone}\n"
        assert slow.poll() is None, "the slow download is still going"
        out, err = slow.communicate(timeout=120)
    finally:
        if slow.poll() is None:
            slow.kill()
    took = time.monotonic() - started
    assert slow.returncode == 1, err
    (failure,) = json.loads(out)["failed"]
    assert failure["reason"].startswith("too slow: not complete within 8 s")
    assert took < 8 + 60, took


def test_a_second_writer_queues_and_says_so(embedder: SentenceEmbedder, tmp_path: Path) -> None:
    data, _ = _seeded(embedder, tmp_path)
    folder = tmp_path / "new"
    folder.mkdir()
    (folder / "tram.txt").write_text("Tram news\n" + story("tram") + "\n")
    with _lock_held(data) as release:
        refused = _rag(data, "add", "--wait", "0", str(folder))
        assert refused.returncode == 1 and refused.stderr.count("\n") == 1
        assert refused.stderr.startswith("Error: another `rag add`, `remove` or `reindex` is")
        assert "did not finish within 0 s" in refused.stderr
        queued = subprocess.Popen(
            [sys.executable, "-m", "rag", "add", "--wait", "120", str(folder)],
            env=_env(data),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        said = queued.stderr.readline()  # the writer says it waits; then the holder lets go
        release.set()
        out, rest = queued.communicate(timeout=600)
    assert queued.returncode == 0, rest
    assert said.startswith("waiting for another writer to finish: ")
    assert "(up to 120 s; see --wait)" in said
    assert out.startswith("added 1, updated 0, unchanged 0, duplicate 0, failed 0")


# -- the Corpus page ----------------------------------------------------------------------------
APP_UPLOADS = [  # (file name in the corpus, mime type)
    ("random-bytes.txt", "text/plain"),
    ("deep.json", "application/json"),
    ("wrong-types.jsonl", "application/json"),
    ("yaml-bomb.md", "text/markdown"),
    ("bad-date.md", "text/markdown"),
    ("locked.pdf", "application/pdf"),
    ("truncated.pdf", "application/pdf"),
    ("huge.txt", "text/plain"),
    ("good-aes-empty-password.pdf", "application/pdf"),
    ("good-utf16-nobom.txt", "text/plain"),
]


def _corpus_page() -> None:
    from ui.corpus import render_corpus_page

    render_corpus_page()


def _submit(monkeypatch: pytest.MonkeyPatch, data: Path, uploads: list, urls: list[str], **env):
    from streamlit.testing.v1 import AppTest

    for name, value in {**ENV, "RAG_DATA_DIR": str(data), **env}.items():
        monkeypatch.setenv(name, value)
    page = AppTest.from_function(_corpus_page, default_timeout=240).run()
    assert not page.exception
    page.file_uploader[0].set_value(uploads)
    page.text_area[0].set_value("\n".join(urls))
    page.button[0].click().run()
    assert not page.exception, page.exception
    assert not page.get("progress"), "no progress bar is left behind"
    return page


@pytest.mark.slow
def test_bad_inputs_through_the_corpus_page(
    embedder: SentenceEmbedder, tmp_path: Path, site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    data, before = _seeded(embedder, tmp_path)
    corpus = tmp_path / "corpus"
    expected = write_corpus(corpus)
    uploads = [(name, (corpus / name).read_bytes(), kind) for name, kind in APP_UPLOADS]
    port = site.base.rsplit(":", 1)[1]
    private = [
        site.url("/page"),
        f"http://localhost:{port}/page",
        "http://10.0.0.1/news",
        "http://169.254.169.254/latest/meta-data/",
    ]
    page = _submit(monkeypatch, data, uploads, private, RAG_ALLOW_PRIVATE_URLS="0")
    assert not page.error
    summary = page.session_state["add_summary"]
    failures = dict(summary["failures"])
    for name, _ in APP_UPLOADS:
        reason = expected.get(str(corpus / name), "records")
        origin = f"upload:{name}"
        if reason is GOOD:
            assert origin not in failures
        elif reason != "records":
            assert failures[origin].startswith(reason), (origin, failures[origin])
    for number in range(1, 12):
        assert f"upload:wrong-types.jsonl:{number}" in failures
    assert all(failures[url].startswith("refused: ") for url in private)
    assert summary["counts"]["added"] == 2
    assert all("\n" not in reason for reason in failures.values())

    allowed = [
        site.url(path) for path in ("/slow", "/huge-streamed", "/loop-a", "/to-ftp", "/page")
    ]
    page = _submit(monkeypatch, data, [], allowed)
    failures = dict(page.session_state["add_summary"]["failures"])
    for url in allowed[:-1]:
        assert failures[url].startswith(URL_CASES[url.removeprefix(site.base)]), failures[url]
    assert page.session_state["add_summary"]["counts"]["added"] == 1
    store = Store(data, embedder)
    _unchanged(before, store)
    assert_consistent(store)
    store.close()


def test_the_corpus_page_queues_behind_another_writer(
    embedder: SentenceEmbedder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data, _ = _seeded(embedder, tmp_path)
    upload = [("tram.txt", f"Tram news\n{story('tram')}\n".encode(), "text/plain")]
    with _lock_held(data) as release:
        page = _submit(monkeypatch, data, upload, [], RAG_WRITE_WAIT="1")
        (error,) = [e.value for e in page.error]
        assert error.startswith("Nothing was added: another `rag add`, `remove` or `reindex`")
        threading.Timer(2.0, release.set).start()
        page = _submit(monkeypatch, data, upload, [], RAG_WRITE_WAIT="60")
    assert not page.error
    assert page.session_state["add_summary"]["counts"]["added"] == 1
