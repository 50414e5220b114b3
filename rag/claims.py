"""What a sentence asserts, as far as checking a claim needs it: its numbers, dates, names,
and events (a verb or predicate, whether it is negated, who did it and to whom).

Read from spaCy's tagger, parser and entities (rag.nlp); `rag.agree` compares two of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from rag.lexicon import CONTROL, HONORIFICS, LIGHT, NEGATIVE_CONTROL, NEGATORS
from rag.names import WORD, is_name, name_heads, names, word_set
from rag.nlp import lemmatized, parse
from rag.quantities import numbers, times

_PRONOUNS = frozenset("i he she it they we you who whom which that this these those one".split())


@dataclass(frozen=True)
class Event:
    """A verb or predicate of a sentence: its base word, polarity and roles."""

    word: str  # lemma ("reject")
    surface: str  # as written, for reasons ("rejected", "not willing")
    negated: bool
    subject: frozenset[str]  # content words of the doer (after undoing the passive)
    object: frozenset[str]  # content words of what is done to
    subject_text: str
    object_text: str
    named_subject: bool
    named_object: bool
    inherited: bool  # the doer is read from the verb this one depends on ("offered X to rejoin")
    complement: str = ""  # what a light verb or copula says ("is" of "is acceptable": "acceptable")


@dataclass(frozen=True)
class Facts:
    """The checkable content of a sentence (or a span of two)."""

    text: str
    numbers: dict[str, str]  # normalised value -> as written
    times: dict[str, str]  # "weekday:monday", "month:march", "year:2022" -> as written
    names: tuple[tuple[frozenset[str], str], ...]  # distinctive words, as written
    heads: dict[str, str]  # a name that qualifies a noun -> the noun ("Sindh" -> "governor")
    events: tuple[Event, ...]
    required: tuple[tuple[str, str, bool], ...]  # (lemma, as written, is a predicate)
    negated_nouns: dict[str, frozenset[str]]  # noun -> its negators ("without", "no"; "" none)
    words: frozenset[str]  # every lower-case word and lemma
    anaphora: bool  # refers to someone without naming them ("he", "her")


@lru_cache(maxsize=4096)
def analyse(text: str) -> Facts:
    """The Facts of `text` (parsed by spaCy; cached, as the same spans recur across claims)."""
    doc = lemmatized(parse(text))
    words = word_set(text) | {t.lemma_.lower() for t in doc}
    return Facts(
        text=text,
        numbers=numbers(text),
        times=times(text),
        names=tuple(names(doc)),
        heads=name_heads(doc),
        events=tuple(events(doc)),
        required=required(doc),
        negated_nouns=_negated_nouns(doc),
        words=frozenset(words),
        anaphora=any(_refers(t) for t in doc),
    )


def _refers(token: Any) -> bool:
    return token.pos_ == "PRON" and token.lower_ in ("he", "she", "his", "her", "him")


def _negated_nouns(doc: Any) -> dict[str, frozenset[str]]:
    """Each noun with how it is negated: "without" ("without any conditions"), "no"
    ("no demand"), or "" (not negated); a noun said several times keeps every way."""
    found: dict[str, frozenset[str]] = {}
    for token in doc:
        if token.pos_ not in ("NOUN", "PROPN") or token.dep_ in ("nsubj", "nsubjpass"):
            continue  # a subject's negation is its verb's
        negator = "no" if any(c.lower_ in ("no", "none") for c in token.children) else ""
        head = token.head
        while not negator and head.i != token.i:
            if _excludes(head):
                negator = "without" if head.lower_ == "without" else "instead of"
            if (head.pos_ in ("VERB", "AUX") and head.dep_ != "pcomp") or head.i == head.head.i:
                break
            head = head.head
        key = _lemma(token)
        found[key] = found.get(key, frozenset()) | {negator}
    return found


def _excludes(token: Any) -> bool:
    """ "without", or the "of" of "instead of"."""
    if token.lower_ == "without":
        return True
    return token.lower_ == "of" and any(c.lower_ == "instead" for c in token.children)


def _lemma(token: Any) -> str:
    return (token.lemma_ or token.text).lower()


def _own_negation(token: Any) -> bool:
    if any(c.dep_ == "neg" or c.lower_ in ("never", "no", "unless") for c in token.children):
        return True
    if token.dep_ == "pcomp" and _excludes(token.head):
        return True
    return token.dep_ == "xcomp" and _lemma(token.head) in NEGATIVE_CONTROL


def negated(token: Any) -> bool:
    """Whether a predicate is negated, counting the copula or verb it depends on ("is not
    willing to join": both "willing" and "join")."""
    own = _own_negation(token)
    if token.dep_ in ("acomp", "attr") and token.head.pos_ == "AUX":
        own = own != _own_negation(token.head)
    if token.dep_ in ("xcomp", "acomp") and token.head.i != token.i and token.head.pos_ != "AUX":
        return own != negated(token.head)
    return own


_PHRASE = frozenset("compound appos flat nmod poss amod conj".split())


def _role_tokens(token: Any) -> list[Any]:
    """The phrase of a subject or object: the word, its compounds, appositions and conjuncts
    ("Kamal and Kaimkhani", compared as a set); a name's subject or object is a misparse
    of one noun phrase ("PSP leaders Syed Mustafa Kamal and ...") and belongs to it too."""
    keep = [token]
    inside = _PHRASE | ({"nsubj", "dobj"} if token.pos_ == "PROPN" else frozenset())
    for child in token.children:
        if child.dep_ in inside:
            keep.extend(_role_tokens(child))
    return keep


def _phrase(found: Any | None) -> tuple[frozenset[str], str, bool]:
    heads = found if isinstance(found, list) else [found]
    heads = [t for t in heads if t is not None and t.lower_ not in _PRONOUNS]
    if not heads:
        return frozenset(), "", False
    tokens = [t for head in heads for t in _role_tokens(head)]
    token = heads[-1]
    content = [t for t in tokens if t.pos_ in ("NOUN", "PROPN", "NUM") or is_name(t)]
    words = frozenset(_lemma(t) for t in content) - HONORIFICS
    named = [t for t in tokens if is_name(t) and t.lower_ not in HONORIFICS]
    shown = named or [t for t in tokens if t.dep_ == "compound"] + [token]
    return words, " ".join(t.text for t in sorted(shown, key=lambda t: t.i)), bool(named)


def _roles(pred: Any) -> tuple[Any, Any | None, bool]:
    """(doer, done-to, inherited) of a predicate: the passive undone, and the subject of a
    verb depending on another read from that one. Several subjects (a coordination the parser
    split: "PSP leaders Syed Mustafa Kamal and ...") are kept together, as a list."""
    subject = obj = None
    for child in pred.children:
        if child.dep_ in ("nsubj", "csubj"):
            subject = child
        elif child.dep_ == "nsubjpass" or (child.dep_ in ("dobj", "dative") and obj is None):
            obj = child
        elif child.dep_ == "agent":
            subject = next((g for g in child.children if g.dep_ == "pobj"), subject)
    several = [c for c in pred.children if c.dep_ in ("nsubj", "csubj")]
    if len(several) > 1:
        return several, obj, False
    if subject is not None and subject.lower_ in ("who", "which", "that") and pred.dep_ == "relcl":
        subject = pred.head
    inherited = False
    if subject is None and pred.dep_ in ("xcomp", "conj", "acomp", "attr") and pred.head != pred:
        head_subject, head_object, _ = _roles(pred.head)
        subject = head_object if pred.dep_ == "xcomp" and head_object is not None else head_subject
        inherited = pred.dep_ != "acomp"
    return subject, obj, inherited


def _as_written(token: Any, is_negated: bool) -> str:
    """The predicate with its negator when negated ("not willing", "without laying")."""
    if is_negated:
        for i in range(token.i - 1, max(token.sent.start, token.i - 6) - 1, -1):
            if token.doc[i].lower_ in NEGATORS or token.doc[i].dep_ == "neg":
                return token.doc[i : token.i + 1].text
    return token.text


def _is_predicate(token: Any) -> bool:
    if token.pos_ == "VERB":
        return _lemma(token) not in LIGHT
    if token.pos_ == "ADJ":
        return token.dep_ in ("acomp", "ROOT", "conj")
    if token.pos_ in ("NOUN", "PROPN"):
        return token.dep_ == "attr"  # "Monday was Martin Luther King Jr. Day"
    return False


def main_chain(doc: Any) -> list[Any]:
    """The predicates a sentence is about: the root, past reporting verbs ("X said that ...")
    and down chains of verbs ("offered Sattar to rejoin": both); for "X is Y", Y."""
    token = next(iter(doc.sents)).root
    chain = [token]
    for _ in range(6):
        below = {c.dep_: c for c in token.children}
        if _lemma(token) in LIGHT and "ccomp" in below and token.pos_ != "AUX":
            chain.remove(token)
            token = below["ccomp"]
        elif "xcomp" in below:
            token = below["xcomp"]
        elif token.pos_ == "AUX" and ("acomp" in below or "attr" in below):
            chain.remove(token)
            token = below.get("acomp", below.get("attr"))
        else:
            break
        chain.append(token)
    return chain


def required(doc: Any) -> tuple[tuple[str, str, bool], ...]:
    """(lemma, as written, predicate?) of the words a span must hold to say the same: the main
    predicates (verbs like "want" or "try" that only lead to another one aside) and the nouns
    they take ("had a close call": "call")."""
    words: list[Any] = []
    for pred in main_chain(doc):
        if _is_predicate(pred) and _lemma(pred) not in CONTROL:
            words.append(pred)
        for child in pred.children:
            if child.dep_ in ("dobj", "attr", "oprd", "agent", "prep", "dative"):
                target = child
                if child.dep_ in ("agent", "prep"):
                    target = next((g for g in child.children if g.dep_ == "pobj"), None)
                if target is not None and target.pos_ in ("NOUN", "PROPN"):
                    words.append(target)
    seen = dict.fromkeys(
        (*_word_of(t), _is_predicate(t)) for t in words if t.lower_ not in _PRONOUNS
    )
    return tuple(seen)


def _word_of(token: Any) -> tuple[str, str]:
    """(lemma, as written) of a token; a name is taken whole with its hyphens ("MQM-P")."""
    if token.pos_ != "PROPN":
        return _lemma(token), token.text
    for match in WORD.finditer(token.doc.text):
        if match.start() <= token.idx < match.end():
            return match.group().lower(), match.group()
    return _lemma(token), token.text


def _names_a_thing(token: Any) -> bool:
    """A verb that only describes a noun, asserting nothing: "the condition for rejoining",
    "the plan to sign" (its polarity is not the sentence's)."""
    if token.dep_ == "pcomp" and token.head.dep_ == "prep":
        return token.head.head.pos_ in ("NOUN", "PROPN")
    if token.dep_ == "acl" and token.head.pos_ in ("NOUN", "PROPN"):
        return any(c.dep_ == "aux" and c.lower_ == "to" for c in token.children)
    return False


def _complement(token: Any) -> str:
    """What a light verb or copula says: "acceptable" for "is not acceptable", "want" for "is
    that he wants ..."; its negation belongs to that, not to another clause with the same verb."""
    for child in token.children:
        if child.dep_ in ("acomp", "attr", "ccomp", "xcomp", "dobj", "oprd"):
            return _lemma(child)
    return ""


def events(doc: Any) -> list[Event]:
    """Every predicate, and every light verb or copula ("had", "was"), with polarity and roles."""
    found = []
    for token in doc:
        light = token.pos_ in ("VERB", "AUX") and _lemma(token) in LIGHT
        if not (_is_predicate(token) or (light and token.dep_ in ("ROOT", "conj", "ccomp"))):
            continue
        if _names_a_thing(token):
            continue
        subject, obj, inherited = _roles(token)
        s_words, s_text, s_named = _phrase(subject)
        o_words, o_text, o_named = _phrase(obj)
        is_negated = negated(token)
        found.append(
            Event(
                _lemma(token),
                _as_written(token, is_negated),
                is_negated,
                s_words,
                o_words,
                s_text,
                o_text,
                s_named,
                o_named,
                inherited,
                _complement(token) if light else "",
            )
        )
    return found
