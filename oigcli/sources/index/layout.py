"""How an index is laid out in SQLite: its tables, what is stored where, and the writer
that fills a new one. The reader (``reader``) and the builder (``builder``) share it.
"""

from __future__ import annotations

import json
import time
import zlib
from typing import TYPE_CHECKING, Any

from oigcli.model.schema import FIELD_NAMES, FIELDS_BY_NAME, TEXT, Report
from oigcli.query.criteria import NOTED
from oigcli.query.rows import newness
from oigcli.sources.index.identity import Identity, identity_text

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Callable


FORMAT = 9
"""The version of the layout and of what is stored (2: search lengths in characters; 3:
case-folded components and tags, for criteria; 5: each report's place in the default
order, ``reports.newest``; 6: distinct components and tags in meta; 7: the reports table
stored in that order; 8: oigcli 0.2's fields, ids, full texts and word stems; 9: stemmed
columns and column sizes, so that FTS5 ranks, and ``heads`` for the tiers): an index of
another version is not used, and is rebuilt."""
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
    newest INTEGER PRIMARY KEY, place INTEGER NOT NULL, number_key TEXT NOT NULL,
    id_key TEXT NOT NULL, inspector_key TEXT, {columns}
);
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
stored in the default order (query.NEWEST_FIRST): ``newest``, the rowid, is a report's place
in it, so a listing streams from SQL reading the table straight through; ``place`` is its place
in the file, which the other tables are keyed by; ``summaries``: the summaries; ``texts``:
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
    """Writes checked reports into a new index a batch at a time: their texts, and their
    rows into a temporary table, copied into ``reports`` in the default order at the end.
    What it holds is a batch and a few numbers a report, whatever the dataset's size."""

    BATCH = 1000
    BATCH_CHARACTERS = 16 << 20
    """A batch ends at BATCH reports or at this many characters of their texts (a long
    tail of 300 KB texts would make a batch of a thousand hundreds of MB)."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        from oigcli.query.search import runs, separated, stem

        self.runs, self.separated = runs, separated
        self.connection = connection
        self.count = 0
        self.total_tokens = 0
        self.stems = _Stems(stem)
        """Each word's stem; its ``new`` words are the batch's new vocabulary."""
        self.rows: list[tuple[Any, ...]] = []
        """The batch's rows, for the temporary table ``staging`` (keyed by place)."""
        self.characters = 0
        self.texts: list[tuple[Any, ...]] = []
        self.heads: list[tuple[Any, ...]] = []
        self.bodies: list[tuple[int, bytes]] = []
        self.items: dict[str, list[tuple[int, str, str]]] = {name: [] for name in LISTS}
        marks = ", ".join("?" * (len(STORED) + 4))
        columns = ", ".join(f'"{name}"' for name in STORED)
        connection.execute(
            "CREATE TEMP TABLE staging (place INTEGER PRIMARY KEY, number_key, id_key,"
            f" inspector_key, {columns})"
        )
        self.insert_staged = f"INSERT INTO staging VALUES ({marks})"
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
        self.newness.append(newness(report))
        for name, seen in self.noted.items():
            value = report[name]
            seen.update(value if isinstance(value, list) else [value] if value else [])  # as read
        for name, items in self.items.items():
            items.extend((number, item, item.casefold()) for item in dict.fromkeys(report[name]))
        title, summary, text = report["title"], report["summary"] or "", report.get(TEXT) or ""
        folded = [title.casefold(), summary.casefold(), text.casefold()]
        found = [self.runs(each) for each in folded]
        stem = self.stems.__getitem__
        self.total_tokens += sum(map(len, found))
        written = [self.separated(each) for each in folded]  # FTS5 splits it as runs do
        stemmed = [" ".join(map(stem, each)) for each in found]
        self.texts.append((number, *written, *stemmed))
        self.heads.append((number, written[0], written[1], stemmed[0], stemmed[1]))
        if report.get(TEXT) is not None:
            self.bodies.append((number, pack(text)))
        self.characters += len(text) + len(summary)
        if len(self.summaries) >= self.BATCH or self.characters >= self.BATCH_CHARACTERS:
            self.flush()

    def flush(self) -> None:
        execute = self.connection.executemany
        execute("INSERT INTO summaries VALUES (?, ?)", self.summaries)
        execute("INSERT INTO texts VALUES (?, ?)", self.bodies)
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
        for batch in (self.summaries, self.texts, self.heads, self.bodies, self.rows):
            batch.clear()
        self.characters = 0
        new.clear()

    def finish(self, identity: Identity) -> None:
        self.flush()
        execute = self.connection.execute
        key = self.newness.__getitem__  # newest first; a stable sort keeps ties in file order
        order = sorted(range(self.count), key=key, reverse=True)
        self.newness.clear()
        self.connection.executemany(
            "INSERT INTO reports SELECT ?, * FROM staging WHERE place = ?", enumerate(order)
        )
        execute("DROP TABLE staging")
        # each index orders equal keys by rowid, which is the default order
        execute("CREATE UNIQUE INDEX reports_place ON reports (place)")
        execute("CREATE INDEX reports_number ON reports (number_key)")
        execute("CREATE INDEX reports_key ON reports (id_key)")
        execute("CREATE INDEX reports_inspector ON reports (inspector_key)")
        execute("CREATE INDEX reports_year ON reports (fiscal_year)")
        execute("CREATE INDEX reports_date ON reports (issue_date)")
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
