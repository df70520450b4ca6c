"""Values read from a report's own words (oigcli.model.derive): recommendation counts,
questioned costs and funds put to better use, each with the sentence it came from; and
the redaction flag the dataset builder reads from a title (scripts/derive.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from derive import is_redacted
from oigcli.model import derive as rules
from oigcli.model.derive import derive, sentences
from oigcli.model.schema import DERIVED, derived_valid

CORPUS = Path(__file__).parent / "corpus" / "derived.jsonl"
PASSAGES = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()]


def values(summary: str | None, text: str | None = None) -> dict[str, int]:
    return {name: finding.value for name, finding in derive(summary, text).items()}


def counts(summary: str) -> tuple[int | None, int | None]:
    found = values(summary)
    return found.get("recommendations"), found.get("recommendations_concurred")


@pytest.mark.parametrize(
    ("summary", "expected"),
    [
        ("We made five recommendations. CBP concurred with all five recommendations.", (5, 5)),
        ("CBP concurred with all three of our recommendations, which when implemented", (3, 3)),
        ("We made two recommendations to help. CBP concurred with all recommendations.", (2, 2)),
        (
            "We made eight recommendations. CBP concurred with six, but non-concurred with two "
            "of the recommendations.",
            (8, 6),
        ),
        (
            "In total, we made four recommendations that, if implemented, should help. CBP "
            "concurred with all our recommendations.",
            (4, 4),
        ),
        ("We made 12 recommendations. ICE concurred with all 12 recommendations.", (12, 12)),
        ("We made one recommendation. The Department concurred with the recommendation.", (1, 1)),
        (
            "We made two recommendations and FEMA non-concurred with both of our recommendations.",
            (2, 0),
        ),
        # none made: none to concur with
        ("We made no recommendations in this report.", (0, 0)),
        ("This report contains no recommendations.", (0, 0)),
        ("FEMA concurred with four recommendations and did not concur with one.", (5, 4)),
        # counts stated without a concurrence statement: concurrence unknown
        ("We made three recommendations.", (3, None)),
        # "the recommendation" is all of them only when one was made
        ("We made three recommendations. CBP concurred with the recommendation.", (3, None)),
        # nothing stated: both unknown, never guessed
        (
            "OFO has not implemented four of the five recommendations in our previous report.",
            (None, None),
        ),
        ("", (None, None)),
        # another report's recommendations: not this report's count
        ("In our prior audit report, we made nine recommendations.", (None, None)),
        (
            "We made 876 recommendations during this reporting period, the OIG issued 182 reports.",
            (876, None),
        ),
        ("As of that date, there were 166 open OIG recommendations.", (None, None)),
        # what the agency said of another report's recommendations is not this one's
        (
            "In our prior audit, CBP concurred with all five recommendations. We made two "
            "recommendations.",
            (2, None),
        ),
        (
            "We made two recommendations. CBP concurred with all recommendations in our 2019 "
            "report.",
            (2, None),
        ),
        # a count in parts is not summed
        ("We made one recommendation to I&A and two recommendations to CISA.", (None, None)),
        (
            "We made three recommendations and FEMA concurred with all three recommendations.",
            (3, 3),
        ),
        # "all recommendations" without a count says nothing about how many were made
        ("CBP concurred with all recommendations.", (None, None)),
        # text that contradicts itself gives unknown, not a pick
        (
            "We made five recommendations. CBP concurred with all four recommendations.",
            (None, None),
        ),
        ("We made five recommendations. We made six recommendations.", (None, None)),
        # split lines and non-breaking spaces as in extracted text
        (
            "We made\n  eight\u00a0recommendations.  CBP concurred with six,\nbut non-concurred "
            "with two",
            (8, 6),
        ),
    ],
)
def test_recommendation_counts(summary: str, expected: tuple[int | None, int | None]) -> None:
    assert counts(summary) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("We recommended that FEMA disallow $2.04 billion in questioned costs.", 2_040_000_000),
        ("We identified questioned costs of $329,753 in the grant.", 329_753),
        ("We questioned $1,234,567 claimed by the city.", 1_234_567),
        ("The audit found $12,000.00 in questioned costs.", 12_000),
        # cents, a bound, a period's sum, two amounts: unknown
        ("The audit found $12,000.50 in questioned costs.", None),
        ("We found more than $184,000 in questioned costs.", None),
        ("In FY 2017, we identified $2.08 billion in questioned costs.", None),
        ("We questioned $5,000. We also identified questioned costs of $7,000.", None),
        ("EPA oversight did not protect $507,168 in taxpayer dollars.", None),
    ],
)
def test_questioned_costs(text: str, expected: int | None) -> None:
    assert values(text).get("questioned_costs") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("This resulted in $413,513,975 in funds to be put to better use.", 413_513_975),
        ("The City could have put $197,337 of funds to better use.", None),
        ("We identified funds put to better use of $1,500,000.", 1_500_000),
        ("There was an estimated $248,572 that could be put to better use.", None),
    ],
)
def test_funds_put_to_better_use(text: str, expected: int | None) -> None:
    assert values(text).get("funds_put_to_better_use") == expected


def test_each_value_carries_its_field_and_sentence() -> None:
    found = derive(
        "We reviewed the program. We made two recommendations to improve it.",
        "Highlights. FEMA concurred with both. We questioned $3,000 in costs claimed.",
    )
    assert found["recommendations"].as_dict() == {
        "from": "summary",
        "sentence": "We made two recommendations to improve it.",
    }
    assert found["questioned_costs"].as_dict() == {
        "from": "text",
        "sentence": "We questioned $3,000 in costs claimed.",
    }
    assert derived_valid({name: f.as_dict() for name, f in found.items()})


def test_the_text_is_read_only_for_what_the_summary_does_not_say() -> None:
    text = "We made nine recommendations. The agency concurred with all nine recommendations."
    # counts from one source only: the summary's count stands, with no concurrence
    assert values("We made two recommendations.", text) == {"recommendations": 2}
    assert values("We reviewed it.", text) == {
        "recommendations": 9,
        "recommendations_concurred": 9,
    }
    # a summary in doubt is not overruled by the text
    doubt = "We made two recommendations. We made three recommendations."
    assert values(doubt, text) == {}


def test_only_the_first_pages_of_a_text_are_read() -> None:
    later = "x. " * (rules.SPAN // 3) + "We made four recommendations."
    assert values(None, later) == {}
    assert values(None, "We made four recommendations. " + later) == {"recommendations": 4}


def test_a_long_sentence_is_quoted_cut() -> None:
    sentence = "We made two recommendations " + "to improve " * 55 + "it."
    quoted = derive(sentence, None)["recommendations"].sentence
    assert len(quoted) == rules.SENTENCE_CHARACTERS and quoted.endswith("…")


def test_sentences_do_not_end_at_abbreviations() -> None:
    assert list(sentences("We audited U.S. Customs at No. 5 Main St. today. Then Mr. X left.")) == [
        "We audited U.S. Customs at No. 5 Main St. today.",
        "Then Mr. X left.",
    ]


def test_work_grows_with_the_key_words_not_with_the_text(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the sentences around a key word are split out: a text without one is searched
    with str.find and nothing more."""
    calls: list[int] = []
    real = rules._bounds

    def counted(text: str) -> Any:
        calls.append(len(text))
        return real(text)

    monkeypatch.setattr(rules, "_bounds", counted)
    plain = "The program ran. " * 1000
    derive(None, plain)
    assert calls == []
    derive(None, plain + "We made two recommendations. " + plain)
    assert len(calls) == 1 and calls[0] <= rules.BEFORE + rules.AFTER


@pytest.mark.parametrize("passage", PASSAGES, ids=[p["id"] for p in PASSAGES])
def test_the_labelled_corpus_of_real_reports(passage: dict[str, Any]) -> None:
    """A value read is the value a person read there (precision 100% on the corpus,
    docs/derived.md); a value not stated is never read."""
    text = passage["text"]
    found = values(text) if passage["field"] == "summary" else values(None, text)
    wrong = {k: v for k, v in found.items() if passage["labels"].get(k) != v}
    assert wrong == {}


def test_coverage_on_the_corpus_is_as_documented() -> None:
    """docs/derived.md's coverage: a rule made narrower must say so there."""
    stated = read = 0
    for passage in PASSAGES:
        text = passage["text"]
        found = values(text) if passage["field"] == "summary" else values(None, text)
        for name in DERIVED:
            if passage["labels"].get(name) is not None:
                stated += 1
                read += found.get(name) == passage["labels"][name]
    assert (read, stated) == (22, 24)


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("CBP Needs to Improve ... (REDACTED)", True),
        ("... at the JFK International Mail Facility (Redacted)", True),
        ("Law Enforcement Sensitive - redacted", True),
        ("CBP Senior Leaders' Handling of Social Media Misconduct", False),
        ("Unredacted Records Policy", False),
    ],
)
def test_is_redacted(title: str, expected: bool) -> None:
    assert is_redacted(title) is expected


def test_the_documented_figures_are_the_scripts(capsys: pytest.CaptureFixture[str]) -> None:
    """docs/derived.md keeps scripts/derived_precision.py's output, as it prints it now."""
    import derived_precision

    assert derived_precision.main() == 0
    printed = capsys.readouterr().out.strip()
    documented = (Path(__file__).parent.parent / "docs" / "derived.md").read_text(encoding="utf-8")
    assert printed in documented
