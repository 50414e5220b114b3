"""The reader: between retrieval and the answer, it reads the retrieved passages sentence by
sentence and finds the answer itself.

1. Every sentence of the passages is scored against the question (semantic similarity and
   IDF-weighted keyword coverage, plus the passage's retrieval score).
2. The question is analysed (`rag.question`): the type of answer it expects and its focus.
3. For a factoid question, the best sentences are parsed (spaCy) and their entities and noun
   phrases become candidates (`rag.mentions`, scored in `rag.candidates`) by their sentence,
   type fit, closeness to the focus words and what it adds to the question; a candidate found
   in several sentences gathers their evidence (noisy-or, `rag.gather`), so a name several
   articles agree on wins; what agreeing sentences add stops at its type fit (they make it
   surer to be said, not more of the type asked). A name stated in part is given in its
   fullest form in the passages (`rag.phrasing`).
4. A verdict question is split into its claims, each looked up and supported on its own
   (`rag.verdict`). The retriever's passage order is kept: reordering by the reader's findings
   was measured to lower answer@1 on the tune half of RealTimeQA (0.81 -> 0.71).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from rag.answer_types import ORGANISATION, THING
from rag.candidates import novelty, question_words, type_fit
from rag.catalog import stems
from rag.gather import Found, Scored, gather, relabelled, sentence_candidates
from rag.kinds import kinds_among, known_tails
from rag.mentions import NOUN_PHRASE, Mention, normalise_key
from rag.naming import named_by
from rag.outlets import named_outlets, own_outlet, unknown_outlets
from rag.phrasing import by_tail, fullest_name, stated, trimmed
from rag.places import countries_named
from rag.position import described, fills_slot, proximity, stands_in_place
from rag.question import Analysis, analyse
from rag.retrieve import Passage
from rag.sentences import PARSED, SUBJECTS, Ranker, Sentence
from rag.verdict import (
    FOUND,
    Support,
    Verdict,
    compares,
    contradicts,
    judge,
    published_near,
    split_claims,
)

if TYPE_CHECKING:
    from rag.store import Store

Search = Callable[[str, "str | None", "str | None"], list[Passage]]
LIKENESS_KEYS = 64  # candidates compared with the type phrase (best sentences first)
LIKENED = frozenset({THING, ORGANISATION})  # the types whose candidates are compared


@dataclass(frozen=True)
class Scoring:
    """How a candidate's features are weighed."""

    evidence_floor: float = 0.1  # a sentence with less evidence names no answer ...
    evidence_full: float = 0.4  # ... and one with this much counts in full
    proximity_floor: float = 0.7  # a candidate far from every focus word keeps this share
    apposition: float = 1.5  # the sentence names it by the question's type noun
    described: float = 0.3  # it carries the question's own words as its title
    rank_decay: float = 0.7  # evidence kept per rank its passage stands below the first
    slot: float = 1.4  # it hangs from the word the question's answer hangs from
    subject: float = 1.15  # it is a subject where the question asks for one
    in_place: float = 0.8  # fit of a phrase where "... contaminated with what?" has "what"
    own_outlet: float = 0.3  # share of its fit the report's own outlet keeps ("told CNN")


@dataclass
class Reading:
    """What the reader found: the question's analysis, the ranked sentences, the best answer
    candidates, and the passages reordered with the answer's first."""

    analysis: Analysis
    sentences: list[Sentence]
    passages: list[Passage]
    found: list[Found] = field(default_factory=list)
    verdict: Verdict | None = None
    missing_outlets: list[str] = field(default_factory=list)  # named, but not in the archive

    @property
    def answer(self) -> Found | None:
        return self.found[0] if self.found else None

    @property
    def evidence(self) -> float:
        """How strongly the best sentence answers the question."""
        return max((s.evidence for s in self.sentences), default=0.0)


class Reader:
    """Reads passages for one question; `read` is the chain's read step."""

    def __init__(
        self, store: Store, scoring: Scoring = Scoring(), ranker: Ranker | None = None
    ) -> None:
        self.store = store
        self.scoring = scoring
        self.ranker = ranker or Ranker(store)

    def read(
        self, question: str, passages: Sequence[Passage], search: Search | None = None
    ) -> Reading:
        """Read the passages for `question`; `search(text, outlet, day)` retrieves more passages
        for one claim of a verdict question."""
        analysis = analyse(question)
        outlets = self.store.sources()
        missing = unknown_outlets(question, outlets)
        if missing:
            return Reading(analysis, [], list(passages), missing_outlets=missing)
        if analysis.is_verdict:
            verdict, passages = self.judge(analysis, passages, search, outlets)
            sentences = self.ranker.rank(question, passages)
            return Reading(analysis, sentences, list(passages), verdict=verdict)
        if search is not None:  # each outlet the question names gets its own look
            extra = [p for o in named_outlets(question, outlets) for p in search(question, o, None)]
            passages = _merged(passages, extra)
        sentences = self.ranker.agree(question, self.ranker.rank(question, passages))
        found = self.find(analysis, sentences) if analysis.is_factoid else []
        if found and (
            named := fullest_name(found[0].mention, found[0].sentence, passages, analysis)
        ):
            found[0] = replace(found[0], text=stated(named[0], analysis), named=named)
        elif found and analysis.category:
            found[0] = self._with_sort_noun(found[0], analysis)
        return Reading(analysis, sentences, list(passages), found)

    def judge(
        self,
        analysis: Analysis,
        passages: Sequence[Passage],
        search: Search | None,
        outlets: Sequence[str],
    ) -> tuple[Verdict, list[Passage]]:
        """Each claim of a verdict question looked up (in the outlet it names) and supported
        by its best sentence; the verdict; the passages with the supporting ones first."""
        claims, order = split_claims(analysis.question, outlets)
        comparing = compares(analysis.question, len(claims))
        supports, used = [], []
        for claim in claims:
            pool = list(passages)
            if search is not None:
                pool = search(claim.text, claim.outlet, claim.day) + pool
            pool = [p for p in pool if claim.outlet is None or p.source == claim.outlet]
            if claim.day:  # the report of the day it names, where the archive holds one
                pool = [p for p in pool if published_near(p.published_at, claim.day)] or pool
            ranked = sorted(self.ranker.rank(claim.text, pool), key=lambda s: -s.evidence)
            if not ranked:
                supports.append(Support(claim, None, 0.0))
                continue
            best = ranked[0]
            against = best.evidence >= FOUND and contradicts(claim.text, best.span.text)
            said = best
            if comparing:  # what the report says of the aspect compared
                said = self._on_aspect(analysis.question, best, pool)
            supports.append(Support(claim, said, best.evidence, against))
            used.append(said.passage)
        verdict = judge(analysis, supports, order, self.ranker.encode)
        rest = [p for p in passages if p.chunk_id not in {u.chunk_id for u in used}]
        return verdict, list({p.chunk_id: p for p in used}.values()) + rest

    def _on_aspect(self, question: str, found: Sentence, pool: Sequence[Passage]) -> Sentence:
        """Where two reports are compared ("Between the report on X and the one on Y, was the
        portrayal of Z consistent?"), the claim finds the report; the sentence compared and
        quoted is the report's best for the whole question, which names the aspect Z."""
        report = [p for p in pool if p.article_id == found.passage.article_id]
        ranked = sorted(self.ranker.rank(question, report), key=lambda s: -s.evidence)
        return ranked[0] if ranked else found

    def find(self, analysis: Analysis, sentences: Sequence[Sentence]) -> list[Found]:
        """Candidate answers of the best sentences, best first."""
        from rag.nlp import parse_many

        best = [s for s in sentences[:PARSED] if not s.span.text.rstrip().endswith("?")]
        if not best:
            return []
        docs = parse_many([s.span.text for s in best])
        focus = set(stems(list(analysis.focus)))
        slot = stems([analysis.slot])[0] if analysis.slot else ""
        at = [slot, *stems([analysis.slot_near] if analysis.slot_near else [])]  # where it stands
        asked = question_words(analysis)
        places = frozenset(countries_named(analysis.question))
        top = max(s.score for s in best) or 1.0
        w = self.scoring
        parsed = [
            (sentence, doc, sentence_candidates(doc, sentence.span.start, analysis.plural))
            for sentence, doc in zip(best, docs, strict=True)
        ]
        parsed = relabelled(parsed)
        phrases = [m for _, _, found in parsed for m in found]
        likeness = self._likeness(analysis, phrases)
        kinds = self._kinds(analysis, phrases)
        # a kind asked by its noun alone is said by the noun WordNet knows ("new volleyball")
        tails = {} if analysis.category else known_tails(kinds)
        tail_kinds = set(tails.values())
        generic = [m.text for m in phrases if m.label == NOUN_PHRASE and not m.proper]
        specific = self.ranker.specificity(generic) if generic else {}
        scored: list[Scored] = []
        for sentence, doc, found in parsed:
            vocabulary = sorted({t.lower_ for t in doc})
            stem_of = dict(zip(vocabulary, stems(vocabulary), strict=True))
            gate = (sentence.evidence - w.evidence_floor) / (w.evidence_full - w.evidence_floor)
            strength = max(0.0, sentence.score / top) * min(1.0, max(0.0, gate))
            strength *= w.rank_decay ** (sentence.rank - 1)  # the retriever's order is a prior
            for mention in found:
                said = trimmed(mention, analysis)  # without what the question says
                if tails.get(said.key):
                    mention = said = by_tail(said, tails[said.key], doc, sentence.span.start)
                known = said.key in kinds or said.key in tail_kinds
                fit = type_fit(mention, analysis, doc, likeness.get(mention.key), known)
                in_place = bool(slot) and fills_slot(mention, doc, slot, stem_of)
                if analysis.by_position:  # named only by its place: standing there is its type
                    if not any(stands_in_place(mention, doc, analysis, w, stem_of) for w in at):
                        continue
                    in_place = True
                    fit = max(fit, w.in_place) if fit > 0 else 0.0
                fit *= math.sqrt(specific.get(mention.text, 1.0))
                if own_outlet(mention.key, sentence.passage.source):
                    fit *= w.own_outlet
                # what it adds once the question's own words at its edges are dropped
                new = novelty(said, asked, analysis.type_noun, places)
                if fit <= 0 or new <= 0:
                    continue
                titled = described(mention, doc, focus, stem_of)
                if titled and not analysis.identity:  # the question's referent, not its answer
                    new *= w.described
                near = proximity(mention, doc, focus, stem_of)
                local = strength * fit * (w.proximity_floor + (1 - w.proximity_floor) * near)
                named = named_by(mention, analysis, doc) or (titled and analysis.identity)
                local *= math.sqrt(new) * (w.apposition if named else 1)
                if in_place:
                    local *= w.slot
                elif analysis.slot_subject and doc[mention.last - 1].dep_ in SUBJECTS:
                    local *= w.subject
                scored.append(Scored(min(local, 0.99), mention, sentence, fit))
        return gather(scored, analysis)

    def _with_sort_noun(self, found: Found, analysis: Analysis) -> Found:
        """ "What kind of test ...?" answered by the word sorting it ("a rapid test") is
        stated with the noun ("rapid test"), unless that word is itself a kind of the noun in
        WordNet ("oak" of "oak trees")."""
        noun, mention, span = analysis.type_noun or "", found.mention, found.sentence.span
        after = re.match(rf"\s+{re.escape(noun)}s?\b", span.text[mention.end - span.start :])
        if not noun or after is None or mention.label != NOUN_PHRASE:
            return found
        last = found.text.split()[-1:]
        if kinds_among(last, analysis.type_phrase or noun):
            return found
        end = mention.end + after.end()
        text = span.text[mention.start - span.start : end - span.start]
        wider = replace(mention, text=text, end=end, key=normalise_key(text))
        return replace(found, text=" ".join(text.split()), mention=wider)

    def _kinds(self, analysis: Analysis, found: Sequence[Mention]) -> set[str]:
        """The common noun phrases WordNet knows as kinds of the question's type phrase
        ("volleyball" for "which sport"), whole or by their longest tail it knows ("iconic
        fog" is fog, a weather phenomenon), for typed noun phrase questions."""
        if analysis.answer_type != THING or not analysis.type_phrase:
            return set()
        said = [trimmed(m, analysis) for m in found if m.label == NOUN_PHRASE and not m.proper]
        keys = {m.key for m in said if m.key}
        if not analysis.category:  # "a deadly virus" is no kind of virus the text names
            noun = analysis.type_noun or ""
            keys = {k for k in keys if k.split()[-1] not in (noun, noun + "s")}
        return kinds_among(keys, analysis.type_phrase, heads=True)

    def _likeness(self, analysis: Analysis, found: Sequence[Mention]) -> dict[str, float]:
        """Cosine similarity of each candidate to the question's type phrase, for typed noun
        phrases ("Which mineral ...?") and organisations ("Which union ...?"); {} for the
        other kinds."""
        if analysis.answer_type not in LIKENED or not analysis.type_phrase or not found:
            return {}
        keys = list(dict.fromkeys(m.key for m in found))[:LIKENESS_KEYS]
        vectors = self.ranker.encode([analysis.type_phrase, *keys])
        sims = vectors[1:] @ vectors[0]
        return {key: float(sim) for key, sim in zip(keys, sims, strict=True)}


def _merged(passages: Sequence[Passage], extra: Sequence[Passage]) -> list[Passage]:
    """The passages, then the extra ones not among them."""
    seen = {p.chunk_id for p in passages}
    return [
        *passages,
        *(p for p in dict((p.chunk_id, p) for p in extra).values() if p.chunk_id not in seen),
    ]
