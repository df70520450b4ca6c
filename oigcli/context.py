"""Everything oigcli knows about where it runs, in one object tests can build themselves.

Modelled on httpie's ``Environment``: the three standard streams, whether each is a
terminal, and the terminal's width. The CLI makes one from the real process; tests pass
their own (``CliRunner().invoke(app, args, obj=Environment(...))``).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TextIO


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


@dataclass
class Environment:
    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)
    stdin: TextIO = field(default_factory=lambda: sys.stdin)
    stdout_isatty: bool | None = None
    stdin_isatty: bool | None = None
    width: int | None = None
    """Columns available for output: $COLUMNS, else the terminal's, else 80."""
    environ: Mapping[str, str] = field(default_factory=lambda: os.environ)

    def __post_init__(self) -> None:
        if self.stdout_isatty is None:
            self.stdout_isatty = _isatty(self.stdout)
        if self.stdin_isatty is None:
            self.stdin_isatty = _isatty(self.stdin)
        if self.width is None:
            self.width = _width(self.stdout)

    @property
    def colour(self) -> bool:
        """Decorate output only on a terminal, and never with NO_COLOR set or TERM=dumb."""
        return bool(
            self.stdout_isatty
            and not self.environ.get("NO_COLOR")
            and self.environ.get("TERM") != "dumb"
        )

    def write(self, text: str) -> None:
        """Write data to stdout and flush, so a closed pipe is noticed here, not at exit."""
        self.stdout.write(text)
        self.stdout.flush()

    def error(self, message: str) -> None:
        self.stderr.write(message.rstrip("\n") + "\n")
        self.stderr.flush()


def _width(stdout: TextIO) -> int:
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    try:
        return os.get_terminal_size(stdout.fileno()).columns or 80
    except (AttributeError, ValueError, OSError):
        return 80
