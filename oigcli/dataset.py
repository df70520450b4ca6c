"""Reading and validating datasets: the bundled one, a file, or standard input.

A dataset is a JSON array of report objects in this project's schema: exactly what
``oigcli list --json`` prints. Reading never prints and never exits; problems are raised
as ``DatasetError`` with a message that says where the problem is.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TextIO

from oigcli.errors import DatasetError
from oigcli.schema import FIELDS, Report

BUNDLED = "bundled dataset"
REQUIRED = ("report_number", "title", "fiscal_year")
_SHOWN_PROBLEMS = 3


def read_text(path: str | None, stdin: TextIO | None = None) -> tuple[str, str]:
    """Return (where, text) for the bundled data (``None``), stdin (``-``) or a file."""
    if path is None:
        from importlib.resources import files

        return BUNDLED, files("oigcli").joinpath("data/reports.json").read_text("utf-8")
    if path == "-":
        if stdin is None:
            raise DatasetError("no standard input to read the dataset from")
        try:
            return "<stdin>", stdin.read()
        except UnicodeDecodeError as exc:
            raise DatasetError(f"<stdin>: not UTF-8 text ({exc.reason})") from exc
    try:
        return path, Path(path).read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise DatasetError(f"{path}: no such file") from exc
    except IsADirectoryError as exc:
        raise DatasetError(f"{path}: is a directory, not a JSON file") from exc
    except UnicodeDecodeError as exc:
        raise DatasetError(f"{path}: not UTF-8 text ({exc.reason})") from exc
    except OSError as exc:
        raise DatasetError(f"{path}: cannot read ({exc.strerror or exc})") from exc


def load(path: str | None = None, stdin: TextIO | None = None) -> list[Report]:
    """Read and validate a dataset; raise DatasetError naming the first problems."""
    where, text = read_text(path, stdin)
    return parse(text, where)


def parse(text: str, where: str = "<data>") -> list[Report]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DatasetError(
            f"{where}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from exc
    except RecursionError as exc:
        raise DatasetError(f"{where}: JSON nested too deeply") from exc
    if not isinstance(data, list):
        raise DatasetError(
            f"{where}: expected a JSON array of report objects, found {_json_type(data)}"
        )
    found = problems(data)
    if found:
        more = len(found) - _SHOWN_PROBLEMS
        lines = [f"{where}: {p}" for p in found[:_SHOWN_PROBLEMS]]
        if more > 0:
            lines.append(f"... and {more} more problem{'s' if more > 1 else ''}")
        raise DatasetError("invalid dataset\n" + "\n".join(lines))
    return [normalise(obj) for obj in data]


def normalise(obj: dict[str, Any]) -> Report:
    """The report with the schema's keys in schema order; absent optional fields are null."""
    return {f.name: obj.get(f.name, [] if f.type is list else None) for f in FIELDS}


def problems(data: list[Any]) -> list[str]:
    """Every problem in a parsed dataset, each naming its record and field."""
    found: list[str] = []
    seen: dict[str, int] = {}
    for index, obj in enumerate(data):
        if not isinstance(obj, dict):
            found.append(f"record {index}: expected an object, found {_json_type(obj)}")
            continue
        number = obj.get("report_number")
        at = f"record {index}" + (f" ({number})" if isinstance(number, str) else "")
        found.extend(f"{at}: {p}" for p in _record_problems(obj))
        if isinstance(number, str):
            if number in seen:
                found.append(f"{at}: duplicate report_number (also record {seen[number]})")
            seen.setdefault(number, index)
    return found


def _record_problems(obj: dict[str, Any]) -> Iterable[str]:
    for name in REQUIRED:
        if obj.get(name) is None:
            yield f"{name}: missing (required)"
    for field in FIELDS:
        value = obj.get(field.name)
        if value is None:
            if field.name in obj and not field.nullable and field.name not in REQUIRED:
                yield f"{field.name}: null is not allowed"
            continue
        if not _is_type(value, field.type):
            yield f"{field.name}: expected {field.type_name}, found {_json_type(value)}"
        elif field.name == "issue_date" and not _is_iso_date(value):
            yield f"issue_date: {value!r} is not a date in YYYY-MM-DD form"


def _is_type(value: Any, kind: type) -> bool:
    if kind is list:
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, kind)


def _is_iso_date(value: str) -> bool:
    if len(value) != 10:
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"
