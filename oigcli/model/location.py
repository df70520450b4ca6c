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

ZIP_MAGIC = b"PK\x03\x04"
"""How a zip file begins (its first member's local header)."""


class Location:
    """A dataset's place and kind (a plain class with slots: it is made at every start,
    and a NamedTuple or a dataclass costs more to define than everything else here)."""

    __slots__ = ("file", "kind", "member", "path")

    def __init__(
        self, kind: str, path: str | None = None, file: str | None = None, member: str = ""
    ) -> None:
        self.kind = kind
        """bundled, stdin, file, folder or zip."""
        self.path = path
        """As it was given (None for the bundled reports): what messages name."""
        self.file = file
        """The file to open: the path itself, or for ``zip`` the zip file."""
        self.member = member
        """For ``zip``: the folder inside it to read ("" for all of it)."""

    def __repr__(self) -> str:
        return f"Location({self.kind!r}, {self.path!r}, {self.file!r}, {self.member!r})"

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
