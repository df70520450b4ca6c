"""Every format of every command, read back with a real parser and compared with the data."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest

from conftest import BUNDLED_STATS, NUMBERS, Invoke, fake_terminal
from oigcli.model.schema import LIST_COLUMNS, SHOWN_NAMES
from oigcli.output.render import cell, field_cell, markdown_cell
from oigcli.output.writers import flat

pytestmark = pytest.mark.usefixtures("backend")
"""Every test here runs over both sources: reading the data, and its index."""

FORMATS = ["table", "json", "jsonl", "csv", "tsv", "markdown"]
REPORT_COMMANDS = [
    ["list"],
    ["filter", "--fy", "2021"],
    ["search", "cbp", "--sort", "-report_number"],
]


def _out(invoke: Invoke, *args: str) -> str:
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    return result.stdout


def _tsv_unescape(text: str) -> str:
    out, chars = [], iter(text)
    for ch in chars:
        out.append({"t": "\t", "n": "\n", "r": "\r", "\\": "\\"}[next(chars)] if ch == "\\" else ch)
    return "".join(out)


def _markdown_rows(text: str) -> list[list[str]]:
    lines = text.strip("\n").splitlines()
    assert all(line.startswith("| ") and line.endswith(" |") for line in lines)
    rows = [[c.replace("\\|", "|") for c in line[2:-2].split(" | ")] for line in lines]
    assert set("".join(rows[1])) <= set("-:")
    return [rows[0], *rows[2:]]


@pytest.mark.parametrize("command", REPORT_COMMANDS)
def test_jsonl(invoke: Invoke, bundled: list[dict[str, Any]], command: list[str]) -> None:
    lines = _out(invoke, *command, "--format", "jsonl").splitlines()
    objects = [json.loads(line) for line in lines]
    assert [o["report_number"] for o in objects] == NUMBERS
    for obj, report in zip(objects, bundled, strict=True):
        assert {k: obj[k] for k in SHOWN_NAMES} == report


@pytest.mark.parametrize("command", REPORT_COMMANDS)
def test_csv(invoke: Invoke, bundled: list[dict[str, Any]], command: list[str]) -> None:
    result = invoke(*command, "--format", "csv")
    assert result.exit_code == 0
    text = result.stdout_bytes.decode("utf-8")
    assert text.count("\r\n") == 6  # RFC 4180 line ends (CliRunner's .stdout would hide them)
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0][: len(SHOWN_NAMES)] == list(SHOWN_NAMES)
    for row, report in zip(rows[1:], bundled, strict=True):
        assert row[: len(SHOWN_NAMES)] == [flat(report[name]) for name in SHOWN_NAMES]
        assert dict(zip(rows[0], row, strict=True))["issue_date"] == ""  # null: empty cell


@pytest.mark.parametrize("command", REPORT_COMMANDS)
def test_tsv(invoke: Invoke, bundled: list[dict[str, Any]], command: list[str]) -> None:
    lines = _out(invoke, *command, "--format", "tsv").splitlines()
    rows = [[_tsv_unescape(c) for c in line.split("\t")] for line in lines]
    assert rows[0][: len(SHOWN_NAMES)] == list(SHOWN_NAMES)
    for row, report in zip(rows[1:], bundled, strict=True):
        assert row[: len(SHOWN_NAMES)] == [flat(report[name]) for name in SHOWN_NAMES]


@pytest.mark.parametrize("command", REPORT_COMMANDS[:2])
def test_markdown_table(invoke: Invoke, bundled: list[dict[str, Any]], command: list[str]) -> None:
    rows = _markdown_rows(_out(invoke, *command, "--format", "markdown"))
    columns = [c for c in LIST_COLUMNS if c != "inspector"]  # one inspector's reports
    assert rows[0] == columns
    for row, report in zip(rows[1:], bundled, strict=True):
        assert row == [cell(report[name]) for name in columns]


@pytest.mark.parametrize("fmt", FORMATS)
def test_fields_apply_to_every_format(invoke: Invoke, fmt: str) -> None:
    text = _out(
        invoke, "list", "--fields", "recommendations,report_number", "--format", fmt, "--limit", "2"
    )
    if fmt == "json":
        assert json.loads(text) == [
            {"recommendations": 5, "report_number": "OIG-21-63"},
            {"recommendations": 3, "report_number": "OIG-21-48"},
        ]
    elif fmt == "jsonl":
        assert [json.loads(line) for line in text.splitlines()] == [
            {"recommendations": 5, "report_number": "OIG-21-63"},
            {"recommendations": 3, "report_number": "OIG-21-48"},
        ]
    elif fmt == "markdown":
        assert _markdown_rows(text) == [
            ["recommendations", "report_number"],
            ["5", "OIG-21-63"],
            ["3", "OIG-21-48"],
        ]
    else:
        sep = {"csv": ",", "tsv": "\t", "table": None}[fmt]
        rows = [line.split(sep) for line in text.splitlines() if not line.startswith("-")]
        assert [[c.strip() for c in row] for row in rows] == [
            ["recommendations", "report_number"],
            ["5", "OIG-21-63"],
            ["3", "OIG-21-48"],
        ]


def test_search_machine_formats_carry_score_and_snippet(invoke: Invoke) -> None:
    rows = list(
        csv.DictReader(
            io.StringIO(_out(invoke, "search", "medical", "--format", "csv"), newline="")
        )
    )
    assert len(rows) == 1 and float(rows[0]["score"]) > 0 and "medical" in rows[0]["snippet"]
    line = json.loads(_out(invoke, "search", "medical", "--format", "jsonl"))
    assert line["report_number"] == "OIG-21-48" and "snippet" in line


# --- show -----------------------------------------------------------------------------


def test_show_jsonl_csv_tsv(invoke: Invoke, bundled: list[dict[str, Any]]) -> None:
    asked = ["21-27", "21-63"]
    expected = [bundled[3], bundled[0]]
    assert [
        json.loads(line) for line in _out(invoke, "show", *asked, "--format", "jsonl").splitlines()
    ] == expected
    rows = list(
        csv.DictReader(io.StringIO(_out(invoke, "show", *asked, "--format", "csv"), newline=""))
    )
    assert rows == [{k: flat(v) for k, v in r.items()} for r in expected]
    lines = _out(invoke, "show", *asked, "--format", "tsv").splitlines()
    assert [line.split("\t")[0] for line in lines] == ["id", "dhs/OIG-21-27", "dhs/OIG-21-63"]


def test_show_markdown_sections(invoke: Invoke, bundled: list[dict[str, Any]]) -> None:
    text = _out(invoke, "show", "21-27", "21-63", "--format", "markdown")
    sections = text.split("\n## ")
    assert len(sections) == 2
    for section, report in zip(sections, [bundled[3], bundled[0]], strict=True):
        lines = section.removeprefix("## ").splitlines()
        assert lines[0] == f"{report['report_number']}: {report['title']}"
        fields = {
            line[4:].split("**: ")[0]: line.split("**: ", 1)[1]
            for line in lines
            if line.startswith("- **")
        }
        assert fields == {
            n: markdown_cell(field_cell(n, report[n]))
            for n in SHOWN_NAMES
            if n not in ("title", "summary")
        } | {"text": "unknown"}
        # the page's "[REDACTED]" is escaped, so that no bracket can start a link
        assert lines[-1] == report["summary"].replace("[", "\\[").replace("]", "\\]")


def test_show_with_a_table_style(invoke: Invoke) -> None:
    text = _out(
        invoke, "show", "21-27", "--table-format", "psql", "--fields", "report_number,issue_date"
    )
    assert text.splitlines()[3] == "| report_number | OIG-21-27 |"
    assert "| issue_date    | unknown   |" in text


# --- stats ----------------------------------------------------------------------------


def test_stats_jsonl_is_one_line_per_group(invoke: Invoke) -> None:
    lines = _out(invoke, "stats", "--by", "redacted", "--format", "jsonl").splitlines()
    assert [json.loads(line) for line in lines] == [
        {"key": False, "reports": 2, "recommendations": 5, "concurred": 5,
         "concurrence_rate": 1.0, "unknown_counts": 0, "rated_recommendations": 5,
         "not_concurred": 0},
        {"key": True, "reports": 3, "recommendations": 17, "concurred": 15,
         "concurrence_rate": 15 / 17, "unknown_counts": 0, "rated_recommendations": 17,
         "not_concurred": 2},
    ]  # fmt: skip


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
def test_stats_delimited(invoke: Invoke, fmt: str) -> None:
    text = _out(invoke, "stats", "--by", "redacted", "--format", fmt)
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter="," if fmt == "csv" else "\t"))
    assert rows == [
        ["redacted", "reports", "recommendations", "concurred", "concurrence_rate",
         "unknown_counts", "rated_recommendations", "not_concurred"],
        ["false", "2", "5", "5", "1.0", "0", "5", "0"],
        ["true", "3", "17", "15", str(15 / 17), "0", "17", "2"],
    ]  # fmt: skip


def test_stats_markdown(invoke: Invoke) -> None:
    rows = _markdown_rows(_out(invoke, "stats", "--format", "markdown"))
    group = BUNDLED_STATS["groups"][0]  # type: ignore[index]
    assert rows == [
        ["fiscal_year", "reports", "recommendations", "concurred", "not concurred", "rate"],
        [str(group["key"]), "5", "22", "20", "2", "90.9%"],
        ["**total**", "**5**", "**22**", "**20**", "**2**", "**90.9%**"],
    ]


# --- table styles ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("style", "expect"),
    [
        ("grid", "+===="),
        ("psql", "|-----"),
        ("pipe", "|:----"),
        ("github", "| report_number"),
        ("html", "<table>"),
        ("latex", "\\begin{tabular}"),
        ("plain", "OIG-21-63"),
    ],
)
def test_table_styles(invoke: Invoke, style: str, expect: str) -> None:
    assert expect in _out(invoke, "list", "--table-format", style)
    assert _out(invoke, "stats", "--table-format", style)


def test_html_style_is_one_table_for_stats(invoke: Invoke) -> None:
    assert _out(invoke, "stats", "--table-format", "html").count("<table>") == 1


def test_unknown_table_style_lists_the_valid_ones(invoke: Invoke) -> None:
    result = invoke("list", "--table-format", "gird")
    assert result.exit_code == 2 and result.stdout == ""
    assert (
        "Did you mean grid" in result.stderr
        and "psql" in result.stderr
        and "latex" in result.stderr
    )


def test_unknown_format(invoke: Invoke) -> None:
    result = invoke("stats", "--format", "xml")
    assert result.exit_code == 2 and "'xml' is not an output format" in result.stderr


def test_json_flag_conflicts_with_other_formats(invoke: Invoke) -> None:
    result = invoke("list", "--json", "--format", "csv")
    assert result.exit_code == 2 and "--json and --format csv disagree" in result.stderr


# --- terminals ------------------------------------------------------------------------


@pytest.mark.parametrize("command", [["list"], ["filter"], ["search", "cbp"]])
def test_a_wide_terminal_gets_everything(
    invoke: Invoke, bundled: list[dict[str, Any]], command: list[str]
) -> None:
    env, out, _ = fake_terminal(300)
    invoke(*command, env=env)
    assert all(r["title"] in out.getvalue() for r in bundled)


@pytest.mark.parametrize("width", [60, 80, 100, 120])
@pytest.mark.parametrize(
    "command", [["list"], ["filter"], ["search", "oversight"], ["list", "--table-format", "grid"]]
)
def test_a_narrow_terminal_gets_rows_that_fit(
    invoke: Invoke, width: int, command: list[str]
) -> None:
    env, out, _ = fake_terminal(width)
    result = invoke(*command, env=env)
    assert result.exit_code == 0
    lines = re.sub(r"\x1b\[\d+m", "", out.getvalue()).splitlines()  # colour takes no room
    assert max(len(line) for line in lines) <= width
    for number in ("OIG-21-63", "OIG-21-19"):  # identifiers are never cut
        assert number in out.getvalue() or command[0] == "search"


def test_titles_are_cut_with_an_ellipsis_at_100_columns(invoke: Invoke) -> None:
    env, out, _ = fake_terminal(100)
    invoke("list", env=env)
    rows = out.getvalue().splitlines()[2:]
    assert all(row.endswith("…") or len(row) < 100 for row in rows)
    assert [row.split()[0] for row in rows] == NUMBERS


def test_too_narrow_for_a_table_shows_labelled_blocks(
    invoke: Invoke, bundled: list[dict[str, Any]]
) -> None:
    env, out, err = fake_terminal(45)  # titles keep 30 characters: the other columns go
    invoke("list", env=env)
    assert out.getvalue().splitlines()[0].split() == ["report_number", "title"]
    assert "Not shown: fiscal_year, components (no room in 45 columns" in err.getvalue()
    env, out, _ = fake_terminal(40)  # not even a number and 30 characters of a title
    invoke("list", env=env)
    text = out.getvalue()
    assert sum(line.startswith("report_number") for line in text.splitlines()) == 5
    assert (
        " ".join(text.split()).count("CBP Senior Leaders' Handling of Social Media Misconduct") == 1
    )


def test_a_pipe_is_never_cut(
    invoke: Invoke, bundled: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "40")
    out = _out(invoke, "list")
    assert all(r["title"] in out for r in bundled)


# --- colour ---------------------------------------------------------------------------

COLOUR_COMMANDS = [["list"], ["show", "21-27"], ["filter"], ["search", "medical"], ["stats"]]


@pytest.mark.parametrize("command", COLOUR_COMMANDS)
@pytest.mark.parametrize("fmt", FORMATS)
def test_no_escape_bytes_in_a_pipe(invoke: Invoke, command: list[str], fmt: str) -> None:
    assert "\x1b" not in _out(invoke, *command, "--format", fmt)


@pytest.mark.parametrize(
    ("environ", "flag", "coloured"),
    [
        ({}, [], True),
        ({"NO_COLOR": "1"}, [], False),
        ({"TERM": "dumb"}, [], False),
        ({}, ["--color", "never"], False),
        ({"NO_COLOR": "1"}, ["--color", "always"], True),
    ],
)
def test_colour_on_a_terminal(
    invoke: Invoke, environ: dict[str, str], flag: list[str], coloured: bool
) -> None:
    env, out, _ = fake_terminal(200, environ={"PAGER": "", **environ})
    invoke("search", "medical", *flag, env=env)
    assert ("\x1b[1m" in out.getvalue()) is coloured


def test_color_always_in_a_pipe(invoke: Invoke) -> None:
    assert "\x1b[1mmedical\x1b[22m" in _out(invoke, "search", "medical", "--color", "always")


# --- hostile text ---------------------------------------------------------------------


@pytest.fixture
def hostile(tmp_path: Path, bundled: list[dict[str, Any]]) -> str:
    evil = {
        **bundled[0],
        "title": "Bad \x1b[31mred\x1b[0m | pipe\ttab\u202eevil\x07",
        "summary": "line\nbreak \x1b]0;title\x07 osc",
        "components": ["\x1b[2J"],
        "tags": ["\x1b[5mblink"],
    }
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps([evil]), encoding="utf-8")
    return str(path)


HOSTILE_COMMANDS = [
    ["list", "--fields", "report_number,title,summary,components,tags"],
    ["filter", "--fields", "report_number,title,summary,components,tags"],
    ["search", "bad", "--fields", "report_number,title,snippet,components,tags"],
    ["show", "21-63"],
    ["stats", "--by", "component"],
    ["stats", "--by", "tag"],
]


@pytest.mark.parametrize("command", HOSTILE_COMMANDS)
@pytest.mark.parametrize("fmt", ["table", "markdown"])
@pytest.mark.parametrize("terminal", [False, True])
def test_hostile_text_cannot_drive_a_terminal(
    invoke: Invoke, hostile: str, command: list[str], fmt: str, terminal: bool
) -> None:
    env, out, _ = fake_terminal(300, environ={"PAGER": "", "NO_COLOR": "1"})
    result = invoke(*command, "--data", hostile, "--format", fmt, env=env if terminal else None)
    assert result.exit_code == 0, result.output
    text = out.getvalue() if terminal else result.stdout
    for raw in ("\x1b", "\x07", "\u202e", "\t"):
        assert raw not in text
    # shown as the escape \x1b[ (in Markdown: with its backslash and bracket escaped)
    assert ("\\\\x1b\\[" if fmt == "markdown" else "\\x1b[") in text


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_json_escapes_control_characters(invoke: Invoke, hostile: str, fmt: str) -> None:
    text = _out(invoke, "list", "--data", hostile, "--format", fmt)
    assert "\x1b" not in text and "\\u001b" in text
    first = json.loads(text)[0] if fmt == "json" else json.loads(text.splitlines()[0])
    assert first["title"].startswith("Bad \x1b[31mred")


# --- the pager ------------------------------------------------------------------------


def _paged(
    invoke: Invoke, tmp_path: Path, *args: str, height: int = 10, **environ: str
) -> tuple[str, str]:
    """Run on a fake terminal whose $PAGER saves what it is given; (paged, printed)."""
    saved = tmp_path / "paged.txt"
    env, out, _ = fake_terminal(200, environ={"PAGER": f"cat > {saved}", **environ}, height=height)
    result = invoke(*args, env=env)
    assert result.exit_code == 0, result.output
    return (saved.read_text(encoding="utf-8") if saved.exists() else ""), out.getvalue()


def test_long_output_on_a_terminal_goes_through_the_pager(invoke: Invoke, tmp_path: Path) -> None:
    paged, printed = _paged(invoke, tmp_path, "show", "21-63", "21-27")
    assert printed == "" and "OIG-21-27" in paged and paged.count("report_number") == 2


def test_short_output_is_not_paged(invoke: Invoke, tmp_path: Path) -> None:
    paged, printed = _paged(invoke, tmp_path, "stats", height=40)
    assert paged == "" and "total" in printed


def test_no_pager(invoke: Invoke, tmp_path: Path) -> None:
    paged, printed = _paged(invoke, tmp_path, "show", "21-63", "21-27", "--no-pager")
    assert paged == "" and printed.count("report_number") == 2


@pytest.mark.parametrize("pager", ["", "cat", "no-such-pager-here"])
def test_no_usable_pager_prints_directly(invoke: Invoke, tmp_path: Path, pager: str) -> None:
    env, out, _ = fake_terminal(200, environ={"PAGER": pager}, height=5)
    assert invoke("show", "21-63", env=env).exit_code == 0
    assert out.getvalue().startswith("id ")


def test_oigcli_pager_wins_over_pager(invoke: Invoke, tmp_path: Path) -> None:
    saved = tmp_path / "mine.txt"
    ignored, printed = _paged(invoke, tmp_path, "show", "21-63", OIGCLI_PAGER=f"cat > {saved}")
    assert ignored == ""  # $PAGER was passed over
    assert saved.read_text(encoding="utf-8").startswith("id ") and printed == ""


def test_a_pipe_is_never_paged(
    invoke: Invoke, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    saved = tmp_path / "paged.txt"
    monkeypatch.setenv("PAGER", f"cat > {saved}")
    monkeypatch.setenv("LINES", "5")
    assert "OIG-21-27" in _out(invoke, "show", "21-63", "21-27")
    assert not saved.exists()


def test_every_format_has_a_printer_that_prints_every_shape() -> None:
    """A format is its name in Format and one class in PRINTERS (CONTRIBUTING.md): the
    class must print each shape a command has, or a command would fail on it."""
    from oigcli.output.formats import Format
    from oigcli.output.printers import PRINTERS, Printer

    assert set(PRINTERS) == set(Format)
    shapes = ("rows", "reports", "summary", "problems", "difference")
    for printer in set(PRINTERS.values()):
        missing = [s for s in shapes if getattr(printer, s) is getattr(Printer, s)]
        assert missing == [], f"{printer.__name__} does not print {missing}"


def test_the_brief_pages_on_a_terminal_unless_no_pager(invoke: Invoke, tmp_path: Path) -> None:
    """report pages a long brief as the other commands do, and takes --no-pager as they
    do (it suggested another command's line instead)."""
    paged, printed = _paged(invoke, tmp_path, "report", "--format", "markdown")
    assert printed == "" and paged.startswith("# Inspector General reports")
    (tmp_path / "again").mkdir()
    paged, printed = _paged(invoke, tmp_path / "again", "report", "--format", "html", "--no-pager")
    assert paged == "" and printed.startswith("<!DOCTYPE html>")


@pytest.mark.parametrize("width", [80, 100, 120])
def test_an_archive_keeps_a_table_whatever_its_numbers(
    invoke: Invoke, tmp_path: Path, width: int
) -> None:
    """One 45-character report number (Peace Corps has them) turned an archive's listing
    into a block per report at 80 and 100 columns, and left titles 18 characters at 120
    (#24): numbers and ids are cut too, after titles keep 30 characters, and the columns
    a row is least known by leave first, said on stderr."""
    from scraper import STATING, TEXTS, write_full_archive

    root = write_full_archive(tmp_path / "data")
    env, out, err = fake_terminal(width)
    assert invoke("list", "--data", str(root), env=env).exit_code == 0
    lines = out.getvalue().splitlines()
    assert len(lines) == 2 + 16 and max(map(len, lines)) <= width  # a table, a row a report
    titles = lines[0].index("title")
    assert all(len(line[titles:]) >= 30 or not line.endswith("…") for line in lines[2:])
    if width == 80:
        assert "Not shown: fiscal_year" in err.getvalue() and "no room" in err.getvalue()
    env, out, err = fake_terminal(80)
    assert invoke("stats", "--by", "inspector", "--data", str(root), env=env).exit_code == 0
    lines = out.getvalue().splitlines()
    assert lines[0].split()[:3] == ["inspector", "reports", "recommendations"]
    assert max(map(len, lines)) <= 80 and len(lines) < 20
    # no report's text stating a count: every count column is unknown, and left out
    bare = write_full_archive(
        tmp_path / "bare", {k: v for k, v in TEXTS.items() if k not in STATING}
    )
    env, out, err = fake_terminal(80)
    assert invoke("stats", "--by", "inspector", "--data", str(bare), env=env).exit_code == 0
    lines = out.getvalue().splitlines()
    assert lines[0].split() == ["inspector", "reports", "unknown"]  # no all-unknown column
    assert max(map(len, lines)) <= 80 and len(lines) < 20
    assert "Not shown: recommendations, concurred, not concurred, rate" in out.getvalue()
