"""Options shared by several commands, each declared once so it means the same everywhere.

Single options are ``Annotated`` aliases. Options that come together are option groups:
the selection criteria (filter, search, stats), the output shaping options (list, filter,
search) and the data and format options (every command). A command decorated with
``@CRITERIA.adds`` gets every criterion as a command-line option and receives them as one
``criteria`` argument, already parsed.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Sequence
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any, NamedTuple, TypeVar

import typer

from oigcli.api import Shape
from oigcli.cli import complete
from oigcli.model.errors import UsageError
from oigcli.model.text import DATE_EXAMPLES, did_you_mean
from oigcli.output.formats import FORMAT_ALIASES, Format

if TYPE_CHECKING:
    from oigcli.query import criteria as query

F = TypeVar("F", bound=Callable[..., Any])


def core_parser(parse: Callable[[str], Any]) -> Callable[[str], Any]:
    """A core parser as a Typer ``parser=``: its UsageError becomes Click's BadParameter."""

    def parser(value: str) -> Any:
        try:
            return parse(value)
        except UsageError as exc:
            raise typer.BadParameter(str(exc)) from None

    return parser


def _parse_year_range(value: str) -> Any:
    from oigcli.query.criteria import parse_year_range  # (imported when used: start-up)

    return parse_year_range(value)


def _parse_period(value: str) -> Any:
    from oigcli.model.dates import parse_period

    return parse_period(value)


def _parse_condition(value: str) -> Any:
    from oigcli.query.where import parse_condition

    return parse_condition(value)


Parsed = object
"""The run-time annotation of an option whose ``parser=`` makes its value (Typer then
ignores the type); the commands see the parsed objects through the option groups."""


class Colour(str, Enum):
    auto = "auto"
    always = "always"
    never = "never"


def one_of(value: str, choices: Sequence[str], what: str) -> str:
    """``value`` if it is one of ``choices``, else Click's BadParameter listing them all."""
    if value in choices:
        return value
    hint = did_you_mean(value, choices)
    raise typer.BadParameter(f"{value!r} is not {what}; choose from {', '.join(choices)}.{hint}")


def _table_style(value: str) -> str:
    from tabulate import tabulate_formats

    return one_of(value, tabulate_formats, "a table style")


def _format(value: str) -> Format:
    """A --format value, in any case; ``md`` is markdown."""
    name = value.strip().lower()
    if name in FORMAT_ALIASES:
        return FORMAT_ALIASES[name]
    return Format(one_of(name, [f.value for f in Format], "an output format"))


FormatOption = Annotated[
    Parsed | None,
    typer.Option(
        "--format",
        "-f",
        metavar="FORMAT",
        parser=_format,
        autocompletion=lambda incomplete: [
            f.value for f in Format if f.value.startswith(incomplete)
        ],
        help="Output format: table (for people; the default), json, jsonl (one object a "
        "line), csv, tsv, or markdown (md; for documents).",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Shortcut for --format json.")]
DataOption = Annotated[
    str | None,
    typer.Option(
        "--data",
        metavar="PATH",
        help="Read reports from this JSON or JSON Lines file, an inspectors-general "
        "scraper directory, its bulk zip (ZIP or ZIP/FOLDER, read in place), or - for stdin. "
        "Default: $OIGCLI_DATA, else the bundled dataset.",
    ),
]
FieldsOption = Annotated[
    str | None,
    typer.Option(
        "--fields",
        metavar="A,B,C",
        autocompletion=complete.fields,
        help="The fields to print, in this order, in every format. Default: every field "
        "in json, jsonl, csv and tsv; the command's columns in table and markdown.",
    ),
]


def _evaluated(param: inspect.Parameter, command: Callable[..., Any]) -> inspect.Parameter:
    """The parameter with a string annotation (``"query.Criteria"``) resolved where the
    command's module can resolve it; left as it is otherwise. Only the group parameters
    are written so, and each group's decorator removes its own before Typer looks."""
    if not isinstance(param.annotation, str):
        return param
    namespace = getattr(inspect.unwrap(command), "__globals__", {})
    head, *rest = param.annotation.split(".")
    value = namespace.get(head)
    for name in rest:
        value = getattr(value, name, None)
    return param if value is None else param.replace(annotation=value)


class OptionGroup(NamedTuple):
    """Options that several commands share, handed to each command as one built value."""

    param: str
    """The name of the command's parameter that receives the built value."""
    options: dict[str, tuple[Any, Any]]
    """Option parameter name -> (Annotated type, default)."""
    build: Callable[..., Any]
    last: bool = False
    """List these options after the command's own (for options every command has)."""

    def adds(self, command: F) -> F:
        signature = inspect.signature(command)
        own = [
            _evaluated(p, command) for p in signature.parameters.values() if p.name != self.param
        ]
        added = [
            inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=d, annotation=a)
            for name, (a, d) in self.options.items()
        ]
        required = [p for p in own if p.default is inspect.Parameter.empty]
        rest = [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in own if p not in required]

        @functools.wraps(command)
        def wrapper(**kwargs: Any) -> Any:
            values = {name: kwargs.pop(name) for name in self.options}
            kwargs[self.param] = self.build(**values)
            return command(**kwargs)

        ordered = [*required, *rest, *added] if self.last else [*required, *added, *rest]
        wrapper.__signature__ = signature.replace(  # type: ignore[attr-defined]
            parameters=ordered
        )
        # Typer also reads __annotations__; they must describe the new signature, not the
        # command's (whose group parameters it never sees).
        wrapper.__annotations__ = {p.name: p.annotation for p in ordered}
        return wrapper  # type: ignore[return-value]


def _build_criteria(**values: Any) -> query.Criteria:
    from oigcli.query.criteria import Criteria

    return Criteria.from_options(**values)


CRITERIA = OptionGroup(
    "criteria",
    {
        "component": (
            Annotated[
                list[str] | None,
                typer.Option(
                    "--component",
                    "-c",
                    metavar="NAME",
                    autocompletion=complete.components,
                    help="Reports that concern this agency or DHS component, e.g. CBP "
                    "(case-insensitive; a report may concern several). Repeat to match any "
                    "of several.",
                ),
            ],
            None,
        ),
        "inspector": (
            Annotated[
                list[str] | None,
                typer.Option(
                    "--inspector",
                    metavar="NAME",
                    autocompletion=complete.inspectors,
                    help="Reports of this Office of Inspector General, as the "
                    "inspectors-general scraper names it, e.g. dhs (case-insensitive). "
                    "Repeat to match any of several.",
                ),
            ],
            None,
        ),
        "fy": (
            Annotated[
                Parsed | None,
                typer.Option(
                    "--fy",
                    metavar="YEAR|FROM..TO",
                    parser=core_parser(_parse_year_range),
                    help="Federal fiscal year (FY2021 = 1 Oct 2020 to 30 Sep 2021), or an "
                    "inclusive range: 2019..2021, 2019.., ..2021.",
                ),
            ],
            None,
        ),
        "tag": (
            Annotated[
                list[str] | None,
                typer.Option(
                    "--tag",
                    metavar="TAG",
                    autocompletion=complete.tags,
                    help="Reports with this tag, e.g. OFO (case-insensitive). "
                    "Repeat to require all of several.",
                ),
            ],
            None,
        ),
        "text": (
            Annotated[
                str | None,
                typer.Option(
                    "--text",
                    "-t",
                    metavar="WORDS",
                    help="Reports whose title, summary or full text contains every one of "
                    "these words (case-insensitive; parts of words count: 'recommend' finds "
                    "'recommendations').",
                ),
            ],
            None,
        ),
        "since": (
            Annotated[
                Parsed | None,
                typer.Option(
                    "--since",
                    metavar="DATE",
                    parser=core_parser(_parse_period),
                    help=f"Issued on or after the start of DATE ({DATE_EXAMPLES}): "
                    "--since 2021 starts on 1 January 2021. A report whose issue date is "
                    "unknown counts only when its whole fiscal year is inside the window.",
                ),
            ],
            None,
        ),
        "until": (
            Annotated[
                Parsed | None,
                typer.Option(
                    "--until",
                    metavar="DATE",
                    parser=core_parser(_parse_period),
                    help="Issued on or before the end of DATE: --until 2021-06 includes "
                    "30 June 2021. Unknown dates: as for --since.",
                ),
            ],
            None,
        ),
        "where": (
            Annotated[
                list[Parsed] | None,
                typer.Option(
                    "--where",
                    "-w",
                    metavar="EXPR",
                    autocompletion=complete.conditions,
                    parser=core_parser(_parse_condition),
                    help="A comparison on any field, repeatable: FIELD=VALUE, !=, <, <=, >, >= "
                    "(numbers and dates compare as such; text ignoring case), or "
                    "FIELD~REGEX (Python; (?i) ignores case). For tags and components, = means "
                    "contains. "
                    "Unknown (null) values match only FIELD=null.",
                ),
            ],
            None,
        ),
        "redacted": (
            Annotated[
                bool,
                typer.Option("--redacted", help="Only reports whose public version is redacted."),
            ],
            False,
        ),
        "not_redacted": (
            Annotated[
                bool,
                typer.Option(
                    "--not-redacted", help="Only reports whose public version is not redacted."
                ),
            ],
            False,
        ),
        "nonconcurred": (
            Annotated[
                bool,
                typer.Option(
                    "--nonconcurred",
                    help="Only reports with at least one recommendation the agency did not "
                    "concur with.",
                ),
            ],
            False,
        ),
    },
    _build_criteria,
)


SHAPE = OptionGroup(
    "shape",
    {
        "sort": (
            Annotated[
                list[str] | None,
                typer.Option(
                    "--sort",
                    "-s",
                    metavar="FIELD",
                    autocompletion=complete.sort_keys,
                    help="Sort by this field; repeat or separate with commas for more keys, "
                    "and start a key with - to sort it descending (--sort=-recommendations). "
                    "Unknown values sort last either way. Default: newest first.",
                ),
            ],
            None,
        ),
        "limit": (
            Annotated[
                int | None,
                typer.Option("--limit", "-n", min=0, metavar="N", help="Print at most N reports."),
            ],
            None,
        ),
        "offset": (
            Annotated[
                int,
                typer.Option(
                    "--offset", min=0, metavar="N", help="Skip the first N reports (after sorting)."
                ),
            ],
            0,
        ),
        "fields": (FieldsOption, None),
    },
    lambda sort, limit, offset, fields: Shape(tuple(sort or ()), limit, offset, fields),
)


class InOut(NamedTuple):
    """Where the reports come from (None: the bundled dataset) and how they are printed."""

    data: str | None
    format: Format
    style: str | None = None
    """The tabulate style of tables; None: the command's own layout."""
    colour: Colour = Colour.auto
    pager: bool = True
    safe_cells: bool = True
    """Guard CSV/TSV cells that a spreadsheet would run as formulas."""
    cache: bool = True
    """Use (and build) the --data file's index in the cache."""
    verbose: bool = False
    """Say on stderr what was decided about the cache."""
    bom: bool = False
    """Start CSV and TSV with a UTF-8 byte-order mark (for Excel)."""
    skip_invalid: bool = False
    """Leave out the records with problems instead of refusing the dataset."""


def _build_in_out(
    format: Format | None,
    json_flag: bool,
    table_format: str | None,
    color: Colour,
    no_pager: bool,
    raw_cells: bool,
    data: str | None,
    no_cache: bool,
    verbose: bool,
    bom: bool,
    skip_invalid: bool,
) -> InOut:
    if json_flag and format not in (None, Format.json):
        raise UsageError(f"--json and --format {format.value} disagree; give one of them")
    chosen = Format.json if json_flag else format or Format.table
    if bom and chosen not in (Format.csv, Format.tsv):
        raise UsageError(f"--bom is for csv and tsv (Excel's UTF-8), not {chosen.value}")
    return InOut(
        data,
        chosen,
        table_format,
        color,
        not no_pager,
        not raw_cells,
        not no_cache,
        verbose,
        bom,
        skip_invalid,
    )


IN_OUT = OptionGroup(
    "io",
    {
        "format": (FormatOption, None),
        "json_flag": (JsonOption, False),
        "table_format": (
            Annotated[
                str | None,
                typer.Option(
                    "--table-format",
                    metavar="STYLE",
                    autocompletion=complete.table_styles,
                    parser=_table_style,
                    help="The style of table output: any tabulate style, e.g. plain, simple "
                    "(the default), grid, psql, pipe, github, html, latex.",
                ),
            ],
            None,
        ),
        "color": (
            Annotated[
                Colour,
                typer.Option(
                    "--color",
                    case_sensitive=False,
                    help="Colour: auto (only on a terminal, and not with NO_COLOR set or "
                    "TERM=dumb), always, or never.",
                ),
            ],
            Colour.auto,
        ),
        "no_pager": (
            Annotated[
                bool,
                typer.Option(
                    "--no-pager",
                    help="Never page. By default output taller than the terminal goes "
                    "through $PAGER (less), and output to a pipe or file never does.",
                ),
            ],
            False,
        ),
        "raw_cells": (
            Annotated[
                bool,
                typer.Option(
                    "--raw-cells",
                    help="Write CSV and TSV cells exactly as in the data. By default a text "
                    "cell that starts with = + - @, a tab or a carriage return gets a "
                    "leading ', so a spreadsheet shows it instead of running it as a formula.",
                ),
            ],
            False,
        ),
        "bom": (
            Annotated[
                bool,
                typer.Option(
                    "--bom",
                    help="Start CSV or TSV output with a UTF-8 byte-order mark, so that Excel "
                    "on Windows reads it as UTF-8 (curly quotes and accents intact).",
                ),
            ],
            False,
        ),
        "data": (DataOption, None),
        "no_cache": (
            Annotated[
                bool,
                typer.Option(
                    "--no-cache",
                    envvar="OIGCLI_NO_CACHE",
                    show_envvar=False,
                    help="Read the --data file itself: neither use nor make its index in "
                    "the cache ($XDG_CACHE_HOME/oigcli, else ~/.cache/oigcli). Files of 1 MiB "
                    "or more are indexed after a first query, for faster repeated ones. "
                    "OIGCLI_NO_CACHE=1 does the same for every command.",
                ),
            ],
            False,
        ),
        "skip_invalid": (
            Annotated[
                bool,
                typer.Option(
                    "--skip-invalid",
                    envvar="OIGCLI_SKIP_INVALID",
                    show_envvar=False,
                    help="Use a dataset with problems without the records that have them "
                    "(saying on stderr how many were left out, and where), instead of "
                    "exiting 3. OIGCLI_SKIP_INVALID=1 does the same for every command; "
                    "validate always lists every problem.",
                ),
            ],
            False,
        ),
        "verbose": (
            Annotated[
                bool,
                typer.Option(
                    "--verbose",
                    help="Say on stderr why the cache is not used, when it is not (for "
                    "example a cache folder that others can write to).",
                ),
            ],
            False,
        ),
    },
    _build_in_out,
    last=True,
)


def _build_data_only(data: str | None, no_cache: bool, verbose: bool, skip_invalid: bool) -> InOut:
    return InOut(data, Format.table, cache=not no_cache, verbose=verbose, skip_invalid=skip_invalid)


DATA_ONLY = OptionGroup(
    "io",
    {name: IN_OUT.options[name] for name in ("data", "no_cache", "verbose", "skip_invalid")},
    _build_data_only,
    last=True,
)
"""Where the reports come from, for a command that prints no table or JSON (``open``)."""


def _build_paged_data(
    data: str | None, no_cache: bool, verbose: bool, skip_invalid: bool, no_pager: bool
) -> InOut:
    return InOut(
        data,
        Format.table,
        pager=not no_pager,
        cache=not no_cache,
        verbose=verbose,
        skip_invalid=skip_invalid,
    )


PAGED_DATA = OptionGroup(
    "io",
    {
        name: IN_OUT.options[name]
        for name in ("data", "no_cache", "verbose", "skip_invalid", "no_pager")
    },
    _build_paged_data,
    last=True,
)
"""Where the reports come from, and --no-pager, for a command that prints a document of
its own format (``report``)."""


TitleOption = Annotated[
    str,
    typer.Option(
        "--title",
        metavar="TEXT",
        help="The title of what is written: the brief's heading (report), the site's "
        "title in Datasette (export).",
    ),
]
TITLE = "Inspector General reports"


def _build_output_only(**values: Any) -> InOut:
    return _build_in_out(data=None, **values)


OUTPUT_ONLY = OptionGroup(
    "io",
    {name: option for name, option in IN_OUT.options.items() if name != "data"},
    _build_output_only,
    last=True,
)
"""How the output is printed and the datasets read, for a command that names its datasets
itself (``diff OLD NEW``)."""
