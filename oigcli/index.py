"""A dataset's index in the user's cache, so that repeated queries skip the JSON.

A dataset file, a zip (or a folder inside one) and a scraper's folder are indexed alike.

Reading a large JSON file is most of a first query's time; an index answers the next ones
from SQLite (the standard library's), with FTS5 for words. It is only ever a faster way to
the same answer:

- **Which reports.** The index narrows the reports a query reads to candidates; the query
  then decides about each candidate exactly as it does reading the file. Narrowing is by
  report number or id (``show``), by the words of ``search`` (FTS5 holds the very words
  search counts in titles, summaries and full texts, so it finds exactly the reports that
  contain them, and their document frequencies; a stemmed word is every word of the
  vocabulary with its stem), and by the text of ``filter --text`` (a word that is part of
  a text must be part of one of the dataset's words: the vocabulary gives those). Full
  texts are kept compressed, for the query to decide with.
- **Only the file it was made from.** An index records its dataset's identity: the real
  path, device, inode, size, modification and change times (nanoseconds), and a
  fingerprint of the content (a hash of the size and 16 blocks spread over the file; the
  whole file when it is small); of a folder, every report.json and report.txt in it by
  path, size, inode and times (``identify_tree``), so that a file added, removed or
  changed anywhere in it is noticed. Any difference and the index is not used. The change time
  cannot be set back by ``touch``, and an index is only made of a file left unchanged for
  ``SETTLED_NS`` before and while it is read, so two writes within one clock tick cannot
  leave a stale index behind (git calls this "racy": a file modified in the same tick as
  its index was made).
- **Whole or not at all.** An index is built in a temporary file next to where it goes,
  made durable, then renamed over the old one, so a reader sees the old index or the new
  one and never half of one. A lock lets one builder work on a dataset at a time. An index
  that cannot be read as one is deleted and not used.

The first query of a file that has no usable index answers by reading the file, then
starts the builder (``main(["--background", CACHE, FILE])`` under ``python -I``: its own
session, no terminal, standard streams on /dev/null, so a pipe closes when the query is
done), as ``git gc --auto`` does. The cache folder's rules are oigcli.cache's.
``--no-cache`` neither uses nor builds an index; standard input, the bundled dataset,
files under ``MIN_BYTES`` and folders of fewer than ``MIN_TREE_REPORTS`` reports are never
indexed.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from oigcli.cache import remove
from oigcli.members import Stat
from oigcli.query import NOTED
from oigcli.schema import FIELD_NAMES, FIELDS_BY_NAME, TEXT, Report

if TYPE_CHECKING:
    import sqlite3

    from oigcli.query import Narrowing
    from oigcli.search import Term
    from oigcli.source import Keep, Statistics
    from oigcli.where import Condition

FORMAT = 8
"""The version of the layout and of what is stored (2: search lengths in characters; 3:
case-folded components and tags, for criteria; 5: each report's place in the default
order, ``reports.newest``; 6: distinct components and tags in meta; 7: the reports table
stored in that order; 8: oigcli 0.2's fields, ids, full texts and word stems): an index of
another version is not used, and is rebuilt."""
MIN_BYTES = 1 << 20
"""Smaller files are read as fast as an index is opened, and are not indexed."""
MIN_TREE_REPORTS = 200
"""A scraper's folder with fewer reports is not indexed (its report.json files are about
2 KB each: a few hundred are read as fast as an index is opened)."""
SETTLED_NS = 2_000_000_000
"""How long a file must have been left alone before an index is made of it."""
SAMPLES = 16
SAMPLE_BYTES = 1 << 16
"""The fingerprint hashes SAMPLES blocks of SAMPLE_BYTES (the whole file when smaller)."""
MAX_VOCABULARY = 2000
"""A text that is part of more distinct words than this does not narrow (it would hardly
narrow, and a long OR costs more than it saves)."""
MIN_PART = 3
MAX_NUMBERS = 500
"""More report numbers than this (``show $(seq 1 130000)``) are not looked up in SQL (which
takes at most 32,766 parameters): every report is read, and the query keeps those asked."""
"""Parts of a text shorter than this do not narrow (too many words contain them)."""
TOKENIZER = "ascii tokenchars '_'"
"""FTS5's ascii tokenizer splits only where search's words are split: the index holds
search's own words (``search.words``) joined by spaces, and every character of a word is
a token character to it (non-ASCII characters, letters, digits and '_')."""


def cache_dir(environ: Mapping[str, str]) -> Path | None:
    """Where the cache is (see oigcli.cache, which also says whether it can be trusted)."""
    from oigcli.cache import location

    return location(environ)


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


def identify(path: str) -> Identity | None:
    """The identity of the dataset at ``path``: a regular file (a zip file too, with the
    folder inside it read), or a scraper's folder (``identify_tree``); None for anything
    else or an error."""
    if os.path.isdir(path):
        return identify_tree(path)
    from oigcli.dataset import zip_target

    zipped = zip_target(path) if not os.path.isfile(path) else None
    if zipped is not None:  # bulk.zip/dhs: the zip's identity, and the folder inside
        whole = identify(zipped[0])
        if whole is None:
            return None
        return replace(whole, path=f"{whole.path}/{zipped[1]}")
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


def tree_listing(real: str) -> list[str]:
    """Every folder of the tree at ``real`` (itself too, as ".") and every report.json
    and report.txt in it, as paths relative to it, in the order they are walked."""
    from oigcli.dataset import SCRAPER_FILE, SCRAPER_TEXT, tree_files

    folders: list[str] = []
    files: list[str] = []
    for folder, names in tree_files(real, folders=folders):
        files.extend(os.path.join(folder, n) for n in (SCRAPER_FILE, SCRAPER_TEXT) if n in names)
    return [os.path.relpath(path, real) for path in (*folders, *files)]


def tree_identity(
    real: str,
    listing: Sequence[str],
    listing_text: str | None = None,
    entries: dict[str, Stat] | None = None,
) -> Identity | None:
    """The identity of a scraper's folder from its ``listing`` (``tree_listing``): each
    folder's and file's size, inode, and modification and change times (nanoseconds),
    hashed, with the files' total size and the newest times. A file added to or removed
    from a folder changes the folder's times; a file changed in place (even to the same
    size and modification time: the change time cannot be set back) changes its own. So
    an index keeps its folder's listing and answers only while every entry is as it was:
    stats of what it lists (30,000 for 10,000 reports), and no walk. ``listing_text``: the
    listing as the index keeps it (``json.dumps`` of it), hashed with the numbers.
    ``entries`` gets each file's numbers by its path (as the listing names it)."""
    import hashlib
    from array import array

    try:
        info = os.stat(real)
        folder = os.open(real, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return None
    numbers = array("q")  # each entry's four numbers, hashed as bytes: no text per entry
    size = newest_m = newest_c = 0
    stat_of = os.stat
    try:
        for relative in listing:
            try:
                found = stat_of(relative, dir_fd=folder)  # no path joined, none walked twice
            except OSError:  # gone
                numbers.extend((-1, -1, -1, -1))
                continue
            if not stat.S_ISDIR(found.st_mode):
                size += found.st_size
            mtime, ctime = found.st_mtime_ns, found.st_ctime_ns
            newest_m, newest_c = max(newest_m, mtime), max(newest_c, ctime)
            entry = (found.st_size, found.st_ino, mtime, ctime)
            if entries is not None and not stat.S_ISDIR(found.st_mode):
                entries[relative] = Stat(*entry)
            try:
                numbers.extend(entry)
            except OverflowError:  # an inode or a time (year 2262 on) past 63 bits
                numbers.extend((n + (1 << 63)) % (1 << 64) - (1 << 63) for n in entry)
    finally:
        os.close(folder)
    text = json.dumps(list(listing)) if listing_text is None else listing_text
    digest = hashlib.blake2b(text.encode("utf-8", "surrogateescape"))
    digest.update(numbers.tobytes())
    return Identity(
        real, info.st_dev, info.st_ino, size, newest_m, newest_c, digest.hexdigest()[:32]
    )


def fingerprint(fd: int, size: int) -> str:
    """A hash of the size and of SAMPLES blocks spread evenly from the first byte to the
    last (the whole content when it is no bigger than the blocks)."""
    import hashlib

    digest = hashlib.blake2b(str(size).encode(), digest_size=16)
    if size <= SAMPLES * SAMPLE_BYTES:
        offsets = list(range(0, size, SAMPLE_BYTES))
    else:
        step = (size - SAMPLE_BYTES) / (SAMPLES - 1)
        offsets = [round(i * step) for i in range(SAMPLES)]
    for offset in offsets:
        digest.update(os.pread(fd, SAMPLE_BYTES, offset))
    return digest.hexdigest()


def _real(path: str) -> str:
    """The path an index is kept for: the real path, or a zip's real path and the folder
    inside it (as ``identify`` names it)."""
    if not os.path.exists(path):
        from oigcli.dataset import zip_target

        zipped = zip_target(path)
        if zipped is not None:
            return f"{os.path.realpath(zipped[0])}/{zipped[1]}"
    return os.path.realpath(path)


def index_path(identity: Identity, cache: Path) -> Path:
    """Where the index of this file goes: one per path (a new version replaces the old)."""
    return _index_file(identity.path, cache)


def _index_file(real_path: str, cache: Path) -> Path:
    import hashlib

    name = hashlib.blake2b(real_path.encode("utf-8", "surrogateescape"), digest_size=16)
    return cache / f"{name.hexdigest()}.sqlite3"


def _read_only(where: Path) -> sqlite3.Connection:
    """A connection to an index, which is never changed in place (only replaced whole),
    so SQLite need not lock it or look for a journal."""
    import sqlite3

    return sqlite3.connect(f"{where.as_uri()}?mode=ro&immutable=1", uri=True)


# --- using an index ---------------------------------------------------------------------


LONG = "summary"
"""The field kept in a table of its own, so that queries that do not read it (stats,
and filters that do not look at it) scan a table a tenth of the size."""
STORED = tuple(name for name in FIELD_NAMES if name not in (LONG, TEXT))
LISTS = tuple(name for name in STORED if FIELDS_BY_NAME[name].type is list)
"""The list fields: each has a table of (report, item, item case-folded), named as it is."""


def _select(names: Sequence[str], read: Sequence[str]) -> str:
    """The columns ``names`` (NULL for one not in ``read``), from ``reports`` joined to
    ``summaries`` and ``texts`` when those are read."""
    special = {LONG: "summaries.summary", TEXT: "texts.body"}
    columns = ", ".join(
        "NULL" if n not in read else special.get(n, f'reports."{n}"') for n in names
    )
    tables = "reports"
    if LONG in read:
        tables += " JOIN summaries ON summaries.place = reports.place"
    if TEXT in read:
        tables += " LEFT JOIN texts ON texts.place = reports.place"
    return f"SELECT {columns} FROM {tables}"


def _decoder(name: str) -> Any:
    """How a stored column becomes the field's value again (None: as it is)."""
    if name == TEXT:
        return _unpack
    kind = FIELDS_BY_NAME[name].type
    if kind is list:
        loads: Any = json.loads
        with contextlib.suppress(ImportError):  # orjson is a dependency; json its fallback
            from orjson import loads
        return loads
    return bool if kind is bool else None


def _unpack(body: bytes) -> str:
    import zlib

    return zlib.decompress(body).decode("utf-8")


def _pack(text: str) -> bytes:
    import zlib

    return zlib.compress(text.encode("utf-8", errors="surrogatepass"), 1)


class Index:
    """An open index that matches its dataset file as it is now: the source
    (oigcli.source.Source) that answers from SQLite."""

    def __init__(self, connection: sqlite3.Connection, path: Path, meta: dict[str, Any]) -> None:
        self.connection = connection
        self.path = path
        self.reports = int(meta["reports"])
        self.total_length = float(meta["total_length"])

    def notes(self) -> list[str]:
        """What reading the folder said (a link loop skipped), kept when it was indexed;
        --skip-invalid never has anything to say (only a valid dataset is indexed)."""
        with self._reading():
            found = self.connection.execute("SELECT value FROM meta WHERE key = 'notes'")
            row = found.fetchone()
            notes = json.loads(row[0]) if row else []
            if not isinstance(notes, list) or not all(isinstance(n, str) for n in notes):
                raise ValueError("its notes are not a list of text")
            return notes

    def close(self) -> None:
        self.connection.close()

    @contextlib.contextmanager
    def _reading(self) -> Iterator[None]:
        """An index damaged after it was written whole (the checks on opening it passed),
        or made by someone else to look like one, is removed, and the query fails with a
        message that says so: never a traceback, and never an answer from it."""
        import sqlite3

        try:
            yield
        except (sqlite3.DatabaseError, ValueError, TypeError, KeyError, IndexError) as exc:
            from oigcli.errors import DatasetError

            remove(self.path)
            raise DatasetError(
                f"the index of this dataset in {self.path.parent} was damaged ({exc}) and "
                "has been removed; run the command again, or add --no-cache"
            ) from None

    def rows(
        self,
        need: Narrowing,
        keep: Keep | None = None,
        *,
        ordered: bool = False,
        stop: int | None = None,
    ) -> Iterator[Report]:
        """Source.rows: the candidates SQL finds for ``need``, newest first by the order
        stored when the index was made, streamed from SQLite as they are asked for."""
        with self._reading():
            where, parameters = self._where(need)
            order = " ORDER BY reports.newest" if ordered else " ORDER BY reports.place"
            read = [
                name
                for name in need.fields or FIELD_NAMES
                if (name != LONG or need.summaries) and (name != TEXT or need.full_text)
            ]
            # every field (null when not read), or, when the query reads only some, those
            names = FIELD_NAMES if need.fields is None else [n for n in FIELD_NAMES if n in read]
            sql = f"{_select(names, read)}{where}{order}"
            if keep is None and stop is not None and stop < 2**63:  # SQLite's integers
                sql += " LIMIT ?"
                parameters.append(stop)
            kept = 0
            for report in self._reports(self.connection.execute(sql, parameters), names):
                if keep is None or keep(report):
                    if stop is not None and kept >= stop:
                        return
                    kept += 1
                    yield report

    def numbers(self) -> list[str]:
        with self._reading():
            return self._numbers()

    def values(self, field: str) -> list[str]:
        """The distinct known values of a text field (``tags``: every distinct tag), for
        completion; report numbers come whole from meta."""
        if field in (LONG, TEXT):
            raise ValueError(f"{field!r} is not a field kept in the reports table")
        with self._reading():
            if field == "report_number":
                return self._numbers()
            if field in NOTED:  # asked by every query that names one: kept whole in meta
                return self._noted(field)
            sql = f'SELECT DISTINCT "{field}" FROM reports WHERE "{field}" IS NOT NULL'
            return [str(value) for (value,) in self.connection.execute(sql)]

    def statistics(self, terms: Sequence[Term]) -> Statistics | None:
        """Search's statistics, from FTS5's counts of the reports that hold each term;
        None for a word with more forms than are looked up (the query then counts)."""
        with self._reading():
            found = [self._match(t) for t in terms]
            try:
                return self.reports, self.total_length, [self._count(m) for m in found]
            except _Uncountable:
                return None

    def summarize(self, need: Narrowing, by: str) -> dict[str, Any] | None:
        """``stats`` counted by SQLite, when SQL decides every criterion of ``need`` exactly
        (fiscal years, components, tags, dates, redaction, non-concurrence, and ``--where``
        comparisons of numbers, booleans, dates and tags); None otherwise."""
        clauses = list(_criteria_clauses(need))
        if need.texts or need.terms or need.numbers is not None:
            return None
        if not all(exact for _, _, exact in clauses):
            return None
        where = " AND ".join(clause for clause, _, _ in clauses)
        parameters = [value for _, values, _ in clauses for value in values]
        with self._reading():
            return self._summarize(by, where, parameters)

    def _summarize(self, by: str, where: str, parameters: list[Any]) -> dict[str, Any]:
        from oigcli.stats import GROUPINGS, assemble

        grouping = GROUPINGS[by]
        made, concurred = "reports.recommendations", "reports.recommendations_concurred"
        rated = f"{made} IS NOT NULL AND {concurred} IS NOT NULL"
        counts = (  # stats.TALLIED, in its order
            f"count(*), coalesce(sum({made}), 0), count({made}), "
            f"coalesce(sum({concurred}), 0), count({concurred}), "
            f"coalesce(sum(CASE WHEN {rated} THEN {made} END), 0), "
            f"coalesce(sum(CASE WHEN {rated} THEN {concurred} END), 0), "
            f"count(*) - count(CASE WHEN {rated} THEN 1 END)"
        )
        execute = self.connection.execute
        condition = f" WHERE {where}" if where else ""
        total = execute(f"SELECT {counts} FROM reports{condition}", parameters).fetchone()
        column = f'reports."{grouping.field}"'  # qualified: SQLite reads "name" as text
        if grouping.field in LISTS:  # tags: one group per distinct tag
            items = f'"{grouping.field}"'
            untagged = f"NOT EXISTS (SELECT 1 FROM {items} WHERE report = reports.place)"
            rows = [
                *execute(
                    f"SELECT item, {counts} FROM {items} JOIN reports"
                    f" ON reports.place = {items}.report{condition} GROUP BY item",
                    parameters,
                ),
                *execute(
                    f"SELECT NULL, {counts} FROM reports WHERE "
                    + (f"({where}) AND {untagged}" if where else untagged),
                    parameters,
                ),
            ]
        else:
            key = column
            if grouping.prefix is not None:
                key = f"substr({column}, 1, {int(grouping.prefix)})"
            if grouping.number:
                key = f"CAST({key} AS INTEGER)"
            sql = f"SELECT {key}, {counts} FROM reports{condition} GROUP BY 1"
            rows = list(execute(sql, parameters))
        boolean = FIELDS_BY_NAME[grouping.field].type is bool
        groups = {
            (bool(key) if boolean and key is not None else key): row for key, *row in rows if row[0]
        }
        return assemble(total, groups, by)

    def _reports(self, rows: Iterator[tuple[Any, ...]], names: Sequence[str]) -> Iterator[Report]:
        decoders = [(i, _decoder(name)) for i, name in enumerate(names)]
        converting = [(i, d) for i, d in decoders if d is not None]
        for row in rows:
            values = list(row)
            for i, decode in converting:
                if values[i] is not None:
                    values[i] = decode(values[i])
            yield dict(zip(names, values, strict=True))

    def _noted(self, field: str) -> list[str]:
        (noted,) = self.connection.execute("SELECT value FROM meta WHERE key = 'values'").fetchone()
        found = json.loads(noted)[field]
        if not isinstance(found, list) or not all(isinstance(v, str) for v in found):
            raise ValueError(f"its list of {field} values is not a list of text")
        return found

    def _numbers(self) -> list[str]:
        """Every report number, in the file's order: kept whole in meta, one value."""
        (numbers,) = self.connection.execute(
            "SELECT value FROM meta WHERE key = 'numbers'"
        ).fetchone()
        found = json.loads(numbers)
        if not isinstance(found, list) or not all(isinstance(n, str) for n in found):
            raise ValueError("its list of report numbers is not a list of text")
        return found

    def _count(self, match: str | None) -> int:
        if match == NOTHING:
            return 0
        if match is None:  # a word with too many forms to look up: counted the long way
            raise _Uncountable
        (count,) = self.connection.execute(
            "SELECT count(*) FROM words WHERE words MATCH ?", (match,)
        ).fetchone()
        return int(count)

    def _match(self, term: Term) -> str | None:
        """The FTS5 query that finds exactly the reports that hold ``term``: a phrase or a
        prefix as FTS5 writes them; a stemmed word as every word of the vocabulary with
        its stem (NOTHING when none has; None when too many have)."""
        if not term.stemmed:
            return _term(term)
        found = [
            word
            for (word,) in self.connection.execute(
                "SELECT term FROM vocabulary WHERE stem = ? LIMIT ?",
                (term.stem, MAX_VOCABULARY + 1),
            )
        ]
        if len(found) > MAX_VOCABULARY:
            return None
        return " OR ".join(_quoted(word) for word in found) or NOTHING

    def _where(self, need: Narrowing) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        parameters: list[Any] = []
        if need.numbers is not None and len(need.numbers) <= MAX_NUMBERS:
            marks = ", ".join("?" * len(need.numbers))
            clauses.append(f"(number_key IN ({marks}) OR id_key IN ({marks}))")
            parameters.extend(sorted(need.numbers) * 2)
        matches = []
        found = [*map(self._match, need.terms), *map(self._containing, need.texts)]
        for match in found:  # NOTHING: no report can; None: it cannot narrow
            if match is NOTHING:
                clauses.append("0")
            elif match is not None:
                matches.append(match)
        if matches:
            clauses.append("reports.place IN (SELECT rowid FROM words WHERE words MATCH ?)")
            parameters.append(" AND ".join(f"({m})" for m in matches))
        for clause, values, _ in _criteria_clauses(need):
            clauses.append(clause)
            parameters.extend(values)
        return (" WHERE " + " AND ".join(clauses) if clauses else ""), parameters

    def _containing(self, text: str) -> str | None:
        """An FTS5 query that finds every report whose text contains ``text`` (and maybe
        more), or None when the text cannot narrow. Each part of it made of word
        characters lies inside one word of a report that contains it, so the report has
        one of the vocabulary's words that contain the part."""
        from oigcli.search import runs

        alternatives = []
        for part in dict.fromkeys(runs(text)):
            if len(part) < MIN_PART:
                continue
            found = [
                term
                for (term,) in self.connection.execute(
                    "SELECT term FROM vocabulary WHERE instr(term, ?) LIMIT ?",
                    (part, MAX_VOCABULARY + 1),
                )
            ]
            if len(found) > MAX_VOCABULARY:
                continue
            if not found:
                return NOTHING  # no word contains it: no report can
            alternatives.append(" OR ".join(_quoted(term) for term in found))
        if not alternatives:
            return None
        return " AND ".join(f"({a})" for a in alternatives)


NOTHING = ""
"""What ``_containing`` says of a text that no report contains."""


class _Uncountable(Exception):
    """A term the index cannot count the reports of (see Index.statistics)."""


Clause = tuple[str, list[Any], bool]
"""SQL, its parameters, and whether it keeps exactly the reports that the criterion does
(or only a superset of them, which the query then decides about)."""


def _criteria_clauses(need: Narrowing) -> Iterator[Clause]:
    """SQL that keeps every report the criteria of ``need`` can keep. Components and tags
    are compared case-folded by Python's casefold, stored so when the index was made."""
    if need.years is not None:
        if need.years.first is not None:
            yield "reports.fiscal_year >= ?", [need.years.first], True
        if need.years.last is not None:
            yield "reports.fiscal_year <= ?", [need.years.last], True
    if need.components:
        marks = ", ".join("?" * len(need.components))
        sql = f"reports.place IN (SELECT report FROM components WHERE item_key IN ({marks}))"
        yield sql, list(need.components), True
    if need.inspectors:
        marks = ", ".join("?" * len(need.inspectors))
        yield f"reports.inspector_key IN ({marks})", list(need.inspectors), True
    for tag in need.tags:
        yield "reports.place IN (SELECT report FROM tags WHERE item_key = ?)", [tag], True
    if need.redacted is not None:
        yield "reports.redacted = ?", [int(need.redacted)], True
    if need.window is not None:
        clause, values = _window_clause(need.window)
        yield clause, values, True
    if need.nonconcurred:
        yield "reports.recommendations_concurred < reports.recommendations", [], True
    for condition in need.conditions:
        yield _condition_clause(condition)


COMPARISONS = ("=", "!=", "<", "<=", ">", ">=")


def _condition_clause(condition: Condition) -> Clause:
    """A ``--where`` comparison in SQL, exact for numbers, booleans, dates and tags (a
    null satisfies no comparison in SQL either); anything else (text, which compares
    case-insensitively with numbers inside as numbers, and ``~``) narrows nothing."""
    field, op, operand = condition.field, condition.op, condition.operand
    kind = FIELDS_BY_NAME[field].type
    column = f'reports."{field}"'
    if op not in COMPARISONS or field in (LONG, TEXT):
        return "1", [], False
    if operand is None and kind is not list:  # field=null, field!=null
        return f"{column} IS {'NOT ' if op == '!=' else ''}NULL", [], True
    if kind is list and op in ("=", "!=") and isinstance(operand, str):
        has = f'reports.place IN (SELECT report FROM "{field}" WHERE item_key = ?)'
        return (has if op == "=" else f"NOT {has}"), [operand], True
    if field == "issue_date" and isinstance(operand, tuple):
        first, last = operand
        sql, values = {
            "=": (f"{column} BETWEEN ? AND ?", [first, last]),
            "!=": (f"{column} NOT BETWEEN ? AND ?", [first, last]),
            "<": (f"{column} < ?", [first]),
            "<=": (f"{column} <= ?", [last]),
            ">": (f"{column} > ?", [last]),
            ">=": (f"{column} >= ?", [first]),
        }[op]
        return sql, values, True
    if kind in (int, bool) and isinstance(operand, (int, bool)) and -(2**63) <= operand < 2**63:
        return f"{column} {op} ?", [int(operand)], True
    return "1", [], False


def _window_clause(window: Any) -> tuple[str, list[Any]]:
    """A known issue date inside the window, or an unknown one whose fiscal year lies
    wholly inside it (FY N: 1 October N-1 to 30 September N)."""
    import datetime as dt

    known, unknown, values, years = [], [], [], []
    if window.since is not None:
        known.append("reports.issue_date >= ?")
        values.append(window.since.isoformat())
        after = window.since <= dt.date(window.since.year, 10, 1)
        unknown.append("reports.fiscal_year >= ?")
        years.append(window.since.year + (1 if after else 2))
    if window.until is not None:
        known.append("reports.issue_date <= ?")
        values.append(window.until.isoformat())
        whole = window.until >= dt.date(window.until.year, 9, 30)
        unknown.append("reports.fiscal_year <= ?")
        years.append(window.until.year - (0 if whole else 1))
    either = (
        f"(reports.issue_date IS NOT NULL AND {' AND '.join(known) or '1'})"
        f" OR (reports.issue_date IS NULL AND {' AND '.join(unknown) or '1'})"
    )
    return f"({either})", [*values, *years]


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _term(term: Term) -> str:
    """A search term as an FTS5 query: its words as a phrase, a prefix with ``*``."""
    return _quoted(" ".join(term.words)) + (" *" if term.prefix else "")


def open_index(path: str, cache: Path) -> Index | None:
    """The index of the dataset file at ``path`` when there is one that matches the file
    as it is now; None otherwise. An index that cannot be read is deleted; anything at its
    place that is not a regular file of ours is never opened."""
    import sqlite3

    from oigcli.cache import regular

    if not worth_indexing(path):
        return None
    where = _index_file(_real(path), cache)
    if not regular(where):  # the usual miss (no need to fingerprint the file), or not ours
        return None
    folder = os.path.isdir(path)
    identity = None if folder else identify(path)
    if identity is None and not folder:
        return None
    try:
        connection = _read_only(where)
    except sqlite3.Error:
        return None
    try:
        (pages,) = connection.execute("PRAGMA page_count").fetchone()
        (page_size,) = connection.execute("PRAGMA page_size").fetchone()
        if pages * page_size != where.stat().st_size:  # cut short, or grown: not ours
            raise ValueError("an index of the wrong size")
        meta = _meta(connection)
        if folder:  # the folder's files and folders, as the index lists them, looked at
            identity = tree_identity(os.path.realpath(path), _listing(meta), meta["tree"])
        if (
            identity is None
            or meta["format"] != FORMAT
            or meta["identity"] != _identity_text(identity)
        ):
            connection.close()
            return None
        opened = Index(connection, where, meta)
    except (sqlite3.Error, KeyError, ValueError, TypeError, OverflowError):
        connection.close()
        remove(where)
        return None
    with contextlib.suppress(OSError, NotImplementedError):  # used now: pruned last
        os.utime(where, follow_symlinks=False)
    return opened


def _meta(connection: sqlite3.Connection) -> dict[str, Any]:
    """The index's meta table, each value of the type it must have (ValueError if not)."""
    meta = dict(connection.execute("SELECT key, value FROM meta"))
    expected: dict[str, type | tuple[type, ...]] = {
        "format": int,
        "identity": str,
        "reports": int,
        "total_length": (int, float),
    }
    for key, kind in expected.items():
        if not isinstance(meta.get(key), kind) or isinstance(meta.get(key), bool):
            raise ValueError(f"meta {key} is not of its type")
    if meta["reports"] < 0 or not meta["total_length"] >= 0:
        raise ValueError("meta counts are negative")
    return meta


def _listing(meta: dict[str, Any]) -> list[str]:
    """A folder's index's listing of it (tree_listing), checked to be a list of text."""
    listing = json.loads(meta["tree"])
    if not isinstance(listing, list) or not all(isinstance(p, str) for p in listing):
        raise ValueError("its listing of the folder is not a list of text")
    outside = [p for p in listing if p[:1] == "/" or ("." in p and "/../" in f"/{p}/")]
    if outside:
        raise ValueError("its listing names a place outside the folder")
    return listing


def _identity_text(identity: Identity) -> str:
    return json.dumps(asdict(identity), sort_keys=True)


# --- building an index ------------------------------------------------------------------


def worth_indexing(path: str | None) -> bool:
    """A regular file of at least MIN_BYTES, a zip file of that size or a folder inside
    one, or a folder (a scraper's tree: the builder finds whether it holds MIN_BYTES of
    reports); not stdin or the bundled data."""
    if path is None or path == "-":
        return False
    try:
        info = os.stat(path)
    except OSError:
        from oigcli.dataset import zip_target

        zipped = zip_target(path)
        return zipped is not None and worth_indexing(zipped[0])
    if stat.S_ISDIR(info.st_mode):
        return True
    return stat.S_ISREG(info.st_mode) and info.st_size >= MIN_BYTES


def _companion(index_file: Path, suffix: str) -> Path:
    """The lock (``.lock``), temporary file (``.tmp``) or marker (``.skip``) of an index."""
    return index_file.with_suffix(suffix)


def wanted(path: str, cache: Path) -> bool:
    """Whether a first query should start a builder for ``path``: not when one is at work
    on it already, nor when this very file was found to be one that cannot be indexed (a
    dataset with problems, or values SQLite cannot hold): it would be read again for
    nothing after every query."""
    from oigcli.cache import busy, read_small

    if not worth_indexing(path):
        return False
    target = _index_file(_real(path), cache)
    if busy(_companion(target, ".lock")):
        return False
    marker = read_small(_companion(target, ".skip"))
    if marker is not None:
        identity = identify(path)
        if identity is not None and marker == _identity_text(identity).encode():
            return False
    return True


BOOTSTRAP = (
    "import sys; sys.path.append(sys.argv.pop(1)); "
    "from oigcli.index import main; sys.exit(main(sys.argv[1:]))"
)
"""The builder's program. It runs with ``python -I``, so neither the current folder nor
PYTHON* variables reach its sys.path (a ``json.py`` beside a downloaded dataset must not be
imported); the folder oigcli itself was imported from is added after the standard ones."""


def _package_root() -> str:
    return os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


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


def build(path: str, cache: Path, settle: bool = True, wait: bool = False) -> Path | None:
    """Make the index of the dataset file at ``path`` unless a matching one exists.
    Returns the index's path, or None when none was made: the file is not worth indexing,
    is not a valid dataset, changed while it was read, the cache cannot be trusted, or
    another builder is at work on it.

    The lock is taken first, so at most one builder of a file is ever alive past this
    point. ``settle`` then waits until the file has been left alone for SETTLED_NS (see
    the module's documentation), never longer than that, even for a file whose times are
    in the future; tests that make a file and index it at once turn it off. ``wait``
    waits for a builder already at work on the file (and then finds its index) instead
    of leaving the work to it."""
    from oigcli.cache import locked, prepare

    identity = identify(path)
    if identity is None or prepare(cache):
        return None
    if identity.size < MIN_BYTES and not os.path.isdir(path):  # (a query decides a folder's)
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
        made = _make(path, identity, target)
    prune(cache, keep=target if made else None)
    return target if made else None


def _make(path: str, identity: Identity, target: Path) -> bool:
    """Write the index under the lock: a new 0600 file, renamed into place when whole.
    A file that cannot be indexed as it is gets a marker, so it is not tried again."""
    import sqlite3

    from oigcli.cache import open_file, write_private

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
                write_private(marker, _identity_text(identity).encode())
        return False
    os.replace(temporary, target)
    remove(marker)
    _sync_directory(target.parent)
    return True


SUFFIXES = (".sqlite3", ".tmp", ".lock", ".skip", ".new")


def prune(cache: Path, keep: Path | None = None, max_bytes: int | None = None) -> list[Path]:
    """Remove what no query can use, each only under its lock (so no builder at work loses
    anything): the index or marker of a file that no longer exists, a temporary file left
    by a builder that died, and then a lock file with nothing left to guard. Then, while
    the indexes take more than ``max_bytes`` (cache.MAX_BYTES), the least recently used
    are removed, but never ``keep``. Returns what was removed."""
    from oigcli import cache as folder

    removed: list[Path] = []
    try:
        names = [p for p in cache.iterdir() if p.name.endswith(SUFFIXES)]
    except OSError:
        return removed
    for stem in sorted({p.name.split(".", 1)[0] for p in names}):
        lock = cache / f"{stem}.lock"
        with folder.locked(lock) as held:
            if not held:
                continue
            stale = [cache / f"{stem}{suffix}" for suffix in (".tmp", ".new", ".skip.new")]
            index_file, marker = cache / f"{stem}.sqlite3", cache / f"{stem}.skip"
            if os.path.lexists(index_file) and not _source_exists(index_file):
                stale.append(index_file)
            if os.path.lexists(marker) and not _marked_source_exists(marker):
                stale.append(marker)
            for path in stale:
                if os.path.lexists(path):
                    remove(path)
                    removed.append(path)
            if not any(os.path.lexists(cache / f"{stem}{s}") for s in (".sqlite3", ".skip")):
                remove(lock)  # nothing to guard; under its lock, so nobody is inside
    removed += _limit(cache, keep, folder.MAX_BYTES if max_bytes is None else max_bytes)
    return removed


def _source_exists(index_file: Path) -> bool:
    """Whether the dataset an index was made of still exists (False: not a usable index)."""
    import sqlite3

    from oigcli.cache import regular

    if not regular(index_file):
        return False
    try:
        with contextlib.closing(_read_only(index_file)) as connection:
            (text,) = connection.execute("SELECT value FROM meta WHERE key = 'identity'").fetchone()
        source = json.loads(text)["path"]
    except (sqlite3.Error, TypeError, ValueError, KeyError):
        return False
    return isinstance(source, str) and os.path.exists(source)


def _marked_source_exists(marker: Path) -> bool:
    from oigcli.cache import read_small

    try:
        source = json.loads(read_small(marker) or b"")["path"]
    except (TypeError, ValueError, KeyError):
        return False
    return isinstance(source, str) and os.path.exists(source)


def _limit(cache: Path, keep: Path | None, max_bytes: int) -> list[Path]:
    """Remove the least recently used indexes until they fit in ``max_bytes``."""
    from oigcli.cache import locked

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
        if path == keep:
            continue
        with locked(_companion(path, ".lock")) as held:
            if held:
                remove(path)
                removed.append(path)
                total -= size
    return removed


SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value);
CREATE TABLE reports (
    newest INTEGER PRIMARY KEY, place INTEGER NOT NULL, number_key TEXT NOT NULL,
    id_key TEXT NOT NULL, inspector_key TEXT, {columns}
);
CREATE TABLE summaries (place INTEGER PRIMARY KEY, summary TEXT);
CREATE TABLE texts (place INTEGER PRIMARY KEY, body BLOB NOT NULL);
{lists}
CREATE TABLE vocabulary (term TEXT PRIMARY KEY, stem TEXT NOT NULL) WITHOUT ROWID;
CREATE VIRTUAL TABLE words USING fts5(
    title, summary, text, content='', columnsize=0, tokenize="{tokenizer}"
);
"""
"""``reports``: every field but the summary and text (lists as JSON, booleans as 0/1),
stored in the default order (query.NEWEST_FIRST): ``newest``, the rowid, is a report's place
in it, so a listing streams from SQL reading the table straight through; ``place`` is its place
in the file, which the other tables are keyed by; ``summaries``: the summaries; ``texts``:
the full texts, compressed; ``tags`` and ``components``: each report's distinct items;
``vocabulary``: every distinct word of the titles, summaries and texts, with its stem;
``words``: the words for FTS5 (contentless: it stores only its index)."""
LIST_TABLE = (
    'CREATE TABLE "{name}" (report INTEGER NOT NULL, item TEXT NOT NULL, item_key TEXT NOT NULL);'
)


class _Writer:
    """Writes checked reports into a new index: their texts a batch at a time, and their
    rows (a few hundred bytes each) at the end, in the default order."""

    BATCH = 1000

    def __init__(self, connection: sqlite3.Connection) -> None:
        from oigcli.query import newness
        from oigcli.search import length, words

        self.newness_of = newness

        self.connection = connection
        self.length, self.words = length, words
        self.count = 0
        self.total_length = 0.0
        self.vocabulary: set[str] = set()
        self.rows: list[tuple[Any, ...]] = []
        """Every report's row: written at the end, in the default order."""
        self.texts: list[tuple[int, str, str, str]] = []
        self.bodies: list[tuple[int, bytes]] = []
        self.items: dict[str, list[tuple[int, str, str]]] = {name: [] for name in LISTS}
        marks = ", ".join("?" * (len(STORED) + 5))
        self.insert_report = f"INSERT INTO reports VALUES ({marks})"
        self.lists = [i for i, name in enumerate(STORED) if name in LISTS]
        self.summaries: list[tuple[int, str | None]] = []
        self.numbers: list[str] = []
        self.newness: list[tuple[Any, ...]] = []
        self.noted: dict[str, set[str]] = {name: set() for name in NOTED}

    def add(self, report: Report) -> None:
        number = self.count  # the report's place in the file
        self.count += 1
        values = [report[name] for name in STORED]
        for i in self.lists:
            values[i] = json.dumps(values[i])
        inspector = report["inspector"]
        folded = inspector.casefold() if inspector is not None else None  # as criteria fold
        key = (report["report_number"].upper(), report["id"].upper(), folded)
        self.rows.append((number, *key, *values))
        self.summaries.append((number, report[LONG]))
        self.numbers.append(report["report_number"])
        self.newness.append(self.newness_of(report))
        for name, seen in self.noted.items():
            value = report[name]
            seen.update(value if isinstance(value, list) else [value] if value else [])  # as read
        for name, items in self.items.items():
            items.extend((number, item, item.casefold()) for item in dict.fromkeys(report[name]))
        title, summary, text = report["title"], report["summary"] or "", report.get(TEXT) or ""
        found = [self.words(title), self.words(summary), self.words(text)]
        for each in found:
            self.vocabulary.update(each)
        joined = [" ".join(each) for each in found]
        self.texts.append((number, joined[0], joined[1], joined[2]))
        if report.get(TEXT) is not None:
            self.bodies.append((number, _pack(text)))
        self.total_length += self.length(title, summary, text)
        if len(self.summaries) >= self.BATCH:
            self.flush()

    def flush(self) -> None:
        execute = self.connection.executemany
        execute("INSERT INTO summaries VALUES (?, ?)", self.summaries)
        execute("INSERT INTO texts VALUES (?, ?)", self.bodies)
        execute("INSERT INTO words (rowid, title, summary, text) VALUES (?, ?, ?, ?)", self.texts)
        for name, items in self.items.items():
            execute(f'INSERT INTO "{name}" VALUES (?, ?, ?)', items)
            items.clear()
        for batch in (self.summaries, self.texts, self.bodies):
            batch.clear()

    def finish(self, identity: Identity) -> None:
        from oigcli.search import stem

        self.flush()
        execute = self.connection.execute
        self.connection.executemany(
            "INSERT INTO vocabulary VALUES (?, ?)",
            ((term, stem(term)) for term in sorted(self.vocabulary)),
        )
        key = self.newness.__getitem__  # newest first; a stable sort keeps ties in file order
        order = sorted(range(self.count), key=key, reverse=True)
        rows = self.rows
        self.connection.executemany(
            self.insert_report, ((place, *rows[i]) for place, i in enumerate(order))
        )
        rows.clear()
        # each index orders equal keys by rowid, which is the default order
        execute("CREATE UNIQUE INDEX reports_place ON reports (place)")
        execute("CREATE INDEX reports_number ON reports (number_key)")
        execute("CREATE INDEX reports_key ON reports (id_key)")
        execute("CREATE INDEX reports_inspector ON reports (inspector_key)")
        execute("CREATE INDEX reports_year ON reports (fiscal_year)")
        execute("CREATE INDEX reports_date ON reports (issue_date)")
        execute("CREATE INDEX vocabulary_stem ON vocabulary (stem)")
        for name in LISTS:
            execute(f'CREATE INDEX "{name}_key" ON "{name}" (item_key)')
            execute(f'CREATE INDEX "{name}_report" ON "{name}" (report)')
        self.connection.executemany(
            "INSERT INTO meta VALUES (?, ?)",
            [
                ("format", FORMAT),
                ("identity", _identity_text(identity)),
                ("reports", self.count),
                ("total_length", self.total_length),
                ("numbers", json.dumps(self.numbers)),
                ("values", json.dumps({k: sorted(v) for k, v in self.noted.items()})),
            ],
        )
        execute("INSERT INTO words (words) VALUES ('optimize')")
        execute("ANALYZE")  # how selective each index is, so the planner can choose


def _write(path: str, identity: Identity, temporary: Path) -> bool:
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
        columns = ", ".join(f'"{name}"' for name in STORED)
        lists = "\n".join(LIST_TABLE.format(name=name) for name in LISTS)
        connection.executescript(SCHEMA.format(columns=columns, lists=lists, tokenizer=TOKENIZER))
        connection.execute("BEGIN")
        writer = _Writer(connection)
        if os.path.isdir(identity.path):
            tree = _read_tree(identity, writer.add)
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


def _read_tree(
    identity: Identity, add: Callable[[Report], None]
) -> tuple[list[str], list[str]] | None:
    """A scraper's folder's reports, each given to ``add``; then its listing and notes.
    None when it has problems or is not, file for file, what ``identity`` is of."""
    from oigcli import dataset

    seen: dict[str, Stat] = {}
    data = dataset.read(identity.path, pick=_adding(add), texts=True, seen=seen)
    if data.problems:
        return None
    listing = tree_listing(identity.path)
    entries: dict[str, Stat] = {}
    if tree_identity(identity.path, listing, entries=entries) != identity:
        return None  # changed while it was read
    for path, found in seen.items():
        if entries.get(os.path.relpath(path, identity.path)) != found:
            return None  # a file read was not the one identified: swapped meanwhile
    return listing, data.notes


def _read_file(path: str, identity: Identity, add: Callable[[Report], None]) -> list[str] | None:
    """A dataset file's (or zip's) reports, read from one descriptor that is checked to be
    the identified file, before and after, each given to ``add``; then its notes. None
    when it has problems or is not what ``identity`` is of."""
    from oigcli import dataset

    zipped = None if os.path.isfile(path) else dataset.zip_target(path)
    real = os.path.realpath(path if zipped is None else zipped[0])
    try:
        fd = os.open(real, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)  # a FIFO: no wait
    except OSError:
        return None
    with os.fdopen(fd, "rb") as opened:
        if not _is_identified(os.fstat(fd), identity):
            return None
        data = dataset.read(path, pick=_adding(add), texts=True, opened=opened)
        if data.problems or not _is_identified(os.fstat(fd), identity):
            return None
    return data.notes


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


def index_now(path: str, environ: Mapping[str, str]) -> str | None:
    """Index the dataset at ``path`` now, in the cache queries use (``oigcli index``),
    waiting for a builder already at work on it. None when it has an index; a note for a
    person when it needs none (a file under MIN_BYTES reads as fast as an index answers).
    Raises OutputError when the cache cannot be used, DatasetError when the dataset
    cannot be indexed."""
    from oigcli.cache import folder
    from oigcli.errors import DatasetError, OutputError

    where = folder(environ, create=True)
    if where.path is None:
        raise OutputError(f"the cache cannot be used: {where.reason}")
    if build(path, where.path, wait=True) is not None:
        return None
    identity = identify(path)
    if identity is None:
        raise DatasetError(f"{path}: no dataset file, zip or scraper folder to index there")
    if identity.size < MIN_BYTES and not os.path.isdir(path):
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
    script runs ``oigcli index FILE`` (``python -m oigcli.index`` would put the current
    folder, perhaps a downloaded dataset's, on the import path)."""
    import gc
    import signal

    gc.disable()  # as oigcli.cli.main: the reports read hold no cycles to collect
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))  # cleans up
    arguments = list(argv)
    if arguments[:1] != ["--background"] or len(arguments) < 3:
        print("usage: oigcli index PATH... (this module is oigcli's builder)", file=sys.stderr)
        return 2
    cache = Path(arguments[1])
    with contextlib.suppress(OSError):
        os.chdir("/")  # hold no folder of the user's (it could not be unmounted)
        os.nice(10)  # the user's foreground work comes first
    made = [build(path, cache) is not None for path in arguments[2:]]
    return 0 if all(made) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
