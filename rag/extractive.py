"""The `extractive` answerer: no LLM. It states what the reader found and quotes the sentence
that proves it ("Kamran Tessori. “Sindh Governor Kamran Tessori has ...” [1]"); a question
whose answer is a description gets the best sentences quoted; yes/no and before/after questions
get a verdict with one quote per claim (`rag.verdict`). Weak evidence abstains; a name of the
very type asked is stated on less, with a note saying so."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace

from rag.answer import ABSTAIN_TEXT, Citation, Draft, ShortAnswer, Turn
from rag.answer_types import THING
from rag.cite import jaccard, passage_sentences, stands_alone, with_marker
from rag.gather import Found
from rag.injection import quotable
from rag.read import Reader, Reading
from rag.retrieve import Passage
from rag.sentences import Sentence
from rag.store import Store
from rag.verdict import Verdict

REPEAT_PENALTY = 0.2
EXACT_FIT = 0.9  # a candidate fitting the type asked this well is of that type


class ExtractiveAnswerer:
    """Answer from the reader's findings; abstain below the thresholds."""

    def __init__(
        self,
        store: Store,
        threshold: float,
        max_sentences: int = 2,
        answer_threshold: float = 0.3,
        reader: Reader | None = None,
        exact_threshold: float | None = None,
    ) -> None:
        self.store = store
        self.threshold = threshold
        self.max_sentences = max_sentences
        self.answer_threshold = answer_threshold
        # a name of the very type asked (a city for "Which city ...?") needs less evidence
        self.exact_threshold = answer_threshold if exact_threshold is None else exact_threshold
        self.reader = reader or Reader(store)

    def stream(
        self,
        question: str,
        passages: Sequence[Passage],
        history: Sequence[Turn] = (),
        reading: Reading | None = None,
    ) -> Iterator[str | Draft]:
        said = [t["content"] for t in history if t.get("role") == "assistant"]
        draft = self.answer(question, passages, said, reading)
        pieces = draft.text.split("] ")
        for i, piece in enumerate(pieces):
            yield piece + ("] " if i < len(pieces) - 1 else "")
        yield draft

    def answer(
        self,
        question: str,
        passages: Sequence[Passage],
        said: Sequence[str] = (),
        reading: Reading | None = None,
    ) -> Draft:
        """State the answer and quote its proof, or quote the best sentences, or abstain."""
        reading = reading or self.reader.read(question, passages)
        if reading.missing_outlets:
            names = ", ".join(reading.missing_outlets)
            return Draft(
                ABSTAIN_TEXT, [], True, notes=[f"the archive holds no articles from {names}"]
            )
        if reading.verdict is not None:
            return self._judged(reading.verdict)
        ranked = _demote_repeats(reading.sentences, said)
        if not ranked:
            return Draft(ABSTAIN_TEXT, [], True)
        analysis = reading.analysis
        if analysis.is_factoid:
            found = reading.answer
            if found is not None and found.confidence >= self.answer_threshold:
                return self._stated(found)
            if found is not None and self._exact(found, analysis.answer_type):
                weak = f"weak evidence (confidence {found.confidence:.2f}): check the quote"
                return replace(self._stated(found), notes=[weak])
            if analysis.answer_type != THING:
                return Draft(ABSTAIN_TEXT, [], True, notes=[_none_named(reading)])
        if reading.evidence < self.threshold:
            return Draft(ABSTAIN_TEXT, [], True)
        # a typed question asks for one thing: its best sentence is the answer, and a second
        # one would be another guess, not more support
        return self._quoted(ranked, 1 if analysis.is_factoid else self.max_sentences)

    def _exact(self, found: Found, kind: str) -> bool:
        """A name of the very type asked, strong enough for the lower threshold; not a typed
        thing, whose fit is only a likeness to the type phrase."""
        exact = kind != THING and found.fit >= EXACT_FIT
        return exact and found.confidence >= self.exact_threshold

    def _stated(self, found: Found) -> Draft:
        """ "<answer>. “<sentence>” [1]", with the answer's span as the short answer; a name
        stated in its fuller form also quotes the sentence that gives it [2]."""
        texts: dict[str, str] = {}
        citations = [self._cited(found.sentence, 1, texts)]
        mention, where = found.mention, found.sentence
        if found.named is not None:
            mention, where = found.named
            if (where.passage.article_id, where.span.start) != (
                found.sentence.passage.article_id,
                found.sentence.span.start,
            ):
                citations.append(self._cited(where, 2, texts))
        short = ShortAnswer(
            found.text, where.passage.article_id, mention.start, mention.end,
            round(found.confidence, 4),
        )  # fmt: skip
        stop = "" if found.text.endswith(".") else "."  # "U.S." is not followed by "U.S.."
        quotes = " ".join(f"“{' '.join(c.quote.split())}” [{c.n}]" for c in citations)
        return Draft(f"{found.text}{stop} {quotes}", citations, False, short_answer=short)

    def _cited(self, sentence: Sentence, n: int, texts: dict[str, str]) -> Citation:
        """Citation `n`: the sentence, widened to the one before when it cannot stand alone."""
        text = self._article_text(sentence.passage.article_id, texts)
        start, end = _quote_start(sentence, text), sentence.span.end
        return Citation.of(n, sentence.passage, text[start:end], start, end)

    def _judged(self, verdict: Verdict) -> Draft:
        """ "Yes. “<sentence>” [1] “<sentence>” [2]": the verdict, one quote per claim."""
        if verdict.reply is None:
            return Draft(ABSTAIN_TEXT, [], True, notes=[verdict.reason])
        texts: dict[str, str] = {}
        citations: list[Citation] = []
        for support in verdict.supports:
            sentence = support.sentence
            assert sentence is not None
            end = sentence.span.end
            if any(c.article_id == sentence.passage.article_id and c.end == end for c in citations):
                continue
            citations.append(self._cited(sentence, len(citations) + 1, texts))
        quotes = " ".join(f"“{' '.join(c.quote.split())}” [{c.n}]" for c in citations)
        notes = [verdict.reason] if verdict.reason else []
        return Draft(f"{verdict.reply.capitalize()}. {quotes}", citations, False, notes=notes)

    def _quoted(self, ranked: list[Sentence], most: int) -> Draft:
        texts: dict[str, str] = {}
        chosen = self._choose(ranked, texts, most)
        citations = [
            Citation.of(
                n, s.passage, texts[s.passage.article_id][start : s.span.end], start, s.span.end
            )
            for n, (s, start) in enumerate(chosen, start=1)
        ]
        text = " ".join(with_marker(c.quote, c.n) for c in citations)
        return Draft(text, citations, False)

    def _choose(
        self, ranked: list[Sentence], texts: dict[str, str], most: int
    ) -> list[tuple[Sentence, int]]:
        """At most `most` of the best sentences, each with the start of its quote (widened to
        the sentence before when it cannot stand alone); quotes never overlap or repeat each
        other. `texts` collects the stored text of each article read, by article id."""
        best = ranked[0]
        chosen: list[tuple[Sentence, int]] = []
        for s in ranked:
            if len(chosen) >= most:
                break
            if chosen and (s.score < 0.85 * best.score or s.evidence < self.threshold):
                break
            start = _quote_start(s, self._article_text(s.passage.article_id, texts))
            covered = [i for i, (o, _) in enumerate(chosen) if _contains(s, start, o)]
            if covered:  # the widened quote holds an earlier one: it takes that one's place
                chosen[covered[0]] = (s, start)
                continue
            if any(
                _overlaps(s, start, o, o_start) or jaccard(s.terms, o.terms) >= 0.6
                for o, o_start in chosen
            ):
                continue
            chosen.append((s, start))
        return chosen

    def _article_text(self, article_id: str, texts: dict[str, str]) -> str:
        if article_id not in texts:
            texts[article_id] = self.store.catalog.lookup(article_id)["text"]
        return texts[article_id]


def _none_named(reading: Reading) -> str:
    kind = reading.analysis.type_noun or reading.analysis.answer_type
    return f"the closest passages name no {kind} that answers the question"


def _quote_start(sentence: Sentence, text: str) -> int:
    """Where the quote of a sentence starts: the sentence itself, or the one before it in the
    same paragraph when it cannot stand alone ("This condition ...")."""
    if stands_alone(sentence.span.text):
        return sentence.span.start
    para_start = text.rfind("\n", 0, sentence.span.start) + 1
    before = passage_sentences(text[para_start : sentence.span.start], para_start)
    return before[-1].start if before and quotable(before[-1:]) else sentence.span.start


def _overlaps(a: Sentence, a_start: int, b: Sentence, b_start: int) -> bool:
    same = a.passage.article_id == b.passage.article_id
    return same and a_start < b.span.end and b_start < a.span.end


def _contains(a: Sentence, a_start: int, b: Sentence) -> bool:
    same = a.passage.article_id == b.passage.article_id
    return same and a_start <= b.span.start and b.span.end <= a.span.end


def _demote_repeats(ranked: list[Sentence], said: Sequence[str]) -> list[Sentence]:
    """A follow-up wants something new: sentences already in earlier answers move down."""
    earlier = " ".join(" ".join(text.split()) for text in said)
    if not earlier:
        return ranked
    for s in ranked:
        if " ".join(s.span.text.split()) in earlier:
            s.score -= REPEAT_PENALTY
    return sorted(ranked, key=lambda s: (-s.score, s.rank, s.span.start))
