"""Candidates gathered across the reader's sentences into answers (`Found`).

Each parsed sentence gives its mentions as candidates (coordinated names joined into one where
the question asks for several); a name gets one entity label across the sentences; scored
candidates are merged by identity (a surname joins the full name, an amount written two ways is
one) and their evidence combined across sentences (noisy-or, up to a typed candidate's type
fit), each answer stated in its fullest form among its strong mentions. The reader
(`rag.read`) scores the candidates in between.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, NamedTuple

from rag.answer_types import THING
from rag.mentions import AMOUNTS, NOUN_PHRASE, Mention, mentions, normalise_key
from rag.phrasing import by_proxy, stated, trimmed
from rag.quantities import numbers
from rag.question import Analysis
from rag.sentences import Sentence

GATHERED = 3  # the sentences whose evidence a candidate gathers (its best ones)
FULL_FORM = 0.3  # a fuller name is stated when its sentence has this share of the best evidence


class Scored(NamedTuple):
    """A candidate in one sentence: its score there, and how well it fits the type asked."""

    local: float
    mention: Mention
    sentence: Sentence
    fit: float = 1.0


@dataclass(frozen=True)
class Found:
    """A candidate answer with the sentence that supports it best."""

    text: str  # the stated answer (a nationality's country where the question asks a place)
    mention: Mention
    sentence: Sentence
    confidence: float
    sentences: int  # how many sentences name it
    articles: int  # in how many articles
    named: tuple[Mention, Sentence] | None = None  # its fuller name, and the sentence giving it
    fit: float = 1.0  # its best fit to the type asked, over its sentences


def relabelled(parsed: list[tuple[Sentence, Any, list[Mention]]]) -> list[Any]:
    """One label per name across the sentences: the small model tags "Bankman-Fried" an ORG
    in one sentence and "Sam Bankman-Fried" a PERSON in another; a surname takes the label of
    the full name it ends, and a name its most frequent label."""
    votes: dict[str, Counter[str]] = {}
    for _, _, found in parsed:
        for m in found:
            if m.label != NOUN_PHRASE:
                votes.setdefault(m.key, Counter())[m.label] += 1
    people = [k for k, c in votes.items() if c.most_common(1)[0][0] == "PERSON" and " " in k]
    label: dict[str, str] = {}
    for key, counts in votes.items():
        full = next((p for p in people if p != key and p.endswith(" " + key)), None)
        label[key] = "PERSON" if full else counts.most_common(1)[0][0]
    return [
        (
            sentence,
            doc,
            [
                replace(m, label=label.get(m.key, m.label)) if m.label != NOUN_PHRASE else m
                for m in found
            ],
        )
        for sentence, doc, found in parsed
    ]


def sentence_candidates(doc: Any, offset: int, plural: bool) -> list[Mention]:
    """The sentence's mentions; for a question asking for several, coordinated names become
    one candidate ("Syed Mustafa Kamal and Anis Kaimkhani") in place of their parts."""
    found = mentions(doc, offset)
    if not plural:
        return found
    joined = [j for m in found if (j := conjoined(m, doc, found)) is not None]
    inside = {id(m) for j in joined for m in found if j.first <= m.first and m.last <= j.last}
    return joined + [m for m in found if id(m) not in inside]


def conjoined(mention: Mention, doc: Any, others: Sequence[Mention]) -> Mention | None:
    """ "Syed Mustafa Kamal and Anis Kaimkhani": the mention joined to the same-label mentions
    it is coordinated with, for questions that ask for several."""
    root = doc[mention.last - 1]
    conj_ends = [t.i for t in root.conjuncts if t.i > root.i]
    if not conj_ends:
        return None
    tail = [o for o in others if o.label == mention.label and o.first > mention.last - 1]
    tail = [o for o in tail if any(o.first <= i < o.last for i in conj_ends)]
    if not tail:
        return None
    last = max(tail, key=lambda o: o.last)
    text_end = last.end
    span = doc[mention.first : last.last]
    return Mention(
        span.text, mention.start, text_end, mention.label, normalise_key(span.text),
        mention.first, last.last, mention.proper,
    )  # fmt: skip


def gather(scored: Sequence[Scored], analysis: Analysis) -> list[Found]:
    """Candidates merged by identity (a surname joins the full name), their evidence combined
    across sentences (noisy-or of each sentence's best), best first. Sentences that agree
    make a candidate surer to be said, not more of the type asked: what they add beyond the
    best sentence stops at its best type fit (a city in the wrong country named in three
    sentences does not outrank the right one named once). A typed thing's fit is a likeness
    to the type phrase, not an entity label that is wrong, so it is not capped."""
    # each mention without what the question already says ("Justice Ketanji Brown Jackson's
    # new memoir" for "Whose memoir ...?" is "Ketanji Brown Jackson", one with the name)
    cut = [s._replace(mention=trimmed(s.mention, analysis)) for s in scored]
    clusters: dict[str, list[Scored]] = {}
    for item in sorted(cut, key=lambda i: -len(i.mention.key)):
        key = _cluster_key(item.mention, clusters, analysis)
        clusters.setdefault(key, []).append(item)
    found = []
    for items in clusters.values():
        per_sentence: dict[tuple[str, int], float] = {}
        for item in items:
            where = _where(item.sentence)
            per_sentence[where] = max(per_sentence.get(where, 0.0), item.local)
        best = sorted(per_sentence.values(), reverse=True)[:GATHERED]
        confidence = 1.0 - math.prod(1.0 - min(v, 0.99) for v in best)
        fit = max(i.fit for i in items)
        if analysis.answer_type != THING:  # a typed thing's fit is likeness, not a label
            confidence = max(best[0], min(confidence, fit))
        _, mention, sentence, _ = _representative(items, analysis)
        articles = len({a for a, _ in per_sentence})
        text = stated(mention, analysis)
        found.append(
            Found(text, mention, sentence, confidence, len(per_sentence), articles, fit=fit)
        )
    return sorted(found, key=lambda f: (-f.confidence, f.sentence.rank, f.mention.start))


def _representative(items: list[Scored], analysis: Analysis) -> Scored:
    """The mention an answer is stated by: in its best sentence, a name of the type asked
    before a phrase holding it ("Mara Quillfeather", not "Justice Mara Quillfeather"), the
    fullest form; a strong sentence's better form ("Sam Bankman-Fried") wins over it."""

    def form(item: Scored) -> tuple[bool, int, float]:
        mention = item.mention  # a name's fullest form; a common noun's words are not more exact
        named = len(normalise_key(stated(mention, analysis))) if _named(mention) else 0
        return mention.label in analysis.labels, named, item.local

    top = max(items, key=lambda i: i.local)
    here = max((i for i in items if _where(i.sentence) == _where(top.sentence)), key=form)
    strong = [i for i in items if i.local >= FULL_FORM * top.local]
    fuller = max(strong, key=form)
    said = {normalise_key(stated(i.mention, analysis)) for i in (here, fuller)}
    if form(fuller)[:2] > form(here)[:2] and len(said) == 2:
        return fuller
    if here.mention.label == "GPE" and by_proxy(here.mention, analysis):  # a city: its country
        named = [i for i in strong if not by_proxy(i.mention, analysis)]
        return max(named, key=lambda i: i.local) if named else here
    return here


def _named(mention: Mention) -> bool:
    return mention.label != NOUN_PHRASE or mention.proper


def _where(sentence: Sentence) -> tuple[str, int]:
    return sentence.passage.article_id, sentence.span.start


def _cluster_key(mention: Mention, clusters: dict[str, list], analysis: Analysis) -> str:
    """The cluster a mention belongs to: its value for an amount ("$12.6 million" and
    "$12,600,000" are one), the country a nationality or a city states where a place is asked
    ("Chinese" and "Guangzhou" join "China"), else its own key or a longer name ending with it."""
    if by_proxy(mention, analysis):
        return normalise_key(stated(mention, analysis))
    if mention.label in AMOUNTS:
        values = numbers(mention.text)
        if len(values) == 1:
            return f"{mention.label}:{next(iter(values))}"
    words = mention.key.split()
    # a name joins its longer form ("Vikings", "Minnesota Vikings"), and where a kind of thing
    # is asked, a common noun joins the phrase it heads ("cabin", "log cabin")
    if _named(mention) or analysis.answer_type == THING:
        for key in clusters:
            longer = key.split()
            if len(longer) > len(words) and longer[-len(words) :] == words:
                return key
    return mention.key
