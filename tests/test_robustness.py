"""Hostile data, signals, streams, environments: a clear message and the documented status,
or correct output; never a hang, a traceback or a damaged terminal. docs/robustness.md
lists each case with the test here that shows it."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import (
    BUNDLED_JSON,
    ROOT,
    SCAN_ONLY,
    Invoke,
    fake_terminal,
    oigcli_executable,
    run_oigcli,
    write_file,
)
from oigcli.load import archive, members
from oigcli.model.schema import SHOWN_NAMES
from scraper import write_archive

pytestmark = pytest.mark.usefixtures("backend")
"""Every test here runs over both sources: reading the data, and its index."""

COMMANDS = [
    ["list"],
    ["show", "OIG-21-63"],
    ["filter"],
    ["search", "cbp"],
    ["stats", "--by", "tag"],
    ["validate"],
]
RAW = ("\x1b", "\x07", "\x00", "\x9b", "\u202e")


@pytest.fixture(scope="module")
def bundled_records() -> list[dict[str, Any]]:
    return json.loads(BUNDLED_JSON.read_text(encoding="utf-8"))


def _no_traceback(result: Any) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert "Traceback" not in result.output


# --- hostile data -------------------------------------------------------------------------

text_with_controls = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40
) | st.sampled_from(["\x1b[2J\x1b[H", "\x1b]0;owned\x07", "\x9b31m", "a\u202eb", "\r\n\t"])


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    title=text_with_controls,
    summary=text_with_controls,
    component=text_with_controls,
    tag=text_with_controls,
)
def test_control_characters_in_every_text_field(
    tmp_path: Path,
    invoke: Invoke,
    bundled_records: list[dict[str, Any]],
    title: str,
    summary: str,
    component: str,
    tag: str,
) -> None:
    record = {
        **bundled_records[0],
        "title": title + "x",
        "summary": summary,
        "components": [component],
        "inspector": component,
        "topic": summary,
        "tags": [tag],
    }
    path = write_file(tmp_path, json.dumps([{**record, "text": summary}]))
    for command in (
        ["list", "--fields", "report_number,title,summary,components,inspector,tags,text"],
        ["show", "OIG-21-63"],
        ["show", "OIG-21-63", "--fields", "id,text"],
        ["search", "x", "--fields", "title,snippet,text"],
        ["stats", "--by", "component"],
        ["stats", "--by", "inspector"],
    ):
        for fmt in ("table", "markdown"):
            result = invoke(*command, "--data", path, "--format", fmt)
            _no_traceback(result)
            assert result.exit_code == 0
            assert not any(c in result.stdout for c in RAW)
    back = json.loads(invoke("list", "--data", path, "--json").stdout)
    assert back == [record]


def test_a_one_megabyte_title(
    tmp_path: Path, invoke: Invoke, bundled_records: list[dict[str, Any]]
) -> None:
    title = "Border " * 150_000
    path = write_file(tmp_path, json.dumps([{**bundled_records[0], "title": title}]))
    assert json.loads(invoke("list", "--data", path, "--json").stdout)[0]["title"] == title
    env, out, _ = fake_terminal(100)
    assert invoke("list", "--data", path, env=env).exit_code == 0
    assert max(len(line) for line in out.getvalue().splitlines()) <= 100
    assert invoke("search", "border", "--data", path, "--limit", "1", "--json").exit_code == 0
    assert invoke("show", "OIG-21-63", "--data", path).exit_code == 0


def test_ten_thousand_tags(
    tmp_path: Path, invoke: Invoke, bundled_records: list[dict[str, Any]]
) -> None:
    tags = [f"tag{i}" for i in range(10_000)]
    path = write_file(tmp_path, json.dumps([{**bundled_records[0], "tags": tags}]))
    stats = json.loads(invoke("stats", "--by", "tag", "--data", path, "--json").stdout)
    assert len(stats["groups"]) == 10_000 and stats["total"]["reports"] == 1
    assert (
        invoke("filter", "--tag", "TAG9999", "--data", path, "--format", "csv").stdout.count(
            "tag9999"
        )
        == 1
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[{"report_number": "A", "title": "T", "fiscal_year": NaN}]',
            "fiscal_year: expected integer, found a number",
        ),
        (
            '[{"report_number": "A", "title": "T", "fiscal_year": 2021, "recommendations": Infinity}]',
            "recommendations: expected integer or null, found a number",
        ),
        (
            '[{"report_number": "A", "title": "T", "fiscal_year": 2021, "recommendations": -Infinity}]',
            "found a number",
        ),
        ('[{"report_number": "A", "title": "T", "fiscal_year": 1e400}]', "found a number"),
        (
            '[{"report_number": "A", "title": "T", "title": "U", "fiscal_year": 2021}]',
            "title: appears twice in one object",
        ),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        (
            '[{"report_number": "A", "title": "T", "fiscal_year": ' + "9" * 5000 + "}]",
            "a number too long to read",
        ),
    ],
)
def test_values_json_allows_but_a_report_cannot_have(
    tmp_path: Path, invoke: Invoke, text: str, message: str
) -> None:
    path = write_file(tmp_path, text)
    for command in COMMANDS:
        result = invoke(*command, "--data", path)
        _no_traceback(result)
        assert result.exit_code == 3 and message in (result.stderr + result.stdout), (
            command,
            result.output,
        )


def test_a_byte_order_mark_and_crlf_json_lines(
    tmp_path: Path, invoke: Invoke, bundled_records: list[dict[str, Any]]
) -> None:
    path = write_file(
        tmp_path,
        ("\ufeff" + "\r\n".join(json.dumps(r) for r in bundled_records) + "\r\n").encode("utf-8"),
    )
    assert json.loads(invoke("list", "--data", path, "--json").stdout) == bundled_records
    path = write_file(
        tmp_path, ("\ufeff" + json.dumps(bundled_records)).encode("utf-8"), "bom.json"
    )
    assert invoke("validate", path).exit_code == 0


def test_invalid_utf8(tmp_path: Path, invoke: Invoke) -> None:
    path = write_file(
        tmp_path, b'[{"report_number": "A", "title": "\xff\xfe", "fiscal_year": 2021}]'
    )
    for command in COMMANDS:
        result = invoke(*command, "--data", path)
        _no_traceback(result)
        assert result.exit_code == 3 and "not UTF-8 text" in result.output


def test_invalid_utf8_on_stdin() -> None:
    done = subprocess.run(
        [oigcli_executable(), "list", "--data", "-"],
        input=b"[\xff]",
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert (
        done.returncode == 3
        and b"not UTF-8 text" in done.stderr
        and b"Traceback" not in done.stderr
    )


def test_lone_surrogates_that_json_escapes_can_carry(tmp_path: Path) -> None:
    path = write_file(
        tmp_path, '[{"report_number": "A", "title": "x\\ud800y", "fiscal_year": 2021}]'
    )
    table = run_oigcli(["list", "--data", path])
    assert table.returncode == 0 and "x\\ud800y" in table.stdout
    again = subprocess.run(
        [oigcli_executable(), "list", "--data", "-", "--json"],
        input=run_oigcli(["list", "--data", path, "--json"]).stdout,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert again.returncode == 0 and json.loads(again.stdout)[0]["title"] == "x\ud800y"
    assert run_oigcli(["list", "--data", path, "--format", "csv"]).returncode == 0


def test_a_symlink_loop_in_an_archive(tmp_path: Path, invoke: Invoke) -> None:
    root = write_archive(tmp_path / "archive")
    os.symlink(root, root / "dhs" / "again")
    os.symlink(tmp_path / "nowhere", root / "dangling")
    result = invoke("stats", "--data", str(root), "--json")
    assert result.exit_code == 0 and json.loads(result.stdout)["total"]["reports"] == 3


@SCAN_ONLY  # (the index backend's builder would meet the vanishing file first)
def test_a_file_that_disappears_while_the_archive_is_read(
    tmp_path: Path, invoke: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_archive(tmp_path / "archive")
    real = archive.read_member
    victim = next(root.rglob("report.json"))

    def vanishing(path: str, seen: Any = None) -> str:
        if path == str(victim):
            os.unlink(path)
        return real(path, seen)

    monkeypatch.setattr(archive, "read_member", vanishing)
    result = invoke("list", "--data", str(root))
    _no_traceback(result)
    assert result.exit_code == 3 and "no such file or directory" in result.stderr
    monkeypatch.setattr(archive, "read_member", real)
    assert invoke("list", "--data", str(root), "--json").exit_code == 0  # the rest still reads


@SCAN_ONLY
def test_a_file_that_changes_while_it_is_read(
    tmp_path: Path,
    invoke: Invoke,
    bundled_records: list[dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A file is read through one open handle, in chunks: one replaced (renamed over, as
    careful writers do) half-way through is read as it was when opened; one cut short
    in place is a JSON error at its place. Never a crash."""
    from oigcli.load import stream

    path = Path(write_file(tmp_path, json.dumps(bundled_records)))
    monkeypatch.setattr(stream, "CHUNK", 100)  # many reads, so there is a "half-way"
    real = stream.utf8_chunks
    replacement = tmp_path / "new.json"
    replacement.write_text(json.dumps(bundled_records[:1]), encoding="utf-8")

    def replaced_after_the_first_chunk(binary: Any, size: int) -> Any:
        read = real(binary, size)
        calls = 0

        def reader() -> str:
            nonlocal calls
            calls += 1
            if calls == 2:
                os.replace(replacement, path)
            return read()

        return reader

    monkeypatch.setattr(stream, "utf8_chunks", replaced_after_the_first_chunk)
    result = invoke("list", "--data", str(path), "--json")
    assert result.exit_code == 0 and json.loads(result.stdout) == bundled_records
    assert json.loads(path.read_text(encoding="utf-8")) == bundled_records[:1]  # it was replaced

    monkeypatch.setattr(stream, "utf8_chunks", real)
    path.write_text(json.dumps(bundled_records)[:700], encoding="utf-8")  # a writer caught mid-way
    result = invoke("list", "--data", str(path))
    _no_traceback(result)
    assert result.exit_code == 3 and "invalid JSON" in result.stderr


def test_a_dataset_path_that_is_not_a_regular_file(invoke: Invoke) -> None:
    result = invoke("list", "--data", "/dev/null")
    assert result.exit_code == 3 and "empty" in result.stderr


# --- signals and streams ----------------------------------------------------------------------


def _wait_until_blocked_reading(pid: int) -> None:
    """Until the process sleeps in a read from its pipe (a fixed sleep is a guess on a
    loaded machine). Where /proc does not tell (no /proc, or wchan hidden), after ten
    seconds, which is then the best guess."""
    wchan = Path(f"/proc/{pid}/wchan")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            blocked = wchan.read_text().endswith("pipe_read")  # anon_pipe_read on 6.x
        except OSError:
            blocked = False
        if blocked:
            time.sleep(0.1)  # past any retry of the read
            return
        time.sleep(0.02)


def test_ctrl_c_exits_130_without_a_traceback() -> None:
    """SIGINT while oigcli waits for a dataset on a pipe that never ends."""
    process = subprocess.Popen(
        [oigcli_executable(), "stats", "--data", "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        # as from a terminal: a shell's background job (pytest ... &) ignores SIGINT, and
        # the child would inherit that and rightly ignore Ctrl-C
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        _wait_until_blocked_reading(process.pid)
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 130
    assert b"Traceback" not in stderr and b"KeyboardInterrupt" not in stderr


def test_a_closed_stdout_is_a_quiet_exit() -> None:
    done = subprocess.run(
        f"exec {oigcli_executable()} list >&-",
        shell=True,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0 and done.stderr == b""


def test_a_closed_stdin_is_no_data() -> None:
    done = subprocess.run(
        f"exec {oigcli_executable()} stats --data - --json <&-",
        shell=True,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0 and json.loads(done.stdout)["total"]["reports"] == 0


def test_stdin_that_is_a_terminal_is_not_waited_on(invoke: Invoke) -> None:
    env, _, err = fake_terminal(80)
    result = invoke("validate", "-", env=env)
    assert result.exit_code == 2 and "standard input, which is a terminal" in err.getvalue()


# --- the environment ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "environ",
    [
        {"HOME": "/nonexistent/home"},
        {"HOME": ""},
        {"XDG_CACHE_HOME": "/proc/forbidden"},
        {"LANG": "C", "LC_ALL": "C"},
        {"LANG": "", "LC_ALL": "POSIX"},
        {"PYTHONIOENCODING": "latin-1"},
        {"PYTHONIOENCODING": "ascii"},
        {"COLUMNS": "0", "LINES": "0"},
        {"COLUMNS": "-5"},
        {"TERM": "dumb", "NO_COLOR": "1"},
    ],
)
def test_odd_environments_still_give_correct_output(
    environ: dict[str, str], bundled_records: list[dict[str, Any]]
) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("LANG", "LC_ALL", "LC_CTYPE")}
    done = subprocess.run(
        [oigcli_executable(), "list", "--json"],
        capture_output=True,
        timeout=60,
        env={**env, **environ},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.decode("utf-8")) == bundled_records  # CBP's curly quotes intact
    table = subprocess.run(
        [oigcli_executable(), "show", "21-48"],
        capture_output=True,
        timeout=60,
        env={**env, **environ},
        check=False,
    )
    assert table.returncode == 0 and "“regular and frequent”" in " ".join(
        table.stdout.decode("utf-8").split()
    )


@pytest.mark.parametrize("width", [20, 1])
def test_a_tiny_terminal(invoke: Invoke, width: int) -> None:
    for command in (["list"], ["show", "21-27"], ["search", "cbp"], ["stats"]):
        env, out, _ = fake_terminal(width)
        result = invoke(*command, env=env)
        assert result.exit_code == 0 and out.getvalue()


# --- spreadsheets ---------------------------------------------------------------------------------

FORMULAS = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
def test_cells_a_spreadsheet_would_run_are_disarmed(
    tmp_path: Path, invoke: Invoke, bundled_records: list[dict[str, Any]], fmt: str
) -> None:
    records = [
        {
            **bundled_records[0],
            "report_number": f"R{i}",
            "id": f"R{i}",
            "title": text,
            "tags": [text],
        }
        for i, text in enumerate(FORMULAS)
    ]
    path = write_file(tmp_path, json.dumps(records))
    out = invoke(
        "list", "--data", path, "--format", fmt, "--fields", "title,tags,recommendations"
    ).stdout
    rows = list(csv.reader(io.StringIO(out), delimiter="," if fmt == "csv" else "\t"))[1:]
    for row in rows:
        assert row[0].startswith("'") and row[1].startswith("'")
        assert row[2] == "5"  # numbers are never touched
    raw = invoke(
        "list",
        "--data",
        path,
        "--format",
        "csv",
        "--fields",
        "title",
        "--raw-cells",
        "--sort",
        "report_number",
    ).stdout
    assert [r[0] for r in csv.reader(io.StringIO(raw, newline=""))][1:] == FORMULAS


def test_negative_numbers_are_not_text(tmp_path: Path, invoke: Invoke) -> None:
    out = invoke("stats", "--format", "csv").stdout
    assert "'" not in out


# --- never write to the user's data --------------------------------------------------------------------


def _snapshot(root: Path) -> dict[str, tuple[str, float]]:
    return {
        str(p): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime)
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_no_command_writes_to_a_read_only_dataset(
    tmp_path: Path, bundled_records: list[dict[str, Any]]
) -> None:
    root = tmp_path / "data"
    write_archive(root / "archive")
    (root / "reports.json").write_text(json.dumps(bundled_records), encoding="utf-8")
    for path in [root, *root.rglob("*")]:
        path.chmod(0o555 if path.is_dir() else 0o444)
    before = _snapshot(root)
    try:
        for source in (root / "reports.json", root / "archive"):
            for command in [*COMMANDS[:-1], ["validate", str(source)]]:
                for fmt in ("table", "json", "csv", "markdown"):
                    done = run_oigcli([*command, "--data", str(source), "--format", fmt], cwd=root)
                    assert done.returncode in (0, 1), (command, done.stderr)
        assert _snapshot(root) == before
        assert sorted(p.name for p in root.iterdir()) == ["archive", "reports.json"]
    finally:
        for path in [root, *root.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)


# --- the document that lists all of this -----------------------------------------------------------------


def test_every_row_of_the_robustness_document_names_a_test_that_exists() -> None:
    doc = (ROOT / "docs" / "robustness.md").read_text(encoding="utf-8")
    rows = [
        line
        for line in doc.splitlines()
        if line.startswith("| ")
        and not line.startswith("| hostile")
        and not line.startswith("|---")
    ]
    assert len(rows) >= 25
    sources = {p.name: p.read_text(encoding="utf-8") for p in (ROOT / "tests").glob("test_*.py")}
    for row in rows:
        names = re.findall(r"`(test_\w+\.py)::(test_\w+)`", row)
        assert names, f"no test named in: {row}"
        for file, test in names:
            assert f"def {test}(" in sources.get(file, ""), f"{file}::{test} does not exist"


def test_python_is_new_enough_for_the_limits_used() -> None:
    assert sys.version_info >= (3, 10)


@SCAN_ONLY
def test_a_listing_held_as_json_text_gives_back_what_was_read(tmp_path: Path) -> None:
    """A listing read from a file holds its reports as compact JSON while it sorts them;
    what orjson cannot encode (a lone surrogate, an integer past 64 bits) is held as it
    is. Either way each report comes back equal, in the default order."""
    reports = [
        {"report_number": "OIG-21-2", "title": "x\ud800y", "fiscal_year": 2021},
        {"report_number": "OIG-21-10", "title": "big", "fiscal_year": 2021,
         "recommendations": 10**30, "recommendations_concurred": 1},
        {"report_number": "OIG-22-1", "title": "plain \u2028 ß", "fiscal_year": 2022,
         "issue_date": "2022-01-05", "tags": ["ofo", "OFO"], "redacted": False},
        {"report_number": "OIG-21-9", "title": "no date", "fiscal_year": 2021},
    ]  # fmt: skip
    path = write_file(tmp_path, json.dumps(reports))
    done = run_oigcli(["list", "--json", "--data", path, "--no-cache"])  # (real stdout)
    found = json.loads(done.stdout)
    assert [r["report_number"] for r in found] == ["OIG-22-1", "OIG-21-10", "OIG-21-9", "OIG-21-2"]
    by_number = {r["report_number"]: r for r in found}
    assert by_number["OIG-21-2"]["title"] == "x\ud800y"
    assert by_number["OIG-21-10"]["recommendations"] == 10**30
    assert (
        by_number["OIG-22-1"]["tags"] == ["ofo", "OFO"]
        and by_number["OIG-22-1"]["title"] == "plain \u2028 ß"
    )
    assert list(found[0]) == list(SHOWN_NAMES)


def test_a_linked_folder_is_followed_once(invoke: Invoke, tmp_path: Path) -> None:
    """A year folder that is a link (as people arrange archives) is read; a link back up
    (a loop) and a second link to a folder read already are skipped, each named on stderr."""
    root = write_archive(tmp_path / "archive")
    moved = tmp_path / "elsewhere" / "2019"
    moved.parent.mkdir()
    (root / "dhs" / "2019").rename(moved)
    os.symlink(moved, root / "dhs" / "2019")
    os.symlink(root, root / "dhs" / "again")
    os.symlink(moved, root / "dhs" / "also")
    result = invoke("stats", "--data", str(root), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["total"]["reports"] == 3  # the linked one read once
    assert f"{root / 'dhs' / 'again'} links to {root}, a link loop: skipped." in result.stderr
    assert f"{root / 'dhs' / 'also'} links to {moved}, read already: skipped." in result.stderr
    listed = invoke("list", "--data", str(root / "dhs"), "--json")
    assert "OIG-20-10" in [r["report_number"] for r in json.loads(listed.stdout)]


@pytest.mark.parametrize("kind", ["fifo", "link to a private file", "not utf-8", "too long"])
def test_a_report_txt_that_is_not_a_plain_file(
    invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    """A report's text is its extra: whatever its report.txt is, the record is read, no
    query waits, and nothing but the text of a plain file beside it is printed."""
    from scraper import write_full_archive

    root = write_full_archive(tmp_path / "data")
    text = root / "gpo" / "2013" / "14-01" / "report.txt"
    text.unlink()
    expected: str | None = None
    if kind == "fifo":
        os.mkfifo(text)
    elif kind == "link to a private file":
        secret = tmp_path / "id_rsa"
        secret.write_text("PRIVATE KEY", encoding="utf-8")
        os.symlink(secret, text)
    elif kind == "not utf-8":
        text.write_bytes(b"caf\xe9 \xff ok")
        expected = "caf\ufffd \ufffd ok"
    else:
        monkeypatch.setattr(members, "TEXT_BYTES", 10)
        text.write_text("x" * 11, encoding="utf-8")
    result = invoke("show", "gpo/14-01", "--fields", "text", "--json", "--data", str(root))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"text": expected}
    assert "PRIVATE" not in invoke("list", "--fields", "text", "--data", str(root)).stdout
