"""Run `rag ARGS...` and hold it at one named write point of the store until a signal comes.

Usage: python tests/pause_at.py POINT MARKER ARGS...   (POINT as in `rag.store_write.write_point`)

The first time POINT is reached the process writes the file MARKER and waits there (up to two
minutes), so a test can interrupt it at a known step instead of racing a running command.
"""

from __future__ import annotations

import signal
import sys
import time
from pathlib import Path


def main() -> None:
    point, marker, args = sys.argv[1], Path(sys.argv[2]), sys.argv[3:]
    # Ctrl-C as at a terminal, even when a test run started in the background ignores SIGINT
    signal.signal(signal.SIGINT, signal.default_int_handler)
    import rag.store_write

    def write_point(name: str) -> None:
        if name == point and not marker.exists():
            marker.write_text(name, encoding="utf-8")
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                time.sleep(0.05)

    rag.store_write.write_point = write_point
    sys.argv = ["rag", *args]
    from rag.cli import main as rag_main

    rag_main()


if __name__ == "__main__":
    main()
