"""Time from server start to a usable chat page, on a prepared data dir (goal <= 5 s).

Prepares a data dir as `make run` does (`rag add corpus`), then, `--repeat` times, starts
`streamlit run app.py` and measures, in Chromium, when the chat's question box is enabled and the
sidebar is drawn. The baseline, measured in the same run and alternating with it, is a bare
Streamlit page holding only a title, a question box and a sidebar button: the time Streamlit
itself needs. Prints the medians and the ratio.

    python benchmarks/first_page.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
USABLE = '[data-testid="stChatInputTextArea"]:not([disabled])'
SIDEBAR = '[data-testid="stSidebar"] button:has-text("New chat")'
BARE = (
    "import streamlit as st\n"
    'st.sidebar.button("New chat")\n'
    'st.title("Bare")\n'
    'st.chat_input("Ask")\n'
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def environment(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    env.update(RAG_DATA_DIR=str(data_dir), HF_HUB_OFFLINE="1", PYTHONPATH=str(ROOT))
    return env


def prepare(data_dir: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "rag", "add", str(ROOT / "corpus")],
        env=environment(data_dir),
        check=True,
        capture_output=True,
        timeout=600,
    )


def start_to_usable(
    browser: object, script: Path, cwd: Path, data_dir: Path
) -> tuple[float, float]:
    """(seconds to a healthy server, seconds to a usable chat page), from the server's start."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    tab = browser.new_page()  # type: ignore[attr-defined]
    command = [sys.executable, "-m", "streamlit", "run", str(script), f"--server.port={port}"]
    command += ["--server.headless=true", "--server.fileWatcherType=none"]
    started = time.monotonic()
    proc = subprocess.Popen(
        command,
        cwd=cwd,
        env=environment(data_dir),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() - started > 120:
                    raise RuntimeError("the server did not start") from None
                time.sleep(0.02)
        healthy = time.monotonic() - started
        tab.goto(f"{url}/")
        tab.locator(USABLE).wait_for(timeout=120_000)
        tab.locator(SIDEBAR).first.wait_for(timeout=120_000)
        return healthy, time.monotonic() - started
    finally:
        tab.close()
        proc.terminate()
        proc.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="newsdesk-first-page-") as tmp:
        folder = Path(tmp)
        data_dir = folder / "data"
        prepare(data_dir)
        bare = folder / "bare.py"
        bare.write_text(BARE, encoding="utf-8")
        runs: dict[str, list[tuple[float, float]]] = {"newsdesk": [], "bare": []}
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
            )
            for _ in range(args.repeat):  # alternating, so load on the machine hits both alike
                runs["bare"].append(start_to_usable(browser, bare, folder, data_dir))
                runs["newsdesk"].append(start_to_usable(browser, ROOT / "app.py", ROOT, data_dir))
            browser.close()
    print(f"{'':34} {'healthy':>8} {'usable':>8}   (median of {args.repeat}, seconds)")
    medians = {}
    for name, label in (("bare", "bare Streamlit page (baseline)"), ("newsdesk", "Newsdesk chat")):
        healthy = statistics.median(h for h, _ in runs[name])
        usable = statistics.median(u for _, u in runs[name])
        medians[name] = usable
        print(f"{label:34} {healthy:8.2f} {usable:8.2f}")
    ratio = medians["newsdesk"] / medians["bare"]
    print(f"Newsdesk / baseline: {ratio:.2f}x; goal: usable <= 5 s from the server's start")
    print(f"every Newsdesk run: {', '.join(f'{u:.2f}' for _, u in runs['newsdesk'])} s")


if __name__ == "__main__":
    main()
