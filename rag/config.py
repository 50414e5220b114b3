"""Settings: one frozen dataclass, read from `RAG_*` environment variables in one place."""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from rag.errors import ConfigError

PACKAGED_MODEL = "all-MiniLM-L6-v2"
CHOICES: dict[str, tuple[str, ...]] = {
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
    fetch_timeout: float = 15.0  # seconds to connect, and between two reads of a download
    fetch_deadline: float = 60.0  # seconds a whole download may take, redirects included
    allow_private_urls: bool = False  # fetch loopback, link-local and private addresses too
    write_wait: float = 3600.0  # seconds a writer waits for another one to finish
    k: int = 5
    candidates: int = 60
    dense_weight: float = 1.0
    keyword_weight: float = 1.0
    recency_weight: float = 3.0
    recency_half_life_days: float = 7.0
    recency_outside_window: float = 0.5  # what an article before "this week" keeps of its score
    max_per_article: int = 2
    near_duplicate_threshold: float = 0.45  # shingle Jaccard at which an article joins a story
    group_stories: bool = True  # one passage per story among the retrieved passages
    rrf_k: int = 60
    fusion: str = "rrf"
    answerer: str = "extractive"
    abstain_threshold: float = 0.38
    answer_threshold: float = 0.28
    exact_answer_threshold: float = 0.2  # for a name of the very type asked
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
    prompt_sentences: int = 3
    chroma_url: str = ""
    database_url: str = ""  # postgresql://...: the catalog in a shared PostgreSQL database
    progress: bool = False  # progress bars even when stderr is not a terminal
    host: str = "127.0.0.1"
    port: int = 8501

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            _check(f.name, getattr(self, f.name))

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Build settings from `RAG_*` variables; a bad value raises ConfigError."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            raw = environ.get(f"RAG_{f.name.upper()}")
            if raw is not None and raw.strip() != "":
                values[f.name] = _convert(f.name, f.type, raw.strip())
        settings = cls(**values)
        _check_answerer(settings.answerer)
        return settings

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


class Range(NamedTuple):
    """Allowed values of a numeric setting; `above` excludes the lower bound itself."""

    low: float
    high: float
    above: bool = False


RANGES: dict[str, Range] = {
    "embed_batch_size": Range(1, 1024),
    "chunk_overlap_tokens": Range(0, 128),
    "add_batch_chunks": Range(1, 100_000),
    "max_file_mb": Range(0, 10_000, above=True),
    "fetch_timeout": Range(0, 600, above=True),
    "fetch_deadline": Range(0, 3600, above=True),
    "write_wait": Range(0, 86_400),
    "k": Range(1, 50),
    "candidates": Range(1, 1000),
    "dense_weight": Range(0, 100),
    "keyword_weight": Range(0, 100),
    "recency_weight": Range(0, 100),
    "recency_half_life_days": Range(0, 36_500, above=True),
    "recency_outside_window": Range(0, 1),
    "max_per_article": Range(1, 50),
    "near_duplicate_threshold": Range(0, 1, above=True),
    "rrf_k": Range(0, 10_000),
    "abstain_threshold": Range(0, 1),
    "answer_threshold": Range(0, 1),
    "exact_answer_threshold": Range(0, 1),
    "max_question_chars": Range(1, 100_000),
    "answer_sentences": Range(1, 20),
    "llm_temperature": Range(0, 2),
    "llm_max_tokens": Range(1, 32_768),
    "llm_timeout": Range(0, 3600, above=True),
    "llm_retries": Range(0, 10),
    "llm_threads": Range(0, 256),
    "llm_context": Range(128, 1_048_576),
    "support_threshold": Range(0, 1),
    "judge_margin": Range(-100, 100),
    "prompt_sentences": Range(1, 50),
    "port": Range(1, 65_535),
}
URLS = ("chroma_url", "llm_base_url")


def _check(name: str, value: Any) -> None:
    """Refuse a value outside its setting's allowed range, naming the variable."""
    var = f"RAG_{name.upper()}"
    if name in RANGES and isinstance(value, int | float) and not isinstance(value, bool):
        _check_range(var, value, RANGES[name])
    elif name in CHOICES and value not in CHOICES[name]:
        raise ConfigError(f"{var}={value!r}: choose {' or '.join(CHOICES[name])}")
    elif name in URLS and value and not _is_http_url(str(value)):
        raise ConfigError(f"{var}={value!r} is not an http(s) URL such as http://127.0.0.1:8000")
    elif name == "database_url" and value and not _is_postgres_url(str(value)):
        raise ConfigError(
            f"{var}={redacted_url(str(value))!r} is not a PostgreSQL URL such as"
            " postgresql://newsdesk@127.0.0.1:5432/newsdesk"
        )
    elif name == "data_dir" and (blocker := _blocker(Path(value))):
        where = "" if blocker == Path(value) else f" ({blocker} is a file)"
        raise ConfigError(
            f"{var}={str(value)!r} is not a directory{where}: choose one for the archive"
        )
    elif name in ("embed_model", "host") and not str(value).strip():
        raise ConfigError(f"{var} is empty: leave it unset for the default")


def _blocker(path: Path) -> Path | None:
    """The path, or the nearest of its parents that exists, when it is not a directory."""
    for candidate in (path, *path.parents):
        if candidate.exists():
            return None if candidate.is_dir() else candidate
    return None


def _check_range(var: str, value: float, allowed: Range) -> None:
    whole = isinstance(value, int)
    shown = f"{value:g}" if isinstance(value, float) else str(value)
    if not math.isfinite(value):
        raise ConfigError(f"{var}={shown} is not a finite number")
    low_ok = value > allowed.low if allowed.above else value >= allowed.low
    if low_ok and value <= allowed.high:
        return
    kind = "an integer" if whole else "a number"
    low, high = f"{allowed.low:g}", f"{allowed.high:g}"
    span = f"above {low} and at most {high}" if allowed.above else f"from {low} to {high}"
    raise ConfigError(f"{var}={shown} is out of range: choose {kind} {span}")


def _is_http_url(value: str) -> bool:
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _is_postgres_url(value: str) -> bool:
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        return False
    return parts.scheme in ("postgresql", "postgres") and bool(parts.hostname or parts.query)


def redacted_url(url: str) -> str:
    """A database URL fit for a message: its password replaced by ***."""
    from urllib.parse import urlsplit, urlunsplit

    try:
        parts = urlsplit(url)
        if parts.password is None:
            return url
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
        return urlunsplit(parts._replace(netloc=netloc))
    except ValueError:
        return url


def _check_answerer(name: str) -> None:
    from rag.llms import ANSWERERS

    if name.strip().lower() not in ANSWERERS:
        valid = ", ".join(sorted(ANSWERERS))
        raise ConfigError(f"RAG_ANSWERER={name!r}: choose one of {valid}")
