"""Dates as people type them, as periods: ``2021`` is all of 2021, ``June 2021`` all of June.

A period is an inclusive pair of dates. ``--since`` takes the start of its period and
``--until`` the end, so both ends of a window are inclusive whatever the precision typed.
"""

from __future__ import annotations

import calendar
import contextlib
import datetime as dt
import re
from dataclasses import dataclass, field

from oigcli.model.errors import UsageError
from oigcli.model.text import DATE_EXAMPLES as EXAMPLES

_ISO = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")


@dataclass(frozen=True)
class Period:
    first: dt.date
    last: dt.date
    text: str = field(default="", compare=False)
    """As the user wrote it, for messages."""


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


_RELATIVE = re.compile(
    r"(\d{1,4})\s*(d|w|m|y|days?|weeks?|months?|years?)(?:\s+ago)?", re.IGNORECASE
)
_UNITS = {"d": "days", "w": "weeks", "m": "months", "y": "years"}


def _relative(value: str, today: dt.date) -> dt.date | None:
    """The day ``today``, ``yesterday``, ``7d``, ``2w``, ``3m``, ``1y`` (or ``7 days ago``)
    name, counted back from ``today`` (months and years by the calendar, as dateutil's
    relativedelta counts them: 31 March less a month is 28 or 29 February); None for
    any other text."""
    word = value.casefold()
    if word == "today":
        return today
    if word == "yesterday":
        return today - dt.timedelta(days=1)
    m = _RELATIVE.fullmatch(value)
    if m is None:
        return None
    from dateutil.relativedelta import relativedelta

    count, unit = int(m.group(1)), _UNITS[m.group(2)[0].lower()]
    back = {
        "days": relativedelta(days=count),
        "weeks": relativedelta(weeks=count),
        "months": relativedelta(months=count),
        "years": relativedelta(years=count),
    }[unit]
    day: dt.date = today - back
    return day


def parse_period(text: str, today: dt.date | None = None) -> Period:
    """The whole period a date names, at the precision it was typed; a relative date
    (``yesterday``, ``7d``: ``_relative``) names one day, counted back from ``today``
    (the clock's, unless given). Raises UsageError."""
    value = text.strip()
    try:
        relative = _relative(value, today or dt.date.today())
        if relative is not None:
            return Period(relative, relative, value)
        if m := _ISO.fullmatch(value):
            year, month, day = (int(g) if g else None for g in m.groups())
            assert year is not None
            if month is None:
                return Period(dt.date(year, 1, 1), dt.date(year, 12, 31), value)
            if day is None:
                return Period(dt.date(year, month, 1), _month_end(year, month), value)
            return Period(dt.date(year, month, day), dt.date(year, month, day), value)
        found = _parse_words(value)
        return Period(found.first, found.last, value)
    except (ValueError, OverflowError) as exc:
        raise UsageError(f"{text!r} is not a date I can read; try {EXAMPLES}") from exc


def _parse_words(value: str) -> Period:
    """Other forms through python-dateutil, imported only when they are used.

    Parsing with two different defaults shows which parts the text gave: a part that
    differs between the two results was not given.
    """
    from dateutil import parser

    early = parser.parse(value, default=dt.datetime(1900, 1, 1))
    late = parser.parse(value, default=dt.datetime(1904, 12, 31))
    if early.year != late.year:
        raise ValueError("no year")
    if early.month != late.month and early.day == late.day:
        raise ValueError("a day without a month")
    return Period(early.date(), late.date())


def fiscal_year_period(year: int) -> Period:
    """Federal fiscal year N: 1 October of N-1 to 30 September of N."""
    return Period(dt.date(year - 1, 10, 1), dt.date(year, 9, 30))


def fiscal_year_of(date: dt.date) -> int:
    return date.year + 1 if date.month >= 10 else date.year


@dataclass(frozen=True)
class Window:
    """Dates from ``since`` to ``until``, both inclusive; None leaves that end open."""

    since: dt.date | None = None
    until: dt.date | None = None

    def contains(self, date: dt.date) -> bool:
        return (self.since is None or date >= self.since) and (
            self.until is None or date <= self.until
        )

    def whole_fiscal_years(self) -> tuple[int | None, int | None]:
        """The first and the last fiscal year that lie wholly inside the window (None: that
        end is open): the one definition of which reports of unknown date a window holds,
        for Python (``holds_report``) and for an index's SQL alike."""
        first = last = None
        with contextlib.suppress(OverflowError):  # (the first and last days a date can be)
            if self.since is not None:  # the year after the one the day before is in
                first = fiscal_year_of(self.since - dt.timedelta(days=1)) + 1
            if self.until is not None:  # the year before the one the day after is in
                last = fiscal_year_of(self.until + dt.timedelta(days=1)) - 1
        return first, last

    def whole_years(self) -> tuple[int | None, int | None]:
        """The first and the last calendar year that lie wholly inside the window (None:
        that end is open): which reports of an estimated date (known to its year) a window
        holds, for Python and SQL alike."""
        first = last = None
        with contextlib.suppress(OverflowError):
            if self.since is not None:
                first = (self.since - dt.timedelta(days=1)).year + 1
            if self.until is not None:
                last = (self.until + dt.timedelta(days=1)).year - 1
        return first, last

    def holds_report(
        self, issue_date: str | None, fiscal_year: int, estimated: bool | None = False
    ) -> bool:
        """A known date must fall inside. An estimated date (the scraper's guess, sure
        only of its year) is inside only when its whole year is; an unknown date, only
        when its whole fiscal year is (the report then surely falls in the window)."""
        if issue_date is not None and estimated:
            first_year, last_year = self.whole_years()
            year = int(issue_date[:4])
            return (first_year is None or year >= first_year) and (
                last_year is None or year <= last_year
            )
        if issue_date is not None:
            return self.contains(dt.date.fromisoformat(issue_date))
        first, last = self.whole_fiscal_years()
        return (first is None or fiscal_year >= first) and (last is None or fiscal_year <= last)
