"""The `rag` commands that manage the archive: add, list, show, remove, stats, reindex, migrate."""

from __future__ import annotations

import sys

import click

from rag.cli_options import pass_settings, queued, read_options, wait_option, waiting
from rag.cli_render import emit, escaped, prepare_query_model, print_report
from rag.config import Settings
from rag.terminal import (
    articles_table,
    console,
    migrate_lines,
    progress_bars,
    stats_lines,
    stories_table,
    story_lines,
)


@click.command()
@click.argument("sources", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@wait_option
@pass_settings
def add(settings: Settings, sources: tuple[str, ...], as_json: bool, wait: float | None) -> None:
    """Add articles from files, directories and http(s) URLs."""
    from rag.ingest import read_sources
    from rag.store import open_store

    store = open_store(waiting(settings, wait))
    items = read_sources(sources, **read_options(settings))
    show = not as_json and sys.stderr.isatty() or settings.progress
    with progress_bars(show) as p:
        report = store.add(items, queued(p, store))
    if report.chunks and "model" in store.embedder.__dict__:  # loaded anyway: 2 s more now
        prepare_query_model(store.embedder, show)  # saves 10 s on the first question
    if as_json:
        emit(report.as_dict())
    else:
        print_report(report)
    if not (report.added or report.updated or report.unchanged or report.duplicate):
        sys.exit(1)


@click.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.option("--stories", is_flag=True, help="One row per story, with its copies.")
@pass_settings
def list_(settings: Settings, as_json: bool, stories: bool) -> None:
    """List stored articles (or stories), newest first."""
    from rag.store import open_store

    store = open_store(settings)
    rows = store.list_stories() if stories else store.list_articles()
    if as_json:
        emit(rows)
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


@click.command()
@click.argument("article_id")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@pass_settings
def show(settings: Settings, article_id: str, as_json: bool) -> None:
    """Show one article: metadata and clean text."""
    from rag.store import open_store

    article = open_store(settings).article(article_id)
    if as_json:
        emit(article)
        return
    for key in ("id", "title", "source", "published_at", "url", "chunks"):
        click.echo(f"{key}: {article[key] if article[key] is not None else '-'}")
    for line in story_lines(article):
        click.echo(escaped(line))
    for sentence in article.get("flagged_sentences") or []:
        click.echo(
            f"warning: addressed to AI assistants, never quoted: “{' '.join(sentence.split())}”"
        )
    click.echo("")
    click.echo(article["text"])


@click.command()
@click.argument("article_ids", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print the removed ids as JSON.")
@wait_option
@pass_settings
def remove(
    settings: Settings, article_ids: tuple[str, ...], as_json: bool, wait: float | None
) -> None:
    """Remove articles by id (see `rag list`); ids already gone are reported, not an error."""
    from rag.store import open_store

    store = open_store(waiting(settings, wait))
    report = store.remove(list(article_ids), queued(lambda *_: None, store))
    if as_json:
        emit(report.as_dict())
        return
    listed = f": {', '.join(report.removed)}" if report.removed else ""
    click.echo(f"removed {len(report.removed)}{listed}")
    if report.missing:
        click.echo(
            f"already gone (not in the archive; see `rag list`): {', '.join(report.missing)}",
            err=True,
        )


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@pass_settings
def stats(settings: Settings, as_json: bool) -> None:
    """Counts, outlets, date range, embedding model and size on disk."""
    from rag.store import open_store

    data = open_store(settings).stats()
    if as_json:
        emit(data)
        return
    for label, value in stats_lines(data):
        click.echo(f"{label:<16} {value}")


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
@wait_option
@pass_settings
def reindex(settings: Settings, as_json: bool, wait: float | None) -> None:
    """Re-chunk and re-embed every article with the configured embedding model."""
    from rag.store import open_store

    store = open_store(waiting(settings, wait))
    with progress_bars(not as_json and sys.stderr.isatty() or settings.progress) as p:
        result = store.reindex(queued(p, store))
    if as_json:
        emit(result)
    else:
        click.echo(
            f"re-embedded {result['articles']} articles ({result['chunks']} chunks) "
            f"with {result['embed_model']}"
        )


@click.command()
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
@wait_option
@pass_settings
def migrate(
    settings: Settings, database_url: str, chroma_url: str, as_json: bool, wait: float | None
) -> None:
    """Copy this data dir's archive into PostgreSQL (and a Chroma server), vectors included."""
    from rag.migrate import migrate as copy_archive
    from rag.store import open_store

    here = waiting(settings, wait).replace(database_url="", chroma_url="")
    source = open_store(here)
    target = open_store(here.replace(database_url=database_url, chroma_url=chroma_url))
    with progress_bars(not as_json and sys.stderr.isatty() or settings.progress) as p:
        report = copy_archive(source, target, queued(p, target))
    if as_json:
        emit(report.as_dict())
    else:
        for line in migrate_lines(report):
            click.echo(line)
    if not report.matches:
        sys.exit(1)
