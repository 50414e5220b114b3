"""One reader per format: bytes of a text, Markdown, HTML, PDF or JSON (Lines) file in, articles
or failures out. A reader fails only its own source (or record), always with a one-line reason."""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import re
import warnings
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from rag.article import FIELD_LIMITS, Article, Failure, build_article, kind_of
from rag.clean import parse_date, strip_markdown
from rag.errors import IngestError, describe_json_error
from rag.outlet import page_outlet

MAX_FRONT_MATTER = 64_000  # characters of YAML before the body
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)


# -- text -------------------------------------------------------------------------------------
def decode(data: bytes, origin: str) -> str:
    """Decode text bytes: UTF-16 (with or without BOM), UTF-8, then legacy 8-bit encodings."""
    if not data.strip():
        raise IngestError("empty file")
    utf16 = _utf16(data)
    if utf16:
        try:
            return data.decode(utf16)
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


def _utf16(data: bytes) -> str | None:
    """'utf-16' for a BOM; 'utf-16-le'/'-be' when every other byte is NUL (text without BOM)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    head = data[:8192]
    pairs = len(head) // 2
    if pairs < 8:
        return None
    even, odd = head[0 : 2 * pairs : 2].count(0), head[1 : 2 * pairs : 2].count(0)
    if odd >= 0.5 * pairs and even <= 0.02 * pairs:
        return "utf-16-le"
    if even >= 0.5 * pairs and odd <= 0.02 * pairs:
        return "utf-16-be"
    return None


def parse_markdown(text: str, origin: str, markup: bool = False) -> Article:
    """A Markdown (`markup`) or text file, with optional YAML front matter."""
    meta: Mapping[str, Any] = {}
    if text.startswith("---"):
        match = _FRONT_MATTER.match(text[: MAX_FRONT_MATTER + 16])
        if match:
            meta, text = front_matter(match.group(1)), text[match.end() :]
        elif re.match(r"---[ \t]*\r?\n", text) and "\n---" in text[MAX_FRONT_MATTER:]:
            raise IngestError(f"bad front matter: longer than {MAX_FRONT_MATTER:,} characters")
    return build_article(strip_markdown(text) if markup else text, meta, origin)


def front_matter(source: str) -> dict[str, Any]:
    """YAML front matter as plain strings, lists and mappings: no aliases, no typed values."""
    import yaml

    try:
        loaded = yaml.load(source, Loader=_plain_loader())  # noqa: S506 - a plain, safe loader
    except yaml.YAMLError as exc:
        raise IngestError(f"bad front matter: {_first_line(exc)}") from None
    if loaded is None or loaded == "":
        return {}
    if not isinstance(loaded, dict):
        raise IngestError("bad front matter: not a mapping of names to values")
    return {str(k): v for k, v in loaded.items()}


@functools.cache
def _plain_loader() -> type:
    """A YAML loader that builds only strings, lists and mappings and refuses aliases, so a few
    bytes cannot expand into gigabytes ('billion laughs'); dates stay text for `parse_date`."""
    import yaml

    class PlainLoader(yaml.BaseLoader):
        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                mark = self.peek_event().start_mark
                raise yaml.composer.ComposerError(
                    None, None, "aliases (*name) are not allowed", mark
                )
            return super().compose_node(parent, index)

    return PlainLoader


def _first_line(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return " ".join(lines[:2])[:200] if lines else type(exc).__name__


# -- HTML and PDF ------------------------------------------------------------------------------
def parse_html(html: str, origin: str, url: str | None = None) -> Article:
    """Main text of a web page (navigation, ads and footers dropped) and its metadata."""
    import trafilatura

    try:
        doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False)
    except Exception as exc:  # noqa: BLE001 - a damaged page fails alone, whatever the parser says
        raise IngestError(f"unreadable HTML: {type(exc).__name__}: {_first_line(exc)}") from None
    found: dict[str, Any] = {}
    if doc is not None:
        found = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    body = found.get("text") or ""
    if not body.strip():
        raise IngestError("no main text found in the page")
    page_url = url or _hint(found.get("url"), FIELD_LIMITS["url"])
    outlet = found.get("sitename") or page_outlet(html, found.get("title"), page_url)
    meta = {  # what the page says about itself is a hint: cut to size, dates only if clear
        "title": _hint(found.get("title"), FIELD_LIMITS["title"]),
        "source": _hint(outlet, FIELD_LIMITS["source"]),
        "published_at": parse_date(_hint(found.get("date"), 100)),
        "url": page_url,
        "author": _hint(found.get("author"), FIELD_LIMITS["author"]),
    }
    return build_article(body, meta, origin)


def _hint(value: Any, limit: int) -> str | None:
    return str(value)[:limit] if value else None


def parse_pdf(data: bytes, origin: str) -> Article:
    """Text of every page of a PDF, with its title from the document info when present.

    Encrypted PDFs open when their user password is empty (most 'protected' news PDFs only
    restrict printing or copying); AES needs `cryptography`, a dependency of Newsdesk.
    """
    import io

    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError

    with _quiet_pypdf():
        try:
            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted and not reader.decrypt(""):
                raise IngestError("encrypted PDF: it needs a password")
            pages = [page.extract_text() or "" for page in reader.pages]
            info: Mapping[str, Any] = reader.metadata or {}
        except FileNotDecryptedError:
            raise IngestError("encrypted PDF: it needs a password") from None
        except DependencyError as exc:
            raise IngestError(f"encrypted PDF: {_first_line(exc)}") from None
        except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
            raise IngestError(f"unreadable PDF: {_first_line(exc)}") from None
        except IngestError:
            raise
        except Exception as exc:  # noqa: BLE001 - pypdf raises many kinds on damaged files
            raise IngestError(f"unreadable PDF: {type(exc).__name__}: {_first_line(exc)}") from None
    meta = {"title": _hint(info.get("/Title"), FIELD_LIMITS["title"])}
    meta["author"] = _hint(info.get("/Author"), FIELD_LIMITS["author"])
    return build_article("\n\n".join(_reflow(page) for page in pages), meta, origin)


@contextlib.contextmanager
def _quiet_pypdf() -> Iterator[None]:
    """pypdf reports damaged files through logging and warnings: keep them off the terminal."""
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)


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


# -- JSON records ------------------------------------------------------------------------------
def parse_records(text: str, origin: str, lines: bool) -> Iterator[Article | Failure]:
    """Records with `text` (and optional id, title, source, published_at, url, author)."""
    if lines:
        entries: Iterable[tuple[str, Any]] = _json_lines(text, origin)
    else:
        try:
            loaded = _load_json(text)
        except IngestError as exc:
            yield Failure(origin, str(exc))
            return
        items = loaded if isinstance(loaded, list) else [loaded]
        entries = ((f"{origin}#{i + 1}", item) for i, item in enumerate(items))
    for where, record in entries:
        yield record if isinstance(record, Failure) else _record(record, where)


def _record(record: Any, where: str) -> Article | Failure:
    """One JSON record as an article; whatever is wrong with it fails this record only."""
    if not isinstance(record, dict):
        return Failure(where, f"a record must be an object, not {kind_of(record)}")
    body = record.get("text")
    if body is None or body == "":
        return Failure(where, "record has no text")
    if not isinstance(body, str):
        return Failure(where, f"field 'text' must be text, not {kind_of(body)}")
    try:
        return build_article(body, record, where)
    except IngestError as exc:
        return Failure(where, str(exc))
    except Exception as exc:  # noqa: BLE001 - one record never sinks the rest
        return Failure(where, f"unreadable record: {type(exc).__name__}: {_first_line(exc)}")


def _load_json(text: str, what: str = "JSON") -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise IngestError(f"malformed {what}: {describe_json_error(exc)}") from None
    except RecursionError:
        raise IngestError(f"malformed {what}: nested too deeply") from None


def _json_lines(text: str, origin: str) -> Iterator[tuple[str, Any]]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{origin}:{number}"
        try:
            yield where, json.loads(line)
        except json.JSONDecodeError as exc:
            yield where, Failure(where, f"malformed JSON line: {describe_json_error(exc, False)}")
        except RecursionError:
            yield where, Failure(where, "malformed JSON line: nested too deeply")
