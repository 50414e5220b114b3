"""Mentions: the named entities, quoted titles and noun phrases of a parsed sentence, each a
candidate answer with its exact offsets in the stored article (spaCy's small model, with its
slips mended: quote marks at an entity's edges, names and counts it missed)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from rag.catalog import STOPWORDS
from rag.quantities import MONTHS, WEEKDAYS

NOUN_PHRASE = "NP"
_DATELINE = re.compile(
    r"^\s*(?:[A-Z][A-Z.'’ -]{2,}(?:,\s*[A-Z][\w.’' -]+)*\s*(?:\([\w. ]+\))?\s*[—–−-]{1,2}\s"
    r"|\([A-Z][\w .]{1,30}\)\s*(?:[—–−-]{1,2}\s)?)",  # or a credit: "(CNN) ..."
    re.MULTILINE,  # at the start of any line: a passage may open with the headline
)
_LEADING = frozenset({"DET", "PRON", "PUNCT", "CCONJ", "ADP", "PART"})
# a quoted title: a few words in title case (“Star Wars”), not a quoted remark
_TITLE = re.compile(r"[“\"‘]([A-Z0-9][\w'’:&-]*(?: [\w'’:&-]+){0,5})[.,]?[”\"’](?![\w'’])")
_RENAMED = frozenset({NOUN_PHRASE, "ORG"})  # labels a quoted title overrides
AMOUNTS = frozenset({"CARDINAL", "QUANTITY", "PERCENT", "MONEY"})  # compared by value
# how well an entity label (or a noun phrase) fits each expected type, when not an exact fit


@dataclass(frozen=True)
class Mention:
    """A candidate answer in a sentence: `text == article[start:end]`."""

    text: str
    start: int
    end: int
    label: str
    key: str
    first: int  # token span in the sentence's Doc
    last: int
    proper: bool


@lru_cache(maxsize=65536)  # the same names and questions recur across sentences and asks
def normalise_key(text: str) -> str:
    """Identity of a candidate across sentences: case, accents, punctuation, a leading
    article and a possessive 's do not matter."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"[’']s\b", "", text)
    words = re.findall(r"[^\W_]+", text)
    while words and words[0] in ("the", "a", "an"):
        words = words[1:]
    return " ".join(words)


def mentions(doc: Any, offset: int) -> list[Mention]:
    """Entities and noun phrases of a parsed sentence whose text starts at article `offset`;
    a dateline ("DUBAI, United Arab Emirates (AP) —", "(CNN)") and a bracketed gloss ("(PSP)")
    are not candidates."""
    found: dict[tuple[int, int], Mention] = {}
    lines = [(d.start(), d.end()) for d in _DATELINE.finditer(doc.text)]

    def kept(first: int, last: int) -> bool:
        at = doc[first].idx
        return not _bracketed(doc, first, last) and not any(a <= at < b for a, b in lines)

    for ent in doc.ents:
        first, last = _trimmed_edges(doc, ent.start, ent.end)
        if all(t.pos_ in ("PART", "PUNCT") for t in doc[first:last]):  # "n’t" tagged a place
            continue
        if first < last and kept(first, last):
            counted = _count_end(doc, first, last) if ent.label_ in ("DATE", "TIME") else None
            if counted:
                _add(found, doc, first, counted, "CARDINAL", offset)
            else:
                _add(found, doc, first, last, _label(doc, ent), offset)
    for title in _TITLE.finditer(doc.text):  # “Wicked”, "Oppenheimer": a named work
        span = doc.char_span(title.start(1), title.end(1), alignment_mode="expand")
        if span is None or not _title_case(title.group(1)) or not kept(span.start, span.end):
            continue
        other = found.get((span.start, span.end))
        if other is None or other.label in _RENAMED:
            _add(found, doc, span.start, span.end, "WORK_OF_ART", offset)
    for first, last in _runs(doc, found, lambda t: t.pos_ == "NUM" and t.like_num):
        if kept(first, last):  # a count the tagger missed ("about 900 troops")
            _add(found, doc, first, last, "CARDINAL", offset)
    for chunk in doc.noun_chunks:
        first = chunk.start
        while first < chunk.end and doc[first].pos_ in _LEADING:
            first += 1
        if first >= chunk.end or chunk.root.pos_ == "PRON" or not kept(first, chunk.end):
            continue
        if _within_entity(doc, first, chunk.end):  # "Jan." of "Jan. 24", "Title" of "Title 42"
            continue
        _add(found, doc, first, chunk.end, NOUN_PHRASE, offset)
        counted = first
        while counted < chunk.end - 1 and (
            doc[counted].like_num or doc[counted].ent_type_ in AMOUNTS
        ):
            counted += 1
        # "24 hotels" -> "hotels": what is counted is a kind of thing (not "a five-day debut")
        if counted > first and all(t.tag_ != "HYPH" for t in doc[first : counted + 1]):
            _add(found, doc, counted, chunk.end, NOUN_PHRASE, offset)
        compounds = [t.i for t in chunk.root.lefts if t.dep_ == "compound" and t.i >= first]
        hyphened = compounds and doc[min(compounds) - 1].tag_ == "HYPH"  # "a five-day debut"
        if compounds and min(compounds) > first and not hyphened:  # "deadly squirrel virus"
            _add(found, doc, min(compounds), chunk.end, NOUN_PHRASE, offset)
    # a name the tagger and the chunker both missed ("bottles of Fabuloso multi-purpose
    # cleaner", with "cleaner" read as an adjective)
    for first, last in _runs(doc, found, lambda t: t.pos_ == "PROPN"):
        if kept(first, last):
            _add(found, doc, first, last, NOUN_PHRASE, offset)
    return sorted(found.values(), key=lambda m: (m.start, -m.end))


def _count_end(doc: Any, first: int, last: int) -> int | None:
    """Where the count that opens a date or time the tagger mistook ends, if it is one."""
    end = next((i + 1 for i in range(last - 1, first - 1, -1) if doc[i].like_num), None)
    if end is None or not _COUNT.fullmatch(doc[first:end].text):
        return None
    return None if any(t.lower_ in _TIME_WORDS for t in doc[end:last]) else end


def _within_entity(doc: Any, first: int, last: int) -> bool:
    """The tokens are part of a longer entity: a date, time or amount ("Jan." of "Jan. 24"),
    or a name ("Title" of "Title 42")."""
    return any(
        e.start <= first and last <= e.end and e.end - e.start > last - first for e in doc.ents
    )


def _runs(
    doc: Any, found: dict[tuple[int, int], Mention], test: Callable[[Any], bool]
) -> list[tuple[int, int]]:
    """Token spans of consecutive tokens passing `test` that no entity or phrase covers."""
    covered = {i for first, last in found for i in range(first, last)}
    runs, start = [], None
    for token in [*doc, None]:
        inside = token is not None and test(token) and token.i not in covered
        if inside and start is None:
            start = token.i
        elif not inside and start is not None:
            runs.append((start, token.i if token is not None else len(doc)))
            start = None
    return runs


_QUOTES = "\"'“”‘’"


def _trimmed_edges(doc: Any, first: int, last: int) -> tuple[int, int]:
    """An entity's tokens without quote marks at its edges ("Travis Kelce '"), nor an
    article before an opening one (the "Red Brigade), nor a possessive 's at its end ("USA
    Hockey's leaders": the answer is "USA Hockey")."""
    while first < last and (doc[first].text in _QUOTES or _opens_quote(doc, first, last)):
        first += 1
    while last > first and (doc[last - 1].text in _QUOTES or doc[last - 1].tag_ == "POS"):
        last -= 1
    return first, last


def _opens_quote(doc: Any, first: int, last: int) -> bool:
    """An article whose next token, inside the span, is a quote mark."""
    return doc[first].pos_ == "DET" and first + 1 < last and doc[first + 1].text in _QUOTES


# a count the small tagger takes for a date or a time when a word like "holiday" follows it
# ("more than 65,000 holiday rentals"): a number that is no year or hour, with the words that
# hedge it, and no unit of time after it ("48,000 years ago" stays a date)
_COUNT = re.compile(
    r"(?:(?:more|fewer|less) than|about|around|almost|nearly|over|roughly|some|under)?\s*"
    r"(?:\d{1,3}(?:,\d{3})+|\d{3}|\d{5,})",
    re.IGNORECASE,
)
_TIME_WORDS = (
    frozenset(
        "ago year years month months week weeks weekend day days night nights hour hours "
        "minute minutes second seconds decade decades century centuries a.m. p.m. am pm".split()
    )
    | frozenset(MONTHS)
    | frozenset(WEEKDAYS)
)


def _label(doc: Any, ent: Any) -> str:
    """The entity's label; a "work" that opens a quoted remark without closing it (“Taylor
    Swift likes ...”) is labelled as the sentence without its quote marks labels it."""
    opened = ent.start > 0 and doc[ent.start - 1].text in _QUOTES
    closed = ent.end < len(doc) and doc[ent.end].text in _QUOTES
    if ent.label_ != "WORK_OF_ART" or not opened or closed:
        return ent.label_
    from rag.nlp import parse

    plain = parse("".join(" " if c in _QUOTES else c for c in doc.text))  # same offsets
    same = plain.char_span(ent.start_char, ent.end_char)
    if same is None or [e.text for e in same.ents] != [same.text]:
        return ent.label_
    return same.ents[0].label_


def _title_case(text: str) -> bool:
    return all(w[0].isupper() or w[0].isdigit() for w in text.split() if len(w) > 3)


def _bracketed(doc: Any, first: int, last: int) -> bool:
    before = doc[first - 1].text if first > 0 else ""
    after = doc[last].text if last < len(doc) else ""
    return last - first == 1 and before == "(" and after == ")"


def _named(found: dict[tuple[int, int], Mention], key: str) -> bool:
    return any(m.key == key and m.label != NOUN_PHRASE for m in found.values())


def _add(
    found: dict[tuple[int, int], Mention], doc: Any, first: int, last: int, label: str, offset: int
) -> None:
    span = doc[first:last]
    text = span.text
    if text.count("(") != text.count(")"):  # "PSP) leaders": a phrase cut across brackets
        return
    key = normalise_key(text)
    if not key or key in STOPWORDS:
        return
    if label == NOUN_PHRASE and ((first, last) in found or _named(found, key)):
        return  # the same words as an entity ("United States" of "the United States")
    # a name is written with a capital: the small tagger's lower-case PROPN ("domestic box
    # office") is a slip
    proper = any(t.pos_ == "PROPN" and not t.is_lower for t in span) or label != NOUN_PHRASE
    start = offset + span.start_char
    found[(first, last)] = Mention(text, start, start + len(text), label, key, first, last, proper)
