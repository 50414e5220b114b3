"""The reader: between retrieval and the answer, it reads the retrieved passages sentence by
sentence and finds the answer itself.

1. Every sentence of the passages is scored against the question (semantic similarity and
   IDF-weighted keyword coverage, plus the passage's retrieval score).
2. The question is analysed (`rag.question`): the type of answer it expects and its focus.
3. For a factoid question, the best sentences are parsed (spaCy) and their entities and noun
   phrases become candidates (`rag.candidates`), each scored by its sentence, its type fit, its
   closeness to the focus words and what it adds to the question; a candidate found in several
   sentences gathers their evidence (noisy-or), so a name several articles agree on wins.
4. The passages that hold the chosen answer move to the front.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np

from rag.candidates import (
    NOUN_PHRASE,
    Mention,
    conjoined,
    described,
    mentions,
    named_by,
    novelty,
    proximity,
    question_words,
    type_fit,
)
from rag.catalog import keyword_terms, stems
from rag.cite import Span, passage_sentences
from rag.question import PLACE, Analysis, analyse
from rag.retrieve import Passage
from rag.verdict import FOUND, Support, Verdict, contradicts, judge, split_claims

if TYPE_CHECKING:
    from rag.store import Store

SEMANTIC_POOL = 20  # sentences embedded per question, best keyword coverage first
PARSED = 12  # best sentences parsed for candidates
Search = Callable[[str, "str | None"], list[Passage]]


@dataclass(frozen=True)
class Scoring:
    """How sentence evidence and candidate features are weighed."""

    semantic: float = 0.5
    coverage: float = 0.5
    prior: float = 0.25
    question_penalty: float = 0.3
    proximity_floor: float = 0.4  # a candidate far from every focus word keeps this share
    apposition: float = 1.5  # the sentence names it by the question's type noun
    described: float = 0.3  # it carries the question's own words as its title
    subject: float = 0.1  # the sentence's subject is the question's


@dataclass
class Sentence:
    """A sentence of a retrieved passage and how well it answers the question."""

    passage: Passage
    rank: int
    span: Span
    terms: frozenset[str]
    coverage: float = 0.0
    semantic: float = 0.0
    evidence: float = 0.0  # semantic and keyword evidence alone (what abstention looks at)
    score: float = 0.0  # evidence plus the passage's retrieval prior (what ranks sentences)


@dataclass(frozen=True)
class Found:
    """A candidate answer with the sentence that supports it best."""

    text: str  # the stated answer (a nationality's country where the question asks a place)
    mention: Mention
    sentence: Sentence
    confidence: float
    sentences: int  # how many sentences name it
    articles: int  # in how many articles


@dataclass
class Reading:
    """What the reader found: the question's analysis, the ranked sentences, the best answer
    candidates, and the passages reordered with the answer's first."""

    analysis: Analysis
    sentences: list[Sentence]
    passages: list[Passage]
    found: list[Found] = field(default_factory=list)
    verdict: Verdict | None = None

    @property
    def answer(self) -> Found | None:
        return self.found[0] if self.found else None

    @property
    def evidence(self) -> float:
        """How strongly the best sentence answers the question."""
        return max((s.evidence for s in self.sentences), default=0.0)


class Reader:
    """Reads passages for one question; `read` is the chain's read step."""

    def __init__(self, store: Store, scoring: Scoring = Scoring()) -> None:
        self.store = store
        self.scoring = scoring

    def read(
        self, question: str, passages: Sequence[Passage], search: Search | None = None
    ) -> Reading:
        """Read the passages for `question`; `search(text, outlet)` retrieves more passages
        for one claim of a verdict question."""
        analysis = analyse(question)
        sentences = self.agree(question, self.rank(question, passages))
        if analysis.is_verdict:
            verdict, passages = self.judge(analysis, passages, search)
            return Reading(analysis, sentences, list(passages), verdict=verdict)
        found = self.find(analysis, sentences) if analysis.is_factoid else []
        return Reading(analysis, sentences, _reorder(passages, found), found)

    def judge(
        self, analysis: Analysis, passages: Sequence[Passage], search: Search | None
    ) -> tuple[Verdict, list[Passage]]:
        """Each claim of a verdict question looked up (in the outlet it names) and supported
        by its best sentence; the verdict; the passages with the supporting ones first."""
        claims, order = split_claims(analysis.question, self.store.catalog.sources())
        supports, used = [], []
        for claim in claims:
            pool = list(passages)
            if search is not None:
                pool = search(claim.text, claim.outlet) + pool
            pool = [p for p in pool if claim.outlet is None or p.source == claim.outlet]
            ranked = sorted(self.rank(claim.text, pool), key=lambda s: -s.evidence)
            if not ranked:
                supports.append(Support(claim, None, 0.0))
                continue
            best = ranked[0]
            against = best.evidence >= FOUND and contradicts(claim.text, best.span.text)
            supports.append(Support(claim, best, best.evidence, against))
            used.append(best.passage)
        verdict = judge(analysis, supports, order, self.store.embedder.encode)
        rest = [p for p in passages if p.chunk_id not in {u.chunk_id for u in used}]
        return verdict, list({p.chunk_id: p for p in used}.values()) + rest

    # -- sentences ---------------------------------------------------------------------------
    def rank(self, question: str, passages: Sequence[Passage]) -> list[Sentence]:
        """The best sentences of the passages, best first (at most SEMANTIC_POOL)."""
        candidates = _sentences(passages)
        if not candidates:
            return []
        weights = self.term_weights(question)
        for s in candidates:
            s.coverage = coverage(weights, s.terms)
        top = max(p.score for p in passages) or 1.0
        pool = sorted(
            candidates, key=lambda s: (-(s.coverage + 0.2 * s.passage.score / top), s.rank)
        )[:SEMANTIC_POOL]
        vectors = self.store.embedder.encode([question] + [s.span.text for s in pool])
        sims = np.asarray(vectors[1:]) @ np.asarray(vectors[0])
        w = self.scoring
        for s, sim in zip(pool, sims, strict=True):
            s.semantic = float(sim)
            s.evidence = w.semantic * s.semantic + w.coverage * s.coverage
            s.score = (
                s.evidence
                + w.prior * s.passage.score / top
                - w.question_penalty * s.span.text.rstrip().endswith("?")
            )
        return sorted(pool, key=lambda s: (-s.score, s.rank, s.span.start))

    def term_weights(self, text: str) -> dict[str, float]:
        """IDF weight of each stemmed content word of `text` in the archive's chunks."""
        terms = [t for t in dict.fromkeys(stems(keyword_terms(text))) if t]
        total, freq = self.store.catalog.document_frequencies(terms)
        return {
            t: math.log(1 + (total - freq.get(t, 0) + 0.5) / (freq.get(t, 0) + 0.5)) for t in terms
        }

    def agree(self, question: str, sentences: list[Sentence]) -> list[Sentence]:
        """Sentences whose grammatical subject is the question's subject rank higher: "What
        does Sattar demand?" is answered by what Sattar does, not by what is offered to him."""
        from rag.nlp import parse, parse_many

        wanted = subject_words(parse(question))
        if not wanted:
            return sentences
        best = sentences[:PARSED]
        for sentence, doc in zip(best, parse_many([s.span.text for s in best]), strict=True):
            if subject_words(doc) & wanted:
                sentence.score += self.scoring.subject
        return sorted(sentences, key=lambda s: (-s.score, s.rank, s.span.start))

    # -- candidates --------------------------------------------------------------------------
    def find(self, analysis: Analysis, sentences: Sequence[Sentence]) -> list[Found]:
        """Candidate answers of the best sentences, best first."""
        from rag.nlp import parse_many

        best = [s for s in sentences[:PARSED] if not s.span.text.rstrip().endswith("?")]
        if not best:
            return []
        docs = parse_many([s.span.text for s in best])
        focus = set(stems(list(analysis.focus)))
        asked = question_words(analysis)
        top = max(s.score for s in best) or 1.0
        w = self.scoring
        scored: list[tuple[float, Mention, Sentence]] = []
        for sentence, doc in zip(best, docs, strict=True):
            vocabulary = sorted({t.lower_ for t in doc})
            stem_of = dict(zip(vocabulary, stems(vocabulary), strict=True))
            strength = max(0.0, sentence.score / top) * min(1.0, max(0.0, sentence.evidence) * 2)
            for mention in _candidates(doc, sentence.span.start, analysis.plural):
                fit = type_fit(mention, analysis, doc)
                new = novelty(mention, asked)
                if fit <= 0 or new <= 0:
                    continue
                if described(mention, doc, focus, stem_of):
                    new *= w.described
                near = proximity(mention, doc, focus, stem_of)
                local = strength * fit * (w.proximity_floor + (1 - w.proximity_floor) * near)
                local *= math.sqrt(new) * (w.apposition if named_by(mention, analysis, doc) else 1)
                scored.append((min(local, 0.99), mention, sentence))
        return _gather(scored, analysis)


def coverage(weights: dict[str, float], terms: frozenset[str]) -> float:
    """IDF-weighted share of the weighted words found in `terms`."""
    total = sum(weights.values())
    return sum(w for t, w in weights.items() if t in terms) / total if total else 0.0


_SUBJECTS = frozenset({"nsubj", "nsubjpass"})
_WH_WORDS = frozenset({"what", "which", "who", "whom", "whose", "how", "why", "when", "where"})


def subject_words(doc: Any) -> set[str]:
    """The nouns and names of a parse's subjects (and of a passive's agent), lower-cased;
    a subject holding a question word is the answer's slot and is left out."""
    words: set[str] = set()
    for token in doc:
        is_agent = token.dep_ == "pobj" and token.head.dep_ == "agent"
        if token.dep_ not in _SUBJECTS and not is_agent:
            continue
        subtree = list(token.subtree)
        if any(t.lower_ in _WH_WORDS for t in subtree):
            continue
        words |= _nouns(subtree)
    return words or _subject_after_auxiliary(doc)


def _subject_after_auxiliary(doc: Any) -> set[str]:
    """ "What does Farooq Sattar demand ...?": the words between the auxiliary and the main
    verb, where the small parser often misses the subject of a question."""
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    aux = next((t for t in doc if t.pos_ == "AUX" and root is not None and t.i < root.i), None)
    if root is None or aux is None or not any(t.lower_ in _WH_WORDS for t in doc[: aux.i]):
        return set()
    return _nouns(doc[aux.i + 1 : root.i])


def _nouns(tokens: Any) -> set[str]:
    return {t.lower_ for t in tokens if t.pos_ in ("PROPN", "NOUN") and len(t.text) > 1}


def _candidates(doc: Any, offset: int, plural: bool) -> list[Mention]:
    """The sentence's mentions; for a question asking for several, coordinated names become
    one candidate ("Syed Mustafa Kamal and Anis Kaimkhani") in place of their parts."""
    found = mentions(doc, offset)
    if not plural:
        return found
    joined = [j for m in found if (j := conjoined(m, doc, found)) is not None]
    inside = {id(m) for j in joined for m in found if j.first <= m.first and m.last <= j.last}
    return joined + [m for m in found if id(m) not in inside]


def _gather(scored: list[tuple[float, Mention, Sentence]], analysis: Analysis) -> list[Found]:
    """Candidates merged by identity (a surname joins the full name), their evidence combined
    across sentences (noisy-or of each sentence's best), best first."""
    clusters: dict[str, list[tuple[float, Mention, Sentence]]] = {}
    for item in sorted(scored, key=lambda i: -len(i[1].key)):
        key = _cluster_key(item[1], clusters)
        clusters.setdefault(key, []).append(item)
    found = []
    for items in clusters.values():
        per_sentence: dict[tuple[str, int], float] = {}
        for local, _, sentence in items:
            where = (sentence.passage.article_id, sentence.span.start)
            per_sentence[where] = max(per_sentence.get(where, 0.0), local)
        confidence = 1.0 - math.prod(1.0 - min(v, 0.99) for v in per_sentence.values())
        local, mention, sentence = max(items, key=lambda i: (i[0], len(i[1].text)))
        articles = len({a for a, _ in per_sentence})
        text = _stated(mention, analysis)
        found.append(Found(text, mention, sentence, confidence, len(per_sentence), articles))
    return sorted(found, key=lambda f: (-f.confidence, f.sentence.rank, f.mention.start))


def _cluster_key(mention: Mention, clusters: dict[str, list]) -> str:
    """The cluster a mention belongs to: its own key, or a longer name ending with it."""
    words = mention.key.split()
    if mention.label != NOUN_PHRASE or mention.proper:
        for key in clusters:
            longer = key.split()
            if len(longer) > len(words) and longer[-len(words) :] == words:
                return key
    return mention.key


def _stated(mention: Mention, analysis: Analysis) -> str:
    """The answer as said: the mention, or the country of a nationality when a place is asked
    ("Syrian" -> "Syria")."""
    text = " ".join(mention.text.split())
    if mention.label == "NORP" and analysis.answer_type == PLACE:
        return country_of(text) or text
    return text


@lru_cache(maxsize=1)
def _demonyms() -> dict[str, str]:
    """Demonym -> country name from the `countryinfo` data; a demonym several countries share
    ("Chinese") names the most populous."""
    import countryinfo

    best: dict[str, tuple[int, str]] = {}
    for country in countryinfo.all_countries():
        try:
            demonym, name = country.demonym(), country.name()
            population = int(country.population() or 0)
        except (KeyError, TypeError, ValueError, countryinfo.CountryNotFoundError):
            continue
        if demonym and name and population > best.get(demonym.lower(), (-1, ""))[0]:
            best[demonym.lower()] = (population, name)
    return {demonym: name for demonym, (_, name) in best.items()}


def country_of(demonym: str) -> str | None:
    """The country a nationality adjective names ("Syrian" -> "Syria"), if known."""
    return _demonyms().get(demonym.strip().lower())


def _reorder(passages: Sequence[Passage], found: Sequence[Found]) -> list[Passage]:
    """The passages holding the best answer first (by its evidence there), the rest after."""
    if not found:
        return list(passages)
    best = found[0]
    holding = {
        p.chunk_id
        for p in passages
        if p.article_id == best.sentence.passage.article_id
        and p.start <= best.mention.start < p.end
    }
    holding.add(best.sentence.passage.chunk_id)
    return [p for p in passages if p.chunk_id in holding] + [
        p for p in passages if p.chunk_id not in holding
    ]


def _sentences(passages: Sequence[Passage]) -> list[Sentence]:
    seen: dict[tuple[str, int], Sentence] = {}
    spans = [
        (rank, p, s)
        for rank, p in enumerate(passages, 1)
        for s in passage_sentences(p.text, p.start)
    ]
    words = [keyword_terms(s.text) for _, _, s in spans]
    vocab = sorted({w for ws in words for w in ws})
    stem_of = dict(zip(vocab, stems(vocab), strict=True))
    for (rank, passage, span), ws in zip(spans, words, strict=True):
        key = (passage.article_id, span.start)
        if key not in seen and len(span.text.split()) >= 4:
            terms = frozenset(stem_of[w] for w in ws if stem_of[w])
            seen[key] = Sentence(passage, rank, span, terms)
    return list(seen.values())
