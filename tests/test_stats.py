"""Aggregation: totals, groups, null handling, and agreement with filter."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given

from conftest import BUNDLED_STATS
from oigcli.query.criteria import Criteria
from oigcli.query.stats import GROUPINGS, concurrence_rate, summarize
from strategies import criteria, datasets, select


def test_bundled_totals(bundled: list[dict[str, Any]]) -> None:
    result = summarize(bundled)
    assert result == BUNDLED_STATS


def test_bundled_by_redacted(bundled: list[dict[str, Any]]) -> None:
    groups = summarize(bundled, "redacted")["groups"]
    assert groups == [
        {"key": False, "reports": 2, "recommendations": 5, "concurred": 5,
         "concurrence_rate": 1.0, "unknown_counts": 0, "rated_recommendations": 5,
         "not_concurred": 0},
        {"key": True, "reports": 3, "recommendations": 17, "concurred": 15,
         "concurrence_rate": 15 / 17, "unknown_counts": 0, "rated_recommendations": 17,
         "not_concurred": 2},
    ]  # fmt: skip


def _report(**kw: Any) -> dict[str, Any]:
    base = {
        "fiscal_year": 2021,
        "components": ["CBP"],
        "tags": [],
        "redacted": False,
        "recommendations": None,
        "recommendations_concurred": None,
    }
    return {**base, **kw}


def test_counts_no_report_has_are_unknown_not_zero() -> None:
    """Never a 0 that means "unknown" (issue #14): a sum of nothing known is null, and
    unknown_counts says how many reports the sums leave out."""
    result = summarize([_report(), _report(recommendations_concurred=None)])
    assert result["total"] == {
        "reports": 2,
        "recommendations": None,
        "concurred": None,
        "concurrence_rate": None,
        "unknown_counts": 2,
        "rated_recommendations": None,  # no report has both counts: nothing to rate
        "not_concurred": None,
    }


def test_sums_are_of_the_known_counts_and_the_rate_of_reports_with_both() -> None:
    """A report whose recommendations are known but whose concurrence is not adds to the
    recommendations, not to the rate (it would count as none concurred)."""
    reports = [
        _report(recommendations=4, recommendations_concurred=3),
        _report(recommendations=6, recommendations_concurred=None),
        _report(recommendations=None, recommendations_concurred=None),
        _report(recommendations=2, recommendations_concurred=2),
    ]
    assert summarize(reports)["total"] == {
        "reports": 4,
        "recommendations": 12,
        "concurred": 5,
        "concurrence_rate": 5 / 6,
        "unknown_counts": 2,
        "rated_recommendations": 6,  # what the rate is over: 4 + 2, not the 12 made
        "not_concurred": 1,
    }


def test_a_report_counts_once_per_distinct_tag_and_untagged_is_null() -> None:
    reports = [
        _report(tags=["OFO", "USBP", "OFO"], recommendations=2),
        _report(tags=["OFO"]),
        _report(tags=[]),
    ]
    assert [
        (g["key"], g["reports"], g["recommendations"], g["concurred"], g["unknown_counts"])
        for g in summarize(reports, "tag")["groups"]
    ] == [("OFO", 2, 2, None, 2), ("USBP", 1, 2, None, 1), (None, 1, None, None, 1)]
    assert summarize(reports, "tag")["total"]["reports"] == 3


def test_groups_are_ordered_by_key_with_unknown_last() -> None:
    reports = [_report(components=[c] if c else []) for c in ["ICE", None, "CBP", "FEMA", "CBP"]]
    keys = [g["key"] for g in summarize(reports, "component")["groups"]]
    assert keys == ["CBP", "FEMA", "ICE", None]


def test_empty() -> None:
    assert summarize([], "component") == {
        "total": {
            "reports": 0,
            "recommendations": 0,
            "concurred": 0,
            "concurrence_rate": None,
            "unknown_counts": 0,
            "rated_recommendations": 0,
            "not_concurred": 0,
        },
        "by": "component",
        "groups": [],
    }


@pytest.mark.parametrize(
    ("concurred", "made", "rate"), [(20, 22, 20 / 22), (0, 3, 0.0), (0, 0, None)]
)
def test_concurrence_rate(concurred: int, made: int, rate: float | None) -> None:
    assert concurrence_rate(concurred, made) == rate


@given(datasets(), criteria)
def test_stats_of_a_filter_counts_the_filter_rows(
    reports: list[dict[str, Any]], c: Criteria
) -> None:
    chosen = select(reports, c)
    for by in GROUPINGS:
        result = summarize(chosen, by)
        total = result["total"]
        assert total["reports"] == len(chosen)
        for field, name in (("recommendations", "recommendations"),
                            ("recommendations_concurred", "concurred")):  # fmt: skip
            known = [r[field] for r in chosen if r[field] is not None]
            assert total[name] == (sum(known) if known or not chosen else None)
        unknown = [r for r in chosen if None in (r["recommendations"],
                                                 r["recommendations_concurred"])]  # fmt: skip
        assert total["unknown_counts"] == len(unknown)
        if by not in ("tag", "component"):  # single-valued groupings partition the reports
            for name in ("reports", "recommendations", "concurred", "unknown_counts"):
                parts = [g[name] for g in result["groups"] if g[name] is not None]
                assert sum(parts) == (total[name] or 0)


def test_groups_that_compare_equal_are_ordered_by_spelling_not_arrival() -> None:
    def report(component: str) -> dict[str, Any]:
        return {"components": [component], "recommendations": 1, "recommendations_concurred": 1}

    reports = [report(c) for c in ("cbp", "07", "CBP", "7")]
    keys = [g["key"] for g in summarize(reports, "component")["groups"]]
    assert keys == ["07", "7", "CBP", "cbp"]
    assert [g["key"] for g in summarize(reports[::-1], "component")["groups"]] == keys
