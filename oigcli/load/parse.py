"""JSON and JSON Lines, told apart by content: a stream read element by element (a large
array is never held whole), or a text read whole; every problem with its place."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, BinaryIO

from oigcli.load.records import DUPLICATE_KEYS, STDIN, Entry, Problem, json_type
from oigcli.model.errors import DatasetError


def read_stream(stream: BinaryIO, source: str, problems: list[Problem]) -> Iterator[Entry]:
    """A JSON array is read element by element, so a large file is never held whole
    (oigcli.load.stream); anything else is read whole and told apart by ``parse_text``. Problems
    are added to ``problems``; bytes that are not UTF-8 raise DatasetError."""
    from oigcli.load import stream as streaming

    read = streaming.utf8_chunks(stream, streaming.CHUNK)
    try:
        text = read().removeprefix("\ufeff")
        while not text.strip() and (chunk := read()):
            text += chunk
        if not text.lstrip().startswith("["):
            entries, found = parse_text(text + "".join(iter(read, "")), source)
            problems.extend(found)
            yield from entries
            return
        decoder = json.JSONDecoder(object_pairs_hook=_object)
        try:
            for value in streaming.array_elements(text, read, decoder):
                yield Entry(value, source)
        except streaming.SyntaxProblem as exc:
            problems.append(Problem(source, exc.message, exc.line, exc.column))
        except RecursionError:
            problems.append(Problem(source, "invalid JSON: nested too deeply"))
        except ValueError as exc:  # e.g. a number with more digits than Python converts
            problems.append(Problem(source, _value_error(exc)))
    except streaming.Undecodable as exc:
        raise DatasetError(f"{source}: {not_utf8(exc.offset, exc.reason)}") from exc
    except OSError as exc:
        raise DatasetError(f"{source}: cannot read it ({exc.strerror or exc})") from exc


def not_utf8(offset: int, reason: str) -> str:
    return f"not UTF-8 text (byte {offset}: {reason}); a dataset must be UTF-8 JSON"


def parse_text(text: str, source: str) -> tuple[list[Entry], list[Problem]]:
    """Entries from JSON (an array or one object) or JSON Lines, told apart by content."""
    text = text.removeprefix("\ufeff")
    stripped = text.lstrip()
    if not stripped:
        if source == STDIN:  # a pipeline whose JSON Lines matched nothing: no reports
            return [], []
        raise DatasetError(
            f"{source}: empty; expected a JSON array of reports or JSON Lines "
            "(to save an empty result, use --json, which writes [])"
        )
    if stripped[0] == "{":
        entries, problems = _parse_lines(text, source)
        if problems and problems[0].line == 1 + text[: len(text) - len(stripped)].count("\n"):
            whole, whole_problems = parse_json(text, source)  # one object over many lines?
            if not whole_problems:
                return whole, []
        return entries, problems
    entries, problems = parse_json(text, source)
    if problems or not isinstance(entries[0].value, list):
        return entries, problems
    return [Entry(value, source) for value in entries[0].value], []


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) < len(pairs):
        keys = [k for k, _ in pairs]
        obj[DUPLICATE_KEYS] = sorted({k for k in keys if keys.count(k) > 1})
    return obj


def _decode(text: str) -> Any:
    return json.loads(text, object_pairs_hook=_object)


def _value_error(exc: ValueError) -> str:
    if "integer string conversion" in str(exc):
        return "invalid JSON: a number too long to read (over 4300 digits)"
    return f"invalid JSON: {exc}"


def parse_json(text: str, source: str) -> tuple[list[Entry], list[Problem]]:
    try:
        value = _decode(text)
    except json.JSONDecodeError as exc:
        from oigcli.load.stream import describe

        at_the_end = not text[exc.pos :].strip()
        message = _not_json(text) or describe(exc.msg, at_the_end)
        return [], [Problem(source, message, exc.lineno, exc.colno)]
    except RecursionError:
        return [], [Problem(source, "invalid JSON: nested too deeply")]
    except ValueError as exc:  # e.g. a number with more digits than Python will convert
        return [], [Problem(source, _value_error(exc))]
    if isinstance(value, (list, dict)):
        return [Entry(value, source)], []
    return [], [
        Problem(source, f"expected a JSON array of report objects, found {json_type(value)}")
    ]


def _not_json(text: str) -> str | None:
    """What a file that is not JSON seems to be, and what to do, for the two that people
    bring most: a saved web page and a spreadsheet's CSV. None for anything else."""
    start = text.lstrip()
    head = start[:300].lower()
    if head.startswith("<"):
        kind = "an HTML page (a saved web page?)" if "html" in head else "XML or HTML"
        return (
            f"this is {kind}, not JSON. oigcli reads a JSON array of reports or JSON Lines: "
            "use the data behind the page, e.g. the inspectors-general scraper's report.json "
            "files (--data its data folder)"
        )
    first = start.split("\n", 1)[0]
    if first[:1] not in ("[", "{", '"') and any(c in first for c in ",;\t"):
        return (
            "this looks like CSV (a table of values), not JSON. oigcli writes CSV but reads "
            "only JSON and JSON Lines: export the data as JSON (from oigcli: --format jsonl)"
        )
    return None


def _parse_lines(text: str, source: str) -> tuple[list[Entry], list[Problem]]:
    entries, problems = [], []
    # Lines end at "\n" only (a "\r" before it is JSON whitespace): str.splitlines would
    # also end them at U+2028, U+2029 and U+0085, which JSON strings carry unescaped.
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            entries.append(Entry(_decode(line), source, number))
        except json.JSONDecodeError as exc:
            from oigcli.load.stream import describe

            at_the_end = not line[exc.pos :].strip()
            problems.append(Problem(source, describe(exc.msg, at_the_end), number, exc.colno))
        except RecursionError:
            problems.append(Problem(source, "invalid JSON: nested too deeply", number))
        except ValueError as exc:
            problems.append(Problem(source, _value_error(exc), number))
    return entries, problems
