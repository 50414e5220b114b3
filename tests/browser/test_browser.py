"""The app in a real Chromium: cited answers with highlights, the article view, follow-ups,
uploading and removing articles, and untrusted markup that never runs or loads anything.
Screenshots of each step go to test-output/browser/."""

from __future__ import annotations

import http.server
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_helpers import (
    ask,
    marked_texts,
    open_app,
    open_cards,
    select_first_row,
    settle,
    shoot,
    upload,
    xss_flags,
)

pytestmark = pytest.mark.browser
Served = Any

DESALINATION = """---
title: Karachi opens a solar-powered desalination plant
source: Coastal Times
date: 2024-09-10
---
The Sindh government opened a solar-powered desalination plant in Ibrahim Hyderi on Tuesday.
The plant will supply 250,000 gallons of drinking water a day to fishing communities on the coast.

Engineers said the panels cover the plant's daytime needs, while a grid connection keeps it running
at night.
"""

MARKUP = """---
title: 'Council minutes <img src=x onerror="window.__xss=4"> with **stars**'
source: Markup Weekly
date: 2024-10-01
---
The harbour council notice read <script>window.__xss=1</script> in full, and the clerk copied it
verbatim into the minutes of the meeting.

The public board near the harbour office also showed <img src=x onerror="window.__xss=2"> and a
picture link ![pixel](PIXEL) that nobody could explain.
"""


@pytest.fixture(scope="module")
def pixel_server() -> Iterator[tuple[str, list[str]]]:
    """A local HTTP server that records every request: proof that no remote image loads."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
            hits.append(self.path)
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            return None

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/pixel.png", hits
    server.shutdown()


# -- tests --------------------------------------------------------------------------------------
def test_answer_highlight_article_and_follow_up(page: Any, served: Served, shots: Path) -> None:
    open_app(page, served)
    shoot(page, shots, "01-chat-empty")
    answer = ask(page, "What did Sattar demand?")
    assert "restored as the party chief" in answer.inner_text()
    open_cards(answer)
    marks = marked_texts(answer)
    assert any("restored as the party chief" in m for m in marks), marks
    assert "The News" in answer.inner_text()
    shoot(page, shots, "02-answer-with-highlight")

    answer.get_by_role("button", name="Open article").first.click()
    dialog = page.get_by_role("dialog")
    dialog.wait_for()
    box = dialog.locator(".nd-article")
    page.wait_for_function("() => document.querySelector('.nd-article[data-scrolled]') !== null")
    assert "Tessori" in dialog.inner_text()
    assert any("restored as the party chief" in m for m in marked_texts(dialog))
    in_view = box.evaluate(
        """b => { const m = b.querySelector('mark').getBoundingClientRect();
                  const r = b.getBoundingClientRect();
                  return m.top >= r.top && m.bottom <= r.bottom && b.scrollTop > 0; }"""
    )
    assert in_view, "the cited span is scrolled into view inside the article"
    shoot(page, shots, "03-open-article")
    page.keyboard.press("Escape")
    dialog.wait_for(state="detached")

    follow = ask(page, "Did the MQM-P accept it?")
    assert "not acceptable" in follow.inner_text()
    assert page.get_by_test_id("stChatMessage").count() == 4
    shoot(page, shots, "04-follow-up")


def test_upload_ask_then_remove(page: Any, served: Served, shots: Path) -> None:
    summary = upload(page, served, "desalination.md", DESALINATION)
    assert "added 1, updated 0, unchanged 0, duplicate 0, failed 0" in summary.inner_text()
    shoot(page, shots, "05-uploaded")

    page.get_by_test_id("stSidebarNav").get_by_text("Chat").click()
    settle(page)
    answer = ask(page, "How much water will the desalination plant supply?")
    assert "Karachi opens a solar-powered desalination plant" in answer.inner_text()
    open_cards(answer)
    assert any("250,000 gallons" in m for m in marked_texts(answer))
    shoot(page, shots, "06-answer-from-upload")
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_text("Show timings of the last answer").click()
    settle(page)
    assert sidebar.get_by_test_id("stDataFrame").count() == 1

    page.get_by_test_id("stSidebarNav").get_by_text("Corpus").click()
    settle(page)
    page.get_by_role("tab", name="Browse").click()
    select_first_row(page, "desalination")
    remove = page.get_by_role("button", name="Remove 1 selected")
    remove.click()
    page.get_by_role("button", name="Yes, remove").wait_for()  # the confirmation has rendered
    settle(page)
    assert "Karachi opens a solar-powered desalination plant" in page.inner_text("body")
    shoot(page, shots, "07-confirm-removal")
    page.get_by_role("button", name="Yes, remove").click()
    page.get_by_text("Removed 1 article.").wait_for()
    settle(page)
    shoot(page, shots, "08-removed")

    page.get_by_test_id("stSidebarNav").get_by_text("Chat").click()
    settle(page)
    assert page.get_by_test_id("stChatMessage").count() == 2, "the conversation is kept"
    assert sidebar.get_by_test_id("stDataFrame").count() == 1, "sidebar choices are kept"
    after = ask(page, "How much water will the desalination plant supply?")
    assert "Karachi opens a solar-powered desalination plant" not in after.inner_text()


def test_untrusted_markup_is_shown_not_run(
    page: Any, served: Served, shots: Path, pixel_server: tuple[str, list[str]]
) -> None:
    pixel, hits = pixel_server
    summary = upload(page, served, "minutes.txt", MARKUP.replace("PIXEL", pixel))
    assert "added 1" in summary.inner_text()
    page.get_by_test_id("stSidebarNav").get_by_text("Chat").click()
    settle(page)
    question = f'What did the notice read? <img src=x onerror="window.__xss=3"> ![a]({pixel})'
    answer = ask(page, question)
    open_cards(answer)
    text = page.inner_text("body")
    assert "<script>window.__xss=1</script>" in text
    assert '<img src=x onerror="window.__xss=3">' in text, "the question is shown literally"
    assert answer.locator("img").count() == 0
    shoot(page, shots, "09-markup-in-answer")

    answer.get_by_role("button", name="Open article").first.click()
    dialog = page.get_by_role("dialog")
    dialog.locator(".nd-article").wait_for()
    assert '<img src=x onerror="window.__xss=2">' in dialog.inner_text()
    assert f"![pixel]({pixel})" in dialog.inner_text()
    shoot(page, shots, "10-markup-in-article")
    page.keyboard.press("Escape")

    page.get_by_test_id("stSidebarNav").get_by_text("Corpus").click()
    settle(page)
    page.get_by_role("tab", name="Browse").click()
    settle(page)
    shoot(page, shots, "11-markup-in-table")
    select_first_row(page, "Council minutes")
    page.get_by_role("button", name="Open", exact=True).click()
    opened = page.locator(".nd-article")
    opened.wait_for()
    assert "<script>window.__xss=1</script>" in opened.inner_text()
    shoot(page, shots, "12-markup-opened-in-corpus")
    time.sleep(1)
    assert xss_flags(page) == [None] * len(page.frames)
    assert hits == [], "no remote image was requested"
    assert page.locator('img[src="x"]').count() == 0


def test_sessions_ask_while_another_adds(chromium: Any, served: Served, shots: Path) -> None:
    records = [
        {
            "id": f"bulk-{n}",
            "title": f"Onion prices in market {n}",
            "source": "Bulk Wire",
            "published_at": f"2024-01-{n + 1:02d}",
            "text": " ".join(
                f"Traders in market {n} said onion prices rose by {n * 3 + k} percent in week {k} "
                f"as lorries from district {n + k} were delayed by road works."
                for k in range(1, 14)
            ),
        }
        for n in range(20)
    ]
    bulk = "\n".join(json.dumps(r) for r in records).encode("utf-8")
    contexts = [chromium.new_context(viewport={"width": 1400, "height": 1000}) for _ in range(3)]
    try:
        adder, *askers = [c.new_page() for c in contexts]
        for tab in (adder, *askers):
            tab.set_default_timeout(180_000)
        open_app(adder, served, "corpus")
        adder.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(
            files=[{"name": "bulk.jsonl", "mimeType": "application/json", "buffer": bulk}]
        )
        adder.get_by_text("bulk.jsonl").first.wait_for()
        for tab in askers:
            open_app(tab, served)
            tab.get_by_test_id("stChatInputTextArea").fill("What did Sattar demand?")
        adder.get_by_role("button", name="Add to archive").click()
        for tab in askers:
            tab.get_by_test_id("stChatInputTextArea").press("Enter")
        for n, tab in enumerate(askers):
            answer = tab.get_by_test_id("stChatMessage").nth(1)
            answer.get_by_role("button", name="Save as test question").wait_for()
            open_cards(answer)
            assert any("restored as the party chief" in m for m in marked_texts(answer))
            shoot(tab, shots, f"13-concurrent-asker-{n + 1}")
        summary = adder.get_by_text("chunks embedded)")
        summary.wait_for()
        assert "added 20, updated 0, unchanged 0, duplicate 0, failed 0" in summary.inner_text()
        shoot(adder, shots, "14-concurrent-adder")
        assert not adder.get_by_test_id("stException").count()
    finally:
        for context in contexts:
            context.close()
