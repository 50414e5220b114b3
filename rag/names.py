"""Names in a parsed sentence, as the claim checker (rag.claims) compares them: runs of
capitalised words with their distinctive words ("Dr Farooq Sattar": farooq, sattar), and the
common noun a name qualifies ("the Sindh governor": Sindh -> governor)."""

from __future__ import annotations

import re
from typing import Any

from rag.lexicon import HONORIFICS
from rag.quantities import MONTHS, WEEKDAYS

_WORD = re.compile(r"[^\W_]+(?:[-’'][^\W_]+)*")


def is_name(token: Any) -> bool:
    if not token.text[:1].isupper() or token.pos_ in ("PRON", "DET", "AUX", "ADP", "CCONJ"):
        return False
    if token.lower_ in WEEKDAYS or token.lower_ in MONTHS or token.text == "I":
        return False
    first = token.i == token.sent.start or token.nbor(-1).text in "\"“‘'("
    return token.pos_ == "PROPN" or bool(token.ent_type_) or (not first and token.is_alpha)


def names(doc: Any) -> list[tuple[frozenset[str], str]]:
    """Runs of capitalised name words ("Dr Farooq Sattar", "MQM-P"), each with its
    distinctive words (honorifics left out)."""
    found, run = [], []
    for token in doc:
        hyphen = token.text in "-–" and not token.whitespace_ and run and token.i + 1 < len(doc)
        if is_name(token) or (hyphen and not doc[token.i - 1].whitespace_):
            run.append(token)
            continue
        found.extend(_name(run))
        run = []
    found.extend(_name(run))
    return found


def name_heads(doc: Any) -> dict[str, str]:
    """Each name run that qualifies a common noun, with that noun ("the Sindh governor")."""
    heads: dict[str, str] = {}
    for token in doc:
        head = token.head
        if not is_name(token) or token.dep_ not in ("compound", "amod", "nmod") or head == token:
            continue
        if head.pos_ == "NOUN" and not is_name(head) and head.i > token.i:
            run = [t for t in doc[token.left_edge.i : token.i + 1] if is_name(t)]
            for _, text in _name(run):
                heads[text] = head.lower_
    return heads


def _name(run: list[Any]) -> list[tuple[frozenset[str], str]]:
    if not run:
        return []
    text = run[0].doc.text[run[0].idx : run[-1].idx + len(run[-1].text)].strip("-– ")
    words = frozenset(w.lower() for w in _WORD.findall(text)) - HONORIFICS
    return [(words, text)] if words else []
