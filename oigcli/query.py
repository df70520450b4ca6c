"""Selecting reports: criteria, the default order, and finding reports by number.

Pure functions over lists of reports; errors are raised, never printed.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from oigcli.errors import NotFound, UsageError
from oigcli.schema import Report


@dataclass(frozen=True)
class YearRange:
    """An inclusive range of fiscal years; ``None`` leaves that end open."""

    first: int | None
    last: int | None

    def __contains__(self, year: object) -> bool:
        if not isinstance(year, int):
            return False
        return (self.first is None or year >= self.first) and (
            self.last is None or year <= self.last
        )


_YEAR = re.compile(r"\d{4}")


def parse_year_range(text: str) -> YearRange:
    """``2021``, ``2019..2021``, ``2019..`` or ``..2021`` (inclusive)."""
    value = text.strip()
    first_text, dots, last_text = value.partition("..")
    if not dots:
        last_text = first_text
    ends = []
    for part in (first_text.strip(), last_text.strip()):
        if part and not _YEAR.fullmatch(part):
            raise UsageError(
                f"{text!r} is not a fiscal year or range; try 2021, 2019..2021, 2019.. or ..2021"
            )
        ends.append(int(part) if part else None)
    first, last = ends
    if first is None and last is None:
        raise UsageError(f"{text!r} names no year; try 2021 or 2019..2021")
    if first is not None and last is not None and first > last:
        raise UsageError(f"{text!r} is an empty range: {first} comes after {last}")
    return YearRange(first, last)


@dataclass(frozen=True)
class Criteria:
    """What ``filter`` and ``stats`` select on. Every given criterion must hold."""

    components: tuple[str, ...] = ()
    """Any of these components (case-insensitive)."""
    years: YearRange | None = None
    tags: tuple[str, ...] = ()
    """Every one of these tags (case-insensitive)."""
    words: tuple[str, ...] = ()
    """Every word appears in the title or summary (case-insensitive)."""

    @classmethod
    def build(
        cls,
        components: Iterable[str] = (),
        years: YearRange | None = None,
        tags: Iterable[str] = (),
        text: str | None = None,
    ) -> Criteria:
        return cls(
            components=tuple(c.casefold() for c in components),
            years=years,
            tags=tuple(t.casefold() for t in tags),
            words=tuple((text or "").casefold().split()),
        )

    def matches(self, report: Report) -> bool:
        if self.components:
            component = report["component"]
            if component is None or component.casefold() not in self.components:
                return False
        if self.years is not None and report["fiscal_year"] not in self.years:
            return False
        if self.tags:
            have = {t.casefold() for t in report["tags"]}
            if not all(t in have for t in self.tags):
                return False
        if self.words:
            haystack = f"{report['title']}\n{report['summary'] or ''}".casefold()
            if not all(w in haystack for w in self.words):
                return False
        return True


def select(reports: Iterable[Report], criteria: Criteria) -> list[Report]:
    """The reports that match, in the default order."""
    return newest_first(r for r in reports if criteria.matches(r))


def natural_key(text: str) -> tuple[tuple[int, int, str], ...]:
    """Compare numbers inside strings as numbers: OIG-21-9 < OIG-21-19 < OIG-21-63."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part.casefold())
        for part in re.split(r"(\d+)", text)
        if part
    )


def newest_first(reports: Iterable[Report]) -> list[Report]:
    """Fiscal year, then issue date (unknown after known), then report number; newest first."""
    ordered = sorted(reports, key=lambda r: natural_key(r["report_number"]), reverse=True)
    ordered.sort(key=lambda r: (r["issue_date"] is not None, r["issue_date"] or ""), reverse=True)
    ordered.sort(key=lambda r: r["fiscal_year"], reverse=True)
    return ordered


def normalise_number(text: str) -> str:
    """``oig-21-63`` and ``21-63`` both mean ``OIG-21-63``."""
    number = text.strip().upper()
    if re.match(r"\d", number):
        number = "OIG-" + number
    return number


def find(reports: Sequence[Report], numbers: Sequence[str]) -> list[Report]:
    """The reports with these numbers, in the order asked; NotFound names every miss."""
    by_number = {r["report_number"].upper(): r for r in reports}
    found: list[Report] = []
    missing: list[str] = []
    for asked in numbers:
        report = by_number.get(asked.strip().upper()) or by_number.get(normalise_number(asked))
        if report is None:
            missing.append(asked)
        else:
            found.append(report)
    if missing:
        raise NotFound(_not_found_message(missing, [r["report_number"] for r in reports]))
    return found


def _not_found_message(missing: list[str], known: list[str]) -> str:
    lines = []
    for asked in missing:
        line = f"no report numbered {asked!r}"
        close = suggest(normalise_number(asked), known)
        if close:
            line += f"; did you mean {or_list(close)}?"
        lines.append(line)
    lines.append("Run 'oigcli list' to see every report number.")
    return "\n".join(lines)


def suggest(word: str, choices: Iterable[str], n: int = 3) -> list[str]:
    """The choices closest to ``word`` (difflib, ignoring case), best first."""
    folded = {c.casefold(): c for c in choices}
    return [folded[m] for m in difflib.get_close_matches(word.casefold(), list(folded), n, 0.6)]


def or_list(words: Sequence[str]) -> str:
    """``a``, ``a or b``, ``a, b or c``."""
    return " or ".join([", ".join(words[:-1]), words[-1]] if len(words) > 1 else list(words))
