"""One writer at a time per data dir: a second writer's repair would delete the first one's
journaled, not yet committed vectors."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rag.errors import StoreError


@contextmanager
def writer_lock(data_dir: Path, wait: float) -> Iterator[None]:
    """Hold the data dir's write lock (waiting up to `wait` seconds); released on exit or crash."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: no cross-process lock
        yield
        return
    data_dir.mkdir(parents=True, exist_ok=True)
    with open(data_dir / "write.lock", "a") as handle:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise StoreError(
                        "another `rag add`, `remove` or `reindex` is writing to this archive:"
                        " try again when it has finished"
                    ) from None
                time.sleep(0.1)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
