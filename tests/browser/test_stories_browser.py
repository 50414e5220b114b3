"""Stories in a real Chromium: a source card says where else the story ran ("Also reported by",
with links, and "First reported by ... on ..."), and the Corpus page groups copies by story."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_helpers import (
    ROOT,
    Served,
    Server,
    app_env,
    ask,
    open_app,
    open_cards,
    select_first_row,
    settle,
    shoot,
)
from story_texts import write_copies

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def served_copies(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The shipped corpus and one report in four copies (four outlets), added by `rag add`."""
    data_dir = tmp_path_factory.mktemp("stories-data")
    copies = write_copies(tmp_path_factory.mktemp("copies"))
    added = subprocess.run(
        [sys.executable, "-m", "rag", "add", str(ROOT / "corpus"), *map(str, copies.values())],
        env=app_env(data_dir),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert added.returncode == 0, added.stderr
    assert added.stdout.count("is a near copy of") == 3, added.stdout
    server = Server(data_dir).start()
    try:
        server.wait_healthy()
        yield Served(server.url, data_dir)
    finally:
        server.stop()


def test_the_source_card_says_also_reported_by(
    page: Any, served_copies: Served, shots: Path
) -> None:
    open_app(page, served_copies, "chat")
    answer = ask(page, "How much will the desalination plant cost?")
    assert "310 million dollars" in answer.inner_text()
    cards = answer.get_by_test_id("stExpander")
    assert cards.count() == 1, "the copies fold into one source card"
    open_cards(answer)
    also = answer.locator(".nd-also")
    assert also.count() == 1
    text = also.inner_text()
    assert text.startswith("Also reported by ") and "(+1)" in text, text
    assert "First reported by Coastal Wire on 2024-03-05" in text
    links = also.locator("a")
    hrefs = {links.nth(i).get_attribute("href") for i in range(links.count())}
    others = {
        "https://wire.example/desal",
        "https://verge.example/d",
        "https://reuters.example/d",
        "https://mail.example/d",
    }
    assert len(hrefs) == 3 and hrefs < others, hrefs
    shoot(page, shots, "stories-01-also-reported-by")


def test_the_corpus_page_groups_copies_by_story(
    page: Any, served_copies: Served, shots: Path
) -> None:
    open_app(page, served_copies, "corpus")
    page.get_by_role("tab", name="Browse").click()
    page.get_by_text("Group by story").click()
    settle(page)
    assert "with more than one copy" in page.inner_text("body")
    select_first_row(page, "desalination", selected="first reported")
    body = page.inner_text("body")
    assert "4 copies" in body and "first reported" in body
    for outlet in ("Coastal Wire", "The Verge", "Reuters", "Daily Mail"):
        assert outlet in body
    shoot(page, shots, "stories-02-corpus-by-story")
