"""The installed program in real processes: real pipes, real exit statuses, real jq."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import (
    BUNDLED_JSON,
    DOCUMENTATION,
    DOCUMENTS,
    NUMBERS,
    ROOT,
    oigcli_executable,
    run_oigcli,
)
from scraper import write_archive, write_full_archive, zip_archive


def test_list_json() -> None:
    done = run_oigcli(["list", "--json"])
    assert done.returncode == 0 and done.stderr == ""
    assert [r["report_number"] for r in json.loads(done.stdout)] == NUMBERS


def test_list_table() -> None:
    done = run_oigcli(["list"])
    assert done.returncode == 0 and done.stderr == ""
    assert [line.split()[0] for line in done.stdout.splitlines()[2:]] == NUMBERS


def test_show() -> None:
    done = run_oigcli(["show", "21-27", "--json"])
    assert done.returncode == 0 and json.loads(done.stdout)["recommendations"] == 8
    done = run_oigcli(["show", "21-27"])
    assert done.returncode == 0 and "recommendations_concurred  6" in done.stdout


def test_show_missing() -> None:
    done = run_oigcli(["show", "21-99"])
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.startswith("Error: no report numbered '21-99'; did you mean OIG-21-19")


def test_filter() -> None:
    done = run_oigcli(["filter", "--text", "medical", "--json"])
    assert done.returncode == 0
    assert [r["report_number"] for r in json.loads(done.stdout)] == ["OIG-21-48"]
    done = run_oigcli(["filter", "--component", "ICE"])
    assert done.returncode == 0 and done.stdout == ""
    assert done.stderr == (
        "Note: no report in this dataset has the component 'ICE'.\nNo reports match.\n"
    )


def test_stats() -> None:
    done = run_oigcli(["stats", "--json"])
    assert done.returncode == 0
    total = json.loads(done.stdout)["total"]
    assert (total["recommendations"], total["concurred"]) == (22, 20)
    done = run_oigcli(["stats"])
    assert done.returncode == 0 and done.stdout.splitlines()[-1].split() == [
        "total",
        "5",
        "22",
        "20",
        "2",
        "90.9%",
    ]


def test_usage_error() -> None:
    done = run_oigcli(["filter", "--fy", "someday"])
    assert done.returncode == 2 and done.stdout == "" and "'someday'" in done.stderr


def test_bad_dataset(tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text("[{]", encoding="utf-8")
    done = run_oigcli(["stats", "--data", str(tmp_path / "bad.json")])
    assert (
        done.returncode == 3 and done.stdout == "" and "bad.json:1:3: invalid JSON" in done.stderr
    )


def test_stdin_round_trip() -> None:
    filtered = run_oigcli(["filter", "--text", "REDACTED", "--json"]).stdout
    done = run_oigcli(["stats", "--data", "-", "--json"], input=filtered)
    assert done.returncode == 0 and json.loads(done.stdout)["total"]["reports"] == 3


def test_python_dash_m() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "oigcli", "--version"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0 and done.stdout.startswith("oigcli ")


MANY = ["show", *["21-63"] * 400]
FORMATS = ["table", "json", "jsonl", "csv", "tsv", "markdown"]
PIPE_CASES = [
    [*command, "--format", fmt]
    for fmt in FORMATS
    for command in (MANY, ["list"], ["filter"], ["search", "cbp"], ["stats"])
]


@pytest.mark.parametrize("args", PIPE_CASES)
def test_reader_that_leaves_after_one_line(args: list[str]) -> None:
    """`oigcli ... | head -1`: no traceback, exit 0."""
    with subprocess.Popen(
        [oigcli_executable(), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        first = process.stdout.readline()
        process.stdout.close()
        stderr = process.stderr.read()
        status = process.wait(timeout=60)
    assert first
    assert stderr == b""
    assert status == 0


@pytest.mark.parametrize("args", PIPE_CASES)
def test_reader_gone_before_the_first_write(args: list[str]) -> None:
    """The same with the pipe already closed when oigcli writes: a sure broken pipe."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run(
            [oigcli_executable(), *args],
            stdout=write_end,
            capture_output=False,
            stderr=subprocess.PIPE,
            check=False,
        )
    finally:
        os.close(write_end)
    assert done.stderr == b""
    assert done.returncode == 0


@pytest.mark.skipif(shutil.which("jq") is None, reason="jq is not installed")
def test_jq_pipelines() -> None:
    exe = oigcli_executable()

    def sh(command: str) -> str:
        return subprocess.run(
            ["sh", "-c", command], capture_output=True, text=True, check=True
        ).stdout.strip()

    assert sh(f"{exe} list --json | jq length") == "5"
    assert sh(f"{exe} show 21-27 --json | jq .recommendations") == "8"
    assert (
        sh(f"{exe} stats --json | jq -c '[.total.recommendations, .total.concurred]'") == "[22,20]"
    )
    assert sh(f"{exe} list --json | jq -r '.[0].issue_date'") == "null"
    assert sh(f"{exe} show 21-99 2>/dev/null | jq length; echo $?") == "0"  # nothing on stdout
    # through jq and back: everything oigcli prints as JSON reads back as a dataset
    back = f"{exe} filter --json | jq 'map(select(.redacted))' | {exe} stats --data - --json"
    assert sh(back + " | jq -c '[.total.reports, .total.recommendations]'") == "[3,17]"
    lines = f"{exe} list --format jsonl | jq -c 'select(.recommendations > 4)' | {exe} list --data - --json"
    assert sh(lines + " | jq -r '.[].report_number'") == "OIG-21-63\nOIG-21-27"


def test_installed_wheel_finds_its_data(tmp_path: Path) -> None:
    """A wheel built from this tree and installed (not editable) reads the bundled data."""
    wheels = tmp_path / "wheels"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--quiet",
            "-w",
            str(wheels),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = wheels.glob("oigcli-*.whl")
    assert "oigcli/data/reports.json" in zipfile.ZipFile(wheel).namelist()
    site = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--quiet",
            "--target",
            str(site),
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    code = "import oigcli, sys; print(oigcli.__file__, file=sys.stderr); from oigcli.cli.main import main; main()"
    done = subprocess.run(
        [sys.executable, "-c", code, "stats", "--json"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(site)},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip().startswith(str(site))  # the installed copy, not this tree
    assert json.loads(done.stdout)["total"]["recommendations"] == 22


def _help_examples() -> list[str]:
    examples = []
    for command in (
        [],
        ["list"],
        ["show"],
        ["open"],
        ["filter"],
        ["search"],
        ["stats"],
        ["validate"],
        ["diff"],
        ["export"],
        ["report"],
        ["schema"],
    ):
        text = run_oigcli([*command, "--help"]).stdout
        block = text.split("Examples:\n", 1)[1].split("\n\n", 1)[0]
        examples += [line.strip() for line in block.splitlines() if line.strip()]
    return examples


README_BROKEN = [
    {"report_number": "A", "title": "T", "fiscal_year": 2021, "issue_date": "2021-10-05"},
    {"title": "T", "fiscal_year": 2021},
    {"report_number": "A", "title": "U", "fiscal_year": 2021},
]


def _shell(command: str, where: Path) -> subprocess.CompletedProcess[str]:
    """Run a documented shell line in ``where``, the installed oigcli first on PATH, with
    stderr after stdout. The folder holds the files the examples name: reports.json,
    reports.jsonl, broken.jsonl, a scraper archive in inspectors-general/data and its bulk
    zip, us-inspectors-general.bulk.zip. Lines
    that need a tool this machine lacks (jq, sqlite3) are skipped."""
    for tool in ("jq", "sqlite3"):
        if tool in command and shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed")
    bundled = json.loads(BUNDLED_JSON.read_text(encoding="utf-8"))
    (where / "reports.json").write_text(json.dumps(bundled), encoding="utf-8")
    (where / "reports.jsonl").write_text(
        "".join(json.dumps(r) + "\n" for r in bundled), encoding="utf-8"
    )
    (where / "broken.jsonl").write_text(
        "".join(json.dumps(r) + "\n" for r in README_BROKEN), encoding="utf-8"
    )
    archive = write_archive(where / "inspectors-general" / "data")
    write_full_archive(archive)  # beside the first three: several inspectors, texts
    zip_archive(archive, where / "us-inspectors-general.bulk.zip")
    bin_dir = str(Path(oigcli_executable()).parent)
    return subprocess.run(
        ["bash", "-c", f"set -o pipefail; {command} 2>&1"],
        capture_output=True,
        text=True,
        cwd=where,
        env={**os.environ, "PATH": bin_dir + os.pathsep + os.environ["PATH"], "COLUMNS": "80"},
        check=False,
    )


def _runs_in_a_shell(command: str, where: Path) -> str:
    done = _shell(command, where)
    assert done.returncode == 0, done.stdout
    return done.stdout


@pytest.mark.parametrize("example", _help_examples())
def test_every_help_example_runs(example: str, tmp_path: Path) -> None:
    if example.startswith("oigcli diff"):  # exit 1 says the datasets differ, as diff(1)
        done = _shell(example, tmp_path)
        assert done.returncode in (0, 1) and "Error" not in done.stdout, done.stdout
        return
    _runs_in_a_shell(example, tmp_path)


def _readme_commands() -> list[tuple[str, str | None]]:
    """Each command line in the sh blocks of the README and docs/, with the value its
    `# comment` shows when that comment is JSON (`# 5`, `# [22, 20]`), else None."""
    before, _, rest = DOCUMENTATION.partition("<!-- cron-recipe -->")
    after = rest.partition("<!-- end cron-recipe -->")[2]  # a script, tested whole below
    blocks = (before + after).split("```sh\n")[1:]
    lines = [line for block in blocks for line in block.split("```", 1)[0].splitlines()]
    commands = []
    for line in lines:
        if not line.startswith(("oigcli ", "OIGCLI_DATA=")):
            continue
        command, _, comment = line.partition("  #")
        try:
            json.loads(comment)
            shown: str | None = comment.strip()
        except ValueError:
            shown = None
        commands.append((command.strip(), shown))
    return commands


@pytest.mark.parametrize(("command", "shown"), _readme_commands())
def test_every_readme_example_runs_and_prints_what_it_says(
    command: str, shown: str | None, tmp_path: Path
) -> None:
    output = _runs_in_a_shell(command, tmp_path)
    if shown is not None:
        assert json.loads(output) == json.loads(shown)


def _readme_transcripts() -> list[tuple[str, str]]:
    """Blocks that show a command (`$ oigcli ...`) and what it prints."""
    found = []
    for block in DOCUMENTATION.split("```\n$ ")[1:]:
        command, _, output = block.split("```", 1)[0].partition("\n")
        found.append((command, output))
    return found


@pytest.mark.parametrize(("command", "expected"), _readme_transcripts())
def test_readme_transcripts_match_the_program(command: str, expected: str, tmp_path: Path) -> None:
    """What the README shows a command printing is what it prints (trailing spaces aside)."""
    output = _shell(command, tmp_path).stdout

    def lines(text: str) -> list[str]:
        return [line.rstrip() for line in text.strip("\n").splitlines()]

    assert lines(output) == lines(expected)


def test_the_command_line_pauses_the_cycle_collector() -> None:
    """oigcli.cli.main.main turns the cycle collector off for its one command: with it on, it
    walked every report a listing holds, again and again (a quarter of the time of a
    100,000-report listing read from its file; BENCHMARKS.md)."""
    code = (
        "import gc, sys\n"
        "sys.argv = ['oigcli', '--version']\n"
        "from oigcli.cli.main import main\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    sys.stderr.write(f'collector on: {gc.isenabled()}')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stderr == "collector on: False"


def _cron_recipe() -> str:
    block = DOCUMENTS["docs/reporting.md"].split("<!-- cron-recipe -->", 1)[1]
    block = block.split("<!-- end cron-recipe -->", 1)[0]
    return block.split("```sh\n", 1)[1].split("```", 1)[0]


def test_the_readmes_cron_recipe_mails_what_changed(tmp_path: Path) -> None:
    """The README's nightly script, run as cron would run it, with stand-ins for curl
    (which 'downloads' the next archive) and mail (which keeps what it was given)."""
    import zipfile

    from scraper import ARCHIVE, write_full_archive, zip_archive

    if shutil.which("jq") is None:
        pytest.skip("jq is not installed")
    home = tmp_path / "ig"
    home.mkdir()
    root = write_full_archive(tmp_path / "night1" / "data")
    zip_archive(root, tmp_path / "night1.zip")
    (root / "gpo" / "2013" / "14-01" / "report.json").unlink()  # withdrawn
    added = {**ARCHIVE[4], "report_id": "15-02", "title": "Plate Inventory", "year": 2015,
             "published_on": "2015-02-02"}  # fmt: skip
    folder = root / "gpo" / "2015" / "15-02"
    folder.mkdir(parents=True)
    (folder / "report.json").write_text(json.dumps(added), encoding="utf-8")
    zip_archive(root, tmp_path / "night2.zip")
    stubs = tmp_path / "bin"
    stubs.mkdir()
    (stubs / "curl").write_text(
        '#!/bin/sh\nwhile [ "$1" != "-o" ]; do shift; done\ncp "$NEXT_ZIP" "$2"\n', encoding="utf-8"
    )
    (stubs / "mail").write_text(
        '#!/bin/sh\n{ echo "ARGS: $*"; cat; } > "$MAILED"\n', encoding="utf-8"
    )
    script = tmp_path / "ig-brief"
    script.write_text(_cron_recipe(), encoding="utf-8")
    for stub in (stubs / "curl", stubs / "mail", script):
        stub.chmod(0o755)
    bin_dir = str(Path(oigcli_executable()).parent)
    mailed = tmp_path / "mailed.txt"

    def night(zip_name: str) -> subprocess.CompletedProcess[str]:
        env = {
            **os.environ,
            "PATH": os.pathsep.join([str(stubs), bin_dir, os.environ["PATH"]]),
            "IG_HOME": str(home),
            "IG_BULK_URL": "https://example.org/us-inspectors-general.bulk.zip",
            "NEXT_ZIP": str(tmp_path / zip_name),
            "MAILED": str(mailed),
        }
        return subprocess.run(["sh", str(script)], env=env, capture_output=True, text=True)

    first = night("night1.zip")  # nothing to compare with yet
    assert first.returncode == 0, first.stderr
    assert zipfile.is_zipfile(home / "today.zip") and not mailed.exists()
    same = night("night1.zip")  # the same archive again: nothing changed, no mail
    assert same.returncode == 0, same.stderr
    assert not mailed.exists()
    changed = night("night2.zip")
    assert changed.returncode == 0, changed.stderr
    text = mailed.read_text(encoding="utf-8")
    assert text.startswith("ARGS: -s IG reports: ") and "newsroom@example.org" in text
    assert "# New Inspector General reports" in text  # the brief of what is new
    assert "Plate Inventory" in text and "| Reports | 1 |" in text
    assert "1 added, 1 removed, 0 changed" in text  # and what changed
    assert "| removed | gpo/14-01 |" in text
