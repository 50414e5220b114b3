"""Evaluation reports: report.json, summary.md and a PNG chart; comparison with an earlier run;
the terminal table. Untrusted text (questions, answers) is escaped in Markdown."""

from __future__ import annotations

import html
import json
import platform
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rag.config import Settings
from rag.errors import InputError, describe_json_error
from rag.evaluate import Evaluation
from rag.metrics import EXTRA_KEYS, LOWER_IS_BETTER, METRIC_KEYS

REPORT_FORMAT = "newsdesk-eval/1"
SECRET_SETTINGS = frozenset({"llm_api_key"})
QUALITY_TOLERANCE = 0.005
LATENCY_RATIO, LATENCY_MS = 1.5, 50.0
COLOURS = ("#2f6fb3", "#c0504d")  # scores, rates
PACKAGES = ("newsdesk", "chromadb", "sentence-transformers", "torch", "langchain-core")


# -- building and writing -----------------------------------------------------------------------
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


# -- markdown and chart -------------------------------------------------------------------------
def fmt(key: str, value: Any) -> str:
    if value is None:
        return "–"
    return f"{value:.0f}" if key.startswith("latency") else f"{value:.3f}"


def _cell(text: Any, limit: int = 160) -> str:
    flat = " ".join(str(text).split())
    flat = flat if len(flat) <= limit else flat[: limit - 1] + "…"
    return html.escape(flat).replace("|", "\\|")


def metrics_table(report: Mapping[str, Any]) -> list[list[str]]:
    """Rows of [metric, overall, per type...] with formatted values."""
    types = list(report.get("by_type", {}))
    rows = [["metric", "overall", *types]]
    for key in (*METRIC_KEYS, *EXTRA_KEYS):
        values = [report["metrics"].get(key)] + [report["by_type"][t].get(key) for t in types]
        rows.append([key, *(fmt(key, v) for v in values)])
    return rows


def answer_type_rows(report: Mapping[str, Any]) -> list[list[str]]:
    """Rows of [answer type, n, answer_contains, short_exact, yes_no_accuracy]."""
    keys = ("answer_contains", "short_exact", "yes_no_accuracy")
    rows = [["answer type", "n", *keys]]
    for kind, values in report.get("by_answer_type", {}).items():
        rows.append([kind, str(int(values.get("n") or 0)), *(fmt(k, values.get(k)) for k in keys)])
    return rows


def answer_type_markdown(report: Mapping[str, Any]) -> list[str]:
    rows = answer_type_rows(report)
    if len(rows) == 1:
        return []
    lines = ["", "## By answer type", "", "| " + " | ".join(rows[0]) + " |"]
    lines.append("|---" * len(rows[0]) + "|")
    return lines + ["| " + " | ".join(row) + " |" for row in rows[1:]]


def summary_markdown(report: Mapping[str, Any], has_chart: bool = True) -> str:
    """The Markdown summary: what was run, the metrics table, the chart, and the misses."""
    settings = report.get("settings", {})
    lines = [
        "# Newsdesk evaluation",
        "",
        f"- questions: `{_cell(report['questions'])}` ({report['n']})",
        f"- articles: `{_cell(report.get('articles') or settings.get('data_dir', '-'))}`",
        f"- k: {report['k']}, answerer: {settings.get('answerer', '-')}, "
        f"embedding model: {settings.get('embed_model', '-')}",
        f"- created: {report.get('created_at') or '-'}",
        "",
    ]
    table = metrics_table(report)
    lines.append("| " + " | ".join(_cell(c) for c in table[0]) + " |")
    lines.append("|---" * len(table[0]) + "|")
    lines += ["| " + " | ".join(row) + " |" for row in table[1:]]
    lines += answer_type_markdown(report)
    if has_chart:
        lines += ["", "![metrics](metrics.png)"]
    misses = [r for r in report.get("rows", []) if _missed(r)]
    if misses:
        lines += ["", f"## Misses ({len(misses)})", "", "| id | question | gold | answer |"]
        lines.append("|---|---|---|---|")
        for row in misses[:25]:
            q = row["question"]
            gold = " / ".join(q["answers"]) or ("(unanswerable)" if not q["answerable"] else "-")
            lines.append(
                f"| {_cell(q['id'])} | {_cell(q['question'])} | {_cell(gold)} "
                f"| {_cell(row['answer'])} |"
            )
    return "\n".join(lines) + "\n"


def _missed(row: Mapping[str, Any]) -> bool:
    if not row["question"]["answerable"]:
        return not row["abstained"]
    return row["abstained"] or row["metrics"].get("answer_contains") == 0.0


def chart_groups(report: Mapping[str, Any]) -> dict[str, list[tuple[str, float]]]:
    """The 0-1 metrics that have a value, split into higher-is-better scores and
    lower-is-better rates (latencies are in the table only)."""
    metrics = report["metrics"]
    keys = [k for k in METRIC_KEYS if not k.startswith("latency") and metrics.get(k) is not None]
    return {
        "Scores (higher is better)": [(k, metrics[k]) for k in keys if k not in LOWER_IS_BETTER],
        "Rates (lower is better)": [(k, metrics[k]) for k in keys if k in LOWER_IS_BETTER],
    }


def write_chart(report: Mapping[str, Any], path: Path) -> bool:
    """Bar charts of the overall 0-1 metrics, scores and rates apart, each bar labelled with its
    value; False without matplotlib."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    groups = {name: rows for name, rows in chart_groups(report).items() if rows}
    if not groups:
        return False
    sizes = [len(rows) for rows in groups.values()]
    fig, axes = plt.subplots(
        len(groups),
        1,
        figsize=(8, 1.2 + 0.38 * sum(sizes) + 0.6 * len(groups)),
        gridspec_kw={"height_ratios": sizes},
        squeeze=False,
    )
    for ax, (name, rows), colour in zip(axes[:, 0], groups.items(), COLOURS, strict=False):
        bars = ax.barh([k for k, _ in rows], [v for _, v in rows], color=colour)
        ax.bar_label(bars, labels=[f"{v:.3f}" for _, v in rows], padding=3, fontsize="small")
        ax.set_xlim(0, 1.12)
        ax.invert_yaxis()
        ax.set_title(name, loc="left", fontsize="medium")
    fig.suptitle(f"Newsdesk evaluation ({report['n']} questions, k={report['k']})")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return True


# -- comparing ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Delta:
    """How one metric moved between two reports."""

    scope: str
    metric: str
    old: float | None
    new: float | None
    verdict: str

    @property
    def change(self) -> float | None:
        return None if self.old is None or self.new is None else self.new - self.old


def judge(metric: str, old: float | None, new: float | None) -> str:
    """regression, improvement, same, or n/a (missing on either side)."""
    if old is None or new is None:
        return "n/a"
    worse_by = (new - old) if metric in LOWER_IS_BETTER else (old - new)
    if metric.startswith("latency"):
        if abs(new - old) <= max(LATENCY_MS, old * (LATENCY_RATIO - 1)):
            return "same"
    elif abs(worse_by) <= QUALITY_TOLERANCE:
        return "same"
    return "regression" if worse_by > 0 else "improvement"


def compare(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Delta]:
    """Deltas of every metric, overall and for each question type both reports have."""
    scopes = {"overall": (old["metrics"], new["metrics"])}
    for name, values in new.get("by_type", {}).items():
        if name in old.get("by_type", {}):
            scopes[name] = (old["by_type"][name], values)
    return [
        Delta(
            scope, key, before.get(key), after.get(key), judge(key, before.get(key), after.get(key))
        )
        for scope, (before, after) in scopes.items()
        for key in METRIC_KEYS
    ]


# -- terminal -----------------------------------------------------------------------------------
def render_metrics(report: Mapping[str, Any], stderr: bool = False) -> None:
    """The metrics table (overall and per type) in the terminal."""
    from rich.console import Console

    console = Console(stderr=stderr)
    console.print(_table(metrics_table(report), f"{report['n']} questions, k={report['k']}"))
    kinds = answer_type_rows(report)
    if len(kinds) > 1:
        console.print(_table(kinds, "by answer type"))


def _table(rows: list[list[str]], title: str) -> Any:
    from rich.table import Table

    table = Table(title=title)
    for i, head in enumerate(rows[0]):
        table.add_column(head, justify="left" if i == 0 else "right", no_wrap=i == 0)
    for row in rows[1:]:
        table.add_row(*row)
    return table


def render_compare(deltas: list[Delta], old_name: str, stderr: bool = False) -> None:
    """Deltas against an earlier report: every overall metric, and per type what moved."""
    from rich.console import Console
    from rich.table import Table

    marks = {"regression": "[red]▼ regression[/]", "improvement": "[green]▲ better[/]"}
    table = Table(title=f"compared with {old_name}")
    for head in ("scope", "metric", "before", "now", "change", ""):
        table.add_column(head, justify="right" if head in {"before", "now", "change"} else "left")
    for d in deltas:
        if d.scope == "overall" or d.verdict in marks:
            before, now = fmt(d.metric, d.old), fmt(d.metric, d.new)
            table.add_row(d.scope, d.metric, before, now, _signed(d), marks.get(d.verdict, ""))
    console = Console(stderr=stderr)
    console.print(table)
    regressions = [f"{d.scope}/{d.metric}" for d in deltas if d.verdict == "regression"]
    listed = ": " + ", ".join(regressions) if regressions else ""
    count = f"{len(regressions)} regression" + ("" if len(regressions) == 1 else "s")
    console.print(f"{count}{listed}", markup=False, highlight=False)


def _signed(delta: Delta) -> str:
    if delta.change is None:
        return "–"
    return f"{delta.change:+.0f}" if delta.metric.startswith("latency") else f"{delta.change:+.3f}"
