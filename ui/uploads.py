"""Uploaded files and pasted URLs turned into articles, without writing anything to disk.

Uploads are parsed from memory (`rag.ingest.parse_bytes`); a file name is only a label, reduced to
safe characters, so it can never name a place on disk.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from rag.errors import IngestError
from rag.ingest import SUFFIXES, Article, Failure, parse_bytes, read_sources

UPLOAD_TYPES = sorted(s.lstrip(".") for s in SUFFIXES)
_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")


@dataclass(frozen=True)
class Upload:
    """One uploaded file: its name as the browser sent it, and its bytes."""

    name: str
    data: bytes


def safe_name(name: str) -> str:
    """The last path component of a file name, limited to letters, digits, '.', '_', '-', ' '."""
    base = re.split(r"[\\/]", str(name))[-1]
    cleaned = _UNSAFE.sub("_", base).strip(" .")
    cleaned = re.sub(r"\.{2,}", ".", cleaned)[-120:].lstrip(" .")
    return cleaned or "upload"


def suffix_of(name: str) -> str:
    """The lower-case extension ('.md') of a sanitised name, or ''."""
    match = re.search(r"(\.[A-Za-z0-9]+)$", name)
    return match.group(1).lower() if match else ""


def read_uploads(uploads: Iterable[Upload], max_bytes: int) -> Iterator[Article | Failure]:
    """Articles parsed from uploaded files; too large, unsupported or unreadable ones fail."""
    for upload in uploads:
        name = safe_name(upload.name)
        origin = f"upload:{name}"
        suffix = suffix_of(name)
        if suffix not in SUFFIXES:
            yield Failure(origin, f"unsupported file type {suffix or '(none)'}")
            continue
        if len(upload.data) > max_bytes:
            size, limit = len(upload.data) / 1e6, max_bytes / 1e6
            yield Failure(origin, f"too large: {size:.1f} MB > {limit:.1f} MB limit")
            continue
        try:
            yield from parse_bytes(upload.data, suffix, origin)
        except IngestError as exc:
            yield Failure(origin, str(exc))


def split_urls(text: str) -> tuple[list[str], list[Failure]]:
    """http(s) URLs from pasted text (one per line or separated by spaces); others fail.

    Only http(s) URLs go on to be fetched: anything else could name a local file.
    """
    urls, failures = [], []
    for item in text.split():
        if re.match(r"https?://[^/\s]+", item, re.IGNORECASE):
            urls.append(item)
        else:
            failures.append(Failure(item[:200], "not an http(s) URL"))
    return list(dict.fromkeys(urls)), failures


def read_urls(urls: list[str], max_bytes: int, timeout: float) -> Iterator[Article | Failure]:
    """Articles fetched from http(s) URLs (checked by `split_urls` first)."""
    safe = [u for u in urls if re.match(r"https?://", u, re.IGNORECASE)]
    yield from read_sources(safe, max_bytes, timeout)
