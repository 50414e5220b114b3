"""Evaluation: question sets, metric functions on hand-made cases, reports, and real `rag eval`
runs (real model, real Chroma in tmp_path) on the shipped set and a slice of RealTimeQA."""

from __future__ import annotations

import importlib.util
import json
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from rag.answer import Answer, Citation
from rag.errors import InputError
from rag.evaluate import score
from rag.metrics import (
    METRIC_KEYS,
    Hit,
    Row,
    aggregate,
    answer_metrics,
    contains_answer,
    covers,
    evidence_recall,
    normalise_answer,
    percentile,
    retrieval_metrics,
    supports,
    token_f1,
)
from rag.question_sets import Question, load_questions, parse_questions
from rag.report_compare import compare, judge
from rag.report_render import summary_markdown
from rag.retrieve import Passage

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "corpus" / "questions.jsonl"
DATA = ROOT.parent / "shared" / "data"
ALL_CHUNKS = {"RAG_MAX_PER_ARTICLE": "10"}  # the one shipped article may fill the top 10


# -- question sets ------------------------------------------------------------------------------
def test_shipped_set_has_every_kind_of_question() -> None:
    questions = load_questions(SHIPPED)
    article = (ROOT / "corpus" / "tessori-mqm-unification.md").read_text(encoding="utf-8")
    assert 15 <= len(questions) <= 30
    assert {q.type for q in questions} >= {"factoid", "follow_up", "unanswerable"}
    assert any(q.history for q in questions)
    for q in questions:
        assert q.answerable == bool(q.answers)
        assert all(sentence in article for sentence in q.evidence)
        assert all(answer in article for answer in q.answers)


def test_shared_formats_load_as_they_are() -> None:
    rtqa = load_questions(DATA / "realtimeqa" / "questions_dev.jsonl")
    multihop = load_questions(DATA / "multihop_rag" / "questions_dev.jsonl")
    assert len(rtqa) == 100 and len(multihop) == 100
    assert all(q.as_of and q.evidence_doc_ids and q.answerable for q in rtqa)
    null = [q for q in multihop if q.type == "null_query"]
    assert null and all(not q.answerable and q.answers == () for q in null)
    assert all(q.answerable for q in multihop if q.type != "null_query")


def test_record_fields_and_aliases() -> None:
    [q] = parse_questions(
        [
            json.dumps(
                {
                    "id": "x",
                    "question": "  Who  won? ",
                    "answer": ["Ann", "Ann Lee"],
                    "question_date": "12 March 2024",
                    "question_type": "who",
                    "history": [{"role": "user", "content": "hi"}],
                }
            )
        ],
        "set.jsonl",
    )
    assert q.question == "Who won?"
    assert q.answers == ("Ann", "Ann Lee")
    assert q.as_of == "2024-03-12"
    assert q.type == "who"
    assert q.history == ({"role": "user", "content": "hi"},)


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (['{"question": "a"}', "{oops"], "set.jsonl:2: malformed JSON"),
        (['{"id": "a", "question": "q"}', '{"id": "a", "question": "r"}'], "duplicate"),
        (['{"question": ""}'], "no question text"),
        (['{"question": "q", "as_of": "someday"}'], "not a date"),
        (['{"question": "q", "history": [{"role": "bot", "content": "x"}]}'], "history"),
        (['{"question": "q", "answer": {"a": 1}}'], "answer must be"),
        (['{"question": "q", "answerable": "no"}'], "answerable must be"),
        (["[1, 2]"], "JSON object"),
    ],
    ids=[
        "malformed",
        "duplicate-id",
        "empty",
        "bad-date",
        "bad-history",
        "bad-answer",
        "bad-answerable",
        "not-object",
    ],
)
def test_bad_question_lines_are_named(lines: list[str], message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_questions(lines, "set.jsonl")


# -- metric functions ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The  MQM-P’s convener!", "mqm ps convener"),
        ("An Apple a day", "apple day"),
        ("Nestlé, S.A.", "nestlé s"),
    ],
)
def test_normalise_answer(text: str, expected: str) -> None:
    assert normalise_answer(text) == expected


def test_contains_answer_respects_word_boundaries() -> None:
    assert contains_answer("Kamala Harris spoke", ["Harris"])
    assert not contains_answer("Kamala Harris spoke", ["Kamal"])
    assert contains_answer("led by the MQM-RC.", ["mqm rc"])
    assert not contains_answer("anything", [""])


def test_contains_answer_sees_a_name_before_its_possessive() -> None:
    assert contains_answer("police swept onto UCLA's campus", ["UCLA"])
    assert contains_answer("police swept onto UCLA’s campus", ["UCLA"])
    assert contains_answer("shoppers at Macys", ["Macy's"])  # apostrophes still dropped
    assert contains_answer("shoppers at Macy's", ["Macy's"])
    assert not contains_answer("the UCLAs", ["UCLA"])


def test_token_f1_exact_values() -> None:
    assert token_f1("the cat sat", "cat sat down") == pytest.approx(0.8)
    assert token_f1("dog", "cat") == 0.0
    assert token_f1("Kamran Tessori", "kamran tessori") == 1.0


def test_support_and_coverage() -> None:
    gold = "The two sides agreed to work together for filling the political vacuum in the city."
    assert supports("The two sides agreed to work together for filling the political vacuum", gold)
    assert not supports("Kamal had spoken too much against many MQM-P leaders.", gold)
    assert covers("Intro. " + gold + " More.", gold)
    assert not covers("The city has a vacuum.", gold)


def test_ranking_metrics_on_hand_made_hits() -> None:
    q = Question("q", "Who?", answers=("Ann Lee",), evidence_doc_ids=("d1", "d9"))
    hits = [Hit("d1", "nothing"), Hit("d2", "nobody"), Hit("d3", "said Ann Lee"), Hit("d4", "x")]
    metrics = retrieval_metrics(q, hits)
    assert metrics == {
        "answer@1": 0.0,
        "answer@5": 1.0,
        "answer@10": 1.0,
        "mrr@10": pytest.approx(1 / 3),
        "evidence_recall@5": 0.5,
    }
    assert evidence_recall(q, hits, depth=1) == 0.5


def test_verdict_and_unanswerable_questions_skip_passage_metrics() -> None:
    verdict = Question("v", "Did it?", answers=("Yes",), evidence=("It did rain all day long.",))
    metrics = retrieval_metrics(verdict, [Hit("d", "It did rain all day long today.")])
    assert metrics["answer@1"] is None and metrics["mrr@10"] is None
    assert metrics["evidence_recall@5"] == 1.0
    none = retrieval_metrics(Question("u", "?", answerable=False), [Hit("d", "x")])
    assert set(none.values()) == {None}


def _row(question: Question, abstained: bool, latency: float, **metrics: float) -> Row:
    return Row(question, "", abstained, [], [], None, latency, {}, dict(metrics))


def test_aggregate_exact_values() -> None:
    ok = Question("a", "?", answers=("x",))
    no = Question("b", "?", answerable=False)
    rows = [
        _row(ok, False, 100.0, **{"answer@1": 1.0}, cited=2, cited_correct=1, all_cited=2),
        _row(ok, True, 200.0, **{"answer@1": 0.0}),
        _row(no, True, 300.0),
        _row(no, False, 400.0, all_cited=1, cited_supported=1),
    ]
    metrics = aggregate(rows)
    assert metrics["answer@1"] == 0.5
    assert metrics["citation_precision"] == 0.5
    assert metrics["abstain_precision"] == 0.5
    assert metrics["abstain_recall"] == 0.5
    assert metrics["false_abstain_rate"] == 0.5
    assert metrics["latency_p50_ms"] == 250.0
    assert metrics["latency_p95_ms"] == 385.0
    assert metrics["supported_citation_rate"] == pytest.approx(0.3333)
    assert metrics["answer_contains"] is None and metrics["evidence_recall@5"] is None


def test_percentile() -> None:
    assert percentile([], 50) is None
    assert percentile([5.0], 95) == 5.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.5


def test_abstaining_on_an_answerable_question_scores_zero() -> None:
    q = Question("a", "?", answers=("Ann",), evidence=("Ann won the race on Sunday.",))
    metrics = answer_metrics(q, "I could not find this.", True, [])
    assert metrics["answer_contains"] == 0.0 and metrics["answer_f1"] == 0.0
    assert metrics["citation_precision"] is None and metrics["citation_recall"] is None


def _passage(text: str, article_id: str = "art") -> Passage:
    return Passage("c1", article_id, "Title", None, None, None, 0, len(text), text, 1.0)


def _citation(quote: str, n: int = 1) -> Citation:
    return Citation(n, "art", "Title", None, None, None, "c1", quote, quote, 0, len(quote))


def test_score_a_known_good_and_a_wrong_answer() -> None:
    gold = "Sattar wants to be restored as the party chief."
    q = Question(
        "s", "What does Sattar want?", answers=("restored as the party chief",), evidence=(gold,)
    )
    ranking = [_passage("Unrelated text about Karachi."), _passage("Meanwhile, " + gold)]
    good = score(q, Answer(q.question, gold + " [1]", False, [_citation(gold)], ranking), ranking)
    assert good.first_answer_rank == 2
    assert good.metrics["answer@1"] == 0.0 and good.metrics["answer@5"] == 1.0
    assert good.metrics["answer_contains"] == 1.0
    assert good.metrics["citation_precision"] == 1.0 and good.metrics["citation_recall"] == 1.0
    wrong_quote = "Unrelated text about Karachi."
    wrong = score(
        q, Answer(q.question, wrong_quote, False, [_citation(wrong_quote)], ranking), ranking
    )
    assert wrong.metrics["answer_contains"] == 0.0
    assert wrong.metrics["citation_precision"] == 0.0 and wrong.metrics["citation_recall"] == 0.0


def test_eval_store_key_follows_articles_and_index_settings(tmp_path: Path) -> None:
    from rag.config import Settings
    from rag.evaluate import fingerprint

    (tmp_path / "a.md").write_text("One article.", encoding="utf-8")
    (tmp_path / "questions.jsonl").write_text('{"question": "q"}', encoding="utf-8")
    settings = Settings(data_dir=tmp_path / "data")
    first = fingerprint(tmp_path, settings)
    (tmp_path / "questions.jsonl").write_text('{"question": "other"}', encoding="utf-8")
    assert fingerprint(tmp_path, settings) == first
    assert fingerprint(tmp_path, settings.replace(abstain_threshold=0.9)) == first
    assert fingerprint(tmp_path, settings.replace(chunk_overlap_tokens=10)) != first
    (tmp_path / "a.md").write_text("One changed article.", encoding="utf-8")
    assert fingerprint(tmp_path, settings) != first


# -- reports ------------------------------------------------------------------------------------
def test_judge_directions_and_tolerance() -> None:
    assert judge("answer@1", 0.8, 0.7) == "regression"
    assert judge("answer@1", 0.8, 0.9) == "improvement"
    assert judge("answer@1", 0.8, 0.803) == "same"
    assert judge("false_abstain_rate", 0.1, 0.3) == "regression"
    assert judge("latency_p50_ms", 100.0, 110.0) == "same"
    assert judge("latency_p50_ms", 100.0, 400.0) == "regression"
    assert judge("abstain_recall", None, 0.5) == "n/a"


def test_compare_flags_an_injected_regression() -> None:
    metrics = dict.fromkeys(METRIC_KEYS, 0.5)
    old = {"metrics": metrics, "by_type": {"t": metrics}}
    new = {"metrics": {**metrics, "mrr@10": 0.2}, "by_type": {"t": {**metrics, "answer@1": 0.9}}}
    verdicts = {(d.scope, d.metric): d.verdict for d in compare(old, new)}
    assert verdicts[("overall", "mrr@10")] == "regression"
    assert verdicts[("t", "answer@1")] == "improvement"
    assert list(verdicts.values()).count("regression") == 1


def test_summary_escapes_untrusted_text() -> None:
    q = Question("<b>x</b>", "<script>alert(1)</script>|?", answers=("y",))
    row = Row(
        q, "<img src=x onerror=alert(1)>", False, [], [], None, 1.0, {}, {"answer_contains": 0.0}
    )
    report = {
        "questions": "q.jsonl",
        "n": 1,
        "k": 5,
        "settings": {},
        "metrics": {},
        "by_type": {},
        "rows": [row.as_dict()],
    }
    text = summary_markdown(report, has_chart=False)
    assert "<script>" not in text and "<img" not in text and "<b>" not in text
    assert "&lt;script&gt;" in text and "\\|" in text


def test_quality_table_goes_between_markers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = importlib.util.spec_from_file_location("quality", ROOT / "benchmarks" / "quality.py")
    assert spec and spec.loader
    quality = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "quality", quality)
    spec.loader.exec_module(quality)
    readme = tmp_path / "README.md"
    readme.write_text("# Title\n\nIntro.\n", encoding="utf-8")
    quality.write_readme("| a |\n", readme)
    quality.write_readme("| b |\n", readme)
    text = readme.read_text(encoding="utf-8")
    assert text.startswith("# Title\n\nIntro.\n")
    assert text.count(quality.START) == 1 and "| b |" in text and "| a |" not in text


# -- real runs ----------------------------------------------------------------------------------
def _eval(args: list[str], data_dir: Path, **env: str) -> tuple[str, str]:
    from rag.cli import cli

    result = CliRunner().invoke(cli, ["eval", *args], env={"RAG_DATA_DIR": str(data_dir), **env})
    assert result.exit_code == 0, (result.output, result.exception)
    return result.stdout, result.stderr


@pytest.fixture(scope="module")
def shipped_run(tmp_path_factory) -> dict:
    data_dir = tmp_path_factory.mktemp("eval-data")
    out = data_dir.parent / "report-a"
    stdout, _ = _eval(
        [str(SHIPPED), "--articles", str(ROOT / "corpus"), "--out", str(out)],
        data_dir,
        **ALL_CHUNKS,
    )
    return {"data_dir": data_dir, "out": out, "stdout": stdout}


@pytest.mark.slow
def test_shipped_set_report_shape_and_known_good_scores(shipped_run: dict) -> None:
    out, data_dir = shipped_run["out"], shipped_run["data_dir"]
    assert {p.name for p in out.iterdir()} == {"report.json", "summary.md", "metrics.png"}
    assert (out / "metrics.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["n"] == len(report["rows"]) == len(load_questions(SHIPPED))
    assert set(METRIC_KEYS) <= set(report["metrics"])
    assert set(report["by_type"]) == {q.type for q in load_questions(SHIPPED)}
    assert {"settings", "versions", "k"} <= set(report)
    assert "llm_api_key" not in json.dumps(report["settings"]).replace('"llm_api_key": ""', "")
    # one 5-chunk article, no per-article cap: every chunk is in the top 10, so every gold
    # answer and evidence sentence is found
    assert report["metrics"]["answer@10"] == 1.0
    assert report["metrics"]["evidence_recall@5"] == 1.0
    for row in report["rows"]:
        if row["question"]["answerable"]:
            assert row["first_answer_rank"] is not None
        for citation in row["citations"]:
            assert citation["correct"] == (
                row["question"]["answerable"]
                and (
                    contains_answer(citation["quote"], row["question"]["answers"])
                    or any(supports(citation["quote"], e) for e in row["question"]["evidence"])
                )
            )
    assert "answer@10" in shipped_run["stdout"] and "overall" in shipped_run["stdout"]
    assert "| metric | overall |" in (out / "summary.md").read_text(encoding="utf-8")
    # the evaluation used its own cached store, never the user's archive
    assert not (data_dir / "articles.db").exists()
    assert len(list((data_dir / "eval").glob("*/ready.json"))) == 1


@pytest.mark.slow
def test_same_settings_same_metrics_and_compare_flags_regression(shipped_run: dict) -> None:
    data_dir, out = shipped_run["data_dir"], shipped_run["out"]
    base = ["--articles", str(ROOT / "corpus"), "--compare", str(out)]
    stdout, stderr = _eval([str(SHIPPED), *base, "--json"], data_dir, **ALL_CHUNKS)
    summary = json.loads(stdout)
    assert set(summary) == {"metrics", "by_type", "by_answer_type", "n"}
    assert {"person", "description"} <= set(summary["by_answer_type"])
    assert list(summary["metrics"]) == list(METRIC_KEYS)
    old = json.loads((out / "report.json").read_text(encoding="utf-8"))["metrics"]
    for key in METRIC_KEYS:
        if not key.startswith("latency"):
            assert summary["metrics"][key] == old[key], key
    flagged = stderr.strip().splitlines()[-1]
    assert re.fullmatch(r"\d+ regressions?(: .+)?", flagged), flagged
    assert all("latency" in name for name in flagged.partition(": ")[2].split(", ") if name)
    worse, _ = _eval([str(SHIPPED), *base], data_dir, RAG_ABSTAIN_THRESHOLD="0.99", **ALL_CHUNKS)
    assert "regression" in worse and "overall/false_abstain_rate" in worse
    assert len(list((data_dir / "eval").iterdir())) == 1, "the cached store was re-used"
    # without --out each run is saved in the data dir, in a folder named readably
    saved = sorted(p.name for p in (data_dir / "eval-reports").iterdir())
    assert len(saved) == 2 and all(
        re.fullmatch(r"questions-\d{4}-\d\d-\d\d-\d{4}-extractive(-2)?", n) for n in saved
    ), saved
    assert f"Report saved in {data_dir / 'eval-reports'}" in stderr
    assert "(metrics.png, report.json, summary.md)" in stderr


def test_chart_keeps_scores_and_rates_apart(tmp_path: Path) -> None:
    from rag.report_render import chart_groups, write_chart

    metrics = {k: None for k in METRIC_KEYS} | {
        "answer@1": 0.5,
        "mrr@10": 0.75,
        "false_abstain_rate": 0.2,
        "latency_p50_ms": 120.0,
    }
    report = {"metrics": metrics, "by_type": {}, "n": 4, "k": 5}
    groups = chart_groups(report)
    assert groups == {
        "Scores (higher is better)": [("answer@1", 0.5), ("mrr@10", 0.75)],
        "Rates (lower is better)": [("false_abstain_rate", 0.2)],
    }
    assert write_chart(report, tmp_path / "m.png")
    assert (tmp_path / "m.png").read_bytes()[:4] == b"\x89PNG"


def test_report_folders_are_named_by_set_date_and_answerer(tmp_path: Path) -> None:
    from rag.report import list_reports, run_name, save_run

    report = {
        "created_at": "2026-11-24T15:30:12+00:00",
        "settings": {"answerer": "extractive"},
        "metrics": {k: None for k in METRIC_KEYS},
        "by_type": {},
        "n": 0,
        "k": 5,
        "questions": "x",
        "rows": [],
    }
    assert run_name(report, "corpus/questions.jsonl") == "questions-2026-11-24-1530-extractive"
    first = save_run(report, tmp_path, "sets/my set.jsonl")
    second = save_run({**report, "created_at": "2026-11-25T09:00:00+00:00"}, tmp_path, "a.jsonl")
    assert first.name == "my-set-2026-11-24-1530-extractive"
    assert list_reports(tmp_path) == [second, first], "newest first"


def _rtqa_slice(folder: Path, asked: int = 5, kept: int = 10) -> tuple[Path, Path]:
    """The `asked` RealTimeQA questions with the shortest evidence and silver articles, and the
    articles of the `kept` shortest (the rest are distractors)."""
    articles = {
        r["id"]: r for r in map(json.loads, (DATA / "realtimeqa" / "articles_dev.jsonl").open("rb"))
    }
    questions = [json.loads(line) for line in (DATA / "realtimeqa" / "questions_dev.jsonl").open()]

    def ids(q: dict) -> list[str]:
        return q["evidence_doc_ids"] + q["silver_answer_doc_ids"]

    chosen = sorted(
        (q for q in questions if q["silver_answer_doc_ids"]),
        key=lambda q: (sum(len(articles[i]["text"]) for i in ids(q)), q["id"]),
    )[:kept]
    wanted = sorted({i for q in chosen for i in ids(q)})
    q_path, a_path = folder / "questions.jsonl", folder / "articles.jsonl"
    q_path.write_text("".join(json.dumps(q) + "\n" for q in chosen[:asked]), encoding="utf-8")
    a_path.write_text("".join(json.dumps(articles[i]) + "\n" for i in wanted), encoding="utf-8")
    return q_path, a_path


@pytest.mark.slow
def test_realtimeqa_slice_as_of_each_question_date(tmp_path: Path) -> None:
    q_path, a_path = _rtqa_slice(tmp_path)
    out = tmp_path / "out"
    stdout, _ = _eval(
        [str(q_path), "--articles", str(a_path), "--out", str(out), "--json"], tmp_path / "data"
    )
    summary = json.loads(stdout)
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert summary["n"] == 5 and set(summary["by_type"]) == {"single_hop_news_factoid"}
    assert report["metrics"]["answer@1"] == summary["metrics"]["answer@1"]
    [store_dir] = [p.parent for p in (tmp_path / "data" / "eval").glob("*/ready.json")]
    with sqlite3.connect(store_dir / "articles.db") as db:
        assert db.execute("SELECT count(*) FROM chunks").fetchone()[0] < 60
    for row in report["rows"]:
        q = row["question"]
        assert 0 < len(row["passages"]) <= 10
        for p in row["passages"]:
            assert p["published_at"] is None or p["published_at"][:10] <= q["as_of"]
            assert p["answer_bearing"] == contains_answer(p["text"], q["answers"])
            assert p["evidence"] == (p["article_id"] in q["evidence_doc_ids"])
        rank = row["first_answer_rank"]
        assert row["metrics"]["answer@10"] == float(rank is not None)
        assert row["metrics"]["mrr@10"] == (1 / rank if rank else 0.0)


def test_bad_question_file_is_a_one_line_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"question": "ok"}\nnot json\n', encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "rag", "eval", str(bad)],
        capture_output=True,
        text=True,
        env={"RAG_DATA_DIR": str(tmp_path / "data"), "PATH": "/usr/bin:/bin"},
        timeout=120,
    )
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"Error: {bad}:2: malformed JSON (Expecting value at column 1)"
    ]
    assert not (tmp_path / "data").exists()


# -- the Evaluate page --------------------------------------------------------------------------
@pytest.mark.slow
def test_evaluate_page_runs_the_shipped_set_and_lists_the_report(
    embedder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from streamlit.testing.v1 import AppTest

    from rag.ingest import read_sources
    from rag.store import Store

    Store(tmp_path, embedder).add(read_sources([str(ROOT / "corpus")], 10**7))
    monkeypatch.setenv("RAG_DATA_DIR", str(tmp_path))
    script = (
        f"import sys\nsys.path.insert(0, {str(ROOT)!r})\n"
        "from ui.evaluate import render_evaluate_page\nrender_evaluate_page()\n"
    )
    app = AppTest.from_string(script, default_timeout=300).run()
    assert not app.exception
    app.button(key="eval_run").click().run()
    assert not app.exception and not app.error
    assert [p.name for p in (tmp_path / "eval-reports").iterdir()]
    saved = [s.value for s in app.success if s.value.startswith("Report saved in")]
    assert saved and str(tmp_path / "eval-reports") in saved[0].replace("\\", "")
    assert len(app.table) == 4, "metrics and answer types, for the run and the saved report"
    kinds = app.table[1].value
    assert {"person", "description"} <= set(kinds["answer type"])
    metric_names = set(app.table[0].value["metric"])
    assert {"short_exact", "short_f1", "yes_no_accuracy", "short_in_quote"} <= metric_names
    charts = [c.proto.spec for c in app.get("vega_lite_chart")]
    assert len(charts) == 4, "scores and rates apart, for the run and the saved report"
    assert all('"text"' in c for c in charts), "every bar is labelled with its value"
    drill = app.selectbox(key="drill-run")
    assert len(drill.options) == len(load_questions(SHIPPED))
    drill.set_value(1).run()
    texts = [t.value for t in app.text]
    assert any(t.startswith("Question: ") for t in texts)
    assert any(t.startswith("First answer-bearing passage") for t in texts)
    assert app.selectbox(key="report_open").options


@pytest.mark.parametrize("name", ["written_questions.jsonl", "chat_questions.jsonl"])
def test_the_written_sets_resolve_to_evidence_holding_their_answers(
    name: str, tmp_path: Path
) -> None:
    """The project's own question sets keep their evidence as spans of the RealTimeQA
    articles; resolved, each span holds its gold answer and the set loads as a question set."""
    spec = importlib.util.spec_from_file_location("written", ROOT / "benchmarks" / "written.py")
    assert spec is not None and spec.loader is not None
    written = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(written)
    out = written.resolve(
        DATA / "realtimeqa" / "articles_dev.jsonl", ROOT / "benchmarks" / name, tmp_path / name
    )
    questions = load_questions(out)
    assert len(questions) >= 60
    for question in questions:
        assert question.as_of and question.evidence, question.id
        assert any(question.answers[0].lower() in e.lower() for e in question.evidence), question.id
