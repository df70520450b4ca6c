"""Bring your own data: every kind of source through every command, validate, schema."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from conftest import NUMBERS, SCAN_ONLY, Invoke
from scraper import EXPECTED, REPORTS, write_archive

pytestmark = pytest.mark.usefixtures("backend")
"""Every test here runs over both sources: reading the data, and its index."""

READERS = [
    ["list"],
    ["show", "OIG-21-01"],
    ["filter", "--fy", "2021"],
    ["search", "oversight"],
    ["stats", "--by", "component"],
]


@pytest.fixture
def archive(tmp_path: Path) -> str:
    return str(write_archive(tmp_path / "inspectors-general" / "data"))


def _sources(tmp_path: Path, archive: str) -> dict[str, tuple[list[str], str | None]]:
    """Each kind of source for EXPECTED: (args, stdin)."""
    array = tmp_path / "reports.json"
    array.write_text(json.dumps(EXPECTED), encoding="utf-8")
    lines = tmp_path / "reports.jsonl"
    lines.write_text("".join(json.dumps(r) + "\n" for r in EXPECTED), encoding="utf-8")
    return {
        "array": (["--data", str(array)], None),
        "lines": (["--data", str(lines)], None),
        "archive": (["--data", archive], None),
        "archive folder": (["--data", str(Path(archive) / "dhs")], None),
        "stdin array": (["--data", "-"], json.dumps(EXPECTED)),
        "stdin lines": (["--data", "-"], "".join(json.dumps(r) + "\n" for r in REPORTS)),
    }


KINDS = ["array", "lines", "archive", "archive folder", "stdin array", "stdin lines"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("command", READERS)
def test_every_source_through_every_command(
    invoke: Invoke, tmp_path: Path, archive: str, kind: str, command: list[str]
) -> None:
    args, stdin = _sources(tmp_path, archive)[kind]
    result = invoke(*command, *args, "--json", input=stdin)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    if command[0] == "list":
        assert data == [EXPECTED[2], EXPECTED[1], EXPECTED[0]]  # newest first
    elif command[0] == "show":
        assert data == EXPECTED[1]
    elif command[0] == "filter":
        assert [r["report_number"] for r in data] == ["OIG-21-40", "OIG-21-01"]
    elif command[0] == "search":
        assert [r["report_number"] for r in data] == ["OIG-21-01"]
    else:
        assert [(g["key"], g["reports"]) for g in data["groups"]] == [
            ("CBP", 1),
            ("FEMA", 1),
            ("ICE", 1),
        ]


@pytest.mark.parametrize("kind", KINDS)
def test_every_source_validates(invoke: Invoke, tmp_path: Path, archive: str, kind: str) -> None:
    args, stdin = _sources(tmp_path, archive)[kind]
    result = invoke("validate", *args, input=stdin)
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith(": 3 reports, no problems\n")


def test_oigcli_data_and_the_option_that_wins(
    invoke: Invoke, archive: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("OIGCLI_DATA", archive)
    assert [r["report_number"] for r in json.loads(invoke("list", "--json").stdout)] == [
        "OIG-21-40",
        "OIG-21-01",
        "OIG-20-10",
    ]
    bundled = tmp_path / "b.json"
    bundled.write_text(
        invoke("list", "--json", "--data", "-", input=json.dumps([EXPECTED[0]])).stdout,
        encoding="utf-8",
    )
    assert [
        r["report_number"]
        for r in json.loads(invoke("list", "--json", "--data", str(bundled)).stdout)
    ] == ["OIG-20-10"]
    monkeypatch.setenv("OIGCLI_DATA", "")
    assert [r["report_number"] for r in json.loads(invoke("list", "--json").stdout)] == NUMBERS


# --- round trips --------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
@pytest.mark.parametrize(
    "command", [["list"], ["filter", "--where", "recommendations>=4"], ["filter", "--fy", "2021"]]
)
def test_output_reads_back_unchanged(
    invoke: Invoke, archive: str, fmt: str, command: list[str]
) -> None:
    for source in ([], ["--data", archive]):
        first = invoke(*command, *source, "--format", fmt).stdout
        again = invoke(*command, "--data", "-", "--format", fmt, input=first).stdout
        assert again == first
        records = (
            [json.loads(line) for line in first.splitlines()]
            if fmt == "jsonl"
            else json.loads(first)
        )
        back = json.loads(
            invoke("list", "--data", "-", "--json", "--sort", "report_number", input=first).stdout
        )
        assert sorted(records, key=lambda r: r["report_number"]) == back


def test_empty_stdin_is_no_reports_but_an_empty_file_is_a_mistake(
    invoke: Invoke, tmp_path: Path
) -> None:
    nothing = invoke("filter", "--component", "nobody", "--format", "jsonl").stdout
    assert nothing == ""
    total = json.loads(invoke("stats", "--data", "-", "--json", input=nothing).stdout)["total"]
    assert total["reports"] == 0
    (tmp_path / "empty.jsonl").write_text(nothing, encoding="utf-8")
    result = invoke("stats", "--data", str(tmp_path / "empty.jsonl"))
    assert result.exit_code == 3 and "use --json, which writes []" in result.stderr


def test_pipeline_through_jq_and_back(invoke: Invoke) -> None:
    redacted = [r for r in json.loads(invoke("filter", "--json").stdout) if r["redacted"]]
    total = json.loads(invoke("stats", "--data", "-", "--json", input=json.dumps(redacted)).stdout)[
        "total"
    ]
    assert (total["reports"], total["recommendations"], total["concurred"]) == (3, 17, 15)


# --- validate -----------------------------------------------------------------------------

BROKEN = [
    {"report_number": "A", "title": "T", "fiscal_year": 2021, "issue_date": "2021-10-05"},
    {"title": 3, "fiscal_year": 2021},
    {
        "report_number": "A",
        "title": "U",
        "fiscal_year": 2021,
        "recommendations": 1,
        "recommendations_concurred": 2,
    },
]
BROKEN_PROBLEMS = [
    (0, "A", "fiscal_year", "2021 disagrees with issue_date 2021-10-05 (fiscal year 2022)"),
    (1, None, "report_number", "missing (required)"),
    (1, None, "title", "expected string, found a number"),
    (2, "A", "recommendations_concurred", "2 is more than the 1 recommendations made"),
    (2, "A", "id", "duplicate (also record 0)"),
]


@pytest.fixture
def broken(tmp_path: Path) -> str:
    path = tmp_path / "broken.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in BROKEN), encoding="utf-8")
    return str(path)


def test_validate_lists_every_problem(invoke: Invoke, broken: str) -> None:
    result = invoke("validate", broken)
    assert result.exit_code == 3
    assert result.stdout.splitlines() == [
        f"{broken}:{record + 1}: record {record}{f' ({number})' if number else ''}: {field}: {message}"
        for record, number, field, message in BROKEN_PROBLEMS
    ]
    assert result.stderr == f"5 problems in {broken}\n"


def test_validate_json_lists_problems_as_objects(invoke: Invoke, broken: str) -> None:
    result = invoke("validate", broken, "--format", "json")
    assert result.exit_code == 3
    problems = json.loads(result.stdout)
    assert [
        (p["record"], p["report_number"], p["field"], p["message"]) for p in problems
    ] == BROKEN_PROBLEMS
    assert [p["line"] for p in problems] == [1, 2, 2, 3, 3]
    assert all(
        p["source"] == broken
        and list(p) == ["source", "message", "line", "column", "record", "report_number", "field"]
        for p in problems
    )


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "tsv", "markdown"])
def test_validate_other_formats(invoke: Invoke, broken: str, fmt: str) -> None:
    result = invoke("validate", broken, "--format", fmt)
    assert result.exit_code == 3 and result.stdout.count("disagrees with issue_date") == 1


def test_validate_a_valid_dataset(invoke: Invoke) -> None:
    result = invoke("validate")
    assert result.exit_code == 0 and result.stdout == "bundled dataset: 5 reports, no problems\n"
    assert invoke("validate", "--json").stdout.strip() == "[]"


def test_validate_the_active_dataset(
    invoke: Invoke, broken: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert invoke("validate", "--data", broken).exit_code == 3
    monkeypatch.setenv("OIGCLI_DATA", broken)
    assert invoke("validate").exit_code == 3


def test_validate_what_cannot_be_read(invoke: Invoke, tmp_path: Path) -> None:
    result = invoke("validate", str(tmp_path / "nope.json"), "--json")
    assert result.exit_code == 3
    assert json.loads(result.stdout) == [
        {
            "source": str(tmp_path / "nope.json"),
            "message": "no such file or directory",
            "line": None,
            "column": None,
            "record": None,
            "report_number": None,
            "field": None,
        }
    ]


def test_validate_syntax_with_line_and_column(invoke: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('[\n  {"title": "T",\n   "fiscal_year": 20x1}\n]', encoding="utf-8")
    result = invoke("validate", str(path))
    assert (
        result.exit_code == 3
        and result.stdout == f"{path}:3:21: invalid JSON: Expecting ',' delimiter\n"
    )


def test_validate_stdin(invoke: Invoke) -> None:
    result = invoke("validate", "-", input=json.dumps(BROKEN))
    assert result.exit_code == 3 and result.stdout.startswith("<stdin>: record 0 (A): fiscal_year:")


# --- every other command on a bad dataset ---------------------------------------------------


def _bad_sources(tmp_path: Path) -> dict[str, tuple[str, str]]:
    (tmp_path / "empty-dir").mkdir()
    cases = {
        "empty.json": ("", "empty; expected a JSON array of reports or JSON Lines"),
        "latin1.json": (None, "not UTF-8 text"),
        "invalid.json": ("[{]", "invalid JSON"),
        "number.json": ("42", "expected a JSON array of report objects, found a number"),
        "strings.json": ('["a", "b"]', "record 0: expected a report object, found a string"),
        "many.json": (json.dumps([{"x": 1}] * 4), "Run 'oigcli validate"),
    }
    out = {}
    for name, (text, message) in cases.items():
        path = tmp_path / name
        if text is None:
            path.write_bytes('[{"title": "caf\u00e9"}]'.encode("latin-1"))
        else:
            path.write_text(text, encoding="utf-8")
        out[name] = (str(path), message)
    out["missing"] = (str(tmp_path / "missing.json"), "no such file or directory")
    out["empty-dir"] = (str(tmp_path / "empty-dir"), "no report.json files")
    return out


BAD = [
    "empty.json",
    "latin1.json",
    "invalid.json",
    "number.json",
    "strings.json",
    "many.json",
    "missing",
    "empty-dir",
]


@pytest.mark.parametrize("case", BAD)
@pytest.mark.parametrize("command", READERS)
def test_bad_datasets_exit_3_with_the_first_problems(
    invoke: Invoke, tmp_path: Path, case: str, command: list[str]
) -> None:
    path, message = _bad_sources(tmp_path)[case]
    result = invoke(*command, "--data", path)
    assert result.exit_code == 3, result.output
    assert result.stdout == ""
    assert result.stderr.startswith("Error: ") and message in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("case", BAD)
def test_validate_reports_the_same_bad_datasets(invoke: Invoke, tmp_path: Path, case: str) -> None:
    path, _ = _bad_sources(tmp_path)[case]
    result = invoke("validate", path, "--json")
    assert result.exit_code == 3 and len(json.loads(result.stdout)) >= 1


@SCAN_ONLY  # (a test of reading the file; the index backend's builder reads its descriptor)
def test_permission_denied(invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "locked.json"
    path.write_text("[]", encoding="utf-8")

    def refuse(self: Path, *args: Any, **kwargs: Any) -> Any:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "open", refuse)  # tests run as root, who may read anything
    result = invoke("list", "--data", str(path))
    assert result.exit_code == 3 and result.stderr == f"Error: {path}: permission denied\n"


# --- schema ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    from typer.testing import CliRunner

    from oigcli.cli.main import app

    result = CliRunner().invoke(app, ["schema"])
    assert result.exit_code == 0
    document: dict[str, Any] = json.loads(result.stdout)
    jsonschema.Draft202012Validator.check_schema(document)
    return document


def test_schema_describes_the_fields(schema: dict[str, Any]) -> None:
    from oigcli.model.schema import FIELD_NAMES

    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert list(schema["properties"]) == list(FIELD_NAMES)
    assert schema["required"] == ["report_number", "title", "fiscal_year"]
    assert schema["properties"]["issue_date"]["type"] == ["string", "null"]
    assert schema["properties"]["tags"] == {
        "description": "Keywords the report is listed under.",
        "type": "array",
        "items": {"type": "string"},
    }


def test_bundled_data_meets_the_schema(
    schema: dict[str, Any], bundled: list[dict[str, Any]]
) -> None:
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    for report in bundled:
        validator.validate(report)


@pytest.mark.parametrize(
    "args",
    [
        ["list", "--json"],
        ["filter", "--fy", "2021", "--json"],
        ["search", "cbp", "--json"],
        ["show", "21-27", "21-19", "--json"],
        ["list", "--format", "jsonl"],
    ],
)
@pytest.mark.parametrize("source", ["bundled", "archive"])
def test_every_json_output_meets_the_schema(
    invoke: Invoke, schema: dict[str, Any], archive: str, args: list[str], source: str
) -> None:
    extra = [] if source == "bundled" else ["--data", archive]
    if source == "archive" and args[0] == "show":
        args = ["show", "OIG-21-01", "OIG-20-10", "--json"]
    text = invoke(*args, *extra).stdout
    records = (
        [json.loads(line) for line in text.splitlines()] if "jsonl" in args else json.loads(text)
    )
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    assert records
    for record in records:
        validator.validate(record)


def test_the_schema_rejects_what_validate_rejects(schema: dict[str, Any]) -> None:
    validator = jsonschema.Draft202012Validator(schema)
    for record in (
        {"title": "T", "fiscal_year": 2021},
        {"report_number": "A", "title": "T", "fiscal_year": "2021"},
        {"report_number": "A", "title": "T", "fiscal_year": 2021, "tags": [1]},
    ):
        assert not validator.is_valid(record)


def test_a_bad_record_that_a_query_would_not_select_still_stops_it(
    invoke: Invoke, tmp_path: Path, bundled: list[dict[str, Any]]
) -> None:
    path = tmp_path / "mixed.json"
    path.write_text(
        json.dumps([*bundled, {"report_number": "X", "title": "zebra", "fiscal_year": "2021"}]),
        encoding="utf-8",
    )
    for command in (["filter", "--text", "medical"], ["stats", "--fy", "2021"], ["show", "21-27"]):
        result = invoke(*command, "--data", str(path))
        assert result.exit_code == 3 and "fiscal_year: expected integer" in result.stderr, command


@pytest.mark.parametrize(
    ("derived", "amount"),
    [
        ({"recommendations": 5}, None),  # not where a value came from
        ({"recommendations": {"from": "the web", "sentence": "We made five."}}, None),
        ({"score": {"from": "summary", "sentence": "x"}}, None),  # not a value read so
        ({"recommendations": {"from": "text", "sentence": "x", "extra": 1}}, None),
        ("We made five recommendations.", None),
        (None, -5),
    ],
)
def test_validate_names_a_wrong_derived_or_amount(
    invoke: Invoke, tmp_path: Path, derived: Any, amount: int | None
) -> None:
    record = {"report_number": "OIG-1", "title": "T", "fiscal_year": 2021, "derived": derived}
    record["questioned_costs"] = amount
    path = tmp_path / "one.json"
    path.write_text(json.dumps([record]), encoding="utf-8")
    result = invoke("validate", str(path))
    assert result.exit_code == 3
    if amount is None:
        assert "derived: expected null or an object of fields" in result.stdout
    else:
        assert "questioned_costs: -5 is negative (an amount cannot be)" in result.stdout


def test_derived_compares_only_with_null(invoke: Invoke) -> None:
    result = invoke("filter", "--where", "derived=5")
    assert result.exit_code == 2
    assert "derived is an object: only derived=null and derived!=null compare it" in result.stderr
    assert len(json.loads(invoke("filter", "--where", "derived!=null", "--json").stdout)) == 5


def test_csv_writes_derived_as_json_and_amounts_exactly(invoke: Invoke) -> None:
    result = invoke("show", "OIG-21-27", "--format", "csv")
    row = next(csv.DictReader(io.StringIO(result.stdout)))
    assert json.loads(row["derived"])["recommendations"] == {
        "from": "summary",
        "sentence": "We made eight recommendations aimed at improving international mail "
        "processes at JFK International Airport.",
    }
    assert row["questioned_costs"] == ""
