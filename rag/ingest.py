"""Load articles from files, directories and URLs: every source becomes articles or a failure.

The formats are read in `rag.readers`, web pages fetched by `rag.fetch`, and every article built
and checked by `rag.article.build_article`. Whatever goes wrong with one source (a reader's own
error or anything it raises) fails that source alone, with a one-line reason.
"""

from __future__ import annotations

import errno
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from rag.article import Article, Failure, build_article, canonical_url, make_article_id
from rag.errors import IngestError
from rag.fetch import FetchLimits, check_scheme, describe_size, fetch
from rag.readers import decode, parse_html, parse_markdown, parse_pdf, parse_records

SUFFIXES = {".txt", ".md", ".markdown", ".html", ".htm", ".pdf", ".json", ".jsonl"}
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
_KINDS = {"application/pdf": ".pdf", "text/plain": ".txt", "text/markdown": ".md"}
_KINDS |= {"application/json": ".json", "application/x-ndjson": ".jsonl"}
Reading = Callable[[str, int, int], None]  # progress: ("reading", sources started, sources)
Items = Iterable[Article | Failure]

__all__ = [
    "SUFFIXES",
    "Article",
    "Failure",
    "ReadOptions",
    "build_article",
    "canonical_url",
    "decode",
    "make_article_id",
    "parse_bytes",
    "read_sources",
]


@dataclass(frozen=True)
class ReadOptions:
    """Limits of one `read_sources` run (from the settings at the edges)."""

    max_bytes: int
    timeout: float = 15.0
    deadline: float = 60.0
    allow_private: bool = False

    @property
    def fetch_limits(self) -> FetchLimits:
        return FetchLimits(self.max_bytes, self.timeout, self.deadline, self.allow_private)


Reader = Callable[[ReadOptions], Items]


def _no_progress(_: str, __: int, ___: int) -> None:
    return None


def read_sources(
    inputs: Iterable[str],
    max_bytes: int,
    timeout: float = 15.0,
    *,
    deadline: float = 60.0,
    allow_private: bool = False,
    progress: Reading = _no_progress,
) -> Iterator[Article | Failure]:
    """Every article found in the given files, directories (recursive) and http(s) URLs."""
    options = ReadOptions(max_bytes, timeout, deadline, allow_private)
    sources = [source for item in inputs for source in _expand(item)]
    for n, (origin, read) in enumerate(sources, start=1):
        progress("reading", n - 1, len(sources))
        yield from guarded(origin, lambda read=read: read(options))
    progress("reading", len(sources), len(sources))


def _expand(item: str) -> list[tuple[str, Reader]]:
    """The sources an input names: a URL, a file, or the wanted files of a directory."""
    if _URL.match(item):
        return [(item, lambda o, url=item: _read_url(url, o))]
    path = Path(item)
    problem = _path_problem(path)
    if problem:
        return [(item, lambda _o, why=problem: [Failure(item, why)])]
    if not path.is_dir():
        return [(str(path), lambda o, f=path: _read_file(f, o.max_bytes))]
    found: list[tuple[str, Reader]] = []
    for file in sorted(p for p in path.rglob("*") if _wanted(p)):
        why = _path_problem(file)
        if why or file.is_file():
            found.append((str(file), _file_reader(file, why)))
    return found


def _file_reader(file: Path, problem: str | None) -> Reader:
    if problem:
        return lambda _o: [Failure(str(file), problem)]
    return lambda o: _read_file(file, o.max_bytes)


def _path_problem(path: Path) -> str | None:
    """Why a path cannot be read (missing, a symlink loop, no permission), or None."""
    try:
        path.stat()
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "symlink loop: the link points back at itself"
        if exc.errno == errno.ENOENT:
            return "broken symlink" if path.is_symlink() else "no such file or directory"
        if exc.errno == errno.EACCES:
            return "permission denied"
        return f"cannot read: {exc.strerror or exc}"
    if not path.is_dir() and not path.is_file():
        return "not a regular file"
    return None


def _wanted(path: Path) -> bool:
    hidden = path.name.startswith(".")
    return not hidden and path.suffix.lower() in SUFFIXES and path.name != "questions.jsonl"


def guarded(origin: str, read: Callable[[], Items]) -> Iterator[Article | Failure]:
    """The items of one source; anything the reader raises fails this source alone."""
    try:
        yield from read()
    except IngestError as exc:
        yield Failure(origin, str(exc))
    except RecursionError:
        yield Failure(origin, "unreadable: nested too deeply")
    except MemoryError:
        yield Failure(origin, "unreadable: not enough memory to read it")
    except Exception as exc:  # noqa: BLE001 - the rule: one source can fail only itself
        detail = " ".join(str(exc).split())[:200]
        yield Failure(origin, f"unreadable: {type(exc).__name__}{': ' if detail else ''}{detail}")


def _read_file(path: Path, max_bytes: int) -> Iterator[Article | Failure]:
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise IngestError(f"unsupported file type {suffix or '(none)'}")
    try:
        size = path.stat().st_size
        if size > max_bytes:
            limit = describe_size(max_bytes)
            raise IngestError(f"too large: {describe_size(size)} > {limit} limit")
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise IngestError(f"cannot read: {exc.strerror or exc}") from None
    if len(data) > max_bytes:  # it grew while being read
        raise IngestError(f"too large: over the {describe_size(max_bytes)} limit")
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


def _read_url(url: str, options: ReadOptions) -> Iterator[Article | Failure]:
    check_scheme(url)
    fetched = fetch(url, options.fetch_limits)
    suffix = _KINDS.get(fetched.content_type, ".html")
    for item in parse_bytes(fetched.data, suffix, url, url=fetched.url):
        if isinstance(item, Article) and not item.url:
            item = Article(
                **{
                    **item.__dict__,
                    "url": fetched.url,
                    "article_id": make_article_id(None, fetched.url, item.text),
                }
            )
        yield item
