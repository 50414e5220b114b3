"""What the `rag` commands print beyond `rag.terminal`'s tables and lines: JSON, one-line
escapes, the summary of an add, the answer as it streams in, and its sources."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import click

from rag.terminal import byline, near_copy_line, one_per_article, progress_bars

DRAFT_LABELS = {
    "drafting": "Draft, not checked yet",
    "checking": "Checking each claim against the passages",
}


def emit(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def escaped(text: str) -> str:
    """Control characters (a newline in a file name) escaped: one line per source."""
    return re.sub(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]", lambda m: repr(m.group())[1:-1], text)


def print_report(report: Any) -> None:
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
        click.echo(f"  duplicate: {escaped(line)}")
    for near in report.near_duplicate:
        click.echo(f"  {escaped(near_copy_line(near))}")
    for failure in report.failed:
        click.echo(f"  failed: {escaped(failure.origin)}: {escaped(failure.reason)}")


def prepare_query_model(embedder: Any, show: bool) -> None:
    """Export the query model once per data dir, saying so on stderr (with a progress bar on
    a terminal): the first question on a new data dir would otherwise wait silently."""
    if embedder.query_model_ready():
        return
    click.echo("Preparing the query model (once per data dir, about 10-20 s)…", err=True)
    with progress_bars(show, "steps") as p:
        embedder.prepare_query_model(lambda step, done, total: p("preparing", done, total))
    click.echo("Query model ready.", err=True)


def consume(pieces: Iterator[Any], show: bool) -> tuple[Any, str]:
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
                live = live or draft_view(show)
                if live is not None:
                    live.update(
                        draft(DRAFT_LABELS.get(piece.step, piece.step), draft), refresh=True
                    )
            elif live is not None:
                draft += piece
                live.update(draft(DRAFT_LABELS["drafting"], draft), refresh=True)
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


def draft_view(show: bool) -> Any:
    if not show:
        return None
    from rich.console import Console
    from rich.live import Live

    live = Live(console=Console(), transient=True, auto_refresh=False)
    live.start()
    return live


def draft(label: str, text: str) -> Any:
    from rich.text import Text

    shown = Text(f"{label}…\n", style="italic")
    shown.append(text, style="dim")
    return shown


def print_answer(answer: Any, shown: str = "") -> None:
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


def print_sources(answer: Any) -> None:
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
