"""Syndicated copies made at run time from real articles, for `benchmarks/stories.py`.

A copy gets a new headline, another outlet and a later date, and some of: a boilerplate line
("This story was originally published by ..."), a dropped or an added paragraph (each at most a
fifth of the article), a few per cent of its words changed. Nothing here is stored: the
articles are read from ../shared/data when the benchmark runs.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

OUTLETS = (
    "Harbour Herald",
    "The Daily Courier",
    "Wire Express",
    "Northern Gazette",
    "Metro Ledger",
    "The Evening Post",
    "Valley Times",
    "Capital Dispatch",
)


@dataclass(frozen=True)
class Copy:
    """A made-up copy of a source record, and what was done to it."""

    record: dict[str, Any]
    source_id: str
    edits: tuple[str, ...]


def read_records(path: Path) -> list[dict[str, Any]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def headline(title: str, text: str, rng: random.Random) -> str:
    """A new headline for the same story."""
    lead = " ".join(text.split()[:9]).rstrip(",.;:")
    options = [f"Report: {title}", f"{title}, say officials", lead, f"What we know: {title}"]
    return rng.choice(options)


def _paragraphs(text: str) -> list[str]:
    return [p for p in text.split("\n\n") if p.strip()]


def make_copy(
    record: dict[str, Any],
    n: int,
    rng: random.Random,
    donors: list[dict[str, Any]],
    vocabulary: list[str],
    word_changes: bool = True,
) -> Copy:
    """One copy of `record` (the n-th made), edited as the module docstring says."""
    paragraphs = _paragraphs(record["text"])
    words = len(record["text"].split())
    edits = ["headline", "outlet", "date"]
    if rng.random() < 0.5:
        edits.append("boilerplate")
    edits.append(rng.choice(["dropped", "added", "none"]))
    if word_changes and rng.random() < 0.5:
        edits.append("words")
    if "dropped" in edits:
        small = [i for i, p in enumerate(paragraphs) if i and len(p.split()) <= 0.2 * words]
        if small:
            paragraphs.pop(rng.choice(small))
    if "added" in edits:
        extra = [
            p for p in _paragraphs(rng.choice(donors)["text"]) if len(p.split()) <= 0.2 * words
        ]
        if extra:
            paragraphs.insert(rng.randrange(1, len(paragraphs) + 1), rng.choice(extra))
    text = "\n\n".join(paragraphs)
    if "words" in edits:
        share = rng.uniform(0.02, 0.05)
        tokens = text.split(" ")
        text = " ".join(rng.choice(vocabulary) if rng.random() < share else t for t in tokens)
    outlet = rng.choice(OUTLETS)
    if "boilerplate" in edits:
        text += f"\n\nThis story was originally published by {outlet}."
    day = dt.date(2005, 1, 1) + dt.timedelta(days=rng.randrange(365))
    copy = {
        "id": f"copy-{n:04d}",
        "title": headline(record["title"], record["text"], rng),
        "source": outlet,
        "published_at": day.isoformat(),
        "url": f"https://example.com/{outlet.lower().replace(' ', '-')}/{n}",
        "text": text,
    }
    return Copy(copy, str(record["id"]), tuple(e for e in edits if e != "none"))


def syndication_set(
    records: list[dict[str, Any]], count: int, seed: int, word_changes: bool = True
) -> list[Copy]:
    """`count` copies of distinct records, chosen at random (seeded)."""
    rng = random.Random(seed)
    vocabulary = [w for r in records[:300] for w in r["text"].split()]
    sources = rng.sample(records, count)
    return [make_copy(r, n, rng, records, vocabulary, word_changes) for n, r in enumerate(sources)]
