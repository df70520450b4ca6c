"""Recommendations as rows (oigcli.model.recommend, ``oigcli recommendations``).

The texts written here follow the layout pdftotext -layout gives DHS OIG and TIGTA reports
(headings at a line's start, paragraphs between blank lines, page breaks, the agency's
letter restating the recommendations); their words are ours, not a report's. The real texts
are tests/corpus/recommendations.jsonl: whole report.txt files of the scraper, none of
which numbers its recommendations: no row may come from them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import fake_terminal
from oigcli.model import recommend
from oigcli.model.recommend import Recommendation, numbered, position
from scraper import write_archive

CORPUS = Path(__file__).parent / "corpus" / "recommendations.jsonl"

DHS = """\
                               Results of Review

      CBP did not inspect every package at the facility.

Recommendations

Recommendation 1: We recommend the Executive Assistant Commissioner, Office of
Field Operations, update the facility's inspection procedures.

Recommendation 2: We recommend the Executive Assistant Commissioner, Office of
Field Operations, train officers on the updated procedures and track who has
completed the training.

Recommendation 3: We recommend the Commissioner of CBP replace the x-ray
equipment at the facility.

Management Comments and OIG Analysis

CBP concurred with two recommendations. Appendix B contains CBP's response.

CBP Response to Recommendation 1: Concur. CBP's Office of Field Operations will
update the procedures. Estimated Completion Date (ECD): June 30, 2021.

OIG Analysis: We consider these actions responsive to the recommendation, which
is resolved and open.

CBP Response to Recommendations 2 and 3: Partially concur. CBP will train its
officers but does not plan to track the training.
\f
Appendix B
CBP Comments to the Draft Report

Recommendation 1: Update the inspection procedures at the facility.

Response: Concur.
"""

TIGTA = """\
Recommendation 1: The Commissioner, Wage and Investment Division, should
correct the notices sent to taxpayers.

      Management's Response: The IRS agreed with this recommendation and will
      correct the notices.

Recommendation 2: The Commissioner, Wage and Investment Division, should
review the cases we identified.

      Management's Response: The IRS did not agree with this recommendation.
"""


def rows_of(text: str, count: int | None = None) -> list[Recommendation]:
    found = numbered(text, count)
    assert found.doubt is None, found.doubt
    return found.rows


def test_dhs_layout_rows_with_their_responses() -> None:
    rows = rows_of(DHS, 3)
    assert [r.number for r in rows] == [1, 2, 3]
    assert rows[0].text == (
        "We recommend the Executive Assistant Commissioner, Office of Field Operations, "
        "update the facility's inspection procedures."
    )
    assert rows[2].text.startswith("We recommend the Commissioner of CBP replace")
    assert [r.response for r in rows] == ["concur", "partially concur", "partially concur"]
    assert rows[0].response_text is not None
    assert rows[0].response_text.startswith("Concur. CBP's Office of Field Operations")
    assert "June 30, 2021." in rows[0].response_text  # the paragraph, not just "Concur."


def test_the_first_statement_of_a_number_is_kept() -> None:
    """The agency's letter restates recommendation 1 in other words: the report's own
    statement is the row's text."""
    assert rows_of(DHS)[0].text.startswith("We recommend the Executive Assistant")


def test_a_response_paragraph_under_each_recommendation() -> None:
    rows = rows_of(TIGTA)
    assert [(r.number, r.response) for r in rows] == [(1, "concur"), (2, "non-concur")]
    assert rows[1].response_text == "The IRS did not agree with this recommendation."


def test_a_heading_alone_on_its_line_and_hash_numbers() -> None:
    text = "Recommendation #1:\n\n   Establish a plan to replace the equipment.\n\n"
    text += "Recommendation #2: Report on the plan each year.\n"
    assert [(r.number, r.text) for r in rows_of(text)] == [
        (1, "Establish a plan to replace the equipment."),
        (2, "Report on the plan each year."),
    ]


def test_a_hyphen_at_a_line_end_joins() -> None:
    text = "Recommendation 1: Adopt a risk-\nbased review of   the  grants.\n"
    assert rows_of(text)[0].text == "Adopt a risk-based review of the grants."


def test_the_oig_s_own_analysis_is_not_the_agency_s_response() -> None:
    text = (
        "Recommendation 1: Fix the locks.\n\nOIG Response: We agree the plan is sound.\n\n"
        "OIG Analysis of CBP Response to Recommendation 1: We concur with CBP's plan.\n"
    )
    row = rows_of(text)[0]
    assert (row.response, row.response_text) == (None, None)


def test_no_response_stated_is_null() -> None:
    row = rows_of("Recommendation 1: Fix the locks.\n\nFinding B\n")[0]
    assert (row.response, row.response_text) == (None, None)


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Concur.", "concur"),
        ("Concur in principle.", "concur"),
        ("The IRS agreed with this recommendation.", "concur"),
        ("CBP concurred with the recommendation.", "concur"),
        ("Non-concur.", "non-concur"),
        ("Nonconcur.", "non-concur"),
        ("FEMA does not concur with this recommendation.", "non-concur"),
        ("Management disagreed.", "non-concur"),
        ("Partially concur.", "partially concur"),
        ("ICE concurred in part.", "partially concur"),
        ("The agency partially agreed.", "partially concur"),
        ("See the attached memorandum.", None),
    ],
)
def test_positions(sentence: str, expected: str | None) -> None:
    assert position(sentence) == expected


def test_a_response_that_states_no_position_keeps_its_words() -> None:
    text = "Recommendation 1: Fix the locks.\n\nResponse: See the attached memorandum.\n"
    row = rows_of(text)[0]
    assert (row.response, row.response_text) == (None, "See the attached memorandum.")


# --- the checks: no row rather than a wrong one --------------------------------------------


@pytest.mark.parametrize(
    ("text", "count", "doubt"),
    [
        (
            "Recommendation 1: Fix the locks.\n\nRecommendation 3: Fix the doors.\n",
            None,
            "numbered 1, 3, with some missing",
        ),
        (DHS, 4, "numbers 3 recommendations and its count is 4"),
        (
            "Recommendation 1: We recommend that the Director\n\f\nupdate the plan.\n",
            None,
            "recommendation 1 does not end a sentence",
        ),
        (
            "Recommendation 1: Fix the locks.          The agency spent $4 million on\n"
            "the doors, which we did not review.       it in 2019.\n",
            None,
            "recommendation 1 is laid out in columns",
        ),
        (
            "Recommendation 1: " + "Improve the process. " * 80 + "\n",
            None,
            "recommendation 1 runs past 1,500 characters",
        ),
        ("Recommendation 2:\n\n\n\n\nFinding B\n", None, "recommendation 2 has no text"),
        (
            "Report A\nRecommendation 1: Fix the locks.\nRecommendation 2: Fix the doors.\n\n"
            "Report B\nRecommendation 1: Train staff.\nRecommendation 2: Test staff.\n"
            "Recommendation 3: Report the results.\n",
            None,
            "its first run of recommendations is not the whole (1-2, 1-3)",
        ),
    ],
)
def test_a_failed_check_gives_no_row_and_says_why(text: str, count: int | None, doubt: str) -> None:
    found = numbered(text, count)
    assert found.rows == []
    assert found.doubt is not None and doubt in found.doubt


def test_a_table_of_contents_is_not_a_statement() -> None:
    text = (
        "Recommendation 1: Update procedures . . . . . . . . 12\n"
        "Recommendation 2: Train officers........................14\n\n"
        "Recommendation 1: We recommend CBP update its procedures.\n\n"
        "Recommendation 2: We recommend CBP train its officers.\n"
    )
    assert [r.text for r in rows_of(text, 2)] == [
        "We recommend CBP update its procedures.",
        "We recommend CBP train its officers.",
    ]


def test_mentions_in_sentences_are_not_headings() -> None:
    text = (
        "CBP concurred with Recommendation 1: it will act.\n"
        "As noted in our prior report, Recommendation 4: remains open.\n"
    )
    assert numbered(text) == recommend.NONE


@pytest.mark.parametrize("text", [None, "", "We made no recommendations.", "Recommendations\n"])
def test_texts_without_numbered_recommendations(text: str | None) -> None:
    assert numbered(text) == recommend.NONE


def test_real_texts_give_no_row() -> None:
    """Precision on the real texts we have: every one is whole scraper output, and none
    numbers its recommendations ("Recommendation: The OIG recommended ...", two-column
    semiannual reports, letters): a row from any is a wrong row."""
    entries = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()]
    assert len(entries) == 13
    for entry in entries:
        assert entry["url"].startswith("https://github.com/konklone/oversight.garden/")
        found = numbered(entry["text"])
        assert [r._asdict() for r in found.rows] == entry["rows"], entry["id"]
        assert found.doubt is None, entry["id"]


# --- the command and the API ---------------------------------------------------------------


def _archive(root: Path, texts: dict[str, str], **fields: Any) -> Path:
    records = [
        {
            "inspector": "dhs",
            "agency": "cbp",
            "agency_name": "Customs and Border Protection",
            "report_id": report_id,
            "title": f"Review {report_id}",
            "url": f"https://www.oig.dhs.gov/{report_id}.pdf",
            "published_on": f"2021-0{i + 1}-15",
            **fields,
        }
        for i, report_id in enumerate(texts)
    ]
    write_archive(root, records)
    for record in records:
        folder = root / "dhs" / record["published_on"][:4] / record["report_id"]
        (folder / "report.txt").write_text(texts[record["report_id"]], encoding="utf-8")
    return root


def test_command_json_rows(invoke: Any, tmp_path: Path, backend: str) -> None:
    gap = "Recommendation 1: Fix the locks.\n\nRecommendation 3: Fix the doors.\n"
    root = _archive(tmp_path / "data", {"OIG-21-01": DHS, "OIG-21-02": TIGTA, "OIG-21-03": gap})
    result = invoke("recommendations", "--data", str(root), "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [(r["id"], r["number"]) for r in rows] == [
        ("dhs/OIG-21-02", 1),
        ("dhs/OIG-21-02", 2),
        ("dhs/OIG-21-01", 1),
        ("dhs/OIG-21-01", 2),
        ("dhs/OIG-21-01", 3),
    ]  # newest report first, then by number
    assert list(rows[0]) == list(recommend.RECOMMENDATION_FIELDS)
    assert rows[0]["report_number"] == "OIG-21-02"
    assert rows[1]["response"] == "non-concur"
    assert "dhs/OIG-21-03: its recommendations are numbered 1, 3" in result.stderr


def test_command_criteria_and_formats(invoke: Any, tmp_path: Path) -> None:
    root = _archive(tmp_path / "data", {"OIG-21-01": DHS, "OIG-21-02": TIGTA})
    result = invoke("recommendations", "--data", str(root), "--since", "2021-02", "--format", "csv")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == ",".join(recommend.RECOMMENDATION_FIELDS)
    assert len(lines) == 3 and all(line.startswith("dhs/OIG-21-02,") for line in lines[1:])
    jsonl = invoke("recommendations", "--data", str(root), "--format", "jsonl")
    assert len(jsonl.stdout.splitlines()) == 5


def test_command_table_for_a_person(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from oigcli.cli.main import app

    root = _archive(tmp_path / "data", {"OIG-21-01": DHS})
    env, out, _err = fake_terminal(100)
    result = CliRunner().invoke(app, ["recommendations", "--data", str(root)], obj=env)
    assert result.exit_code == 0, result.output
    table = out.getvalue()
    assert "OIG-21-01" in table and "response" in table and "response_text" not in table
    assert "partially concur" in table
    assert all(len(line) <= 100 for line in table.splitlines())


def test_command_without_texts_says_so(invoke: Any) -> None:
    result = invoke("recommendations")  # the bundled dataset: summaries, no texts
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "No numbered recommendation in the 5 reports read (5 without a text)." in result.stderr
    assert json.loads(invoke("recommendations", "--json").stdout) == []


def test_command_bad_criteria_exit_2(invoke: Any) -> None:
    result = invoke("recommendations", "--fy", "twenty")
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_control_characters_never_reach_a_terminal(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from oigcli.cli.main import app

    hostile = "Recommendation 1: Fix \x1b[31mthe\x07 locks.\n\nResponse: Concur \x1b]0;x\x07.\n"
    root = _archive(tmp_path / "data", {"OIG-21-01": hostile})
    env, out, _err = fake_terminal(120)
    result = CliRunner().invoke(app, ["recommendations", "--data", str(root)], obj=env)
    assert result.exit_code == 0, result.output
    assert "\x1b" not in out.getvalue() and "\x07" not in out.getvalue()


def test_api(tmp_path: Path) -> None:
    import oigcli

    root = _archive(tmp_path / "data", {"OIG-21-01": DHS, "OIG-21-02": TIGTA})
    with oigcli.open(str(root)) as reports:
        rows = list(reports.recommendations(since="2021-02"))
        assert [r["number"] for r in rows] == [1, 2]
        with pytest.raises(oigcli.UsageError, match=r"Reports.recommendations\(\) has no"):
            list(reports.recommendations(limt=3))


def test_texts_are_let_go_as_they_are_read() -> None:
    """Flat memory: 200 texts of 200,000 characters pass through the listing; it keeps
    only the rows (a peak of one text, not of all 40 million characters)."""
    import tracemalloc

    from oigcli.query.recommend import Listing

    def reports() -> Any:
        for n in range(200):
            text = "Recommendation 1: Fix the locks.\n\n" + "x" * 200_000
            yield {"id": f"x/{n}", "report_number": str(n), "recommendations": None,
                   "fiscal_year": 2021, "issue_date": None, "text": text}  # fmt: skip

    tracemalloc.start()
    try:
        rows = list(Listing(reports()))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(rows) == 200 and rows[0]["report_number"] == "199"  # newest first
    assert peak < 10 * 200_000 * 4  # a few texts at a time, never 200 of them


def test_work_grows_with_the_lines_not_their_square(monkeypatch: pytest.MonkeyPatch) -> None:
    """A hostile text of thousands of headings and responses with no blank line between:
    each line is joined into a paragraph a bounded number of times (a response paragraph
    is read once per number, and no further than its limit)."""
    joined = {"lines": 0}
    real = recommend._joined

    def counting(parts: list[str]) -> str:
        joined["lines"] += len(parts)
        return real(parts)

    monkeypatch.setattr(recommend, "_joined", counting)

    def lines_joined(copies: int) -> int:
        joined["lines"] = 0
        block = "Recommendation 1: Fix it.\nCBP Response to Recommendation 1: Concur.\n"
        numbered(block * copies)
        return joined["lines"]

    small, large = lines_joined(1_000), lines_joined(4_000)
    assert large <= 4 * small + 10
