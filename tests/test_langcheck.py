"""The language-likeness check: garbage is refused with a reason, and not one article of the
real news sets (read at run time from ../shared/data) is."""

from __future__ import annotations

import base64
import json
import random
import string
from pathlib import Path

import pytest

from rag.clean import clean_text, normalise
from rag.langcheck import problem

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
SETS = ["bbc/articles.jsonl", "multihop_rag/evidence.jsonl", "realtimeqa/articles_dev.jsonl"]


def test_no_real_article_is_refused() -> None:
    refused, seen = [], 0
    for name in SETS:
        with open(DATA / name, encoding="utf-8") as lines:
            for line in lines:
                record = json.loads(line)
                seen += 1
                why = problem(clean_text(record["text"]))
                if why:
                    refused.append((record["id"], why))
    assert seen > 3000
    assert refused == []


def _bytes(rng: random.Random, n: int) -> bytes:
    return bytes(rng.randrange(1, 256) for _ in range(n))


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(2, 9)))


GARBAGE = {
    "random bytes": lambda rng: normalise(_bytes(rng, 50_000).decode("latin-1")),
    "random printable": lambda rng: "".join(rng.choice(string.printable) for _ in range(20_000)),
    "random letters": lambda rng: "".join(
        rng.choice(string.ascii_lowercase + " ") for _ in range(20_000)
    ),
    "made-up words": lambda rng: " ".join(_word(rng) for _ in range(3000)),
    "base64": lambda rng: base64.b64encode(_bytes(rng, 15_000)).decode(),
    "hex dump": lambda rng: " ".join(f"{b:02x}" for b in _bytes(rng, 5000)),
    "numbers": lambda rng: " ".join(str(rng.randint(0, 99_999)) for _ in range(3000)),
    "one endless word": lambda rng: "x" * 2000,
    "symbols": lambda rng: "#$%&*+=<>|~^" * 50,
    "random ideographs": lambda rng: "".join(chr(rng.randint(0x4E00, 0x9FFF)) for _ in range(5000)),
    "replacement characters": lambda rng: "News \ufffd\ufffd\ufffd story " * 40,
}


@pytest.mark.parametrize("kind", GARBAGE)
def test_garbage_is_refused_with_a_reason(kind: str) -> None:
    why = problem(GARBAGE[kind](random.Random(13)))
    assert why and why.startswith(("not text", "not language-like")), (kind, why)


@pytest.mark.parametrize(
    "text",
    [
        "Short news: the bridge reopened.",
        "GDP rose 2.1% in Q3 2024, the office said.",
        "Arsenal 2 Chelsea 1: a late goal settled the London derby on Sunday afternoon.",
        "Der Stadtrat hat am Montag den neuen Haushalt beschlossen. " * 30,
        "Le conseil municipal a voté lundi le nouveau budget de la ville. " * 30,
        "市议会周一通过了新的城市预算。交通部门表示，新的电车线路将于明年开通。" * 30,
        "Городской совет в понедельник утвердил новый бюджет города. " * 30,
    ],
    ids=["short", "figures", "score", "german", "french", "chinese", "russian"],
)
def test_real_language_passes(text: str) -> None:
    assert problem(text) is None
