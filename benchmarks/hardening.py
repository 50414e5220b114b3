"""Hardening figures: the bad-input corpus through a real `rag add`, and how long a slow-drip URL
holds anything (the writer lock: never; the download: its deadline).

Usage: python benchmarks/hardening.py [--deadline SECONDS]

The corpus and the hostile server are the test suite's own (tests/badinputs.py, tests/hostile.py);
the server listens on 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from badinputs import GOOD, LIMIT_MB, URL_CASES, story, write_corpus, write_single_inputs  # noqa: E402
from hostile import serve  # noqa: E402


def _env(data: Path, deadline: float) -> dict[str, str]:
    return {
        **os.environ,
        "RAG_DATA_DIR": str(data),
        "RAG_MAX_FILE_MB": str(LIMIT_MB),
        "RAG_FETCH_DEADLINE": f"{deadline:g}",
        "RAG_ALLOW_PRIVATE_URLS": "1",
        "HF_HUB_OFFLINE": "1",
    }


def _rag(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "rag", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, check=False)


def bad_inputs(work: Path, base: str, deadline: float) -> None:
    expected = write_corpus(work / "corpus") | write_single_inputs(work / "single")
    expected |= {base + path: outcome for path, outcome in URL_CASES.items()}
    named = [o for o in expected if not o.startswith(str(work / "corpus"))]
    started = time.monotonic()
    done = _rag(_env(work / "data", deadline), "add", "--json", str(work / "corpus"), *named)
    took = time.monotonic() - started
    report = json.loads(done.stdout)
    failed = {f["path"]: f["reason"] for f in report["failed"]}
    bad = {o: r for o, r in expected.items() if r is not GOOD}
    clean = [o for o, r in bad.items() if failed.get(o, "").startswith(r)]
    print(f"bad inputs tried   {len(bad)} (+ {len(expected) - len(bad)} good sources beside them)")
    print(f"failed alone       {len(clean)} with their expected one-line reason")
    print(f"good ones stored   {len(report['added'])} of {len(expected) - len(bad)}")
    print(f"stderr             {len(done.stderr)} characters (no warnings, no traceback)")
    print(f"whole run          {took:.1f} s (exit code {done.returncode})")


def slow_drip(work: Path, base: str, deadline: float) -> None:
    data = work / "slow-data"
    env = _env(data, deadline)
    seed = work / "seed.txt"
    seed.write_text("Ferry news\n" + story("ferry") + "\n")
    added = json.loads(_rag(env, "add", "--json", str(seed)).stdout)["added"][0]
    started = time.monotonic()
    slow = subprocess.Popen(
        [sys.executable, "-m", "rag", "add", "--json", base + "/slow"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(min(deadline / 2, 5.0) + 5.0)  # the slow add has started and is downloading
    before = time.monotonic()
    removed = _rag({**env}, "remove", "--wait", "0", added)
    remove_took = time.monotonic() - before
    out, _ = slow.communicate(timeout=deadline + 120)
    total = time.monotonic() - started
    reason = json.loads(out)["failed"][0]["reason"]
    print(f"slow-drip URL      `rag add` ended after {total:.1f} s (deadline {deadline:g} s)")
    print(f"                   {reason}")
    print(
        f"writer lock        free during the download: `rag remove --wait 0` "
        f"{'succeeded' if removed.returncode == 0 else 'FAILED'} in {remove_took:.1f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deadline", type=float, default=10.0, help="RAG_FETCH_DEADLINE")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="rag-hardening-") as tmp, serve() as site:
        bad_inputs(Path(tmp), site.base, 2.0)  # the corpus expects a 2 s deadline
        slow_drip(Path(tmp), site.base, args.deadline)


if __name__ == "__main__":
    main()
