"""Safe rendering of untrusted text: markdown escaping, http(s)-only links, and HTML with
highlighted spans built from escaped pieces. Pure functions, no Streamlit."""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

_ASCII_PUNCT = re.compile(r"([!-/:-@\[-`{-~])")
_MARKER = re.compile(r"\[(\d+)\]")
_AUTOLINK = re.compile(r"(?i)\b(?:https?(?=:)|www(?=\.)|mailto(?=:)|xmpp(?=:))")
WORD_JOINER = "\u2060"
_TEXT_STYLE = "white-space:pre-wrap;line-height:1.6;font-size:1rem;overflow-wrap:anywhere"
_BADGE_STYLE = (
    "display:inline-block;min-width:1.2em;padding:0 0.35em;margin:0 0.1em;border-radius:0.6em;"
    "background:rgba(28,131,225,0.12);color:#1c6ec4;font-size:0.75em;font-weight:600;"
    "line-height:1.5;text-align:center;vertical-align:0.15em"
)
_MARK_STYLE = "background:#fde68a;color:#1f2937;padding:0 2px;border-radius:3px"
_INNER_STYLE = "background:#f59e0b;color:#111827;font-weight:700;border-radius:2px;padding:0 1px"
_SHORT_STYLE = "font-weight:700;font-size:1.1rem;line-height:1.5;margin:0 0 0.25rem 0"

_BOX_STYLE = (
    "white-space:pre-wrap;line-height:1.65;font-size:0.95rem;"
    "overflow-wrap:anywhere;margin:0 0 0.5rem 0"
)
_ARTICLE_STYLE = (
    _BOX_STYLE + ";position:relative;max-height:60vh;overflow-y:auto;padding:0.75rem 1rem;"
    "border:1px solid rgba(128,128,128,0.35);border-radius:0.5rem"
)


@dataclass(frozen=True)
class Highlight:
    """A span to mark in a text, with an optional citation number shown after it."""

    start: int
    end: int
    n: int | None = None


def escape_markdown(text: str) -> str:
    """Text that Streamlit's markdown shows literally: every ASCII punctuation backslash-escaped,
    so no link, image, HTML, emphasis, directive or formula can form; bare URLs, `www.` names
    and e-mail addresses get an invisible word joiner so they are not turned into links."""
    text = _AUTOLINK.sub(lambda m: m.group(0) + WORD_JOINER, str(text))
    text = text.replace("@", WORD_JOINER + "@")
    return _ASCII_PUNCT.sub(r"\\\1", text)


def text_html(text: str, css_class: str = "nd-text") -> str:
    """Plain text as an HTML block: escaped, line breaks kept, nothing linked."""
    return f'<div class="{css_class}" style="{_TEXT_STYLE}">{html.escape(str(text))}</div>'


def answer_html(text: str, link_prefix: str | None = None) -> str:
    """An answer's text escaped, with its `[n]` markers as small badges; with a `link_prefix`
    each badge links to the element `<prefix>-<n>` (its source), opened by `chat_script`."""
    prefix = _safe_id(link_prefix) if link_prefix else ""

    def badge(match: re.Match[str]) -> str:
        n = int(match.group(1))
        if not prefix:
            return f'<span style="{_BADGE_STYLE}">{n}</span>'
        target = f"{prefix}-{n}"
        return (
            f'<a class="nd-cite" href="#{target}" data-target="{target}" '
            f'title="Show source {n}" style="{_BADGE_STYLE};text-decoration:none">{n}</a>'
        )

    body = _MARKER.sub(badge, html.escape(str(text)))
    return f'<div class="nd-answer" style="{_TEXT_STYLE}">{body}</div>'


def short_answer_html(text: str) -> str:
    """The reader's short answer ("Kamran Tessori"), escaped, in bold above the quote."""
    return f'<div class="nd-short-answer" style="{_SHORT_STYLE}">{html.escape(str(text))}</div>'


def _safe_id(value: str) -> str:
    return re.sub(r"[^a-z0-9-]", "", str(value).lower())


_UNSUPPORTED_STYLE = "text-decoration:underline wavy #d97706;text-underline-offset:4px"
_WARN_BADGE_STYLE = (
    "display:inline-block;padding:0 0.4em;margin:0 0.15em;border-radius:0.6em;"
    "background:rgba(217,119,6,0.15);color:#b45309;font-size:0.75em;font-weight:600;"
    "line-height:1.5;vertical-align:0.15em"
)


def claims_html(claims: Sequence[Any]) -> str:
    """A checked answer claim by claim (`text`, `supported`, `citations`, `reason`): backed
    claims with their badges; the others underlined, with a "not supported" badge whose
    tooltip says why."""
    parts = []
    for claim in claims:
        text = html.escape(str(claim.text))
        if claim.supported:
            badges = "".join(
                f'<span style="{_BADGE_STYLE}">{int(n)}</span>' for n in claim.citations
            )
            parts.append(text + badges)
            continue
        why = html.escape(f"Not supported: {claim.reason}", quote=True)
        parts.append(
            f'<span class="nd-unsupported" style="{_UNSUPPORTED_STYLE}" title="{why}">{text}</span>'
            f'<span style="{_WARN_BADGE_STYLE}" title="{why}">not supported</span>'
        )
    return f'<div class="nd-answer" style="{_TEXT_STYLE}">{" ".join(parts)}</div>'


def safe_url(url: str | None) -> str | None:
    """The URL when it is an absolute http(s) link, else None."""
    if not url:
        return None
    text = str(url).strip()
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        return None
    if any(ch.isspace() or ord(ch) < 32 for ch in text):
        return None
    return text


def merge(spans: Iterable[Highlight], length: int) -> list[Highlight]:
    """Spans clipped to [0, length], sorted, overlapping ones merged (lowest number kept)."""
    clipped = sorted(
        (Highlight(max(0, s.start), min(length, s.end), s.n) for s in spans),
        key=lambda s: (s.start, s.end),
    )
    merged: list[Highlight] = []
    for span in clipped:
        if span.end <= span.start:
            continue
        if merged and span.start <= merged[-1].end:
            last = merged[-1]
            numbers = [n for n in (last.n, span.n) if n is not None]
            merged[-1] = Highlight(last.start, max(last.end, span.end), min(numbers, default=None))
        else:
            merged.append(span)
    return merged


def highlight_html(
    text: str, spans: Iterable[Highlight], inner: Sequence[tuple[int, int]] = ()
) -> str:
    """`text` HTML-escaped, with each span wrapped in <mark> (and its [n] after it); `inner`
    spans (the short answer) are set in bold with a stronger mark, inside or outside a span."""
    pieces, at = [], 0
    for span in merge(spans, len(text)):
        pieces.append(_inner_html(text, at, span.start, inner))
        marked = _inner_html(text, span.start, span.end, inner)
        pieces.append(f'<mark style="{_MARK_STYLE}">{marked}</mark>')
        if span.n is not None:
            pieces.append(f"<sup><b>[{int(span.n)}]</b></sup>")
        at = span.end
    pieces.append(_inner_html(text, at, len(text), inner))
    return "".join(pieces)


def _inner_html(text: str, start: int, end: int, inner: Sequence[tuple[int, int]]) -> str:
    """text[start:end] escaped, the parts inside `inner` spans wrapped in <strong>."""
    pieces, at = [], start
    for lo, hi in sorted((max(lo, start), min(hi, end)) for lo, hi in inner):
        if hi <= lo or lo < at:
            continue
        pieces.append(html.escape(text[at:lo]))
        pieces.append(f'<strong class="nd-short" style="{_INNER_STYLE}">')
        pieces.append(html.escape(text[lo:hi]) + "</strong>")
        at = hi
    pieces.append(html.escape(text[at:end]))
    return "".join(pieces)


def passage_html(text: str, spans: Iterable[Highlight] = ()) -> str:
    """A passage as a block of escaped text with its highlights."""
    return f'<div class="nd-passage" style="{_BOX_STYLE}">{highlight_html(text, spans)}</div>'


def box_id(*parts: str) -> str:
    """A DOM id made only of hex digits from the given parts (never untrusted text)."""
    return "nd-article-" + hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:12]


def article_html(
    text: str, spans: Iterable[Highlight], element_id: str, inner: Sequence[tuple[int, int]] = ()
) -> str:
    """A whole article in a scrollable box, cited spans marked, `inner` spans in bold."""
    safe_id = re.sub(r"[^a-z0-9-]", "", element_id)
    body = highlight_html(text, spans, inner)
    return f'<div id="{safe_id}" class="nd-article" style="{_ARTICLE_STYLE}">{body}</div>'


def scroll_script(element_id: str) -> str:
    """Our own script (no untrusted text in it): scroll the box to its first <mark>.

    It holds no '<' (Streamlit's sanitiser drops a script whose text looks like markup)."""
    safe_id = re.sub(r"[^a-z0-9-]", "", element_id)
    return (
        "<script>(function(){var tries=0;function go(){"
        f'var box=document.getElementById("{safe_id}");'
        'var mark=box&&box.querySelector("mark");'
        "if(!mark){tries+=1;if(tries!==100){setTimeout(go,50);}return;}"
        "box.scrollTop=Math.max(0,mark.offsetTop-box.clientHeight/3);"
        'box.setAttribute("data-scrolled","1");}go();})();</script>'
    )


def passage_highlights(
    passage_text: str, passage_start: int, quotes: Sequence[tuple[int, int, str, int]]
) -> list[Highlight]:
    """Highlights inside a passage for quotes given as (start, end, quote, n) in article offsets.

    Offsets are made relative to the passage's own start; a quote whose offsets do not land on
    its text (e.g. an old answer after the article changed) is found by searching instead.
    """
    found = []
    for start, end, quote, n in quotes:
        rel_start, rel_end = start - passage_start, end - passage_start
        inside = passage_text[max(0, rel_start) : max(0, rel_end)]
        if rel_end > 0 and rel_start < len(passage_text) and inside and inside in quote:
            found.append(Highlight(rel_start, rel_end, n))
            continue
        at = passage_text.find(quote.strip()) if quote.strip() else -1
        if at >= 0:
            found.append(Highlight(at, at + len(quote.strip()), n))
    return found


def meta_line(source: str | None, published_at: str | None) -> str:
    """'Outlet · 2024-05-01' for a caption (plain text; escape before markdown)."""
    parts = [source or "Unknown outlet", (published_at or "undated")[:10]]
    return " · ".join(parts)


def plural(count: int, noun: str) -> str:
    """'1 article', '3 articles'."""
    return f"{count} {noun}" + ("" if count == 1 else "s")


def one_line(error: BaseException) -> str:
    """The first line of an error's message."""
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__
