"""Reading every input format from real files and a real local HTTP server."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from rag.ingest import Article, Failure, canonical_url, make_article_id, read_sources

LIMIT = 1_000_000

PAGE = """<!doctype html>
<html><head><title>Harbour bridge reopens after repairs</title>
<meta name="author" content="Jane Reporter">
<meta property="article:published_time" content="2023-03-20T09:00:00Z"></head>
<body>
<nav><a href="/">Home</a> | <a href="/world">World</a> | <a href="/sport">Sport</a></nav>
<article>
<p>The harbour bridge reopened to traffic on Monday after three months of repairs, the city
council said in a statement.</p>
<p>Engineers replaced forty steel cables and resurfaced the deck. The mayor thanked commuters
for their patience during the long closure.</p>
<p>Traffic volumes are expected to return to normal within a week, according to the transport
department, which will publish new figures next month.</p>
</article>
<footer>Copyright 2023 Example Times. Privacy policy. Cookie settings. Contact us.</footer>
</body></html>
"""


def _read(*inputs: str | Path, max_bytes: int = LIMIT) -> list[Article | Failure]:
    """Read with the local test servers allowed (127.0.0.1 is refused by default)."""
    sources = [str(i) for i in inputs]
    return list(read_sources(sources, max_bytes=max_bytes, timeout=5.0, allow_private=True))


def _articles(items: list[Article | Failure]) -> list[Article]:
    return [i for i in items if isinstance(i, Article)]


def _failures(items: list[Article | Failure]) -> dict[str, str]:
    return {f.origin: f.reason for f in items if isinstance(f, Failure)}


def test_txt_first_line_is_the_title(tmp_path: Path) -> None:
    path = tmp_path / "bridge.txt"
    path.write_text(
        "Harbour bridge closed\nThe bridge was closed on Tuesday. Engineers found cracks.\n"
    )
    (article,) = _read(path)
    assert isinstance(article, Article)
    assert article.title == "Harbour bridge closed"
    assert article.text == "The bridge was closed on Tuesday. Engineers found cracks."
    assert article.origin == str(path)
    assert (article.source, article.published_at, article.url) == (None, None, None)


def test_markdown_front_matter_fills_metadata(tmp_path: Path) -> None:
    path = tmp_path / "bridge.md"
    path.write_text(
        "---\ntitle: Bridge reopens\nsource: Daily Bugle\npublished_at: 5 Nov 2023\n"
        "url: https://example.com/news/bridge\nauthor: [Ann Lee, Bo Chan]\n---\n"
        "# Bridge reopens\n\nThe bridge reopened on Sunday.\nTraffic returned quickly.\n"
    )
    (article,) = _read(path)
    assert isinstance(article, Article)
    assert article.title == "Bridge reopens"
    assert article.source == "Daily Bugle"
    assert article.published_at == "2023-11-05"
    assert article.url == "https://example.com/news/bridge"
    assert article.author == "Ann Lee, Bo Chan"
    assert article.article_id == make_article_id(None, "https://example.com/news/bridge", "")
    assert "Traffic returned quickly." in article.text
    assert "---" not in article.text


def test_markdown_markup_is_removed_but_text_files_are_left_alone(tmp_path: Path) -> None:
    body = "# Bridge reopens\n\nThe **bridge** reopened, see [the council](https://x.org/c).\n"
    (tmp_path / "story.md").write_text("---\ntitle: Bridge reopens\n---\n" + body)
    (tmp_path / "story.txt").write_text("Bridge reopens\n\nThe **bridge** reopened * twice *.\n")
    markdown, text = _read(tmp_path / "story.md", tmp_path / "story.txt")
    assert isinstance(markdown, Article) and isinstance(text, Article)
    assert markdown.text == "The bridge reopened, see the council."
    assert text.text == "The **bridge** reopened * twice *."


def test_markdown_yaml_date_and_bad_front_matter(tmp_path: Path) -> None:
    (tmp_path / "dated.md").write_text(
        "---\ntitle: Dated\npublished_at: 2023-11-05\n---\nA body sentence here.\n"
    )
    (tmp_path / "broken.md").write_text("---\ntitle: [unclosed\n---\nA body sentence here.\n")
    items = _read(tmp_path)
    assert [a.published_at for a in _articles(items)] == ["2023-11-05"]
    assert _failures(items)[str(tmp_path / "broken.md")].startswith("bad front matter")


def test_html_keeps_main_text_and_drops_chrome(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(PAGE)
    (article,) = _read(path)
    assert isinstance(article, Article)
    assert article.title == "Harbour bridge reopens after repairs"
    assert article.text.startswith("The harbour bridge reopened to traffic on Monday")
    assert "forty steel cables" in article.text
    assert article.text.endswith("which will publish new figures next month.")
    for chrome in ("Home", "Sport", "Copyright", "Cookie"):
        assert chrome not in article.text
    assert article.author == "Jane Reporter"
    assert article.published_at is not None and article.published_at.startswith("2023-03-20")


CAMPS_BODY = (
    "<article><h1>Relief camps in Dadu flooded again</h1><p>"
    + "The relief camps in Dadu were flooded again on Monday as the river rose, officials said. "
    * 4
    + "</p></article>"
)


@pytest.mark.parametrize(
    ("head", "url", "outlet"),
    [
        (
            "<title>Relief camps in Dadu flooded again | The Sindh Courier</title>",
            None,
            "The Sindh Courier",
        ),
        ("<title>Relief camps in Dadu flooded again - Dawn News</title>", None, "Dawn News"),
        (
            '<title>Relief camps</title><meta property="og:site_name" content="Sindh Courier">',
            None,
            "Sindh Courier",
        ),
        (
            '<title>Relief camps</title><script type="application/ld+json">{"@graph": [{"@type":'
            ' "NewsArticle", "publisher": {"@type": "Organization", "name": "The Sindh Courier"}}]}'
            "</script>",
            None,
            "The Sindh Courier",
        ),
        (
            "<title>Relief camps in Dadu flooded again</title>",
            "https://www.dawn.com/news/1",
            "dawn.com",
        ),
        ("<title>Relief camps in Dadu flooded again</title>", None, None),
    ],
    ids=["title-suffix-bar", "title-suffix-dash", "og-site-name", "json-ld", "url", "nothing"],
)
def test_html_outlet_comes_from_the_page_metadata(
    head: str, url: str | None, outlet: str | None
) -> None:
    from rag.ingest import parse_html

    article = parse_html(f"<html><head>{head}</head><body>{CAMPS_BODY}</body></html>", "p", url)
    assert article.source == outlet
    assert article.title.startswith("Relief camps"), "the outlet is not left in the title"


def test_pdf_pages_are_read_and_wrapped_lines_joined(tmp_path: Path) -> None:
    from fpdf import FPDF

    first = (
        "The city council approved the annual budget on Thursday after a long debate that "
        "lasted well into the night and saw several amendments rejected by narrow margins."
    )
    second = "Opposition members said the plan ignores public transport entirely."
    pdf = FPDF()
    pdf.set_title("Council approves budget")
    pdf.set_author("Sam Writer")
    pdf.set_font("Helvetica", size=12)
    for body in (first, second):
        pdf.add_page()
        pdf.multi_cell(0, 8, body)
    path = tmp_path / "budget.pdf"
    pdf.output(str(path))
    (article,) = _read(path)
    assert isinstance(article, Article)
    assert article.title == "Council approves budget"
    assert article.author == "Sam Writer"
    assert article.text == f"{first}\n\n{second}"


def test_json_list_of_records(tmp_path: Path) -> None:
    records = [
        {"id": "rec-1", "title": "Alpha", "text": "Alpha text is here. It has two sentences."},
        {"title": "Beta", "url": "https://example.org/beta", "text": "Beta text is here."},
        {"title": "No text at all"},
    ]
    path = tmp_path / "records.json"
    path.write_text(json.dumps(records))
    items = _read(path)
    alpha, beta = _articles(items)
    assert (alpha.article_id, alpha.title) == ("rec-1", "Alpha")
    assert beta.article_id.startswith("u-") and beta.url == "https://example.org/beta"
    assert _failures(items) == {f"{path}#3": "record has no text"}


def test_jsonl_malformed_line_is_reported_and_the_rest_ingested(tmp_path: Path) -> None:
    good = {
        "id": "bbc-tech-001",
        "title": "Phones get smarter",
        "source": "BBC News",
        "published_at": None,
        "url": None,
        "text": "Mobile phones are getting smarter.\n\nMakers add new sensors every year.",
    }
    later = {**good, "id": "bbc-tech-002", "text": "Another story. With two sentences."}
    later["published_at"] = "2005-02-01T10:00:00Z"
    path = tmp_path / "articles.jsonl"
    path.write_text(f"{json.dumps(good)}\n{{not json\n\n{json.dumps(later)}\n")
    items = _read(path)
    first, second = _articles(items)
    assert first.article_id == "bbc-tech-001" and first.source == "BBC News"
    assert first.text == "Mobile phones are getting smarter.\n\nMakers add new sensors every year."
    assert second.published_at == "2005-02-01T10:00:00+00:00"
    (origin,) = _failures(items)
    assert origin == f"{path}:2"
    assert "malformed JSON" in _failures(items)[origin]


def test_malformed_json_file_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"text": "unfinished')
    assert _failures(_read(path))[str(path)].startswith("malformed JSON")


@pytest.mark.parametrize(
    ("name", "content", "origin", "reason"),
    [
        ("a.json", '{"text": "unfinished', "", "Unterminated string starting at line 1 column 10"),
        ("b.json", "{nope", "", "Expecting property name enclosed in double quotes at line 1"),
        ("c.jsonl", '{"text": "ok"}\n{"text": "cut', ":2", "starting at column 10"),
    ],
)
def test_broken_json_messages_read_as_sentences(
    tmp_path: Path, name: str, content: str, origin: str, reason: str
) -> None:
    path = tmp_path / name
    path.write_text(content)
    message = _failures(_read(path))[f"{path}{origin}"]
    assert reason in message and "at at" not in message, message


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252", "utf-8-sig", "utf-16"])
def test_legacy_encodings_are_decoded(tmp_path: Path, encoding: str) -> None:
    quote = "“rents”" if encoding != "latin-1" else "rents"
    path = tmp_path / "cafe.txt"
    path.write_bytes(
        f"Café owners protest\nCafé owners in São Paulo protest {quote}.\n".encode(encoding)
    )
    (article,) = _read(path)
    assert isinstance(article, Article)
    assert article.title == "Café owners protest"
    assert article.text == f"Café owners in São Paulo protest {quote}."


def test_bad_files_are_reported_and_skipped(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text("Good title\nA good body sentence.\n")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02\x03 binary junk")
    (tmp_path / "empty.md").write_text("")
    (tmp_path / "blank.txt").write_text("  \n\n\t\n")
    (tmp_path / "big.txt").write_text("Big title\n" + "A long sentence here. " * 100)
    (tmp_path / "fake.pdf").write_text("not really a pdf")
    (tmp_path / "image.png").write_bytes(b"\x89PNG")
    (tmp_path / ".hidden.txt").write_text("Hidden\nShould not be read.\n")
    items = _read(tmp_path, max_bytes=1000)
    assert [a.title for a in _articles(items)] == ["Good title"]
    failures = _failures(items)
    assert set(failures) == {
        str(tmp_path / name)
        for name in ("binary.txt", "empty.md", "blank.txt", "big.txt", "fake.pdf")
    }
    assert failures[str(tmp_path / "binary.txt")] == "binary file, not text"
    assert failures[str(tmp_path / "empty.md")] == "empty file"
    assert failures[str(tmp_path / "big.txt")].startswith("too large")
    assert failures[str(tmp_path / "fake.pdf")].startswith("unreadable PDF")


def test_missing_path_and_unsupported_file_are_reported(tmp_path: Path) -> None:
    (tmp_path / "notes.docx").write_bytes(b"PK\x03\x04")
    failures = _failures(_read(tmp_path / "nope.txt", tmp_path / "notes.docx"))
    assert failures[str(tmp_path / "nope.txt")] == "no such file or directory"
    assert failures[str(tmp_path / "notes.docx")] == "unsupported file type .docx"


def test_directories_are_read_recursively(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "one.txt").write_text("One\nThe first body.\n")
    (tmp_path / "a" / "b" / "two.md").write_text("Two\n\nThe second body.\n")
    (tmp_path / "a" / "b" / "questions.jsonl").write_text('{"question": "q?"}\n')
    assert sorted(a.title for a in _articles(_read(tmp_path))) == ["One", "Two"]


@pytest.mark.parametrize(
    ("variant", "same"),
    [
        ("https://EXAMPLE.com/news/story?utm_source=feed&id=7#comments", True),
        ("https://example.com/news/story/?id=7", True),
        ("https://example.com/news/story?id=8", False),
        ("https://example.com/news/other?id=7", False),
    ],
)
def test_article_id_from_canonical_url(variant: str, same: bool) -> None:
    base = make_article_id(None, "https://example.com/news/story?id=7", "one text")
    assert (make_article_id(None, variant, "another text") == base) is same


def test_article_id_rules() -> None:
    assert make_article_id("bbc/tech 001", None, "text") == "bbc-tech-001"
    assert make_article_id("rec-1", "https://example.com/a", "text") == "rec-1"
    by_content = make_article_id(None, None, "The  bridge\nreopened.")
    assert by_content.startswith("c-")
    assert make_article_id(None, None, "the bridge reopened.") == by_content
    assert make_article_id(None, None, "The bridge closed.") != by_content
    assert canonical_url("HTTPS://Example.com/a/?utm_medium=x#top") == "https://example.com/a"


def test_article_id_is_stable_across_reads(tmp_path: Path) -> None:
    path = tmp_path / "story.txt"
    path.write_text("Story\nA stable body sentence.\n")
    first = _articles(_read(path))[0].article_id
    path.rename(tmp_path / "renamed.txt")
    assert _articles(_read(tmp_path / "renamed.txt"))[0].article_id == first


class _Pages(BaseHTTPRequestHandler):
    routes: dict[str, tuple[int, str, bytes]] = {
        "/news/bridge": (200, "text/html; charset=utf-8", PAGE.encode()),
        "/old-bridge": (301, "text/html", b""),
        "/plain.txt": (200, "text/plain", b"Plain title\nA plain body sentence.\n"),
    }

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        status, kind, body = self.routes.get(self.path, (404, "text/plain", b"not found"))
        self.send_response(status)
        if status == 301:
            self.send_header("Location", "/news/bridge")
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        return None


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    """A real HTTP server on 127.0.0.1 (free port) serving a news page."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def test_url_is_fetched_and_extracted(site: str) -> None:
    (article,) = _read(f"{site}/news/bridge")
    assert isinstance(article, Article)
    assert article.title == "Harbour bridge reopens after repairs"
    assert "forty steel cables" in article.text and "Cookie" not in article.text
    assert article.url == f"{site}/news/bridge"
    assert article.article_id == make_article_id(None, f"{site}/news/bridge", "")


def test_redirected_url_takes_the_final_address(site: str) -> None:
    (article,) = _read(f"{site}/old-bridge")
    assert isinstance(article, Article)
    assert article.url == f"{site}/news/bridge"


def test_plain_text_url(site: str) -> None:
    (article,) = _read(f"{site}/plain.txt")
    assert isinstance(article, Article)
    assert (article.title, article.url) == ("Plain title", f"{site}/plain.txt")
    assert article.article_id == make_article_id(None, f"{site}/plain.txt", "")


def test_bad_urls_are_reported(site: str) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}/story"
    items = _read(f"{site}/missing", closed, f"{site}/news/bridge", max_bytes=LIMIT)
    failures = _failures(items)
    assert failures[f"{site}/missing"] == "unreachable: HTTP 404"
    assert failures[closed].startswith("unreachable")
    assert len(_articles(items)) == 1
    too_big = _failures(_read(f"{site}/news/bridge", max_bytes=100))
    assert too_big[f"{site}/news/bridge"].startswith("too large")
