"""A question's wh-phrase read from its parse: the word that asks, the noun run after
"which/what" ("which English rugby union club"), through "kind of" and "which of the two", and
the noun a copula equates with "what" ("what is the biggest threat ..."), not the subject of a
verb an auxiliary carries ("what did researchers find", "what are officials doing")."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

_OF_NOUNS = frozenset("kind type sort form variety species breed name names title".split())
NAMES = frozenset({"name", "names", "title"})
COPULA = frozenset("is are was were".split())
_QUOTES = frozenset({"'", '"', "‘", "’", "“", "”"})
_AUXILIARIES = COPULA | frozenset("do does did have has had be been".split())


def question_word(doc: Any, words: Iterable[str]) -> Any | None:
    """The first of `words` that asks: not a relative pronoun opening a clause about a noun
    ("people who carry some extra pounds have a lower risk of what?"), unless every one is."""
    found = [t for t in doc if t.lower_ in words]
    asking = [t for t in found if not (t.head.dep_ == "relcl" and t.head.i > t.i)]
    return (asking or found or [None])[0]


def noun_run(doc: Any, i: int) -> list[Any]:
    """The modifiers and nouns from token `i` up to the head noun ("English rugby union club"),
    through "kind of X" and "name of the X" to X; [] when no noun follows."""
    run: list[Any] = []
    for token in doc[i:]:
        if run and token.tag_.startswith("VB") and _head_noun(run[-1]):
            break  # "what kind of fuel hit record prices": the noun, then its own verb
        if token.text in _QUOTES or _joins_modifiers(doc, token, run):
            continue  # "which 'La La Land' filmmaker", "which long-standing and controversial"
        # "84-year-old", "state-owned": a number and hyphens modify too
        modifier = token.dep_ in ("amod", "compound", "nmod") or token.tag_ == "HYPH"
        modifier = modifier or (token.like_num and token.dep_ == "nummod")
        modifier = modifier or _participle(doc, token, i, run)
        if token.tag_ == "POS" or not (token.pos_ in ("ADJ", "NOUN", "PROPN") or modifier):
            break
        run.append(token)
    while run and run[-1].pos_ not in ("NOUN", "PROPN"):
        run.pop()
    if not run:
        return []
    after = run[-1].i + 1
    if run[-1].lower_ in _OF_NOUNS and after < len(doc) and doc[after].lower_ == "of":
        skip = after + 1
        while skip < len(doc) and doc[skip].pos_ in ("DET", "PRON") and doc[skip].tag_ != "WDT":
            skip += 1
        return noun_run(doc, skip) or run
    return run


def _joins_modifiers(doc: Any, token: Any, run: list[Any]) -> bool:
    """An adverb of a modifier ("increasingly controversial") or a conjunction between two
    modifiers ("long-standing and controversial"): the phrase goes on to its noun."""
    if token.pos_ == "ADV" and token.dep_ == "advmod":
        return token.head.i > token.i and token.head.dep_ in ("amod", "conj", "compound")
    nxt = doc[token.i + 1] if token.i + 1 < len(doc) else None
    if token.pos_ != "CCONJ" or nxt is None or nxt.pos_ not in ("ADJ", "ADV", "VERB"):
        return False
    return bool(run) and run[-1].pos_ in ("ADJ", "VERB")


def _head_noun(token: Any) -> bool:
    """A common noun the parser reads as a phrase's head, not as a modifier of a later word."""
    return token.pos_ == "NOUN" and token.dep_ not in ("amod", "compound", "nmod")


def _participle(doc: Any, token: Any, first: int, run: list[Any]) -> bool:
    """A participle modifying the noun after it: first in the phrase ("which beloved brand"),
    or after a name or an adjective when that noun's own verb follows ("which Disney animated
    sequel set a record", which the small parser reads as "Disney animated"; not "which
    Republican won races in ...")."""
    if token.lower_ in _AUXILIARIES:  # "what did researchers find" asks of the researchers
        return False
    nxt = token.i + 1
    if token.i == first and token.tag_ in ("VBP", "VB") and nxt < len(doc):
        return doc[nxt].pos_ in ("NOUN", "PROPN")  # "at which elite Tehran university", mis-tagged
    if token.tag_ not in ("VBN", "VBD", "VBG"):
        return False
    if nxt >= len(doc) or doc[nxt].pos_ != "NOUN":
        return False
    if token.i == first:
        return True
    if not run or run[-1].pos_ not in ("PROPN", "ADJ"):
        return False
    end = nxt
    while end < len(doc) and doc[end].pos_ == "NOUN":
        end += 1
    return end < len(doc) and doc[end].pos_ in ("VERB", "AUX")


def is_copula(token: Any) -> bool:
    """A copula ("is", "what's"), not the auxiliary of a verb ("what are they doing")."""
    contracted = token.lower_ in ("'s", "’s") and token.pos_ == "AUX"
    return (token.lower_ in COPULA or contracted) and token.dep_ != "aux"


def past_partitive(doc: Any, i: int) -> int:
    """Where the type noun's phrase starts: past "of the two" in "which of the two candidates",
    "of his" in "which of his films", "of Apple's" in "which of Apple's products"."""
    if i >= len(doc) or doc[i].lower_ != "of":
        return i
    i += 1
    while i < len(doc):
        if i + 1 < len(doc) and doc[i + 1].tag_ == "POS":  # a possessor and its "'s"
            i += 2
        elif doc[i].tag_ == "PRP$" or (doc[i].pos_ in ("DET", "NUM") and doc[i].tag_ != "WDT"):
            i += 1
        else:
            break
    return i


def copula_run(doc: Any, verb: int) -> list[Any]:
    """ "What is the biggest security threat ...?": the noun the copula equates with "what"."""
    for token in doc[verb + 1 :]:
        if token.dep_ == "poss" and token.head.lower_ in NAMES:  # "what is the storm's name"
            start = token.left_edge.i
            while doc[start].pos_ == "DET":
                start += 1
            return noun_run(doc, start)
        if token.pos_ in ("NOUN", "PROPN") and token.dep_ in ("nsubj", "nsubjpass", "attr", "ROOT"):
            if _doing(doc, verb, token):
                return []
            return noun_run(doc, token.i)
        if token.pos_ in ("VERB", "ADP") and token.dep_ not in ("amod", "compound"):
            break
    return []


def _doing(doc: Any, verb: int, token: Any) -> bool:
    """ "What are officials doing?", "What were investors worried about?": a bare plural
    right after the copula, then its verb or state; what it does is asked, not what it is."""
    nxt = doc[token.i + 1] if token.i + 1 < len(doc) else None
    bare = token.i == verb + 1 and token.tag_ == "NNS"
    if not bare or nxt is None:
        return False
    return nxt.tag_ in ("VBG", "VBN") or (nxt.tag_ == "JJ" and nxt.head.i == token.i)


def phrase_of(run: list[Any]) -> str:
    """The run's nouns and modifiers, participles too ("baked good", "animated sequel")."""
    kept = [t for t in run if t.pos_ in ("NOUN", "PROPN", "ADJ") or t.tag_ in ("VBN", "VBG")]
    return " ".join(t.text for t in kept).lower()
