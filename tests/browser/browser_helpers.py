"""What the browser tests share: a Streamlit server on a free port, and steps on a page
(open, wait for the run to settle, ask, screenshot)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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


# -- helpers ------------------------------------------------------------------------------------
def settle(page: Any, quiet: float = 0.6) -> None:
    """Wait until the script run is over (no 'running' indicator for `quiet` seconds)."""
    deadline, calm_since = time.monotonic() + 180, None
    while time.monotonic() < deadline:
        running = page.locator('[data-testid="stStatusWidget"]').count() > 0
        if running:
            calm_since = None
        elif calm_since is None:
            calm_since = time.monotonic()
        elif time.monotonic() - calm_since >= quiet:
            return
        time.sleep(0.1)
    raise AssertionError("the app kept running for 3 minutes")


def until(check: Callable[[], bool], seconds: float = 30) -> bool:
    """Whether `check()` comes true within `seconds` (a rerun may leave stale elements for a
    moment after the script run is over)."""
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def open_app(page: Any, served: Served, path: str = "") -> None:
    page.goto(f"{served.url}/{path}")
    page.get_by_test_id("stSidebarNav").wait_for()
    settle(page)


def ask(page: Any, question: str) -> Any:
    """Ask in the chat; returns the locator of the new answer's chat message."""
    messages = page.get_by_test_id("stChatMessage")
    before = messages.count()
    box = page.get_by_test_id("stChatInputTextArea")
    box.fill(question)
    box.press("Enter")
    answer = messages.nth(before + 1)
    answer.get_by_role("button", name="Save as test question").wait_for()
    settle(page)
    return answer


def open_cards(scope: Any) -> None:
    """Open every collapsed source card (they start as one line each)."""
    for card in scope.locator("details").all():
        if not card.evaluate("d => d.open"):
            card.locator("summary").click()
    scope.page.wait_for_timeout(300)


def shoot(page: Any, shots: Path, name: str) -> None:
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)


def marked_texts(scope: Any) -> list[str]:
    return [m.inner_text() for m in scope.locator("mark").all()]


def upload(page: Any, served: Served, name: str, text: str) -> Any:
    """Upload one file on the Corpus page; returns the summary alert."""
    open_app(page, served, "corpus")
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(
        files=[{"name": name, "mimeType": "text/markdown", "buffer": text.encode("utf-8")}]
    )
    page.get_by_text(name).first.wait_for()
    page.get_by_role("button", name="Add to archive").click()
    summary = page.get_by_text("chunks embedded)")
    summary.wait_for()
    settle(page)
    return summary


def select_first_row(page: Any, search: str, selected: str = "Remove 1 selected") -> None:
    """Filter the article table, then tick its first row (the grid is a canvas: click it) until
    the text that shows a selection (`selected`) is on the page."""
    box = page.get_by_placeholder("Title, outlet or id")
    box.fill(search)
    box.press("Enter")
    settle(page)
    # the table is re-created for the filter: wait until the one before it is gone
    tables = "document.querySelectorAll('[data-testid=stDataFrame]')"
    page.wait_for_function(f"() => {tables}.length == 1")
    picked = page.get_by_text(selected)
    for _ in range(3):  # on a loaded machine a click on a grid still being drawn can be lost
        bounds = page.get_by_test_id("stDataFrame").bounding_box()
        page.mouse.click(bounds["x"] + 17, bounds["y"] + 54)
        settle(page)
        if until(lambda: picked.count() > 0, 20):
            return
    raise AssertionError(f"no row of the table filtered by {search!r} could be selected")


def xss_flags(page: Any) -> list[Any]:
    """window.__xss in the page and in every frame (None when unset)."""
    return [frame.evaluate("() => window.__xss ?? null") for frame in page.frames]
