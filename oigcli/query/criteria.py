"""The selection criteria, each declared once: its command-line options, how its value is
read from them, its test of a report, and the SQL an index narrows by, side by side.

``CRITERIA`` is the list. ``Criteria`` holds one value per criterion (the attribute named by
its ``key``); every criterion given must hold. The CLI makes its options from the
declarations (oigcli/cli/options.py), the Python API reads the same keywords
(``Criteria.from_options``), a scan asks ``Criteria.test`` of each report, and an index asks
``Criteria.clauses`` for SQL. Adding a criterion is one ``Criterion`` here and its attribute
on ``Criteria``.

The SQL is written against the index's tables (oigcli/sources/index/layout.py): ``reports``,
one row per report with a column per field but the summary and the text (lists as JSON,
booleans as 0/1), its ``place``, and ``inspector_key`` (the inspector case-folded); and one
table per list field (``tags``, ``components``) of ``(report, item, item_key)``, the item
case-folded. An index keeps at least what the SQL keeps; the Python test still decides.

Pure: errors are raised, never printed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, NamedTuple

from oigcli.model.errors import UsageError
from oigcli.model.schema import TEXT, Report
from oigcli.model.text import DATE_EXAMPLES, MAX_TERMS, did_you_mean

if TYPE_CHECKING:
    from oigcli.model.dates import Period, Window
    from oigcli.query.search import Term
    from oigcli.query.where import Condition


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


Clause = tuple[str, list[Any], bool]
"""An SQL condition on the index's tables, its parameters, and whether it is exact (keeps
only reports that satisfy the criterion; an inexact one only narrows)."""


class Option(NamedTuple):
    """A command-line option of a criterion, as data: oigcli/cli/options.py makes the Typer
    option from it, and ``Criteria.from_options`` takes a keyword of its ``name``."""

    name: str
    """The keyword, the long flag with _ for - (``not_redacted`` for --not-redacted)."""
    flags: tuple[str, ...]
    help: str
    metavar: str | None = None
    many: bool = False
    """Repeatable: its value is the list of what was given."""
    switch: bool = False
    """A flag without a value: its value is True or False."""
    parse: Callable[[str], Any] | None = None
    """Reads the text typed (a UsageError says why it cannot); None: the text is the value."""
    completes: str | None = None
    """What a shell completes its value with: a field's name (that field's values in the
    dataset), or ``CONDITIONS`` (field names, then operators)."""


CONDITIONS = "conditions"
"""``Option.completes`` of --where."""


class Criterion(NamedTuple):
    """One criterion: where its value comes from and what it means, in Python and in SQL."""

    key: str
    """The attribute of ``Criteria`` that holds its value; the attribute's default there is
    the criterion not given."""
    options: tuple[Option, ...]
    read: Callable[..., Any]
    """The value from the options' values, in their order: as the CLI has them (parsed
    already) or as the Python API takes them (text, a number or a date still to be read)."""
    test: Callable[[Any, Report], bool]
    """Whether a report satisfies the criterion with this value: the one definition."""
    sql: Callable[[Any], Iterable[Clause]]
    """SQL that keeps at least every report ``test`` keeps (nothing: the index narrows
    otherwise, or not at all)."""
    noted: str | None = None
    """The field the option names values of, to note a value that no report has."""


# --- reading option values ------------------------------------------------------------


def _several(value: Any) -> tuple[Any, ...]:
    """An option that may be given several times: one value, or an iterable of them."""
    if value is None:
        return ()
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        return (value,)
    return tuple(value)


def _folded(values: Any) -> tuple[str, ...]:
    return tuple(v.casefold() for v in _several(values))


def _period(value: str | dt.date | Period | None) -> Period | None:
    if value is None or not isinstance(value, (str, dt.date)):
        return value  # parsed already (the CLI's), or not given
    from oigcli.model import dates  # only when a date is given: start-up

    if isinstance(value, str):
        return dates.parse_period(value)
    return dates.Period(value, value, value.isoformat())


def _parse_period(text: str) -> Period:
    period = _period(text)
    assert period is not None
    return period


def _condition(value: str | Condition) -> Condition:
    if not isinstance(value, str):
        return value
    from oigcli.query.where import parse_condition  # only when one is given: start-up

    return parse_condition(value)


def _years(fy: str | int | YearRange | None) -> YearRange | None:
    return parse_year_range(str(fy)) if isinstance(fy, (str, int)) else fy


def _words(text: str | None) -> tuple[str, ...]:
    words = tuple(dict.fromkeys((text or "").casefold().split()))
    if len(words) > MAX_TERMS:
        raise UsageError(
            f"--text has {len(words)} words; it takes at most {MAX_TERMS}: give the few "
            "that every report must contain"
        )
    return words


def _window(since: str | dt.date | Period | None, until: str | dt.date | Period | None) -> Any:
    start, end = _period(since), _period(until)
    if start is not None and end is not None and start.first > end.last:
        raise UsageError(
            f"--since {start.text} ({start.first}) comes after --until {end.text} "
            f"({end.last}): no date is in both; swap them?"
        )
    if start is None and end is None:
        return None
    from oigcli.model.dates import Window

    return Window(start.first if start else None, end.last if end else None)


def _redacted(redacted: bool, not_redacted: bool) -> bool | None:
    if redacted and not_redacted:
        raise UsageError("--redacted and --not-redacted contradict each other; give one")
    return True if redacted else False if not_redacted else None


# --- SQL ----------------------------------------------------------------------------------


def _marks(values: Iterable[Any]) -> str:
    return ", ".join("?" for _ in values)


def _in_list(table: str, wanted: tuple[str, ...]) -> Clause:
    """A report with one of these items (case-folded) in its list ``table``."""
    sql = f'reports.place IN (SELECT report FROM "{table}" WHERE item_key IN ({_marks(wanted)}))'
    return sql, list(wanted), True


def _year_sql(years: YearRange) -> Iterator[Clause]:
    if years.first is not None:
        yield "reports.fiscal_year >= ?", [years.first], True
    if years.last is not None:
        yield "reports.fiscal_year <= ?", [years.last], True


def _window_sql(window: Window) -> Iterator[Clause]:
    """A known issue date inside the window, or an unknown one whose fiscal year lies
    wholly inside it (``Window.whole_fiscal_years``, the rule ``holds_report`` keeps)."""
    known, unknown, values, years = [], [], [], []
    first, last = window.whole_fiscal_years()
    if window.since is not None:
        known.append("reports.issue_date >= ?")
        values.append(window.since.isoformat())
    if first is not None:
        unknown.append("reports.fiscal_year >= ?")
        years.append(first)
    if window.until is not None:
        known.append("reports.issue_date <= ?")
        values.append(window.until.isoformat())
    if last is not None:
        unknown.append("reports.fiscal_year <= ?")
        years.append(last)
    either = (
        f"(reports.issue_date IS NOT NULL AND {' AND '.join(known) or '1'})"
        f" OR (reports.issue_date IS NULL AND {' AND '.join(unknown) or '1'})"
    )
    yield f"({either})", [*values, *years], True


# --- the criteria -------------------------------------------------------------------------


def _has_words(words: tuple[str, ...], report: Report) -> bool:
    haystack = "\n".join(
        [report["title"], report["summary"] or "", report.get(TEXT) or ""]
    ).casefold()
    return all(w in haystack for w in words)


def has_nonconcurred(report: Report) -> bool:
    """True when the agency concurred with fewer recommendations than were made."""
    made, concurred = report["recommendations"], report["recommendations_concurred"]
    return made is not None and concurred is not None and concurred < made


_PERIOD = "DATE"
CRITERIA: tuple[Criterion, ...] = (
    Criterion(
        "components",
        (
            Option(
                "component",
                ("--component", "-c"),
                "Reports that concern this agency or DHS component, e.g. CBP "
                "(case-insensitive; a report may concern several). Repeat to match any "
                "of several.",
                "NAME",
                many=True,
                completes="components",
            ),
        ),
        _folded,
        lambda wanted, r: any(c.casefold() in wanted for c in r["components"]),
        lambda wanted: [_in_list("components", wanted)],
        noted="components",
    ),
    Criterion(
        "inspectors",
        (
            Option(
                "inspector",
                ("--inspector",),
                "Reports of this Office of Inspector General, as the "
                "inspectors-general scraper names it, e.g. dhs (case-insensitive). "
                "Repeat to match any of several.",
                "NAME",
                many=True,
                completes="inspector",
            ),
        ),
        _folded,
        lambda wanted, r: r["inspector"] is not None and r["inspector"].casefold() in wanted,
        lambda wanted: [(f"reports.inspector_key IN ({_marks(wanted)})", list(wanted), True)],
        noted="inspector",
    ),
    Criterion(
        "years",
        (
            Option(
                "fy",
                ("--fy",),
                "Federal fiscal year (FY2021 = 1 Oct 2020 to 30 Sep 2021), or an "
                "inclusive range: 2019..2021, 2019.., ..2021.",
                "YEAR|FROM..TO",
                parse=parse_year_range,
            ),
        ),
        _years,
        lambda years, r: r["fiscal_year"] in years,
        _year_sql,
    ),
    Criterion(
        "tags",
        (
            Option(
                "tag",
                ("--tag",),
                "Reports with this tag, e.g. OFO (case-insensitive). "
                "Repeat to require all of several.",
                "TAG",
                many=True,
                completes="tags",
            ),
        ),
        _folded,
        lambda wanted, r: set(wanted) <= {t.casefold() for t in r["tags"]},
        lambda wanted: [_in_list("tags", (tag,)) for tag in wanted],
        noted="tags",
    ),
    Criterion(
        "words",
        (
            Option(
                "text",
                ("--text", "-t"),
                "Reports whose title, summary or full text contains every one of "
                "these words (case-insensitive; parts of words count: 'recommend' finds "
                "'recommendations').",
                "WORDS",
            ),
        ),
        _words,
        _has_words,
        lambda words: (),  # an index narrows by its words (Narrowing.texts)
    ),
    Criterion(
        "window",
        (
            Option(
                "since",
                ("--since",),
                f"Issued on or after the start of DATE ({DATE_EXAMPLES}): "
                "--since 2021 starts on 1 January 2021. A report whose issue date is "
                "unknown counts only when its whole fiscal year is inside the window.",
                _PERIOD,
                parse=_parse_period,
            ),
            Option(
                "until",
                ("--until",),
                "Issued on or before the end of DATE: --until 2021-06 includes "
                "30 June 2021. Unknown dates: as for --since.",
                _PERIOD,
                parse=_parse_period,
            ),
        ),
        _window,
        lambda window, r: window.holds_report(r["issue_date"], r["fiscal_year"]),
        _window_sql,
    ),
    Criterion(
        "conditions",
        (
            Option(
                "where",
                ("--where", "-w"),
                "A comparison on any field, repeatable: FIELD=VALUE, !=, <, <=, >, >= "
                "(numbers and dates compare as such; text ignoring case), or "
                "FIELD~REGEX (Python; (?i) ignores case). For tags and components, = means "
                "contains. "
                "Unknown (null) values match only FIELD=null.",
                "EXPR",
                many=True,
                parse=_condition,
                completes=CONDITIONS,
            ),
        ),
        lambda where: tuple(_condition(w) for w in _several(where)),
        lambda conditions, r: all(c.matches(r) for c in conditions),
        lambda conditions: [c.clause() for c in conditions],
    ),
    Criterion(
        "redacted",
        (
            Option(
                "redacted",
                ("--redacted",),
                "Only reports whose public version is redacted.",
                switch=True,
            ),
            Option(
                "not_redacted",
                ("--not-redacted",),
                "Only reports whose public version is not redacted.",
                switch=True,
            ),
        ),
        _redacted,
        lambda redacted, r: r["redacted"] is redacted,
        lambda redacted: [("reports.redacted = ?", [int(redacted)], True)],
    ),
    Criterion(
        "nonconcurred",
        (
            Option(
                "nonconcurred",
                ("--nonconcurred",),
                "Only reports with at least one recommendation the agency did not concur with.",
                switch=True,
            ),
        ),
        bool,
        lambda _, r: has_nonconcurred(r),
        lambda _: [("reports.recommendations_concurred < reports.recommendations", [], True)],
    ),
)
"""Every criterion, in the order of their options in ``--help``."""

OPTIONS = {option.name: option for criterion in CRITERIA for option in criterion.options}
"""Every criterion's option by its keyword."""


class Criteria(NamedTuple):
    """What ``filter``, ``search`` and ``stats`` select on: one value per criterion of
    ``CRITERIA`` (its ``key``); every criterion given must hold."""

    components: tuple[str, ...] = ()
    """Any of these components (case-folded): the report concerns one of them."""
    inspectors: tuple[str, ...] = ()
    """Any of these inspectors (case-folded)."""
    years: YearRange | None = None
    tags: tuple[str, ...] = ()
    """Every one of these tags (case-folded)."""
    words: tuple[str, ...] = ()
    """Every word appears in the title, summary or text (case-folded)."""
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
    def from_options(cls, **values: Any) -> Criteria:
        """Criteria from the values of the criteria options, named as the options are
        (``not_redacted`` for --not-redacted): as the CLI has them, parsed already, or as
        the Python API takes them, text (or a number, a date) still to be read. A keyword
        that is no option, a value that cannot be used, or two that contradict each other,
        is a UsageError."""
        for name in values:
            if name not in OPTIONS:
                raise UsageError(
                    f"{name!r} is not a criterion.{did_you_mean(name, list(OPTIONS))} "
                    f"The criteria: {', '.join(OPTIONS)}"
                )
        chosen = {
            c.key: c.read(*(values.get(o.name, cls._option_default(o)) for o in c.options))
            for c in CRITERIA
        }
        named = tuple(
            (c.noted, typed)
            for c in CRITERIA
            if c.noted is not None
            for typed in _several(values.get(c.options[0].name))
        )
        return cls(**chosen, named=named)

    @staticmethod
    def _option_default(option: Option) -> Any:
        return False if option.switch else None

    def asked(self) -> list[tuple[Criterion, Any]]:
        """Each criterion given, with its value."""
        defaults = self._field_defaults
        return [(c, v) for c in CRITERIA if (v := getattr(self, c.key)) != defaults[c.key]]

    def test(self) -> Callable[[Report], bool] | None:
        """The test of a report that ``matches`` is, made once for many reports; None when
        every report matches."""
        asked = [(c.test, value) for c, value in self.asked()]
        if not asked:
            return None
        return lambda report: all(test(value, report) for test, value in asked)

    def matches(self, report: Report) -> bool:
        """Whether the report satisfies every criterion given."""
        return all(c.test(value, report) for c, value in self.asked())

    def clauses(self) -> Iterator[Clause]:
        """SQL that keeps every report these criteria keep (see the module's docstring)."""
        for criterion, value in self.asked():
            yield from criterion.sql(value)

    @property
    def empty(self) -> bool:
        """Whether there is no criterion: every report matches."""
        return not self.asked()

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
        return Narrowing(criteria=self, texts=self.words, **{"full_text": self.reads_text, **more})

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

NOTED = tuple(c.noted for c in CRITERIA if c.noted is not None)
"""The fields a query may name a value of (-c, --inspector, --tag) and so ask every
distinct value of, to say when no report has the one asked for: a source keeps them at
hand (Criteria.named, unknown_values)."""


class Narrowing(NamedTuple):
    """What a query can keep at most, so that a source that can narrow (an index) gives
    it only candidates; a source that reads its file gives every report. Every field says
    something true of every report the query keeps: the query still decides about each
    candidate (Criteria.matches, the one definition of the criteria)."""

    criteria: Criteria = Criteria()
    """The criteria every report kept satisfies (an index narrows by their ``clauses``)."""
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
