"""Reading datasets of every kind, and finding every problem with its place."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import write_file
from oigcli.load.check import from_scraper, normalise
from oigcli.load.dataset import Pick, failure_message, read
from oigcli.load.records import Problem
from oigcli.load.stream import describe
from oigcli.model.errors import DatasetError
from oigcli.model.schema import FIELD_NAMES, SHOWN_NAMES
from scraper import EXPECTED, REPORTS, write_archive
from strategies import datasets

MINIMAL = {"report_number": "OIG-1", "title": "T", "fiscal_year": 2020}


def load(path: str | None = None, stdin: Any = None, pick: Pick | None = None) -> list[Any]:
    """The valid dataset's reports (what ``pick`` keeps of them), or DatasetError: what
    every command but validate does with a dataset (oigcli.sources.scan)."""
    data = read(path, stdin, pick)
    if data.problems:
        raise DatasetError(failure_message(data, path))
    return data.reports


def _problems(tmp_path: Path, text: str) -> list[Problem]:
    return read(write_file(tmp_path, text)).problems


def _error(path: str) -> str:
    with pytest.raises(DatasetError) as error:
        load(path)
    return str(error.value)


# --- what is read -----------------------------------------------------------------------


def test_json_array(tmp_path: Path, bundled: list[dict[str, Any]]) -> None:
    assert load(write_file(tmp_path, json.dumps(bundled, indent=2))) == bundled


def test_json_lines(tmp_path: Path, bundled: list[dict[str, Any]]) -> None:
    text = "".join(json.dumps(r) + "\n" for r in bundled)
    assert load(write_file(tmp_path, text)) == bundled


def test_json_lines_with_crlf_blank_lines_and_a_bom(
    tmp_path: Path, bundled: list[dict[str, Any]]
) -> None:
    text = "\ufeff" + "\r\n\r\n".join(json.dumps(r) for r in bundled) + "\r\n"
    assert load(write_file(tmp_path, text)) == bundled


def test_one_object_over_many_lines(tmp_path: Path, bundled: list[dict[str, Any]]) -> None:
    assert load(write_file(tmp_path, json.dumps(bundled[2], indent=2))) == [bundled[2]]


def test_stdin(bundled: list[dict[str, Any]]) -> None:
    assert load("-", io.StringIO(json.dumps(bundled))) == bundled
    assert load("-", io.StringIO("\n".join(json.dumps(r) for r in bundled))) == bundled


def test_content_not_name_decides(tmp_path: Path, bundled: list[dict[str, Any]]) -> None:
    text = "".join(json.dumps(r) + "\n" for r in bundled)
    assert load(write_file(tmp_path, text, "looks-like.json")) == bundled
    assert load(write_file(tmp_path, json.dumps(bundled), "looks-like.jsonl")) == bundled


def test_absent_optional_fields_are_null_and_keys_come_in_schema_order() -> None:
    report = normalise({"fiscal_year": 2020, "title": "T", "report_number": "A", "extra": 1})
    assert tuple(report) == SHOWN_NAMES  # and no text: unknown, and long
    assert report["tags"] == [] and report["summary"] is None and report["redacted"] is None
    assert report["components"] == [] and report["id"] == "A"
    assert "extra" not in report
    assert normalise({"report_number": "A", "inspector": "gpo"})["id"] == "gpo/A"
    assert tuple(normalise({"report_number": "A", "text": "body"})) == FIELD_NAMES


def test_a_0_1_record_has_its_one_component_as_a_list(tmp_path: Path) -> None:
    old = {"report_number": "A", "title": "T", "fiscal_year": 2021}
    path = write_file(tmp_path, json.dumps([{**old, "component": "CBP"}]))
    assert load(path)[0]["components"] == ["CBP"]
    path = write_file(tmp_path, json.dumps([{**old, "report_number": "B", "component": None}]))
    assert load(path)[0]["components"] == []
    bad = write_file(tmp_path, json.dumps([{**old, "component": 7}]))
    assert [(p.field, p.message) for p in read(bad).problems] == [
        ("component", "expected a string or null, found a number")
    ]


# --- the scraper's archive --------------------------------------------------------------


def test_scraper_archive_from_its_root(tmp_path: Path) -> None:
    assert load(str(write_archive(tmp_path))) == EXPECTED


def test_scraper_archive_from_a_folder_inside(tmp_path: Path) -> None:
    write_archive(tmp_path)
    assert load(str(tmp_path / "dhs")) == EXPECTED
    assert load(str(tmp_path / "dhs" / "2020")) == [EXPECTED[1]]
    assert load(str(tmp_path / "dhs" / "2020" / "OIG-21-01_2020")) == [EXPECTED[1]]


def test_one_report_json_file(tmp_path: Path) -> None:
    write_archive(tmp_path)
    assert load(str(tmp_path / "dhs" / "2021" / "OIG-21-40_2021" / "report.json")) == [EXPECTED[2]]


def test_scraper_records_in_json_lines(tmp_path: Path) -> None:
    text = "".join(json.dumps(r) + "\n" for r in REPORTS)
    assert load(write_file(tmp_path, text)) == EXPECTED


def test_scraper_mapping_rules() -> None:
    mapped, problems = from_scraper({**REPORTS[1], "summary": "  ", "agency": " cbp "})
    assert problems == []
    assert mapped["id"] == "dhs/OIG-21-01_2020"  # as the folder names it
    assert mapped["report_number"] == "OIG-21-01"  # DHS's _YYYY suffix dropped
    assert mapped["fiscal_year"] == 2021  # October belongs to the next fiscal year
    assert mapped["components"] == ["CBP"]
    assert mapped["summary"] is None  # blank is not a summary
    assert mapped["inspector"] == "dhs" and mapped["type"] == "inspection"
    assert mapped["unreleased"] is False  # the scraper requires a url unless unreleased
    assert (
        from_scraper({**REPORTS[0], "report_id": "OIG-20-10_20"})[0]["report_number"]
        == "OIG-20-10_20"
    )
    # only DHS's scraper adds the year: another inspector's id is its number, whole
    other = {**REPORTS[0], "inspector": "peacecorps", "report_id": "Challenges_2012"}
    assert from_scraper(other)[0]["report_number"] == "Challenges_2012"
    assert from_scraper(other)[0]["id"] == "peacecorps/Challenges_2012"


@pytest.mark.parametrize(
    ("agency", "agency_name", "components"),
    [
        # a word of a slug is named by the record's own name, never shouted (#24)
        ("amtrak", "Amtrak", ["Amtrak"]),
        ("denali", "Denali Commission", ["Denali Commission"]),
        ("state", "Department of State", ["Department of State"]),
        ("archives", "National Archives and Records Administration",
         ["National Archives and Records Administration"]),
        ("education, labor", "Department of Education, Department of Labor",
         ["Department of Education", "Department of Labor"]),
        # an acronym, and the slugs readers write otherwise, as before
        ("gpo", "Government Publishing Office", ["GPO"]),
        ("cbp, ice", "Customs & Border Protection, Immigration and Customs Enforcement",
         ["CBP", "ICE"]),
        ("secret_service", "U.S. Secret Service", ["USSS"]),
        # no name for each slug: the slug, as words
        ("denali", None, ["Denali"]),
        ("education, labor", "Two Departments", ["Education", "Labor"]),
        ("small_business", None, ["Small Business"]),
    ],
)  # fmt: skip
def test_components_are_named_as_readers_name_them(
    agency: str, agency_name: str | None, components: list[str]
) -> None:
    record = {**REPORTS[0], "agency": agency, "agency_name": agency_name}
    assert from_scraper(record)[0]["components"] == components


@pytest.mark.parametrize(
    ("agency", "components"),
    [
        ("cbp, ice", ["CBP", "ICE"]),  # the DHS scraper joins a report's components
        ("secret_service", ["USSS"]),
        ("coast_guard", ["USCG"]),
        ("dhs", ["DHS"]),
        ("uscis,tsa", ["USCIS", "TSA"]),
        ("gpo", ["GPO"]),
        ("federal_reserve", ["Federal Reserve"]),
        ("peacecorps", ["Peace Corps"]),
        ("some_new_agency", ["Some New Agency"]),  # never a slug with underscores
        ("cbp, cbp", ["CBP"]),
        ("", []),
    ],
)
def test_agencies_are_written_as_readers_write_them(agency: str, components: list[str]) -> None:
    """The slugs alone (no agency_name to name one by)."""
    record = {**REPORTS[0], "agency": agency, "agency_name": None}
    assert from_scraper(record)[0]["components"] == components


def test_unreleased_reports_keep_their_landing_page() -> None:
    record = {k: v for k, v in REPORTS[0].items() if k != "url"}
    mapped, _ = from_scraper(
        {**record, "unreleased": True, "landing_url": "https://oig.example.gov/r"}
    )
    assert mapped["unreleased"] is True and mapped["document_url"] is None
    assert mapped["landing_url"] == "https://oig.example.gov/r"
    assert from_scraper(record)[0]["unreleased"] is None  # neither said nor implied


def test_a_link_loop_in_an_archive_is_not_followed(tmp_path: Path) -> None:
    write_archive(tmp_path)
    os.symlink(tmp_path, tmp_path / "dhs" / "loop")
    assert load(str(tmp_path)) == EXPECTED


def test_a_directory_without_reports(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    message = _error(str(tmp_path / "empty"))
    assert "no report.json files" in message and "<inspector>/<year>/<report_id>" in message


# --- files that cannot be read ------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "empty; expected a JSON array of reports or JSON Lines"),
        ("  \n\n ", "empty"),
        (b'[{"title": "caf\xe9"}]', "not UTF-8 text (byte 15: invalid continuation byte)"),
    ],
)
def test_unusable_files(tmp_path: Path, content: str | bytes, message: str) -> None:
    assert message in _error(write_file(tmp_path, content))


def test_missing_file(tmp_path: Path) -> None:
    assert _error(str(tmp_path / "nope.json")).endswith("nope.json: no such file or directory")


def test_permission_denied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_file(tmp_path, "[]")

    def refuse(self: Path, *args: Any, **kwargs: Any) -> Any:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "open", refuse)  # root can read any file, so pretend
    assert _error(path).endswith("data.json: permission denied")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '[\n  {"report_number": "A",,}\n]',
            "data.json:2:25: invalid JSON: Expecting property name enclosed in double quotes",
        ),
        ("3", "data.json: expected a JSON array of report objects, found a number"),
        ('"reports"', "found a string"),
        ("null", "found null"),
        ("[1, []]", "data.json: record 0: expected a report object, found a number"),
        ("[" * 100_000 + "]" * 100_000, "data.json: invalid JSON: nested too deeply"),
        (
            '{"report_number": "A", "title": "T", "fiscal_year": 2020}\n{"report_number": "B",\n',
            "data.json:2:23: invalid JSON",
        ),
    ],
)
def test_bad_json_names_its_place(tmp_path: Path, text: str, expected: str) -> None:
    problems = [str(p) for p in _problems(tmp_path, text)]
    assert any(p.endswith(expected) or expected in p for p in problems), problems


def test_every_bad_json_line_is_reported(tmp_path: Path) -> None:
    good = json.dumps(MINIMAL)
    text = "\n".join([good.replace("OIG-1", "A"), "{oops", good.replace("OIG-1", "B"), "[1,", good])
    found = _problems(tmp_path, text)
    assert [(p.line, p.message.split(":")[0]) for p in found] == [
        (2, "invalid JSON"),
        (4, "invalid JSON"),
    ]
    assert len(read(write_file(tmp_path, text)).reports) == 3


# --- every validation problem, with its place -------------------------------------------------


PROBLEM_CASES: list[tuple[dict[str, Any], str, str]] = [
    ({"title": "T", "fiscal_year": 2020}, "report_number", "missing (required)"),
    ({"report_number": "A", "fiscal_year": 2020}, "title", "missing (required)"),
    ({"report_number": "A", "title": "T"}, "fiscal_year", "missing (required)"),
    ({**MINIMAL, "fiscal_year": "2020"}, "fiscal_year", "expected integer, found a string"),
    ({**MINIMAL, "fiscal_year": 2020.5}, "fiscal_year", "expected integer, found a number"),
    (
        {**MINIMAL, "recommendations": True},
        "recommendations",
        "expected integer or null, found a boolean",
    ),
    ({**MINIMAL, "redacted": "yes"}, "redacted", "expected boolean or null, found a string"),
    ({**MINIMAL, "tags": None}, "tags", "null is not allowed"),
    ({**MINIMAL, "tags": "OFO"}, "tags", "expected list of strings, found a string"),
    ({**MINIMAL, "tags": ["OFO", 3]}, "tags", "expected list of strings, found an array"),
    ({**MINIMAL, "title": ["T"]}, "title", "expected string, found an array"),
    (
        {**MINIMAL, "issue_date": "June 2020"},
        "issue_date",
        "'June 2020' is not a date in YYYY-MM-DD form",
    ),
    ({**MINIMAL, "issue_date": "2020-02-30"}, "issue_date", "is not a date"),
    ({**MINIMAL, "issue_date": "20200630"}, "issue_date", "is not a date"),
    ({**MINIMAL, "issue_date": "2020-W27-1"}, "issue_date", "is not a date"),  # ISO week
    ({**MINIMAL, "issue_date": "２０２０-06-30"}, "issue_date", "is not a date"),  # wide digits
    (
        {**MINIMAL, "issue_date": "2020-10-01"},
        "fiscal_year",
        "2020 disagrees with issue_date 2020-10-01 (fiscal year 2021)",
    ),
    (
        {**MINIMAL, "recommendations": 2, "recommendations_concurred": 3},
        "recommendations_concurred",
        "3 is more than the 2 recommendations made",
    ),
    ({**REPORTS[0], "published_on": None}, "published_on", "missing"),
    (
        {**REPORTS[0], "published_on": "12/18/2019"},
        "published_on",
        "'12/18/2019' is not a date",
    ),
    ({**REPORTS[0], "report_id": 7}, "report_id", "expected a string, found a number"),
]


@pytest.mark.parametrize(("record", "field", "message"), PROBLEM_CASES)
@pytest.mark.parametrize("layout", ["array", "lines"])
def test_problems_name_their_record_field_and_line(
    tmp_path: Path, record: dict[str, Any], field: str, message: str, layout: str
) -> None:
    records = [MINIMAL, record]
    text = json.dumps(records) if layout == "array" else "\n".join(json.dumps(r) for r in records)
    found = [p for p in _problems(tmp_path, text) if p.field == field]
    assert len(found) == 1, _problems(tmp_path, text)
    problem = found[0]
    assert message in problem.message
    assert problem.record == 1 and problem.source.endswith("data.json")
    assert problem.line == (2 if layout == "lines" else None)
    number = record.get("report_number", record.get("report_id"))
    assert problem.report_number == (number if isinstance(number, str) else None)


def test_duplicates_name_the_first(tmp_path: Path) -> None:
    found = _problems(tmp_path, json.dumps([MINIMAL, {**MINIMAL, "title": "U"}]))
    assert [str(p) for p in found] == [
        f"{tmp_path / 'data.json'}: record 1 (OIG-1): id: duplicate (also record 0)"
    ]


def test_duplicates_are_by_id_not_number(tmp_path: Path) -> None:
    """Two inspectors' 14-01 are two reports; one inspector's two 14-01 are a duplicate."""
    gpo, lsc = {**MINIMAL, "inspector": "gpo"}, {**MINIMAL, "inspector": "lsc"}
    assert _problems(tmp_path, json.dumps([gpo, lsc])) == []
    assert _problems(tmp_path, json.dumps([gpo, {**MINIMAL, "id": "gpo/OIG-1"}]))
    assert _problems(tmp_path, json.dumps([{**MINIMAL, "id": "a"}, {**MINIMAL, "id": "b"}])) == []
    blank = _problems(tmp_path, json.dumps([{**MINIMAL, "id": " "}]))
    assert [(p.field, p.message.split(" (")[0]) for p in blank] == [("id", "blank")]


def test_problems_in_an_archive_name_the_file(tmp_path: Path) -> None:
    write_archive(tmp_path, [*REPORTS[:2], {**REPORTS[2], "published_on": "soon"}])
    broken = tmp_path / "dhs" / "2099" / "X" / "report.json"
    broken.parent.mkdir(parents=True)
    broken.write_text("{not json", encoding="utf-8")
    data = read(str(tmp_path))
    # in path order: dhs/2099/X, then dhs/soon/OIG-21-40 (the folder is named after the date)
    assert [(Path(p.source).parent.name, p.field) for p in data.problems] == [
        ("X", None),
        ("OIG-21-40_2021", "published_on"),
        ("OIG-21-40_2021", "fiscal_year"),
    ]
    assert data.problems[0].line == 1 and data.records == 3 and len(data.reports) == 2


def test_load_names_the_first_problems_and_points_to_validate(tmp_path: Path) -> None:
    path = write_file(tmp_path, json.dumps([{"title": "T"}] * 3))
    lines = _error(path).splitlines()
    assert lines[0] == f"{path} cannot be used: 6 problems, the first 3:"
    assert len(lines) == 5
    assert (
        lines[-1] == f"Run 'oigcli validate {path}' to list them all; --skip-invalid uses the rest."
    )


def test_a_single_problem_is_shown_alone(tmp_path: Path) -> None:
    path = write_file(tmp_path, json.dumps([{**MINIMAL, "fiscal_year": "x"}]))
    assert (
        _error(path)
        == f"{path} cannot be used:\n  {path}: record 0 (OIG-1): fiscal_year: expected integer, "
        f"found a string\nRun 'oigcli validate {path}' to check it; --skip-invalid uses the rest."
    )


def test_problem_as_dict() -> None:
    problem = Problem("f.json", "bad", line=3, column=4, record=2, report_number="A", field="title")
    assert problem.as_dict() == {
        "source": "f.json",
        "message": "bad",
        "line": 3,
        "column": 4,
        "record": 2,
        "report_number": "A",
        "field": "title",
    }
    assert str(problem) == "f.json:3:4: record 2 (A): title: bad"


# --- the fast check agrees with the full one ----------------------------------------------

ANY_VALUE = (
    st.none()
    | st.booleans()
    | st.integers(-3, 2030)
    | st.floats(allow_nan=True)
    | st.sampled_from(["", "A", "2021-06-15", "2020-10-01", "2021-02-30", "June"])
    | st.lists(st.sampled_from(["OFO", 1, None]), max_size=2)
)


@pytest.mark.parametrize(
    ("record", "field", "message"),
    [case for case in PROBLEM_CASES if case[1] not in ("published_on", "report_id")],
)
def test_the_fast_check_sends_every_problem_to_the_full_check(
    record: dict[str, Any], field: str, message: str
) -> None:
    from oigcli.load.check import _plainly_valid

    assert not _plainly_valid(record), (field, message)


@given(
    st.dictionaries(st.sampled_from([*FIELD_NAMES, "extra"]), ANY_VALUE, max_size=14), st.booleans()
)
def test_the_fast_check_never_passes_what_the_full_check_rejects(
    obj: dict[str, Any], start_valid: bool
) -> None:
    from oigcli.load.check import _field_problems, _plainly_valid

    if start_valid:
        obj = {**MINIMAL, **{k: v for k, v in obj.items() if k not in MINIMAL}}
    if _plainly_valid(obj):
        assert list(_field_problems(obj)) == []


@given(datasets())
def test_the_fast_check_passes_valid_reports(reports: list[dict[str, Any]]) -> None:
    from oigcli.load.check import _field_problems, _plainly_valid

    for report in reports:
        assert list(_field_problems(report)) == []
        assert _plainly_valid(report)


def test_pick_keeps_what_it_returns_and_every_record_is_still_checked(
    tmp_path: Path, bundled: list[dict[str, Any]]
) -> None:
    records = [*bundled, {"title": "no number", "fiscal_year": 2021}]
    path = write_file(tmp_path, json.dumps(records))
    data = read(
        path, pick=lambda r: {"n": r["report_number"]} if r["recommendations"] == 8 else None
    )
    assert data.reports == [{"n": "OIG-21-27"}]
    assert data.records == 6
    assert [p.field for p in data.problems] == [
        "report_number"
    ]  # a dropped record's problem still counts
    with pytest.raises(DatasetError):
        load(path, pick=lambda r: None)


def test_large_arrays_are_read_in_chunks(
    tmp_path: Path, bundled: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    from oigcli.load import stream

    monkeypatch.setattr(stream, "CHUNK", 7)
    path = write_file(tmp_path, json.dumps(bundled, indent=2))
    assert load(path) == bundled
    broken = write_file(tmp_path, json.dumps(bundled, indent=2)[:-40], "broken.json")
    with pytest.raises(DatasetError) as error:
        load(broken)
    expected = json.JSONDecoder()
    text = json.dumps(bundled, indent=2)[:-40]
    try:
        expected.decode(text)
    except json.JSONDecodeError as exc:
        message = describe(exc.msg, not text[exc.pos :].strip())
        assert f"broken.json:{exc.lineno}:{exc.colno}: {message}" in str(error.value)


@pytest.mark.parametrize("twice", [False, True])  # the second time, from the seen signatures
def test_the_fast_check_passes_exactly_the_plainly_valid(twice: bool) -> None:
    from oigcli.load.check import _plainly_valid

    least = {"report_number": "A", "title": "t", "fiscal_year": 2021}
    cases = [
        (least, True),  # absent optional fields are fine
        ({**least, "issue_date": "2020-10-01", "tags": ["x"]}, True),
        ({**least, "recommendations": 3, "recommendations_concurred": 3}, True),
        ({**least, "tags": None}, False),  # null where a list must be
        ({**least, "redacted": 1}, False),  # a number is not a boolean
        ({**least, "fiscal_year": True}, False),  # nor a boolean a number
        ({**least, "issue_date": "2021-10-01"}, False),  # that date is in FY2022
        ({**least, "issue_date": "2021-13-01"}, False),
        ({**least, "tags": ["x", 1]}, False),
        ({**least, "recommendations": 2, "recommendations_concurred": 3}, False),
        ({"title": "t", "fiscal_year": 2021}, False),
    ]
    for record, plain in cases * (2 if twice else 1):
        assert _plainly_valid(record) is plain, record
