"""The chunked array reader gives what json.loads gives: the same values, or the same
error at the same line and column, whatever the chunk size."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oigcli.load.stream import SyntaxProblem, Undecodable, array_elements, describe, utf8_chunks

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**30), 10**30)
    | st.floats(allow_nan=False)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=10,
)


def _read(
    text: str, size: int
) -> tuple[list[Any] | None, tuple[str, int | None, int | None] | None]:
    """(values, None) or (None, (message, line, column)) from the chunked reader."""
    read = utf8_chunks(io.BytesIO(text.encode("utf-8")), size)
    first = read()
    try:
        return list(array_elements(first, read, json.JSONDecoder())), None
    except SyntaxProblem as exc:
        return None, (exc.message, exc.line, exc.column)


def _expected(text: str) -> tuple[list[Any] | None, tuple[str, int | None, int | None] | None]:
    try:
        return json.loads(text), None
    except json.JSONDecodeError as exc:  # in oigcli's words: "cut short?" at the very end
        return None, (describe(exc.msg, not text[exc.pos :].strip()), exc.lineno, exc.colno)


@given(st.lists(json_values, max_size=6), st.integers(1, 40), st.sampled_from([None, 1, 2]))
def test_values_are_those_of_json_loads(values: list[Any], size: int, indent: int | None) -> None:
    text = json.dumps(values, indent=indent)
    assert _read(text, size) == (values, None)


@given(st.lists(json_values, max_size=4), st.integers(1, 30), st.data())
def test_broken_arrays_fail_as_json_loads_fails(
    values: list[Any], size: int, data: st.DataObject
) -> None:
    text = json.dumps(values, indent=data.draw(st.sampled_from([None, 2])))
    cut = data.draw(st.integers(1, len(text))) if data is not None else len(text) - 1
    broken = (
        data.draw(
            st.sampled_from(
                [
                    text[:cut],
                    text[:cut] + "," + text[cut:],
                    text[:cut] + " x" + text[cut:],
                    text + " ]",
                ]
            )
        )
        if data is not None
        else text[:-1]
    )
    expected = _expected(broken)
    if expected[1] is None:
        return  # still valid JSON (e.g. a cut inside whitespace after the array)
    got = _read(broken, size)
    assert got == expected


@pytest.mark.parametrize(
    "text",
    [
        "[1,]",
        "[1 2]",
        "[",
        "[] x",
        "[{",
        '[\n  {"a": 1,,}\n]',
        '[\n"abc',
        "[1,\n\n  2 3]",
        "[123",
        '["\\u12"]',
        "[tru]",
        "[1.5e]",
    ],
)
@pytest.mark.parametrize("size", [1, 2, 3, 1 << 20])
def test_known_errors(text: str, size: int) -> None:
    assert _read(text, size) == _expected(text)


@pytest.mark.parametrize(
    "text", ["[12345678, 9]", "[1.5, 2]", "[1.25e10]", "[-0.5E-3, 7]", "[1.5]"]
)
@pytest.mark.parametrize("size", [1, 2, 3, 4])
def test_a_number_cut_by_a_chunk_is_read_whole(text: str, size: int) -> None:
    assert _read(text, size) == (json.loads(text), None)


def test_bytes_that_are_not_utf8_name_their_offset() -> None:
    read = utf8_chunks(io.BytesIO(b'["ok", "caf\xe9"]'), 4)
    with pytest.raises(Undecodable) as error:
        while read():
            pass
    assert error.value.offset == 11
