"""Answerer backends, picked by name in one registry (`RAG_ANSWERER`).

`extractive` needs no LLM. `openai` talks to any OpenAI-compatible server (OpenAI, vLLM,
llama.cpp's server, Ollama's /v1, LM Studio), `ollama` to an Ollama server, and `llamacpp` runs a
GGUF file in-process. Their failures become `BackendError`s that say what to do.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rag.errors import BackendError, ConfigError

if TYPE_CHECKING:
    import httpx
    from langchain_core.language_models import BaseChatModel

    from rag.answer import Answerer
    from rag.config import Settings
    from rag.store import Store

_HINTS = {
    "openai": "pip install 'newsdesk[llm]' (langchain-openai)",
    "ollama": "pip install 'newsdesk[llm]' (langchain-ollama)",
    "llamacpp": "pip install 'newsdesk[llamacpp]' (llama-cpp-python)",
}


def require_module(backend: str, module: str) -> None:
    import importlib.util

    if importlib.util.find_spec(module) is None:
        raise BackendError(f"the {backend} backend needs {module}: {_HINTS[backend]}")


def _model_name(settings: Settings, backend: str) -> str:
    if not settings.llm_model.strip():
        raise ConfigError(f"the {backend} backend needs a model name: set RAG_LLM_MODEL")
    return settings.llm_model.strip()


def openai_chat(settings: Settings, http_client: httpx.Client | None = None) -> BaseChatModel:
    """A ChatOpenAI for `RAG_LLM_BASE_URL` (OpenAI itself when unset, which needs a key)."""
    require_module("openai", "langchain_openai")
    from langchain_openai import ChatOpenAI
    from pydantic import SecretStr

    model = _model_name(settings, "openai")
    if not settings.llm_base_url and not settings.llm_api_key:
        raise ConfigError(
            "the openai backend needs RAG_LLM_BASE_URL (a local server) or RAG_LLM_API_KEY"
        )
    return ChatOpenAI(
        model=model,
        base_url=settings.llm_base_url or None,
        api_key=SecretStr(settings.llm_api_key or "no-key"),
        temperature=settings.llm_temperature,
        max_completion_tokens=settings.llm_max_tokens,
        timeout=settings.llm_timeout,
        max_retries=settings.llm_retries,
        stream_usage=False,
        http_client=http_client,
        # servers other than OpenAI (llama.cpp, vLLM, LM Studio) only know `max_tokens`
        extra_body={"max_tokens": settings.llm_max_tokens} if settings.llm_base_url else None,
    )


def ollama_chat(settings: Settings, transport: httpx.BaseTransport | None = None) -> BaseChatModel:
    """A ChatOllama for `RAG_LLM_BASE_URL` (Ollama's default local address when unset)."""
    require_module("ollama", "langchain_ollama")
    from langchain_ollama import ChatOllama

    client: dict[str, Any] = {"timeout": settings.llm_timeout}
    if transport is not None:
        client["transport"] = transport
    return ChatOllama(
        model=_model_name(settings, "ollama"),
        base_url=settings.llm_base_url or None,
        temperature=settings.llm_temperature,
        num_predict=settings.llm_max_tokens,
        client_kwargs=client,
    )


def llamacpp_chat(settings: Settings) -> BaseChatModel:
    """A GGUF model (`RAG_LLM_PATH`) run in-process by llama-cpp-python."""
    path = Path(settings.llm_path).expanduser() if settings.llm_path.strip() else None
    if path is None or not path.is_file():
        where = f"no GGUF file at {settings.llm_path!r}" if path else "no GGUF file given"
        raise ConfigError(f"the llamacpp backend needs a model: {where}; set RAG_LLM_PATH")
    require_module("llamacpp", "llama_cpp")
    from rag.llamacpp import LlamaCppChat

    return LlamaCppChat(
        model_path=str(path),
        n_ctx=settings.llm_context,
        n_threads=settings.llm_threads or None,
        temperature=settings.llm_temperature,
        max_tokens=settings.llm_max_tokens,
    )


def explain(exc: BaseException, backend: str, settings: Settings) -> BackendError:
    """A one-line BackendError saying what went wrong with the backend and what to do."""
    if isinstance(exc, BackendError):
        return exc
    names = {cls.__name__ for cls in type(exc).__mro__}
    where = settings.llm_base_url or ("in-process" if backend == "llamacpp" else "default URL")
    status = getattr(exc, "status_code", None) or getattr(
        getattr(exc, "response", None), "status_code", None
    )
    detail = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
    if names & {"APITimeoutError", "TimeoutException", "TimeoutError"}:
        return BackendError(
            f"the {backend} server at {where} did not answer within {settings.llm_timeout:g} s: "
            "raise RAG_LLM_TIMEOUT or use a smaller model"
        )
    if names & {"APIConnectionError", "ConnectError", "ConnectionError", "TransportError"}:
        return BackendError(
            f"cannot reach the {backend} server at {where}: start it or fix RAG_LLM_BASE_URL"
        )
    if status in (401, 403) or "AuthenticationError" in names:
        return BackendError(f"the {backend} server at {where} refused the key: set RAG_LLM_API_KEY")
    if status == 404 or "NotFoundError" in names:
        return BackendError(
            f"the {backend} server at {where} has no model {settings.llm_model!r}: "
            "set RAG_LLM_MODEL to a model it serves"
        )
    if status:
        return BackendError(f"the {backend} server at {where} failed with HTTP {status}: {detail}")
    return BackendError(f"the {backend} backend failed: {type(exc).__name__}: {detail}")


def _extractive(settings: Settings, store: Store) -> Answerer:
    from rag.extractive import ExtractiveAnswerer

    return ExtractiveAnswerer(
        store, settings.abstain_threshold, settings.answer_sentences, settings.answer_threshold,
        exact_threshold=settings.exact_answer_threshold,
    )  # fmt: skip


def _with_chat(backend: str, make_chat: Callable[[Settings], BaseChatModel]) -> Callable[..., Any]:
    def factory(settings: Settings, store: Store) -> Answerer:
        from rag.llm_answer import LLMAnswerer

        judge = make_judge(backend, make_chat, settings) if settings.verify == "llm" else None
        return LLMAnswerer(store, make_chat(settings), settings, backend, judge)

    return factory


def make_judge(
    backend: str, make_chat: Callable[[Settings], BaseChatModel], settings: Settings
) -> Any:
    """The model judge of RAG_VERIFY=llm: the same model, one token per answer, asked for
    log-probabilities where the backend gives them (`openai`)."""
    from rag.judge import TOP, LLMJudge

    chat: Any = make_chat(settings.replace(llm_max_tokens=1, llm_temperature=0.0))
    if backend == "openai":
        chat = chat.bind(logprobs=True, top_logprobs=TOP)
    return LLMJudge(chat, settings.judge_margin, lambda exc: explain(exc, backend, settings))


ANSWERERS: dict[str, Callable[[Any, Any], Any]] = {
    "extractive": _extractive,
    "openai": _with_chat("openai", openai_chat),
    "ollama": _with_chat("ollama", ollama_chat),
    "llamacpp": _with_chat("llamacpp", llamacpp_chat),
}


def make_answerer(name: str, settings: Settings, store: Store) -> Answerer:
    """The answerer registered under `name`; an unknown name lists the valid ones."""
    try:
        factory = ANSWERERS[name.strip().lower()]
    except KeyError:
        valid = ", ".join(sorted(ANSWERERS))
        raise ConfigError(f"unknown answerer {name!r}: choose one of {valid}") from None
    return factory(settings, store)
