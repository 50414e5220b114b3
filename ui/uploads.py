"""Uploaded files and pasted URLs turned into articles, without writing anything to disk.

Uploads are parsed from memory (`rag.ingest.parse_bytes`); a file name is only a label, reduced to
safe characters, so it can never name a place on disk.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rag.fetch import describe_size
from rag.ingest import SUFFIXES, Article, Failure, guarded, parse_bytes, read_sources

if TYPE_CHECKING:
    from rag.config import Settings

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
            size, limit = describe_size(len(upload.data)), describe_size(max_bytes)
            yield Failure(origin, f"too large: {size} > {limit} limit")
            continue
        yield from guarded(origin, lambda u=upload, s=suffix, o=origin: parse_bytes(u.data, s, o))


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


def read_urls(urls: list[str], settings: Settings) -> Iterator[Article | Failure]:
    """Articles fetched from http(s) URLs (checked by `split_urls` first), within the download
    limits of the settings (size, deadline, no private addresses unless allowed)."""
    safe = [u for u in urls if re.match(r"https?://", u, re.IGNORECASE)]
    yield from read_sources(
        safe,
        int(settings.max_file_mb * 1e6),
        settings.fetch_timeout,
        deadline=settings.fetch_deadline,
        allow_private=settings.allow_private_urls,
    )
