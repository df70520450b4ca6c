"""The output formats' names, which the options read at start-up; what prints each is
registered in oigcli.output.printers (``PRINTERS``)."""

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
