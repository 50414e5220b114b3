"""What an answer's sources show, as pure functions: one card per article with its cited quotes,
each quote with at most one sentence of context either side; leads one per article; the answer
as plain text with its numbered sources (for the copy button)."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rag.clean import sentence_spans
from ui.provenance import also_line
from ui.render import Highlight, highlight_html, meta_line

if TYPE_CHECKING:
    from rag.answer import Answer, Citation
    from rag.retrieve import Passage

ELLIPSIS = "…"
LABEL_CHARS = 90


@dataclass(frozen=True)
class Snippet:
    """A quote with its context: `text` holds the quote at `start:end` (relative), and the
    short answer at `short` when it lies in it."""

    text: str
    start: int
    end: int
    short: tuple[int, int] | None = None


def by_article(citations: Sequence[Citation]) -> list[list[Citation]]:
    """Citations grouped by article, in the order each article is first cited."""
    groups: dict[str, list[Citation]] = {}
    for citation in citations:
        groups.setdefault(citation.article_id, []).append(citation)
    return list(groups.values())


def one_per_article(passages: Sequence[Passage], limit: int) -> list[Passage]:
    """The best passage of each article, at most `limit` articles (leads of an abstention)."""
    seen: set[str] = set()
    kept = []
    for passage in passages:
        if passage.article_id not in seen:
            seen.add(passage.article_id)
            kept.append(passage)
    return kept[:limit]


def card_label(citations: Sequence[Citation]) -> str:
    """'[1] [3] Title · Outlet · 2024-05-01' on one line (plain text; escape for markdown)."""
    first = citations[0]
    numbers = " ".join(f"[{c.n}]" for c in citations)
    meta = meta_line(first.source, first.published_at)
    title = first.title
    room = LABEL_CHARS - len(numbers) - len(meta) - 4
    if len(title) > max(room, 20):
        title = title[: max(room, 20) - 1].rstrip() + ELLIPSIS
    return f"{numbers} {title} · {meta}"


def snippet(
    citation: Citation, passage_start: int | None, short: Any | None = None
) -> Snippet | None:
    """The cited quote inside its passage with one sentence before and after (within the
    passage), or None when the quote cannot be found in it."""
    text = citation.passage
    located = _locate(text, citation, passage_start)
    if located is None:
        return None
    q_start, q_end = located
    spans = sentence_spans(text) or [(0, len(text))]
    first = next((i for i, (_, e) in enumerate(spans) if e > q_start), 0)
    last = max((i for i, (s, _) in enumerate(spans) if s < q_end), default=first)
    lo = min(spans[max(first - 1, 0)][0], q_start)
    hi = max(spans[min(last + 1, len(spans) - 1)][1], q_end)
    lead, tail = (ELLIPSIS + " " if lo > 0 else ""), (" " + ELLIPSIS if hi < len(text) else "")
    body = lead + text[lo:hi] + tail
    shift = len(lead) - lo
    return Snippet(
        body,
        q_start + shift,
        q_end + shift,
        _short_span(short, citation, text, passage_start, shift),
    )


def _locate(text: str, citation: Citation, passage_start: int | None) -> tuple[int, int] | None:
    if passage_start is not None:
        start, end = citation.start - passage_start, citation.end - passage_start
        if 0 <= start < end <= len(text) and text[start:end] == citation.quote:
            return start, end
    at = text.find(citation.quote) if citation.quote else -1
    return (at, at + len(citation.quote)) if at >= 0 else None


def _short_span(
    short: Any | None, citation: Citation, text: str, passage_start: int | None, shift: int
) -> tuple[int, int] | None:
    """Where the short answer (article offsets start:end) lies in the snippet, if it does."""
    if short is None or getattr(short, "article_id", None) != citation.article_id:
        return None
    if passage_start is not None:
        start, end = short.start - passage_start, short.end - passage_start
        if 0 <= start < end <= len(text) and text[start:end] == short.text:
            return start + shift, end + shift
    return None


def snippet_html(anchor: str, n: int, found: Snippet | None, quote: str) -> str:
    """One cited quote of a card: its number, the context, the quote highlighted and the short
    answer inside it in bold. `anchor` is the element id the `[n]` links of the answer open."""
    if found is None:
        body = highlight_html(quote, [Highlight(0, len(quote))])
    else:
        inner = [found.short] if found.short else []
        body = highlight_html(found.text, [Highlight(found.start, found.end)], inner)
    return (
        f'<div class="nd-quote" id="{anchor}" data-n="{int(n)}" style="{_QUOTE_STYLE}">'
        f"<b>[{int(n)}]</b> {body}</div>"
    )


_QUOTE_STYLE = (  # white-space:normal folds paragraph breaks of the context into spaces
    "white-space:normal;line-height:1.6;font-size:0.95rem;overflow-wrap:anywhere;"
    "margin:0 0 0.4rem 0;padding:0.2rem 0.5rem;border-left:3px solid rgba(28,131,225,0.35);"
    "border-radius:0.25rem;transition:background-color 0.4s"
)


def plain_text(answer: Answer) -> str:
    """The answer as plain text with its numbered sources, for the clipboard."""
    lines = []
    short = getattr(answer, "short_answer", None)
    if short is not None:
        lines += [short.text, ""]
    lines.append(answer.text.strip())
    if answer.citations:
        lines += ["", "Sources:"]
        for c in answer.citations:
            lines.append(f"[{c.n}] {c.title} — {meta_line(c.source, c.published_at)}")
            if c.url:
                lines.append(f"    {c.url}")
            also = also_line(tuple(getattr(c, "also_in", ()) or ()))
            if also:
                lines.append(f"    {also}")
            lines.append(f"    “{' '.join(c.quote.split())}”")
    return "\n".join(lines)


def copy_button_html(text: str, label: str = "Copy") -> str:
    """A button that copies `text` (kept escaped in an attribute) when `chat_script` runs."""
    return (
        f'<button type="button" class="nd-copy" data-copy="{html.escape(text, quote=True)}" '
        f'title="Copy the answer and its sources" style="{_COPY_STYLE}">{html.escape(label)}'
        "</button>"
    )


_COPY_STYLE = (
    "font:inherit;font-size:0.85rem;padding:0.2rem 0.7rem;border-radius:0.5rem;cursor:pointer;"
    "border:1px solid rgba(49,51,63,0.2);background:transparent;color:inherit"
)
