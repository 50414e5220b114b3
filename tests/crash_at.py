"""Run `rag ARGS...` and kill the process with SIGKILL at one named write point of the store.

Usage: python tests/crash_at.py POINT ARGS...   (POINT as in `rag.store_write.write_point` calls)

The store's `write_point` is the seam: it does nothing in normal runs; here it is replaced,
before the command starts, by one that kills the process the first time POINT is reached.
"""

from __future__ import annotations

import os
import signal
import sys


def main() -> None:
    point, args = sys.argv[1], sys.argv[2:]
    import rag.store_write

    def write_point(name: str) -> None:
        if name == point:
            os.kill(os.getpid(), signal.SIGKILL)

    rag.store_write.write_point = write_point
    sys.argv = ["rag", *args]
    from rag.cli import main as rag_main

    rag_main()


if __name__ == "__main__":
    main()
