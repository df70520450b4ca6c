"""Values read from a report's own text: the redaction flag and recommendation counts.

These rules turn a sentence an Inspector General wrote into a number, so they are
deliberately narrow: they recognise the phrasings OIG summaries use ("We made five
recommendations", "concurred with all three of our recommendations", "concurred with six,
but non-concurred with two") and answer ``None`` (unknown) for anything else rather than
guess. Every rule is tested against the sentences it was written for.
"""

from __future__ import annotations

import re

_NUMBER_WORDS = {
    "one": 1,
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
_NUM = r"(\d+|" + "|".join(_NUMBER_WORDS) + r")"

# "We made five recommendations", "we made four recommendations that ..."
_MADE = re.compile(r"\bwe made " + _NUM + r" recommendations?\b", re.IGNORECASE)
# "concurred with all three of our recommendations", "concurred with all five recommendations"
_ALL_N = re.compile(
    r"\bconcurred with all " + _NUM + r" (?:of )?(?:our |the )?recommendations?\b",
    re.IGNORECASE,
)
# "concurred with all recommendations", "concurred with all our recommendations"
_ALL = re.compile(r"\bconcurred with all (?:of )?(?:our |the )?recommendations?\b", re.IGNORECASE)
# "concurred with six, but non-concurred with two of the recommendations"
_SOME = re.compile(
    r"\bconcurred with " + _NUM + r",? but non-?concurred with " + _NUM, re.IGNORECASE
)
_REDACTED = re.compile(r"\bredacted\b", re.IGNORECASE)


def _number(word: str) -> int:
    return int(word) if word.isdecimal() else _NUMBER_WORDS[word.lower()]


def is_redacted(title: str) -> bool:
    """True when the title marks the public version as redacted ("(REDACTED)", "(Redacted)")."""
    return _REDACTED.search(title) is not None


def recommendation_counts(summary: str) -> tuple[int | None, int | None]:
    """Return (recommendations made, recommendations concurred with) as the summary states them.

    Either value is ``None`` when the summary does not say it in a recognised way.
    """
    text = " ".join(summary.split())
    made: int | None = None
    concurred: int | None = None

    if m := _MADE.search(text):
        made = _number(m.group(1))
    if m := _ALL_N.search(text):
        total = _number(m.group(1))
        made = total if made is None else made
        concurred = total if total == made else None
    elif m := _SOME.search(text):
        yes, no = _number(m.group(1)), _number(m.group(2))
        made = yes + no if made is None else made
        concurred = yes if yes + no == made else None
    elif _ALL.search(text) and made is not None:
        concurred = made
    return made, concurred
