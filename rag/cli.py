"""The `rag` command: parse, call, render. Errors become one-line messages here."""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click

from rag.config import Settings
from rag.errors import RagError
from rag.terminal import (
    articles_table,
    byline,
    console,
    migrate_lines,
    near_copy_line,
    one_per_article,
    progress_bars,
    stats_lines,
    stories_table,
    story_lines,
)

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


def _prepare_query_model(embedder: Any, show: bool) -> None:
    """Export the query model once per data dir, saying so on stderr (with a progress bar on
    a terminal): the first question on a new data dir would otherwise wait silently."""
    if embedder.query_model_ready():
        return
    click.echo("Preparing the query model (once per data dir, about 10-20 s)…", err=True)
    with progress_bars(show, "steps") as p:
        embedder.prepare_query_model(lambda step, done, total: p("preparing", done, total))
    click.echo("Query model ready.", err=True)


def _queued(progress: Callable[[str, int, int], None], store: Any) -> Callable[..., None]:
    """The progress callback, plus one line on stderr when this writer has to queue (shown
    with or without progress bars, so that cron logs say why a job took long)."""
    said: list[bool] = []

    def update(phase: str, done: int, total: int) -> None:
        if phase == "waiting" and not said:
            said.append(True)
            click.echo(
                f"waiting for another writer to finish: {store.catalog.writer()}"
                f" (up to {total} s; see --wait)",
                err=True,
            )
        progress(phase, done, total)

    return update


WAIT_HELP = "Seconds to wait for another writer to finish (default RAG_WRITE_WAIT, 3600)."


def _waiting(settings: Settings, wait: float | None) -> Settings:
    """The settings with `--wait` (when given) as the writer's queueing limit."""
    return settings if wait is None else settings.replace(write_wait=wait)


def _read_options(settings: Settings) -> dict[str, Any]:
    return {
        "max_bytes": int(settings.max_file_mb * 1e6),
        "timeout": settings.fetch_timeout,
        "deadline": settings.fetch_deadline,
        "allow_private": settings.allow_private_urls,
    }


@cli.command()
@click.argument("sources", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option(
    "--wait", type=click.FloatRange(0, 86_400), default=None, metavar="SECONDS", help=WAIT_HELP
)
@pass_settings
def add(settings: Settings, sources: tuple[str, ...], as_json: bool, wait: float | None) -> None:
    """Add articles from files, directories and http(s) URLs."""
    from rag.ingest import read_sources
    from rag.store import open_store

    store = open_store(_waiting(settings, wait))
    items = read_sources(sources, **_read_options(settings))
    show = not as_json and sys.stderr.isatty() or settings.progress
    with progress_bars(show) as p:
        report = store.add(items, _queued(p, store))
    if report.chunks and "model" in store.embedder.__dict__:  # loaded anyway: 2 s more now
        _prepare_query_model(store.embedder, show)  # saves 10 s on the first question
    if as_json:
        _emit(report.as_dict())
    else:
        _print_report(report)
    if not (report.added or report.updated or report.unchanged or report.duplicate):
        sys.exit(1)


def _print_report(report: Any) -> None:
    reused = getattr(report, "reused", 0)
    chunks = (
        f"{reused} chunks reused, " if reused else ""
    ) + f"{report.chunks - reused} chunks embedded"
    click.echo(
        f"added {len(report.added)}, updated {len(report.updated)}, "
        f"unchanged {len(report.unchanged)}, duplicate {len(report.duplicate)}, "
        f"failed {len(report.failed)} ({chunks})"
    )
    for line in report.duplicate:
        click.echo(f"  duplicate: {_shown(line)}")
    for near in report.near_duplicate:
        click.echo(f"  {_shown(near_copy_line(near))}")
    for failure in report.failed:
        click.echo(f"  failed: {_shown(failure.origin)}: {_shown(failure.reason)}")


def _shown(text: str) -> str:
    """Control characters (a newline in a file name) escaped: one line per source."""
    return re.sub(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]", lambda m: repr(m.group())[1:-1], text)


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
    _prepare_query_model(assistant.store.embedder, sys.stderr.isatty() or settings.progress)
    filters = Filters(source=source, since=since, until=until)
    pieces = assistant.stream(question, as_of=as_of, filters=filters, k=k)
    final, shown = _consume(pieces, show=not as_json and sys.stdout.isatty())
    if as_json:
        _emit(final.as_dict())
        return
    _print_answer(final, shown)
    _print_sources(final)
    for note in final.notes:  # why it abstained, or what the checker noticed
        click.echo(f"  note: {note}")


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
    for line in describe_claims(rejected):
        click.echo(line)


def _print_sources(answer: Any) -> None:
    warning = "  (warning: this article holds text addressed to AI assistants)"
    short = answer.short_answer
    if short is not None:
        cited = next((c.n for c in answer.citations if c.article_id == short.article_id), None)
        where = f", [{cited}]" if cited else ""
        said = click.style(short.text, bold=True)
        click.echo(f"\nAnswer: {said} (confidence {short.confidence:.2f}{where})")
    if answer.abstained:
        leads = one_per_article(answer.passages)[:3]
        if leads:
            click.echo("\nClosest articles:")
        for i, p in enumerate(leads, start=1):
            flag = warning if p.flagged else ""
            click.echo(f"  ({i}) {p.title} — {byline(p.source, p.published_at)}{flag}")
            click.echo(f"      {' '.join(p.text.split())[:240]}")
        return
    if not answer.citations:
        return
    click.echo("\nSources:")
    for c in answer.citations:
        mark = "" if c.supported else "  [unsupported]"
        flag = warning if c.flagged else ""
        click.echo(f"  [{c.n}] {c.title} — {byline(c.source, c.published_at)}{mark}{flag}")
        if c.url:
            click.echo(f"      {c.url}")
        click.echo(f"      “{' '.join(c.quote.split())}”")


@cli.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.option("--stories", is_flag=True, help="One row per story, with its copies.")
@pass_settings
def list_(settings: Settings, as_json: bool, stories: bool) -> None:
    """List stored articles (or stories), newest first."""
    from rag.store import open_store

    store = open_store(settings)
    rows = store.list_stories() if stories else store.list_articles()
    if as_json:
        _emit(rows)
        return
    if not rows:
        click.echo("The archive is empty: add articles with `rag add PATH|URL`.")
        return
    screen = console()
    screen.print(
        stories_table(rows, screen.width) if stories else articles_table(rows, screen.width)
    )
    flagged = [row["id"] for row in rows if row.get("flagged")]
    if flagged:
        click.echo(f"[!] holds text addressed to AI assistants: {', '.join(flagged)}")


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
    for line in story_lines(article):
        click.echo(_shown(line))
    for sentence in article.get("flagged_sentences") or []:
        click.echo(
            f"warning: addressed to AI assistants, never quoted: “{' '.join(sentence.split())}”"
        )
    click.echo("")
    click.echo(article["text"])


@cli.command()
@click.argument("article_ids", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print the removed ids as JSON.")
@click.option(
    "--wait", type=click.FloatRange(0, 86_400), default=None, metavar="SECONDS", help=WAIT_HELP
)
@pass_settings
def remove(
    settings: Settings, article_ids: tuple[str, ...], as_json: bool, wait: float | None
) -> None:
    """Remove articles by id (see `rag list`); ids already gone are reported, not an error."""
    from rag.store import open_store

    store = open_store(_waiting(settings, wait))
    report = store.remove(list(article_ids), _queued(lambda *_: None, store))
    if as_json:
        _emit(report.as_dict())
        return
    listed = f": {', '.join(report.removed)}" if report.removed else ""
    click.echo(f"removed {len(report.removed)}{listed}")
    if report.missing:
        click.echo(
            f"already gone (not in the archive; see `rag list`): {', '.join(report.missing)}",
            err=True,
        )


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@pass_settings
def stats(settings: Settings, as_json: bool) -> None:
    """Counts, outlets, date range, embedding model and size on disk."""
    from rag.store import open_store

    data = open_store(settings).stats()
    if as_json:
        _emit(data)
        return
    for label, value in stats_lines(data):
        click.echo(f"{label:<16} {value}")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
@click.option(
    "--wait", type=click.FloatRange(0, 86_400), default=None, metavar="SECONDS", help=WAIT_HELP
)
@pass_settings
def reindex(settings: Settings, as_json: bool, wait: float | None) -> None:
    """Re-chunk and re-embed every article with the configured embedding model."""
    from rag.store import open_store

    store = open_store(_waiting(settings, wait))
    with progress_bars(not as_json and sys.stderr.isatty() or settings.progress) as p:
        result = store.reindex(_queued(p, store))
    if as_json:
        _emit(result)
    else:
        click.echo(
            f"re-embedded {result['articles']} articles ({result['chunks']} chunks) "
            f"with {result['embed_model']}"
        )


@cli.command()
@click.option(
    "--to",
    "database_url",
    required=True,
    metavar="URL",
    help="The PostgreSQL database to copy into (postgresql://user:password@host:port/name).",
)
@click.option(
    "--chroma",
    "chroma_url",
    default="",
    metavar="URL",
    help="A Chroma server for the vectors (http://host:port); default: keep them here.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
@click.option(
    "--wait", type=click.FloatRange(0, 86_400), default=None, metavar="SECONDS", help=WAIT_HELP
)
@pass_settings
def migrate(
    settings: Settings, database_url: str, chroma_url: str, as_json: bool, wait: float | None
) -> None:
    """Copy this data dir's archive into PostgreSQL (and a Chroma server), vectors included."""
    from rag.migrate import migrate as copy_archive
    from rag.store import open_store

    here = _waiting(settings, wait).replace(database_url="", chroma_url="")
    source = open_store(here)
    target = open_store(here.replace(database_url=database_url, chroma_url=chroma_url))
    with progress_bars(not as_json and sys.stderr.isatty() or settings.progress) as p:
        report = copy_archive(source, target, _queued(p, target))
    if as_json:
        _emit(report.as_dict())
    else:
        for line in migrate_lines(report):
            click.echo(line)
    if not report.matches:
        sys.exit(1)


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
    from rag.answer import Assistant
    from rag.evaluate import evaluate, load_questions, open_eval_store
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
