"""Hypothesis strategies for datasets in oigcli's schema."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from hypothesis import strategies as st

from oigcli.model.dates import Period, parse_period
from oigcli.model.schema import SHOWN_NAMES, Report
from oigcli.query.criteria import Criteria, YearRange
from oigcli.query.rows import newest_first
from oigcli.query.where import Condition, parse_condition


def select(reports: list[Any], criteria: Criteria) -> list[Report]:
    """The reports that match, in the default order: what a query gives, from the two
    definitions that make it (``Criteria.matches`` and ``newest_first``)."""
    return newest_first(r for r in reports if criteria.matches(r))


WORDS = ["border", "medical", "audit", "canine", "mail", "security", "training", "REDACTED"]
COMPONENTS = ["CBP", "ICE", "FEMA", "cbp"]
INSPECTORS = ["dhs", "gpo", "DHS"]
TAGS = ["OFO", "USBP", "Audit"]


@st.composite
def reports(draw: st.DrawFn, number: str) -> dict[str, Any]:
    year = draw(st.integers(2015, 2025))
    date = draw(st.none() | st.dates(dt.date(year - 1, 10, 1), dt.date(year, 9, 30)))
    made = draw(st.none() | st.integers(0, 12))
    concurred = None if made is None else draw(st.none() | st.integers(0, made))
    inspector = draw(st.none() | st.sampled_from(INSPECTORS))
    values = {
        "id": number if inspector is None else f"{inspector}/{number}",
        "report_number": number,
        "inspector": inspector,
        "title": " ".join(draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=6))),
        "summary": draw(st.none() | st.lists(st.sampled_from(WORDS), max_size=12).map(" ".join)),
        "issue_date": None if date is None else date.isoformat(),
        "fiscal_year": year,
        "components": draw(st.lists(st.sampled_from(COMPONENTS), max_size=2)),
        "tags": draw(st.lists(st.sampled_from(TAGS), max_size=3, unique=True)),
        "type": draw(st.none() | st.sampled_from(["audit", "inspection"])),
        "topic": None,
        "redacted": draw(st.booleans()),
        "recommendations": made,
        "recommendations_concurred": concurred,
        "unreleased": draw(st.none() | st.booleans()),
        "document_url": None,
        "landing_url": None,
        "agency_name": None,
        "oversight_area": None,
        "questioned_costs": draw(st.none() | st.integers(0, 10**9)),
        "funds_put_to_better_use": None,
        "estimated_date": None if date is None else draw(st.booleans()),
        "missing": draw(st.none() | st.booleans()),
        "page_count": draw(st.none() | st.integers(1, 400)),
        "subtopic": None,
        "location": draw(st.none() | st.sampled_from(["Miami, FL", "Nogales, AZ"])),
        "author": None,
        "derived": None
        if made is None or not draw(st.booleans())
        else {"recommendations": {"from": "summary", "sentence": f"We made {made} of them."}},
    }
    assert tuple(values) == SHOWN_NAMES
    return values


@st.composite
def datasets(draw: st.DrawFn, max_size: int = 25) -> list[dict[str, Any]]:
    keys = draw(
        st.lists(
            st.tuples(st.integers(15, 25), st.integers(1, 120)), max_size=max_size, unique=True
        )
    )
    return [
        draw(reports(f"OIG-{yy}-{n:02d}" if n < 10 and draw(st.booleans()) else f"OIG-{yy}-{n}"))
        for yy, n in keys
    ]


CONDITIONS = [
    "recommendations>=3",
    "recommendations_concurred<5",
    "components=cbp",
    "components!=ICE",
    "inspector=gpo",
    "type=audit",
    "unreleased=true",
    "tags=ofo",
    "title~(?i)border|mail",
    "issue_date<2020-06",
    "issue_date=null",
    "fiscal_year>2018",
    "report_number>OIG-20-50",
    "redacted=false",
]

periods = st.none() | st.sampled_from(["2016", "2019-10", "June 2020", "2021-03-15", "2024"]).map(
    parse_period
)


def _in_order(since: Period | None, until: Period | None) -> bool:
    """A window whose --since comes after its --until is a usage error, not a criterion."""
    return since is None or until is None or since.first <= until.last


def build_criteria(
    components: Iterable[str] = (),
    inspectors: Iterable[str] = (),
    years: YearRange | None = None,
    tags: Iterable[str] = (),
    text: str | None = None,
    since: Period | None = None,
    until: Period | None = None,
    where: Iterable[Condition] = (),
    redacted: bool | None = None,
    nonconcurred: bool = False,
) -> Criteria:
    """Criteria.from_options, with parsed values and ``redacted`` as one value."""
    return Criteria.from_options(
        component=list(components),
        inspector=list(inspectors),
        fy=years,
        tag=list(tags),
        text=text,
        since=since,
        until=until,
        where=list(where),
        redacted=redacted is True,
        not_redacted=redacted is False,
        nonconcurred=nonconcurred,
    )


windows = st.tuples(periods, periods).filter(lambda window: _in_order(*window))

criteria = windows.flatmap(
    lambda window: st.builds(
        build_criteria,
        components=st.lists(st.sampled_from(COMPONENTS), max_size=2),
        inspectors=st.lists(st.sampled_from(INSPECTORS), max_size=2),
        years=st.none()
        | st.builds(
            YearRange, st.none() | st.integers(2014, 2026), st.none() | st.integers(2014, 2026)
        ),
        tags=st.lists(st.sampled_from(TAGS), max_size=2),
        text=st.none() | st.lists(st.sampled_from(WORDS), max_size=2).map(" ".join),
        since=st.just(window[0]),
        until=st.just(window[1]),
        where=st.lists(st.sampled_from(CONDITIONS).map(parse_condition), max_size=2),
        redacted=st.none() | st.booleans(),
        nonconcurred=st.booleans(),
    )
)
