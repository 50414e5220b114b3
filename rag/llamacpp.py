"""A GGUF model run in-process by llama-cpp-python, as a LangChain chat model.

Loaded once per process and path (loading takes seconds); generation is serialised because a
llama.cpp context is not thread-safe.
"""

from __future__ import annotations

import atexit
import threading
from collections.abc import Iterator
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

from rag.errors import BackendError

_ROLES = {"system": "system", "human": "user", "ai": "assistant"}
_LOCK = threading.Lock()  # one generation at a time
_LOAD_LOCK = threading.Lock()


_MODELS: dict[tuple[str, int, int | None], Any] = {}


def load_llama(model_path: str, n_ctx: int, n_threads: int | None) -> Any:
    """The llama.cpp model for a GGUF path (loaded once; closed when the process exits)."""
    key = (model_path, n_ctx, n_threads)
    with _LOAD_LOCK:
        if key not in _MODELS:
            _MODELS[key] = _load(model_path, n_ctx, n_threads)
        return _MODELS[key]


def _load(model_path: str, n_ctx: int, n_threads: int | None) -> Any:
    from llama_cpp import Llama

    try:
        return Llama(model_path=model_path, n_ctx=n_ctx, n_threads=n_threads, verbose=False)
    except (ValueError, RuntimeError, OSError) as exc:
        first = (str(exc).splitlines() or ["unreadable"])[0]
        raise BackendError(f"llama.cpp cannot load {model_path}: {first}") from None


@atexit.register
def close_models() -> None:
    """Free the loaded models while llama.cpp is still whole: left to the interpreter's
    shutdown, `Llama.__del__` runs after its library is torn down and prints a TypeError."""
    with _LOAD_LOCK:
        while _MODELS:
            _MODELS.popitem()[1].close()


def to_chat_messages(messages: list[BaseMessage]) -> list[dict[str, str]]:
    """LangChain messages as llama.cpp chat-completion messages."""
    return [{"role": _ROLES.get(m.type, "user"), "content": str(m.content)} for m in messages]


class LlamaCppChat(BaseChatModel):
    """Chat completions from a local GGUF file, streamed token by token."""

    model_path: str
    n_ctx: int = 4096
    n_threads: int | None = None
    temperature: float = 0.0
    max_tokens: int = 384

    @property
    def _llm_type(self) -> str:
        return "newsdesk-llamacpp"

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        llama = load_llama(self.model_path, self.n_ctx, self.n_threads)
        with _LOCK:
            chunks = llama.create_chat_completion(
                messages=to_chat_messages(messages),
                temperature=self.temperature,
                max_tokens=self.max_tokens,
                stop=stop,
                stream=True,
            )
            for chunk in chunks:
                token = chunk["choices"][0]["delta"].get("content") or ""
                if token:
                    if run_manager:
                        run_manager.on_llm_new_token(token)
                    yield ChatGenerationChunk(message=AIMessageChunk(content=token))

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        text = "".join(str(c.message.content) for c in self._stream(messages, stop, run_manager))
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])
