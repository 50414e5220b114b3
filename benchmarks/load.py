"""A newsroom under load, on loopback: several Streamlit servers and `rag add` writers on one
shared archive (a PostgreSQL catalog and a Chroma server of their own), with simulated askers
speaking Streamlit's websocket protocol (`benchmarks/chat_client.py`) for a fixed time.

Checks, at the end: no errors, every citation's quote exact at its offsets in the stored
article, catalog and vector counts consistent, and every app showing the new articles. Prints
requests served, p50/p95 latency and errors. Halfway through, another process runs `rag reindex`
(the apps must follow it to the new vectors without an error).

    python benchmarks/load.py [--apps 3] [--writers 2] [--askers 30] [--seconds 60]

`tests/test_load.py` runs a bounded version of the same in CI.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.chat_client import ChatClient  # noqa: E402

BBC = ROOT.parent / "shared" / "data" / "bbc" / "articles.jsonl"
QUESTIONS = [
    "What did Sattar demand?",
    "Who is the convener of MQM-P?",
    "What does the PSP want?",
    "Who is the governor of Sindh?",
    "What did MQM-P sources say about Sattar and Kamal?",
]


@dataclass
class LoadResult:
    """What a load run measured and found."""

    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    conversations: set[str] = field(default_factory=set)
    added: list[str] = field(default_factory=list)
    shown: dict[int, int] = field(default_factory=dict)  # app port -> articles it shows
    counts: dict[str, int] = field(default_factory=dict)
    quotes_checked: int = 0
    answers: int = 0  # answers that stated something (abstentions quote nothing)
    reindexed: int = 0  # chunks a `rag reindex` in the middle of the run re-embedded

    def summary(self) -> str:
        p50, p95 = percentiles(self.latencies)
        return (
            f"requests served {len(self.latencies)}, latency p50 {p50 * 1000:.0f} ms,"
            f" p95 {p95 * 1000:.0f} ms, errors {len(self.errors)}; {len(self.added)} articles"
            f" added by the writers meanwhile, a reindex of {self.reindexed} chunks,"
            f" {self.quotes_checked} quotes checked exact,"
            f" counts {self.counts}, articles shown by each app {sorted(self.shown.values())}"
        )


def percentiles(values: list[float]) -> tuple[float, float]:
    if not values:
        return 0.0, 0.0
    ordered = sorted(values)
    return statistics.median(ordered), ordered[round(0.95 * (len(ordered) - 1))]


def environment(data_dir: Path, database_url: str, chroma_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "RAG_DATA_DIR": str(data_dir),
        "RAG_DATABASE_URL": database_url,
        "RAG_CHROMA_URL": chroma_url,
        "HF_HUB_OFFLINE": "1",
        "TOKENIZERS_PARALLELISM": "false",
        "ANONYMIZED_TELEMETRY": "False",
        "PYTHONPATH": str(ROOT),
    }


def start_app(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    """`streamlit run app.py` on 127.0.0.1:`port`, as the README starts it."""
    from servers import STREAMLIT_RUN, command_of

    command = command_of(STREAMLIT_RUN, host="127.0.0.1", port=port)
    program = str(Path(sys.executable).with_name("streamlit"))
    return subprocess.Popen(
        [program, *command[1:]], env=env, cwd=ROOT, stdout=log.open("wb"), stderr=subprocess.STDOUT
    )


def wait_healthy(port: int, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2):
                return
        except OSError:
            time.sleep(0.25)
    raise RuntimeError(f"the app on port {port} did not become healthy")


def rag(env: dict[str, str], *args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "rag", *args, "--json"],
        env=env, capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"rag {args[0]} failed: {done.stderr.strip()[-500:]}")
    return json.loads(done.stdout)


def writer_batches(root: Path, writers: int, batches: int, per_batch: int) -> list[list[Path]]:
    """For each writer, files of BBC articles it adds one after another (read at run time)."""
    lines = BBC.read_text(encoding="utf-8").splitlines()
    plans: list[list[Path]] = []
    at = 0
    for w in range(writers):
        files = []
        for b in range(batches):
            path = root / f"writer{w}-batch{b}.jsonl"
            path.write_text("\n".join(lines[at : at + per_batch]) + "\n", encoding="utf-8")
            at += per_batch
            files.append(path)
        plans.append(files)
    return plans


def _articles_shown(port: int) -> int:
    client = ChatClient(port)
    try:
        page = client.open()
    finally:
        client.close()
    found = page.caption(r"(\d+) articles?\b")
    return int(found.group(1)) if found else -1


def run(
    database_url: str,
    chroma_url: str,
    apps: int = 3,
    writers: int = 2,
    askers: int = 30,
    seconds: float = 60.0,
    batches: int = 2,
    per_batch: int = 4,
    work: Path | None = None,
    reindex: bool = True,
) -> LoadResult:
    """The whole load run; returns what it measured (raises only when it cannot run)."""
    from servers import free_port

    work = work or Path(tempfile.mkdtemp(prefix="newsdesk-load-"))
    data = work / "data"
    env = environment(data, database_url, chroma_url)
    rag(env, "add", str(ROOT / "corpus"))  # the archive, and the query model, before the apps
    ports = [free_port() for _ in range(apps)]
    servers = [start_app(env, port, work / f"app-{port}.log") for port in ports]
    result = LoadResult()
    try:
        for port in ports:
            wait_healthy(port)
        _warm_up(ports)
        plans = writer_batches(work, writers, batches, per_batch)
        deadline = time.monotonic() + seconds
        threads = [
            threading.Thread(target=_ask_until, args=(ports[n % apps], n, deadline, result))
            for n in range(askers)
        ]
        threads += [threading.Thread(target=_write, args=(env, files, result)) for files in plans]
        if reindex:  # halfway through, another process re-embeds the whole archive
            threads.append(threading.Thread(target=_reindex, args=(env, seconds / 2, result)))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        _check(database_url, chroma_url, data, ports, result)
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=30)
    return result


def _warm_up(ports: list[int]) -> None:
    """One question per app before the clock starts: the figures are for warm servers (the
    first question loads the query model and the reader's language pipeline)."""
    threads = [threading.Thread(target=_ask_once, args=(port,)) for port in ports]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def _ask_once(port: int) -> None:
    client = ChatClient(port, timeout=300)
    client.ask(QUESTIONS[0], client.open())
    client.close()


def _ask_until(port: int, n: int, deadline: float, result: LoadResult) -> None:
    """One asker: a session on one app asking until the deadline (a new chat now and then)."""
    try:
        client = ChatClient(port)
        page = client.open()
        asked = 0
        while time.monotonic() < deadline:
            question = QUESTIONS[(n + asked) % len(QUESTIONS)]
            page, took = client.ask(question, page)
            asked += 1
            result.latencies.append(took)
            result.errors += [f"app {port}: {e}" for e in page.errors]
            if page.conversation:
                result.conversations.add(page.conversation)
        client.close()
    except Exception as exc:  # noqa: BLE001 - counted as an error of the run
        result.errors.append(f"asker {n} on app {port}: {type(exc).__name__}: {exc}")


def _write(env: dict[str, str], files: list[Path], result: LoadResult) -> None:
    try:
        for path in files:
            report = rag(env, "add", str(path))
            result.added += report["added"]
    except Exception as exc:  # noqa: BLE001
        result.errors.append(f"writer: {exc}")


def _reindex(env: dict[str, str], after: float, result: LoadResult) -> None:
    time.sleep(after)
    try:
        result.reindexed = rag(env, "reindex")["chunks"]
    except Exception as exc:  # noqa: BLE001
        result.errors.append(f"reindex: {exc}")


def _check(
    database_url: str, chroma_url: str, data: Path, ports: list[int], result: LoadResult
) -> None:
    """Quotes exact, counts consistent, every app showing the archive as it ends."""
    from rag.conversations import open_conversations
    from rag.store import Store

    store = Store(data, embedder=lambda: None, chroma_url=chroma_url, database_url=database_url)
    book = open_conversations(data, database_url)
    for conversation in sorted(result.conversations):
        for message in book.messages(conversation):
            if message.error:
                result.errors.append(f"conversation {conversation}: {message.error}")
            if message.answer is not None and not message.answer.abstained:
                result.answers += 1
            for citation in message.answer.citations if message.answer else []:
                text = store.article(citation.article_id)["text"]
                result.quotes_checked += 1
                if text[citation.start : citation.end] != citation.quote:
                    result.errors.append(f"quote not exact in {conversation}: {citation.quote}")
    chunk_ids = store.catalog.chunk_ids()
    vectors = set(store.collection.get(include=[])["ids"])
    result.counts = {
        "articles": store.count(),
        "chunks": len(chunk_ids),
        "vectors": len(vectors),
    }
    if chunk_ids != vectors or store.catalog.problems() or store.catalog.orphans():
        result.errors.append("catalog and vectors disagree at the end")
    deadline = time.monotonic() + 10  # "within a few seconds"
    for port in ports:
        shown = _articles_shown(port)
        while shown != result.counts["articles"] and time.monotonic() < deadline:
            time.sleep(0.5)
            shown = _articles_shown(port)
        result.shown[port] = shown
        if shown != result.counts["articles"]:
            result.errors.append(f"app {port} shows {shown} articles, not {result.counts}")
    store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apps", type=int, default=3)
    parser.add_argument("--writers", type=int, default=2)
    parser.add_argument("--askers", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args()
    from servers import start_chroma, start_postgres

    postgres, chroma = start_postgres(), start_chroma()
    try:
        url = postgres.create_database("load")
        started = time.monotonic()
        result = run(url, chroma.url, args.apps, args.writers, args.askers, args.seconds, 3, 5)
        print(
            f"{args.apps} apps, {args.writers} writers, {args.askers} askers for"
            f" {args.seconds:g} s (run took {time.monotonic() - started:.0f} s)"
        )
        print(result.summary())
        for error in result.errors[:20]:
            print(f"  error: {error}")
    finally:
        chroma.stop()
        postgres.stop()


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "tests"))
    main()
