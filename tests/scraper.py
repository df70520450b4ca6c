"""A small archive in the layout of the inspectors-general scraper, written for the tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

REPORTS: list[dict[str, Any]] = [
    {
        "inspector": "dhs",
        "inspector_url": "https://www.oig.dhs.gov/",
        "agency": "cbp",
        "agency_name": "Customs and Border Protection",
        "report_id": "OIG-20-10",
        "title": "CBP Mail Facility Review",
        "url": "https://www.oig.dhs.gov/sites/default/files/assets/2020-01/OIG-20-10.pdf",
        "published_on": "2019-12-18",
        "type": "audit",
        "topic": "Mail",
        "summary": "We reviewed mail inspection at the facility.",
    },
    {
        "inspector": "dhs",
        "inspector_url": "https://www.oig.dhs.gov/",
        "agency": "ice",
        "agency_name": "Immigration and Customs Enforcement",
        "report_id": "OIG-21-01_2021",  # the scraper's _YYYY suffix
        "title": "ICE Detention Oversight",
        "url": "https://www.oig.dhs.gov/reports/OIG-21-01.pdf",
        "published_on": "2020-10-05",  # October: fiscal year 2021
        "type": "inspection",
    },
    {
        "inspector": "dhs",
        "inspector_url": "https://www.oig.dhs.gov/",
        "agency": "fema",
        "agency_name": "Federal Emergency Management Agency",
        "report_id": "OIG-21-40",
        "title": "FEMA Grants Management",
        "url": "https://www.oig.dhs.gov/reports/OIG-21-40.pdf",
        "published_on": "2021-09-30",  # the last day of fiscal year 2021
    },
]

EXPECTED: list[dict[str, Any]] = [
    {
        "report_number": "OIG-20-10",
        "title": "CBP Mail Facility Review",
        "summary": "We reviewed mail inspection at the facility.",
        "issue_date": "2019-12-18",
        "fiscal_year": 2020,
        "component": "CBP",
        "tags": [],
        "redacted": None,
        "recommendations": None,
        "recommendations_concurred": None,
        "document_url": "https://www.oig.dhs.gov/sites/default/files/assets/2020-01/OIG-20-10.pdf",
        "oversight_area": None,
    },
    {
        "report_number": "OIG-21-01",
        "title": "ICE Detention Oversight",
        "summary": None,
        "issue_date": "2020-10-05",
        "fiscal_year": 2021,
        "component": "ICE",
        "tags": [],
        "redacted": None,
        "recommendations": None,
        "recommendations_concurred": None,
        "document_url": "https://www.oig.dhs.gov/reports/OIG-21-01.pdf",
        "oversight_area": None,
    },
    {
        "report_number": "OIG-21-40",
        "title": "FEMA Grants Management",
        "summary": None,
        "issue_date": "2021-09-30",
        "fiscal_year": 2021,
        "component": "FEMA",
        "tags": [],
        "redacted": None,
        "recommendations": None,
        "recommendations_concurred": None,
        "document_url": "https://www.oig.dhs.gov/reports/OIG-21-40.pdf",
        "oversight_area": None,
    },
]


def write_archive(root: Path, reports: list[dict[str, Any]] = REPORTS) -> Path:
    """<root>/<inspector>/<year>/<report_id>/report.json for each report; returns root."""
    for report in reports:
        folder = root / report["inspector"] / report["published_on"][:4] / report["report_id"]
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "report.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    return root
