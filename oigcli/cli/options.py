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
from typing import Annotated, Any, NamedTuple, TypeVar

import typer

from oigcli.api import Shape
from oigcli.cli import complete
from oigcli.model.errors import UsageError
from oigcli.model.text import did_you_mean
from oigcli.output.formats import FORMAT_ALIASES, Format
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


def _criterion_option(option: query.Option) -> tuple[Any, Any]:
    """A criterion's option (oigcli.query.criteria) as an option group's entry."""
    if option.switch:
        return Annotated[bool, typer.Option(*option.flags, help=option.help)], False
    settings: dict[str, Any] = {"metavar": option.metavar, "help": option.help}
    if option.parse is not None:
        settings["parser"] = core_parser(option.parse)
    if option.completes is not None:
        settings["autocompletion"] = complete.for_criterion(option.completes)
    kind: Any = Parsed if option.parse is not None else str
    kind = list[kind] | None if option.many else kind | None
    return Annotated[kind, typer.Option(*option.flags, **settings)], None


CRITERIA = OptionGroup(
    "criteria",
    {option.name: _criterion_option(option) for option in query.OPTIONS.values()},
    query.Criteria.from_options,
)
"""Every criterion's options, declared in oigcli.query.criteria.CRITERIA."""


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


def _build_printed(**values: Any) -> InOut:
    return _build_in_out(data=None, no_cache=False, verbose=False, skip_invalid=False, **values)


PRINTED = OptionGroup(
    "io",
    {
        name: IN_OUT.options[name]
        for name in ("format", "json_flag", "table_format", "color", "no_pager", "raw_cells", "bom")
    },
    _build_printed,
    last=True,
)
"""How the output is printed, for a command that reads no dataset (``cache``)."""


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
