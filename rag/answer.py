"""What the assistant answers: the `Answer` to a question with its `Citation`s (each quote
exactly the stored article's text at `start:end`), the `ShortAnswer`, the checked `Claim`s of a
generated answer, and the `Answerer` interface whose `Draft`s and `Progress` make it.

The assistant that asks is `rag.assistant.Assistant`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from rag.retrieve import Passage
from rag.stories import Copy, copies_of

ABSTAIN_TEXT = "I could not find this in the articles."
Turn = Mapping[str, str]


@dataclass(frozen=True)
class Citation:
    """One cited quote: `quote == article_text[start:end]` in the stored article."""

    n: int
    article_id: str
    title: str
    source: str | None
    published_at: str | None
    url: str | None
    chunk_id: str
    passage: str
    quote: str
    start: int
    end: int
    supported: bool = True
    support_score: float = 1.0
    flagged: bool = False  # the article holds text addressed to AI assistants (rag.injection)
    story_id: str | None = None  # the story of the cited article
    also_in: tuple[Copy, ...] = ()  # the story's other copies: outlet, title, date, url

    def __post_init__(self) -> None:
        if not isinstance(self.also_in, tuple) or any(
            not isinstance(c, Copy) for c in self.also_in
        ):  # read back from JSON or a LangChain Document
            object.__setattr__(self, "also_in", copies_of(self.also_in))

    @classmethod
    def of(
        cls, n: int, passage: Passage, quote: str, start: int, end: int, **check: Any
    ) -> Citation:
        """The citation of `quote` (article text `start:end`), found in `passage`."""
        return cls(
            n=n,
            article_id=passage.article_id,
            title=passage.title,
            source=passage.source,
            published_at=passage.published_at,
            url=passage.url,
            chunk_id=passage.chunk_id,
            passage=passage.text,
            quote=quote,
            start=start,
            end=end,
            story_id=passage.story_id,
            also_in=passage.also_in,
            flagged=passage.flagged,
            **check,
        )


@dataclass(frozen=True)
class Progress:
    """A step an answerer reports between text pieces: "drafting" (what follows is a model's
    unchecked draft) and "checking" (its claims are being checked)."""

    step: str


@dataclass(frozen=True)
class Claim:
    """One sentence of a generated answer and the claim checker's verdict on it: the numbers
    of the citations backing it, or why no passage does."""

    text: str
    supported: bool
    citations: tuple[int, ...] = ()
    reason: str = ""


@dataclass(frozen=True)
class ShortAnswer:
    """The answer itself ("Kamran Tessori"): `text == article_text[start:end]` of a cited
    article; `confidence` in [0, 1]. Description questions have none."""

    text: str
    article_id: str
    start: int
    end: int
    confidence: float


@dataclass
class Draft:
    """What an answerer produces; the assistant adds question, passages and timings."""

    text: str
    citations: list[Citation]
    abstained: bool
    unsupported: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    short_answer: ShortAnswer | None = None
    claims: list[Claim] = field(default_factory=list)


@dataclass
class Answer:
    """The answer to one question, with its citations and the passages it considered."""

    question: str
    text: str
    abstained: bool
    citations: list[Citation]
    passages: list[Passage]
    timings_ms: dict[str, float] = field(default_factory=dict)
    unsupported: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    short_answer: ShortAnswer | None = None
    claims: list[Claim] = field(default_factory=list)

    @property
    def unsupported_only(self) -> bool:
        """Shown although no claim of it is backed (RAG_UNSUPPORTED_ANSWERS=show)."""
        return (
            not self.abstained and bool(self.claims) and not any(c.supported for c in self.claims)
        )

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["passages"] = [p.as_dict() for p in self.passages]
        return data


class Answerer(Protocol):
    """Turns a question and its passages into text pieces (and Progress) and, last, a Draft."""

    def stream(
        self, question: str, passages: Sequence[Passage], history: Sequence[Turn]
    ) -> Iterator[str | Progress | Draft]: ...
