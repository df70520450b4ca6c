"""--skip-invalid and OIGCLI_SKIP_INVALID: a dataset with problems used without the records
that have them (issue #14, partial archives), over both sources."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import Invoke, run_oigcli, write_file
from scraper import EXPECTED, write_archive

pytestmark = pytest.mark.usefixtures("backend")
"""Every test here runs over both sources: reading the data, and its index."""

GOOD = {"report_number": "A-1", "title": "Good canine report", "fiscal_year": 2021,
        "component": "CBP", "recommendations": 2, "recommendations_concurred": 1}  # fmt: skip
RECORDS = [
    GOOD,
    {"report_number": "A-2", "title": "Bad year", "fiscal_year": "x"},
    {**GOOD, "title": "A second A-1"},  # a duplicate number: the later one is left out
    {"report_number": "A-3", "title": "Other", "fiscal_year": 2020},
]


@pytest.fixture
def bad_file(tmp_path: Path) -> str:
    return write_file(tmp_path, json.dumps(RECORDS))


def _numbers(output: str) -> list[str]:
    return [r["report_number"] for r in json.loads(output)]


def test_strict_stays_the_default(invoke: Invoke, bad_file: str) -> None:
    result = invoke("list", "--json", "--data", bad_file)
    assert result.exit_code == 3 and result.stdout == ""
    assert "cannot be used: 2 problems" in result.stderr and "oigcli validate" in result.stderr


@pytest.mark.parametrize(
    ("args", "check"),
    [
        (["list", "--json"], lambda out: _numbers(out) == ["A-1", "A-3"]),
        (["filter", "-c", "cbp", "--json"], lambda out: _numbers(out) == ["A-1"]),
        (["search", "canine", "--json"], lambda out: _numbers(out) == ["A-1"]),
        (["show", "A-3", "--json"], lambda out: json.loads(out)["title"] == "Other"),
        (["stats", "--json"], lambda out: json.loads(out)["total"]["reports"] == 2),
        (["list", "--limit", "1", "--json"], lambda out: _numbers(out) == ["A-1"]),
        (["list", "--format", "csv"], lambda out: out.count("\n") == 3),
    ],
)
def test_every_command_uses_what_is_valid_and_says_what_it_left_out(
    invoke: Invoke, bad_file: str, args: list[str], check: Any
) -> None:
    result = invoke(*args, "--data", bad_file, "--skip-invalid")
    assert result.exit_code == 0, result.output
    assert check(result.stdout), result.stdout
    note = result.stderr
    assert "--skip-invalid used 2 reports of" in note and "leaving out 2 records with" in note
    assert "record 1 (A-2): fiscal_year" in note and "record 2 (A-1): id" in note
    assert f"Run 'oigcli validate {bad_file}'" in note


def test_the_environment_variable_does_the_same(
    invoke: Invoke, bad_file: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OIGCLI_SKIP_INVALID", "1")
    result = invoke("list", "--json", "--data", bad_file)
    assert result.exit_code == 0 and _numbers(result.stdout) == ["A-1", "A-3"]
    assert "leaving out 2 records with problems" in result.stderr
    validated = invoke("validate", bad_file)  # validate lists every problem, whatever is set
    assert validated.exit_code == 3 and "2 problems" in validated.stderr


def test_a_valid_dataset_is_unchanged_and_says_nothing(invoke: Invoke, tmp_path: Path) -> None:
    path = write_file(tmp_path, json.dumps([GOOD]))
    plain, skipping = (
        invoke("list", "--json", "--data", path),
        invoke("list", "--json", "--data", path, "--skip-invalid"),
    )
    assert (plain.exit_code, plain.stdout) == (skipping.exit_code, skipping.stdout)
    assert skipping.stderr == ""


def test_a_truncated_report_json_in_an_archive(invoke: Invoke, tmp_path: Path) -> None:
    """The scraper does not write atomically: one report.json cut short blocks nothing."""
    root = write_archive(tmp_path / "archive")
    broken = next(root.rglob("report.json"))
    broken.write_text(broken.read_text(encoding="utf-8")[:40], encoding="utf-8")
    assert invoke("list", "--data", str(root)).exit_code == 3
    result = invoke("list", "--json", "--data", str(root), "--skip-invalid")
    assert result.exit_code == 0
    assert len(json.loads(result.stdout)) == len(EXPECTED) - 1
    assert f"used {len(EXPECTED) - 1} reports" in result.stderr
    assert "what could not be read in 1 place" in result.stderr and str(broken) in result.stderr


def test_the_python_api_skips_too(bad_file: str) -> None:
    import oigcli
    from oigcli.model.errors import DatasetError

    with pytest.raises(DatasetError):
        list(oigcli.open(bad_file).filter())
    with oigcli.open(bad_file, skip_invalid=True) as reports:
        assert [r["report_number"] for r in reports.filter()] == ["A-1", "A-3"]
        assert reports.stats()["total"]["reports"] == 2


def test_standard_input_with_problems(bad_file: str) -> None:
    """In a real process, from a pipe: the note on stderr, the data on stdout."""
    text = Path(bad_file).read_text(encoding="utf-8")
    import subprocess

    from conftest import oigcli_executable

    done = subprocess.run(
        [oigcli_executable(), "list", "--data", "-", "--format", "jsonl", "--skip-invalid"],
        input=text,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0
    assert [json.loads(line)["report_number"] for line in done.stdout.splitlines()] == [
        "A-1",
        "A-3",
    ]
    assert "used 2 reports of <stdin>, leaving out 2 records with problems" in done.stderr
    assert run_oigcli(["list", "--data", bad_file]).returncode == 3
