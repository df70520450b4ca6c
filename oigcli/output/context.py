"""Everything oigcli knows about where it runs, in one object tests can build themselves.

Modelled on httpie's ``Environment``: the three standard streams, whether each is a
terminal, the terminal's size, the environment variables, and the user's choices about
colour and paging. The CLI makes one from the real process; tests pass their own
(``CliRunner().invoke(app, args, obj=Environment(...))``).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TextIO

from oigcli.model.errors import OutputError
from oigcli.model.text import sanitise_lines, terminal_safe


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _sys_stream(name: str) -> TextIO:
    stream: TextIO = getattr(sys, name)
    return stream


@dataclass
class Environment:
    stdout: TextIO = field(default_factory=lambda: _sys_stream("stdout"))
    stderr: TextIO = field(default_factory=lambda: _sys_stream("stderr"))
    stdin: TextIO = field(default_factory=lambda: _sys_stream("stdin"))
    stdout_isatty: bool | None = None
    stdin_isatty: bool | None = None
    width: int | None = None
    """Columns available for output: $COLUMNS, else the terminal's, else 80."""
    height: int | None = None
    """Lines of the terminal: $LINES, else the terminal's, else 24."""
    environ: Mapping[str, str] = field(default_factory=lambda: os.environ)
    colour_mode: str = "auto"
    """auto, always or never (--color)."""
    paging: bool = True
    """False with --no-pager."""
    verbose: bool = False
    """--verbose: say on stderr what oigcli decided about the cache."""
    said: set[str] = field(default_factory=set)
    """What ``note`` has said already (each thing once)."""
    browser: Callable[[str], bool] | None = None
    """Opens a web address in a browser, True when one was started (default: the
    webbrowser module's choice, which $BROWSER sets); the tests give their own."""

    def __post_init__(self) -> None:
        if self.stdout_isatty is None:
            self.stdout_isatty = _isatty(self.stdout)
        if self.stdin_isatty is None:
            self.stdin_isatty = _isatty(self.stdin)
        if self.width is None or self.height is None:
            columns, lines = _size(self.stdout, self.environ)
            self.width = self.width or columns
            self.height = self.height or lines

    @property
    def colour(self) -> bool:
        """Decorate output? ``auto``: only on a terminal, never with NO_COLOR or TERM=dumb."""
        if self.colour_mode != "auto":
            return self.colour_mode == "always"
        return bool(
            self.stdout_isatty
            and not self.environ.get("NO_COLOR")
            and self.environ.get("TERM") != "dumb"
        )

    @property
    def terminal_width(self) -> int | None:
        """The width to fit tables to: only on a terminal; a pipe gets every character."""
        return self.width if self.stdout_isatty else None

    def write(self, text: str) -> None:
        """Write data to stdout and flush, so a closed pipe is noticed here, not at exit.
        A reader gone (BrokenPipeError) is for the CLI to end quietly; any other failure
        (a full disk, EIO) is OutputError."""
        try:
            self.stdout.write(text)
            self.stdout.flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise OutputError(f"cannot write output: {exc.strerror or exc}") from None

    def stream(self, chunks: Iterable[str]) -> None:
        """Data to stdout as it comes, chunk by chunk; on a terminal that may page, the
        whole text first (paging needs its height). On a terminal, escaped as ``output``
        escapes it."""
        if self.paging and self.stdout_isatty:
            self.output("".join(chunks))
            return
        if self.stdout_isatty:
            chunks = map(terminal_safe, chunks)
        for chunk in chunks:
            self.write(chunk)

    def output(self, text: str, decorated: bool = False) -> None:
        """Data for the user: through the pager when it is taller than the terminal. On a
        terminal, every control and bidi character in it is escaped (``terminal_safe``:
        data from a dataset must not drive the terminal, whatever the format), unless it
        is ``decorated``: a table oigcli drew, whose values it escaped already and whose
        only escape codes are its own colours."""
        if self.stdout_isatty and not decorated:
            text = terminal_safe(text)
        pager = self._pager(text)
        if pager is None:
            self.write(text)
            return

        env = {**self.environ}
        env.setdefault("LESS", "FRX")  # as git does: quit if one screen, keep colour
        env.setdefault("LV", "-c")
        try:
            process = subprocess.Popen(pager, shell=True, stdin=subprocess.PIPE, env=env)
        except OSError:
            self.write(text)
            return
        assert process.stdin is not None
        # As git does: while the pager runs, Ctrl-C is the pager's (less uses it to stop a
        # search); were oigcli to exit on it, less would be left orphaned on the terminal.
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            try:
                process.stdin.write(text.encode("utf-8", "replace"))
                process.stdin.close()
            except OSError:  # the user quit the pager before reading everything
                pass
            process.wait()
        finally:
            signal.signal(signal.SIGINT, previous)

    def _pager(self, text: str) -> str | None:
        if not (self.paging and self.stdout_isatty):
            return None
        if text.count("\n") < (self.height or 24):
            return None
        command = self.environ.get("OIGCLI_PAGER", self.environ.get("PAGER", "less")).strip()
        if not command or command == "cat":
            return None
        import shlex

        try:
            program = shlex.split(command)[0]
        except (ValueError, IndexError):
            return None
        if shutil.which(program) is None:  # no such pager: print as if there were none
            return None
        return command

    def error(self, message: str) -> None:
        """A message on stderr, every line sanitised: values from a dataset (report
        numbers, paths, keys) can reach messages, and must not drive the terminal."""

        try:
            self.stderr.write(sanitise_lines(message.rstrip("\n")) + "\n")
            self.stderr.flush()
        except (OSError, ValueError):  # nowhere to say it: the exit status still does
            pass

    def browse(self, url: str) -> bool:
        """Open ``url`` in a browser; False when none could be started."""
        if self.browser is not None:
            return self.browser(url)
        import webbrowser

        try:
            return webbrowser.open(url)
        except (webbrowser.Error, OSError):
            return False

    def note(self, message: str) -> None:
        """Under --verbose, say ``message`` on stderr, once."""
        if self.verbose and message not in self.said:
            self.said.add(message)
            self.error(f"oigcli: {message}")


def _size(stdout: TextIO, environ: Mapping[str, str]) -> tuple[int, int]:
    try:
        size = os.get_terminal_size(stdout.fileno())
        columns, lines = size.columns, size.lines
    except (AttributeError, ValueError, OSError):
        columns, lines = 80, 24
    env_columns, env_lines = environ.get("COLUMNS", ""), environ.get("LINES", "")
    if env_columns.isdecimal() and int(env_columns) > 0:
        columns = int(env_columns)
    if env_lines.isdecimal() and int(env_lines) > 0:
        lines = int(env_lines)
    return columns or 80, lines or 24
