"""Comparing two evaluation reports: how each metric moved, overall and per question type,
judged a regression, an improvement or the same (within a tolerance)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rag.metrics import LOWER_IS_BETTER, METRIC_KEYS

QUALITY_TOLERANCE = 0.005
LATENCY_RATIO, LATENCY_MS = 1.5, 50.0


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
