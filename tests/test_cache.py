"""The cache as a person sees it: ``oigcli cache`` lists and clears the indexes, its cap
(OIGCLI_CACHE_MAX), and what pruning never removes (an index in use, one just built)."""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

import pytest

from conftest import Invoke, write_file
from oigcli.sources import cache as index_cache
from oigcli.sources.index import builder as index_builder
from oigcli.sources.index import identity as index_identity
from oigcli.sources.index import reader as index_reader

REPORTS = [
    {"report_number": f"OIG-21-{n:02d}", "title": f"Tunnel {n}", "summary": None,
     "issue_date": None, "fiscal_year": 2021, "component": "CBP", "tags": [],
     "redacted": False, "recommendations": None, "recommendations_concurred": None,
     "document_url": None, "oversight_area": None}
    for n in range(1, 4)
]  # fmt: skip


@pytest.fixture(autouse=True)
def small_files_indexed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(index_identity, "MIN_BYTES", 0)


def _cache() -> Path:
    found = index_cache.location(os.environ)
    assert found is not None
    return found


def _indexed(tmp_path: Path, name: str) -> tuple[str, Path]:
    path = write_file(tmp_path, json.dumps(REPORTS), name)
    made = index_builder.build(path, _cache(), settle=False)
    assert made is not None
    return path, made


@pytest.mark.parametrize(
    ("text", "size"),
    [("", 12 << 30), ("500M", 500 << 20), ("12G", 12 << 30), ("1.5T", 3 << 39),
     ("2048", 2048), ("10GiB", 10 << 30), ("1kb", 1024), (" 3g ", 3 << 30), ("0", 0)],
)  # fmt: skip
def test_the_cap_is_read_as_a_person_writes_a_size(text: str, size: int) -> None:
    assert index_cache.max_bytes({"OIGCLI_CACHE_MAX": text}) == size


@pytest.mark.parametrize("text", ["12x", "G", "-1G", "1 G", "nan", "inf", "1e99G", "12GG"])
def test_a_cap_that_is_not_a_size_is_a_usage_error(
    invoke: Invoke, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    with pytest.raises(ValueError, match="OIGCLI_CACHE_MAX"):
        index_cache.max_bytes({"OIGCLI_CACHE_MAX": text})
    monkeypatch.setenv("OIGCLI_CACHE_MAX", text)
    result = invoke("cache")
    assert result.exit_code == 2
    assert "is not a size; write it as 500M, 12G or 1.5T" in result.stderr
    assert "Traceback" not in result.output


def test_cache_lists_each_index_with_its_dataset_and_clear_removes_them(
    invoke: Invoke, tmp_path: Path
) -> None:
    assert invoke("cache", "--json").stdout.strip() == "[]"
    empty = invoke("cache")
    assert empty.exit_code == 0 and "No index in" in empty.stderr
    first, _ = _indexed(tmp_path, "a.json")
    second, _ = _indexed(tmp_path, "b.json")
    assert invoke("list", "--data", first, "--json").exit_code == 0  # used: listed first
    listed = json.loads(invoke("cache", "--json").stdout)
    assert [row["dataset"] for row in listed] == [os.path.realpath(p) for p in (first, second)]
    assert all(row["reports"] == 3 and row["exists"] and row["bytes"] > 0 for row in listed)
    assert all(row["built"] and row["last_used"] and row["index"] for row in listed)
    table = invoke("cache")
    assert "a.json" in table.stdout and " MB" in table.stdout
    assert "2 in " in table.stderr and "of at most 12,885 MB" in table.stderr
    os.remove(second)
    assert [row["exists"] for row in json.loads(invoke("cache", "--json").stdout)] == [True, False]
    cleared = invoke("cache", "clear")
    assert (cleared.exit_code, cleared.stdout, cleared.stderr) == (0, "", "")  # quiet
    assert json.loads(invoke("cache", "--json").stdout) == []
    assert [p.name for p in _cache().iterdir()] == []


def test_clear_leaves_an_index_in_use_and_says_so(invoke: Invoke, tmp_path: Path) -> None:
    path, made = _indexed(tmp_path, "a.json")
    index = index_reader.open_index(path, _cache())  # a query reading it
    assert index is not None
    with contextlib.closing(index):
        result = invoke("cache", "clear")
        assert result.exit_code == 4 and "1 index in use" in result.stderr
        assert made.exists()
    assert invoke("cache", "clear").exit_code == 0 and not made.exists()


def test_pruning_keeps_an_index_in_use_or_just_built(tmp_path: Path) -> None:
    """The cron recipe's case: yesterday's archive's index is in use, today's was just
    built; a cap smaller than both removes neither (only the older, unused one goes)."""
    made = []
    for n in range(3):
        made.append(_indexed(tmp_path, f"d{n}.json"))
        os.utime(made[-1][1], ns=(n * 10**9, n * 10**9))  # used in this order, oldest first
    in_use = index_reader.open_index(made[1][0], _cache())
    assert in_use is not None
    with contextlib.closing(in_use):
        assert index_builder.prune(_cache(), max_bytes=0) == []  # all built just now
        removed = index_builder.prune(_cache(), max_bytes=0, kept_seconds=0)
    assert removed == [made[0][1], made[2][1]]  # not the one being read
    assert made[1][1].exists()


def test_verbose_says_whether_the_index_answered(invoke: Invoke, tmp_path: Path) -> None:
    path = write_file(tmp_path, json.dumps(REPORTS))
    first = invoke("list", "--data", path, "--verbose")
    assert "read the dataset itself: no index in the cache matches it" in first.stderr
    index_builder.build(path, _cache(), settle=False)
    again = invoke("search", "tunnel", "--data", path, "--verbose")
    assert f"answered from the index {_cache()}" in again.stderr
    assert "answered" not in invoke("list", "--data", path).stderr  # only when asked
    assert "index" not in invoke("list", "--data", path, "--verbose", "--no-cache").stderr
