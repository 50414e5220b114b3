"""How a chosen candidate is said: without the words the question already says, and a
nationality as its country when a place is asked."""

from __future__ import annotations

import re
from dataclasses import replace

from rag.candidates import question_words
from rag.mentions import NOUN_PHRASE, Mention, normalise_key
from rag.places import country_of
from rag.question import PERSON, PLACE, Analysis


def stated(mention: Mention, analysis: Analysis) -> str:
    """The answer as said: the mention, or the country of a nationality when a place is asked
    ("Syrian" -> "Syria")."""
    text = " ".join(mention.text.split())
    if mention.label == "NORP" and analysis.answer_type == PLACE:
        return country_of(text) or text
    return text


def trimmed(mention: Mention, analysis: Analysis) -> Mention:
    """The mention without what the question already says: a person's title in front ("Sindh
    Governor Kamran Tessori" -> "Kamran Tessori" for "Who is the governor of Sindh?"), and
    the question's words a common phrase ends with, then those it starts with ("the US
    monkeypox outbreak" -> "monkeypox" for "Which US virus outbreak ...?"). A capitalised
    word is part of a name ("Columbia University") and stays."""
    words = list(re.finditer(r"\S+", mention.text))
    asked = question_words(analysis)
    first, last = 0, len(words)
    if mention.label == NOUN_PHRASE:
        while last > 1 and words[last - 1].group().islower() and _said(words[last - 1], asked):
            last -= 1
    person = mention.label == "PERSON" or (
        mention.label == NOUN_PHRASE and analysis.answer_type == PERSON
    )
    if person or last < len(words):
        while first < last - 1 and _said(words[first], asked):
            first += 1
    if (first, last) == (0, len(words)):
        return mention
    start, end = words[first].start(), words[last - 1].end()
    text = mention.text[start:end]
    return replace(
        mention,
        text=text,
        start=mention.start + start,
        end=mention.start + end,
        key=normalise_key(text),
    )


def _said(word: re.Match[str], asked: set[str]) -> bool:
    """The question has the word (every part of a hyphenated one: "multi-purpose")."""
    parts = normalise_key(word.group()).split()
    return bool(parts) and all(p in asked for p in parts)
