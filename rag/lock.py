"""One writer at a time per archive: a second writer's repair would delete the first one's
journaled, not yet committed vectors. A writer that finds the archive busy queues: it waits
(saying so) up to a limit, then fails with a message naming the writer ahead of it.

This is the embedded archive's lock, a file in the data dir; a PostgreSQL catalog takes an
advisory lock in its database instead (`rag.catalog_pg`), with the same queueing.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from rag.errors import StoreError

LOCK_FILE = "write.lock"
POLL = 0.1  # seconds between two tries for the lock
Waiting = Callable[[float, float], None]  # (seconds waited so far, seconds it may wait)


def _no_notice(_: float, __: float) -> None:
    return None


@contextmanager
def writer_lock(data_dir: Path, wait: float, on_wait: Waiting = _no_notice) -> Iterator[None]:
    """Hold the data dir's write lock, waiting up to `wait` seconds for another writer.

    While it waits, `on_wait(waited, wait)` is called about once a second (first at once).
    The lock is released on exit, and by the OS when the process dies.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: no cross-process lock
        yield
        return
    data_dir.mkdir(parents=True, exist_ok=True)
    with open(data_dir / LOCK_FILE, "a+", encoding="utf-8") as handle:
        start = time.monotonic()
        noticed = -1.0
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                waited = time.monotonic() - start
                if waited >= wait:
                    raise StoreError(busy_message(holder(data_dir), wait)) from None
                if waited - noticed >= 1.0 or noticed < 0:
                    on_wait(waited, wait)
                    noticed = waited
                time.sleep(min(POLL, max(0.0, wait - waited)))
        _record_holder(handle)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _record_holder(handle: IO[str]) -> None:
    """Write who holds the lock into the lock file, for a waiting writer to show."""
    holder = {"pid": os.getpid(), "command": command(), "since": time.time()}
    handle.seek(0)
    handle.truncate()
    handle.write(json.dumps(holder))
    handle.flush()


def command() -> str:
    """What this process is, e.g. 'rag add' or 'streamlit run' (no paths, no arguments)."""
    if not sys.argv or sys.argv[0] in ("", "-c", "-m"):
        return "python"
    program = Path(sys.argv[0])
    name = program.parent.name if program.name == "__main__.py" else program.name
    return " ".join([name, *sys.argv[1:2]])[:80]


def holder(data_dir: Path) -> str:
    """A description of the writer holding (or last holding) the lock, e.g. 'rag add, pid 12'."""
    try:
        found = json.loads((data_dir / LOCK_FILE).read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        return "another writer"
    if not isinstance(found, dict) or "pid" not in found:
        return "another writer"
    since = time.strftime("%H:%M:%S", time.localtime(float(found.get("since", 0))))
    return f"{found.get('command') or 'a writer'} (pid {found['pid']}, since {since})"


def busy_message(writer: str, wait: float) -> str:
    """Why a writer gave up: who held the lock, and how to wait longer."""
    return (
        f"another `rag add`, `remove` or `reindex` is writing to this archive: {writer}"
        f" did not finish within {wait:g} s; try again later, or wait longer with --wait"
        " or RAG_WRITE_WAIT"
    )
