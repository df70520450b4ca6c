"""Pure aggregation: totals and per-group counts of reports and recommendations."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

from oigcli.schema import FIELDS, Report
from oigcli.text import natural_key


class Grouping(NamedTuple):
    """What a report's group key is under one ``--by``: the one definition, which Tally
    counts by in Python and an index turns into SQL (oigcli.index)."""

    field: str
    """The field the key comes from. A list field (``tags``): a report counts once in the
    group of each distinct item, and in the null group when it has none."""
    prefix: int | None = None
    """The key is the first ``prefix`` characters of the value (a date's year or month)."""
    number: bool = False
    """The key, so cut, is read as a whole number."""

    def keys(self, report: Report) -> list[Any]:
        value = report[self.field]
        if isinstance(value, list):
            return list(dict.fromkeys(value)) or [None]
        if value is None or self.prefix is None:
            return [value]
        key = value[: self.prefix]
        return [int(key) if self.number else key]


GROUPINGS: dict[str, Grouping] = {
    **{f.name: Grouping(f.name) for f in FIELDS if f.type is not list and f.groupable},
    "tag": Grouping("tags"),
    "year": Grouping("issue_date", 4, number=True),
    "month": Grouping("issue_date", 7),
}
"""What ``--by`` accepts and each report's group key(s) under it: any single-valued field
that is a category (not a report number, title, summary or link: one group per report);
``tag`` (a report counts once in every distinct tag's group; one without tags in the null
group); ``year`` and ``month`` of the issue date (YYYY as a number, YYYY-MM; unknown dates
in the null group)."""


def grouping(by: str) -> str:
    """``by`` if stats can group by it; a UsageError naming the choices otherwise."""
    if by in GROUPINGS:
        return by
    from oigcli.errors import UsageError
    from oigcli.text import did_you_mean

    raise UsageError(
        f"{by!r} is not a field to group by; choose from {', '.join(GROUPINGS)}."
        + did_you_mean(by, GROUPINGS)
    )


def concurrence_rate(concurred: int, recommendations: int) -> float | None:
    """concurred / recommendations; None when there are no recommendations."""
    return concurred / recommendations if recommendations else None


COUNTS = ("reports", "recommendations", "concurred")


class Tally:
    """Counts reports as they come, in total and per group of ``by``, keeping none of
    them: stats, counting as the dataset is read, holds its groups, not the dataset."""

    def __init__(self, by: str = "fiscal_year") -> None:
        self.by = by
        self.keys_of = GROUPINGS[by].keys
        self.total = [0, 0, 0]
        self.groups: dict[Any, list[int]] = {}

    def add(self, report: Report) -> None:
        made = report["recommendations"] or 0
        concurred = report["recommendations_concurred"] or 0
        groups = self.groups
        for key in self.keys_of(report):
            counts = groups.get(key)
            if counts is None:
                counts = groups[key] = [0, 0, 0]
            counts[0] += 1
            counts[1] += made
            counts[2] += concurred
        self.total[0] += 1
        self.total[1] += made
        self.total[2] += concurred

    def summary(self) -> dict[str, Any]:
        groups = {key: dict(zip(COUNTS, c, strict=True)) for key, c in self.groups.items()}
        return assemble(dict(zip(COUNTS, self.total, strict=True)), groups, self.by)


def summarize(reports: Iterable[Report], by: str = "fiscal_year") -> dict[str, Any]:
    """The stats JSON object: totals, then one group per key of ``by``, ordered by key
    (unknown last). Null recommendation counts add nothing."""
    tally = Tally(by)
    for report in reports:
        tally.add(report)
    return tally.summary()


def assemble(total: dict[str, int], groups: dict[Any, dict[str, int]], by: str) -> dict[str, Any]:
    """The stats JSON object from counts (COUNTS) in total and per group key."""
    return {
        "total": {
            **total,
            "concurrence_rate": concurrence_rate(total["concurred"], total["recommendations"]),
        },
        "by": by,
        "groups": [{"key": key, **groups[key]} for key in sorted(groups, key=_group_order)],
    }


def _group_order(key: Any) -> tuple[Any, ...]:
    """Groups by key, text compared naturally, unknown last. Keys that compare equal so
    ("CBP" and "cbp", "7" and "07") are then ordered as they are spelt, so the order is
    the same whatever order the reports came in (a file read, or an index's GROUP BY)."""
    if key is None:
        return (True,)
    return (False, natural_key(key), key) if isinstance(key, str) else (False, key)
