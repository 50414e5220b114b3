"""Text cleaning, date normalisation and sentence spans: shared by ingest and cite."""

from __future__ import annotations

import datetime as dt
import html
import re
import unicodedata

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\u200e\u200f\ufeff]")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_BOILERPLATE = re.compile(
    r"^(advertisement|advertisements|sponsored|related( articles| stories| coverage)?:?|"
    r"read more:?|share this( article| story)?|sign up for .*newsletter.*|"
    r"(click|tap) here .*|follow us on .*|all rights reserved\.?|skip to (main )?content)$",
    re.IGNORECASE,
)
_SEPARATOR = re.compile(r"^[-–—_*=|•·~#]{1,}$")
_SENTENCE_END = (".", "!", "?", '"', "”", "’", "'", ")", ":", ";")


def normalise(text: str) -> str:
    """HTML entities decoded ("&#x27;" -> "'"), Unicode NFKC, unified newlines, no control
    characters, single spaces."""
    text = html.unescape(text) if "&" in text else text
    text = unicodedata.normalize("NFKC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    return "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n"))


def paragraphs(text: str) -> list[str]:
    """Split normalised text into paragraphs.

    With blank lines present they separate paragraphs (wrapped lines are joined);
    without any, each line is a paragraph.
    """
    if re.search(r"\n\s*\n", text):
        blocks = re.split(r"\n\s*\n", text)
        return [" ".join(b.split("\n")).strip() for b in blocks if b.strip()]
    return [line for line in text.split("\n") if line.strip()]


def _looks_like_chrome(line: str) -> bool:
    if _SEPARATOR.match(line) or line.endswith((" -", " |", " •")):
        return True
    return len(line.split()) <= 18 and not line.endswith(_SENTENCE_END)


def drop_chrome(paras: list[str]) -> list[str]:
    """Remove boilerplate lines and a trailing run of unrelated headlines or separators."""
    kept = [p for p in paras if not _BOILERPLATE.match(p)]
    end = len(kept)
    while end > 0 and _looks_like_chrome(kept[end - 1]):
        end -= 1
    tail = kept[end:]
    if len(tail) >= 3 or any(_SEPARATOR.match(p) for p in tail):
        kept = kept[:end]
    while kept and _SEPARATOR.match(kept[-1]):
        kept.pop()
    return kept


def clean_text(text: str) -> str:
    """Normalised article body: paragraphs joined by blank lines, page chrome dropped."""
    return "\n\n".join(drop_chrome(paragraphs(normalise(text))))


# Images, links, headings, quotes, rules, strong, emphasis, code. Spans are bounded so that
# unclosed markup costs linear time, not quadratic.
_MARKDOWN = (
    (re.compile(r"!\[[^\]]{0,300}\]\([^)]{0,2000}\)"), ""),  # images
    (re.compile(r"\[([^\]]{1,300})\]\([^)]{0,2000}\)"), r"\1"),  # links keep their text
    (re.compile(r"^ {0,3}#{1,6}[ \t]+(.*)$", re.M), lambda m: m.group(1).rstrip(" \t#")),
    (re.compile(r"^ {0,3}>[ \t]?", re.M), ""),  # block quotes
    (re.compile(r"^ {0,3}([-*_])([ \t]*\1){2,}[ \t]*$", re.M), ""),  # rules
    (re.compile(r"(\*\*|__)(?=\S)(.{1,300}?)(?<=\S)\1"), r"\2"),  # strong
    (re.compile(r"(?<![\w*])\*(?=[^\s*])(.{1,300}?)(?<=[^\s*])\*(?![\w*])"), r"\1"),  # emphasis
    (re.compile(r"(?<![\w_])_(?=[^\s_])(.{1,300}?)(?<=[^\s_])_(?![\w_])"), r"\1"),
    (re.compile(r"`([^`\n]+)`"), r"\1"),  # inline code
)


def strip_markdown(text: str) -> str:
    """Plain text of Markdown: headings, emphasis, links, images and rules unmarked."""
    for pattern, replacement in _MARKDOWN:
        text = pattern.sub(replacement, text)
    return text


_DEFAULTS = (dt.datetime(2000, 1, 1, 0, 0, 0), dt.datetime(2001, 2, 2, 1, 1, 1))


def parse_date(value: object) -> str | None:
    """Normalise a date in any common form to ISO 8601; None when unknown (never invented)."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _from_epoch(float(value))
    text = str(value).strip()
    if re.fullmatch(r"\d{9,10}(\.\d+)?|\d{12,13}", text):
        return _from_epoch(float(text))
    if re.fullmatch(r"\d{8}", text):
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    return _parse_text_date(text)


def _from_epoch(seconds: float) -> str | None:
    if seconds > 1e11:
        seconds /= 1000.0
    try:
        return dt.datetime.fromtimestamp(seconds, tz=dt.UTC).isoformat()
    except (OverflowError, OSError, ValueError):
        return None


def _parse_text_date(text: str) -> str | None:
    from dateutil import parser

    try:
        first, second = (parser.parse(text, default=d) for d in _DEFAULTS)
    except (ValueError, OverflowError, parser.ParserError):
        return None
    if first.year != second.year or not 1800 <= first.year <= 2200:
        return None
    if first.month != second.month:
        return f"{first.year:04d}"
    if first.day != second.day:
        return f"{first.year:04d}-{first.month:02d}"
    if first.hour == second.hour and first.minute == second.minute:
        return first.isoformat()
    return first.date().isoformat()


def date_key(iso: str | None) -> int | None:
    """Days since 1970-01-01 of an ISO date prefix (partial dates count from their start)."""
    if not iso:
        return None
    parts = re.match(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", iso)
    if not parts:
        return None
    year, month, day = (int(p) if p else 1 for p in parts.groups())
    try:
        return (dt.date(year, month, day) - dt.date(1970, 1, 1)).days
    except ValueError:
        return None


_ABBREVIATIONS = {
    "mr",
    "mrs",
    "ms",
    "dr",
    "prof",
    "st",
    "jr",
    "sr",
    "gen",
    "gov",
    "sen",
    "rep",
    "lt",
    "col",
    "capt",
    "sgt",
    "inc",
    "co",
    "corp",
    "ltd",
    "vs",
    "etc",
    "e.g",
    "i.e",
    "u.s",
    "u.k",
    "u.n",
    "no",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "mt",
    "ft",
    "approx",
    "dept",
    "est",
    "fig",
    "rev",
    "hon",
    "pres",
    "supt",
    "messrs",
}
_BOUNDARY = re.compile(r"[.!?]+[\"”’')\]]*\s+|\n+")
_NEXT_STARTS = re.compile(r"[\"“‘'(\[]?[A-Z0-9]")
_LAST_WORD = re.compile(r"([\w.]+)$")  # searched in a short window: linear in the text


def sentence_spans(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """(start, end) character spans of the sentences in `text`, shifted by `offset`."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        if "\n" not in match.group() and not _is_break(text, match):
            continue
        end = match.start() + len(match.group().rstrip())
        if text[start:end].strip():
            spans.append(_trim(text, start, end))
        start = match.end()
    if text[start:].strip():
        spans.append(_trim(text, start, len(text)))
    return [(s + offset, e + offset) for s, e in spans]


def _is_break(text: str, match: re.Match[str]) -> bool:
    if not _NEXT_STARTS.match(text, match.end()):
        return False
    if text[match.start()] != ".":
        return True
    word = _LAST_WORD.search(text, max(0, match.start() - 64), match.start())
    if not word:
        return True
    token = word.group(1).lower()
    if token in _ABBREVIATIONS:
        return False
    return not (len(token) == 1 and token.isalpha())


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
