"""The report record: every field, its type, order, meaning and source, in one place.

Table columns, JSON key order, validation and the documentation all read ``FIELDS``.
Adding a field means adding one ``Field`` here (and its values to the data).
"""

from __future__ import annotations

from typing import Any, NamedTuple

Report = dict[str, Any]
"""One report: a plain JSON object whose keys are ``FIELD_NAMES`` in that order."""


class Field(NamedTuple):
    name: str
    type: type
    """The Python type of a known value (``list`` means a list of strings; ``dict``, the
    ``derived`` object: field name to {"from": ..., "sentence": ...})."""
    nullable: bool
    description: str
    source: str
    """Where the bundled dataset's value comes from."""
    long_text: bool = False
    """Prose or a link: a table may cut it with "…" to fit a terminal."""
    groupable: bool = True
    """A category that ``stats --by`` can count by (not prose, a link, or an identifier)."""
    shown: bool = True
    """Printed unless ``--fields`` leaves it out (the full text is printed only when asked)."""
    link: bool = False
    """A web address: printed whole on one line (a terminal makes it one to click)."""
    dollars: bool = False
    """An amount in whole dollars: shown to a person as $1,234."""

    @property
    def scalar(self) -> bool:
        """One value (not a list, not an object): it can be sorted by and compared."""
        return self.type not in (list, dict)

    @property
    def type_name(self) -> str:
        base = {
            str: "string",
            int: "integer",
            bool: "boolean",
            list: "list of strings",
            dict: "object",
        }[self.type]
        return f"{base} or null" if self.nullable else base


FIELDS: tuple[Field, ...] = (
    Field(
        "id",
        str,
        False,
        "The record's key, unique within a dataset: <inspector>/<report_id> for a record "
        "of the inspectors-general scraper; else <inspector>/<report_number>, or the "
        "report number when the inspector is unknown.",
        "dhs/ and the report number",
        groupable=False,
    ),
    Field(
        "report_number",
        str,
        False,
        "The OIG's report number, e.g. OIG-21-63 (unique only within one inspector).",
        "the page's Report Number",
        groupable=False,
    ),
    Field(
        "inspector",
        str,
        True,
        "The Office of Inspector General, as the inspectors-general scraper names it "
        "(e.g. dhs); null when unknown.",
        "the page is DHS OIG's, so dhs",
    ),
    Field(
        "title",
        str,
        False,
        "The report's title, verbatim.",
        "the page's title line",
        True,
        groupable=False,
    ),
    Field(
        "summary",
        str,
        True,
        "The executive summary (whitespace normalised, a leading 'Summary:' dropped).",
        "the page's Executive Summary",
        True,
        groupable=False,
    ),
    Field(
        "issue_date",
        str,
        True,
        "Date of issue, YYYY-MM-DD; null when unknown.",
        "the page's Issue Date (empty on the page for all five reports, so null)",
    ),
    Field(
        "fiscal_year",
        int,
        False,
        "Federal fiscal year (FY N runs 1 October N-1 to 30 September N).",
        "the page's Fiscal Year",
    ),
    Field(
        "components",
        list,
        False,
        "The agencies or DHS components the report concerns, as readers write them "
        "(CBP, ICE, USSS, USCG; DHS for department-wide work).",
        "the title (every title names CBP; the page's DHS Agency label is empty)",
    ),
    Field(
        "tags",
        list,
        False,
        "Keywords the report is listed under.",
        "the page's keyword, OFO",
    ),
    Field(
        "type",
        str,
        True,
        "The kind of report (audit, inspection, evaluation, ...); null when unknown.",
        "not on the page, so null",
    ),
    Field(
        "topic",
        str,
        True,
        "The subject the OIG files the report under; null when unknown.",
        "not on the page, so null",
    ),
    Field(
        "redacted",
        bool,
        True,
        "True when the public version is redacted; null when unknown.",
        "the title says REDACTED or Redacted",
    ),
    Field(
        "recommendations",
        int,
        True,
        "How many recommendations the OIG made; null when not stated.",
        "the summary ('We made five recommendations'), read by oigcli.model.derive",
    ),
    Field(
        "recommendations_concurred",
        int,
        True,
        "How many of them the agency concurred with; null when not stated.",
        "the summary ('CBP concurred with all five recommendations')",
    ),
    Field(
        "unreleased",
        bool,
        True,
        "True when the report is not public (restricted or classified: no document, "
        "perhaps a landing page); null when unknown.",
        "not on the page, so null",
    ),
    Field(
        "document_url",
        str,
        True,
        "Link to the report's document (usually a PDF); null when unknown.",
        "not on the page (its Document File label is empty), so null",
        True,
        groupable=False,
        link=True,
    ),
    Field(
        "landing_url",
        str,
        True,
        "Link to the report's page on the OIG's site; null when unknown.",
        "not on the page, so null",
        True,
        groupable=False,
        link=True,
    ),
    Field(
        "agency_name",
        str,
        True,
        "The agency's full name as the OIG writes it; null when unknown.",
        "not on the page (its DHS Agency label is empty), so null",
        True,
    ),
    Field(
        "oversight_area",
        str,
        True,
        "The OIG's oversight area; null when unknown.",
        "not on the page (its Oversight Area label is empty), so null",
        True,
    ),
    Field(
        "questioned_costs",
        int,
        True,
        "Questioned costs in whole dollars, as the report states them; null when not "
        "stated (or not in a form read without doubt).",
        "not on the page, so null",
        dollars=True,
    ),
    Field(
        "funds_put_to_better_use",
        int,
        True,
        "Funds the OIG recommends be put to better use, in whole dollars, as the report "
        "states them; null when not stated.",
        "not on the page, so null",
        dollars=True,
    ),
    Field(
        "estimated_date",
        bool,
        True,
        "True when issue_date is a guess from what the OIG's site gave (often only the year: "
        "the scraper then dates the report 1 November), as the scraper's estimated_date "
        "says; a window (--since, --until) holds such a report only when it holds the whole "
        "year. Null when unknown.",
        "the page gives no date, so null",
    ),
    Field(
        "missing",
        bool,
        True,
        "True when the report was published and then taken down, as the scraper's missing "
        "says (its document cannot be had); null when unknown.",
        "not on the page, so null",
    ),
    Field(
        "page_count",
        int,
        True,
        "How many pages the report's PDF has, as the scraper counted them; null when unknown.",
        "not on the page, so null",
        groupable=False,
    ),
    Field(
        "subtopic",
        str,
        True,
        "The narrower subject the OIG files the report under; null when unknown.",
        "not on the page, so null",
        True,
    ),
    Field(
        "location",
        str,
        True,
        "The place the report concerns, as the OIG gives it; null when unknown.",
        "not on the page, so null",
        True,
    ),
    Field(
        "author",
        str,
        True,
        "Who wrote the report, when the OIG names someone other than itself; null when unknown.",
        "not on the page, so null",
        True,
    ),
    Field(
        "derived",
        dict,
        True,
        "Where each value read from the report's own words came from: for each such "
        "field (recommendations, recommendations_concurred, questioned_costs, "
        "funds_put_to_better_use), the field it was read from (summary or text) and the "
        "sentence; null when no value was read so.",
        "the summary's sentences (oigcli.model.derive)",
        True,
        groupable=False,
    ),
    Field(
        "text",
        str,
        True,
        "The report's full text (a scraper's report.txt); null when unknown. Long: "
        "printed only when --fields names it.",
        "not on the page, so null",
        True,
        groupable=False,
        shown=False,
    ),
)

DERIVED: tuple[str, ...] = (
    "recommendations",
    "recommendations_concurred",
    "questioned_costs",
    "funds_put_to_better_use",
)
"""The fields a value can be read for from a report's words (oigcli.model.derive), in
schema order: the keys ``derived`` may have."""
DERIVED_FROM = ("summary", "text")


def derived_valid(value: Any) -> bool:
    """Whether ``value`` is a ``derived`` object as this schema has it: keys from
    ``DERIVED``, each an object with ``from`` (``DERIVED_FROM``) and ``sentence`` (text)."""
    if not isinstance(value, dict):
        return False
    for name, where in value.items():
        if name not in DERIVED or not isinstance(where, dict) or set(where) != {"from", "sentence"}:
            return False
        if where["from"] not in DERIVED_FROM or not isinstance(where["sentence"], str):
            return False
    return True


FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in FIELDS)
REQUIRED: tuple[str, ...] = ("report_number", "title", "fiscal_year")
"""Fields every record must have; the others may be absent (then unknown)."""
FIELDS_BY_NAME: dict[str, Field] = {f.name: f for f in FIELDS}
SHOWN_NAMES: tuple[str, ...] = tuple(f.name for f in FIELDS if f.shown)
"""The fields a report is printed with unless --fields chooses (FIELD_NAMES without text,
which is last: a report with every field but text is in order)."""
TEXT = "text"

LIST_COLUMNS: tuple[str, ...] = (
    "report_number",
    "inspector",
    "fiscal_year",
    "issue_date",
    "components",
    "title",
)
"""The columns of ``list`` and ``filter`` tables."""


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one report record, from ``FIELDS``."""
    json_types = {str: "string", int: "integer", bool: "boolean", list: "array", dict: "object"}
    properties: dict[str, Any] = {}
    for f in FIELDS:
        prop: dict[str, Any] = {"description": f.description}
        base = json_types[f.type]
        prop["type"] = [base, "null"] if f.nullable else base
        if f.type is list:
            prop["items"] = {"type": "string"}
        if f.type is dict:
            prop["additionalProperties"] = {
                "type": "object",
                "properties": {
                    "from": {"type": "string", "enum": ["summary", "text"]},
                    "sentence": {"type": "string"},
                },
                "required": ["from", "sentence"],
            }
        if f.name == "issue_date":
            prop["format"] = "date"
            prop["pattern"] = r"^\d{4}-\d{2}-\d{2}$"
        properties[f.name] = prop
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Inspector General report",
        "description": "One report as oigcli reads and prints it. Fields not listed here "
        "are ignored when reading.",
        "type": "object",
        "properties": properties,
        "required": list(REQUIRED),
        "additionalProperties": True,
    }


class Unreadable(NamedTuple):
    """A record that --skip-invalid left out, as ``diff`` names it: its id when it can be
    told (the record's own; of a report.json that could not be read, the scraper's folder's:
    ``<inspector>/<year>/<report_id>/report.json`` is ``<inspector>/<report_id>``), and
    where it was."""

    id: str | None
    source: str
