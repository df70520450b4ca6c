"""What the queries know of a dataset: the ``Source`` protocol, which the scan
(oigcli.sources.scan) and the index (oigcli.sources.index.reader) both implement, and the
two shapes they share. ``oigcli.sources.source.open`` chooses between them."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from oigcli.model.schema import Report, Unreadable
    from oigcli.query.criteria import Narrowing
    from oigcli.query.search import Query, Term

Keep = Callable[["Report"], bool]
"""A query's test of each report a source gives it: True keeps the report."""

Statistics = tuple[int, int, list[int]]
"""What search ranks by: how many reports the dataset has, their words (search.tokens)
all told, and how many contain each term."""


class Ranked:
    """A search answered by a source: how many reports match, and the page's reports,
    best first, each with its score."""

    __slots__ = ("matched", "rows")

    def __init__(self, matched: int, rows: Iterator[tuple[Report, float]]) -> None:
        self.matched = matched
        self.rows = rows


class Source(Protocol):
    """A dataset, asked. Every report it gives has been checked (a dataset with a problem
    is a DatasetError before any report is given)."""

    def rows(
        self,
        need: Narrowing,
        keep: Keep | None = None,
        *,
        ordered: bool = False,
        stop: int | None = None,
    ) -> Iterator[Report]:
        """The reports that ``keep`` keeps (every one when None), of those that ``need``
        allows; ``keep`` sees each candidate once, in the file's order. ``ordered``: the
        reports come newest first (query.NEWEST_FIRST; ties in the file's order), and with
        ``stop`` only the first ``stop`` of them. A source that cannot narrow gives
        ``keep`` every report; one that can may give it only those ``need`` allows."""
        ...

    def decides(self, need: Narrowing) -> frozenset[str]:
        """The criteria of ``need`` (by key) that every report ``rows`` gives is known to
        satisfy, so that the query need not test them (an index decides ``--text`` in SQL
        when its vocabulary can); the others are narrowed at most."""
        ...

    def numbers(self) -> list[str]:
        """Every report's number, in the file's order (for suggestions)."""
        ...

    def values(self, field: str) -> list[str]:
        """The distinct known values of a field (``tags``: every distinct tag)."""
        ...

    def statistics(self, terms: Sequence[Term]) -> Statistics | None:
        """Search's statistics of the whole dataset for ``terms``, or None when the source
        gives every report to ``keep`` (which then counts them as it ranks)."""
        ...

    def rank(self, query: Query, need: Narrowing, offset: int, limit: int | None) -> Ranked | None:
        """Search's page of ``query``'s matches that ``need`` allows (search's order;
        ``offset`` and ``limit`` as paging has them), with how many there are, when the
        source can rank by itself (an index); None when the query must rank the reports
        ``rows`` gives."""
        ...

    def summarize(self, need: Narrowing, by: str) -> dict[str, Any] | None:
        """The ``stats`` object of the reports ``need`` allows, when the source can count
        them by itself exactly (an index, for criteria it can decide in SQL); None when the
        query must count the reports ``rows`` gives."""
        ...

    def notes(self) -> list[str]:
        """What a person should be told of the reading, after the rows have been read:
        the records --skip-invalid left out."""
        ...

    def unreadable(self) -> list[Unreadable]:
        """The records --skip-invalid left out, after the rows have been read (``diff``
        tells them from reports removed)."""
        ...

    def close(self) -> None: ...
