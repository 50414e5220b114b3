"""Settings: one frozen dataclass, read from `RAG_*` environment variables in one place."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rag.errors import ConfigError

PACKAGED_MODEL = "all-MiniLM-L6-v2"
CHOICES = {
    "fusion": ("rrf", "score"),
    "verify": ("rules", "llm"),
    "unsupported_answers": ("abstain", "show"),
    "prompt_context": ("chunks", "sentences"),
}


@dataclass(frozen=True)
class Settings:
    """Every tunable of Newsdesk, with working defaults. `RAG_<NAME>` overrides `<name>`."""

    data_dir: Path = Path(".rag")
    embed_model: str = PACKAGED_MODEL
    embed_batch_size: int = 32
    chunk_overlap_tokens: int = 48
    add_batch_chunks: int = 512
    max_file_mb: float = 20.0
    fetch_timeout: float = 15.0
    k: int = 5
    candidates: int = 60
    dense_weight: float = 1.0
    keyword_weight: float = 1.0
    recency_weight: float = 3.0
    recency_half_life_days: float = 7.0
    max_per_article: int = 2
    rrf_k: int = 60
    fusion: str = "rrf"
    answerer: str = "extractive"
    abstain_threshold: float = 0.38
    max_question_chars: int = 2000
    answer_sentences: int = 2
    llm_model: str = ""
    llm_base_url: str = ""
    llm_api_key: str = ""
    llm_path: str = ""
    llm_temperature: float = 0.0
    llm_max_tokens: int = 384
    llm_timeout: float = 60.0
    llm_retries: int = 1
    llm_threads: int = 0
    llm_context: int = 4096
    strict_citations: bool = False
    support_threshold: float = 0.45
    verify: str = "rules"  # "llm": the configured model also judges every claim the rules pass
    judge_margin: float = 0.0  # Yes minus No log-probability a judged claim needs
    unsupported_answers: str = "abstain"  # "show": keep an answer no passage backs, labelled
    prompt_context: str = "chunks"  # "sentences": the best sentences instead of whole passages
    prompt_sentences: int = 4
    chroma_url: str = ""
    progress: bool = False  # progress bars even when stderr is not a terminal
    host: str = "127.0.0.1"
    port: int = 8501

    def __post_init__(self) -> None:
        for name, allowed in CHOICES.items():
            if getattr(self, name) not in allowed:
                raise ConfigError(
                    f"RAG_{name.upper()}={getattr(self, name)!r}: choose {' or '.join(allowed)}"
                )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Build settings from `RAG_*` variables; a bad value raises ConfigError."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            raw = environ.get(f"RAG_{f.name.upper()}")
            if raw is not None and raw.strip() != "":
                values[f.name] = _convert(f.name, f.type, raw.strip())
        return cls(**values)

    def replace(self, **changes: Any) -> Settings:
        """A copy with some settings changed."""
        return dataclasses.replace(self, **changes)


def _convert(name: str, type_name: Any, raw: str) -> Any:
    kind = str(type_name)
    try:
        if kind == "bool":
            if raw.lower() in {"1", "true", "yes", "on"}:
                return True
            if raw.lower() in {"0", "false", "no", "off"}:
                return False
            raise ValueError(raw)
        if kind == "int":
            return int(raw)
        if kind == "float":
            return float(raw)
        if kind == "Path":
            return Path(raw).expanduser()
        return raw
    except ValueError:
        raise ConfigError(f"RAG_{name.upper()}={raw!r} is not a valid {kind}") from None
