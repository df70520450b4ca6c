"""The output formats, named once: which are for programs (written as the rows come, by
oigcli.output.writers) and which for people (drawn whole, by oigcli.output.render)."""

from __future__ import annotations

from enum import Enum


class Format(str, Enum):
    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"
    tsv = "tsv"
    markdown = "markdown"


FORMAT_ALIASES = {"md": Format.markdown}
"""Other names people give formats."""

PROGRAMS = (Format.json, Format.jsonl, Format.csv, Format.tsv)
"""Formats for programs: streamed, every field by default."""
PEOPLE = (Format.table, Format.markdown)
"""Formats for people: drawn whole, the command's own columns by default."""
