"""Where a dataset is: what ``--data`` (or ``OIGCLI_DATA``, or ``oigcli.open``) names,
classified once, so that no later step looks at the path again to decide what it is.

- ``bundled``: nothing named, the reports that ship with oigcli;
- ``stdin``: ``-``;
- ``folder``: a folder, read as the inspectors-general scraper's layout;
- ``zip``: a zip file (known by its first bytes, never its name), or a folder inside one
  (``bulk.zip/dhs``): ``file`` is the zip, ``member`` the folder inside it;
- ``file``: anything else, read as JSON or JSON Lines (a missing one is the reader's
  error to name).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal, NamedTuple

ZIP_MAGIC = b"PK\x03\x04"
"""How a zip file begins (its first member's local header)."""

Kind = Literal["bundled", "stdin", "file", "folder", "zip"]


class Location(NamedTuple):
    """(A NamedTuple rather than a dataclass: it is made at every start, and a dataclass
    costs a millisecond of start-up to define.)"""

    kind: Kind
    path: str | None = None
    """As it was given (None for the bundled reports): what messages name."""
    file: str | None = None
    """The file to open: the path itself, or for ``zip`` the zip file."""
    member: str = ""
    """For ``zip``: the folder inside it to read ("" for all of it)."""

    @classmethod
    def of(cls, path: str | Location | None) -> Location:
        """The location ``path`` names, classified by what is there now."""
        if isinstance(path, Location):
            return path
        if path is None:
            return cls("bundled")
        if path == "-":
            return cls("stdin", path)
        if os.path.isdir(path):
            return cls("folder", path, path)
        zipped = zip_target(path)
        if zipped is not None:
            return cls("zip", path, zipped[0], zipped[1])
        return cls("file", path, path)

    @property
    def stored(self) -> bool:
        """A file, folder or zip on disk (not the bundled reports nor standard input)."""
        return self.kind in ("file", "folder", "zip")


def zip_target(path: str) -> tuple[str, str] | None:
    """``(zip file, folder inside it)`` when ``path`` is a zip file (folder ``""``) or a
    zip file followed by a folder inside it (``bulk.zip/dhs``); None otherwise. A zip
    file is known by its first bytes, so no JSON file is ever taken for one."""
    parts = Path(path).parts
    for end in range(len(parts), 0, -1):
        candidate = str(Path(*parts[:end]))
        if os.path.isdir(candidate):
            return None  # a real folder on the way: not inside a zip
        if os.path.isfile(candidate):
            if not _starts_like_a_zip(candidate):
                return None
            return candidate, "/".join(parts[end:])
    return None


def _starts_like_a_zip(path: str) -> bool:
    try:
        with open(path, "rb") as file:
            return file.read(len(ZIP_MAGIC)) == ZIP_MAGIC
    except OSError:
        return False
