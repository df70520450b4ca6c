"""Programs' formats: chosen once, written as rows come, JSON encoded in C (orjson) in
exactly the json module's indented layout."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from oigcli.output import writers as output
from oigcli.output.context import Environment


def _values(scalars: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
        max_leaves=12,
    )


exact_values = _values(
    st.none()
    | st.booleans()
    | st.integers(-(10**30), 10**30)  # beyond 64 bits: orjson refuses, json writes
    | st.text()  # lone surrogates included: orjson refuses them too
)
json_values = _values(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
)


@given(exact_values)
def test_indented_json_is_the_json_modules_layout(value: Any) -> None:
    assert output.json_text(value) == json.dumps(value, indent=2, ensure_ascii=False) + "\n"


@given(json_values)
def test_every_value_reads_back_the_same(value: Any) -> None:
    """Floats may be spelt otherwise (orjson: 5e-7, json: 5e-07), never valued otherwise."""
    assert json.loads(output.json_text(value)) == value
    assert json.loads(output.json_line(value)) == value


@given(exact_values)
def test_json_lines_are_compact_and_read_back(value: Any) -> None:
    line = output.json_line(value)
    assert line.endswith("\n") and "\n" not in line[:-1]
    assert line == json.dumps(value, ensure_ascii=False, separators=(",", ":")) + "\n"


ROWS = [
    {"report_number": f"A-{n}", "title": f"T{n}", "tags": ["x", "y"], "ok": n % 2 == 0, "n": None}
    for n in range(2_345)
]
FIELDS = ["report_number", "title", "tags", "ok", "n"]


def _text(fmt: str, rows: list[dict[str, Any]], **kw: Any) -> str:
    return "".join(output.Writer(fmt, **kw).chunks(rows, FIELDS))


def test_a_json_array_in_batches_is_one_json_dumps() -> None:
    assert len(ROWS) > 2 * output.BATCH
    assert _text("json", ROWS) == json.dumps(ROWS, indent=2, ensure_ascii=False) + "\n"
    assert _text("json", []) == "[]\n"
    assert _text("json", ROWS[:1]) == json.dumps(ROWS[:1], indent=2) + "\n"


def test_a_batch_that_orjson_refuses_is_written_alike() -> None:
    odd = [*ROWS[:3], {**ROWS[3], "title": "\ud800", "n": 10**30}, *ROWS[4:1500]]
    assert _text("json", odd) == json.dumps(odd, indent=2, ensure_ascii=False) + "\n"


def test_fields_choose_and_order_the_keys() -> None:
    text = "".join(output.Writer("jsonl").chunks(ROWS[:2], ["title", "report_number"]))
    assert text == '{"title":"T0","report_number":"A-0"}\n{"title":"T1","report_number":"A-1"}\n'


def test_csv_and_tsv_in_batches() -> None:
    rows = list(csv.reader(io.StringIO(_text("csv", ROWS), newline="")))
    assert rows[0] == FIELDS and len(rows) == len(ROWS) + 1
    assert rows[1] == ["A-0", "T0", "x; y", "true", ""]
    tsv = _text("tsv", ROWS).splitlines()
    assert tsv[0] == "\t".join(FIELDS) and tsv[2] == "A-1\tT1\tx; y\tfalse\t"
    assert _text("csv", ROWS, bom=True) == output.BOM + _text("csv", ROWS)


def test_headers_can_differ_from_the_keys() -> None:
    groups = [{"key": 2021, "reports": 5}]
    text = "".join(output.Writer("csv").chunks(groups, ["key", "reports"], headers=["fy", "n"]))
    assert text == "fy,n\r\n2021,5\r\n"


class _Recorder(io.StringIO):
    def __init__(self) -> None:
        super().__init__()
        self.writes: list[str] = []

    def write(self, text: str) -> int:
        self.writes.append(text)
        return super().write(text)


def test_a_pipe_gets_each_batch_as_it_is_made() -> None:
    out = _Recorder()
    env = Environment(stdout=out, stdout_isatty=False)
    env.stream(output.Writer("jsonl").chunks(ROWS, FIELDS))
    assert len(out.writes) == 3  # 2,345 rows: three batches, never one whole text
    assert out.getvalue().count("\n") == len(ROWS)


def test_a_terminal_gets_the_whole_text_for_its_pager() -> None:
    out = _Recorder()
    env = Environment(stdout=out, stdout_isatty=True, height=10_000, environ={"PAGER": ""})
    env.stream(output.Writer("jsonl").chunks(ROWS, FIELDS))
    assert len(out.writes) == 1
