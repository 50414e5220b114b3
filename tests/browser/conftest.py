"""A real Streamlit server on a free 127.0.0.1 port and a real Chromium driven by Playwright."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_helpers import CHROMIUM, CHROMIUM_ARGS, SHOTS, Served, Server, prepare_data_dir


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
