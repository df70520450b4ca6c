"""Reading a JSON array one element at a time, so that a large file is never held whole.

``json.loads`` needs the whole text and then builds every object: for a 235 MB file of
100,000 reports that is the text and all the objects at once (555 MiB at peak). Here the
array is read in chunks and each element is decoded by the json module's own scanner
(``raw_decode``) as soon as it is complete; consumed text is dropped. Errors are the json
module's, at the same line and column as ``json.loads`` would give.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO

CHUNK = 1 << 20
_WHITESPACE = " \t\n\r"


class Undecodable(Exception):
    """The bytes are not UTF-8; ``offset`` is the first bad byte's position in the input."""

    def __init__(self, offset: int, reason: str) -> None:
        super().__init__(reason)
        self.offset = offset
        self.reason = reason


def utf8_chunks(stream: BinaryIO, size: int = CHUNK) -> Callable[[], str]:
    """A reader of decoded text, a chunk a call ("" at the end), that reports the absolute
    offset of the first byte that is not UTF-8."""
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    consumed = 0

    def read() -> str:
        nonlocal consumed
        data = stream.read(size)
        pending = len(decoder.getstate()[0])  # bytes of a character cut by the last chunk
        try:
            text = decoder.decode(data, final=not data)
        except UnicodeDecodeError as exc:
            raise Undecodable(consumed - pending + exc.start, exc.reason) from exc
        consumed += len(data)
        return text

    return read


_NUMBER_CHARACTERS = frozenset("0123456789.eE+-")


def _number_may_go_on(value: Any, buf: str, end: int) -> bool:
    """A number read up to the end of what has arrived (allowing for a "1." or "2e" that
    the next chunk completes) may be longer than it looks."""
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return False
    return all(char in _NUMBER_CHARACTERS for char in buf[end:])


def describe(message: str, at_the_end: bool) -> str:
    """The json module's message for a person: a file cut short says so (json says
    "Unterminated string starting at", or "Expecting value" at the very end)."""
    if message.startswith("Unterminated string"):
        return "invalid JSON: a string that never ends (is the file cut short?)"
    if at_the_end:
        said = message[:1].lower() + message[1:]
        return f"invalid JSON: the data ends too soon ({said}); is the file cut short?"
    return f"invalid JSON: {message}"


class SyntaxProblem(Exception):
    """Invalid JSON at a line and column (1-based), with json's own message."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None):
        super().__init__(message)
        self.message, self.line, self.column = message, line, column


def array_elements(first: str, read: Callable[[], str], decoder: json.JSONDecoder) -> Iterator[Any]:
    """The elements of the JSON array that starts in ``first`` (after optional whitespace)
    and goes on in what ``read`` returns. Raises SyntaxProblem where it is not JSON."""
    buf, pos = first, 0
    line_base = 0  # newlines in text already dropped
    column_base = 0  # characters after the last dropped newline
    at_end = False

    def more(at_least: int = 1) -> bool:
        """Drop what was consumed, append at least ``at_least`` more characters (one chunk
        at least, fewer only at the end of input); False when there is nothing more."""
        nonlocal buf, pos, line_base, column_base, at_end
        chunks: list[str] = []
        got = 0
        while not at_end and got < at_least:
            chunk = read()
            if not chunk:
                at_end = True
                break
            chunks.append(chunk)
            got += len(chunk)
        if not chunks:  # nothing changes, so positions in buf stay valid for messages
            return False
        chunk = "".join(chunks)
        dropped = buf[:pos]
        newlines = dropped.count("\n")
        if newlines:
            line_base += newlines
            column_base = len(dropped) - dropped.rindex("\n") - 1
        else:
            column_base += len(dropped)
        buf, pos = buf[pos:] + chunk, 0
        return True

    def problem(message: str, at: int) -> SyntaxProblem:
        before = buf[:at]
        newlines = before.count("\n")
        column = at - before.rindex("\n") if newlines else column_base + at + 1
        at_the_end = at_end and not buf[at:].strip()
        return SyntaxProblem(describe(message, at_the_end), line_base + newlines + 1, column)

    def skip_whitespace() -> bool:
        """Move past whitespace; False when the input ends first."""
        nonlocal pos
        while True:
            while pos < len(buf) and buf[pos] in _WHITESPACE:
                pos += 1
            if pos < len(buf):
                return True
            if not more():
                return False

    skip_whitespace()
    pos += 1  # the "["
    expect_value, first_element = True, True
    while True:
        if not skip_whitespace():
            raise problem("Expecting value" if expect_value else "Expecting ',' delimiter", pos)
        char = buf[pos]
        if char == "]" and (first_element or not expect_value):
            pos += 1
            if skip_whitespace():
                raise problem("Extra data", pos)
            return
        if not expect_value:
            if char != ",":
                raise problem("Expecting ',' delimiter", pos)
            pos += 1
            expect_value = True
            continue
        while True:
            try:
                value, end = decoder.raw_decode(buf, pos)
            except json.JSONDecodeError as exc:
                # Perhaps only cut off by the chunk's end: try again with at least as much
                # text again, so that an element of n bytes is decoded O(log n) times and
                # costs O(n) in all, however large it is.
                if more(len(buf) - pos):
                    continue
                raise problem(exc.msg, exc.pos) from None
            if _number_may_go_on(value, buf, end) and more():
                continue
            break
        pos = end
        expect_value, first_element = False, False
        yield value
