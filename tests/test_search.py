"""Ranked search: query syntax, AND semantics, title weighting, phrases, snippets."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from conftest import Invoke, write_file
from oigcli.model.errors import UsageError
from oigcli.query.search import (
    SNIPPET_LEAD,
    SNIPPET_WORDS,
    Finder,
    Hit,
    Query,
    Ranking,
    Term,
    _around,
    parse_query,
    snippet,
    words,
)
from strategies import WORDS, datasets


def search(reports: list[dict[str, Any]], query: Query) -> list[Hit]:
    """What a search without an index does: every report through the ranking, then the
    hits best first."""
    ranking = Ranking(query)
    for report in reports:
        ranking.pick(report)
    return ranking.hits()


def _doc(number: str, title: str, summary: str | None = None) -> dict[str, Any]:
    return {
        "report_number": number,
        "title": title,
        "summary": summary,
        "fiscal_year": 2021,
        "issue_date": None,
    }


def _numbers(reports: list[dict[str, Any]], text: str) -> list[str]:
    return [hit.report["report_number"] for hit in search(reports, parse_query(text))]


def test_parse_query() -> None:
    query = parse_query('mail "International Mail Facility" recommend* mail')
    assert query.terms == (
        Term(("mail",), stemmed=True),  # a word on its own: any word with its stem
        Term(("international", "mail", "facility")),  # a phrase: as written
        Term(("recommend",), prefix=True),
    )


@pytest.mark.parametrize(
    ("text", "message"), [('"open', "unclosed quote"), ("", "no words"), ('... ""', "no words")]
)
def test_bad_queries(text: str, message: str) -> None:
    with pytest.raises(UsageError) as error:
        parse_query(text)
    assert message in str(error.value)


def test_every_term_must_appear_in_title_or_summary() -> None:
    reports = [_doc("A", "border mail", "canine"), _doc("B", "border", "mail"), _doc("C", "border")]
    assert sorted(_numbers(reports, "border mail")) == ["A", "B"]
    assert _numbers(reports, "border canine") == ["A"]
    assert _numbers(reports, "nothing") == []


def test_title_weighs_more_than_summary() -> None:
    reports = [
        _doc("S", "audit report", "canine training"),
        _doc("T", "canine report", "audit training"),
    ]
    assert _numbers(reports, "canine") == ["T", "S"]


def test_rarer_terms_weigh_more() -> None:
    """(BM25 as FTS5 has it: a term in more than half the reports weighs almost nothing,
    so the dataset has more reports than those with the terms.)"""
    reports = [
        _doc("A", "x", "border border canine"),
        _doc("B", "x", "border canine canine"),
        _doc("C", "x", "border"),
        *(_doc(f"Z{i}", "x", "other words") for i in range(4)),
    ]
    assert _numbers(reports, "border canine") == ["B", "A"]


def test_phrases_need_the_words_together() -> None:
    reports = [_doc("A", "mail facility review"), _doc("B", "facility for mail")]
    assert _numbers(reports, '"mail facility"') == ["A"]
    assert sorted(_numbers(reports, "mail facility")) == ["A", "B"]


def test_whole_words_unless_prefix() -> None:
    reports = [_doc("A", "recommendations made"), _doc("B", "we recommend"), _doc("C", "records")]
    assert sorted(_numbers(reports, '"recommend"')) == ["B"]  # quoted: the word as written
    assert sorted(_numbers(reports, "recommend*")) == ["A", "B"]
    assert _numbers(reports, '"RECOMMENDATIONS"') == ["A"]
    assert _numbers(reports, "rec") == []  # a word is whole, whatever its stem


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("recommendation", ["A", "B", "C"]),  # English stems: recommend
        ("recommending", ["A", "B", "C"]),
        ("RECOMMENDATIONS", ["A", "B", "C"]),
        ("facility", ["D", "E"]),  # facil: the stemmer changes the y
        ("facilities", ["D", "E"]),
        ("dying", ["F"]),  # an irregular stem (die) that is no prefix of the word
        ("die", ["F"]),
        ('"facilities"', ["E"]),
        ("recommend -recommendations", []),  # a -word leaves out its forms too
    ],
)
def test_a_word_finds_every_word_with_its_stem(query: str, found: list[str]) -> None:
    reports = [
        _doc("A", "recommendations made"),
        _doc("B", "we recommend"),
        _doc("C", "x", "the recommendation was recommended"),
        _doc("D", "the facility"),
        _doc("E", "two facilities"),
        _doc("F", "the dying art"),
    ]
    assert sorted(_numbers(reports, query)) == found


def test_the_screen_of_a_stem_starts_every_word_with_it() -> None:
    """search.screen says what every word with a stem starts with, so that only those
    words are stemmed: checked on every word of the standard library's prose."""
    import os
    import re

    from oigcli.query.search import screen, stem

    vocabulary: set[str] = set()
    for name in ("json", "email", "sqlite3", "unittest", "asyncio"):
        folder = os.path.join(os.path.dirname(os.__file__), name)
        for root, _, files in os.walk(folder):
            for file in files:
                if file.endswith(".py"):
                    with open(os.path.join(root, file), encoding="utf-8", errors="replace") as f:
                        vocabulary.update(re.findall(r"[a-z]+", f.read().casefold()))
    vocabulary.update(["dying", "lying", "tying", "skies", "happy", "generously", "news"])
    assert len(vocabulary) > 3000
    assert [w for w in vocabulary if not w.startswith(screen(stem(w)))] == []


def test_bundled(bundled: list[dict[str, Any]]) -> None:
    assert _numbers(bundled, "medical") == ["OIG-21-48"]
    assert _numbers(bundled, '"mail facility"') == ["OIG-21-27"]
    assert len(_numbers(bundled, "recommend*")) == 5
    # the two reports with 'canine' in the title outrank nothing else: only one has it
    assert _numbers(bundled, "canine training") == ["OIG-21-19"]


def test_snippet_is_around_the_first_match_with_ellipses(bundled: list[dict[str, Any]]) -> None:
    report = bundled[1]
    text = snippet(report, parse_query("medical").pattern())
    assert text.startswith("…") and text.endswith("…")
    assert "medical emergencies" in text
    assert " ".join(text.strip("…").split()) in " ".join(report["summary"].split())


def test_a_snippet_and_a_highlight_show_a_real_match() -> None:
    """``improper`` is found by the words that start "impro" (its stem, "improp", less a
    letter), but "Improvement" is no match of it (it stems to "improv"): the snippet and
    the terminal's bold show a real match, never a word the screen let through (#24)."""
    from oigcli.output.render import highlight

    report = {
        **_doc("A", "Payments review", "Improvement plans were late. " + "More. " * 20),
        "text": "We found improper payments of $3 million.",
    }
    found = snippet(report, parse_query("improper payments").pattern())
    assert "improper payments" in found and "Improvement" not in found
    finder = parse_query("improper").pattern()
    assert [m.group() for m in finder.finditer("Improvement, improper, IMPROPERLY")] == [
        "improper",
        "IMPROPERLY",
    ]
    assert highlight("Improvement and improper", finder) == (
        "Improvement and \x1b[1mimproper\x1b[22m"
    )
    assert Finder(()).search("improper") is None  # no terms: nothing to find


def test_snippet_falls_back_to_the_title() -> None:
    report = _doc("A", "Canine Program review", "Nothing relevant here.")
    assert snippet(report, parse_query("canine").pattern()) == "Canine Program review"


def test_short_text_has_no_ellipsis() -> None:
    report = _doc("A", "t", "The canine unit.")
    assert snippet(report, parse_query("canine").pattern()) == "The canine unit."


def test_pattern_finds_phrases_across_spacing() -> None:
    pattern = parse_query('"mail facility" recommend*').pattern()
    assert [m.group() for m in pattern.finditer("Mail  Facility; recommendations")] == [
        "Mail  Facility",
        "recommendations",
    ]
    assert pattern.search("no such words") is None


@given(datasets(), st.lists(st.sampled_from(WORDS), min_size=1, max_size=3))
def test_search_finds_exactly_the_reports_with_every_word(
    reports: list[dict[str, Any]], words: list[str]
) -> None:
    import snowballstemmer

    stemmer = snowballstemmer.stemmer("english")
    hits = search(reports, parse_query(" ".join(words)))
    found = {h.report["report_number"] for h in hits}

    def has_all(r: dict[str, Any]) -> bool:  # the definition: a word with the same stem
        tokens = f"{r['title']} {r['summary'] or ''}".casefold().split()
        stems = set(stemmer.stemWords(tokens))
        return all(stemmer.stemWord(w.casefold()) in stems for w in words)

    assert found == {r["report_number"] for r in reports if has_all(r)}
    order = [(h.tier, h.score) for h in hits]
    assert order == sorted(order, reverse=True)
    assert all(h.score > 0 for h in hits)


def _token_count(term: Term, text: str) -> int:
    """The definition: consecutive case-folded words equal to the term's."""
    tokens = words(text)
    n = len(term.words)
    found = 0
    for i in range(len(tokens) - n + 1):
        *head, last = term.words
        token = tokens[i + n - 1]
        if tokens[i : i + n - 1] == head and (
            token.startswith(last) if term.prefix else token == last
        ):
            found += 1
    return found


TEXT = st.lists(
    st.sampled_from(
        [
            "mail",
            "Mail",
            "MAIL",
            "mailbox",
            "facility",
            "e-mail",
            "mail.",
            "(mail)",
            "Straße",
            "strasse",
            "a",
            "a",
            ",",
            " ",
            "_mail",
            "mail_",
        ]
    ),
    max_size=30,
).map(" ".join)


@given(
    TEXT,
    st.sampled_from(
        [
            "mail",
            "mail*",
            '"mail facility"',
            '"a a"',
            "straße",
            "strasse",
            '"mail facility"*',
            "ma*",
        ]
    ),
)
@example("a a a", '"a a"')  # overlapping occurrences of a phrase all count
@example("Mail , facility mail_ facility", '"mail facility"')
def test_term_counts_whole_words_as_the_definition_says(text: str, query: str) -> None:
    for term in parse_query(query).terms:
        assert term.count(text.casefold()) == _token_count(term, text)


def _around_everywhere(text: str, at: int) -> str:
    """The definition of a snippet's words, looking at every word of the text."""
    spans = [m.span() for m in re.finditer(r"\w+", text)]
    if not spans:
        return text
    first_match = next((i for i, (start, _) in enumerate(spans) if start >= at), 0)
    lo = max(0, first_match - SNIPPET_LEAD)
    hi = min(len(spans), lo + SNIPPET_WORDS)
    start = spans[lo][0] if lo else 0
    end = spans[hi - 1][1] if hi < len(spans) else len(text)
    body = " ".join(text[start:end].split())
    return ("…" if lo else "") + body + ("…" if hi < len(spans) else "")


@given(
    st.lists(
        st.one_of(
            st.sampled_from(["port", "é", "x_y", "9", "ſ", "word"]),
            st.text(alphabet=" .,-\n’_aZ0", max_size=6),
            st.text(max_size=4),
        ),
        max_size=400,
    ),
    st.integers(min_value=0),
)
@settings(max_examples=300)
def test_a_snippet_looks_near_the_match_and_says_what_looking_everywhere_says(
    pieces: list[str], choice: int
) -> None:
    text = " ".join(pieces)
    starts = [0, *(m.start() for m in re.finditer(r"\b\w", text))]
    at = starts[choice % len(starts)]
    assert _around(text, at) == _around_everywhere(text, at)


def test_a_minus_excludes_a_word_a_phrase_or_a_prefix() -> None:
    from oigcli.query.search import Term, parse_query

    query = parse_query('mail -canine -"port of entry" -recommend* e-mail')
    assert query.terms == (Term(("mail",), stemmed=True), Term(("e",), stemmed=True))
    assert query.excluded == (  # e-mail is e and mail, as before
        Term(("canine",), stemmed=True),
        Term(("port", "of", "entry")),
        Term(("recommend",), prefix=True),
    )


@pytest.mark.parametrize(
    ("query", "present", "match"),
    [
        ("medical OR health care", (True, False, True), True),
        ("medical OR health care", (False, True, True), True),
        ("medical OR health care", (False, False, True), False),
        ("medical OR health care", (True, True, False), False),
        ("a OR b OR c d", (False, False, True, True), True),
        ("a OR b c OR d", (True, False, False, True), True),
        ("a OR b c OR d", (True, True, False, False), False),
    ],
)
def test_or_joins_the_terms_beside_it(query: str, present: tuple[bool, ...], match: bool) -> None:
    """OR binds the terms on either side into a set, any one of which will do; every other
    term is still needed. An index narrows only by those needed."""
    from oigcli.query.search import parse_query

    parsed = parse_query(query)
    assert parsed.matches(present) is match
    if query.startswith("medical"):
        assert [t.words for t in parsed.needed] == [("care",)]


def test_a_repeated_term_counts_once_even_beside_or() -> None:
    from oigcli.query.search import parse_query

    parsed = parse_query("mail mail OR canine")  # mail AND (mail OR canine): mail
    assert [t.words for t in parsed.terms] == [("mail",), ("canine",)]
    assert parsed.matches((True, False)) and not parsed.matches((False, True))


@pytest.mark.parametrize("query", ["OR mail", "mail OR", "mail OR OR canine", "mail OR -canine"])
def test_an_or_without_a_term_on_each_side_is_a_usage_error(query: str) -> None:
    from oigcli.query.search import parse_query

    with pytest.raises(UsageError):
        parse_query(query)


@given(
    st.text(alphabet="ab _-’éß1\n", max_size=40),
    st.lists(st.text(alphabet="abé1_", min_size=1, max_size=3), min_size=1, max_size=3),
    st.sampled_from(["plain", "prefix", "stemmed"]),
)
@example("a a a", ["a", "a"], "plain")  # overlapping occurrences all count
@example("ba ab", ["ab"], "plain")  # a match inside a word is none
def test_a_terms_count_is_its_expressions(text: str, words_: list[str], kind: str) -> None:
    """Term.count finds the term by the literal it starts with (fast) and checks the word
    boundary itself: the same count as the term's regular expression, its definition."""
    from oigcli.query.search import stem

    folded = text.casefold()
    if kind == "stemmed":
        term = Term((words_[0],), stemmed=True)
        expected = sum(1 for w in re.findall(term.expression, folded) if stem(w) == term.stem)
    else:
        term = Term(tuple(words_), prefix=kind == "prefix")
        expected = len(re.findall(f"(?={term.expression})", folded))
    assert term.count(folded) == expected


def test_a_scan_unpacks_each_match_only_as_it_is_written(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without an index a search holds its matches packed; a row is unpacked as it is
    written, so a search that prints every match never holds them all as dicts."""
    import oigcli
    from oigcli.query import search as engine

    unpacked: list[object] = []
    real = engine.unpacked
    monkeypatch.setattr(engine, "unpacked", lambda held: unpacked.append(held) or real(held))
    with oigcli.open() as reports:
        rows = reports.search("cbp")
        first = next(rows)
        assert first["score"] > 0 and len(unpacked) == 1
        assert len(list(rows)) == 4 and len(unpacked) == 5


@given(st.text(alphabet=st.sampled_from("ab Z_1.,-’—é\u00a0İßſ\ud800\n\t"), max_size=30))
def test_runs_and_tokens_are_the_regular_expressions_words(text: str) -> None:
    """search.runs and search.tokens (bytes.translate, ten times as fast) find exactly the
    runs of word characters that ``\\w+`` finds, which FTS5's ascii tokenizer then sees
    in search.separated's text (non-ASCII separators as spaces)."""
    from oigcli.query.search import runs, separated, tokens

    folded = text.casefold()
    expected = re.findall(r"\w+", folded)
    assert runs(folded) == expected
    assert tokens(folded) == len(expected)
    assert re.findall(r"[0-9a-z_\x80-\U0010ffff]+", separated(folded)) == expected


@pytest.mark.usefixtures("backend")
@pytest.mark.parametrize("query", ["medical", "médical", "MEDICAL", "medic*"])
def test_a_word_matches_with_or_without_accents(invoke: Invoke, tmp_path: Path, query: str) -> None:
    """#24: medical finds "Médical" and médical finds "medical", in a scan and in the
    index alike; the snippet and the highlight keep the word as written."""
    reports = [
        {"report_number": "A-1", "title": "Rapport Médical de la mission", "fiscal_year": 2021},
        {"report_number": "A-2", "title": "Medical care at the border", "fiscal_year": 2021},
        {"report_number": "A-3", "title": "Café supplies", "fiscal_year": 2021},
    ]
    data = write_file(tmp_path, json.dumps(reports))
    result = invoke("search", query, "--data", data, "--json")
    assert result.exit_code == 0, result.output
    assert sorted(r["report_number"] for r in json.loads(result.stdout)) == ["A-1", "A-2"]
    assert json.loads(invoke("search", "cafe", "--data", data, "--json").stdout)[0]["snippet"] == (
        "Café supplies"
    )
    assert [
        r["report_number"]
        for r in json.loads(invoke("filter", "--text", "médical", "--data", data, "--json").stdout)
    ] in (["A-1", "A-2"], ["A-2", "A-1"])


def test_the_highlight_keeps_the_accent() -> None:
    from oigcli.output.render import highlight
    from oigcli.query.search import parse_query

    pattern = parse_query("medical").pattern()
    assert highlight("Rapport Médical", pattern) == "Rapport \x1b[1mMédical\x1b[22m"
