"""PostgreSQL plumbing shared by the catalog and the conversations: connections (psycopg 3,
keepalives so a dead writer's session ends), small connection pools, schema migrations applied
once under a lock, and the writers' advisory lock."""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from rag.errors import StoreError

WRITER_KEY = 0x4E5753  # the advisory lock of writers ("NWS"); one archive per database
MIGRATION_KEY = 0x4E574D  # taken while the schema is upgraded
POLL = 0.2  # seconds between two tries for the writer lock
CONNECT = {
    "connect_timeout": 10,
    "keepalives": 1,
    "keepalives_idle": 10,  # a writer on a dead machine loses its lock within about 25 s
    "keepalives_interval": 5,
    "keepalives_count": 3,
}
Waiting = Any  # (seconds waited so far, seconds it may wait) -> None


def connect(url: str, application_name: str = "newsdesk", autocommit: bool = True) -> Any:
    """A connection to the database at `url`; a database that cannot be reached is a
    StoreError naming it (without its password)."""
    import psycopg
    from psycopg.rows import dict_row

    try:
        return psycopg.connect(
            url,
            autocommit=autocommit,
            row_factory=dict_row,
            application_name=application_name[:63],
            **CONNECT,
        )
    except psycopg.Error as exc:
        raise StoreError(f"cannot reach the database {redacted(url)}: {_reason(exc)}") from None


def _reason(exc: Exception) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def redacted(url: str) -> str:
    from rag.config import redacted_url

    return redacted_url(url)


def migrate(conn: Any, component: str, steps: Sequence[Sequence[str]]) -> int:
    """Apply the migrations of `component` the database has not had yet; returns its version."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_KEY,))
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (component TEXT NOT NULL,"
            " version INTEGER NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now(),"
            " PRIMARY KEY (component, version))"
        )
        row = conn.execute(
            "SELECT coalesce(max(version), 0) AS v FROM schema_migrations WHERE component = %s",
            (component,),
        ).fetchone()
        done = int(row["v"])
        for version, statements in enumerate(steps, start=1):
            if version > done:
                for statement in statements:
                    conn.execute(statement)
                conn.execute(
                    "INSERT INTO schema_migrations(component, version) VALUES (%s, %s)",
                    (component, version),
                )
    return max(done, len(steps))


def pool(url: str, size: int, name: str) -> Any:
    """A small pool of autocommit connections returning rows as dicts (one kept open)."""
    from psycopg.rows import dict_row
    from psycopg_pool import ConnectionPool

    return ConnectionPool(
        url,
        min_size=1,
        max_size=size,
        kwargs={"autocommit": True, "row_factory": dict_row, **CONNECT},
        open=True,
        name=name,
        num_workers=1,
        max_idle=120,
    )


@contextmanager
def writer_lock(url: str, wait: float, on_wait: Waiting) -> Iterator[None]:
    """Hold the database's writer lock (an advisory lock on a connection of its own, so the
    server releases it if this process dies), waiting up to `wait` seconds."""
    from rag.lock import busy_message, command

    conn = connect(url, f"{command()} (pid {os.getpid()} on {socket.gethostname()})")
    try:
        start, noticed = time.monotonic(), -1.0
        while not conn.execute("SELECT pg_try_advisory_lock(%s) AS got", (WRITER_KEY,)).fetchone()[
            "got"
        ]:
            waited = time.monotonic() - start
            if waited >= wait:
                raise StoreError(busy_message(writer(conn), wait))
            if waited - noticed >= 1.0 or noticed < 0:
                on_wait(waited, wait)
                noticed = waited
            time.sleep(min(POLL, max(0.0, wait - waited)))
        yield
    finally:
        conn.close()  # ends the session, and with it the lock


def writer(conn: Any) -> str:
    """Who holds the writer lock, e.g. 'rag add (pid 12 on desk-3), since 10:04:05'."""
    rows = conn.execute(
        "SELECT a.application_name AS name, a.backend_start AS since FROM pg_locks l"
        " JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory'"
        " AND l.granted AND l.classid = 0 AND l.objid = %s"
        " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())",
        (WRITER_KEY,),
    ).fetchall()
    if not rows:
        return "another writer"
    since = rows[0]["since"].astimezone().strftime("%H:%M:%S")
    return f"{rows[0]['name'] or 'a writer'}, since {since}"
