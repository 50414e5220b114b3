"""Real database servers on 127.0.0.1 for tests and benchmarks: a PostgreSQL cluster of our own
(Debian's `postgresql` package: initdb, pg_ctl) and a Chroma server (`chroma run`), each on a
free port, started and stopped here (only the processes started here are ever stopped).

The commands are the ones the README's "Running for a newsroom" gives.
"""

from __future__ import annotations

import os
import pwd
import secrets
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

PG_BIN = Path(os.environ.get("RAG_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))
PG_USER = "newsdesk"
SERVER_ACCOUNT = "postgres"  # PostgreSQL refuses to run as root: the cluster runs as this user

# The commands, exactly as the README's "Running for a newsroom" shows them (test_readme checks)
INITDB = (
    "{pg}/initdb -D {root}/data -U newsdesk --pwfile={root}/password"
    " --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8"
)
PG_START = (
    '{pg}/pg_ctl -D {root}/data -l {root}/server.log -o "-h {host} -p {port} -k {root}'
    ' -c max_connections=400" -w start'
)
PG_STOP = "{pg}/pg_ctl -D {root}/data -m fast -w stop"
CREATEDB = "{pg}/createdb -h {host} -p {port} -U newsdesk {name}"
CHROMA_RUN = "chroma run --path {path} --host {host} --port {port}"
STREAMLIT_RUN = (
    "streamlit run app.py --server.headless=true --server.address={host} --server.port={port}"
    " --browser.gatherUsageStats=false --server.fileWatcherType=none"
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _as_server(command: list[str]) -> list[str]:
    """The command run as the unprivileged server account when we are root."""
    return ["runuser", "-u", SERVER_ACCOUNT, "--", *command] if os.geteuid() == 0 else command


def postgres_available() -> bool:
    return (PG_BIN / "initdb").exists() and (os.geteuid() != 0 or _account_exists())


def _account_exists() -> bool:
    try:
        pwd.getpwnam(SERVER_ACCOUNT)
    except KeyError:
        return False
    return True


@dataclass
class Postgres:
    """A running PostgreSQL cluster in `root` (data, log, socket), listening on 127.0.0.1."""

    root: Path
    port: int
    password: str

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{PG_USER}:{self.password}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """A new, empty database; returns its URL."""
        command = command_of(CREATEDB, host="127.0.0.1", port=self.port, name=name)
        env = {**os.environ, "PGPASSWORD": self.password}
        subprocess.run(command, check=True, capture_output=True, timeout=60, env=env)
        return self.url(name)

    def stop(self) -> None:
        command = _as_server(command_of(PG_STOP, root=self.root))
        subprocess.run(command, check=False, capture_output=True, timeout=60)
        shutil.rmtree(self.root, ignore_errors=True)


def command_of(template: str, **values: object) -> list[str]:
    return shlex.split(template.format(pg=PG_BIN, **values))


def start_postgres(port: int | None = None) -> Postgres:
    """initdb a new cluster in a temporary directory and start it on 127.0.0.1:`port`."""
    root = Path(tempfile.mkdtemp(prefix="newsdesk-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, SERVER_ACCOUNT)
    password = secrets.token_hex(12)
    secret = root / "password"
    secret.write_text(password + "\n", encoding="utf-8")
    if os.geteuid() == 0:
        shutil.chown(secret, SERVER_ACCOUNT)
    port = port or free_port()
    for template in (INITDB, PG_START):
        command = _as_server(command_of(template, root=root, host="127.0.0.1", port=port))
        subprocess.run(command, check=True, capture_output=True, timeout=180)
    return Postgres(root, port, password)


@dataclass
class ChromaServer:
    """A running `chroma run` server on 127.0.0.1, keeping its data in `path`."""

    path: Path
    port: int
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)
        shutil.rmtree(self.path, ignore_errors=True)
        self.path.with_name(f"{self.path.name}.log").unlink(missing_ok=True)


def chroma_command() -> Path:
    return Path(sys.executable).with_name("chroma")


def start_chroma(port: int | None = None, timeout: float = 90.0) -> ChromaServer:
    """`chroma run --path DIR --host 127.0.0.1 --port P`; waits until its heartbeat answers."""
    path = Path(tempfile.mkdtemp(prefix="newsdesk-chroma-"))
    port = port or free_port()
    log = (path.parent / f"{path.name}.log").open("wb")
    command = command_of(CHROMA_RUN, path=path, host="127.0.0.1", port=port)
    process = subprocess.Popen(
        [str(chroma_command()), *command[1:]],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
    )
    server = ChromaServer(path, port, process)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"chroma run exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{server.url}/api/v2/heartbeat", timeout=2):
                return server
        except OSError:
            time.sleep(0.25)
    server.stop()
    raise RuntimeError(f"chroma run did not answer within {timeout:g} s")
