"""`rag migrate`: copy an embedded archive (SQLite and Chroma in the data dir) into the shared
engines (a PostgreSQL catalog, and a Chroma server or the same local vectors) without
re-embedding: each chunk's stored vector is copied with it.

The copy goes through the target's own write protocol (journal, vectors, commit), in groups of
whole articles, under both archives' writer locks; articles already in the target unchanged are
skipped, so an interrupted migration is completed by running it again.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from rag.catalog import Catalog, article_of, flagged_spans
from rag.chunk import Chunk
from rag.errors import ModelMismatchError, StoreError
from rag.injection import within
from rag.plan import BATCH, Planned, Progress, groups, quiet
from rag.store import Store
from rag.store_write import write_group
from rag.stories import Match


@dataclass
class Counts:
    """What one archive holds."""

    articles: int
    chunks: int
    vectors: int

    def as_dict(self) -> dict[str, int]:
        return {"articles": self.articles, "chunks": self.chunks, "vectors": self.vectors}


@dataclass
class MigrateReport:
    """What a migration copied, and both archives' counts afterwards."""

    copied: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    chunks: int = 0
    source: Counts | None = None
    target: Counts | None = None

    @property
    def matches(self) -> bool:
        return self.source is not None and self.source == self.target

    def as_dict(self) -> dict[str, Any]:
        return {
            "copied": len(self.copied),
            "unchanged": len(self.unchanged),
            "chunks_copied": self.chunks,
            "source": self.source.as_dict() if self.source else None,
            "target": self.target.as_dict() if self.target else None,
            "counts_match": self.matches,
        }


def counts(store: Store) -> Counts:
    totals = store.catalog.totals()
    return Counts(totals.articles, totals.chunks, int(store.collection.count()))


def migrate(source: Store, target: Store, progress: Progress = quiet) -> MigrateReport:
    """Copy every article of `source`, with its chunks and vectors, into `target`."""
    if source.embed_model and target.embed_model not in (None, source.embed_model):
        raise ModelMismatchError(
            f"the target was built with {target.embed_model!r}, this archive with"
            f" {source.embed_model!r}: vectors of two models cannot share an index"
        )
    report = MigrateReport()
    waiting = lambda waited, limit: progress("waiting", int(waited), int(limit))  # noqa: E731
    with source.writing(progress), target.catalog.writer_lock(target.lock_wait, waiting):
        _adopt_identity(source, target)  # before repair: the collection it keeps is this one
        target.repair()
        planned = [_planned(source.catalog, a.article_id, target) for a in _articles(source)]
        todo = [p for p in planned if p.status == "added"]
        report.unchanged = [p.article.article_id for p in planned if p.status == "unchanged"]
        total = sum(len(p.chunks) for p in todo)
        progress("copying", 0, total)
        stories = _stories(source)
        for group in groups(todo, BATCH):
            write_group(target, group, _vectors(source, group), stories)
            report.copied += [p.article.article_id for p in group]
            report.chunks += sum(len(p.chunks) for p in group)
            progress("copying", report.chunks, total)
    report.source, report.target = counts(source), counts(target)
    return report


def _adopt_identity(source: Store, target: Store) -> None:
    """The target records the source's model (so nothing is embedded to learn it) and, when
    both keep their vectors in the same local Chroma, the source's collection."""
    with target.catalog.transaction() as tx:
        for key in ("embed_model", "dimension"):
            value = source.catalog.get_meta(key)
            if value and not target.catalog.get_meta(key):
                target.catalog.set_meta(tx, key, value)
        if not target.chroma_url and target.data_dir == source.data_dir:
            target.catalog.set_meta(tx, "collection", source.vectors.name)
    target.__dict__.pop("vectors", None)


def _articles(source: Store) -> list[Any]:
    return sorted(source.catalog.articles(), key=lambda a: a.article_id)


def _planned(catalog: Catalog, article_id: str, target: Store) -> Planned:
    row = catalog.lookup(article_id)
    assert row is not None
    article, planted = article_of(row), flagged_spans(row)
    chunks = [
        Chunk(
            chunk_id,
            article_id,
            position,
            start,
            end,
            article.text[start:end],
            "",
            within(planted, start, end),
        )
        for chunk_id, position, start, end in catalog.chunk_spans(article_id)
    ]
    stored = target.catalog.lookup(article_id)
    same = stored is not None and stored["content_hash"] == article.content_hash
    return Planned(article, chunks, "unchanged" if same else "added")


def _stories(source: Store) -> dict[str, Match]:
    """The source's stories, signatures included, stored with the copied articles (an article
    stored before stories has none: the target's next write finds its story)."""
    signatures = {r["article_id"]: bytes(r["signature"]) for r in source.stories.signatures()}
    return {
        article_id: replace(match, signature=signatures[article_id])
        for article_id, match in source.stories.matches().items()
        if article_id in signatures
    }


def _vectors(source: Store, group: list[Planned]) -> list[Any]:
    """The stored vectors of a group's chunks, in order."""
    ids = [c.chunk_id for p in group for c in p.chunks]
    found = source.collection.get(ids=ids, include=["embeddings"])
    by_id = dict(zip(found["ids"], found["embeddings"], strict=True))
    missing = [i for i in ids if i not in by_id]
    if missing:
        raise StoreError(
            f"{len(missing)} chunks of this archive have no vector (first: {missing[0]}):"
            " run `rag reindex` here, then migrate again"
        )
    return [list(map(float, by_id[i])) for i in ids]
