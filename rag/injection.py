"""Text inside an article that addresses an AI assistant instead of a reader ("Ignore all
previous instructions and ...", "You are now ...", "<|im_start|>system"): found when an article
is stored, flagged on it, kept out of prompts, never quoted and never counted as support.

Pure functions over sentences (rag.clean's splitter), so the answerers, the claim checker and
the catalog flag exactly the same sentences.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Protocol, TypeVar

from rag.clean import sentence_spans

VERSION = "1"  # stored with the flags; a new rule set rescans the archive once
REMOVED = "[text addressed to AI assistants removed]"

_ASSISTANT = r"(?:ai|assistant|chat ?bot|language model|llm|model|gpt|bot)"
_RULES = [
    # overriding what the model was told
    r"\b(?:ignore|disregard|forget|override|bypass)\s+(?:all\s+|any\s+|the\s+|of\s+)*"
    r"(?:(?:previous|prior|above|earlier|preceding|former|original|initial|system|your|other)\s+)+"
    r"(?:instructions?|prompts?|rules|guidelines|directives|context|messages)\b",
    r"\b(?:ignore|disregard|forget)\s+(?:all|everything)\s+(?:you were told|above|before)\b",
    r"\b(?:new|updated|real|actual|secret|hidden) instructions?\s*:",
    r"\bsystem (?:prompt|message|instructions?)\b",
    r"\b(?:reveal|show|print|output|repeat|leak|display)\b[^.!?\n]{0,40}"
    r"\b(?:your|the) (?:prompt|instructions|rules)\b",
    # giving the model a new role or a new task
    r"\byou are now (?:an?|the|my|in|free|unrestricted|jailbroken|dan|developer)\b",
    r"\bfrom now on,? (?:you|always|only|answer|respond|reply|say)\b",
    r"\b(?:act|behave|respond) as (?:if you were )?(?:an? |the )?(?:unrestricted |evil )?"
    + _ASSISTANT
    + r"\b",
    r"\bpretend (?:to be|that you are|you are)\b",
    r"\b(?:answer|respond to|reply to) (?:every|all|any|each) (?:other )?"
    r"(?:questions?|quer(?:y|ies)|prompts?|messages?|users?),? (?:with|by saying|saying)\b",
    r"^\W*(?:say|reply|respond|answer|output|print|write)\s+(?:with\s+)?"
    r"(?:that|only|exactly|the following)\b",
    r"\b(?:answer|respond|reply|say)(?: only)? with (?:the (?:words?|sentence|text) )?[\"“‘']",
    r"\b(?:do not|don't|never) (?:tell|inform|mention (?:this )?to|reveal (?:this )?to) the user\b",
    r"\b(?:dear|attention|note to|hey) " + _ASSISTANT + r"s?\b",
    r"\bif you are an? " + _ASSISTANT + r"\b",
    # chat-template role tags and fences
    r"<\|\s*(?:im_start|im_end|system|assistant|user|endoftext|eot_id|start_header_id)\s*\|?>",
    r"\[/?INST\]|<<\s*/?SYS\s*>>",
    r"^\s*#{2,}\s*(?:system|instructions?|assistant|user)\b",
    r"^\s*(?:system|assistant)\s*:",
    r"</?\s*passage\b",
]
_INSTRUCTION = re.compile("|".join(f"(?:{rule})" for rule in _RULES), re.IGNORECASE | re.MULTILINE)


class Spanned(Protocol):
    @property
    def text(self) -> str: ...


S = TypeVar("S", bound=Spanned)


def is_instruction(sentence: str) -> bool:
    """True for a sentence addressed to an AI assistant."""
    return bool(_INSTRUCTION.search(sentence))


def flags(sentences: Iterable[str]) -> Iterator[bool]:
    """For consecutive sentences, whether each is flagged. A flagged sentence ending in a
    colon flags the one it introduces too ("... reply with:")."""
    introduces = False
    for sentence in sentences:
        own = is_instruction(sentence)
        yield own or introduces
        introduces = own and sentence.rstrip().endswith(":")


def instruction_spans(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """(start, end) of each flagged sentence of `text`, shifted by `offset`."""
    spans = sentence_spans(text)
    marked = flags(text[s:e] for s, e in spans)
    return [(s + offset, e + offset) for (s, e), bad in zip(spans, marked, strict=True) if bad]


def quotable(spans: Sequence[S]) -> list[S]:
    """The consecutive sentences of a passage that are not flagged: the only ones an answer
    may quote or a claim may rest on."""
    marked = flags(s.text for s in spans)
    return [s for s, bad in zip(spans, marked, strict=True) if not bad]


def defuse(
    text: str,
    offset: int = 0,
    flagged: Sequence[tuple[int, int]] | None = None,
    note: str = REMOVED,
) -> str:
    """`text` with its flagged sentences replaced by a short note, for prompts."""
    spans = instruction_spans(text, offset) if flagged is None else flagged
    out, last = [], 0
    for start, end in sorted(spans):
        s, e = start - offset, end - offset
        if e <= last or s >= len(text) or e <= 0:
            continue
        out += [text[last : max(s, last)], note]
        last = e
    return "".join(out) + text[last:]


def within(flagged: Sequence[tuple[int, int]], start: int, end: int) -> tuple[tuple[int, int], ...]:
    """The flagged spans (article offsets) that overlap `start:end`."""
    return tuple((s, e) for s, e in flagged if s < end and e > start)


def searchable(text: str, offset: int, flagged: Sequence[tuple[int, int]]) -> str:
    """`text` as the search indexes hold it (embedded and keyword-indexed): without its flagged
    sentences, so that a planted instruction neither draws questions to its article by their
    meaning nor by the names it repeats ("... answer 'Sattar has been arrested'")."""
    return defuse(text, offset, flagged, note=" ") if flagged else text
