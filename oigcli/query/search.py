"""Ranked search over titles, summaries and full texts.

A query is words and "quoted phrases"; a word ending in ``*`` matches every word that
starts with it. A report matches when every word and phrase appears in its title, summary
or text (whole words, ignoring case). A word on its own matches every word with the same
English stem (Snowball's English stemmer: ``recommendation`` finds ``recommendations``); a
phrase matches its words as written, a prefix the words that start with it.

Matches are ranked in tiers, then by BM25: first the reports with more of the query's
terms in the title, then more in the title or summary, then the rest (so a title match
comes before a summary match, which comes before a body match), each tier by the score
SQLite's FTS5 computes with its ``bm25()`` function, so that an index ranks in SQL exactly
as a scan does (``score``): for each of the query's terms, its frequency in a report
counts ``TITLE_WEIGHT`` for each occurrence in the title, ``SUMMARY_WEIGHT`` in the
summary, ``TEXT_WEIGHT`` in the text (f); with k1 = 1.2 and b = 0.75,

    score = sum of idf * f * (k1 + 1) / (f + k1 * (1 - b + b * D / avgdl))

where idf = ln((N - n + 0.5) / (n + 0.5)), or 1e-6 when that is not positive (a term in
more than half of the N reports weighs almost nothing), n is how many reports have the term,
D a report's length in words (twice: an index holds each word and its stem) and avgdl the
average D, all over the whole dataset being searched (so a report's score does not depend
on other criteria). Ties: newest first.
"""

from __future__ import annotations

import functools
import math
import re
from bisect import bisect_left
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from oigcli.model.errors import UsageError
from oigcli.model.schema import TEXT, Report
from oigcli.model.text import MAX_TERMS, fold, unaccented
from oigcli.query.rows import newness, packed, unpacked

TITLE_WEIGHT = 4.0
SUMMARY_WEIGHT = 1.0
TEXT_WEIGHT = 0.25
"""Powers of two, so that a frequency is the same sum in any order (FTS5 adds a report's
occurrences in its own order)."""
WEIGHTS = (TITLE_WEIGHT, SUMMARY_WEIGHT, TEXT_WEIGHT)
K1 = 1.2
B = 0.75
MIN_IDF = 1e-6
SNIPPET_WORDS = 20
SNIPPET_LEAD = 6
"""Words of context kept before the first match in a snippet."""
EXCERPT = 300
"""Characters of a report's text kept on each side of its first match, for a snippet (of
SNIPPET_WORDS words: a few dozen characters each)."""

_WORD = re.compile(r"\w+")
_OTHER = re.compile(r"[^\w\x00-\x7f]")
"""A character outside ASCII that is not a word character (a curly quote, a dash, a
no-break space)."""
_SPACES = bytes(c if chr(c).isalnum() or c == 95 or c > 127 else 32 for c in range(256))
"""Every byte but ASCII letters, digits, '_' and those of UTF-8's longer characters, as a
space."""
_MARKS = bytes(97 if chr(c).isalnum() or c == 95 or c > 127 else 32 for c in range(256))
"""The same, with every other byte as 'a'."""


def words(text: str) -> list[str]:
    """The text's words, case folded and without accents (``fold``; folding first is the
    same: it maps each character on its own)."""
    return runs(fold(text))


def runs(folded: str) -> list[str]:
    """The runs of word characters (``\\w+``) in text that is already case folded: by
    bytes.translate and split, ten times as fast as a regular expression."""
    return _spaced(folded).translate(_SPACES).decode("utf-8").split()


def tokens(folded: str) -> int:
    """How many runs of word characters ``folded`` has (``len(runs(folded))``), without
    making them: a report's length for BM25."""
    marked = _spaced(folded).translate(_MARKS)
    return marked.count(b" a") + marked.startswith(b"a")


def separated(folded: str) -> str:
    """``folded`` with each character outside ASCII that is not a word character made a
    space: a tokenizer that splits at ASCII's other characters, as FTS5's ascii one does,
    then finds exactly its ``runs``, without a list of them being made."""
    return folded if folded.isascii() else _OTHER.sub(" ", folded)


def _spaced(folded: str) -> bytes:
    """``folded`` in UTF-8, every character outside ASCII that is not a word character
    made a space (so that what is left outside words is ASCII, which a byte table maps)."""
    if folded.isascii():
        return folded.encode("ascii")
    return _OTHER.sub(" ", folded).encode("utf-8", "surrogatepass")


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


def _word_character(character: str) -> bool:
    """Whether ``\\w`` matches the character (what the re module's test is)."""
    return character.isalnum() or character == "_"


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
    def scan(self) -> re.Pattern[str]:
        """Finds where the term may start in case-folded text, by the literal its first
        word is (so the regular expression engine looks for it as fast as str.find does;
        a leading ``\\b`` would have it try every place): the rest is a lookahead, so that
        overlapping occurrences all count, and ``count`` checks the word boundary before."""
        first, *rest = (re.escape(w) for w in (self.start, *self.words[1:]))
        if self.stemmed:
            return re.compile(rf"{first}\w*")  # the word, to stem
        tail = "".join(rf"\W+{w}" for w in rest) + ("" if self.prefix else r"\b")
        return re.compile(f"{first}(?={tail})" if tail else first)

    def count(self, folded: str) -> int:
        """How often the term occurs in ``folded`` (case-folded text), as ``expression``
        finds it (overlapping occurrences too)."""
        if self.start not in folded:  # most texts of most terms
            return 0
        found = 0
        wanted = self.stem if self.stemmed else None
        for match in self.scan.finditer(folded):
            at = match.start()
            if at and _word_character(folded[at - 1]):
                continue  # inside a word
            if wanted is None or stem(match.group()) == wanted:
                found += 1
        return found

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

    @property
    def phrases(self) -> tuple[int, ...]:
        """The places in ``terms`` in the order an FTS5 query writes them (the terms every
        match has, then each OR'd set): the order a score adds them up in, as FTS5 does."""
        required = range(len(self.terms)) if self.required is None else self.required
        return (*required, *(i for group in self.alternatives for i in group))

    def matches(self, present: Sequence[bool]) -> bool:
        """Whether a report with ``present[i]`` for each of ``terms`` is a match."""
        required = range(len(self.terms)) if self.required is None else self.required
        return all(present[i] for i in required) and all(
            any(present[i] for i in group) for group in self.alternatives
        )

    def pattern(self) -> Finder:
        """What finds every term in text, as search counts it, for snippets and
        highlights."""
        return Finder(self.terms)


class Finder:
    """Finds a query's terms in text as search counts them, for snippets and highlights
    (``search``, ``finditer`` and ``sub`` as a compiled pattern has them): ``candidates``
    finds where each term may be (a stemmed word: every word that starts as its stem's
    words do), and a candidate is a match only when it is one (the word's own stem is the
    term's): "Improvement" is no match of ``improper``, though both start "impro"."""

    def __init__(self, terms: Sequence[Term]) -> None:
        self.terms = tuple(terms)
        alternatives = "|".join(f"({term.expression})" for term in terms) or "(?!)"
        self.candidates = re.compile(alternatives, re.IGNORECASE)

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        """The matches in ``text`` (found in it unaccented: each place is the same, and
        ``"Médical"[m.start():m.end()]`` is the word as written)."""
        for found in self.candidates.finditer(unaccented(text)):
            term = self.terms[(found.lastindex or 1) - 1]  # the alternative that matched
            if not term.stemmed or term.matches_word(found.group().casefold()):
                yield found

    def search(self, text: str) -> re.Match[str] | None:
        return next(self.finditer(text), None)

    def sub(self, replace: Callable[[str], str], text: str) -> str:
        """``text`` with each match (as written, accents and all) given to ``replace``."""
        parts: list[str] = []
        end = 0
        for found in self.finditer(text):
            parts += [text[end : found.start()], replace(text[found.start() : found.end()])]
            end = found.end()
        return "".join(parts) + text[end:]


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
    held: str | Report
    """The report, as rows.packed holds it (``report`` gives it back)."""
    score: float
    tier: tuple[int, int] = (0, 0)
    """How many of the query's terms are in the title, and in the title or summary."""
    excerpt: str | None = None
    """The part of the report's text around its first match, when the text is not kept."""

    @property
    def report(self) -> Report:
        return unpacked(self.held)


Counts = tuple[int, int, int]
"""How often a term occurs in a report's title, summary and text."""


class Ranking:
    """BM25 over reports given one at a time, as a dataset ``pick``: every report counts
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
        self.total_tokens = 0
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
        self.found: list[tuple[str | Report, list[Counts], int, str | None, Any]] = []
        """Each match: the report as rows.packed holds it (a third of the memory), how
        often each term occurs in it, its length, its excerpt and its rows.newness."""
        self._pattern: Finder | None = None

    def preset(self, reports: int, total_tokens: int, df: list[int]) -> None:
        """The statistics of the whole dataset, from an index that then gives pick only the
        reports that contain every term (see oigcli.query.criteria.Narrowing)."""
        self.reports, self.total_tokens, self.df = reports, total_tokens, list(df)
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
        folded = [fold(title), fold(summary), fold(text)]
        counts = self._counts(folded)
        size = 0
        if self.counting:
            size = sum(map(tokens, folded))
            self.reports += 1
            self.total_tokens += size
            for i, found in enumerate(counts):
                self.df[i] += any(found)
        if not self.query.matches([any(found) for found in counts]):
            return None
        if not self.counting:
            size = sum(map(tokens, folded))
        if self.keep and not self.keep(report):
            return None
        if self.query.excluded:
            joined = "\n".join(folded)
            if any(term.count(joined) for term in self.query.excluded):
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
        self.found.append((packed(report), counts, size, excerpt, newness(report)))
        return report

    def hits(self) -> list[Hit]:
        """The kept reports with their scores, best first: by tier, then score, then
        newest first (rows.NEWEST_FIRST), then the order they came in. Each report is
        still held packed: ``Hit.report`` gives it back, for the rows of a page."""
        average = bm25_average(self.reports, self.total_tokens)
        idf = [bm25_idf(self.reports, d) for d in self.df]
        phrases = self.query.phrases
        hits = []
        order = []
        for held, counts, size, excerpt, new in self.found:
            score = bm25(counts, idf, phrases, size, average)
            tier = (sum(c[0] > 0 for c in counts), sum(c[0] + c[1] > 0 for c in counts))
            hits.append(Hit(held, score, tier, excerpt))
            order.append((tier, score, new))
        ranks = sorted(range(len(hits)), key=order.__getitem__, reverse=True)  # stable
        return [hits[i] for i in ranks]


def bm25_average(reports: int, total_tokens: int) -> float:
    """avgdl as FTS5 has it: words (each twice: as written and stemmed) per report."""
    return float(2 * total_tokens) / float(reports) if reports else 0.0


def bm25_idf(reports: int, having: int) -> float:
    """A term's idf as FTS5's bm25() has it, ``having`` of ``reports`` holding it."""
    idf = math.log((reports - having + 0.5) / (having + 0.5))
    return MIN_IDF if idf <= 0.0 else idf


def bm25(
    counts: Sequence[Counts],
    idf: Sequence[float],
    phrases: Sequence[int],
    size: int,
    average: float,
) -> float:
    """A report's score as FTS5's bm25() computes it (the same operations, in its order,
    so the same float): ``counts`` of each term in its title, summary and text, ``size``
    its words."""
    length = float(2 * size)  # D: FTS5 counts the words of the stemmed columns too
    score = 0.0
    for i in phrases:
        in_title, in_summary, in_text = counts[i]
        frequency = 0.0
        for count, weight in (
            (in_title, TITLE_WEIGHT),
            (in_summary, SUMMARY_WEIGHT),
            (in_text, TEXT_WEIGHT),
        ):
            frequency += count * weight
        score += idf[i] * (
            (frequency * (K1 + 1.0)) / (frequency + K1 * (1 - B + B * length / average))
        )
    return -(-1.0 * score)


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


def snippet(report: Report, pattern: Finder, excerpt: str | None = None) -> str:
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
