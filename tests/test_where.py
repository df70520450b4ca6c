"""--where comparisons: every operator on every kind of field, nulls, and errors."""

from __future__ import annotations

from typing import Any

import pytest

from oigcli.model.errors import UsageError
from oigcli.query.where import parse_condition

REPORT: dict[str, Any] = {
    "report_number": "OIG-21-19",
    "title": "CBP Needs to Improve the Oversight of its Canine Program (REDACTED)",
    "summary": None,
    "issue_date": "2021-06-15",
    "fiscal_year": 2021,
    "components": ["CBP"],
    "tags": ["OFO", "Audit"],
    "redacted": True,
    "recommendations": 4,
    "recommendations_concurred": None,
    "document_url": None,
    "oversight_area": None,
}


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("recommendations=4", True),
        ("recommendations!=4", False),
        ("recommendations>3", True),
        ("recommendations>4", False),
        ("recommendations>=4", True),
        ("recommendations<4", False),
        ("recommendations<=4", True),
        ("recommendations = 4", True),
        ("fiscal_year>=2020", True),
        ("components=cbp", True),
        ("components!=ICE", True),
        ("report_number>OIG-21-9", True),  # numbers inside text compare as numbers
        ("report_number<OIG-21-100", True),
        ("title~Canine", True),
        ("title~canine", False),
        ("title~(?i)canine", True),
        ("title~^CBP.*REDACTED\\)$", True),
        ("redacted=true", True),
        ("redacted=yes", True),
        ("redacted=false", False),
        ("redacted~true", True),
        ("tags=ofo", True),
        ("tags=USBP", False),
        ("tags!=USBP", True),
        ("tags!=audit", False),
        ("tags~^Au", True),
        ("issue_date=2021", True),
        ("issue_date=2021-06", True),
        ("issue_date=June 2021", True),
        ("issue_date=2021-06-14", False),
        ("issue_date!=2021-05", True),
        ("issue_date<2021-06", False),
        ("issue_date<=2021-06", True),
        ("issue_date>2021-06", False),
        ("issue_date>=2021-06", True),
        ("issue_date>2021-06-14", True),
        ("fiscal_year~^202", True),
        # unknown values satisfy no comparison but =null
        ("recommendations_concurred>=0", False),
        ("recommendations_concurred!=3", False),
        ("recommendations_concurred~.", False),
        ("recommendations_concurred=null", True),
        ("recommendations=null", False),
        ("recommendations!=null", True),
        ("summary=NULL", True),
        ("document_url!=null", False),
    ],
)
def test_comparisons(expr: str, expected: bool) -> None:
    assert parse_condition(expr).matches(REPORT) is expected


def test_unknown_date_matches_no_date_comparison() -> None:
    report = {**REPORT, "issue_date": None}
    for expr in ["issue_date<2030", "issue_date>1990", "issue_date!=2021"]:
        assert not parse_condition(expr).matches(report)
    assert parse_condition("issue_date=null").matches(report)


@pytest.mark.parametrize(
    ("expr", "message"),
    [
        ("title", "is not a comparison"),
        ("=3", "is not a comparison"),
        ("", "is not a comparison"),
        ("nope=1", "unknown field 'nope'"),
        ("recomendations>1", "Did you mean recommendations"),
        ("recommendations>many", "recommendations is a whole number, not 'many'"),
        ("fiscal_year=2021.5", "whole number"),
        ("redacted=maybe", "redacted is true or false, not 'maybe'"),
        ("title~(", "bad regular expression '('"),
        ("tags<3", "tags is a list"),
        ("issue_date<someday", "'someday' is not a date"),
    ],
)
def test_errors(expr: str, message: str) -> None:
    with pytest.raises(UsageError) as error:
        parse_condition(expr)
    assert message in str(error.value)


def test_unknown_field_lists_the_valid_ones() -> None:
    with pytest.raises(UsageError) as error:
        parse_condition("zzz=1")
    assert "Fields: id, report_number, inspector, title," in str(error.value)
