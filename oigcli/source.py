"""Where the reports come from: the one place that chooses between reading the dataset
(oigcli.dataset) and asking its index in the cache (oigcli.index).

A query on a large ``--data`` file is answered from the file's index when one matches the
file as it is now; otherwise the file is read, and a builder is started in the background
so that the next query need not read it. The answer is the same either way. The bundled
data and standard input are always read.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from oigcli.cache import Folder
    from oigcli.index import Index
    from oigcli.query import Narrowing, Pick
    from oigcli.schema import Report


def load(
    path: str | None = None,
    stdin: TextIO | None = None,
    pick: Pick | None = None,
    narrowing: Narrowing | None = None,
    cache: Path | None = None,
) -> list[Report]:
    """The valid dataset at ``path`` (None: bundled; ``-``: stdin), or DatasetError; with
    ``pick``, what it keeps of each report (every report is still checked).

    With a ``cache`` folder, a large file is answered from its index there when one
    matches the file, and otherwise read and then indexed in the background."""
    from oigcli import dataset

    found = open_index(path, cache)
    if found is not None:
        try:
            return found.load(pick, narrowing)
        finally:
            found.close()
    reports = dataset.load(path, stdin, pick, narrowing)
    if cache is not None and path is not None:
        from oigcli import index

        if index.wanted(path, cache):
            index.build_in_background(path, cache)
    return reports


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


def open_index(path: str | None, cache: Path | None) -> Index | None:
    """The index in ``cache`` of the dataset file at ``path``, when there is one that
    matches the file as it is now (see oigcli.index). The caller closes it."""
    if cache is None or path in (None, "-"):
        return None
    from oigcli import index

    return index.open_index(path, cache)
