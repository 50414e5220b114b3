"""Ingestion throughput: the real pipeline (`Store.add`) against a raw `model.encode` of the
same chunk texts with the same batch size, in one process; then an unchanged re-add.

Usage: python benchmarks/ingest.py [--limit N] [--parts P] [--data PATH.jsonl]
Goals: pipeline >= 0.9 of raw chunks/s; unchanged re-add < 5 s.

The corpus is split into P parts and the two are timed in turns, part by part (pipeline adds a
part, then raw encodes that part's chunk texts), so that load from other jobs on a shared
machine falls on both alike. Wall-clock and CPU-time rates are both printed.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "bbc" / "articles.jsonl"

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


def _split(data: Path, limit: int | None, parts: int, folder: Path) -> list[Path]:
    """The first `limit` records (all by default) written as `parts` files in `folder`."""
    lines = [line for line in data.read_text(encoding="utf-8").splitlines() if line.strip()]
    lines = lines[:limit] if limit else lines
    size = -(-len(lines) // parts)
    folder.mkdir(parents=True)
    paths = []
    for n, start in enumerate(range(0, len(lines), size)):
        path = folder / f"part-{n:02d}.jsonl"
        path.write_text("\n".join(lines[start : start + size]) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def _embed_texts(source: Path, added: set[str], embedder: Any, overlap: int) -> list[str]:
    """The texts the pipeline embedded (its added articles), rebuilt with the same functions."""
    from rag.chunk import chunk_article
    from rag.ingest import Article, read_sources

    texts: list[str] = []
    for item in read_sources([str(source)], max_bytes=10**9):
        if isinstance(item, Article) and item.article_id in added:
            added = added - {item.article_id}
            chunks = chunk_article(
                item.article_id,
                item.content_hash,
                item.title,
                item.text,
                embedder.count_tokens,
                embedder.max_tokens,
                overlap,
            )
            texts.extend(c.embed_text for c in chunks)
    return texts


def _cli_readd(source: Path, data_dir: Path) -> float:
    """Wall time of `rag add` of the unchanged corpus in a fresh process."""
    env = {**os.environ, "RAG_DATA_DIR": str(data_dir)}
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "rag", "add", "--json", str(source)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - start
    report = json.loads(done.stdout)
    if done.returncode or report["added"] or report["updated"]:
        raise SystemExit(f"unexpected re-add result: {done.returncode} {done.stderr[-300:]}")
    return elapsed


class Clock:
    """Accumulated wall time and CPU time (all threads of this process) of timed sections."""

    def __init__(self) -> None:
        self.wall = 0.0
        self.cpu = 0.0

    def __enter__(self) -> Clock:
        self._start = (time.perf_counter(), time.process_time())
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall += time.perf_counter() - self._start[0]
        self.cpu += time.process_time() - self._start[1]


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="only the first N articles")
    parser.add_argument("--parts", type=int, default=8, help="turns of pipeline and raw timing")
    parser.add_argument("--data", type=Path, default=DATA, help="a .jsonl of article records")
    args = parser.parse_args()

    from rag.config import Settings
    from rag.ingest import read_sources
    from rag.store import open_store

    with tempfile.TemporaryDirectory(prefix="rag-bench-") as tmp:
        work = Path(tmp)
        corpus = work / "corpus"
        parts = _split(args.data, args.limit, max(1, args.parts), corpus)
        settings = Settings.from_env().replace(data_dir=work / "data")
        store = open_store(settings)
        embedder = store.embedder
        embedder.encode(["warm up the model before timing"] * 4)  # loads (and may export) it
        embedder.model.encode(["warm up the bulk path too"] * 40)

        pipeline, raw = Clock(), Clock()
        added = duplicate = failed = chunks = 0
        for part in parts:
            with pipeline:
                report = store.add(read_sources([str(part)], max_bytes=10**9))
            added, chunks = added + len(report.added), chunks + report.chunks
            duplicate, failed = duplicate + len(report.duplicate), failed + len(report.failed)
            texts = _embed_texts(part, set(report.added), embedder, settings.chunk_overlap_tokens)
            assert len(texts) == report.chunks, (part, len(texts), report.chunks)
            with raw:
                embedder.model.encode(
                    texts,
                    batch_size=embedder.batch_size,
                    normalize_embeddings=True,
                    show_progress_bar=False,
                )

        with Clock() as readd:
            again = store.add(read_sources([str(corpus)], max_bytes=10**9))
        assert not again.added and not again.updated, again.as_dict()
        store.close()
        cli_s = _cli_readd(corpus, settings.data_dir)

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"articles           {added} added, {duplicate} duplicate, {failed} failed")
    print(
        f"chunks             {chunks} (encode batch {embedder.batch_size},"
        f" add batch {settings.add_batch_chunks}, {len(parts)} parts)"
    )
    for name, clock in (("pipeline", pipeline), ("raw encode", raw)):
        print(
            f"{name:<18} {clock.wall:8.1f} s  {chunks / clock.wall:7.1f} chunks/s wall,"
            f" {chunks / clock.cpu:7.1f} chunks/CPU-s"
        )
    print(
        f"ratio              {raw.wall / pipeline.wall:8.2f} wall, {raw.cpu / pipeline.cpu:.2f} CPU"
        "  (pipeline / raw chunks/s, goal >= 0.9)"
    )
    print(
        f"unchanged re-add   {readd.wall:8.2f} s in process, {cli_s:.2f} s `rag add` (goal < 5 s)"
    )
    print(f"peak memory        {peak_mb:8.0f} MB (max RSS)")


if __name__ == "__main__":
    main()
