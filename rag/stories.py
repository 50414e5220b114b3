"""Stories, not copies: near-duplicate articles (a wire report under ten headlines, a live page
updated five times) found at ingestion and grouped into one story each.

Each article's cleaned text becomes a set of word shingles (three words); a MinHash signature of
it (`datasketch`, 128 permutations) is stored with the article, so a later `rag add` in another
process finds copies of what is already stored. Candidates come from locality-sensitive hashing
over those signatures; a candidate whose exact shingle Jaccard similarity reaches the threshold
(`RAG_NEAR_DUPLICATE_THRESHOLD`, calibrated by `benchmarks/stories.py`) is a near copy, and the
new article joins the story of the closest one. A story keeps the id it was given when its first
member arrived; its first publication is its earliest dated member, else its first added.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

SHINGLE_WORDS = 3
NUM_PERM = 128
SEED = 11
LSH_SHARE = 0.7  # the LSH bands are tuned for this share of the threshold: recall first
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Copy:
    """One publication of a story as a passage or a citation lists it."""

    article_id: str
    source: str | None
    title: str
    published_at: str | None
    url: str | None


def copies_of(values: Iterable[Copy | dict[str, Any]]) -> tuple[Copy, ...]:
    """Copies from Copy objects or their dicts (JSON, LangChain metadata)."""
    return tuple(v if isinstance(v, Copy) else Copy(**v) for v in values)


@dataclass(frozen=True)
class Story:
    """A story as retrieval sees it: its members in publication order (the first is its first
    publication: the earliest dated one, else the first added)."""

    story_id: str
    members: tuple[Copy, ...]

    def rank(self, article_id: str) -> int:
        """How early the article was published within the story (0 = first)."""
        ids = [m.article_id for m in self.members]
        return ids.index(article_id) if article_id in ids else len(ids)


def stories_from_rows(rows: Iterable[Any]) -> dict[str, Story]:
    """Stories by id from `StoryTables.members` rows (already in publication order)."""
    members: dict[str, list[Copy]] = {}
    for row in rows:
        members.setdefault(row["story_id"], []).append(
            Copy(row["article_id"], row["source"], row["title"], row["published_at"], row["url"])
        )
    return {story_id: Story(story_id, tuple(copies)) for story_id, copies in members.items()}


@dataclass(frozen=True)
class Match:
    """What detection decided for an article: its story, and the copy it is closest to."""

    article_id: str
    story_id: str
    copy_of: str | None
    similarity: float | None
    signature: bytes


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[str]:
    """The article's word shingles: runs of `size` lower-cased words, punctuation ignored."""
    words = _WORD.findall(text.lower())
    if len(words) <= size:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + size]) for i in range(len(words) - size + 1)}


def jaccard(a: set[str], b: set[str]) -> float:
    """Exact Jaccard similarity of two shingle sets."""
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def _hash(shingle: str) -> int:
    return zlib.crc32(shingle.encode("utf-8", "surrogatepass"))


def _minhash(values: Any = None) -> Any:
    from datasketch import MinHash

    if values is None:
        return MinHash(num_perm=NUM_PERM, seed=SEED, hashfunc=_hash, scheme="affine32")
    return MinHash(seed=SEED, hashfunc=_hash, hashvalues=values, scheme="affine32")


def signature(shingle_set: set[str]) -> bytes:
    """The MinHash signature of a shingle set, as bytes to store."""
    sketch = _minhash()
    sketch.update_batch(sorted(shingle_set))
    return bytes(sketch.hashvalues.tobytes())


def _sketch(blob: bytes) -> Any:
    import numpy as np

    return _minhash(np.frombuffer(blob, dtype=np.uint32))


def story_id_for(article_id: str, text_hash: str, taken: Callable[[str], bool]) -> str:
    """A new story's id, from its first article (stable), never one in use."""
    for salt in range(1000):
        seed = f"{article_id}\0{text_hash}\0{salt}" if salt else article_id
        candidate = "s-" + hashlib.sha1(seed.encode("utf-8", "surrogatepass")).hexdigest()[:12]
        if not taken(candidate):
            return candidate
    raise RuntimeError("no free story id")  # pragma: no cover - 1000 collisions


class StoryIndex:
    """LSH over the signatures of stored articles, plus those assigned during this write.

    `texts` gives a stored article's text by id (for the exact similarity of candidates).
    """

    def __init__(
        self,
        threshold: float,
        rows: Iterable[Any],
        texts: Callable[[str], str | None],
    ) -> None:
        from datasketch import MinHashLSH

        self.threshold = threshold
        self._texts = texts
        self._lsh = MinHashLSH(
            threshold=max(0.05, threshold * LSH_SHARE), num_perm=NUM_PERM, weights=(0.2, 0.8)
        )
        self.story_of: dict[str, str] = {}
        self.sizes: dict[str, int] = {}
        self._order: dict[str, int] = {}
        self._shingles: dict[str, set[str]] = {}
        with self._lsh.insertion_session() as session:
            for row in rows:
                session.insert(row["article_id"], _sketch(row["signature"]))
                self._join(row["article_id"], row["story_id"])

    def closest(
        self, article_id: str, shingle_set: set[str], blob: bytes
    ) -> tuple[str, float] | None:
        """The stored article this one copies most closely, at or above the threshold."""
        best: tuple[str, float] | None = None
        for other in sorted(self._lsh.query(_sketch(blob))):
            if other == article_id:
                continue
            other_set = self._shingles_of(other)
            if other_set is None:
                continue
            score = jaccard(shingle_set, other_set)
            if score < self.threshold or best is not None and score < best[1]:
                continue
            if best is None or score > best[1] or self._order[other] < self._order[best[0]]:
                best = (other, score)  # equally close: the one indexed (added) first
        return best

    def _shingles_of(self, article_id: str) -> set[str] | None:
        if article_id not in self._shingles:
            text = self._texts(article_id)
            if text is None:
                return None
            self._shingles[article_id] = shingles(text)
        return self._shingles[article_id]

    def put(self, article_id: str, story_id: str, shingle_set: set[str], blob: bytes) -> None:
        """Index an article (again, when updated) under its story."""
        self.remove(article_id)
        self._lsh.insert(article_id, _sketch(blob))
        self._join(article_id, story_id)
        self._shingles[article_id] = shingle_set

    def remove(self, article_id: str) -> None:
        if article_id in self._lsh:
            self._lsh.remove(article_id)
        story_id = self.story_of.pop(article_id, None)
        if story_id is not None:
            self.sizes[story_id] -= 1
            if not self.sizes[story_id]:
                del self.sizes[story_id]
        self._shingles.pop(article_id, None)

    def _join(self, article_id: str, story_id: str) -> None:
        self._order.setdefault(article_id, len(self._order))
        self.story_of[article_id] = story_id
        self.sizes[story_id] = self.sizes.get(story_id, 0) + 1


def decide(article_id: str, text_hash: str, text: str, index: StoryIndex) -> Match:
    """The story of a new or updated article: the closest copy's, else its own (an updated
    article alone in its story keeps the story's id)."""
    shingle_set = shingles(text)
    blob = signature(shingle_set)
    found = index.closest(article_id, shingle_set, blob)
    current = index.story_of.get(article_id)
    if found is not None:
        copy_of, score = found
        match = Match(article_id, index.story_of[copy_of], copy_of, round(score, 4), blob)
    elif current is not None and index.sizes.get(current) == 1:
        match = Match(article_id, current, None, None, blob)
    else:  # new, or no longer a copy of the story it was in
        fresh = story_id_for(article_id, text_hash, lambda s: s in index.sizes)
        match = Match(article_id, fresh, None, None, blob)
    index.put(article_id, match.story_id, shingle_set, blob)
    return match


def chunk_text_hash(text: str) -> str:
    """The key under which a chunk's vector can be reused by another copy of its story."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def near_copies(matches: Sequence[Match]) -> list[dict[str, Any]]:
    """The report's `near_duplicate` entries: the articles that joined another's story."""
    return [
        {
            "id": m.article_id,
            "copy_of": m.copy_of,
            "similarity": m.similarity,
            "story_id": m.story_id,
        }
        for m in matches
        if m.copy_of is not None
    ]
