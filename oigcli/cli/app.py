"""The command-line interface: parse options, call the core, hand results to render.

Each command is the same three steps: load the dataset, select reports, render them.
Errors from the core (``oigcli.model.errors``) become a message on stderr and an exit status in
one place, ``OigGroup.invoke``.
"""

import contextlib
import errno
import os
import sys
from collections.abc import Sequence
from contextvars import ContextVar
from typing import TYPE_CHECKING, Annotated, Any

import typer
import typer.main
from typer._click import Context as ClickContext  # typer>=0.27 vendors click
from typer._click.exceptions import ClickException, NoArgsIsHelpError, NoSuchOption
from typer._click.exceptions import UsageError as ClickUsageError
from typer.core import TyperGroup

from oigcli import __version__, api
from oigcli.cli import complete
from oigcli.cli.options import (
    InOut,
)
from oigcli.model.errors import DatasetError, OigError, OutputError, UsageError
from oigcli.model.text import or_list, usable_path
from oigcli.output.context import Environment

if TYPE_CHECKING:  # imported where they are used, so that start-up pays only for those
    from collections.abc import Iterator

    from oigcli import api
    from oigcli.output.printers import Printer
    from oigcli.query.search import Finder


ARGUMENTS: ContextVar[tuple[str, ...]] = ContextVar("ARGUMENTS", default=())
"""The command line as typed (before the option parser split ``-canine`` into ``-c
anine``), for a note that says what the parser made of it."""


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

        if "_OIGCLI_COMPLETE" in os.environ:  # a Tab press: candidates safe for the shell
            complete.use_safe_completion()
        argv = list(sys.argv[1:] if args is None else args)
        ARGUMENTS.set(tuple(argv))
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
            env = env_for(ctx)
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

    message = str(exc.format_message())
    if not isinstance(exc, NoSuchOption) or not argv:
        return message
    commands = _all_commands(group)
    named = next((i for i, word in enumerate(argv) if word in commands), None)
    if argv[0].startswith("-") and named is not None:  # before the command: move them after
        command, rest = argv[named], [*argv[:named], *argv[named + 1 :]]
        if _parses(commands[command], rest):
            line = shlex.join(["oigcli", command, *rest])
            return (
                f"No such option: {exc.option_name} before the command; options come after "
                f"it: did you mean `{line}`?"
            )
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

    register_every_command()
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


ALL_COMMANDS: list[Any] = []
"""Every command registered so far, whatever ``main`` then keeps in the app itself."""


def register_every_command() -> None:
    """Register every command (oigcli.cli.main sets this: a start registers only the
    command asked for, and a usage error's suggestions need the others)."""


EXIT_STATUS = (
    "Exit status: 0 success (an empty result too), 1 a named report does not\n"
    "exist, 2 a usage error, 3 a dataset that cannot be read or is invalid,\n"
    "4 the output cannot be written."
)


def epilog(*examples: str, status: str = EXIT_STATUS) -> str:
    """The Examples and Exit status sections every --help ends with (\b keeps the lines)."""
    lines = "\n".join(f"  {example}" for example in examples)
    return f"\b\nExamples:\n{lines}\n\n\b\n{status}"


app = typer.Typer(
    cls=OigGroup,
    name="oigcli",
    help="Query Inspector General reports from the shell: the bundled DHS OIG reports, "
    "or any archive of the inspectors-general scraper.",
    epilog=epilog(
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


def env_for(ctx: ClickContext, io: InOut | None = None) -> Environment:
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


def data_path(env: Environment, path: str | None) -> str | None:
    """--data, else $OIGCLI_DATA, else None (the bundled dataset). Standard input must
    be a pipe or a file, not a terminal nobody is typing JSON into."""
    if path == "":
        raise UsageError("--data is empty; give a file or folder, or - for standard input")
    path = path or env.environ.get("OIGCLI_DATA") or None
    if path is not None:
        usable_path(path, "the dataset's path")
    if path == "-" and env.stdin_isatty:
        raise UsageError(
            "--data - reads the dataset from standard input, which is a terminal; "
            "pipe one in, e.g. oigcli list --json | oigcli stats --data -"
        )
    return path


@contextlib.contextmanager
def asking(env: Environment, io: InOut) -> "Iterator[api.Reports]":
    """The active dataset's reports (oigcli.api), asked as the options say: --verbose
    says why its index is not used, and a dataset error names OIGCLI_DATA when the path
    came from there."""
    path = data_path(env, io.data)
    reports = open_reports(env, io, path)
    try:
        yield reports
        if reports.answered:
            env.note(reports.answered)
    except DatasetError as exc:
        if io.data is None and path is not None:  # the path came from the environment
            raise DatasetError(_from_environment(str(exc), path)) from None
        raise


def open_reports(env: Environment, io: InOut, path: str | None) -> "api.Reports":
    """The reports of the dataset at ``path``, read as the options say (--no-cache,
    --skip-invalid); --verbose says why its index is not used."""

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


def printer(env: Environment, io: InOut) -> "Printer":
    """The printer of the format the options chose: made once per command."""
    from oigcli.output.printers import printer_for

    return printer_for(io.format, env, io.style, io.safe_cells, io.bom)


def emit(
    env: Environment,
    io: InOut,
    shaped: "api.Selection",
    columns: Sequence[str],
    every: Sequence[str],
    mark: "Finder | None" = None,
) -> None:
    """Rows in the chosen format, with the chosen fields; by default ``columns`` for people
    and ``every`` field for programs (oigcli.output.printers). ``mark``: search's terms."""
    tell_notes(env, shaped.notes)
    out = printer(env, io)
    fields = out.fields(shaped.chosen, columns, every)
    out.rows(shaped.rows, fields, shaped.chosen is not None, lambda: _empty_note(shaped), mark)


def tell_notes(env: Environment, notes: list[str]) -> None:
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
