"""Cited answers on the shipped article: real model, real Chroma, real store."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from rag.answer import ABSTAIN_TEXT, Answer
from rag.assistant import Assistant
from rag.catalog import Filters
from rag.errors import EmptyStoreError, InputError
from rag.followup import condense, needs_context
from rag.ingest import read_sources

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def assistant(embedder, tmp_path_factory, backend) -> Assistant:
    data_dir = tmp_path_factory.mktemp("answer-store")
    store = backend.store(data_dir, embedder)
    store.add(read_sources([str(ROOT / "corpus")], 10**7))
    return Assistant(store, backend.settings(data_dir))


def _quotes_are_exact(assistant: Assistant, answer: Answer) -> None:
    for c in answer.citations:
        text = assistant.store.article(c.article_id)["text"]
        assert text[c.start : c.end] == c.quote
        assert f"[{c.n}]" in answer.text


def test_sattar_demand_quotes_the_restoration_sentence(assistant: Assistant) -> None:
    answer = assistant.ask("What did Sattar demand?")
    assert not answer.abstained
    assert "restored as the party chief" in answer.citations[0].quote
    assert "restored as the party chief" in answer.text
    _quotes_are_exact(assistant, answer)


def test_convener_is_siddiqui(assistant: Assistant) -> None:
    answer = assistant.ask("Who is the convener of MQM-P?")
    assert not answer.abstained
    assert "Khalid Maqbool Siddiqui" in answer.text
    _quotes_are_exact(assistant, answer)


def test_psp_arrangement_quotes_the_alliance_sentence(assistant: Assistant) -> None:
    # "it is willing to form a political alliance ...": "it" is the PSP of the sentence before
    answer = assistant.ask(
        "What kind of arrangement does the PSP prefer instead of joining the MQM-P?"
    )
    assert not answer.abstained
    assert "political alliance" in answer.citations[0].quote
    _quotes_are_exact(assistant, answer)


def test_psp_wants_separate_identity(assistant: Assistant) -> None:
    answer = assistant.ask("What does the PSP want?")
    assert not answer.abstained
    assert "separate identity" in answer.text
    _quotes_are_exact(assistant, answer)


@pytest.mark.parametrize(
    "question",
    ["What is the population of Karachi?", "Who won the football world cup in 2022?"],
)
def test_unanswerable_questions_abstain_with_leads(assistant: Assistant, question: str) -> None:
    answer = assistant.ask(question)
    assert answer.abstained
    assert answer.text == ABSTAIN_TEXT
    assert answer.citations == []
    assert answer.passages, "an abstention still shows the closest passages as leads"


def test_follow_up_is_resolved_against_the_conversation(assistant: Assistant) -> None:
    first = assistant.ask("What did Sattar demand?")
    history = [
        {"role": "user", "content": "What did Sattar demand?"},
        {"role": "assistant", "content": first.text},
    ]
    follow = assistant.ask("Did the MQM-P accept it?", history=history)
    assert not follow.abstained
    assert "not acceptable" in follow.text
    quote = next(c.quote for c in follow.citations if "not acceptable" in c.quote)
    assert quote.startswith("Meanwhile, Sattar"), "a dependent sentence brings its antecedent"
    _quotes_are_exact(assistant, follow)


def test_three_turn_exchange_keeps_track(assistant: Assistant) -> None:
    history: list[dict[str, str]] = []
    for question in ("What does the PSP want?", "Why does it want that?"):
        answer = assistant.ask(question, history=history)
        history += [
            {"role": "user", "content": question},
            {"role": "assistant", "content": answer.text},
        ]
    assert not answer.abstained
    assert "PSP" in answer.text or "alliance" in answer.text


def test_stream_yields_text_then_the_answer(assistant: Assistant) -> None:
    pieces = list(assistant.stream("What did Sattar demand?"))
    final = pieces[-1]
    assert isinstance(final, Answer)
    texts = [p for p in pieces[:-1] if isinstance(p, str)]
    assert len(texts) >= 1
    assert "".join(texts).strip() == final.text
    assert set(final.timings_ms) == {"retrieve", "read", "answer", "total"}
    assert final.timings_ms["total"] >= final.timings_ms["retrieve"]


def test_answer_json_has_exactly_the_documented_fields(assistant: Assistant) -> None:
    data = json.loads(json.dumps(assistant.ask("What did Sattar demand?").as_dict()))
    documented = {"question", "text", "abstained", "citations", "passages", "timings_ms"}
    verified = {"unsupported", "notes", "claims"}  # the claim checker's verdicts
    reader = {"short_answer"}  # the reader's short answer (None when it has none)
    assert set(data) == documented | verified | reader
    assert data["unsupported"] == []
    citation_fields = {
        "n",
        "article_id",
        "title",
        "source",
        "published_at",
        "url",
        "chunk_id",
        "passage",
        "quote",
        "start",
        "end",
        "supported",
        "support_score",
        "story_id",
        "also_in",
        "flagged",
    }
    assert set(data["citations"][0]) == citation_fields
    assert data["citations"][0]["story_id"].startswith("s-")
    assert data["citations"][0]["also_in"] == [], "no other copy of this story"
    assert data["citations"][0]["source"] == "The News"
    assert {"text", "score", "article_id", "start", "end"} <= set(data["passages"][0])


@pytest.mark.parametrize(
    ("question", "as_of", "error"),
    [("", None, "empty"), ("x" * 5000, None, "too long"), ("Who?", "not a date", "not a date")],
)
def test_bad_input_is_refused(assistant: Assistant, question: str, as_of, error: str) -> None:
    with pytest.raises(InputError, match=error):
        assistant.ask(question, as_of=as_of)


def test_empty_store_is_a_clear_error(embedder, tmp_path: Path, backend) -> None:
    assistant = Assistant(backend.store(tmp_path, embedder), backend.settings(tmp_path))
    with pytest.raises(EmptyStoreError, match="rag add"):
        assistant.ask("What did Sattar demand?")


def test_filters_restrict_the_passages(assistant: Assistant) -> None:
    answer = assistant.ask("What did Sattar demand?", filters=Filters(source="Dawn"))
    assert answer.abstained and answer.passages == []


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Did the MQM-P accept it?", True),
        ("Why?", True),
        ("Who is the convener of MQM-P?", False),
        ("What did Sattar demand?", False),
    ],
)
def test_needs_context(question: str, expected: bool) -> None:
    assert needs_context(question) is expected


def test_condense_carries_the_previous_subject() -> None:
    history = [{"role": "user", "content": "What did Sattar demand?"}]
    query = condense("Did the MQM-P accept it?", history)
    assert "sattar" in query and "demand" in query
    assert condense("Who is the convener of MQM-P?", history) == "Who is the convener of MQM-P?"
    assert condense("Did they accept it?", []) == "Did they accept it?"


def _rag(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = {**env, "HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [sys.executable, "-m", "rag", *args], capture_output=True, text=True, env=env, timeout=300
    )


@pytest.mark.slow
def test_cli_ask_round_trip(assistant: Assistant, backend) -> None:
    data_dir = backend.env(assistant.store.data_dir)
    human = _rag(["ask", "What did Sattar demand?"], data_dir)
    assert human.returncode == 0, human.stderr
    assert "restored as the party chief" in human.stdout
    assert "Sources:" in human.stdout and "The News" in human.stdout
    as_json = _rag(["ask", "What did Sattar demand?", "--json", "--k", "3"], data_dir)
    data = json.loads(as_json.stdout)
    assert data["abstained"] is False and len(data["passages"]) <= 3
    for args, message in (
        (["ask", ""], "empty"),
        (["ask", "Who?", "--as-of", "yesterdayish"], "not a date"),
        (["ask", "Who?", "--since", "13/45/2020"], "not a date"),
    ):
        bad = _rag(args, data_dir)
        assert bad.returncode != 0
        assert message in bad.stderr and "Traceback" not in bad.stderr
        assert len(bad.stderr.strip().splitlines()) == 1


def test_onnx_query_path_matches_sentence_transformers(embedder, tmp_path: Path) -> None:
    from rag.embeddings import SentenceEmbedder

    fast = SentenceEmbedder("all-MiniLM-L6-v2", cache_dir=tmp_path / "models")
    texts = ["What did Sattar demand?", "The PSP wants to retain its separate identity."]
    fast_vectors = fast.encode(texts)
    assert fast.onnx_path is not None and fast.onnx_path.is_file()
    reference = embedder.model.encode(texts, normalize_embeddings=True)
    assert (fast_vectors * reference).sum(axis=1).min() > 0.9999
    assert fast.count_tokens(texts) == [
        len(ids) for ids in embedder.model.tokenizer(texts, add_special_tokens=False)["input_ids"]
    ]


def test_the_query_model_is_prepared_once_with_progress(embedder, tmp_path: Path) -> None:
    import threading

    from rag.embeddings import SentenceEmbedder

    fast = SentenceEmbedder("all-MiniLM-L6-v2", cache_dir=tmp_path / "models")
    fast.__dict__["model"] = embedder.model  # the session's loaded model: no second load
    assert not fast.query_model_ready()
    steps: list[tuple[str, int, int]] = []
    threads = [
        threading.Thread(target=fast.prepare_query_model, args=(lambda *s: steps.append(s),))
        for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert fast.query_model_ready()
    assert [(done, total) for _, done, total in steps] == [(0, 2), (1, 2), (2, 2)], "one export"
    assert steps[-1][0] == "Query model ready"
    assert [p.name for p in (tmp_path / "models").iterdir()] == [fast.onnx_path.name]
