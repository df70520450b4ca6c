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

from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from oigcli.model.errors import UsageError
from oigcli.model.schema import TEXT, Report
from oigcli.model.text import DATE_EXAMPLES, did_you_mean, fold
from oigcli.query import values as reading
from oigcli.query.values import YearRange, parse_year_range

if TYPE_CHECKING:
    from oigcli.model.dates import Window
    from oigcli.query.search import Term
    from oigcli.query.where import Condition


Clause = tuple[str, list[Any], bool]
"""An SQL condition on the index's tables, its parameters, and whether it is exact (keeps
only reports that satisfy the criterion; an inexact one only narrows)."""


class Option:
    """A command-line option of a criterion, as data: oigcli/cli/options.py makes the Typer
    option from it, and ``Criteria.from_options`` takes a keyword of its ``name``. (Plain
    classes in this module: see oigcli.query.values.)"""

    __slots__ = ("completes", "flags", "help", "many", "metavar", "name", "parse", "switch")

    def __init__(
        self,
        name: str,
        flags: tuple[str, ...],
        help: str,
        metavar: str | None = None,
        *,
        many: bool = False,
        switch: bool = False,
        parse: Callable[[str], Any] | None = None,
        completes: str | None = None,
    ) -> None:
        self.name = name
        """The keyword, the long flag with _ for - (``not_redacted`` for --not-redacted)."""
        self.flags = flags
        self.help = help
        self.metavar = metavar
        self.many = many
        """Repeatable: its value is the list of what was given."""
        self.switch = switch
        """A flag without a value: its value is True or False."""
        self.parse = parse
        """Reads the text typed (a UsageError says why it cannot); None: the text is it."""
        self.completes = completes
        """What a shell completes its value with: a field's name (that field's values in
        the dataset), or ``CONDITIONS`` (field names, then operators)."""

    def __repr__(self) -> str:
        return f"Option({self.name!r})"


CONDITIONS = "conditions"
"""``Option.completes`` of --where."""


class Criterion:
    """One criterion: where its value comes from and what it means, in Python and in SQL."""

    __slots__ = ("key", "noted", "options", "read", "sql", "test")

    def __init__(
        self,
        key: str,
        options: tuple[Option, ...],
        read: Callable[..., Any],
        test: Callable[[Any, Report], bool],
        sql: Callable[[Any], Iterable[Clause]],
        noted: str | None = None,
    ) -> None:
        self.key = key
        """The attribute of ``Criteria`` that holds its value; the attribute's default
        there is the criterion not given."""
        self.options = options
        self.read = read
        """The value from the options' values, in their order: as the CLI has them (parsed
        already) or as the Python API takes them (text, a number or a date still to be
        read)."""
        self.test = test
        """Whether a report satisfies the criterion with this value: the one definition."""
        self.sql = sql
        """SQL that keeps at least every report ``test`` keeps (nothing: the index narrows
        otherwise, or not at all)."""
        self.noted = noted
        """The field the option names values of, to note a value that no report has."""

    def __repr__(self) -> str:
        return f"Criterion({self.key!r})"


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
    """A known issue date inside the window, an estimated one whose year lies wholly
    inside it (``Window.whole_years``), or an unknown one whose fiscal year does
    (``Window.whole_fiscal_years``): the rule ``holds_report`` keeps."""
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
    guessed, whole = [], []  # an estimated date: its whole year inside (Window.whole_years)
    first_year, last_year = window.whole_years()
    year = "CAST(substr(reports.issue_date, 1, 4) AS INTEGER)"
    if first_year is not None:
        guessed.append(f"{year} >= ?")
        whole.append(first_year)
    if last_year is not None:
        guessed.append(f"{year} <= ?")
        whole.append(last_year)
    either = (
        "(reports.issue_date IS NOT NULL AND reports.estimated_date IS NOT 1"
        f" AND {' AND '.join(known) or '1'})"
        f" OR (reports.issue_date IS NOT NULL AND reports.estimated_date = 1"
        f" AND {' AND '.join(guessed) or '1'})"
        f" OR (reports.issue_date IS NULL AND {' AND '.join(unknown) or '1'})"
    )
    yield f"({either})", [*values, *whole, *years], True


# --- the criteria -------------------------------------------------------------------------


def _has_words(words: tuple[str, ...], report: Report) -> bool:
    haystack = fold("\n".join([report["title"], report["summary"] or "", report.get(TEXT) or ""]))
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
        reading.folded,
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
        reading.folded,
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
        reading.years,
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
        reading.folded,
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
        reading.words,
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
                "unknown counts only when its whole fiscal year is inside the window; one "
                "whose date is estimated (the scraper's guess), only when its whole year is.",
                _PERIOD,
                parse=reading.parse_period_text,
            ),
            Option(
                "until",
                ("--until",),
                "Issued on or before the end of DATE: --until 2021-06 includes "
                "30 June 2021. Unknown dates: as for --since.",
                _PERIOD,
                parse=reading.parse_period_text,
            ),
        ),
        reading.window,
        lambda window, r: window.holds_report(
            r["issue_date"], r["fiscal_year"], r["estimated_date"]
        ),
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
                parse=reading.condition,
                completes=CONDITIONS,
            ),
        ),
        lambda where: tuple(reading.condition(w) for w in reading.several(where)),
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
        reading.redacted,
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


class Criteria:
    """What ``filter``, ``search`` and ``stats`` select on: one value per criterion of
    ``CRITERIA`` (its ``key``); every criterion given must hold. Immutable; equal when
    every value is."""

    __slots__ = (
        "components",
        "conditions",
        "inspectors",
        "named",
        "nonconcurred",
        "redacted",
        "tags",
        "window",
        "words",
        "years",
    )

    def __init__(
        self,
        components: tuple[str, ...] = (),
        inspectors: tuple[str, ...] = (),
        years: YearRange | None = None,
        tags: tuple[str, ...] = (),
        words: tuple[str, ...] = (),
        window: Window | None = None,
        conditions: tuple[Condition, ...] = (),
        redacted: bool | None = None,
        nonconcurred: bool = False,
        named: tuple[tuple[str, str], ...] = (),
    ) -> None:
        setting = object.__setattr__
        setting(self, "components", components)
        """Any of these components (case-folded): the report concerns one of them."""
        setting(self, "inspectors", inspectors)
        """Any of these inspectors (case-folded)."""
        setting(self, "years", years)
        setting(self, "tags", tags)
        """Every one of these tags (case-folded)."""
        setting(self, "words", words)
        """Every word appears in the title, summary or text (case-folded)."""
        setting(self, "window", window)
        """Issue dates; an unknown date counts only when its whole fiscal year is inside."""
        setting(self, "conditions", conditions)
        setting(self, "redacted", redacted)
        setting(self, "nonconcurred", nonconcurred)
        """At least one recommendation the agency did not concur with."""
        setting(self, "named", named)
        """(field, value as typed) of each component, inspector and tag asked for, for
        messages."""

    components: tuple[str, ...]
    inspectors: tuple[str, ...]
    years: YearRange | None
    tags: tuple[str, ...]
    words: tuple[str, ...]
    window: Window | None
    conditions: tuple[Condition, ...]
    redacted: bool | None
    nonconcurred: bool
    named: tuple[tuple[str, str], ...]

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"Criteria are immutable; make new ones (cannot set {name})")

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Criteria):
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        given = ", ".join(f"{c.key}={v!r}" for c, v in self.asked())
        return f"Criteria({given})"

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
            for typed in reading.several(values.get(c.options[0].name))
        )
        return cls(**chosen, named=named)

    @staticmethod
    def _option_default(option: Option) -> Any:
        return False if option.switch else None

    def asked(self) -> list[tuple[Criterion, Any]]:
        """Each criterion given, with its value."""
        return [(c, v) for c in CRITERIA if (v := getattr(self, c.key)) != _NOT_GIVEN[c.key]]

    def test(self, decided: frozenset[str] = frozenset()) -> Callable[[Report], bool] | None:
        """The test of a report that ``matches`` is, made once for many reports; None when
        every report matches. ``decided``: criteria (by key) left out, which a source has
        decided exactly (Source.decides)."""
        asked = [(c.test, value) for c, value in self.asked() if c.key not in decided]
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


_NOT_GIVEN = {name: getattr(Criteria(), name) for name in Criteria.__slots__}
"""Each criterion's value when it is not given."""

UNKNOWN_VALUE = "Note: no report in this dataset has the "
"""How the note on a component, inspector or tag asked for that no report has begins."""

NOTED = tuple(c.noted for c in CRITERIA if c.noted is not None)
"""The fields a query may name a value of (-c, --inspector, --tag) and so ask every
distinct value of, to say when no report has the one asked for: a source keeps them at
hand (Criteria.named, unknown_values)."""


class Narrowing:
    """What a query can keep at most, so that a source that can narrow (an index) gives
    it only candidates; a source that reads its file gives every report. Every field says
    something true of every report the query keeps: the query still decides about each
    candidate (Criteria.matches, the one definition of the criteria)."""

    __slots__ = (
        "criteria",
        "fields",
        "full_text",
        "numbers",
        "summaries",
        "terms",
        "text_shown",
        "texts",
    )

    def __init__(
        self,
        criteria: Criteria | None = None,
        texts: tuple[str, ...] = (),
        numbers: frozenset[str] | None = None,
        terms: tuple[Term, ...] = (),
        summaries: bool = True,
        full_text: bool = False,
        fields: tuple[str, ...] | None = None,
        text_shown: bool = True,
    ) -> None:
        self.criteria = Criteria() if criteria is None else criteria
        """The criteria every report kept satisfies (an index narrows by their
        ``clauses``)."""
        self.texts = texts
        """Case-folded texts that the case-folded title, summary or text contains."""
        self.numbers = numbers
        """Upper-cased report numbers: one of them is the report's."""
        self.terms = terms
        """Each occurs in the report, as search counts them."""
        self.summaries = summaries
        """False: the query does not read summaries, which may then come as null."""
        self.full_text = full_text
        """True: the query reads the reports' full text (else it may come as null)."""
        self.fields = fields
        """The only fields the query reads (None: every one): the reports may have only
        those."""
        self.text_shown = text_shown
        """False: the query reads the full text only to test each report (--text): a
        report it keeps may come without it (a scan that holds the reports to order them
        then holds no texts)."""

    def replace(self, **changes: Any) -> Narrowing:
        """A copy with these fields changed."""
        values = {name: getattr(self, name) for name in self.__slots__}
        return Narrowing(**{**values, **changes})
