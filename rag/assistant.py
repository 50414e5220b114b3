"""The assistant: condense a follow-up, retrieve passages, answer with cited quotes.

Built as a LangChain runnable chain (condense -> retrieve -> answerer); the answerer is picked by
name from the registry in `rag.llms` (`extractive` by default). What it returns is defined in
`rag.answer`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from langchain_core.runnables import Runnable, RunnableLambda

from rag.answer import ABSTAIN_TEXT, Answer, Answerer, Draft, Progress
from rag.catalog import Filters
from rag.clean import date_key, parse_date
from rag.config import Settings
from rag.errors import InputError
from rag.followup import condense
from rag.retrieve import Passage, Weights, search
from rag.store import Store
from rag.verdict import day_window

CLAIM_PASSAGES = 3  # passages retrieved for each claim of a verdict question
Step = Callable[[str, int], None]


def normalise_history(history: Sequence[Any]) -> list[dict[str, str]]:
    """Turns as {"role", "content"} dicts; (role, content) pairs are accepted too."""
    turns = []
    for turn in history:
        role, content = (turn["role"], turn["content"]) if isinstance(turn, Mapping) else turn
        turns.append({"role": str(role), "content": str(content)})
    return turns


def check_question(question: str, max_chars: int) -> str:
    text = " ".join(str(question).split())
    if not text:
        raise InputError("the question is empty")
    if len(text) > max_chars:
        raise InputError(f"the question is too long ({len(text)} > {max_chars} characters)")
    return text


def check_date(value: str | None, name: str) -> str | None:
    if value is None or str(value).strip() == "":
        return None
    parsed = parse_date(value)
    if parsed is None:
        raise InputError(f"{name} {value!r} is not a date (try YYYY-MM-DD)")
    return parsed


class Assistant:
    """`ask` and `stream` over a store with a named answerer."""

    def __init__(self, store: Store, settings: Settings, answerer: Answerer | None = None) -> None:
        from rag.llms import make_answerer

        self.store = store
        self.settings = settings
        self.answerer = answerer or make_answerer(settings.answerer, settings, store)
        self.weights = Weights(
            dense=settings.dense_weight,
            keyword=settings.keyword_weight,
            recency=settings.recency_weight,
            half_life_days=settings.recency_half_life_days,
            outside_window=settings.recency_outside_window,
            rrf_k=settings.rrf_k,
            fusion=settings.fusion,
            max_per_article=settings.max_per_article,
            group_stories=settings.group_stories,
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> Assistant:
        from rag.store import open_store

        return cls(open_store(settings), settings)

    def chain(self, filters: Filters, k: int) -> Runnable[dict[str, Any], dict[str, Any]]:
        """condense -> retrieve -> read as a runnable; its output feeds the answerer. The read
        step runs for answerers that have a reader (the extractive one): it finds the answer
        in the passages and puts the passages that hold it first."""
        condenser = getattr(self.answerer, "condense", None) or condense
        reader = getattr(self.answerer, "reader", None)

        def step_condense(inputs: dict[str, Any]) -> dict[str, Any]:
            return {**inputs, "query": condenser(inputs["question"], inputs["history"])}

        def step_retrieve(inputs: dict[str, Any]) -> dict[str, Any]:
            started = time.perf_counter()
            passages = search(
                self.store, inputs["query"], k, filters, self.weights, self.settings.candidates
            )
            return {**inputs, "passages": passages, "retrieve_ms": _ms(started)}

        def claim_search(text: str, outlet: str | None, day: str | None) -> list[Passage]:
            since, until = day_window(day) if day else (None, None)
            narrowed = Filters(
                outlet or filters.source,
                _later(filters.since, since),
                _earlier(filters.until, until),
                filters.as_of,
            )
            return search(self.store, text, CLAIM_PASSAGES, narrowed, self.weights)

        def step_read(inputs: dict[str, Any]) -> dict[str, Any]:
            started = time.perf_counter()
            reading = reader.read(inputs["query"], inputs["passages"], claim_search)
            return {
                **inputs,
                "reading": reading,
                "passages": reading.passages,
                "read_ms": _ms(started),
            }

        chain = RunnableLambda(step_condense) | RunnableLambda(step_retrieve)
        return chain | RunnableLambda(step_read) if reader is not None else chain

    def stream(
        self,
        question: str,
        history: Sequence[Any] = (),
        as_of: str | None = None,
        filters: Filters | None = None,
        k: int | None = None,
        on_step: Step | None = None,
    ) -> Iterator[str | Progress | Answer]:
        """Yield answer text as it is produced (with the answerer's Progress), then the final
        Answer. `on_step(name, count)` hears "searching" (0) before retrieval and "reading"
        (passages found) after it."""
        started = time.perf_counter()
        question = check_question(question, self.settings.max_question_chars)
        base = filters or Filters()
        filters = Filters(
            source=base.source,
            since=check_date(base.since, "--since"),
            until=check_date(base.until, "--until"),
            as_of=check_date(as_of or base.as_of, "--as-of"),
        )
        self.store.check_model()
        self.store.require_articles()
        turns = normalise_history(history)
        if on_step:
            on_step("searching", 0)
        state = self.chain(filters, k or self.settings.k).invoke(
            {"question": question, "history": turns}
        )
        if on_step:
            on_step("reading", len(state["passages"]))
        answer_started = time.perf_counter()
        draft = Draft(ABSTAIN_TEXT, [], True)
        reading = state.get("reading")
        extra = {"reading": reading} if reading is not None else {}
        for piece in self.answerer.stream(state["query"], state["passages"], turns, **extra):
            if isinstance(piece, Draft):
                draft = piece
            else:
                yield piece
        yield Answer(
            question=question,
            text=draft.text,
            abstained=draft.abstained,
            citations=draft.citations,
            passages=state["passages"],
            timings_ms={
                "retrieve": state["retrieve_ms"],
                **({"read": state["read_ms"]} if "read_ms" in state else {}),
                "answer": _ms(answer_started),
                "total": _ms(started),
            },
            unsupported=draft.unsupported,
            notes=draft.notes,
            short_answer=draft.short_answer,
            claims=draft.claims,
        )

    def ask(
        self,
        question: str,
        history: Sequence[Any] = (),
        as_of: str | None = None,
        filters: Filters | None = None,
        k: int | None = None,
    ) -> Answer:
        """The final Answer to a question (see `stream`)."""
        final = None
        for piece in self.stream(question, history, as_of, filters, k):
            if isinstance(piece, Answer):
                final = piece
        assert final is not None
        return final


def _later(a: str | None, b: str | None) -> str | None:
    """The later of two optional ISO dates (the narrower `since`)."""
    return max((d for d in (a, b) if d), key=lambda d: date_key(d) or 0, default=None)


def _earlier(a: str | None, b: str | None) -> str | None:
    """The earlier of two optional ISO dates (the narrower `until`)."""
    return min((d for d in (a, b) if d), key=lambda d: date_key(d) or 0, default=None)


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)
