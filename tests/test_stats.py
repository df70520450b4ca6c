"""Aggregation: totals, groups, null handling, and agreement with filter."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given

from conftest import BUNDLED_STATS
from oigcli.query import Criteria, select
from oigcli.stats import GROUPINGS, concurrence_rate, summarize
from strategies import criteria, datasets


def test_bundled_totals(bundled: list[dict[str, Any]]) -> None:
    result = summarize(bundled)
    assert result == BUNDLED_STATS


def test_bundled_by_redacted(bundled: list[dict[str, Any]]) -> None:
    groups = summarize(bundled, "redacted")["groups"]
    assert groups == [
        {"key": False, "reports": 2, "recommendations": 5, "concurred": 5},
        {"key": True, "reports": 3, "recommendations": 17, "concurred": 15},
    ]


def _report(**kw: Any) -> dict[str, Any]:
    base = {
        "fiscal_year": 2021,
        "component": "CBP",
        "tags": [],
        "redacted": False,
        "recommendations": None,
        "recommendations_concurred": None,
    }
    return {**base, **kw}


def test_null_counts_add_nothing_and_rate_is_null_without_recommendations() -> None:
    result = summarize([_report(), _report(recommendations_concurred=None)])
    assert result["total"] == {
        "reports": 2,
        "recommendations": 0,
        "concurred": 0,
        "concurrence_rate": None,
    }


def test_a_report_counts_once_per_distinct_tag_and_untagged_is_null() -> None:
    reports = [
        _report(tags=["OFO", "USBP", "OFO"], recommendations=2),
        _report(tags=["OFO"]),
        _report(tags=[]),
    ]
    assert summarize(reports, "tag")["groups"] == [
        {"key": "OFO", "reports": 2, "recommendations": 2, "concurred": 0},
        {"key": "USBP", "reports": 1, "recommendations": 2, "concurred": 0},
        {"key": None, "reports": 1, "recommendations": 0, "concurred": 0},
    ]
    assert summarize(reports, "tag")["total"]["reports"] == 3


def test_groups_are_ordered_by_key_with_unknown_last() -> None:
    reports = [_report(component=c) for c in ["ICE", None, "CBP", "FEMA", "CBP"]]
    keys = [g["key"] for g in summarize(reports, "component")["groups"]]
    assert keys == ["CBP", "FEMA", "ICE", None]


def test_empty() -> None:
    assert summarize([], "component") == {
        "total": {"reports": 0, "recommendations": 0, "concurred": 0, "concurrence_rate": None},
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
        assert result["total"]["reports"] == len(chosen)
        assert result["total"]["recommendations"] == sum(r["recommendations"] or 0 for r in chosen)
        assert result["total"]["concurred"] == sum(
            r["recommendations_concurred"] or 0 for r in chosen
        )
        if by != "tag":  # single-valued groupings partition the reports
            for field in ("reports", "recommendations", "concurred"):
                assert sum(g[field] for g in result["groups"]) == result["total"][field]


def test_groups_that_compare_equal_are_ordered_by_spelling_not_arrival() -> None:
    def report(component: str) -> dict[str, Any]:
        return {"component": component, "recommendations": 1, "recommendations_concurred": 1}

    reports = [report(c) for c in ("cbp", "07", "CBP", "7")]
    keys = [g["key"] for g in summarize(reports, "component")["groups"]]
    assert keys == ["07", "7", "CBP", "cbp"]
    assert [g["key"] for g in summarize(reports[::-1], "component")["groups"]] == keys
