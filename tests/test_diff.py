"""oigcli diff OLD NEW: reports added, removed and changed, matched by id (issue #15, part)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings

import oigcli
from conftest import Invoke, write_file
from oigcli.query.compare import COMPARED, DIFF_COLUMNS, compare
from scraper import write_full_archive, zip_archive
from strategies import datasets

pytestmark = pytest.mark.usefixtures("backend")


def _datasets(tmp_path: Path, bundled: list[dict[str, Any]]) -> tuple[str, str]:
    """OLD: the bundled five. NEW: the first removed, a title and a count changed, one
    report added."""
    new = [dict(r) for r in bundled[1:]]
    new[0]["title"] = "A new title"
    new[1]["recommendations"] = None
    added = {**bundled[0], "id": "dhs/OIG-22-01", "report_number": "OIG-22-01"}
    new.append({**added, "fiscal_year": 2022, "title": "Brand new"})
    old_path = write_file(tmp_path, json.dumps(bundled), "old.json")
    return old_path, write_file(tmp_path, json.dumps(new), "new.json")


# --- the core -----------------------------------------------------------------------------


def test_compare_matches_by_id(bundled: list[dict[str, Any]]) -> None:
    gpo = {**bundled[0], "id": "gpo/14-01", "report_number": "14-01", "inspector": "gpo"}
    lsc = {**bundled[0], "id": "lsc/14-01", "report_number": "14-01", "inspector": "lsc"}
    found = compare([gpo], [lsc])  # the same number, two reports: one gone, one new
    assert [r["id"] for r in found.added] == ["lsc/14-01"]
    assert [r["id"] for r in found.removed] == ["gpo/14-01"]
    assert found.changed == []
    assert compare(bundled, bundled).empty and compare([], []).empty


def test_compare_pairs_one_inspectors_number_across_id_forms_when_the_year_agrees(
    bundled: list[dict[str, Any]],
) -> None:
    """The bundled file's id and the scraper's name one report when inspector, number and
    fiscal year agree and nothing else shares them; otherwise they stay apart, said."""
    old = bundled[0]
    renamed = {**old, "id": "dhs/OIG-21-63_2021"}
    found = compare([old], [renamed])
    assert (found.added, found.removed, found.doubts) == ([], [], ())
    assert [c.changes for c in found.changed] == [
        {"id": {"old": "dhs/OIG-21-63", "new": "dhs/OIG-21-63_2021"}}
    ]
    earlier = {**old, "id": "dhs/OIG-21-63_2009", "fiscal_year": 2009}
    found = compare([old], [earlier])
    assert [r["id"] for r in found.added] == ["dhs/OIG-21-63_2009"]
    assert [r["id"] for r in found.removed] == ["dhs/OIG-21-63"]
    assert len(found.doubts) == 1 and "not taken for one report" in found.doubts[0]
    # two of the same year: which is which cannot be told
    twins = [{**renamed, "id": "dhs/a"}, {**renamed, "id": "dhs/b"}]
    found = compare([old], twins)
    assert len(found.added) == 2 and len(found.removed) == 1 and len(found.doubts) == 2


@pytest.mark.parametrize(
    ("field", "old", "new"),
    [
        ("redacted", True, None),  # known, then unknown
        ("recommendations", 1, True),  # equal in Python, not in JSON
        ("components", ["CBP", "ICE"], ["ICE", "CBP"]),  # a list's order is its content
        ("issue_date", None, "2021-06-01"),
    ],
)
def test_each_changed_field_has_its_old_and_new_value(
    bundled: list[dict[str, Any]], field: str, old: Any, new: Any
) -> None:
    found = compare([{**bundled[0], field: old}], [{**bundled[0], field: new}])
    assert [c.as_dict() for c in found.changed] == [
        {
            "id": "dhs/OIG-21-63",
            "report_number": "OIG-21-63",
            "changes": {field: {"old": old, "new": new}},
        }
    ]


def test_the_full_text_and_the_id_are_not_compared() -> None:
    assert "text" not in COMPARED and "id" not in COMPARED


# --- the command --------------------------------------------------------------------------


def test_the_json_shape(invoke: Invoke, tmp_path: Path, bundled: list[dict[str, Any]]) -> None:
    old, new = _datasets(tmp_path, bundled)
    result = invoke("diff", old, new, "--json")
    assert result.exit_code == 1, result.output  # as diff(1): they differ
    found = json.loads(result.stdout)
    assert list(found) == ["added", "removed", "changed", "unreadable"]
    assert found["unreadable"] == []
    assert [r["id"] for r in found["added"]] == ["dhs/OIG-22-01"]
    assert found["added"][0]["title"] == "Brand new"  # whole reports, as --json prints them
    assert found["removed"] == [bundled[0]]
    assert found["changed"] == [
        {
            "id": "dhs/OIG-21-48",
            "report_number": "OIG-21-48",
            "changes": {"title": {"old": bundled[1]["title"], "new": "A new title"}},
        },
        {
            "id": "dhs/OIG-21-34",
            "report_number": "OIG-21-34",
            "changes": {"recommendations": {"old": 2, "new": None}},
        },
    ]


def test_the_same_dataset_twice_is_no_difference(invoke: Invoke, tmp_path: Path) -> None:
    bundled = json.loads(invoke("list", "--json").stdout)
    path = write_file(tmp_path, json.dumps(bundled), "copy.json")
    lines = write_file(tmp_path, "".join(json.dumps(r) + "\n" for r in bundled), "copy.jsonl")
    for fmt in ("table", "markdown", "csv"):
        result = invoke("diff", path, lines, "--format", fmt)
        assert result.exit_code == 0 and result.stderr == ""
        assert result.stdout == ("" if fmt != "csv" else ",".join(DIFF_COLUMNS) + "\n")
    same = invoke("diff", path, lines, "--json")
    assert same.exit_code == 0
    assert json.loads(same.stdout) == {"added": [], "removed": [], "changed": [], "unreadable": []}
    assert invoke("diff", path, lines, "--format", "jsonl").stdout == ""


def test_every_format(invoke: Invoke, tmp_path: Path, bundled: list[dict[str, Any]]) -> None:
    old, new = _datasets(tmp_path, bundled)
    lines = [
        json.loads(line) for line in invoke("diff", old, new, "-f", "jsonl").stdout.splitlines()
    ]
    assert [(line["change"], line["id"]) for line in lines] == [
        ("added", "dhs/OIG-22-01"),
        ("removed", "dhs/OIG-21-63"),
        ("changed", "dhs/OIG-21-48"),
        ("changed", "dhs/OIG-21-34"),
    ]
    assert (
        lines[1]["report"] == bundled[0] and lines[3]["changes"]["recommendations"]["new"] is None
    )
    for fmt, delimiter in (("csv", ","), ("tsv", "\t")):
        text = invoke("diff", old, new, "--format", fmt).stdout
        rows = list(csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter))
        assert [(r["change"], r["field"], r["old"], r["new"]) for r in rows] == [
            ("added", "title", "", "Brand new"),
            ("removed", "title", bundled[0]["title"], ""),
            ("changed", "title", bundled[1]["title"], "A new title"),
            ("changed", "recommendations", "2", ""),
        ]
    table = invoke("diff", old, new).stdout
    assert table.splitlines()[0].split() == list(DIFF_COLUMNS)
    assert "1 added, 1 removed, 2 changed" in table
    assert " 2  " in table and "unknown" in table  # a count that became unknown says so
    markdown = invoke("diff", old, new, "--format", "markdown").stdout
    assert markdown.startswith("## 1 added, 1 removed, 2 changed\n\n| change | id |")
    assert "| changed | dhs/OIG-21-34 | OIG-21-34 | recommendations | 2 | unknown |" in markdown


def test_criteria_narrow_both_sides(
    invoke: Invoke, tmp_path: Path, bundled: list[dict[str, Any]]
) -> None:
    old, new = _datasets(tmp_path, bundled)
    narrowed = invoke("diff", old, new, "--fy", "2022", "--json")
    assert narrowed.exit_code == 1
    assert json.loads(narrowed.stdout) == {
        "added": json.loads(narrowed.stdout)["added"],
        "removed": [],
        "changed": [],
        "unreadable": [],
    }
    assert invoke("diff", old, new, "--not-redacted", "--where", "recommendations>3").exit_code == 0
    assert invoke("diff", old, new, "-c", "ICE", "--json").exit_code == 0


def test_standard_input_may_be_one_side(
    invoke: Invoke, tmp_path: Path, bundled: list[dict[str, Any]]
) -> None:
    old, new = _datasets(tmp_path, bundled)
    text = Path(new).read_text(encoding="utf-8")
    piped = invoke("diff", old, "-", "--json", input=text)
    assert piped.exit_code == 1
    assert json.loads(piped.stdout) == json.loads(invoke("diff", old, new, "--json").stdout)


@pytest.mark.parametrize(
    ("args", "status", "message"),
    [
        (["-", "-"], 2, "cannot both be standard input"),
        (["OLD"], 2, "Missing argument 'NEW'"),
        (["--by", "x"], 2, "No such option"),
        (["missing.json", "{bundled}"], 3, "no such file or directory"),
        (["{bundled}", "{broken}"], 3, "cannot be used"),
        (["{bundled}", "{bundled}", "--fy", "20x1"], 2, "not a fiscal year"),
    ],
)
def test_bad_input(
    invoke: Invoke, tmp_path: Path, args: list[str], status: int, message: str
) -> None:
    from conftest import BUNDLED_JSON

    broken = write_file(tmp_path, '[{"title": "no number"}]', "broken.json")
    filled = [a.format(bundled=BUNDLED_JSON, broken=broken) for a in args]
    result = invoke("diff", *filled, input="[]")
    assert result.exit_code == status, result.output
    assert message in result.stderr and result.stdout == ""
    assert "Traceback" not in result.output


def test_an_archive_against_itself_and_changed(invoke: Invoke, tmp_path: Path) -> None:
    root = write_full_archive(tmp_path / "data")
    bulk = zip_archive(root, tmp_path / "bulk.zip")
    assert invoke("diff", str(bulk), str(root)).exit_code == 0  # the zip is the folder
    record = root / "gpo" / "2013" / "14-01" / "report.json"
    changed = json.loads(record.read_text(encoding="utf-8"))
    changed["title"] = "Passport Printing Controls, revised"
    record.write_text(json.dumps(changed), encoding="utf-8")
    (root / "gpo" / "2013" / "14-01" / "report.txt").write_text("new text", encoding="utf-8")
    found = json.loads(invoke("diff", str(bulk), str(root), "--json").stdout)
    assert found["changed"] == [
        {
            "id": "gpo/14-01",
            "report_number": "14-01",
            "changes": {
                "title": {
                    "old": "Passport Printing Controls",
                    "new": "Passport Printing Controls, revised",
                }
            },
        }
    ]  # (the text changed too, and is not compared: lsc/14-01 is untouched)


def test_hostile_values_are_escaped(
    invoke: Invoke, tmp_path: Path, bundled: list[dict[str, Any]]
) -> None:
    evil = {**bundled[0], "title": "\x1b[2Jgone | [x](https://evil.example)"}
    old = write_file(tmp_path, json.dumps([bundled[0]]), "old.json")
    new = write_file(tmp_path, json.dumps([evil]), "new.json")
    for fmt in ("table", "markdown"):
        out = invoke("diff", old, new, "--format", fmt).stdout
        assert "\x1b" not in out
    assert "[x](" not in invoke("diff", old, new, "-f", "md").stdout  # \[x\]: no link


def test_the_python_api_gives_the_json(
    invoke: Invoke, tmp_path: Path, bundled: list[dict[str, Any]]
) -> None:
    old, new = _datasets(tmp_path, bundled)
    with oigcli.open(old) as reports:
        assert reports.diff(new) == json.loads(invoke("diff", old, new, "--json").stdout)
        assert reports.diff(oigcli.open(new), fy="2022")["removed"] == []


def test_a_value_only_one_side_has_is_no_note(invoke: Invoke, tmp_path: Path) -> None:
    """--inspector gpo names reports of the new side only: nothing to note; nsa, neither's."""
    from conftest import BUNDLED_JSON

    root = str(write_full_archive(tmp_path / "data"))
    result = invoke("diff", str(BUNDLED_JSON), root, "--inspector", "gpo", "--inspector", "nsa")
    assert result.exit_code == 1
    assert "'gpo'" not in result.stderr
    assert result.stderr.count("no report in this dataset has the inspector 'nsa'") == 1


@settings(max_examples=80, deadline=None)
@given(old=datasets(max_size=10), new=datasets(max_size=10))
def test_compare_is_the_difference_of_two_datasets(
    old: list[dict[str, Any]], new: list[dict[str, Any]]
) -> None:
    """For any two datasets: the added are the ids only the new one has, the removed
    those only the old one has, and a report in both is changed exactly in the fields
    whose JSON values differ."""
    found = compare(old, new)
    before, after = {r["id"]: r for r in old}, {r["id"]: r for r in new}
    assert [r["id"] for r in found.added] == [i for i in after if i not in before]
    assert [r["id"] for r in found.removed] == [i for i in before if i not in after]
    expected = {}
    for key in after.keys() & before.keys():
        differ = {
            name: {"old": before[key][name], "new": after[key][name]}
            for name in COMPARED
            if json.dumps(before[key][name]) != json.dumps(after[key][name])
        }
        if differ:
            expected[key] = differ
    assert {c.id: c.changes for c in found.changed} == expected
    assert compare(new, new).empty


# --- a record that could not be read is unreadable, never removed (issue #24) ------------


def _cut_short(path: Path) -> None:
    """A report.json as a scraper run killed mid-write leaves it."""
    path.write_text(path.read_text(encoding="utf-8")[:40], encoding="utf-8")


@pytest.mark.parametrize("side", ["new", "old"])
def test_a_report_json_cut_short_is_unreadable_not_removed(
    invoke: Invoke, tmp_path: Path, side: str
) -> None:
    """The README's cron advice is --skip-invalid: a report.json cut short in today's copy
    must not be mailed as "removed" (nor, cut in yesterday's, as "added"). It is listed as
    unreadable in every format, with its id told by its folder, and exit 5 says so."""
    old, new = write_full_archive(tmp_path / "old"), write_full_archive(tmp_path / "new")
    cut = (new if side == "new" else old) / "dod" / "2014" / "DODIG-2015-001" / "report.json"
    _cut_short(cut)
    assert invoke("diff", str(old), str(new)).exit_code == 3  # strict: not compared at all
    result = invoke("diff", str(old), str(new), "--skip-invalid", "--json")
    assert result.exit_code == 5, result.output
    found = json.loads(result.stdout)
    assert found["added"] == found["removed"] == found["changed"] == []
    [entry] = found["unreadable"]
    assert entry["id"] == "dod/DODIG-2015-001" and entry["side"] == side
    assert entry["source"].startswith(str(cut)) and entry["report"]["id"] == "dod/DODIG-2015-001"
    lines = invoke("diff", str(old), str(new), "--skip-invalid", "--format", "jsonl")
    assert lines.exit_code == 5
    [line] = [json.loads(text) for text in lines.stdout.splitlines()]
    assert line["change"] == "unreadable" and line["id"] == "dod/DODIG-2015-001"
    assert line["report_number"] == entry["report"]["report_number"]
    rows = list(
        csv.DictReader(
            io.StringIO(
                invoke("diff", str(old), str(new), "--skip-invalid", "--format", "csv").stdout
            )
        )
    )
    assert [(r["change"], r["id"]) for r in rows] == [("unreadable", "dod/DODIG-2015-001")]
    assert "unreadable:" in (rows[0]["new"] if side == "new" else rows[0]["old"])
    table = invoke("diff", str(old), str(new), "--skip-invalid")
    assert table.exit_code == 5 and "removed" not in table.stdout.split("\n0 added")[0]
    assert "0 added, 0 removed, 0 changed, 1 unreadable" in table.stdout
    markdown = invoke("diff", str(old), str(new), "--skip-invalid", "--format", "markdown")
    assert markdown.stdout.startswith("## 0 added, 0 removed, 0 changed, 1 unreadable")


def test_an_invalid_record_is_unreadable_by_its_own_id(invoke: Invoke, tmp_path: Path) -> None:
    old, new = write_full_archive(tmp_path / "old"), write_full_archive(tmp_path / "new")
    path = new / "gpo" / "2013" / "14-01" / "report.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps({**record, "published_on": "2013-13-45"}), encoding="utf-8")
    result = invoke("diff", str(old), str(new), "--skip-invalid", "--json")
    found = json.loads(result.stdout)
    assert result.exit_code == 5 and found["removed"] == []
    assert [(u["id"], u["side"]) for u in found["unreadable"]] == [("gpo/14-01", "new")]


def test_a_record_whose_id_cannot_be_told_leaves_removals_in_doubt(
    invoke: Invoke, tmp_path: Path, bundled: list[dict[str, Any]]
) -> None:
    """A JSON Lines file cut short: the last record's id is unknown, so a report missing
    from it is listed as removed, and the unreadable record (id null) and exit 5 say that
    the removal may be that record."""
    old = write_file(tmp_path, json.dumps(bundled), "old.json")
    lines = [json.dumps(r) for r in bundled[:-1]] + [json.dumps(bundled[-1])[:30]]
    new = write_file(tmp_path, "\n".join(lines) + "\n", "new.jsonl")
    result = invoke("diff", old, new, "--skip-invalid", "--json")
    assert result.exit_code == 5
    found = json.loads(result.stdout)
    assert [r["id"] for r in found["removed"]] == [bundled[-1]["id"]]
    assert [(u["id"], u["side"], u["report"]) for u in found["unreadable"]] == [(None, "new", None)]
    assert found["unreadable"][0]["source"] == f"{new}:5"


def test_a_duplicate_left_out_is_no_unreadable_record(
    invoke: Invoke, tmp_path: Path, bundled: list[dict[str, Any]]
) -> None:
    """--skip-invalid leaves out the second record of an id: the first was read, so the
    report is compared as usual and nothing is unreadable."""
    old = write_file(tmp_path, json.dumps(bundled), "old.json")
    new = write_file(tmp_path, json.dumps([*bundled, bundled[0]]), "new.json")
    result = invoke("diff", old, new, "--skip-invalid", "--json")
    assert result.exit_code == 0 and json.loads(result.stdout)["unreadable"] == []


def test_scraper_ids_are_told_by_the_folder_only_in_its_layout() -> None:
    from oigcli.load.records import scraper_id

    assert scraper_id("/data/epa/2016/16-P-0078/report.json") == "epa/16-P-0078"
    assert scraper_id("bulk.zip/data/gpo/2013/14-01/report.json") == "gpo/14-01"
    assert scraper_id("gpo/2013/14-01/report.json") == "gpo/14-01"
    assert scraper_id("2013/14-01/report.json") is None  # no inspector's folder
    assert scraper_id("/data/reports.json") is None
    assert scraper_id("/data/epa/2016/16-P-0078/report.txt") is None
