"""Attacks and faults from the security review (issue #12), one test (or more) each.

The two-user cases are played inside the test user's own tree: a folder that group or
others can write, a planted link, a planted FIFO, a file of another owner (as root).
Processes that could hang are run as subprocesses with a timeout, so a regression fails
the test instead of hanging the suite."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import Invoke, builders_of, oigcli_executable, run_oigcli, write_file
from oigcli.cli import complete
from oigcli.load import stream
from oigcli.model.text import MAX_TERMS
from oigcli.output.render import report_page
from oigcli.query import search
from oigcli.sources import cache
from oigcli.sources.index import builder as index_builder
from oigcli.sources.index import identity as index_identity
from oigcli.sources.index import reader as index_reader

NEEDS_PROC = pytest.mark.skipif(not Path("/proc/self/fd").exists(), reason="needs Linux's /proc")


def _report(number: str, title: str = "Tunnel inspections", **more: Any) -> dict[str, Any]:
    return {
        "report_number": number,
        "title": title,
        "summary": "Officers found a tunnel. " * 40,
        "issue_date": None,
        "fiscal_year": 2021,
        "component": "CBP",
        "tags": ["OFO"],
        "redacted": False,
        "recommendations": 2,
        "recommendations_concurred": 1,
        "document_url": None,
        "oversight_area": None,
        **more,
    }


REPORTS = [_report(f"OIG-21-{n:02d}") for n in range(1, 4)]


def _large(folder: Path, name: str = "big.json") -> str:
    """A valid dataset of more than index_identity.MIN_BYTES: one a real query indexes."""
    reports = [_report(f"OIG-21-{n}", f"Report {n}") for n in range(1200)]
    path = write_file(folder, json.dumps(reports), name)
    assert os.path.getsize(path) >= index_identity.MIN_BYTES
    return path


def _cache() -> Path:
    where = cache.location(os.environ)
    assert where is not None
    return where


def _wait_for(condition: Callable[[], bool], seconds: float = 90) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def _has_index(path: str) -> bool:
    opened = index_reader.open_index(path, _cache())
    if opened is None:
        return False
    opened.close()
    return True


def _poison(where: Path) -> None:
    with sqlite3.connect(where) as connection:
        connection.execute("UPDATE reports SET title = 'POISON'")
    connection.close()


@pytest.fixture
def small_files_indexed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(index_identity, "MIN_BYTES", 0)


# --- 1. the builder never runs code from the current folder ------------------------------


@NEEDS_PROC
def test_the_builder_never_imports_code_from_the_current_folder(tmp_path: Path) -> None:
    """A json.py next to a downloaded dataset: a plain query must not run it, in the
    query or in the builder it starts."""
    folder = tmp_path / "downloads"
    folder.mkdir()
    marker = tmp_path / "RAN"
    for module in ("json", "dataclasses", "sqlite3", "hashlib", "fcntl", "contextlib"):
        (folder / f"{module}.py").write_text(f"open({str(marker)!r}, 'a').write('{module} ')\n")
    path = _large(folder, "reports.json")
    done = run_oigcli(["list", "--json", "--data", "reports.json"], cwd=folder)
    assert done.returncode == 0 and len(json.loads(done.stdout)) == 1200
    assert _wait_for(lambda: _has_index(path)), "the builder made no index"
    assert not marker.exists(), marker.read_text()


# --- 2. no builder sleeps for long, and one at a time ------------------------------------


@pytest.mark.usefixtures("small_files_indexed")
def test_a_file_dated_in_the_future_waits_no_longer_than_the_settle_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_file(tmp_path, json.dumps(REPORTS))
    years = time.time_ns() + 10 * 365 * 86400 * 10**9
    os.utime(path, ns=(years, years))
    lock = index_identity.index_path(index_identity.identify(path), _cache()).with_suffix(".lock")  # type: ignore[arg-type]
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        assert cache.busy(lock), "the builder waits without holding its lock"
        assert index_builder.build(path, _cache(), settle=False) is None  # another builder: leaves

    monkeypatch.setattr(index_builder.time, "sleep", sleep)
    assert index_builder.build(path, _cache()) is not None
    assert len(waits) == 1 and 0 < waits[0] <= index_builder.SETTLED_NS / 1e9


@NEEDS_PROC
def test_many_queries_leave_at_most_one_builder_and_none_for_long(tmp_path: Path) -> None:
    path = _large(tmp_path)
    years = time.time_ns() + 10 * 365 * 86400 * 10**9
    os.utime(path, ns=(years, years))
    for _ in range(6):
        assert run_oigcli(["stats", "--json", "--data", path]).returncode == 0
    assert len(builders_of(path)) <= 1
    assert _wait_for(lambda: not builders_of(path)), "a builder is still alive"
    assert _has_index(path)


# --- 3. a cache that others can write is not trusted -------------------------------------


@pytest.mark.usefixtures("small_files_indexed")
@pytest.mark.parametrize("mode", [0o777, 0o775, 0o757])
def test_a_cache_folder_others_can_write_is_not_used(
    invoke: Invoke, tmp_path: Path, mode: int, private_cache: list[str]
) -> None:
    path = write_file(tmp_path, json.dumps(REPORTS))
    _poison(index_builder.build(path, _cache(), settle=False))  # type: ignore[arg-type]
    assert "POISON" in invoke("list", "--json", "--data", path).stdout  # trusted: used
    os.chmod(_cache(), mode)  # another user could have forged that index
    result = invoke("list", "--json", "--data", path, "--verbose")
    assert result.exit_code == 0 and "POISON" not in result.stdout
    assert "can be written by group or others" in result.stderr
    assert result.stderr.count("not using the cache") == 1  # said once
    assert invoke("list", "--data", path).stderr == ""  # and only under --verbose
    assert index_builder.build(path, _cache(), settle=False) is None
    assert private_cache == []  # no builder started into it


@pytest.mark.usefixtures("small_files_indexed")
def test_a_planted_symlink_is_never_followed(tmp_path: Path) -> None:
    """At the temporary path, the builder would have written SQLite over the victim's
    own file; at the lock or index path, the same or a forged index."""
    path = write_file(tmp_path, json.dumps(REPORTS))
    victim = tmp_path / "thesis.txt"
    victim.write_text("precious")
    where = index_identity.index_path(index_identity.identify(path), _cache())  # type: ignore[arg-type]
    _cache().mkdir(parents=True, mode=0o700)
    where.with_suffix(".tmp").symlink_to(victim)
    assert index_builder.build(path, _cache(), settle=False) == where
    assert victim.read_text() == "precious" and not where.is_symlink()

    where.unlink()
    where.with_suffix(".lock").unlink()
    where.with_suffix(".lock").symlink_to(victim)
    assert index_builder.build(path, _cache(), settle=False) is None
    assert victim.read_text() == "precious"

    forged = write_file(tmp_path, json.dumps(REPORTS), "forged.json")
    forged_index = index_builder.build(forged, _cache(), settle=False)
    assert forged_index is not None
    _poison(forged_index)
    where.with_suffix(".lock").unlink()
    where.symlink_to(forged_index)
    assert index_reader.open_index(path, _cache()) is None  # a link is not an index of ours


@pytest.mark.usefixtures("small_files_indexed")
def test_a_symlinked_cache_folder_is_not_used(
    invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, private_cache: list[str]
) -> None:
    """Another user's folder behind a link would receive the index of a private file."""
    elsewhere = tmp_path / "theirs"
    elsewhere.mkdir(mode=0o700)
    home = tmp_path / "cache-home"
    home.mkdir()
    (home / "oigcli").symlink_to(elsewhere)
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    path = write_file(tmp_path, json.dumps(REPORTS))
    result = invoke("list", "--json", "--data", path, "--verbose")
    assert result.exit_code == 0 and "is a symbolic link" in result.stderr
    assert private_cache == []
    assert index_builder.build(path, home / "oigcli", settle=False) is None
    assert list(elsewhere.iterdir()) == []


@pytest.mark.usefixtures("small_files_indexed")
def test_a_folder_above_the_cache_that_others_can_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o777)  # anyone could rename our folder away and put theirs
    monkeypatch.setenv("XDG_CACHE_HOME", str(shared))
    found = cache.folder(os.environ, create=True)
    assert found.path is None and "above the cache" in str(found.reason)
    assert not (shared / "oigcli").exists()  # nothing made there
    os.chmod(shared, 0o1777)  # sticky, as /tmp: only the owner may rename
    assert cache.folder(os.environ, create=True).path == shared / "oigcli"


@pytest.mark.skipif(os.geteuid() != 0, reason="making a file of another user needs root")
@pytest.mark.usefixtures("small_files_indexed")
def test_an_index_or_cache_of_another_user_is_not_used(invoke: Invoke, tmp_path: Path) -> None:
    path = write_file(tmp_path, json.dumps(REPORTS))
    where = index_builder.build(path, _cache(), settle=False)
    assert where is not None
    _poison(where)
    os.chown(where, 4321, 4321)
    assert "POISON" not in invoke("list", "--json", "--data", path).stdout
    os.chown(where, 0, 0)
    os.chown(_cache(), 4321, 4321)
    assert "belongs to another user" in str(cache.untrusted(_cache()))
    assert "POISON" not in invoke("list", "--json", "--data", path).stdout


# --- 4. indexes are private --------------------------------------------------------------


@pytest.mark.usefixtures("small_files_indexed")
def test_the_cache_and_its_files_are_private(tmp_path: Path) -> None:
    path = write_file(tmp_path, json.dumps(REPORTS))
    old = os.umask(0o022)
    try:
        where = index_builder.build(path, _cache(), settle=False)
    finally:
        os.umask(old)
    assert where is not None
    assert stat.S_IMODE(os.stat(_cache()).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(where).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(where.with_suffix(".lock")).st_mode) == 0o600
    os.chmod(_cache(), 0o755)  # as oigcli 0.1 made it
    assert cache.untrusted(_cache()) is None
    assert stat.S_IMODE(os.stat(_cache()).st_mode) == 0o700  # made private on use


# --- 5. a FIFO in the cache hangs nothing ------------------------------------------------


def test_a_fifo_in_the_cache_hangs_nothing(tmp_path: Path) -> None:
    path = _large(tmp_path)
    identity = index_identity.identify(path)
    assert identity is not None
    where = index_identity.index_path(identity, _cache())
    _cache().mkdir(parents=True, mode=0o700)
    for suffix in (".sqlite3", ".lock", ".tmp", ".skip"):
        os.mkfifo(where.with_suffix(suffix))
    done = run_oigcli(["list", "--json", "--data", path])  # 60 s at most
    assert done.returncode == 0 and len(json.loads(done.stdout)) == 1200
    builder = subprocess.run(
        [oigcli_executable(), "index", path], capture_output=True, timeout=60, check=False
    )
    assert builder.returncode == 3  # its lock is a FIFO: not indexed, and said so
    pruner = subprocess.run(
        [
            sys.executable,
            "-c",
            f"from oigcli.sources.index import builder; from pathlib import Path; "
            f"builder.prune(Path({str(_cache())!r}))",
        ],
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert pruner.returncode == 0, pruner.stderr
    for name in (".sqlite3", ".lock", ".tmp", ".skip"):
        where.with_suffix(name).unlink()
    assert subprocess.run([oigcli_executable(), "index", path], timeout=120).returncode == 0


# --- 6. terminal escapes from the data never reach stderr raw ----------------------------


def _stderr_is_safe(stderr: str, *visible: str) -> None:
    for raw in ("\x1b", "\x07", "\x9b", "\u202e"):
        assert raw not in stderr, stderr
    for text in visible:
        assert text in stderr, stderr


def test_escapes_in_the_cannot_be_used_error(tmp_path: Path) -> None:
    number = "A\x1b[31m\x07"
    path = write_file(
        tmp_path,
        json.dumps([_report(number), _report(number), {"title": "t", "title\x1b[2J": 1}]),
    )
    done = run_oigcli(["list", "--data", path])
    assert done.returncode == 3
    _stderr_is_safe(done.stderr, "A\\x1b[31m\\x07", "cannot be used")
    duplicated = write_file(tmp_path, '[{"report_number": "A", "title": "t", "title": "u"}]', "dup")
    done = run_oigcli(["list", "--data", duplicated])
    assert done.returncode == 3 and "appears twice" in done.stderr


def test_escapes_in_show_suggestions(tmp_path: Path) -> None:
    path = write_file(
        tmp_path,
        json.dumps([_report("OIG-21-1\x1b]0;pwned\x07"), _report("OIG-21-1\nErr")]),
    )
    done = run_oigcli(["show", "21-1", "--data", path])
    assert done.returncode == 1
    _stderr_is_safe(done.stderr, "\\x1b]0;pwned\\x07", "OIG-21-1\\nErr")
    assert len(done.stderr.splitlines()) == 2  # a newline in a number forges no line


def test_escapes_in_a_scraper_path(tmp_path: Path) -> None:
    folder = tmp_path / "archive" / "dhs\x1b[31m" / "2021" / "OIG-21-01"
    folder.mkdir(parents=True)
    (folder / "report.json").write_text("{not json")
    done = run_oigcli(["list", "--data", str(tmp_path / "archive")])
    assert done.returncode == 3
    _stderr_is_safe(done.stderr, "dhs\\x1b[31m")


# --- 7. completion cannot run commands ---------------------------------------------------


def test_candidates_are_made_safe_for_the_shell_that_asked() -> None:
    evil = "X$(touch /tmp/P)"
    assert complete.for_shell("bash", evil) == "X\\$\\(touch\\ /tmp/P\\)"
    assert complete.for_shell("bash", "Office of Field Ops") == "Office\\ of\\ Field\\ Ops"
    assert complete.for_shell("bash", "CBP’s") == "CBP’s"
    assert complete.for_shell("zsh", evil) is None
    assert complete.for_shell("zsh", 'a"b') is None and complete.for_shell("zsh", "a'b") is None
    assert complete.for_shell("zsh", "Office of Field Ops") == "Office of Field Ops"
    assert complete.for_shell("fish", evil) == evil  # fish quotes what it inserts
    assert complete.for_shell("powershell", "a;b$(c)") == "'a;b$(c)'"
    for shell in ("bash", "zsh", "fish", "powershell"):
        for bad in ("two\nlines", "\x1b[31mred", "tab\there", "bidi\u202e"):
            assert complete.for_shell(shell, bad) is None


@pytest.fixture
def evil_dataset(tmp_path: Path) -> tuple[str, Path]:
    marker = tmp_path / "PWNED"
    reports = [
        _report("A-1", component=f"X$(touch {marker})", tags=["line\nbreak", "\x1b[31m", "ok"]),
        _report("A-2", component=f"Y`touch {marker}`", tags=[]),
    ]
    return write_file(tmp_path, json.dumps(reports)), marker


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_bash_inserts_a_hostile_component_as_one_literal_word(
    evil_dataset: tuple[str, Path],
) -> None:
    path, marker = evil_dataset
    script = f"""
        source <(oigcli --show-completion bash)
        COMP_WORDS=(oigcli filter --data {path} -c X); COMP_CWORD=5
        _oigcli_completion oigcli
        printf '%s\\n' "${{#COMPREPLY[@]}}" "${{COMPREPLY[0]}}"
        eval "printf '[%s]\\n' ${{COMPREPLY[0]}}"   # what pressing Enter would run
        COMP_WORDS=(oigcli filter --data {path} --tag ''); COMP_CWORD=5
        _oigcli_completion oigcli
        printf '%s\\n' "${{COMPREPLY[@]}}"
    """
    done = subprocess.run(
        ["bash", "-c", script],
        capture_output=True,
        text=True,
        env={**os.environ, "PATH": f"{Path(oigcli_executable()).parent}:{os.environ['PATH']}"},
        timeout=60,
        check=False,
    )
    lines = done.stdout.splitlines()
    assert lines[0] == "1" and lines[1] == f"X\\$\\(touch\\ {marker}\\)", done.stderr
    assert lines[2] == f"[X$(touch {marker})]"  # one word, as it is in the data
    assert lines[3:] == ["ok"]  # the tag with a newline and the one with ESC are dropped
    assert not marker.exists()


def test_zsh_and_fish_get_no_hostile_candidate(evil_dataset: tuple[str, Path]) -> None:
    path, marker = evil_dataset
    for shell, extra in (("zsh", {}), ("fish", {"_TYPER_COMPLETE_FISH_ACTION": "get-args"})):
        done = subprocess.run(
            [oigcli_executable()],
            env={
                **os.environ,
                "_OIGCLI_COMPLETE": f"complete_{shell}",
                "_TYPER_COMPLETE_ARGS": f"oigcli filter --data {path} -c ",
                **extra,
            },
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0
        if shell == "zsh":
            assert "touch" not in done.stdout  # evaluated by zsh: dropped
        else:
            assert sorted(done.stdout.splitlines()) == sorted(
                [f"X$(touch {marker})", f"Y`touch {marker}`"]
            )  # fish escapes what it inserts; one candidate a line
    assert not marker.exists()


# --- 8. a regular expression cannot hang a script ---------------------------------------


def test_a_catastrophic_regular_expression_exits_2(invoke: Invoke, tmp_path: Path) -> None:
    path = write_file(tmp_path, json.dumps([_report("A", "a" * 40 + "!")]))
    result = invoke("filter", "--data", path, "--where", "title~(a|aa)+$")
    assert result.exit_code == 2 and "too costly" in result.stderr
    for pattern in (r"title~(a+)+$", r"title~^(\w+\s?)+$"):  # no backtracking storm at all
        assert invoke("filter", "--data", path, "--where", pattern).exit_code == 0


# --- 9. hostile data takes linear time ---------------------------------------------------


def _seconds(work: Callable[[], object], runs: int = 5) -> float:
    """The best of ``runs`` timings of ``work`` (the machine is noisy: the least
    disturbed run is the one that says most about the work)."""
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best


def _decoded(size: int) -> int:
    """How many characters the JSON decoder was handed to read one array element of
    ``size`` characters, a chunk at a time: the work, counted, not timed."""
    import io

    handed = 0

    class Counting(json.JSONDecoder):
        def raw_decode(self, s: str, idx: int = 0) -> tuple[Any, int]:
            nonlocal handed
            handed += len(s) - idx
            return super().raw_decode(s, idx)

    data = json.dumps([{"title": "x" * size}]).encode()
    reader = stream.utf8_chunks(io.BytesIO(data), 1 << 14)
    elements = list(stream.array_elements(reader(), reader, Counting()))
    assert len(elements[0]["title"]) == size
    return handed


def test_one_huge_array_element_is_read_in_linear_time() -> None:
    """An element longer than a chunk is decoded again as more arrives: the text handed
    to the decoder must grow as the element does (a fixed step per retry: quadratically)."""
    small, large = _decoded(1 << 18), _decoded(1 << 21)
    assert large < 3 * 8 * small  # linear: 8 times; a retry per chunk: about 64 times
    assert large < 4 * (1 << 21)  # each character read a few times at most


def test_show_wraps_a_summary_without_spaces_in_linear_time() -> None:
    """textwrap copied the rest of a long word at every cut, in C where no count sees it:
    timed, as the best of five runs each, with eight times the text, which takes about
    eight times as long when linear and sixty-four when quadratic."""

    def page(size: int) -> None:
        lines = report_page({"summary": "x" * size}, 80).splitlines()
        assert len(lines) > size // 80

    page(1 << 16)  # warm up
    growth = _seconds(lambda: page(1 << 19)) / _seconds(lambda: page(1 << 16))
    assert growth < 24


def test_a_search_of_many_terms_reads_each_text_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """300 terms took 21 s and 3,000 over a minute: a scan of each report's text per
    term. Past the few terms that are each looked for with a plain scan, each text's
    words are listed once, whatever the number of terms (counted: the characters
    tokenised), and no term scans a text of its own."""
    vocabulary = [f"w{n:04d}" for n in range(4000)]
    reports = [
        _report(f"A-{n}", " ".join(vocabulary[n * 7 : n * 7 + 10]), summary=" ".join(vocabulary))
        for n in range(200)
    ]
    tokenised = 0
    listing = search.runs

    def counted(folded: str) -> list[str]:
        nonlocal tokenised
        tokenised += len(folded)
        return listing(folded)

    def scanned(self: Any, text: str) -> int:
        raise AssertionError("a term scanned a text of its own")

    monkeypatch.setattr(search, "runs", counted)
    monkeypatch.setattr(search.Term, "count", scanned)
    work = []
    for terms in (search.SCREENED_TERMS + 1, MAX_TERMS):
        query = search.parse_query(" ".join(vocabulary[:terms]))
        tokenised = 0  # (the query's own words aside)
        ranking = search.Ranking(query)  # what a search without an index does
        for report in reports:
            ranking.pick(report)
        ranking.hits()
        work.append(tokenised)
    assert work[0] == work[1] > 0


def test_a_search_of_more_terms_than_anyone_types_is_a_usage_error(invoke: Invoke) -> None:
    """3,000 terms over 3,000 reports took 12.5 s without an index: at most MAX_TERMS."""
    many = " ".join(f"w{n}" for n in range(3000))
    result = invoke("search", many)
    assert result.exit_code == 2
    assert "has 3000 words and phrases to look for; a search takes at most 64" in result.stderr
    assert invoke("search", " ".join(f"w{n}" for n in range(64))).exit_code == 0
    without = [f"-x{n}" for n in range(5)]  # a -word counts too
    assert invoke("search", "--", *[f"w{n}" for n in range(60)], *without).exit_code == 2
    text = invoke("filter", "--text", many)
    assert text.exit_code == 2 and "--text has 3000 words; it takes at most 64" in text.stderr


def test_many_terms_are_counted_as_the_regular_expressions_count_them() -> None:
    texts = ["e-mail mail_x mail mailed ſtop stop ß ss x y x  y", "Mail facility, mail-facility"]
    query = search.parse_query('mail mail* stop ss "x y" "mail facility" "mail fac*" e')
    for text in texts:
        folded = text.casefold()
        assert search.count_all(query.terms, folded) == [t.count(folded) for t in query.terms]


# --- 10. JSON Lines that oigcli wrote read back ------------------------------------------


def test_json_lines_with_unicode_line_separators_read_back(invoke: Invoke, tmp_path: Path) -> None:
    titles = ["line\u2028separator", "paragraph\u2029separator", "next\x85line"]
    path = write_file(tmp_path, json.dumps([_report(f"A-{i}", t) for i, t in enumerate(titles)]))
    written = invoke("list", "--format", "jsonl", "--data", path).stdout
    assert written.count("\n") == 3
    again = invoke("list", "--json", "--data", "-", input=written)
    assert again.exit_code == 0, again.stderr
    assert sorted(r["title"] for r in json.loads(again.stdout)) == sorted(titles)


# --- 11. no traceback the documentation says cannot happen -------------------------------


FULL_DISK_CASES = {
    "list": (["list"], {}),
    "list --json": (["list", "--json"], {}),
    "show": (["show", "21-27"], {}),
    "schema": (["schema"], {}),
    # what click writes itself (issue #21): these ended in a traceback
    "--help": (["--help"], {}),
    "--version": (["--version"], {}),
    "help list": (["help", "list"], {}),
    "list --help": (["list", "--help"], {}),
    "bash completion": (
        [],
        {"_OIGCLI_COMPLETE": "complete_bash", "COMP_WORDS": "oigcli sh", "COMP_CWORD": "1"},
    ),
    "zsh completion": (
        [],
        {"_OIGCLI_COMPLETE": "complete_zsh", "_TYPER_COMPLETE_ARGS": "oigcli sh"},
    ),
}


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("case", list(FULL_DISK_CASES))
def test_a_full_disk_is_exit_4_with_a_message(case: str) -> None:
    args, environ = FULL_DISK_CASES[case]
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [oigcli_executable(), *args],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            env={**os.environ, **environ},
            check=False,
        )
    assert done.returncode == 4
    assert done.stderr == "Error: cannot write output: No space left on device\n"


def test_a_run_of_thousands_of_digits_in_text(invoke: Invoke, tmp_path: Path) -> None:
    long = "9" * 5000
    path = write_file(
        tmp_path, json.dumps([_report(f"A-{long}", f"Title {long}"), _report("A-1", "Title 1")])
    )
    assert invoke("validate", path).exit_code == 0
    listed = invoke("list", "--json", "--data", path, "--sort", "title")
    assert listed.exit_code == 0, listed.stderr
    assert [r["report_number"] for r in json.loads(listed.stdout)] == ["A-1", f"A-{long}"]


# --- low: a crafted or decayed index, many numbers, what cannot be indexed ---------------


@pytest.mark.usefixtures("small_files_indexed")
@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("reports", "many"),
        ("total_length", "[]"),
        ("format", "2"),
        ("identity", 5),
        ("numbers", "not json"),
        ("numbers", "[1, 2, 3]"),
        ("numbers", '"a string"'),
        ("values", "not json"),
        ("values", "[]"),
        ("values", '{"components": [1], "inspector": [], "tags": []}'),
        ("values", '{"tags": []}'),
        ("notes", "[1]"),
        ("notes", "not json"),
    ],
)
def test_a_crafted_index_never_gives_a_traceback(
    invoke: Invoke, tmp_path: Path, key: str, value: object
) -> None:
    path = write_file(tmp_path, json.dumps(REPORTS))
    where = index_builder.build(path, _cache(), settle=False)
    assert where is not None
    with sqlite3.connect(where) as connection:
        connection.execute("UPDATE meta SET value = ? WHERE key = ?", (value, key))
    connection.close()
    for args in (
        ["list", "--json"],
        ["show", "21-02", "--json"],
        ["show", "21-99"],
        ["filter", "-c", "nowhere", "--json"],  # asks meta's distinct components
    ):
        result = invoke(*args, "--data", path)
        assert result.exception is None or isinstance(result.exception, SystemExit), args
        assert result.exit_code in (0, 1, 3), (args, result.output)
        if result.exit_code == 3:
            assert "has been removed" in result.stderr and not where.exists()


@pytest.mark.usefixtures("small_files_indexed")
@pytest.mark.parametrize(
    "listing",
    [
        "not json",
        '{"a": 1}',
        "[1]",
        '["/etc/passwd"]',  # a place outside the folder: never looked at
        '["../../elsewhere/report.json"]',
        '["dhs/../../../elsewhere/report.json"]',
        '[".."]',
        "[]",  # lists nothing: the folder's own times differ, so it is not used
    ],
)
def test_a_crafted_folder_listing_in_an_index(invoke: Invoke, tmp_path: Path, listing: str) -> None:
    """A folder's index keeps its listing of the folder, which each query stats: one made
    to name other places is refused and removed (or simply does not match), and the
    folder is read."""
    from scraper import write_archive

    root = str(write_archive(tmp_path / "archive"))
    where = index_builder.build(root, _cache(), settle=False)
    assert where is not None
    with sqlite3.connect(where) as connection:
        connection.execute("UPDATE meta SET value = ? WHERE key = 'tree'", (listing,))
    connection.close()
    result = invoke("list", "--json", "--data", root)
    assert result.exit_code == 0 and len(json.loads(result.stdout)) == 3
    assert not where.exists() or listing == "[]"


@pytest.mark.usefixtures("small_files_indexed")
def test_show_of_thousands_of_numbers_with_an_index(invoke: Invoke, tmp_path: Path) -> None:
    path = write_file(tmp_path, json.dumps(REPORTS))
    where = index_builder.build(path, _cache(), settle=False)
    assert where is not None
    numbers = [str(n) for n in range(1, 130_001)]
    result = invoke("show", *numbers, "--data", path)
    assert result.exit_code == 1 and "no report numbered '1'" in result.stderr
    assert where.exists()  # not taken for a damaged index
    found = invoke("show", *numbers[:2000], "21-02", "--json", "--data", path)
    assert found.exit_code == 1  # the others are missing; and nothing was removed
    assert where.exists()


@pytest.mark.usefixtures("small_files_indexed")
def test_a_file_that_cannot_be_indexed_is_not_tried_after_every_query(
    invoke: Invoke, tmp_path: Path, private_cache: list[str]
) -> None:
    reports = [*REPORTS, _report("OIG-21-09", recommendations=10**30, recommendations_concurred=1)]
    path = write_file(tmp_path, json.dumps(reports))
    assert index_builder.build(path, _cache(), settle=False) is None  # SQLite cannot hold 10**30
    assert not index_builder.wanted(path, _cache())
    assert invoke("list", "--data", path).exit_code == 0
    assert private_cache == []
    Path(path).write_text(json.dumps(REPORTS))  # changed: worth trying again
    assert index_builder.wanted(path, _cache())
    assert invoke("list", "--data", path).exit_code == 0 and private_cache == [path]


@pytest.mark.usefixtures("small_files_indexed")
def test_the_cache_is_kept_within_its_size_limit(tmp_path: Path) -> None:
    made = []
    for n in range(4):
        path = write_file(tmp_path, json.dumps(REPORTS), f"data{n}.json")
        where = index_builder.build(path, _cache(), settle=False)
        assert where is not None
        os.utime(where, ns=(n * 10**9, n * 10**9))  # used in this order, oldest first
        made.append(where)
    size = made[0].stat().st_size
    removed = index_builder.prune(_cache(), keep=made[0], max_bytes=2 * size, kept_seconds=0)
    assert removed == [made[1], made[2]]  # the least recently used, never the one kept
    assert made[0].exists() and made[3].exists()


@NEEDS_PROC
def test_ctrl_c_while_the_pager_runs_is_the_pagers(tmp_path: Path) -> None:
    """git ignores SIGINT while its pager runs: Ctrl-C goes to the whole foreground
    process group, and a pager (less) treats it as its own. Exiting would leave less
    orphaned on the terminal."""
    done_file = tmp_path / "paged"
    pager = tmp_path / "pager.py"
    pager.write_text(
        "import os, signal, sys, time\n"
        "signal.signal(signal.SIGINT, signal.SIG_IGN)\n"  # as less: Ctrl-C is its own
        "os.killpg(os.getpgrp(), signal.SIGINT)\n"  # the user presses Ctrl-C
        "time.sleep(0.3)\n"
        f"open({str(done_file)!r}, 'w').write(sys.stdin.read())\n"
    )
    program = (
        "import io, sys\n"
        "from oigcli.output.context import Environment\n"
        "env = Environment(stdout=io.StringIO(), stdout_isatty=True, height=5,\n"
        f"                  environ={{'PAGER': {sys.executable!r} + ' ' + {str(pager)!r}}})\n"
        "env.output('line\\n' * 50)\n"
        "print('still here', file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program],
        capture_output=True,
        text=True,
        timeout=60,
        start_new_session=True,  # its own process group: the SIGINT stays in there
        check=False,
    )
    assert done.returncode == 0 and "still here" in done.stderr, done.stderr
    assert done_file.read_text() == "line\n" * 50


def test_markdown_passes_no_html_link_or_image(invoke: Invoke, tmp_path: Path) -> None:
    title = "<img src=x onerror=alert(1)> ![t](https://tracker.example/p.png) [x](javascript:y)"
    path = write_file(tmp_path, json.dumps([_report("A-1", title, summary="# Not a heading")]))
    for args in (["list"], ["show", "A-1"]):
        text = invoke(*args, "--format", "markdown", "--data", path).stdout
        assert "<img" not in text and "&lt;img" in text
        assert "](" not in text.replace("\\](", "")  # every bracket escaped
    shown = invoke("show", "A-1", "--format", "markdown", "--data", path).stdout
    assert "\n\\# Not a heading" in shown


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"recommendations": -1}, "negative"),
        ({"recommendations_concurred": -3, "recommendations": 2}, "negative"),
        ({"fiscal_year": -1}, "four digits"),
        ({"fiscal_year": 10000}, "four digits"),
        ({"report_number": "  "}, "blank"),
        ({"report_number": ""}, "blank"),
    ],
)
def test_validate_rejects_impossible_values(
    invoke: Invoke, tmp_path: Path, change: dict[str, Any], message: str
) -> None:
    path = write_file(tmp_path, json.dumps([{**_report("A-1"), **change}]))
    result = invoke("validate", path)
    assert result.exit_code == 3 and message in result.stdout
    assert invoke("list", "--data", path).exit_code == 3
