"""A hostile web site on 127.0.0.1 for the download tests: slow drips, huge and compressed
bodies, redirect loops and chains, redirects to other schemes and other addresses.

Every response loop is bounded in count and time, so a server thread always ends by itself.
"""

from __future__ import annotations

import gzip
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PAGE = b"""<!doctype html><html><head><title>Ferry returns to the island</title></head><body>
<article><p>The island ferry returned to service on Monday after a month of repairs to its
engines, the harbour office said in a short statement to passengers.</p>
<p>Crews tested the new engines for two days before the first crossing. Ticket prices stay the
same, and the timetable is the one used before the repairs began.</p></article></body></html>"""
DRIP_SECONDS = 0.5  # one byte every this many seconds
DRIP_LIMIT = 240  # bytes at most (two minutes)


@dataclass
class Site:
    """Where the site listens, and the paths it was asked for."""

    base: str
    hits: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base + path


def _handler(site: Site, bomb: bytes, other: str) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
            site.hits.append(self.path)
            route = self.path.split("?")[0]
            if route == "/page":
                self._send(200, PAGE, "text/html; charset=utf-8")
            elif route == "/slow":
                self._drip()
            elif route == "/huge-announced":
                self._send_head(200, "text/plain", length=50_000_000)
                self._write(b"x" * 10_000)
            elif route == "/huge-streamed":
                self._stream(b"Endless news. " * 7000, 400)  # ~39 MB if read to the end
            elif route == "/gzip-bomb":
                self._send(200, bomb, "text/plain", encoding="gzip")
            elif route in ("/loop-a", "/loop-b"):
                self._redirect("/loop-b" if route == "/loop-a" else "/loop-a")
            elif route.startswith("/chain/"):
                left = int(route.rsplit("/", 1)[1])
                self._redirect(f"/chain/{left - 1}" if left > 0 else "/page")
            elif route == "/to-ftp":
                self._redirect("ftp://127.0.0.1/file.txt")
            elif route == "/to-file":
                self._redirect("file:///etc/passwd")
            elif route == "/to-other":
                self._redirect(other + "/page")
            elif route == "/missing":
                self._send(404, b"not found", "text/plain")
            else:
                self._send(200, PAGE, "text/html")

        def _send_head(self, status: int, kind: str, length: int | None = None, **extra: str):
            self.send_response(status)
            self.send_header("Content-Type", kind)
            if length is not None:
                self.send_header("Content-Length", str(length))
            for name, value in extra.items():
                self.send_header(name.replace("_", "-").title(), value)
            self.end_headers()

        def _send(self, status: int, body: bytes, kind: str, encoding: str = "") -> None:
            extra = {"content_encoding": encoding} if encoding else {}
            self._send_head(status, kind, len(body), **extra)
            self._write(body)

        def _redirect(self, location: str) -> None:
            self.send_response(302)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _drip(self) -> None:
            self._send_head(200, "text/plain", length=DRIP_LIMIT)
            for _ in range(DRIP_LIMIT):
                if not self._write(b"a"):
                    return
                time.sleep(DRIP_SECONDS)

        def _stream(self, block: bytes, times: int) -> None:
            self._send_head(200, "text/plain", Connection="close")
            for _ in range(times):
                if not self._write(block):
                    return

        def _write(self, data: bytes) -> bool:
            try:
                self.wfile.write(data)
                self.wfile.flush()
                return True
            except OSError:  # the client gave up: stop
                return False

        def log_message(self, *args: object) -> None:
            return None

    return Handler


@contextmanager
def serve(host: str = "127.0.0.1", other: str = "") -> Iterator[Site]:
    """The hostile site on `host` and a free port; `other` is where /to-other redirects."""
    site = Site("")
    bomb = gzip.compress(b" " * 60_000_000, compresslevel=9)  # 60 MB of spaces in ~60 kB
    server = ThreadingHTTPServer((host, 0), _handler(site, bomb, other))
    server.daemon_threads = True
    site.base = f"http://{host}:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
