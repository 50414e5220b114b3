"""Property-based tests of the pure parsers: whatever the input, they return or raise only the
project's own errors, and what they return keeps its promises (offsets point at the text).

Run time is bounded by the Hypothesis profile in conftest.py (`HYPOTHESIS_PROFILE=thorough`
for a longer hunt).
"""

from __future__ import annotations

import json
import string

import yaml
from hypothesis import given
from hypothesis import strategies as st

from rag import langcheck
from rag.article import Article, Failure
from rag.chunk import chunk_article
from rag.cite import answer_sentences, markers, parse_markers, strip_markers
from rag.clean import clean_text, date_key, normalise, parse_date, sentence_spans, strip_markdown
from rag.errors import IngestError, RagError
from rag.ingest import SUFFIXES, guarded, parse_bytes
from rag.readers import decode, front_matter, parse_markdown, parse_records

# Text with the characters that matter to the parsers: markup, brackets, punctuation, controls,
# surrogates, NULs, BOMs, odd spaces and line breaks, next to ordinary letters.
SPECIAL = "*_#>[]()!`-.,;:?\"'“”’\n\r\t \u00a0\u2028\u200b\ufeff\x00\x07\ufffd"
texts = st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from(SPECIAL), max_size=400)
wordy = st.lists(
    st.text(alphabet=string.ascii_letters + "0123456789.,!?\"'", min_size=1, max_size=12)
    | st.sampled_from(["Mr.", "U.S.", "e.g.", "\n\n", "\n", "  ", "[1]", "**", "_"]),
    max_size=120,
).map(" ".join)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=60),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner),
    max_leaves=20,
)
FIELDS = ["id", "title", "text", "source", "published_at", "date", "url", "author", "x"]
records = st.dictionaries(st.sampled_from(FIELDS), json_values | wordy, max_size=8)


@given(texts)
def test_cleaning_never_raises_and_is_stable(text: str) -> None:
    cleaned = clean_text(text)
    assert clean_text(cleaned) == cleaned
    assert normalise(normalise(text)) == normalise(text)
    assert isinstance(strip_markdown(text), str)


@given(texts | wordy)
def test_sentence_spans_point_at_text(text: str) -> None:
    spans = sentence_spans(text, 7)
    last = 7
    for start, end in spans:
        assert last <= start < end <= len(text) + 7
        piece = text[start - 7 : end - 7]
        assert piece.strip() == piece and piece
        last = end


@given(
    st.one_of(
        texts,
        st.integers(),
        st.floats(),
        st.dates(),
        st.datetimes(),
        st.from_regex(r"\d{1,4}[-/. ]\d{1,2}[-/. ]\d{1,4}( \d{1,2}:\d{2})?", fullmatch=True),
        st.from_regex(r"\d{8,14}(\.\d+)?", fullmatch=True),
    )
)
def test_parse_date_returns_iso_or_none(value: object) -> None:
    found = parse_date(value)
    assert found is None or (isinstance(found, str) and date_key(found) is not None)


@given(texts)
def test_front_matter_text_fails_only_with_ingest_errors(source: str) -> None:
    try:
        meta = front_matter(source)
    except IngestError as exc:
        assert str(exc).startswith("bad front matter") and "\n" not in str(exc)
        return
    assert isinstance(meta, dict)


@given(st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=6), texts | wordy)
def test_markdown_with_any_front_matter(meta: dict, body: str) -> None:
    document = "---\n" + yaml.safe_dump(meta, allow_unicode=True) + "---\n" + body
    _article_or_ingest_error(lambda: parse_markdown(document, "fuzz.md", markup=True))


@given(st.integers(1, 12), st.integers(1, 8))
def test_yaml_aliases_are_refused_whatever_the_nesting(depth: int, width: int) -> None:
    lines = ["a: &a [" + ",".join(["x"] * width) + "]"]
    for level in range(1, depth + 1):
        previous = "a" if level == 1 else f"l{level - 1}"
        lines.append(f"l{level}: &l{level} [" + ",".join([f"*{previous}"] * width) + "]")
    document = "---\n" + "\n".join(lines) + "\ntitle: *l1\n---\nA body sentence here.\n"
    try:
        parse_markdown(document, "bomb.md")
    except IngestError as exc:
        assert "aliases (*name) are not allowed" in str(exc)
    else:
        raise AssertionError("an alias was expanded")


@given(st.lists(records | json_values, max_size=5), st.lists(texts, max_size=3))
def test_json_records_yield_only_articles_and_failures(items: list, junk: list[str]) -> None:
    whole = json.dumps(items)
    lines = "\n".join([json.dumps(item) for item in items] + junk)
    for text, as_lines in ((whole, False), (lines, True)):
        for item in parse_records(text, "fuzz.json", as_lines):
            assert isinstance(item, Article | Failure)
            if isinstance(item, Failure):
                assert item.reason and "\n" not in item.reason


@given(st.binary(max_size=600), st.sampled_from(sorted(SUFFIXES)))
def test_any_bytes_in_any_format_fail_alone(data: bytes, suffix: str) -> None:
    prefix = b"%PDF-1.4\n" if suffix == ".pdf" else b""
    for item in guarded("fuzz", lambda: parse_bytes(prefix + data, suffix, "fuzz")):
        assert isinstance(item, Article | Failure)
        if isinstance(item, Failure):
            assert item.reason and "\n" not in item.reason
            assert not item.reason.startswith("unreadable: "), item.reason  # a known failure


@given(st.binary(max_size=2000))
def test_decode_returns_text_or_says_why_not(data: bytes) -> None:
    try:
        text = decode(data, "fuzz.txt")
    except IngestError:
        return
    assert isinstance(text, str)
    assert langcheck.problem(text) is None or isinstance(langcheck.problem(text), str)


def _count(texts_: list[str] | tuple[str, ...]) -> list[int]:
    """A stand-in tokenizer: words and punctuation marks, as a subword tokenizer roughly would."""
    return [len(t.split()) + sum(t.count(p) for p in ".,;:!?") for t in texts_]


@given(wordy | texts, st.text(max_size=80), st.integers(8, 64), st.integers(0, 8))
def test_every_chunk_is_the_text_at_its_offsets(
    text: str, title: str, max_tokens: int, overlap: int
) -> None:
    chunks = chunk_article("a1", "0123456789abc", title, text, _count, max_tokens + 12, overlap)
    for position, chunk in enumerate(chunks):
        assert chunk.position == position
        assert text[chunk.start : chunk.end] == chunk.text
        assert chunk.embed_text.endswith(chunk.text)
    if chunks:
        assert chunks[0].start == min(s for s, _ in sentence_spans(text))
        assert chunks[-1].end == max(e for _, e in sentence_spans(text))


@given(wordy)
def test_chunk_offsets_with_the_real_tokenizer(embedder, text: str) -> None:
    chunks = chunk_article(
        "a1", "0123456789abc", "A title", text, embedder.count_tokens, embedder.max_tokens, 48
    )
    for chunk in chunks:
        assert text[chunk.start : chunk.end] == chunk.text
        assert embedder.count_tokens([chunk.embed_text])[0] <= embedder.max_tokens


@given(texts | wordy, st.integers(0, 12))
def test_citation_markers_never_raise(sentence: str, count: int) -> None:
    clean, cited, problems = parse_markers(sentence, count)
    assert all(1 <= n <= count for n in cited) and len(set(cited)) == len(cited)
    assert isinstance(clean, str) and all(isinstance(p, str) for p in problems)
    assert all(isinstance(s, str) and s for s in answer_sentences(sentence))
    assert all(isinstance(n, int) for n in markers(sentence))
    assert isinstance(strip_markers(sentence), str)


@given(texts)
def test_language_check_never_raises(text: str) -> None:
    found = langcheck.problem(text)
    assert found is None or (found and "\n" not in found)


def _article_or_ingest_error(build) -> None:
    try:
        article = build()
    except IngestError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    except RagError as exc:  # pragma: no cover - would be a wrong error type
        raise AssertionError(f"not an IngestError: {exc!r}") from exc
    assert isinstance(article, Article) and article.text.strip()
    assert article.published_at is None or date_key(article.published_at) is not None
