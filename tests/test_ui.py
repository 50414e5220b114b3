"""Pure helpers of the browser app: escaping, highlighting, uploads, feedback files."""

from __future__ import annotations

import json
import string
from pathlib import Path

import pytest

from rag.answer import Answer, Citation, Claim
from rag.conversations import open_conversations
from rag.ingest import Article, Failure
from rag.question_sets import parse_questions
from ui.feedback import QUESTIONS_FILE, question_record, record_feedback, save_question
from ui.render import (
    WORD_JOINER,
    Highlight,
    answer_html,
    article_html,
    claims_html,
    escape_markdown,
    highlight_html,
    merge,
    passage_highlights,
    safe_url,
    scroll_script,
)
from ui.uploads import Upload, read_uploads, safe_name, split_urls


@pytest.mark.parametrize(
    ("text", "forbidden"),
    [
        ("![pixel](http://127.0.0.1:9/p.png)", "!["),
        ("[click](javascript:alert(1))", "]("),
        ("<img src=x onerror=alert(1)>", "<img"),
        ("**bold** and _it_", "**"),
        (":red[colour] :material/home:", ":red["),
        ("$x^2$ formula", "$x"),
        ("`code` ~~strike~~", "`code`"),
    ],
    ids=["image", "link", "html", "emphasis", "directive", "latex", "code"],
)
def test_escape_markdown_leaves_no_syntax(text: str, forbidden: str) -> None:
    escaped = escape_markdown(text).replace(WORD_JOINER, "")
    assert forbidden in text
    at, plain = 0, ""
    while at < len(escaped):
        if escaped[at] == "\\":
            assert escaped[at + 1] in string.punctuation, "only punctuation is escaped"
            plain, at = plain + escaped[at + 1], at + 2
        else:
            assert escaped[at] not in string.punctuation, f"unescaped {escaped[at]!r}"
            plain, at = plain + escaped[at], at + 1
    assert plain == text


@pytest.mark.parametrize(
    ("text", "broken"),
    [
        ("see https://example.org/x", "https" + WORD_JOINER),
        ("see WWW.example.org", "WWW" + WORD_JOINER),
        ("write to press@example.org", WORD_JOINER + "\\@"),
    ],
)
def test_escape_markdown_breaks_bare_autolinks(text: str, broken: str) -> None:
    assert broken in escape_markdown(text)


def test_claims_html_marks_unsupported_claims_with_their_reason() -> None:
    claims = [
        Claim("Sattar met <b>Tessori</b>.", True, (1,)),
        Claim("Sattar was arrested.", False, (), 'passage 2 does not say "arrested" <x>'),
    ]
    rendered = claims_html(claims)
    assert "&lt;b&gt;Tessori&lt;/b&gt;" in rendered and "<b>" not in rendered
    assert rendered.count(">1</span>") == 1
    assert 'class="nd-unsupported"' in rendered and "not supported</span>" in rendered
    assert "Not supported: passage 2 does not say &quot;arrested&quot; &lt;x&gt;" in rendered


def test_answer_html_escapes_text_and_badges_only_markers() -> None:
    rendered = answer_html("He wants [1] the <b>post</b> [12] & more.")
    assert "<b>post" not in rendered and "&lt;b&gt;post&lt;/b&gt;" in rendered
    assert rendered.count("<span") == 2 and ">12</span>" in rendered
    assert "&amp; more." in rendered


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.org/a?b=1", "https://example.org/a?b=1"),
        ("http://example.org", "http://example.org"),
        ("javascript:alert(1)", None),
        ("data:text/html,<script>x</script>", None),
        ("file:///etc/passwd", None),
        ("//example.org/x", None),
        ("https://exa mple.org", None),
        ("", None),
        (None, None),
    ],
)
def test_safe_url_accepts_only_http_links(url: str | None, expected: str | None) -> None:
    assert safe_url(url) == expected


def test_highlight_escapes_text_and_marks_spans() -> None:
    text = "A <b>bold</b> claim. Then <script>x()</script> more."
    start = text.index("Then")
    html = highlight_html(text, [Highlight(start, len(text), 2)])
    assert "<b>bold" not in html and "<script>" not in html
    assert "&lt;script&gt;x()&lt;/script&gt;" in html
    assert html.count("<mark") == 1 and "<sup><b>[2]</b></sup>" in html


def test_merge_clips_and_joins_overlapping_spans() -> None:
    spans = [Highlight(5, 12, 1), Highlight(-3, 2, 2), Highlight(10, 40, 3), Highlight(7, 7)]
    assert merge(spans, 20) == [Highlight(0, 2, 2), Highlight(5, 20, 1)]
    assert merge([Highlight(0, 9, 2), Highlight(0, 4, 1)], 20) == [Highlight(0, 9, 1)]


def test_passage_highlights_are_relative_to_the_passage_start() -> None:
    article = "Intro sentence. He wants to be restored as chief. Later text."
    passage_start = article.index("He")
    passage = article[passage_start:]
    quote_start = article.index("He wants")
    quote_end = article.index("Later") - 1
    found = passage_highlights(passage, passage_start, [(quote_start, quote_end, "zz-none", 1)])
    assert found == [], "offsets that do not land on the quote are not trusted"
    quote = article[quote_start:quote_end]
    found = passage_highlights(passage, passage_start, [(quote_start, quote_end, quote, 1)])
    assert passage[found[0].start : found[0].end] == quote


def test_passage_highlights_find_a_quote_when_offsets_are_stale() -> None:
    passage = "First part. The cited sentence is here. Last."
    found = passage_highlights(passage, 1000, [(5, 20, "The cited sentence is here.", 3)])
    assert passage[found[0].start : found[0].end] == "The cited sentence is here."


def test_article_box_and_script_take_no_untrusted_text() -> None:
    box = article_html("text <script>", [Highlight(0, 4, 1)], 'x" onload="evil')
    assert 'onload="evil' not in box and "&lt;script&gt;" in box
    assert "evil" not in scroll_script('");alert(1);("')
    assert "<" not in scroll_script("nd-article-abc")[len("<script>") : -len("</script>")]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd.md", "passwd.md"),
        ("..\\..\\win.ini.txt", "win.ini.txt"),
        ("/abs/path/news.html", "news.html"),
        ("we<i>rd name?.md", "we_i_rd name_.md"),
        ("..", "upload"),
        ("", "upload"),
    ],
)
def test_safe_name_keeps_only_a_plain_file_name(name: str, expected: str) -> None:
    assert safe_name(name) == expected


def test_read_uploads_parses_from_memory_and_reports_failures() -> None:
    good = b"---\ntitle: Harbour news\nsource: Gazette\n---\nThe ferry resumed on Saturday."
    items = list(
        read_uploads(
            [
                Upload("../../story.md", good),
                Upload("big.txt", b"x" * 2000),
                Upload("tool.exe", b"MZ"),
                Upload("broken.pdf", b"not a pdf"),
            ],
            max_bytes=1000,
        )
    )
    article, big, exe, pdf = items
    assert isinstance(article, Article) and article.title == "Harbour news"
    assert article.origin == "upload:story.md"
    assert isinstance(big, Failure) and "too large" in big.reason
    assert isinstance(exe, Failure) and "unsupported file type .exe" in exe.reason
    assert isinstance(pdf, Failure) and "PDF" in pdf.reason


def test_split_urls_refuses_anything_but_http() -> None:
    urls, failures = split_urls("https://a.example/x\n/etc/passwd file:///x http://b.example")
    assert urls == ["https://a.example/x", "http://b.example"]
    assert [f.origin for f in failures] == ["/etc/passwd", "file:///x"]


def _answer(abstained: bool = False) -> Answer:
    quote = "Sattar wants to be restored as the party chief."
    citation = Citation(
        1, "a1", "Title", "The News", None, None, "a1:0", quote, quote, 10, 10 + len(quote)
    )
    return Answer(
        question="What did Sattar demand?",
        text="I could not find this." if abstained else f"{quote} [1]",
        abstained=abstained,
        citations=[] if abstained else [citation],
        passages=[],
    )


def test_feedback_is_appended_as_json_lines(tmp_path: Path) -> None:
    book = open_conversations(tmp_path)
    record_feedback(book, _answer(), "up", {"backend": "extractive"})
    record_feedback(book, _answer(), "down")
    lines = [json.loads(x) for x in (tmp_path / "feedback.jsonl").read_text().splitlines()]
    assert [x["rating"] for x in lines] == ["up", "down"]
    assert lines[0]["citations"][0]["quote"].startswith("Sattar wants")
    assert lines[0]["backend"] == "extractive" and lines[0]["question"] == "What did Sattar demand?"


def test_saved_questions_form_a_set_the_evaluation_reads(tmp_path: Path) -> None:
    save_question(tmp_path, question_record(_answer(), thumbs_up=False))
    save_question(tmp_path, question_record(_answer(), thumbs_up=True))
    history = [{"role": "user", "content": "Earlier?"}, {"role": "assistant", "content": "Yes."}]
    save_question(tmp_path, question_record(_answer(True), True, "2024-01-01", history))
    text = (tmp_path / QUESTIONS_FILE).read_text()
    questions = parse_questions(text.splitlines(), "saved")
    assert len(questions) == 2, "saving the same question again replaces its line"
    liked, unanswerable = questions
    assert liked.answers == ("Sattar wants to be restored as the party chief.",)
    assert liked.evidence == ("Sattar wants to be restored as the party chief.",)
    assert not unanswerable.answerable and unanswerable.as_of == "2024-01-01"
    assert unanswerable.history[0]["content"] == "Earlier?"


def test_corpus_header_counts_only_named_outlets() -> None:
    from ui.corpus import corpus_header

    stats = {"articles": 3, "chunks": 7, "sources": {"The News": 1, "Dawn": 1}, "no_source": 1}
    header = corpus_header(stats, "/data").replace("\\", "")
    assert header.startswith("3 articles · 7 passages · 2 outlets (1 article with an unknown")
    named = corpus_header({**stats, "no_source": 0, "sources": {"Dawn": 3}}, "/data")
    assert "1 outlet ·" in named and "unknown" not in named


# -- sources, short answers, copy text ----------------------------------------------------------
ARTICLE = (
    "Karachi was calm on Sunday. Sattar wants to be restored as the party chief. "
    "The MQM-P refused it. Talks continue."
)


def _cited(n: int, quote: str, passage_start: int = 0, **extra: object) -> Citation:
    start = ARTICLE.index(quote)
    values = {
        "n": n,
        "article_id": "a1",
        "title": "Tessori's efforts",
        "source": None,
        "published_at": None,
        "url": None,
        "chunk_id": "a1:0",
        "passage": ARTICLE[passage_start:],
        "quote": quote,
        "start": start,
        "end": start + len(quote),
    }
    return Citation(**(values | extra))


def test_a_quote_gets_one_sentence_of_context_either_side() -> None:
    from ui.sources import snippet

    quote = "Sattar wants to be restored as the party chief."
    found = snippet(_cited(1, quote), 0)
    assert found.text == "Karachi was calm on Sunday. " + quote + " The MQM-P refused it. …"
    assert found.text[found.start : found.end] == quote
    last = snippet(_cited(2, "Talks continue."), 0)
    assert last.text.startswith("… The MQM-P refused it.") and not last.text.endswith("…")
    stale = snippet(_cited(1, quote), 500)  # offsets that do not fit: found by searching
    assert stale is not None and stale.text[stale.start : stale.end] == quote


def test_the_short_answer_is_bold_inside_the_highlighted_quote() -> None:
    from rag.answer import ShortAnswer
    from ui.sources import snippet, snippet_html

    quote = "Sattar wants to be restored as the party chief."
    at = ARTICLE.index("restored as the party chief")
    short = ShortAnswer("restored as the party chief", "a1", at, at + 27, 0.9)
    found = snippet(_cited(1, quote), 0, short)
    assert found.text[found.short[0] : found.short[1]] == "restored as the party chief"
    shown = snippet_html("nd-src-abc-1", 1, found, quote)
    mark = shown[shown.index("<mark") : shown.index("</mark>")]
    assert '<strong class="nd-short"' in mark and "restored as the party chief</strong>" in mark
    other = ShortAnswer("x", "another-article", at, at + 1, 0.9)
    assert snippet(_cited(1, quote), 0, other).short is None


def test_citations_are_grouped_by_article_and_labelled_on_one_line() -> None:
    from ui.sources import by_article, card_label

    first = _cited(1, "Sattar wants to be restored as the party chief.")
    second = _cited(2, "The MQM-P refused it.")
    other = _cited(3, "Talks continue.", article_id="b2", title="Another " * 30)
    groups = by_article([first, other, second])
    assert [[c.n for c in g] for g in groups] == [[1, 2], [3]]
    assert card_label(groups[0]) == "[1] [2] Tessori's efforts · Unknown outlet · undated"
    assert len(card_label(groups[1])) <= 90 and "…" in card_label(groups[1])


def test_copy_text_lists_numbered_sources_and_is_escaped_in_the_button() -> None:
    from ui.sources import copy_button_html, plain_text

    quote = "Sattar wants to be restored as the party chief."
    cited = _cited(1, quote, url="https://example.com/a", source="The News")
    answer = Answer("q", f"{quote} [1]", False, [cited], [])
    text = plain_text(answer)
    assert text.splitlines() == [
        f"{quote} [1]",
        "",
        "Sources:",
        "[1] Tessori's efforts — The News · undated",
        "    https://example.com/a",
        f"    “{quote}”",
    ]
    button = copy_button_html('<img src=x onerror="alert(1)"> & "quotes"')
    assert "<img" not in button and "&lt;img" in button and "&quot;quotes&quot;" in button


def test_answer_markers_link_to_their_sources() -> None:
    shown = answer_html("A claim. [1] Another <b>one</b>. [2]", "nd-src-abc123")
    assert 'href="#nd-src-abc123-1"' in shown and 'data-target="nd-src-abc123-2"' in shown
    assert "<b>" not in shown
    assert 'href="#' not in answer_html("A claim. [1]"), "without a prefix: plain badges"
