"""Where else a cited story ran, as pure functions: "Also reported by The Verge, Reuters (+3)"
with links to those copies, and "First reported by Coastal Wire on 2024-03-05" where dates
exist. Every outlet, title and URL is untrusted: escaped, links only http(s)."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from ui.render import safe_url

NAMED = 2  # outlets named before "(+N)"
_STYLE = "font-size:0.85rem;line-height:1.5;margin:0.2rem 0 0.4rem 0;opacity:0.85"
_LIST_STYLE = "margin:0.2rem 0 0 1.1rem;padding:0"


def _outlet(copy: Any) -> str:
    return str(copy.source or copy.title or "an unknown outlet")


def also_line(copies: Sequence[Any]) -> str:
    """'Also reported by The Verge, Reuters (+3)' (plain text), '' without copies."""
    if not copies:
        return ""
    names = [_outlet(c) for c in copies[:NAMED]]
    more = f" (+{len(copies) - NAMED})" if len(copies) > NAMED else ""
    return f"Also reported by {', '.join(names)}{more}"


def first_line(cited: Any, copies: Sequence[Any]) -> str:
    """'First reported by Coastal Wire on 2024-03-05': the earliest dated copy of the story
    (the cited one included); '' without copies or dates."""
    if not copies:
        return ""
    dated = [c for c in (cited, *copies) if c.published_at]
    if not dated:
        return ""
    first = min(dated, key=lambda c: c.published_at[:10])
    return f"First reported by {_outlet(first)} on {first.published_at[:10]}"


def _link(copy: Any, text: str) -> str:
    url = safe_url(copy.url)
    label = html.escape(text)
    if not url:
        return label
    return (
        f'<a href="{html.escape(url, quote=True)}" target="_blank" rel="noopener noreferrer"'
        f' title="{html.escape(copy.title or "", quote=True)}">{label}</a>'
    )


def provenance_html(cited: Any, copies: Sequence[Any]) -> str:
    """The source card's provenance block: the two lines above, the named outlets linked, and
    every copy listed (outlet, date, headline, link)."""
    if not copies:
        return ""
    named = ", ".join(_link(c, _outlet(c)) for c in copies[:NAMED])
    more = f" (+{len(copies) - NAMED})" if len(copies) > NAMED else ""
    lines = [f"Also reported by {named}{html.escape(more)}"]
    first = first_line(cited, copies)
    if first:
        lines.append(html.escape(first))
    items = "".join(
        f"<li>{_link(c, _outlet(c))} · {html.escape((c.published_at or 'undated')[:10])}"
        f" · {html.escape(c.title or '')}</li>"
        for c in copies
    )
    return (
        f'<div class="nd-also" style="{_STYLE}">{"<br>".join(lines)}'
        f'<ul style="{_LIST_STYLE}">{items}</ul></div>'
    )
