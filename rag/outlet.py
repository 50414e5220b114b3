"""A web page's outlet from its own metadata: `og:site_name`, the JSON-LD publisher, the suffix
of its `<title>` ("Relief camps ... | The Sindh Courier"), then the site of its URL."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

SITE_META = ("og:site_name", "application-name", "publisher", "dc.publisher")
_TITLE_SEPARATORS = re.compile(r"\s+(?:\||-|–|—|::|·|•)\s+")
MAX_OUTLET_WORDS = 6


def page_outlet(html: str, title: str | None = None, url: str | None = None) -> str | None:
    """The outlet that published the page, or None when nothing names it."""
    tree = _parse(html)
    if tree is not None:
        for found in (_meta_site(tree), _json_ld_publisher(tree), _title_suffix(tree, title)):
            if found:
                return found
    return site_of(url)


def site_of(url: str | None) -> str | None:
    """'www.dawn.com' -> 'dawn.com'; None for anything that is not an http(s) URL."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    if parts.scheme.lower() not in {"http", "https"} or not host:
        return None
    return host.removeprefix("www.")


def _parse(html: str) -> Any:
    import lxml.html

    try:
        return lxml.html.fromstring(html)
    except Exception:  # noqa: BLE001 - lxml raises several kinds for empty or broken markup
        return None


def _clean(value: Any) -> str | None:
    text = " ".join(str(value or "").split())
    return text if text and len(text.split()) <= MAX_OUTLET_WORDS else None


def _meta_site(tree: Any) -> str | None:
    for element in tree.iter("meta"):
        name = (element.get("property") or element.get("name") or "").strip().lower()
        if name in SITE_META and _clean(element.get("content")):
            return _clean(element.get("content"))
    return None


def _json_ld_publisher(tree: Any) -> str | None:
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        try:
            data = json.loads(script.text or "")
        except ValueError:
            continue
        for item in _items(data):
            publisher = item.get("publisher")
            if isinstance(publisher, list):
                publisher = publisher[0] if publisher else None
            name = publisher.get("name") if isinstance(publisher, dict) else publisher
            if _clean(name):
                return _clean(name)
    return None


def _items(data: Any) -> Iterator[dict[str, Any]]:
    """Every JSON-LD object, including those inside lists and `@graph`."""
    if isinstance(data, list):
        for entry in data:
            yield from _items(entry)
    elif isinstance(data, dict):
        yield data
        yield from _items(data.get("@graph"))


def _title_suffix(tree: Any, title: str | None) -> str | None:
    """The last part of "Headline | Outlet" when the headline is the article's title."""
    element = tree.find(".//title")
    full = " ".join((element.text_content() if element is not None else "").split())
    parts = _TITLE_SEPARATORS.split(full)
    if len(parts) < 2:
        return None
    headline, suffix = " - ".join(parts[:-1]), parts[-1]
    if title and not _same_start(headline, title):
        return None
    return _clean(suffix)


def _same_start(headline: str, title: str) -> bool:
    def words(text: str) -> list[str]:
        return re.findall(r"\w+", text.lower())

    first, second = words(headline), words(title)
    size = min(len(first), len(second), 6)
    return size > 0 and first[:size] == second[:size]
