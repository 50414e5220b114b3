"""How a sentence names a mention by the question's type noun: as a modifier inside its
phrase ("Hurricane Hilary"), just before it ("a faction of the MQM named MQM-RC"), in
apposition ("Jaguar, the automaker") or across a copula ("Labubu dolls are the must-have
toys"). `rag.candidates` weighs a named mention as the kind of thing asked."""

from __future__ import annotations

from typing import Any

from rag.answer_types import NAMING_VERBS, NUMBER, ORGANISATION, THING
from rag.mentions import Mention
from rag.question import Analysis

_NAMING = frozenset({"compound", "nmod", "poss"})  # a phrase's words that name its head
_OF_KINDS = frozenset({ORGANISATION, THING})  # a brand of a product, a model of a machine


def named_by(mention: Mention, analysis: Analysis, doc: Any) -> bool:
    """The type noun stands next to the mention: inside its phrase as a modifier ("Hurricane
    Hilary", "the monkeypox virus"), just before it ("a faction of the MQM named MQM-RC",
    "PSP leaders Kamal and Kaimkhani") or in apposition after it ("Jaguar, the automaker")."""
    if not analysis.type_noun:
        return False
    words = _type_words(analysis.type_noun)
    span = doc[mention.first : mention.last]
    if _another_named(mention, doc, words):  # "another Disney sequel, "Frozen II""
        return False
    if any(t.lower_ in words for t in span):  # "the monkeypox virus", "Hurricane Hilary"
        head, rest = span[0], span[1:]
        if span.root.lower_ in words:  # unless a name follows: the movie "A Working Man"
            # and named by a noun ("the monkeypox virus"), not described ("a deadly virus")
            # "what kind of test": a kind is also told by an adjective ("a rapid test")
            naming = _NAMING | {"amod"} if analysis.category else _NAMING
            nouns = [t for t in span if t.i != span.root.i and t.dep_ in naming]
            apposed = any(c.dep_ == "appos" for c in span.root.rights)
            # "a Category 4 hurricane" sorts it; "what kind of test" asks for the sort
            sorts = _indefinite(span.root) and not analysis.category
            return bool(nouns) and not apposed and not _counted(span.root) and not sorts
        # "Hurricane Hilary", not "a toy convention" or "the American Toy Fair"
        return len(span) > 1 and head.lower_ in words and any(t.pos_ == "PROPN" for t in rest)
    before = doc[max(0, mention.first - 5) : mention.first]
    after = doc[mention.last : mention.last + 3]
    # not "a toy convention in Paris", nor "a film based on a Broadway musical"
    before = [t for t in before if not _verb_between(doc, t.i, mention.first)]
    # nor across a conjunction to a name with its own description ("male panda Bao Li and
    # female panda Qing Bao"; but "PSP leaders Kamal and Kaimkhani")
    if doc[mention.first].is_lower:
        before = [t for t in before if not _conjunction_between(doc, t.i, mention.first)]
    # nor across a clause's punctuation ("... a tell-all book, the Trump administration said")
    # or through a preposition ("the sport at the time"), unless a naming verb stands between
    # ("the black hole, known as Sagittarius A*")
    before = [
        t
        for t in before
        if _naming_between(doc, t.i, mention.first)
        or not (
            _stop_between(doc, t.i, mention.first) or _preposition_between(doc, t.i, mention.first)
        )
    ]
    # after it only in apposition ("Jaguar, the automaker"), not across a clause ("its past
    # what the glacier ...")
    after = [t for t in after if not _clause_between(doc, mention.last, t.i)]
    # nor whose it is ("Ingrid Newkirk, the group's president" is no group)
    near = [
        t for t in [*before, *after] if t.lower_ in words and t.dep_ not in ("compound", "poss")
    ]
    if analysis.answer_type != NUMBER:  # "how many people": the count is what is asked
        near = [t for t in near if not (span.root.head.i == t.i and _counted(t))]
    if not analysis.category:
        near = [t for t in near if not _sorts(span, t)]
    return (
        bool(near)
        or _apposed(mention, doc, words)
        or _equated(mention, doc, words)
        or _names_the_kind(mention, analysis, doc)
    )


def _names_the_kind(mention: Mention, analysis: Analysis, doc: Any) -> bool:
    """A name modifying the noun the type noun is of: "Fabuloso multi-purpose cleaner" for
    "Which brand of multi-purpose cleaner ...?" (not for a person: "the Windsor family" names
    no member of it)."""
    if not analysis.of_noun or not mention.proper or analysis.answer_type not in _OF_KINDS:
        return False
    root = doc[mention.first : mention.last].root
    words = _type_words(analysis.of_noun)
    return root.dep_ in _NAMING and root.head.i >= mention.last and root.head.lower_ in words


_QUANTIFIERS = frozenset("other another many several some all both each every most".split())


def _counted(noun: Any) -> bool:
    """The type noun is counted ("the second Premiership club", "other Premiership clubs"):
    the name modifying it names what they are clubs of, not one of them."""
    return any(
        t.ent_type_ in ("ORDINAL", "CARDINAL") or t.lower_ in _QUANTIFIERS for t in noun.lefts
    )


def an_instance(mention: Mention, analysis: Analysis, doc: Any) -> bool:
    """The mention is one of the kind asked, introduced, not named ("a Category 4 hurricane"
    for "What is the name of the hurricane ...?"); where a sort is asked ("What kind of
    test"), "a rapid test" is the answer."""
    if not analysis.type_noun or analysis.category:
        return False
    root = doc[mention.first : mention.last].root
    return root.lower_ in _type_words(analysis.type_noun) and _indefinite(root)


def _sorts(span: Any, noun: Any) -> bool:
    """The mention sorts the type noun after it, one of many ("a Category 4 hurricane", "an
    Oscar-winning film"), rather than naming it ("the monkeypox virus")."""
    return span.root.head.i == noun.i and noun.i >= span.end and _indefinite(noun)


def _indefinite(noun: Any) -> bool:
    return any(c.lower_ in ("a", "an") and c.dep_ == "det" for c in noun.lefts)


def _conjunction_between(doc: Any, first: int, last: int) -> bool:
    return any(t.pos_ == "CCONJ" for t in doc[first + 1 : last])


def _naming_between(doc: Any, first: int, last: int) -> bool:
    """A naming verb stands between the two tokens ("a faction of the MQM named MQM-RC")."""
    return any(t.lower_ in NAMING_VERBS for t in doc[first + 1 : last])


def _preposition_between(doc: Any, first: int, last: int) -> bool:
    """A preposition stands between the two tokens, other than the "of" that names ("the
    village of Baghouz")."""
    between = doc[first + 1 : last]
    return any(t.pos_ == "ADP" and not (t.i == first + 1 and t.lower_ == "of") for t in between)


def _stop_between(doc: Any, first: int, last: int) -> bool:
    """A comma, semicolon, colon or dash stands between the two tokens."""
    return any(
        t.text in (",", ";", ":", "—", "–", "-") and t.tag_ != "HYPH" for t in doc[first + 1 : last]
    )


_CLAUSAL_POS = frozenset({"VERB", "AUX", "ADP", "SCONJ", "CCONJ", "PRON"})


def _clause_between(doc: Any, first: int, last: int) -> bool:
    """A verb, preposition, conjunction or pronoun stands in `doc[first:last]`."""
    return any(t.pos_ in _CLAUSAL_POS for t in doc[first:last])


def _verb_between(doc: Any, first: int, last: int) -> bool:
    """A verb other than a naming one ("named", "called") stands between the two tokens."""
    return any(t.pos_ == "VERB" and t.lower_ not in NAMING_VERBS for t in doc[first + 1 : last])


def _type_words(noun: str) -> set[str]:
    return {noun, noun + "s", noun.rstrip("s")}


def _another_named(mention: Mention, doc: Any, words: set[str]) -> bool:
    """The type noun near the mention is "another" or an "other" one ("The record was held by
    another Disney sequel, "Frozen II""): it names one besides the one the question is about,
    and the mention is not named by the type noun without that word."""
    near = [t for t in doc[max(0, mention.first - 6) : mention.last + 3] if t.lower_ in words]
    return bool(near) and all(
        any(c.lower_ in ("another", "other") for c in t.children) for t in near
    )


def _apposed(mention: Mention, doc: Any, words: set[str]) -> bool:
    """The type noun stands in apposition to the mention, however far its words reach:
    after it ("asbestos, a cancer-causing mineral") or, for a name, before it ("the national
    holiday, Harvest Day"; a common noun there describes: "the threat, a shift in tone")."""
    root = doc[mention.first : mention.last].root
    if any(c.dep_ == "appos" and c.lower_ in words for c in root.children):
        return True
    return mention.proper and root.dep_ == "appos" and root.head.lower_ in words


_COPULAS = frozenset({"is", "are", "was", "were", "'s", "’s", "'re", "’re", "be", "been"})


def _equated(mention: Mention, doc: Any, words: set[str]) -> bool:
    """A copula joins the mention to the type noun: "Labubu dolls are the must-have toys",
    "the year's top toy was Labubu"; or "as" right after it does ("leaves the Phoenix Suns
    as the only NBA team", "named Dana Ortiz as the new chief executive")."""
    after = doc[mention.last] if mention.last < len(doc) else None
    if after is not None and after.lower_ == "as":
        return any(c.dep_ == "pobj" and c.lower_ in words for c in after.children)
    span = doc[mention.first : mention.last]
    verb = span.root.head
    if verb.lower_ not in _COPULAS or span.root.dep_ not in ("nsubj", "attr"):
        return False
    other = "attr" if span.root.dep_ == "nsubj" else "nsubj"
    heads = [c for c in verb.children if c.dep_ == other]
    # the type noun is that argument or its object ("the must-have toys", parsed as a verb)
    named = [*heads, *(g for c in heads for g in c.children if g.dep_ in ("dobj", "appos"))]
    return any(t.lower_ in words for t in named)
