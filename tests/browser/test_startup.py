"""Start-up and set-up, each against a server of its own: the first page is usable before any
model loads (and its time is recorded), a new data dir says it is preparing the query model, the
server watches no files; the README's session and `rag list` are pictured as run."""

from __future__ import annotations

import html
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_helpers import ROOT, Server, app_env, prepare_data_dir, settle, shoot

pytestmark = pytest.mark.browser
USABLE = '[data-testid="stChatInputTextArea"]:not([disabled])'
HEAVY = ("libtorch", "sentence_transformers")


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir after `rag add corpus`, as `make run` leaves it."""
    data_dir = tmp_path_factory.mktemp("startup-data")
    prepare_data_dir(data_dir)
    return data_dir


@pytest.fixture
def tab(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(180_000)
    yield context.new_page()
    context.close()


def mapped(pid: int) -> str:
    """The shared libraries and files a process has mapped (what it has loaded)."""
    return Path(f"/proc/{pid}/maps").read_text(encoding="utf-8", errors="replace")


def inotify_fds(pid: int) -> int:
    found = 0
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            found += os.readlink(fd) == "anon_inode:inotify"
        except OSError:
            continue
    return found


def shoot_text(tab: Any, shots: Path, name: str, title: str, text: str) -> None:
    """A terminal transcript as a page, pictured in the browser."""
    tab.set_content(
        f"<html><body style='background:#111;color:#e5e5e5;margin:16px'><h3 style='font-family:"
        f"sans-serif'>{html.escape(title)}</h3><pre style='font-size:13px;white-space:pre-wrap'>"
        f"{html.escape(text)}</pre></body></html>"
    )
    tab.screenshot(path=str(shots / f"{name}.png"), full_page=True)


def test_item07_the_first_page_is_usable_before_any_model_loads(
    tab: Any, prepared: Path, shots: Path
) -> None:
    server = Server(prepared).start()
    try:
        server.wait_healthy()
        healthy = time.monotonic() - server.started
        tab.goto(f"{server.url}/chat")
        tab.locator(USABLE).wait_for()
        usable = time.monotonic() - server.started
        assert server.proc is not None
        loaded = mapped(server.proc.pid)
        assert not [name for name in HEAVY if name in loaded], "no torch for the first page"
        figures = f"healthy after {healthy:.2f} s, chat usable after {usable:.2f} s"
        (shots / "item-07-first-page-time.txt").write_text(figures + "\n", encoding="utf-8")
        print(figures)
        shoot(tab, shots, "item-07-first-page")
        assert usable < 30, figures  # the goal (<= 5 s) is checked by benchmarks/first_page.py
        box = tab.get_by_test_id("stChatInputTextArea")
        box.fill("What did Sattar demand?")
        box.press("Enter")
        tab.get_by_role("button", name="Save as test question").wait_for()
        settle(tab)
        assert not [name for name in HEAVY if name in mapped(server.proc.pid)], (
            "questions run on the ONNX query model, never on torch"
        )
    finally:
        server.stop()


def test_item08_a_new_data_dir_says_it_prepares_the_query_model(
    tab: Any, prepared: Path, tmp_path: Path, shots: Path
) -> None:
    fresh = tmp_path / "copied"
    shutil.copytree(prepared, fresh, ignore=shutil.ignore_patterns("models", "*.lock"))
    server = Server(fresh).start()
    try:
        server.wait_healthy()
        tab.goto(f"{server.url}/chat")
        box = tab.locator(USABLE)
        box.fill("What did Sattar demand?")
        box.press("Enter")
        tab.get_by_text("Preparing the query model").wait_for()
        answer = tab.get_by_test_id("stChatMessage").nth(1)
        done = answer.get_by_role("button", name="Save as test question")
        # its steps, unless a loaded machine delivers them and the answer in one batch
        tab.get_by_text(r"step").or_(done).first.wait_for()
        shoot(tab, shots, "item-08-preparing-the-query-model")
        done.wait_for()
        assert "restored as the party chief" in answer.inner_text()
        assert "Preparing the query model" not in tab.inner_text("body"), "gone once done"
        assert [p.suffix for p in (fresh / "models").iterdir()] == [".onnx"]
    finally:
        server.stop()


def test_item10_the_server_watches_no_files(tab: Any, prepared: Path, shots: Path) -> None:
    server = Server(prepared).start()
    try:
        server.wait_healthy()
        tab.goto(f"{server.url}/chat")
        tab.locator(USABLE).wait_for()
        assert server.proc is not None
        watches = inotify_fds(server.proc.pid)
        log = server.log.read_text(encoding="utf-8", errors="replace")
        assert watches == 0, f"{watches} inotify watchers: the file watcher is on"
        assert "Inotify" not in log and "Traceback" not in log
        config = (ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8")
        shoot_text(
            tab,
            shots,
            "item-10-no-file-watcher",
            f"streamlit run app.py (no flags): {watches} inotify watchers; its log:",
            log + "\n--- .streamlit/config.toml ---\n" + config,
        )
    finally:
        server.stop()


def test_item09_13_the_readme_session_and_the_article_table(
    tab: Any, tmp_path: Path, shots: Path
) -> None:
    sys.path.insert(0, str(ROOT / "tests"))
    from test_readme import matches, run_session

    results = run_session(tmp_path / "data")
    assert all(matches(expected, printed) for _, expected, printed in results)
    transcript = "".join(f"$ {command}\n{printed}" for command, _, printed in results)
    shoot_text(tab, shots, "item-09-readme-session", "The README's session, as run", transcript)
    listing = subprocess.run(
        [sys.executable, "-m", "rag", "list"],
        env={**app_env(tmp_path / "data"), "COLUMNS": "100"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert listing.returncode == 0, listing.stderr
    lines = listing.stdout.splitlines()
    assert lines[0].split() == ["Id", "Published", "Outlet", "Passages", "Title"]
    assert all(len(line) <= 100 for line in lines)
    shoot_text(tab, shots, "item-13-rag-list", "$ rag list (100 columns)", listing.stdout)
