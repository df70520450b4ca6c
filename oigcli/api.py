"""The Python API: the reports of one dataset, asked as the command line asks them.

    import oigcli
    with oigcli.open() as reports:               # or open("reports.json"), open("-")
        reports.filter(component="CBP", fy="2021", where=["recommendations>=5"])
        reports.get("21-27")                     # NotFound (with suggestions) if absent
        reports.search("canine", limit=3)        # with score and snippet added
        reports.stats(by="component")            # the same dict as `stats --json`

Keyword names are the command-line options' long names with ``_`` for ``-``; values are
what those options take (text, or a number, a date, a list where an option repeats).
Reports are plain dicts, equal to what ``--json`` prints. Errors are the CLI's: NotFound,
UsageError, DatasetError (oigcli.errors). The CLI's commands call these same methods (the
``select``, ``rank``, ``summarize`` and ``locate`` forms, which also return what a
person is told on stderr), so the two cannot disagree.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, TextIO

from oigcli.errors import NotFound, UsageError
from oigcli.schema import FIELD_NAMES, FIELDS, Report

if TYPE_CHECKING:
    from types import TracebackType

    from oigcli.query import Criteria, Narrowing, Pick

SORTABLE = tuple(f.name for f in FIELDS if f.type is not list)
SEARCH_FIELDS = (*FIELD_NAMES, "score", "snippet")


class Shape(NamedTuple):
    """How a list of rows comes back: order, slice, and fields."""

    sort: tuple[str, ...] = ()
    """Sort keys: field names, ``-`` first for descending (``--sort``)."""
    limit: int | None = None
    offset: int = 0
    fields: str | None = None
    """``a,b,c`` (``--fields``), checked against the fields of the command."""


NO_SHAPE = Shape()


class Selection(NamedTuple):
    """What a listing query found: the page of rows, and what a person is told of it."""

    rows: list[Report]
    chosen: list[str] | None
    """The fields --fields chose (None: not chosen)."""
    matched: int
    """How many rows there were before --offset and --limit."""
    shape: Shape
    notes: list[str]
    """Notes for a person: a component or tag asked for that no report has."""


class Reports:
    """The reports of the dataset at ``path``: None for the bundled dataset, ``-`` for
    standard input (read by the first query; it cannot be read twice), else a JSON or
    JSON Lines file or an inspectors-general scraper folder. A large file is answered
    from its index in the cache (``cache=False``: never); see oigcli.source."""

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        stdin: TextIO | None = None,
        cache: bool = True,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.path = None if path is None else os.fspath(path)
        if self.path == "":
            raise UsageError("the dataset's path is empty; give a file or folder, or -")
        self._stdin = stdin
        self._wants_cache = cache
        self._environ = os.environ if environ is None else environ
        self._read_stdin = False
        self._folder: tuple[Path | None, str | None] | None = None

    # --- the dataset ----------------------------------------------------------------------

    def cache_folder(self) -> tuple[Path | None, str | None]:
        """The cache folder this dataset's index is kept in, or why there is none (None
        and no reason for the bundled data, stdin, small files and cache=False). Looked
        for once (it walks the folders above it), then remembered."""
        if self._folder is None:
            if not self._wants_cache or self.path in (None, "-"):
                self._folder = (None, None)  # (oigcli.cache is not imported: start-up)
            else:
                from oigcli.source import cache_for

                found = cache_for(self.path, self._environ, True)
                self._folder = (found.path, found.reason)
        return self._folder

    def _load(self, pick: Pick | None = None, narrowing: Narrowing | None = None) -> list[Report]:
        from oigcli import source

        stdin = self._stdin
        if self.path == "-":
            if self._read_stdin:
                raise UsageError(
                    "standard input was read by an earlier query and cannot be read again; "
                    "save it to a file and open that to ask it several questions"
                )
            self._read_stdin = True
            if stdin is None:
                import sys

                stdin = sys.stdin
        return source.load(self.path, stdin, pick, narrowing, self.cache_folder()[0])

    # --- what the CLI's commands ask ----------------------------------------------------

    def select(self, criteria: Criteria | None = None, shape: Shape = NO_SHAPE) -> Selection:
        """The reports that match ``criteria`` (every one when None), newest first unless
        ``shape`` sorts them, then offset, limit and fields (``list``, ``filter``)."""
        from oigcli import query

        narrowing = criteria.narrowing() if criteria is not None else None
        matches = None if criteria is None or criteria.empty else criteria.matches
        if shape.limit is not None and not shape.sort:  # keep only the page's newest
            if shape.fields is not None:
                query.parse_fields(shape.fields, FIELD_NAMES)  # a bad name before the reading
            newest = query.Newest(shape.offset + shape.limit)

            def keep(report: Report) -> None:
                if matches is None or matches(report):
                    newest.add(report)

            self._load(keep, narrowing)
            rows, matched = newest.reports(), newest.seen
        else:
            pick = None if criteria is None or criteria.empty else criteria.pick
            rows = query.newest_first(self._load(pick, narrowing))
            matched = None
        notes = criteria.unknown_values(narrowing) if criteria and narrowing else []
        return _shaped(rows, shape, FIELD_NAMES, SORTABLE, notes, matched)

    def rank(self, terms: str, criteria: Criteria, shape: Shape = NO_SHAPE) -> Selection:
        """The reports that contain ``terms`` and match ``criteria``, best first (BM25F;
        ties newest first) unless ``shape`` sorts them, each with its ``score`` and, for
        the rows of the page, a ``snippet`` (``search``)."""
        from oigcli import query
        from oigcli import search as engine

        parsed = engine.parse_query(terms)
        ranking = engine.Ranking(parsed, keep=criteria.matches)
        # every report counts towards the statistics; only matches are kept
        narrowing = criteria.narrowing(terms=parsed.terms, statistics=ranking.preset)
        self._load(ranking.pick, narrowing)
        hits = ranking.hits()
        newest = {id(r): i for i, r in enumerate(query.newest_first(h.report for h in hits))}
        hits.sort(key=lambda h: (-h.score, newest[id(h.report)]))  # ties: newest first
        rows = [{**hit.report, "score": round(hit.score, 4)} for hit in hits]
        sortable = (*SORTABLE, "score")
        notes = criteria.unknown_values(narrowing)
        selection = _shaped(rows, shape, SEARCH_FIELDS, sortable, notes)
        pattern = parsed.pattern()
        for row in selection.rows:  # snippets for the rows shown only: they cost more
            row["snippet"] = engine.snippet(row, pattern)
        return selection

    def summarize(
        self, criteria: Criteria, by: str = "fiscal_year"
    ) -> tuple[dict[str, Any], list[str]]:
        """The ``stats --json`` object of the reports that match, and the notes."""
        from oigcli.stats import Tally, grouping

        by = grouping(by)
        if criteria.years_only:  # which an index counts by itself
            import contextlib

            from oigcli import source

            index = source.open_index(self.path, self.cache_folder()[0])
            if index is not None:
                with contextlib.closing(index):
                    return index.summarize(by, criteria.years), []
        tally = Tally(by)  # counted as read: no report is kept

        def count(report: Report) -> None:
            if criteria.matches(report):
                tally.add(report)

        narrowing = criteria.narrowing(summaries=criteria.reads_summary)
        self._load(tally.add if criteria.empty else count, narrowing)
        return tally.summary(), criteria.unknown_values(narrowing)

    def locate(self, numbers: Sequence[str]) -> tuple[list[Report], str | None]:
        """The reports with these numbers, in the order asked, and a message naming each
        number that is in no report, with the closest numbers (``show``)."""
        from oigcli import query

        known: list[str] = []  # every number in the dataset, for suggestions
        narrowing = query.Narrowing(numbers=query.number_forms(numbers), every_number=known)
        found = self._load(query.asked_for(numbers), narrowing)
        return query.locate(found, numbers, known)

    # --- the Python API -------------------------------------------------------------------

    def filter(
        self,
        *,
        sort: str | Iterable[str] | None = None,
        limit: int | None = None,
        offset: int = 0,
        fields: str | Iterable[str] | None = None,
        **criteria: Any,
    ) -> Iterator[Report]:
        """The reports that match every criterion given, newest first: ``component``,
        ``fy``, ``tag``, ``text``, ``since``, ``until``, ``where``, ``redacted``,
        ``not_redacted``, ``nonconcurred``, as ``oigcli filter`` takes them."""
        chosen = self.select(_criteria(criteria), _shape(sort, limit, offset, fields))
        return iter(_project(chosen, FIELD_NAMES))

    def search(
        self,
        query: str,
        *,
        sort: str | Iterable[str] | None = None,
        limit: int | None = None,
        offset: int = 0,
        fields: str | Iterable[str] | None = None,
        **criteria: Any,
    ) -> Iterator[Report]:
        """The reports that contain ``query``'s words and phrases, best first, each with
        ``score`` and ``snippet`` added; the criteria of ``filter`` narrow them."""
        ranked = self.rank(query, _criteria(criteria), _shape(sort, limit, offset, fields))
        return iter(_project(ranked, SEARCH_FIELDS))

    def get(self, number: str) -> Report:
        """The report with this number (``OIG-21-27``, ``oig-21-27`` and ``21-27`` alike);
        NotFound, naming the closest numbers, when there is none."""
        found, missing = self.locate([number])
        if missing:
            raise NotFound(missing)
        return found[0]

    def stats(self, by: str = "fiscal_year", **criteria: Any) -> dict[str, Any]:
        """Totals and per-group counts, the same dict as ``oigcli stats --json``."""
        return self.summarize(_criteria(criteria), by)[0]

    def values(self, field: str) -> list[str]:
        """The distinct values of a text field in the dataset (``tags``: every tag)."""
        if field not in FIELD_NAMES or field == "summary":
            raise UsageError(f"{field!r} has no list of values; try component or tags")
        seen: dict[str, None] = {}

        def keep(report: Report) -> None:
            value = report[field]
            for item in value if isinstance(value, list) else [value]:
                if item is not None:
                    seen.setdefault(str(item))

        from oigcli.query import Narrowing

        self._load(keep, Narrowing(summaries=False))
        return list(seen)

    def close(self) -> None:
        """Nothing is held open between queries (each opens the index it uses)."""

    def __enter__(self) -> Reports:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def open(path: str | os.PathLike[str] | None = None, *, cache: bool = True) -> Reports:
    """The reports of the dataset at ``path`` (None: the bundled one; ``-``: stdin)."""
    return Reports(path, cache=cache)


# --- helpers ------------------------------------------------------------------------------


def _shaped(
    rows: list[Report],
    shape: Shape,
    fields: Sequence[str],
    sortable: Sequence[str],
    notes: list[str],
    matched: int | None = None,
) -> Selection:
    """Sort, slice and choose fields as ``shape`` says. ``matched``: how many rows matched,
    when ``rows`` holds only the first of them (query.Newest)."""
    from oigcli import query

    if shape.sort:
        rows = query.sort_rows(rows, query.parse_sort(shape.sort, sortable))
    page = query.page(rows, shape.offset, shape.limit)
    chosen = None if shape.fields is None else query.parse_fields(shape.fields, fields)
    return Selection(page, chosen, len(rows) if matched is None else matched, shape, notes)


def _criteria(values: dict[str, Any]) -> Criteria:
    from oigcli.query import Criteria

    try:
        return Criteria.from_options(**values)
    except TypeError as exc:  # a keyword that is no option
        raise UsageError(f"{exc}; the criteria are filter's options") from None


def _shape(
    sort: str | Iterable[str] | None,
    limit: int | None,
    offset: int,
    fields: str | Iterable[str] | None,
) -> Shape:
    if (limit is not None and limit < 0) or offset < 0:
        raise UsageError("limit and offset cannot be negative")
    sorts = (sort,) if isinstance(sort, str) else tuple(sort or ())
    chosen = fields if fields is None or isinstance(fields, str) else ",".join(fields)
    return Shape(sorts, limit, offset, chosen)


def _project(selection: Selection, every: Sequence[str]) -> list[Report]:
    names = selection.chosen or every
    return [{name: row[name] for name in names} for row in selection.rows]
