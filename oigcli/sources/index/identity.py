"""A dataset's identity: what an index is of, and the check that it still is.

A file's is its real path, device, inode, size, modification and change times and a
fingerprint of its content; a scraper's folder's, the same numbers of every folder,
report.json and report.txt in it, hashed (``tree_identity``). See oigcli.sources.index.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from array import array
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from oigcli.load.members import Stat
from oigcli.load.records import SCRAPER_FILE, SCRAPER_TEXT
from oigcli.model.location import Location

if TYPE_CHECKING:
    pass


MIN_BYTES = 1 << 20
"""Smaller files are read as fast as an index is opened, and are not indexed."""

SAMPLES = 16
SAMPLE_BYTES = 1 << 16
"""The fingerprint hashes SAMPLES blocks of SAMPLE_BYTES (the whole file when smaller)."""

# --- identity ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Identity:
    """What a dataset file is: any change to it changes one of these."""

    path: str
    device: int
    inode: int
    size: int
    mtime_ns: int
    ctime_ns: int
    fingerprint: str


def identify(path: str | Location) -> Identity | None:
    """The identity of the dataset at ``path``: a regular file (a zip file too, with the
    folder inside it read), or a scraper's folder (``identify_tree``); None for anything
    else or an error."""
    where = Location.of(path)
    if where.kind == "folder":
        return identify_tree(str(where.path))
    if where.kind == "zip" and where.member:  # bulk.zip/dhs: the zip's, and the folder
        whole = identify(str(where.file))
        if whole is None:
            return None
        return replace(whole, path=f"{whole.path}/{where.member}")
    if not where.stored:
        return None
    path = str(where.file)
    try:
        real = os.path.realpath(path)
        fd = os.open(real, os.O_RDONLY | os.O_NONBLOCK)  # a FIFO is not waited on
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return None
        print_ = fingerprint(fd, info.st_size)
    except OSError:
        return None
    finally:
        os.close(fd)
    return Identity(
        real,
        info.st_dev,
        info.st_ino,
        info.st_size,
        info.st_mtime_ns,
        info.st_ctime_ns,
        print_,
    )


def identify_tree(root: str) -> Identity | None:
    """The identity of a scraper's folder (see ``tree_identity``), after a walk of it."""
    real = os.path.realpath(root)
    return tree_identity(real, tree_listing(real))


def tree_listing(real: str, notes: list[str] | None = None) -> list[str]:
    """Every folder of the tree at ``real`` (itself too, as ".") and every report.json
    and report.txt in it, as paths relative to it, in the order they are walked.
    ``notes`` gets what the walk says (a link loop skipped)."""
    from oigcli.load.archive import tree_files

    folders: list[str] = []
    files: list[str] = []
    for folder, names in tree_files(real, notes, folders=folders):
        files.extend(os.path.join(folder, n) for n in (SCRAPER_FILE, SCRAPER_TEXT) if n in names)
    return [relative(path, real) for path in (*folders, *files)]


def relative(path: str, root: str) -> str:
    """``path`` relative to the folder ``root`` it is in (or is), as os.path.relpath says
    it, ten times as fast for the paths a walk makes (``root``, then a separator)."""
    start = root.rstrip(os.sep) + os.sep
    if path.startswith(start):
        return path[len(start) :] or "."
    return "." if path == root else os.path.relpath(path, root)


Looked = tuple[int, int, int, int, bool] | None
"""What a look at an entry of a folder found: its size, inode, modification and change
times, and whether it is a folder; None when it is gone."""

GONE, FILE, FOLDER = 2, 0, 1


class Look(Mapping[str, Looked]):
    """What ``tree_identity`` found of every entry of a listing, by path, kept as the
    numbers it hashes anyway and a byte an entry (file, folder, gone): a check that finds
    the folder as it was keeps no object per entry (300,000 of them at 100,000 reports);
    the mapping from paths is made only when it is read (an update that follows)."""

    def __init__(self) -> None:
        self.listing: Sequence[str] = ()
        self.numbers = array("q")
        self.kinds = bytearray()
        self._at: dict[str, int] | None = None

    def _places(self) -> dict[str, int]:
        if self._at is None:
            self._at = {path: i for i, path in enumerate(self.listing)}
        return self._at

    def __getitem__(self, path: str) -> Looked:
        i = self._places()[path]
        if self.kinds[i] == GONE:
            return None
        size, inode, mtime, ctime = self.numbers[4 * i : 4 * i + 4]
        return size, inode, mtime, ctime, self.kinds[i] == FOLDER

    def __contains__(self, path: object) -> bool:
        return path in self._places()

    def __iter__(self) -> Iterator[str]:
        return iter(self.listing)

    def __len__(self) -> int:
        return len(self.listing)

    def folders(self) -> dict[str, tuple[int, ...]]:
        """Each folder that was there, by path: its four numbers (read from the arrays,
        not entry by entry through the mapping)."""
        numbers, kinds = self.numbers, self.kinds
        return {
            path: tuple(numbers[4 * i : 4 * i + 4])
            for i, path in enumerate(self.listing)
            if kinds[i] == FOLDER
        }


def tree_identity(
    real: str,
    listing: Sequence[str],
    listing_text: str | None = None,
    entries: dict[str, Stat] | None = None,
    looked: Look | None = None,
    known: Mapping[str, Looked] | None = None,
) -> Identity | None:
    """The identity of a scraper's folder from its ``listing`` (``tree_listing``): each
    folder's and file's size, inode, and modification and change times (nanoseconds),
    hashed, with the files' total size and the newest times. A file added to or removed
    from a folder changes the folder's times; a file changed in place (even to the same
    size and modification time: the change time cannot be set back) changes its own. So
    an index keeps its folder's listing and answers only while every entry is as it was:
    stats of what it lists (30,000 for 10,000 reports), and no walk. ``listing_text``: the
    listing as the index keeps it (``json.dumps`` of it), hashed with the numbers.
    ``entries`` gets each file's numbers by its path (as the listing names it);
    ``looked``, what was found of every entry; ``known``, what was found already (a look
    moments ago, under the same lock), used instead of looking again."""

    try:
        info = os.stat(real)
        folder = os.open(real, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return None
    numbers = array("q")  # each entry's four numbers, hashed as bytes: no text per entry
    kinds = bytearray()
    size = newest_m = newest_c = 0
    stat_of = os.stat
    isdir = stat.S_ISDIR
    try:
        for relative in listing:
            if known is not None and relative in known:
                seen = known[relative]
                if seen is None:
                    numbers.extend((-1, -1, -1, -1))
                    kinds.append(GONE)
                    continue
                bytes_, inode, mtime, ctime, is_folder = seen
            else:
                try:
                    found = stat_of(relative, dir_fd=folder)  # no path joined or walked twice
                except OSError:  # gone
                    numbers.extend((-1, -1, -1, -1))
                    kinds.append(GONE)
                    continue
                bytes_, inode = found.st_size, found.st_ino
                mtime, ctime, is_folder = found.st_mtime_ns, found.st_ctime_ns, isdir(found.st_mode)
            kinds.append(FOLDER if is_folder else FILE)
            if not is_folder:
                size += bytes_
            newest_m, newest_c = max(newest_m, mtime), max(newest_c, ctime)
            if entries is not None and not is_folder:
                entries[relative] = Stat(bytes_, inode, mtime, ctime)
            entry = (bytes_, inode, mtime, ctime)
            try:
                numbers.extend(entry)
            except OverflowError:  # an inode or a time (year 2262 on) past 63 bits
                numbers.extend((n + (1 << 63)) % (1 << 64) - (1 << 63) for n in entry)
    finally:
        os.close(folder)
    if looked is not None:
        looked.listing, looked.numbers, looked.kinds, looked._at = listing, numbers, kinds, None
    text = json.dumps(list(listing)) if listing_text is None else listing_text
    digest = hashlib.blake2b(text.encode("utf-8", "surrogateescape"))
    digest.update(numbers.tobytes())
    return Identity(
        real, info.st_dev, info.st_ino, size, newest_m, newest_c, digest.hexdigest()[:32]
    )


def fingerprint(fd: int, size: int) -> str:
    """A hash of the size and of SAMPLES blocks spread evenly from the first byte to the
    last (the whole content when it is no bigger than the blocks)."""

    digest = hashlib.blake2b(str(size).encode(), digest_size=16)
    if size <= SAMPLES * SAMPLE_BYTES:
        offsets = list(range(0, size, SAMPLE_BYTES))
    else:
        step = (size - SAMPLE_BYTES) / (SAMPLES - 1)
        offsets = [round(i * step) for i in range(SAMPLES)]
    for offset in offsets:
        digest.update(os.pread(fd, SAMPLE_BYTES, offset))
    return digest.hexdigest()


def real_path(path: str | Location) -> str:
    """The path an index is kept for: the real path, or a zip's real path and the folder
    inside it (as ``identify`` names it)."""
    where = Location.of(path)
    if where.kind == "zip" and where.member:
        return f"{os.path.realpath(str(where.file))}/{where.member}"
    return os.path.realpath(str(where.path))


def index_path(identity: Identity, cache: Path) -> Path:
    """Where the index of this file goes: one per path (a new version replaces the old)."""
    return index_file(identity.path, cache)


def index_file(real_path: str, cache: Path) -> Path:
    name = hashlib.blake2b(real_path.encode("utf-8", "surrogateescape"), digest_size=16)
    return cache / f"{name.hexdigest()}.sqlite3"


def identity_text(identity: Identity) -> str:
    return json.dumps(asdict(identity), sort_keys=True)


def worth_indexing(path: str | Location | None) -> bool:
    """A regular file of at least MIN_BYTES, a zip file of that size or a folder inside
    one, or a folder (a scraper's tree: the builder finds whether it holds MIN_BYTES of
    reports); not stdin or the bundled data."""
    where = Location.of(path)
    if where.kind == "folder":
        return True
    if not where.stored:
        return False
    try:
        info = os.stat(str(where.file))
    except OSError:
        return False
    return stat.S_ISREG(info.st_mode) and info.st_size >= MIN_BYTES
