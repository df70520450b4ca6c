"""Answering from an index: the ``Source`` that pushes criteria, words, the default order
and groups into SQL (``Index``), and ``open_index``, which opens one only when it matches
its dataset as it is now.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from oigcli.model.errors import DatasetError
from oigcli.model.location import Location
from oigcli.model.schema import FIELD_NAMES, FIELDS_BY_NAME, TEXT, Report
from oigcli.query.criteria import NOTED
from oigcli.sources.cache import regular, remove, shared
from oigcli.sources.index.identity import (
    Identity,
    Look,
    identify,
    identity_text,
    index_file,
    real_path,
    tree_identity,
    worth_indexing,
)
from oigcli.sources.index.layout import COLUMNS, FORMAT, LISTS, LONG, unpack
from oigcli.sources.protocol import Ranked

if TYPE_CHECKING:
    import sqlite3

    from oigcli.model.schema import Unreadable
    from oigcli.query.criteria import Narrowing
    from oigcli.query.search import Query, Term
    from oigcli.sources.protocol import Keep, Statistics


MAX_VOCABULARY = 2000
"""A text that is part of more distinct words than this does not narrow (it would hardly
narrow, and a long OR costs more than it saves)."""
MIN_PART = 3
MAX_NUMBERS = 500
"""More report numbers than this (``show $(seq 1 130000)``) are not looked up in SQL (which
takes at most 32,766 parameters): every report is read, and the query keeps those asked."""
"""Parts of a text shorter than this do not narrow (too many words contain them)."""


def read_only(where: Path) -> sqlite3.Connection:
    """A connection to an index, which is changed only under its lock (a build replaces
    it whole; an update writes it in place, while no query holds the shared lock), so
    SQLite need not lock it or look for a journal (open_index looks)."""

    return sqlite3.connect(f"{where.as_uri()}?mode=ro&immutable=1", uri=True)


def _select(names: Sequence[str], read: Sequence[str], first: str = "") -> str:
    """The columns ``names`` (NULL for one not in ``read``), from ``reports`` joined to
    ``summaries`` and ``texts`` when those are read; ``first``: a column before them."""
    special = {LONG: "summaries.summary", TEXT: "texts.body"}
    columns = ", ".join(
        [first] * bool(first)
        + ["NULL" if n not in read else special.get(n, f'reports."{n}"') for n in names]
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
        return unpack
    kind = FIELDS_BY_NAME[name].type
    if kind in (list, dict):
        loads: Any = json.loads
        with contextlib.suppress(ImportError):  # orjson is a dependency; json its fallback
            from orjson import loads
        return loads
    return bool if kind is bool else None


class Index:
    """An open index that matches its dataset file as it is now: the source
    (oigcli.sources.source.Source) that answers from SQLite."""

    def __init__(
        self, connection: sqlite3.Connection, path: Path, meta: dict[str, Any], use: int
    ) -> None:
        self.connection = connection
        self.path = path
        self._use = use
        """The shared lock held while the index is read (cache.shared): no prune removes
        an index in use."""
        self._contained: dict[str, str | None] = {}
        self.reports = int(meta["reports"])
        self.tokens = int(meta["tokens"])

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

    def unreadable(self) -> list[Unreadable]:
        return []  # only a valid dataset is indexed

    def close(self) -> None:
        self.connection.close()
        if self._use >= 0:
            use, self._use = self._use, -1
            os.close(use)

    @contextlib.contextmanager
    def _reading(self) -> Iterator[None]:
        """An index damaged after it was written whole (the checks on opening it passed),
        or made by someone else to look like one, is removed, and the query fails with a
        message that says so: never a traceback, and never an answer from it."""

        try:
            yield
        except (sqlite3.DatabaseError, ValueError, TypeError, KeyError, IndexError) as exc:
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

    def decides(self, need: Narrowing) -> frozenset[str]:
        """``--text`` (criteria key ``words``), when each of its words is one run of word
        characters that the vocabulary narrows by: a report then contains the word exactly
        when one of its words does, as written, which FTS5 looks up (_containing)."""
        if not need.texts:
            return frozenset()
        from oigcli.query.search import runs

        with self._reading():
            for text in need.texts:
                if runs(text) != [text] or self._containing(text) is None:
                    return frozenset()
        return frozenset({"words"})

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
        """Search's statistics, from FTS5's counts of the reports that hold each term."""
        with self._reading():
            return self.reports, self.tokens, [self._count(_match(t)) for t in terms]

    def rank(self, query: Query, need: Narrowing, offset: int, limit: int | None) -> Ranked | None:
        """Search answered by SQLite (Source.rank): FTS5 finds the matches and scores them
        with bm25(), the tiers come from ``heads``, and SQL orders them and keeps the page;
        only the page's reports are read, as they are asked for. None when SQL cannot
        decide every criterion."""
        clauses = list(need.criteria.clauses())
        if need.texts or need.numbers is not None or not all(exact for *_, exact in clauses):
            return None
        where = "".join(f" AND {clause}" for clause, _, _ in clauses)
        parameters: list[Any] = [value for _, values, _ in clauses for value in values]
        title = [_match(term, ("title",)) for term in query.terms]
        head = [_match(term, ("title", "summary")) for term in query.terms]
        inside = "(hits.place IN (SELECT rowid FROM heads WHERE heads MATCH ?))"
        from oigcli.query.search import WEIGHTS

        weights = ", ".join(str(w) for w in WEIGHTS * 2)
        sql = (  # bm25() only where FTS5 finds the rows: in a query of its own
            "WITH hits (place, score) AS MATERIALIZED"
            f" (SELECT rowid, -bm25(words, {weights}) FROM words WHERE words MATCH ?)"
            f" SELECT hits.place, score, {' + '.join([inside] * len(title))} AS tier,"
            f" {' + '.join([inside] * len(head))} AS headed, count(*) OVER () FROM hits"
            f" JOIN reports ON reports.place = hits.place{where.replace(' AND ', ' WHERE ', 1)}"
            " ORDER BY tier DESC, headed DESC, score DESC, reports.newest LIMIT ? OFFSET ?"
        )
        arguments = [_expression(query), *title, *head, *parameters]
        arguments += [-1 if limit is None else limit, offset]
        with self._reading():  # places and scores: a few bytes a match, whatever the limit
            found = self.connection.execute(sql, arguments).fetchall()
            matched = found[0][4] if found else self._matched(query, where, parameters)
        return Ranked(matched, self._paged([(place, score) for place, score, *_ in found]))

    def _matched(self, query: Query, where: str, parameters: list[Any]) -> int:
        """How many reports match, when the page is empty (past the last)."""
        sql = (
            "SELECT count(*) FROM words JOIN reports ON reports.place = words.rowid"
            f" WHERE words MATCH ?{where}"
        )
        (count,) = self.connection.execute(sql, [_expression(query), *parameters]).fetchone()
        return int(count)

    def _paged(self, found: list[tuple[int, float]]) -> Iterator[tuple[Report, float]]:
        """The reports at these places with their scores, in this order, read a hundred at
        a time as they are asked for."""
        for start in range(0, len(found), 100):
            chunk = found[start : start + 100]
            with self._reading():
                reports = self._places([place for place, _ in chunk])
            for place, score in chunk:
                yield reports[place], score

    def _places(self, places: Sequence[int]) -> dict[int, Report]:
        """The reports at these places, every field read."""
        marks = ", ".join("?" * len(places))
        names = FIELD_NAMES
        sql = f"{_select(names, names, 'reports.place')} WHERE reports.place IN ({marks})"
        rows = self.connection.execute(sql, places).fetchall()
        reports = self._reports((row[1:] for row in rows), names)
        return {row[0]: report for row, report in zip(rows, reports, strict=True)}

    def summarize(self, need: Narrowing, by: str) -> dict[str, Any] | None:
        """``stats`` counted by SQLite, when SQL decides every criterion of ``need`` exactly
        (fiscal years, components, tags, dates, redaction, non-concurrence, and ``--where``
        comparisons of numbers, booleans, dates and tags); None otherwise."""
        clauses = list(need.criteria.clauses())
        if need.texts or need.terms or need.numbers is not None:
            return None
        if not all(exact for _, _, exact in clauses):
            return None
        where = " AND ".join(clause for clause, _, _ in clauses)
        parameters = [value for _, values, _ in clauses for value in values]
        with self._reading():
            return self._summarize(by, where, parameters)

    def _summarize(self, by: str, where: str, parameters: list[Any]) -> dict[str, Any]:
        from oigcli.query.stats import GROUPINGS, assemble

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

    def _count(self, match: str) -> int:
        (count,) = self.connection.execute(
            "SELECT count(*) FROM words WHERE words MATCH ?", (match,)
        ).fetchone()
        return int(count)

    def _where(self, need: Narrowing) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        parameters: list[Any] = []
        if need.numbers is not None and len(need.numbers) <= MAX_NUMBERS:
            marks = ", ".join("?" * len(need.numbers))
            clauses.append(f"(number_key IN ({marks}) OR id_key IN ({marks}))")
            parameters.extend(sorted(need.numbers) * 2)
        matches = []
        found = [*map(_match, need.terms), *map(self._containing, need.texts)]
        for match in found:  # NOTHING: no report can; None: it cannot narrow
            if match is NOTHING:
                clauses.append("0")
            elif match is not None:
                matches.append(match)
        if matches:
            clauses.append("reports.place IN (SELECT rowid FROM words WHERE words MATCH ?)")
            parameters.append(" AND ".join(f"({m})" for m in matches))
        for clause, values, _ in need.criteria.clauses():
            clauses.append(clause)
            parameters.extend(values)
        return (" WHERE " + " AND ".join(clauses) if clauses else ""), parameters

    def _containing(self, text: str) -> str | None:
        """An FTS5 query that finds every report whose text contains ``text`` (and maybe
        more), or None when the text cannot narrow. Each part of it made of word
        characters lies inside one word of a report that contains it, so the report has
        one of the vocabulary's words that contain the part, as written (not a stem).
        Remembered: decides and _where both ask."""
        if text not in self._contained:
            self._contained[text] = self._look_up(text)
        return self._contained[text]

    def _look_up(self, text: str) -> str | None:
        from oigcli.query.search import runs

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
        written = " ".join(COLUMNS)
        return " AND ".join(f"{{{written}}} : ({a})" for a in alternatives)


NOTHING = ""
"""What ``_containing`` says of a text that no report contains."""


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _match(term: Term, columns: Sequence[str] = COLUMNS) -> str:
    """A search term as an FTS5 query, in ``columns`` of ``words`` (or of ``heads``): a
    stemmed word as its stem in their stemmed columns (one look-up); a phrase or a prefix
    as written, in the columns as written."""
    if term.stemmed:
        names = " ".join(f"{name}_stem" for name in columns)
        return f"{{{names}}} : {_quoted(term.stem)}"
    phrase = _quoted(" ".join(term.words)) + (" *" if term.prefix else "")
    return f"{{{' '.join(columns)}}} : {phrase}"


def _expression(query: Query) -> str:
    """The FTS5 query of a search: its phrases in the order Query.phrases has them (FTS5's
    bm25() adds them up in that order), the -words after NOT."""
    terms = [_match(t) for t in query.terms]
    required = range(len(terms)) if query.required is None else query.required
    parts = [terms[i] for i in required]
    parts += ["(" + " OR ".join(terms[i] for i in group) + ")" for group in query.alternatives]
    found = "(" + " AND ".join(parts) + ")"
    if query.excluded:
        found += " NOT (" + " OR ".join(_match(t) for t in query.excluded) + ")"
    return found


def open_index(
    path: str | Location,
    cache: Path,
    updated: Identity | None = None,
    looked: Look | None = None,
) -> Index | None:
    """The index of the dataset file at ``path`` when there is one that matches the file
    as it is now; None otherwise. An index that cannot be read is deleted; anything at its
    place that is not a regular file of ours is never opened. ``updated``: the folder's
    identity an update (builder.refresh) just found and gave the index, which need not
    be looked for again; ``looked`` gets what was found of each entry of a folder the
    index lists (an update that follows need not look at them again)."""

    path = Location.of(path)
    if not worth_indexing(path):
        return None
    where = index_file(real_path(path), cache)
    if not regular(where):  # the usual miss (no need to fingerprint the file), or not ours
        return None
    folder = path.kind == "folder"
    identity = None if folder else identify(path)
    if identity is None and not folder:
        return None
    use = shared(where.with_suffix(".lock"))
    if use is None:  # a prune is removing it, or an update writing it: read the dataset
        return None
    if os.path.lexists(f"{where}-journal"):  # an update cut short: undone by the next
        os.close(use)
        return None
    try:
        connection = read_only(where)
    except sqlite3.Error:
        os.close(use)
        return None
    try:
        (pages,) = connection.execute("PRAGMA page_count").fetchone()
        (page_size,) = connection.execute("PRAGMA page_size").fetchone()
        if pages * page_size != where.stat().st_size:  # cut short, or grown: not ours
            raise ValueError("an index of the wrong size")
        meta = _meta(connection)
        if folder and updated is not None:
            identity = updated
        elif folder:  # the folder's files and folders, as the index lists them, looked at
            real = os.path.realpath(str(path.path))
            identity = tree_identity(real, _listing(meta), meta["tree"], looked=looked)
        if (
            identity is None
            or meta["format"] != FORMAT
            or meta["identity"] != identity_text(identity)
        ):
            connection.close()
            os.close(use)
            return None
        opened = Index(connection, where, meta, use)
    except (sqlite3.Error, KeyError, ValueError, TypeError, OverflowError):
        connection.close()
        os.close(use)
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
        "tokens": int,
    }
    for key, kind in expected.items():
        if not isinstance(meta.get(key), kind) or isinstance(meta.get(key), bool):
            raise ValueError(f"meta {key} is not of its type")
    if meta["reports"] < 0 or meta["tokens"] < 0:
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
