"""The inspectors-general scraper's folders and bulk zips, read one report at a time
(``<inspector>/<year>/<report_id>/report.json``, with ``report.txt`` beside it): the walk,
links followed once, and each file read as hostile bytes (oigcli.load.members)."""

from __future__ import annotations

import errno
import os
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import BinaryIO

from oigcli.load import members
from oigcli.load.members import Stat
from oigcli.load.parse import not_utf8, parse_json
from oigcli.load.records import SCRAPER_FILE, SCRAPER_TEXT, Entry, Problem
from oigcli.model.errors import DatasetError
from oigcli.model.schema import TEXT
from oigcli.model.text import sanitise


def read_member(path: str, seen: dict[str, Stat] | None = None) -> str:
    """A report.json in a folder, read as ``members.read_file`` reads a dataset's files (no
    link followed, no FIFO waited on, at most JSON_BYTES); DatasetError says why not."""
    try:
        data = members.read_file(path, members.JSON_BYTES, SCRAPER_FILE, seen)
    except members.Refused as exc:
        raise DatasetError(f"{path}: {exc}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DatasetError(f"{path}: {not_utf8(exc.start, exc.reason)}") from None


def scan_folder(
    root: Path,
    notes: list[str],
    seen: dict[str, Stat] | None = None,
    only: Sequence[str] | None = None,
    flaws: list[str] | None = None,
) -> tuple[Iterator[Entry], list[Problem]]:
    """Every report.json below ``root``, in path order, with the report.txt beside it as
    its ``text`` (the values read from a report's words come from it), each read as it
    is asked for (an archive's texts are
    gigabytes: one at a time is held); problems are added to the list as they are met.
    A link to a folder is followed once: a link back to a folder on the way (a loop) or
    to one read already is skipped, and ``notes`` says so. ``seen`` gets what each file
    read was (``members.Stat``), for a builder to check against the folder's identity.
    ``only``: these folders (relative to ``root``; none walked), in the same order.
    ``flaws``: what was wrong with a text read (``text_of``)."""
    if only is None:
        found = (folder for folder, _ in tree_files(str(root), notes))
    else:
        found = (str(root) if f == "." else os.path.join(str(root), f) for f in only)
    folders = sorted(found, key=path_order)
    if not folders and only is None:
        raise DatasetError(
            f"{root}: no {SCRAPER_FILE} files in this directory; expected the "
            "inspectors-general layout <root>/<inspector>/<year>/<report_id>/report.json"
        )
    problems: list[Problem] = []

    def entries() -> Iterator[Entry]:
        for folder in folders:
            path = os.path.join(folder, SCRAPER_FILE)
            try:
                found, trouble = parse_json(read_member(path, seen), path)
            except DatasetError as exc:
                problems.append(Problem(path, str(exc).removeprefix(f"{path}: ")))
                continue
            beside = os.path.join(folder, SCRAPER_TEXT)
            _with_text(found, partial(read_text, beside, seen, flaws))
            problems.extend(trouble)
            yield from found

    return entries(), problems


def path_order(path: str) -> list[str]:
    """Paths in the order of their parts (``a/x`` before ``a-b/x``), as pathlib sorts."""
    return path.split(os.sep)


def _with_text(entries: list[Entry], read: Callable[[], str | None]) -> None:
    """Puts the text ``read`` gives into the one record of ``entries`` (a scraper's
    report.json holds one object), unless the record carries its own."""
    for entry in entries:
        if isinstance(entry.value, dict) and entry.value.get(TEXT) is None:
            entry.value[TEXT] = read()


def read_text(
    path: str, seen: dict[str, Stat] | None = None, flaws: list[str] | None = None
) -> str | None:
    """The text of a report.txt, or None when there is none that can be read (as
    ``members.read_file`` reads: a link is not followed, since downloaded data could point
    it at a private file of yours, which --fields text would then print), as ``text_of``
    makes it."""
    try:
        data = members.read_file(path, members.TEXT_BYTES, SCRAPER_TEXT, seen)
    except members.Refused:
        return None
    return text_of(data, path, flaws)


def text_of(data: bytes, where: str, flaws: list[str] | None = None) -> str:
    """A report.txt's bytes as text: UTF-8, any bytes that are not replaced by U+FFFD, and
    NUL bytes (which PDF extraction leaves, and which SQLite and C programs take for the
    end of the text) dropped. Text extracted from a PDF is not always clean, and the
    text is a report's extra, never a reason to refuse its record: ``flaws`` gets a line
    for a person (``validate``) when the bytes were not UTF-8 or held NULs."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        text = data.decode("utf-8", errors="replace")
        if flaws is not None:
            flaws.append(
                f"{where}: not UTF-8 text (byte {exc.start}: {exc.reason}); read with U+FFFD "
                "in place of the bytes that are not"
            )
    if "\x00" in text:
        if flaws is not None:
            count = text.count("\x00")
            flaws.append(f"{where}: {count:,} NUL byte{'s' * (count != 1)}, left out of the text")
        text = text.replace("\x00", "")
    return text


def scan_zip(
    archive_path: str,
    inner: str,
    opened: BinaryIO | None = None,
    flaws: list[str] | None = None,
) -> tuple[Iterator[Entry], list[Problem]]:
    """Every report.json in the zip at ``archive_path`` below the folder ``inner``, read in
    place (nothing is unpacked), in path order, each as it is asked for (as ``scan_folder``), by
    ``members.Zip`` (which refuses a zip whose directory lies, and inflates each member
    under a limit of the bytes it really makes). ``inner`` is a folder at the zip's root,
    or in its one top folder (the scraper's bulk zip holds data/<inspector>/...).
    ``opened``: the zip is read from this file (a builder's, already checked), not opened
    again by its name."""
    try:
        file = open(archive_path, "rb") if opened is None else opened  # noqa: SIM115
    except OSError as exc:
        raise DatasetError(f"{archive_path}: cannot read it ({exc.strerror or exc})") from None
    try:
        archive = members.Zip(file)
    except members.Refused as exc:
        if opened is None:
            file.close()
        raise DatasetError(f"{archive_path}: {exc}") from None
    everything = archive.names()
    names = [n for n in everything if n.rsplit("/", 1)[-1] == SCRAPER_FILE]
    if inner:
        tops = {n.split("/", 1)[0] for n in everything if "/" in n}
        prefixes = [f"{inner}/", *(f"{top}/{inner}/" for top in tops if len(tops) == 1)]
        names = [n for n in names if n.startswith(tuple(prefixes))]
    if not names:
        if opened is None:
            file.close()
        where = f" below {inner}/" if inner else ""
        raise DatasetError(
            f"{archive_path}: no {SCRAPER_FILE} files in this zip{where}; expected the "
            "inspectors-general layout <inspector>/<year>/<report_id>/report.json"
        )
    problems: list[Problem] = []

    def entries() -> Iterator[Entry]:
        try:
            for name in sorted(names):
                source = f"{archive_path}/{name}"
                try:
                    text = zip_member(archive, name)
                except DatasetError as exc:
                    problems.append(Problem(source, str(exc)))
                    continue
                found, trouble = parse_json(text, source)
                _with_text(found, partial(zip_text, archive, name, flaws, archive_path))
                problems.extend(trouble)
                yield from found
        finally:
            if opened is None:
                file.close()

    return entries(), problems


def zip_text(
    archive: members.Zip, name: str, flaws: list[str] | None = None, where: str = ""
) -> str | None:
    """The report.txt beside the member ``name``, as ``read_text`` reads one (``where``:
    the zip's path, to name it in ``flaws``)."""
    beside = name.rsplit("/", 1)[0] + "/" + SCRAPER_TEXT if "/" in name else SCRAPER_TEXT
    if beside not in archive.by_name:
        return None
    try:
        data = archive.read(beside, members.TEXT_BYTES, SCRAPER_TEXT)
    except members.Refused:
        return None
    return text_of(data, f"{where}/{beside}", flaws)


def zip_member(archive: members.Zip, name: str) -> str:
    try:
        data = archive.read(name, members.JSON_BYTES, SCRAPER_FILE)
    except members.Refused as exc:
        raise DatasetError(str(exc)) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DatasetError(not_utf8(exc.start, exc.reason)) from None


def tree_files(
    root: str, notes: list[str] | None = None, folders: list[str] | None = None
) -> Iterator[tuple[str, dict[str, os.DirEntry[str]]]]:
    """Every folder below ``root`` (itself too) that holds a report.json, with the files
    in it, folders in name order (depth first). A link to a folder is followed once: a
    link back to a folder on the way (a loop) or to one seen already is skipped, and
    ``notes`` says so. ``folders`` gets every folder walked. Each folder is listed once
    and no path is resolved but a link's (a folder's real path is its parent's and its
    name), so a walk of 10,000 folders is
    10,000 listings."""

    notes = [] if notes is None else notes
    real_root = os.path.realpath(root)
    seen = {real_root}
    stack = [(root, real_root)]
    while stack:
        folder, real = stack.pop()
        if folders is not None:
            folders.append(folder)
        try:
            with os.scandir(folder) as listing:
                entries = list(listing)
        except OSError as exc:  # unreadable, or gone since: as os.walk, left out
            if exc.errno == errno.ENAMETOOLONG:  # deeper than the system's PATH_MAX
                shown = folder if len(folder) <= 120 else f"{folder[:50]}...{folder[-60:]}"
                notes.append(
                    f"Note: {sanitise(shown)}: its path ({len(os.fsencode(folder)):,} bytes) "
                    "is longer than this system allows; the reports below it are not read."
                )
            continue
        files: dict[str, os.DirEntry[str]] = {}
        inside_folders = []
        for entry in entries:
            try:
                is_folder = entry.is_dir()  # a link to a folder too
            except OSError:
                continue
            if is_folder:
                inside_folders.append(entry)
            else:
                files[entry.name] = entry
        if SCRAPER_FILE in files:
            yield folder, files
        children = []
        for entry in sorted(inside_folders, key=lambda e: e.name):
            inside = entry.path
            linked = entry.is_symlink()
            target = os.path.realpath(inside) if linked else os.path.join(real, entry.name)
            if target in seen:  # only a link can lead to a folder seen already
                why = "a link loop" if _within(folder, target) else "read already"
                notes.append(
                    f"Note: {sanitise(inside)} links to {sanitise(target)}, {why}: skipped."
                )
                continue
            seen.add(target)
            children.append((inside, target))
        stack.extend(reversed(children))


def _within(folder: str, real: str) -> bool:
    """Whether ``real`` is ``folder`` (as it really is) or a folder above it."""
    here = os.path.realpath(folder)
    return here == real or here.startswith(real.rstrip(os.sep) + os.sep)
