"""The bundled dataset: traceable to the source page, derived values checked against text."""

from __future__ import annotations

import importlib.util
from typing import Any

import pytest

from conftest import BUNDLED_JSON, NUMBERS, ROOT
from oigcli.load import dataset, records
from oigcli.model.schema import SHOWN_NAMES

SOURCE_COPY = ROOT / "scripts" / "dhs-oig-ofo-reports-page.txt"
SHARED_SOURCE = ROOT.parent / "shared" / "source" / "dhs-oig-ofo-reports-page.txt"

# What each report's own text says, and the sentence that says it.
EXPECTED = {
    "OIG-21-63": (5, 5, True, "We made five recommendations", "concurred with all five"),
    "OIG-21-48": (3, 3, False, "all three of our recommendations", "concurred with all three"),
    "OIG-21-34": (2, 2, False, "We made two recommendations", "concurred with all recommendations"),
    "OIG-21-27": (
        8,
        6,
        True,
        "We made eight recommendations",
        "concurred with six, but non-concurred with two",
    ),
    "OIG-21-19": (
        4,
        4,
        True,
        "we made four recommendations",
        "concurred with all our recommendations",
    ),
}


def _build_script() -> Any:
    spec = importlib.util.spec_from_file_location(
        "build_dataset", ROOT / "scripts" / "build_dataset.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_bundled_file_is_exactly_what_the_build_script_makes_from_the_source() -> None:
    build = _build_script()
    made = build.render(build.parse(SOURCE_COPY.read_text(encoding="utf-8")))
    assert BUNDLED_JSON.read_text(encoding="utf-8") == made


@pytest.mark.skipif(
    not SHARED_SOURCE.exists(), reason="../shared/source is not beside this checkout"
)
def test_source_copy_matches_the_shared_source() -> None:
    assert SOURCE_COPY.read_bytes() == SHARED_SOURCE.read_bytes()


def test_five_reports_in_page_order_with_schema_keys(bundled: list[dict[str, Any]]) -> None:
    assert [r["report_number"] for r in bundled] == NUMBERS
    for report in bundled:
        assert tuple(report) == SHOWN_NAMES


def test_bundled_dataset_passes_validation(bundled: list[dict[str, Any]]) -> None:
    data = dataset.read()
    assert data.problems == [] and data.records == 5
    assert data.reports == bundled


@pytest.mark.parametrize("field", ["issue_date", "document_url", "oversight_area"])
def test_labels_without_a_value_on_the_page_are_null(
    bundled: list[dict[str, Any]], field: str
) -> None:
    assert [r[field] for r in bundled] == [None] * 5


def test_values_read_from_the_page(bundled: list[dict[str, Any]]) -> None:
    page = SOURCE_COPY.read_text(encoding="utf-8")
    for report in bundled:
        assert report["title"] in page
        assert report["report_number"] in page
        assert report["fiscal_year"] == 2021
        assert report["components"] == ["CBP"] and "CBP" in report["title"]
        assert report["id"] == f"dhs/{report['report_number']}" and report["inspector"] == "dhs"
        # the page says nothing of these: unknown, never a guess
        for name in ("type", "topic", "unreleased", "landing_url", "agency_name"):
            assert report[name] is None
        assert report["tags"] == ["OFO"]
        assert not report["summary"].startswith("Summary:")
        # the summary is the page's text with whitespace folded: every sentence is there
        first_words = " ".join(report["summary"].split()[:8])
        assert first_words in " ".join(page.split())


@pytest.mark.parametrize("number", NUMBERS)
def test_derived_values_match_the_text_they_come_from(
    bundled: list[dict[str, Any]], number: str
) -> None:
    made, concurred, redacted, made_phrase, concurred_phrase = EXPECTED[number]
    report = next(r for r in bundled if r["report_number"] == number)
    assert made_phrase in report["summary"]
    assert concurred_phrase in report["summary"]
    assert report["recommendations"] == made
    assert report["recommendations_concurred"] == concurred
    assert report["redacted"] is redacted
    assert ("redacted" in report["title"].lower()) is redacted


def test_totals(bundled: list[dict[str, Any]]) -> None:
    assert sum(r["recommendations"] for r in bundled) == 22
    assert sum(r["recommendations_concurred"] for r in bundled) == 20


def test_data_file_is_found_through_the_package() -> None:
    assert dataset.read().source == records.BUNDLED
