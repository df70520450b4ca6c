"""Errors the core raises for a person to read; cli.py maps each to its exit status."""

from __future__ import annotations


class OigError(Exception):
    """Something the user can fix. ``str(error)`` is the message to show."""

    exit_code = 1


class NotFound(OigError):
    """A report the user named does not exist (exit 1)."""

    exit_code = 1


class UsageError(OigError):
    """An option or argument value that cannot be used (exit 2)."""

    exit_code = 2


class DatasetError(OigError):
    """A dataset that cannot be read or is invalid (exit 3)."""

    exit_code = 3


class OutputError(OigError):
    """Standard output cannot be written: a full disk, an I/O error (exit 4)."""

    exit_code = 4
