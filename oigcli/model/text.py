"""Small text helpers shared by the core: natural ordering and "did you mean" suggestions."""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit

from oigcli.model.errors import UsageError

MAX_TERMS = 64
"""The most words and phrases one search or --text may have (3,000 took 12.5 s to look
for without an index; people search for a few)."""

DATE_EXAMPLES = "2021, 2021-06, 2021-06-15, June 2021, 15 Jun 2021, yesterday or 7d"
"""What --since, --until and date comparisons accept, for messages and help."""


def natural_key(text: str) -> tuple[tuple[int, int, str], ...]:
    """Compare numbers inside strings as numbers: OIG-21-9 < OIG-21-19 < OIG-21-63.

    A run of digits compares by its length without leading zeros, then digit by digit:
    the order of the numbers, for runs of any length (``int()`` refuses more than 4,300
    digits) and in any script's digits (each read as its value)."""
    parts = _DIGIT_RUNS.split(text)  # text, digits, text, ..., text: runs at odd places
    return tuple(
        _number_key(part) if i & 1 else (1, 0, part.casefold())
        for i, part in enumerate(parts)
        if part
    )


_DIGIT_RUNS = re.compile(r"(\d+)")


def _number_key(digits: str) -> tuple[int, int, str]:
    if not digits.isascii():
        import unicodedata

        digits = "".join(str(unicodedata.decimal(c)) for c in digits)
    significant = digits.lstrip("0")
    return (0, len(significant), significant)


def suggest(word: str, choices: Iterable[str], n: int = 3) -> list[str]:
    """The choices closest to ``word`` (difflib, ignoring case), best first."""

    folded = {c.casefold(): c for c in choices}
    return [folded[m] for m in difflib.get_close_matches(word.casefold(), list(folded), n, 0.6)]


def or_list(words: Sequence[str]) -> str:
    """``a``, ``a or b``, ``a, b or c``."""
    return " or ".join([", ".join(words[:-1]), words[-1]] if len(words) > 1 else list(words))


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`` Did you mean x or y?`` for the choices close to ``word``; empty when none are."""
    close = suggest(word, choices)
    return f" Did you mean {or_list(close)}?" if close else ""


# C0 and C1 controls, DEL, the bidirectional controls that can reorder a line (the Arabic
# letter mark, the marks, embeddings, overrides and isolates), and lone surrogates (JSON
# can carry them; no terminal can show them). Compiled on first use.
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_UNSAFE_CHARACTERS = f"[\x00-\x1f\x7f-\x9f{_BIDI}\ud800-\udfff]"
_UNSAFE_IN_DATA = f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_BIDI}\ud800-\udfff]|\r(?!\n)"
"""What data written to a terminal may not carry raw: as above, but for the line breaks,
tabs and CRLF line ends that the formats are made of."""


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    return {"\n": "\\n", "\t": "\\t", "\r": "\\r"}.get(char) or (
        f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"
    )


@functools.cache
def _unsafe() -> re.Pattern[str]:
    return re.compile(_UNSAFE_CHARACTERS)


def sanitise(text: str) -> str:
    """``text`` with every control character shown as a visible escape (``\\x1b``), so
    that nothing from a dataset can drive a terminal: tables, pages and messages."""
    return _unsafe().sub(_escape, text)


@functools.cache
def _unsafe_in_data() -> re.Pattern[str]:
    return re.compile(_UNSAFE_IN_DATA)


def _json_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def terminal_safe(text: str) -> str:
    """Data (JSON, CSV, TSV, Markdown, HTML) for a terminal: every control and bidi
    character in it as a ``\\uXXXX`` escape, which is what JSON writes (so JSON stays the
    same JSON, and the others show the character's code), line breaks and tabs kept.
    Pipes and files get the exact data; only a terminal must not be driven by it."""
    return _unsafe_in_data().sub(_json_escape, text)


def sanitise_lines(message: str) -> str:
    """A message of several lines, each sanitised: its own line breaks are kept, and
    everything else that could drive a terminal is shown escaped."""
    return "\n".join(sanitise(line) for line in message.split("\n"))


def usable_path(path: str, what: str) -> str:
    """``path``, or a UsageError when no file can have it (a NUL byte: the system would
    stop the name there, and Python refuses it with a ValueError)."""
    if "\x00" in path:
        raise UsageError(f"{what} has a NUL byte, which no file name can have")
    return path


def web_address(url: str) -> bool:
    """An http or https address with a host, and nothing a terminal, shell or document
    could act on (no whitespace or control character): the only links oigcli opens or
    writes into a brief."""

    if any(c.isspace() or not c.isprintable() for c in url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


_ACCENTED = re.compile("[\u00c0-\u024f]")
"""A Latin letter with an accent (Latin-1 Supplement and Latin Extended-A and B)."""


@functools.cache
def _plain_letters() -> dict[int, str]:
    """Each accented Latin letter as its letter (``é``: ``e``, ``Ö``: ``O``): one character
    for one, so that a place in the text is the same place in it unaccented."""
    import unicodedata

    table = {}
    for code in range(0x00C0, 0x0250):
        parts = unicodedata.normalize("NFKD", chr(code))
        base = parts[0]
        marks = parts[1:]
        if marks and base.isascii() and base.isalpha() and all(map(unicodedata.combining, marks)):
            table[code] = base
    return table


def unaccented(text: str) -> str:
    """``text`` with its accented Latin letters as plain ones, each in its place (search
    finds ``medical`` in "Médical"); a text without one is returned as it is, after a
    scan at C's pace."""
    if text.isascii() or not _ACCENTED.search(text):
        return text
    return text.translate(_plain_letters())


def fold(text: str) -> str:
    """``text`` as search compares it: case folded, accents dropped."""
    return unaccented(text.casefold())
