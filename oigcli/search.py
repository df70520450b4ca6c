"""Ranked search over titles and summaries: BM25F with the title weighted above the summary.

A query is words and "quoted phrases"; a word ending in ``*`` matches every word that
starts with it. A report matches when every word and phrase appears in its title or
summary (whole words, ignoring case). Matches are ranked by BM25F (Robertson & Zaragoza):
term frequencies of the title count ``TITLE_WEIGHT`` times those of the summary, with
k1 = 1.2 and b = 0.75, and idf = ln(1 + (N - df + 0.5) / (df + 0.5)) over the whole dataset
being searched, so a report's score does not depend on other criteria.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from oigcli.errors import UsageError
from oigcli.schema import Report

TITLE_WEIGHT = 3.0
SUMMARY_WEIGHT = 1.0
K1 = 1.2
B = 0.75
SNIPPET_WORDS = 20
SNIPPET_LEAD = 6
"""Words of context kept before the first match in a snippet."""

_WORD = re.compile(r"\w+")


def words(text: str) -> list[str]:
    return [w.casefold() for w in _WORD.findall(text)]


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]
    prefix: bool = False
    """The last word matches any word that starts with it (``recommend*``)."""

    def count(self, tokens: Sequence[str]) -> int:
        n = len(self.words)
        return sum(1 for i in range(len(tokens) - n + 1) if self._at(tokens, i))

    def _at(self, tokens: Sequence[str], i: int) -> bool:
        *head, last = self.words
        if list(tokens[i : i + len(head)]) != head:
            return False
        token = tokens[i + len(head)]
        return token.startswith(last) if self.prefix else token == last


@dataclass(frozen=True)
class Query:
    text: str
    terms: tuple[Term, ...]

    def pattern(self) -> re.Pattern[str]:
        """A regular expression that finds every term in text, for snippets and highlights."""
        parts = []
        for term in self.terms:
            body = r"\W+".join(re.escape(w) for w in term.words)
            parts.append(rf"\b{body}\w*" if term.prefix else rf"\b{body}\b")
        return re.compile("|".join(parts), re.IGNORECASE)


def parse_query(text: str) -> Query:
    """Words and "quoted phrases". Raises UsageError for a query with nothing to find."""
    if text.count('"') % 2:
        raise UsageError(f'{text!r} has an unclosed quote; write phrases as "mail facility"')
    terms: list[Term] = []
    for phrase, word in re.findall(r'"([^"]*)"|(\S+)', text):
        if phrase:
            tokens = tuple(words(phrase))
            if tokens:
                terms.append(Term(tokens))
            continue
        prefix = word.endswith("*")
        for i, token in enumerate(words(word)):
            last = i == len(words(word)) - 1
            terms.append(Term((token,), prefix and last))
    if not terms:
        raise UsageError(f'{text!r} has no words to search for; try oigcli search "mail"')
    return Query(text, tuple(dict.fromkeys(terms)))


@dataclass(frozen=True)
class Hit:
    report: Report
    score: float
    snippet: str


def search(reports: Sequence[Report], query: Query) -> list[Hit]:
    """Every report that contains all the query's terms, best first (ties: input order)."""
    docs = [(words(r["title"]), words(r["summary"] or "")) for r in reports]
    n = len(docs)
    if n == 0:
        return []
    lengths = [TITLE_WEIGHT * len(t) + SUMMARY_WEIGHT * len(s) for t, s in docs]
    average = sum(lengths) / n or 1.0
    counts = [[(term.count(t), term.count(s)) for term in query.terms] for t, s in docs]
    df = [sum(1 for doc in counts if sum(doc[i]) > 0) for i in range(len(query.terms))]
    idf = [math.log(1 + (n - d + 0.5) / (d + 0.5)) for d in df]
    pattern = query.pattern()
    hits = []
    for report, doc, length in zip(reports, counts, lengths, strict=True):
        if not all(in_title + in_summary for in_title, in_summary in doc):
            continue
        score = 0.0
        for (in_title, in_summary), weight in zip(doc, idf, strict=True):
            tf = TITLE_WEIGHT * in_title + SUMMARY_WEIGHT * in_summary
            score += weight * tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / average))
        hits.append(Hit(report, score, snippet(report, pattern)))
    hits.sort(key=lambda h: h.score, reverse=True)
    return hits


def snippet(report: Report, pattern: re.Pattern[str]) -> str:
    """A few words of the summary around its first match (the title when the summary has
    none), with "…" where text was left out."""
    for text in (report["summary"] or "", report["title"]):
        found = pattern.search(text)
        if found:
            return _around(text, found.start())
    return _around(report["summary"] or report["title"], 0)


def _around(text: str, at: int) -> str:
    spans = [m.span() for m in _WORD.finditer(text)]
    if not spans:
        return text
    first_match = next((i for i, (start, _) in enumerate(spans) if start >= at), 0)
    lo = max(0, first_match - SNIPPET_LEAD)
    hi = min(len(spans), lo + SNIPPET_WORDS)
    start = spans[lo][0] if lo else 0
    end = spans[hi - 1][1] if hi < len(spans) else len(text)
    body = " ".join(text[start:end].split())
    return ("…" if lo else "") + body + ("…" if hi < len(spans) else "")
