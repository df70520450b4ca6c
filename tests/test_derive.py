"""Rules that read recommendation counts and the redaction flag from a report's text."""

from __future__ import annotations

import pytest

from derive import is_redacted, recommendation_counts


@pytest.mark.parametrize(
    ("summary", "expected"),
    [
        ("We made five recommendations. CBP concurred with all five recommendations.", (5, 5)),
        ("CBP concurred with all three of our recommendations, which when implemented", (3, 3)),
        ("We made two recommendations to help. CBP concurred with all recommendations.", (2, 2)),
        (
            "We made eight recommendations. CBP concurred with six, but non-concurred with two of the recommendations.",
            (8, 6),
        ),
        (
            "In total, we made four recommendations that... CBP concurred with all our recommendations.",
            (4, 4),
        ),
        ("We made 12 recommendations. ICE concurred with all 12 recommendations.", (12, 12)),
        # counts stated without a concurrence statement: concurrence unknown
        ("We made three recommendations.", (3, None)),
        # nothing stated: both unknown, never guessed
        (
            "OFO has not implemented four of the five recommendations in our previous report.",
            (None, None),
        ),
        ("", (None, None)),
        # "all recommendations" without a count says nothing about how many were made
        ("CBP concurred with all recommendations.", (None, None)),
        # text that contradicts itself gives unknown, not a pick
        ("We made five recommendations. CBP concurred with all four recommendations.", (5, None)),
        (
            "We made five recommendations. CBP concurred with six, but non-concurred with two.",
            (5, None),
        ),
        # split lines and non-breaking spaces as on the source page
        (
            "We made\n  eight\u00a0recommendations.  CBP concurred with six,\nbut non-concurred with two",
            (8, 6),
        ),
    ],
)
def test_recommendation_counts(summary: str, expected: tuple[int | None, int | None]) -> None:
    assert recommendation_counts(summary) == expected


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
