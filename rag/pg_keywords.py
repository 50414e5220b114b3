"""The shared catalog's keyword index: each chunk's words as a PostgreSQL `tsvector` holding
exactly the tokens SQLite's FTS5 index would (`rag.catalog.tokens`; title words weighted B,
body words D), matched through a GIN index and ranked by BM25 computed in SQL (the formula of
FTS5's `bm25()`, from those weights, the per-term document counts and the archive's totals),
so both catalogs rank alike. `ts_rank`, PostgreSQL's own ranking, is kept for comparison."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from rag.catalog import TITLE_WEIGHT, Filters, filter_sql, keyword_terms, stems, tokens
from rag.chunk import Chunk

RANKINGS = ("bm25", "ts_rank")


def index_rows(title: str, chunks: Sequence[Chunk]) -> tuple[list[tuple[Any, ...]], Counter[str]]:
    """The chunk rows to insert (id, article, position, start, end, tsvector, tokens) and, for
    each term, in how many of these chunks it occurs."""
    found = tokens([(title, chunk.text) for chunk in chunks])
    rows = [
        (c.chunk_id, c.article_id, c.position, c.start, c.end, tsvector(t, b), len(t) + len(b))
        for c, (t, b) in zip(chunks, found, strict=True)
    ]
    return rows, Counter(term for t, b in found for term in set(t) | set(b))


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
    return _BM25.format(where=where), [terms, query, terms, *params, limit]


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


_BM25 = f"""
WITH q AS (SELECT term FROM unnest(%s::text[]) AS term),
tot AS (SELECT chunks::float8 AS n, CASE WHEN chunks > 0 THEN tokens::float8 / chunks
        ELSE 1 END AS avgdl FROM totals),
idf AS (SELECT q.term, greatest(ln((tot.n - coalesce(t.docs, 0) + 0.5)
        / (coalesce(t.docs, 0) + 0.5)), 1e-6) AS idf
        FROM q CROSS JOIN tot LEFT JOIN terms t USING (term)),
hits AS (SELECT c.chunk_id, c.tokens, u.lexeme,
         {TITLE_WEIGHT} * cardinality(array_positions(u.weights, 'B'))
         + cardinality(array_positions(u.weights, 'D')) AS f
         FROM chunks c JOIN articles a USING (article_id) CROSS JOIN LATERAL unnest(c.keywords) u
         WHERE c.keywords @@ %s::tsquery AND u.lexeme = ANY(%s::text[]) {{where}})
SELECT h.chunk_id, sum(i.idf * h.f * 2.2 / (h.f + 1.2 * (0.25 + 0.75 * h.tokens / tot.avgdl)))
       AS score
FROM hits h JOIN idf i ON i.term = h.lexeme CROSS JOIN tot
GROUP BY h.chunk_id ORDER BY score DESC, h.chunk_id LIMIT %s
"""

_TS_RANK = f"""
SELECT c.chunk_id, ts_rank('{{{{1.0, 0, {TITLE_WEIGHT}, 0}}}}', c.keywords, %s::tsquery, 1) AS score
FROM chunks c JOIN articles a USING (article_id)
WHERE c.keywords @@ %s::tsquery {{where}} ORDER BY score DESC, c.chunk_id LIMIT %s
"""
