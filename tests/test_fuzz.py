"""Fuzzing the interface: argument vectors built from the CLI's own commands and options.

Whatever the arguments, oigcli ends with a documented status (0, 1, 2 or 3), never a
traceback, and when it succeeds its output parses in the format that was asked for.

CI runs a bounded, derandomised number of examples. A longer search:

    HYPOTHESIS_PROFILE=fuzz pytest tests/test_fuzz.py
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
import typer.main
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from conftest import BUNDLED_JSON
from oigcli.cli.main import app
from scraper import write_archive
from strategies import datasets

pytestmark = pytest.mark.usefixtures("backend")
"""Every test here runs over both sources: reading the data, and its index."""

GROUP = typer.main.get_command(app)
NEVER = {"--install-completion", "--show-completion"}  # these write to the user's shell files
UNSAFE = "\x1b\x07\x00\u202e"

# Values worth trying for each option beyond random text: valid ones and near misses.
PLAUSIBLE: dict[str, list[str]] = {
    "--fy": ["2021", "2019..2021", "2021..", "..2020", "2022..2019", "..", "20x1", "99999"],
    "--since": ["2021", "2020-10", "June 2021", "15 Jun 2021", "2021-13", "someday", ""],
    "--until": ["2021-09-30", "2021", "Feb 30 2021", "tomorrow"],
    "--where": [
        "recommendations>=5",
        "title~(?i)cbp",
        "tags=ofo",
        "issue_date=null",
        "title~(",
        "nope=1",
        "recommendations>x",
        "=",
        "tags<1",
    ],
    "--sort": ["-recommendations", "title,-fiscal_year", "score", "tags", "", ",", "-"],
    "--fields": ["report_number,title", "score,snippet", "titel", "", ",,", "summary"],
    "--by": ["component", "tag", "month", "year", "title", "nope", ""],
    "--component": ["CBP", "cbp", "ICE", ""],
    "--tag": ["OFO", "ofo", "x"],
    "--text": ["medical", "REDACTED canine", "", "\x1b"],
    "--limit": ["0", "1", "3", "-1", "99999999999999999999", "x"],
    "-n": ["2", "-5"],
    "--offset": ["0", "4", "100000000000000000000000", "-3"],
    "--table-format": ["grid", "html", "latex", "psql", "nope", ""],
    "--format": ["table", "json", "jsonl", "csv", "tsv", "markdown", "JSON", "xml", ""],
    "-f": ["json", "csv", "markdown"],
    "--color": ["auto", "always", "never", "sometimes"],
}
ODD_TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)


def _options(command: Any) -> list[tuple[str, bool]]:
    """(flag, takes a value) for every option of a command."""
    found = []
    for param in command.params:
        if param.param_type_name != "option":
            continue
        for flag in [*param.opts, *param.secondary_opts]:
            if flag not in NEVER:
                found.append((flag, not param.is_flag))
    return found


@pytest.fixture(scope="module")
def data_pool(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """Datasets for --data and validate: valid, invalid, odd, missing."""
    root = tmp_path_factory.mktemp("fuzz")
    bundled = json.loads(BUNDLED_JSON.read_text(encoding="utf-8"))
    files = {
        "good.json": json.dumps(bundled),
        "good.jsonl": "".join(json.dumps(r) + "\n" for r in bundled),
        "hostile.json": json.dumps(
            [{**bundled[0], "title": "\x1b[31mred\x1b]0;x\x07 =1+1", "tags": ["\u202e"]}]
        ),
        "bad.json": '[{"title": 3}]',
        "broken.json": "[{",
        "empty.json": "",
    }
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    write_archive(root / "archive")
    return [
        *(str(root / name) for name in files),
        str(root / "archive"),
        str(root / "missing.json"),
        "-",
    ]


@st.composite
def argv(draw: st.DrawFn, data_pool: list[str]) -> list[str]:
    name = draw(st.sampled_from(sorted(GROUP.commands)))  # type: ignore[attr-defined]
    command = GROUP.commands[name]  # type: ignore[attr-defined]
    args = [name]
    if name == "show":
        args += draw(
            st.lists(
                st.sampled_from(["21-27", "OIG-21-63", "oig-21-19", "21-99", "OIG-21-01", ""])
                | ODD_TEXT,
                min_size=0,
                max_size=3,
            )
        )
    elif name == "search":
        args += [
            draw(
                st.sampled_from(["cbp", '"mail facility"', "recommend*", '"open', "...", ""])
                | ODD_TEXT
            )
        ]
    elif name == "validate" and draw(st.booleans()):
        args += [draw(st.sampled_from(data_pool))]
    options = _options(command)
    for _ in range(draw(st.integers(0, 5)) if options else 0):
        flag, takes_value = draw(st.sampled_from(options))
        args.append(flag)
        if takes_value:
            if flag == "--data":
                args.append(draw(st.sampled_from(data_pool)))
            else:
                pool = PLAUSIBLE.get(flag, [])
                args.append(draw(st.sampled_from(pool) | ODD_TEXT if pool else ODD_TEXT))
    if draw(st.integers(0, 9)) == 0:
        args.insert(
            draw(st.integers(0, len(args))),
            draw(st.sampled_from(["--bogus", "-z", "--", "extra", "--help", "-h"])),
        )
    return args


def _format(args: list[str]) -> str:
    chosen = "table"
    for i, arg in enumerate(args):
        if arg in ("--format", "-f") and i + 1 < len(args):
            chosen = args[i + 1].lower()
        elif arg == "--json":
            chosen = "json"
    return chosen


def _check_parses(args: list[str], output: str) -> None:
    if not output or "-h" in args or "--help" in args:
        return
    fmt = "json" if args[0] == "schema" else _format(args)
    if fmt == "json":
        json.loads(output)
    elif fmt == "jsonl":
        for line in output.splitlines():
            json.loads(line)
    elif fmt in ("csv", "tsv"):
        rows = list(csv.reader(io.StringIO(output), delimiter="," if fmt == "csv" else "\t"))
        assert len({len(row) for row in rows}) == 1, rows
    else:  # people's formats carry no raw control character but oigcli's own bold
        plain = output.replace("\x1b[1m", "").replace("\x1b[22m", "")
        assert not any(c in plain for c in UNSAFE)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_any_arguments_end_in_a_documented_status(
    data: st.DataObject, data_pool: list[str]
) -> None:
    args = data.draw(argv(data_pool))
    generated = datasets(max_size=8).map(json.dumps)  # fed to --data - on stdin
    stdin = data.draw(
        st.sampled_from(["", BUNDLED_JSON.read_text(encoding="utf-8"), "{", "\x00\x01"]) | generated
    )
    result = CliRunner().invoke(app, args, input=stdin)
    # 4: a file that export or report writes cannot be written (--sqlite a/b.db, where
    # there is no folder a): documented, and the only output that is not stdout
    writes_files = args[0] in ("export", "report")
    allowed = (0, 1, 2, 3, 4) if writes_files else (0, 1, 2, 3)
    assert result.exit_code in allowed, (args, result.output, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        args,
        repr(result.exception),
    )
    assert "Traceback" not in result.output, args
    if result.exit_code == 0:
        _check_parses(args, result.stdout)
    else:
        assert result.stderr.strip(), args  # a failure always says why


def test_the_fuzzer_reaches_every_command_and_option() -> None:
    """The generator is built from the app itself: a new option is fuzzed without edits."""
    names = set(GROUP.commands)  # type: ignore[attr-defined]
    assert {"list", "show", "filter", "search", "stats", "validate", "schema"} <= names
    flags = {flag for command in GROUP.commands.values() for flag, _ in _options(command)}  # type: ignore[attr-defined]
    assert {"--where", "--since", "--fields", "--table-format", "--raw-cells", "--data"} <= flags
    assert not flags & NEVER


def test_plausible_values_name_real_options() -> None:
    flags = {flag for command in GROUP.commands.values() for flag, _ in _options(command)}  # type: ignore[attr-defined]
    assert set(PLAUSIBLE) <= flags


def test_huge_and_odd_numbers(tmp_path: Path) -> None:
    for args in (
        ["list", "--limit", "9" * 400],
        ["list", "--offset", "9" * 30],
        ["filter", "--fy", "9" * 40],
        ["list", "-n", "1e3"],
    ):
        result = CliRunner().invoke(app, args)
        assert result.exit_code in (0, 2) and "Traceback" not in result.output, args
