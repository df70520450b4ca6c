"""Reading and validating datasets: the bundled one, a file, standard input, a directory.

What is read is recognised from its content, not its name:

- a JSON array of report objects (what ``--json`` prints);
- JSON Lines, one report object per line (what ``--format jsonl`` prints);
- a single report object;
- a directory in the layout of the inspectors-general scraper
  (``<root>/<inspector>/<year>/<report_id>/report.json``), or any folder inside one.

A record in the scraper's shape (it has ``report_id`` and no ``report_number``) is mapped
onto this project's schema wherever it comes from; see ``from_scraper``.

Reading never prints and never exits. ``read`` returns the reports with every problem
found, each with its place; ``load`` raises ``DatasetError`` naming the first problems.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, TextIO

from oigcli.load.check import check, problem_at
from oigcli.load.parse import parse_text, read_stream
from oigcli.load.records import BUNDLED, SCRAPER_FILE, STDIN, Entry, Problem, scraper_id
from oigcli.model.errors import DatasetError
from oigcli.model.location import ZIP_MAGIC, Location
from oigcli.model.schema import TEXT, Report, Unreadable
from oigcli.model.text import sanitise

if TYPE_CHECKING:  # a folder or zip needs them; a JSON file, the usual dataset, does not
    from oigcli.load.members import Stat

Pick = Callable[[Report], "Report | None"]
"""Decides, as each valid report is read, what to keep of it: the report, a smaller copy,
or None to drop it."""


SHOWN_PROBLEMS = 3


@dataclass
class Dataset:
    source: str
    reports: list[Report] = field(default_factory=list)
    records: int = 0
    problems: list[Problem] = field(default_factory=list)
    numbers: list[str] = field(default_factory=list)
    """Every valid report's number, kept or not (for suggestions)."""
    values: dict[str, set[str]] = field(default_factory=dict)
    """The distinct values of each field ``read`` was asked to gather, kept or not."""
    notes: list[str] = field(default_factory=list)
    """What a person should be told of the reading that is no problem (a link loop)."""
    origin: str = ""
    """Where the report last given was read (a scraper's report.json: its path)."""
    flaws: list[str] = field(default_factory=list)
    """What was wrong with the report.txt files read, though they were used (bytes that
    are not UTF-8, NUL bytes): ``validate`` says it."""
    unreadable: list[Unreadable] = field(default_factory=list)
    """Each record left out for its problems, by id where it can be told (``diff``)."""
    doubts: list[str] = field(default_factory=list)
    """Scraper records whose folder's year, ``year`` and ``published_on`` disagree (the
    record is used, its date as published_on gives it): ``validate`` says it."""


def failure_message(data: Dataset, path: str | None) -> str:
    count = len(data.problems)  # each problem one line: a newline in the data is escaped
    shown = "\n".join(f"  {sanitise(str(p))}" for p in data.problems[:SHOWN_PROBLEMS])
    where = "" if path is None else f" {path}"
    skip = "" if path is None else "; --skip-invalid uses the rest"
    if count == 1:
        check = f"Run 'oigcli validate{where}' to check it{skip}."
        return f"{data.source} cannot be used:\n{shown}\n{check}"
    return (
        f"{data.source} cannot be used: {count} problems, the first {min(count, 3)}:\n"
        f"{shown}\nRun 'oigcli validate{where}' to list them all{skip}."
    )


def skipped_message(data: Dataset, path: str | None) -> str:
    """What --skip-invalid tells a person of a dataset it used with problems: how many
    records it left out, and where the first problems were."""

    count, used = len(data.problems), len(data.numbers)
    bad = data.records - used  # records read whose content has a problem
    unreadable = len({p.source for p in data.problems if p.record is None})
    parts = [f"{bad} record{'s' if bad != 1 else ''} with problems"] if bad else []
    if unreadable:  # JSON that could not be read (a file cut short): its records are unknown
        places = f"{unreadable} place{'s' if unreadable != 1 else ''}"
        parts.append(f"what could not be read in {places}")
    shown = "\n".join(f"  {sanitise(str(p))}" for p in data.problems[:SHOWN_PROBLEMS])
    where = "" if path is None else f" {path}"
    first = "the problem" if count == 1 else f"{count} problems, the first {min(count, 3)}"
    return (
        f"Note: --skip-invalid used {used} report{'s' if used != 1 else ''} of {data.source}, "
        f"leaving out {' and '.join(parts) or 'nothing'}; {first}:\n{shown}\n"
        f"Run 'oigcli validate{where}' to list them all."
    )


def read(
    path: str | Location | None = None,
    stdin: TextIO | None = None,
    pick: Pick | None = None,
    gather: Iterable[str] = (),
    texts: bool = False,
    opened: BinaryIO | None = None,
    seen: dict[str, Stat] | None = None,
) -> Dataset:
    """Every report at ``path`` that could be read (or what ``pick`` keeps of it), and
    every problem found. Records are read, checked and kept or dropped one at a time, so a
    query that keeps few reports never holds a large file's objects all at once.

    Raises DatasetError only when nothing can be read at all (no such file, a directory
    without reports, bytes that are not UTF-8). ``opened``: the file at ``path`` (or the
    zip it names a folder of), already open and checked by the caller, is read rather
    than opened again by its name; ``seen``: each file read in a folder's ``Stat``."""
    data, reports = stream(path, stdin, gather, texts, opened, seen)
    kept = data.reports
    for report in reports:
        chosen = report if pick is None else pick(report)
        if chosen is not None:
            kept.append(chosen)
    return data


def stream(
    path: str | Location | None = None,
    stdin: TextIO | None = None,
    gather: Iterable[str] = (),
    texts: bool = False,
    opened: BinaryIO | None = None,
    seen: dict[str, Stat] | None = None,
    folders: Sequence[str] | None = None,
) -> tuple[Dataset, Iterator[Report]]:
    """The dataset at ``path``, still to be read, and its valid reports, each given as soon
    as it has been read and checked. Once they have all been given, the dataset holds
    every problem (a report given early may turn out to be a duplicate of a later one),
    every valid report's number, and the distinct values of each field named in ``gather``
    (a list field's items). DatasetError as ``read``. A scraper's report.txt files are
    always read (the values read from a report's words come from them); ``texts``: each
    is kept as its report's ``text``, and a report without one has it null (otherwise a
    scraper's report has no ``text``: most questions do not print it, and the texts are
    most of an archive's bytes).
    ``folders``: of a scraper's folder, only these (relative to it) are read, unwalked
    (an index updating itself reads the reports that changed); ``Dataset.origin`` says
    which report.json each report came from as it is given."""
    notes: list[str] = []
    flaws: list[str] = []
    # A scraper's report.txt is read whatever is asked: the values read from a report's
    # words come from it (oigcli.model.derive), and every question must see the same.
    source, entries, problems = _entries(path, stdin, notes, opened, seen, folders, flaws)
    data = Dataset(source, problems=problems, values={name: set() for name in gather})
    data.notes, data.flaws = notes, flaws
    return data, _checked(data, entries, texts)


def _checked(data: Dataset, entries: Iterable[Entry], texts: bool = False) -> Iterator[Report]:
    seen: dict[str, int] = {}
    numbers, values = data.numbers, data.values
    for index, entry in enumerate(entries):
        data.records += 1
        report, found = check(entry, index)
        key = report["id"] if report else None
        if isinstance(key, str):
            if key in seen:
                found.append(problem_at(entry, index, f"duplicate (also record {seen[key]})", "id"))
            seen.setdefault(key, index)
        data.problems.extend(found)
        if found:
            data.unreadable.append(Unreadable(key if isinstance(key, str) else None, entry.source))
        if report is not None and not found:
            if entry.source.endswith(SCRAPER_FILE) and (doubt := years_in_doubt(entry)):
                data.doubts.append(doubt)
            data.origin = entry.source
            numbers.append(report["report_number"])
            for name, distinct in values.items():
                value = report[name]
                distinct.update(value if isinstance(value, list) else [value] if value else [])
            if texts and TEXT not in report:  # asked for: known or null
                report[TEXT] = None
            elif not texts and TEXT in report and entry.source.endswith(SCRAPER_FILE):
                del report[TEXT]  # read for its values, not asked for
            yield report
    data.problems.sort(key=lambda p: (p.source, p.line or 0, -1 if p.record is None else p.record))
    unread = dict.fromkeys(  # what could not be read as records at all: a file cut short
        (p.source, f"{p.source}:{p.line}" if p.line else p.source)
        for p in data.problems
        if p.record is None
    )
    data.unreadable += [Unreadable(scraper_id(source), place) for source, place in unread]


def years_in_doubt(entry: Entry) -> str | None:
    """A line for a person when a scraper record's years disagree: the folder it is in
    (``<inspector>/<year>/<report_id>``), its ``year`` and its ``published_on``'s year
    (the scraper makes all three one, unless a scraper sets ``year`` apart)."""
    value = entry.value
    published, year = value.get("published_on"), value.get("year")
    parts = entry.source.replace("\\", "/").split("/")
    folder = parts[-3] if len(parts) >= 3 and parts[-3].isdecimal() else None
    said = {
        "folder": int(folder) if folder is not None else None,
        "year": year if type(year) is int else None,
        "published_on": int(published[:4]) if isinstance(published, str) else None,
    }
    known = {k: v for k, v in said.items() if v is not None}
    if len(set(known.values())) <= 1:
        return None
    told = ", ".join(f"{k} {published if k == 'published_on' else v}" for k, v in known.items())
    return f"{entry.source}: {told} disagree (its date is published_on's)"


# --- reading ----------------------------------------------------------------------------


def _entries(
    path: str | Location | None,
    stdin: TextIO | None,
    notes: list[str] | None = None,
    opened: BinaryIO | None = None,
    seen: dict[str, Stat] | None = None,
    folders: Sequence[str] | None = None,
    flaws: list[str] | None = None,
) -> tuple[str, Iterable[Entry], list[Problem]]:
    """The source's name, its entries (read lazily where the source allows), and a list
    that problems found while reading are added to as the entries are consumed."""
    problems: list[Problem] = []
    where = Location.of(path)
    if opened is not None and where.stored:
        if os.pread(opened.fileno(), len(ZIP_MAGIC), 0) == ZIP_MAGIC:
            from oigcli.load.archive import scan_zip

            inner = where.member if where.kind == "zip" else ""  # (a zip swapped in: all)
            read, problems = scan_zip(str(where.file), inner, opened, flaws)
            return str(where.path), read, problems
        return str(where.path), read_stream(opened, str(where.path), problems), problems
    if where.kind == "bundled":
        from importlib.resources import files

        text = files("oigcli").joinpath("data/reports.json").read_text("utf-8")
        entries, problems = parse_text(text, BUNDLED)
        return BUNDLED, entries, problems
    if where.kind == "stdin":
        if stdin is None:
            raise DatasetError("no standard input to read the dataset from")
        binary = getattr(stdin, "buffer", None)
        if binary is not None:
            return STDIN, read_stream(binary, STDIN, problems), problems
        try:  # a text stream with no bytes beneath it
            entries, problems = parse_text(stdin.read(), STDIN)
        except UnicodeDecodeError as exc:
            raise DatasetError(f"{STDIN}: not UTF-8 text ({exc.reason})") from exc
        return STDIN, entries, problems
    path = str(where.path)
    if where.kind in ("zip", "folder"):
        from oigcli.load.archive import scan_folder, scan_zip
    if where.kind == "zip":
        read, problems = scan_zip(str(where.file), where.member, flaws=flaws)
        return path, read, problems
    target = Path(path)
    if where.kind == "folder":
        notes = [] if notes is None else notes
        read, problems = scan_folder(target, notes, seen, folders, flaws)
        return path, read, problems
    try:
        stream = target.open("rb")
    except FileNotFoundError as exc:
        raise DatasetError(f"{path}: no such file or directory") from exc
    except PermissionError as exc:
        raise DatasetError(f"{path}: permission denied") from exc
    except OSError as exc:
        raise DatasetError(f"{path}: cannot read it ({exc.strerror or exc})") from exc
    return path, _closing(stream, read_stream(stream, path, problems)), problems


def _closing(stream: BinaryIO, entries: Iterator[Entry]) -> Iterator[Entry]:
    with stream:
        yield from entries
