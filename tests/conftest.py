"""Shared test helpers: the bundled data as plain JSON, and ways to run the CLI."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings
from typer.testing import CliRunner, Result

from oigcli.cli import app
from oigcli.context import Environment

# CI runs a fixed, bounded set of examples; locally hypothesis explores afresh each run.
settings.register_profile("ci", derandomize=True, max_examples=100, deadline=None)
settings.register_profile("dev", deadline=None)
settings.register_profile("fuzz", max_examples=20_000, deadline=None)  # a long local search
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
)

ROOT = Path(__file__).resolve().parent.parent
BUNDLED_JSON = ROOT / "oigcli" / "data" / "reports.json"
BUNDLED_STATS = {
    "total": {"reports": 5, "recommendations": 22, "concurred": 20, "concurrence_rate": 20 / 22},
    "by": "fiscal_year",
    "groups": [{"key": 2021, "reports": 5, "recommendations": 22, "concurred": 20}],
}
"""What `oigcli stats --json` prints for the bundled data, worked out by hand from the page."""
NUMBERS = ["OIG-21-63", "OIG-21-48", "OIG-21-34", "OIG-21-27", "OIG-21-19"]


@pytest.fixture(scope="session")
def bundled() -> list[dict[str, Any]]:
    """The bundled dataset read with nothing but the json module."""
    return json.loads(BUNDLED_JSON.read_text(encoding="utf-8"))


def write_file(folder: Path, content: str | bytes, name: str = "data.json") -> str:
    """Write a dataset file for a test (bytes as they are, text as UTF-8); its path."""
    path = folder / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return str(path)


Invoke = Callable[..., Result]


@pytest.fixture
def invoke() -> Invoke:
    """Run oigcli in-process: invoke(*args, input=None, env=None) -> Result."""

    def run(*args: str, input: str | None = None, env: Environment | None = None) -> Result:
        return CliRunner().invoke(app, list(args), input=input, obj=env)

    return run


def fake_terminal(
    width: int, stdin: str = "", environ: dict[str, str] | None = None, height: int = 40
) -> tuple[Environment, io.StringIO, io.StringIO]:
    """An Environment whose stdout is a terminal of this size (no pager unless asked)."""
    out, err = io.StringIO(), io.StringIO()
    env = Environment(
        stdout=out,
        stderr=err,
        stdin=io.StringIO(stdin),
        stdout_isatty=True,
        stdin_isatty=True,
        width=width,
        height=height,
        environ={"PAGER": ""} if environ is None else environ,
    )
    return env, out, err


def oigcli_executable() -> str:
    """The installed console script of the Python running the tests."""
    script = Path(sys.executable).parent / ("oigcli.exe" if os.name == "nt" else "oigcli")
    assert script.exists(), f"{script} is missing: install oigcli first (see README)"
    return str(script)


def run_oigcli(
    args: Sequence[str], input: str | None = None, **kw: Any
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [oigcli_executable(), *args],
        input=input,
        capture_output=True,
        text=True,
        timeout=60,
        **kw,
    )
