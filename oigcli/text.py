"""Small text helpers shared by the core: natural ordering and "did you mean" suggestions."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

DATE_EXAMPLES = "2021, 2021-06, 2021-06-15, June 2021 or 15 Jun 2021"
"""What --since, --until and date comparisons accept, for messages and help."""


def natural_key(text: str) -> tuple[tuple[int, int, str], ...]:
    """Compare numbers inside strings as numbers: OIG-21-9 < OIG-21-19 < OIG-21-63."""
    return tuple(
        (0, int(part), "") if part.isdecimal() else (1, 0, part.casefold())
        for part in re.split(r"(\d+)", text)
        if part
    )


def suggest(word: str, choices: Iterable[str], n: int = 3) -> list[str]:
    """The choices closest to ``word`` (difflib, ignoring case), best first."""
    import difflib

    folded = {c.casefold(): c for c in choices}
    return [folded[m] for m in difflib.get_close_matches(word.casefold(), list(folded), n, 0.6)]


def or_list(words: Sequence[str]) -> str:
    """``a``, ``a or b``, ``a, b or c``."""
    return " or ".join([", ".join(words[:-1]), words[-1]] if len(words) > 1 else list(words))


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`` Did you mean x or y?`` for the choices close to ``word``; empty when none are."""
    close = suggest(word, choices)
    return f" Did you mean {or_list(close)}?" if close else ""
