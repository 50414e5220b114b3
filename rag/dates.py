"""What date a question asks for, and how well a date mention gives it: "On what date" wants
a day of a month, "which year" a year, "which month" a month; a date said relative to the
article's day ("next year", "Wednesday") is never the date asked for."""

from __future__ import annotations

import re

from rag.quantities import MONTHS, WEEKDAYS

# a month by name or abbreviation ("April", "Sept."), or a weekday (`rag.quantities`' lists)
_MONTH_NAMES = (
    r"\b(?:" + "|".join(dict.fromkeys([*MONTHS, *(m[:3] for m in MONTHS), "sept"])) + r")\b"
)
_WEEKDAY_NAMES = r"\b(?:" + "|".join(WEEKDAYS) + r")\b"
# "next year", "last week", "the weekend": said relative to the article's day, never the
# date asked for, where the text gives no number, month or weekday
RELATIVE_DATE = 0.3
_RELATIVE = re.compile(
    r"^(?!.*(?:\d|" + _MONTH_NAMES + "|" + _WEEKDAY_NAMES + "))"
    r".*\b(?:next|last|this|past|coming|recent|ago|earlier|later|today|tonight|tomorrow|"
    r"yesterday|weekend|week|month|year|years|decade|decades)\b",
    re.IGNORECASE,
)
_YEAR = r"\b(?:1[89]|20)\d\d\b"
YEAR = re.compile(_YEAR)
# a day of a month, with its year where given: "December 21", "June 28, 1894", "21 December"
DAY_OF_MONTH = re.compile(
    rf"{_MONTH_NAMES}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?\b(?:,?\s+{_YEAR})?|"
    rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH_NAMES}(?:,?\s+{_YEAR})?",
    re.IGNORECASE,
)
_UNIT = re.compile(r"\b(?:what|which)\s+(year|date|month)\b", re.IGNORECASE)
_PART_DATE = 0.6  # a date short of the unit asked ("in April" for "On what date ...?")


def asked_unit(question: str) -> str | None:
    """ "year", "date" or "month" where the question asks "which year" and the like."""
    unit = _UNIT.search(question)
    return unit.group(1).lower() if unit else None


def date_fit(text: str, question: str) -> float:
    """A date fits as far as it is a date of the unit asked: "On what date" wants a day of a
    month ("April 11"), "In which year" a year, "Which month" a month; a relative date
    ("next year") fits no question."""
    if _RELATIVE.search(text):
        return RELATIVE_DATE
    wanted = asked_unit(question)
    if wanted is None:
        return 1.0
    month = re.search(_MONTH_NAMES, text, re.IGNORECASE) is not None
    if wanted == "year":  # "the first Monday" is no year at all
        return 1.0 if YEAR.search(text) else RELATIVE_DATE
    if wanted == "month":
        return 1.0 if month else _PART_DATE
    day = re.search(r"\b\d{1,2}(?:st|nd|rd|th)?\b", text) is not None
    if (month and day) or re.search(r"\d{1,2}/\d{1,2}", text):
        return 1.0
    # a weekday alone ("Wednesday") is a day of the article's week, not the date asked
    return RELATIVE_DATE if not month and re.search(_WEEKDAY_NAMES, text, re.I) else _PART_DATE


# the span of days before the question's day that a relative time in it covers: "this week",
# "last weekend", "on Tuesday" (within the week), "last week", "this month", "last month"
_ASKED_WINDOWS = (
    (rf"\b(?:today|yesterday|this week(?:end)?|last weekend|on {_WEEKDAY_NAMES})", 7),
    (r"\blast week\b", 14),
    (r"\bthis month\b", 31),
    (r"\blast month\b", 62),
)


def asked_window(question: str) -> int | None:
    """How many days back from the question's day the time it names reaches ("this week": 7),
    or None where it names no such time."""
    for pattern, days in _ASKED_WINDOWS:
        if re.search(pattern, question, re.IGNORECASE):
            return days
    return None
