"""Updating a scraper's folder's index in place: the reports of the folders whose files
were added, changed or removed are taken out and read again, in one SQLite transaction,
so that a folder that gained a report is answered from its index in seconds, not after a
rebuild. The builder (oigcli.sources.index.builder) decides when, under the index's lock.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from oigcli.load import dataset, members
from oigcli.load.archive import tree_files
from oigcli.load.members import Stat
from oigcli.load.records import SCRAPER_FILE, SCRAPER_TEXT
from oigcli.model.location import Location
from oigcli.model.schema import Report
from oigcli.sources.cache import regular
from oigcli.sources.index.identity import (
    Identity,
    Look,
    identity_text,
    relative,
    tree_identity,
    tree_listing,
)
from oigcli.sources.index.layout import FORMAT, Writer, between, folder_key


def folder_of(origin: str, root: str) -> str:
    """The folder (relative to ``root``) of the report.json at ``origin``."""
    return relative(os.path.dirname(origin), root)


def checked_reads(
    root: str, seen: Mapping[str, Stat], entries: Mapping[str, Stat]
) -> list[tuple[str, Stat]] | None:
    """Each file read (relative to ``root``), when each was what the folder's identity has
    for it (``entries``); None when one was not (swapped for another while it was read)."""
    read = []
    for path, found in seen.items():
        inside = relative(path, root)
        if entries.get(inside) != found.numbers():
            return None
        read.append((inside, found))
    return read


def update(
    path: Location,
    target: Path,
    most: float,
    settled_ns: int,
    looked: Look | None = None,
) -> Identity | None:
    """Bring the index at ``target`` of the scraper's folder ``path`` up to date in
    place, under its lock (the caller's), in one SQLite transaction (a rollback journal:
    cut short, it is undone, and no query reads the index meanwhile). Only the reports of
    folders whose files were added, removed or changed are read; a file whose numbers
    changed but whose content did not (a hard link made to it, ``touch``) is recognised
    by its hash and kept. The folder's identity the index now has (so that the query need
    not look at the folder again); None, with nothing changed, when it cannot be updated: no
    index of this version for this folder, more changed than ``most`` (a number of
    reports, or under 1 a share of them), a change less than ``settled_ns`` old, problems
    in what changed, a walk that says something else than it did."""
    if path.kind != "folder" or not regular(target):
        return None
    try:
        connection = sqlite3.connect(target, isolation_level=None)
    except sqlite3.Error:
        return None
    try:
        connection.execute("PRAGMA synchronous = FULL")
        connection.execute("BEGIN IMMEDIATE")  # a hot journal, if any, is rolled back first
        done = _apply(connection, os.path.realpath(str(path.path)), most, settled_ns, looked)
        connection.execute("ROLLBACK" if done is None else "COMMIT")
        return done
    except (sqlite3.Error, OSError, ValueError, TypeError, KeyError, UnicodeError):
        with contextlib.suppress(sqlite3.Error):
            connection.execute("ROLLBACK")
        return None
    finally:
        connection.close()


def _apply(
    connection: sqlite3.Connection,
    real: str,
    most: float,
    settled_ns: int,
    looked: Look | None,
) -> Identity | None:
    """``update``'s work in its transaction; None: roll it back."""
    execute = connection.execute
    keys = "'format', 'identity', 'tokens', 'reports', 'notes', 'tree'"
    meta = dict(execute(f"SELECT key, value FROM meta WHERE key IN ({keys})"))
    if meta.get("format") != FORMAT or json.loads(meta["identity"]).get("path") != real:
        return None
    walked = {row[0]: tuple(row[1:]) for row in execute("SELECT * FROM walked")}
    said = json.loads(meta["notes"])
    listing = None if said else _relisted(real, json.loads(meta["tree"]), walked, looked)
    if listing is None:  # the whole folder walked again
        notes: list[str] = []
        listing = tree_listing(real, notes)
        if notes != said:
            return None
    entries: dict[str, Stat] = {}
    now = Look()
    identity = tree_identity(real, listing, entries=entries, known=looked, looked=now)
    if identity is None:
        return None
    known = {row[0]: Stat(*row[1:]) for row in execute("SELECT * FROM files")}
    changed, kept = _changes(real, entries, known)
    reports = int(meta["reports"])
    if len(changed) > (most * reports if most < 1 else most):
        return None
    fresh = time.time_ns() - settled_ns
    written = (entries[p] for p in _files_of(changed) if p in entries)
    if any(max(found.mtime_ns, found.ctime_ns) > fresh for found in written):
        return None  # written too recently to be sure a later write would show
    writer = Writer(connection, start=_next_place(connection), tokens=int(meta["tokens"]))
    writer.forget(_places(connection, changed))
    present = [f for f in changed if _inside(f, SCRAPER_FILE) in entries]
    seen: dict[str, Stat] = {}
    data, found = dataset.stream(real, texts=True, seen=seen, folders=present)
    added = [(report, folder_of(data.origin, real)) for report in found]  # the few changed
    read = checked_reads(real, seen, entries)
    if data.problems or read is None:
        return None  # the query reads the folder and says what the problems are
    sequences = _sequences(connection, added)
    if sequences is None:
        return None
    for (report, where), sequence in zip(added, sequences, strict=True):
        writer.add(report, where, sequence)
    if not writer.merge() or _duplicated(connection, [r["id"] for r, _ in added]):
        return None
    gone = [(p,) for f in changed for p in (_inside(f, SCRAPER_FILE), _inside(f, SCRAPER_TEXT))]
    connection.executemany("DELETE FROM files WHERE path = ?", gone)
    writer.files([*read, *kept])
    folders = now.folders()
    connection.executemany(
        "DELETE FROM walked WHERE path = ?", ((p,) for p in walked if p not in folders)
    )
    writer.walked({p: numbers for p, numbers in folders.items() if walked.get(p) != numbers})
    connection.executemany(
        "INSERT OR REPLACE INTO meta VALUES (?, ?)",
        [("identity", identity_text(identity)), ("tree", json.dumps(listing))],
    )
    return identity


MAX_WALKED = 1000
"""More folders changed than this, and an update walks the whole folder again."""


def _relisted(
    real: str,
    listing: Sequence[str],
    walked: Mapping[str, tuple[int, ...]],
    looked: Look | None,
) -> list[str] | None:
    """The folder's listing now, from the one the index has: only the folders whose
    numbers changed since it was made (an entry added to or removed from a folder changes
    its times) are walked again, the rest kept as they were; a whole walk of 100,000
    report folders is 3 s. ``looked``: what the query's check found of every entry the
    index lists. None when the whole folder must be walked: nothing looked at, the root
    changed, more than MAX_WALKED folders did, or a walk again meets a link."""
    if not looked:
        return None  # not looked at: nothing to go by
    there = looked.folders()  # (one gone, or a file now, is not)
    changed = {path for path, numbers in walked.items() if there.get(path) != numbers}
    if "." in changed or len(changed) > MAX_WALKED:
        return None
    tops = {path for path in changed if not _under(path.rpartition("/")[0], changed)}
    found = [path for path in listing if not _under(path, tops)]
    for top in sorted(tops):
        if top not in there:
            continue  # gone, with everything in it
        base = os.path.join(real, top)
        notes: list[str] = []
        folders: list[str] = []
        files: list[str] = []
        for folder, names in tree_files(base, notes, folders=folders):
            files += [os.path.join(folder, n) for n in (SCRAPER_FILE, SCRAPER_TEXT) if n in names]
        if notes or any(os.path.islink(folder) for folder in folders):
            return None  # links: only a whole walk follows each once
        found += [relative(path, real) for path in (*folders, *files)]
    return found


def _under(path: str, folders: set[str]) -> bool:
    """Whether ``path`` is one of ``folders`` or inside one (paths relative to a tree)."""
    while path:
        if path in folders:
            return True
        path = path.rpartition("/")[0]
    return False


def _inside(folder: str, name: str) -> str:
    """The path of the file ``name`` in ``folder`` (both relative to the tree's root)."""
    return name if folder == "." else f"{folder}/{name}"


def _files_of(folders: Sequence[str]) -> list[str]:
    return [_inside(f, name) for f in folders for name in (SCRAPER_FILE, SCRAPER_TEXT)]


def _changes(
    real: str, entries: Mapping[str, Stat], known: Mapping[str, Stat]
) -> tuple[list[str], list[tuple[str, Stat]]]:
    """The folders (relative to ``real``) whose files were added, removed or changed since
    the index recorded them (``known``), and the files whose numbers changed but whose
    content is the same, with their numbers now (kept: their reports are not read)."""
    changed: set[str] = set()
    kept: list[tuple[str, Stat]] = []
    for path_in, found in entries.items():
        old = known.get(path_in)
        if old is not None and old.numbers() == found:
            continue
        if old is not None and old.size == found.size and old.digest:
            now = _read_stat(os.path.join(real, path_in), path_in)
            if now == found._replace(digest=old.digest):  # as stat saw it; same content
                kept.append((path_in, now))
                continue
        changed.add(os.path.dirname(path_in) or ".")
    changed.update(os.path.dirname(p) or "." for p in known if p not in entries)
    return sorted(changed), kept


def _read_stat(path: str, relative: str) -> Stat | None:
    """What the file at ``path`` is, with its content's hash, as reading it for a report
    finds it; None when it cannot be read as a report's file."""
    text = os.path.basename(relative) == SCRAPER_TEXT
    limit = members.TEXT_BYTES if text else members.JSON_BYTES
    seen: dict[str, Stat] = {}
    try:
        members.read_file(path, limit, SCRAPER_TEXT if text else SCRAPER_FILE, seen)
    except members.Refused:
        return None
    return seen[path]


def _next_place(connection: sqlite3.Connection) -> int:
    """The place after every place ever used (an FTS5 rowid is never used again)."""
    (last,) = connection.execute("SELECT max(place) FROM reports").fetchone()
    return 0 if last is None else int(last) + 1


def _places(connection: sqlite3.Connection, folders: Sequence[str]) -> list[int]:
    """The places of the reports read from ``folders``."""
    places: list[int] = []
    for start in range(0, len(folders), 500):
        chunk = folders[start : start + 500]
        marks = ", ".join("?" * len(chunk))
        sql = f"SELECT place FROM folders WHERE folder IN ({marks})"
        places += [place for (place,) in connection.execute(sql, chunk)]
    return places


def _sequences(
    connection: sqlite3.Connection, added: Sequence[tuple[Report, str]]
) -> list[int] | None:
    """Each added report's number in the folder's order (reports.sequence), between those
    of the folders before and after its own in the order the folder is read (found in
    SQL by their keys: a few rows, not the table); None when two leave no room."""
    counts: dict[str, int] = {}
    for _, where in added:
        counts[where] = counts.get(where, 0) + 1
    spans: dict[tuple[int | None, int | None], list[str]] = {}
    for where in sorted(counts, key=folder_key):  # new folders between the same two: a run
        key = folder_key(where)
        ends = (_neighbour(connection, key, "<"), _neighbour(connection, key, ">"))
        spans.setdefault(ends, []).append(where)
    numbered: dict[str, list[int]] = {}
    for (before, after), run in spans.items():
        spaced = between(before, after, sum(counts[f] for f in run))
        if spaced is None:
            return None
        for f in run:
            numbered[f], spaced = spaced[: counts[f]], spaced[counts[f] :]
    taken = {f: iter(numbers) for f, numbers in numbered.items()}
    return [next(taken[where]) for _, where in added]


def _neighbour(connection: sqlite3.Connection, key: str, side: str) -> int | None:
    """The last ``sequence`` of the folder just before ``key`` (``<``), or the first of the
    one just after (``>``), in the order the tree is read; None at either end."""
    order, pick = ("DESC", "max") if side == "<" else ("ASC", "min")
    found = connection.execute(
        f"SELECT {pick}(sequence) FROM reports JOIN folders ON folders.place = reports.place"
        f" WHERE folders.key = (SELECT key FROM folders WHERE key {side} ? ORDER BY key {order}"
        " LIMIT 1)",
        (key,),
    ).fetchone()
    return None if found is None or found[0] is None else int(found[0])


def _duplicated(connection: sqlite3.Connection, ids: Sequence[str]) -> bool:
    """Whether an added report's id is another report's too (the folder has a problem)."""
    for start in range(0, len(ids), 500):
        chunk = [i.upper() for i in ids[start : start + 500]]
        marks = ", ".join("?" * len(chunk))
        sql = f'SELECT 1 FROM reports WHERE id_key IN ({marks}) GROUP BY "id" HAVING count(*) > 1'
        if connection.execute(sql, chunk).fetchone() is not None:
            return True
    return False
