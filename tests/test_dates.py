"""Dates as periods, fiscal years, and the window rule for unknown issue dates."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oigcli.model.dates import Period, Window, fiscal_year_of, fiscal_year_period, parse_period
from oigcli.model.errors import UsageError

D = dt.date


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("2021", D(2021, 1, 1), D(2021, 12, 31)),
        ("2021-06", D(2021, 6, 1), D(2021, 6, 30)),
        ("2021-6", D(2021, 6, 1), D(2021, 6, 30)),
        ("2020-02", D(2020, 2, 1), D(2020, 2, 29)),
        ("2021-06-15", D(2021, 6, 15), D(2021, 6, 15)),
        ("June 2021", D(2021, 6, 1), D(2021, 6, 30)),
        ("Sept 2021", D(2021, 9, 1), D(2021, 9, 30)),
        ("15 Jun 2021", D(2021, 6, 15), D(2021, 6, 15)),
        ("Jun 15, 2021", D(2021, 6, 15), D(2021, 6, 15)),
        ("February 2024", D(2024, 2, 1), D(2024, 2, 29)),
        ("  2021-06-15  ", D(2021, 6, 15), D(2021, 6, 15)),
    ],
)
def test_a_date_names_its_whole_period(text: str, first: dt.date, last: dt.date) -> None:
    assert parse_period(text) == Period(first, last)


@pytest.mark.parametrize(
    "text",
    ["", "someday", "June", "15 June", "2021-13", "2021-02-30", "next week", "FY2021", "99999"],
)
def test_unreadable_dates_quote_the_text_and_give_examples(text: str) -> None:
    with pytest.raises(UsageError) as error:
        parse_period(text)
    message = str(error.value)
    assert repr(text) in message and "June 2021" in message


def test_fiscal_year() -> None:
    assert fiscal_year_period(2021) == Period(D(2020, 10, 1), D(2021, 9, 30))
    assert fiscal_year_of(D(2020, 9, 30)) == 2020
    assert fiscal_year_of(D(2020, 10, 1)) == 2021


@given(st.dates(D(1990, 1, 1), D(2090, 12, 31)))
def test_every_date_lies_in_its_fiscal_year(date: dt.date) -> None:
    fy = fiscal_year_period(fiscal_year_of(date))
    assert fy.first <= date <= fy.last


def test_window_ends_are_inclusive() -> None:
    window = Window(D(2021, 1, 1), D(2021, 6, 30))
    assert window.holds_report("2021-01-01", 2021)
    assert window.holds_report("2021-06-30", 2021)
    assert not window.holds_report("2020-12-31", 2021)
    assert not window.holds_report("2021-07-01", 2021)


@pytest.mark.parametrize(
    ("since", "until", "inside"),
    [
        (D(2020, 10, 1), D(2021, 9, 30), True),  # exactly FY2021
        (D(2020, 1, 1), None, True),
        (None, D(2021, 12, 31), True),
        (D(2021, 1, 1), None, False),  # FY2021 began in October 2020
        (None, D(2021, 6, 30), False),  # FY2021 ends in September 2021
        (D(2020, 10, 2), D(2030, 1, 1), False),
        (None, None, True),
    ],
)
def test_unknown_date_counts_only_when_the_whole_fiscal_year_is_inside(
    since: dt.date | None, until: dt.date | None, inside: bool
) -> None:
    assert Window(since, until).holds_report(None, 2021) is inside


@given(
    st.one_of(st.none(), st.dates(dt.date(1990, 1, 1), dt.date(2040, 12, 31))),
    st.one_of(st.none(), st.dates(dt.date(1990, 1, 1), dt.date(2040, 12, 31))),
)
def test_the_whole_fiscal_years_of_a_window_are_those_it_contains(
    since: dt.date | None, until: dt.date | None
) -> None:
    """The one rule for a report of unknown date (and an index's SQL of it): its fiscal
    year's first and last days both lie in the window."""
    window = Window(since, until)
    first, last = window.whole_fiscal_years()
    for year in range(1985, 2046):
        period = fiscal_year_period(year)
        inside = window.contains(period.first) and window.contains(period.last)
        assert inside == ((first is None or year >= first) and (last is None or year <= last))
        assert window.holds_report(None, year) == inside


@pytest.mark.parametrize(
    ("since", "until", "inside"),
    [
        ("2020-01-01", None, True),
        ("2020-01-02", None, False),  # the guess could be earlier in its year
        (None, "2020-12-31", True),
        (None, "2020-12-30", False),
        ("2019-06-01", "2021-02-01", True),
        (None, None, True),
    ],
)
def test_an_estimated_date_is_in_a_window_only_with_its_whole_year(
    since: str | None, until: str | None, inside: bool
) -> None:
    window = Window(
        None if since is None else dt.date.fromisoformat(since),
        None if until is None else dt.date.fromisoformat(until),
    )
    assert window.holds_report("2020-11-01", 2021, estimated=True) is inside
    assert window.holds_report("2020-11-01", 2021) is window.contains(dt.date(2020, 11, 1))


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("today", "2024-03-31"),
        ("Yesterday", "2024-03-30"),
        ("7d", "2024-03-24"),
        ("7 days ago", "2024-03-24"),
        ("2w", "2024-03-17"),
        ("1m", "2024-02-29"),  # by the calendar: no 31 February
        ("3 months", "2023-12-31"),
        ("1y", "2023-03-31"),
    ],
)
def test_relative_dates_name_one_day_counted_back(text: str, day: str) -> None:
    period = parse_period(text, today=dt.date(2024, 3, 31))
    assert period.first == period.last == dt.date.fromisoformat(day)


@pytest.mark.parametrize("text", ["7x", "d7", "-7d", "7 days hence", "tomorrow"])
def test_other_relative_words_are_refused(text: str) -> None:
    with pytest.raises(UsageError, match="yesterday or 7d"):
        parse_period(text, today=dt.date(2024, 3, 31))
