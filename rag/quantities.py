"""Numbers, amounts and dates in a text, normalised so that two texts can be compared:
"40 million" and "40,000,000" are one value, "5%" and "5 percent" one share; years, months
and weekdays are kept apart from other numbers."""

from __future__ import annotations

import re

WEEKDAYS = "monday tuesday wednesday thursday friday saturday sunday".split()
MONTHS = (
    "january february march april may june july august september october november december"
).split()
_WEEKDAY = re.compile(r"\b(" + "|".join(WEEKDAYS) + r")\b", re.IGNORECASE)
_MONTH = re.compile(r"\b(" + "|".join(m.title() for m in MONTHS) + r")\b")
_YEAR = re.compile(r"(?<![\w.,$])((?:1[89]|20)\d\d)(?![\w%]|[.,]\d)")
_NUMBER = re.compile(
    r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?:st|nd|rd|th)?\s*"
    r"(%|percent\b|per cent\b|trillion\b|billion\b|million\b|thousand\b|bn\b|m\b|k\b)?",
    re.IGNORECASE,
)
_WORD_NUMBERS = {
    w: n
    for n, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen twenty".split()
    )
    if n >= 2
} | {"thirty": 30, "forty": 40, "fifty": 50, "hundred": 100, "dozen": 12}
_NUMBER_WORD = re.compile(r"\b(" + "|".join(_WORD_NUMBERS) + r")\b", re.IGNORECASE)
_SCALE = {"trillion": 1e12, "billion": 1e9, "bn": 1e9, "million": 1e6, "m": 1e6}
_SCALE |= {"thousand": 1e3, "k": 1e3}


def numbers(text: str) -> dict[str, str]:
    """Amounts, counts and percentages by value ("40 million" -> "40000000"); years are dates."""
    found: dict[str, str] = {}
    without_years = _YEAR.sub(" ", text)
    for match in _NUMBER.finditer(without_years):
        digits, fraction, unit = match.group(1), match.group(2) or "", (match.group(3) or "")
        value = float(digits.replace(",", "") + fraction)
        unit = unit.lower()
        if unit in ("%", "percent", "per cent"):
            found[f"{_plain(value)}%"] = match.group().strip()
        value *= _SCALE.get(unit, 1.0)
        found[_plain(value)] = match.group().strip()
    for match in _NUMBER_WORD.finditer(text):
        found.setdefault(str(_WORD_NUMBERS[match.group(1).lower()]), match.group(1))
    return found


def _plain(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:g}"


def times(text: str) -> dict[str, str]:
    found = {f"weekday:{m.group(1).lower()}": m.group(1) for m in _WEEKDAY.finditer(text)}
    found |= {f"month:{m.group(1).lower()}": m.group(1) for m in _MONTH.finditer(text)}
    found |= {f"year:{m.group(1)}": m.group(1) for m in _YEAR.finditer(text)}
    return found
