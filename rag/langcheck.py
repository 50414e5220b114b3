"""Is a text language-like? Refuses random bytes, encoded blobs and symbol soup before they become
articles, in any script.

Four measures of the cleaned text, each with a wide margin over the real news sets (BBC,
MultiHop-RAG, RealTimeQA: 3,477 articles, zero refused; see tests/test_langcheck.py):
- control, unassigned or replacement characters (real: at most 0.1%; random bytes: 14%);
- letters among the non-space characters (real: at least 71%; hex dumps 38%, numbers 0%);
- runs without spaces longer than 40 characters (links and scripts written without spaces aside;
  real: at most 0.3% of the characters; base64 or one endless "word": nearly all);
- repetition: natural text compresses much better than its bytes shuffled, because words and
  endings recur (real: ratio at most 0.91 at 1-4k characters and 0.83 above; random printable
  characters, base64, random letters, made-up words and random CJK ideographs: 0.98 to 1.0).
"""

from __future__ import annotations

import re
import unicodedata
import zlib

MAX_ODD = 0.01
MIN_LETTERS = 0.5
MIN_LETTER_SAMPLE = 40  # non-space characters before the letter share is judged
REPETITION = ((4000, 0.92), (1000, 0.96))  # (from this many characters, highest ratio)
SAMPLE = 65_536  # characters measured, from the start
LONG_WORD = 40  # characters: longer runs without a space are not words...
MAX_LONG_SHARE = 0.5  # ...and may not make up more than this share of the text
_URLISH = re.compile(r"://|^\W*www\.", re.IGNORECASE)  # links are long, and fine
# scripts written without spaces between words: Thai, Lao, Myanmar, Khmer, CJK and beyond
_SPACELESS = re.compile(r"[\u0e00-\u109f\u1780-\u17ff\u2e80-\U0002ffff]")


def problem(text: str) -> str | None:
    """Why the text does not look like language, or None when it does."""
    sample = text[:SAMPLE]
    visible = "".join(sample.split())
    if not visible:
        return "empty: no text after cleaning"
    odd = visible.count("\ufffd")
    if not visible.isprintable():
        odd += sum(1 for c in visible if unicodedata.category(c)[0] == "C")
    if odd / len(visible) > MAX_ODD:
        return f"not text: {odd / len(visible):.0%} control or undefined characters"
    letters = sum(map(str.isalpha, visible))
    if len(visible) >= MIN_LETTER_SAMPLE and letters / len(visible) < MIN_LETTERS:
        return f"not language-like: only {letters / len(visible):.0%} of the characters are letters"
    if len(visible) >= 200 and _long_share(sample, len(visible)) > MAX_LONG_SHARE:
        return "not language-like: no spaces between words"
    for length, highest in REPETITION:
        if len(sample) >= length:
            if repetition(sample) > highest:
                return "not language-like: no recurring words (random characters or encoded data?)"
            break
    return None


def _long_share(sample: str, visible: int) -> float:
    """Share of the characters in 'words' too long to be words (scripts without spaces aside)."""
    long = [w for w in sample.split() if len(w) > LONG_WORD and not _URLISH.search(w)]
    spaced = [w for w in long if len(_SPACELESS.findall(w)) < len(w) / 2]
    return sum(map(len, spaced)) / visible


def repetition(text: str) -> float:
    """Compressed size of the text over that of its bytes shuffled (seeded, so stable)."""
    import numpy as np

    data = text.encode("utf-8", "replace")
    codes = np.frombuffer(data, dtype=np.uint8)
    shuffled = codes[np.random.default_rng(len(codes)).permutation(len(codes))].tobytes()
    return len(zlib.compress(data, 6)) / max(1, len(zlib.compress(shuffled, 6)))
