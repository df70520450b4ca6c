"""Values read from a report's own words: how many recommendations the OIG made, how many
the agency concurred with, the questioned costs and the funds put to better use, each with
the sentence it was read from.

A wrong number is worse than unknown, so the rules are narrow. A value is read only from
a sentence that states it in a form these rules know ("We made eight recommendations",
"CBP concurred with all five recommendations", "questioned costs of $329,753"), and only
from the report's summary or, when the summary says nothing, the first ``SPAN``
characters of its text (where a report's highlights and executive summary are). A
sentence about an earlier report ("in our prior audit we made ...") is not read; two
sentences that state different values leave the value unknown rather than pick one;
an amount that is a bound ("more than $1 million") is not read. docs/derived.md gives
each rule's precision and coverage on a labelled corpus of real report texts
(tests/corpus/derived.jsonl).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from typing import NamedTuple

from oigcli.model.schema import DERIVED

SPAN = 20_000
"""How much of a report's text is read for its values: its first pages (the highlights,
an executive summary), not the appendices, where other reports' figures are quoted."""
SENTENCE_CHARACTERS = 600
"""A sentence longer than this is kept cut, with "…", as the place a value came from."""


class Finding(NamedTuple):
    """A value read from a report's words: the field it was read from (``summary`` or
    ``text``), the sentence, and the rule that read it (named in docs/derived.md)."""

    value: int
    source: str
    sentence: str
    rule: str

    def as_dict(self) -> dict[str, str]:
        """What a report's ``derived`` holds for the value: where it was read, and the
        sentence (the value itself is the report's field)."""
        return {"from": self.source, "sentence": self.sentence}


_NUMBER_WORDS = {
    "no": 0,
    "one": 1,
    "a single": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
}
_NUM = r"(\d{1,3}|" + "|".join(_NUMBER_WORDS) + r")"
_I = re.IGNORECASE

_EARLIER = re.compile(
    r"\b(?:(?:previous|prior|earlier|last|past|preceding|follow-?up|\d{4})\s+(?:[\w\u2019'-]+\s+){0,3}?"
    r"(?:reports?|audits?|reviews?|inspections?|evaluations?|work|recommendations)|"
    r"had made|unimplemented|outstanding)\b",
    _I,
)
"""Words that mark a sentence about another report's recommendations (an earlier audit's,
those unimplemented): no count, and no concurrence, is read from it."""

_MADE = (
    (
        "we-made",
        re.compile(
            r"^(?:(?:in total|overall|in summary|in all|as a result|therefore|in this report)"
            r",?\s+)?"
            r"(?:we|the oig|oig|this report) (?:made|make|are making|issued|offer(?:ed)?|"
            r"contains?|includes?) " + _NUM + r" (?:[\w-]+ ){0,2}recommendations?\b",
            _I,
        ),
    ),
    (
        "no-recommendations",
        re.compile(
            r"^(?:this report|the report|we) (?:contains?|makes?|made|includes?|"
            r"(?:are|is) making|did not make|do(?:es)? not (?:contain|make|include)) "
            r"(?:no|any) (?:formal )?recommendations?\b",
            _I,
        ),
    ),
)
_ANOTHER_COUNT = re.compile(r"\b" + _NUM + r" (?:[\w-]+ ){0,2}recommendations?\b", _I)
"""A second count of recommendations in the sentence that states one: the count is in
parts ("one recommendation to A and two to B"), and the parts are not summed."""
_OF_THE_SAME = re.compile(
    r"(?:all|both|each of|of|the|our|concurred with|agreed with|concur with|implement)\s+$", _I
)


def _in_parts(sentence: str, after: int) -> bool:
    """Whether ``sentence`` counts recommendations again after ``after``, other than the
    same ones again ("... and CBP concurred with all three recommendations")."""
    for m in _ANOTHER_COUNT.finditer(sentence, after):
        if not _OF_THE_SAME.search(sentence, max(m.start() - 30, 0), m.start()):
            return True
    return False


_ALL_N = re.compile(
    r"\b(?:concurred|agreed) with (?:all|each of the|each of our) "
    + _NUM
    + r" (?:of )?(?:our |the |its |these )?(?:[\w-]+ )?recommendations?\b",
    _I,
)
_ALL = re.compile(
    r"\b(?:concurred|agreed) with (?:all|each) (?:of )?(?:our |the |its |these |of the |of our )?"
    r"(?:[\w-]+ )?recommendations\b",
    _I,
)
_THE_ONE = re.compile(
    r"\b(?:concurred|agreed) with (?:the|our|this|these|its) recommendations?\b(?! \d)", _I
)
_SOME = re.compile(
    r"\b(?:concurred|agreed) with "
    + _NUM
    + r"(?: (?:of (?:the|our|its) )?(?:"
    + _NUM[1:-1]
    + r" )?(?:[\w-]+ )?recommendations?)?,? (?:but|and|while) (?:it |they )?"
    r"(?:non-?concurred|did not concur|disagreed|did not agree) with " + _NUM + r"\b",
    _I,
)
_NONE_CONCURRED = re.compile(
    r"\b(?:did not concur|non-?concurred|disagreed) with (?:all|any|each|both) (?:of )?"
    r"(?:our |the )?(?:[\w-]+ )?recommendations?\b",
    _I,
)

_AMOUNT = r"\$\s?(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?(?:\s+(million|billion))?"
_BOUND = re.compile(
    r"(?:more than|over|about|approximately|nearly|almost|up to|at least|less than|"
    r"roughly|around|some|an estimated|estimated|potentially|as much as|in excess of)\s*$",
    _I,
)
_QUESTIONED = (
    re.compile(_AMOUNT + r",? (?:in |of )?(?:total |potential )?questioned costs\b", _I),
    re.compile(
        r"\bquestioned costs? (?:of|totaling|totalling|amounting to|of about)? ?" + _AMOUNT, _I
    ),
    re.compile(r"\bwe questioned " + _AMOUNT, _I),
)
_BETTER_USE = (
    re.compile(
        _AMOUNT + r",? (?:in |of )?(?:funds |that could be |which could be |that can be )"
        r"(?:to be )?(?:better used|put to (?:a )?better use)\b",
        _I,
    ),
    re.compile(
        r"\bfunds (?:to be |that could be )?put to (?:a )?better use (?:of|totaling|totalling)? ?"
        + _AMOUNT,
        _I,
    ),
)
_PERIOD = re.compile(
    r"\b(?:FY ?\d{2,4}|fiscal years?|semiannual|reporting period|in the (?:last|past) \d+)",
    _I,
)
"""Words that mark a sum over a period's reports (a capstone, a semiannual report): no
amount is read from the sentence, which is not this report's own."""
_ABBREVIATION = re.compile(
    r"(?:\b[A-Z]|\b(?:U\.S|No|Nos|Mr|Mrs|Ms|Dr|St|Inc|Co|Corp|Ltd|vs|etc|e\.g|i\.e|Jan|Feb|"
    r"Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|Gen|Sec|Rev|Fig|Pub|L|Stat|approx))$"
)
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"\u201d\u2019)]*\s+")
_CLOSING = '"\u201d\u2019)'


def sentences(text: str) -> Iterator[str]:
    """The sentences of ``text``, whitespace made single spaces; a full stop after an
    abbreviation ("U.S.", "No.", an initial) ends none."""
    for start, end in _bounds(text):
        yield " ".join(text[start:end].split())


def _bounds(text: str) -> Iterator[tuple[int, int]]:
    start = 0
    for end in _SENTENCE_END.finditer(text):
        head = text[start : end.start()].rstrip(_CLOSING)
        if _ABBREVIATION.search(head[:-1]):
            continue
        yield start, end.start()
        start = end.end()
    if start < len(text):
        yield start, len(text)


def _number(word: str) -> int:
    word = " ".join(word.lower().split())
    return int(word) if word.isdecimal() else _NUMBER_WORDS[word]


def _dollars(match: re.Match[str], sentence: str) -> int | None:
    """The whole dollars a match of ``_AMOUNT`` states, or None: an amount with cents,
    or one stated as a bound ("more than $1 million")."""
    digits, cents, scale = match.group(1), match.group(2), match.group(3)
    if _BOUND.search(sentence[: match.start()]):
        return None
    amount = Decimal(digits.replace(",", "") + ("." + cents if cents else ""))
    if scale:
        if "," in digits:
            return None  # "$1,200 million": not a way amounts are written
        amount *= 1_000_000 if scale.lower() == "million" else 1_000_000_000
    if amount != amount.to_integral_value():
        return None
    return int(amount)


class _Reading:
    """The findings of one field, from one source: the value stated, or None when two
    sentences state different values."""

    def __init__(self) -> None:
        self.found: dict[str, Finding] = {}
        self.conflicted: set[str] = set()

    def add(self, field: str, finding: Finding) -> None:
        if field in self.conflicted:
            return
        held = self.found.get(field)
        if held is None:
            self.found[field] = finding
        elif held.value != finding.value:
            del self.found[field]
            self.conflicted.add(field)


_KEYS = ("concurred", "concur with", "agreed with", "questioned", "better use", "recommendation")
"""Words one of which every sentence these rules read holds, found with ``str.find`` in
the lower-cased text (a regular expression over every character of an archive's text
took seven times as long as reading it)."""
_MADE_NEAR = re.compile(r"\b(?:made|make|making|issued|contains?|includes?|offer(?:ed)?|no)\b")
"""Before "recommendation" (within ``NEAR`` characters), a word that can state a count."""
NEAR = 40
BEFORE, AFTER = 400, 1_000
"""How far before and after a key word its sentence is looked for (a sentence that goes
on longer is not read): the rest of a report's text is never split into sentences."""
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _places(text: str) -> list[int]:
    """Where in ``text`` a key word (``_KEYS``) starts, in order."""
    lowered = text.lower()
    if len(lowered) != len(text):  # a letter that lower-cases to two: keep the places
        lowered = text.translate(_ASCII_LOWER)
    places = []
    for key in _KEYS:
        at = lowered.find(key)
        while at >= 0:
            if key != "recommendation" or _MADE_NEAR.search(lowered, max(at - NEAR, 0), at):
                places.append(at)
            at = lowered.find(key, at + len(key))
    return sorted(places)


def _passages(text: str) -> Iterator[str]:
    """The sentences of ``text`` that hold a key word (``_places``), each once."""
    done = 0
    for place in _places(text):
        if place < done:
            continue  # in the sentence given last
        low, high = max(place - BEFORE, 0), min(place + AFTER, len(text))
        piece = text[low:high]
        at = place - low
        for start, end in _bounds(piece):
            if end <= at:
                continue
            if (start == 0 < low) or (end == len(piece) and high < len(text)):
                break  # the window cuts it: longer than these rules read
            done = low + end
            yield " ".join(piece[start:end].split())
            break


def _read(text: str, source: str) -> _Reading:
    """What ``text``'s sentences state; a count of recommendations in doubt (stated two
    ways) leaves the concurrence with them unknown too."""
    reading = _Reading()
    concurred_all: list[tuple[str, bool]] = []
    for sentence in _passages(text):
        if len(sentence) > 2_000:
            continue  # a run of text with no full stop (a table), not a sentence
        lowered = sentence.lower()
        if "recommend" in lowered or "concur" in lowered:
            _counts(sentence, source, reading, concurred_all)
        if "$" in sentence and (
            "questioned" in lowered or "better use" in lowered or "better used" in lowered
        ):
            _amounts(sentence, source, reading)
    made = reading.found.get("recommendations")
    if made is not None and made.value > 0 and "recommendations_concurred" not in reading.found:
        said = [sentence for sentence, plural in concurred_all if plural or made.value == 1]
        if said:
            finding = Finding(made.value, source, kept_cut(said[0]), "concurred-all")
            reading.add("recommendations_concurred", finding)
    if "recommendations" in reading.conflicted:
        reading.found.pop("recommendations_concurred", None)
        reading.conflicted.add("recommendations_concurred")
    return reading


def _counts(
    sentence: str, source: str, reading: _Reading, concurred_all: list[tuple[str, bool]]
) -> None:
    """The counts ``sentence`` states; a sentence that says the agency concurred with all
    of them, without a number, is kept in ``concurred_all`` (with whether it says
    "recommendations": "the recommendation" is all of them only when one was made)."""
    quoted = kept_cut(sentence)
    earlier = _EARLIER.search(sentence) is not None
    if not earlier:
        for rule, pattern in _MADE:
            if m := pattern.search(sentence):
                if _in_parts(sentence, m.end()):  # "one to I&A and two to CISA"
                    reading.found.pop("recommendations", None)
                    reading.conflicted.add("recommendations")
                    break
                value = 0 if rule == "no-recommendations" else _number(m.group(1))
                reading.add("recommendations", Finding(value, source, quoted, rule))
                break
    if earlier:  # another report's recommendations, and what the agency said of them
        return
    if m := _SOME.search(sentence):
        yes, no = _number(m.group(1)), _number(m.group(m.lastindex or 1))
        reading.add("recommendations_concurred", Finding(yes, source, quoted, "concurred-some"))
        reading.add("recommendations", Finding(yes + no, source, quoted, "concurred-some"))
    elif m := _ALL_N.search(sentence):
        total = _number(m.group(1))
        reading.add("recommendations_concurred", Finding(total, source, quoted, "concurred-all-n"))
        reading.add("recommendations", Finding(total, source, quoted, "concurred-all-n"))
    elif _ALL.search(sentence):
        concurred_all.append((sentence, True))
    elif m := _THE_ONE.search(sentence):
        concurred_all.append((sentence, m.group().lower().endswith("recommendations")))
    elif _NONE_CONCURRED.search(sentence):
        reading.add("recommendations_concurred", Finding(0, source, quoted, "concurred-none"))


def _amounts(sentence: str, source: str, reading: _Reading) -> None:
    if _PERIOD.search(sentence):
        return
    quoted = kept_cut(sentence)
    for field, patterns, rule in (
        ("questioned_costs", _QUESTIONED, "questioned-costs"),
        ("funds_put_to_better_use", _BETTER_USE, "better-use"),
    ):
        for pattern in patterns:
            for m in pattern.finditer(sentence):
                value = _dollars(m, sentence)
                if value is None:
                    reading.conflicted.add(field)  # a bound or cents: not read, and no other
                    reading.found.pop(field, None)
                else:
                    reading.add(field, Finding(value, source, quoted, rule))


def kept_cut(sentence: str) -> str:
    """``sentence`` as it is kept beside a value read from it: cut, with "…", past
    ``SENTENCE_CHARACTERS``."""
    if len(sentence) <= SENTENCE_CHARACTERS:
        return sentence
    return sentence[: SENTENCE_CHARACTERS - 1].rstrip() + "…"


def derive(summary: str | None, text: str | None) -> dict[str, Finding]:
    """The values ``summary`` states, and those it does not that the first ``SPAN``
    characters of ``text`` state; each field read from one source only (a count from
    the summary and its concurrence from the text would be two reports' words)."""
    summarised = _read(summary, "summary") if summary else _Reading()
    found = dict(summarised.found)
    said = set(found) | summarised.conflicted  # the summary's word, or its doubt, stands
    if text and any(f not in said for f in DERIVED):
        from_text = _read(text[:SPAN], "text").found
        counts = ("recommendations", "recommendations_concurred")
        if any(f in said for f in counts):  # the summary's counts, or none: never a mix
            said.update(counts)
        for field in DERIVED:
            if field not in said and field in from_text:
                found[field] = from_text[field]
    made = found.get("recommendations")
    if made is not None and made.value == 0 and "recommendations_concurred" not in found:
        found["recommendations_concurred"] = made  # none made: none to concur with
    made, concurred = found.get("recommendations"), found.get("recommendations_concurred")
    if made is not None and concurred is not None and concurred.value > made.value:
        del found["recommendations_concurred"]  # a contradiction: unknown, not a pick
    return {field: found[field] for field in DERIVED if field in found}
