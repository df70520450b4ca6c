"""The inspectors-general archive, whole: a tree written by the scraper's own rules
(tests/scraper.py), through every command, over both sources (a scan of the folder or
zip, and its index)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from conftest import INDEX_USED, Invoke
from scraper import ARCHIVE, TEXTS, folder_of, scraper_record, write_full_archive, zip_archive

pytestmark = pytest.mark.usefixtures("backend")


@pytest.fixture(params=["folder", "zip"])
def archive(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The archive as a scraper's data folder, and as its bulk zip."""
    root = write_full_archive(tmp_path / "data")
    if request.param == "folder":
        return str(root)
    return str(zip_archive(root, tmp_path / "us-inspectors-general.bulk.zip"))


def _json(invoke: Invoke, *args: str) -> Any:
    result = invoke(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _ids(rows: list[dict[str, Any]]) -> list[str]:
    return sorted(r["id"] for r in rows)


def test_every_record_is_read_with_its_own_key(invoke: Invoke, archive: str) -> None:
    rows = _json(invoke, "list", "--data", archive)
    assert _ids(rows) == sorted(f"{r['inspector']}/{r['report_id']}" for r in ARCHIVE)
    by_id = {r["id"]: r for r in rows}
    # DHS reuses numbers: its scraper's year suffix makes two reports, one number
    assert by_id["dhs/DS-12-01_2011"]["report_number"] == "DS-12-01"
    assert by_id["dhs/DS-12-01_2012"]["report_number"] == "DS-12-01"
    # the same id under two inspectors is two reports
    assert by_id["gpo/14-01"]["report_number"] == by_id["lsc/14-01"]["report_number"] == "14-01"
    # ids that end in a year of their own are kept whole: four reports, not one
    challenges = [r for r in rows if r["id"].startswith("peacecorps/Management_and")]
    assert sorted(r["report_number"] for r in challenges) == [
        f"Management_and_Performance_Challenges_{y}" for y in (2009, 2010, 2011, 2012)
    ]
    assert by_id["peacecorps/Case_Study_-_PC_Panama_-_2006"]["report_number"] == (
        "Case_Study_-_PC_Panama_-_2006"
    )
    assert by_id["peacecorps/PC Morocco #2 & (Final)"]["inspector"] == "peacecorps"
    # several agencies are a list, written as readers write them
    assert by_id["dhs/DS-12-01_2012"]["components"] == ["CBP", "ICE"]
    assert by_id["dhs/OIG-21-05_2020"]["components"] == ["USSS"]
    assert by_id["dhs/OIG-21-02_2020"]["components"] == ["USCG"]
    assert by_id["fed/2016-IT-B-013"]["components"] == ["Federal Reserve"]
    # the scraper's fields are kept; an unreleased report keeps its only link
    fed = by_id["fed/2016-IT-B-013"]
    assert fed["unreleased"] is True and fed["document_url"] is None
    assert fed["landing_url"] == "https://oig.federalreserve.gov/reports/it-b-013.htm"
    assert fed["topic"] == "Information Technology" and fed["type"] == "report"
    assert by_id["gpo/14-01"]["unreleased"] is False
    assert by_id["dod/DODIG-2015-001"]["summary"] is None  # an empty summary is none
    assert by_id["dhs/OIG-21-05_2020"]["fiscal_year"] == 2021  # October: the next FY
    assert all("text" not in r for r in rows)  # long: printed only when asked


def test_the_full_text_is_printed_only_when_asked(invoke: Invoke, archive: str) -> None:
    rows = _json(invoke, "list", "--data", archive, "--fields", "id,text")
    texts = {r["id"]: r["text"] for r in rows}
    assert texts == {f"{r['inspector']}/{r['report_id']}": None for r in ARCHIVE} | TEXTS
    shown = invoke("show", "gpo/14-01", "--data", archive).stdout
    length = len(TEXTS["gpo/14-01"])
    assert f"{length} characters (--fields text prints it)" in shown
    assert TEXTS["gpo/14-01"] not in shown
    assert "text" not in _json(invoke, "show", "gpo/14-01", "--data", archive)
    whole = _json(invoke, "show", "gpo/14-01", "--data", archive, "--fields", "text")
    assert whole == {"text": TEXTS["gpo/14-01"]}
    unknown = invoke("show", "fed/2016-IT-B-013", "--data", archive).stdout
    assert [line.split() for line in unknown.splitlines() if line.startswith("text")] == [
        ["text", "unknown"]
    ]


def test_show_by_id_and_an_ambiguous_number(invoke: Invoke, archive: str) -> None:
    assert _json(invoke, "show", "lsc/14-01", "--data", archive)["title"] == "Grantee Oversight"
    assert _json(invoke, "show", "DODIG-2015-001", "--data", archive)["inspector"] == "dod"
    assert _json(invoke, "show", "PC Morocco #2 & (Final)", "--data", archive)["id"] == (
        "peacecorps/PC Morocco #2 & (Final)"
    )
    for number, ids in (
        ("14-01", ["gpo/14-01", "lsc/14-01"]),
        ("DS-12-01", ["dhs/DS-12-01_2011", "dhs/DS-12-01_2012"]),
    ):
        result = invoke("show", number, "--json", "--data", archive)
        assert result.exit_code == 2 and result.stdout == ""
        assert f"{number!r} is the number of 2 reports; show one by its id:" in result.stderr
        assert [line.strip() for line in result.stderr.splitlines()[1:3]] == ids
    missing = invoke("show", "nope/14-01", "--data", archive)
    assert missing.exit_code == 1 and "no report numbered 'nope/14-01'" in missing.stderr
    typo = invoke("show", "gpo/14-0", "--data", archive)  # an id: ids are suggested
    assert typo.exit_code == 1 and "did you mean gpo/14-01" in typo.stderr


def test_criteria_on_components_and_inspectors(invoke: Invoke, archive: str) -> None:
    data = ("--data", archive)
    assert _ids(_json(invoke, "filter", "-c", "ICE", *data)) == ["dhs/DS-12-01_2012"]
    assert _ids(_json(invoke, "filter", "-c", "ice", "-c", "usss", *data)) == [
        "dhs/DS-12-01_2012",
        "dhs/OIG-21-05_2020",
    ]
    assert _ids(_json(invoke, "filter", "--inspector", "GPO", *data)) == ["gpo/11-04", "gpo/14-01"]
    both = _json(invoke, "filter", "--inspector", "gpo", "--inspector", "flra", *data)
    assert _ids(both) == ["flra/11-04", "gpo/11-04", "gpo/14-01"]
    assert _ids(_json(invoke, "filter", "--where", "unreleased=true", *data)) == [
        "fed/2016-IT-B-013"
    ]
    assert _ids(_json(invoke, "filter", "--where", "components=cbp", *data)) == [
        "dhs/DS-12-01_2012"
    ]
    note = invoke("filter", "--inspector", "dhhs", *data)
    assert "no report in this dataset has the inspector 'dhhs'" in note.stderr


def test_stats_by_component_inspector_and_unknown_counts(invoke: Invoke, archive: str) -> None:
    data = ("--data", archive)
    by_component = _json(invoke, "stats", "--by", "component", *data)
    groups = {g["key"]: g["reports"] for g in by_component["groups"]}
    assert groups["CBP"] == groups["ICE"] == 1  # the report of two counts once in each
    assert groups["Peace Corps"] == 6
    assert by_component["total"]["reports"] == len(ARCHIVE)
    # the scraper records no counts: two reports' texts state them (gpo/11-04: three
    # made, three concurred with; flra/11-04: none), the others' are unknown, never 0
    total = by_component["total"]
    assert (total["recommendations"], total["concurred"], total["not_concurred"]) == (3, 3, 0)
    assert total["concurrence_rate"] == 1.0
    assert total["unknown_counts"] == len(ARCHIVE) - 2
    by_inspector = _json(invoke, "stats", "--by", "inspector", *data)
    assert {g["key"]: g["reports"] for g in by_inspector["groups"]} == {
        "dhs": 4,
        "dod": 1,
        "fed": 1,
        "flra": 1,
        "gpo": 2,
        "lsc": 1,
        "peacecorps": 6,
    }
    table = invoke("stats", "--by", "inspector", *data).stdout
    assert "unknown" in table
    dhs = next(line for line in table.splitlines() if line.startswith("dhs"))
    assert " 0 " not in dhs  # no count of dhs's is known: unknown, not 0


def test_search_covers_the_full_text_and_ranks_title_summary_body(
    invoke: Invoke, archive: str
) -> None:
    data = ("--data", archive)
    body_only = _json(invoke, "search", "quarantine", *data)
    assert [r["id"] for r in body_only] == ["dhs/DS-12-01_2012"]
    assert "quarantine kennels" in body_only[0]["snippet"]  # from where the match is
    found = _json(invoke, "filter", "--text", "quarantine kennels", *data)
    assert _ids(found) == ["dhs/DS-12-01_2012"]
    # stemming: recommendation finds "recommend" and "Recommendations:" in the texts
    stemmed = _json(invoke, "search", "recommendation", *data)
    assert _ids(stemmed) == [
        "dhs/DS-12-01_2011",
        "dhs/OIG-21-05_2020",
        "dod/DODIG-2015-001",
        "flra/11-04",
        "gpo/11-04",
    ]
    # a title match, then a summary match, then a body match
    ranked = _json(invoke, "search", "passport OR medical OR morocco", *data)
    assert [r["id"] for r in ranked][:2] == ["peacecorps/PC Morocco #2 & (Final)", "gpo/14-01"]


def test_open_gives_the_document_or_else_the_landing_page(invoke: Invoke, archive: str) -> None:
    data = ("--data", archive)
    landing = invoke("open", "fed/2016-IT-B-013", "--print", *data)
    assert landing.exit_code == 0
    assert landing.stdout == "https://oig.federalreserve.gov/reports/it-b-013.htm\n"
    document = invoke("open", "dod/DODIG-2015-001", "--print", *data)
    assert document.stdout == "https://www.dodig.mil/reports/DODIG-2015-001.pdf\n"


def test_validate_passes_the_archive(invoke: Invoke, archive: str) -> None:
    result = invoke("validate", archive)
    assert result.exit_code == 0, result.output


def test_a_folder_inside_the_archive(invoke: Invoke, archive: str) -> None:
    inside = os.path.join(archive, "peacecorps")
    assert len(_json(invoke, "list", "--data", inside)) == 6


def test_the_index_answers_for_a_folder(invoke: Invoke, archive: str, backend: str) -> None:
    INDEX_USED.clear()
    _json(invoke, "list", "--data", archive)
    assert bool(INDEX_USED) == (backend == "index")


def test_a_truncated_report_json_blocks_only_until_skipped(invoke: Invoke, tmp_path: Path) -> None:
    root = write_full_archive(tmp_path / "data")
    cut = root / folder_of(ARCHIVE[4]) / "report.json"
    cut.write_text(cut.read_text(encoding="utf-8")[:40], encoding="utf-8")  # written half
    strict = invoke("list", "--data", str(root))
    assert strict.exit_code == 3 and "validate" in strict.stderr
    kept = invoke("list", "--data", str(root), "--skip-invalid", "--json")
    assert kept.exit_code == 0 and len(json.loads(kept.stdout)) == len(ARCHIVE) - 1
    assert f"used {len(ARCHIVE) - 1} reports" in kept.stderr and str(cut) in kept.stderr


def test_a_linked_inspector_folder_is_read(invoke: Invoke, tmp_path: Path) -> None:
    root = write_full_archive(tmp_path / "data")
    (root / "gpo").rename(tmp_path / "gpo-elsewhere")
    os.symlink(tmp_path / "gpo-elsewhere", root / "gpo")
    rows = _json(invoke, "filter", "--data", str(root), "--inspector", "gpo")
    assert _ids(rows) == ["gpo/11-04", "gpo/14-01"]


def test_a_folder_is_read_one_report_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An archive's texts are gigabytes: a pass over a folder (or zip) reads each report's
    files as the report is asked for, so one text at a time is held."""
    from oigcli.load import archive, dataset

    root = write_full_archive(tmp_path / "data")
    read: list[str] = []
    from_file, from_zip = archive.read_text, archive.zip_text

    def file_text(path: str, *more: Any) -> str | None:
        read.append(path)
        return from_file(path, *more)

    def zip_text(archive: Any, name: str, *more: Any) -> str | None:
        read.append(name)
        return from_zip(archive, name, *more)

    monkeypatch.setattr(archive, "read_text", file_text)
    monkeypatch.setattr(archive, "zip_text", zip_text)
    for target in (root, zip_archive(root, tmp_path / "bulk.zip")):
        read.clear()
        _, reports = dataset.stream(str(target), texts=True)
        first = next(reports)
        assert "text" in first and len(read) == 1
        assert sum(1 for _ in reports) == len(ARCHIVE) - 1 and len(read) == len(ARCHIVE)


def test_a_text_read_only_for_the_test_is_not_held(tmp_path: Path) -> None:
    """filter --text on a folder reads each report.txt to test it; the reports it keeps
    (held until the whole folder is read, to order them) hold no text unless --fields
    shows it: the memory of a first filter does not grow with the texts that match."""
    from oigcli.model.schema import TEXT
    from oigcli.query.criteria import Criteria
    from oigcli.sources.scan import Scan

    root = write_full_archive(tmp_path)
    criteria = Criteria.from_options(text="the")
    scan = Scan(str(root))
    for shown in (False, True):
        need = criteria.narrowing(text_shown=shown)
        kept = list(scan.rows(need, criteria.test(), ordered=True))
        assert len(kept) >= 2
        assert all((report[TEXT] is not None) == shown for report in kept)


@pytest.mark.parametrize("kind", ["folder", "zip"])
def test_a_text_that_is_not_clean_is_used_repaired_and_validate_says_so(
    invoke: Invoke, tmp_path: Path, kind: str
) -> None:
    """PDF extraction leaves NUL bytes and bytes that are not UTF-8 in report.txt files:
    NULs are left out (SQLite's length() took the text to end at the first), other bytes
    read as U+FFFD; the report is used, and validate names each text it repaired (#24)."""
    import sqlite3

    root = write_full_archive(tmp_path / "data")
    text = root / folder_of(ARCHIVE[4]) / "report.txt"
    text.write_bytes(b"Passport \xff books\x00 counted\x00 twice.")
    data = str(root) if kind == "folder" else str(zip_archive(root, tmp_path / "bulk.zip"))
    shown = _json(invoke, "show", "gpo/14-01", "--fields", "text", "--data", data)
    assert shown == {"text": "Passport \ufffd books counted twice."}
    checked = invoke("validate", data)
    assert checked.exit_code == 0 and "no problems" in checked.stdout
    assert "gpo/2013/14-01/report.txt: not UTF-8 text (byte 9" in checked.stderr
    assert "gpo/2013/14-01/report.txt: 2 NUL bytes, left out of the text" in checked.stderr
    assert invoke("validate", str(write_full_archive(tmp_path / "clean"))).stderr == ""
    database = tmp_path / "reports.db"
    assert invoke("export", "--sqlite", str(database), "--data", data).exit_code == 0
    with sqlite3.connect(database) as connection:
        (length,) = connection.execute(
            "SELECT length(text) FROM reports WHERE id = 'gpo/14-01'"
        ).fetchone()
    assert length == len("Passport \ufffd books counted twice.")


def test_rows_a_number_would_not_tell_apart_are_shown_by_id(invoke: Invoke, archive: str) -> None:
    """DHS reuses its numbers: two `DS-12-01` rows of `dhs` are shown by their ids, in a
    table and in Markdown (#24); rows that their numbers tell apart keep them."""
    table = invoke("filter", "--inspector", "dhs", "--data", archive).stdout
    assert table.split()[0] == "id" and "dhs/DS-12-01_2011" in table
    assert "dhs/DS-12-01_2012" in invoke("search", "border OR challenges", "--data", archive).stdout
    markdown = invoke("filter", "--inspector", "dhs", "--format", "markdown", "--data", archive)
    assert markdown.stdout.startswith("| id |")
    gpo = invoke("filter", "--inspector", "gpo", "--data", archive).stdout
    assert gpo.split()[0] == "report_number"


def test_values_read_from_the_reports_words_with_their_sentences(
    invoke: Invoke, archive: str
) -> None:
    """The scraper records no counts: they are read from report.txt, the same by a scan
    and by the index, each with the sentence it came from; the rest stay unknown."""
    by_id = {r["id"]: r for r in _json(invoke, "list", "--data", archive)}
    gpo = by_id["gpo/11-04"]
    assert (gpo["recommendations"], gpo["recommendations_concurred"]) == (3, 3)
    assert gpo["questioned_costs"] == 48_200
    assert gpo["derived"] == {
        "recommendations": {
            "from": "text",
            "sentence": "We made three recommendations to the Director.",
        },
        "recommendations_concurred": {
            "from": "text",
            "sentence": "GPO concurred with all three recommendations.",
        },
        "questioned_costs": {
            "from": "text",
            "sentence": "We questioned $48,200 charged to the contract.",
        },
    }
    # none made: none to concur with, read from the same sentence
    assert by_id["flra/11-04"]["recommendations"] == 0
    assert by_id["flra/11-04"]["recommendations_concurred"] == 0
    # "Recommendations: two." states no count in a form the rules read: unknown
    assert by_id["dhs/OIG-21-05_2020"]["recommendations"] is None
    assert by_id["dhs/OIG-21-05_2020"]["derived"] is None
    # the text was read for its values, not printed: it is left out unless asked for
    assert "text" not in gpo
    # stats count what was read, and say over which recommendations
    stats = _json(invoke, "stats", "--data", archive, "--by", "inspector")
    gpo_group = next(g for g in stats["groups"] if g["key"] == "gpo")
    assert (gpo_group["recommendations"], gpo_group["concurred"]) == (3, 3)
    # a filter on what was read
    read = _json(invoke, "filter", "--data", archive, "--where", "derived!=null")
    assert _ids(read) == ["flra/11-04", "gpo/11-04"]


def test_show_quotes_the_sentence_a_value_was_read_from(invoke: Invoke, archive: str) -> None:
    result = invoke("show", "gpo/11-04", "--data", archive)
    assert result.exit_code == 0, result.output
    assert "questioned_costs           $48,200" in result.stdout
    assert "recommendations from the text: “We made three recommendations to the" in (
        " ".join(result.stdout.split())
    )


def _tree(root: Path, records: list[dict[str, Any]]) -> str:
    """``records`` in the scraper's layout, each in the folder of its ``year``."""
    for record in records:
        folder = root / record["inspector"] / str(record["year"]) / record["report_id"]
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "report.json").write_text(json.dumps(record), encoding="utf-8")
    return str(root)


GUESSED = [
    # the scraper's rule when a site gives only the year: 1 November, estimated_date
    scraper_record("itc", "guessed", "2020-11-01", estimated_date=True, title="A guessed date",
            agency="itc", agency_name="ITC", url="https://itc.example.gov/a.pdf",
            pdf={"page_count": 42}, subtopic="Trade", location="Geneva", author="GAO"),
    scraper_record("itc", "exact", "2020-11-01", title="An exact date", agency="itc",
            agency_name="ITC", url="https://itc.example.gov/b.pdf", page_count=7),
    scraper_record("education", "taken-down", "2019-03-04", title="Taken down", agency="ed",
            agency_name="Education", url="https://ed.example.gov/c.pdf", missing=True),
]  # fmt: skip


def test_the_scrapers_guessed_dates_and_reports_taken_down(invoke: Invoke, tmp_path: Path) -> None:
    data = ("--data", _tree(tmp_path / "data", GUESSED))
    by_id = {r["id"]: r for r in _json(invoke, "list", *data)}
    guessed, exact, gone = by_id["itc/guessed"], by_id["itc/exact"], by_id["education/taken-down"]
    assert (guessed["estimated_date"], exact["estimated_date"]) == (True, False)
    assert (gone["missing"], exact["missing"]) == (True, False)
    assert (guessed["page_count"], exact["page_count"]) == (42, 7)  # pdf.page_count, or its own
    assert (guessed["subtopic"], guessed["location"], guessed["author"]) == (
        "Trade",
        "Geneva",
        "GAO",
    )

    # a window holds a guessed date only when it holds its whole year
    def ids(*window: str) -> list[str]:
        return _ids(_json(invoke, "filter", *window, *data))

    assert ids("--since", "2020-06-01") == ["itc/exact"]
    assert ids("--since", "2020") == ["itc/exact", "itc/guessed"]
    assert ids("--until", "2020-11-30") == ["education/taken-down", "itc/exact"]
    assert ids("--since", "2020", "--until", "2020") == ["itc/exact", "itc/guessed"]
    assert ids("--where", "estimated_date=true") == ["itc/guessed"]
    shown = invoke("show", "itc/guessed", *data).stdout
    assert "estimated_date             yes" in shown


def test_validate_notes_years_that_disagree(invoke: Invoke, tmp_path: Path) -> None:
    moved = scraper_record("dhs", "OIG-20-01", "2019-12-18", year=2020, title="Filed a year on",
                    agency="dhs", agency_name="DHS", url="https://dhs.example.gov/a.pdf")  # fmt: skip
    root = _tree(tmp_path / "data", [moved, *GUESSED])
    result = invoke("validate", root)
    assert result.exit_code == 0  # used, its date as published_on gives it
    assert "Note: years that disagree:" in result.stderr
    assert "dhs/2020/OIG-20-01/report.json: folder 2020, year 2020, published_on 2019-12-18" in (
        result.stderr
    )
    assert "itc" not in result.stderr  # the others agree


DHS_OF_THE_PAGE = [
    # the bundled page's reports as the DHS scraper names them, and one reused number
    scraper_record("dhs", "OIG-21-63_2021", "2021-05-03", title="Searches of Devices",
                   agency="cbp", agency_name="CBP", url="https://dhs.example.gov/63.pdf"),
    scraper_record("dhs", "OIG-21-48_2021", "2021-03-09", title="Migrants' Medical Care",
                   agency="cbp", agency_name="CBP", url="https://dhs.example.gov/48.pdf"),
    scraper_record("dhs", "OIG-21-27_2009", "2009-02-02", title="An older report",
                   agency="cbp", agency_name="CBP", url="https://dhs.example.gov/27.pdf"),
]  # fmt: skip


def test_show_takes_both_forms_of_a_dhs_id(invoke: Invoke, tmp_path: Path) -> None:
    """The bundled file's dhs/OIG-21-48 and the scraper's OIG-21-48_2021 name the
    archive's dhs/OIG-21-48_2021; a number two reports have is still asked by id."""
    data = ("--data", _tree(tmp_path / "data", DHS_OF_THE_PAGE))
    for asked in ("dhs/OIG-21-48", "OIG-21-48_2021", "DHS/oig-21-48_2021", "21-48"):
        result = invoke("show", asked, *data, "--json")
        assert result.exit_code == 0, (asked, result.output)
        assert json.loads(result.stdout)["id"] == "dhs/OIG-21-48_2021"
    result = invoke("show", "gpo/OIG-21-48", *data)
    assert result.exit_code == 1 and "no report numbered 'gpo/OIG-21-48'" in result.stderr


def test_diff_pairs_the_bundled_ids_with_the_archives(invoke: Invoke, tmp_path: Path) -> None:
    """dhs/OIG-21-63 (bundled) and dhs/OIG-21-63_2021 (archive) are one report: its id
    changed, not one report added and another removed. DHS reuses numbers: the 2009
    OIG-21-27 is not the bundled 2021 one, and a note says why they were not paired."""
    data = _tree(tmp_path / "data", DHS_OF_THE_PAGE)
    result = invoke("diff", "-", data, "--json", input=invoke("list", "--json").stdout)
    assert result.exit_code == 1, result.output
    found = json.loads(result.stdout)
    assert _ids(found["added"]) == ["dhs/OIG-21-27_2009"]
    assert _ids(found["removed"]) == ["dhs/OIG-21-19", "dhs/OIG-21-27", "dhs/OIG-21-34"]
    ids = {c["id"]: c["changes"]["id"] for c in found["changed"]}
    assert ids == {
        "dhs/OIG-21-63_2021": {"old": "dhs/OIG-21-63", "new": "dhs/OIG-21-63_2021"},
        "dhs/OIG-21-48_2021": {"old": "dhs/OIG-21-48", "new": "dhs/OIG-21-48_2021"},
    }
    assert (
        "Note: dhs/OIG-21-27_2009 (added, fiscal year 2009) has the number of dhs/OIG-21-27 "
        "(fiscal year 2021) (removed): not taken for one report" in " ".join(result.stderr.split())
    )
