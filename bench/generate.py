"""Deterministic synthetic datasets for benchmarks: realistic lengths and spreads.

    python bench/generate.py 1000 10000 100000     # writes bench/data/reports-<n>.json

The same size always gives the same bytes (a seeded generator), so runs on different days
and machines measure the same work. About 1% of summaries mention a "tunnel", so a text
query for it selects like a real one. About 2.2 KB a report (a summary of ~220 words), so
100,000 reports make a file of about 225 MB, like the whole federal IG corpus.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent / "data"

WORDS = [
    "border",
    "security",
    "port",
    "entry",
    "inspection",
    "officer",
    "agent",
    "facility",
    "detention",
    "medical",
    "care",
    "migrant",
    "custody",
    "policy",
    "oversight",
    "audit",
    "program",
    "grant",
    "emergency",
    "management",
    "disaster",
    "funding",
    "contract",
    "procurement",
    "cyber",
    "system",
    "network",
    "data",
    "privacy",
    "training",
    "equipment",
    "device",
    "search",
    "canine",
    "narcotics",
    "smuggling",
    "mail",
    "cargo",
    "vessel",
    "coast",
    "guard",
    "aviation",
    "screening",
    "transportation",
    "airport",
    "passenger",
    "travel",
    "visa",
    "asylum",
    "enforcement",
    "removal",
    "investigation",
    "misconduct",
    "employee",
    "leadership",
    "management",
    "internal",
    "control",
    "risk",
    "performance",
    "measure",
    "report",
    "recommendation",
    "corrective",
    "action",
    "plan",
    "compliance",
    "federal",
    "agency",
    "department",
    "component",
    "office",
    "headquarters",
    "field",
    "operations",
    "review",
]
COMPONENTS = [
    *["CBP"] * 30,
    *["ICE"] * 20,
    *["FEMA"] * 20,
    *["TSA"] * 10,
    *["USCG"] * 8,
    *["USCIS"] * 6,
    *["CISA", "USSS", "S&T", "DHS"],
    *[None] * 2,
]
TAGS = ["OFO", "USBP", "Audit", "Inspection", "Evaluation", "Cybersecurity", "Grants", "Detention"]
AREAS = [
    "Border Security",
    "Disaster Response",
    "Cybersecurity",
    "Management",
    "Immigration",
    None,
    None,
]


def _sentence(rng: random.Random, n: int) -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    return " ".join(words).capitalize() + "."


def report(rng: random.Random, index: int) -> dict[str, object]:
    year = rng.randint(2000, 2025)
    date = None
    if rng.random() > 0.3:  # about a third have no known date, as on the DHS page
        start = dt.date(year - 1, 10, 1)
        date = (start + dt.timedelta(days=rng.randint(0, 364))).isoformat()
    made = rng.choice([None, *range(0, 16)])
    concurred = None if made is None or rng.random() < 0.1 else rng.randint(max(0, made - 3), made)
    summary = " ".join(_sentence(rng, rng.randint(14, 30)) for _ in range(rng.randint(8, 12)))
    if rng.random() < 0.01:  # a rare word, so that a text query selects about 1%
        summary += " The tunnel was not monitored."
    title = _sentence(rng, rng.randint(8, 20)).rstrip(".")
    redacted = rng.random() < 0.2
    number = f"OIG-{year % 100:02d}-{index:06d}"
    component = rng.choice(COMPONENTS)
    return {
        "id": f"dhs/{number}",
        "report_number": number,
        "inspector": "dhs",
        "title": title + (" (REDACTED)" if redacted else ""),
        "summary": summary,
        "issue_date": date,
        "fiscal_year": year,
        "components": [] if component is None else [component],
        "tags": sorted(set(rng.sample(TAGS, rng.randint(0, 3)))),
        "type": rng.choice(["audit", "inspection", "evaluation"]),
        "topic": None,
        "redacted": redacted,
        "recommendations": made,
        "recommendations_concurred": concurred,
        "unreleased": False,
        "document_url": f"https://www.oig.dhs.gov/sites/default/files/assets/{year}/OIG-{index:06d}.pdf",
        "landing_url": None,
        "agency_name": None,
        "oversight_area": rng.choice(AREAS),
    }


def generate(size: int) -> Path:
    rng = random.Random(size)  # the size is the seed: same size, same bytes
    OUT.mkdir(exist_ok=True)
    path = OUT / f"reports-{size}.json"
    with path.open("w", encoding="utf-8") as out:
        out.write("[\n")
        for i in range(size):
            out.write(("" if i == 0 else ",\n") + json.dumps(report(rng, i), ensure_ascii=False))
        out.write("\n]\n")
    return path


def main(argv: list[str]) -> int:
    for size in [int(a) for a in argv] or [1000, 10_000, 100_000]:
        path = generate(size)
        print(f"{path} {path.stat().st_size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
