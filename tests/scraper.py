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
        "report_id": "OIG-20-10_2019",  # the DHS scraper adds the publication year
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
        "report_id": "OIG-21-01_2020",  # published in 2020, fiscal year 2021
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
        "report_id": "OIG-21-40_2021",
        "title": "FEMA Grants Management",
        "url": "https://www.oig.dhs.gov/reports/OIG-21-40.pdf",
        "published_on": "2021-09-30",  # the last day of fiscal year 2021
    },
]

LATER: dict[str, Any] = {
    "questioned_costs": None,
    "funds_put_to_better_use": None,
    "estimated_date": False,  # the scraper marks a guessed date; these are not
    "missing": False,
    "page_count": None,
    "subtopic": None,
    "location": None,
    "author": None,
    "derived": None,  # their texts state no value oigcli reads
}
"""The fields after oversight_area, as the three records of REPORTS have them."""

EXPECTED: list[dict[str, Any]] = [
    {
        "id": "dhs/OIG-20-10_2019",
        "report_number": "OIG-20-10",
        "inspector": "dhs",
        "title": "CBP Mail Facility Review",
        "summary": "We reviewed mail inspection at the facility.",
        "issue_date": "2019-12-18",
        "fiscal_year": 2020,
        "components": ["CBP"],
        "tags": [],
        "type": "audit",
        "topic": "Mail",
        "redacted": None,
        "recommendations": None,
        "recommendations_concurred": None,
        "unreleased": False,
        "document_url": "https://www.oig.dhs.gov/sites/default/files/assets/2020-01/OIG-20-10.pdf",
        "landing_url": None,
        "agency_name": "Customs and Border Protection",
        "oversight_area": None,
        **LATER,
    },
    {
        "id": "dhs/OIG-21-01_2020",
        "report_number": "OIG-21-01",
        "inspector": "dhs",
        "title": "ICE Detention Oversight",
        "summary": None,
        "issue_date": "2020-10-05",
        "fiscal_year": 2021,
        "components": ["ICE"],
        "tags": [],
        "type": "inspection",
        "topic": None,
        "redacted": None,
        "recommendations": None,
        "recommendations_concurred": None,
        "unreleased": False,
        "document_url": "https://www.oig.dhs.gov/reports/OIG-21-01.pdf",
        "landing_url": None,
        "agency_name": "Immigration and Customs Enforcement",
        "oversight_area": None,
        **LATER,
    },
    {
        "id": "dhs/OIG-21-40_2021",
        "report_number": "OIG-21-40",
        "inspector": "dhs",
        "title": "FEMA Grants Management",
        "summary": None,
        "issue_date": "2021-09-30",
        "fiscal_year": 2021,
        "components": ["FEMA"],
        "tags": [],
        "type": None,
        "topic": None,
        "redacted": None,
        "recommendations": None,
        "recommendations_concurred": None,
        "unreleased": False,
        "document_url": "https://www.oig.dhs.gov/reports/OIG-21-40.pdf",
        "landing_url": None,
        "agency_name": "Federal Emergency Management Agency",
        "oversight_area": None,
        **LATER,
    },
]


def write_archive(root: Path, reports: list[dict[str, Any]] = REPORTS) -> Path:
    """<root>/<inspector>/<year>/<report_id>/report.json for each report; returns root."""
    for report in reports:
        folder = root / report["inspector"] / report["published_on"][:4] / report["report_id"]
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "report.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    return root


# --- the whole archive: several inspectors, as the scraper's own rules write them --------


def scraper_record(
    inspector: str, report_id: str, published_on: str, **fields: Any
) -> dict[str, Any]:
    """A record as inspectors/utils/inspector.py saves it: ``type`` defaults to "report",
    ``year`` is the publication's calendar year, a ``url`` unless ``unreleased``."""
    record: dict[str, Any] = {
        "inspector": inspector,
        "inspector_url": f"https://oig.{inspector}.example.gov/",
        "report_id": report_id,
        "published_on": published_on,
        "year": int(published_on[:4]),
        "type": "report",
        **fields,
    }
    if "url" in record:
        record.setdefault("file_type", record["url"].rsplit(".", 1)[-1])
    return record


ARCHIVE: list[dict[str, Any]] = [
    # DHS reuses numbers from year to year: its scraper adds the publication year
    scraper_record(
        "dhs",
        "DS-12-01_2011",
        "2011-11-02",
        agency="dhs",
        agency_name="Department of Homeland Security",
        title="Management Challenges 2011",
        type="audit",
        url="https://www.oig.dhs.gov/assets/Mgmt/OIG_DS-12-01_Nov11.pdf",
    ),
    scraper_record(
        "dhs",
        "DS-12-01_2012",
        "2012-02-10",
        title="Border Searches Review",
        # one report filed under two components: the scraper joins them with ", "
        agency="cbp, ice",
        agency_name="Customs & Border Protection, Immigration and Customs Enforcement",
        url="https://www.oig.dhs.gov/assets/Mgmt/OIG_DS-12-01_Feb12.pdf",
    ),
    scraper_record(
        "dhs",
        "OIG-21-05_2020",
        "2020-10-05",
        title="Secret Service Travel Vouchers",
        agency="secret_service",
        agency_name="U.S. Secret Service",
        url="https://www.oig.dhs.gov/reports/OIG-21-05.pdf",
    ),
    scraper_record(
        "dhs",
        "OIG-21-02_2020",
        "2020-10-20",
        title="Coast Guard Cutter Maintenance",
        agency="coast_guard",
        agency_name="U.S. Coast Guard",
        summary=None,
        url="https://www.oig.dhs.gov/reports/OIG-21-02.pdf",
    ),
    # report ids are unique only within one inspector
    scraper_record(
        "gpo",
        "14-01",
        "2013-12-03",
        agency="gpo",
        agency_name="Government Publishing Office",
        title="Passport Printing Controls",
        url="https://www.gpo.gov/oig/14-01.pdf",
        summary="We audited the controls over blank passport books.",
    ),
    scraper_record(
        "lsc",
        "14-01",
        "2013-11-15",
        agency="lsc",
        agency_name="Legal Services Corporation",
        title="Grantee Oversight",
        url="https://www.oig.lsc.gov/14-01.pdf",
    ),
    scraper_record(
        "gpo",
        "11-04",
        "2011-03-01",
        agency="gpo",
        agency_name="Government Publishing Office",
        title="Print Procurement",
        url="https://www.gpo.gov/oig/11-04.pdf",
    ),
    scraper_record(
        "flra",
        "11-04",
        "2011-05-01",
        agency="flra",
        agency_name="Federal Labor Relations Authority",
        title="FLRA Internal Controls",
        url="https://www.flra.gov/oig/11-04.pdf",
    ),
    # Peace Corps ids end in years of their own, and hold spaces and punctuation
    *(
        scraper_record(
            "peacecorps",
            f"Management_and_Performance_Challenges_{year}",
            f"{year}-11-15",
            agency="peacecorps",
            agency_name="Peace Corps",
            type="other",
            title=f"Management and Performance Challenges {year}",
            url=f"https://files.peacecorps.gov/MPC_{year}.pdf",
        )
        for year in (2009, 2010, 2011, 2012)
    ),
    scraper_record(
        "peacecorps",
        "Case_Study_-_PC_Panama_-_2006",
        "2006-06-01",
        agency="peacecorps",
        agency_name="Peace Corps",
        title="Case Study: PC Panama",
        type="evaluation",
        url="https://files.peacecorps.gov/Case_Study_Panama.pdf",
    ),
    scraper_record(
        "peacecorps",
        "PC Morocco #2 & (Final)",
        "2010-02-01",
        agency="peacecorps",
        agency_name="Peace Corps",
        title="Assessment of Medical Care in Peace Corps Morocco",
        url="https://files.peacecorps.gov/Morocco.pdf",
    ),
    # an unreleased report: no document, only its landing page
    scraper_record(
        "fed",
        "2016-IT-B-013",
        "2016-09-29",
        agency="federal_reserve",
        agency_name="Board of Governors of the Federal Reserve System",
        title="Restricted: Security Controls",
        unreleased=True,
        landing_url="https://oig.federalreserve.gov/reports/it-b-013.htm",
        topic="Information Technology",
    ),
    scraper_record(
        "dod",
        "DODIG-2015-001",
        "2014-10-07",
        agency="dod",
        agency_name="Department of Defense",
        title="Audit of Military Housing",
        topic="Facilities",
        summary="",
        url="https://www.dodig.mil/reports/DODIG-2015-001.pdf",
        landing_url="https://www.dodig.mil/reports/2015-001/",
    ),
]

TEXTS: dict[str, str] = {
    "dhs/DS-12-01_2011": "The department faces challenges in financial management. "
    "We recommend stronger controls.",
    "dhs/DS-12-01_2012": "Officers searched travellers at ports of entry. "
    "The body of this report alone mentions quarantine kennels.",
    "dhs/OIG-21-05_2020": "Travel vouchers were reviewed. Recommendations: two.",
    "gpo/14-01": "Blank passport books were counted twice a year.",
    "lsc/14-01": "Grantees reported case statistics.",
    "peacecorps/PC Morocco #2 & (Final)": "Volunteers received medical care in Morocco.",
    "dod/DODIG-2015-001": "Military housing had mold and recommendation follow-up lapsed.",
    "gpo/11-04": "Print jobs were bought without competition. We made three recommendations "
    "to the Director. GPO concurred with all three recommendations. We questioned $48,200 "
    "charged to the contract.",
    "flra/11-04": "Internal controls over travel cards were weak. This report contains no "
    "recommendations.",
    "peacecorps/Case_Study_-_PC_Panama_-_2006": "Volunteers in Panama were interviewed.",
    "peacecorps/Management_and_Performance_Challenges_2010": "Safety and security remain hard.",
}
"""report.txt beside most records (11 of 16; not every: the scraper writes none for an
unreleased report, and extraction can fail). Two state counts (gpo/11-04 and flra/11-04),
which oigcli reads (oigcli.model.derive)."""
STATING = ("gpo/11-04", "flra/11-04")


def folder_of(record: dict[str, Any]) -> str:
    """``<inspector>/<year>/<report_id>``, as inspector.path_for makes it."""
    return f"{record['inspector']}/{record['year']}/{record['report_id']}"


def write_full_archive(root: Path, texts: dict[str, str] | None = None) -> Path:
    """ARCHIVE in the scraper's layout, each record's report.txt from ``texts`` (TEXTS)
    beside it."""
    texts = TEXTS if texts is None else texts
    for record in ARCHIVE:
        folder = root / folder_of(record)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "report.json").write_text(json.dumps(record, indent=2), encoding="utf-8")
        text = texts.get(f"{record['inspector']}/{record['report_id']}")
        if text is not None:
            (folder / "report.txt").write_text(text, encoding="utf-8")
    return root


def zip_archive(root: Path, target: Path) -> Path:
    """The archive at ``root`` as the scraper's bulk zip: every file under data/."""
    import zipfile

    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(root.rglob("*")):
            if path.is_file():
                archive.write(path, "data/" + path.relative_to(root).as_posix())
    return target
