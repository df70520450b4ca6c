"""Selecting reports: criteria, ordering, slicing, field choice, and finding by number.

Pure functions over lists of reports; errors are raised, never printed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from oigcli.model.errors import UsageError
from oigcli.model.schema import TEXT, Report
from oigcli.model.text import MAX_TERMS, did_you_mean, natural_key, or_list, sanitise, suggest

if TYPE_CHECKING:
    from oigcli.model.dates import Period, Window
    from oigcli.query.search import Term
    from oigcli.query.where import Condition

SortKey = tuple[str, bool]
"""A field name and whether it sorts descending."""


class YearRange(NamedTuple):
    """An inclusive range of fiscal years; ``None`` leaves that end open."""

    first: int | None
    last: int | None

    def __contains__(self, year: object) -> bool:
        if not isinstance(year, int):
            return False
        return (self.first is None or year >= self.first) and (
            self.last is None or year <= self.last
        )


_YEAR = re.compile(r"\d{4}")


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
        if part and not _YEAR.fullmatch(part):
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


class Criteria(NamedTuple):
    """What ``filter``, ``search`` and ``stats`` select on. Every given criterion must hold."""

    components: tuple[str, ...] = ()
    """Any of these components (case-insensitive): the report concerns one of them."""
    inspectors: tuple[str, ...] = ()
    """Any of these inspectors (case-insensitive)."""
    years: YearRange | None = None
    tags: tuple[str, ...] = ()
    """Every one of these tags (case-insensitive)."""
    words: tuple[str, ...] = ()
    """Every word appears in the title, summary or text (case-insensitive)."""
    window: Window | None = None
    """Issue dates; an unknown date counts only when its whole fiscal year is inside."""
    conditions: tuple[Condition, ...] = ()
    redacted: bool | None = None
    nonconcurred: bool = False
    """At least one recommendation the agency did not concur with."""
    named: tuple[tuple[str, str], ...] = ()
    """(field, value as typed) of each component, inspector and tag asked for, for
    messages."""

    @classmethod
    def build(
        cls,
        components: Iterable[str] = (),
        years: YearRange | None = None,
        tags: Iterable[str] = (),
        text: str | None = None,
        since: Period | None = None,
        until: Period | None = None,
        where: Iterable[Condition] = (),
        redacted: bool | None = None,
        nonconcurred: bool = False,
        inspectors: Iterable[str] = (),
    ) -> Criteria:
        """Criteria from option values; ``since`` and ``until`` are whole periods."""
        window = None
        if since is not None and until is not None and since.first > until.last:
            raise UsageError(
                f"--since {since.text} ({since.first}) comes after --until {until.text} "
                f"({until.last}): no date is in both; swap them?"
            )
        if since is not None or until is not None:
            from oigcli.model.dates import Window

            window = Window(since.first if since else None, until.last if until else None)
        components, tags, inspectors = tuple(components), tuple(tags), tuple(inspectors)
        words = tuple(dict.fromkeys((text or "").casefold().split()))
        if len(words) > MAX_TERMS:
            raise UsageError(
                f"--text has {len(words)} words; it takes at most {MAX_TERMS}: give the few "
                "that every report must contain"
            )
        return cls(
            components=tuple(c.casefold() for c in components),
            inspectors=tuple(i.casefold() for i in inspectors),
            years=years,
            tags=tuple(t.casefold() for t in tags),
            words=words,
            window=window,
            conditions=tuple(where),
            redacted=redacted,
            nonconcurred=nonconcurred,
            named=(
                *(("components", c) for c in components),
                *(("inspector", i) for i in inspectors),
                *(("tags", t) for t in tags),
            ),
        )

    @classmethod
    def from_options(
        cls,
        component: str | Iterable[str] | None = None,
        fy: str | int | YearRange | None = None,
        tag: str | Iterable[str] | None = None,
        text: str | None = None,
        since: str | dt.date | Period | None = None,
        until: str | dt.date | Period | None = None,
        where: str | Condition | Iterable[str | Condition] | None = None,
        redacted: bool = False,
        not_redacted: bool = False,
        nonconcurred: bool = False,
        inspector: str | Iterable[str] | None = None,
    ) -> Criteria:
        """Criteria from the values of the criteria options, named as the options are
        (``not_redacted`` for --not-redacted): as the CLI has them, parsed already, or as
        the Python API takes them, text (or a number, a date) still to be read. A value
        that cannot be used, or two that contradict each other, is a UsageError."""
        if redacted and not_redacted:
            raise UsageError("--redacted and --not-redacted contradict each other; give one")

        def period(value: str | dt.date | Period | None) -> Period | None:
            if value is None or not isinstance(value, (str, dt.date)):
                return value  # parsed already (the CLI's), or not given
            from oigcli.model import dates  # only when a date is given: start-up

            if isinstance(value, str):
                return dates.parse_period(value)
            return dates.Period(value, value, value.isoformat())

        def condition(value: str | Condition) -> Condition:
            if not isinstance(value, str):
                return value
            from oigcli.query.where import parse_condition

            return parse_condition(value)

        years = parse_year_range(str(fy)) if isinstance(fy, (str, int)) else fy
        conditions = [condition(w) for w in _several(where)]
        return cls.build(
            _several(component),
            years,
            _several(tag),
            text,
            period(since),
            period(until),
            conditions,
            True if redacted else False if not_redacted else None,
            nonconcurred,
            _several(inspector),
        )

    def matches(self, report: Report) -> bool:
        if self.components and not any(
            c.casefold() in self.components for c in report["components"]
        ):
            return False
        if self.inspectors:
            inspector = report["inspector"]
            if inspector is None or inspector.casefold() not in self.inspectors:
                return False
        if self.years is not None and report["fiscal_year"] not in self.years:
            return False
        if self.tags:
            have = {t.casefold() for t in report["tags"]}
            if not all(t in have for t in self.tags):
                return False
        if self.words:
            haystack = "\n".join(
                [report["title"], report["summary"] or "", report.get(TEXT) or ""]
            ).casefold()
            if not all(w in haystack for w in self.words):
                return False
        if self.window is not None and not self.window.holds_report(
            report["issue_date"], report["fiscal_year"]
        ):
            return False
        if self.redacted is not None and report["redacted"] is not self.redacted:
            return False
        if self.nonconcurred and not has_nonconcurred(report):
            return False
        return all(c.matches(report) for c in self.conditions)

    @property
    def empty(self) -> bool:
        """Whether there is no criterion: every report matches."""
        return self == Criteria()

    @property
    def reads_summary(self) -> bool:
        """Whether matching looks at the summary."""
        return bool(self.words) or any(c.field == "summary" for c in self.conditions)

    @property
    def reads_text(self) -> bool:
        """Whether matching looks at the full text (which a source reads only then)."""
        return bool(self.words) or any(c.field == TEXT for c in self.conditions)

    def narrowing(self, **more: Any) -> Narrowing:
        """What every match has, for an index to narrow the reports it reads (and ``more``)."""
        return Narrowing(
            texts=self.words,
            years=self.years,
            components=self.components,
            inspectors=self.inspectors,
            tags=self.tags,
            redacted=self.redacted,
            window=self.window,
            conditions=self.conditions,
            nonconcurred=self.nonconcurred,
            **{"full_text": self.reads_text, **more},
        )

    def unknown_values(self, known: Callable[[str], Iterable[str]]) -> list[str]:
        """A note for each component or tag asked for that no report of the dataset has
        (a typo finds nothing, and should not look like an answer), with close values;
        ``known`` gives a field's distinct values in the dataset."""
        notes = []
        for name, typed in self.named:
            values = sorted(set(known(name)))
            if typed.casefold() not in {value.casefold() for value in values}:
                label = {"tags": "tag", "components": "component"}.get(name, name)
                notes.append(f"{UNKNOWN_VALUE}{label} {typed!r}." + did_you_mean(typed, values))
        return notes


UNKNOWN_VALUE = "Note: no report in this dataset has the "
"""How the note on a component, inspector or tag asked for that no report has begins."""

NOTED = ("components", "inspector", "tags")
"""The fields a query may name a value of (-c, --inspector, --tag) and so ask every
distinct value of,
to say when no report has the one asked for: a source keeps them at hand (Criteria.named,
unknown_values)."""


class Narrowing(NamedTuple):
    """What a query can keep at most, so that a source that can narrow (an index) gives
    it only candidates; a source that reads its file gives every report. Every field says
    something true of every report the query keeps: the query still decides about each
    candidate (Criteria.matches, the one definition of the criteria)."""

    texts: tuple[str, ...] = ()
    """Case-folded texts that the case-folded title, summary or text contains."""
    numbers: frozenset[str] | None = None
    """Upper-cased report numbers: one of them is the report's."""
    terms: tuple[Term, ...] = ()
    """Each occurs in the report, as search counts them."""
    summaries: bool = True
    """False: the query does not read summaries, which may then come as null."""
    full_text: bool = False
    """True: the query reads the reports' full text (else it may come as null)."""
    fields: tuple[str, ...] | None = None
    """The only fields the query reads (None: every one): the reports may have only those."""
    years: YearRange | None = None
    """The report's fiscal year is in this range."""
    components: tuple[str, ...] = ()
    """One of the report's components, case-folded, is one of these (when any)."""
    inspectors: tuple[str, ...] = ()
    """The report's inspector, case-folded, is one of these (when there are any)."""
    tags: tuple[str, ...] = ()
    """The report has each of these tags, case-folded."""
    redacted: bool | None = None
    window: Window | None = None
    """The issue date rule of Criteria.window."""
    conditions: tuple[Condition, ...] = ()
    """Each holds (``--where``)."""
    nonconcurred: bool = False
    """At least one recommendation was not concurred with."""


def _several(value: Any) -> tuple[Any, ...]:
    """An option that may be given several times: one value, or an iterable of them."""
    if value is None:
        return ()
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        return (value,)
    return tuple(value)


def has_nonconcurred(report: Report) -> bool:
    """True when the agency concurred with fewer recommendations than were made."""
    made, concurred = report["recommendations"], report["recommendations_concurred"]
    return made is not None and concurred is not None and concurred < made


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
        import heapq

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


def number_forms(numbers: Sequence[str]) -> frozenset[str]:
    """Every upper-cased report number that one of ``numbers`` may mean."""
    return frozenset(form for asked in numbers for form in _forms(asked))


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
    for report in reports:
        by_number.setdefault(report["report_number"].upper(), []).append(report)
    found: list[Report] = []
    missing: list[str] = []
    for asked in numbers:
        exact, normal = _forms(asked)
        chosen = by_id.get(exact)
        if chosen is None:
            having = by_number.get(exact) or by_number.get(normal) or []
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
    lines.append("Run 'oigcli list' to see every report number.")
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
