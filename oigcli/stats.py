"""Pure aggregation: totals and per-group counts of reports and recommendations."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from oigcli.schema import Report

GROUPINGS: dict[str, Callable[[Report], list[Any]]] = {
    "fiscal_year": lambda r: [r["fiscal_year"]],
    "component": lambda r: [r["component"]],
    "tag": lambda r: list(dict.fromkeys(r["tags"])) or [None],
    "redacted": lambda r: [r["redacted"]],
}
"""What ``--by`` accepts and each report's group key(s) under it. A report counts once in
every group it belongs to (once per distinct tag; a report without tags in the null group)."""


def _counts(reports: Iterable[Report]) -> dict[str, int]:
    reports = list(reports)
    return {
        "reports": len(reports),
        "recommendations": sum(r["recommendations"] or 0 for r in reports),
        "concurred": sum(r["recommendations_concurred"] or 0 for r in reports),
    }


def concurrence_rate(concurred: int, recommendations: int) -> float | None:
    """concurred / recommendations; None when there are no recommendations."""
    return concurred / recommendations if recommendations else None


def summarize(reports: Sequence[Report], by: str = "fiscal_year") -> dict[str, Any]:
    """The stats JSON object: totals, then one group per key of ``by``, ordered by key
    (unknown last). Null recommendation counts add nothing."""
    keys_of = GROUPINGS[by]
    groups: dict[Any, list[Report]] = {}
    for report in reports:
        for key in keys_of(report):
            groups.setdefault(key, []).append(report)
    total = _counts(reports)
    return {
        "total": {
            **total,
            "concurrence_rate": concurrence_rate(total["concurred"], total["recommendations"]),
        },
        "by": by,
        "groups": [
            {"key": key, **_counts(groups[key])}
            for key in sorted(groups, key=lambda k: (k is None, k if k is not None else 0))
        ],
    }
