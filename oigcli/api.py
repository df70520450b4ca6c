"""The Python API: the reports of one dataset, asked as the command line asks them.

    import oigcli
    with oigcli.open() as reports:               # or open("reports.json"), open("-")
        reports.filter(component="CBP", fy="2021", where=["recommendations>=5"])
        reports.get("21-27")                     # by number or id ("dhs/OIG-21-27")
        reports.search("canine", limit=3)        # with score and snippet added
        reports.stats(by="component")            # the same dict as `stats --json`

Keyword names are the command-line options' long names with ``_`` for ``-``; values are
what those options take (text, or a number, a date, a list where an option repeats).
Reports are plain dicts, equal to what ``--json`` prints. Errors are the CLI's: NotFound,
UsageError, DatasetError (oigcli.model.errors). The CLI's commands call these same methods (the
``select``, ``rank``, ``summarize`` and ``locate`` forms, which also return what a
person is told on stderr), so the two cannot disagree.
"""

from __future__ import annotations

import collections
import contextlib
import os
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, TextIO

from oigcli.model.errors import NotFound, UsageError
from oigcli.model.location import Location
from oigcli.model.schema import FIELD_NAMES, FIELDS, SHOWN_NAMES, TEXT, Report
from oigcli.model.text import did_you_mean, natural_key, usable_path
from oigcli.query.criteria import OPTIONS, UNKNOWN_VALUE, Criteria, Narrowing

if TYPE_CHECKING:
    from types import TracebackType

    from oigcli.model.schema import Unreadable
    from oigcli.query.compare import Difference
    from oigcli.query.recommend import Listing
    from oigcli.query.search import Finder, Hit
    from oigcli.sources.protocol import Source

SORTABLE = tuple(f.name for f in FIELDS if f.scalar)
SEARCH_FIELDS = (*FIELD_NAMES, "score", "snippet")
SEARCH_SHOWN = (*SHOWN_NAMES, "score", "snippet")
"""What a search row is printed with unless --fields chooses."""


class Shape(NamedTuple):
    """How a list of rows comes back: order, slice, and fields."""

    sort: tuple[str, ...] = ()
    """Sort keys: field names, ``-`` first for descending (``--sort``)."""
    limit: int | None = None
    offset: int = 0
    fields: str | None = None
    """``a,b,c`` (``--fields``), checked against the fields of the command."""


NO_SHAPE = Shape()


class Page:
    """The rows of a page, pulled from the source as they are written (an index streams
    them from SQL; a file has been read and checked whole before the first). The source is
    closed once they have all been read, or by ``close``."""

    def __init__(
        self,
        stream: Iterator[Report],
        offset: int,
        source: Source | None = None,
        matched: int | None = None,
    ) -> None:
        self._stream = stream
        self._offset = offset
        self._source = source
        self._matched = matched
        self._given = 0

    @property
    def matched(self) -> int:
        """How many reports matched, before offset and limit: known from the start, or
        counted as the rows are read (all of them once an empty page has been read)."""
        return self._given if self._matched is None else self._matched

    def __iter__(self) -> Iterator[Report]:
        try:
            for row in self._stream:
                self._given += 1
                if self._given > self._offset:
                    yield row
        finally:
            self.close()

    def close(self) -> None:
        if self._source is not None:
            source, self._source = self._source, None
            source.close()


class Selection(NamedTuple):
    """What a listing query found: the page of rows, and what a person is told of it."""

    rows: Page
    """The page's rows, read once, as they come."""
    chosen: list[str] | None
    """The fields --fields chose (None: not chosen)."""
    shape: Shape
    notes: list[str]
    """Notes for a person: a component or tag asked for that no report has."""
    unreadable: Sequence[Unreadable] = ()
    """The records --skip-invalid left out (known once an ordered read has begun)."""

    @property
    def matched(self) -> int:
        """How many rows matched before --offset and --limit (once the rows are read,
        when the page is empty: what a person is told then)."""
        return self.rows.matched


class Reports:
    """The reports of the dataset at ``path``: None for the bundled dataset, ``-`` for
    standard input (read by the first query; it cannot be read twice), else a JSON or
    JSON Lines file or an inspectors-general scraper folder. A large file is answered
    from its index in the cache (``cache=False``: never); see oigcli.sources.source."""

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        stdin: TextIO | None = None,
        cache: bool = True,
        environ: Mapping[str, str] | None = None,
        skip_invalid: bool = False,
    ) -> None:
        self.path = None if path is None else os.fspath(path)
        self.skip_invalid = skip_invalid
        if self.path == "":
            raise UsageError("the dataset's path is empty; give a file or folder, or -")
        if self.path is not None:
            usable_path(self.path, "the dataset's path")
        self.location = Location.of(self.path)
        """What the path is (bundled, stdin, a file, a folder, a zip): classified once,
        here; every query of these reports reads that."""
        self._stdin = stdin
        self._wants_cache = cache
        self._environ = os.environ if environ is None else environ
        self._read_stdin = False
        self._folder: tuple[Path | None, str | None] | None = None
        self.answered: str | None = None
        """What the last query was answered from, for --verbose (None: nothing to say)."""
        self._open_pages: list[Page] = []

    # --- the dataset ----------------------------------------------------------------------

    def cache_folder(self) -> tuple[Path | None, str | None]:
        """The cache folder this dataset's index is kept in, or why there is none (None
        and no reason for the bundled data, stdin, small files and cache=False). Looked
        for once (it walks the folders above it), then remembered."""
        if self._folder is None:
            if not self._wants_cache or not self.location.stored:
                self._folder = (None, None)  # (oigcli.sources.cache is not imported: start-up)
            else:
                from oigcli.sources.source import cache_for

                found = cache_for(self.location, self._environ, True)
                self._folder = (found.path, found.reason)
        return self._folder

    def index(self) -> str | None:
        """Build this dataset's index now, in the cache, waiting for it (what ``oigcli
        index`` does; a query would start it in the background). None when it has one; a
        note for a person when it needs none (a small file). Raises UsageError for the
        bundled data or stdin or with cache=False, OutputError when the cache cannot be
        used, DatasetError when the dataset cannot be indexed."""
        if not self.location.stored or not self._wants_cache:
            raise UsageError("only a dataset file, zip or folder is indexed, with the cache on")
        from oigcli.sources.source import index_now

        return index_now(self.location, self._environ)

    def source(self) -> Source:
        """The dataset's source for one query (oigcli.sources.source.open chooses it): its index
        when one matches the file as it is now, else the data. The caller closes it."""
        from oigcli.sources import source

        stdin = self._stdin
        if self.location.kind == "stdin":
            if self._read_stdin:
                raise UsageError(
                    "standard input was read by an earlier query and cannot be read again; "
                    "save it to a file and open that to ask it several questions"
                )
            self._read_stdin = True
            if stdin is None:
                stdin = sys.stdin
        opened = source.open(self.location, stdin, self.cache_folder()[0], self.skip_invalid)
        self.answered = source.describe(opened, self.cache_folder()[0])
        return opened

    # --- what the CLI's commands ask ----------------------------------------------------

    def select(self, criteria: Criteria | None = None, shape: Shape = NO_SHAPE) -> Selection:
        """The reports that match ``criteria`` (every one when None), newest first unless
        ``shape`` sorts them, then offset, limit and fields (``list``, ``filter``). The
        rows come as the source gives them: read them before the next query."""
        from oigcli.query import rows as query

        criteria = criteria or Criteria()
        chosen = None if shape.fields is None else query.parse_fields(shape.fields, FIELD_NAMES)
        keys = query.parse_sort(shape.sort, SORTABLE) if shape.sort else None
        shown = [*(chosen or ()), *(k for k, _ in keys or ())]
        need = criteria.narrowing(full_text=criteria.reads_text or TEXT in shown)
        source = self.source()
        matched = None
        try:
            decided = source.decides(need)  # by the source itself: the query need not test
            keep = criteria.test(decided)
            reads = None  # every field: criteria read them
            if keep is None and chosen is not None:
                reads = tuple(dict.fromkeys([*chosen, *(k for k, _ in keys or ())]))
            read_text = TEXT in shown or (criteria.reads_text and "words" not in decided)
            need = need.replace(fields=reads, full_text=read_text, text_shown=TEXT in shown)
            if shape.limit == 0:  # none shown; how many match, for the note
                matched = sum(1 for _ in source.rows(need, keep))
                stream: Iterator[Report] = iter(())
            elif keys is None:  # the default order: a source gives only what the page needs
                stop = None if shape.limit is None else shape.offset + shape.limit
                stream = source.rows(need, keep, ordered=True, stop=stop)
            else:
                ordered = query.sort_rows(source.rows(need, keep, ordered=True), keys)
                end = None if shape.limit is None else shape.offset + shape.limit
                stream = iter(ordered[:end])
                matched = len(ordered)
            notes = _notes(source, criteria)
        except BaseException:
            source.close()
            raise
        page = Page(stream, shape.offset, source, matched)
        return Selection(page, chosen, shape, notes, source.unreadable())

    def rank(self, terms: str, criteria: Criteria, shape: Shape = NO_SHAPE) -> Selection:
        """The reports that contain ``terms`` and match ``criteria``, best first (title
        matches, then summary matches, then BM25; ties newest first) unless ``shape``
        sorts them, each with its ``score`` and, for the rows of the page, a ``snippet``
        (``search``)."""
        from oigcli.query import rows as query
        from oigcli.query import search as engine

        parsed = engine.parse_query(terms)
        chosen = None if shape.fields is None else query.parse_fields(shape.fields, SEARCH_FIELDS)
        keep_text = TEXT in (chosen or ()) or any(TEXT in s for s in shape.sort)
        need = criteria.narrowing(terms=parsed.needed, full_text=True)  # an OR'd term may be absent
        pattern = parsed.pattern()
        source = self.source()
        try:
            ranked = None if shape.sort else source.rank(parsed, need, shape.offset, shape.limit)
            if ranked is not None:  # SQL ranked them and keeps the page: streamed from it
                from_sql = ((report, score, None) for report, score in ranked.rows)
                stream = _search_rows(from_sql, pattern, keep_text)
                page = Page(stream, 0, source, matched=ranked.matched)
                return Selection(page, chosen, shape, _notes(source, criteria))
        except BaseException:
            source.close()
            raise
        with contextlib.closing(source):
            ranking = engine.Ranking(parsed, keep=criteria.test(), keep_text=keep_text)
            # every report counts towards the statistics; only matches are kept
            statistics = source.statistics(parsed.terms)
            if statistics is not None:
                ranking.preset(*statistics)
            else:  # the query counts: every report, not only the candidates
                need = need.replace(terms=())
            for report in source.rows(need):  # all of them, or those with every term
                ranking.pick(report)
            notes = _notes(source, criteria)
        hits = ranking.hits()  # in search's order, each report still packed
        matched = len(hits)
        if shape.sort:  # every row, to sort them
            rows = [{**hit.report, "score": _score(hit.score)} for hit in hits]
            excerpts = {id(row): hit.excerpt for row, hit in zip(rows, hits, strict=True)}
            rows = query.sort_rows(rows, query.parse_sort(shape.sort, (*SORTABLE, "score")))
            rows = query.page(rows, shape.offset, shape.limit)
            stream = _search_rows(((r, r["score"], excerpts[id(r)]) for r in rows), pattern)
        else:  # the page's reports unpacked one at a time, as they are written
            end = None if shape.limit is None else shape.offset + shape.limit
            found = ((h.report, h.score, h.excerpt) for h in _let_go(hits[shape.offset : end]))
            stream = _search_rows(found, pattern)
        return Selection(Page(stream, 0, matched=matched), chosen, shape, notes)

    def summarize(
        self, criteria: Criteria, by: str = "fiscal_year"
    ) -> tuple[dict[str, Any], list[str]]:
        """The ``stats --json`` object of the reports that match, and the notes."""
        from oigcli.query.stats import Tally, grouping

        by = grouping(by)
        need = criteria.narrowing(summaries=criteria.reads_summary)
        with contextlib.closing(self.source()) as source:
            summary = source.summarize(need, by)  # a source that can count by itself
            if summary is None:
                tally = Tally(by)  # counted as read: no report is kept
                for report in source.rows(need, criteria.test()):
                    tally.add(report)
                summary = tally.summary()
            notes = _notes(source, criteria)
        return summary, notes

    def locate(
        self, numbers: Sequence[str], texts: bool = False
    ) -> tuple[list[Report], str | None, list[str]]:
        """The reports with these ids or numbers, in the order asked (``texts``: with their
        full texts), a message naming each that is in no report, with the closest numbers,
        and the notes (``show``). A number that several reports have is a UsageError."""
        from oigcli.query import rows as query

        wanted = query.number_forms(numbers)
        need = Narrowing(numbers=wanted, full_text=texts)
        with contextlib.closing(self.source()) as source:
            found = list(source.rows(need, query.is_asked(wanted)))
            located, missing = query.locate(found, numbers, [])
            if missing:  # only then: every number (and id, when one was asked), to suggest
                ids = source.values("id") if any("/" in n for n in numbers) else []
                located, missing = query.locate(found, numbers, [*source.numbers(), *ids])
            notes = source.notes()
        return located, missing, notes

    def recommend(self, criteria: Criteria | None = None) -> tuple[Listing, list[str]]:
        """The recommendations the reports ``criteria`` select number in their texts, a row
        each, newest report first (oigcli.model.recommend), and the notes of the query
        (``recommendations``); the listing's own notes are known once it has been read."""
        from oigcli.query.recommend import Listing

        criteria = criteria or Criteria()
        need = criteria.narrowing(full_text=True)
        source = self.source()
        try:  # in the source's own order: each text is let go once read (rows are sorted)
            keep = criteria.test(source.decides(need))
            stream = source.rows(need.replace(full_text=True, text_shown=True), keep)
            notes = _notes(source, criteria)
        except BaseException:
            source.close()
            raise
        return Listing(Page(stream, 0, source)), notes

    def difference(
        self, other: Reports, criteria: Criteria | None = None
    ) -> tuple[Difference, list[str]]:
        """What changed from these reports to ``other``'s, matching reports by id (then
        by inspector, number and fiscal year, across the id forms of the bundled file and
        the archive): those added, removed, and changed field by field, of the reports
        ``criteria`` select on each side; and the notes of both (``diff``)."""
        from oigcli.query.compare import compare

        old = self.select(criteria)
        new = other.select(criteria)
        found = compare(old.rows, new.rows, unreadable=(old.unreadable, new.unreadable))
        notes = [  # a value asked for is noted only when neither side has it
            note
            for note in dict.fromkeys([*old.notes, *new.notes])
            if not note.startswith(UNKNOWN_VALUE) or (note in old.notes and note in new.notes)
        ]
        return found, [*notes, *found.doubts]

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
        ``inspector``, ``fy``, ``tag``, ``text``, ``since``, ``until``, ``where``, ``redacted``,
        ``not_redacted``, ``nonconcurred``, as ``oigcli filter`` takes them."""
        keywords = ("sort", "limit", "offset", "fields")
        chosen = self.select(
            _criteria(criteria, "filter", keywords), _shape(sort, limit, offset, fields)
        )
        return _project(chosen, SHOWN_NAMES)

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
        keywords = ("query", "sort", "limit", "offset", "fields")
        ranked = self.rank(
            query, _criteria(criteria, "search", keywords), _shape(sort, limit, offset, fields)
        )
        return _project(ranked, SEARCH_SHOWN)

    def recommendations(self, **criteria: Any) -> Iterator[dict[str, Any]]:
        """The recommendations the selected reports number in their texts, a row each
        (``id``, ``report_number``, ``number``, ``text``, ``response``, ``response_text``),
        as ``oigcli recommendations --json`` prints them; the criteria of ``filter``."""
        listing, _ = self.recommend(_criteria(criteria, "recommendations"))
        return iter(listing)

    def get(self, number: str) -> Report:
        """The report with this id (``dhs/OIG-21-27``) or number (``OIG-21-27``,
        ``oig-21-27`` and ``21-27`` alike); NotFound, naming the closest numbers, when there
        is none; UsageError, listing their ids, when several reports have the number."""
        found, missing, _ = self.locate([number])
        if missing:
            raise NotFound(
                f"{missing}\nReports.filter() gives every report, with its number and id."
            )
        return {name: found[0][name] for name in SHOWN_NAMES}  # as `show --json` prints it

    def stats(self, by: str = "fiscal_year", **criteria: Any) -> dict[str, Any]:
        """Totals and per-group counts, the same dict as ``oigcli stats --json``."""
        return self.summarize(_criteria(criteria, "stats", ("by",)), by)[0]

    def diff(self, other: Reports | str | os.PathLike[str], **criteria: Any) -> dict[str, Any]:
        """What changed from these reports to ``other``'s (a Reports, or a path), matched
        by id, of those the criteria of ``filter`` select: the dict ``oigcli diff --json``
        prints, ``{"added": [...], "removed": [...], "changed": [...]}``."""
        if not isinstance(other, Reports):
            other = Reports(other, cache=self._wants_cache, skip_invalid=self.skip_invalid)
        return self.difference(other, _criteria(criteria, "diff", ("other",)))[0].as_dict()

    def values(self, field: str) -> list[str]:
        """The distinct values of a field in the dataset as text, in natural order
        (``tags``: every tag); not of the summary."""
        if field not in FIELD_NAMES or field in ("summary", TEXT):
            raise UsageError(f"{field!r} has no list of values; try components or tags")

        with contextlib.closing(self.source()) as source:
            return sorted(set(source.values(field)), key=lambda v: (natural_key(v), v))

    def close(self) -> None:
        """Nothing is held open between queries (each opens the source it asks; the rows
        of a listing hold theirs until they have been read)."""

    def __enter__(self) -> Reports:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def open(
    path: str | os.PathLike[str] | None = None, *, cache: bool = True, skip_invalid: bool = False
) -> Reports:
    """The reports of the dataset at ``path`` (None: the bundled one; ``-``: stdin).
    ``skip_invalid``: leave out the records with problems instead of raising DatasetError
    (``oigcli validate`` lists them)."""
    return Reports(path, cache=cache, skip_invalid=skip_invalid)


# --- helpers ------------------------------------------------------------------------------


def _search_rows(
    found: Iterable[tuple[Report, float, str | None]],
    pattern: Finder,
    keep_text: bool = True,
) -> Iterator[Report]:
    """Search's rows as they are written: each report with its score and its snippet
    (from ``excerpt``, the text around the first match, when the text is not kept; made
    for the rows shown only: they cost more), its text dropped unless ``keep_text``."""
    from oigcli.query.search import snippet

    for report, score, excerpt in found:
        row = {**report, "score": _score(score)}
        row["snippet"] = snippet(row, pattern, excerpt)
        if not keep_text:
            row[TEXT] = None
        yield row


def _let_go(hits: list[Hit]) -> Iterator[Hit]:
    """The hits in order, each let go once given (a search of every match never holds
    them all unpacked)."""
    waiting = collections.deque(hits)
    del hits
    while waiting:
        yield waiting.popleft()


def _score(score: float) -> float:
    """A score as printed: six significant digits (a common word's are millionths)."""
    return float(f"{score:.6g}")


def _notes(source: Source, criteria: Criteria) -> list[str]:
    """What a person is told of a query: the records --skip-invalid left out, and each
    component or tag asked for that no report has."""
    named = criteria.unknown_values(source.values) if criteria.named else []
    return [*source.notes(), *named]


CRITERIA_KEYWORDS: tuple[str, ...] = tuple(OPTIONS)
"""The keywords of the criteria, as filter, search, stats and diff take them."""


def _criteria(values: dict[str, Any], method: str = "", own: Sequence[str] = ()) -> Criteria:
    """The criteria of a call's keywords; a keyword that is neither one of ``method``'s
    own (``own``) nor a criterion is a UsageError that names the method, not this."""
    for name in values:
        if name not in CRITERIA_KEYWORDS:
            every = [*own, *CRITERIA_KEYWORDS]
            raise UsageError(
                f"Reports.{method}() has no keyword {name!r}.{did_you_mean(name, every)} "
                f"Its keywords: {', '.join(own) + '; ' if own else ''}the criteria: "
                f"{', '.join(CRITERIA_KEYWORDS)}."
            )
    return Criteria.from_options(**values)


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


def _project(selection: Selection, every: Sequence[str]) -> Iterator[Report]:
    names = selection.chosen or every
    for row in selection.rows:
        yield {name: row[name] for name in names}
