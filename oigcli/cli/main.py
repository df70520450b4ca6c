"""The program: every command registered on the app, then one run of it.

``oigcli`` (the console script) and ``python -m oigcli`` call ``main``; tests and tools
that want the whole app import ``app`` from here (oigcli.cli.app alone has no commands).
"""

import io
import os
import sys
from collections.abc import Sequence

import typer

# The order the commands are registered in is the order help lists them.
from oigcli.cli import queries  # noqa: F401  list, show, open, filter, search, stats
from oigcli.cli.app import ALL_COMMANDS, app

# isort: split
from oigcli.cli import datasets  # noqa: F401  validate, diff, export, index, report, ...

ALL_COMMANDS.extend(app.registered_commands)


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


def main() -> None:
    # One command, then exit: the cycle collector would only walk, again and again, the
    # reports a query holds (which hold no cycles): a quarter of a large listing's time.
    # Reference counting still frees everything dropped (as Mercurial's nogc does).
    import gc

    gc.disable()
    _prepare_streams()
    _only_the_command_asked_for(sys.argv[1:], dict(os.environ))
    app(prog_name="oigcli")
