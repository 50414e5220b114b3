"""The `rag` command: parse, call, render. Errors become one-line messages here.

The commands live in `rag.cli_archive` (add, list, show, remove, stats, reindex, migrate) and
`rag.cli_questions` (ask, eval); what they share in `rag.cli_options` and `rag.cli_render`.
"""

from __future__ import annotations

import os
import sys

import click

from rag import cli_archive, cli_questions
from rag.config import Settings
from rag.errors import RagError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Newsdesk: ask questions about a news archive; every claim cites its passage."""
    ctx.obj = Settings.from_env()


for command in (
    cli_archive.add,
    cli_questions.ask,
    cli_archive.list_,
    cli_archive.show,
    cli_archive.remove,
    cli_archive.stats,
    cli_archive.reindex,
    cli_archive.migrate,
    cli_questions.eval_,
):
    cli.add_command(command)


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
