"""Cleaning, date normalisation and sentence spans (pure functions, plus the shipped article)."""

from __future__ import annotations

import datetime as dt

import pytest

from rag.clean import (
    clean_text,
    date_key,
    normalise,
    parse_date,
    sentence_spans,
    strip_markdown,
)
from rag.ingest import read_sources

DATES = [
    ("2023-11-05", "2023-11-05"),
    ("2023-11-05T14:30:00", "2023-11-05T14:30:00"),
    ("2023-11-05T14:30:00Z", "2023-11-05T14:30:00+00:00"),
    ("2023-11-05T14:30:00+02:00", "2023-11-05T14:30:00+02:00"),
    ("2023-11-05 14:30", "2023-11-05T14:30:00"),
    ("5 Nov 2023", "2023-11-05"),
    ("05 November 2023", "2023-11-05"),
    ("November 5, 2023", "2023-11-05"),
    ("Nov. 5, 2023", "2023-11-05"),
    ("Sun, 05 Nov 2023 14:30:00 GMT", "2023-11-05T14:30:00+00:00"),
    ("Sun, 05 Nov 2023 14:30:00 +0100", "2023-11-05T14:30:00+01:00"),
    ("20231105", "2023-11-05"),
    ("1699194600", "2023-11-05T14:30:00+00:00"),
    (1699194600, "2023-11-05T14:30:00+00:00"),
    ("1699194600000", "2023-11-05T14:30:00+00:00"),
    (dt.date(2023, 11, 5), "2023-11-05"),
    (dt.datetime(2023, 11, 5, 14, 30), "2023-11-05T14:30:00"),
    ("May 2023", "2023-05"),
    ("2023", "2023"),
    ("  2023-11-05  ", "2023-11-05"),
    ("garbage", None),
    ("yesterday", None),
    ("Monday", None),
    ("5 Nov", None),
    ("2023-13-45", None),
    ("", None),
    (None, None),
]


@pytest.mark.parametrize(("raw", "expected"), DATES, ids=[repr(r) for r, _ in DATES])
def test_parse_date(raw: object, expected: str | None) -> None:
    assert parse_date(raw) == expected


@pytest.mark.parametrize(
    ("iso", "days"),
    [
        ("1970-01-02", 1),
        ("2023-11-05T14:30:00+00:00", (dt.date(2023, 11, 5) - dt.date(1970, 1, 1)).days),
        ("2023-05", (dt.date(2023, 5, 1) - dt.date(1970, 1, 1)).days),
        ("2023", (dt.date(2023, 1, 1) - dt.date(1970, 1, 1)).days),
        (None, None),
        ("soon", None),
    ],
)
def test_date_key_counts_partial_dates_from_their_start(iso: str | None, days: int | None) -> None:
    assert date_key(iso) == days


def _sentences(text: str) -> list[str]:
    return [text[start:end] for start, end in sentence_spans(text)]


SENTENCES = [
    (
        "Dr. Smith met Mr. Jones at the U.S. Capitol. They talked for an hour.",
        ["Dr. Smith met Mr. Jones at the U.S. Capitol.", "They talked for an hour."],
    ),
    (
        "J. R. R. Tolkien wrote books. He taught at Oxford.",
        ["J. R. R. Tolkien wrote books.", "He taught at Oxford."],
    ),
    (
        '"Is it over?" she asked. "Yes." He left!',
        ['"Is it over?" she asked.', '"Yes."', "He left!"],
    ),
    (
        "Prices rose 3.5 per cent. Markets fell, e.g. in Asia. Why? Nobody knows.",
        ["Prices rose 3.5 per cent.", "Markets fell, e.g. in Asia.", "Why?", "Nobody knows."],
    ),
    (
        "A headline without a full stop\nThe body starts here.",
        ["A headline without a full stop", "The body starts here."],
    ),
    ("no capital. after the stop.", ["no capital. after the stop."]),
    ("", []),
]


@pytest.mark.parametrize(("text", "expected"), SENTENCES)
def test_sentence_spans(text: str, expected: list[str]) -> None:
    assert _sentences(text) == expected


def test_sentence_spans_are_shifted_by_offset_and_trimmed() -> None:
    text = "  First one.   Second one.  "
    spans = sentence_spans(text, offset=100)
    assert [text[s - 100 : e - 100] for s, e in spans] == ["First one.", "Second one."]
    assert spans[0][0] == 102


@pytest.mark.parametrize(
    ("markdown", "plain"),
    [
        ("# Bridge reopens", "Bridge reopens"),
        ("## Traffic ##", "Traffic"),
        ("The **bridge** reopened on _Sunday_.", "The bridge reopened on Sunday."),
        ("See [the council](https://x.org/c) site.", "See the council site."),
        ("![photo](img.png)Caption", "Caption"),
        ("> A quoted line", "A quoted line"),
        ("Run `make test` now", "Run make test now"),
        ("***", ""),
        ("snake_case_name and 5 * 3 * 2 stay", "snake_case_name and 5 * 3 * 2 stay"),
        ("MQM-P leaders - and others -", "MQM-P leaders - and others -"),
    ],
)
def test_strip_markdown(markdown: str, plain: str) -> None:
    assert strip_markdown(markdown) == plain


def test_normalise_whitespace_and_unicode() -> None:
    raw = "\ufeffCafe\u0301\u00a0 au\tlait\r\nﬁrst\u200b line \r\r\x07Ｆｕｌｌ  width "
    assert normalise(raw) == "Café au lait\nfirst line\n\nFull width"


def test_clean_text_joins_wrapped_lines_and_drops_boilerplate() -> None:
    raw = (
        "Skip to content\n\nThe first paragraph is\nwrapped over two lines.\n\n"
        "Advertisement\n\nThe second paragraph ends here.\n\nRead more:\n\n---\n"
    )
    assert clean_text(raw) == (
        "The first paragraph is wrapped over two lines.\n\nThe second paragraph ends here."
    )


def test_clean_text_keeps_a_short_final_line_of_a_real_article() -> None:
    raw = "The council met on Monday. It approved the plan.\n\nReporting by Jane Doe"
    assert clean_text(raw).endswith("Reporting by Jane Doe")


def test_shipped_article_loses_its_trailing_headlines(shipped_article) -> None:
    (article,) = list(read_sources([str(shipped_article)], max_bytes=10**7))
    assert article.title == "Tessori’s efforts for MQM unification not bearing fruit for now"
    assert article.source == "The News"
    assert article.text.startswith("Sindh Governor Kamran Tessori has reportedly")
    assert article.text.endswith("have met the governor several times in a few days.")
    for headline in (
        "Jessica Alba, Cash Warren Finalize Divorce",
        "Rachel Zoe Sends Out Message",
        "DeepSeek",
        "Gordon Ramsay",
    ):
        assert headline not in article.text
    assert not article.text.rstrip().endswith("-")
    assert article.text.count("\n\n") == 10  # the eleven real paragraphs
