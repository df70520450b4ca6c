"""The recommendation rows of the reports a query selects (``oigcli recommendations``):
each report's text read for the recommendations it numbers (oigcli.model.recommend), as
the reports come, and let go; the rows (small) are given newest report first once all are
read. What was read is counted for what a person is told."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from oigcli.model.recommend import RECOMMENDATION_FIELDS as FIELDS
from oigcli.model.recommend import numbered
from oigcli.model.schema import TEXT, Report
from oigcli.query.rows import newness

NAMED = 10
"""The reports whose numbering was in doubt that a note names; the rest are counted."""


class Listing:
    """The rows, made as the reports are read (one text at a time, none kept), given in
    the default order of their reports (newest first), then by number; after the last,
    ``notes`` and ``empty`` say what was read."""

    def __init__(self, reports: Iterable[Report]) -> None:
        self._reports = reports
        self.read = 0
        self.without_text = 0
        self.doubted = 0
        self._doubts: list[str] = []

    def __iter__(self) -> Iterator[dict[str, Any]]:
        found = sorted(self._read(), key=lambda held: held[0], reverse=True)
        for _, rows in found:
            yield from rows

    def _read(self) -> Iterator[tuple[tuple[Any, ...], list[dict[str, Any]]]]:
        """Each report that gives rows: its place in the default order, and its rows."""
        for report in self._reports:
            self.read += 1
            text = report.get(TEXT)
            if not text:
                self.without_text += 1
                continue
            found = numbered(text, report.get("recommendations"))
            if found.doubt:
                self.doubted += 1
                if len(self._doubts) < NAMED:
                    self._doubts.append(f"{report['id']}: {found.doubt}")
                continue
            if found.rows:
                ids = (report["id"], report["report_number"])
                yield (
                    newness(report),
                    [dict(zip(FIELDS, (*ids, *row), strict=True)) for row in found.rows],
                )

    def notes(self) -> list[str]:
        """The reports whose numbered recommendations were not given, and why."""
        if not self.doubted:
            return []
        more = self.doubted - len(self._doubts)
        tail = f"; and {more} more" if more else ""
        reports = "report's" if self.doubted == 1 else "reports'"
        return [
            f"{self.doubted} {reports} numbered recommendations left out, a check failing "
            f"(a wrong row is worse than none): {'; '.join(self._doubts)}{tail}."
        ]

    def empty(self) -> str:
        """What an empty listing says: how many reports were read, and why none gave rows."""
        if not self.read:
            return "No reports match."
        plural = "s" if self.read != 1 else ""
        why = []
        if self.without_text:
            why.append(f"{self.without_text} without a text")
        if self.doubted:
            why.append(f"{self.doubted} in doubt")
        said = f" ({', '.join(why)})" if why else ""
        return f"No numbered recommendation in the {self.read} report{plural} read{said}."
