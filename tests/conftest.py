"""Shared test helpers: the bundled data as plain JSON, and ways to run the CLI."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings
from hypothesis.configuration import set_hypothesis_home_dir
from hypothesis.database import DirectoryBasedExampleDatabase
from typer.testing import CliRunner, Result

from oigcli.cli.main import app
from oigcli.model.location import Location
from oigcli.output.context import Environment
from oigcli.sources.index import builder as index_builder
from oigcli.sources.index import identity as index_identity
from oigcli.sources.index import reader as index_reader

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))  # derive.py, the dataset builder's rules

REAL_BUILD_IN_BACKGROUND = index_builder.build_in_background
"""The real one: the autouse fixture ``private_cache`` replaces it in every test."""

# Hypothesis keeps what it stores (examples found, Unicode tables) in a temporary folder,
# not in .hypothesis/ in the repository.
_HYPOTHESIS_HOME = tempfile.mkdtemp(prefix="oigcli-hypothesis-")
set_hypothesis_home_dir(_HYPOTHESIS_HOME)
_EXAMPLES = DirectoryBasedExampleDatabase(_HYPOTHESIS_HOME + "/examples")
# CI runs a fixed, bounded set of examples; locally hypothesis explores afresh each run.
settings.register_profile("ci", derandomize=True, max_examples=100, deadline=None)  # no database
settings.register_profile("dev", deadline=None, database=_EXAMPLES)
settings.register_profile("fuzz", max_examples=20_000, deadline=None, database=_EXAMPLES)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
)

DOCUMENTS = {
    path.relative_to(ROOT).as_posix(): path.read_text(encoding="utf-8")
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    if path.name != "cli.md"  # generated from the help, whose examples run on their own
}
"""The README and every hand-written page of docs/, by path: their examples are run."""
DOCUMENTATION = "\n".join(DOCUMENTS.values())
BUNDLED_JSON = ROOT / "oigcli" / "data" / "reports.json"
BUNDLED_STATS = {
    "total": {
        "reports": 5,
        "recommendations": 22,
        "concurred": 20,
        "concurrence_rate": 20 / 22,
        "unknown_counts": 0,
        "rated_recommendations": 22,
        "not_concurred": 2,
    },
    "by": "fiscal_year",
    "groups": [
        {
            "key": 2021,
            "reports": 5,
            "recommendations": 22,
            "concurred": 20,
            "concurrence_rate": 20 / 22,
            "unknown_counts": 0,
            "rated_recommendations": 22,
            "not_concurred": 2,
        }
    ],
}
"""What `oigcli stats --json` prints for the bundled data, worked out by hand from the page."""
NUMBERS = ["OIG-21-63", "OIG-21-48", "OIG-21-34", "OIG-21-27", "OIG-21-19"]


REAL_HOME = Path(os.path.expanduser("~"))
"""The home folder of whoever runs the tests: no test may change it."""


def _home_snapshot() -> dict[str, tuple[int, int]]:
    """What the real home folder holds, two levels deep: a name -> (size, mtime)."""
    found: dict[str, tuple[int, int]] = {}
    for top in [REAL_HOME, *(p for p in _entries(REAL_HOME) if p.is_dir())]:
        for entry in _entries(top):
            try:
                info = entry.lstat()
            except OSError:
                continue
            found[str(entry.relative_to(REAL_HOME))] = (info.st_size, info.st_mtime_ns)
    return found


def _entries(folder: Path) -> list[Path]:
    try:
        return [p for p in folder.iterdir() if not p.is_symlink()]
    except OSError:
        return []


def _repository_snapshot() -> set[str]:
    """Every changed, untracked or ignored path of the repository (bytecode caches
    aside: Python writes those beside the modules it imports, where PYTHONDONTWRITEBYTECODE
    is not set)."""
    done = subprocess.run(
        ["git", "status", "--porcelain", "--ignored", "--untracked-files=all"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:  # not a clone (an sdist): nothing to compare
        return set()
    return {line for line in done.stdout.splitlines() if "__pycache__/" not in line}


@pytest.fixture(scope="session", autouse=True)
def nothing_outside_temporary_folders() -> Iterator[None]:
    """The suite fails if it changed the real home folder or the repository."""
    home, repository = _home_snapshot(), _repository_snapshot()
    yield
    changed_home = sorted(
        name
        for name in home.keys() | _home_snapshot().keys()
        if home.get(name) != _home_snapshot().get(name)
    )
    added = sorted(_repository_snapshot() - repository)
    assert not changed_home, f"the tests changed {REAL_HOME}: {changed_home}"
    assert not added, f"the tests changed the repository: {added}"


@pytest.fixture(autouse=True)
def private_home(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """HOME and every XDG folder point into a temporary folder, for oigcli run in the
    process and as a program (``--install-completion`` writes ~/.bashrc)."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_RUNTIME_DIR"):
        monkeypatch.setenv(name, str(home / name.lower()))
    monkeypatch.delenv("ZDOTDIR", raising=False)
    return home


@pytest.fixture(autouse=True)
def elsewhere(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every test runs in a temporary folder of its own: a command given a relative path
    to write (export --sqlite NAME, report --assets DIR, from the fuzz test's random
    arguments) writes there, never into the repository."""
    folder = tmp_path_factory.mktemp("cwd")
    monkeypatch.chdir(folder)
    return folder


@pytest.fixture(autouse=True)
def no_browser(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """No test starts a real browser: in the process, webbrowser.open records the address
    and says no browser could be started; a real oigcli run by a test gets BROWSER=true
    (a command that does nothing). Returns the addresses asked for."""
    import webbrowser

    asked: list[str] = []

    def record(url: str, *args: Any, **kwargs: Any) -> bool:
        asked.append(url)
        return False

    monkeypatch.setattr(webbrowser, "open", record)
    monkeypatch.setenv("BROWSER", "true")
    return asked


@pytest.fixture(autouse=True)
def private_cache(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> list[str]:
    """Every test gets an empty cache of its own ($XDG_CACHE_HOME, for oigcli run in the
    process and as a program), never the user's. In the process, the index builder a
    query would start in the background is only recorded (the paths it would index):
    the tests of the index build synchronously, and tests/test_index.py starts real ones."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
    started: list[str] = []
    monkeypatch.setattr(
        index_builder, "build_in_background", lambda path, cache: started.append(path)
    )
    return started


@pytest.fixture(scope="session")
def index_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache for the ``index`` backend's indexes, shared by the session's tests (an
    index is made once per file as it is, and found again by the next test)."""
    return tmp_path_factory.mktemp("indexes")


BACKENDS = ("scan", "index")


@pytest.fixture(params=BACKENDS)
def backend(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, index_folder: Path
) -> Iterator[str]:
    """Runs a test once over each implementation of oigcli.sources.source.Source. ``scan``: as
    oigcli is. ``index``: every dataset file the test asks about (the bundled one too,
    files of any size, scraper folders and zips) is indexed first, when it can be (a
    dataset with problems never is), and answered from its index; standard input is read
    as always.
    ``used`` counts the queries the index answered, so a test can tell it was asked."""
    if request.param == "scan":
        yield "scan"
        return
    from oigcli.sources import source

    chooser = source.open
    bundled_file = str(BUNDLED_JSON)

    def open_indexed(
        path: str | Location | None, stdin: Any, cache: Path | None, skip_invalid: bool = False
    ) -> Any:
        where = Location.of(path)
        target = bundled_file if where.kind == "bundled" else str(where.path)
        if where.kind != "stdin" and index_identity.worth_indexing(target):
            index_builder.build(target, index_folder, settle=False)
            found = index_reader.open_index(target, index_folder)
            if found is not None:
                INDEX_USED.append(target)
                return found
        return chooser(path, stdin, cache, skip_invalid)

    monkeypatch.setattr(index_identity, "MIN_BYTES", 0)
    monkeypatch.setattr(source, "open", open_indexed)
    yield "index"


SCAN_ONLY = pytest.mark.parametrize("backend", ["scan"], indirect=True)
"""For a test of reading a file itself, or of when an index is built: the scan only."""

INDEX_USED: list[str] = []
"""Every dataset file the ``index`` backend answered a query of from its index."""


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


def builders_of(path: str) -> list[int]:
    """The processes running oigcli's index builder on ``path`` (Linux's /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            command = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if any(b"oigcli.sources.index" in part for part in command) and path.encode() in command:
            found.append(int(entry.name))
    return found
