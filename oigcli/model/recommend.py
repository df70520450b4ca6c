"""The recommendations a report numbers, as rows: "Recommendation 1: We recommend ...",
with the agency's response where the report states it ("CBP Response to Recommendation 1:
Concur. ..."), read from the report's full text (the scraper's report.txt, which
``pdftotext -layout`` wrote).

A wrong row is worse than none, so a report gives rows only when every check holds, and
otherwise none, with the reason (docs/derived.md, "Recommendations as rows"):

- a recommendation is a line that begins ``Recommendation N:`` (or ``Recommendation #N:``);
  its text runs to the end of its paragraph (a blank line, a page break, the next
  recommendation); the first statement of each number is kept (the agency's letter and the
  appendix restate them, sometimes in other words);
- the numbers run 1, 2, ... N with none missing, and the first run of them (before they
  start again, in the agency's letter or an appendix) is the whole 1 to N: a first run
  shorter than a later one (1-2, then 1-3) is several reports' recommendations (a
  compendium, a semiannual report), not one's; a table of contents' line
  ("Recommendation 1: ... . . . . 12") is not a statement;
- when the report's count of recommendations is known (read from its summary, or given by
  the dataset) it is N;
- each text ends a sentence (a text cut by a page break does not), is at most
  ``TEXT_LIMIT`` characters, and has no gap of ``COLUMN_GAP`` spaces inside a line (two
  columns side by side, which ``-layout`` keeps, would be read across).

A response is a line ``<who> Response to Recommendation(s) N[, M and K]: ...`` anywhere in
the text, else a ``Response:`` (``Management's Response:``, ``CBP Response:``, ...)
paragraph between a recommendation and the next. Its position is read from its first
sentence: ``partially concur``, ``non-concur`` or ``concur`` (also written "agreed",
"disagreed"); any other first sentence leaves the position unknown (null), and the
response's words are kept either way.
"""

from __future__ import annotations

import bisect
import re
from typing import NamedTuple

from oigcli.model.derive import SENTENCE_CHARACTERS, kept_cut

TEXT_LIMIT = 1_500
"""A recommendation's text is at most this long; a longer one has run past its end."""
RESPONSE_LIMIT = SENTENCE_CHARACTERS
"""A response is kept to this many characters, with "…" when cut (as a sentence beside a
derived value is)."""
COLUMN_GAP = 5
"""Spaces inside a line that mark two columns side by side (pdftotext -layout keeps them)."""

RECOMMENDATION_FIELDS = ("id", "report_number", "number", "text", "response", "response_text")
"""A recommendation row's fields, in order: the report's id and number, the recommendation's
number and words, the agency's position (concur, non-concur, partially concur; null when
not stated or not plain) and the words of its response."""
RECOMMENDATION_COLUMNS = ("report_number", "number", "response", "text")
"""The columns of a recommendations table for a person."""


class Recommendation(NamedTuple):
    """One numbered recommendation: its number and words, and the agency's position and
    response where the text states them."""

    number: int
    text: str
    response: str | None = None
    response_text: str | None = None


class Numbered(NamedTuple):
    """A report's numbered recommendations, or none and why (``doubt``: None when the
    report numbers none, or gave rows)."""

    rows: list[Recommendation]
    doubt: str | None = None


NONE = Numbered([])

_HEAD = re.compile(r"[ \t]*(?:\(U\)[ \t]*)?Recommendation[ \t]+#?(\d{1,2})[ \t]*:[ \t]*(.*)")
_RESPONSE_TO = re.compile(
    r"[ \t]*(?:[\w.&'\u2019/()-]+[ \t]+){0,6}?(?:Response|Comments?)[ \t]+to[ \t]+"
    r"Recommendations?[ \t]+#?(\d{1,2}(?:[ \t]*(?:,|and|&)[ \t]*#?\d{1,2})*)[ \t]*:[ \t]*(.*)",
    re.IGNORECASE,
)
_RESPONSE = re.compile(
    r"[ \t]*(?:[A-Z][\w&.]*(?:'s|\u2019s)?[ \t]+){0,3}?(?:Response|Comments)[ \t]*:[ \t]*(.*)"
)
_THE_OIG = re.compile(r"\b(?:OIG|Analysis|Inspector)\b")
"""Words before "Response"/"Comments" that make a paragraph the OIG's, not the agency's
("OIG Analysis of CBP Response to Recommendation 1:", "OIG Response:")."""
_NUMBERS = re.compile(r"\d{1,2}")
_CONTENTS = re.compile(r"(?:\.\s?){4,}\s*\d+\s*$")
"""A line of a table of contents ("Recommendation 1: ... . . . . 12"): not a statement."""
_POSITION = (
    (
        "partially concur",
        re.compile(
            r"\b(?:partially|partly)[ -](?:concur|agree)|\b(?:concur|agree)[sd]?(?:red)? in part",
            re.IGNORECASE,
        ),
    ),
    (
        "non-concur",
        re.compile(
            r"\bnon-? ?concur|\b(?:do|does|did) not (?:concur|agree)|\bdisagree", re.IGNORECASE
        ),
    ),
    ("concur", re.compile(r"\bconcur|\bagree", re.IGNORECASE)),
)
_SENTENCE_END = re.compile(r"[.!?][\"\u201d\u2019)]*$")
_FIRST_SENTENCE = re.compile(r"^.*?[.!?](?=\s|$)")


def numbered(text: str | None, count: int | None = None) -> Numbered:
    """The recommendations ``text`` numbers, each with its response where stated; no row,
    and the reason, when a check fails. ``count``: the report's known count of
    recommendations, which the rows must match."""
    if not text or "Recommendation" not in text:
        return NONE
    lines = text.splitlines()
    heads: list[int] = []  # the lines that are headings, each tested once
    order: list[int] = []  # their numbers, in the text's order
    found: dict[int, tuple[int, str]] = {}  # number -> (line of its statement, text)
    for i, line in enumerate(lines):
        m = _HEAD.fullmatch(line) if "Recommendation" in line else None
        if m is None or _CONTENTS.search(line):
            continue
        heads.append(i)
        number = int(m.group(1))
        order.append(number)
        if number in found:
            continue
        words, doubt = _paragraph(lines, i, m.group(2))
        if doubt:
            return Numbered([], f"recommendation {number} {doubt}")
        found[number] = (i, words)
    if not found:
        return NONE
    numbers = sorted(found)
    if numbers != list(range(1, len(numbers) + 1)):
        listed = ", ".join(map(str, numbers))
        return Numbered([], f"its recommendations are numbered {listed}, with some missing")
    runs = _runs(order)
    if runs[0] != numbers:  # the report's own statement comes first, and whole
        listed = ", ".join(f"{run[0]}-{run[-1]}" if len(run) > 1 else str(run[0]) for run in runs)
        return Numbered([], f"its first run of recommendations is not the whole ({listed})")
    if count is not None and count != len(numbers):
        return Numbered([], f"it numbers {len(numbers)} recommendations and its count is {count}")
    responses = _responses(lines, heads, found)
    return Numbered(
        [Recommendation(n, found[n][1], *responses.get(n, (None, None))) for n in numbers]
    )


def _runs(order: list[int]) -> list[list[int]]:
    """The numbers in the text's order, cut where they start again (1, 2, 3, then 1, 3:
    the report's own, then the agency's letter restating some of them)."""
    runs: list[list[int]] = []
    for number in order:
        if not runs or number <= runs[-1][-1]:
            runs.append([])
        runs[-1].append(number)
    return runs


def _paragraph(lines: list[str], first: int, start: str) -> tuple[str, str | None]:
    """The words of the paragraph a recommendation heading begins (its rest of line
    ``start``, then the lines up to a blank one), and what is wrong with them, if anything."""
    parts, end = _block(lines, first, start, TEXT_LIMIT, until_heading=True)
    for line in lines[first:end]:
        if " " * COLUMN_GAP in line.strip():
            return "", "is laid out in columns (not read)"
    words = _joined(parts)
    if not words:
        return "", "has no text"
    if len(words) > TEXT_LIMIT:
        return "", f"runs past {TEXT_LIMIT:,} characters (its end is not clear)"
    if not _SENTENCE_END.search(words):
        return "", "does not end a sentence (cut by a page break?)"
    return words, None


def _block(
    lines: list[str], first: int, start: str, limit: int, until_heading: bool
) -> tuple[list[str], int]:
    """The lines of the paragraph that line ``first`` begins with ``start`` (a heading alone
    on its line takes the paragraph after a blank line), to a blank line or a page break
    (and, ``until_heading``, the next recommendation), read no further than ``limit``
    characters; and the index of the line after them."""
    parts = [start.strip()] if start.strip() else []
    i = first + 1
    while not parts and i < len(lines) and not lines[i].strip() and i - first <= 2:
        i += 1
    size = len(start)
    while i < len(lines) and size <= limit:  # past the limit it is cut or in doubt anyway
        line = lines[i]
        if not line.strip() or "\f" in line or (until_heading and _HEAD.fullmatch(line)):
            break
        parts.append(line.strip())
        size += len(line)
        i += 1
    return parts, i


def _joined(parts: list[str]) -> str:
    """Lines as one text: single spaces; a line ending in a hyphen joins the next as it is
    ("risk-" "based" is "risk-based")."""
    out = ""
    for part in parts:
        if out and not out.endswith("-"):
            out += " "
        out += part
    return " ".join(out.split())


def _responses(
    lines: list[str], heads: list[int], found: dict[int, tuple[int, str]]
) -> dict[int, tuple[str | None, str]]:
    """Each number's response: a "Response to Recommendation N:" line wherever it is, else
    a "Response:" paragraph after the number's statement and before the next heading
    (``heads``: the lines that are headings, in order)."""
    explicit: dict[int, tuple[str | None, str]] = {}
    for i, line in enumerate(lines):
        if "esponse" not in line and "omment" not in line:
            continue
        m = _RESPONSE_TO.fullmatch(line)
        if m is None or _THE_OIG.search(line, 0, m.start(1)):
            continue
        numbers = [n for n in map(int, _NUMBERS.findall(m.group(1))) if n in found]
        if not numbers or all(n in explicit for n in numbers):
            continue
        said = _response(lines, i, m.group(2))
        for n in numbers:
            if said is not None:
                explicit.setdefault(n, said)
    for n, (start, _) in found.items():
        if n in explicit:
            continue
        after = bisect.bisect_right(heads, start)
        end = heads[after] if after < len(heads) else min(start + 60, len(lines))
        for i in range(start + 1, end):
            m = _RESPONSE.fullmatch(lines[i])
            if m is not None and not _THE_OIG.search(lines[i], 0, m.start(1)):
                said = _response(lines, i, m.group(1))
                if said is not None:
                    explicit[n] = said
                break
    return explicit


def _response(lines: list[str], first: int, start: str) -> tuple[str | None, str] | None:
    """A response's position and words: its paragraph from ``start`` (cut to
    ``RESPONSE_LIMIT``); None when it has no words."""
    words = _joined(_block(lines, first, start, RESPONSE_LIMIT, until_heading=False)[0])
    if not words:
        return None
    words = kept_cut(words)
    first_sentence = _FIRST_SENTENCE.match(words)
    opening = first_sentence.group(0) if first_sentence else words
    return position(opening), words


def position(sentence: str) -> str | None:
    """The position a response's first sentence takes: partially concur, non-concur or
    concur; None when it says none of them."""
    for name, pattern in _POSITION:
        if pattern.search(sentence):
            return name
    return None
