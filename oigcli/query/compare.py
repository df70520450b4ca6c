"""What changed between two datasets: reports added, removed, and changed field by field.

Pure: two streams of reports in, one ``Difference`` out. Reports are matched by ``id``
(the record's key: ``<inspector>/<report_id>`` for the scraper's archive), so a report
whose number several inspectors share is never matched with another's. A report left
unmatched is then matched by its inspector and number when the id forms differ (the
bundled ``dhs/OIG-21-63`` is the archive's ``dhs/OIG-21-63_2021``): DHS reuses numbers,
so only when the fiscal years agree too and no other report has that number; the
change shows as its ``id`` changed, and a pairing left undone for doubt is said
(``Difference.doubts``). A record that
could not be read (--skip-invalid left it out) is "unreadable", never removed or added:
a report.json cut short by a scraper run is not news that the report was withdrawn.
"""

from __future__ import annotations

from collections import Counter
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
    doubts: tuple[str, ...] = ()
    """For a person (stderr): reports of one inspector and number, one removed and one
    added, not taken for one report (their fiscal years differ, or the number is on
    several reports)."""

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
    removed = list(before.values())
    doubts: list[str] = []
    if kept and removed:
        kept, removed = _paired(kept, removed, fields, changed, doubts)
    return Difference(kept, removed, changed, unread, tuple(doubts))


def _paired(
    added: list[Report],
    removed: list[Report],
    fields: Sequence[str],
    changed: list[Change],
    doubts: list[str],
) -> tuple[list[Report], list[Report]]:
    """``added`` and ``removed`` without the reports matched by inspector, number and
    fiscal year, each match added to ``changed`` as a change of ``id`` (and of the
    fields that differ); ``doubts`` gets a line for each number left unmatched."""

    def key(report: Report) -> tuple[str, str] | None:
        inspector = report["inspector"]
        if inspector is None:
            return None
        return inspector.casefold(), report["report_number"].upper()

    olds: dict[tuple[str, str], list[Report]] = {}
    for report in removed:
        if (k := key(report)) is not None:
            olds.setdefault(k, []).append(report)
    new_of_year = Counter((key(r), r["fiscal_year"]) for r in added)  # once: n, not n²
    matched: set[int] = set()
    for report in added:
        k = key(report)
        earlier = olds.get(k) if k is not None else None
        if not earlier:
            continue
        same_year = [r for r in earlier if r["fiscal_year"] == report["fiscal_year"]]
        if len(same_year) == 1 and new_of_year[k, report["fiscal_year"]] == 1:
            old = same_year[0]
            earlier.remove(old)
            matched.update((id(old), id(report)))
            changes = {"id": {"old": old["id"], "new": report["id"]}}
            changes.update(
                (name, {"old": old[name], "new": report[name]})
                for name in fields
                if not _same(old[name], report[name])
            )
            changed.append(Change(report["id"], report["report_number"], changes))
    for report in added:  # what is left of a number on both sides: said, not guessed
        k = key(report)
        earlier = olds.get(k) if k is not None and id(report) not in matched else None
        if earlier:
            told = ", ".join(f"{r['id']} (fiscal year {r['fiscal_year']})" for r in earlier)
            doubts.append(
                f"Note: {report['id']} (added, fiscal year {report['fiscal_year']}) has the "
                f"number of {told} (removed): not taken for one report, as DHS reuses its "
                "numbers and the fiscal years do not tell them apart."
            )
    return (
        [r for r in added if id(r) not in matched],
        [r for r in removed if id(r) not in matched],
    )


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
