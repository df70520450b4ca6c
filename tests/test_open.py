"""`oigcli open NUMBER`: a report's document in the browser, or its link printed (issue #14,
part: the landing page comes with the archive's landing_url)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import Invoke, oigcli_executable, write_file
from oigcli.output.context import Environment

pytestmark = pytest.mark.usefixtures("backend")
"""Every test here runs over both sources: reading the data, and its index."""

LINK = "https://www.oig.dhs.gov/sites/default/files/assets/2021-06/OIG-21-27.pdf"


def _dataset(tmp_path: Path, url: str | None = LINK) -> str:
    report = {"report_number": "OIG-21-27", "title": "Mail", "fiscal_year": 2021,
              "document_url": url}  # fmt: skip
    return write_file(tmp_path, json.dumps([report]))


def _env(opened: bool, asked: list[str]) -> Environment:
    def browser(url: str) -> bool:
        asked.append(url)
        return opened

    return Environment(
        stdout=io.StringIO(), stderr=io.StringIO(), stdin=io.StringIO(), browser=browser
    )


def _out(env: Environment) -> tuple[str, str]:
    return env.stdout.getvalue(), env.stderr.getvalue()  # type: ignore[attr-defined]


def test_the_document_opens_in_the_browser(invoke: Invoke, tmp_path: Path) -> None:
    asked: list[str] = []
    env = _env(True, asked)
    result = invoke("open", "21-27", "--data", _dataset(tmp_path), env=env)
    assert result.exit_code == 0 and asked == [LINK] and _out(env) == ("", "")


def test_print_prints_the_link_and_opens_nothing(invoke: Invoke, tmp_path: Path) -> None:
    asked: list[str] = []
    env = _env(True, asked)
    result = invoke("open", "oig-21-27", "--print", "--data", _dataset(tmp_path), env=env)
    assert result.exit_code == 0 and asked == [] and _out(env) == (LINK + "\n", "")


def test_without_a_browser_the_link_is_printed(invoke: Invoke, tmp_path: Path) -> None:
    asked: list[str] = []
    env = _env(False, asked)
    result = invoke("open", "21-27", "--data", _dataset(tmp_path), env=env)
    out, err = _out(env)
    assert result.exit_code == 0 and asked == [LINK]
    assert out == LINK + "\n" and "no browser could be started" in err


def test_a_report_without_a_link_exits_1_and_says_so(invoke: Invoke) -> None:
    result = invoke("open", "21-27")  # the bundled page gives no document links
    assert result.exit_code == 1 and result.stdout == ""
    assert "OIG-21-27 has no known link to its document" in result.stderr


def test_a_number_no_report_has(invoke: Invoke) -> None:
    result = invoke("open", "21-99")
    assert result.exit_code == 1 and "did you mean" in result.stderr


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "javascript:alert(1)",
        "https://example.org/\x1b[2Ja.pdf",
        "https://example.org/a b.pdf",
        "https:///no-host.pdf",
        "ftp://example.org/a.pdf",
    ],
)
def test_only_web_addresses_are_opened(invoke: Invoke, tmp_path: Path, url: str) -> None:
    """A link from downloaded data is opened only when it is http(s) with a host and has
    nothing a terminal or a shell could act on; otherwise exit 1, nothing opened."""
    asked: list[str] = []
    env = _env(True, asked)
    result = invoke("open", "21-27", "--data", _dataset(tmp_path, url), env=env)
    out, err = _out(env)
    assert result.exit_code == 1 and asked == [] and out == ""
    assert "is not a web address" in err and "\x1b" not in err


def test_the_real_program_opens_what_browser_names(tmp_path: Path) -> None:
    """$BROWSER is the browser, as for every program that uses Python's webbrowser."""
    record = tmp_path / "opened.txt"
    command = f"{sys.executable} -c \"import sys; open(sys.argv[1], 'w').write(sys.argv[2])\""
    done = subprocess.run(
        [oigcli_executable(), "open", "21-27", "--data", _dataset(tmp_path)],
        env={**os.environ, "BROWSER": f"{command} {record} %s"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert record.read_text(encoding="utf-8") == LINK
