"""Steps the browser tests share: open a page, wait for the run to settle, ask, screenshot."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

Served = Any


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


def select_first_row(page: Any, search: str) -> None:
    """Filter the article table, then tick its first row (the grid is a canvas: click it)."""
    box = page.get_by_placeholder("Title, outlet or id")
    box.fill(search)
    box.press("Enter")
    settle(page)
    bounds = page.get_by_test_id("stDataFrame").bounding_box()
    page.mouse.click(bounds["x"] + 17, bounds["y"] + 54)
    settle(page)


def xss_flags(page: Any) -> list[Any]:
    """window.__xss in the page and in every frame (None when unset)."""
    return [frame.evaluate("() => window.__xss ?? null") for frame in page.frames]
