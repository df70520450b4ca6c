"""Ranked search over titles, summaries and full texts.

A query is words and "quoted phrases"; a word ending in ``*`` matches every word that
starts with it. A report matches when every word and phrase appears in its title, summary
or text (whole words, ignoring case). A word on its own matches every word with the same
English stem (Snowball's English stemmer: ``recommendation`` finds ``recommendations``); a
phrase matches its words as written, a prefix the words that start with it.

Matches are ranked in tiers, then by BM25F: first the reports with more of the query's
terms in the title, then more in the title or summary, then the rest (so a title match
comes before a summary match, which comes before a body match), each tier by BM25F
(Robertson & Zaragoza): term frequencies of the title count ``TITLE_WEIGHT`` times, the
summary's ``SUMMARY_WEIGHT``, the text's ``TEXT_WEIGHT``, with k1 = 1.2 and b = 0.75,
idf = ln(1 + (N - df + 0.5) / (df + 0.5)) over the whole dataset being searched (so a
report's score does not depend on other criteria), and a document's length counted in
characters. (BM25 wants a length relative to the average, which for prose is the same
counted in characters or in words; counting words means a pass over every text of the
dataset, most of a first search's time.)
"""

from __future__ import annotations

import functools
import math
import re
from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from oigcli.model.errors import UsageError
from oigcli.model.schema import TEXT, Report
from oigcli.model.text import MAX_TERMS

TITLE_WEIGHT = 3.0
SUMMARY_WEIGHT = 1.0
TEXT_WEIGHT = 0.2
K1 = 1.2
B = 0.75
SNIPPET_WORDS = 20
SNIPPET_LEAD = 6
"""Words of context kept before the first match in a snippet."""
EXCERPT = 600
"""Characters of a report's text kept on each side of its first match, for a snippet."""

_WORD = re.compile(r"\w+")


def words(text: str) -> list[str]:
    """The text's words, case folded (folding first is the same: it maps each character
    on its own)."""
    return runs(text.casefold())


def runs(folded: str) -> list[str]:
    """The runs of word characters in text that is already case folded."""
    return _WORD.findall(folded)


@functools.cache
def _stemmer() -> Any:
    import snowballstemmer  # type: ignore[import-untyped]  # only when searching: start-up

    return snowballstemmer.stemmer("english")


@functools.lru_cache(maxsize=1 << 16)
def stem(word: str) -> str:
    """The English (Snowball) stem of a case-folded word; remembered, since prose repeats
    its words."""
    result: str = _stemmer().stemWord(word)
    return result


_IRREGULAR = frozenset({"die", "lie", "tie"})
"""Stems of words that do not start with all but their last letter (dying, lying, tying)."""


def screen(stemmed: str) -> str:
    """What every word with this stem starts with: all of the stem but its last letter
    (the stemmer changes at most that one: happy, happi), two for the three irregular
    words. Checked over a large vocabulary in the tests."""
    return stemmed[:-2] if stemmed in _IRREGULAR else stemmed[:-1]


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]
    prefix: bool = False
    """The last word matches any word that starts with it (``recommend*``)."""
    stemmed: bool = False
    """One word that matches every word with its stem (a word on its own in a query)."""

    @functools.cached_property
    def stem(self) -> str:
        return stem(self.words[0])

    @functools.cached_property
    def start(self) -> str:
        """What every word the term matches starts with (for a screen and for an index)."""
        if self.stemmed:
            return screen(self.stem)
        return self.words[0]

    @functools.cached_property
    def expression(self) -> str:
        """The term as a regular expression: its words whole (the last one only at its
        start with ``*``), separated by anything but letters and digits; a stemmed word,
        every word that starts as its stem's words do (a little more than match: each is
        then stemmed to see)."""
        if self.stemmed:
            return rf"\b{re.escape(self.start)}\w*"
        body = r"\W+".join(re.escape(w) for w in self.words)
        return rf"\b{body}\w*" if self.prefix else rf"\b{body}\b"

    @functools.cached_property
    def regex(self) -> re.Pattern[str]:
        """Finds the term in case-folded text (``expression``); a phrase in a lookahead,
        so that overlapping occurrences all count."""
        body = self.expression
        return re.compile(f"(?={body})" if len(self.words) > 1 else body)

    def count(self, folded: str) -> int:
        """How often the term occurs in ``folded`` (case-folded text)."""
        if self.stemmed:
            wanted = self.stem
            return sum(1 for word in self.regex.findall(folded) if stem(word) == wanted)
        return len(self.regex.findall(folded))

    def matches_word(self, word: str) -> bool:
        """Whether the term, one word, matches this case-folded word."""
        if self.stemmed:
            return word.startswith(self.start) and stem(word) == self.stem
        return word.startswith(self.words[-1]) if self.prefix else word == self.words[-1]


@dataclass(frozen=True)
class Query:
    text: str
    terms: tuple[Term, ...]
    excluded: tuple[Term, ...] = ()
    """Terms written ``-word`` or ``-"a phrase"``: a report that has one is left out."""
    alternatives: tuple[tuple[int, ...], ...] = ()
    """Places in ``terms`` joined by ``OR``: a report needs one of each such set."""
    required: tuple[int, ...] | None = None
    """Places in ``terms`` a report needs each of (None: every term)."""

    @property
    def needed(self) -> tuple[Term, ...]:
        """The terms every match has: what an index can narrow by."""
        if self.required is None:
            return self.terms
        return tuple(self.terms[i] for i in self.required)

    def matches(self, present: Sequence[bool]) -> bool:
        """Whether a report with ``present[i]`` for each of ``terms`` is a match."""
        required = range(len(self.terms)) if self.required is None else self.required
        return all(present[i] for i in required) and all(
            any(present[i] for i in group) for group in self.alternatives
        )

    def pattern(self) -> re.Pattern[str]:
        """A regular expression that finds every term in text, for snippets and highlights
        (a stemmed word: the words that start as the stem's do, a little more than match)."""
        return re.compile("|".join(t.expression for t in self.terms), re.IGNORECASE)


def parse_query(text: str) -> Query:
    """Words and "quoted phrases", each of which must occur, or one of those joined by
    ``OR``; ``-word`` or ``-"a phrase"`` must not. Raises UsageError for a query with
    nothing to find, or an OR without a term on each side."""
    if text.count('"') % 2:
        raise UsageError(f'{text!r} has an unclosed quote; write phrases as "mail facility"')
    terms: list[Term] = []
    excluded: list[Term] = []
    groups: list[list[int]] = []  # places in terms, per OR'd set
    pending_or = False
    for minus, phrase, word in re.findall(r'(-?)"([^"]*)"|(\S+)', text):
        if word == "OR":
            if not terms or pending_or or (groups and groups[-1] == []):
                raise UsageError(f"{text!r}: OR needs a word or phrase on each side")
            pending_or = True
            continue
        found: list[Term] = []
        without = bool(minus) or (word.startswith("-") and len(word) > 1)
        if phrase or minus:
            tokens = tuple(words(phrase))
            found = [Term(tokens)] if tokens else []
        else:
            word = word[1:] if without else word
            prefix = word.endswith("*")
            parts = words(word)
            found = [
                Term((p,), True) if prefix and i == len(parts) - 1 else Term((p,), stemmed=True)
                for i, p in enumerate(parts)
            ]
        if without:
            if pending_or:
                raise UsageError(f"{text!r}: OR joins terms to find, not -words to leave out")
            excluded.extend(found)
            continue
        if not found:
            continue
        if pending_or:  # joins the previous term (or its set) and this one
            previous = len(terms) - 1
            if groups and previous in groups[-1]:
                groups[-1].append(len(terms))
            else:
                groups.append([previous, len(terms)])
            pending_or = False
        terms.extend(found)
    if pending_or:
        raise UsageError(f"{text!r}: OR needs a word or phrase on each side")
    if not terms:
        hint = " (a query of -words only excludes from nothing)" if excluded else ""
        raise UsageError(f'{text!r} has no words to search for{hint}; try oigcli search "mail"')
    # each term once (a repeated word counts once, as it always has), the sets renumbered
    unique: dict[Term, int] = {}
    place = [unique.setdefault(term, len(unique)) for term in terms]
    _bounded(text, len(unique) + len(set(excluded)))
    joined = {i for group in groups for i in group}
    required = {place[i] for i in range(len(terms)) if i not in joined}
    sets = dict.fromkeys(tuple(sorted({place[i] for i in g})) for g in groups)
    alternatives = tuple(g for g in sets if len(g) > 1 and not required & set(g))
    alone = {g[0] for g in sets if len(g) == 1}  # "mail OR mail": mail is needed
    for i in alone - {i for g in alternatives for i in g}:
        required.add(i)
    return Query(
        text, tuple(unique), tuple(dict.fromkeys(excluded)), alternatives, tuple(sorted(required))
    )


def _bounded(text: str, count: int) -> None:
    """UsageError for a query of more than MAX_TERMS terms: each one is looked for in
    every text, and a query of thousands is not a person's."""

    if count > MAX_TERMS:
        shown = text if len(text) <= 60 else text[:57] + "..."
        raise UsageError(
            f"{shown!r} has {count} words and phrases to look for; a search takes at most "
            f"{MAX_TERMS}: search for the few that matter"
        )


@dataclass(frozen=True)
class Hit:
    report: Report
    score: float
    tier: tuple[int, int] = (0, 0)
    """How many of the query's terms are in the title, and in the title or summary."""
    excerpt: str | None = None
    """The part of the report's text around its first match, when the text is not kept."""


def length(title: str, summary: str, text: str = "") -> float:
    """A report's length for BM25F: its fields' characters (known without looking at
    them), each field weighed as its terms are. An index sums these for its statistics."""
    return TITLE_WEIGHT * len(title) + SUMMARY_WEIGHT * len(summary) + TEXT_WEIGHT * len(text)


Counts = tuple[int, int, int]
"""How often a term occurs in a report's title, summary and text."""


class Ranking:
    """BM25F over reports given one at a time, as a dataset ``pick``: every report counts
    towards the statistics (how many there are, their lengths, how many contain each
    term), but only those that contain every term, and that ``keep`` accepts, are kept.
    So a search never holds more than its matches, whatever the dataset's size."""

    def __init__(
        self,
        query: Query,
        keep: Callable[[Report], bool] | None = None,
        keep_text: bool = False,
    ) -> None:
        self.query = query
        self.keep = keep
        self.keep_text = keep_text
        """False: a match is kept without its text (long), but with an excerpt of it
        around the first match, for its snippet."""
        self.reports = 0
        self.total_length = 0.0
        self.df = [0] * len(query.terms)
        self.counting = True
        """Whether pick sees every report and counts the statistics itself."""
        groups = [(term.start,) if term.stemmed else term.words for term in query.terms]
        self._screened = len(groups) <= SCREENED_TERMS
        if len(groups) == 1 and len(groups[0]) == 1:  # one word: the common case, and
            word = groups[0][0]  # the screen every report of a large file goes through
            self._may_occur: Callable[[str], bool] = lambda folded: word in folded
        else:
            self._may_occur = lambda folded: any(all(w in folded for w in g) for g in groups)
        self.found: list[tuple[Report, list[Counts], float, str | None]] = []
        self._pattern: re.Pattern[str] | None = None

    def preset(self, reports: int, total_length: float, df: list[int]) -> None:
        """The statistics of the whole dataset, from an index that then gives pick only the
        reports that contain every term (see oigcli.query.criteria.Narrowing)."""
        self.reports, self.total_length, self.df = reports, total_length, list(df)
        self.counting = False

    def _counts(self, texts: Sequence[str]) -> list[Counts]:
        terms = self.query.terms
        if self._screened:  # few terms: a scan for each, once a plain `in` finds them
            present = [text for text in texts if text and self._may_occur(text)]
            if not present:
                return [(0, 0, 0)] * len(terms)  # no term occurs as a word where it is no text
            return [
                (term.count(texts[0]), term.count(texts[1]), term.count(texts[2])) for term in terms
            ]
        each = [count_all(terms, text) for text in texts]  # many: each text's words once
        return list(zip(*each, strict=True))

    def pick(self, report: Report) -> Report | None:
        title, summary, text = report["title"], report["summary"] or "", report.get(TEXT) or ""
        size = length(title, summary, text)
        if self.counting:
            self.reports += 1
            self.total_length += size
        counts = self._counts([title.casefold(), summary.casefold(), text.casefold()])
        if self.counting:
            for i, found in enumerate(counts):
                self.df[i] += any(found)
        if not self.query.matches([any(found) for found in counts]):
            return None
        if self.keep and not self.keep(report):
            return None
        if self.query.excluded:
            folded = f"{title}\n{summary}\n{text}".casefold()
            if any(term.count(folded) for term in self.query.excluded):
                return None
        excerpt = None
        if text and not self.keep_text:
            if self._pattern is None:
                self._pattern = self.query.pattern()
            first = self._pattern.search(text)
            if first is not None:
                at = first.start()
                excerpt = text[max(0, at - EXCERPT) : at + EXCERPT]
            report = {**report, TEXT: None}
        self.found.append((report, counts, size, excerpt))
        return report

    def hits(self) -> list[Hit]:
        """The kept reports with their scores, best first (ties: the order they came in)."""
        n = self.reports
        average = self.total_length / n if n and self.total_length else 1.0
        idf = [math.log(1 + (n - d + 0.5) / (d + 0.5)) for d in self.df]
        hits = []
        for report, counts, size, excerpt in self.found:
            score = 0.0
            for (in_title, in_summary, in_text), weight in zip(counts, idf, strict=True):
                tf = TITLE_WEIGHT * in_title + SUMMARY_WEIGHT * in_summary + TEXT_WEIGHT * in_text
                score += weight * tf * (K1 + 1) / (tf + K1 * (1 - B + B * size / average))
            tier = (sum(c[0] > 0 for c in counts), sum(c[0] + c[1] > 0 for c in counts))
            hits.append(Hit(report, score, tier, excerpt))
        hits.sort(key=lambda h: (h.tier, h.score), reverse=True)
        return hits


SCREENED_TERMS = 8
"""Up to this many terms, each is looked for in a report's text on its own (a plain ``in``
first, which rejects most reports); beyond it, a report's words are listed once and every
term is looked up among them, so a query of 3,000 terms costs 3,000 look-ups a report,
not 3,000 scans of its text."""


def count_all(terms: Sequence[Term], folded: str) -> list[int]:
    """How often each term occurs in ``folded`` (case-folded text): the same counts as
    ``Term.count``, from the text's words (runs of word characters) listed once. A term's
    words must be consecutive words of the text (the regular expression's ``\\W+``
    between them is exactly the gap between two runs); a prefix matches words that start
    with it."""

    tokens = runs(folded)
    where: dict[str, list[int]] = {}
    for i, token in enumerate(tokens):
        where.setdefault(token, []).append(i)
    ordered: list[str] | None = None

    counts = []
    for term in terms:
        *head, last = term.words
        if term.stemmed:
            if ordered is None:
                ordered = sorted(where)
            count = 0
            for token in ordered[bisect_left(ordered, term.start) :]:
                if not token.startswith(term.start):
                    break
                if stem(token) == term.stem:
                    count += len(where[token])
        elif head:
            span = len(head)
            count = sum(
                1
                for i in where.get(head[0], ())
                if i + span < len(tokens)
                and tokens[i : i + span] == head
                and term.matches_word(tokens[i + span])
            )
        elif term.prefix:
            if ordered is None:
                ordered = sorted(where)
            count = 0
            for token in ordered[bisect_left(ordered, last) :]:
                if not token.startswith(last):
                    break
                count += len(where[token])
        else:
            count = len(where.get(last, ()))
        counts.append(count)
    return counts


def snippet(report: Report, pattern: re.Pattern[str], excerpt: str | None = None) -> str:
    """A few words around the first match, from wherever it is: the summary, else the
    text (or ``excerpt``, the part of it around its first match), else the title; with
    "…" where text was left out. Made only for the results that are shown: it costs more
    than scoring."""
    body = excerpt if excerpt is not None else report.get(TEXT) or ""
    for text in (report["summary"] or "", body, report["title"]):
        found = pattern.search(text)
        if found:
            return _around(text, found.start())
    return _around(report["summary"] or report["title"], 0)


def _around(text: str, at: int) -> str:
    """The words around position ``at`` (where a word starts, or 0): SNIPPET_LEAD words
    before it, SNIPPET_WORDS in all, "…" where words were left out. Only the words near
    ``at`` are looked at: summaries can be long and every row shown has a snippet."""
    begin = _words_before(text, at, SNIPPET_LEAD + 1)
    found = _WORD.finditer(text, begin)
    spans = []
    for match in found:
        spans.append(match.span())
        if match.start() >= at:
            break
    if not spans:
        return text
    first_match = len(spans) - 1 if spans[-1][0] >= at else 0
    if first_match == 0 and begin:  # no word at or after ``at``: from the start
        return _around(text, 0)
    lo = max(0, first_match - SNIPPET_LEAD)
    for match in found:  # one more than fits tells whether words were left out
        spans.append(match.span())
        if len(spans) > lo + SNIPPET_WORDS:
            break
    more = len(spans) > lo + SNIPPET_WORDS
    hi = lo + SNIPPET_WORDS if more else len(spans)
    start = spans[lo][0] if lo else 0
    end = spans[hi - 1][1] if more else len(text)
    body = " ".join(text[start:end].split())
    return ("…" if lo else "") + body + ("…" if more else "")


def _words_before(text: str, at: int, count: int) -> int:
    """A place outside any word, at or before ``at``, with at least ``count`` whole words
    between it and ``at``; 0 when there are not that many."""
    step = 256
    begin = at
    while begin > 0:
        begin = max(0, begin - step)
        step *= 2
        if begin and _WORD.match(text, begin - 1):  # inside a word: start after it
            partial = _WORD.match(text, begin)
            begin = partial.end() if partial else begin
        if len(_WORD.findall(text, begin, at)) >= count:
            return begin
    return 0
