"""The rows a query gives: the default order (newest first) and a bounded heap of the
newest, ``--sort``, ``--offset``/``--limit``, ``--fields``, and finding reports by id or number.

Pure functions over lists of reports; errors are raised, never printed.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from oigcli.model.errors import UsageError
from oigcli.model.schema import Report
from oigcli.model.text import did_you_mean, natural_key, or_list, sanitise, suggest

SortKey = tuple[str, bool]
"""A field name and whether it sorts descending."""

NEWEST_FIRST: tuple[SortKey, ...] = (
    ("fiscal_year", True),
    ("issue_date", True),
    ("report_number", True),
)
"""The default order: fiscal year, then issue date (unknown after known), then report
number compared naturally; newest first."""


def newest_first(reports: Iterable[Report]) -> list[Report]:
    """sort_rows(reports, NEWEST_FIRST), in one sort (a stable sort reversed keeps ties in
    the order they came)."""
    return sorted(reports, key=newness, reverse=True)


def newness(report: Report) -> tuple[Any, ...]:
    """NEWEST_FIRST as one key, larger for newer: a report with an unknown issue date is
    older than one with a known date (unknown dates come last)."""
    date = report["issue_date"]
    return (
        report["fiscal_year"],
        date is not None,
        date or "",
        natural_key(report["report_number"]),
    )


class Newest:
    """The ``count`` newest reports of those added, in ``newest_first``'s order (ties in
    the order they came), holding no more than ``count`` of them at any time: what a
    ``--limit`` needs of a dataset read once, in place of the whole dataset."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.seen = 0
        self._heap: list[tuple[tuple[Any, ...], int, Report]] = []

    def add(self, report: Report) -> None:
        self.seen += 1
        if self.count <= 0:
            return
        # among equal keys the earlier report is "larger": kept first, shown first
        entry = (newness(report), -self.seen, report)
        if len(self._heap) < self.count:
            heapq.heappush(self._heap, entry)
        elif entry[:2] > self._heap[0][:2]:
            heapq.heapreplace(self._heap, entry)

    def reports(self) -> list[Report]:
        return [report for *_, report in sorted(self._heap, key=lambda e: e[:2], reverse=True)]


def normalise_number(text: str) -> str:
    """``oig-21-63`` and ``21-63`` both mean ``OIG-21-63``."""
    number = text.strip().upper()
    if re.match(r"\d", number):
        number = "OIG-" + number
    return number


def _forms(asked: str) -> tuple[str, str]:
    """The spellings a number asked for may match: as typed, and with OIG- added."""
    return asked.strip().upper(), normalise_number(asked)


_YEAR_SUFFIX = re.compile(r"_\d{4}$")
"""The DHS scraper's suffix on a report id (DHS reuses numbers): ``OIG-21-48_2021``."""


def _other_forms(asked: str) -> list[str]:
    """What else ``asked`` may name: an id's number (``dhs/OIG-21-48`` is the dhs report
    numbered OIG-21-48, whatever its id's form) and a DHS report id's number
    (``OIG-21-48_2021``)."""
    tail = asked.strip().split("/", 1)[-1]
    stripped = _YEAR_SUFFIX.sub("", tail)
    return [form for form in dict.fromkeys([tail, stripped]) if form != asked.strip()]


def number_forms(numbers: Sequence[str]) -> frozenset[str]:
    """Every upper-cased report number that one of ``numbers`` may mean."""
    return frozenset(
        form
        for asked in numbers
        for spelled in (asked, *_other_forms(asked))
        for form in _forms(spelled)
    )


def is_asked(wanted: frozenset[str]) -> Callable[[Report], bool]:
    """Whether a report is one of those asked for by ``number_forms``: by its number or
    its id (ignoring case)."""
    return lambda r: r["report_number"].upper() in wanted or r["id"].upper() in wanted


def locate(
    reports: Sequence[Report], numbers: Sequence[str], known: Sequence[str] | None = None
) -> tuple[list[Report], str | None]:
    """The reports found with these ids or numbers, in the order asked, and a message
    naming every one not found (with close numbers from ``known``), or None. An id is
    the report; a number that several reports have (two inspectors' 14-01) is a
    UsageError that lists their ids, so that one number never stands for two reports."""
    by_id = {r["id"].upper(): r for r in reports}
    by_number: dict[str, list[Report]] = {}
    by_tail: dict[str, list[Report]] = {}  # a scraper's report_id, without its inspector
    for report in reports:
        by_number.setdefault(report["report_number"].upper(), []).append(report)
        by_tail.setdefault(report["id"].upper().split("/", 1)[-1], []).append(report)
    found: list[Report] = []
    missing: list[str] = []
    for asked in numbers:
        exact, normal = _forms(asked)
        chosen = by_id.get(exact)
        if chosen is None:
            having = _named(asked, exact, normal, by_number, by_tail)
            if len(having) > 1:
                raise UsageError(_ambiguous(asked, having))
            chosen = having[0] if having else None
        if chosen is None:
            missing.append(asked)
        else:
            found.append(chosen)
    if not missing:
        return found, None
    if known is None:
        known = [r["report_number"] for r in reports]
    return found, _not_found_message(missing, list(known))


def _named(
    asked: str,
    exact: str,
    normal: str,
    by_number: dict[str, list[Report]],
    by_tail: dict[str, list[Report]],
) -> list[Report]:
    """The reports ``asked`` names when it is no id: ``<inspector>/<number>`` (the
    bundled file's form of a DHS id, on an archive), a report id without its inspector
    (``OIG-21-48_2021``), or a number."""
    if "/" in exact:
        inspector, number = exact.split("/", 1)
        numbered = by_number.get(number) or by_number.get(normalise_number(number)) or []
        return [r for r in numbered if (r["inspector"] or "").upper() == inspector]
    return by_tail.get(exact) or by_number.get(exact) or by_number.get(normal) or []


def _ambiguous(asked: str, reports: Sequence[Report]) -> str:
    ids = sorted((r["id"] for r in reports), key=lambda i: (natural_key(i), i))
    shown = "\n".join(f"  {sanitise(i)}" for i in ids)
    return f"{asked!r} is the number of {len(ids)} reports; show one by its id:\n{shown}"


def _not_found_message(missing: list[str], known: list[str]) -> str:
    lines = []
    for asked in missing:
        line = f"no report numbered {asked!r}"
        close = suggest(asked if "/" in asked else normalise_number(asked), known)
        if close:  # numbers from the dataset: one line each, whatever they hold
            line += f"; did you mean {or_list([sanitise(c) for c in close])}?"
        lines.append(line)
    return "\n".join(lines)


# --- shaping output: --sort, --offset/--limit, --fields ---------------------------------


def parse_sort(specs: Iterable[str], allowed: Sequence[str]) -> list[SortKey]:
    """``--sort`` values: repeatable or comma-separated; a leading ``-`` sorts descending."""
    keys: list[SortKey] = []
    for spec in specs:
        for part in spec.split(","):
            name = part.strip()
            descending = name.startswith("-")
            name = name.removeprefix("-").strip()
            _check_name(name, allowed, "sort by")
            keys.append((name, descending))
    return keys


def parse_fields(spec: str, allowed: Sequence[str]) -> list[str]:
    """``--fields a,b,c``: names in the order given (a repeated name counts once)."""
    names = [part.strip() for part in spec.split(",")]
    for name in names:
        _check_name(name, allowed, "show")
    return list(dict.fromkeys(names))


def _check_name(name: str, allowed: Sequence[str], what: str) -> None:
    if name in allowed:
        return
    hint = did_you_mean(name, allowed)
    label = repr(name) if name else "an empty name"
    raise UsageError(f"cannot {what} {label}.{hint} Valid fields: {', '.join(allowed)}")


def _sort_value(value: Any) -> Any:
    return natural_key(value) if isinstance(value, str) else value


def sort_rows(
    rows: Iterable[dict[str, object]], keys: Sequence[SortKey]
) -> list[dict[str, object]]:
    """Sort by each key in turn (the first key decides first); nulls last either way."""
    ordered = list(rows)
    for name, descending in reversed(keys):
        known = [r for r in ordered if r[name] is not None]
        unknown = [r for r in ordered if r[name] is None]
        known.sort(key=lambda r: _sort_value(r[name]), reverse=descending)
        ordered = known + unknown
    return ordered


def page(rows: Sequence[Report], offset: int = 0, limit: int | None = None) -> list[Report]:
    """Skip ``offset`` rows, then keep at most ``limit``."""
    end = None if limit is None else offset + limit
    return list(rows[offset:end])


def project(rows: Iterable[Report], fields: Sequence[str]) -> list[Report]:
    """Each row with just these keys, in this order."""
    return [{name: row[name] for name in fields} for row in rows]


def packed(report: Report) -> str | Report:
    """A report held compactly while many are (its JSON text, about a third of the memory
    of the dict: orjson's bytes would each hold a buffer of several KB); as it is when
    orjson cannot encode it (a lone surrogate, an integer past 64 bits) or is missing."""
    try:
        from orjson import dumps
    except ImportError:  # (a dependency; the report as it is without it)
        return report
    try:
        return dumps(report).decode()
    except TypeError:  # orjson.JSONEncodeError
        return report


def unpacked(held: str | Report) -> Report:
    """The report ``packed`` held."""
    if isinstance(held, str):
        from orjson import loads

        found: Report = loads(held)
        return found
    return held
