"""A brief on a set of reports, as one self-contained HTML file or as Markdown.

Pure: a ``Brief`` is made from the reports a query selected and the ``stats`` objects of
the same reports (so that every number in it is one ``stats --json`` prints), and
rendered to text. Nothing in it depends on when it is made (a date is printed only when
one is given), so two runs on the same data can be diffed.

The HTML holds its CSS and its charts (inline SVG) and nothing else: no script, no font,
no request anywhere (a Content-Security-Policy says so to the browser too), so it can be
mailed or archived as it is. Every chart has a table with the same numbers after it and
an ``aria`` description. Markdown uses tables and text bars, and with ``assets`` links the
charts written as SVG files.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from oigcli.model.schema import Report
from oigcli.model.text import web_address
from oigcli.output.render import markdown_cell as cell
from oigcli.output.render import markdown_paragraph as paragraph
from oigcli.query.stats import basis

TOP = 10
"""How many reports the list of the most recommendations not concurred with shows."""
NEWEST = 25
"""How many of the newest reports "What is new" gives with their summaries."""
BAR_WIDTH = 20
"""Characters in the longest text bar of a Markdown table."""


class Bar(NamedTuple):
    label: str
    values: tuple[int | None, ...]
    """One value per series; None: unknown."""


class Chart(NamedTuple):
    name: str
    """A file name for the chart as an SVG file (``--assets``)."""
    title: str
    series: tuple[str, ...]
    bars: tuple[Bar, ...]
    left_out: tuple[str, ...] = ()
    """The groups left out because every value of theirs is unknown (said in one line)."""
    grouped: str = ""
    """What a bar is (``components``, ``inspectors``), for the line that says so."""

    def left_out_line(self) -> str | None:
        """ "Not charted: 3 components with no count known (CBP, ICE, TSA).", or None."""
        if not self.left_out:
            return None
        count = len(self.left_out)
        named = ", ".join(self.left_out[:SHOWN_LEFT_OUT])
        more = f" and {count - SHOWN_LEFT_OUT:,} more" if count > SHOWN_LEFT_OUT else ""
        what = self.grouped if count != 1 else self.grouped.removesuffix("s")
        return f"Not charted: {count:,} {what} with no count known ({named}{more})."


SHOWN_LEFT_OUT = 8


class Brief(NamedTuple):
    title: str
    date: str | None
    totals: Mapping[str, Any]
    """``stats --json``'s ``total``."""
    charts: tuple[Chart, ...]
    unconcurred: tuple[Report, ...]
    reports: tuple[Report, ...]
    """Newest first."""
    inspectors: bool = False
    """The reports are of several inspectors: the list says whose each is."""


def make(
    reports: Sequence[Report],
    by_year: Mapping[str, Any],
    by_group: Mapping[str, Any],
    title: str,
    date: str | None = None,
) -> Brief:
    """The brief on ``reports`` (newest first), whose ``stats --json`` by fiscal year and
    by component (or, for the reports of several inspectors, by inspector: ``by_group``'s
    ``by``) are ``by_year`` and ``by_group``. Every fiscal year from the first to the
    last is on the year axis, with none when none was issued; the groups with no count
    known are left out of the counts' chart, and said to be."""
    years = Chart(
        "fiscal-years",
        "Reports per fiscal year",
        ("reports",),
        tuple(Bar(label, (count,)) for label, count in _every_year(by_year["groups"])),
    )
    grouped = "inspectors" if by_group["by"] == "inspector" else "components"
    known = [g for g in by_group["groups"] if (g["recommendations"], g["concurred"]) != (None,) * 2]
    counts = Chart(
        "components" if grouped == "components" else "inspectors",
        f"Recommendations made and concurred with, per {grouped.removesuffix('s')}",
        ("recommendations", "concurred"),
        tuple(Bar(_key(g["key"]), (g["recommendations"], g["concurred"])) for g in known),
        tuple(_key(g["key"]) for g in by_group["groups"] if g not in known),
        grouped,
    )
    gaps = [r for r in reports if _not_concurred(r) > 0]
    gaps.sort(key=_not_concurred, reverse=True)  # stable: ties stay newest first
    several = grouped == "inspectors"  # the caller groups by inspector when several
    return Brief(
        title,
        date,
        by_year["total"],
        (years, counts),
        tuple(gaps[:TOP]),
        tuple(reports),
        several,
    )


def _every_year(groups: Sequence[Mapping[str, Any]]) -> list[tuple[str, int]]:
    """Each fiscal year's count, every year from the first to the last (0 when no
    report was issued in it), then the reports of unknown year, if any."""
    counted = {g["key"]: g["reports"] for g in groups}
    years = [k for k in counted if isinstance(k, int)]
    span = range(min(years), max(years) + 1) if years else range(0)
    out = [(str(year), counted.get(year, 0)) for year in span]
    out += [(_key(k), n) for k, n in counted.items() if not isinstance(k, int)]
    return out


def _key(key: Any) -> str:
    return "unknown" if key is None else str(key)


def _not_concurred(report: Report) -> int:
    made, concurred = report["recommendations"], report["recommendations_concurred"]
    return made - concurred if made is not None and concurred is not None else 0


def _number(value: Any) -> str:
    if value is None:
        return "unknown"
    if isinstance(value, float):
        return f"{value:.1%}"
    return f"{value:,}"


def _link(report: Report) -> str | None:
    """The report's document, else its landing page: a web address, or None."""
    for name in ("document_url", "landing_url"):
        url = report[name]
        if url and web_address(url):
            return str(url)
    return None


TOTALS = (
    ("reports", "Reports"),
    ("recommendations", "Recommendations"),
    ("concurred", "Concurred with"),
    ("not_concurred", "Not concurred with"),
    ("concurrence_rate", "Concurrence rate"),
    ("unknown_counts", "Reports with unknown counts"),
)


# --- SVG ----------------------------------------------------------------------------------

ROW = 28
LABEL = 140
PLOT = 250
FONT = 14
COLOURS = ("#1f5fa8", "#e07b12")
"""Blue and orange: told apart by people with the common colour-vision deficiencies."""


def svg(chart: Chart) -> str:
    """A horizontal bar chart, one row per bar and a bar per series, scaled to the largest
    known value; each bar carries its value (``data-value``) and says it. Unknown values
    draw no bar and say "unknown"."""
    largest = max([v for bar in chart.bars for v in bar.values if v is not None] or [0])
    series = len(chart.series)
    height = ROW * series + 8
    total = max(1, len(chart.bars)) * height + 30
    width = LABEL + PLOT + 60
    description = "; ".join(
        f"{bar.label}: "
        + ", ".join(
            f"{name} {_number(v)}" for name, v in zip(chart.series, bar.values, strict=True)
        )
        for bar in chart.bars
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {total}" '
        f'role="img" aria-label="{_attr(chart.title)}" class="chart">',
        f"<title>{_text(chart.title)}</title>",
        f"<desc>{_text(description or 'no reports')}</desc>",
    ]
    for i, name in enumerate(chart.series):  # the legend
        x = LABEL + i * 160
        parts.append(
            f'<rect x="{x}" y="4" width="12" height="12" fill="{COLOURS[i]}"/>'
            f'<text x="{x + 16}" y="15" font-size="{FONT}">{_text(name)}</text>'
        )
    for row, bar in enumerate(chart.bars):
        top = 26 + row * height
        parts.append(
            f'<text x="{LABEL - 6}" y="{top + height / 2 + 4:.0f}" font-size="{FONT}" '
            f'text-anchor="end">{_text(bar.label)}</text>'
        )
        for i, value in enumerate(bar.values):
            y = top + i * ROW + 4
            length = 0 if not value or not largest else round(value / largest * PLOT, 1)
            parts.append(
                f'<rect class="bar" x="{LABEL}" y="{y}" width="{length}" height="{ROW - 8}" '
                f'fill="{COLOURS[i]}" data-series="{_attr(chart.series[i])}" '
                f'data-label="{_attr(bar.label)}" data-value="{"" if value is None else value}">'
                f"<title>{_text(bar.label)}, {_text(chart.series[i])}: {_number(value)}</title>"
                "</rect>"
                f'<text x="{LABEL + length + 4}" y="{y + ROW / 2 + 1:.0f}" font-size="{FONT}">'
                f"{_number(value)}</text>"
            )
    parts.append("</svg>")
    return "".join(parts)


def _text(value: str) -> str:
    return html.escape(value, quote=False)


def _attr(value: str) -> str:
    return html.escape(value, quote=True)


# --- HTML ---------------------------------------------------------------------------------

CSS = """
:root { color-scheme: light; }
body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: #1a1a1a; background: #fff; margin: 0; }
main { max-width: 60rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.6rem; line-height: 1.2; margin: 0.5rem 0; }
h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #ccc; }
p, dd { overflow-wrap: anywhere; }
td { overflow-wrap: break-word; }
th { white-space: nowrap; }
.list td:nth-child(2) { white-space: nowrap; }
.list td:nth-child(1) { min-width: 6rem; max-width: 14rem; overflow-wrap: anywhere; }
.totals { display: grid; grid-template-columns: repeat(auto-fit, minmax(9rem, 1fr));
  gap: 0.5rem; margin: 0; }
.totals div { border: 1px solid #ccc; border-radius: 4px; padding: 0.5rem; }
.totals dt { font-size: 0.85rem; color: #444; }
.totals dd { margin: 0; font-size: 1.4rem; font-weight: 600; }
h3 { font-size: 1rem; margin: 1.2rem 0 0.2rem; overflow-wrap: anywhere; }
.meta { color: #444; font-size: 0.9rem; margin: 0; }
.chart { width: 100%; height: auto; max-width: 40rem; display: block; }
.scroll { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
th, td { text-align: left; padding: 0.3rem 0.5rem; border-bottom: 1px solid #ddd;
  vertical-align: top; }
td.n, th.n { text-align: right; white-space: nowrap; }
a { color: #1f5fa8; }
@media (max-width: 30rem) {
  main { padding: 0.5rem; }
  .list th:nth-child(3), .list td:nth-child(3) { display: none; }
}
@media print {
  body { font-size: 11pt; }
  main { max-width: none; padding: 0; }
  h2 { break-after: avoid; }
  tr, .chart { break-inside: avoid; }
  a { color: inherit; }
}
"""

POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
"""The page may load nothing: its one stylesheet is inline, its charts are inline SVG."""


def to_html(brief: Brief) -> str:
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta http-equiv="Content-Security-Policy" content="{POLICY}">',
        f"<title>{_text(brief.title)}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        "<main>",
        f"<h1>{_text(brief.title)}</h1>",
    ]
    if brief.date:
        out.append(f"<p>{_text(brief.date)}</p>")
    out.append('<dl class="totals">')
    for key, label in TOTALS:
        out.append(f"<div><dt>{label}</dt><dd>{_number(brief.totals[key])}</dd></div>")
    out.append("</dl>")
    said = basis(brief.totals)  # over which recommendations each figure is, when it differs
    if said is not None:
        out.append(f'<p class="basis">{_text(said)}</p>')
    for chart in brief.charts:
        out.append(f"<h2>{_text(chart.title)}</h2>")
        if chart.bars:  # none: every group's counts unknown, which the line says
            out.append(svg(chart))
            headers = ["", *chart.series]
            rows = [[bar.label, *(_number(v) for v in bar.values)] for bar in chart.bars]
            out.append(_table(headers, rows, numeric=range(1, len(headers))))
        if (line := chart.left_out_line()) is not None:
            out.append(f"<p>{_text(line)}</p>")
    out.append("<h2>Most recommendations not concurred with</h2>")
    if brief.unconcurred:
        rows = [
            [
                _report_label(r),
                _number(r["recommendations"]),
                _number(r["recommendations_concurred"]),
                _number(_not_concurred(r)),
            ]
            for r in brief.unconcurred
        ]
        headers = ["report", "made", "concurred", "not concurred"]
        out.append(_table(headers, rows, numeric=range(1, 4), escaped=False))
    else:
        out.append("<p>None: no report has a known recommendation not concurred with.</p>")
    newest = brief.reports[:NEWEST]
    out.append(f"<h2>{_newest_heading(len(newest), len(brief.reports))}</h2>")
    for r in newest:
        out.append(f"<h3>{_report_label(r)}</h3>")
        out.append(f'<p class="meta">{_text(_meta(r))}</p>')
        out.append(f"<p>{_text(r['summary'] or 'No summary.')}</p>")
    out.append(f"<h2>Every report ({len(brief.reports):,}), newest first</h2>")
    rows = [
        [
            _text(r["report_number"]),
            _text(r["issue_date"] or "unknown"),
            *([_text(r["inspector"] or "unknown")] if brief.inspectors else []),
            _text(", ".join(r["components"]) or "unknown"),
            _title_link(r),
        ]
        for r in brief.reports
    ]
    headers = ["number", "issued", *(["inspector"] if brief.inspectors else []), "components"]
    out.append(_table([*headers, "title"], rows, escaped=False, css="list"))
    out += ["</main>", "</body>", "</html>", ""]
    return "\n".join(out)


def _report_label(report: Report) -> str:
    return f"{_text(report['report_number'])}: {_title_link(report)}"


def _title_link(report: Report) -> str:
    link = _link(report)
    title = _text(report["title"])
    return f'<a href="{_attr(link)}">{title}</a>' if link else title


def _table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    numeric: range | Sequence[int] = (),
    escaped: bool = True,
    css: str = "",
) -> str:
    """A table in a scrolling box (a wide one never widens the page); cells are escaped
    here unless ``escaped`` is False (they hold links made here, from escaped text)."""
    numeric_class = ' class="n"'
    head = "".join(
        f'<th scope="col"{numeric_class if i in numeric else ""}>{_text(h)}</th>'
        for i, h in enumerate(headers)
    )
    body = []
    for row in rows:
        cells = []
        for i, value in enumerate(row):
            shown = _text(value) if escaped else value
            cells.append(f'<td class="n">{shown}</td>' if i in numeric else f"<td>{shown}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    css_class = f' class="{css}"' if css else ""
    return (
        f'<div class="scroll"><table{css_class}><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


# --- Markdown -----------------------------------------------------------------------------


def to_markdown(brief: Brief, assets: str | None = None) -> str:
    """The brief in Markdown (as GitHub renders it): tables, and text bars; with
    ``assets``, a folder's name, an image link to each chart's SVG file in it."""

    out = [f"# {cell(brief.title)}", ""]
    if brief.date:
        out += [cell(brief.date), ""]
    out += ["| | |", "| --- | ---: |"]
    out += [f"| {label} | {_number(brief.totals[key])} |" for key, label in TOTALS]
    said = basis(brief.totals)
    if said is not None:
        out += ["", said]
    for chart in brief.charts:
        out += ["", f"## {chart.title}", ""]
        if not chart.bars:  # every group's counts unknown: the line says so
            out.append(cell(chart.left_out_line() or "No reports."))
            continue
        if assets is not None:
            out += [f"![{chart.title}]({_path(assets)}/{chart.name}.svg)", ""]
        largest = max([v for b in chart.bars for v in b.values if v is not None] or [0])
        out.append("| | " + " | ".join(chart.series) + " | |")
        out.append("| --- |" + " ---: |" * len(chart.series) + " --- |")
        for bar in chart.bars:
            first = bar.values[0]
            shown = "█" * round(first / largest * BAR_WIDTH) if first and largest else ""
            values = " | ".join(_number(v) for v in bar.values)
            out.append(f"| {cell(bar.label)} | {values} | {shown} |")
        if (line := chart.left_out_line()) is not None:
            out += ["", cell(line)]
    out += ["", "## Most recommendations not concurred with", ""]
    if brief.unconcurred:
        out += ["| report | recommendations | concurred | not concurred |"]
        out += ["| --- | ---: | ---: | ---: |"]
        for r in brief.unconcurred:
            made, concurred = r["recommendations"], r["recommendations_concurred"]
            out.append(
                f"| {cell(r['report_number'])}: {_markdown_title(r)} | {_number(made)} | "
                f"{_number(concurred)} | {_number(_not_concurred(r))} |"
            )
    else:
        out.append("None: no report has a known recommendation not concurred with.")
    newest = brief.reports[:NEWEST]
    out += ["", f"## {_newest_heading(len(newest), len(brief.reports))}"]
    for r in newest:
        out += ["", f"### {cell(r['report_number'])}: {_markdown_title(r)}", ""]
        out += [cell(_meta(r)), "", paragraph(r["summary"] or "No summary.")]
    out += ["", f"## Every report ({len(brief.reports):,}), newest first", ""]
    whose = " inspector |" if brief.inspectors else ""
    out += [f"| number | issued |{whose} components | title |"]
    out += ["| --- | --- |" + " --- |" * (3 if brief.inspectors else 2)]
    for r in brief.reports:
        inspector = f" {cell(r['inspector'] or 'unknown')} |" if brief.inspectors else ""
        out.append(
            f"| {cell(r['report_number'])} | {cell(r['issue_date'] or 'unknown')} |{inspector} "
            f"{cell(', '.join(r['components']) or 'unknown')} | {_markdown_title(r)} |"
        )
    return "\n".join(out) + "\n"


def _newest_heading(shown: int, every: int) -> str:
    if shown == every:
        return "What is new: each report, in its own words"
    return f"What is new: the newest {shown:,} reports, in their own words"


def _meta(report: Report) -> str:
    """ "2020-10-20 · dhs · USCG": the report's date, inspector and components."""
    parts = [report["issue_date"] or f"fiscal year {report['fiscal_year']}"]
    parts += [p for p in (report["inspector"], ", ".join(report["components"])) if p]
    return " · ".join(parts)


def _markdown_title(report: Report) -> str:
    link = _link(report)
    title = cell(report["title"])
    return f"[{title}]({_path(link)})" if link else title


def _path(text: str) -> str:
    """A link's target as Markdown reads it whole: spaces and parentheses escaped."""
    return text.replace(" ", "%20").replace("(", "%28").replace(")", "%29")
