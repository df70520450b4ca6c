"""Reading and validating datasets: every problem named with its place, exit-3 errors."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from oigcli.dataset import load, normalise, parse, problems, read_text
from oigcli.errors import DatasetError
from oigcli.schema import FIELD_NAMES

MINIMAL = {"report_number": "OIG-1", "title": "T", "fiscal_year": 2020}


def _error(text: str) -> str:
    with pytest.raises(DatasetError) as error:
        parse(text, "f.json")
    return str(error.value)


def test_what_json_output_prints_reads_back(bundled: list[dict[str, Any]]) -> None:
    assert parse(json.dumps(bundled)) == bundled


def test_absent_optional_fields_are_null_and_keys_come_in_schema_order() -> None:
    report = parse(
        json.dumps([{"fiscal_year": 2020, "title": "T", "report_number": "A", "extra": 1}])
    )[0]
    assert tuple(report) == FIELD_NAMES
    assert report["tags"] == [] and report["summary"] is None and report["redacted"] is None
    assert "extra" not in report


def test_normalise_keeps_values() -> None:
    assert normalise({**MINIMAL, "tags": ["x"]})["tags"] == ["x"]


def test_invalid_json_names_line_and_column() -> None:
    message = _error('[\n  {"report_number": "A",,}\n]')
    assert message.startswith("f.json: invalid JSON at line 2, column")


@pytest.mark.parametrize(
    ("text", "found"),
    [("{}", "an object"), ('"x"', "a string"), ("3", "a number"), ("null", "null")],
)
def test_top_level_must_be_an_array(text: str, found: str) -> None:
    assert _error(text) == f"f.json: expected a JSON array of report objects, found {found}"


def test_deep_nesting_is_a_dataset_error() -> None:
    assert "nested too deeply" in _error("[" * 100_000 + "]" * 100_000)


@pytest.mark.parametrize(
    ("record", "problem"),
    [
        ({"title": "T", "fiscal_year": 2020}, "record 0: report_number: missing (required)"),
        ({"report_number": "A", "fiscal_year": 2020}, "record 0 (A): title: missing (required)"),
        ({"report_number": "A", "title": "T"}, "record 0 (A): fiscal_year: missing (required)"),
        ({**MINIMAL, "fiscal_year": "2020"}, "fiscal_year: expected integer, found a string"),
        ({**MINIMAL, "fiscal_year": 2020.5}, "fiscal_year: expected integer, found a number"),
        (
            {**MINIMAL, "recommendations": True},
            "recommendations: expected integer or null, found a boolean",
        ),
        ({**MINIMAL, "redacted": "yes"}, "redacted: expected boolean or null, found a string"),
        ({**MINIMAL, "tags": None}, "tags: null is not allowed"),
        ({**MINIMAL, "tags": "OFO"}, "tags: expected list of strings, found a string"),
        ({**MINIMAL, "tags": ["OFO", 3]}, "tags: expected list of strings, found an array"),
        (
            {**MINIMAL, "issue_date": "June 2021"},
            "issue_date: 'June 2021' is not a date in YYYY-MM-DD form",
        ),
        ({**MINIMAL, "issue_date": "2021-02-30"}, "issue_date: '2021-02-30' is not a date"),
        ({**MINIMAL, "issue_date": "20210630"}, "issue_date: '20210630' is not a date"),
        ({**MINIMAL, "title": ["T"]}, "title: expected string, found an array"),
    ],
)
def test_record_problems(record: dict[str, Any], problem: str) -> None:
    found = problems([record])
    assert len(found) == 1 and problem in found[0]
    assert problem in _error(json.dumps([record]))


def test_non_objects_and_duplicates() -> None:
    found = problems([MINIMAL, 3, {**MINIMAL}])
    assert found == [
        "record 1: expected an object, found a number",
        "record 2 (OIG-1): duplicate report_number (also record 0)",
    ]


def test_message_shows_the_first_problems_and_counts_the_rest() -> None:
    message = _error(json.dumps([{"title": "T"}] * 3))
    lines = message.splitlines()
    assert lines[0] == "invalid dataset"
    assert len(lines) == 5 and lines[-1] == "... and 3 more problems"


def test_read_a_file_and_stdin(tmp_path: Path, bundled: list[dict[str, Any]]) -> None:
    path = tmp_path / "r.json"
    path.write_text(json.dumps(bundled[:2]), encoding="utf-8")
    assert load(str(path)) == bundled[:2]
    assert load("-", io.StringIO(json.dumps(bundled[2:]))) == bundled[2:]


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda d: d / "missing.json", "missing.json: no such file"),
        (lambda d: d, "is a directory, not a JSON file"),
    ],
)
def test_unreadable_paths(tmp_path: Path, make: Any, expected: str) -> None:
    with pytest.raises(DatasetError) as error:
        read_text(str(make(tmp_path)))
    assert expected in str(error.value)


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.json"
    path.write_bytes('[{"title": "caf\u00e9"}]'.encode("latin-1"))
    with pytest.raises(DatasetError) as error:
        read_text(str(path))
    assert "not UTF-8 text" in str(error.value)


def test_no_stdin() -> None:
    with pytest.raises(DatasetError):
        read_text("-", None)
