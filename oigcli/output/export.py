"""Reports written into a SQLite database laid out as Datasette and sqlite-utils expect.

``oigcli export --sqlite FILE`` writes the reports a query selects (from the source
boundary, never from the cache's private index) into ``FILE``:

- a ``reports`` table keyed by ``id``, a column per field in the schema's order (text as
  TEXT, counts and years as INTEGER, booleans as INTEGER 0/1, the list fields as JSON
  arrays in TEXT, which Datasette facets with ``_facet_array``);
- full-text search on the title, summary and text as ``sqlite-utils enable-fts`` sets it
  up (an FTS5 table ``reports_fts`` whose content is ``reports``), which Datasette finds
  by its name;
- ``<name>.metadata.json`` beside the file (``metadata_path``): a title, the source, and
  facets on component, fiscal year, inspector and type, so that ``datasette reports.db -m
  reports.metadata.json`` opens on a page a
  newsroom can browse.

The database is written to a temporary file beside ``FILE`` and renamed into place, so a
failed export never leaves half a database where a whole one is expected.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from oigcli.model.schema import FIELDS, Report
from oigcli.output.writers import mode_for, new_file

TABLE = "reports"
SEARCHED = ("title", "summary", "text")
"""The columns of the full-text index, as ``sqlite-utils enable-fts reports title summary
text`` would make it."""
FACETS: list[Any] = ["fiscal_year", "inspector", "type", {"array": "components"}]
"""Datasette's facets on the table's page (``array``: a JSON list column)."""
BATCH = 1000
_TYPES = {str: "TEXT", int: "INTEGER", bool: "INTEGER", list: "TEXT", dict: "TEXT"}


def schema_sql() -> str:
    """The ``reports`` table and its full-text index."""
    columns = ",\n    ".join(
        f"[{f.name}] {_TYPES[f.type]}" + (" PRIMARY KEY" if f.name == "id" else "") for f in FIELDS
    )
    searched = ", ".join(f"[{name}]" for name in SEARCHED)
    return (
        f"CREATE TABLE [{TABLE}] (\n    {columns}\n);\n"
        f"CREATE VIRTUAL TABLE [{TABLE}_fts] USING FTS5 (\n    {searched},\n"
        f"    content=[{TABLE}]\n);\n"
    )


def _row(report: Report) -> tuple[Any, ...]:
    values = []
    for f in FIELDS:
        value = report.get(f.name)
        if f.type is list or (f.type is dict and value is not None):
            value = json.dumps(value, ensure_ascii=False)
        elif f.type is bool and value is not None:
            value = int(value)
        values.append(value)
    return tuple(values)


def write_sqlite(reports: Iterable[Report], target: Path) -> int:
    """Write ``reports`` into a new database at ``target`` (replacing what is there, whole
    or not at all); return how many were written."""

    temporary = new_file(target)  # created exclusively: no link placed there is followed
    count = 0
    try:
        try:
            connection = sqlite3.connect(temporary, isolation_level=None)
        except sqlite3.Error as exc:  # a folder that is not there, or not writable
            raise OSError(f"cannot make a database there ({exc})") from None
        try:
            connection.executescript(schema_sql())
            connection.execute("BEGIN")
            marks = ", ".join("?" * len(FIELDS))
            insert = f"INSERT INTO [{TABLE}] VALUES ({marks})"
            batch: list[tuple[Any, ...]] = []
            for report in reports:
                batch.append(_row(report))
                if len(batch) >= BATCH:
                    connection.executemany(insert, batch)
                    count += len(batch)
                    batch.clear()
            connection.executemany(insert, batch)
            count += len(batch)
            searched = ", ".join(f"[{name}]" for name in SEARCHED)
            connection.execute(  # as sqlite-utils' populate_fts
                f"INSERT INTO [{TABLE}_fts] (rowid, {searched}) "
                f"SELECT rowid, {searched} FROM [{TABLE}]"
            )
            connection.execute("COMMIT")
        except sqlite3.Error as exc:  # a full disk, an I/O error
            raise OSError(str(exc)) from None
        finally:
            connection.close()
        os.chmod(temporary, mode_for(target))  # (mkstemp makes it 0600)
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return count


def metadata_path(target: Path) -> Path:
    """Where the metadata of the database at ``target`` is written: beside it, named after
    it (``reports.db``: ``reports.metadata.json``), so that two exports into one folder
    do not write over each other's."""
    return target.with_name(f"{target.stem or target.name}.metadata.json")


def metadata(target: Path, title: str, source: str) -> dict[str, Any]:
    """Datasette's metadata for the database at ``target``: its title, where the reports
    came from, and the facets of the reports table."""
    return {
        "title": title,
        "source": source,
        "databases": {
            target.stem: {
                "tables": {
                    TABLE: {
                        "title": title,
                        "facets": FACETS,
                        "label_column": "title",
                        "sort_desc": "issue_date",
                    }
                }
            }
        },
    }
