"""Where the reports come from: the one boundary between the queries and storage.

A ``Source`` is all that the queries (oigcli.api, and so every command, completion and the
Python API) know of a dataset. It has two implementations:

- ``oigcli.scan.Scan`` reads the data itself (a JSON or JSON Lines file, standard input, a
  scraper's folder, the bundled dataset), checking every report, and answers by looking at
  each one;
- ``oigcli.index.Index`` answers from the dataset file's SQLite index in the user's cache,
  pushing into SQL what it can (criteria, words, the default order, counting groups).

``open`` is the one function that chooses between them. A query on a large ``--data`` file
is answered from the file's index when one matches the file as it is now; otherwise the
file is read, and a builder is started in the background once it has been read whole, so
that the next query need not read it. The answer is the same either way: a source only
narrows, and each query still decides about every report it is given (Criteria.matches is
the one definition of the criteria; stats.GROUPINGS of grouping; search.Ranking of
ranking). The bundled data and standard input are always read.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TextIO

if TYPE_CHECKING:
    from oigcli.cache import Folder
    from oigcli.query import Narrowing
    from oigcli.schema import Report
    from oigcli.search import Term

Keep = Callable[["Report"], bool]
"""A query's test of each report a source gives it: True keeps the report."""

Statistics = tuple[int, float, list[int]]
"""What search ranks by: how many reports the dataset has, their summed search length, and
how many contain each term."""


class Source(Protocol):
    """A dataset, asked. Every report it gives has been checked (a dataset with a problem
    is a DatasetError before any report is given)."""

    def rows(
        self,
        need: Narrowing,
        keep: Keep | None = None,
        *,
        ordered: bool = False,
        stop: int | None = None,
    ) -> Iterator[Report]:
        """The reports that ``keep`` keeps (every one when None), of those that ``need``
        allows; ``keep`` sees each candidate once, in the file's order. ``ordered``: the
        reports come newest first (query.NEWEST_FIRST; ties in the file's order), and with
        ``stop`` only the first ``stop`` of them. A source that cannot narrow gives
        ``keep`` every report; one that can may give it only those ``need`` allows."""
        ...

    def numbers(self) -> list[str]:
        """Every report's number, in the file's order (for suggestions)."""
        ...

    def values(self, field: str) -> list[str]:
        """The distinct known values of a field (``tags``: every distinct tag)."""
        ...

    def statistics(self, terms: Sequence[Term]) -> Statistics | None:
        """Search's statistics of the whole dataset for ``terms``, or None when the source
        gives every report to ``keep`` (which then counts them as it ranks)."""
        ...

    def summarize(self, need: Narrowing, by: str) -> dict[str, Any] | None:
        """The ``stats`` object of the reports ``need`` allows, when the source can count
        them by itself exactly (an index, for criteria it can decide in SQL); None when the
        query must count the reports ``rows`` gives."""
        ...

    def notes(self) -> list[str]:
        """What a person should be told of the reading, after the rows have been read:
        the records --skip-invalid left out."""
        ...

    def close(self) -> None: ...


def open(
    path: str | None, stdin: TextIO | None, cache: Path | None, skip_invalid: bool = False
) -> Source:
    """The source of the dataset at ``path`` (None: bundled; ``-``: ``stdin``): its index
    in ``cache`` when there is one that matches the file as it is now; otherwise the data
    itself, and, when the file is worth indexing, a builder in the background once it has
    been read whole. ``skip_invalid``: a dataset with problems is used without the records
    that have them (only a valid dataset has an index). The caller closes it."""
    from oigcli.scan import Scan

    if cache is None or path in (None, "-"):
        return Scan(path, stdin, skip_invalid=skip_invalid)
    from oigcli import index

    found = index.open_index(path, cache)
    if found is not None:
        return found

    def indexed(reports: int) -> None:
        if os.path.isdir(path) and reports < index.MIN_TREE_REPORTS:
            return  # a few reports in a folder are read as fast as an index is opened
        if index.wanted(path, cache):
            index.build_in_background(path, cache)

    return Scan(path, stdin, after_read=indexed, skip_invalid=skip_invalid)


def index_now(path: str, environ: Mapping[str, str]) -> str | None:
    """Build the index of the dataset at ``path`` now (``oigcli index``); see
    oigcli.index.index_now."""
    from oigcli import index

    return index.index_now(path, environ)


def cache_for(path: str | None, environ: Mapping[str, str], wanted: bool = True) -> Folder:
    """The cache folder for the index of the dataset at ``path``, or why there is none
    (oigcli.cache): never for the bundled data and stdin, nor with --no-cache (no
    reason is given for those), nor for a file too small to index. The folder is made
    (0700) when it is missing and an index may be wanted."""
    from oigcli.cache import Folder, folder

    if not wanted or path in (None, "-"):
        return Folder(None)
    from oigcli.index import worth_indexing

    if not worth_indexing(path):
        return Folder(None)
    return folder(environ, create=True)
