"""What the `rag` commands share on the way in: the settings object, and the writer's queueing
(`--wait`, and the notice on stderr when another writer holds the archive)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from rag.config import Settings

pass_settings = click.make_pass_decorator(Settings)
WAIT_HELP = "Seconds to wait for another writer to finish (default RAG_WRITE_WAIT, 3600)."
wait_option = click.option(
    "--wait", type=click.FloatRange(0, 86_400), default=None, metavar="SECONDS", help=WAIT_HELP
)


def waiting(settings: Settings, wait: float | None) -> Settings:
    """The settings with `--wait` (when given) as the writer's queueing limit."""
    return settings if wait is None else settings.replace(write_wait=wait)


def queued(progress: Callable[[str, int, int], None], store: Any) -> Callable[..., None]:
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


def read_options(settings: Settings) -> dict[str, Any]:
    return {
        "max_bytes": int(settings.max_file_mb * 1e6),
        "timeout": settings.fetch_timeout,
        "deadline": settings.fetch_deadline,
        "allow_private": settings.allow_private_urls,
    }
