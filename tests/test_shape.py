"""Shaping output: --sort, --offset/--limit and --fields in the core."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oigcli.model.errors import UsageError
from oigcli.model.schema import FIELD_NAMES, FIELDS
from oigcli.query.rows import page, parse_fields, parse_sort, project, sort_rows
from strategies import datasets

SORTABLE = [f.name for f in FIELDS if f.scalar and f.shown]


def test_parse_sort() -> None:
    assert parse_sort(["-recommendations,fiscal_year", "report_number"], SORTABLE) == [
        ("recommendations", True),
        ("fiscal_year", False),
        ("report_number", False),
    ]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("nope", "cannot sort by 'nope'"),
        ("tags", "cannot sort by 'tags'"),
        ("titel", "Did you mean title?"),
        ("", "an empty name"),
        ("-", "an empty name"),
    ],
)
def test_parse_sort_rejects(spec: str, message: str) -> None:
    with pytest.raises(UsageError) as error:
        parse_sort([spec], SORTABLE)
    assert message in str(error.value) and "Valid fields: id, report_number" in str(error.value)


def test_nulls_sort_last_both_ways() -> None:
    rows = [{"n": 2}, {"n": None}, {"n": 9}, {"n": 1}]
    assert [r["n"] for r in sort_rows(rows, [("n", False)])] == [1, 2, 9, None]
    assert [r["n"] for r in sort_rows(rows, [("n", True)])] == [9, 2, 1, None]


def test_first_key_decides_first_and_text_sorts_naturally() -> None:
    rows = [
        {"a": 1, "b": "x-10"},
        {"a": 2, "b": "x-9"},
        {"a": 1, "b": "x-9"},
        {"a": None, "b": "x-1"},
    ]
    ordered = sort_rows(rows, [("a", True), ("b", False)])
    assert [(r["a"], r["b"]) for r in ordered] == [
        (2, "x-9"),
        (1, "x-9"),
        (1, "x-10"),
        (None, "x-1"),
    ]


def test_parse_fields_keeps_order_and_drops_repeats() -> None:
    assert parse_fields("title, report_number,title", FIELD_NAMES) == ["title", "report_number"]
    with pytest.raises(UsageError):
        parse_fields("title,,report_number", FIELD_NAMES)


def test_project_and_page() -> None:
    rows = [{"a": i, "b": -i} for i in range(5)]
    assert project(rows[:1], ["b", "a"]) == [{"b": 0, "a": 0}]
    assert list(project(rows[:1], ["b", "a"])[0]) == ["b", "a"]
    assert page(rows, 1, 2) == rows[1:3]
    assert page(rows, 4) == rows[4:]
    assert page(rows, 9, 1) == []
    assert page(rows, 0, 0) == []


keys = st.lists(st.tuples(st.sampled_from(SORTABLE), st.booleans()), min_size=1, max_size=3)


@given(datasets(), keys)
def test_sort_is_a_sorted_permutation(
    reports: list[dict[str, Any]], sort_keys: list[tuple[str, bool]]
) -> None:
    ordered = sort_rows(reports, sort_keys)
    assert sorted(map(id, ordered)) == sorted(map(id, reports))
    name, descending = sort_keys[0]
    values = [r[name] for r in ordered]
    known = [v for v in values if v is not None]
    assert values == known + [None] * (len(values) - len(known))  # nulls last
    plain = [v.casefold() if isinstance(v, str) else v for v in known]
    if all(isinstance(v, int) for v in known):
        assert plain == sorted(plain, reverse=descending)


@given(datasets(), st.integers(0, 30), st.none() | st.integers(0, 30))
def test_offset_and_limit_slice(
    reports: list[dict[str, Any]], offset: int, limit: int | None
) -> None:
    got = page(reports, offset, limit)
    assert got == reports[offset:][:limit] if limit is not None else got == reports[offset:]
