"""Pure aggregation: totals and per-group counts of reports and recommendations."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from oigcli.schema import FIELDS, Report
from oigcli.text import natural_key


def _by_field(name: str) -> Callable[[Report], list[Any]]:
    return lambda r: [r[name]]


GROUPINGS: dict[str, Callable[[Report], list[Any]]] = {
    **{f.name: _by_field(f.name) for f in FIELDS if f.type is not list},
    "tag": lambda r: list(dict.fromkeys(r["tags"])) or [None],
    "year": lambda r: [int(r["issue_date"][:4]) if r["issue_date"] else None],
    "month": lambda r: [r["issue_date"][:7] if r["issue_date"] else None],
}
"""What ``--by`` accepts and each report's group key(s) under it: any single-valued field;
``tag`` (a report counts once in every distinct tag's group; one without tags in the null
group); ``year`` and ``month`` of the issue date (YYYY as a number, YYYY-MM; unknown dates
in the null group)."""


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
    return assemble(_counts(reports), {key: _counts(rows) for key, rows in groups.items()}, by)


def assemble(total: dict[str, int], groups: dict[Any, dict[str, int]], by: str) -> dict[str, Any]:
    """The stats JSON object from counts (``_counts``' keys) in total and per group key."""
    return {
        "total": {
            **total,
            "concurrence_rate": concurrence_rate(total["concurred"], total["recommendations"]),
        },
        "by": by,
        "groups": [{"key": key, **groups[key]} for key in sorted(groups, key=_group_order)],
    }


def _group_order(key: Any) -> tuple[bool, Any]:
    """Groups by key, text compared naturally, unknown last."""
    if key is None:
        return (True, 0)
    return (False, natural_key(key) if isinstance(key, str) else key)
