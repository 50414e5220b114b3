"""A report as people read it: the metrics tables, summary.md (untrusted text, questions and
answers, escaped), the PNG chart, and the terminal tables of a run and of a comparison."""

from __future__ import annotations

import html
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from rag.metrics import EXTRA_KEYS, LOWER_IS_BETTER, METRIC_KEYS
from rag.report_compare import Delta

COLOURS = ("#2f6fb3", "#c0504d")  # scores, rates


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
