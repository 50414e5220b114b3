"""The shared catalog's keyword index: each chunk's words as a PostgreSQL `tsvector` holding
exactly the tokens SQLite's FTS5 index would (`rag.catalog.tokens`; title words weighted B,
body words D, GIN-indexed), and a postings table derived from the same tokens (term, chunk,
weighted frequency, chunk length) from which BM25 is computed in SQL with the formula of FTS5's
`bm25()`, the per-term document counts and the archive's totals, so both catalogs rank alike.

The postings are what makes BM25 fast: ranking straight from the `tsvector`s unnests every
matching chunk's vector (about 0.5 s per question at 11k chunks); the postings of the
question's terms are a few thousand index rows. `ts_rank`, PostgreSQL's own ranking over the
`tsvector`s, is kept for comparison."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from rag.catalog import TITLE_WEIGHT, Filters, filter_sql, keyword_terms, stems, tokens
from rag.chunk import Chunk

RANKINGS = ("bm25", "ts_rank")


@dataclass
class IndexRows:
    """What one article's chunks add to the keyword index."""

    chunks: list[tuple[Any, ...]]  # (id, article, position, start, end, tsvector, tokens)
    postings: list[tuple[Any, ...]]  # (term, chunk id, article id, frequency, chunk tokens)
    docs: Counter[str]  # term -> in how many of these chunks it occurs


def index_rows(title: str, chunks: Sequence[Chunk]) -> IndexRows:
    """The rows to insert for an article's chunks (its title's words count in each chunk)."""
    found = tokens([(title, chunk.searchable) for chunk in chunks])
    rows = IndexRows([], [], Counter())
    for c, (t, b) in zip(chunks, found, strict=True):
        size = len(t) + len(b)
        rows.chunks.append(
            (c.chunk_id, c.article_id, c.position, c.start, c.end, tsvector(t, b), size)
        )
        frequencies: dict[str, float] = dict.fromkeys(t + b, 0.0)
        for term in t:
            frequencies[term] += TITLE_WEIGHT
        for term in b:
            frequencies[term] += 1.0
        rows.postings += [
            (term, c.chunk_id, c.article_id, f, size) for term, f in frequencies.items()
        ]
        rows.docs.update(frequencies.keys())
    return rows


def ranked(text: str, limit: int, filters: Filters, ranking: str) -> tuple[str, list[Any]] | None:
    """The SQL (and its arguments) ranking chunks for the content words of `text`; None when it
    has none."""
    terms = [t for t in stems(keyword_terms(text)) if t]
    if not terms:
        return None
    where, params = filter_sql(filters, "%s")
    query = tsquery(terms)
    if ranking == "ts_rank":
        return _TS_RANK.format(where=where), [query, query, *params, limit]
    return _BM25.format(where=where), [terms, terms, *params, limit]


def tsvector(title_tokens: Sequence[str], body_tokens: Sequence[str]) -> str:
    """A `tsvector` literal: title tokens at positions 1.. weighted B, body tokens after them."""
    where: dict[str, list[str]] = {}
    for n, term in enumerate(title_tokens, start=1):
        where.setdefault(term, []).append(f"{n}B")
    for n, term in enumerate(body_tokens, start=len(title_tokens) + 1):
        where.setdefault(term, []).append(str(min(n, 16383)))
    return " ".join(f"{_quoted(t)}:{','.join(p[:256])}" for t, p in where.items())


def tsquery(terms: Iterable[str]) -> str:
    """A `tsquery` literal matching any of the terms."""
    return " | ".join(_quoted(t) for t in terms)


def _quoted(term: str) -> str:
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


_BM25 = """
WITH q AS (SELECT term FROM unnest(%s::text[]) AS term),
tot AS (SELECT chunks::float8 AS n, CASE WHEN chunks > 0 THEN tokens::float8 / chunks
        ELSE 1 END AS avgdl FROM totals),
idf AS (SELECT q.term, greatest(ln((tot.n - coalesce(t.docs, 0) + 0.5)
        / (coalesce(t.docs, 0) + 0.5)), 1e-6) AS idf
        FROM q CROSS JOIN tot LEFT JOIN terms t USING (term))
SELECT p.chunk_id, sum(i.idf * p.f * 2.2 / (p.f + 1.2 * (0.25 + 0.75 * p.tokens / tot.avgdl)))
       AS score
FROM postings p JOIN idf i USING (term) JOIN articles a USING (article_id) CROSS JOIN tot
WHERE p.term = ANY(%s::text[]) {where}
GROUP BY p.chunk_id ORDER BY score DESC, p.chunk_id LIMIT %s
"""

_TS_RANK = f"""
SELECT c.chunk_id, ts_rank('{{{{1.0, 0, {TITLE_WEIGHT}, 0}}}}', c.keywords, %s::tsquery, 1) AS score
FROM chunks c JOIN articles a USING (article_id)
WHERE c.keywords @@ %s::tsquery {{where}} ORDER BY score DESC, c.chunk_id LIMIT %s
"""
