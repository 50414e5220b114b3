"""What an article is: its cleaned text, checked metadata and a stable identity.

`build_article` is the one gate every reader goes through: metadata must be text of a bounded
length (a date, a date; a URL, an http(s) URL), and the body must be language-like.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from rag import langcheck
from rag.clean import clean_text, normalise, paragraphs, parse_date
from rag.errors import IngestError

FIELD_LIMITS = {"id": 500, "title": 1000, "source": 300, "author": 1000, "url": 2048}
LISTS = frozenset({"author"})  # fields that may be a list of names, joined with ", "
DATE_FIELDS = ("published_at", "date")


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


def recleaned(article: Article) -> Article:
    """The stored article cleaned again with today's rules (`rag reindex`): text that was
    stored before a cleaning fix (say, HTML entities left in JSON records) comes out fixed."""
    text = clean_text(article.text) or article.text
    fields = {
        name: (normalise(value).replace("\n", " ").strip() or None) if value else value
        for name, value in (("source", article.source), ("author", article.author))
    }
    title = normalise(article.title).replace("\n", " ").strip() or article.title
    return dataclasses.replace(article, title=title, text=text, **fields)


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


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
    """Clean a raw body and check its metadata into an Article; IngestError says what is wrong."""
    fields = {name: text_field(meta, name) for name in FIELD_LIMITS}
    published_at = date_field(meta)
    title = fields["title"]
    paras = paragraphs(normalise(body))
    if paras and title and normalise(paras[0]).strip() == normalise(title).strip():
        paras = paras[1:]
    elif paras and not title and len(paras) > 1 and len(paras[0].split()) <= 30:
        title, paras = paras[0], paras[1:]
    text = clean_text("\n\n".join(paras))
    if not text:
        raise IngestError("empty: no text after cleaning")
    problem = langcheck.problem(text)
    if problem:
        raise IngestError(problem)
    if not title:
        words = text.split()
        title = " ".join(words[:12]) + (" …" if len(words) > 12 else "")
    url = fields["url"]
    if url and not re.match(r"https?://[^/\s]", url, re.IGNORECASE):
        raise IngestError(f"field 'url' must be an http(s) URL, not {url[:80]!r}")
    return Article(
        article_id=make_article_id(fields["id"], url, text),
        title=normalise(title).replace("\n", " ").strip()[: FIELD_LIMITS["title"]],
        text=text,
        source=fields["source"],
        published_at=published_at,
        url=url,
        author=fields["author"],
        origin=origin,
    )


def text_field(meta: Mapping[str, Any], name: str) -> str | None:
    """A metadata field as normalised text (None when absent); wrong types and sizes refused."""
    value = meta.get(name)
    if value is None:
        return None
    if name == "id" and isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    elif name in LISTS and isinstance(value, list) and all(isinstance(v, str) for v in value):
        value = ", ".join(value)
    if not isinstance(value, str):
        raise IngestError(f"field {name!r} must be text, not {kind_of(value)}")
    limit = FIELD_LIMITS[name]
    if len(value) > limit:
        raise IngestError(f"field {name!r} is too long: {len(value):,} > {limit:,} characters")
    text = normalise(value).strip()
    return text or None


def date_field(meta: Mapping[str, Any]) -> str | None:
    """The publication date as ISO 8601; a date given but not understood is refused."""
    for name in DATE_FIELDS:
        value = meta.get(name)
        if value is None or value == "":
            continue
        if isinstance(value, bool) or not isinstance(value, str | int | float | dt.date):
            raise IngestError(f"field {name!r} must be a date, not {kind_of(value)}")
        if isinstance(value, str) and len(value) > 100:
            raise IngestError(f"field {name!r} is too long for a date: {len(value):,} characters")
        found = parse_date(value)
        if found is None:
            raise IngestError(f"field {name!r}: {str(value)[:40]!r} is not a date")
        return found
    return None


def kind_of(value: Any) -> str:
    """A value's JSON/YAML kind, for messages: 'a number', 'a list', 'an object', 'true'."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__
