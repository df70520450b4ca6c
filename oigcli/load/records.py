"""The shapes every part of reading shares: a raw record and where it was read
(``Entry``), a problem and its place (``Problem``), and the names of the scraper's files."""

from __future__ import annotations

from typing import Any, NamedTuple

BUNDLED = "bundled dataset"
STDIN = "<stdin>"
SCRAPER_FILE = "report.json"
SCRAPER_TEXT = "report.txt"
"""The report's text, which the scraper extracts beside its report.json."""


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


def scraper_id(source: str) -> str | None:
    """The id of the report a scraper's report.json at ``source`` holds, told by its
    place (``.../<inspector>/<year>/<report_id>/report.json``); None for any other file."""
    parts = source.split("/")
    if len(parts) < 4 or parts[-1] != SCRAPER_FILE or not all(parts[-4:-1]):
        return None
    return f"{parts[-4]}/{parts[-2]}"


class Entry(NamedTuple):
    """One raw record and where it was read."""

    value: Any
    source: str
    line: int | None = None


DUPLICATE_KEYS = "\x00duplicate keys"
"""Marks an object in which a key appeared twice (json keeps the last value silently)."""


def json_type(value: Any) -> str:
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
