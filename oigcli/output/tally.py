"""Stats for a person: the counts of each group as a table with a bar chart (or, when it
cannot fit, a block per group), as Markdown, and the sentence saying over which
recommendations each figure is counted; nothing here prints."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import Any

from oigcli.output.render import (
    MIN_CHART,
    NO_CHART_STYLES,
    SEPARATING_LINE,
    UNKNOWN,
    cell,
    cut,
    markdown_cell,
    markdown_table,
    table,
    widest,
)

STATS_COLUMNS = ("reports", "recommendations", "concurred", "not_concurred", "concurrence_rate")
"""The counts a stats table shows (then, when some are unknown, ``unknown_counts``)."""
STATS_LABELS = {"not_concurred": "not concurred", "concurrence_rate": "rate",
                "unknown_counts": "unknown"}  # fmt: skip
_EIGHTHS = " ▏▎▍▌▋▊▉"


def bar(value: int, largest: int, width: int, unicode: bool) -> str:
    """A horizontal bar ``value / largest`` of ``width`` characters, in eighths with Unicode."""
    if largest <= 0 or width <= 0:
        return ""
    length = value / largest * width
    if not unicode:
        return "#" * round(length)
    whole, eighths = int(length), round((length - int(length)) * 8)
    if eighths == 8:
        whole, eighths = whole + 1, 0
    return ("█" * whole + _EIGHTHS[eighths]).rstrip()


def _stats_row(key: str, counts: dict[str, Any], columns: Sequence[str]) -> list[str]:
    """A group's cells: its counts (unknown sums say so; the rate as a percentage)."""
    cells = [key]
    for name in columns:
        value = counts[name]
        if value is None:
            cells.append(UNKNOWN)
        else:
            cells.append(f"{value:.1%}" if name == "concurrence_rate" else str(value))
    return cells


def _stats_headers(summary: dict[str, Any]) -> tuple[list[str], list[str], list[str]]:
    """A stats table's headers, the counts it shows, and those it leaves out. The column
    of reports whose counts are unknown is there only when some are (the sums leave them
    out, and a reader must know); a count unknown in every row (an archive's: the
    scraper keeps no recommendation counts) is left out, and ``_basis`` says so."""
    total = summary["total"]
    columns = [*STATS_COLUMNS, *(["unknown_counts"] if total["unknown_counts"] else [])]
    dropped = [name for name in columns if total[name] is None] if total["reports"] else []
    shown = [name for name in columns if name not in dropped]
    headers = [summary["by"], *(STATS_LABELS.get(name, name) for name in shown)]
    return headers, shown, [STATS_LABELS.get(name, name) for name in dropped]


def stats_table(
    summary: dict[str, Any],
    style: str = "simple",
    width: int = 80,
    unicode: bool = True,
    fit: bool = False,
) -> str:
    """One row per group with a bar of its reports (scaled to the largest group and to the
    room ``width`` leaves, at most 40 columns), then the total. ``fit`` (a terminal): a
    table that does not fit even without bars becomes one labelled block per group."""
    headers, columns, _ = _stats_headers(summary)
    rows: list[Any] = [_stats_row(cell(g["key"]), g, columns) for g in summary["groups"]]
    total = _stats_row("total", summary["total"], columns)
    tail: list[Any] = [SEPARATING_LINE, total] if style == "simple" else [total]
    plain = table(headers, rows + tail, style, padding=0) + _basis(summary, width)
    if style in NO_CHART_STYLES:
        return plain
    if fit and widest(plain) > width:
        return stats_blocks(summary, width)
    if not rows:
        return plain
    largest = max(g["reports"] for g in summary["groups"])

    def charted(chart_width: int) -> str:
        bars = [bar(g["reports"], largest, chart_width, unicode) for g in summary["groups"]]
        body = [[*row, b] for row, b in zip(rows, bars, strict=True)]
        return table([*headers, ""], [*body, *tail[:-1], [*total, ""]], style, padding=0)

    note = _basis(summary, width)
    bare = plain.removesuffix(note)
    chart_width = min(40, width - widest(bare) - 2)
    text = charted(chart_width) if chart_width >= MIN_CHART else bare
    if widest(text) > width:  # the style's column separators are wider than two spaces
        chart_width -= widest(text) - width
        text = charted(chart_width) if chart_width >= MIN_CHART else bare
    return text + note


def _basis(summary: dict[str, Any], width: int | None) -> str:
    """The line under a stats table that says over which recommendations its totals are
    counted, when a count is unknown (stats.basis); wrapped to ``width`` when given."""
    from oigcli.query.stats import basis

    dropped = _stats_headers(summary)[2]
    said = " ".join(
        [
            *([f"Not shown: {', '.join(dropped)} (unknown in every row)."] if dropped else []),
            *([basis(summary["total"]) or ""]),
        ]
    ).strip()
    if not said:
        return ""
    return "\n" + (textwrap.fill(said, width) if width else said) + "\n"


def stats_blocks(summary: dict[str, Any], width: int) -> str:
    """Each group, then the total, as a heading line and its counts, label beside value:
    for a terminal too narrow for the table."""
    headers, columns, _ = _stats_headers(summary)
    labels = headers[1:]
    groups = [
        *((f"{summary['by']}: {cell(g['key'])}", g) for g in summary["groups"]),
        ("total", summary["total"]),
    ]
    values = [_stats_row("", counts, columns)[1:] for _, counts in groups]
    room = max(len(v) for row in values for v in row)
    blocks = []
    aligned = 2 + 16 + room <= width  # else "label: value", for the narrowest terminals
    for (key, _), row in zip(groups, values, strict=True):
        lines = [cut(key, max(width, 8))]
        for label, value in zip(labels, row, strict=True):
            lines.append(f"  {label:<16}{value:>{room}}" if aligned else f"{label}: {value}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n" + _basis(summary, width)


def stats_markdown(summary: dict[str, Any]) -> str:
    headers, columns, _ = _stats_headers(summary)
    rows = [
        [markdown_cell(c) for c in _stats_row(cell(g["key"]), g, columns)]
        for g in summary["groups"]
    ]
    total = [f"**{c}**" for c in _stats_row("total", summary["total"], columns)]
    return markdown_table(headers, [*rows, total]) + _basis(summary, None)
