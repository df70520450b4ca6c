"""Programs' formats, written as the results come: JSON, JSON Lines, CSV and TSV.

The writer is chosen once, here (``writer_for``); people's formats (a table, Markdown)
are oigcli.output.render's, which needs every row to align columns. A writer turns rows into
chunks of text, a batch of ``BATCH`` rows at a time, so output is never built whole:
``Environment.stream`` writes each chunk as it comes (or, on a terminal, pages the lot).

JSON is encoded by orjson, in C: pretty JSON is byte for byte what ``json.dumps(...,
indent=2, ensure_ascii=False)`` writes, ten times faster (the standard library's indented
encoder is pure Python); JSON Lines are compact, as ``jq -c`` writes them. A value orjson
refuses (a lone surrogate, which JSON escapes can carry; an integer beyond 64 bits) is
encoded by the json module instead, in the same layout.

CSV is RFC 4180 (quoted where needed, CRLF line ends); TSV escapes tab, newline, carriage
return and backslash as \\t \\n \\r \\\\. In both a null is an empty cell, a boolean is
true/false, a list's items are joined with "; ", and, unless ``safe`` is off, a text cell
that a spreadsheet would run as a formula gets a leading ' (OWASP's advice).
"""

from __future__ import annotations

import io
import json
import os
import stat
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from operator import itemgetter
from pathlib import Path
from typing import Any

BATCH = 1000
"""Rows encoded and written at a time."""
LIST_SEPARATOR = "; "
"""Joins a list's items in one CSV or TSV cell."""
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""A spreadsheet runs a cell that starts with one of these as a formula."""
BOM = "\ufeff"


# --- JSON ---------------------------------------------------------------------------------


def json_text(value: Any) -> str:
    """``value`` as indented JSON (two spaces), ending with a newline."""
    import orjson

    try:
        return orjson.dumps(value, option=orjson.OPT_INDENT_2).decode("utf-8") + "\n"
    except (TypeError, orjson.JSONEncodeError):
        return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def json_line(value: Any) -> str:
    """``value`` as compact JSON on one line, ending with a newline."""
    import orjson

    try:
        return orjson.dumps(value).decode("utf-8") + "\n"
    except (TypeError, orjson.JSONEncodeError):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")) + "\n"


def _array_body(batch: list[Any]) -> str:
    """The elements of ``batch`` as they stand inside an indented JSON array: one encoding
    of the batch, without its brackets."""
    return json_text(batch)[2:-3]  # "[\n" ... "\n]\n"


# --- CSV and TSV --------------------------------------------------------------------------


def flat(value: Any) -> str:
    """A value in a CSV or TSV cell: exact, null empty, booleans true/false, lists joined."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return LIST_SEPARATOR.join(flat(v) for v in value)
    if isinstance(value, dict):  # derived: as JSON, which a spreadsheet keeps as text
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def spreadsheet_safe(value: Any) -> str:
    """``flat(value)``, with a leading ' when text would start a formula in a spreadsheet
    (OWASP's advice against CSV injection). Numbers and booleans are never changed."""
    if type(value) is str:  # the common case, without flat's tests
        return "'" + value if value.startswith(FORMULA_STARTS) else value
    text = flat(value)
    if isinstance(value, list) and text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


_TSV_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _delimited(rows: Iterable[Sequence[Any]], tsv: bool, safe: bool) -> str:
    shown = spreadsheet_safe if safe else flat
    if tsv:
        return "".join(
            "\t".join(shown(v).translate(_TSV_ESCAPES) for v in row) + "\n" for row in rows
        )
    import csv

    out = io.StringIO()
    csv.writer(out).writerows([shown(v) for v in row] for row in rows)  # RFC 4180's dialect
    return out.getvalue()


# --- the writers ------------------------------------------------------------------------


class Writer:
    """One program format: ``chunks`` turns rows into text, a batch at a time."""

    def __init__(self, format: str, safe: bool = True, bom: bool = False) -> None:
        self.format = format
        self.safe = safe
        self.bom = bom

    def chunks(
        self,
        rows: Iterable[Mapping[str, Any]],
        fields: Sequence[str],
        value: Any = None,
        headers: Sequence[str] | None = None,
    ) -> Iterator[str]:
        """The text of ``rows``, each with ``fields`` in that order: a JSON array (or, when
        ``value`` is given, that one JSON value instead), JSON Lines, or a CSV or TSV table
        whose header row is ``headers`` (default: the field names)."""
        if self.format == "json" and value is not None:
            yield json_text(value)
            return
        if self.format in ("csv", "tsv"):
            tsv = self.format == "tsv"
            yield (BOM if self.bom else "") + _delimited([headers or fields], tsv, False)
            cells = _cells(fields)
            for batch in _batches(rows, None):
                yield _delimited(map(cells, batch), tsv, self.safe)
            return
        batches = _batches(rows, fields)
        if self.format == "json":
            yield from _json_array(batches)
        else:
            for batch in batches:
                yield "".join(json_line(row) for row in batch)


def _json_array(batches: Iterator[list[dict[str, Any]]]) -> Iterator[str]:
    first = next(batches, None)
    if first is None:
        yield "[]\n"
        return
    yield "[\n" + _array_body(first)
    for batch in batches:
        yield ",\n" + _array_body(batch)
    yield "\n]\n"


def _cells(fields: Sequence[str]) -> Callable[[Mapping[str, Any]], Sequence[Any]]:
    """A row's values of ``fields``, in order (operator.itemgetter, which gives one field's
    value alone rather than in a tuple)."""

    if len(fields) == 1:
        (name,) = fields
        return lambda row: (row[name],)
    return itemgetter(*fields)


def _batches(
    rows: Iterable[Mapping[str, Any]], fields: Sequence[str] | None
) -> Iterator[list[Any]]:
    """Each row with just ``fields`` in their order (None: as it is), in lists of BATCH; a
    row that has just those already is not copied."""
    batch: list[Any] = []
    names = None if fields is None else tuple(fields)
    for row in rows:
        if names is not None and tuple(row) != names:
            row = {name: row[name] for name in names}
        batch.append(row)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def new_file(target: Path) -> Path:
    """A new, empty file of ours beside ``target`` (a random name, created exclusively:
    nothing anyone placed in a shared folder, such as a link, is ever written through),
    for writing ``target`` whole and then renaming it into place."""
    import tempfile

    descriptor, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(descriptor)
    return Path(name)


def mode_for(target: Path) -> int:
    """The permissions a file written whole as ``target`` gets: those of the regular file
    it replaces (a database made private stays private), else what the umask leaves of
    0666, as for any new file (mkstemp's own file is 0600 whatever the umask)."""

    try:
        info = os.lstat(target)
    except OSError:
        info = None
    if info is not None and stat.S_ISREG(info.st_mode):
        return stat.S_IMODE(info.st_mode)
    umask = os.umask(0o077)  # (read by setting it; set back at once)
    os.umask(umask)
    return 0o666 & ~umask


def write_file(target: Path, text: str) -> None:
    """``text`` as the file ``target``, whole or not at all: written to a new file beside
    it, then renamed over it (a link at ``target`` is replaced, never followed)."""
    temporary = new_file(target)
    try:
        temporary.write_text(text, encoding="utf-8")
        os.chmod(temporary, mode_for(target))
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
