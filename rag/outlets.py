"""Outlets named in a question: the archive's own ("as reported by The Verge"), and the ones it
does not hold ("an article by The Times of India"), which no passage can answer for."""

from __future__ import annotations

import re
from collections.abc import Sequence

_WORD = r"[A-Z][\w'’.&-]*"
_NAME = rf"({_WORD}(?:\s+(?:of\s+|and\s+(?={_WORD}\s+(?:Times|News|Post)))?{_WORD})*)"
_OPEN = r"(?:the\s+)?['‘\"“]?"
_CUES = tuple(
    re.compile(cue)
    for cue in (
        rf"\b(?:article|report|story|piece|coverage)s?\s+(?:from|by|in|of)\s+{_OPEN}{_NAME}",
        rf"\b(?:according to|reported by|as reported in|published by|as per)\s+(?:both\s+)?"
        rf"{_OPEN}{_NAME}",
        rf"\b(?:an?|the|another)\s+['‘\"“]?{_NAME}['’\"”]?\s+(?:article|report|story|piece)\b",
        rf"\banother\s+(?:one\s+)?(?:by|from|in)\s+{_OPEN}{_NAME}",
        rf"\b(?:on|at)\s+the\s+{_NAME}\s+(?:website|site|blog)\b",
    )
)


def outlet_key(name: str) -> str:
    """An outlet's distinctive name: 'Cnbc | World Business News Leader' -> 'cnbc',
    'FOX News - Health' -> 'fox news'."""
    return re.split(r"\s+[|–-]\s+", name.strip())[0].lower().strip()


def own_outlet(key: str, source: str | None) -> bool:
    """A candidate's key (`rag.mentions.normalise_key`) is the outlet that published the
    report ("eyewitnesses told CNN" in a CNN article, whose source may read "cnn.com" or
    "CNN | World"): the report's byline, not its news."""
    if not source:
        return False
    outlet = re.sub(r"\.(com|co\.uk|org|net)$", "", outlet_key(source))
    return key.replace(" ", "") == re.sub(r"[^\w]", "", outlet)


def outlet_in(text: str, outlets: Sequence[str]) -> str | None:
    """The archive outlet a text names first ("the article from The Verge suggests ... as in
    the TechCrunch article" is The Verge's): by its full name (the longest of those starting
    there), else by a distinctive name that only one outlet has; None when it names none (or
    cannot tell which)."""
    lowered = text.lower()
    full = [o for o in outlets if o and o.lower() in lowered]
    if full:
        return min(full, key=lambda o: (lowered.index(o.lower()), -len(o)))
    keyed = [o for o in outlets if o and _mentions(lowered, outlet_key(o))]
    return keyed[0] if len({outlet_key(o) for o in keyed}) == 1 and len(keyed) == 1 else None


def _mentions(lowered: str, key: str) -> bool:
    return bool(key) and re.search(rf"(?<!\w){re.escape(key)}(?!\w)", lowered) is not None


def named_outlets(question: str, outlets: Sequence[str]) -> list[str]:
    """Every archive outlet the question names."""
    lowered = question.lower()
    full = [o for o in outlets if o and o.lower() in lowered]
    by_key: dict[str, list[str]] = {}
    for o in outlets:
        if o and o not in full and _mentions(lowered, outlet_key(o)):
            by_key.setdefault(outlet_key(o), []).append(o)
    covered = {outlet_key(o) for o in full}
    return full + [
        names[0] for key, names in by_key.items() if len(names) == 1 and key not in covered
    ]


# a question names unknown outlets only where it speaks of articles: "according to the CDC",
# "a report by Amnesty International" name the source of a fact, not a news outlet
_ABOUT_ARTICLES = re.compile(
    r"\b(?:articles?|stor(?:y|ies)|coverage|pieces?|outlets?|websites?|blogs?|newspapers?)\b",
    re.IGNORECASE,
)


def unknown_outlets(question: str, outlets: Sequence[str]) -> list[str]:
    """Outlet names the question gives as sources ("an article by The Hindu") that are not
    among the archive's outlets."""
    if not _ABOUT_ARTICLES.search(question):
        return []
    keys = {outlet_key(o) for o in outlets} | {o.lower() for o in outlets}
    found: list[str] = []
    for cue in _CUES:
        for match in cue.finditer(question):
            name = match.group(1).strip(" .")
            if re.search(r"['’]s?$", name):  # "according to Fiji's minister": not an outlet
                continue
            lowered = re.sub(r"^the\s+", "", name.lower())
            if len(name) < 3 or any(lowered in k or _mentions(lowered, k) for k in keys):
                continue
            if name not in found:
                found.append(name)
    return found
