"""The few sentences of the retrieved passages that bear on a question: a prompt a fraction of
the length of whole passages, for local LLMs whose time goes mostly into reading the prompt
(RAG_PROMPT_CONTEXT=sentences).

The sentences are the reader's best (rag.sentences.Ranker: semantic similarity, IDF-weighted
keyword coverage, the passage's retrieval rank), each shown once although chunks overlap. A
sentence that leans on the one before it ("Due to this, it ...") brings that one along. The
sentences of one article are shown together in the article's order under its title and date,
as the passage of that article that ranked best, gaps marked with an ellipsis: the model reads a
short excerpt that still runs like the article, not a list of fragments."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rag.cite import Span, passage_sentences, stands_alone
from rag.injection import quotable
from rag.retrieve import Passage

if TYPE_CHECKING:
    from rag.sentences import Sentence

GAP = "…"


def excerpt_bodies(
    ranked: Sequence[Sentence], passages: Sequence[Passage], budget: int
) -> list[str]:
    """For each passage, the text to show in its place ("" leaves it out): the `budget` best
    of the `ranked` sentences (best first, each sentence once), with the sentence before each
    one that does not stand alone, grouped by article in article order and shown as the best
    ranked passage of their article. Sentences addressed to AI assistants are never shown."""
    chosen: dict[str, dict[int, Span]] = {}
    home: dict[str, int] = {}
    for sentence in list(ranked)[: max(1, budget)]:
        article = sentence.passage.article_id
        spans = chosen.setdefault(article, {})
        spans[sentence.span.start] = sentence.span
        if not stands_alone(sentence.span.text):
            before = previous_span(sentence.span, article, passages)
            if before is not None:
                spans.setdefault(before.start, before)
        home[article] = min(home.get(article, len(passages)), sentence.rank - 1)
    bodies = [""] * len(passages)
    for article, spans in chosen.items():
        bodies[home[article]] = excerpt(sorted(spans.values(), key=lambda s: s.start))
    return bodies


def previous_span(span: Span, article_id: str, passages: Sequence[Passage]) -> Span | None:
    """The sentence right before `span` in a passage of the same article that holds both,
    unless it is addressed to an AI assistant."""
    for passage in passages:
        if passage.article_id != article_id or not passage.start <= span.start < passage.end:
            continue
        sentences = passage_sentences(passage.text, passage.start)
        starts = [s.start for s in sentences]
        if span.start in starts and starts.index(span.start) > 0:
            before = sentences[starts.index(span.start) - 1]
            ok = quotable(sentences)
            return before if before in ok else None
    return None


def excerpt(spans: Sequence[Span]) -> str:
    """Sentences of one article in order, gaps between them marked with an ellipsis."""
    parts: list[str] = []
    last_end = None
    for span in spans:
        if last_end is not None and span.start > last_end + 2:
            parts.append(GAP)
        parts.append(" ".join(span.text.split()))
        last_end = span.end
    return " ".join(parts)
