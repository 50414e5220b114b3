"""The Evaluate page: run a question set over the archive, read the metrics, drill into questions,
open and compare earlier reports. Renders only; scoring lives in `rag.evaluate` and `rag.report`.
Untrusted text (questions, answers, quotes, titles) is shown with st.text, st.code or tables."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import streamlit as st

from rag.config import Settings
from rag.errors import RagError
from ui.render import escape_markdown, one_line, plural
from ui.resources import assistant_for, load_settings

SHIPPED = Path(__file__).resolve().parents[1] / "corpus" / "questions.jsonl"
SAVED_NAME = "questions.jsonl"


def render_evaluate_page() -> None:
    """The whole page; call it from the app's navigation."""
    st.title("Evaluate")
    st.caption("Score answers, retrieval, citations and abstention over a question set.")
    settings = load_settings()
    run_tab, reports_tab = st.tabs(["Run", "Reports"])
    with run_tab:
        _render_run(settings)
    with reports_tab:
        _render_reports(settings)


# -- running ------------------------------------------------------------------------------------
def _question_sources(settings: Settings) -> dict[str, Path | None]:
    sources: dict[str, Path | None] = {}
    if SHIPPED.is_file():
        sources["Shipped question set (corpus/questions.jsonl)"] = SHIPPED
    saved = settings.data_dir / SAVED_NAME
    if saved.is_file():
        sources[f"Saved from the chat ({saved})"] = saved
    sources["Upload a file"] = None
    return sources


def _load_set(choice: Path | None) -> tuple[list[Any], str] | None:
    from rag.question_sets import load_questions, parse_questions

    if choice is not None:
        return load_questions(choice), choice.name
    upload = st.file_uploader("Question set (JSON Lines)", type=["jsonl", "json"])
    if upload is None:
        return None
    text = upload.getvalue().decode("utf-8-sig", errors="replace")
    return parse_questions(text.splitlines(), upload.name), upload.name


def _render_run(settings: Settings) -> None:
    sources = _question_sources(settings)
    label = st.radio("Question set", list(sources), key="eval_source")
    k = st.number_input("Passages per answer (k)", 1, 50, settings.k, key="eval_k")
    try:
        loaded = _load_set(sources[label])
    except RagError as exc:
        st.error(f"Error: {escape_markdown(one_line(exc))}")
        return
    if loaded is None:
        return
    questions, name = loaded
    st.write(f"{len(questions)} questions")
    if st.button("Run evaluation", type="primary", key="eval_run"):
        report = _run(settings, questions, name, int(k))
        if report is not None:
            st.session_state["eval_report"] = report
    report = st.session_state.get("eval_report")
    if report:
        st.success(f"Report saved in {escape_markdown(str(report.get('saved_in', '-')))}")
        _render_report(report, "run")


def _run(settings: Settings, questions: list[Any], name: str, k: int) -> dict[str, Any] | None:
    from rag.evaluate import evaluate
    from rag.report import build_report, save_run

    bar = st.progress(0.0, text="Starting…")

    def tick(done: int, total: int) -> None:
        bar.progress(done / total, text=f"{done} of {total} questions")

    try:
        assistant, problem = assistant_for(settings, settings.answerer)
        if problem:
            st.warning(escape_markdown(problem))
        evaluation = evaluate(assistant, questions, k, tick)
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        report = build_report(evaluation, assistant.settings, name, None, now)
        report["saved_in"] = str(save_run(report, settings.data_dir, name))
    except RagError as exc:
        bar.empty()
        st.error(f"Error: {escape_markdown(one_line(exc))}")
        return None
    bar.progress(1.0, text=f"Done: {len(questions)} questions")
    return report


# -- reading a report ---------------------------------------------------------------------------
def _render_report(report: Mapping[str, Any], key: str) -> None:
    from rag.report_render import answer_type_rows, chart_groups, metrics_table

    st.subheader("Metrics")
    for name, rows in chart_groups(report).items():
        if rows:
            st.caption(name)
            st.altair_chart(metric_chart(rows), width="stretch")
    rows = metrics_table(report)
    # st.table grows with its rows: every metric is readable without a scrollbar of its own
    st.table([dict(zip(rows[0], r, strict=True)) for r in rows[1:]])
    kinds = answer_type_rows(report)
    if len(kinds) > 1:
        st.subheader("By answer type", anchor=False)
        st.caption("What the reader took each question to ask for, and how it did.")
        st.table([dict(zip(kinds[0], r, strict=True)) for r in kinds[1:]])
    _render_drill(report, key)


def metric_chart(rows: list[tuple[str, float]]) -> Any:
    """Horizontal bars on a 0-1 scale, each labelled with its value."""
    import altair as alt

    data = [{"metric": name, "value": round(float(value), 3)} for name, value in rows]
    base = alt.Chart(alt.Data(values=data)).encode(
        y=alt.Y("metric:N", sort=None, title=None, axis=alt.Axis(labelLimit=200)),
        x=alt.X("value:Q", scale=alt.Scale(domain=[0, 1.15]), title=None),
    )
    bars = base.mark_bar()
    labels = base.mark_text(align="left", dx=3).encode(text=alt.Text("value:Q", format=".3f"))
    return (bars + labels).properties(height=28 * len(data) + 10)


def _render_drill(report: Mapping[str, Any], key: str) -> None:
    items = report.get("rows", [])
    if not items:
        return
    st.subheader("One question")
    index = st.selectbox(
        "Question",
        range(len(items)),
        format_func=lambda i: f"{items[i]['question']['id']}: {items[i]['question']['question']}"[
            :150
        ],
        key=f"drill-{key}",
    )
    row = items[index]
    question = row["question"]
    st.text(f"Type: {question['type']}    As of: {question.get('as_of') or '-'}")
    st.text("Question: " + question["question"])
    gold = " / ".join(question["answers"]) or (
        "(unanswerable)" if not question["answerable"] else "-"
    )
    st.text("Gold: " + gold)
    verdict = "abstained" if row["abstained"] else "answered"
    st.text(f"Answer ({verdict}):")
    st.code(row["answer"], language=None, wrap_lines=True)
    rank = row.get("first_answer_rank")
    st.text(f"First answer-bearing passage: {rank if rank else 'none in the top 10'}")
    for citation in row.get("citations", []):
        mark = "supports the gold" if citation.get("correct") else "does not support the gold"
        st.text(f"[{citation['n']}] {citation['title']} — {mark}")
        st.code(citation["quote"], language=None, wrap_lines=True)
    if question.get("evidence"):
        st.text("Gold evidence:")
        for sentence in question["evidence"]:
            st.code(sentence, language=None, wrap_lines=True)
    st.dataframe(
        [
            {
                "rank": p["rank"],
                "title": p["title"],
                "answer": p["answer_bearing"],
                "evidence": p["evidence"],
            }
            for p in row.get("passages", [])
        ],
        hide_index=True,
        key=f"passages-{key}",
    )
    st.json({k: v for k, v in row["metrics"].items()}, expanded=False)


# -- earlier reports ----------------------------------------------------------------------------
def _render_reports(settings: Settings) -> None:
    from rag.report import list_reports, load_report
    from rag.report_compare import compare

    found = list_reports(settings.data_dir)
    if not found:
        st.info("No reports yet: run an evaluation first.")
        return
    names = [p.name for p in found]
    chosen = st.selectbox("Report", names, key="report_open")
    baseline = st.selectbox("Compare with", ["(none)", *names], key="report_base")
    try:
        report = load_report(found[names.index(chosen)])
        old = None if baseline == "(none)" else load_report(found[names.index(baseline)])
    except RagError as exc:
        st.error(f"Error: {escape_markdown(one_line(exc))}")
        return
    if old is not None:
        deltas = compare(old, report)
        moved = [d for d in deltas if d.scope == "overall" or d.verdict != "same"]
        st.subheader("Changes")
        regressions = sum(d.verdict == "regression" for d in deltas)
        (st.error if regressions else st.success)(plural(regressions, "regression"))
        st.dataframe(
            [
                {
                    "scope": d.scope,
                    "metric": d.metric,
                    "before": d.old,
                    "now": d.new,
                    "change": d.change,
                    "verdict": d.verdict,
                }
                for d in moved
            ],
            hide_index=True,
            key="compare-table",
        )
    _render_report(report, "saved")
