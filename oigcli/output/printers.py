"""Each output format, chosen once, printing every shape a command has to print.

A command makes its printer with ``printer_for`` and hands it what it has: rows of
reports (list, filter, search), reports in full (show), a summary (stats), the problems
of a dataset (validate), or a difference (diff). It never asks which format was chosen.

- ``ProgramPrinter`` (json, jsonl, csv, tsv) writes as the rows come (oigcli.output.writers);
- ``TablePrinter`` and ``MarkdownPrinter`` draw the whole for a person (oigcli.output.render).

Adding a format: its name in ``Format`` (oigcli.output.formats, which the options read
at start-up), and a class with the five methods of ``Printer`` in ``PRINTERS`` below.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from oigcli.model.text import sanitise
from oigcli.output.formats import Format

if TYPE_CHECKING:
    from oigcli.load.records import Problem
    from oigcli.model.schema import Report
    from oigcli.output.context import Environment
    from oigcli.query.compare import Difference
    from oigcli.query.search import Finder

PROBLEM_COLUMNS = ("source", "line", "column", "record", "report_number", "field", "message")
"""A problem's columns in a table (CSV, TSV, Markdown); JSON keeps a problem's own order."""


class Printer:
    """What every format prints. ``people``: whether it is for a person (a command's own
    columns by default, a table drawn whole) rather than for a program (every field,
    written as the rows come)."""

    people = False

    def __init__(
        self,
        env: Environment,
        format: Format,
        style: str | None = None,
        safe: bool = True,
        bom: bool = False,
    ) -> None:
        self.env, self.format, self.style, self.safe, self.bom = env, format, style, safe, bom

    def fields(
        self, chosen: Sequence[str] | None, columns: Sequence[str], every: Sequence[str]
    ) -> Sequence[str]:
        """The fields to print: those ``--fields`` chose, else the command's ``columns``
        for a person and ``every`` field for a program."""
        return chosen or (columns if self.people else every)

    def rows(
        self,
        rows: Iterable[Report],
        fields: Sequence[str],
        chosen: bool,
        empty: Callable[[], str],
        mark: Finder | None = None,
    ) -> None:
        """Reports as rows of ``fields``. ``chosen``: the user chose the fields (none is
        then left out); ``empty``: what to say on stderr when there is no row; ``mark``:
        the words a search looked for (highlighted in a snippet, on a terminal)."""
        raise NotImplementedError

    def reports(self, reports: list[Report], fields: Sequence[str], one: bool) -> None:
        """Reports in full; ``one``: one report was asked for (JSON: one object)."""
        raise NotImplementedError

    def _every_row(self, rows: Iterable[Report], empty: Callable[[], str]) -> list[Report]:
        """Every row, for a drawing (which needs them all for its widths); none, and
        ``empty()`` said on stderr, when there is no row."""
        drawn = list(rows)
        if not drawn:
            self.env.error(empty())
        return drawn

    def summary(self, summary: dict[str, Any]) -> None:
        """The ``stats`` object: totals and groups."""
        raise NotImplementedError

    def problems(self, problems: Sequence[Problem], source: str, records: int) -> None:
        """A dataset's problems (``validate``)."""
        raise NotImplementedError

    def difference(self, found: Difference) -> None:
        """What ``diff`` found."""
        raise NotImplementedError


class ProgramPrinter(Printer):
    """JSON, JSON Lines, CSV and TSV: streamed, exact, every field by default."""

    def _writer(self) -> Any:
        from oigcli.output.writers import Writer

        return Writer(self.format.value, self.safe, self.bom)

    def rows(
        self,
        rows: Iterable[Report],
        fields: Sequence[str],
        chosen: bool,
        empty: Callable[[], str],
        mark: Finder | None = None,
    ) -> None:
        self.env.stream(self._writer().chunks(rows, fields))  # each row as the source gives it

    def reports(self, reports: list[Report], fields: Sequence[str], one: bool) -> None:
        self.env.stream(self._writer().chunks(reports, fields, reports[0] if one else None))

    def summary(self, summary: dict[str, Any]) -> None:
        from oigcli.query.stats import COUNTS

        counts = ("key", *COUNTS)  # JSON: the whole object; the others: a row per group
        headers = (summary["by"], *COUNTS)  # (the total is the JSON object's alone)
        self.env.stream(self._writer().chunks(summary["groups"], counts, summary, headers))

    def problems(self, problems: Sequence[Problem], source: str, records: int) -> None:
        rows = [p.as_dict() for p in problems]
        json_like = self.format in (Format.json, Format.jsonl)  # a problem's own order
        fields = tuple(rows[0]) if json_like and rows else PROBLEM_COLUMNS
        self.env.stream(self._writer().chunks(rows, fields))

    def difference(self, found: Difference) -> None:
        from oigcli.output.writers import json_line
        from oigcli.query.compare import DIFF_COLUMNS

        if self.format is Format.json:  # the one object, even when there is no difference
            self.env.stream(self._writer().chunks((), (), value=found.as_dict()))
        elif self.format is Format.jsonl:
            self.env.stream(json_line(line) for line in found.lines())
        else:
            self.env.stream(self._writer().chunks(found.rows(), DIFF_COLUMNS))


class TablePrinter(Printer):
    """A table for a person (any of tabulate's styles): fitted to a terminal, columns
    unknown in every row left out, search's words in bold on a colour terminal."""

    people = True

    def rows(
        self,
        rows: Iterable[Report],
        fields: Sequence[str],
        chosen: bool,
        empty: Callable[[], str],
        mark: Finder | None = None,
    ) -> None:
        from oigcli.output import render

        drawn = self._every_row(rows, empty)
        if not drawn:
            return
        if not chosen:
            fields = render.varying(drawn, fields)
        style, width = self.style or "simple", self.env.terminal_width
        if width and not chosen:
            fields, unknown, crowded = render.fitting_columns(drawn, fields, style, width)
            if unknown:
                self.env.error(f"Not shown: {', '.join(unknown)} (unknown in every row).")
            if crowded:
                self.env.error(
                    f"Not shown: {', '.join(crowded)} (no room in {width} columns; --fields "
                    "chooses the columns, --format json has every field)."
                )
        highlight = mark if self.env.colour else None
        text = render.reports_table(drawn, fields, style, width, highlight, centre=mark)
        self.env.output(text, decorated=highlight is not None)

    def reports(self, reports: list[Report], fields: Sequence[str], one: bool) -> None:
        from oigcli.output import render

        if self.style:
            self.env.output(render.report_tables(reports, self.style))
        else:
            self.env.output(render.report_pages(reports, min(self.env.width or 80, 100)))

    def summary(self, summary: dict[str, Any]) -> None:
        from oigcli.output import tally

        terminal = bool(self.env.stdout_isatty)
        style, width = self.style or "simple", self.env.width or 80
        self.env.output(tally.stats_table(summary, style, width, unicode=terminal, fit=terminal))

    def problems(self, problems: Sequence[Problem], source: str, records: int) -> None:
        if problems:
            self.env.output("".join(f"{sanitise(str(p))}\n" for p in problems))
        else:
            self.env.output(f"{source}: {records} reports, no problems\n")

    def difference(self, found: Difference) -> None:
        from oigcli.output import render

        if not found.empty:  # as diff(1): nothing to say when the same
            self.env.output(
                render.diff_table(found, self.style or "simple", self.env.terminal_width)
            )


class MarkdownPrinter(Printer):
    """Markdown, as GitHub renders it: every value escaped (no link, image or HTML)."""

    people = True

    def rows(
        self,
        rows: Iterable[Report],
        fields: Sequence[str],
        chosen: bool,
        empty: Callable[[], str],
        mark: Finder | None = None,
    ) -> None:
        from oigcli.output import render

        drawn = self._every_row(rows, empty)
        if not drawn:
            return
        self.env.output(
            render.reports_markdown(drawn, fields if chosen else render.varying(drawn, fields))
        )

    def reports(self, reports: list[Report], fields: Sequence[str], one: bool) -> None:
        from oigcli.output import render

        self.env.output(render.report_sections(reports))

    def summary(self, summary: dict[str, Any]) -> None:
        from oigcli.output import tally

        self.env.output(tally.stats_markdown(summary))

    def problems(self, problems: Sequence[Problem], source: str, records: int) -> None:
        from oigcli.output import render

        rows = [p.as_dict() for p in problems]
        self.env.output(render.reports_markdown(rows, PROBLEM_COLUMNS) if rows else "")

    def difference(self, found: Difference) -> None:
        from oigcli.output import render

        if not found.empty:
            self.env.output(render.diff_markdown(found))


PRINTERS: dict[Format, type[Printer]] = {
    Format.table: TablePrinter,
    Format.json: ProgramPrinter,
    Format.jsonl: ProgramPrinter,
    Format.csv: ProgramPrinter,
    Format.tsv: ProgramPrinter,
    Format.markdown: MarkdownPrinter,
}
"""The one registration of each format: its name, and the class that prints it."""


def printer_for(
    format: Format, env: Environment, style: str | None = None, safe: bool = True, bom: bool = False
) -> Printer:
    """The printer of ``format``, to ``env``: ``style`` is a table's (tabulate's) style,
    ``safe`` guards CSV and TSV cells a spreadsheet would run, ``bom`` starts them with a
    byte-order mark."""
    return PRINTERS[format](env, format, style, safe, bom)
