"""Turning results into text: tables and report pages for people, JSON for programs.

Every function here is pure: it takes data (and a width) and returns the text to print.
Text from a dataset is sanitised before it reaches a terminal: control characters and
escape sequences are shown escaped, never sent raw. JSON escapes them as JSON does.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from oigcli.schema import FIELDS_BY_NAME, Report
from oigcli.stats import concurrence_rate

UNKNOWN = "unknown"

# C0 and C1 controls, DEL, and the bidirectional overrides that can reorder a line.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    return {"\n": "\\n", "\t": "\\t", "\r": "\\r"}.get(char) or (
        f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"
    )


def sanitise(text: str) -> str:
    """``text`` with every control character shown as a visible escape (``\\x1b``)."""
    return _UNSAFE.sub(_escape, text)


def cell(value: Any) -> str:
    """A value as a person reads it: null is "unknown", booleans are yes/no."""
    if value is None:
        return UNKNOWN
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(cell(v) for v in value) if value else "(none)"
    return sanitise(str(value))


def to_json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _is_numeric(name: str) -> bool:
    return name == "score" or (name in FIELDS_BY_NAME and FIELDS_BY_NAME[name].type is int)


def _table(headers: Sequence[str], rows: Sequence[Sequence[Any]], align: Sequence[str]) -> str:
    from tabulate import tabulate

    return (
        tabulate(
            rows, headers=list(headers), tablefmt="simple", colalign=align, disable_numparse=True
        )
        + "\n"
    )


BOLD, NORMAL = "\x1b[1m", "\x1b[22m"


def highlight(text: str, mark: re.Pattern[str]) -> str:
    """``text`` (already sanitised) with every match of ``mark`` in bold, for a terminal."""
    return mark.sub(lambda m: f"{BOLD}{m.group()}{NORMAL}", text)


def reports_table(
    reports: Sequence[Report], columns: Sequence[str], mark: re.Pattern[str] | None = None
) -> str:
    """One row per report, one column per field, headed by the field names. With ``mark``,
    its matches in the snippet column are highlighted (for a terminal)."""

    def shown(report: Report, name: str) -> str:
        text = cell(report[name])
        return highlight(text, mark) if mark is not None and name == "snippet" else text

    rows = [[shown(r, name) for name in columns] for r in reports]
    align = ["right" if _is_numeric(name) else "left" for name in columns]
    return _table(columns, rows, align)


def report_page(report: Report, width: int) -> str:
    """Every field of one report, labelled, the summary last as a paragraph; long text
    wrapped to ``width`` columns."""
    import textwrap

    width = max(width, 20)
    label_width = max(len(name) for name in report) + 2
    # Labels beside values when there is room for both; on a narrow terminal, above them.
    side_by_side = width - label_width >= 30
    lines = []
    for name, raw in report.items():
        if name == "summary":
            continue
        value = cell(raw)
        if side_by_side:
            wrapped = textwrap.wrap(value, width - label_width) or [""]
            lines.append(f"{name:<{label_width}}{wrapped[0]}")
            lines.extend(" " * label_width + more for more in wrapped[1:])
        else:
            lines.append(name)
            lines.extend(textwrap.wrap(value, width, initial_indent="  ", subsequent_indent="  "))
    if "summary" in report:
        lines.append("summary")
        lines.extend(
            textwrap.wrap(
                cell(report["summary"]), width, initial_indent="  ", subsequent_indent="  "
            )
        )
    return "\n".join(lines) + "\n"


def report_pages(reports: Sequence[Report], width: int) -> str:
    return "\n".join(report_page(r, width) for r in reports)


def stats_table(summary: dict[str, Any]) -> str:
    """One row per group and a total row: reports, recommendations, concurrence."""
    from tabulate import SEPARATING_LINE

    def row(key: str, counts: dict[str, Any]) -> list[str]:
        rate = concurrence_rate(counts["concurred"], counts["recommendations"])
        return [
            key,
            str(counts["reports"]),
            str(counts["recommendations"]),
            str(counts["concurred"]),
            UNKNOWN if rate is None else f"{rate:.1%}",
        ]

    headers = [summary["by"], "reports", "recommendations", "concurred", "concurrence"]
    rows: list[Any] = [row(cell(g["key"]), g) for g in summary["groups"]]
    rows += [SEPARATING_LINE, row("total", summary["total"])]
    return _table(headers, rows, ["left", "right", "right", "right", "right"])
