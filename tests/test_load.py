"""A bounded load test on loopback: 3 Streamlit servers and 2 `rag add` writers on one shared
archive (PostgreSQL and a Chroma server), simulated askers speaking Streamlit's own protocol.
`python benchmarks/load.py` runs the full size (30 askers for 60 s) and prints its figures."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.load import BBC, run


@pytest.mark.slow
def test_three_apps_and_two_writers_share_one_archive(servers, tmp_path: Path) -> None:
    assert BBC.is_file(), "the BBC articles are read from ../shared/data at run time"
    postgres, chroma = servers
    result = run(
        postgres.create_database("load_test"),
        chroma.url,
        apps=3,
        writers=2,
        askers=6,
        seconds=20,
        batches=2,
        per_batch=3,
        work=tmp_path,
    )
    print(result.summary())
    assert result.errors == []
    assert len(result.latencies) >= 6, "every asker was served"
    assert result.answers > 0 and result.quotes_checked >= result.answers, "answers cite quotes"
    assert len(result.added) == 2 * 2 * 3, "both writers added all their articles"
    assert result.reindexed > 0, "a reindex ran in the middle, and no app failed"
    counts = result.counts
    assert counts["articles"] == 1 + len(result.added)
    assert counts["chunks"] == counts["vectors"] > counts["articles"]
    assert set(result.shown.values()) == {counts["articles"]}, "each app sees the new articles"
