"""The command-line interface: parse options, call the core, hand results to render.

Each command is the same three steps: load the dataset, select reports, render them.
Errors from the core (``oigcli.errors``) become a message on stderr and an exit status in
one place, ``OigGroup.invoke``.
"""

from __future__ import annotations

import os
import sys
from enum import Enum
from typing import Annotated, Any

import typer
from typer._click import Context as ClickContext  # typer>=0.27 vendors click
from typer.core import TyperGroup

from oigcli import __version__, dataset, query, render
from oigcli.context import Environment
from oigcli.errors import OigError, UsageError
from oigcli.schema import LIST_COLUMNS, Report


class OigGroup(TyperGroup):
    """Turns the core's errors into stderr text and the documented exit status."""

    def invoke(self, ctx: ClickContext) -> Any:
        try:
            return super().invoke(ctx)
        except OigError as exc:
            env = _env(ctx)
            env.error(f"Error: {exc}")
            if isinstance(exc, UsageError):
                env.error(f"Try '{ctx.command_path} {ctx.invoked_subcommand} --help' for help.")
            raise typer.Exit(exc.exit_code) from None
        except BrokenPipeError:
            _quiet_stdout()
            raise typer.Exit(0) from None


def _quiet_stdout() -> None:
    """The reader went away (``| head``): send what is left to /dev/null and exit quietly."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def _epilog(*examples: str) -> str:
    """The Examples and Exit status sections every --help ends with (\b keeps the lines)."""
    lines = "\n".join(f"  {example}" for example in examples)
    return (
        f"\b\nExamples:\n{lines}\n\n"
        "\b\nExit status: 0 success (an empty result too), 1 a named report does not\n"
        "exist, 2 a usage error, 3 a dataset that cannot be read or is invalid."
    )


app = typer.Typer(
    cls=OigGroup,
    name="oigcli",
    help="Query DHS Office of Inspector General reports from the shell.",
    epilog=_epilog(
        "oigcli list",
        "oigcli show 21-27",
        "oigcli filter --text medical --json | jq '.[].title'",
        "oigcli stats --by component",
    ),
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class Format(str, Enum):
    table = "table"
    json = "json"


def _year_range(value: str) -> query.YearRange:
    try:
        return query.parse_year_range(value)
    except UsageError as exc:
        raise typer.BadParameter(str(exc)) from None


def _grouping(value: str) -> str:
    from oigcli.stats import GROUPINGS

    if value in GROUPINGS:
        return value
    close = query.suggest(value, GROUPINGS)
    hint = f" Did you mean {query.or_list(close)}?" if close else ""
    raise typer.BadParameter(
        f"{value!r} is not a field to group by; choose from {', '.join(GROUPINGS)}.{hint}"
    )


# Options shared by several commands: declared once, so they mean the same everywhere.
FormatOption = Annotated[
    Format | None,
    typer.Option(
        "--format",
        "-f",
        case_sensitive=False,
        help="Output format: table (for people; the default) or json (for programs).",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Shortcut for --format json.")]
DataOption = Annotated[
    str | None,
    typer.Option(
        "--data",
        metavar="PATH",
        help="Read reports from this JSON file (the shape --json prints; - for stdin) "
        "instead of the bundled dataset.",
    ),
]
ComponentOption = Annotated[
    list[str] | None,
    typer.Option(
        "--component",
        "-c",
        metavar="NAME",
        help="Reports about this DHS component, e.g. CBP (case-insensitive). "
        "Repeat to match any of several.",
    ),
]
FiscalYearOption = Annotated[
    query.YearRange | None,
    typer.Option(
        "--fy",
        metavar="YEAR|FROM..TO",
        parser=_year_range,
        help="Federal fiscal year (FY2021 = 1 Oct 2020 to 30 Sep 2021), or an inclusive "
        "range: 2019..2021, 2019.., ..2021.",
    ),
]
TagOption = Annotated[
    list[str] | None,
    typer.Option(
        "--tag",
        metavar="TAG",
        help="Reports with this tag, e.g. OFO (case-insensitive). "
        "Repeat to require all of several.",
    ),
]
TextOption = Annotated[
    str | None,
    typer.Option(
        "--text",
        "-t",
        metavar="WORDS",
        help="Reports whose title or summary contains every one of these words "
        "(case-insensitive; parts of words count: 'recommend' finds 'recommendations').",
    ),
]


def _env(ctx: ClickContext) -> Environment:
    env = ctx.find_object(Environment)
    if env is None:
        env = ctx.find_root().ensure_object(Environment)
    return env


def _format(format: Format | None, json_flag: bool) -> Format:
    if json_flag and format not in (None, Format.json):
        raise UsageError(f"--json and --format {format.value} disagree; give one of them")
    return Format.json if json_flag else format or Format.table


def _load(env: Environment, path: str | None) -> list[Report]:
    if path == "-" and env.stdin_isatty:
        raise UsageError(
            "--data - reads the dataset from standard input, which is a terminal; "
            "pipe one in, e.g. oigcli list --json | oigcli stats --data -"
        )
    return dataset.load(path, env.stdin)


def _criteria(
    component: list[str] | None,
    fy: query.YearRange | None,
    tag: list[str] | None,
    text: str | None,
) -> query.Criteria:
    return query.Criteria.build(component or (), fy, tag or (), text)


def _emit_reports(env: Environment, reports: list[Report], format: Format) -> None:
    if format is Format.json:
        env.write(render.to_json(reports))
    elif reports:
        env.write(render.reports_table(reports, LIST_COLUMNS))
    else:
        env.error("No reports match.")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"oigcli {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", is_eager=True, callback=_version, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Query DHS Office of Inspector General reports from the shell."""


@app.command(
    "list",
    epilog=_epilog(
        "oigcli list",
        "oigcli list --json | jq -r '.[].report_number'",
        "oigcli list --json | jq 'map(select(.redacted)) | length'",
    ),
)
def list_(
    ctx: typer.Context,
    format: FormatOption = None,
    json_flag: JsonOption = False,
    data: DataOption = None,
) -> None:
    """List every report, newest first.

    Newest first means by fiscal year, then issue date (unknown dates after known
    ones), then report number compared as numbers (OIG-21-9 before OIG-21-19).
    """
    env = _env(ctx)
    out = _format(format, json_flag)
    _emit_reports(env, query.newest_first(_load(env, data)), out)


@app.command(
    epilog=_epilog(
        "oigcli show 21-27",
        "oigcli show OIG-21-63 OIG-21-48",
        "oigcli show 21-27 --json | jq .recommendations",
    ),
)
def show(
    ctx: typer.Context,
    numbers: Annotated[
        list[str],
        typer.Argument(
            metavar="NUMBER...",
            help="Report numbers: OIG-21-63, oig-21-63 and 21-63 are the same report.",
            show_default=False,
        ),
    ],
    format: FormatOption = None,
    json_flag: JsonOption = False,
    data: DataOption = None,
) -> None:
    """Show reports in full: every field, unknown values as "unknown".

    With --json, one number prints one object and several print an array in the
    order asked. A number that does not exist exits 1 and suggests close ones.
    """
    env = _env(ctx)
    out = _format(format, json_flag)
    reports = query.find(_load(env, data), numbers)
    if out is Format.json:
        env.write(render.to_json(reports[0] if len(numbers) == 1 else reports))
    else:
        env.write(render.report_pages(reports, min(env.width or 80, 100)))


@app.command(
    "filter",
    epilog=_epilog(
        "oigcli filter --component cbp --fy 2021",
        'oigcli filter --text "medical migrants"',
        "oigcli filter --fy 2019..2021 --tag OFO --json | jq length",
    ),
)
def filter_(
    ctx: typer.Context,
    component: ComponentOption = None,
    fy: FiscalYearOption = None,
    tag: TagOption = None,
    text: TextOption = None,
    format: FormatOption = None,
    json_flag: JsonOption = False,
    data: DataOption = None,
) -> None:
    """List the reports that match every given criterion, newest first.

    No criteria lists every report. No match is not an error: the table is
    empty (a note goes to stderr) and JSON is [].
    """
    env = _env(ctx)
    out = _format(format, json_flag)
    criteria = _criteria(component, fy, tag, text)
    _emit_reports(env, query.select(_load(env, data), criteria), out)


@app.command(
    epilog=_epilog(
        "oigcli stats",
        "oigcli stats --by redacted",
        "oigcli stats --by tag --fy 2021 --json | jq .total.concurrence_rate",
    ),
)
def stats(
    ctx: typer.Context,
    by: Annotated[
        str,
        typer.Option(
            "--by",
            metavar="FIELD",
            parser=_grouping,
            help="Group by fiscal_year, component, tag (a report counts once per tag) or redacted.",
        ),
    ] = "fiscal_year",
    component: ComponentOption = None,
    fy: FiscalYearOption = None,
    tag: TagOption = None,
    text: TextOption = None,
    format: FormatOption = None,
    json_flag: JsonOption = False,
    data: DataOption = None,
) -> None:
    """Count reports and recommendations, in total and per group.

    Takes filter's criteria and summarises exactly the reports filter would
    list. Recommendations the summary does not count (null) add nothing; the
    concurrence rate is concurred / recommendations, unknown when there are none.
    """
    from oigcli.stats import summarize

    env = _env(ctx)
    out = _format(format, json_flag)
    criteria = _criteria(component, fy, tag, text)
    summary = summarize(query.select(_load(env, data), criteria), by)
    env.write(render.to_json(summary) if out is Format.json else render.stats_table(summary))


def main() -> None:
    app(prog_name="oigcli")
