"""The command-line interface: parse options, call the core, hand results to render.

Each command is the same three steps: load the dataset, select reports, render them.
Errors from the core (``oigcli.errors``) become a message on stderr and an exit status in
one place, ``OigGroup.invoke``.
"""

import contextlib
import errno
import io
import os
import re
import sys
from collections.abc import Sequence
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer._click import Context as ClickContext  # typer>=0.27 vendors click
from typer.core import TyperGroup

from oigcli import __version__, complete
from oigcli.api import Shape
from oigcli.context import Environment
from oigcli.errors import DatasetError, NotFound, OigError, OutputError, UsageError
from oigcli.options import (
    CRITERIA,
    DATA_ONLY,
    IN_OUT,
    OUTPUT_ONLY,
    SHAPE,
    TITLE,
    FieldsOption,
    Format,
    InOut,
    TitleOption,
    core_parser,
)
from oigcli.schema import FIELD_NAMES, LIST_COLUMNS, SHOWN_NAMES, TEXT, Report
from oigcli.text import or_list

if TYPE_CHECKING:  # imported where they are used, so that start-up pays only for those
    from collections.abc import Iterator

    from oigcli import api, compare, query


class OigGroup(TyperGroup):
    """Turns the core's errors into stderr text and the documented exit status."""

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        """As click's main, but every usage error is two lines on stderr, ``Error: ...``
        and where to find help (click prints the usage line first), sanitised, with a
        pointer to the command that has an option the user gave to another one."""
        from typer._click.exceptions import ClickException, NoArgsIsHelpError
        from typer._click.exceptions import UsageError as ClickUsageError

        if "_OIGCLI_COMPLETE" in os.environ:  # a Tab press: candidates safe for the shell
            complete.use_safe_completion()
        argv = list(sys.argv[1:] if args is None else args)
        if not standalone_mode:
            return super().main(argv, prog_name, complete_var, False, **extra)
        env = extra.get("obj") if isinstance(extra.get("obj"), Environment) else None
        try:
            status = super().main(argv, prog_name, complete_var, False, **extra)
        except NoArgsIsHelpError as exc:  # `oigcli` alone: the help, on stderr
            exc.show()
            sys.exit(exc.exit_code)
        except ClickUsageError as exc:
            env = env or Environment()
            env.error(f"Error: {_usage_message(exc, argv, self)}")
            command = exc.ctx.command_path if exc.ctx else "oigcli"
            env.error(f"Try '{command} --help' for help.")
            sys.exit(exc.exit_code)
        except ClickException as exc:
            (env or Environment()).error(f"Error: {exc.format_message()}")
            sys.exit(exc.exit_code)
        except typer.Abort:
            (env or Environment()).error("Aborted.")
            sys.exit(1)
        except KeyError as exc:  # a completion request without its shell's variables
            if "_OIGCLI_COMPLETE" not in os.environ:
                raise
            (env or Environment()).error(
                f"Error: completion needs {exc.args[0]}, which the shell sets; "
                "run 'oigcli --install-completion' to set it up"
            )
            sys.exit(2)
        except BrokenPipeError:  # help or completion into `| head`
            _quiet_stdout()
            sys.exit(0)
        except OSError as exc:  # help, --version or completion into a full disk
            if exc.errno not in WRITE_ERRORS:
                raise
            _quiet_stdout()
            (env or Environment()).error(f"Error: cannot write output: {exc.strerror or exc}")
            sys.exit(OutputError.exit_code)
        sys.exit(status if isinstance(status, int) else 0)

    def invoke(self, ctx: ClickContext) -> Any:
        try:
            return super().invoke(ctx)
        except OigError as exc:
            env = _env(ctx)
            env.error(f"Error: {exc}")
            if isinstance(exc, OutputError):
                _quiet_stdout()  # what is still buffered must not fail again at exit
            if isinstance(exc, UsageError):
                env.error(f"Try '{ctx.command_path} {ctx.invoked_subcommand} --help' for help.")
            raise typer.Exit(exc.exit_code) from None
        except BrokenPipeError:
            _quiet_stdout()
            raise typer.Exit(0) from None


WRITE_ERRORS = frozenset({errno.ENOSPC, errno.EIO, errno.EDQUOT, errno.EFBIG, errno.EROFS})
"""What writing to stdout can fail with (what click writes itself: help, the version,
completion candidates), for exit status 4."""


def _usage_message(exc: Any, argv: Sequence[str], group: TyperGroup) -> str:
    """Click's message, and for an option that only other commands take, the command line
    that would work there (``oigcli list -c CBP``: did you mean ``oigcli filter -c CBP``?)."""
    import shlex

    from typer._click.exceptions import NoSuchOption

    message = str(exc.format_message())
    if not isinstance(exc, NoSuchOption) or not argv:
        return message
    commands = _all_commands(group)
    having = [name for name, info in commands.items() if exc.option_name in _option_names(info)]
    if not having:
        return message
    where = f"{or_list(having)} take{'s' if len(having) == 1 else ''} it"
    working = [name for name in having if _parses(commands[name], argv[1:])]
    # click's own "(Possible options: ...)" guesses within this command: not what was meant
    if not working:  # no command takes the whole line: no command line to offer
        return f"No such option: {exc.option_name} ({where})"
    line = shlex.join(["oigcli", working[0], *argv[1:]])
    return f"No such option: {exc.option_name}; did you mean `{line}`? ({where})"


def _parses(command: Any, args: Sequence[str]) -> bool:
    """Whether ``command`` takes ``args`` as they are: options, values and arguments
    (nothing is run; a line that asks for help is not offered)."""
    from typer._click.exceptions import ClickException

    if {"-h", "--help", "--version"} & set(args):
        return False
    try:
        command.make_context("oigcli", list(args)).close()
    except (ClickException, typer.Exit):
        return False
    return True


def _option_names(command: Any) -> set[str]:
    """Every option a command takes, long and short, and --help."""
    names = {"--help", "-h"}
    for parameter in command.params:
        names.update(parameter.opts)
        names.update(parameter.secondary_opts)
    return names


def _all_commands(group: TyperGroup) -> dict[str, Any]:
    """Every command of the app, also those left out for a fast start-up."""
    import typer.main

    if len(group.commands) == len(ALL_COMMANDS):
        return dict(group.commands)
    whole = typer.main.get_group(typer.Typer(cls=OigGroup))
    for info in ALL_COMMANDS:
        command = typer.main.get_command_from_info(
            info, pretty_exceptions_short=False, rich_markup_mode=None
        )
        whole.add_command(command, command.name)
    return dict(whole.commands)


def _quiet_stdout() -> None:
    """The reader went away (``| head``): send what is left to /dev/null and exit quietly."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


EXIT_STATUS = (
    "Exit status: 0 success (an empty result too), 1 a named report does not\n"
    "exist, 2 a usage error, 3 a dataset that cannot be read or is invalid,\n"
    "4 the output cannot be written."
)


def _epilog(*examples: str, status: str = EXIT_STATUS) -> str:
    """The Examples and Exit status sections every --help ends with (\b keeps the lines)."""
    lines = "\n".join(f"  {example}" for example in examples)
    return f"\b\nExamples:\n{lines}\n\n\b\n{status}"


app = typer.Typer(
    cls=OigGroup,
    name="oigcli",
    help="Query Inspector General reports from the shell: the bundled DHS OIG reports, "
    "or any archive of the inspectors-general scraper.",
    epilog=_epilog(
        "oigcli list",
        "oigcli show 21-27",
        "oigcli filter --text medical --json | jq '.[].title'",
        "oigcli search 'mail*' --limit 2",
        "oigcli stats --by component",
    ),
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _env(ctx: ClickContext, io: InOut | None = None) -> Environment:
    """The Environment (the tests' own, or the process's), with the user's --color and
    --no-pager applied."""
    env = ctx.find_object(Environment)
    if env is None:
        env = ctx.find_root().ensure_object(Environment)
    if io is not None:
        env.colour_mode = io.colour.value
        env.paging = io.pager
        env.verbose = io.verbose
    return env


def _data_path(env: Environment, path: str | None) -> str | None:
    """--data, else $OIGCLI_DATA, else None (the bundled dataset). Standard input must
    be a pipe or a file, not a terminal nobody is typing JSON into."""
    if path == "":
        raise UsageError("--data is empty; give a file or folder, or - for standard input")
    path = path or env.environ.get("OIGCLI_DATA") or None
    if path == "-" and env.stdin_isatty:
        raise UsageError(
            "--data - reads the dataset from standard input, which is a terminal; "
            "pipe one in, e.g. oigcli list --json | oigcli stats --data -"
        )
    return path


@contextlib.contextmanager
def _asking(env: Environment, io: InOut) -> "Iterator[api.Reports]":
    """The active dataset's reports (oigcli.api), asked as the options say: --verbose
    says why its index is not used, and a dataset error names OIGCLI_DATA when the path
    came from there."""
    path = _data_path(env, io.data)
    reports = _reports(env, io, path)
    try:
        yield reports
    except DatasetError as exc:
        if io.data is None and path is not None:  # the path came from the environment
            raise DatasetError(_from_environment(str(exc), path)) from None
        raise


def _reports(env: Environment, io: InOut, path: str | None) -> "api.Reports":
    """The reports of the dataset at ``path``, read as the options say (--no-cache,
    --skip-invalid); --verbose says why its index is not used."""
    from oigcli import api

    reports = api.Reports(
        path, stdin=env.stdin, cache=io.cache, environ=env.environ, skip_invalid=io.skip_invalid
    )
    _, reason = reports.cache_folder()
    if reason:
        env.note(f"not using the cache: {reason}; reading the file itself")
    return reports


def _from_environment(message: str, path: str) -> str:
    """A dataset error about a path that OIGCLI_DATA gave, saying so."""
    if message.startswith(path):
        return f"OIGCLI_DATA={path}{message[len(path) :]}"
    first, newline, rest = message.partition("\n")
    return f"{first} (the dataset is OIGCLI_DATA={path}){newline}{rest}"


def _empty_note(shaped: "api.Selection") -> str:
    """What an empty table says on stderr: no match, or a page with none of the matches."""
    if not shaped.matched:
        return "No reports match."
    matched = f"{shaped.matched} report{'s' if shaped.matched != 1 else ''} match"
    if shaped.shape.limit == 0:
        return f"--limit 0 shows none of them ({matched})."
    return f"--offset {shaped.shape.offset} skips them all ({matched}); this page is empty."


NUMBER_FORMS = (
    "OIG-21-63, oig-21-63 and 21-63 are the same report; an id (dhs/OIG-21-63) names one "
    "report of one inspector."
)
"""How report numbers may be written, in the help of the commands that take them."""

PEOPLE = (Format.table, Format.markdown)
"""Formats for people: by default they show the command's columns, not every field."""


def _emit(
    env: Environment,
    io: InOut,
    shaped: "api.Selection",
    columns: Sequence[str],
    every: Sequence[str],
    mark: re.Pattern[str] | None = None,
) -> None:
    """Rows in the chosen format, with the chosen fields; by default ``columns`` for people
    and ``every`` field for programs. An empty table is a note on stderr. On a terminal,
    a default table too wide for it leaves out the columns unknown in every row, and says
    so; ``mark`` (search's terms) is highlighted in colour and centres cut snippets."""
    from oigcli import output, render

    _notes(env, shaped.notes)
    chosen = shaped.chosen
    fields = chosen or (columns if io.format in PEOPLE else every)
    writer = output.writer_for(io)
    if writer is not None:  # each row written as the source gives it
        env.stream(writer.chunks(shaped.rows, fields))
        return
    rows = list(shaped.rows)  # a table needs every row for its widths
    if not rows:
        env.error(_empty_note(shaped))
        return
    if chosen is None:
        fields = render.varying(rows, fields)
    if io.format is Format.markdown:
        env.output(render.reports_markdown(rows, fields))
        return
    style, width = io.style or "simple", env.terminal_width
    if width and chosen is None:
        fields, dropped = render.fitting_columns(rows, fields, style, width)
        if dropped:
            env.error(f"Not shown: {', '.join(dropped)} (unknown in every row).")
    highlight = mark if env.colour else None
    text = render.reports_table(rows, fields, style, width, highlight, centre=mark)
    env.output(text, decorated=highlight is not None)


def _notes(env: Environment, notes: list[str]) -> None:
    """Notes for a person on stderr (data on stdout and the exit status are unchanged)."""
    for note in notes:
        env.error(note)


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
    pass


@app.command(
    "list",
    epilog=_epilog(
        "oigcli list",
        "oigcli list --sort=-recommendations --limit 3 --fields report_number,recommendations",
        "oigcli list --json | jq 'map(select(.redacted)) | length'",
    ),
)
@SHAPE.adds
@IN_OUT.adds
def list_(
    ctx: typer.Context,
    shape: Shape,
    io: InOut,
) -> None:
    """List every report, newest first.

    Newest first means by fiscal year, then issue date (unknown dates after
    known ones), then report number compared as numbers (OIG-21-9 before
    OIG-21-19).
    """
    env = _env(ctx, io)
    with _asking(env, io) as reports:
        _emit(env, io, reports.select(None, shape), LIST_COLUMNS, SHOWN_NAMES)


@app.command(
    epilog=_epilog(
        "oigcli show 21-27",
        "oigcli show OIG-21-63 OIG-21-48",
        "oigcli show 21-27 --json | jq .recommendations",
    ),
)
@IN_OUT.adds
def show(
    ctx: typer.Context,
    numbers: Annotated[
        list[str],
        typer.Argument(
            metavar="NUMBER|ID...",
            autocompletion=complete.report_numbers,
            help=f"Report numbers or ids: {NUMBER_FORMS}",
            show_default=False,
        ),
    ],
    io: InOut,
    fields: FieldsOption = None,
) -> None:
    """Show reports in full: every field, unknown values as "unknown".

    The full text is long: show says how long it is, and --fields text prints it.
    With --json, one number prints one object and several print an array in the
    order asked. Numbers that do not exist are named on stderr, with close ones,
    after the reports that do; the exit status is then 1. A number that several
    reports have (two inspectors' 14-01) is an error (exit 2) that lists their
    ids: show one by its id.
    """
    from oigcli import query

    env = _env(ctx, io)
    chosen = SHOWN_NAMES if fields is None else query.parse_fields(fields, FIELD_NAMES)
    length = fields is None and io.format in PEOPLE  # a person is told the text's length
    with _asking(env, io) as reports:
        located, missing, notes = reports.locate(numbers, texts=length or TEXT in chosen)
    _notes(env, notes)
    if located:  # as gh does: what was found is printed; what was not, named (exit 1)
        rows = query.project(located, chosen)
        if length:
            for row, report in zip(rows, located, strict=True):
                row[TEXT] = _text_length(report.get(TEXT))
        _show(env, io, rows, chosen, several=len(numbers) > 1)
    if missing:
        raise NotFound(missing)


def _text_length(text: str | None) -> str | None:
    """What ``show`` says of a report's full text instead of printing it."""
    if text is None:
        return None
    return f"{len(text):,} characters (--fields text prints it)"


def _show(
    env: Environment, io: InOut, reports: list[Report], chosen: Sequence[str], several: bool
) -> None:
    from oigcli import output, render

    writer = output.writer_for(io)
    if writer is not None:  # one number: one JSON object
        env.stream(writer.chunks(reports, chosen, None if several else reports[0]))
        return
    if io.format is Format.markdown:
        text = render.report_sections(reports)
    elif io.style:
        text = render.report_tables(reports, io.style)
    else:
        text = render.report_pages(reports, min(env.width or 80, 100))
    env.output(text)


@app.command(
    "open",
    epilog=_epilog(
        "oigcli open OIG-21-40 --data inspectors-general/data",
        "oigcli open OIG-21-40 --print --data inspectors-general/data",
    ),
)
@DATA_ONLY.adds
def open_(
    ctx: typer.Context,
    number: Annotated[
        str,
        typer.Argument(
            metavar="NUMBER|ID",
            autocompletion=complete.report_numbers,
            help=f"A report number or id: {NUMBER_FORMS}",
            show_default=False,
        ),
    ],
    io: InOut,
    print_url: Annotated[
        bool,
        typer.Option(
            "--print",
            help="Print the link instead of opening it (as also happens when no browser "
            "can be started).",
        ),
    ] = False,
) -> None:
    """Open a report's document in the browser, or else its landing page.

    Only web addresses (http, https) are opened. A report with neither link
    known exits 1 and says so (an unreleased report may have only its landing
    page).
    """
    from oigcli.text import sanitise, web_address

    env = _env(ctx, io)
    with _asking(env, io) as reports:
        located, missing, notes = reports.locate([number])
    _notes(env, notes)
    if missing:
        raise NotFound(missing)
    report = located[0]
    url = report["document_url"] or report["landing_url"]
    shown = sanitise(report["id"])
    if not url:
        raise NotFound(
            f"{shown} has no known link to its document or landing page, so there is "
            "nothing to open"
        )
    if not web_address(url):
        raise NotFound(
            f"{shown}'s link {sanitise(url)!r} is not a web address (http or https); "
            "it is not opened"
        )
    if not print_url and env.browse(url):
        return
    if not print_url:
        env.error("Note: no browser could be started; the link is:")
    env.write(url + "\n")


@app.command(
    "filter",
    epilog=_epilog(
        "oigcli filter --component cbp --fy 2021",
        'oigcli filter --text "medical migrants"',
        "oigcli filter --nonconcurred --json | jq -r '.[].title'",
        "oigcli filter --where 'recommendations>=5' --where 'title~(?i)mail|device'",
        "oigcli filter --since 2020-10 --until 2021-09 --not-redacted",
    ),
)
@CRITERIA.adds
@SHAPE.adds
@IN_OUT.adds
def filter_(
    ctx: typer.Context,
    criteria: "query.Criteria",  # built by CRITERIA from the options it adds
    shape: Shape,
    io: InOut,
) -> None:
    """List the reports that match every given criterion, newest first.

    No criteria lists every report. No match is not an error: the table is
    empty (a note goes to stderr) and JSON is [].
    """

    env = _env(ctx, io)
    with _asking(env, io) as reports:
        _emit(env, io, reports.select(criteria, shape), LIST_COLUMNS, SHOWN_NAMES)


SEARCH_COLUMNS = ("report_number", "inspector", "score", "title", "snippet")


@app.command(
    epilog=_epilog(
        "oigcli search medical care",
        "oigcli search '\"mail facility\"' inspection",
        "oigcli search 'canine OR \"mail facility\" -jfk'",
        "oigcli search 'recommend*' --fy 2021 --limit 3 --json | jq -r '.[].snippet'",
    ),
)
@CRITERIA.adds
@SHAPE.adds
@IN_OUT.adds
def search(
    ctx: typer.Context,
    words: Annotated[
        list[str],
        typer.Argument(
            metavar="QUERY...",
            help='Words and "quoted phrases" (one argument or several), all of which must '
            "appear in the title, summary or full text (whole words, any case; a word "
            "matches every word with its English stem, a phrase as written); word* matches "
            'words that start with word; a OR b needs either; -word (or -"a phrase") leaves '
            "out the reports that have it: write it inside the query's quotes "
            "('medical -care') or after --.",
            show_default=False,
        ),
    ],
    criteria: "query.Criteria",  # built by CRITERIA from the options it adds
    shape: Shape,
    io: InOut,
) -> None:
    """Search titles, summaries and full texts, best match first.

    Ranked by BM25F relevance, the title weighing three times the summary. Each
    result has a score and a snippet of the text around the first match
    (highlighted on a terminal). Takes filter's criteria; --sort replaces the
    ranking.
    """
    from oigcli import api
    from oigcli import search as engine

    env = _env(ctx, io)
    terms = " ".join(words)  # several arguments are one query, as they would be quoted
    with _asking(env, io) as reports:
        shaped = reports.rank(terms, criteria, shape)
    pattern = engine.parse_query(terms).pattern()
    _emit(env, io, shaped, SEARCH_COLUMNS, api.SEARCH_SHOWN, mark=pattern)


@app.command(
    epilog=_epilog(
        "oigcli stats",
        "oigcli stats --by redacted",
        "oigcli stats --by component --since 2020-10 --json | jq .total.concurrence_rate",
    ),
)
@CRITERIA.adds
@IN_OUT.adds
def stats(
    ctx: typer.Context,
    criteria: "query.Criteria",  # built by CRITERIA from the options it adds
    io: InOut,
    by: Annotated[
        list[str] | None,
        typer.Option(
            "--by",
            metavar="FIELD",
            autocompletion=complete.groupings,
            parser=core_parser("stats:grouping"),
            help="Group by fiscal_year (the default), component, redacted, recommendations, "
            "oversight_area or another category; tag (a report counts once per tag); or "
            "year or month of the issue date (unknown dates in an 'unknown' group).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Count reports and recommendations, in total and per group.

    Takes filter's criteria and summarises exactly the reports filter would
    list. Recommendations the summary does not count (null) add nothing; the
    concurrence rate is concurred / recommendations, unknown when there are none.
    """
    from oigcli import output, render
    from oigcli.stats import COUNTS

    env = _env(ctx, io)
    if by and len(by) > 1:
        raise UsageError(f"--by is given {len(by)} times ({', '.join(by)}); stats groups by one")
    grouping = by[0] if by else "fiscal_year"
    with _asking(env, io) as reports:
        summary, notes = reports.summarize(criteria, grouping)
    _notes(env, notes)
    writer = output.writer_for(io)
    if writer is not None:  # JSON: the whole object; the others: one row per group
        counts = ("key", *COUNTS)
        headers = (grouping, *COUNTS)  # the total is the JSON object's alone
        env.stream(writer.chunks(summary["groups"], counts, summary, headers))
        return
    if io.format is Format.markdown:
        text = render.stats_markdown(summary)
    else:
        terminal = bool(env.stdout_isatty)
        style, width = io.style or "simple", env.width or 80
        text = render.stats_table(summary, style, width, unicode=terminal, fit=terminal)
    env.output(text)


@app.command(
    epilog=_epilog(
        "oigcli validate reports.jsonl",
        "oigcli validate inspectors-general/data/dhs --format json | jq length",
        "oigcli list --format jsonl | oigcli validate -",
    ),
)
@IN_OUT.adds
def validate(
    ctx: typer.Context,
    io: InOut,
    path: Annotated[
        str | None,
        typer.Argument(
            metavar="[PATH]",
            help="A JSON or JSON Lines file, a scraper directory, or - for stdin. "
            "Default: the active dataset (--data, $OIGCLI_DATA, else the bundled one).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Check a dataset and list every problem, each with its place.

    Checks JSON syntax, field types, required fields (report_number, title,
    fiscal_year), dates, duplicate ids, a fiscal year that disagrees
    with the issue date, and more recommendations concurred than made. Exits 0
    when the dataset is valid and 3 when it is not.
    """
    from oigcli import dataset, output, render
    from oigcli.text import sanitise

    env = _env(ctx, io)
    target = _data_path(env, io.data if path is None else path)
    try:
        data = dataset.read(target, env.stdin)
    except OigError as exc:  # nothing could be read: that is the one problem
        data = dataset.Dataset(target or dataset.BUNDLED)
        data.problems.append(dataset.Problem(data.source, str(exc).removeprefix(f"{target}: ")))
    rows = [p.as_dict() for p in data.problems]
    columns = dataset.PROBLEM_FIELDS
    writer = output.writer_for(io)
    if writer is not None:  # JSON keeps a problem's own order: source, message, ...
        json_like = writer.format in ("json", "jsonl")
        env.stream(writer.chunks(rows, dataset.Problem._fields if json_like else columns))
    elif io.format is Format.markdown:
        env.output(render.reports_markdown(rows, columns) if rows else "")
    elif rows:
        env.output("".join(f"{sanitise(str(p))}\n" for p in data.problems))
    else:
        env.output(f"{data.source}: {data.records} reports, no problems\n")
    if data.problems:
        count = len(data.problems)
        env.error(f"{count} problem{'s' if count != 1 else ''} in {data.source}")
        raise typer.Exit(3)


@app.command(
    epilog=_epilog(
        "oigcli diff reports.json reports.jsonl",
        "oigcli diff reports.json inspectors-general/data --json | jq '.added | length'",
        "oigcli diff reports.json inspectors-general/data -c CBP --format markdown",
        status="Exit status (as diff(1)): 0 the datasets are the same, 1 they differ,\n"
        "2 a usage error, 3 a dataset that cannot be read or is invalid, 4 the output\n"
        "cannot be written.",
    ),
)
@CRITERIA.adds
@OUTPUT_ONLY.adds
def diff(
    ctx: typer.Context,
    old: Annotated[
        str,
        typer.Argument(
            metavar="OLD",
            help="The earlier dataset: a JSON or JSON Lines file, a scraper folder, a zip, "
            "or - for stdin.",
            show_default=False,
        ),
    ],
    new: Annotated[
        str,
        typer.Argument(metavar="NEW", help="The later dataset, as OLD.", show_default=False),
    ],
    criteria: "query.Criteria",  # built by CRITERIA from the options it adds
    io: InOut,
) -> None:
    """Compare two datasets: the reports added, removed and changed.

    Reports are matched by id, and a changed report lists each field that differs
    with its old and new value (the full text is not compared). The criteria
    narrow both sides. Exit status as diff(1): 0 when they are the same, 1 when
    they differ, 2 on a usage error, 3 when a dataset cannot be used.
    """
    env = _env(ctx, io)
    if old == "-" and new == "-":
        raise UsageError("OLD and NEW cannot both be standard input; save one to a file")
    sides = [_reports(env, io, _data_path(env, path)) for path in (old, new)]
    found, notes = sides[0].difference(sides[1], criteria)
    _notes(env, notes)
    _diff(env, io, found)
    if not found.empty:
        raise typer.Exit(1)


def _diff(env: Environment, io: InOut, found: "compare.Difference") -> None:
    from oigcli import output, render
    from oigcli.compare import DIFF_COLUMNS

    writer = output.writer_for(io)
    if writer is not None:
        if writer.format == "json":  # the one object, even when there is no difference
            env.stream(writer.chunks((), (), value=found.as_dict()))
        elif writer.format == "jsonl":
            env.stream(output.json_line(line) for line in found.lines())
        else:
            env.stream(writer.chunks(found.rows(), DIFF_COLUMNS))
        return
    if found.empty:
        return  # as diff(1): nothing to say
    if io.format is Format.markdown:
        env.output(render.diff_markdown(found))
    else:
        env.output(render.diff_table(found, io.style or "simple", env.terminal_width))


@app.command(
    epilog=_epilog(
        "oigcli export --sqlite reports.db",
        "oigcli export --sqlite cbp.db -c CBP --data inspectors-general/data --replace",
    ),
)
@CRITERIA.adds
@DATA_ONLY.adds
def export(
    ctx: typer.Context,
    criteria: "query.Criteria",  # built by CRITERIA from the options it adds
    io: InOut,
    sqlite: Annotated[
        str,
        typer.Option(
            "--sqlite",
            metavar="FILE",
            help="The SQLite database to write; metadata.json is written beside it.",
            show_default=False,
        ),
    ],
    title: TitleOption = TITLE,
    replace: Annotated[
        bool,
        typer.Option("--replace", help="Write over FILE and metadata.json if they exist."),
    ] = False,
) -> None:
    """Write the selected reports into a SQLite database for Datasette.

    A reports table keyed by id (list fields as JSON arrays), full-text search
    on the title, summary and text as sqlite-utils enable-fts sets it up, and a
    metadata.json beside it with facets on component, fiscal year, inspector and
    type: then `datasette FILE -m metadata.json` gives a browsable, searchable
    site. Takes every criterion of filter.
    """
    import json
    from pathlib import Path

    from oigcli import export as exporting
    from oigcli import output
    from oigcli.text import sanitise

    env = _env(ctx, io)
    target = Path(sqlite)
    about = target.parent / "metadata.json"
    if target.is_dir():
        raise UsageError(f"{target} is a folder; give the database file to write")
    if not replace:
        for path in (target, about):
            if os.path.lexists(path):
                raise UsageError(f"{path} exists; add --replace to write over it")
    with _asking(env, io) as reports:
        chosen = reports.select(criteria, Shape(fields=",".join(FIELD_NAMES)))
        _notes(env, chosen.notes)
        source = reports.path or "the bundled DHS OIG reports (keyword OFO)"
        try:
            count = exporting.write_sqlite(chosen.rows, target)
            text = json.dumps(exporting.metadata(target, title, source), indent=2)
            output.write_file(about, text + "\n")
        except OSError as exc:
            raise OutputError(
                f"cannot write {sanitise(str(exc.filename or target))}: {exc.strerror or exc}"
            ) from None
    env.error(
        f"Wrote {count} report{'s' if count != 1 else ''} to {sanitise(str(target))}; "
        f"browse them with: datasette {sanitise(str(target))} -m {sanitise(str(about))}"
    )


@app.command(
    "index",
    epilog=_epilog(
        "oigcli index inspectors-general/data",
        "oigcli index bulk.zip reports.json",
        status="Exit status: 0 every dataset has an index (or is too small to need one),\n"
        "2 a usage error, 3 a dataset that cannot be indexed (missing, invalid,\n"
        "or changed while it was read), 4 the cache cannot be used.",
    ),
)
def index_command(
    ctx: typer.Context,
    paths: Annotated[
        list[str],
        typer.Argument(
            metavar="PATH...",
            help="Dataset files, zips (or a folder inside one) and scraper folders.",
            show_default=False,
        ),
    ],
) -> None:
    """Index datasets now, in the cache that queries use.

    The first query of a large file, zip or scraper folder indexes it in the
    background; this builds each index at once and waits for it, as a script
    does after it downloads an archive. Repeated queries then answer from the
    index. Success is quiet.
    """
    import signal

    from oigcli import api

    env = _env(ctx)
    # Terminated, a builder leaves nothing behind (its temporary file is removed as it
    # unwinds) and exits as a terminated process would: 128 + SIGTERM.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    for path in paths:
        if path in ("", "-"):
            raise UsageError("give a dataset file, zip or folder to index (not standard input)")
        note = api.Reports(path, environ=env.environ).index()
        if note is not None:
            env.error(f"Note: {note}")


class BriefFormat(str, Enum):
    html = "html"
    markdown = "markdown"
    md = "md"


@app.command(
    epilog=_epilog(
        "oigcli report --format html > brief.html",
        "oigcli report -c CBP --title 'CBP oversight' --date 2026-11-29 --format markdown",
        "oigcli report --format markdown --assets charts > brief.md",
    ),
)
@CRITERIA.adds
@DATA_ONLY.adds
def report(
    ctx: typer.Context,
    criteria: "query.Criteria",  # built by CRITERIA from the options it adds
    io: InOut,
    format: Annotated[
        BriefFormat,
        typer.Option(
            "--format",
            "-f",
            case_sensitive=False,
            help="html: one self-contained file (inline CSS and SVG charts, no script or "
            "request), for a mail or an archive; markdown (md): tables and text bars, as "
            "GitHub renders them.",
        ),
    ] = BriefFormat.markdown,
    title: TitleOption = TITLE,
    date: Annotated[
        str | None,
        typer.Option(
            "--date",
            metavar="TEXT",
            help="A date (or any text) printed under the title. Without it the brief "
            "holds no time at all, so two runs on the same data are the same.",
        ),
    ] = None,
    assets: Annotated[
        str | None,
        typer.Option(
            "--assets",
            metavar="DIR",
            help="Markdown only: write the charts as SVG files into DIR (made if need be) "
            "and link them from the brief.",
        ),
    ] = None,
) -> None:
    """Write a brief on the selected reports: totals, charts, the full list.

    The headline totals (reports, recommendations, concurred, the concurrence
    rate, reports with unknown counts); reports per fiscal year and
    recommendations made and concurred per component, as charts with their
    numbers in tables; the reports with the most recommendations not concurred
    with; and every report, newest first, with its link. Every number is one
    `oigcli stats --json` gives for the same criteria; unknown stays unknown.
    """
    from pathlib import Path

    from oigcli import brief, output, stats

    html = format is BriefFormat.html
    if assets is not None and html:
        raise UsageError("--assets is for --format markdown: the HTML holds its charts")
    env = _env(ctx, io)
    with _asking(env, io) as reports:
        chosen = reports.select(criteria, Shape(fields=",".join(SHOWN_NAMES)))
        rows = [{name: row[name] for name in SHOWN_NAMES} for row in chosen.rows]
        _notes(env, chosen.notes)
    made = brief.make(
        rows, stats.summarize(rows, "fiscal_year"), stats.summarize(rows, "component"), title, date
    )
    if assets is not None:
        folder = Path(assets)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            for chart in made.charts:
                output.write_file(folder / f"{chart.name}.svg", brief.svg(chart) + "\n")
        except OSError as exc:
            raise OutputError(
                f"cannot write the charts into {assets}: {exc.strerror or exc}"
            ) from None
    env.output(brief.to_html(made) if html else brief.to_markdown(made, assets))


@app.command(
    epilog=_epilog(
        "oigcli schema",
        "oigcli schema | jq '.properties | keys'",
        "oigcli schema > report.schema.json",
    ),
)
def schema() -> None:
    """Print the JSON Schema (draft 2020-12) of a report record.

    Generated from the same field list the rest of oigcli uses. A dataset is a
    JSON array of such records, or JSON Lines with one per line.
    """
    from oigcli.output import json_text
    from oigcli.schema import json_schema

    Environment().output(json_text(json_schema()))


@app.command(
    "help",
    epilog=_epilog("oigcli help", "oigcli help filter"),
)
def help_(
    ctx: typer.Context,
    command: Annotated[
        str | None,
        typer.Argument(
            metavar="[COMMAND]",
            autocompletion=complete.commands,
            help="The command to describe. Default: oigcli itself.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Show the help of oigcli or of one of its commands (as COMMAND --help does)."""
    root = ctx.find_root()
    group = root.command
    assert isinstance(group, TyperGroup)
    if command is None:
        typer.echo(group.get_help(root))
        return
    found = group.get_command(root, command)
    if found is None:
        from oigcli.text import did_you_mean

        names = [name for name in group.list_commands(root) if name != "help"]
        raise UsageError(f"no command {command!r}.{did_you_mean(command, names)}")
    with found.make_context(command, [], parent=root, resilient_parsing=True) as inner:
        typer.echo(found.get_help(inner))


def _prepare_streams() -> None:
    """Streams as oigcli needs them whatever the caller gave. Input is strict UTF-8, so
    bytes that are not UTF-8 are reported, not misread. Output is UTF-8 whatever the
    locale says (the JSON and CSV oigcli writes are UTF-8); a lone surrogate that JSON
    escapes can carry is written back as its escape. A stream the caller closed
    (``oigcli list >&-``) quietly swallows what is written."""
    for name in ("stdin", "stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is None:
            mode = "r" if name == "stdin" else "w"
            setattr(sys, name, open(os.devnull, mode, encoding="utf-8"))  # noqa: SIM115
        elif isinstance(stream, io.TextIOWrapper):
            errors = "strict" if name == "stdin" else "backslashreplace"
            stream.reconfigure(encoding="utf-8", errors=errors)


def _only_the_command_asked_for(argv: Sequence[str], environ: dict[str, str]) -> None:
    """Typer makes a Click command of every registered command at each start (about 3 of
    the 4 ms it spends building the app): when the first argument names a command, that
    one is all that can run. Top-level options, help and completion see them all."""
    if not argv or "_OIGCLI_COMPLETE" in environ:
        return
    from typer.main import get_command_name

    def name(info: typer.models.CommandInfo) -> str:
        callback = info.callback.__name__ if info.callback else ""
        return info.name or get_command_name(callback)

    chosen = [info for info in app.registered_commands if name(info) == argv[0]]
    if chosen and argv[0] != "help":  # help tells of the others
        app.registered_commands = chosen


ALL_COMMANDS = list(app.registered_commands)
"""Every command, before ``_only_the_command_asked_for`` keeps one."""


def main() -> None:
    # One command, then exit: the cycle collector would only walk, again and again, the
    # reports a query holds (which hold no cycles): a quarter of a large listing's time.
    # Reference counting still frees everything dropped (as Mercurial's nogc does).
    import gc

    gc.disable()
    _prepare_streams()
    _only_the_command_asked_for(sys.argv[1:], dict(os.environ))
    app(prog_name="oigcli")
