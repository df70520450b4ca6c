"""The query options end to end: dates, --where, named filters, search, sorting, fields."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from conftest import NUMBERS, Invoke, fake_terminal, write_file
from oigcli.model.schema import SHOWN_NAMES

pytestmark = pytest.mark.usefixtures("backend")
"""Every test here runs over both sources: reading the data, and its index."""


def _r(
    number: str,
    fy: int,
    date: str | None,
    component: str | None,
    tags: list[str],
    redacted: bool | None,
    made: int | None,
    concurred: int | None,
    title: str,
) -> dict[str, Any]:
    return {
        "report_number": number,
        "title": title,
        "summary": f"Summary of {title.lower()}.",
        "issue_date": date,
        "fiscal_year": fy,
        "inspector": None if component is None else component.lower(),
        "component": component,  # as oigcli 0.1 wrote it: read as components
        "tags": tags,
        "redacted": redacted,
        "recommendations": made,
        "recommendations_concurred": concurred,
        "document_url": None,
        "oversight_area": None,
    }


SAMPLE = [
    _r("OIG-20-10", 2020, "2019-11-05", "ICE", ["Audit"], False, 3, 3, "ICE detention audit"),
    _r("OIG-20-45", 2020, "2020-06-30", "CBP", ["OFO"], True, 5, 4, "CBP mail facility review"),
    _r(
        "OIG-21-02",
        2021,
        "2020-10-01",
        "CBP",
        ["OFO", "USBP"],
        False,
        None,
        None,
        "Border canine program",
    ),
    _r("OIG-21-30", 2021, None, "FEMA", [], False, 2, 2, "FEMA grants oversight"),
    _r(
        "OIG-22-07",
        2022,
        "2022-01-15",
        "CBP",
        ["USBP"],
        True,
        6,
        6,
        "CBP medical care at the border",
    ),
]


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("data") / "sample.json"
    path.write_text(json.dumps(SAMPLE), encoding="utf-8")
    return str(path)


def numbers(invoke: Invoke, *args: str) -> list[str]:
    result = invoke(*args, "--json")
    assert result.exit_code == 0, result.output
    return [r["report_number"] for r in json.loads(result.stdout)]


# --- dates --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--since", "2020-10"], ["OIG-22-07", "OIG-21-02", "OIG-21-30"]),  # FY2021 lies inside
        (["--since", "2021"], ["OIG-22-07"]),  # FY2021 began before 2021: unknown date out
        (["--until", "2020-06"], ["OIG-20-45", "OIG-20-10"]),  # 30 June is included
        (["--until", "2020-06-29"], ["OIG-20-10"]),
        (["--since", "June 2020", "--until", "Oct 2020"], ["OIG-21-02", "OIG-20-45"]),
        (["--since", "1 Oct 2020", "--until", "30 Sep 2021"], ["OIG-21-02", "OIG-21-30"]),
        (["--since", "2020-10-02", "--until", "2021-09-30"], []),
        (["--until", "2021"], ["OIG-21-02", "OIG-21-30", "OIG-20-45", "OIG-20-10"]),
        (["--since", "2030"], []),
    ],
)
def test_date_windows(invoke: Invoke, sample: str, args: list[str], expected: list[str]) -> None:
    assert numbers(invoke, "filter", "--data", sample, *args) == expected


def test_date_windows_on_the_bundled_reports(invoke: Invoke) -> None:
    # every bundled date is unknown, so the fiscal year decides: FY2021 = Oct 2020 - Sep 2021
    assert numbers(invoke, "filter", "--since", "2020-10-01") == NUMBERS
    assert numbers(invoke, "filter", "--since", "2020-10-02") == []
    assert numbers(invoke, "filter", "--until", "2021-09") == NUMBERS
    assert numbers(invoke, "filter", "--until", "2021-08") == []
    assert numbers(invoke, "filter", "--since", "2021") == []


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--fy", "2021"], ["OIG-21-02", "OIG-21-30"]),
        (["--fy", "2021.."], ["OIG-22-07", "OIG-21-02", "OIG-21-30"]),
        (["--fy", "..2020"], ["OIG-20-45", "OIG-20-10"]),
        (["--fy", "2020..2021"], ["OIG-21-02", "OIG-21-30", "OIG-20-45", "OIG-20-10"]),
    ],
)
def test_fiscal_years(invoke: Invoke, sample: str, args: list[str], expected: list[str]) -> None:
    assert numbers(invoke, "filter", "--data", sample, *args) == expected


# --- --where and named filters --------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--where", "recommendations>=5"], ["OIG-22-07", "OIG-20-45"]),
        (["-w", "recommendations>=3", "-w", "components=cbp"], ["OIG-22-07", "OIG-20-45"]),
        (["--where", "tags=usbp"], ["OIG-22-07", "OIG-21-02"]),
        (["--where", "title~(?i)^cbp"], ["OIG-22-07", "OIG-20-45"]),
        (["--where", "issue_date<2020-07"], ["OIG-20-45", "OIG-20-10"]),
        (["--where", "issue_date=null"], ["OIG-21-30"]),
        (["--where", "recommendations=null"], ["OIG-21-02"]),
        (["--where", "components!=CBP"], ["OIG-21-30", "OIG-20-10"]),
        (["--redacted"], ["OIG-22-07", "OIG-20-45"]),
        (["--not-redacted"], ["OIG-21-02", "OIG-21-30", "OIG-20-10"]),
        (["--nonconcurred"], ["OIG-20-45"]),
        (["--nonconcurred", "--not-redacted"], []),
    ],
)
def test_where_and_named_filters(
    invoke: Invoke, sample: str, args: list[str], expected: list[str]
) -> None:
    assert numbers(invoke, "filter", "--data", sample, *args) == expected


def test_named_filters_on_the_bundled_reports(invoke: Invoke) -> None:
    assert numbers(invoke, "filter", "--nonconcurred") == ["OIG-21-27"]
    assert numbers(invoke, "filter", "--redacted") == ["OIG-21-63", "OIG-21-27", "OIG-21-19"]
    assert numbers(invoke, "filter", "--not-redacted") == ["OIG-21-48", "OIG-21-34"]


# --- shaping --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["--sort=-recommendations"],
            ["OIG-22-07", "OIG-20-45", "OIG-20-10", "OIG-21-30", "OIG-21-02"],
        ),
        (
            ["--sort", "recommendations"],
            ["OIG-21-30", "OIG-20-10", "OIG-20-45", "OIG-22-07", "OIG-21-02"],
        ),
        (
            ["--sort", "inspector,-fiscal_year"],
            ["OIG-22-07", "OIG-21-02", "OIG-20-45", "OIG-21-30", "OIG-20-10"],
        ),
        (
            ["--sort", "inspector", "--sort", "-fiscal_year"],
            ["OIG-22-07", "OIG-21-02", "OIG-20-45", "OIG-21-30", "OIG-20-10"],
        ),
        (
            ["--sort", "issue_date"],
            ["OIG-20-10", "OIG-20-45", "OIG-21-02", "OIG-22-07", "OIG-21-30"],
        ),
        (["--sort=-issue_date"], ["OIG-22-07", "OIG-21-02", "OIG-20-45", "OIG-20-10", "OIG-21-30"]),
        (["--limit", "2"], ["OIG-22-07", "OIG-21-02"]),
        (["-n", "2", "--offset", "1"], ["OIG-21-02", "OIG-21-30"]),
        (["--offset", "4"], ["OIG-20-10"]),
        (["--offset", "9"], []),
        (["--limit", "0"], []),
        (["--sort=-recommendations", "--limit", "1"], ["OIG-22-07"]),
    ],
)
@pytest.mark.parametrize("command", ["list", "filter"])
def test_sort_limit_offset(
    invoke: Invoke, sample: str, command: str, args: list[str], expected: list[str]
) -> None:
    assert numbers(invoke, command, "--data", sample, *args) == expected


def test_fields_choose_json_keys_in_order(invoke: Invoke) -> None:
    result = invoke("list", "--fields", "title,report_number", "--json")
    rows = json.loads(result.stdout)
    assert [list(r) for r in rows] == [["title", "report_number"]] * 5
    assert rows[0]["report_number"] == "OIG-21-63"


def test_fields_choose_table_columns(invoke: Invoke) -> None:
    lines = invoke(
        "filter", "--fields", "recommendations,report_number", "--sort", "report_number"
    ).stdout.splitlines()
    assert lines[0].split() == ["recommendations", "report_number"]
    assert [line.split() for line in lines[2:]] == [
        ["4", "OIG-21-19"],
        ["8", "OIG-21-27"],
        ["2", "OIG-21-34"],
        ["3", "OIG-21-48"],
        ["5", "OIG-21-63"],
    ]


def test_show_fields(invoke: Invoke) -> None:
    report = json.loads(
        invoke("show", "21-27", "--fields", "recommendations,title", "--json").stdout
    )
    assert list(report) == ["recommendations", "title"]
    page = invoke("show", "21-27", "--fields", "recommendations,summary").stdout
    assert page.startswith("recommendations  8\nsummary\n  We determined")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["list", "--sort", "nope"], "cannot sort by 'nope'"),
        (["list", "--sort", "tags"], "cannot sort by 'tags'"),
        (["list", "--sort", "score"], "cannot sort by 'score'"),
        (["list", "--fields", "report_number,titel"], "Did you mean title?"),
        (["list", "--fields", "snippet"], "Valid fields: id, report_number, inspector, title,"),
        (["show", "21-27", "--fields", "nope"], "cannot show 'nope'"),
        (["filter", "--limit", "-1"], "-1 is not in the range x>=0"),
        (["filter", "--offset", "x"], "Invalid value for '--offset': 'x'"),
        (["filter", "--since", "someday"], "'someday' is not a date I can read; try 2021"),
        (["filter", "--until", "June"], "'June' is not a date"),
        (["filter", "--where", "nope=1"], "unknown field 'nope'"),
        (["filter", "--where", "title~("], "bad regular expression"),
        (["filter", "--where", "recommendations>many"], "not 'many'"),
        (["stats", "--where", "tags<2"], "tags is a list"),
        (["search", '"unclosed'], "unclosed quote"),
        (["search", "..."], "no words to search for"),
        (["search"], "Missing argument 'QUERY...'"),
        (["search", "x", "--sort", "snippet"], "cannot sort by 'snippet'"),
    ],
)
def test_query_usage_errors_exit_2(invoke: Invoke, args: list[str], message: str) -> None:
    result = invoke(*args)
    assert result.exit_code == 2, result.output
    assert result.stdout == "" and message in result.stderr
    assert "Traceback" not in result.stderr


# --- search ---------------------------------------------------------------------------


def test_search_json_adds_score_and_snippet(invoke: Invoke, bundled: list[dict[str, Any]]) -> None:
    rows = json.loads(invoke("search", "medical", "--json").stdout)
    assert len(rows) == 1
    assert list(rows[0]) == [*SHOWN_NAMES, "score", "snippet"]
    assert {k: rows[0][k] for k in SHOWN_NAMES} == bundled[1]
    assert rows[0]["score"] > 0 and "medical emergencies" in rows[0]["snippet"]


def test_search_ranks_and_takes_criteria(invoke: Invoke) -> None:
    rows = json.loads(invoke("search", "oversight", "--json").stdout)
    assert [r["report_number"] for r in rows] == ["OIG-21-19", "OIG-21-48", "OIG-21-63"]
    assert [r["score"] for r in rows] == sorted((r["score"] for r in rows), reverse=True)
    limited = json.loads(invoke("search", "oversight", "--not-redacted", "--json").stdout)
    assert [(r["report_number"], r["score"]) for r in limited] == [
        (r["report_number"], r["score"]) for r in rows if not r["redacted"]
    ]
    assert numbers(invoke, "search", "oversight", "--sort", "report_number") == [
        "OIG-21-19",
        "OIG-21-48",
        "OIG-21-63",
    ]
    assert numbers(invoke, "search", "oversight", "--limit", "1") == ["OIG-21-19"]


def test_search_fields(invoke: Invoke) -> None:
    rows = json.loads(
        invoke("search", "canine", "--fields", "score,report_number", "--json").stdout
    )
    assert [list(r) for r in rows] == [["score", "report_number"]]


def test_search_table(invoke: Invoke) -> None:
    result = invoke("search", '"mail facility"')
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["report_number", "score", "title", "snippet"]
    assert lines[2].startswith("OIG-21-27")
    assert "\x1b" not in result.stdout


def test_search_with_no_match(invoke: Invoke) -> None:
    assert invoke("search", "zebra", "--json").stdout.strip() == "[]"
    result = invoke("search", "zebra")
    assert result.exit_code == 0 and result.stdout == "" and result.stderr == "No reports match.\n"


@pytest.mark.parametrize(
    ("environ", "highlighted"),
    [({}, True), ({"NO_COLOR": "1"}, False), ({"TERM": "dumb"}, False), ({"NO_COLOR": ""}, True)],
)
def test_search_highlights_only_on_a_colour_terminal(
    invoke: Invoke, environ: dict[str, str], highlighted: bool
) -> None:
    env, out, _ = fake_terminal(200, environ={"PAGER": "", **environ})
    invoke("search", "medical", env=env)
    assert ("\x1b[1mmedical\x1b[22m" in out.getvalue()) is highlighted
    assert ("\x1b" in out.getvalue()) is highlighted


# --- stats ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("by", "groups"),
    [
        ("year", [(2019, 1), (2020, 2), (2022, 1), (None, 1)]),
        ("month", [("2019-11", 1), ("2020-06", 1), ("2020-10", 1), ("2022-01", 1), (None, 1)]),
        ("component", [("CBP", 3), ("FEMA", 1), ("ICE", 1)]),
        ("redacted", [(False, 3), (True, 2)]),
        ("tag", [("Audit", 1), ("OFO", 2), ("USBP", 2), (None, 1)]),
        ("recommendations", [(2, 1), (3, 1), (5, 1), (6, 1), (None, 1)]),
    ],
)
def test_stats_by(invoke: Invoke, sample: str, by: str, groups: list[tuple[Any, int]]) -> None:
    result = json.loads(invoke("stats", "--data", sample, "--by", by, "--json").stdout)
    assert result["by"] == by
    assert [(g["key"], g["reports"]) for g in result["groups"]] == groups


def test_stats_table_shows_unknown_group(invoke: Invoke, sample: str) -> None:
    lines = invoke("stats", "--data", sample, "--by", "year").stdout.splitlines()
    assert [line.split()[:2] for line in lines if line.startswith("unknown")] == [["unknown", "1"]]


CRITERIA_CASES = [
    ["--since", "2020-10"],
    ["--until", "2020-06", "--redacted"],
    ["--where", "recommendations>=3", "--not-redacted"],
    ["--nonconcurred"],
    ["--where", "issue_date=null"],
    ["--fy", "2020..", "--tag", "ofo", "--text", "review"],
]


@pytest.mark.parametrize("criteria", CRITERIA_CASES)
def test_stats_summarises_what_filter_returns(
    invoke: Invoke, sample: str, criteria: list[str]
) -> None:
    rows = json.loads(invoke("filter", "--data", sample, *criteria, "--json").stdout)
    total = json.loads(invoke("stats", "--data", sample, *criteria, "--json").stdout)["total"]
    assert total["reports"] == len(rows)
    assert total["recommendations"] == sum(r["recommendations"] or 0 for r in rows)
    assert total["concurred"] == sum(r["recommendations_concurred"] or 0 for r in rows)


@pytest.mark.parametrize("criteria", CRITERIA_CASES)
def test_search_takes_the_same_criteria(invoke: Invoke, sample: str, criteria: list[str]) -> None:
    filtered = set(numbers(invoke, "filter", "--data", sample, *criteria))
    searched = set(numbers(invoke, "search", "summary", "--data", sample, *criteria))
    assert searched == filtered


def test_help_states_the_unknown_date_rule(invoke: Invoke) -> None:
    text = " ".join(invoke("filter", "--help").stdout.split())
    assert "unknown counts only when its whole fiscal year is inside the window" in text


def test_sort_value_that_looks_like_an_option(invoke: Invoke, sample: str) -> None:
    assert numbers(invoke, "list", "--data", sample, "--sort", "-recommendations", "-n", "1") == [
        "OIG-22-07"
    ]


def test_round_trip_of_a_sample(invoke: Invoke, sample: str) -> None:
    text = invoke("list", "--data", sample, "--json").stdout
    again = invoke("list", "--data", "-", "--json", input=text)
    assert json.loads(again.stdout) == json.loads(text)


def test_fields_and_sort_read_what_they_need(invoke: Invoke, bundled: list[dict[str, Any]]) -> None:
    """An index reads only the fields a listing shows and sorts by: the rows are those of
    the whole reports, cut to the fields, in the order of the sort."""
    for sort in ("recommendations", "-title", "issue_date,report_number"):
        found = invoke("list", "--fields", "title", "--sort", sort, "--format", "jsonl").stdout
        whole = invoke("list", "--sort", sort, "--json").stdout
        assert [json.loads(line) for line in found.splitlines()] == [
            {"title": r["title"]} for r in json.loads(whole)
        ]
    rows = invoke("list", "--fields", "report_number", "--limit", "2", "--offset", "1", "--json")
    assert json.loads(rows.stdout) == [{"report_number": n} for n in NUMBERS[1:3]]


def test_search_takes_its_words_as_one_argument_or_several(invoke: Invoke) -> None:
    """Several bare words are the query they make quoted together: `search medical care`."""
    for one, several in (
        (["medical care"], ["medical", "care"]),
        (['"mail facility" inspection'], ['"mail facility"', "inspection"]),
        (["mail*"], ["mail*"]),
    ):
        quoted = invoke("search", *one, "--json")
        bare = invoke("search", *several, "--json")
        assert quoted.exit_code == bare.exit_code == 0
        assert quoted.stdout == bare.stdout and json.loads(bare.stdout)
    assert invoke("search").exit_code == 2  # a query is still required


def test_search_leaves_out_reports_with_an_excluded_word(invoke: Invoke) -> None:
    """`-word`, `-"a phrase"` and `-prefix*` exclude (issue #14's search habits); written
    inside the query's quotes or after --, since a bare -word is read as options."""

    def found(*args: str) -> list[str]:
        result = invoke("search", "--json", *args)  # options before a --
        assert result.exit_code == 0, result.output
        return [r["report_number"] for r in json.loads(result.stdout)]

    every = found("CBP")
    assert len(every) == 5
    assert found("CBP -canine") == [n for n in every if n != "OIG-21-19"]
    assert found("CBP", "--", "-canine") == found("CBP -canine")
    assert found('CBP -"mail facility"') == [n for n in every if n != "OIG-21-27"]
    assert found("CBP -canine -mail*") == [n for n in every if n not in ("OIG-21-19", "OIG-21-27")]
    only = invoke("search", "--", "-canine")
    assert only.exit_code == 2 and "a query of -words only excludes from nothing" in only.stderr


def test_search_or_finds_either(invoke: Invoke) -> None:
    def found(query: str) -> list[str]:
        result = invoke("search", query, "--json")
        assert result.exit_code == 0, result.output
        return sorted(r["report_number"] for r in json.loads(result.stdout))

    assert found("canine") == ["OIG-21-19"]
    assert found('"mail facility"') == ["OIG-21-27"]
    assert found('canine OR "mail facility"') == ["OIG-21-19", "OIG-21-27"]
    assert found('CBP canine OR "mail facility"') == ["OIG-21-19", "OIG-21-27"]
    assert found('canine OR "mail facility" -canine') == ["OIG-21-27"]
    bad = invoke("search", "canine OR")
    assert bad.exit_code == 2 and "OR needs a word or phrase on each side" in bad.stderr


def test_relative_dates_count_back_from_today(invoke: Invoke, tmp_path: Path) -> None:
    """--since yesterday and --since 7d, for a cron job that asks what is recent."""
    today = dt.date.today()

    def report(number: str, days: int) -> dict[str, Any]:
        day = today - dt.timedelta(days=days)
        year = day.year + (day.month >= 10)
        return {"report_number": number, "title": number, "fiscal_year": year,
                "issue_date": day.isoformat()}  # fmt: skip

    data = write_file(tmp_path, json.dumps([report("A", 0), report("B", 3), report("C", 30)]))

    def numbers(*args: str) -> list[str]:
        result = invoke("filter", "--data", data, *args, "--json")
        assert result.exit_code == 0, result.output
        return sorted(r["report_number"] for r in json.loads(result.stdout))

    assert numbers("--since", "yesterday") == ["A"]
    assert numbers("--since", "7d") == ["A", "B"]
    assert numbers("--until", "1w") == ["C"]
    result = invoke("filter", "--data", data, "--since", "7x")
    assert result.exit_code == 2 and "yesterday or 7d" in result.stderr


def test_search_says_how_to_leave_out_a_word_the_parser_took_for_c(invoke: Invoke) -> None:
    """`search CBP -canine` is read as `-c anine` (a component no report has): the note
    says how to leave the word out, and the quoted form does."""
    result = invoke("search", "CBP", "-canine")
    assert result.exit_code == 0
    assert (
        "If -canine was a word to leave out, it was read as -c anine: write it inside the "
        "query's quotes (oigcli search 'CBP -canine') or after -- (oigcli search -- CBP "
        "-canine)." in " ".join(result.stderr.split())
    )
    quoted = json.loads(invoke("search", "CBP -canine", "--json").stdout)
    assert len(quoted) == 4 and "21-19" not in {r["report_number"][-5:] for r in quoted}
    # a component typed as such gets no such hint
    assert "leave out" not in invoke("search", "CBP", "--component", "anine").stderr
