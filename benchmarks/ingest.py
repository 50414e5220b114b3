"""Ingestion throughput: the real pipeline (`Store.add`) against a raw `model.encode` of the
same chunk texts with the same batch size, in one process; then an unchanged re-add.

Usage: python benchmarks/ingest.py [--limit N] [--data PATH.jsonl]
Goals: pipeline >= 0.9 of raw chunks/s; unchanged re-add < 5 s. Both wall-clock and CPU-time
rates are printed: on a machine shared with other jobs the CPU-time ratio is the steadier one.
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

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "bbc" / "articles.jsonl"

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


def _input(data: Path, limit: int | None, work: Path) -> Path:
    """The corpus file, or its first `limit` records copied into the temp dir."""
    if limit is None:
        return data
    lines = data.read_text(encoding="utf-8").splitlines()[:limit]
    path = work / f"first-{limit}.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _embed_texts(source: Path, added: set[str], embedder: object, overlap: int) -> list[str]:
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
                embedder.count_tokens,  # type: ignore[attr-defined]
                embedder.max_tokens,  # type: ignore[attr-defined]
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


def _clock() -> tuple[float, float]:
    """Wall time and CPU time of this process (all threads): CPU time is steadier on a
    machine shared with other work."""
    return time.perf_counter(), time.process_time()


def _since(start: tuple[float, float]) -> tuple[float, float]:
    wall, cpu = _clock()
    return wall - start[0], cpu - start[1]


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="only the first N articles")
    parser.add_argument("--data", type=Path, default=DATA, help="a .jsonl of article records")
    args = parser.parse_args()

    from rag.config import Settings
    from rag.ingest import read_sources
    from rag.store import open_store

    with tempfile.TemporaryDirectory(prefix="rag-bench-") as tmp:
        work = Path(tmp)
        source = _input(args.data, args.limit, work)
        settings = Settings.from_env().replace(data_dir=work / "data")
        store = open_store(settings)
        embedder = store.embedder
        embedder.encode(["warm up the model before timing"] * 4)  # loads (and may export) it
        embedder.model.encode(["warm up the bulk path too"] * 40)

        start = _clock()
        report = store.add(read_sources([str(source)], max_bytes=10**9))
        pipeline = _since(start)
        chunks = report.chunks

        texts = _embed_texts(source, set(report.added), embedder, settings.chunk_overlap_tokens)
        assert len(texts) == chunks, (len(texts), chunks)
        start = _clock()
        embedder.model.encode(
            texts,
            batch_size=embedder.batch_size,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        raw = _since(start)

        start = _clock()
        again = store.add(read_sources([str(source)], max_bytes=10**9))
        readd_s = _since(start)[0]
        assert not again.added and not again.updated, again.as_dict()
        store.close()
        cli_s = _cli_readd(source, settings.data_dir)

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"articles           {len(report.added)} added, {len(report.duplicate)} duplicate,"
        f" {len(report.failed)} failed"
    )
    print(
        f"chunks             {chunks} (encode batch {embedder.batch_size},"
        f" add batch {settings.add_batch_chunks})"
    )
    for name, (wall, cpu) in (("pipeline", pipeline), ("raw encode", raw)):
        print(
            f"{name:<18} {wall:8.1f} s  {chunks / wall:7.1f} chunks/s wall,"
            f" {chunks / cpu:7.1f} chunks/CPU-s"
        )
    print(
        f"ratio              {raw[0] / pipeline[0]:8.2f} wall, {raw[1] / pipeline[1]:.2f} CPU"
        "  (pipeline / raw chunks/s, goal >= 0.9)"
    )
    print(f"unchanged re-add   {readd_s:8.2f} s in process, {cli_s:.2f} s `rag add` (goal < 5 s)")
    print(f"peak memory        {peak_mb:8.0f} MB (max RSS)")


if __name__ == "__main__":
    main()
