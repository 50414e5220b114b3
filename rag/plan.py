"""The write pipeline of `Store.add` and `reindex`: what each source becomes (added, updated,
unchanged, duplicate, failed), its chunks, groups of whole articles to embed and commit together,
and their vectors; and the reports of what a write did."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol

from rag.article import Article, Failure
from rag.catalog import Catalog, source_key
from rag.chunk import Chunk, chunk_article
from rag.embeddings import SentenceEmbedder
from rag.story_tables import same_text_twin

Progress = Callable[[str, int, int], None]


class Chunker(Protocol):
    """Chunks of an article; `step` (when given) hears the text offset reached."""

    def __call__(
        self, article: Article, step: Callable[[int], None] | None = None
    ) -> list[Chunk]: ...


BATCH = 512  # chunks embedded and committed together; sorting this many by length keeps
# padding low (~3% waste against ~19% for 64), and a Ctrl-C loses at most one group's work


def quiet(_: str, __: int, ___: int) -> None:
    """A progress callback that shows nothing."""
    return None


@dataclass
class AddReport:
    """What `add` did to each source."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    duplicate: list[str] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)
    chunks: int = 0  # chunks written (embedded, or with a reused vector)
    reused: int = 0  # chunks whose vector another copy of their story already had
    near_duplicate: list[dict[str, Any]] = field(default_factory=list)  # id, copy_of, ...

    def as_dict(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "duplicate": self.duplicate,
            "failed": [{"path": f.origin, "reason": f.reason} for f in self.failed],
            "near_duplicate": self.near_duplicate,
        }


@dataclass
class RemoveReport:
    """What `remove` did: the ids it removed and those that were already gone."""

    removed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, list[str]]:
        return {"removed": self.removed, "missing": self.missing}


class Planned(NamedTuple):
    """An article to write, its chunks, and whether it is `added` or `updated`."""

    article: Article
    chunks: list[Chunk]
    status: str


def chunker(embedder: SentenceEmbedder, overlap_tokens: int) -> Chunker:
    """Chunks of an article sized for the embedder's model."""

    def chunks_of(article: Article, step: Callable[[int], None] | None = None) -> list[Chunk]:
        return chunk_article(
            article.article_id,
            article.content_hash,
            article.title,
            article.text,
            embedder.count_tokens,
            embedder.max_tokens,
            overlap_tokens,
            step,
        )

    return chunks_of


def collect(
    items: Iterable[Article | Failure], report: AddReport, progress: Progress = quiet
) -> list[Article]:
    """Read every item (downloads and parsing happen here); failures go to the report."""
    articles: list[Article] = []
    progress("reading", 0, 0)
    for n, item in enumerate(items, start=1):
        if isinstance(item, Failure):
            report.failed.append(item)
        else:
            articles.append(item)
        progress("reading", n, 0)
    read = len(articles) + len(report.failed)
    progress("reading", read, read)
    return articles


def prepare(
    articles: Sequence[Article], catalog: Catalog, chunks_of: Chunker, progress: Progress = quiet
) -> Chunker:
    """Chunk, ahead of the write, the articles that look new or changed now; the chunker
    returned serves those and chunks any other on demand (another writer may have changed
    the archive meanwhile). Splitting reports characters done."""
    draft = plan(articles, catalog, _no_chunks, AddReport())
    total = sum(len(p.article.text) for p in draft)
    ready: dict[tuple[str, str], list[Chunk]] = {}
    step = throttled(progress) if total else quiet
    done = 0
    step("splitting", 0, total)
    for item in draft:
        article = item.article
        at = done
        ready[article.article_id, article.content_hash] = chunks_of(
            article, lambda offset, at=at: step("splitting", at + offset, total)
        )
        done += len(article.text)
    if total:
        progress("splitting", total, total)

    def chunks(article: Article, step: Callable[[int], None] | None = None) -> list[Chunk]:
        found = ready.get((article.article_id, article.content_hash))
        return found if found is not None else chunks_of(article, step)

    return chunks


def _no_chunks(_: Article, __: Callable[[int], None] | None = None) -> list[Chunk]:
    return []


def plan(
    articles: Iterable[Article], catalog: Catalog, chunks_of: Chunker, report: AddReport
) -> list[Planned]:
    """Articles to embed; unchanged articles and duplicates go to the report."""
    planned: dict[str, Planned] = {}
    seen_ids: dict[str, str] = {}
    seen_text: dict[tuple[str, str], str] = {}
    for item in articles:
        status, why = classify(item, catalog, seen_ids, seen_text)
        seen_ids.setdefault(item.article_id, item.origin)
        seen_text.setdefault((item.text_hash, source_key(item.source) or ""), item.article_id)
        if status == "unchanged":
            report.unchanged.append(item.article_id)
        elif status == "duplicate":
            report.duplicate.append(f"{item.origin} ({why})")
        else:
            planned[item.article_id] = Planned(item, chunks_of(item), status)
    return list(planned.values())


def classify(
    article: Article,
    catalog: Catalog,
    seen_ids: dict[str, str],
    seen_text: dict[tuple[str, str], str],
) -> tuple[str, str]:
    """Status of an article against the store and the earlier items of this run. The same
    text from the same outlet is a duplicate; from another outlet it is a copy of its own
    (stored, and grouped with the first into one story)."""
    key = (article.text_hash, source_key(article.source) or "")
    if key in seen_text:
        return "duplicate", f"same text as {seen_text[key]}"
    if article.article_id in seen_ids:
        return "duplicate", f"same id as {seen_ids[article.article_id]}"
    stored = catalog.lookup(article.article_id)
    if stored is not None and stored["content_hash"] == article.content_hash:
        return "unchanged", ""
    twin = same_text_twin(catalog, article.text_hash, article.source, article.article_id)
    if twin:
        return "duplicate", f"same text as {twin}"
    return ("updated" if stored is not None else "added"), ""


def groups(planned: Sequence[Planned], size: int) -> Iterable[list[Planned]]:
    """Whole articles grouped so each group holds about `size` chunks."""
    group: list[Planned] = []
    count = 0
    for item in planned:
        group.append(item)
        count += len(item.chunks)
        if count >= size:
            yield group
            group, count = [], 0
    if group:
        yield group


def pairs(group: Sequence[Planned]) -> list[tuple[Article, Chunk]]:
    """Every chunk of a group with its article, in order."""
    return [(p.article, chunk) for p in group for chunk in p.chunks]


def throttled(progress: Progress, interval: float = 0.2) -> Progress:
    """The same progress, passed on at most every `interval` seconds (and always at the end)."""
    import time

    last = [0.0]

    def step(phase: str, done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] >= interval or done >= total:
            last[0] = now
            progress(phase, done, total)

    return step


def advance(progress: Progress, done: int, total: int) -> Callable[[int], None]:
    """Progress inside a group whose first chunk is number `done`."""
    return lambda n: progress("embedding", done + n, total)


def embed(embedder: SentenceEmbedder, chunks: Sequence[Chunk], step: Callable[[int], None]) -> Any:
    """Vectors in chunk order, encoded longest first in slices so that progress moves."""
    import numpy as np

    texts = [c.embed_text for c in chunks]
    order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
    size = 4 * embedder.batch_size
    starts = list(range(0, len(order), size))
    if len(starts) > 1 and len(order) - starts[-1] <= size // 2:
        starts.pop()  # a short tail joins the slice before: small inputs take another path
    parts = []
    for start, stop in zip(starts, [*starts[1:], len(order)], strict=True):
        parts.append(embedder.encode([texts[j] for j in order[start:stop]], bulk=True))
        step(stop)
    stacked = np.vstack(parts)
    vectors = np.empty_like(stacked)
    vectors[order] = stacked
    return vectors
