"""Every command in both formats through CliRunner: values, errors and exit statuses."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import BUNDLED_STATS, INDEX_USED, NUMBERS, Invoke, fake_terminal
from oigcli import __version__
from oigcli.model.schema import LIST_COLUMNS, SHOWN_NAMES

pytestmark = pytest.mark.usefixtures("backend")
"""Every test here runs over both sources: reading the data, and its index."""


def _json(result: Any) -> Any:
    """The JSON a successful command printed; stderr holds nothing but the notes that a
    component or tag asked for is in no report."""
    assert result.exit_code == 0, result.output
    assert all(
        line.startswith("Note: no report in this dataset") for line in result.stderr.splitlines()
    )
    return json.loads(result.stdout)


def _table_rows(text: str) -> list[list[str]]:
    """Split a 'simple' tabulate table into cells: header, dashes, rows."""
    lines = text.rstrip("\n").splitlines()
    return [line.split() for line in lines]


# --- list -------------------------------------------------------------------------


def test_list_json_is_the_dataset_newest_first(
    invoke: Invoke, bundled: list[dict[str, Any]]
) -> None:
    reports = _json(invoke("list", "--json"))
    assert reports == bundled  # the page lists them newest first too
    assert [list(r) for r in reports] == [list(SHOWN_NAMES)] * 5


@pytest.mark.parametrize(
    "args",
    [["--format", "json"], ["-f", "json"], ["--format", "JSON"], ["--json", "--format", "json"]],
)
def test_format_json_spellings(invoke: Invoke, args: list[str]) -> None:
    assert [r["report_number"] for r in _json(invoke("list", *args))] == NUMBERS


def test_list_table(invoke: Invoke, bundled: list[dict[str, Any]]) -> None:
    result = invoke("list")
    assert result.exit_code == 0 and result.stderr == ""
    lines = result.stdout.splitlines()
    # one inspector's reports: no column that says dhs in every row
    assert lines[0].split() == [c for c in LIST_COLUMNS if c != "inspector"]
    assert len(lines) == 2 + 5
    for line, report in zip(lines[2:], bundled, strict=True):
        cells = line.split(None, 4)
        assert cells == [report["report_number"], "2021", "unknown", "CBP", report["title"]]


def test_list_table_is_never_cut_when_piped(invoke: Invoke, bundled: list[dict[str, Any]]) -> None:
    out = invoke("list", "--format", "table").stdout
    assert all(r["title"] in out for r in bundled)


# --- show -------------------------------------------------------------------------


def test_show_one_number_is_one_object(invoke: Invoke, bundled: list[dict[str, Any]]) -> None:
    report = _json(invoke("show", "21-27", "--json"))
    assert report == bundled[3]
    assert report["recommendations"] == 8 and report["recommendations_concurred"] == 6


def test_show_several_is_an_array_in_the_order_asked(invoke: Invoke) -> None:
    reports = _json(invoke("show", "oig-21-19", "OIG-21-63", "21-48", "--json"))
    assert [r["report_number"] for r in reports] == ["OIG-21-19", "OIG-21-63", "OIG-21-48"]


def test_show_table_has_every_field_and_unknown_for_null(
    invoke: Invoke, bundled: list[dict[str, Any]]
) -> None:
    result = invoke("show", "21-27")
    assert result.exit_code == 0 and result.stderr == ""
    text = result.stdout
    labels = [line.split()[0] for line in text.splitlines() if line and not line.startswith(" ")]
    assert labels == [name for name in SHOWN_NAMES if name != "summary"] + ["text", "summary"]
    fields = {
        line.split()[0]: line.split(None, 1)[1]
        for line in text.splitlines()
        if line[:1].strip() and len(line.split()) > 1
    }
    assert fields["issue_date"] == "unknown"
    assert fields["document_url"] == "unknown" and fields["oversight_area"] == "unknown"
    assert fields["recommendations"] == "8" and fields["recommendations_concurred"] == "6"
    assert fields["redacted"] == "yes" and fields["tags"] == "OFO"
    summary = " ".join(text.split("\nsummary\n", 1)[1].split())
    assert summary == bundled[3]["summary"]


@pytest.mark.parametrize("width", [40, 60, 100, 200])
def test_show_wraps_to_the_terminal(
    invoke: Invoke, bundled: list[dict[str, Any]], width: int
) -> None:
    env, out, err = fake_terminal(width)
    result = invoke("show", "21-63", env=env)
    assert result.exit_code == 0, err.getvalue()
    lines = out.getvalue().splitlines()
    assert max(map(len, lines)) <= min(width, 100)
    labels = [line.split()[0] for line in lines if line and not line.startswith(" ")]
    assert labels == [name for name in SHOWN_NAMES if name != "summary"] + ["text", "summary"]
    assert " ".join(out.getvalue().split("\nsummary\n", 1)[1].split()) == bundled[0]["summary"]


def test_show_several_in_table_form_are_separated(invoke: Invoke) -> None:
    text = invoke("show", "21-63", "21-19").stdout
    assert text.count("report_number") == 2
    assert text.index("OIG-21-63") < text.index("OIG-21-19")
    assert "\n\nid " in text


@pytest.mark.parametrize("json_flag", [[], ["--json"]])
def test_show_unknown_number_exits_1_with_a_suggestion(
    invoke: Invoke, json_flag: list[str]
) -> None:
    result = invoke("show", "21-99", *json_flag)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "'21-99'" in result.stderr and "did you mean OIG-21-19" in result.stderr
    assert "Traceback" not in result.output


def test_show_with_some_missing_prints_the_others(invoke: Invoke) -> None:
    """As gh does: the reports found are printed, the numbers not found named, exit 1."""
    result = invoke("show", "21-63", "21-64", "--json")
    assert result.exit_code == 1
    assert [r["report_number"] for r in json.loads(result.stdout)] == ["OIG-21-63"]
    assert "'21-64'" in result.stderr and "'21-63'" not in result.stderr
    alone = invoke("show", "21-64", "--json")
    assert alone.exit_code == 1 and alone.stdout == ""  # one number: no object to print


def test_show_needs_a_number(invoke: Invoke) -> None:
    result = invoke("show")
    assert result.exit_code == 2 and "Missing argument" in result.stderr


# --- filter -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([], NUMBERS),
        (["--component", "cbp"], NUMBERS),
        (["-c", "ICE", "-c", "CBP"], NUMBERS),
        (["--component", "ICE"], []),
        (["--fy", "2021"], NUMBERS),
        (["--fy", "2019..2021"], NUMBERS),
        (["--fy", "2022.."], []),
        (["--fy", "..2020"], []),
        (["--tag", "ofo"], NUMBERS),
        (["--tag", "OFO", "--tag", "USBP"], []),
        (["--text", "medical"], ["OIG-21-48"]),
        (["-t", "Electronic DEVICES"], ["OIG-21-63"]),
        (["--text", "canine", "--fy", "2021", "-c", "CBP", "--tag", "OFO"], ["OIG-21-19"]),
        (["--text", "canine medical"], []),
        (["--text", "REDACTED"], ["OIG-21-63", "OIG-21-27", "OIG-21-19"]),
    ],
)
def test_filter(invoke: Invoke, args: list[str], expected: list[str]) -> None:
    assert [r["report_number"] for r in _json(invoke("filter", *args, "--json"))] == expected


def test_filter_no_match_json_is_empty_array(invoke: Invoke) -> None:
    result = invoke("filter", "--fy", "2019", "--json")
    assert result.exit_code == 0 and result.stdout.strip() == "[]" and result.stderr == ""


def test_filter_no_match_table_says_so_on_stderr(invoke: Invoke) -> None:
    result = invoke("filter", "--fy", "2019")
    assert result.exit_code == 0 and result.stdout == ""
    assert result.stderr == "No reports match.\n"


def test_filter_table(invoke: Invoke) -> None:
    rows = _table_rows(invoke("filter", "--text", "mail").stdout)
    assert rows[0] == [c for c in LIST_COLUMNS if c != "inspector"]  # one inspector's
    assert [row[0] for row in rows[2:]] == ["OIG-21-27"]


# --- stats ------------------------------------------------------------------------


def test_stats_json_contract(invoke: Invoke) -> None:
    result = _json(invoke("stats", "--json"))
    assert result == BUNDLED_STATS
    assert list(result) == ["total", "by", "groups"]
    counts = ["reports", "recommendations", "concurred", "concurrence_rate", "unknown_counts"]
    counts += ["rated_recommendations", "not_concurred"]  # (#24: appended, so CSV keeps places)
    assert list(result["total"]) == counts
    assert list(result["groups"][0]) == ["key", *counts]


@pytest.mark.parametrize(
    ("by", "groups"),
    [
        ("component", [("CBP", 5, 22, 20)]),
        ("tag", [("OFO", 5, 22, 20)]),
        ("redacted", [(False, 2, 5, 5), (True, 3, 17, 15)]),
        ("fiscal_year", [(2021, 5, 22, 20)]),
    ],
)
def test_stats_by(invoke: Invoke, by: str, groups: list[tuple[Any, int, int, int]]) -> None:
    result = _json(invoke("stats", "--by", by, "--json"))
    assert result["by"] == by
    assert [
        (g["key"], g["reports"], g["recommendations"], g["concurred"]) for g in result["groups"]
    ] == groups


@pytest.mark.parametrize(
    "criteria",
    [
        [],
        ["--text", "REDACTED"],
        ["--text", "medical"],
        ["--component", "ICE"],
        ["--fy", "2021", "--tag", "ofo"],
    ],
)
def test_stats_summarises_exactly_what_filter_returns(invoke: Invoke, criteria: list[str]) -> None:
    rows = _json(invoke("filter", *criteria, "--json"))
    result = _json(invoke("stats", *criteria, "--json"))
    assert result["total"]["reports"] == len(rows)
    assert result["total"]["recommendations"] == sum(r["recommendations"] or 0 for r in rows)
    assert result["total"]["concurred"] == sum(r["recommendations_concurred"] or 0 for r in rows)


def test_stats_of_nothing(invoke: Invoke) -> None:
    result = _json(invoke("stats", "--component", "ICE", "--json"))
    assert result["total"] == {
        "reports": 0,
        "recommendations": 0,
        "concurred": 0,
        "concurrence_rate": None,
        "unknown_counts": 0,
        "rated_recommendations": 0,
        "not_concurred": 0,
    }
    assert result["groups"] == []


def test_stats_table(invoke: Invoke) -> None:
    result = invoke("stats", "--by", "redacted")
    assert result.exit_code == 0 and result.stderr == ""
    rows = _table_rows(result.stdout)
    assert rows[0] == [
        "redacted", "reports", "recommendations", "concurred", "not", "concurred", "rate"
    ]  # fmt: skip
    # each group has a bar of its reports, scaled to the largest group; plain '#' in a pipe
    assert rows[2] == ["no", "2", "5", "5", "0", "100.0%", "#" * 7]
    assert rows[3] == ["yes", "3", "17", "15", "2", "88.2%", "#" * 10]
    assert rows[-1] == ["total", "5", "22", "20", "2", "90.9%"]


def test_stats_table_with_no_recommendations_says_unknown(invoke: Invoke) -> None:
    rows = _table_rows(invoke("stats", "--component", "ICE").stdout)
    assert rows[-1] == ["total", "0", "0", "0", "0", "unknown"]


# --- usage errors (exit 2) --------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["list", "--format", "xml"], "'xml' is not an output format; choose from table, json"),
        (["list", "--json", "--format", "table"], "--json and --format table disagree"),
        (["filter", "--fy", "20x1"], "'20x1' is not a fiscal year or range"),
        (["filter", "--fy", "2022..2019"], "empty range"),
        (["stats", "--fy", ""], "names no year"),
        (["stats", "--by", "compnent"], "Did you mean component?"),
        (["stats", "--by", "nonsense"], "choose from inspector, issue_date, fiscal_year,"),
        (["stats", "--by", "tags"], "Did you mean tag?"),
        (["lst"], "Did you mean 'list'?"),
        (["list", "--colour"], "No such option"),
        (["list", "extra"], "unexpected extra argument"),
        (["filter", "--component"], "requires an argument"),
    ],
)
def test_usage_errors_exit_2(invoke: Invoke, args: list[str], message: str) -> None:
    result = invoke(*args)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert message in result.stderr
    assert "Traceback" not in result.stderr


# --- datasets (exit 3) ------------------------------------------------------------


def test_data_file_round_trip(invoke: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "two.json"
    path.write_text(invoke("filter", "--text", "REDACTED", "--json").stdout, encoding="utf-8")
    result = _json(invoke("stats", "--data", str(path), "--json"))
    assert result["total"] == {
        "reports": 3,
        "recommendations": 17,
        "concurred": 15,
        "concurrence_rate": 15 / 17,
        "unknown_counts": 0,
        "rated_recommendations": 17,
        "not_concurred": 2,
    }


def test_data_from_stdin(invoke: Invoke) -> None:
    text = invoke("show", "21-27", "21-48", "--json").stdout
    assert [
        r["report_number"] for r in _json(invoke("list", "--data", "-", "--json", input=text))
    ] == ["OIG-21-48", "OIG-21-27"]


def test_data_stdin_that_is_a_terminal_is_a_usage_error(invoke: Invoke) -> None:
    env, out, err = fake_terminal(80)
    result = invoke("list", "--data", "-", env=env)
    assert result.exit_code == 2 and out.getvalue() == ""
    assert "standard input, which is a terminal" in err.getvalue()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "bad.json:1:1: invalid JSON: Expecting value"),
        ('{"report_number": "A"}', "record 0 (A): title: missing (required)"),
        ('"A"', "expected a JSON array of report objects, found a string"),
        ('[{"title": "T", "fiscal_year": 2021}]', "report_number: missing (required)"),
        (
            '[{"report_number": "A", "title": "T", "fiscal_year": "2021"}]',
            "fiscal_year: expected integer",
        ),
    ],
)
@pytest.mark.parametrize("command", [["list"], ["show", "A"], ["filter"], ["stats"]])
def test_bad_dataset_exits_3(
    invoke: Invoke, tmp_path: Path, content: str, message: str, command: list[str]
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    result = invoke(*command, "--data", str(path))
    assert result.exit_code == 3
    assert result.stdout == ""
    assert result.stderr.startswith("Error: ") and message in result.stderr


def test_missing_data_file_exits_3(invoke: Invoke, tmp_path: Path) -> None:
    result = invoke("list", "--data", str(tmp_path / "nope.json"))
    assert result.exit_code == 3 and "nope.json: no such file or directory" in result.stderr


# --- the rest ---------------------------------------------------------------------


def test_version(invoke: Invoke) -> None:
    result = invoke("--version")
    assert result.exit_code == 0 and result.stdout == f"oigcli {__version__}\n"


@pytest.mark.parametrize(
    "command", [[], ["list"], ["show"], ["filter"], ["search"], ["stats"], ["validate"], ["schema"]]
)
@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_help_has_examples(invoke: Invoke, command: list[str], flag: str) -> None:
    result = invoke(*command, flag)
    assert result.exit_code == 0
    assert "Examples:" in result.stdout and "oigcli " in result.stdout


def test_no_command_is_a_usage_error_that_shows_help(invoke: Invoke) -> None:
    result = invoke()
    assert result.exit_code == 2 and result.stdout == ""
    assert "Commands:" in result.stderr and "Examples:" in result.stderr


def test_table_output_cannot_drive_the_terminal(
    invoke: Invoke, tmp_path: Path, bundled: list[dict[str, Any]]
) -> None:
    hostile = {
        **bundled[0],
        "title": "Bad \x1b[31mred\x1b[0m\ttab\u202eevil",
        "summary": "line\nbreak \x07bell",
    }
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps([hostile]), encoding="utf-8")
    for command in (["list"], ["show", "21-63"], ["filter"]):
        out = invoke(*command, "--data", str(path)).stdout
        assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out and "\t" not in out
        assert "\\x1b[31mred" in out
    assert "\\x07bell" in invoke("show", "21-63", "--data", str(path)).stdout
    # JSON keeps the data exact, escaped as JSON escapes it
    raw = invoke("list", "--data", str(path), "--json").stdout
    assert "\\u001b[31m" in raw and json.loads(raw)[0]["title"] == hostile["title"]


def test_shared_options_are_the_same_everywhere() -> None:
    """An option that several commands take has the same flags and help in each."""
    import typer.main

    from oigcli.cli.main import app

    group = typer.main.get_command(app)
    seen: dict[str, tuple[Any, ...]] = {}
    shared = 0
    own = {("report", "format")}  # a brief is html or markdown (issue #15), not a table
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        for param in command.params:
            if param.param_type_name != "option" or (name, param.name) in own:
                continue
            record = (tuple(param.opts), tuple(param.secondary_opts), param.help)
            if param.name in seen:
                shared += 1
                assert seen[param.name] == record, f"{name} --{param.name} differs"
            seen.setdefault(param.name, record)
    assert shared >= 20  # format, json, data everywhere; criteria on 3 commands; shaping on 3


def test_start_up_builds_only_the_command_asked_for(monkeypatch: pytest.MonkeyPatch) -> None:
    from oigcli.cli import main as cli

    everything = list(cli.app.registered_commands)
    monkeypatch.setattr(cli.app, "registered_commands", list(everything))
    cli._only_the_command_asked_for(["--help"], {})
    cli._only_the_command_asked_for(["lis"], {})
    cli._only_the_command_asked_for(["stats", "--by", "tag"], {"_OIGCLI_COMPLETE": "bash_complete"})
    assert cli.app.registered_commands == everything  # help, typos and completion: all
    cli._only_the_command_asked_for(["filter", "--text", "x"], {})
    assert [c.name for c in cli.app.registered_commands] == ["filter"]
    monkeypatch.setattr(cli.app, "registered_commands", list(everything))
    cli._only_the_command_asked_for(["show", "21-27"], {})
    assert [c.callback.__name__ for c in cli.app.registered_commands] == ["show"]  # type: ignore[union-attr]


def test_the_index_backend_is_the_one_that_answers(backend: str, invoke: Invoke) -> None:
    """The tests of this file run over both sources; under ``index`` the bundled data's
    index answers (so passing them means the index gives what reading gives)."""
    before = len(INDEX_USED)
    for args in (
        ["list"],
        ["show", "21-27"],
        ["stats"],
        ["search", "CBP"],
        ["filter", "-c", "cbp"],
    ):
        assert invoke(*args).exit_code == 0
    assert len(INDEX_USED) - before == (5 if backend == "index" else 0)


def test_each_command_module_registers_what_main_says_it_does() -> None:
    """main imports only the module of the command asked for, by this table: it must
    name exactly what each module registers, in help's order."""
    from oigcli.cli import main as program

    everything = [program._name(info) for info in program.app.registered_commands]
    assert everything == [name for names, _ in program.MODULES for name in names]


@pytest.mark.parametrize(
    ("args", "loaded", "left"),
    [
        (["list"], "oigcli.cli.queries", "oigcli.cli.datasets"),
        (["validate"], "oigcli.cli.datasets", "oigcli.cli.queries"),
    ],
)
def test_a_start_imports_only_the_command_module_it_needs(
    args: list[str], loaded: str, left: str
) -> None:
    """Importing the other commands cost about 2 ms of every start (issue #22)."""
    code = (
        "import sys\n"
        f"sys.argv = ['oigcli', *{args!r}]\n"
        "from oigcli.cli.main import main\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print({loaded!r} in sys.modules, {left!r} in sys.modules, file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.stderr.strip().splitlines()[-1] == "True False", done.stderr


def test_show_of_a_missing_number_points_at_list(invoke: Invoke) -> None:
    """The command line says where the numbers are; the core (and the API) do not."""
    result = invoke("show", "21-99")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == "Run 'oigcli list' to see every report number."
