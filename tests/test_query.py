"""Selecting reports: year ranges, criteria, the default order, finding by number."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oigcli.model.errors import NotFound, UsageError
from oigcli.model.text import natural_key, or_list, suggest
from oigcli.query.criteria import Criteria, YearRange, parse_year_range
from oigcli.query.rows import locate, newest_first, normalise_number
from strategies import build_criteria, criteria, datasets, select


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2021", YearRange(2021, 2021)),
        ("2019..2021", YearRange(2019, 2021)),
        (" 2019 .. 2021 ", YearRange(2019, 2021)),
        ("2019..", YearRange(2019, None)),
        ("..2020", YearRange(None, 2020)),
        ("2021..2021", YearRange(2021, 2021)),
    ],
)
def test_parse_year_range(text: str, expected: YearRange) -> None:
    assert parse_year_range(text) == expected


@pytest.mark.parametrize(
    "text", ["", "..", "21", "20x1", "2021-2022", "2021...2022", "2022..2019", "-2021", "twenty"]
)
def test_parse_year_range_rejects(text: str) -> None:
    with pytest.raises(UsageError) as error:
        parse_year_range(text)
    assert repr(text) in str(error.value)


def test_year_range_contains() -> None:
    assert 2020 in YearRange(2019, 2021)
    assert 2022 not in YearRange(2019, 2021)
    assert 1900 in YearRange(None, 2021) and 3000 in YearRange(2019, None)
    assert None not in YearRange(None, None)


def test_natural_key_compares_numbers_as_numbers() -> None:
    numbers = ["OIG-21-63", "OIG-21-9", "OIG-20-100", "OIG-21-19", "oig-21-10"]
    assert sorted(numbers, key=natural_key) == [
        "OIG-20-100",
        "OIG-21-9",
        "oig-21-10",
        "OIG-21-19",
        "OIG-21-63",
    ]


def _r(number: str, year: int, date: str | None) -> dict[str, Any]:
    return {"report_number": number, "fiscal_year": year, "issue_date": date}


def test_newest_first_orders_by_year_then_date_unknown_last_then_number() -> None:
    reports = [
        _r("OIG-20-50", 2020, "2020-03-01"),
        _r("OIG-21-9", 2021, None),
        _r("OIG-21-19", 2021, None),
        _r("OIG-21-5", 2021, "2021-01-10"),
        _r("OIG-21-2", 2021, "2021-06-30"),
    ]
    assert [r["report_number"] for r in newest_first(reports)] == [
        "OIG-21-2",
        "OIG-21-5",
        "OIG-21-19",
        "OIG-21-9",
        "OIG-20-50",
    ]


def test_bundled_default_order(bundled: list[dict[str, Any]]) -> None:
    assert [r["report_number"] for r in newest_first(reversed(bundled))] == [
        "OIG-21-63",
        "OIG-21-48",
        "OIG-21-34",
        "OIG-21-27",
        "OIG-21-19",
    ]


@pytest.mark.parametrize("asked", ["OIG-21-63", "oig-21-63", "21-63", " 21-63 ", "Oig-21-63"])
def test_locate_accepts_the_forms_people_type(bundled: list[dict[str, Any]], asked: str) -> None:
    found, missing = locate(bundled, [asked])
    assert [r["report_number"] for r in found] == ["OIG-21-63"] and missing is None


def test_locate_keeps_the_order_asked(bundled: list[dict[str, Any]]) -> None:
    found, _ = locate(bundled, ["21-19", "21-63", "21-19"])
    assert [r["report_number"] for r in found] == ["OIG-21-19", "OIG-21-63", "OIG-21-19"]


def test_locate_names_every_missing_number_with_suggestions(bundled: list[dict[str, Any]]) -> None:
    found, missing = locate(bundled, ["21-99", "21-63", "nothing-like-it"])
    assert [r["report_number"] for r in found] == ["OIG-21-63"] and missing is not None
    message = str(NotFound(missing))
    assert "'21-99'" in message and "did you mean OIG-21-19" in message
    assert "'nothing-like-it'" in message
    assert "21-63'" not in message
    assert "oigcli list" not in message  # the core says nothing of commands: the CLI adds it


def test_normalise_number() -> None:
    assert normalise_number("21-63") == "OIG-21-63"
    assert normalise_number("oig-21-63") == "OIG-21-63"
    assert normalise_number("ISP-21-01") == "ISP-21-01"


def test_suggest_and_or_list() -> None:
    assert suggest("compnent", ["fiscal_year", "component", "tag"]) == ["component"]
    assert suggest("zzz", ["fiscal_year"]) == []
    assert or_list(["a"]) == "a"
    assert or_list(["a", "b"]) == "a or b"
    assert or_list(["a", "b", "c"]) == "a, b or c"


def test_criteria_on_the_bundled_data(bundled: list[dict[str, Any]]) -> None:
    def numbers(**kw: Any) -> list[str]:
        return [r["report_number"] for r in select(bundled, build_criteria(**kw))]

    assert len(numbers()) == 5
    assert len(numbers(components=["cbp"])) == 5
    assert numbers(components=["ICE"]) == []
    assert len(numbers(components=["ICE", "CBP"])) == 5
    assert len(numbers(years=YearRange(2021, 2021))) == 5
    assert numbers(years=YearRange(2019, 2020)) == []
    assert len(numbers(tags=["ofo"])) == 5
    assert numbers(tags=["OFO", "USBP"]) == []
    assert numbers(text="medical MIGRANTS") == ["OIG-21-48"]
    assert numbers(text="canine") == ["OIG-21-19"]
    assert numbers(text="canine medical") == []
    # words match in the title as well as the summary, and parts of words count
    assert numbers(text="jfk") == ["OIG-21-27"]
    assert len(numbers(text="recommend")) == 5


@given(datasets(), criteria, criteria)
def test_criteria_compose_in_any_order(
    reports: list[dict[str, Any]], a: Criteria, b: Criteria
) -> None:
    a_then_b = select(select(reports, a), b)
    assert a_then_b == select(select(reports, b), a)
    assert a_then_b == [r for r in newest_first(reports) if a.matches(r) and b.matches(r)]


@given(datasets(), criteria)
def test_select_is_a_sorted_subset(reports: list[dict[str, Any]], c: Criteria) -> None:
    chosen = select(reports, c)
    assert chosen == newest_first(chosen)
    assert all(c.matches(r) for r in chosen)
    assert len(chosen) == sum(1 for r in reports if c.matches(r))


@given(datasets())
def test_newest_first_is_a_permutation_ordered_by_year(reports: list[dict[str, Any]]) -> None:
    ordered = newest_first(reports)
    assert sorted(map(id, ordered)) == sorted(map(id, reports))
    years = [r["fiscal_year"] for r in ordered]
    assert years == sorted(years, reverse=True)


@pytest.mark.parametrize("text", ["²", "³⁴", "OIG-²", "١٢-3", "¼"])
def test_natural_key_takes_only_decimal_digits_as_numbers(text: str) -> None:
    """'²' is a digit to str.isdigit but not a number int() reads; it sorts as text."""
    assert natural_key(text) == natural_key(text)
    sorted([text, "OIG-2", "OIG-10"], key=natural_key)


def test_criteria_say_when_they_are_empty() -> None:
    assert Criteria().empty and build_criteria().empty
    assert not build_criteria(years=YearRange(2020, None)).empty
    for other in (
        build_criteria(text="mail"),
        build_criteria(components=["CBP"]),
        build_criteria(redacted=False),
        build_criteria(nonconcurred=True),
        build_criteria(tags=["OFO"], years=YearRange(2020, 2021)),
    ):
        assert not other.empty


@given(
    st.lists(
        st.builds(
            lambda number, year, date: {
                "report_number": number,
                "fiscal_year": year,
                "issue_date": date,
            },
            st.sampled_from(["OIG-21-7", "OIG-21-07", "OIG-21-19", "oig-21-19", "A-1", "A-01"]),
            st.integers(2019, 2021),
            st.none() | st.sampled_from(["2020-10-01", "2020-12-31", "2021-09-30"]),
        ),
        max_size=30,
    ),
    st.integers(0, 12),
)
def test_the_newest_few_are_the_first_of_newest_first(reports: list[Any], count: int) -> None:
    """query.Newest keeps at most ``count`` reports, and they are exactly the first of
    newest_first, ties (7 and 07, unknown dates) in the order they came."""
    from oigcli.query.rows import Newest

    newest = Newest(count)
    for report in reports:
        newest.add(report)
        assert len(newest._heap) <= count
    assert newest.reports() == newest_first(reports)[:count]
    assert newest.seen == len(reports)
    # and newest_first, one sort by query.newness, is the order NEWEST_FIRST describes
    from oigcli.query.rows import NEWEST_FIRST, sort_rows

    assert [id(r) for r in newest_first(reports)] == [
        id(r) for r in sort_rows(reports, NEWEST_FIRST)
    ]


@given(st.text(alphabet=st.sampled_from("0123456789aZ-._²١٢ß ")))
def test_natural_key_is_the_runs_of_decimal_digits_and_the_text_between(text: str) -> None:
    """The key splits text into runs of decimal digits (as numbers) and the rest (case
    folded), in order: the definition, written out plainly."""
    import re

    expected = []
    for part in re.findall(r"\d+|\D+", text):
        if part.isdecimal():
            digits = "".join(str(int(c)) for c in part).lstrip("0")
            expected.append((0, len(digits), digits))
        else:
            expected.append((1, 0, part.casefold()))
    assert natural_key(text) == tuple(expected)


def test_each_criterion_is_declared_once_with_its_attribute(
    bundled: list[dict[str, Any]],
) -> None:
    """CRITERIA and Criteria name the same criteria; every option has one keyword; a
    criterion's default on Criteria is "not given" (asked() leaves it out)."""
    from oigcli.query.criteria import CRITERIA, OPTIONS

    assert sorted(c.key for c in CRITERIA) == sorted(set(Criteria.__slots__) - {"named"})
    assert len(OPTIONS) == sum(len(c.options) for c in CRITERIA)
    assert Criteria().asked() == [] and Criteria().test() is None
    given = Criteria.from_options(component="CBP", not_redacted=True)
    assert [(c.key, v) for c, v in given.asked()] == [("components", ("cbp",)), ("redacted", False)]
    test = given.test()
    assert test is not None
    assert any(test(r) for r in bundled) and not all(test(r) for r in bundled)
    for report in bundled:
        assert (
            test(report)
            == given.matches(report)
            == ("CBP" in report["components"] and report["redacted"] is False)
        )
