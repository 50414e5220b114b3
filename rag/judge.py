"""A second opinion on each claim the rules pass (RAG_VERIFY=llm): the configured chat model is
asked whether the passage states the claim. With log-probabilities (an OpenAI-compatible
server that returns them) the Yes-minus-No margin decides against RAG_JUDGE_MARGIN; without,
the word it answers."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from rag.injection import defuse

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel
    from langchain_core.messages import BaseMessage

FLOOR = -30.0  # log-probability of a word missing from the top candidates
TOP = 10


def judge_messages(claim: str, passage: str) -> list[BaseMessage]:
    from langchain_core.messages import HumanMessage, SystemMessage

    from rag.llm_answer import fill, load_prompt

    prompt = load_prompt("judge")
    user = fill(prompt["user"], passage=defuse(passage).strip(), claim=claim)
    return [SystemMessage(prompt["system"]), HumanMessage(user)]


def margin_of(message: Any) -> float:
    """Yes minus No log-probability of the first token, or +1 / -1 / 0 from its text."""
    logprobs = (getattr(message, "response_metadata", None) or {}).get("logprobs")
    content = logprobs.get("content") if isinstance(logprobs, Mapping) else None
    if content:
        top = content[0].get("top_logprobs") or []
        best = {"yes": FLOOR, "no": FLOOR}
        for candidate in top:
            word = str(candidate.get("token", "")).strip().lower()
            if word in best:
                best[word] = max(best[word], float(candidate.get("logprob", FLOOR)))
        return round(best["yes"] - best["no"], 3)
    text = str(getattr(message, "content", "")).strip().lower()
    return 1.0 if text.startswith("yes") else -1.0 if text.startswith("no") else 0.0


class LLMJudge:
    """(claim, passage span) -> (entailed, margin), one short model call per claim; backend
    failures go through `explain` (a one-line BackendError)."""

    def __init__(
        self,
        chat: BaseChatModel,
        margin: float = 0.0,
        explain: Callable[[Exception], Exception] = lambda exc: exc,
    ) -> None:
        self.chat = chat
        self.margin = margin
        self.explain = explain

    def __call__(self, claim: str, passage: str) -> tuple[bool, float]:
        try:
            reply = self.chat.invoke(judge_messages(claim, passage))
        except Exception as exc:  # every backend failure, whatever the library raised
            raise self.explain(exc) from None
        margin = margin_of(reply)
        return margin >= self.margin, margin
