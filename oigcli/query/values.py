"""The values of the criteria, read from their options as the CLI gives them (parsed
already) or as the Python API does (text, a number or a date still to be read): fiscal
year ranges, periods, words, comparisons. Each ``Criterion`` of oigcli.query.criteria
names its reader here. Errors are UsageErrors that say what to type.

(Plain classes here and in criteria.py, not NamedTuples: both are loaded at every
start, and a NamedTuple class costs about 0.2 ms to make.)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from oigcli.model.errors import UsageError
from oigcli.model.text import MAX_TERMS, fold

if TYPE_CHECKING:
    from oigcli.model.dates import Period
    from oigcli.query.where import Condition


class YearRange:
    """An inclusive range of fiscal years; ``None`` leaves that end open."""

    __slots__ = ("first", "last")

    def __init__(self, first: int | None, last: int | None) -> None:
        self.first, self.last = first, last

    def __contains__(self, year: object) -> bool:
        if not isinstance(year, int):
            return False
        return (self.first is None or year >= self.first) and (
            self.last is None or year <= self.last
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, YearRange):
            return NotImplemented
        return (self.first, self.last) == (other.first, other.last)

    def __hash__(self) -> int:
        return hash((self.first, self.last))

    def __repr__(self) -> str:
        return f"YearRange({self.first!r}, {self.last!r})"


def _without_fy(text: str) -> str:
    """``FY2021`` (any case) is the year 2021, as the OIG writes fiscal years."""
    text = text.strip()
    return text[2:] if text[:2].upper() == "FY" else text


def parse_year_range(text: str) -> YearRange:
    """``2021``, ``2019..2021``, ``2019..`` or ``..2021`` (inclusive); each year may be
    written ``FY2021``."""
    value = text.strip()
    first_text, dots, last_text = value.partition("..")
    first_text, last_text = _without_fy(first_text), _without_fy(last_text)
    if not dots:
        last_text = first_text
    ends = []
    for part in (first_text.strip(), last_text.strip()):
        if part and not (len(part) == 4 and part.isascii() and part.isdigit()):
            raise UsageError(
                f"{text!r} is not a fiscal year or range; try 2021, 2019..2021, 2019.. or ..2021"
            )
        ends.append(int(part) if part else None)
    first, last = ends
    if first is None and last is None:
        raise UsageError(f"{text!r} names no year; try 2021 or 2019..2021")
    if first is not None and last is not None and first > last:
        raise UsageError(f"{text!r} is an empty range: {first} comes after {last}")
    return YearRange(first, last)


def several(value: Any) -> tuple[Any, ...]:
    """An option that may be given several times: one value, or an iterable of them."""
    if value is None:
        return ()
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        return (value,)
    return tuple(value)


def folded(values: Any) -> tuple[str, ...]:
    return tuple(v.casefold() for v in several(values))


def period(value: str | dt.date | Period | None) -> Period | None:
    if value is None or not isinstance(value, (str, dt.date)):
        return value  # parsed already (the CLI's), or not given
    from oigcli.model import dates  # only when a date is given: start-up

    if isinstance(value, str):
        return dates.parse_period(value)
    return dates.Period(value, value, value.isoformat())


def parse_period_text(text: str) -> Period:
    found = period(text)
    assert found is not None
    return found


def condition(value: str | Condition) -> Condition:
    if not isinstance(value, str):
        return value
    from oigcli.query.where import parse_condition  # only when one is given: start-up

    return parse_condition(value)


def years(fy: str | int | YearRange | None) -> YearRange | None:
    return parse_year_range(str(fy)) if isinstance(fy, (str, int)) else fy


def words(text: str | None) -> tuple[str, ...]:
    words = tuple(dict.fromkeys(fold(text or "").split()))
    if len(words) > MAX_TERMS:
        raise UsageError(
            f"--text has {len(words)} words; it takes at most {MAX_TERMS}: give the few "
            "that every report must contain"
        )
    return words


def window(since: str | dt.date | Period | None, until: str | dt.date | Period | None) -> Any:
    start, end = period(since), period(until)
    if start is not None and end is not None and start.first > end.last:
        raise UsageError(
            f"--since {start.text} ({start.first}) comes after --until {end.text} "
            f"({end.last}): no date is in both; swap them?"
        )
    if start is None and end is None:
        return None
    from oigcli.model.dates import Window

    return Window(start.first if start else None, end.last if end else None)


def redacted(redacted: bool, not_redacted: bool) -> bool | None:
    if redacted and not_redacted:
        raise UsageError("--redacted and --not-redacted contradict each other; give one")
    return True if redacted else False if not_redacted else None
