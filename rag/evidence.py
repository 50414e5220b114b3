"""The few sentences of the retrieved passages that bear on a question: a prompt a fraction of
the length of whole passages, for local LLMs whose time goes mostly into reading the prompt
(RAG_PROMPT_CONTEXT=sentences).

The sentences are the reader's best (rag.sentences.Ranker: semantic similarity, IDF-weighted
keyword coverage, the passage's retrieval rank, who does what), each once although chunks
overlap. Each comes with its neighbours in its paragraph (and with the sentence before it when
it leans on that one: "Due to this, it ..."), so that the model reads what the sentence is about.
The sentences of one article are shown together, in the article's order and paragraphs, in the
place of the article's best ranked passage (its number, title and date): a short text that reads
like the article. Run into one block, separate stretches of text lead a small model to mix up
who did what (benchmarks/llm_answers.py); benchmarks/sentence_context.py measures how many
answers the context keeps."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rag.cite import Span, passage_sentences, stands_alone
from rag.injection import quotable
from rag.retrieve import Passage

if TYPE_CHECKING:
    from rag.sentences import Sentence


def excerpt_bodies(
    ranked: Sequence[Sentence], passages: Sequence[Passage], budget: int
) -> list[str]:
    """For each passage, the text to show in its place ("" leaves it out): the `budget` best
    of the `ranked` sentences (best first, each sentence once) with their context, grouped by
    article in the place of the article's best ranked passage. Sentences addressed to AI
    assistants are never shown."""
    chosen: dict[str, dict[int, Span]] = {}
    home: dict[str, int] = {}
    for sentence in list(ranked)[: max(1, budget)]:
        article = sentence.passage.article_id
        spans = chosen.setdefault(article, {})
        for span in with_context(sentence.span, _of(article, passages)):
            spans.setdefault(span.start, span)
        home[article] = min(home.get(article, len(passages)), sentence.rank - 1)
    bodies = [""] * len(passages)
    for article, spans in chosen.items():
        ordered = sorted(spans.values(), key=lambda s: s.start)
        bodies[home[article]] = excerpt(ordered, _of(article, passages))
    return bodies


def with_context(span: Span, passages: Sequence[Passage]) -> list[Span]:
    """`span` with the sentences right before and after it in its paragraph, and the one
    before it across a paragraph break when `span` leans on it; never a sentence addressed to
    an AI assistant. `passages` are those of its article."""
    before: Span | None = None
    after: Span | None = None
    for passage in passages:
        if not passage.start <= span.start < passage.end:
            continue
        sentences = passage_sentences(passage.text, passage.start)
        starts = [s.start for s in sentences]
        if span.start not in starts:
            continue
        ok = quotable(sentences)
        i = starts.index(span.start)
        earlier = sentences[i - 1] if i > 0 else None
        if earlier in ok and (runs_on(earlier, span, [passage]) or not stands_alone(span.text)):
            before = earlier
        later = sentences[i + 1] if i + 1 < len(sentences) else None
        if later in ok and runs_on(span, later, [passage]):
            after = later
    return [s for s in (before, span, after) if s is not None]


def excerpt(spans: Sequence[Span], passages: Sequence[Passage]) -> str:
    """Sentences of one article in the order given, as paragraphs: a sentence that follows on
    from the one before it in the same paragraph of the article (`passages` hold its text)
    joins it; any other starts a new paragraph."""
    paragraphs: list[list[str]] = []
    last: Span | None = None
    for span in spans:
        text = " ".join(span.text.split())
        if last is not None and runs_on(last, span, passages):
            paragraphs[-1].append(text)
        else:
            paragraphs.append([text])
        last = span
    return "\n\n".join(" ".join(p) for p in paragraphs)


def runs_on(first: Span | None, then: Span, passages: Sequence[Passage]) -> bool:
    """`then` comes right after `first` in the same paragraph (only spaces between them)."""
    if first is None:
        return False
    for passage in passages:
        if passage.start <= first.end <= then.start <= passage.end:
            between = passage.text[first.end - passage.start : then.start - passage.start]
            return not between.strip() and "\n" not in between
    return False


def _of(article_id: str, passages: Sequence[Passage]) -> list[Passage]:
    return [p for p in passages if p.article_id == article_id]
