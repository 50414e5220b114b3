"""The `rag` command end to end: real processes for add and errors, CliRunner for the rest."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from rag.cli import cli
from rag.terminal import articles_table, byline, human_bytes, stats_lines

BIN = Path(sys.executable).parent


def _rag(data_dir: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run `python -m rag ARGS` in a fresh process with RAG_DATA_DIR set."""
    environ = {k: v for k, v in os.environ.items() if k != "RAG_PROGRESS"}
    environ.update({"RAG_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1", **env})
    return subprocess.run(
        [sys.executable, "-m", "rag", *args],
        env=environ,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _invoke(data_dir: Path, *args: str) -> object:
    result = CliRunner().invoke(cli, list(args), env={"RAG_DATA_DIR": str(data_dir)})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory, shipped_article: Path) -> dict:
    """One real `rag add --json` of the shipped article, a dated article and two bad files."""
    folder = tmp_path_factory.mktemp("inputs")
    (folder / "dated.md").write_text(
        "---\ntitle: Tram deal agreed\nsource: City Post\npublished_at: 2024-02-01\n"
        "url: https://example.com/tram\n---\nTram drivers agreed a pay deal. Services resume.\n"
    )
    (folder / "binary.txt").write_bytes(b"\x00\x01binary")
    (folder / "broken.jsonl").write_text("{nope\n")
    data_dir = tmp_path_factory.mktemp("data")
    done = _rag(data_dir, "add", "--json", str(shipped_article), str(folder))
    assert done.returncode == 0, done.stderr
    return {"data_dir": data_dir, "folder": folder, "report": json.loads(done.stdout)}


def test_add_json_shape(archive: dict) -> None:
    report, folder = archive["report"], archive["folder"]
    assert list(report) == [
        "added",
        "updated",
        "unchanged",
        "duplicate",
        "failed",
        "near_duplicate",
    ]
    assert len(report["added"]) == 2
    assert report["updated"] == report["unchanged"] == report["duplicate"] == []
    assert sorted(f["path"] for f in report["failed"]) == [
        str(folder / "binary.txt"),
        f"{folder / 'broken.jsonl'}:1",
    ]
    assert all(set(f) == {"path", "reason"} and f["reason"] for f in report["failed"])


def test_add_prepares_the_query_model_and_a_new_data_dir_says_so(
    archive: dict, tmp_path: Path
) -> None:
    models = archive["data_dir"] / "models"
    assert [p.suffix for p in models.iterdir()] == [".onnx"], "rag add made the query model"
    copy = tmp_path / "copied"
    shutil.copytree(archive["data_dir"], copy, ignore=shutil.ignore_patterns("models"))
    first = _rag(copy, "ask", "Who agreed a pay deal?", RAG_PROGRESS="1")
    assert first.returncode == 0, first.stderr
    assert "Preparing the query model (once per data dir" in first.stderr
    assert "preparing" in first.stderr and "2/2" in first.stderr, "a progress bar"
    assert "Query model ready." in first.stderr and "Tram drivers" in first.stdout
    again = _rag(copy, "ask", "Who agreed a pay deal?")
    assert again.returncode == 0 and "Preparing" not in again.stderr


def test_readd_is_unchanged_and_prints_a_summary(archive: dict, shipped_article: Path) -> None:
    done = _rag(archive["data_dir"], "add", str(shipped_article))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("added 0, updated 0, unchanged 1, duplicate 0, failed 0")


def test_list_json(archive: dict) -> None:
    rows = json.loads(_invoke(archive["data_dir"], "list", "--json").output)
    assert [set(r) for r in rows] == [
        {"id", "title", "source", "published_at", "url", "chunks", "story_id", "flagged"}
    ] * 2
    assert sorted(r["id"] for r in rows) == sorted(archive["report"]["added"])
    tram = next(r for r in rows if r["source"] == "City Post")
    assert tram["title"] == "Tram deal agreed" and tram["published_at"] == "2024-02-01"
    assert tram["url"] == "https://example.com/tram" and tram["chunks"] == 1
    plain = _invoke(archive["data_dir"], "list").output
    assert "Tram deal agreed" in plain and "2024-02-01" in plain


def test_show_json(archive: dict) -> None:
    rows = json.loads(_invoke(archive["data_dir"], "list", "--json").output)
    news = next(r for r in rows if r["source"] == "The News")
    shown = json.loads(_invoke(archive["data_dir"], "show", "--json", news["id"]).output)
    shown_keys = ("text", "story", "flagged_sentences")
    assert {k: v for k, v in shown.items() if k not in shown_keys} == news
    assert [m["id"] for m in shown["story"]] == [news["id"]], "its own story, one copy"
    assert shown["flagged_sentences"] == []
    assert shown["text"].endswith("have met the governor several times in a few days.")
    assert "Jessica Alba" not in shown["text"]
    plain = _invoke(archive["data_dir"], "show", news["id"]).output
    assert plain.startswith(f"id: {news['id']}\ntitle: {news['title']}\n")


def test_stats_json(archive: dict) -> None:
    stats = json.loads(_invoke(archive["data_dir"], "stats", "--json").output)
    assert set(stats) == {
        "articles",
        "chunks",
        "sources",
        "first_published",
        "last_published",
        "embed_model",
        "bytes",
        "no_source",
    }
    rows = json.loads(_invoke(archive["data_dir"], "list", "--json").output)
    assert stats["articles"] == 2 and stats["chunks"] == sum(r["chunks"] for r in rows)
    assert stats["sources"] == {"City Post": 1, "The News": 1}
    assert stats["first_published"] == stats["last_published"] == "2024-02-01"
    assert stats["embed_model"] == "all-MiniLM-L6-v2" and stats["bytes"] > 0
    assert stats["no_source"] == 0
    plain = _invoke(archive["data_dir"], "stats").output
    assert "(unknown)" not in plain and str(stats["bytes"]) not in plain
    assert re.search(r"^size on disk +\d+\.\d (kB|MB)$", plain, re.M), plain
    assert re.search(r"^outlets +City Post \(1\), The News \(1\)$", plain, re.M), plain


def test_stats_name_unknown_outlets_and_sizes_in_words() -> None:
    data = {
        "articles": 3,
        "chunks": 9,
        "sources": {"The News": 2},
        "no_source": 1,
        "first_published": "2024-01-02T00:00:00+00:00",
        "last_published": "2024-03-04",
        "embed_model": "all-MiniLM-L6-v2",
        "bytes": 91281230,
    }
    lines = dict(stats_lines(data))
    assert lines["outlets"] == "The News (2); 1 article with an unknown outlet"
    assert lines["size on disk"] == "91.3 MB"
    assert lines["published"] == "2024-01-02 to 2024-03-04"
    assert [human_bytes(n) for n in (512, 2048, 3 * 10**9)] == ["512 bytes", "2.0 kB", "3.0 GB"]
    assert byline(None, None) == "unknown outlet, undated"
    assert byline("The News", "2024-02-01T10:00:00") == "The News, 2024-02-01"


def test_list_is_a_table_with_a_header_that_fits_the_terminal(archive: dict) -> None:
    long_title = "A very long headline " * 8
    rows = [
        {"id": "abc", "title": long_title, "source": None, "published_at": None, "chunks": 3},
        {
            "id": "u-0123456789abcdef",
            "title": "Short",
            "source": "The News",
            "published_at": "2024-02-01",
            "chunks": 12,
        },
    ]
    from rich.console import Console

    console = Console(width=72, record=True, file=open(os.devnull, "w"))  # noqa: SIM115
    console.print(articles_table(rows, 72))
    lines = console.export_text().splitlines()
    assert lines[0].split() == ["Id", "Published", "Outlet", "Passages", "Title"]
    assert all(len(line) <= 72 for line in lines), lines
    assert lines[1].rstrip().endswith("…")
    assert "unknown outlet" in lines[1] and "undated" in lines[1]
    title_at = lines[0].index("Title")
    assert lines[1][title_at] == "A" and lines[2][title_at:].strip() == "Short", "columns line up"
    plain = _invoke(archive["data_dir"], "list").output.splitlines()
    assert plain[0].split() == ["Id", "Published", "Outlet", "Passages", "Title"]
    assert any("Tram deal agreed" in line and "2024-02-01" in line for line in plain)


def test_unknown_id_is_a_one_line_error(archive: dict) -> None:
    done = _rag(archive["data_dir"], "show", "no-such-id")
    assert done.returncode == 1
    assert done.stderr == "Error: no article with id no-such-id (see `rag list`)\n"
    assert done.stdout == ""


def test_removing_an_id_that_is_not_there_says_so_and_succeeds(archive: dict) -> None:
    done = _rag(archive["data_dir"], "remove", "no-such-id")
    assert done.returncode == 0
    assert done.stdout == "removed 0\n"
    assert done.stderr == "already gone (not in the archive; see `rag list`): no-such-id\n"


def test_bad_setting_is_a_one_line_error(tmp_path: Path) -> None:
    done = _rag(tmp_path, "stats", RAG_MAX_FILE_MB="lots")
    assert done.returncode == 1
    assert done.stderr.startswith("Error: RAG_MAX_FILE_MB='lots' is not a valid")
    assert "Traceback" not in done.stderr and done.stderr.count("\n") == 1


def test_add_fails_only_when_nothing_could_be_read(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_text("")
    done = _rag(tmp_path / "data", "add", "--json", str(tmp_path / "empty.txt"), "missing.md")
    assert done.returncode == 1
    report = json.loads(done.stdout)
    assert report["added"] == [] and len(report["failed"]) == 2
    assert "Traceback" not in done.stderr


def test_too_large_limit_is_a_setting(tmp_path: Path) -> None:
    (tmp_path / "big.txt").write_text("Big\n" + "A sentence of news. " * 200)
    done = _rag(tmp_path / "data", "add", str(tmp_path / "big.txt"), RAG_MAX_FILE_MB="0.001")
    assert done.returncode == 1
    assert "too large: 4,004 bytes > 1,000 bytes limit" in done.stdout and "failed 1" in done.stdout


def test_remove_round_trip(archive: dict) -> None:
    """Last in the module: it changes the shared archive."""
    rows = json.loads(_invoke(archive["data_dir"], "list", "--json").output)
    tram = next(r for r in rows if r["source"] == "City Post")
    removed = json.loads(_invoke(archive["data_dir"], "remove", "--json", tram["id"]).output)
    assert removed == {"removed": [tram["id"]], "missing": []}
    again = _invoke(archive["data_dir"], "remove", "--json", tram["id"])
    assert again.exit_code == 0, "the same remove, rerun, works"
    assert json.loads(again.output) == {"removed": [], "missing": [tram["id"]]}
    left = json.loads(_invoke(archive["data_dir"], "list", "--json").output)
    assert [r["id"] for r in left] == [r["id"] for r in rows if r["id"] != tram["id"]]
    stats = json.loads(_invoke(archive["data_dir"], "stats", "--json").output)
    assert stats["articles"] == 1 and stats["sources"] == {"The News": 1}


@pytest.mark.parametrize(
    "command", [[str(BIN / "rag"), "--help"], [sys.executable, "-m", "rag", "--help"]]
)
def test_help(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Usage: ")
    for name in ("add", "list", "show", "remove", "stats", "reindex"):
        assert f"  {name} " in done.stdout


def test_help_does_not_import_heavy_libraries() -> None:
    code = (
        "import sys; from click.testing import CliRunner; from rag.cli import cli;"
        "CliRunner().invoke(cli, ['--help']);"
        "heavy = ('torch', 'sentence_transformers', 'chromadb');"
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "[]"
