"""The `rag` commands that answer questions: ask one, or evaluate a question set."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from rag.cli_options import pass_settings
from rag.cli_render import consume, emit, prepare_query_model, print_answer, print_sources
from rag.config import Settings
from rag.terminal import progress_bars


@click.command()
@click.argument("question")
@click.option("--json", "as_json", is_flag=True, help="Print the Answer as JSON.")
@click.option("--k", type=click.IntRange(1, 50), default=None, help="Passages to retrieve.")
@click.option("--as-of", default=None, help="Answer as of this date (YYYY-MM-DD).")
@click.option("--source", default=None, help="Only articles from this outlet.")
@click.option("--since", default=None, help="Only articles published on or after this date.")
@click.option("--until", default=None, help="Only articles published on or before this date.")
@pass_settings
def ask(
    settings: Settings,
    question: str,
    as_json: bool,
    k: int | None,
    as_of: str | None,
    source: str | None,
    since: str | None,
    until: str | None,
) -> None:
    """Answer a question from the archive, citing the sentences it relies on."""
    from rag.assistant import Assistant
    from rag.catalog import Filters

    assistant = Assistant.from_settings(settings)
    prepare_query_model(assistant.store.embedder, sys.stderr.isatty() or settings.progress)
    filters = Filters(source=source, since=since, until=until)
    pieces = assistant.stream(question, as_of=as_of, filters=filters, k=k)
    final, shown = consume(pieces, show=not as_json and sys.stdout.isatty())
    if as_json:
        emit(final.as_dict())
        return
    print_answer(final, shown)
    print_sources(final)
    for note in final.notes:  # why it abstained, or what the checker noticed
        click.echo(f"  note: {note}")


@click.command(name="eval")
@click.argument("questions", type=click.Path(dir_okay=False))
@click.option(
    "--articles",
    type=click.Path(),
    help="Articles (file or folder) to evaluate on, in a cached store of their own.",
)
@click.option("--k", type=click.IntRange(1, 50), default=None, help="Passages per answer.")
@click.option(
    "--out",
    type=click.Path(file_okay=False),
    help="Folder for report.json, summary.md and metrics.png "
    "(default: a new folder under <data dir>/eval-reports/).",
)
@click.option(
    "--compare",
    "compare_to",
    type=click.Path(),
    help="An earlier report.json (or its folder): print the deltas, marking regressions.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the metrics as JSON.")
@pass_settings
def eval_(
    settings: Settings,
    questions: str,
    articles: str | None,
    k: int | None,
    out: str | None,
    compare_to: str | None,
    as_json: bool,
) -> None:
    """Score answers, retrieval, citations and abstention over a question set (JSON Lines)."""
    import datetime as dt

    from rag import report as reports
    from rag.assistant import Assistant
    from rag.evaluate import evaluate, open_eval_store
    from rag.question_sets import load_questions
    from rag.report_compare import compare
    from rag.report_render import render_compare, render_metrics
    from rag.store import open_store

    question_set = load_questions(questions)
    old = reports.load_report(compare_to) if compare_to else None
    show = not as_json and sys.stderr.isatty() or settings.progress
    with progress_bars(show) as p:
        store, run_settings = (
            open_eval_store(settings, articles, p) if articles else (open_store(settings), settings)
        )
    with progress_bars(show, "questions") as p:
        evaluation = evaluate(
            Assistant(store, run_settings),
            question_set,
            k,
            lambda done, total: p("answering", done, total),
        )
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    report = reports.build_report(evaluation, run_settings, questions, articles, now)
    if out:
        folder, written = Path(out), reports.write_report(report, out)
    else:
        folder = reports.save_run(report, settings.data_dir, questions)
        written = sorted(p for p in folder.iterdir() if p.is_file())
    names = ", ".join(p.name for p in written)
    click.echo(f"Report saved in {folder} ({names})", err=as_json)
    if as_json:
        emit(evaluation.summary())
    else:
        render_metrics(report)
    if old is not None:
        render_compare(compare(old, report), str(compare_to), stderr=as_json)
