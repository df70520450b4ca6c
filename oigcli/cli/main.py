"""The program: the command asked for registered on the app, then one run of it.

``oigcli`` (the console script) and ``python -m oigcli`` call ``main``, which imports
only the command module that has the command asked for (every one for help, completion
or a word that is no command); tests and tools that want the whole app import ``app``
from here (oigcli.cli.app alone has no commands).
"""

import gc
import io
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

import typer
from typer.main import get_command_name

from oigcli.cli import app as application


def _queries() -> None:
    from oigcli.cli import queries  # noqa: F401  (registers its commands)


def _datasets() -> None:
    from oigcli.cli import datasets  # noqa: F401


MODULES: tuple[tuple[tuple[str, ...], Callable[[], None]], ...] = (
    (("list", "show", "open", "filter", "search", "stats", "recommendations"), _queries),
    (("validate", "diff", "export", "index", "cache", "report", "schema", "help"), _datasets),
)
"""Each command module and the commands it registers, in the order help lists them
(tests/test_cli.py checks the names against what each module registers)."""


def register(only: str | None = None) -> None:
    """Register the commands of the module that has the command ``only`` (a start needs
    no other: importing the rest costs milliseconds), or of every module, in order."""
    for names, load in MODULES:
        if only is None or only in names:
            load()
    known = {id(info) for info in application.ALL_COMMANDS}
    everything = application.ALL_COMMANDS
    everything.extend(i for i in application.app.registered_commands if id(i) not in known)
    order = [name for names, _ in MODULES for name in names]  # help's, whatever came first
    everything.sort(key=lambda info: order.index(_name(info)) if _name(info) in order else 0)


def _name(info: typer.models.CommandInfo) -> str:
    """The name a command is called by."""

    callback = info.callback.__name__ if info.callback else ""
    return info.name or get_command_name(callback)


application.register_every_command = register


def __getattr__(name: str) -> Any:
    """``app``, with every command registered (for tests and tools: PEP 562)."""
    if name == "app":
        register()
        return application.app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
    app = application.app
    chosen = [info for info in app.registered_commands if _name(info) == argv[0]]
    if chosen and argv[0] != "help":  # help tells of the others
        app.registered_commands = chosen


def main() -> None:
    # One command, then exit: the cycle collector would only walk, again and again, the
    # reports a query holds (which hold no cycles): a quarter of a large listing's time.
    # Reference counting still frees everything dropped (as Mercurial's nogc does).

    gc.disable()
    _prepare_streams()
    argv, environ = sys.argv[1:], dict(os.environ)
    asked = argv[0] if argv and "_OIGCLI_COMPLETE" not in environ else None
    if asked == "help":  # help tells of every command
        asked = None
    register(asked if any(asked in names for names, _ in MODULES) else None)
    _only_the_command_asked_for(argv, environ)
    application.app(prog_name="oigcli")
