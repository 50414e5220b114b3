"""A real Streamlit server on a free 127.0.0.1 port and a real Chromium driven by Playwright."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-output" / "browser"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@dataclass(frozen=True)
class Served:
    """A running app: its address and its data dir."""

    url: str
    data_dir: Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def app_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    env.update(
        RAG_DATA_DIR=str(data_dir),
        HF_HUB_OFFLINE="1",
        TOKENIZERS_PARALLELISM="false",
        ANONYMIZED_TELEMETRY="False",
    )
    return env


def wait_healthy(url: str, proc: subprocess.Popen[bytes], log: Path, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited early:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"streamlit not healthy after {seconds}s:\n{log.read_text()[-3000:]}")


def prepare_data_dir(data_dir: Path) -> None:
    """`rag add corpus` into `data_dir`, as `make run` does."""
    added = subprocess.run(
        [sys.executable, "-m", "rag", "add", str(ROOT / "corpus")],
        env=app_env(data_dir),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert added.returncode == 0, added.stderr


@dataclass
class Server:
    """A `streamlit run app.py` process from the repository root (so .streamlit/config.toml
    applies: no file-watcher flag is passed) on a free port."""

    data_dir: Path
    started: float = 0.0
    url: str = ""
    log: Path = Path()
    proc: subprocess.Popen[bytes] | None = None

    def start(self) -> Server:
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.log = self.data_dir.parent / f"streamlit-{port}.log"
        command = [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / "app.py"),
            "--server.address=127.0.0.1",
            f"--server.port={port}",
        ]
        self.started = time.monotonic()
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                command, cwd=ROOT, env=app_env(self.data_dir), stdout=out, stderr=out
            )
        return self

    def wait_healthy(self, seconds: float = 180) -> None:
        assert self.proc is not None
        wait_healthy(self.url, self.proc, self.log, seconds)

    def stop(self) -> None:
        if self.proc is None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=20)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """`rag add corpus` into a fresh data dir, then `streamlit run app.py` on a free port."""
    data_dir = tmp_path_factory.mktemp("browser-data")
    prepare_data_dir(data_dir)
    server = Server(data_dir).start()
    try:
        server.wait_healthy()
        yield Served(server.url, data_dir)
    finally:
        server.stop()


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium) -> Iterator[object]:
    """A fresh browser session (its own Streamlit session) with a desktop-sized window."""
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(120_000)
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture(scope="session")
def shots() -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS
