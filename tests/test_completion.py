"""Shell completion: commands, options and live values from the active dataset."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from conftest import BUNDLED_JSON, NUMBERS, SCAN_ONLY, oigcli_executable
from oigcli.cli import complete
from oigcli.sources.index import identity as index_identity
from scraper import write_archive

pytestmark = pytest.mark.usefixtures("backend")
"""Every test here runs over both sources: reading the data, and its index."""


def _ctx(**params: Any) -> Any:
    return SimpleNamespace(params=params)


def test_report_numbers() -> None:
    assert complete.report_numbers(_ctx(), "OIG-21-") == sorted(NUMBERS)
    assert complete.report_numbers(_ctx(), "OIG-21-6") == ["OIG-21-63"]
    assert complete.report_numbers(_ctx(), "oig-21-1") == ["oig-21-19"]  # spelt as typed
    assert complete.report_numbers(_ctx(), "21-2") == ["21-27"]  # the short form show takes
    assert complete.report_numbers(_ctx(), "nothing") == []


def test_values_come_from_the_active_dataset(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = str(write_archive(tmp_path))
    assert complete.report_numbers(_ctx(data=archive), "OIG-2") == [
        "OIG-20-10",
        "OIG-21-01",
        "OIG-21-40",
    ]
    assert complete.values_of("components")(_ctx(data=archive), "") == ["CBP", "FEMA", "ICE"]
    monkeypatch.setenv("OIGCLI_DATA", archive)
    assert complete.values_of("components")(_ctx(), "f") == ["fema"]
    assert complete.values_of("components")(_ctx(data="-"), "") == []  # stdin is the shell's
    assert complete.report_numbers(_ctx(data=str(tmp_path / "missing")), "") == []


def test_components_and_tags() -> None:
    assert complete.values_of("components")(_ctx(), "") == ["CBP"]
    assert complete.values_of("components")(_ctx(), "c") == ["cbp"]
    assert complete.values_of("tags")(_ctx(), "O") == ["OFO"]


def test_inspectors_and_ids_of_an_archive(tmp_path: Path) -> None:
    from scraper import write_full_archive

    archive = str(write_full_archive(tmp_path / "data"))
    assert complete.values_of("inspector")(_ctx(data=archive), "p") == ["peacecorps"]
    assert complete.values_of("inspector")(_ctx(), "") == ["dhs"]
    assert complete.values_of("components")(_ctx(data=archive), "U") == ["USCG", "USSS"]
    # show completes ids once a / is typed, and numbers that several reports share
    assert complete.report_numbers(_ctx(data=archive), "gpo/1") == ["gpo/11-04", "gpo/14-01"]
    assert complete.report_numbers(_ctx(data=archive), "14") == ["14-01"]


def test_field_names() -> None:
    assert complete.fields("ti") == ["title"]
    assert complete.fields("report_number,re") == [
        "report_number,recommendations",
        "report_number,recommendations_concurred",
        "report_number,redacted",
        "report_number,report_number",
    ]
    assert complete.fields("sn") == ["snippet"]
    assert complete.fields("Ti") == []  # field names are exact
    assert complete.sort_keys("-fis") == ["-fiscal_year"]
    assert complete.sort_keys("title,-sc") == ["title,-score"]
    assert "tags" not in complete.sort_keys("")
    assert complete.groupings("ye") == ["year"]
    assert complete.conditions("iss") == ["issue_date"]
    assert complete.conditions("issue_date") == [
        f"issue_date{op}" for op in ("!=", "<=", ">=", "=", "<", ">", "~")
    ]
    assert complete.table_styles("ps") == ["psql"]


def _complete(words: str, cword: int, **env: str) -> list[str]:
    """Ask the installed program for completions as bash's completion function does."""
    done = subprocess.run(
        [oigcli_executable()],
        env={
            **os.environ,
            "_OIGCLI_COMPLETE": "complete_bash",
            "COMP_WORDS": words,
            "COMP_CWORD": str(cword),
            **env,
        },
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 0 and done.stderr == ""
    return done.stdout.split()


@pytest.mark.parametrize(
    ("words", "cword", "expected"),
    [
        ("oigcli show OIG-21-", 2, sorted(NUMBERS)),
        ("oigcli show 21-4", 2, ["21-48"]),
        ("oigcli s", 1, ["show", "search", "stats", "schema"]),
        ("oigcli list --fo", 2, ["--format"]),
        ("oigcli filter --component ", 3, ["CBP"]),
        ("oigcli stats --tag ", 3, ["OFO"]),
        ("oigcli list --fields report_number,tit", 3, ["report_number,title"]),
        ("oigcli search x --sort sc", 4, ["score"]),
        ("oigcli stats --by m", 3, ["missing", "month"]),
        ("oigcli filter --where recommendations_c", 3, ["recommendations_concurred"]),
        ("oigcli list --format j", 3, ["json", "jsonl"]),
        ("oigcli list --table-format fancy_", 3, ["fancy_grid", "fancy_outline"]),
    ],
)
def test_completion_protocol_of_the_installed_program(
    words: str, cword: int, expected: list[str]
) -> None:
    assert _complete(words, cword) == expected


def test_completion_honours_data_given_earlier(tmp_path: Path) -> None:
    archive = str(write_archive(tmp_path))
    assert _complete(f"oigcli show --data {archive} OIG-21", 4) == ["OIG-21-01", "OIG-21-40"]
    assert _complete("oigcli filter --component ", 3, OIGCLI_DATA=archive) == ["CBP", "FEMA", "ICE"]


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_bash_completes_report_numbers_through_the_installed_script() -> None:
    script = """
        source <(oigcli --show-completion bash)
        COMP_WORDS=(oigcli show OIG-21-2); COMP_CWORD=2
        _oigcli_completion oigcli
        printf '%s\\n' "${COMPREPLY[@]}"
    """
    path = f"{Path(oigcli_executable()).parent}{os.pathsep}{os.environ['PATH']}"
    done = subprocess.run(
        ["bash", "-c", script],
        capture_output=True,
        text=True,
        env={**os.environ, "PATH": path},
        timeout=30,
        check=False,
    )
    assert done.stdout.split() == ["OIG-21-27"], done.stderr


@pytest.mark.parametrize(
    ("shell", "extra", "expected"),
    [
        ("zsh", {}, '"OIG-21-48"'),
        ("fish", {"_TYPER_COMPLETE_FISH_ACTION": "get-args"}, "OIG-21-48"),
    ],
)
def test_zsh_and_fish_protocols(shell: str, extra: dict[str, str], expected: str) -> None:
    done = subprocess.run(
        [oigcli_executable()],
        env={
            **os.environ,
            "_OIGCLI_COMPLETE": f"complete_{shell}",
            "_TYPER_COMPLETE_ARGS": "oigcli show OIG-21-4",
            **extra,
        },
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert expected in done.stdout and "OIG-21-63" not in done.stdout


def test_completion_never_breaks_on_a_bad_dataset(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    assert _complete(f"oigcli show --data {bad} OIG", 4) == []


@SCAN_ONLY
def test_completion_reads_the_index_of_a_large_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, private_cache: list[str]
) -> None:
    """Each Tab press runs oigcli: on a large file, the index answers it."""
    import sqlite3

    from oigcli.sources import cache as index_cache
    from oigcli.sources.index import builder as index_builder

    monkeypatch.setattr(index_identity, "MIN_BYTES", 0)
    reports = json.loads(BUNDLED_JSON.read_text(encoding="utf-8"))
    path = str(tmp_path / "reports.json")
    Path(path).write_text(json.dumps(reports), encoding="utf-8")
    assert complete.values_of("components")(_ctx(data=path), "") == ["CBP"]
    assert private_cache == [path]  # no index yet: the file was read, a builder started
    where = index_builder.build(path, index_cache.location(os.environ), settle=False)
    assert where is not None
    with sqlite3.connect(where) as connection:  # an answer with this came from the index
        connection.execute(  # (components are kept whole in meta)
            """UPDATE meta SET value = '{"components": ["FROM-THE-INDEX"], "inspector": [], "tags": []}'
            WHERE key = 'values'"""
        )
    assert complete.values_of("components")(_ctx(data=path), "") == ["FROM-THE-INDEX"]
    assert complete.values_of("components")(_ctx(data=path, no_cache=True), "") == ["CBP"]
