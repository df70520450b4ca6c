"""How an index is laid out in SQLite: its tables, what is stored where, and the writer
that fills a new one. The reader (``reader``) and the builder (``builder``) share it.
"""

from __future__ import annotations

import json
import time
import zlib
from typing import TYPE_CHECKING, Any

from oigcli.model.schema import FIELD_NAMES, FIELDS_BY_NAME, TEXT, Report
from oigcli.model.text import fold
from oigcli.query.criteria import NOTED
from oigcli.query.rows import newness
from oigcli.sources.index.identity import Identity, identity_text

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Callable, Iterable, Mapping, Sequence

    from oigcli.load.members import Stat


FORMAT = 15
"""The version of the layout and of what is stored (2: search lengths in characters; 3:
case-folded components and tags, for criteria; 5: each report's place in the default
order, ``reports.newest``; 6: distinct components and tags in meta; 7: the reports table
stored in that order; 8: oigcli 0.2's fields, ids, full texts and word stems; 9: stemmed
columns and column sizes, so that FTS5 ranks, and ``heads`` for the tiers; 10: orders
with room between (``GAP``), a folder's files and reports, so that it is updated in
place; 11: texts without NUL bytes; 12: folders sortable in SQL; 13: each folder's
numbers; 14: values read from the reports' words, questioned costs, ``derived``; 15:
words without accents): an index of another version is not used, and is rebuilt."""
GAP = 1 << 32
"""How far apart reports are in the default order (``reports.newest``) and in the file's
(``reports.sequence``) when an index is built: a report added later takes a number
between its neighbours', and no other report's changes."""
TOKENIZER = "ascii tokenchars '_'"
"""FTS5's ascii tokenizer splits only where search's words are split: the index holds
search's own words (``search.words``) joined by spaces, and every character of a word is
a token character to it (non-ASCII characters, letters, digits and '_')."""


LONG = "summary"
"""The field kept in a table of its own, so that queries that do not read it (stats,
and filters that do not look at it) scan a table a tenth of the size."""
STORED = tuple(name for name in FIELD_NAMES if name not in (LONG, TEXT))
LISTS = tuple(name for name in STORED if FIELDS_BY_NAME[name].type is list)
"""The list fields: each has a table of (report, item, item case-folded), named as it is."""
ENCODED = tuple(name for name in STORED if not FIELDS_BY_NAME[name].scalar)
"""The fields stored as JSON text: the lists and the ``derived`` object."""


def create(connection: sqlite3.Connection) -> None:
    """Make an empty index's tables in a new database."""
    columns = ", ".join(f'"{name}"' for name in STORED)
    lists = "\n".join(LIST_TABLE.format(name=name) for name in LISTS)
    connection.executescript(SCHEMA.format(columns=columns, lists=lists, tokenizer=TOKENIZER))


def unpack(body: bytes) -> str:
    return zlib.decompress(body).decode("utf-8")


def pack(text: str) -> bytes:
    return zlib.compress(text.encode("utf-8", errors="surrogatepass"), 1)


class _Stems(dict[str, str]):
    """Each word's stem, remembered (prose repeats its words); forgotten all at once past
    MAX_STEMS, so that an archive's millions of distinct words keep the builder's memory
    flat. ``new``: the words first seen since it was last emptied (the vocabulary, once
    each but for a word seen again after the stems were forgotten)."""

    MAX_STEMS = 200_000

    def __init__(self, stem: Callable[[str], str]) -> None:
        super().__init__()
        self.stem = stem
        self.new: set[str] = set()

    def __missing__(self, word: str) -> str:
        if len(self) >= self.MAX_STEMS:
            self.clear()
        found = self[word] = self.stem(word)
        self.new.add(word)
        return found


SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value);
CREATE TABLE reports (
    newest INTEGER PRIMARY KEY, place INTEGER NOT NULL, sequence INTEGER NOT NULL,
    number_key TEXT NOT NULL, id_key TEXT NOT NULL, inspector_key TEXT, {columns}
);
CREATE TABLE folders (place INTEGER PRIMARY KEY, folder TEXT NOT NULL, key TEXT NOT NULL);
CREATE TABLE files (
    path TEXT PRIMARY KEY, size INTEGER, inode INTEGER, mtime_ns INTEGER, ctime_ns INTEGER,
    digest BLOB
) WITHOUT ROWID;
CREATE TABLE walked (
    path TEXT PRIMARY KEY, size INTEGER, inode INTEGER, mtime_ns INTEGER, ctime_ns INTEGER
) WITHOUT ROWID;
CREATE TABLE summaries (place INTEGER PRIMARY KEY, summary TEXT);
CREATE TABLE texts (place INTEGER PRIMARY KEY, body BLOB NOT NULL);
{lists}
CREATE TABLE vocabulary (term TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE VIRTUAL TABLE words USING fts5(
    title, summary, text, title_stem, summary_stem, text_stem, content='',
    tokenize="{tokenizer}"
);
CREATE VIRTUAL TABLE heads USING fts5(
    title, summary, title_stem, summary_stem, content='', columnsize=0, tokenize="{tokenizer}"
);
"""
"""``reports``: every field but the summary and text (lists as JSON, booleans as 0/1),
stored in the default order (query.NEWEST_FIRST): ``newest``, the rowid, orders it, so a
listing streams from SQL reading the table straight through; ``place`` is the report's key,
which the other tables (and FTS5's rowids) are keyed by, given in the file's order when the
index is built and to added reports after the last; ``sequence`` orders the reports as
the file (or folder) does; ``folders``: of a scraper's folder, the folder each report was
read from, and ``files``: each file read, its numbers (identity.tree_identity's) and a hash
of its content, so that an update (builder.update) finds the reports that changed;
``walked``: the same numbers of each folder, so that it walks again only the folders
whose entries changed;
``summaries``: the summaries; ``texts``:
the full texts, compressed; ``tags`` and ``components``: each report's distinct items;
``vocabulary``: every distinct word of the titles, summaries and texts (for ``filter
--text``); ``words``: the words for FTS5, as written and each as its stem (contentless: it
stores only its index and each column's length in words), which search ranks by with
bm25(); ``heads``: the same of titles and summaries only, a small index that tells which
terms are in a title (search's tiers) without reading the texts' long lists."""
COLUMNS = ("title", "summary", "text")
STEMMED = tuple(f"{name}_stem" for name in COLUMNS)
"""The columns of ``words``: the words as written, then as stems (search.WEIGHTS each)."""
LIST_TABLE = (
    'CREATE TABLE "{name}" (report INTEGER NOT NULL, item TEXT NOT NULL, item_key TEXT NOT NULL);'
)


class Writer:
    """Writes checked reports into an index a batch at a time: their texts, and their rows
    into a temporary table, copied into ``reports`` in the default order at the end
    (``finish``, of a new index; ``merge``, of reports added to one). What it holds is a
    batch and a few numbers a report, whatever the dataset's size. ``forget`` takes
    reports out of an index (an update: builder.update)."""

    BATCH = 1000
    BATCH_CHARACTERS = 16 << 20
    """A batch ends at BATCH reports or at this many characters of their texts (a long
    tail of 300 KB texts would make a batch of a thousand hundreds of MB)."""

    def __init__(self, connection: sqlite3.Connection, start: int = 0, tokens: int = 0) -> None:
        from oigcli.query.search import runs, separated, stem

        self.runs, self.separated = runs, separated
        self.connection = connection
        self.place = start
        """The next report's place (its key): a new index's start at 0, added reports after
        the last place used."""
        self.count = 0
        self.total_tokens = tokens
        self.stems = _Stems(stem)
        """Each word's stem; its ``new`` words are the batch's new vocabulary."""
        self.rows: list[tuple[Any, ...]] = []
        """The batch's rows, for the temporary table ``staging`` (keyed by place)."""
        self.characters = 0
        self.texts: list[tuple[Any, ...]] = []
        self.heads: list[tuple[Any, ...]] = []
        self.bodies: list[tuple[int, bytes]] = []
        self.folders: list[tuple[int, str, str]] = []
        self.items: dict[str, list[tuple[int, str, str]]] = {name: [] for name in LISTS}
        marks = ", ".join("?" * (len(STORED) + 5))
        columns = ", ".join(f'"{name}"' for name in STORED)
        connection.execute(
            "CREATE TEMP TABLE staging (place INTEGER PRIMARY KEY, sequence, number_key,"
            f" id_key, inspector_key, {columns})"
        )
        self.insert_staged = f"INSERT INTO staging VALUES ({marks})"
        self.lists = [i for i, name in enumerate(STORED) if name in ENCODED]
        self.summaries: list[tuple[int, str | None]] = []
        self.numbers: list[str] = []
        self.order: list[tuple[Any, ...]] = []
        """(newness, -sequence, place) of each report added: the default order's key."""
        self.noted: dict[str, set[str]] = {name: set() for name in NOTED}

    def terms(self, title: str, summary: str, text: str) -> tuple[list[str], list[str], int]:
        """What ``words`` holds of a report (its title, summary and text as written, then
        as stems) and how many words it has: the very values a contentless FTS5 table
        must be given again to take a report out."""
        folded = [fold(title), fold(summary), fold(text)]  # as search.words folds
        found = [self.runs(each) for each in folded]
        stem = self.stems.__getitem__
        written = [self.separated(each) for each in folded]  # FTS5 splits it as runs do
        stemmed = [" ".join(map(stem, each)) for each in found]
        return written, stemmed, sum(map(len, found))

    def add(self, report: Report, folder: str | None = None, sequence: int | None = None) -> None:
        """Write ``report``, read from ``folder`` (of a scraper's folder), at ``sequence``
        in the file's order (by default its place's, GAP apart)."""
        place = self.place
        self.place += 1
        self.count += 1
        sequence = place * GAP if sequence is None else sequence
        values = [report[name] for name in STORED]
        for i in self.lists:
            if values[i] is not None:  # a null object stays NULL, for derived=null in SQL
                values[i] = json.dumps(values[i])
        inspector = report["inspector"]
        folded = inspector.casefold() if inspector is not None else None  # as criteria fold
        key = (report["report_number"].upper(), report["id"].upper(), folded)
        self.rows.append((place, sequence, *key, *values))
        self.summaries.append((place, report[LONG]))
        self.numbers.append(report["report_number"])
        self.order.append((newness(report), -sequence, place))
        if folder is not None:
            self.folders.append((place, folder, folder_key(folder)))
        for name, seen in self.noted.items():
            value = report[name]
            seen.update(value if isinstance(value, list) else [value] if value else [])  # as read
        for name, items in self.items.items():
            items.extend((place, item, item.casefold()) for item in dict.fromkeys(report[name]))
        summary, text = report["summary"] or "", report.get(TEXT) or ""
        written, stemmed, tokens = self.terms(report["title"], summary, text)
        self.total_tokens += tokens
        self.texts.append((place, *written, *stemmed))
        self.heads.append((place, written[0], written[1], stemmed[0], stemmed[1]))
        if report.get(TEXT) is not None:
            self.bodies.append((place, pack(text)))
        self.characters += len(text) + len(summary)
        if len(self.summaries) >= self.BATCH or self.characters >= self.BATCH_CHARACTERS:
            self.flush()

    def flush(self) -> None:
        execute = self.connection.executemany
        execute("INSERT INTO summaries VALUES (?, ?)", self.summaries)
        execute("INSERT INTO texts VALUES (?, ?)", self.bodies)
        execute("INSERT INTO folders VALUES (?, ?, ?)", self.folders)
        columns = ", ".join((*COLUMNS, *STEMMED))
        execute(f"INSERT INTO words (rowid, {columns}) VALUES (?, ?, ?, ?, ?, ?, ?)", self.texts)
        execute(
            "INSERT INTO heads (rowid, title, summary, title_stem, summary_stem)"
            " VALUES (?, ?, ?, ?, ?)",
            self.heads,
        )
        new = self.stems.new
        execute("INSERT OR IGNORE INTO vocabulary VALUES (?)", ((w,) for w in sorted(new)))
        for name, items in self.items.items():
            execute(f'INSERT INTO "{name}" VALUES (?, ?, ?)', items)
            items.clear()
        execute(self.insert_staged, self.rows)
        for batch in (self.summaries, self.texts, self.heads, self.bodies, self.rows, self.folders):
            batch.clear()
        self.characters = 0
        new.clear()

    def files(self, found: Iterable[tuple[str, Stat]]) -> None:
        """Record each file read (a path in its folder, what it was: ``members.Stat``)."""
        self.connection.executemany(
            "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?)",
            ((path, *numbers) for path, numbers in found),
        )

    def walked(self, folders: Mapping[str, tuple[int, ...]]) -> None:
        """Record each folder of the tree as it was looked at (``identity.Look.folders``)."""
        self.connection.executemany(
            "INSERT OR REPLACE INTO walked VALUES (?, ?, ?, ?, ?)",
            ((path, *numbers) for path, numbers in folders.items()),
        )

    def finish(self, identity: Identity) -> None:
        """A new index's last steps: its reports in the default order, its indexes and
        meta, FTS5's tables merged."""
        self.flush()
        execute = self.connection.execute
        order = sorted(self.order, reverse=True)  # newest first; then the file's order
        self.order.clear()
        self._insert((i * GAP, place) for i, (*_, place) in enumerate(order))
        execute("DROP TABLE staging")
        # each index orders equal keys by rowid, which is the default order
        execute("CREATE UNIQUE INDEX reports_place ON reports (place)")
        execute("CREATE INDEX reports_sequence ON reports (sequence)")
        execute("CREATE INDEX reports_number ON reports (number_key)")
        execute("CREATE INDEX reports_key ON reports (id_key)")
        execute("CREATE INDEX reports_inspector ON reports (inspector_key)")
        execute("CREATE INDEX reports_year ON reports (fiscal_year)")
        execute("CREATE INDEX reports_date ON reports (issue_date)")
        execute("CREATE INDEX folders_folder ON folders (folder)")
        execute("CREATE INDEX folders_key ON folders (key)")
        for name in LISTS:
            execute(f'CREATE INDEX "{name}_key" ON "{name}" (item_key)')
            execute(f'CREATE INDEX "{name}_report" ON "{name}" (report)')
        self.connection.executemany(
            "INSERT INTO meta VALUES (?, ?)",
            [
                ("format", FORMAT),
                ("identity", identity_text(identity)),
                ("reports", self.count),
                ("tokens", self.total_tokens),
                ("built", time.time()),
                ("numbers", json.dumps(self.numbers)),
                ("values", json.dumps({k: sorted(v) for k, v in self.noted.items()})),
            ],
        )
        execute("INSERT INTO words (words) VALUES ('optimize')")
        execute("INSERT INTO heads (heads) VALUES ('optimize')")
        execute("ANALYZE")  # how selective each index is, so the planner can choose

    def _insert(self, placed: Iterable[tuple[int, int]]) -> None:
        """Move staged reports into ``reports``: (newest, place) of each."""
        self.connection.executemany(
            "INSERT INTO reports SELECT ?, * FROM staging WHERE place = ?", placed
        )

    def forget(self, places: Sequence[int]) -> None:
        """Take the reports at ``places`` out of the index: FTS5's ``delete`` given the
        values it was given (it keeps none: they are made again from the stored title,
        summary and text, as ``add`` made them), then their rows everywhere."""
        columns = ", ".join((*COLUMNS, *STEMMED))
        for start in range(0, len(places), 100):
            chunk = list(places[start : start + 100])
            marks = ", ".join("?" * len(chunk))
            found = self.connection.execute(
                "SELECT reports.place, title, summary, body FROM reports"
                " JOIN summaries ON summaries.place = reports.place"
                f" LEFT JOIN texts ON texts.place = reports.place WHERE reports.place IN ({marks})",
                chunk,
            ).fetchall()
            for place, title, summary, body in found:
                text = unpack(body) if body is not None else ""
                written, stemmed, tokens = self.terms(title, summary or "", text)
                self.total_tokens -= tokens
                self.connection.execute(
                    f"INSERT INTO words (words, rowid, {columns})"
                    " VALUES ('delete', ?, ?, ?, ?, ?, ?, ?)",
                    (place, *written, *stemmed),
                )
                self.connection.execute(
                    "INSERT INTO heads (heads, rowid, title, summary, title_stem, summary_stem)"
                    " VALUES ('delete', ?, ?, ?, ?, ?)",
                    (place, written[0], written[1], stemmed[0], stemmed[1]),
                )
            for table, key in KEYED:
                self.connection.execute(f'DELETE FROM "{table}" WHERE {key} IN ({marks})', chunk)

    def merge(self) -> bool:
        """An update's last steps: the reports added put into ``reports`` between their
        neighbours in the default order (newest first, then the file's order), no other
        report's number changed while there is room (else all are numbered again); then
        meta says what the index holds now. False when numbers run out (64 bits)."""
        self.flush()
        placed = self._bisected()
        if placed is None:  # no room between two: every report numbered again, GAP apart
            found = self.connection.execute(f"SELECT newest, {ORDERED} FROM reports")
            merged = [(*_ordered(row[1:]), False, row[0]) for row in found]
            merged += [(key, negative, True, place) for key, negative, place in self.order]
            merged.sort(reverse=True)
            if len(merged) >= 1 << 31:
                return False
            self._renumber(merged)
        else:
            self._insert(placed)
        self.connection.execute("DROP TABLE staging")
        self._restate()
        return True

    def _bisected(self) -> list[tuple[int, int]] | None:
        """Each added report's number (``newest``) between those of its two neighbours in
        the default order, found by bisection: a few rows read per report added, not the
        table. None when two neighbours leave no room."""
        execute = self.connection.execute
        (count,) = execute("SELECT count(*) FROM reports").fetchone()
        sql = f"SELECT newest, {ORDERED} FROM reports ORDER BY newest LIMIT 1 OFFSET ?"

        def at(i: int) -> tuple[Any, ...]:
            return tuple(execute(sql, (i,)).fetchone())

        between_rows: dict[int, list[tuple[Any, int]]] = {}
        for key, negative, place in self.order:
            wanted = (key, negative)
            lo, hi = 0, count  # the first row that comes after it (keys descend)
            while lo < hi:
                mid = (lo + hi) // 2
                if _ordered(at(mid)[1:]) > wanted:
                    lo = mid + 1
                else:
                    hi = mid
            between_rows.setdefault(lo, []).append((wanted, place))
        placed: list[tuple[int, int]] = []
        for i, added in between_rows.items():
            added.sort(reverse=True)
            before = at(i - 1)[0] if i > 0 else None
            after = at(i)[0] if i < count else None
            spaced = between(before, after, len(added))
            if spaced is None:
                return None
            placed += zip(spaced, (place for _, place in added), strict=True)
        return placed

    def _renumber(self, merged: list[tuple[Any, ...]]) -> None:
        execute = self.connection.execute
        names = [row[1] for row in execute("PRAGMA table_info(reports)")][1:]
        columns = ", ".join(f'"{name}"' for name in names)
        execute("CREATE TEMP TABLE moved AS SELECT * FROM reports")
        execute("CREATE INDEX temp.moved_newest ON moved (newest)")
        execute("DELETE FROM reports")
        for i, (_, _, new, ident) in enumerate(merged):
            if new:
                self._insert([(i * GAP, ident)])
            else:
                execute(
                    f"INSERT INTO reports SELECT ?, {columns} FROM moved WHERE newest = ?",
                    (i * GAP, ident),
                )
        execute("DROP TABLE moved")

    def _restate(self) -> None:
        """meta's counts, report numbers (in the file's order) and distinct values, as the
        reports now in the index have them."""
        execute = self.connection.execute
        (count,) = execute("SELECT count(*) FROM reports").fetchone()
        numbers = [n for (n,) in execute("SELECT report_number FROM reports ORDER BY sequence")]
        noted: dict[str, list[str]] = {}
        for name in NOTED:
            if name in LISTS:
                sql = f'SELECT DISTINCT item FROM "{name}"'
            else:
                sql = f'SELECT DISTINCT "{name}" FROM reports WHERE "{name}" IS NOT NULL'
            noted[name] = sorted({value for (value,) in execute(sql) if value})
        self.connection.executemany(
            "INSERT OR REPLACE INTO meta VALUES (?, ?)",
            [
                ("reports", count),
                ("tokens", self.total_tokens),
                ("numbers", json.dumps(numbers)),
                ("values", json.dumps(noted)),
                ("updated", time.time()),
            ],
        )


def folder_key(folder: str) -> str:
    """A folder (relative to its tree) as text that sorts as the tree is read: by its
    parts (archive.path_order), "a/b" before "a-b" ("/" as the smallest character)."""
    return "" if folder == "." else folder.replace("/", "\x00")


ORDERED = "sequence, fiscal_year, issue_date, report_number"
"""The columns of ``reports`` the default order is worked out from (``_ordered``)."""


def _ordered(row: Sequence[Any]) -> tuple[Any, Any]:
    """A report's key in the default order (newest first, then the file's order), from
    its ORDERED columns: larger comes first."""
    sequence, fiscal_year, issue_date, number = row
    fields = {"fiscal_year": fiscal_year, "issue_date": issue_date, "report_number": number}
    return newness(fields), -sequence


KEYED = (
    ("reports", "place"),
    ("summaries", "place"),
    ("texts", "place"),
    ("folders", "place"),
    *((name, "report") for name in LISTS),
)
"""Every table with rows of a report, and the column that holds its place."""

MAX_NUMBER = (1 << 63) - 1


def between(before: int | None, after: int | None, count: int) -> list[int] | None:
    """``count`` integers strictly between ``before`` and ``after``, evenly spaced (an open
    end: GAP apart); None when there is no room, within 64 bits."""
    if before is None and after is None:
        found = [i * GAP for i in range(count)]
    elif before is None:
        assert after is not None
        found = [after - GAP * (count - i) for i in range(count)]
    elif after is None:
        found = [before + GAP * (i + 1) for i in range(count)]
    else:
        step = (after - before) // (count + 1)
        if step < 1:
            return None
        found = [before + step * (i + 1) for i in range(count)]
    if found and (found[0] < -MAX_NUMBER - 1 or found[-1] > MAX_NUMBER):
        return None
    return found
