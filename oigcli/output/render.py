"""People's formats as text: tables, report pages, Markdown, stats; nothing here prints.

They show null as "unknown", booleans as yes/no, and every control character or escape
sequence from the data as a visible escape, so nothing in a dataset can drive a terminal.
They need every row (to align columns), so they are made whole. Programs' formats (JSON,
JSON Lines, CSV, TSV) keep the data exact and are written as rows come: oigcli.output.writers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from oigcli.model.schema import FIELDS, FIELDS_BY_NAME, Report
from oigcli.model.text import sanitise

if TYPE_CHECKING:
    from oigcli.query.compare import Difference
    from oigcli.query.search import Finder

UNKNOWN = "unknown"

BOLD, NORMAL = "\x1b[1m", "\x1b[22m"
MIN_COLUMN = 8
"""A column cut to fit a terminal keeps at least this many characters."""
LONG_TEXT = frozenset({*(f.name for f in FIELDS if f.long_text), "snippet"})
"""Columns a table may cut to fit a terminal; identifiers and numbers are never cut."""
MIN_CHART = 5
"""The narrowest bar chart worth drawing; with less room, stats has no chart."""
NO_CHART_STYLES = frozenset(
    {
        "asciidoc", "github", "html", "jira", "latex", "latex_booktabs", "latex_longtable",
        "latex_raw", "mediawiki", "moinmoin", "pipe", "textile", "tsv", "unsafehtml",
        "youtrack",
    }
)  # fmt: skip
"""Table styles that are markup for another program: no bar chart in them."""


# --- values -------------------------------------------------------------------------


def cell(value: Any) -> str:
    """A value as a person reads it: null is "unknown", booleans are yes/no."""
    if value is None:
        return UNKNOWN
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(cell(v) for v in value) if value else "(none)"
    return sanitise(str(value))


def field_cell(name: str, value: Any) -> str:
    """``cell`` of a report's field: an amount as $1,234; ``derived`` as where each value
    was read ("recommendations from the summary: “We made ...”")."""
    known = FIELDS_BY_NAME.get(name)
    if value is None or known is None:
        return cell(value)
    if known.dollars and type(value) is int:
        return f"${value:,}"
    if known.type is dict and isinstance(value, dict):
        return "; ".join(quoted(field, where) for field, where in value.items())
    return cell(value)


def quoted(field: str, where: dict[str, str]) -> str:
    """Where one value of ``derived`` was read, as a person reads it."""
    return sanitise(f"{field} from the {where['from']}: “{where['sentence']}”")


def is_numeric(name: str) -> bool:
    return name in (
        "score",
        "number",
        "reports",
        "concurred",
        "not concurred",
        "rate",
        "unknown",
    ) or (name in FIELDS_BY_NAME and FIELDS_BY_NAME[name].type is int)


def highlight(text: str, mark: Finder) -> str:
    """``text`` (already sanitised) with every match of ``mark`` in bold, for a terminal."""
    return mark.sub(lambda found: f"{BOLD}{found}{NORMAL}", text)


# --- tables ---------------------------------------------------------------------------


def cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


SEPARATING_LINE = ("\x00separating line",)
"""A row that is a rule across the table (before a total), in the styles that have one."""
_INVISIBLE = re.compile(r"\x1b\[[0-9;]*m")
"""The codes highlight() adds: they take no room on the screen."""


def table(
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    style: str = "simple",
    mark: tuple[int, Finder] | None = None,
    padding: int = 2,
) -> str:
    """A table of text cells in a tabulate style, numbers right-aligned. With ``mark``
    (column index, pattern), the pattern's matches in that column are highlighted.

    The default style, simple, is drawn here: it is what nearly every table is, and
    tabulate (and the importlib.metadata it imports) would take a fifth of start-up.
    ``_simple`` draws exactly what tabulate does (a property test compares them)."""
    align = ["right" if is_numeric(h) else "left" for h in headers]
    body: list[Any] = [r if r is SEPARATING_LINE else list(r) for r in rows]
    if mark is not None:
        column, pattern = mark
        for row in body:
            if row is not SEPARATING_LINE:
                row[column] = highlight(str(row[column]), pattern)
    if style == "simple":
        return _simple(list(headers), body, align, padding) + "\n"
    from tabulate import SEPARATING_LINE as RULE
    from tabulate import tabulate

    escape = _markup_escape(style)
    if escape is not None:
        body = [row if row is SEPARATING_LINE else [escape(str(c)) for c in row] for row in body]
        headers = [escape(h) for h in headers]
    body = [RULE if row is SEPARATING_LINE else row for row in body]
    text = tabulate(
        body, headers=list(headers), tablefmt=style, colalign=align, disable_numparse=True
    )
    return text + "\n"


_PIPE_STYLES = frozenset({"jira", "textile", "orgtbl", "asciidoc", "youtrack"})


def _markup_escape(style: str) -> Callable[[str], str] | None:
    """How a cell's text must be written in a tabulate style that is markup, so that the
    data cannot break the table or become markup: a ``|`` ends a cell in the pipe styles,
    ``||`` in MediaWiki and MoinMoin; the "unsafe" and "raw" styles escape nothing
    themselves (html and latex do)."""
    import html

    if style in ("github", "pipe"):  # Markdown tables: as --format markdown escapes
        return lambda text: text.translate(_MARKDOWN_ESCAPES)
    if style in _PIPE_STYLES:
        return lambda text: text.replace("\\", "\\\\").replace("|", "\\|")
    if style in ("mediawiki", "moinmoin"):
        return lambda text: html.escape(text).replace("|", "&#124;").replace("!", "&#33;")
    if style == "unsafehtml":
        return html.escape
    if style == "latex_raw":
        return _latex
    return None


def _latex(text: str) -> str:
    special = {c: "\\" + c for c in "&%$#_{}"}
    special.update({"\\": r"\textbackslash{}", "~": r"\textasciitilde{}", "^": r"\^{}"})
    return "".join(special.get(c, c) for c in text)


def _simple(headers: list[str], rows: list[Any], align: list[str], padding: int = 2) -> str:
    """tabulate's "simple" style for text cells: columns two spaces apart, a rule of
    dashes under the headers (and for SEPARATING_LINE), cells stripped of surrounding
    whitespace, a column at least ``padding`` (two) wider than its header (a terminal too
    narrow for that gets none), lines without trailing
    spaces, headers aligned as their columns (left when there are no rows)."""
    cells = [[str(c).strip() for c in row] for row in rows if row is not SEPARATING_LINE]
    shown = [
        max([len(headers[i]) + padding, *(_visible(row[i]) for row in cells)])
        for i in range(len(headers))
    ]
    if not cells:  # as tabulate: with no rows, no column is known to be numeric
        align = ["left"] * len(headers)

    def line(values: Sequence[str]) -> str:
        parts = []
        for value, width, side in zip(values, shown, align, strict=True):
            room = width - _visible(value)
            parts.append(" " * room + value if side == "right" else value + " " * room)
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * width for width in shown)
    out = [line(headers), rule]
    filled = iter(cells)
    for row in rows:
        out.append(rule if row is SEPARATING_LINE else line(next(filled)))
    return "\n".join(out)


def _visible(text: str) -> int:
    return len(_INVISIBLE.sub("", text)) if "\x1b" in text else len(text)


def widest(text: str) -> int:
    return max(len(line) for line in text.splitlines())


def _shrink(
    rows: list[list[str]],
    headers: Sequence[str],
    cuttable: list[int],
    over: int,
    centre: tuple[int, Finder] | None = None,
    floor: int = MIN_COLUMN,
) -> bool:
    """Cut the widest cuttable columns, evenly, by ``over`` characters in all; never below
    the header or ``floor``. False when that cannot free enough room."""
    widths = {i: max((len(r[i]) for r in rows), default=0) for i in cuttable}
    floors = {i: max(floor, len(headers[i])) for i in cuttable}
    while over > 0:
        room = [i for i in cuttable if widths[i] > floors[i]]
        if not room:
            return False
        widest = max(room, key=lambda i: widths[i])
        others = [widths[j] for j in room if j != widest]
        step = min(over, widths[widest] - max([floors[widest], *others])) or 1
        widths[widest] -= step
        over -= step
    for row in rows:
        for i in cuttable:
            if centre is not None and i == centre[0]:
                row[i] = _cut_around(row[i], widths[i], centre[1])
            else:
                row[i] = cut(row[i], widths[i])
    return True


KEPT_TEXT, KEPT_OTHER = 30, 16
"""A table cut to fit a terminal cuts titles, summaries and snippets to KEPT_TEXT before
it cuts report numbers, ids and lists, which it cuts to KEPT_OTHER at least, and then
cuts the long text further (never below MIN_COLUMN)."""


def _spare(rows: list[list[str]], headers: Sequence[str], cuttable: list[int], floor: int) -> int:
    """How many characters cutting the ``cuttable`` columns to ``floor`` would free."""
    spare = 0
    for i in cuttable:
        widest = max((len(r[i]) for r in rows), default=0)
        spare += max(0, widest - max(floor, len(headers[i])))
    return spare


def _cut_around(text: str, width: int, pattern: Finder) -> str:
    """``text`` cut to ``width`` around the first match of ``pattern`` (centred in what is
    kept), with "…" where text was left out: a snippet cut to fit still shows its match."""
    found = pattern.search(text)
    if found is None or found.end() <= width - 1 or width < 5:
        return cut(text, width)
    inner = width - 2  # between the two "…"
    start = max(0, found.start() - max(0, inner - (found.end() - found.start())) // 2)
    if start + inner >= len(text):  # the match is near the end: keep the end
        return "…" + text[len(text) - (width - 1) :]
    return "…" + text[start : start + inner] + "…"


def reports_table(
    reports: Sequence[Report],
    columns: Sequence[str],
    style: str = "simple",
    width: int | None = None,
    mark: Finder | None = None,
    centre: Finder | None = None,
) -> str:
    """One row per report, one column per field, headed by the field names.

    ``width`` (a terminal's): the simple style drops the spare room around headers, then
    long text (titles, summaries, snippets) is cut with "…" so that every row fits on one
    line (a snippet around the first match of ``centre``); when even that cannot fit, each
    report is shown as a block of labelled, wrapped fields instead. ``mark``: highlight
    its matches in the snippet column."""
    rows = [[field_cell(name, r[name]) for name in columns] for r in reports]
    marked = (list(columns).index("snippet"), mark) if mark and "snippet" in columns else None
    text = table(columns, rows, style)
    if width is None or widest(text) <= width:
        return table(columns, rows, style, marked) if marked else text
    padding = 0 if style == "simple" else 2
    text = table(columns, rows, style, padding=padding)
    cuttable = [i for i, name in enumerate(columns) if name in LONG_TEXT]
    other = [i for i, name in enumerate(columns) if name not in LONG_TEXT and not is_numeric(name)]
    over = widest(text) - width
    titles = _spare(rows, columns, cuttable, KEPT_TEXT)
    if over > titles and other:  # an archive's 45-character report number, its ids, lists:
        cut = min(over - titles, _spare(rows, columns, other, KEPT_OTHER))  # cut them first,
        _shrink(rows, columns, other, cut, floor=KEPT_OTHER)  # so titles keep KEPT_TEXT
        text = table(columns, rows, style, padding=padding)
    around = (list(columns).index("snippet"), centre) if centre and "snippet" in columns else None
    if widest(text) <= width or _shrink(rows, columns, cuttable, widest(text) - width, around):
        text = table(columns, rows, style, padding=padding)
        if widest(text) <= width:
            return table(columns, rows, style, marked, padding) if marked else text
    return report_pages([{name: r[name] for name in columns} for r in reports], width)


def varying(reports: Sequence[Report], columns: Sequence[str]) -> list[str]:
    """The columns without ``inspector`` when every row has the same one: the reports of
    one OIG (the bundled data, one inspector's folder) need no column that says so in
    every row; an archive's do, where report numbers repeat across inspectors."""
    if "inspector" in columns and len({r["inspector"] for r in reports}) <= 1:
        columns = [c for c in columns if c != "inspector"]
    return told_apart(reports, columns)


def told_apart(reports: Sequence[Report], columns: Sequence[str]) -> list[str]:
    """The columns, with ``id`` in place of ``report_number`` when two rows would look the
    same by it (and their inspector): DHS reuses its numbers, so an archive has two
    ``DS-12-01`` of ``dhs`` (``dhs/DS-12-01_2011`` and ``dhs/DS-12-01_2012``). An id
    starts with its inspector: that column then goes. (A recommendation row is known by its
    report and its ``number``: a report's rows all have its report number.)"""
    if "report_number" not in columns or "id" in columns:
        return list(columns)
    shown = [(r.get("report_number"), r.get("inspector"), r.get("number")) for r in reports]
    if len(set(shown)) == len(shown) or not all(r.get("id") for r in reports):
        return list(columns)
    return ["id" if c == "report_number" else c for c in columns if c != "inspector"]


CROWDED = ("fiscal_year", "components", "tags", "type", "topic", "agency_name",
           "oversight_area", "landing_url", "document_url")  # fmt: skip
"""The columns a terminal too narrow for the table leaves out first, in this order, so
that titles keep KEPT_TEXT characters (the fiscal year is in the date, more or less;
report numbers, ids, inspectors, dates and titles are what a row is known by)."""


def fitting_columns(
    reports: Sequence[Report], columns: Sequence[str], style: str, width: int
) -> tuple[list[str], list[str], list[str]]:
    """The columns to show on a terminal ``width`` wide, and those left out: when the
    table would not fit, a column whose value is unknown in every row says nothing about
    these rows and gives its room to the others; and when it would still not fit with
    titles of KEPT_TEXT characters, the CROWDED columns give theirs, one at a time.
    Returns the columns, those unknown in every row, those left out for room."""
    rows = [[field_cell(name, r[name]) for name in columns] for r in reports]
    if widest(table(columns, rows, style)) <= width:
        return list(columns), [], []
    unknown = [c for c in columns if all(r[c] is None for r in reports)]
    if len(unknown) == len(columns):
        unknown = []
    shown = [c for c in columns if c not in unknown]
    cells = {name: [row[i] for row in rows] for i, name in enumerate(columns)}  # made once
    fewer, crowded = list(shown), []
    fits = _fits_keeping_text(cells, fewer, style, width)
    for name in (c for c in CROWDED if c in shown and not fits):
        fewer.remove(name)
        crowded.append(name)
        fits = _fits_keeping_text(cells, fewer, style, width)
    if not fits:  # too narrow even so: blocks
        return shown, unknown, []
    return fewer, unknown, crowded


def _fits_keeping_text(
    cells: Mapping[str, list[str]], columns: Sequence[str], style: str, width: int
) -> bool:
    """Whether reports_table can fit these columns (``cells``: each one's) in ``width``
    with long text cut to no less than KEPT_TEXT (numbers, ids, lists: KEPT_OTHER). The
    simple style's width is worked out (columns two apart, each its widest cell or header)."""
    longest = {name: max(map(len, cells[name]), default=0) for name in columns}
    if style == "simple":
        drawn = sum(max(longest[n], len(n)) for n in columns) + 2 * (len(columns) - 1)
    else:
        rows = [list(row) for row in zip(*(cells[n] for n in columns), strict=True)]
        drawn = widest(table(columns, rows, style, padding=2))
    floors = {n: KEPT_TEXT if n in LONG_TEXT else KEPT_OTHER for n in columns if not is_numeric(n)}
    return drawn - width <= sum(max(0, longest[n] - max(f, len(n))) for n, f in floors.items())


_MARKDOWN_ESCAPES = str.maketrans(
    {
        **{c: "\\" + c for c in "\\|[]"},
        "<": "&lt;",
        ">": "&gt;",
        "&": "&amp;",
    }
)
_BLOCK_START = re.compile(r"^(?=[#+=*_-]|\d+[.)])")


def markdown_cell(value: Any) -> str:
    """A value as Markdown text that renders as exactly that text: no HTML passes (a
    ``<img>`` or ``<script>`` from a dataset is shown, not run), no link or remote image
    (``![x](https://...)`` would be fetched by whoever opens the document), and a ``|``
    cannot end a table cell. (Emphasis is left alone: it changes how text looks, not
    what a reader's program does.)"""
    return cell(value).translate(_MARKDOWN_ESCAPES)


def markdown_paragraph(value: Any) -> str:
    """``markdown_cell`` at the start of a line: a heading, list or rule marker is
    escaped too."""
    return _BLOCK_START.sub("\\\\", markdown_cell(value))


def markdown_table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A GitHub-flavoured Markdown table; cells are already text."""
    rule = ["---:" if is_numeric(h) else "---" for h in headers]
    lines = [headers, rule, *rows]
    return "".join("| " + " | ".join(line) + " |\n" for line in lines)


def reports_markdown(reports: Sequence[Report], columns: Sequence[str]) -> str:
    return markdown_table(
        columns, ([markdown_cell(field_cell(n, r[n])) for n in columns] for r in reports)
    )


# --- one report at a time: show ---------------------------------------------------------


def wrap(text: str, width: int, indent: str = "") -> list[str]:
    """``text``'s words filled into lines of at most ``width`` characters (``indent``
    first on each); a word longer than a line is cut into pieces that fill lines. Linear
    in the text's length, whatever it holds (textwrap copies the rest of a long word at
    every cut: a summary of 8 MB with no space took it 11 s)."""
    room = max(width - len(indent), 1)
    lines: list[str] = []
    line: list[str] = []
    used = 0  # characters on the line being filled, spaces between words included
    for word in text.split():
        gap = 1 if used else 0
        if used + gap + len(word) <= room:
            line.append(word)
            used += gap + len(word)
            continue
        start = 0
        if len(word) > room and used + gap < room:  # as textwrap: fill the line's rest
            start = room - used - gap
            line.append(word[:start])
        if line:
            lines.append(" ".join(line))
        while len(word) - start > room:
            lines.append(word[start : start + room])
            start += room
        line = [word[start:]]
        used = len(line[0])
    if line:
        lines.append(" ".join(line))
    return [indent + line for line in lines]


def report_page(report: Report, width: int) -> str:
    """Every field of one report, labelled, the summary last as a paragraph; long text
    wrapped to ``width`` columns, but for links, printed whole."""
    width = max(width, 20)
    label_width = max(len(name) for name in report) + 2
    # Labels beside values when there is room for both; on a narrow terminal, above them.
    side_by_side = width - label_width >= 30
    lines = []
    for name, raw in report.items():
        if name == "summary":
            continue
        value = field_cell(name, raw)
        if name == "derived" and isinstance(raw, dict) and raw:
            lines += _quotes(name, raw, width, label_width, side_by_side)
            continue
        if name in FIELDS_BY_NAME and FIELDS_BY_NAME[name].link and raw is not None:
            whole = value.replace(" ", "%20")  # one line, never cut: a terminal links it
            lines.append(f"{name:<{label_width}}{whole}" if side_by_side else f"{name}\n  {whole}")
            continue
        if side_by_side:
            wrapped = wrap(value, width - label_width) or [""]
            lines.append(f"{name:<{label_width}}{wrapped[0]}")
            lines.extend(" " * label_width + more for more in wrapped[1:])
        else:
            lines.append(name)
            lines.extend(wrap(value, width, "  "))
    if "summary" in report:
        lines.append("summary")
        lines.extend(wrap(cell(report["summary"]), width, "  "))
    return "\n".join(lines) + "\n"


def report_pages(reports: Sequence[Report], width: int) -> str:
    return "\n".join(report_page(r, width) for r in reports)


def report_tables(reports: Sequence[Report], style: str) -> str:
    """Each report as a two-column field/value table in a tabulate style."""
    return "\n".join(
        table(["field", "value"], [[name, field_cell(name, v)] for name, v in r.items()], style)
        for r in reports
    )


def report_sections(reports: Sequence[Report]) -> str:
    """Markdown, one section per report: a heading, a list of fields, the summary."""
    sections = []
    for index, report in enumerate(reports, 1):
        heading = " ".join(
            markdown_cell(report[name]) for name in ("report_number", "title") if name in report
        )
        if "report_number" in report and "title" in report:
            number, title = markdown_cell(report["report_number"]), markdown_cell(report["title"])
            heading = f"{number}: {title}"
        lines = [f"## {heading or f'Report {index}'}", ""]
        listed = [n for n in report if n not in ("title", "summary")]
        lines += [
            f"- **{name}**: {markdown_cell(field_cell(name, report[name]))}" for name in listed
        ]
        if "summary" in report:
            lines += ["", markdown_paragraph(report["summary"])]
        sections.append("\n".join(lines).strip("\n") + "\n")
    return "\n".join(sections)


def _quotes(
    name: str, derived: dict[str, dict[str, str]], width: int, label_width: int, beside: bool
) -> list[str]:
    """The sentences values were read from, one paragraph each, under ``name``'s label."""
    lines = [] if beside else [name]
    indent = " " * label_width if beside else "  "
    for i, (field, where) in enumerate(derived.items()):
        wrapped = wrap(quoted(field, where), width, indent)
        if beside and i == 0:
            wrapped[0] = f"{name:<{label_width}}" + wrapped[0][label_width:]
        lines += wrapped
    return lines


# --- diff -----------------------------------------------------------------------------

ABSENT = "—"
"""What a diff table shows where a report has no value because it is not there at all (the
old side of a report added), as against "unknown", a value that is there and null."""


def _diff_cells(found: Difference) -> list[dict[str, str]]:
    rows = []
    for row in found.rows():
        shown = {name: cell(row[name]) for name in ("change", "id", "report_number", "field")}
        field = row["field"]
        shown["old"] = ABSENT if row["change"] == "added" else field_cell(field, row["old"])
        shown["new"] = ABSENT if row["change"] == "removed" else field_cell(field, row["new"])
        rows.append(shown)
    return rows


def diff_table(found: Difference, style: str = "simple", width: int | None = None) -> str:
    """The differences as a table, a row per report added or removed and per field
    changed, then how many of each."""
    from oigcli.query.compare import DIFF_COLUMNS

    return reports_table(_diff_cells(found), DIFF_COLUMNS, style, width) + f"\n{found.counts()}\n"


def diff_markdown(found: Difference) -> str:
    """The differences as Markdown, ready for an email: a heading that counts them, then
    the table (every value escaped, as in every Markdown table)."""
    from oigcli.query.compare import DIFF_COLUMNS

    return f"## {found.counts()}\n\n" + reports_markdown(_diff_cells(found), DIFF_COLUMNS)
