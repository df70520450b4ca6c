"""Pure aggregation: totals and per-group counts of reports and recommendations."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from oigcli.model.errors import UsageError
from oigcli.model.schema import FIELDS, Report
from oigcli.model.text import did_you_mean, natural_key


class Grouping(NamedTuple):
    """What a report's group key is under one ``--by``: the one definition, which Tally
    counts by in Python and an index turns into SQL (oigcli.sources.index)."""

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
    **{f.name: Grouping(f.name) for f in FIELDS if f.scalar and f.groupable},
    "component": Grouping("components"),
    "tag": Grouping("tags"),
    "year": Grouping("issue_date", 4, number=True),
    "month": Grouping("issue_date", 7),
}
"""What ``--by`` accepts and each report's group key(s) under it: any single-valued field
that is a category (not a report number, title, summary or link: one group per report);
``component`` and ``tag`` (a report counts once in the group of each of its distinct
components or tags; one without any in the null group); ``year`` and ``month`` of the
issue date (YYYY as a number, YYYY-MM; unknown dates in the null group)."""


def grouping(by: str) -> str:
    """``by`` if stats can group by it; a UsageError naming the choices otherwise."""
    if by in GROUPINGS:
        return by

    raise UsageError(
        f"{by!r} is not a field to group by; choose from {', '.join(GROUPINGS)}."
        + did_you_mean(by, GROUPINGS)
    )


def concurrence_rate(concurred: int, recommendations: int) -> float | None:
    """concurred / recommendations; None when there are no recommendations."""
    return concurred / recommendations if recommendations else None


COUNTS = (
    "reports",
    "recommendations",
    "concurred",
    "concurrence_rate",
    "unknown_counts",
    "rated_recommendations",
    "not_concurred",
)
"""The keys of the total and of each group, after a group's ``key`` (the last two added
later, so a CSV's columns keep their places):

- ``recommendations``, ``concurred``: the sums of the counts that are known; ``null`` when
  there are reports and none of them has that count known (never a 0 that means
  "unknown");
- ``concurrence_rate``: concurred / recommendations over the reports whose two counts
  are both known; ``null`` when there are no such recommendations;
- ``unknown_counts``: how many of the reports have one count unknown or both;
- ``rated_recommendations``: the recommendations the rate is over (those of the reports
  whose two counts are both known), and ``not_concurred``: how many of them the agency
  did not concur with; ``null`` when no report has both counts known.

With a count unknown, the sums and the rate are over different sets of reports (11
recommendations, 6 concurred with, 75%: the rate is 6 of 8); ``basis`` says so.
"""

TALLIED = ("reports", "made", "made_known", "concurred", "concurred_known",
           "rated_made", "rated_concurred", "unknown")  # fmt: skip
"""What is counted of each group, from which COUNTS are worked out (``assemble``)."""


class Tally:
    """Counts reports as they come, in total and per group of ``by``, keeping none of
    them: stats, counting as the dataset is read, holds its groups, not the dataset."""

    def __init__(self, by: str = "fiscal_year") -> None:
        self.by = by
        self.keys_of = GROUPINGS[by].keys
        self.total = [0] * len(TALLIED)
        self.groups: dict[Any, list[int]] = {}

    def add(self, report: Report) -> None:
        made, concurred = report["recommendations"], report["recommendations_concurred"]
        rated = made is not None and concurred is not None
        row = (
            1,
            made or 0,
            made is not None,
            concurred or 0,
            concurred is not None,
            made if rated else 0,
            concurred if rated else 0,
            not rated,
        )
        groups = self.groups
        for key in self.keys_of(report):
            counts = groups.get(key)
            if counts is None:
                counts = groups[key] = [0] * len(TALLIED)
            for i, value in enumerate(row):
                counts[i] += value
        total = self.total
        for i, value in enumerate(row):
            total[i] += value

    def summary(self) -> dict[str, Any]:
        return assemble(self.total, self.groups, self.by)


def summarize(reports: Iterable[Report], by: str = "fiscal_year") -> dict[str, Any]:
    """The stats JSON object: totals, then one group per key of ``by``, ordered by key
    (unknown last); sums of the counts that are known (COUNTS)."""
    tally = Tally(by)
    for report in reports:
        tally.add(report)
    return tally.summary()


def counts(tallied: Sequence[int]) -> dict[str, Any]:
    """COUNTS from what was TALLIED of a group."""
    reports, made, made_known, concurred, concurred_known, rated_made, rated_concurred, unknown = (
        tallied
    )
    rated = reports - unknown  # the reports whose two counts are both known
    return {
        "reports": reports,
        "recommendations": made if made_known or not reports else None,
        "concurred": concurred if concurred_known or not reports else None,
        "concurrence_rate": concurrence_rate(rated_concurred, rated_made),
        "unknown_counts": unknown,
        "rated_recommendations": rated_made if rated or not reports else None,
        "not_concurred": rated_made - rated_concurred if rated or not reports else None,
    }


def basis(counts: Mapping[str, Any]) -> str | None:
    """What a reader of ``counts`` (a group's, or the total) must be told when a report's
    count is unknown: over which recommendations each figure is counted. None when every
    count is known (then every figure is over the same recommendations)."""
    unknown, reports = counts["unknown_counts"], counts["reports"]
    if not unknown:
        return None
    if counts["recommendations"] is None and counts["concurred"] is None:
        return (  # an archive's: the scraper keeps no recommendation counts
            "No report has a recommendation count known (the inspectors-general scraper keeps "
            "none): only reports are counted."
        )
    some = f"{unknown:,} of the {reports:,} reports" if unknown < reports else "Every report"
    sums = "recommendations and concurred add up the counts that are known"
    rated = reports - unknown
    if not rated:
        return f"{some} has a recommendation count unknown: {sums}; no rate can be told."
    have = "has" if unknown == 1 or unknown == reports else "have"
    return (
        f"{some} {have} a recommendation count unknown: {sums}; not concurred and the "
        f"concurrence rate are over the {counts['rated_recommendations']:,} recommendations "
        f"of the {rated:,} report{'s' * (rated != 1)} with both counts known."
    )


def assemble(total: Sequence[int], groups: Mapping[Any, Sequence[int]], by: str) -> dict[str, Any]:
    """The stats JSON object from what was TALLIED in total and per group key."""
    return {
        "total": counts(total),
        "by": by,
        "groups": [{"key": key, **counts(groups[key])} for key in sorted(groups, key=_group_order)],
    }


def _group_order(key: Any) -> tuple[Any, ...]:
    """Groups by key, text compared naturally, unknown last. Keys that compare equal so
    ("CBP" and "cbp", "7" and "07") are then ordered as they are spelt, so the order is
    the same whatever order the reports came in (a file read, or an index's GROUP BY)."""
    if key is None:
        return (True,)
    return (False, natural_key(key), key) if isinstance(key, str) else (False, key)
