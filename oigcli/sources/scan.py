"""The source that reads the data itself (oigcli.sources.source): a JSON or JSON Lines file,
standard input, a scraper's folder, or the bundled dataset.

Each question is one pass over the data, in which every report is checked (a dataset with a
problem is a DatasetError). A pass keeps only what its question needs: nothing when the
query counts or ranks the reports as they come; the reports the query's test keeps, or with
``stop`` the newest ``stop`` of them (query.Newest), for a listing, which is read whole
before its first row is given. Never the whole dataset when less will do. It notes, as it
goes, every report's number and the distinct components and tags, so that the questions a
query asks after its rows (suggestions, notes on a value no report has) need no second
pass, which standard input could not give.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TextIO

from oigcli.load import dataset
from oigcli.model.errors import DatasetError
from oigcli.model.location import Location
from oigcli.model.schema import TEXT
from oigcli.query.criteria import NOTED
from oigcli.query.rows import Newest, newness, packed, unpacked

if TYPE_CHECKING:
    from oigcli.model.schema import Report, Unreadable
    from oigcli.query.criteria import Narrowing
    from oigcli.query.search import Query, Term
    from oigcli.sources.protocol import Keep, Ranked, Statistics


class Scan:
    """The dataset at ``path`` (None: bundled; ``-``: ``stdin``), read for each question.
    ``after_read`` is called once, after the first pass that read a valid dataset whole,
    with the number of reports it holds.
    ``skip_invalid``: the records with problems are left out (and ``notes`` says so)
    instead of a DatasetError."""

    def __init__(
        self,
        path: str | Location | None,
        stdin: TextIO | None = None,
        after_read: Callable[[int], None] | None = None,
        skip_invalid: bool = False,
    ) -> None:
        self.location = Location.of(path)
        self.path = self.location.path
        self.stdin = stdin
        self._after_read = after_read
        self._skip_invalid = skip_invalid
        self._notes: list[str] = []
        self._unreadable: list[Unreadable] = []
        self._numbers: list[str] | None = None
        self._values: dict[str, set[str]] = {}

    def _stream(
        self, keep: Keep | None, texts: bool = False, drop_texts: bool = False
    ) -> Iterator[Report]:
        """One pass: the reports ``keep`` keeps, as they are read and checked (``texts``:
        with a scraper's report.txt files read; ``drop_texts``: each dropped once ``keep``
        has seen it); then a DatasetError when the dataset turned out to have a problem."""

        data, reports = dataset.stream(self.location, self.stdin, NOTED, texts)
        for report in reports:
            if keep is None or keep(report):
                if drop_texts:
                    report[TEXT] = None  # a dict of this pass's own
                yield report
        self._numbers, self._values = data.numbers, data.values
        self._notes, self._unreadable = list(data.notes), data.unreadable
        if data.problems:
            if not self._skip_invalid:
                raise DatasetError(dataset.failure_message(data, self.path))
            self._notes.append(dataset.skipped_message(data, self.path))
            return  # a dataset with problems is never indexed
        if self._after_read is not None:
            after, self._after_read = self._after_read, None
            after(data.records)

    def rows(
        self,
        need: Narrowing,
        keep: Keep | None = None,
        *,
        ordered: bool = False,
        stop: int | None = None,
    ) -> Iterator[Report]:
        """Source.rows. In the file's order the reports come as they are read, so a
        DatasetError may come after some of them (a query that writes as it goes asks for
        them ordered); ordered, the whole dataset is read and checked before the first."""
        reports = self._stream(keep, need.full_text, not need.text_shown)
        if not ordered:
            return reports
        if stop is not None:  # only the newest: a heap of stop reports
            newest = Newest(stop)
            for report in reports:
                newest.add(report)
            return iter(newest.reports())
        return _newest_first(reports)

    def decides(self, need: Narrowing) -> frozenset[str]:
        return frozenset()  # the query tests every report

    def numbers(self) -> list[str]:
        if self._numbers is None:
            _drain(self._stream(None))
        assert self._numbers is not None
        return self._numbers

    def values(self, field: str) -> list[str]:
        if field not in self._values:
            if field in NOTED and self._numbers is None:
                _drain(self._stream(None))
            else:
                found: dict[str, None] = {}
                for report in self._stream(None):
                    value = report[field]
                    for item in value if isinstance(value, list) else [value]:
                        if item is not None:
                            found.setdefault(str(item))
                return list(found)
        return sorted(self._values[field])

    def statistics(self, terms: Sequence[Term]) -> Statistics | None:
        return None  # every report goes through the query's test, which counts them

    def rank(self, query: Query, need: Narrowing, offset: int, limit: int | None) -> Ranked | None:
        return None  # the query ranks every report it is given

    def summarize(self, need: Narrowing, by: str) -> dict[str, Any] | None:
        return None

    def notes(self) -> list[str]:
        return self._notes

    def unreadable(self) -> list[Unreadable]:
        return self._unreadable

    def close(self) -> None:
        pass


def _newest_first(reports: Iterator[Report]) -> Iterator[Report]:
    """query.newest_first of every report, holding each while the rest are read as its
    compact JSON (query.rows.packed) rather than as Python objects, which take twice the
    memory; each is decoded again as it is given."""
    held: list[tuple[tuple[Any, ...], str | Report] | None] = []
    for report in reports:
        held.append((newness(report), packed(report)))
    held.sort(key=_first, reverse=True)  # stable: ties stay in the file's order

    def given() -> Iterator[Report]:
        for i, entry in enumerate(held):
            held[i] = None  # let each go once given
            assert entry is not None
            yield unpacked(entry[1])

    return given()


def _first(entry: tuple[tuple[Any, ...], Any] | None) -> tuple[Any, ...]:
    assert entry is not None
    return entry[0]


def _drain(reports: Iterator[Report]) -> None:
    for _ in reports:
        pass
