"""Building an index: whether a dataset is worth one, the builder a first query starts
in the background, the build itself (under a lock, into a new file renamed into place,
reading what it identified), pruning the cache, and ``oigcli index``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import json
import os
import signal
import stat
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import oigcli
from oigcli.load import dataset
from oigcli.load.members import Stat
from oigcli.model.errors import DatasetError, OutputError, UsageError
from oigcli.model.location import Location
from oigcli.model.schema import Report
from oigcli.sources.cache import (
    KEPT_SECONDS,
    MAX_BYTES,
    busy,
    folder,
    locked,
    open_file,
    prepare,
    read_small,
    regular,
    remove,
    write_private,
)
from oigcli.sources.cache import max_bytes as cache_cap
from oigcli.sources.index.identity import (
    MIN_BYTES,
    Identity,
    Look,
    identify,
    identity_text,
    index_file,
    index_path,
    real_path,
    tree_identity,
    tree_listing,
    worth_indexing,
)
from oigcli.sources.index.layout import Writer, create
from oigcli.sources.index.reader import open_index, read_only
from oigcli.sources.index.update import checked_reads, folder_of, update

if TYPE_CHECKING:
    pass


MIN_TREE_REPORTS = 200
"""A scraper's folder with fewer reports is not indexed (its report.json files are about
2 KB each: a few hundred are read as fast as an index is opened)."""
SETTLED_NS = 2_000_000_000
"""How long a file must have been left alone before an index is made of it."""

# --- building an index ------------------------------------------------------------------


def _companion(index_file: Path, suffix: str) -> Path:
    """The lock (``.lock``), temporary file (``.tmp``) or marker (``.skip``) of an index."""
    return index_file.with_suffix(suffix)


def wanted(path: str | Location, cache: Path) -> bool:
    """Whether a first query should start a builder for ``path``: not when one is at work
    on it already, nor when this very file was found to be one that cannot be indexed (a
    dataset with problems, or values SQLite cannot hold): it would be read again for
    nothing after every query."""

    if not worth_indexing(path):
        return False
    target = index_file(real_path(path), cache)
    if busy(_companion(target, ".lock")):
        return False
    marker = read_small(_companion(target, ".skip"))
    if marker is not None:
        identity = identify(path)
        if identity is not None and marker == identity_text(identity).encode():
            return False
    return True


BOOTSTRAP = (
    "import sys; sys.path.append(sys.argv.pop(1)); "
    "from oigcli.sources.index.builder import main; sys.exit(main(sys.argv[1:]))"
)
"""The builder's program. It runs with ``python -I``, so neither the current folder nor
PYTHON* variables reach its sys.path (a ``json.py`` beside a downloaded dataset must not be
imported); the folder oigcli itself was imported from is added after the standard ones."""


def _package_root() -> str:
    """The folder the oigcli package was imported from."""

    return os.path.dirname(os.path.dirname(os.path.abspath(oigcli.__file__)))


def build_in_background(path: str, cache: Path) -> None:
    """Start a builder for ``path`` that outlives this process and holds none of its
    streams, isolated from the current folder. Nothing is said when that is impossible:
    the query has been answered, and the next one will read the file again."""
    try:
        devnull = os.devnull
        os.posix_spawn(
            sys.executable,
            [
                sys.executable,
                "-I",
                "-c",
                BOOTSTRAP,
                _package_root(),
                "--background",
                os.path.abspath(cache),
                os.path.abspath(path),
            ],
            os.environ,
            file_actions=[
                (os.POSIX_SPAWN_OPEN, 0, devnull, os.O_RDONLY, 0),
                (os.POSIX_SPAWN_OPEN, 1, devnull, os.O_WRONLY, 0),
                (os.POSIX_SPAWN_OPEN, 2, devnull, os.O_WRONLY, 0),
            ],
            setsid=True,
        )
    except (OSError, AttributeError, NotImplementedError):  # no posix_spawn: no index
        pass


def build(
    path: str | Location,
    cache: Path,
    settle: bool = True,
    wait: bool = False,
    max_bytes: int = MAX_BYTES,
) -> Path | None:
    """Make the index of the dataset file at ``path`` unless a matching one exists.
    Returns the index's path, or None when none was made: the file is not worth indexing,
    is not a valid dataset, changed while it was read, the cache cannot be trusted, or
    another builder is at work on it.

    The lock is taken first, so at most one builder of a file is ever alive past this
    point. ``settle`` then waits until the file has been left alone for SETTLED_NS (see
    the module's documentation), never longer than that, even for a file whose times are
    in the future; tests that make a file and index it at once turn it off. ``wait``
    waits for a builder already at work on the file (and then finds its index) instead
    of leaving the work to it. ``max_bytes``: the cache's cap, which a new index may
    make the cache prune to (cache.max_bytes)."""

    path = Location.of(path)  # classified once: every step below is of the same dataset
    identity = identify(path)
    if identity is None or prepare(cache):
        return None
    if not worth_indexing(path):  # (a query decides whether a folder is)
        return None
    target = index_path(identity, cache)
    with locked(_companion(target, ".lock"), wait) as held:
        if not held:
            return None
        if settle:
            quiet_since = max(identity.mtime_ns, identity.ctime_ns)
            unsettled = min(quiet_since + SETTLED_NS - time.time_ns(), SETTLED_NS)
            if unsettled > 0:
                time.sleep(unsettled / 1e9)
                if identify(path) != identity:
                    return None
        existing = open_index(path, cache)
        if existing is not None:
            existing.close()
            return target
        updated = update(path, target, UPDATED_SHARE, SETTLED_NS) is not None
        made = updated or _make(path, identity, target)
    prune(cache, keep=target if made else None, max_bytes=max_bytes)
    return target if made else None


def _make(path: Location, identity: Identity, target: Path) -> bool:
    """Write the index under the lock: a new 0600 file, renamed into place when whole.
    A file that cannot be indexed as it is gets a marker, so it is not tried again."""
    import sqlite3

    temporary, marker = _companion(target, ".tmp"), _companion(target, ".skip")
    remove(temporary)  # left by a builder that died: we hold the lock, it is nobody's
    try:
        os.close(open_file(temporary, os.O_RDWR, exclusive=True))
    except OSError:
        return False
    hopeless = False
    try:
        made = _write(path, identity, temporary)
        hopeless = not made
    except sqlite3.Error as exc:  # what SQLite cannot hold (an integer past 64 bits); or
        made, hopeless = False, "full" not in str(exc)  # no room, which may pass
    except (OverflowError, UnicodeError):  # a lone surrogate
        made, hopeless = False, True
    except OSError:  # no room: the file is read each time, as without a cache
        made = False
    except BaseException:  # interrupted (SIGINT, or SIGTERM in main): leave nothing
        remove(temporary)
        raise
    if not made or identify(path) != identity:
        remove(temporary)
        if hopeless and identify(path) == identity:
            with contextlib.suppress(OSError):
                write_private(marker, identity_text(identity).encode())
        return False
    remove(_journal(target))  # an update's, cut short: it belongs to the index replaced
    os.replace(temporary, target)
    remove(marker)
    _sync_directory(target.parent)
    return True


SUFFIXES = (".sqlite3", ".sqlite3-journal", ".tmp", ".lock", ".skip", ".new")


def _journal(index_file: Path) -> Path:
    """SQLite's rollback journal of an index being updated (builder.update): left behind
    only by an update cut short, and then the index is not read until the next update
    rolls it back (reader.open_index)."""
    return index_file.with_name(f"{index_file.name}-journal")


def prune(
    cache: Path,
    keep: Path | None = None,
    max_bytes: int = MAX_BYTES,
    kept_seconds: float = KEPT_SECONDS,
) -> list[Path]:
    """Remove what no query can use, each only under its lock (so no builder at work loses
    anything, and no query reading an index loses it): the index or marker of a file that
    no longer exists, a temporary file left by a builder that died, and then a lock file
    with nothing left to guard. Then, while the indexes take more than ``max_bytes``, the
    least recently used are removed, but never ``keep``, one in use, nor one built less
    than ``kept_seconds`` ago (today's archive is not evicted while tomorrow's builds).
    Returns what was removed."""

    removed: list[Path] = []
    try:
        names = [p for p in cache.iterdir() if p.name.endswith(SUFFIXES)]
    except OSError:
        return removed
    for stem in sorted({p.name.split(".", 1)[0] for p in names}):
        lock = cache / f"{stem}.lock"
        with locked(lock) as held:
            if not held:
                continue
            stale = [cache / f"{stem}{suffix}" for suffix in (".tmp", ".new", ".skip.new")]
            index_file, marker = cache / f"{stem}.sqlite3", cache / f"{stem}.skip"
            if os.path.lexists(index_file) and not _source_exists(index_file):
                stale += [index_file, _journal(index_file)]
            if os.path.lexists(marker) and not _marked_source_exists(marker):
                stale.append(marker)
            for path in stale:
                if os.path.lexists(path):
                    remove(path)
                    removed.append(path)
            if not any(os.path.lexists(cache / f"{stem}{s}") for s in (".sqlite3", ".skip")):
                remove(lock)  # nothing to guard; under its lock, so nobody is inside
    removed += _limit(cache, keep, max_bytes, time.time() - kept_seconds)
    return removed


def _meta_of(index_file: Path) -> dict[str, object]:
    """An index's meta values, but its long lists ({} when it cannot be read as one)."""
    import sqlite3

    if not regular(index_file):
        return {}
    try:
        with contextlib.closing(read_only(index_file)) as connection:
            found = connection.execute(
                "SELECT key, value FROM meta WHERE key NOT IN ('numbers', 'values', 'tree')"
            )
            return dict(found.fetchall())
    except sqlite3.Error:
        return {}


def _built(meta: Mapping[str, object]) -> float:
    """When an index was built (seconds since the epoch; 0 when it does not say)."""
    built = meta.get("built")
    return float(built) if isinstance(built, (int, float)) else 0.0


def _source_of(meta: Mapping[str, object]) -> str | None:
    """The path of the dataset an index was made of, from its meta."""
    try:
        source = json.loads(str(meta["identity"]))["path"]
    except (TypeError, ValueError, KeyError):
        return None
    return source if isinstance(source, str) else None


def _source_exists(index_file: Path) -> bool:
    """Whether the dataset an index was made of still exists (False: not a usable index)."""
    source = _source_of(_meta_of(index_file))
    return source is not None and os.path.exists(source)


def _marked_source_exists(marker: Path) -> bool:
    try:
        source = json.loads(read_small(marker) or b"")["path"]
    except (TypeError, ValueError, KeyError):
        return False
    return isinstance(source, str) and os.path.exists(source)


def _limit(cache: Path, keep: Path | None, max_bytes: int, built_before: float) -> list[Path]:
    """Remove the least recently used indexes until they fit in ``max_bytes``: those not
    in use, and built before ``built_before``."""

    found = []
    for path in cache.glob("*.sqlite3"):
        try:
            info = os.lstat(path)
        except OSError:
            continue
        if stat.S_ISREG(info.st_mode):
            found.append((info.st_mtime_ns, info.st_size, path))
    total = sum(size for _, size, _ in found)
    removed = []
    for _, size, path in sorted(found):
        if total <= max_bytes:
            break
        if path == keep or _built(_meta_of(path)) > built_before:
            continue
        with locked(_companion(path, ".lock")) as held:  # not held: in use, or building
            if held:
                remove(path)
                remove(_journal(path))
                removed.append(path)
                total -= size
    return removed


def _write(path: Location, identity: Identity, temporary: Path) -> bool:
    """Read and check the dataset, writing it into a new database at ``temporary``.
    False when the dataset has problems (queries report them; nothing is indexed), or
    when what was read is not what ``identity`` is of.

    What is read is the very thing identified, never the path again (another user who
    owns a link on the way could swap it for ~1 ms while the builder reads, then back):
    a file or zip is opened once, checked to be the identified file (device, inode, size,
    times), and read from that descriptor; a folder's files are read from its real path,
    and each one's ``fstat`` while it was read must be what the identity has for it."""
    import sqlite3

    connection = sqlite3.connect(temporary, isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode = OFF")
        connection.execute("PRAGMA synchronous = OFF")
        create(connection)
        connection.execute("BEGIN")
        writer = Writer(connection)
        if os.path.isdir(identity.path):
            tree = _read_tree(identity, writer)
            if tree is None:
                return False
            listing, notes = tree
            connection.execute("INSERT INTO meta VALUES ('tree', ?)", (json.dumps(listing),))
        else:
            read = _read_file(path, identity, writer.add)
            if read is None:
                return False
            notes = read
        writer.finish(identity)
        connection.execute("INSERT INTO meta VALUES ('notes', ?)", (json.dumps(notes),))
        connection.execute("COMMIT")
    finally:
        connection.close()
    with open(temporary, "rb+") as file:
        os.fsync(file.fileno())
    return True


def _read_tree(identity: Identity, writer: Writer) -> tuple[list[str], list[str]] | None:
    """A scraper's folder's reports, each written with the folder it was read from, and
    the files read; then its listing and notes. None when it has problems or is not, file
    for file, what ``identity`` is of."""

    seen: dict[str, Stat] = {}
    root = identity.path
    data, reports = dataset.stream(root, texts=True, seen=seen)
    for report in reports:
        writer.add(report, folder_of(data.origin, root))
    if data.problems:
        return None
    listing = tree_listing(root)
    entries: dict[str, Stat] = {}
    looked = Look()
    if tree_identity(root, listing, entries=entries, looked=looked) != identity:
        return None  # changed while it was read
    read = checked_reads(root, seen, entries)
    if read is None:
        return None
    writer.files(read)
    writer.walked(looked.folders())
    return listing, data.notes


def _read_file(
    where: Location, identity: Identity, add: Callable[[Report], None]
) -> list[str] | None:
    """A dataset file's (or zip's) reports, read from one descriptor that is checked to be
    the identified file, before and after, each given to ``add``; then its notes. None
    when it has problems or is not what ``identity`` is of."""

    real = os.path.realpath(str(where.file))
    try:
        fd = os.open(real, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)  # a FIFO: no wait
    except OSError:
        return None
    with os.fdopen(fd, "rb") as opened:
        if not _is_identified(os.fstat(fd), identity):
            return None
        data = dataset.read(where, pick=_adding(add), texts=True, opened=opened)
        if data.problems or not _is_identified(os.fstat(fd), identity):
            return None
    return data.notes


# --- updating an index in place (oigcli.sources.index.update) -------------------------


UPDATED_SHARE = 0.25
"""A builder updates a folder's index in place when at most this share of its reports
changed (at most MAX_UPDATED by a query, which waits for it); more, and it builds anew."""
MAX_UPDATED = 500


def refresh(path: str | Location, cache: Path, looked: Look | None = None) -> Identity | None:
    """Update the index of the scraper's folder at ``path`` in place now, when it is stale
    because a few of its reports were added, changed or removed (``update``): what a
    query does before it would read the whole folder. The folder's identity as the index
    now has it (reader.open_index need not look at the folder again); None when it
    cannot (no index, one of another version, a builder or a query holds it, too many
    changes, a change too recent to trust: the query then reads the folder, and starts a
    builder). ``looked``: what the query's check found of the folder's entries, moments
    ago, which the update takes as it is rather than look again."""
    where = Location.of(path)
    if where.kind != "folder" or prepare(cache):
        return None
    target = index_file(real_path(where), cache)
    if not regular(target):
        return None
    with locked(_companion(target, ".lock")) as held:
        return update(where, target, MAX_UPDATED, SETTLED_NS, looked) if held else None


def _adding(add: Callable[[Report], None]) -> Callable[[Report], None]:
    """A ``pick`` for dataset.read that gives each report to ``add`` and keeps none."""

    def pick(report: Report) -> None:
        add(report)

    return pick


def _is_identified(info: os.stat_result, identity: Identity) -> bool:
    """Whether the open file ``info`` is of is the one ``identity`` was made from."""
    return stat.S_ISREG(info.st_mode) and (
        info.st_dev,
        info.st_ino,
        info.st_size,
        info.st_mtime_ns,
        info.st_ctime_ns,
    ) == (identity.device, identity.inode, identity.size, identity.mtime_ns, identity.ctime_ns)


def _sync_directory(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _cap(environ: Mapping[str, str]) -> int:
    """The cache's cap (cache.max_bytes); UsageError when OIGCLI_CACHE_MAX is not a size."""
    try:
        return cache_cap(environ)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def holdings(cache: Path) -> list[dict[str, Any]]:
    """Every index in the cache (``oigcli cache``), most recently used first: the dataset
    it was made of and whether that still exists, its reports, its size in bytes, when it
    was built and last used (its modification time, which each query it answers sets),
    and its file."""
    found: list[tuple[int, str]] = []  # (last use, file): the order, to the nanosecond
    rows: list[dict[str, Any]] = []
    for path in cache.glob("*.sqlite3"):
        try:
            info = os.lstat(path)
        except OSError:
            continue
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid():
            continue
        meta = _meta_of(path)
        source = _source_of(meta)
        reports = meta.get("reports")
        found.append((info.st_mtime_ns, str(path)))
        rows.append(
            {
                "dataset": source,
                "exists": source is not None and os.path.exists(source),
                "reports": reports if isinstance(reports, int) else None,
                "bytes": info.st_size,
                "built": _moment(_built(meta)) if _built(meta) else None,
                "last_used": _moment(info.st_mtime),
                "index": str(path),
            }
        )
    order = sorted(range(len(rows)), key=found.__getitem__, reverse=True)
    return [rows[i] for i in order]


def _moment(seconds: float) -> str:
    """A time as ISO 8601 in UTC, to the second."""
    return dt.datetime.fromtimestamp(int(seconds), dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def clear(cache: Path) -> tuple[int, int]:
    """Remove every index from the cache, with its lock, marker and leftovers, each under
    its lock (``oigcli cache clear``). Returns how many indexes were removed, and how many
    were left because a query is reading them or a builder is at work on them."""
    try:
        names = [p.name for p in cache.iterdir() if p.name.endswith(SUFFIXES)]
    except OSError:
        return 0, 0
    removed = left = 0
    for stem in sorted({name.split(".", 1)[0] for name in names}):
        index = cache / f"{stem}.sqlite3"
        with locked(cache / f"{stem}.lock") as held:
            if not held:
                left += os.path.lexists(index)
                continue
            removed += os.path.lexists(index)
            for suffix in (*SUFFIXES[:2], ".tmp", ".skip", ".new", ".skip.new", ".lock"):
                remove(cache / f"{stem}{suffix}")  # the lock last: nobody is inside
    return removed, left


def index_now(path: str | Location, environ: Mapping[str, str]) -> str | None:
    """Index the dataset at ``path`` now, in the cache queries use (``oigcli index``),
    waiting for a builder already at work on it. None when it has an index; a note for a
    person when it needs none (a file under MIN_BYTES reads as fast as an index answers).
    Raises OutputError when the cache cannot be used, DatasetError when the dataset
    cannot be indexed."""

    cap = _cap(environ)
    cache = folder(environ, create=True)
    if cache.path is None:
        raise OutputError(f"the cache cannot be used: {cache.reason}")
    dataset = Location.of(path)
    if build(dataset, cache.path, wait=True, max_bytes=cap) is not None:
        return None
    path = str(dataset.path)  # (what the messages name)
    if identify(dataset) is None:
        raise DatasetError(f"{path}: no dataset file, zip or scraper folder to index there")
    if not worth_indexing(dataset):
        return (
            f"{path} is under {MIN_BYTES >> 20} MiB: not indexed (reading it is as fast as "
            "an index would answer)"
        )
    raise DatasetError(
        f"{path}: not indexed: it has problems (run 'oigcli validate {path}' to list "
        "them), it changed while it was read, or its lock in the cache could not be taken"
    )


def main(argv: Sequence[str]) -> int:
    """``--background CACHE FILE...``: what a query starts (``build_in_background``); it
    says nothing and exits 0 when every file has an index, 1 otherwise. A person or a
    script runs ``oigcli index FILE`` (``python -m oigcli.sources.index`` would put the current
    folder, perhaps a downloaded dataset's, on the import path)."""

    gc.disable()  # as oigcli.cli.main.main: the reports read hold no cycles to collect
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))  # cleans up
    arguments = list(argv)
    if arguments[:1] != ["--background"] or len(arguments) < 3:
        print("usage: oigcli index PATH... (this module is oigcli's builder)", file=sys.stderr)
        return 2
    cache = Path(arguments[1])
    with contextlib.suppress(OSError):
        os.chdir("/")  # hold no folder of the user's (it could not be unmounted)
        os.nice(10)  # the user's foreground work comes first
    try:
        cap = cache_cap(os.environ)
    except ValueError:  # a query said so under --verbose; here, nobody to tell
        cap = MAX_BYTES
    made = [build(path, cache, max_bytes=cap) is not None for path in arguments[2:]]
    return 0 if all(made) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
