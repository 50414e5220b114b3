"""Sentences of the retrieved passages, scored against a question: semantic similarity and
IDF-weighted keyword coverage (the evidence), the passage's retrieval score (the prior), and
whether the sentence's grammatical subject is the question's."""

from __future__ import annotations

import math
import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from rag.catalog import STOPWORDS, keyword_terms, stems
from rag.cite import Span, passage_sentences
from rag.injection import flags
from rag.retrieve import Passage

if TYPE_CHECKING:
    from rag.store import Store

SEMANTIC_POOL = 16  # sentences embedded per question, best keyword coverage first
PARSED = 10  # best sentences parsed (for their subject, and for candidates)
SENTENCE_BATCH = 16  # sentences per ONNX call, sorted by length (2x faster than unsorted 64s)
CONTEXT_SHARE = 0.5  # what a word of the sentence before counts in one opening on a pronoun
# words that point back to what the sentence before named: third-person pronouns in every
# form ("positioned himself", "his party"), and demonstratives
ANAPHORA = frozenset(
    "it its itself he him his himself she her herself they them their themselves".split()
) | {"this", "these"}
# a definite description of what was just named opens the sentence: "The leftist ...",
# "The company ..." (a common noun, not a name such as "The United States")
_DEFINITE_OPENING = re.compile(r"^\W*(?:The|That|Those) [a-z]")
VECTOR_CACHE = 20_000  # sentence vectors kept (about 30 MB)
SUBJECTS = frozenset({"nsubj", "nsubjpass"})
_CORE = frozenset({"compound", "poss", "amod", "nmod", "flat"})  # a subject's own words
_WH_WORDS = frozenset({"what", "which", "who", "whom", "whose", "how", "why", "when", "where"})


@dataclass(frozen=True)
class Weights:
    """How a sentence's evidence and rank are weighed."""

    semantic: float = 0.5
    coverage: float = 0.5
    prior: float = 0.25
    question_penalty: float = 0.3
    phrase: float = 0.15  # share of the question's word pairs found in the sentence
    subject: float = 0.1  # the sentence's subject is the question's
    other_role: float = 0.4  # it names the question's subject, but not as its subject


@dataclass
class Sentence:
    """A sentence of a retrieved passage and how well it answers the question."""

    passage: Passage
    rank: int
    span: Span
    terms: frozenset[str]
    context: frozenset[str] = frozenset()  # the words of `previous`, when it points back to it
    previous: str | None = None  # the quotable sentence just before it in its paragraph
    coverage: float = 0.0
    semantic: float = 0.0
    evidence: float = 0.0  # semantic and keyword evidence alone (what abstention looks at)
    score: float = 0.0  # evidence plus the passage's retrieval prior (what ranks sentences)


class Ranker:
    """Ranks the sentences of passages for a question or a claim."""

    def __init__(self, store: Store, weights: Weights = Weights()) -> None:
        self.store = store
        self.weights = weights
        self._vectors: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str]) -> Any:
        """Unit vectors of the texts; sentences met before are not encoded again (a
        conversation, and the claims of one question, keep reading the same sentences)."""
        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._vectors))
        # shortest first, in small batches: little padding, on the fast ONNX query path
        missing.sort(key=len)
        if missing:
            fresh = np.vstack(
                [
                    np.asarray(self.store.embedder.encode(missing[i : i + SENTENCE_BATCH]))
                    for i in range(0, len(missing), SENTENCE_BATCH)
                ]
            )
            with self._lock:
                self._vectors.update(zip(missing, np.asarray(fresh), strict=True))
                while len(self._vectors) > VECTOR_CACHE:
                    self._vectors.popitem(last=False)
        with self._lock:
            found = [self._vectors.get(t) for t in texts]
        if any(v is None for v in found):  # evicted meanwhile by another thread
            return np.asarray(self.store.embedder.encode(list(texts)))
        return np.vstack(found)

    def rank(self, question: str, passages: Sequence[Passage]) -> list[Sentence]:
        """The best sentences of the passages, best first (at most SEMANTIC_POOL)."""
        candidates = _sentences(passages)
        if not candidates:
            return []
        weights = self.term_weights(question)
        for s in candidates:
            s.coverage = coverage(weights, s.terms) + CONTEXT_SHARE * coverage(weights, s.context)
        top = max(p.score for p in passages) or 1.0
        pool = sorted(
            candidates, key=lambda s: (-(s.coverage + 0.2 * s.passage.score / top), s.rank)
        )[:SEMANTIC_POOL]
        vectors = self.encode([question] + [s.span.text for s in pool])
        sims = np.asarray(vectors[1:]) @ np.asarray(vectors[0])
        w = self.weights
        asked = bigrams(question)
        for s, sim in zip(pool, sims, strict=True):
            s.semantic = float(sim)
            s.evidence = w.semantic * s.semantic + w.coverage * s.coverage
            phrases = len(asked & bigrams(s.span.text)) / len(asked) if asked else 0.0
            s.score = (
                s.evidence
                + w.prior * s.passage.score / top
                + w.phrase * phrases
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

    def specificity(self, phrases: Sequence[str]) -> dict[str, float]:
        """In [0, 1] for each phrase: the mean IDF of its content words over the highest IDF
        possible, so that "political alliance" outranks "party" in an archive about parties."""
        words = {p: [t for t in stems(keyword_terms(p)) if t] for p in phrases}
        total, freq = self.store.catalog.document_frequencies(
            sorted({w for ws in words.values() for w in ws})
        )
        ceiling = math.log(1 + (total + 0.5) / 0.5)
        found = {}
        for phrase, ws in words.items():
            idf = [
                math.log(1 + (total - freq.get(w, 0) + 0.5) / (freq.get(w, 0) + 0.5)) for w in ws
            ]
            found[phrase] = sum(idf) / len(idf) / ceiling if idf else 0.0
        return found

    def agree(self, question: str, sentences: list[Sentence]) -> list[Sentence]:
        """Who does what: sentences whose grammatical subject is the question's subject rank
        higher, and sentences that name the question's subject only in another role (the one
        an offer is made to, not the one who demands) rank lower."""
        from rag.nlp import parse, parse_many

        wanted = subject_words(parse(question))
        if not wanted:
            return sentences
        names = {w for w in wanted if w[:1].isalpha() and w in question.lower()}
        best = sentences[:PARSED]
        for sentence, doc in zip(best, parse_many([s.span.text for s in best]), strict=True):
            subjects = subject_words(doc)
            if _pronoun_subject(doc) and sentence.previous:  # "it is willing ...": the one
                subjects |= subject_words(parse(sentence.previous))  # just named before
            if subjects & wanted:
                sentence.score += self.weights.subject
            elif names & _proper_nouns(doc):
                sentence.score -= self.weights.other_role
        return sorted(sentences, key=lambda s: (-s.score, s.rank, s.span.start))


def bigrams(text: str) -> set[tuple[str, str]]:
    """Adjacent word pairs of a text that hold at least one content word ("instead of",
    "of joining")."""
    words = re.findall(r"[^\W_]+", text.lower())
    pairs = zip(words, words[1:], strict=False)
    return {(a, b) for a, b in pairs if a not in STOPWORDS or b not in STOPWORDS}


def coverage(weights: dict[str, float], terms: frozenset[str]) -> float:
    """IDF-weighted share of the weighted words found in `terms`."""
    total = sum(weights.values())
    return sum(w for t, w in weights.items() if t in terms) / total if total else 0.0


def subject_words(doc: Any) -> set[str]:
    """The nouns and names of a parse's subjects (and of a passive's agent), lower-cased;
    a subject holding a question word is the answer's slot and is left out."""
    words: set[str] = set()
    for token in doc:
        is_agent = token.dep_ == "pobj" and token.head.dep_ == "agent"
        if token.dep_ not in SUBJECTS and not is_agent:
            continue
        core = [t for t in token.lefts if t.dep_ in _CORE] + [token]
        if any(t.lower_ in _WH_WORDS for t in token.subtree):
            continue
        words |= _nouns(core)
    return words or _subject_after_auxiliary(doc)


def _subject_after_auxiliary(doc: Any) -> set[str]:
    """ "What does Farooq Sattar demand ...?": the words between the auxiliary and the main
    verb, where the small parser often misses the subject of a question."""
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    aux = next((t for t in doc if t.pos_ == "AUX" and root is not None and t.i < root.i), None)
    if root is None or aux is None or not any(t.lower_ in _WH_WORDS for t in doc[: aux.i]):
        return set()
    return _nouns(doc[aux.i + 1 : root.i])


def _pronoun_subject(doc: Any) -> bool:
    return any(t.dep_ in SUBJECTS and t.pos_ == "PRON" for t in doc)


def _proper_nouns(doc: Any) -> set[str]:
    return {t.lower_ for t in doc if t.pos_ == "PROPN"}


def _nouns(tokens: Any) -> set[str]:
    return {t.lower_ for t in tokens if t.pos_ in ("PROPN", "NOUN") and len(t.text) > 1}


def _sentences(passages: Sequence[Passage]) -> list[Sentence]:
    seen: dict[tuple[str, int], Sentence] = {}
    spans = []
    for rank, p in enumerate(passages, 1):
        found = passage_sentences(p.text, p.start)
        marked = flags(s.text for s in found)
        spans += [(rank, p, s, bad) for s, bad in zip(found, marked, strict=True)]
    words = [frozenset() if bad else keyword_terms(s.text) for *_, s, bad in spans]
    vocab = sorted({w for ws in words for w in ws})
    stem_of = dict(zip(vocab, stems(vocab), strict=True))
    before: tuple[Passage, Span, frozenset[str], bool] | None = None
    for (rank, passage, span, bad), ws in zip(spans, words, strict=True):
        key = (passage.article_id, span.start)
        terms = frozenset(stem_of[w] for w in ws if stem_of[w])
        # never text aimed at a model: not a sentence, and no context for the one after it
        if not bad and key not in seen and len(span.text.split()) >= 4:
            previous = _previous(passage, span, before)
            context = previous[1] - terms if previous and _points_back(span.text) else frozenset()
            seen[key] = Sentence(
                passage, rank, span, terms, context, previous[0].text if previous else None
            )
        before = (passage, span, terms, bad)
    return list(seen.values())


def _previous(
    passage: Passage, span: Span, before: tuple[Passage, Span, frozenset[str], bool] | None
) -> tuple[Span, frozenset[str]] | None:
    """The sentence just before `span` in its passage and paragraph, with its words; none at
    a paragraph's start or after text aimed at a model."""
    if before is None or before[0] is not passage or before[3]:
        return None
    gap = passage.text[before[1].end - passage.start : span.start - passage.start]
    return None if "\n" in gap else (before[1], before[2])


def _points_back(text: str) -> bool:
    """The sentence opens on a word that points back to the one before it ("Due to this, it
    is willing ...", "The leftist positioned himself ...")."""
    opening = re.findall(r"[^\W_]+", text.lower())[:4]
    return bool(ANAPHORA.intersection(opening) or _DEFINITE_OPENING.match(text.lstrip()))
