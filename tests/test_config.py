"""Settings are checked once, at start-up: a bad value names its variable and what is allowed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from rag.config import RANGES, Settings
from rag.errors import ConfigError


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"RAG_CANDIDATES": "0"}, "RAG_CANDIDATES=0 is out of range: choose an integer from 1"),
        ({"RAG_EMBED_BATCH_SIZE": "0"}, "RAG_EMBED_BATCH_SIZE=0 is out of range: choose an"),
        ({"RAG_K": "-3"}, "RAG_K=-3 is out of range: choose an integer from 1 to 50"),
        ({"RAG_MAX_FILE_MB": "0"}, "RAG_MAX_FILE_MB=0 is out of range: choose a number above 0"),
        ({"RAG_MAX_FILE_MB": "nan"}, "RAG_MAX_FILE_MB=nan is not a finite number"),
        ({"RAG_FETCH_DEADLINE": "inf"}, "RAG_FETCH_DEADLINE=inf is not a finite number"),
        ({"RAG_ABSTAIN_THRESHOLD": "1.5"}, "RAG_ABSTAIN_THRESHOLD=1.5 is out of range"),
        ({"RAG_PORT": "70000"}, "RAG_PORT=70000 is out of range: choose an integer from 1 to"),
        ({"RAG_WRITE_WAIT": "-1"}, "RAG_WRITE_WAIT=-1 is out of range: choose a number from 0"),
        ({"RAG_K": "many"}, "RAG_K='many' is not a valid int"),
        ({"RAG_ALLOW_PRIVATE_URLS": "maybe"}, "RAG_ALLOW_PRIVATE_URLS='maybe' is not a valid"),
        ({"RAG_FUSION": "max"}, "RAG_FUSION='max': choose rrf or score"),
        ({"RAG_ANSWERER": "gpt"}, "RAG_ANSWERER='gpt': choose one of extractive, llamacpp"),
        ({"RAG_CHROMA_URL": "localhost:8000"}, "RAG_CHROMA_URL='localhost:8000' is not an http"),
        ({"RAG_LLM_BASE_URL": "ftp://x"}, "RAG_LLM_BASE_URL='ftp://x' is not an http(s) URL"),
        ({"RAG_DATABASE_URL": "sqlite:///x.db"}, "RAG_DATABASE_URL='sqlite:///x.db' is not a Post"),
        (
            {"RAG_DATABASE_URL": "mysql://newsdesk:s3cret@db:3306/n"},
            "RAG_DATABASE_URL='mysql://newsdesk:***@db:3306/n' is not a PostgreSQL URL",
        ),
        ({"RAG_DATA_DIR": "/etc/hostname"}, "RAG_DATA_DIR='/etc/hostname' is not a directory"),
        ({"RAG_DATA_DIR": "/etc/hostname/sub"}, "(/etc/hostname is a file)"),
    ],
)
def test_bad_settings_name_the_variable_and_the_range(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        Settings.from_env(env)
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_every_range_admits_its_default() -> None:
    defaults = Settings()
    for name, allowed in RANGES.items():
        value = getattr(defaults, name)
        assert value > allowed.low if allowed.above else value >= allowed.low, name
        assert value <= allowed.high, name


def test_limits_are_accepted(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {
            "RAG_DATA_DIR": str(tmp_path / "new" / "dir"),
            "RAG_CANDIDATES": "1000",
            "RAG_WRITE_WAIT": "0",
            "RAG_MAX_FILE_MB": "0.001",
            "RAG_ALLOW_PRIVATE_URLS": "yes",
            "RAG_CHROMA_URL": "http://127.0.0.1:8000",
        }
    )
    assert (settings.candidates, settings.write_wait) == (1000, 0)
    assert settings.allow_private_urls is True


@pytest.mark.parametrize(
    ("name", "value"),
    [("RAG_CANDIDATES", "0"), ("RAG_EMBED_BATCH_SIZE", "0"), ("RAG_DATA_DIR", "/etc/hostname")],
)
def test_the_cli_says_it_in_one_line(tmp_path: Path, name: str, value: str) -> None:
    env = {**os.environ, "RAG_DATA_DIR": str(tmp_path), name: value}
    done = subprocess.run(
        [sys.executable, "-m", "rag", "add", str(tmp_path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.startswith(f"Error: {name}=") and done.stderr.count("\n") == 1
    assert "unexpected" not in done.stderr and "Traceback" not in done.stderr
