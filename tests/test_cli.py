"""The `rag` command end to end: real processes for add and errors, CliRunner for the rest."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from rag.cli import cli

BIN = Path(sys.executable).parent


def _rag(data_dir: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run `python -m rag ARGS` in a fresh process with RAG_DATA_DIR set."""
    environ = {**os.environ, "RAG_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1", **env}
    environ.pop("RAG_PROGRESS", None)
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
    assert list(report) == ["added", "updated", "unchanged", "duplicate", "failed"]
    assert len(report["added"]) == 2
    assert report["updated"] == report["unchanged"] == report["duplicate"] == []
    assert sorted(f["path"] for f in report["failed"]) == [
        str(folder / "binary.txt"),
        f"{folder / 'broken.jsonl'}:1",
    ]
    assert all(set(f) == {"path", "reason"} and f["reason"] for f in report["failed"])


def test_readd_is_unchanged_and_prints_a_summary(archive: dict, shipped_article: Path) -> None:
    done = _rag(archive["data_dir"], "add", str(shipped_article))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("added 0, updated 0, unchanged 1, duplicate 0, failed 0")


def test_list_json(archive: dict) -> None:
    rows = json.loads(_invoke(archive["data_dir"], "list", "--json").output)
    assert [set(r) for r in rows] == [
        {"id", "title", "source", "published_at", "url", "chunks", "flagged"}
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
    assert {k: v for k, v in shown.items() if k not in ("text", "flagged_sentences")} == news
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
    }
    rows = json.loads(_invoke(archive["data_dir"], "list", "--json").output)
    assert stats["articles"] == 2 and stats["chunks"] == sum(r["chunks"] for r in rows)
    assert stats["sources"] == {"City Post": 1, "The News": 1}
    assert stats["first_published"] == stats["last_published"] == "2024-02-01"
    assert stats["embed_model"] == "all-MiniLM-L6-v2" and stats["bytes"] > 0


@pytest.mark.parametrize("command", ["show", "remove"])
def test_unknown_id_is_a_one_line_error(archive: dict, command: str) -> None:
    done = _rag(archive["data_dir"], command, "no-such-id")
    assert done.returncode == 1
    assert done.stderr == "Error: no article with id no-such-id (see `rag list`)\n"
    assert done.stdout == ""


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
    assert "too large" in done.stdout and "failed 1" in done.stdout


def test_remove_round_trip(archive: dict) -> None:
    """Last in the module: it changes the shared archive."""
    rows = json.loads(_invoke(archive["data_dir"], "list", "--json").output)
    tram = next(r for r in rows if r["source"] == "City Post")
    removed = json.loads(_invoke(archive["data_dir"], "remove", "--json", tram["id"]).output)
    assert removed == {"removed": [tram["id"]]}
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
