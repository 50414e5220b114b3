"""Evaluation reports: what a run was (questions, settings, versions, every row), written as
report.json, summary.md and a PNG chart (`rag.report_render`), loaded back, and kept as runs in
the data dir. Comparing two reports is `rag.report_compare`."""

from __future__ import annotations

import json
import platform
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from rag.config import Settings
from rag.errors import InputError, describe_json_error
from rag.evaluate import Evaluation
from rag.report_render import summary_markdown, write_chart

REPORT_FORMAT = "newsdesk-eval/1"
SECRET_SETTINGS = frozenset({"llm_api_key"})
PACKAGES = ("newsdesk", "chromadb", "sentence-transformers", "torch", "langchain-core")


def versions() -> dict[str, str]:
    """Versions of Python and of the packages that shape the results."""
    from importlib.metadata import PackageNotFoundError, version

    found = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "-"
    return found


def settings_dict(settings: Settings) -> dict[str, Any]:
    """Settings as JSON values, secrets left out."""
    values = {name: getattr(settings, name) for name in settings.__dataclass_fields__}
    return {k: str(v) if isinstance(v, Path) else v for k, v in values.items()} | {
        k: "***" for k in SECRET_SETTINGS if values.get(k)
    }


def build_report(
    evaluation: Evaluation,
    settings: Settings,
    questions: Path | str,
    articles: Path | str | None = None,
    created_at: str = "",
) -> dict[str, Any]:
    """The full report of a run: what was run, with which versions, and every row."""
    return {
        "format": REPORT_FORMAT,
        "created_at": created_at,
        "questions": str(questions),
        "articles": str(articles) if articles else None,
        "k": evaluation.k,
        "n": len(evaluation.rows),
        "settings": settings_dict(settings),
        "versions": versions(),
        "metrics": evaluation.metrics,
        "by_type": evaluation.by_type,
        "by_answer_type": evaluation.by_answer_type,
        "rows": [row.as_dict() for row in evaluation.rows],
    }


def write_report(report: Mapping[str, Any], out_dir: Path | str) -> list[Path]:
    """Write report.json, summary.md and (with matplotlib) metrics.png into `out_dir`."""
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
        written = [out / "report.json", out / "summary.md"]
        written[0].write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
        chart = out / "metrics.png"
        has_chart = write_chart(report, chart)
        written[1].write_text(summary_markdown(report, has_chart), encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write the report to {out}: {exc.strerror or exc}") from None
    return written + ([chart] if has_chart else [])


def load_report(path: Path | str) -> dict[str, Any]:
    """An earlier report.json (or the folder holding it)."""
    path = Path(path)
    path = path / "report.json" if path.is_dir() else path
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read report {path}: {exc}") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{path} is not a report (bad JSON: {describe_json_error(exc)})") from None
    if not isinstance(report, dict) or not isinstance(report.get("metrics"), dict):
        raise InputError(f"{path} is not a report written by `rag eval --out`")
    return report


def reports_dir(data_dir: Path | str) -> Path:
    """Where the Evaluate page keeps its reports."""
    return Path(data_dir) / "eval-reports"


def run_name(report: Mapping[str, Any], label: str) -> str:
    """A readable folder name: question set, date and time, answerer
    ('questions-2026-11-24-1530-extractive')."""
    created = re.sub(r"[^0-9]", "", str(report.get("created_at") or ""))
    when = f"{created[:4]}-{created[4:6]}-{created[6:8]}-{created[8:12]}" if created else "run"
    answerer = str(report.get("settings", {}).get("answerer") or "answerer")
    parts = [Path(label).stem, when, answerer]
    return "-".join(re.sub(r"[^A-Za-z0-9._]+", "-", p).strip("-.")[:40] or "x" for p in parts)


def save_run(report: Mapping[str, Any], data_dir: Path | str, label: str) -> Path:
    """Write a report into a new folder of `reports_dir(data_dir)` named by `run_name`."""
    base = reports_dir(data_dir) / run_name(report, label)
    target, n = base, 1
    while target.exists():
        n += 1
        target = base.with_name(f"{base.name}-{n}")
    write_report(report, target)
    return target


def list_reports(data_dir: Path | str) -> list[Path]:
    """Saved report folders, newest first."""
    folder = reports_dir(data_dir)
    if not folder.is_dir():
        return []
    found = [p for p in folder.iterdir() if (p / "report.json").is_file()]
    return sorted(found, key=lambda p: (p / "report.json").stat().st_mtime_ns, reverse=True)
