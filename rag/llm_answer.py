"""The LLM answerer: a chat model writes the answer from numbered, fenced passages (or only
their best sentences); every sentence is then checked as a claim against all the passages
(rag.verify) before the user gets the final Answer."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from rag.answer import ABSTAIN_TEXT, Citation, Claim, Draft, Progress, Turn
from rag.cite import Support, SupportChecker, quote_is_exact, strip_markers
from rag.errors import ConfigError, RagError
from rag.evidence import excerpt_bodies
from rag.followup import condense, needs_context
from rag.injection import defuse
from rag.retrieve import Passage
from rag.verify import ClaimChecker, Judge, Verified, verify_answer

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel
    from langchain_core.messages import BaseMessage

    from rag.config import Settings
    from rag.sentences import Ranker
    from rag.store import Store

PROMPTS = Path(__file__).resolve().parents[1] / "prompts"
HISTORY_TURNS = 4
_FENCE = re.compile(r"</?\s*passage\b[^>]*>?", re.IGNORECASE)


@lru_cache(maxsize=8)
def load_prompt(name: str) -> dict[str, str]:
    """The `[system]` and `[user]` parts of prompts/<name>.txt."""
    path = PROMPTS / f"{name}.txt"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        raise ConfigError(f"prompt template {path} is missing: reinstall Newsdesk") from None
    parts = re.split(r"^\[(system|user)\]\s*$", text, flags=re.MULTILINE)
    return {parts[i]: parts[i + 1].strip() for i in range(1, len(parts) - 1, 2)}


def fill(template: str, **values: str) -> str:
    """Replace `{name}` placeholders; braces inside the values are left as they are."""
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), m.group()), template)


def fence(passages: Sequence[Passage], bodies: Sequence[str] | None = None) -> str:
    """Numbered passages between <passage> tags (`bodies` replaces their texts; an empty one
    leaves its passage out). Text addressed to AI assistants and tags inside article text
    are defused."""
    blocks = []
    for n, p in enumerate(passages, start=1):
        body = defuse(p.text, p.start).strip() if bodies is None else bodies[n - 1]
        if not body:
            continue
        title = _FENCE.sub("", defuse(" ".join(p.title.split()))).replace('"', "'")
        body = _FENCE.sub("(tag removed)", body)
        date = p.published_at or "undated"
        blocks.append(f'<passage n="{n}" title="{title}" date="{date}">\n{body}\n</passage>')
    return "\n\n".join(blocks)


def answer_messages(
    question: str,
    passages: Sequence[Passage],
    history: Sequence[Turn],
    bodies: Sequence[str] | None = None,
) -> list[BaseMessage]:
    """System rules, the last few turns, then the fenced passages and the question."""
    from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

    prompt = load_prompt("answer")
    messages: list[BaseMessage] = [SystemMessage(prompt["system"])]
    for turn in list(history)[-HISTORY_TURNS:]:
        kind = AIMessage if turn.get("role") == "assistant" else HumanMessage
        messages.append(kind(strip_markers(str(turn.get("content", "")))))
    user = fill(prompt["user"], passages=fence(passages, bodies), question=question)
    messages.append(HumanMessage(user))
    return messages


def condense_messages(question: str, history: Sequence[Turn]) -> list[BaseMessage]:
    from langchain_core.messages import HumanMessage, SystemMessage

    prompt = load_prompt("condense")
    lines = [f"{t.get('role', 'user')}: {_one_line(str(t.get('content', '')))}" for t in history]
    user = fill(prompt["user"], history="\n".join(lines[-HISTORY_TURNS:]), question=question)
    return [SystemMessage(prompt["system"]), HumanMessage(user)]


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _claims(checked: Verified) -> list[Claim]:
    return [Claim(c.text, c.supported, numbers, c.reason) for c, numbers in checked.claims]


class LLMAnswerer:
    """Streams a chat model's answer, then verifies its citations into a Draft."""

    def __init__(
        self,
        store: Store,
        chat: BaseChatModel,
        settings: Settings,
        backend: str,
        judge: Judge | None = None,
    ) -> None:
        self.store = store
        self.chat = chat
        self.settings = settings
        self.backend = backend
        scorer = SupportChecker(store.embedder.encode, settings.support_threshold)
        self.checker = ClaimChecker(scorer, judge, self._article)
        self._ranker: Ranker | None = None

    def _article(self, article_id: str) -> str | None:
        row = self.store.catalog.lookup(article_id)
        return None if row is None else str(row["text"])

    def stream(
        self, question: str, passages: Sequence[Passage], history: Sequence[Turn] = ()
    ) -> Iterator[str | Progress | Draft]:
        """Progress("drafting"), the model's text as it comes, Progress("checking"), the
        checked Draft."""
        if not passages:
            yield Draft(ABSTAIN_TEXT, [], True)
            return
        yield Progress("drafting")
        pieces: list[str] = []
        for token in self._tokens(self.messages(question, passages, history)):
            pieces.append(token)
            yield token
        yield Progress("checking")
        yield self.verify("".join(pieces), passages)

    def messages(
        self, question: str, passages: Sequence[Passage], history: Sequence[Turn] = ()
    ) -> list[BaseMessage]:
        """The prompt: whole passages, or their best sentences (RAG_PROMPT_CONTEXT)."""
        if self.settings.prompt_context != "sentences":
            return answer_messages(question, passages, history)
        if self._ranker is None:
            from rag.sentences import Ranker

            self._ranker = Ranker(self.store)
        ranked = self._ranker.agree(question, self._ranker.rank(question, passages))
        bodies = excerpt_bodies(ranked, passages, self.settings.prompt_sentences)
        return answer_messages(question, passages, history, bodies)

    def condense(self, question: str, history: Sequence[Mapping[str, str]]) -> str:
        """A follow-up rewritten by the model into a standalone question (kept as is when it
        stands alone already, or when the model's rewrite is unusable)."""
        if not any(t.get("role") == "user" for t in history) or not needs_context(question):
            return question
        text = "".join(self._tokens(condense_messages(question, history)))
        rewritten = " ".join(text.strip().splitlines()[0].split()) if text.strip() else ""
        rewritten = re.sub(r"^(rewritten|standalone) question:\s*", "", rewritten, flags=re.I)
        rewritten = rewritten.strip(" \"'")
        if not rewritten or len(rewritten) > 3 * len(question) + 200:
            return condense(question, history)
        return rewritten

    def verify(self, generated: str, passages: Sequence[Passage]) -> Draft:
        """The generated text checked claim by claim against all the passages."""
        checked = verify_answer(
            generated,
            passages,
            self.checker,
            self.settings.strict_citations,
            self.settings.unsupported_answers == "show",
        )
        claims = _claims(checked)
        if checked.abstained:
            return Draft(ABSTAIN_TEXT, [], True, checked.unsupported, checked.notes, claims=claims)
        citations = [self._citation(n, passages[s.passage - 1], s) for n, s in checked.citations]
        return Draft(
            checked.text, citations, False, checked.unsupported, checked.notes, claims=claims
        )

    def _citation(self, n: int, passage: Passage, support: Support) -> Citation:
        quote, start, end = support.span.text, support.span.start, support.span.end
        row = self.store.catalog.lookup(passage.article_id)
        if row is not None and not quote_is_exact(row["text"], quote, start, end):
            raise RagError(f"citation offsets drifted from article {passage.article_id}")
        return Citation.of(
            n, passage, quote, start, end, supported=support.supported, support_score=support.score
        )

    def _tokens(self, messages: list[BaseMessage]) -> Iterator[str]:
        """Text pieces as the model produces them; backend failures as one-line BackendErrors."""
        from rag.llms import explain

        try:
            for chunk in self.chat.stream(messages):
                text = chunk.content if isinstance(chunk.content, str) else ""
                if text:
                    yield text
        except RagError:
            raise
        except Exception as exc:  # every backend failure, whatever the library raised
            raise explain(exc, self.backend, self.settings) from None
