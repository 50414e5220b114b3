"""The `rag` command: parse, call, render. Errors become one-line messages here."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click

from rag.config import Settings
from rag.errors import RagError

pass_settings = click.make_pass_decorator(Settings)
DRAFT_LABELS = {
    "drafting": "Draft, not checked yet",
    "checking": "Checking each claim against the passages",
}


def _emit(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Newsdesk: ask questions about a news archive; every claim cites its passage."""
    ctx.obj = Settings.from_env()


@contextmanager
def _progress(enabled: bool, unit: str = "chunks") -> Iterator[Callable[[str, int, int], None]]:
    """A rich progress bar per phase (counts of `unit`, elapsed, ETA) on stderr, or nothing."""
    if not enabled:
        yield lambda *_: None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (
        SpinnerColumn(),
        TextColumn("{task.description:<10}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn(unit),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=False) as bar:
        tasks: dict[str, Any] = {}

        def update(phase: str, done: int, total: int) -> None:
            if phase not in tasks:
                tasks[phase] = bar.add_task(phase, total=total or None)
            bar.update(tasks[phase], completed=done, total=total or None)

        yield update


@cli.command()
@click.argument("sources", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@pass_settings
def add(settings: Settings, sources: tuple[str, ...], as_json: bool) -> None:
    """Add articles from files, directories and http(s) URLs."""
    from rag.ingest import read_sources
    from rag.store import open_store

    store = open_store(settings)
    items = read_sources(sources, int(settings.max_file_mb * 1e6), settings.fetch_timeout)
    with _progress(not as_json and sys.stderr.isatty() or settings.progress) as p:
        report = store.add(items, p)
    if as_json:
        _emit(report.as_dict())
    else:
        _print_report(report)
    if not (report.added or report.updated or report.unchanged or report.duplicate):
        sys.exit(1)


def _print_report(report: Any) -> None:
    click.echo(
        f"added {len(report.added)}, updated {len(report.updated)}, "
        f"unchanged {len(report.unchanged)}, duplicate {len(report.duplicate)}, "
        f"failed {len(report.failed)} ({report.chunks} chunks embedded)"
    )
    for line in report.duplicate:
        click.echo(f"  duplicate: {line}")
    for failure in report.failed:
        click.echo(f"  failed: {failure.origin}: {failure.reason}")


@cli.command()
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
    from rag.answer import Assistant
    from rag.catalog import Filters

    assistant = Assistant.from_settings(settings)
    filters = Filters(source=source, since=since, until=until)
    pieces = assistant.stream(question, as_of=as_of, filters=filters, k=k)
    final, shown = _consume(pieces, show=not as_json and sys.stdout.isatty())
    if as_json:
        _emit(final.as_dict())
        return
    _print_answer(final, shown)
    _print_sources(final)


def _consume(pieces: Iterator[Any], show: bool) -> tuple[Any, str]:
    """The final Answer, and the text already printed. On a terminal, extractive quotes are
    printed as they come; an LLM's draft is shown, labelled as unchecked, only until its
    checked version replaces it."""
    from rag.answer import Answer, Progress

    final, draft, live, printed = None, "", None, ""
    try:
        for piece in pieces:
            if isinstance(piece, Answer):
                final = piece
            elif isinstance(piece, Progress):
                live = live or _draft_view(show)
                if live is not None:
                    live.update(
                        _draft(DRAFT_LABELS.get(piece.step, piece.step), draft), refresh=True
                    )
            elif live is not None:
                draft += piece
                live.update(_draft(DRAFT_LABELS["drafting"], draft), refresh=True)
            elif show:
                printed += piece
                click.echo(piece, nl=False)
    finally:
        if live is not None:
            live.stop()
    if printed:
        click.echo("")
    assert final is not None
    return final, printed


def _draft_view(show: bool) -> Any:
    if not show:
        return None
    from rich.console import Console
    from rich.live import Live

    live = Live(console=Console(), transient=True, auto_refresh=False)
    live.start()
    return live


def _draft(label: str, text: str) -> Any:
    from rich.text import Text

    shown = Text(f"{label}…\n", style="italic")
    shown.append(text, style="dim")
    return shown


def _print_answer(answer: Any, shown: str = "") -> None:
    """The checked answer (unless `shown` already printed it): claims no passage backs are
    marked, each with the reason."""
    from rag.verify import describe_claims

    rejected = [(c.text, c.reason) for c in answer.claims if not c.supported]
    if answer.abstained:
        if shown.strip() != answer.text.strip():
            click.echo(answer.text)
        if rejected:
            click.echo("\nThe model's answer was not backed by the passages:")
            click.echo("\n".join(f"  ! {' '.join(t.split())}  ({why})" for t, why in rejected))
        return
    if answer.unsupported_only:
        click.echo("UNSUPPORTED ANSWER: no passage backs any of it.")
    if answer.claims:
        parts = [
            c.text + "".join(f" [{n}]" for n in c.citations)
            if c.supported
            else f"{c.text} [not supported]"
            for c in answer.claims
        ]
        click.echo(" ".join(parts))
    elif shown.strip() != answer.text.strip():
        click.echo(answer.text)
    for line in describe_claims(rejected, answer.notes):
        click.echo(line)


def _print_sources(answer: Any) -> None:
    warning = "  (warning: this article holds text addressed to AI assistants)"
    if answer.abstained:
        if answer.passages:
            click.echo("\nClosest passages:")
        for i, p in enumerate(answer.passages[:3], start=1):
            flag = warning if p.flagged else ""
            click.echo(
                f"  ({i}) {p.title} — {p.source or '-'}, {p.published_at or 'undated'}{flag}"
            )
            click.echo(f"      {' '.join(p.text.split())[:240]}")
        return
    if not answer.citations:
        return
    click.echo("\nSources:")
    for c in answer.citations:
        mark = "" if c.supported else "  [unsupported]"
        flag = warning if c.flagged else ""
        click.echo(
            f"  [{c.n}] {c.title} — {c.source or '-'}, {c.published_at or 'undated'}{mark}{flag}"
        )
        if c.url:
            click.echo(f"      {c.url}")
        click.echo(f"      “{' '.join(c.quote.split())}”")


@cli.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@pass_settings
def list_(settings: Settings, as_json: bool) -> None:
    """List stored articles."""
    from rag.store import open_store

    rows = open_store(settings).list_articles()
    if as_json:
        _emit(rows)
        return
    if not rows:
        click.echo("The archive is empty: add articles with `rag add PATH|URL`.")
    for row in rows:
        date = (row["published_at"] or "")[:10] or "undated"
        flag = "  [!] holds text addressed to AI assistants" if row.get("flagged") else ""
        click.echo(f"{row['id']}  {date:<10}  {row['source'] or '-'}  {row['title']}{flag}")


@cli.command()
@click.argument("article_id")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@pass_settings
def show(settings: Settings, article_id: str, as_json: bool) -> None:
    """Show one article: metadata and clean text."""
    from rag.store import open_store

    article = open_store(settings).article(article_id)
    if as_json:
        _emit(article)
        return
    for key in ("id", "title", "source", "published_at", "url", "chunks"):
        click.echo(f"{key}: {article[key] if article[key] is not None else '-'}")
    for sentence in article.get("flagged_sentences") or []:
        click.echo(
            f"warning: addressed to AI assistants, never quoted: “{' '.join(sentence.split())}”"
        )
    click.echo("")
    click.echo(article["text"])


@cli.command()
@click.argument("article_ids", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print the removed ids as JSON.")
@pass_settings
def remove(settings: Settings, article_ids: tuple[str, ...], as_json: bool) -> None:
    """Remove articles by id (see `rag list`)."""
    from rag.store import open_store

    removed = open_store(settings).remove(list(article_ids))
    if as_json:
        _emit({"removed": removed})
    else:
        click.echo(f"removed {len(removed)}: {', '.join(removed)}")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@pass_settings
def stats(settings: Settings, as_json: bool) -> None:
    """Counts, sources, date range, embedding model and size on disk."""
    from rag.store import open_store

    data = open_store(settings).stats()
    if as_json:
        _emit(data)
        return
    for key, value in data.items():
        if key == "sources":
            value = ", ".join(f"{k} ({v})" for k, v in value.items()) or "-"
        click.echo(f"{key:<16} {value if value is not None else '-'}")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
@pass_settings
def reindex(settings: Settings, as_json: bool) -> None:
    """Re-chunk and re-embed every article with the configured embedding model."""
    from rag.store import open_store

    with _progress(not as_json and sys.stderr.isatty()) as p:
        result = open_store(settings).reindex(p)
    if as_json:
        _emit(result)
    else:
        click.echo(
            f"re-embedded {result['articles']} articles ({result['chunks']} chunks) "
            f"with {result['embed_model']}"
        )


@cli.command(name="eval")
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
    help="Folder for report.json, summary.md and metrics.png.",
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
    from rag.answer import Assistant
    from rag.evaluate import evaluate, load_questions, open_eval_store
    from rag.store import open_store

    question_set = load_questions(questions)
    old = reports.load_report(compare_to) if compare_to else None
    show = not as_json and sys.stderr.isatty() or settings.progress
    with _progress(show) as p:
        store, run_settings = (
            open_eval_store(settings, articles, p) if articles else (open_store(settings), settings)
        )
    with _progress(show, "questions") as p:
        evaluation = evaluate(
            Assistant(store, run_settings),
            question_set,
            k,
            lambda done, total: p("answering", done, total),
        )
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    report = reports.build_report(evaluation, run_settings, questions, articles, now)
    if out:
        written = reports.write_report(report, out)
        click.echo(f"report written: {', '.join(str(p) for p in written)}", err=as_json)
    if as_json:
        _emit(evaluation.summary())
    else:
        reports.render_metrics(report)
    if old is not None:
        reports.render_compare(reports.compare(old, report), str(compare_to), stderr=as_json)


def main() -> None:
    """Entry point: run the group and turn domain errors into one-line messages."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.Abort as exc:  # click turns Ctrl-C into Abort
        if not isinstance(exc.__cause__, KeyboardInterrupt):
            click.echo("Aborted.", err=True)
            sys.exit(130)
        click.echo("Interrupted: nothing half-written was kept; run the command again.", err=True)
        sys.exit(130)
    except KeyboardInterrupt:
        click.echo("Interrupted: nothing half-written was kept; run the command again.", err=True)
        sys.exit(130)
    except RagError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    except Exception as exc:  # the edge: never show a traceback
        if os.environ.get("RAG_DEBUG"):
            raise
        click.echo(
            f"Error: unexpected {type(exc).__name__}: {exc} (RAG_DEBUG=1 for details)", err=True
        )
        sys.exit(1)
