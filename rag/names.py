"""Names in a parsed sentence, as the claim checker (rag.claims) compares them: runs of
capitalised words with their distinctive words ("Dr Farooq Sattar": farooq, sattar), and the
common noun a name qualifies ("the Sindh governor": Sindh -> governor)."""

from __future__ import annotations

import re
from typing import Any

from rag.lexicon import HONORIFICS
from rag.quantities import MONTHS, WEEKDAYS

WORD = re.compile(r"[^\W_]+(?:[-’'][^\W_]+)*")  # a word, hyphens and apostrophes kept inside


def word_set(text: str) -> frozenset[str]:
    """The lower-cased words of a text, as the claim checker compares them."""
    return frozenset(w.lower() for w in WORD.findall(text))


def is_name(token: Any) -> bool:
    if not token.text[:1].isupper() or token.pos_ in ("PRON", "DET", "AUX", "ADP", "CCONJ"):
        return False
    if token.lower_ in WEEKDAYS or token.lower_ in MONTHS or token.text == "I":
        return False
    first = token.i == token.sent.start or token.nbor(-1).text in "\"“‘'("
    return token.pos_ == "PROPN" or bool(token.ent_type_) or (not first and token.is_alpha)


def _runs(doc: Any) -> list[list[Any]]:
    """Runs of capitalised name words, hyphens kept inside ("MQM-P")."""
    found: list[list[Any]] = []
    run: list[Any] = []
    for token in doc:
        hyphen = token.text in "-–" and not token.whitespace_ and run and token.i + 1 < len(doc)
        if is_name(token) or (hyphen and not doc[token.i - 1].whitespace_):
            run.append(token)
            continue
        found.append(run)
        run = []
    found.append(run)
    return [r for r in found if r]


def names(doc: Any) -> list[tuple[frozenset[str], str]]:
    """Runs of capitalised name words ("Dr Farooq Sattar", "MQM-P"), each with its
    distinctive words (honorifics left out)."""
    return [found for run in _runs(doc) for found in _name(run)]


_THINGS = frozenset("FAC ORG GPE LOC NORP EVENT PRODUCT WORK_OF_ART LAW".split())


def name_heads(doc: Any) -> dict[str, str]:
    """Each name run that qualifies a common noun, with that noun ("the Sindh governor":
    "governor"); a name that reads as a person's ("Riverside Governor Blake": no article
    before it, not a place or body), with ""."""
    heads: dict[str, str] = {}
    for run in _runs(doc):
        last, before = run[-1], doc[run[0].i - 1] if run[0].i > 0 else None
        head = last.head
        if last.dep_ in ("compound", "amod", "nmod") and head.i > last.i:
            if head.pos_ == "NOUN" and not is_name(head):
                heads.update((text, head.lower_) for _, text in _name(run))
        elif (before is None or before.pos_ != "DET") and last.ent_type_ not in _THINGS:
            heads.update((text, "") for _, text in _name(run))
    return heads


def _name(run: list[Any]) -> list[tuple[frozenset[str], str]]:
    if not run:
        return []
    text = run[0].doc.text[run[0].idx : run[-1].idx + len(run[-1].text)].strip("-– ")
    words = word_set(text) - HONORIFICS
    return [(words, text)] if words else []
