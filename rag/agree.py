"""Does a passage span say what a claim says? The Facts of both (rag.claims) must agree on
numbers, dates and weekdays, names (by their distinctive parts: "Dr Sattar" = "Farooq Sattar"),
negation ("not", "no", "never", "without", antonyms) and who did what to whom. The first
disagreement found is returned as a short reason for the user ("passage says Monday")."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import lru_cache

from rag.claims import Event, Facts
from rag.lexicon import LIGHT, SYMMETRIC, relation
from rag.names import WORD, word_set

Similar = Callable[[str, Sequence[str]], bool]  # a word and candidates: is one a synonym?
Check = Callable[[Facts, Facts, frozenset[str], str], str | None]
ABSENT = ("passage does not", "passage gives no")  # reasons that say what is missing


def disagreement(
    claim: Facts,
    span: Facts,
    passage_words: frozenset[str] = frozenset(),
    similar: Similar | None = None,
    article: str = "",
) -> str | None:
    """Why `span` does not back `claim` (None when it agrees). `passage_words` are the words
    of the whole passage, where a name the span only refers to ("he") may be found; `similar`
    accepts a synonym for a predicate the span words differently ("arrive" for "come");
    `article` is the text of the span's article, where the span's "the governor" may be named
    "Sindh Governor"."""
    for check in CHECKS:
        reason = check(claim, span, passage_words, article)
        if reason:
            return reason
    return _required(claim, span, similar)


def contradicts(reason: str | None) -> bool:
    """A reason that the span says otherwise, not merely that it lacks something."""
    return bool(reason) and not str(reason).startswith(ABSENT)


def _numbers(claim: Facts, span: Facts, _: frozenset[str], __: str) -> str | None:
    missing = [shown for value, shown in claim.numbers.items() if value not in span.numbers]
    if not missing:
        return None
    said = list(dict.fromkeys(span.numbers.values()))
    if said:
        return f"passage says {', '.join(said[:3])}, not {missing[0]}"
    return f"passage gives no {missing[0]}"


def _times(claim: Facts, span: Facts, _: frozenset[str], __: str) -> str | None:
    for key, shown in claim.times.items():
        if key in span.times:
            continue
        kind = key.split(":")[0]
        said = [v for k, v in span.times.items() if k.startswith(kind + ":")]
        if said:
            return f"passage says {', '.join(said[:2])}, not {shown}"
        return f"passage does not say {shown}"
    return None


def _compatible(
    claim_name: frozenset[str], span_name: frozenset[str], context: frozenset[str]
) -> bool:
    """One name read two ways: a shared distinctive word, and no word of either that the other
    contradicts ("Farooq Sattar" ~ "Dr Sattar"; not "Carla Ortiz" ~ "Lena Ortiz")."""
    if not claim_name & span_name:
        return False
    return span_name <= claim_name or claim_name <= span_name | context


def _names(claim: Facts, span: Facts, passage_words: frozenset[str], article: str) -> str | None:
    context = span.words | passage_words
    for words, shown in claim.names:
        if any(_compatible(words, other, context) for other, _ in span.names):
            continue
        if words <= span.words:
            continue
        if span.anaphora and words <= passage_words:
            continue  # "he met Tessori", with Sattar named elsewhere in the passage
        rival = next((text for other, text in span.names if other & words), None)
        if rival:
            return f"passage says {rival}, not {shown}"
        if _titled(shown, claim.heads, span, article):
            continue
        return f"passage does not mention {shown}"
    return None


def _titled(shown: str, heads: dict[str, str], span: Facts, article: str) -> bool:
    """The span calls by a title what the article names with it: "the governor" for the
    claim's "the Sindh governor" or "Sindh Governor Tessori" where the article says "Sindh
    Governor Kamran Tessori" (not for "the Governor House"). The title word must be in the
    span (the head of a phrase; any word of a person's name), every word in one name of the
    article."""
    head = heads.get(shown)
    words = [w.lower() for w in WORD.findall(shown)] + ([head] if head else [])
    wanted = set(words)
    person = head == ""
    if (
        not article
        or len(wanted) < 2
        or not (wanted & span.words if person else words[-1] in span.words)
    ):
        return False
    return any(wanted <= word_set(run) for run in _article_names(article))


_NAME_RUN = re.compile(r"(?:[A-Z][\w’'-]*)(?:[ \t]+[A-Z][\w’'-]*)+")


@lru_cache(maxsize=256)
def _article_names(article: str) -> tuple[str, ...]:
    """Runs of two or more capitalised words in an article ("Sindh Governor Kamran Tessori")."""
    return tuple(dict.fromkeys(_NAME_RUN.findall(article)))


def _required(claim: Facts, span: Facts, similar: Similar | None) -> str | None:
    """The span must hold what the claim is about: its main predicate (an opposite is
    reported by `_events`; a synonym may do) and the nouns that predicate takes."""
    predicates = [e.word for e in span.events if e.word not in LIGHT]
    for word, shown, is_predicate in claim.required:
        if word in span.words or any(relation(word, other) for other in predicates):
            continue
        if is_predicate and similar is not None and similar(word, predicates):
            continue
        return f"passage does not say “{shown}”"
    return None


def _events(claim: Facts, span: Facts, _: frozenset[str], __: str) -> str | None:
    for event in claim.events:
        matches = [(s, relation(event.word, s.word)) for s in span.events]
        matches = [(s, r) for s, r in matches if r and _same_doer(event, s)]
        if not matches:
            continue  # the passage words it differently: nothing to compare
        reasons = [_event_reason(event, s, r) for s, r in matches]
        if all(reasons):
            return reasons[0]
    return None


def _same_doer(claim: Event, span: Event) -> bool:
    """Light verbs and copulas ("had", "is") are compared only about the same subject and
    what they say of it: the "is" of "is not acceptable" is not the claim's "is that he wants"."""
    if claim.word not in LIGHT:
        return True
    if not claim.subject & span.subject:
        return False
    said, other = claim.complement, span.complement
    return not (said and other) or said == other or relation(said, other) is not None


def _event_reason(claim: Event, span: Event, kind: str) -> str | None:
    same_polarity = (claim.negated == span.negated) == (kind == "same")
    if not same_polarity:
        if kind == "opposite":
            return f"passage says “{span.surface}”"
        if span.negated:
            return f"negated in passage (“{span.surface}”)"
        return f"not negated in passage (“{span.surface}”)"
    if kind == "opposite" or claim.inherited or span.inherited:
        return None
    reason = _role_reason(claim, span)
    if reason and claim.word in SYMMETRIC:  # "A met B" = "B met A"
        swapped = replace(
            claim,
            subject=claim.object,
            object=claim.subject,
            named_subject=claim.named_object,
            named_object=claim.named_subject,
        )
        return reason if _role_reason(swapped, span) else None
    return reason


def _role_reason(claim: Event, span: Event) -> str | None:
    """Who did what to whom: the claim's doer must be the passage's doer, not its done-to."""
    verb = span.surface
    if claim.subject and span.subject and not claim.subject & span.subject:
        if claim.subject & span.object:
            return f"roles swapped: passage says {span.subject_text} {verb} {span.object_text}"
        if claim.named_subject and span.named_subject:
            return f"passage says {span.subject_text} {verb}"
    if claim.object and span.object and not claim.object & span.object:
        if claim.object & span.subject and not claim.subject & span.subject:
            return f"roles swapped: passage says {span.subject_text} {verb} {span.object_text}"
        if claim.named_object and span.named_object:
            return f"passage says {verb} {span.object_text}"
    return None


def _nouns(claim: Facts, span: Facts, _: frozenset[str], __: str) -> str | None:
    for noun, negators in claim.negated_nouns.items():
        said = span.negated_nouns.get(noun)
        if said is None or negators & said:
            continue
        way = next(iter(sorted(said - {""})), "")
        if way:
            return f"negated in passage (“{way} {noun}”)"
        return f"not negated in passage (“{noun}”)"
    return None


CHECKS: tuple[Check, ...] = (_numbers, _times, _names, _events, _nouns)
