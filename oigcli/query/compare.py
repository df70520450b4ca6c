"""What changed between two datasets: reports added, removed, and changed field by field.

Pure: two streams of reports in, one ``Difference`` out. Reports are matched by ``id``
(the record's key: ``<inspector>/<report_id>`` for the scraper's archive), so a report
whose number several inspectors share is never matched with another's. A record that
could not be read (--skip-invalid left it out) is "unreadable", never removed or added:
a report.json cut short by a scraper run is not news that the report was withdrawn.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, NamedTuple

from oigcli.model.schema import SHOWN_NAMES, Report, Unreadable

COMPARED: tuple[str, ...] = tuple(name for name in SHOWN_NAMES if name != "id")
"""The fields compared: every field a report is printed with (not the full text, which is
long and re-extracted by every scraper run; ``id`` is what matches reports)."""


class Change(NamedTuple):
    """A report in both datasets whose fields differ."""

    id: str
    report_number: str
    changes: dict[str, dict[str, Any]]
    """Each field that differs: ``{"old": value, "new": value}``, in the schema's order."""

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "report_number": self.report_number, "changes": self.changes}


class Difference(NamedTuple):
    added: list[Report]
    """Reports only in the new dataset, in its order."""
    removed: list[Report]
    """Reports only in the old dataset, in its order."""
    changed: list[Change]
    """Reports in both that differ, in the new dataset's order."""
    unreadable: list[dict[str, Any]]
    """Records of either side that could not be read: ``{"id", "side", "source",
    "report"}``, the id when it can be told (else null), the side (``old`` or ``new``),
    where the record was, and the other side's report of that id (else null): a report
    in OLD whose record in NEW is unreadable is here, not removed; one in NEW whose
    record in OLD is unreadable is here, not added."""

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.unreadable)

    def as_dict(self) -> dict[str, Any]:
        """The shape ``oigcli diff --json`` prints."""
        return {
            "added": self.added,
            "removed": self.removed,
            "changed": [change.as_dict() for change in self.changed],
            "unreadable": self.unreadable,
        }

    def lines(self) -> Iterator[dict[str, Any]]:
        """One object per difference (``--format jsonl``): ``{"change": "added", "id",
        "report_number", "report"}``, ``removed`` alike, and ``{"change": "changed", "id",
        "report_number", "changes"}``."""
        for name, reports in (("added", self.added), ("removed", self.removed)):
            for report in reports:
                yield {
                    "change": name,
                    "id": report["id"],
                    "report_number": report["report_number"],
                    "report": report,
                }
        for change in self.changed:
            yield {"change": "changed", **change.as_dict()}
        for entry in self.unreadable:
            paired = entry["report"]
            number = paired["report_number"] if paired else None
            yield {"change": "unreadable", "id": entry["id"], "report_number": number, **entry}

    def rows(self) -> Iterator[dict[str, Any]]:
        """A flat table (``DIFF_COLUMNS``; csv, tsv and tables): a row per report added or
        removed, with its title as the new or old value, and a row per field changed."""
        for report in self.added:
            yield _row("added", report, "title", None, report["title"])
        for report in self.removed:
            yield _row("removed", report, "title", report["title"], None)
        for change in self.changed:
            for name, values in change.changes.items():
                yield _row("changed", change._asdict(), name, values["old"], values["new"])
        for entry in self.unreadable:
            paired = entry["report"] or {"id": entry["id"], "report_number": None, "title": None}
            unread = f"(unreadable: {entry['source']})"
            title = paired["title"]
            old, new = (unread, title) if entry["side"] == "old" else (title, unread)
            yield _row("unreadable", {**paired, "id": entry["id"]}, "title", old, new)

    def counts(self) -> str:
        """``2 added, 1 removed, 3 changed`` (what a person is told), and ``, 1
        unreadable`` when a record could not be read."""
        counted: list[tuple[str, Sequence[Any]]] = [
            ("added", self.added),
            ("removed", self.removed),
            ("changed", self.changed),
        ]
        if self.unreadable:
            counted.append(("unreadable", self.unreadable))
        return ", ".join(f"{len(found)} {name}" for name, found in counted)


def compare(
    old: Iterable[Report],
    new: Iterable[Report],
    fields: Sequence[str] = COMPARED,
    unreadable: tuple[Sequence[Unreadable], Sequence[Unreadable]] = ((), ()),
) -> Difference:
    """The difference from ``old`` to ``new``, matching reports by id. The old reports are
    held (by id) while the new ones stream past; a report added or removed is given with
    the fields it is printed with. ``unreadable``: the records of OLD and of NEW that
    could not be read (Difference.unreadable)."""
    before: dict[str, Report] = {}
    for report in old:
        before[report["id"]] = _shown(report)
    had = set(before)
    added: list[Report] = []
    changed: list[Change] = []
    seen: set[str] = set()
    for report in map(_shown, new):
        seen.add(report["id"])
        earlier = before.pop(report["id"], None)
        if earlier is None:
            added.append(report)
            continue
        changes = {
            name: {"old": earlier[name], "new": report[name]}
            for name in fields
            if not _same(earlier[name], report[name])
        }
        if changes:
            changed.append(Change(report["id"], report["report_number"], changes))
    unread: list[dict[str, Any]] = []
    new_by_id = {report["id"]: report for report in added}
    for side, records, read, others in (
        ("old", unreadable[0], had, new_by_id),
        ("new", unreadable[1], seen, before),
    ):
        for record in records:
            if record.id is not None and record.id in read:
                continue  # another record of this id was read (the one left out, a duplicate)
            paired = others.pop(record.id, None) if record.id is not None else None
            unread.append(
                {"id": record.id, "side": side, "source": record.source, "report": paired}
            )
    kept = [report for report in added if report["id"] in new_by_id]
    return Difference(kept, list(before.values()), changed, unread)


DIFF_COLUMNS = ("change", "id", "report_number", "field", "old", "new")


def _row(change: str, report: Mapping[str, Any], field: str, old: Any, new: Any) -> dict[str, Any]:
    return {
        "change": change,
        "id": report["id"],
        "report_number": report["report_number"],
        "field": field,
        "old": old,
        "new": new,
    }


def _shown(report: Report) -> Report:
    """The report with the fields it is printed with (not the text a source may give)."""
    if tuple(report) == SHOWN_NAMES:
        return report
    return {name: report[name] for name in SHOWN_NAMES}


def _same(a: Any, b: Any) -> bool:
    """Equal as JSON values: a boolean is not the number 1 (Python says True == 1)."""
    return type(a) is type(b) and a == b
