"""Load articles from files, directories and URLs; clean them; give each a stable identity."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from rag.clean import clean_text, normalise, paragraphs, parse_date, strip_markdown
from rag.errors import IngestError, describe_json_error
from rag.outlet import page_outlet

SUFFIXES = {".txt", ".md", ".markdown", ".html", ".htm", ".pdf", ".json", ".jsonl"}
_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)


@dataclass(frozen=True)
class Article:
    """One cleaned article, ready to chunk and store."""

    article_id: str
    title: str
    text: str
    source: str | None = None
    published_at: str | None = None
    url: str | None = None
    author: str | None = None
    origin: str = ""

    @property
    def text_hash(self) -> str:
        """Hash of the body alone: equal bodies under different ids are duplicates."""
        return _sha(self.text)

    @property
    def content_hash(self) -> str:
        """Hash of everything stored: a change means the article must be replaced."""
        fields = (self.title, self.text, self.source, self.published_at, self.url, self.author)
        return _sha(json.dumps(fields))


@dataclass(frozen=True)
class Failure:
    """A source that could not be read, with the reason shown to the user."""

    origin: str
    reason: str


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def canonical_url(url: str) -> str:
    """Lower-case scheme and host, no fragment, no tracking parameters, no trailing slash."""
    parts = urlsplit(url.strip())
    query = [(k, v) for k, v in parse_qsl(parts.query) if not k.lower().startswith("utm_")]
    path = parts.path.rstrip("/") or "/"
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, urlencode(query), ""))


def make_article_id(record_id: str | None, url: str | None, text: str) -> str:
    """Stable id: the record's own id, else the canonical URL, else the normalised content."""
    if record_id:
        slug = re.sub(r"[^A-Za-z0-9._-]+", "-", str(record_id)).strip("-")[:80]
        if slug:
            return slug
    if url:
        return "u-" + _sha(canonical_url(url))[:16]
    return "c-" + _sha(" ".join(text.lower().split()))[:16]


def build_article(body: str, meta: Mapping[str, Any], origin: str) -> Article:
    """Clean a raw body and its metadata into an Article; raises IngestError when empty."""
    title = _text_or_none(meta.get("title"))
    paras = paragraphs(normalise(body))
    if paras and title and normalise(paras[0]).strip() == normalise(title).strip():
        paras = paras[1:]
    elif paras and not title and len(paras) > 1 and len(paras[0].split()) <= 30:
        title, paras = paras[0], paras[1:]
    text = clean_text("\n\n".join(paras))
    if not text:
        raise IngestError("empty: no text after cleaning")
    if not title:
        words = text.split()
        title = " ".join(words[:12]) + (" …" if len(words) > 12 else "")
    url = _text_or_none(meta.get("url"))
    return Article(
        article_id=make_article_id(_text_or_none(meta.get("id")), url, text),
        title=normalise(title).replace("\n", " ").strip(),
        text=text,
        source=_text_or_none(meta.get("source")),
        published_at=parse_date(meta.get("published_at") or meta.get("date")),
        url=url,
        author=_text_or_none(meta.get("author")),
        origin=origin,
    )


def _text_or_none(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    text = normalise(str(value)).strip()
    return text or None


def decode(data: bytes, origin: str) -> str:
    """Decode text bytes: UTF-8 first, then legacy encodings; binary data is refused."""
    if not data.strip():
        raise IngestError("empty file")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise IngestError("undecodable UTF-16 text") from None
    if b"\x00" in data[:8192]:
        raise IngestError("binary file, not text")
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise IngestError(f"cannot decode {origin}")  # pragma: no cover - latin-1 accepts any bytes


def parse_markdown(text: str, origin: str, markup: bool = False) -> Article:
    """A Markdown (`markup`) or text file, with optional YAML front matter."""
    meta: dict[str, Any] = {}
    match = _FRONT_MATTER.match(text)
    if match:
        import yaml

        try:
            loaded = yaml.safe_load(match.group(1)) or {}
        except yaml.YAMLError as exc:
            raise IngestError(f"bad front matter: {str(exc).splitlines()[0]}") from None
        if not isinstance(loaded, dict):
            raise IngestError("bad front matter: not a mapping")
        meta, text = loaded, text[match.end() :]
    return build_article(strip_markdown(text) if markup else text, meta, origin)


def parse_html(html: str, origin: str, url: str | None = None) -> Article:
    """Main text of a web page (navigation, ads and footers dropped) and its metadata."""
    import trafilatura

    doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False)
    found: dict[str, Any] = {}
    if doc is not None:
        found = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    body = found.get("text") or ""
    if not body.strip():
        raise IngestError("no main text found in the page")
    page_url = url or found.get("url")
    meta = {
        "title": found.get("title"),
        "source": found.get("sitename") or page_outlet(html, found.get("title"), page_url),
        "published_at": found.get("date"),
        "url": page_url,
        "author": found.get("author"),
    }
    return build_article(body, meta, origin)


def parse_pdf(data: bytes, origin: str) -> Article:
    """Text of every page of a PDF, with its title from the document info when present."""
    import io

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
        info: Mapping[str, Any] = reader.metadata or {}
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise IngestError(f"unreadable PDF: {exc}") from None
    meta = {"title": info.get("/Title"), "author": info.get("/Author")}
    return build_article("\n\n".join(_reflow(page) for page in pages), meta, origin)


def _reflow(page: str) -> str:
    """Join the wrapped lines of a PDF page into paragraphs (PDF text has no blank lines).

    A line break stays a paragraph break after a sentence end or a short (heading-like) line,
    unless the next line starts in lower case.
    """
    lines = [line.strip() for line in page.splitlines() if line.strip()]
    if not lines:
        return ""
    full = max(len(line) for line in lines)
    out = lines[0]
    for prev, line in zip(lines, lines[1:], strict=False):
        ended = prev.endswith((".", "!", "?", '"', "”", ":")) or len(prev) < 0.6 * full
        if ended and not line[0].islower():
            out += "\n\n" + line
        elif prev.endswith("-") and line[0].islower():
            out += line
        else:
            out += " " + line
    return out


def parse_records(text: str, origin: str, lines: bool) -> Iterator[Article | Failure]:
    """Records with `text` (and optional id, title, source, published_at, url, author)."""
    if lines:
        entries: Iterable[tuple[str, Any]] = _json_lines(text, origin)
    else:
        try:
            loaded = json.loads(text)
        except json.JSONDecodeError as exc:
            yield Failure(origin, f"malformed JSON: {describe_json_error(exc)}")
            return
        items = loaded if isinstance(loaded, list) else [loaded]
        entries = ((f"{origin}#{i + 1}", item) for i, item in enumerate(items))
    for where, record in entries:
        if isinstance(record, Failure):
            yield record
        elif not isinstance(record, dict) or not str(record.get("text") or "").strip():
            yield Failure(where, "record has no text")
        else:
            try:
                yield build_article(str(record["text"]), record, where)
            except IngestError as exc:
                yield Failure(where, str(exc))


def _json_lines(text: str, origin: str) -> Iterator[tuple[str, Any]]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{origin}:{number}"
        try:
            yield where, json.loads(line)
        except json.JSONDecodeError as exc:
            yield where, Failure(where, f"malformed JSON line: {describe_json_error(exc, False)}")


def read_sources(
    inputs: Iterable[str], max_bytes: int, timeout: float = 15.0
) -> Iterator[Article | Failure]:
    """Every article found in the given files, directories (recursive) and http(s) URLs."""
    for item in inputs:
        if re.match(r"https?://", item, re.IGNORECASE):
            yield from _guard(item, lambda u=item: _read_url(u, max_bytes, timeout))
            continue
        path = Path(item)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and _wanted(p))
            for file in files:
                yield from _guard(str(file), lambda f=file: _read_file(f, max_bytes))
        elif path.is_file():
            yield from _guard(str(path), lambda f=path: _read_file(f, max_bytes))
        else:
            yield Failure(item, "no such file or directory")


def _wanted(path: Path) -> bool:
    hidden = any(part.startswith(".") for part in path.parts[-1:])
    return not hidden and path.suffix.lower() in SUFFIXES and path.name != "questions.jsonl"


def _guard(origin: str, read: Any) -> Iterator[Article | Failure]:
    try:
        yield from read()
    except IngestError as exc:
        yield Failure(origin, str(exc))


def _read_file(path: Path, max_bytes: int) -> Iterator[Article | Failure]:
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise IngestError(f"unsupported file type {suffix or '(none)'}")
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise IngestError(f"too large: {size / 1e6:.1f} MB > {max_bytes / 1e6:.1f} MB limit")
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError(f"cannot read: {exc.strerror or exc}") from None
    yield from parse_bytes(data, suffix, str(path))


def parse_bytes(
    data: bytes, suffix: str, origin: str, url: str | None = None
) -> Iterator[Article | Failure]:
    """Parse the bytes of one file (by its suffix) into articles or failures."""
    if suffix == ".pdf":
        if not data.startswith(b"%PDF"):
            raise IngestError("unreadable PDF: not a PDF file")
        yield parse_pdf(data, origin)
        return
    text = decode(data, origin)
    if suffix in {".json", ".jsonl"}:
        yield from parse_records(text, origin, lines=suffix == ".jsonl")
    elif suffix in {".html", ".htm"}:
        yield parse_html(text, origin, url)
    else:
        yield parse_markdown(text, origin, markup=suffix in {".md", ".markdown"})


def _read_url(url: str, max_bytes: int, timeout: float) -> Iterator[Article | Failure]:
    import httpx

    try:
        with httpx.stream("GET", url, follow_redirects=True, timeout=timeout) as response:
            response.raise_for_status()
            chunks: list[bytes] = []
            for part in response.iter_bytes():
                chunks.append(part)
                if sum(map(len, chunks)) > max_bytes:
                    raise IngestError(f"too large: over the {max_bytes / 1e6:.1f} MB limit")
            kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
            final_url = str(response.url)
    except httpx.HTTPStatusError as exc:
        raise IngestError(f"unreachable: HTTP {exc.response.status_code}") from None
    except httpx.HTTPError as exc:
        raise IngestError(f"unreachable: {type(exc).__name__} {exc}".strip()) from None
    suffix = {"application/pdf": ".pdf", "text/plain": ".txt", "text/markdown": ".md"}.get(
        kind, ".html"
    )
    if kind in {"application/json"}:
        suffix = ".json"
    for item in parse_bytes(b"".join(chunks), suffix, url, url=final_url):
        if isinstance(item, Article) and not item.url:
            item = Article(
                **{
                    **item.__dict__,
                    "url": final_url,
                    "article_id": make_article_id(None, final_url, item.text),
                }
            )
        yield item
