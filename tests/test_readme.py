"""The README's documented commands work as written for a newcomer: its session runs in a
fresh data dir with the output it shows, every `rag` command it lists exists, and every
`make` target it names is defined."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
ACTIVATE = "source .venv/bin/activate"


def session() -> list[tuple[str, list[str]]]:
    """(command, documented output lines) of the first console block under '## A session'."""
    section = README[README.index("## A session") :]
    block = re.search(r"```console\n(.*?)```", section, re.S)
    assert block, "the README shows a session"
    steps: list[tuple[str, list[str]]] = []
    for line in block.group(1).splitlines():
        if line.startswith("$ "):
            command = re.sub(r"\s+#.*$", "", line[2:]).strip()
            steps.append((command, []))
        elif steps:
            steps[-1][1].append(line)
    return steps


def venv_dir() -> Path:
    """The repository's .venv as `make install` makes it; in a development worktree without
    one, the environment running the tests (the same `bin/activate` and `bin/rag`)."""
    made = ROOT / ".venv"
    return made if (made / "bin" / "activate").is_file() else Path(sys.executable).parent.parent


def run_session(data_dir: Path) -> list[tuple[str, list[str], str]]:
    """Every command of the session as a newcomer types it, in bash from the repository."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    env.update(RAG_DATA_DIR=str(data_dir), PYTHONPATH=str(ROOT), HF_HUB_OFFLINE="1")
    env["PATH"] = "/usr/local/bin:/usr/bin:/bin"  # no rag on the PATH until activated
    prefix = ""
    results = []
    for command, expected in session():
        if command == ACTIVATE:
            prefix = f"source {venv_dir() / 'bin' / 'activate'} && "
            continue
        done = subprocess.run(
            ["bash", "-c", prefix + command],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, (command, done.stdout)
        results.append((command, expected, done.stdout))
    return results


def matches(expected: list[str], actual: str) -> bool:
    """Documented lines equal the printed ones (whitespace aside); `…` stands for any text."""
    printed = [" ".join(line.split()) for line in actual.splitlines()]
    documented = [" ".join(line.split()) for line in expected]
    if len(printed) != len(documented):
        return False
    patterns = [".*".join(map(re.escape, doc.split("…"))) for doc in documented]
    return all(re.fullmatch(p, out) for p, out in zip(patterns, printed, strict=True))


def test_the_session_runs_as_documented(tmp_path: Path) -> None:
    steps = session()
    assert steps[0][0] == ACTIVATE, "the session says how to put rag on the PATH"
    results = run_session(tmp_path / "data")
    assert len(results) == len(steps) - 1
    for command, expected, printed in results:
        assert matches(expected, printed), f"$ {command}\n{printed}"


def test_without_activating_rag_is_not_on_the_path(tmp_path: Path) -> None:
    done = subprocess.run(
        ["bash", "-c", "rag --help"],
        cwd=ROOT,
        env={"PATH": "/usr/local/bin:/usr/bin:/bin"},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 127, "so the README must say how to activate the environment"


@pytest.mark.parametrize(
    "name", sorted(set(re.findall(r"^\| `rag (\w+)", README, re.M))) or ["(none)"]
)
def test_every_listed_rag_command_exists(name: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "rag", name, "--help"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("target", sorted(set(re.findall(r"`make (\w+)`", README))))
def test_every_named_make_target_is_defined(target: str) -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(rf"^{target}:", makefile, re.M), target


def test_the_newsroom_commands_are_the_ones_the_tests_run() -> None:
    import servers

    section = README[README.index("## Running for a newsroom") : README.index("## Bad input")]
    pg = {"pg": "$PG", "root": "/srv/newsdesk/pg", "host": "127.0.0.1", "port": "5433"}
    expected = [
        "runuser -u postgres -- " + servers.INITDB.format(**pg),
        "runuser -u postgres -- " + servers.PG_START.format(**pg),
        "runuser -u postgres -- " + servers.PG_STOP.format(**pg),
        servers.CREATEDB.format(**pg, name="newsdesk"),
        ".venv/bin/"
        + servers.CHROMA_RUN.format(path="/srv/newsdesk/chroma", host="127.0.0.1", port=8000),
        servers.STREAMLIT_RUN.format(host="127.0.0.1", port="$port"),
    ]
    flat = " ".join(section.split())
    for command in expected:
        assert " ".join(command.split()) in flat, command
    assert f"PG={servers.PG_BIN}" in section
