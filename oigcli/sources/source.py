"""Where the reports come from: the one boundary between the queries and storage.

A ``Source`` is all that the queries (oigcli.api, and so every command, completion and the
Python API) know of a dataset. It has two implementations:

- ``oigcli.sources.scan.Scan`` reads the data itself (a JSON or JSON Lines file, standard input, a
  scraper's folder, the bundled dataset), checking every report, and answers by looking at
  each one;
- ``oigcli.sources.index.reader.Index`` answers from the dataset file's SQLite index in
  the user's cache, pushing into SQL what it can (criteria, words, the default order,
  counting groups).

``open`` is the one function that chooses between them. A query on a large ``--data`` file
is answered from the file's index when one matches the file as it is now; otherwise the
file is read, and a builder is started in the background once it has been read whole, so
that the next query need not read it. The answer is the same either way: a source only
narrows, and each query still decides about every report it is given (Criteria.matches is
the one definition of the criteria; stats.GROUPINGS of grouping; search.Ranking of
ranking). The bundled data and standard input are always read.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from oigcli.model.errors import OutputError, UsageError
from oigcli.model.location import Location

if TYPE_CHECKING:
    from oigcli.sources.cache import Folder
    from oigcli.sources.protocol import Source


def open(
    path: str | Location | None,
    stdin: TextIO | None,
    cache: Path | None,
    skip_invalid: bool = False,
) -> Source:
    """The source of the dataset at ``path`` (None: bundled; ``-``: ``stdin``): its index
    in ``cache`` when there is one that matches the file as it is now; otherwise the data
    itself, and, when the file is worth indexing, a builder in the background once it has
    been read whole. ``skip_invalid``: a dataset with problems is used without the records
    that have them (only a valid dataset has an index). The caller closes it."""
    from oigcli.sources.scan import Scan

    where = Location.of(path)
    if cache is None or not where.stored:
        return Scan(where, stdin, skip_invalid=skip_invalid)
    from oigcli.sources.index import builder, reader
    from oigcli.sources.index.identity import Look

    looked = Look()  # what the check finds of a folder's entries, for an update to use
    found = reader.open_index(where, cache, looked=looked)
    if found is None:  # a few reports changed in a folder: updated, then used as it is now
        updated = builder.refresh(where, cache, looked)
        if updated is not None:
            found = reader.open_index(where, cache, updated)
    if found is not None:
        return found

    def indexed(reports: int) -> None:
        if where.kind == "folder" and reports < builder.MIN_TREE_REPORTS:
            return  # a few reports in a folder are read as fast as an index is opened
        if builder.wanted(where, cache):
            builder.build_in_background(str(where.path), cache)

    return Scan(where, stdin, after_read=indexed, skip_invalid=skip_invalid)


def index_now(path: str | Location, environ: Mapping[str, str]) -> str | None:
    """Build the index of the dataset at ``path`` now (``oigcli index``); see
    oigcli.sources.index.builder.index_now."""
    from oigcli.sources.index import builder

    return builder.index_now(path, environ)


def cache_for(
    path: str | Location | None, environ: Mapping[str, str], wanted: bool = True
) -> Folder:
    """The cache folder for the index of the dataset at ``path``, or why there is none
    (oigcli.sources.cache): never for the bundled data and stdin, nor with --no-cache (no
    reason is given for those), nor for a file too small to index. The folder is made
    (0700) when it is missing and an index may be wanted."""
    from oigcli.sources.cache import Folder, folder

    where = Location.of(path)
    if not wanted or not where.stored:
        return Folder(None)
    from oigcli.sources.index.identity import worth_indexing

    if not worth_indexing(where):
        return Folder(None)
    return folder(environ, create=True)


def cache_inventory(environ: Mapping[str, str]) -> tuple[int, Path]:
    """The cache's cap (OIGCLI_CACHE_MAX) and its folder (``oigcli cache``). UsageError
    when the cap is not a size; OutputError when the folder cannot be used."""
    from oigcli.sources.cache import folder, max_bytes

    try:
        cap = max_bytes(environ)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    found = folder(environ, create=True)
    if found.path is None:
        raise OutputError(f"the cache cannot be used: {found.reason}")
    return cap, found.path


def cached(cache: Path) -> list[dict[str, Any]]:
    """Every index in the cache folder (oigcli.sources.index.builder.holdings)."""
    from oigcli.sources.index import builder

    return builder.holdings(cache)


def clear_cache(cache: Path) -> tuple[int, int]:
    """Remove every index in the cache folder (oigcli.sources.index.builder.clear)."""
    from oigcli.sources.index import builder

    return builder.clear(cache)


def describe(opened: Source, cache: Path | None) -> str | None:
    """What --verbose says of the source a query was answered from (None: nothing to
    say: the bundled data, standard input, --no-cache)."""
    from oigcli.sources.index.reader import Index

    if cache is None:
        return None
    if isinstance(opened, Index):  # (imported already: it was opened)
        return f"answered from the index {opened.path}"
    return (
        "read the dataset itself: no index in the cache matches it as it is now (a large "
        "one is indexed in the background once it has been read whole; oigcli cache lists "
        "the indexes)"
    )
