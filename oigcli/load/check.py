"""Checking each record against the schema, and mapping the scraper's records onto it:
every problem named with its record and field; values normalised (a 0.1 record's
component, the scraper's agency slugs as readers write them)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

from oigcli.load.records import DUPLICATE_KEYS, Entry, Problem, json_type
from oigcli.model.schema import (
    FIELD_NAMES,
    FIELDS,
    REQUIRED,
    SHOWN_NAMES,
    TEXT,
    Report,
    derived_valid,
)

SHOWN = tuple(f for f in FIELDS if f.shown)
FIRST_YEAR, LAST_YEAR = 1000, 9999
"""A fiscal year has four digits, as --fy takes them (and dates can hold them)."""


def problem_at(entry: Entry, index: int, message: str, field: str | None = None) -> Problem:
    number = entry.value.get("report_number") if isinstance(entry.value, dict) else None
    if number is None and isinstance(entry.value, dict):
        number = entry.value.get("report_id")
    return Problem(
        entry.source,
        message,
        line=entry.line,
        record=index,
        report_number=number if isinstance(number, str) else None,
        field=field,
    )


def check(entry: Entry, index: int) -> tuple[Report | None, list[Problem]]:
    """The entry as a report in schema order, and its problems."""
    value = entry.value
    if not isinstance(value, dict):
        return None, [
            problem_at(entry, index, f"expected a report object, found {json_type(value)}")
        ]
    duplicated = value.get(DUPLICATE_KEYS)
    if duplicated:
        value = {k: v for k, v in value.items() if k != DUPLICATE_KEYS}
    if "report_id" in value and "report_number" not in value:
        value, mapped = from_scraper(value)
        if not mapped and not duplicated and _plainly_valid(value):  # an archive's usual
            return normalise(value), []
        problems = [problem_at(entry, index, message, name) for name, message in mapped]
    elif not duplicated and _plainly_valid(value):  # the common case, checked fast
        return normalise(value), []
    else:
        problems = []
    problems += [
        problem_at(entry, index, message, name) for name, message in _field_problems(value)
    ]
    problems += [
        problem_at(entry, index, "appears twice in one object (which value is meant?)", name)
        for name in duplicated or ()
    ]
    return normalise(value), problems


def normalise(obj: dict[str, Any]) -> Report:
    """The report with the schema's keys in schema order; absent optional fields are null
    (an absent list is empty; an absent id is made, see ``key``); other keys are left out,
    and so is the text when it is unknown (a long field, printed only when asked for:
    a report's ``text`` is read with ``.get``).
    A record of oigcli 0.1, whose ``component`` was one value, has it as a one-item list.
    An object that is already so (as oigcli writes them) is returned, not copied."""
    keys = tuple(obj)
    if keys in (SHOWN_NAMES, FIELD_NAMES):  # as oigcli prints a report
        return obj
    report = {f.name: obj.get(f.name, [] if f.type is list else None) for f in SHOWN}
    if obj.get(TEXT) is not None:
        report[TEXT] = obj[TEXT]
    if "components" not in obj and "component" in obj:
        report["components"] = _components_of_0_1(obj["component"])
    if report["id"] is None:
        report["id"] = key(report["inspector"], report["report_number"])
    return report


def key(inspector: Any, number: Any) -> Any:
    """A record's id when it has none: ``<inspector>/<report_number>``, or the number when
    the inspector is unknown (a number that is no text stays as it is, a problem)."""
    if isinstance(inspector, str) and inspector and isinstance(number, str):
        return f"{inspector}/{number}"
    return number


def _components_of_0_1(value: Any) -> Any:
    """oigcli 0.1's ``component`` (one name or null) as 0.2's ``components``; anything
    else is left for the check to name."""
    if value is None:
        return []
    return [value] if isinstance(value, str) else value


_COUNTED = tuple(f.name for f in FIELDS if f.type is int and f.name != "fiscal_year")
"""The counts and amounts, which cannot be negative (a fiscal year is checked apart)."""
_ABSENT = object()
_KINDS: tuple[tuple[str, frozenset[type], bool], ...] = tuple(
    (
        f.name,
        frozenset({f.type, type(None)} if f.nullable else {f.type}),
        f.name in REQUIRED,
    )
    for f in FIELDS
)
"""Each field's exact JSON types (bool is not int here) and whether it must be present."""


def _plainly_valid(obj: dict[str, Any]) -> bool:
    """True when ``obj`` surely has no problem; False sends it to the full check, which
    says what is wrong. Exact type tests and early exits keep this cheap: it runs once
    per record of every dataset read."""
    get = obj.get
    if "component" in obj:  # 0.1's one component: the full check says what it holds
        return False
    for name, kinds, required in _KINDS:
        value = get(name, _ABSENT)
        if value is _ABSENT:
            if required:
                return False
        elif type(value) not in kinds:
            return False
    for name in ("tags", "components"):
        items = get(name)
        if items and not all(type(item) is str for item in items):
            return False
    if not FIRST_YEAR <= obj["fiscal_year"] <= LAST_YEAR or not obj["report_number"].strip():
        return False
    if "id" in obj and not obj["id"].strip():
        return False
    date = get("issue_date")
    if date is not None:
        day = _iso_date(date)
        if day is None or (day.year + (day.month >= 10)) != obj["fiscal_year"]:
            return False
    for name in _COUNTED:
        number = get(name)
        if number is not None and number < 0:
            return False
    made, concurred = get("recommendations"), get("recommendations_concurred")
    derived = get("derived")
    if derived is not None and not derived_valid(derived):
        return False
    return made is None or concurred is None or concurred <= made


def _field_problems(obj: dict[str, Any]) -> Iterator[tuple[str, str]]:
    for name in REQUIRED:
        if obj.get(name) is None:
            yield name, "missing (required)"
    if "component" in obj and "components" not in obj:  # oigcli 0.1's one component
        old = obj["component"]
        if old is not None and not isinstance(old, str):
            yield "component", f"expected a string or null, found {json_type(old)}"
    for f in FIELDS:
        value = obj.get(f.name)
        if value is None:
            if f.name in obj and not f.nullable and f.name not in (*REQUIRED, "id"):
                yield f.name, "null is not allowed"
        elif not _is_type(value, f.type):
            if f.type is dict:
                yield (
                    f.name,
                    (
                        "expected null or an object of fields (recommendations, ...), each "
                        '{"from": "summary" or "text", "sentence": "..."}'
                    ),
                )
            else:
                yield f.name, f"expected {f.type_name}, found {json_type(value)}"
        elif f.name == "issue_date" and _iso_date(value) is None:
            yield f.name, f"{value!r} is not a date in YYYY-MM-DD form"
        elif f.name == "report_number" and not value.strip():
            yield f.name, "blank (a report number has at least one character)"
        elif f.name == "id" and not value.strip():
            yield f.name, "blank (an id has at least one character; leave it out to have one made)"
        elif f.name == "fiscal_year" and not FIRST_YEAR <= value <= LAST_YEAR:
            yield f.name, f"{value} is not a year of four digits ({FIRST_YEAR} to {LAST_YEAR})"
        elif f.type is int and value < 0:
            what = (
                "an amount"
                if f.dollars
                else "a page count"
                if f.name == "page_count"
                else "a count of recommendations"
            )
            yield f.name, f"{value} is negative ({what} cannot be)"
    date = _iso_date(obj.get("issue_date"))
    year = obj.get("fiscal_year")
    if date is not None and _is_type(year, int):
        from oigcli.model.dates import fiscal_year_of

        if fiscal_year_of(date) != year:
            yield (
                "fiscal_year",
                f"{year} disagrees with issue_date {date} (fiscal year {fiscal_year_of(date)})",
            )
    made, concurred = obj.get("recommendations"), obj.get("recommendations_concurred")
    if isinstance(made, int) and isinstance(concurred, int) and concurred > made:
        yield (
            "recommendations_concurred",
            f"{concurred} is more than the {made} recommendations made",
        )


AGENCIES = {
    "cbp": "CBP",
    "ice": "ICE",
    "fema": "FEMA",
    "tsa": "TSA",
    "uscis": "USCIS",
    "secret_service": "USSS",
    "coast_guard": "USCG",
    "dhs": "DHS",
    "peacecorps": "Peace Corps",
    "federal_reserve": "Federal Reserve",
}
"""The scraper's agency slugs written as readers write them. Any other slug of at most
four letters is an acronym, in capitals (gpo: GPO, cfpb: CFPB); a longer one is named
by the record's ``agency_name`` (amtrak: Amtrak, archives: National Archives and Records
Administration), else written as words (a_b: A B)."""
ACRONYM = 4


def agency(slug: str, name: str | None = None) -> str:
    """An agency slug of the scraper as readers write it (``secret_service``: USSS), or
    ``name``, the record's own name for it, when the slug is a word, not an acronym
    (``state``: Department of State, not STATE)."""
    slug = slug.strip()
    known = AGENCIES.get(slug.casefold())
    if known is not None:
        return known
    if len(slug) <= ACRONYM and slug.isalpha():
        return slug.upper()
    if name is not None and name.strip():
        return " ".join(name.split())
    return " ".join(word.capitalize() for word in re.split(r"[_\s]+", slug) if word)


def _components(slugs: str, names: Any) -> list[str]:
    """The components of a record's ``agency`` slugs (comma-separated), each named as
    ``agency`` names it, with the record's ``agency_name`` when it names each slug: one
    slug and one name, or as many comma-separated names as slugs."""
    parts = [slug for slug in slugs.split(",") if slug.strip()]
    named: list[str | None] = [None] * len(parts)
    if isinstance(names, str):
        split = [n for n in names.split(",") if n.strip()]
        if len(parts) == 1:
            named = [names]
        elif len(split) == len(parts):
            named = list(split)
    return list(dict.fromkeys(agency(slug, name) for slug, name in zip(parts, named, strict=True)))


def from_scraper(obj: dict[str, Any]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """A record of the inspectors-general scraper in this project's schema.

    id is ``<inspector>/<report_id>``, as the scraper's folders name it. report_number is
    ``report_id``, except that for ``dhs`` the ``_YYYY`` the DHS scraper adds (DHS reuses
    numbers from year to year) is removed. issue_date is ``published_on``; fiscal_year is
    computed from it (October belongs to the next year). components are ``agency``'s
    comma-separated slugs written as readers write them, or named by ``agency_name``
    where a slug is a word, not an acronym (``agency``); document_url is
    ``url``, landing_url ``landing_url``; type, topic, agency_name and summary are the
    scraper's; unreleased is true when the scraper says so, false when it gives the
    document's link without saying so. estimated_date and missing are the scraper's
    (false when it does not mark them: it marks only a guessed date and a report taken
    down); page_count is its ``page_count`` (or ``pdf.page_count``); subtopic, location and
    author are its own. The scraper records no tags, redaction or
    recommendation counts: tags and redaction are left unknown; the counts, questioned
    costs and funds put to better use are read from the summary and the text where they
    state them (oigcli.model.derive), with ``derived`` saying where. Other fields are
    left out.
    """
    from oigcli.model.dates import fiscal_year_of

    problems: list[tuple[str, str]] = []
    report_id = obj.get("report_id")
    inspector = obj.get("inspector")
    published = obj.get("published_on")
    date = _iso_date(published)
    if published is None:
        problems.append(("published_on", "missing (the fiscal year comes from it)"))
    elif date is None:
        problems.append(("published_on", f"{published!r} is not a date in YYYY-MM-DD form"))

    def text(name: str) -> Any:
        value = obj.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        return value  # a value that is no text is left for the check to name

    number = report_id
    if isinstance(report_id, str) and inspector == "dhs":
        number = re.sub(r"_\d{4}$", "", report_id)
    slugs = obj.get("agency")
    components: Any = []
    if isinstance(slugs, str):
        components = _components(slugs, obj.get("agency_name"))
    elif slugs is not None:
        problems.append(("agency", f"expected a string, found {json_type(slugs)}"))
    url = text("url")
    estimated = obj.get("estimated_date")
    if estimated is None or estimated is False:
        estimated = False if date else None  # the scraper marks only a guess
    elif estimated is not True:
        problems.append(("estimated_date", f"expected true or false, found {json_type(estimated)}"))
    missing = obj.get("missing")
    if missing is None:
        missing = False  # the scraper marks a report taken down; the others are not
    elif not isinstance(missing, bool):
        problems.append(("missing", f"expected true or false, found {json_type(missing)}"))
    pages = obj.get("page_count")
    pdf = obj.get("pdf")
    if pages is None and isinstance(pdf, dict):
        pages = pdf.get("page_count")
    if type(pages) is not int or pages < 0:  # the scraper's count, when it could make one
        pages = None
    unreleased = obj.get("unreleased")
    if unreleased is None and isinstance(url, str):
        unreleased = False
    mapped = {
        "id": key(text("inspector"), report_id),
        "report_number": number,
        "inspector": text("inspector"),
        "title": obj.get("title"),
        "summary": text("summary"),
        "issue_date": date.isoformat() if date else None,
        "fiscal_year": fiscal_year_of(date) if date else None,
        "components": components,
        "tags": [],
        "type": text("type"),
        "topic": text("topic"),
        "redacted": None,
        "recommendations": None,
        "recommendations_concurred": None,
        "unreleased": unreleased,
        "document_url": url,
        "landing_url": text("landing_url"),
        "agency_name": text("agency_name"),
        "oversight_area": None,
        "questioned_costs": None,
        "funds_put_to_better_use": None,
        "estimated_date": estimated,
        "missing": missing,
        "page_count": pages,
        "subtopic": text("subtopic"),
        "location": text("location"),
        "author": text("author"),
        "derived": None,
    }
    body = obj.get(TEXT)
    if body is not None:
        mapped[TEXT] = body
    summary = mapped["summary"]
    if isinstance(summary, str) or isinstance(body, str):
        from oigcli.model.derive import derive

        found = derive(
            summary if isinstance(summary, str) else None, body if isinstance(body, str) else None
        )
        for name, finding in found.items():
            mapped[name] = finding.value
        if found:
            mapped["derived"] = {name: finding.as_dict() for name, finding in found.items()}
    if report_id is not None and not isinstance(report_id, str):
        problems.append(("report_id", f"expected a string, found {json_type(report_id)}"))
        mapped["report_number"] = mapped["id"] = None
    return mapped, problems


def _is_type(value: Any, kind: type) -> bool:
    if kind is dict:
        return derived_valid(value)
    if kind is list:
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, kind)


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


def _iso_date(value: Any) -> dt.date | None:
    """The date of ``YYYY-MM-DD`` text: only that form (fromisoformat also reads the week
    date ``2021-W01-1``, which would then sort as text among the others wrongly)."""
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None
