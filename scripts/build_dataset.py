"""Build oigcli/data/reports.json from the text of the DHS OIG listing page.

    python scripts/build_dataset.py            # rewrite oigcli/data/reports.json
    python scripts/build_dataset.py --check    # exit 1 if the bundled file differs

Every value comes from scripts/dhs-oig-ofo-reports-page.txt (a copy of
../shared/source/dhs-oig-ofo-reports-page.txt). A label that the page shows without a
value (Issue Date, Document File, DHS Agency, Oversight Area) becomes null: nothing is
filled in from memory.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT), str(HERE)]  # oigcli, and derive beside this script

from derive import is_redacted  # noqa: E402
from oigcli.model.derive import derive  # noqa: E402
from oigcli.model.schema import SHOWN_NAMES  # noqa: E402

SOURCE = HERE / "dhs-oig-ofo-reports-page.txt"
TARGET = ROOT / "oigcli" / "data" / "reports.json"

BULLET = "\u2022"
LABELS = (
    "Report Number",
    "Issue Date",
    "Document File",
    "DHS Agency",
    "Oversight Area",
    "Fiscal Year",
)
COMPONENTS = ("CBP",)
INSPECTOR = "dhs"  # the page is DHS OIG's own listing


def _items(text: str) -> tuple[str, list[list[str]]]:
    """The page's keyword heading and the lines of each listed report."""
    lines = [line.strip() for line in text.splitlines()]
    starts = [i for i, line in enumerate(lines) if line.startswith(BULLET)]
    if not starts:
        raise SystemExit(f"{SOURCE}: no reports found")
    keyword = next(line for line in reversed(lines[: starts[0]]) if line)
    ends = [*starts[1:], len(lines)]
    return keyword, [lines[a:b] for a, b in zip(starts, ends, strict=True)]


def _labels(lines: list[str]) -> dict[str, str | None]:
    """Each label's value: the next line, unless that line is another label (no value)."""
    values: dict[str, str | None] = {}
    for i, line in enumerate(lines):
        if line in LABELS:
            following = lines[i + 1] if i + 1 < len(lines) else ""
            values[line] = None if following in LABELS or not following else following
    return values


def parse(text: str) -> list[dict[str, Any]]:
    keyword, items = _items(text)
    reports = []
    for lines in items:
        title = lines[0].removeprefix(BULLET).strip()
        head = lines.index("Executive Summary")
        tail = next(i for i, line in enumerate(lines) if line in LABELS)
        summary = " ".join(" ".join(lines[head + 1 : tail]).split())
        summary = re.sub(r"^Summary:\s*", "", summary)
        labels = _labels(lines[tail:])
        issue_date = labels.get("Issue Date")
        if issue_date is not None:
            raise SystemExit(f"{title}: the page now gives an issue date; parse it here")
        named = [c for c in COMPONENTS if re.search(rf"\b{c}\b", title)]
        found = derive(summary, None)
        values = {name: finding.value for name, finding in found.items()}
        number = labels["Report Number"]
        report = {
            "id": f"{INSPECTOR}/{number}",
            "report_number": number,
            "inspector": INSPECTOR,
            "title": title,
            "summary": summary,
            "issue_date": None,
            "fiscal_year": int(labels["Fiscal Year"] or ""),
            "components": named,
            "tags": [keyword],
            "type": None,  # the page does not say
            "topic": None,
            "redacted": is_redacted(title),
            "recommendations": values.get("recommendations"),
            "recommendations_concurred": values.get("recommendations_concurred"),
            "unreleased": None,  # not said; a missing document link is not "unreleased"
            "document_url": labels.get("Document File"),
            "landing_url": None,
            "agency_name": labels.get("DHS Agency"),
            "oversight_area": labels.get("Oversight Area"),
            "questioned_costs": values.get("questioned_costs"),
            "funds_put_to_better_use": values.get("funds_put_to_better_use"),
            "estimated_date": None,  # no date, so no guess at one
            "missing": None,
            "page_count": None,
            "subtopic": None,
            "location": None,
            "author": None,
            "derived": {name: finding.as_dict() for name, finding in found.items()} or None,
        }
        assert tuple(report) == SHOWN_NAMES
        reports.append(report)
    return reports


def render(reports: list[dict[str, Any]]) -> str:
    return json.dumps(reports, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    text = render(parse(SOURCE.read_text(encoding="utf-8")))
    if "--check" in argv:
        current = TARGET.read_text(encoding="utf-8")
        if current != text:
            print(f"{TARGET} is stale: run python scripts/build_dataset.py", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
