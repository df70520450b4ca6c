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

import datetime as dt
import errno
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, NamedTuple, TextIO

from oigcli import members
from oigcli.errors import DatasetError
from oigcli.members import Stat
from oigcli.schema import FIELD_NAMES, FIELDS, REQUIRED, SHOWN_NAMES, TEXT, Report

if TYPE_CHECKING:
    from oigcli.query import Pick

BUNDLED = "bundled dataset"
STDIN = "<stdin>"
SCRAPER_FILE = "report.json"
SHOWN = tuple(f for f in FIELDS if f.shown)
SCRAPER_TEXT = "report.txt"
"""The report's text, which the scraper extracts beside its report.json."""
SHOWN_PROBLEMS = 3
FIRST_YEAR, LAST_YEAR = 1000, 9999
"""A fiscal year has four digits, as --fy takes them (and dates can hold them)."""


class Problem(NamedTuple):
    """One thing wrong with a dataset, and where."""

    source: str
    message: str
    line: int | None = None
    column: int | None = None
    record: int | None = None
    """The record's index in the dataset, from 0."""
    report_number: str | None = None
    field: str | None = None

    def __str__(self) -> str:
        place = self.source
        if self.line is not None:
            place += f":{self.line}" + (f":{self.column}" if self.column is not None else "")
        parts = [place]
        if self.record is not None:
            number = f" ({self.report_number})" if self.report_number else ""
            parts.append(f"record {self.record}{number}")
        if self.field:
            parts.append(self.field)
        return ": ".join([*parts, self.message])

    def as_dict(self) -> dict[str, Any]:
        return self._asdict()


PROBLEM_FIELDS = ("source", "line", "column", "record", "report_number", "field", "message")


class Entry(NamedTuple):
    """One raw record and where it was read."""

    value: Any
    source: str
    line: int | None = None


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


def load(
    path: str | None = None,
    stdin: TextIO | None = None,
    pick: Pick | None = None,
) -> list[Report]:
    """The valid dataset at ``path`` (None: bundled; ``-``: stdin), read, or
    DatasetError. With ``pick``, what it keeps of each report (every report is still
    checked). (Queries ask oigcli.source, which reads the data with ``stream``.)"""
    data = read(path, stdin, pick)
    if data.problems:
        raise DatasetError(failure_message(data, path))
    return data.reports


def failure_message(data: Dataset, path: str | None) -> str:
    from oigcli.text import sanitise

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
    from oigcli.text import sanitise

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
    path: str | None = None,
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
    path: str | None = None,
    stdin: TextIO | None = None,
    gather: Iterable[str] = (),
    texts: bool = False,
    opened: BinaryIO | None = None,
    seen: dict[str, Stat] | None = None,
) -> tuple[Dataset, Iterator[Report]]:
    """The dataset at ``path``, still to be read, and its valid reports, each given as soon
    as it has been read and checked. Once they have all been given, the dataset holds
    every problem (a report given early may turn out to be a duplicate of a later one),
    every valid report's number, and the distinct values of each field named in ``gather``
    (a list field's items). DatasetError as ``read``. ``texts``: a scraper's report.txt
    files are read too, each into its report's ``text``, and a report without one has
    it null (otherwise no report has a ``text`` unless its record carries one: most
    questions do not look at it, and the texts are most of an archive's bytes)."""
    notes: list[str] = []
    source, entries, problems = _entries(path, stdin, notes, texts, opened, seen)
    data = Dataset(source, problems=problems, values={name: set() for name in gather})
    data.notes = notes
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
                found.append(_at(entry, index, f"duplicate (also record {seen[key]})", "id"))
            seen.setdefault(key, index)
        data.problems.extend(found)
        if report is not None and not found:
            numbers.append(report["report_number"])
            for name, distinct in values.items():
                value = report[name]
                distinct.update(value if isinstance(value, list) else [value] if value else [])
            if texts and TEXT not in report:  # asked for: known or null
                report[TEXT] = None
            yield report
    data.problems.sort(key=lambda p: (p.source, p.line or 0, -1 if p.record is None else p.record))


# --- reading ----------------------------------------------------------------------------


def _entries(
    path: str | None,
    stdin: TextIO | None,
    notes: list[str] | None = None,
    texts: bool = False,
    opened: BinaryIO | None = None,
    seen: dict[str, Stat] | None = None,
) -> tuple[str, Iterable[Entry], list[Problem]]:
    """The source's name, its entries (read lazily where the source allows), and a list
    that problems found while reading are added to as the entries are consumed."""
    problems: list[Problem] = []
    if opened is not None and path is not None:
        if os.pread(opened.fileno(), len(ZIP_MAGIC), 0) == ZIP_MAGIC:
            zipped = zip_target(path)
            whole, inner = zipped if zipped is not None else (path, "")
            read, problems = _scan_zip(whole, inner, texts, opened)
            return path, read, problems
        return path, _read_stream(opened, path, problems), problems
    if path is None:
        from importlib.resources import files

        text = files("oigcli").joinpath("data/reports.json").read_text("utf-8")
        entries, problems = _parse(text, BUNDLED)
        return BUNDLED, entries, problems
    if path == "-":
        if stdin is None:
            raise DatasetError("no standard input to read the dataset from")
        binary = getattr(stdin, "buffer", None)
        if binary is not None:
            return STDIN, _read_stream(binary, STDIN, problems), problems
        try:  # a text stream with no bytes beneath it
            entries, problems = _parse(stdin.read(), STDIN)
        except UnicodeDecodeError as exc:
            raise DatasetError(f"{STDIN}: not UTF-8 text ({exc.reason})") from exc
        return STDIN, entries, problems
    target = Path(path)
    zipped = None if target.is_dir() else zip_target(path)
    if zipped is not None:
        read, problems = _scan_zip(*zipped, texts=texts)
        return path, read, problems
    if target.is_dir():
        read, problems = _scan(target, [] if notes is None else notes, texts, seen)
        return path, read, problems
    try:
        stream = target.open("rb")
    except FileNotFoundError as exc:
        raise DatasetError(f"{path}: no such file or directory") from exc
    except PermissionError as exc:
        raise DatasetError(f"{path}: permission denied") from exc
    except OSError as exc:
        raise DatasetError(f"{path}: cannot read it ({exc.strerror or exc})") from exc
    return path, _closing(stream, _read_stream(stream, path, problems)), problems


def _closing(stream: BinaryIO, entries: Iterator[Entry]) -> Iterator[Entry]:
    with stream:
        yield from entries


def _read_stream(stream: BinaryIO, source: str, problems: list[Problem]) -> Iterator[Entry]:
    """A JSON array is read element by element, so a large file is never held whole
    (oigcli.stream); anything else is read whole and told apart by ``_parse``. Problems
    are added to ``problems``; bytes that are not UTF-8 raise DatasetError."""
    from oigcli import stream as streaming

    read = streaming.utf8_chunks(stream, streaming.CHUNK)
    try:
        text = read().removeprefix("\ufeff")
        while not text.strip() and (chunk := read()):
            text += chunk
        if not text.lstrip().startswith("["):
            entries, found = _parse(text + "".join(iter(read, "")), source)
            problems.extend(found)
            yield from entries
            return
        decoder = json.JSONDecoder(object_pairs_hook=_object)
        try:
            for value in streaming.array_elements(text, read, decoder):
                yield Entry(value, source)
        except streaming.SyntaxProblem as exc:
            problems.append(Problem(source, exc.message, exc.line, exc.column))
        except RecursionError:
            problems.append(Problem(source, "invalid JSON: nested too deeply"))
        except ValueError as exc:  # e.g. a number with more digits than Python converts
            problems.append(Problem(source, _value_error(exc)))
    except streaming.Undecodable as exc:
        raise DatasetError(f"{source}: {_not_utf8(exc.offset, exc.reason)}") from exc
    except OSError as exc:
        raise DatasetError(f"{source}: cannot read it ({exc.strerror or exc})") from exc


def _not_utf8(offset: int, reason: str) -> str:
    return f"not UTF-8 text (byte {offset}: {reason}); a dataset must be UTF-8 JSON"


def _read_member(path: str, seen: dict[str, Stat] | None = None) -> str:
    """A report.json in a folder, read as ``members.read_file`` reads a dataset's files (no
    link followed, no FIFO waited on, at most JSON_BYTES); DatasetError says why not."""
    try:
        data = members.read_file(path, members.JSON_BYTES, SCRAPER_FILE, seen)
    except members.Refused as exc:
        raise DatasetError(f"{path}: {exc}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DatasetError(f"{path}: {_not_utf8(exc.start, exc.reason)}") from None


def _parse(text: str, source: str) -> tuple[list[Entry], list[Problem]]:
    """Entries from JSON (an array or one object) or JSON Lines, told apart by content."""
    text = text.removeprefix("\ufeff")
    stripped = text.lstrip()
    if not stripped:
        if source == STDIN:  # a pipeline whose JSON Lines matched nothing: no reports
            return [], []
        raise DatasetError(
            f"{source}: empty; expected a JSON array of reports or JSON Lines "
            "(to save an empty result, use --json, which writes [])"
        )
    if stripped[0] == "{":
        entries, problems = _parse_lines(text, source)
        if problems and problems[0].line == 1 + text[: len(text) - len(stripped)].count("\n"):
            whole, whole_problems = _parse_json(text, source)  # one object over many lines?
            if not whole_problems:
                return whole, []
        return entries, problems
    entries, problems = _parse_json(text, source)
    if problems or not isinstance(entries[0].value, list):
        return entries, problems
    return [Entry(value, source) for value in entries[0].value], []


DUPLICATE_KEYS = "\x00duplicate keys"
"""Marks an object in which a key appeared twice (json keeps the last value silently)."""


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) < len(pairs):
        keys = [k for k, _ in pairs]
        obj[DUPLICATE_KEYS] = sorted({k for k in keys if keys.count(k) > 1})
    return obj


def _decode(text: str) -> Any:
    return json.loads(text, object_pairs_hook=_object)


def _value_error(exc: ValueError) -> str:
    if "integer string conversion" in str(exc):
        return "invalid JSON: a number too long to read (over 4300 digits)"
    return f"invalid JSON: {exc}"


def _parse_json(text: str, source: str) -> tuple[list[Entry], list[Problem]]:
    try:
        value = _decode(text)
    except json.JSONDecodeError as exc:
        from oigcli.stream import describe

        at_the_end = not text[exc.pos :].strip()
        message = _not_json(text) or describe(exc.msg, at_the_end)
        return [], [Problem(source, message, exc.lineno, exc.colno)]
    except RecursionError:
        return [], [Problem(source, "invalid JSON: nested too deeply")]
    except ValueError as exc:  # e.g. a number with more digits than Python will convert
        return [], [Problem(source, _value_error(exc))]
    if isinstance(value, (list, dict)):
        return [Entry(value, source)], []
    return [], [
        Problem(source, f"expected a JSON array of report objects, found {_json_type(value)}")
    ]


def _not_json(text: str) -> str | None:
    """What a file that is not JSON seems to be, and what to do, for the two that people
    bring most: a saved web page and a spreadsheet's CSV. None for anything else."""
    start = text.lstrip()
    head = start[:300].lower()
    if head.startswith("<"):
        kind = "an HTML page (a saved web page?)" if "html" in head else "XML or HTML"
        return (
            f"this is {kind}, not JSON. oigcli reads a JSON array of reports or JSON Lines: "
            "use the data behind the page, e.g. the inspectors-general scraper's report.json "
            "files (--data its data folder)"
        )
    first = start.split("\n", 1)[0]
    if first[:1] not in ("[", "{", '"') and any(c in first for c in ",;\t"):
        return (
            "this looks like CSV (a table of values), not JSON. oigcli writes CSV but reads "
            "only JSON and JSON Lines: export the data as JSON (from oigcli: --format jsonl)"
        )
    return None


def _parse_lines(text: str, source: str) -> tuple[list[Entry], list[Problem]]:
    entries, problems = [], []
    # Lines end at "\n" only (a "\r" before it is JSON whitespace): str.splitlines would
    # also end them at U+2028, U+2029 and U+0085, which JSON strings carry unescaped.
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            entries.append(Entry(_decode(line), source, number))
        except json.JSONDecodeError as exc:
            from oigcli.stream import describe

            at_the_end = not line[exc.pos :].strip()
            problems.append(Problem(source, describe(exc.msg, at_the_end), number, exc.colno))
        except RecursionError:
            problems.append(Problem(source, "invalid JSON: nested too deeply", number))
        except ValueError as exc:
            problems.append(Problem(source, _value_error(exc), number))
    return entries, problems


def _scan(
    root: Path, notes: list[str], texts: bool = False, seen: dict[str, Stat] | None = None
) -> tuple[Iterator[Entry], list[Problem]]:
    """Every report.json below ``root``, in path order (``texts``: with the report.txt
    beside it as its ``text``), each read as it is asked for (an archive's texts are
    gigabytes: one at a time is held); problems are added to the list as they are met.
    A link to a folder is followed once: a link back to a folder on the way (a loop) or
    to one read already is skipped, and ``notes`` says so. ``seen`` gets what each file
    read was (``members.Stat``), for a builder to check against the folder's identity."""
    folders = sorted((folder for folder, _ in tree_files(str(root), notes)), key=_path_order)
    if not folders:
        raise DatasetError(
            f"{root}: no {SCRAPER_FILE} files in this directory; expected the "
            "inspectors-general layout <root>/<inspector>/<year>/<report_id>/report.json"
        )
    problems: list[Problem] = []

    def entries() -> Iterator[Entry]:
        for folder in folders:
            path = os.path.join(folder, SCRAPER_FILE)
            try:
                found, trouble = _parse_json(_read_member(path, seen), path)
            except DatasetError as exc:
                problems.append(Problem(path, str(exc).removeprefix(f"{path}: ")))
                continue
            if texts:
                beside = os.path.join(folder, SCRAPER_TEXT)
                _with_text(found, partial(_read_text, beside, seen))
            problems.extend(trouble)
            yield from found

    return entries(), problems


def _path_order(path: str) -> list[str]:
    """Paths in the order of their parts (``a/x`` before ``a-b/x``), as pathlib sorts."""
    return path.split(os.sep)


def _with_text(entries: list[Entry], read: Callable[[], str | None]) -> None:
    """Puts the text ``read`` gives into the one record of ``entries`` (a scraper's
    report.json holds one object), unless the record carries its own."""
    for entry in entries:
        if isinstance(entry.value, dict) and entry.value.get(TEXT) is None:
            entry.value[TEXT] = read()


def _read_text(path: str, seen: dict[str, Stat] | None = None) -> str | None:
    """The text of a report.txt, or None when there is none that can be read (as
    ``members.read_file`` reads: a link is not followed, since downloaded data could point
    it at a private file of yours, which --fields text would then print). Its bytes are
    decoded as UTF-8, any that are not replaced (text extracted from a PDF is not always
    clean): the text is a report's extra, never a reason to refuse its record."""
    try:
        data = members.read_file(path, members.TEXT_BYTES, SCRAPER_TEXT, seen)
    except members.Refused:
        return None
    return data.decode("utf-8", errors="replace")


ZIP_MAGIC = b"PK\x03\x04"
"""How a zip file begins (its first member's local header)."""


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


def _scan_zip(
    archive_path: str, inner: str, texts: bool = False, opened: BinaryIO | None = None
) -> tuple[Iterator[Entry], list[Problem]]:
    """Every report.json in the zip at ``archive_path`` below the folder ``inner``, read in
    place (nothing is unpacked), in path order, each as it is asked for (as ``_scan``), by
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
                    text = _zip_member(archive, name)
                except DatasetError as exc:
                    problems.append(Problem(source, str(exc)))
                    continue
                found, trouble = _parse_json(text, source)
                if texts:
                    _with_text(found, partial(_zip_text, archive, name))
                problems.extend(trouble)
                yield from found
        finally:
            if opened is None:
                file.close()

    return entries(), problems


def _zip_text(archive: members.Zip, name: str) -> str | None:
    """The report.txt beside the member ``name``, as ``_read_text`` reads one."""
    beside = name.rsplit("/", 1)[0] + "/" + SCRAPER_TEXT if "/" in name else SCRAPER_TEXT
    if beside not in archive.by_name:
        return None
    try:
        data = archive.read(beside, members.TEXT_BYTES, SCRAPER_TEXT)
    except members.Refused:
        return None
    return data.decode("utf-8", errors="replace")


def _zip_member(archive: members.Zip, name: str) -> str:
    try:
        data = archive.read(name, members.JSON_BYTES, SCRAPER_FILE)
    except members.Refused as exc:
        raise DatasetError(str(exc)) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DatasetError(_not_utf8(exc.start, exc.reason)) from None


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
    from oigcli.text import sanitise

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


# --- checking ---------------------------------------------------------------------------


def _at(entry: Entry, index: int, message: str, field: str | None = None) -> Problem:
    number = entry.value.get("report_number") if isinstance(entry.value, dict) else None
    if number is None and isinstance(entry.value, dict):
        number = entry.value.get("report_id")
    return Problem(
        entry.source,
        message,
        line=entry.line,
        record=index,
        report_number=number if isinstance(number, str) else None,
        field=field,
    )


def check(entry: Entry, index: int) -> tuple[Report | None, list[Problem]]:
    """The entry as a report in schema order, and its problems."""
    value = entry.value
    if not isinstance(value, dict):
        return None, [_at(entry, index, f"expected a report object, found {_json_type(value)}")]
    duplicated = value.get(DUPLICATE_KEYS)
    if duplicated:
        value = {k: v for k, v in value.items() if k != DUPLICATE_KEYS}
    if "report_id" in value and "report_number" not in value:
        value, mapped = from_scraper(value)
        if not mapped and not duplicated and _plainly_valid(value):  # an archive's usual
            return normalise(value), []
        problems = [_at(entry, index, message, name) for name, message in mapped]
    elif not duplicated and _plainly_valid(value):  # the common case, checked fast
        return normalise(value), []
    else:
        problems = []
    problems += [_at(entry, index, message, name) for name, message in _field_problems(value)]
    problems += [
        _at(entry, index, "appears twice in one object (which value is meant?)", name)
        for name in duplicated or ()
    ]
    return normalise(value), problems


def normalise(obj: dict[str, Any]) -> Report:
    """The report with the schema's keys in schema order; absent optional fields are null
    (an absent list is empty; an absent id is made, see ``key``); other keys are left out,
    and so is the text when it is unknown (a long field, printed only when asked for:
    a report's ``text`` is read with ``.get``).
    A record of oigcli 0.1, whose ``component`` was one value, has it as a one-item list.
    An object that is already so (as oigcli writes them) is returned, not copied."""
    keys = tuple(obj)
    if keys in (SHOWN_NAMES, FIELD_NAMES):  # as oigcli prints a report
        return obj
    report = {f.name: obj.get(f.name, [] if f.type is list else None) for f in SHOWN}
    if obj.get(TEXT) is not None:
        report[TEXT] = obj[TEXT]
    if "components" not in obj and "component" in obj:
        report["components"] = _components_of_0_1(obj["component"])
    if report["id"] is None:
        report["id"] = key(report["inspector"], report["report_number"])
    return report


def key(inspector: Any, number: Any) -> Any:
    """A record's id when it has none: ``<inspector>/<report_number>``, or the number when
    the inspector is unknown (a number that is no text stays as it is, a problem)."""
    if isinstance(inspector, str) and inspector and isinstance(number, str):
        return f"{inspector}/{number}"
    return number


def _components_of_0_1(value: Any) -> Any:
    """oigcli 0.1's ``component`` (one name or null) as 0.2's ``components``; anything
    else is left for the check to name."""
    if value is None:
        return []
    return [value] if isinstance(value, str) else value


_ABSENT = object()
_KINDS: tuple[tuple[str, frozenset[type], bool], ...] = tuple(
    (
        f.name,
        frozenset({f.type, type(None)} if f.nullable else {f.type}),
        f.name in REQUIRED,
    )
    for f in FIELDS
)
"""Each field's exact JSON types (bool is not int here) and whether it must be present."""


def _plainly_valid(obj: dict[str, Any]) -> bool:
    """True when ``obj`` surely has no problem; False sends it to the full check, which
    says what is wrong. Exact type tests and early exits keep this cheap: it runs once
    per record of every dataset read."""
    get = obj.get
    if "component" in obj:  # 0.1's one component: the full check says what it holds
        return False
    for name, kinds, required in _KINDS:
        value = get(name, _ABSENT)
        if value is _ABSENT:
            if required:
                return False
        elif type(value) not in kinds:
            return False
    for name in ("tags", "components"):
        items = get(name)
        if items and not all(type(item) is str for item in items):
            return False
    if not FIRST_YEAR <= obj["fiscal_year"] <= LAST_YEAR or not obj["report_number"].strip():
        return False
    if "id" in obj and not obj["id"].strip():
        return False
    date = get("issue_date")
    if date is not None:
        day = _iso_date(date)
        if day is None or (day.year + (day.month >= 10)) != obj["fiscal_year"]:
            return False
    made, concurred = get("recommendations"), get("recommendations_concurred")
    if (made is not None and made < 0) or (concurred is not None and concurred < 0):
        return False
    return made is None or concurred is None or concurred <= made


def _field_problems(obj: dict[str, Any]) -> Iterator[tuple[str, str]]:
    for name in REQUIRED:
        if obj.get(name) is None:
            yield name, "missing (required)"
    if "component" in obj and "components" not in obj:  # oigcli 0.1's one component
        old = obj["component"]
        if old is not None and not isinstance(old, str):
            yield "component", f"expected a string or null, found {_json_type(old)}"
    for f in FIELDS:
        value = obj.get(f.name)
        if value is None:
            if f.name in obj and not f.nullable and f.name not in (*REQUIRED, "id"):
                yield f.name, "null is not allowed"
        elif not _is_type(value, f.type):
            yield f.name, f"expected {f.type_name}, found {_json_type(value)}"
        elif f.name == "issue_date" and _iso_date(value) is None:
            yield f.name, f"{value!r} is not a date in YYYY-MM-DD form"
        elif f.name == "report_number" and not value.strip():
            yield f.name, "blank (a report number has at least one character)"
        elif f.name == "id" and not value.strip():
            yield f.name, "blank (an id has at least one character; leave it out to have one made)"
        elif f.name == "fiscal_year" and not FIRST_YEAR <= value <= LAST_YEAR:
            yield f.name, f"{value} is not a year of four digits ({FIRST_YEAR} to {LAST_YEAR})"
        elif f.type is int and value < 0:
            yield f.name, f"{value} is negative (a count of recommendations cannot be)"
    date = _iso_date(obj.get("issue_date"))
    year = obj.get("fiscal_year")
    if date is not None and _is_type(year, int):
        from oigcli.dates import fiscal_year_of

        if fiscal_year_of(date) != year:
            yield (
                "fiscal_year",
                f"{year} disagrees with issue_date {date} (fiscal year {fiscal_year_of(date)})",
            )
    made, concurred = obj.get("recommendations"), obj.get("recommendations_concurred")
    if isinstance(made, int) and isinstance(concurred, int) and concurred > made:
        yield (
            "recommendations_concurred",
            f"{concurred} is more than the {made} recommendations made",
        )


AGENCIES = {
    "cbp": "CBP",
    "ice": "ICE",
    "fema": "FEMA",
    "tsa": "TSA",
    "uscis": "USCIS",
    "secret_service": "USSS",
    "coast_guard": "USCG",
    "dhs": "DHS",
    "peacecorps": "Peace Corps",
    "federal_reserve": "Federal Reserve",
}
"""The scraper's agency slugs written as readers write them. Any other slug is written in
capitals when it is one word (gpo: GPO, cfpb: CFPB), else as words (a_b: A B)."""


def agency(slug: str) -> str:
    """An agency slug of the scraper as readers write it (``secret_service``: USSS)."""
    slug = slug.strip()
    known = AGENCIES.get(slug.casefold())
    if known is not None:
        return known
    if "_" in slug or " " in slug:
        return " ".join(word.capitalize() for word in re.split(r"[_\s]+", slug) if word)
    return slug.upper()


def from_scraper(obj: dict[str, Any]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """A record of the inspectors-general scraper in this project's schema.

    id is ``<inspector>/<report_id>``, as the scraper's folders name it. report_number is
    ``report_id``, except that for ``dhs`` the ``_YYYY`` the DHS scraper adds (DHS reuses
    numbers from year to year) is removed. issue_date is ``published_on``; fiscal_year is
    computed from it (October belongs to the next year). components are ``agency``'s
    comma-separated slugs written as readers write them (``agency``); document_url is
    ``url``, landing_url ``landing_url``; type, topic, agency_name and summary are the
    scraper's; unreleased is true when the scraper says so, false when it gives the
    document's link without saying so. The scraper records no tags, redaction or
    recommendation counts: they are left unknown. Other fields are left out.
    """
    from oigcli.dates import fiscal_year_of

    problems: list[tuple[str, str]] = []
    report_id = obj.get("report_id")
    inspector = obj.get("inspector")
    published = obj.get("published_on")
    date = _iso_date(published)
    if published is None:
        problems.append(("published_on", "missing (the fiscal year comes from it)"))
    elif date is None:
        problems.append(("published_on", f"{published!r} is not a date in YYYY-MM-DD form"))

    def text(name: str) -> Any:
        value = obj.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        return value  # a value that is no text is left for the check to name

    number = report_id
    if isinstance(report_id, str) and inspector == "dhs":
        number = re.sub(r"_\d{4}$", "", report_id)
    slugs = obj.get("agency")
    components: Any = []
    if isinstance(slugs, str):
        components = list(dict.fromkeys(agency(s) for s in slugs.split(",") if s.strip()))
    elif slugs is not None:
        problems.append(("agency", f"expected a string, found {_json_type(slugs)}"))
    url = text("url")
    unreleased = obj.get("unreleased")
    if unreleased is None and isinstance(url, str):
        unreleased = False
    mapped = {
        "id": key(text("inspector"), report_id),
        "report_number": number,
        "inspector": text("inspector"),
        "title": obj.get("title"),
        "summary": text("summary"),
        "issue_date": date.isoformat() if date else None,
        "fiscal_year": fiscal_year_of(date) if date else None,
        "components": components,
        "tags": [],
        "type": text("type"),
        "topic": text("topic"),
        "redacted": None,
        "recommendations": None,
        "recommendations_concurred": None,
        "unreleased": unreleased,
        "document_url": url,
        "landing_url": text("landing_url"),
        "agency_name": text("agency_name"),
        "oversight_area": None,
    }
    if obj.get(TEXT) is not None:
        mapped[TEXT] = obj[TEXT]
    if report_id is not None and not isinstance(report_id, str):
        problems.append(("report_id", f"expected a string, found {_json_type(report_id)}"))
        mapped["report_number"] = mapped["id"] = None
    return mapped, problems


def _is_type(value: Any, kind: type) -> bool:
    if kind is list:
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, kind)


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


def _iso_date(value: Any) -> dt.date | None:
    """The date of ``YYYY-MM-DD`` text: only that form (fromisoformat also reads the week
    date ``2021-W01-1``, which would then sort as text among the others wrongly)."""
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"
