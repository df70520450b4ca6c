"""``--where`` comparisons on any field: ``=``, ``!=``, ``<``, ``<=``, ``>``, ``>=`` and ``~``.

Values are read as the field's type: numbers and booleans as such, and ``issue_date`` as a
period (``issue_date<2021-06`` means before June 2021, ``issue_date=2021`` within 2021).
Text compares case-insensitively, numbers inside it as numbers (OIG-21-9 < OIG-21-19).
For the list field ``tags``, ``=`` means "contains" and ``!=`` "does not contain".
``~`` is a Python regular expression searched in the value's text (``(?i)`` ignores case).
It runs on the ``regex`` module (a superset of ``re``), which avoids most catastrophic
backtracking outright, and a query's searches with one pattern share a budget of time that
grows with the text searched (``REGEX_SECONDS`` and ``REGEX_SECONDS_PER_CHARACTER``): past
it, the command exits 2 saying the pattern is too costly, instead of running for hours.
A null (unknown) value satisfies no comparison, except ``field=null``; ``field!=null``
matches every known value.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from oigcli.model.dates import parse_period
from oigcli.model.errors import UsageError
from oigcli.model.schema import FIELD_NAMES, FIELDS_BY_NAME, TEXT, Report
from oigcli.model.text import did_you_mean, natural_key

OPERATORS = ("!=", "<=", ">=", "=", "<", ">", "~")
COMPARISONS = ("=", "!=", "<", "<=", ">", ">=")
_EXPR = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*(!=|<=|>=|=|<|>|~)(.*)", re.DOTALL)
REGEX_SECONDS = 1.0
REGEX_SECONDS_PER_CHARACTER = 1e-7
"""One regular expression's budget for a whole query: REGEX_SECONDS, and 0.1 s more for
each million characters it is given to search (a pattern that is not catastrophic
searches tens of millions a second), whatever the number of values."""
clock = time.perf_counter
"""What the budget is measured with (tests give their own)."""
_TRUE = {"true", "yes", "1"}
_FALSE = {"false", "no", "0"}

Test = Callable[[Any], bool]


@dataclass(frozen=True)
class Condition:
    text: str
    field: str
    test: Test
    """The one definition of the comparison: whether a value satisfies it."""
    op: str = ""
    operand: Any = None
    """The comparison as data, for an index to narrow by: the operator, and the value read
    as the field's type (an issue date's period as its first and last ISO dates; a tag
    case-folded; ``None`` for ``null``). Narrowing only: ``test`` decides."""

    def matches(self, report: Report) -> bool:
        return self.test(report[self.field])

    def clause(self) -> tuple[str, list[Any], bool]:
        """The comparison in SQL over an index's tables (see oigcli.query.criteria), exact
        for numbers, booleans, dates and tags (a null satisfies no comparison in SQL
        either); anything else (text, which compares case-insensitively with numbers
        inside as numbers, and ``~``) narrows nothing. The summary and the text are not
        in the index's ``reports`` table."""
        field, op, operand = self.field, self.op, self.operand
        kind = FIELDS_BY_NAME[field].type
        column = f'reports."{field}"'
        if op not in COMPARISONS or field in ("summary", TEXT):
            return "1", [], False
        if operand is None and kind is not list:  # field=null, field!=null
            return f"{column} IS {'NOT ' if op == '!=' else ''}NULL", [], True
        if kind is list and op in ("=", "!=") and isinstance(operand, str):
            has = f'reports.place IN (SELECT report FROM "{field}" WHERE item_key = ?)'
            return (has if op == "=" else f"NOT {has}"), [operand], True
        if field == "issue_date" and isinstance(operand, tuple):
            first, last = operand
            sql, values = {
                "=": (f"{column} BETWEEN ? AND ?", [first, last]),
                "!=": (f"{column} NOT BETWEEN ? AND ?", [first, last]),
                "<": (f"{column} < ?", [first]),
                "<=": (f"{column} <= ?", [last]),
                ">": (f"{column} > ?", [last]),
                ">=": (f"{column} >= ?", [first]),
            }[op]
            return sql, values, True
        if kind in (int, bool) and isinstance(operand, (int, bool)) and -(2**63) <= operand < 2**63:
            return f"{column} {op} ?", [int(operand)], True
        return "1", [], False


def parse_condition(text: str) -> Condition:
    m = _EXPR.fullmatch(text)
    if not m:
        raise UsageError(
            f"{text!r} is not a comparison; write FIELD OP VALUE with OP one of "
            f"{' '.join(OPERATORS)}, e.g. recommendations>=5 or title~(?i)canine"
        )
    name, op, raw = m.group(1), m.group(2), m.group(3).strip()
    if op != "~" and raw[:1] in ("=", "<", ">", "~"):  # ==, =>, <>, !==, =~: a typo
        doubled = op + raw[0]
        guess = {"==": "=", "=>": ">=", "=<": "<=", "<>": "!=", "=~": "~", "!==": "!="}
        hint = (
            f"; did you mean {name}{guess[doubled]}{raw[1:]}?"
            if doubled in guess
            else f" (a value that starts with {raw[0]!r} can be matched with {name}~^{raw[0]})"
        )
        raise UsageError(
            f"{text!r}: {doubled!r} is not an operator; use one of {' '.join(OPERATORS)}{hint}"
        )
    if name not in FIELDS_BY_NAME:
        hint = did_you_mean(name, FIELD_NAMES)
        raise UsageError(
            f"unknown field {name!r} in {text!r}.{hint} Fields: {', '.join(FIELD_NAMES)}"
        )
    return Condition(text, name, _test(name, op, raw, text), op, _operand(name, op, raw, text))


def _operand(name: str, op: str, raw: str, text: str) -> Any:
    """The value compared with, as ``Condition.operand`` describes it (after ``_test``
    has accepted it)."""
    kind = FIELDS_BY_NAME[name].type
    if op == "~":
        return raw
    if raw.lower() == "null" and op in ("=", "!="):
        return None
    if kind is list:
        return raw.casefold()
    if name == "issue_date":
        period = parse_period(raw)
        return (period.first.isoformat(), period.last.isoformat())
    return _typed(kind, raw, name, text)


def _test(name: str, op: str, raw: str, text: str) -> Test:
    kind = FIELDS_BY_NAME[name].type
    if kind is dict and not (raw.lower() == "null" and op in ("=", "!=")):
        raise UsageError(
            f"{name} is an object: only {name}=null and {name}!=null compare it (in {text!r})"
        )
    if op == "~":
        found = _searcher(raw, text)
        if kind is list:
            return lambda v: v is not None and any(found(str(x)) for x in v)
        return lambda v: v is not None and found(_as_text(v))
    if raw.lower() == "null" and op in ("=", "!="):
        return (lambda v: v is None) if op == "=" else (lambda v: v is not None)
    if kind is list:
        if op not in ("=", "!="):
            raise UsageError(f"{name} is a list: use = (contains), != or ~, not {op}")
        want = raw.casefold()
        has: Test = lambda v: v is not None and want in (x.casefold() for x in v)  # noqa: E731
        return has if op == "=" else (lambda v: v is not None and not has(v))
    if name == "issue_date":
        return _date_test(op, raw)
    value = _typed(kind, raw, name, text)
    key = _key_for(kind)
    target = key(value)
    compare = _COMPARE[op]
    return lambda v: v is not None and compare(key(v), target)


def _searcher(raw: str, text: str) -> Callable[[str], bool]:
    """Whether the regular expression ``raw`` is found in a value, under the time limit."""
    import regex

    try:
        pattern = regex.compile(raw)
    except (regex.error, ValueError, OverflowError) as exc:
        raise UsageError(f"bad regular expression {raw!r} in {text!r}: {exc}") from None
    except RecursionError:
        shown = raw if len(raw) <= 40 else f"{raw[:37]}..."
        raise UsageError(
            f"bad regular expression {shown!r}: nested too deeply (more than a few hundred "
            "levels of parentheses)"
        ) from None
    spent = 0.0
    allowed = REGEX_SECONDS
    searched = 0  # characters

    def too_costly() -> UsageError:
        return UsageError(
            f"the regular expression {raw!r} in {text!r} is too costly: it took over "
            f"{allowed:.3g} s for {searched:,} characters of text. Nested repetition "
            "such as (a+)+ or (a|aa)+ is the usual cause; simplify it"
        )

    def found(value: str) -> bool:
        nonlocal spent, allowed, searched
        searched += len(value)
        allowed += len(value) * REGEX_SECONDS_PER_CHARACTER
        if spent >= allowed:
            raise too_costly()
        start = clock()
        try:
            return pattern.search(value, timeout=allowed - spent) is not None
        except TimeoutError:
            raise too_costly() from None
        finally:
            spent += clock() - start

    return found


def _typed(kind: type, raw: str, name: str, text: str) -> Any:
    if kind is bool:
        if raw.lower() in _TRUE:
            return True
        if raw.lower() in _FALSE:
            return False
        raise UsageError(f"{name} is true or false, not {raw!r} (in {text!r})")
    if kind is int:
        if name == "fiscal_year" and raw[:2].upper() == "FY":  # as the OIG writes it
            raw = raw[2:]
        try:
            return int(raw)
        except ValueError:
            raise UsageError(f"{name} is a whole number, not {raw!r} (in {text!r})") from None
    return raw


def _key_for(kind: type) -> Callable[[Any], Any]:
    if kind is str:
        return natural_key
    return lambda v: v


def _date_test(op: str, raw: str) -> Test:
    period = parse_period(raw)
    first, last = period.first, period.last
    inside: Callable[[dt.date], bool] = {
        "=": lambda d: first <= d <= last,
        "!=": lambda d: not first <= d <= last,
        "<": lambda d: d < first,
        "<=": lambda d: d <= last,
        ">": lambda d: d > last,
        ">=": lambda d: d >= first,
    }[op]
    return lambda v: v is not None and inside(dt.date.fromisoformat(v))


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}
