"""Rendering: values as people read them, sanitised text, tables, the Environment."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oigcli.output import render
from oigcli.output.context import Environment
from oigcli.output.render import cell, report_page, reports_table, sanitise
from oigcli.output.tally import bar, stats_markdown, stats_table
from oigcli.output.writers import json_text as to_json
from oigcli.query.stats import summarize


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (None, "unknown"),
        (True, "yes"),
        (False, "no"),
        (["OFO", "USBP"], "OFO, USBP"),
        ([], "(none)"),
        (2021, "2021"),
        ("plain", "plain"),
    ],
)
def test_cell(value: Any, shown: str) -> None:
    assert cell(value) == shown


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("\x1b[2J", "\\x1b[2J"),
        ("a\nb\tc\rd", "a\\nb\\tc\\rd"),
        ("\x00\x7f\x9b", "\\x00\\x7f\\x9b"),
        ("left\u202eright", "left\\u202eright"),
        ("CBP’s “quoted” é", "CBP’s “quoted” é"),
    ],
)
def test_sanitise(raw: str, shown: str) -> None:
    assert sanitise(raw) == shown
    assert cell(raw) == shown


def test_json_keeps_unicode_and_escapes_controls() -> None:
    assert to_json({"t": "CBP’s\x1b"}) == '{\n  "t": "CBP’s\\u001b"\n}\n'


def test_reports_table_aligns_numbers_right(bundled: list[dict[str, Any]]) -> None:
    lines = reports_table(bundled[:1], ["title", "fiscal_year"]).splitlines()
    assert lines[0].split() == ["title", "fiscal_year"]
    assert lines[2].endswith(" 2021")


def test_report_page_of_a_report_with_unknown_summary(bundled: list[dict[str, Any]]) -> None:
    page = report_page({**bundled[0], "summary": None}, 80)
    assert page.endswith("summary\n  unknown\n")


def test_stats_table_separates_the_total(bundled: list[dict[str, Any]]) -> None:
    lines = stats_table(summarize(bundled, "component")).splitlines()
    assert lines[0].split() == [
        "component", "reports", "recommendations", "concurred", "not", "concurred", "rate"
    ]  # fmt: skip
    assert lines[2].split()[:6] == ["CBP", "5", "22", "20", "2", "90.9%"]
    assert set(lines[2].split()[6]) == {"█"}
    assert set(lines[3].replace(" ", "")) == {"-"}
    assert lines[4].split() == ["total", "5", "22", "20", "2", "90.9%"]
    assert max(map(len, lines)) <= 80


@pytest.mark.parametrize(
    ("value", "largest", "width", "unicode", "shown"),
    [
        (10, 10, 8, True, "████████"),
        (5, 10, 8, True, "████"),
        (1, 10, 8, True, "▊"),  # 0.8 of a cell: six eighths
        (1, 3, 10, True, "███▍"),
        (0, 10, 8, True, ""),
        (2, 3, 10, False, "#######"),
        (3, 3, 10, False, "##########"),
        (5, 0, 10, True, ""),
    ],
)
def test_bar(value: int, largest: int, width: int, unicode: bool, shown: str) -> None:
    assert bar(value, largest, width, unicode) == shown


UNEVEN = [
    {"components": [c], "recommendations": 0, "recommendations_concurred": 0}
    for c in ["A"] * 4 + ["B"] * 2 + ["C"]
]


@pytest.mark.parametrize(("width", "longest"), [(80, 17), (100, 37), (200, 40)])
def test_stats_chart_fits_the_width_and_scales_to_the_largest_group(
    width: int, longest: int
) -> None:
    lines = stats_table(summarize(UNEVEN, "component"), width=width).splitlines()
    assert max(len(line) for line in lines) <= width
    bars = [len(line.split()[-1]) for line in lines[2:5]]  # (no rate: unknown in every row)
    assert bars[0] == longest and bars[0] >= bars[1] >= bars[2] > 0
    assert abs(bars[1] - bars[0] / 2) <= 1


@pytest.mark.parametrize("style", ["grid", "psql", "plain", "rounded_outline"])
def test_stats_chart_fits_in_every_text_style(style: str) -> None:
    lines = stats_table(summarize(UNEVEN, "component"), style, width=100).splitlines()
    assert max(len(line) for line in lines) <= 100
    assert any("████" in line for line in lines)


def test_stats_chart_is_left_out_without_room() -> None:
    lines = stats_table(summarize(UNEVEN, "component"), width=60).splitlines()
    assert [len(line.split()) for line in lines[2:5]] == [5, 5, 5]


def test_environment_width(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "123")
    assert Environment(stdout=io.StringIO()).width == 123
    monkeypatch.setenv("COLUMNS", "0")
    assert Environment(stdout=io.StringIO()).width == 80
    monkeypatch.delenv("COLUMNS")
    assert Environment(stdout=io.StringIO()).width == 80
    assert Environment(stdout=io.StringIO(), width=55).width == 55


def test_environment_knows_a_pipe_is_not_a_terminal() -> None:
    env = Environment(stdout=io.StringIO(), stdin=io.StringIO())
    assert env.stdout_isatty is False and env.stdin_isatty is False


@pytest.mark.parametrize("columns", ["²", "٣٠", "-1", "1e2"])
def test_odd_columns_values(monkeypatch: pytest.MonkeyPatch, columns: str) -> None:
    monkeypatch.setenv("COLUMNS", columns)
    width = Environment(stdout=io.StringIO()).width
    assert width == (30 if columns == "٣٠" else 80)


_cell_text = st.text(alphabet=st.sampled_from(["a", "Z", " ", "\u00a0", "é", "…", "9", "-", "\t"]))


@given(
    st.integers(1, 4).flatmap(
        lambda n: st.tuples(
            st.lists(
                st.sampled_from(["", "title", "fiscal_year", "reports", "x"]),
                min_size=n,
                max_size=n,
            ),
            st.lists(
                st.lists(_cell_text, min_size=n, max_size=n) | st.just(render.SEPARATING_LINE),
                max_size=6,
            ),
            st.booleans(),
        )
    )
)
def test_the_simple_style_is_drawn_as_tabulate_draws_it(
    case: tuple[list[str], list[Any], bool],
) -> None:
    """oigcli draws the default style itself (start-up); it must not differ from tabulate's."""
    from tabulate import SEPARATING_LINE, tabulate

    headers, rows, marked = case
    mark = (0, re.compile("a")) if marked else None
    ours = render.table(headers, rows, "simple", mark)
    align = ["right" if render.is_numeric(h) else "left" for h in headers]
    body = [
        SEPARATING_LINE
        if row is render.SEPARATING_LINE
        else [
            render.highlight(c, re.compile("a")) if marked and i == 0 else c
            for i, c in enumerate(row)
        ]
        for row in rows
    ]
    theirs = tabulate(
        body, headers=headers, tablefmt="simple", colalign=align, disable_numparse=True
    )
    assert ours == theirs + "\n"


def test_unknown_counts_are_shown_unknown_and_counted() -> None:
    """A sum of nothing known is "unknown", never 0; and when any report's counts are
    unknown, a column says how many, in each format for people."""
    reports = [
        {"components": ["A"], "recommendations": 3, "recommendations_concurred": 2},
        {"components": ["A"], "recommendations": None, "recommendations_concurred": None},
        {"components": ["B"], "recommendations": None, "recommendations_concurred": None},
    ]
    summary = summarize(reports, "component")
    lines = stats_table(summary, width=200).splitlines()
    assert lines[0].split()[-2:] == ["rate", "unknown"]
    assert lines[2].split()[:7] == ["A", "2", "3", "2", "1", "66.7%", "1"]
    assert lines[3].split()[:7] == ["B", "1", "unknown", "unknown", "unknown", "unknown", "1"]
    [total] = [line for line in lines if line.startswith("total")]
    assert total.split() == ["total", "3", "3", "2", "1", "66.7%", "2"]
    basis = (  # the sums and the rate are over different reports: the table says which
        "2 of the 3 reports have a recommendation count unknown: recommendations and "
        "concurred add up the counts that are known; not concurred and the concurrence rate "
        "are over the 3 recommendations of the 1 report with both counts known."
    )
    drawn = stats_table(summary, width=200).split("\n\n")[-1]  # under the table, wrapped
    assert " ".join(drawn.split()) == basis and max(map(len, drawn.splitlines())) <= 200
    markdown = stats_markdown(summary)
    assert "| B | 1 | unknown | unknown | unknown | unknown | 1 |" in markdown
    assert markdown.rstrip().endswith(basis)
    known = [{**r, "recommendations": 1, "recommendations_concurred": 1} for r in reports]
    assert "unknown" not in stats_table(summarize(known, "component"), width=200)


def test_show_prints_a_link_whole_on_one_line(bundled: list[dict[str, Any]]) -> None:
    """A link cut across lines cannot be clicked or copied (#24): it is printed whole,
    beside its label or, on a narrow terminal, under it; other values are wrapped."""
    url = "https://www.oig.dhs.gov/sites/default/files/assets/" + "x" * 90 + "/OIG-21-48.pdf"
    report = {**bundled[1], "document_url": url}
    for width in (80, 40):
        lines = report_page(report, width).splitlines()
        assert sum(url in line for line in lines) == 1
        assert max(len(line) for line in lines if url not in line) <= width
