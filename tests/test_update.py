"""An index that follows its scraper's folder: reports added, changed and removed are
updated in place (only theirs read), answers stay those of the folder itself, a hard-link
copy does not make the index stale, and an update cut short is never read."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import Invoke
from oigcli.load import archive as load_archive
from oigcli.sources import cache as index_cache
from oigcli.sources.index import builder as index_builder
from oigcli.sources.index import identity as index_identity
from oigcli.sources.index import layout as index_layout
from oigcli.sources.index import reader as index_reader
from oigcli.sources.index import update as index_update
from scraper import ARCHIVE, folder_of, write_full_archive

QUERIES = [
    ("list", "--json"),
    ("list", "--json", "--fields", "id,title,text"),
    ("list", "--sort", "fiscal_year", "--json", "--fields", "id"),  # ties: the folder's order
    ("search", "controls", "--json"),
    ("search", "volunteers OR zyxadded", "--json"),
    ("search", "report", "--json", "--offset", "1", "--limit", "3"),
    ("filter", "--text", "zyxadded", "--json"),
    ("stats", "--by", "inspector", "--json"),
    ("show", "dhs/OIG-21-05_2020", "--json"),
]
"""Questions asked of the index after each change, and of the folder itself (--no-cache):
the answers must be the same."""


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The scraper's archive in a folder, indexed; every change a test makes counts as
    settled at once (SETTLED_NS is there so that a write within the clock's tick is seen)."""
    monkeypatch.setattr(index_identity, "MIN_BYTES", 0)
    monkeypatch.setattr(index_builder, "SETTLED_NS", 0)
    root = write_full_archive(tmp_path / "data")
    assert index_builder.build(str(root), _cache(), settle=False) is not None
    return root


def _cache() -> Path:
    return index_cache.location(os.environ)


def _index(root: Path) -> Path:
    return index_identity.index_file(os.path.realpath(root), _cache())


def _meta(root: Path, key: str) -> Any:
    with sqlite3.connect(_index(root)) as connection:
        found = connection.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return None if found is None else found[0]


def _reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every report.json read from now on, by its path."""
    read: list[str] = []
    real = load_archive.read_member

    def counting(path: str, seen: Any = None) -> str:
        read.append(path)
        return real(path, seen)

    monkeypatch.setattr(load_archive, "read_member", counting)
    return read


def _answered_by_index(invoke: Invoke, root: Path) -> bool:
    result = invoke("list", "--limit", "1", "--data", str(root), "--verbose")
    assert result.exit_code == 0, result.output
    return "answered from the index" in result.stderr


def _same_answers(invoke: Invoke, root: Path) -> None:
    """Every question of QUERIES has the same answer from the index (which must be the one
    answering) as from the folder read whole; and FTS5 finds its tables whole."""
    assert _answered_by_index(invoke, root)
    for query in QUERIES:
        cached = invoke(*query, "--data", str(root))
        direct = invoke(*query, "--data", str(root), "--no-cache")
        assert (cached.exit_code, cached.stdout) == (direct.exit_code, direct.stdout), query
    with sqlite3.connect(_index(root)) as connection:
        connection.execute("INSERT INTO words (words) VALUES ('integrity-check')")
        connection.execute("INSERT INTO heads (heads) VALUES ('integrity-check')")
        (count,) = connection.execute("SELECT count(*) FROM reports").fetchone()
    assert count == _meta(root, "reports")


def _add(root: Path, report_id: str, title: str, text: str | None = None, **more: Any) -> Path:
    record = {**ARCHIVE[4], "report_id": report_id, "title": title, **more}
    folder = root / folder_of(record)
    folder.mkdir(parents=True)
    (folder / "report.json").write_text(json.dumps(record), encoding="utf-8")
    if text is not None:
        (folder / "report.txt").write_text(text, encoding="utf-8")
    return folder


def test_an_added_report_is_read_alone_and_found(
    invoke: Invoke, tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    built = _meta(tree, "built")
    read = _reads(monkeypatch)
    folder = _add(tree, "99-01", "Zyxadded Review", "The zyxadded text of a new report.")
    found = invoke("search", "zyxadded", "--json", "--fields", "id", "--data", str(tree))
    assert json.loads(found.stdout) == [{"id": "gpo/99-01"}]
    assert read == [str(folder / "report.json")]  # the one report added, nothing else
    assert _meta(tree, "built") == built and _meta(tree, "updated") is not None  # in place
    assert _meta(tree, "reports") == len(ARCHIVE) + 1
    read.clear()
    assert _answered_by_index(invoke, tree) and read == []  # fresh now: nothing read
    _same_answers(invoke, tree)


def test_changed_and_removed_reports_are_updated(
    invoke: Invoke, tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    changed = tree / folder_of(ARCHIVE[2]) / "report.json"
    record = json.loads(changed.read_text(encoding="utf-8"))
    changed.write_text(json.dumps({**record, "title": "Zyxadded Vouchers"}), encoding="utf-8")
    text = tree / folder_of(ARCHIVE[0]) / "report.txt"
    text.write_text("Now about zyxadded controls.", encoding="utf-8")
    shutil.rmtree(tree / folder_of(ARCHIVE[5]))
    read = _reads(monkeypatch)
    _same_answers(invoke, tree)
    assert sorted(read[:2]) == sorted(str(p.parent / "report.json") for p in (changed, text))
    titles = invoke("filter", "--text", "zyxadded", "--json", "--fields", "id", "--data", str(tree))
    assert json.loads(titles.stdout) == [{"id": "dhs/OIG-21-05_2020"}, {"id": "dhs/DS-12-01_2011"}]
    assert "lsc/14-01" not in invoke("list", "--json", "--data", str(tree)).stdout


def test_many_changes_in_a_row_keep_the_answers(invoke: Invoke, tree: Path) -> None:
    """Adds before, between and after every report, in every order and date, changes and
    removals, each followed by the questions: the numbers left between reports are used
    and the default order, the file's order, ranking and counts stay the folder's."""
    dates = ["2030-01-01", "2013-12-03", "2000-05-05", "2013-11-15", "2013-12-03"]
    for n, date in enumerate(dates):
        _add(tree, f"0{n}-00", f"Zyxadded {n}", "zyxadded " * n, published_on=date)
        _add(tree, f"{n}0-99", "Controls", None, inspector="aaa", published_on=date)
        _add(tree, f"{n}1-99", "Report", "report", inspector="zzz", published_on=date)
        _same_answers(invoke, tree)
    for n in range(len(dates)):
        path = tree / "gpo" / "2013" / f"0{n}-00" / "report.json"
        record = json.loads(path.read_text(encoding="utf-8"))
        path.write_text(json.dumps({**record, "published_on": dates[-1 - n]}), encoding="utf-8")
        if n % 2:
            shutil.rmtree(tree / "zzz" / "2013" / f"{n}1-99")
        _same_answers(invoke, tree)


def test_with_no_room_between_two_reports_they_are_numbered_again(
    invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(index_identity, "MIN_BYTES", 0)
    monkeypatch.setattr(index_builder, "SETTLED_NS", 0)
    monkeypatch.setattr(index_layout, "GAP", 1)  # built with no room at all
    root = write_full_archive(tmp_path / "data")
    assert index_builder.build(str(root), _cache(), settle=False) is not None
    built = _meta(root, "built")
    _add(root, "50-01", "Zyxadded", inspector="zzz", published_on="2013-12-01")  # the middle
    _same_answers(invoke, root)
    assert _meta(root, "built") == built  # numbered again in place, not built anew
    _add(root, "50-02", "Zyxadded", inspector="dhs2")  # between two folders: no room left
    assert not _answered_by_index(invoke, root)
    assert index_builder.build(str(root), _cache(), settle=False) is not None
    assert _meta(root, "built") != built  # the builder made it anew
    _same_answers(invoke, root)


def test_between_spaces_numbers_or_says_there_is_no_room() -> None:
    between, gap = index_layout.between, index_layout.GAP
    assert between(None, None, 3) == [0, gap, 2 * gap]
    assert between(None, 0, 2) == [-2 * gap, -gap]
    assert between(5, None, 2) == [5 + gap, 5 + 2 * gap]
    assert between(0, 9, 2) == [3, 6]
    assert between(0, 2, 1) == [1]
    assert between(0, 2, 2) is None and between(0, 1, 1) is None
    assert between((1 << 63) - 2, None, 1) is None  # past 64 bits: no room
    assert between(None, -(1 << 63) + 1, 1) is None


def test_a_hard_link_copy_leaves_the_index_fresh(
    invoke: Invoke, tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``cp -al`` changes every file's change time (a link more): each file is hashed once,
    found the same, and no report is read; the next query hashes nothing."""
    built = _meta(tree, "built")
    copy = tmp_path / "copy"
    for folder, _, names in os.walk(tree):
        (copy / os.path.relpath(folder, tree)).mkdir(parents=True, exist_ok=True)
        for name in names:
            os.link(os.path.join(folder, name), copy / os.path.relpath(folder, tree) / name)
    read = _reads(monkeypatch)
    hashed: list[str] = []
    real = index_update._read_stat
    monkeypatch.setattr(
        index_update, "_read_stat", lambda path, rel: hashed.append(rel) or real(path, rel)
    )
    assert _answered_by_index(invoke, tree)
    files = len(ARCHIVE) + sum(1 for _ in tree.rglob("report.txt"))
    assert read == [] and len(hashed) == files and _meta(tree, "built") == built
    assert _answered_by_index(invoke, tree) and len(hashed) == files  # recorded: not again


def test_a_rewrite_to_the_same_size_and_time_is_read_again(invoke: Invoke, tree: Path) -> None:
    text = tree / folder_of(ARCHIVE[4]) / "report.txt"
    before = text.stat()
    old = text.read_text(encoding="utf-8")
    text.write_text(old.replace("passport", "zyxadded"), encoding="utf-8")
    os.utime(text, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert text.stat().st_size == before.st_size
    found = invoke("search", "zyxadded", "--json", "--fields", "id", "--data", str(tree))
    assert json.loads(found.stdout) == [{"id": "gpo/14-01"}]
    assert _answered_by_index(invoke, tree)


def test_a_change_too_recent_is_not_trusted(
    invoke: Invoke, tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file written less than SETTLED_NS ago could be written again within the clock's
    tick, unseen: the query reads the folder itself, and the index is left as it was."""
    monkeypatch.setattr(index_builder, "SETTLED_NS", 3600 * 10**9)
    monkeypatch.setattr(index_builder, "MIN_TREE_REPORTS", 1)
    spawned: list[str] = []
    monkeypatch.setattr(index_builder, "build_in_background", lambda p, c: spawned.append(p))
    _add(tree, "99-01", "Zyxadded", "zyxadded")
    found = invoke("search", "zyxadded", "--json", "--fields", "id", "--data", str(tree))
    assert json.loads(found.stdout) == [{"id": "gpo/99-01"}]
    assert _meta(tree, "updated") is None and _meta(tree, "reports") == len(ARCHIVE)
    assert not _answered_by_index(invoke, tree) and spawned  # a builder will settle it


def test_too_many_changes_leave_the_update_to_the_builder(
    invoke: Invoke, tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(index_builder, "MAX_UPDATED", 1)
    monkeypatch.setattr(index_builder, "build_in_background", lambda p, c: None)
    built = _meta(tree, "built")
    _add(tree, "99-01", "Zyxadded", "zyxadded")
    _add(tree, "99-02", "Zyxadded", "zyxadded")
    assert not _answered_by_index(invoke, tree)  # two changed: the query reads the folder
    assert index_builder.build(str(tree), _cache(), settle=False) is not None
    assert _meta(tree, "built") == built and _meta(tree, "reports") == len(ARCHIVE) + 2
    for n in range(6):  # more than a quarter of the reports: built anew
        _add(tree, f"98-0{n}", "Zyxadded", "zyxadded")
    assert index_builder.build(str(tree), _cache(), settle=False) is not None
    assert _meta(tree, "built") != built
    _same_answers(invoke, tree)


@pytest.mark.parametrize("problem", ["duplicate", "broken"])
def test_a_change_with_a_problem_is_not_indexed(invoke: Invoke, tree: Path, problem: str) -> None:
    """A report added with the id of another, or a report.json cut short: the index is not
    updated, and the query says what the folder's problem is, as it does unindexed."""
    if problem == "duplicate":
        folder = tree / "gpo" / "2099" / "14-01"  # gpo/14-01 again, another year's folder
        folder.mkdir(parents=True)
        (folder / "report.json").write_text(json.dumps(ARCHIVE[4]), encoding="utf-8")
    else:
        (_add(tree, "99-01", "Zyxadded") / "report.json").write_text('{"title": ', "utf-8")
    cached = invoke("list", "--json", "--data", str(tree))
    direct = invoke("list", "--json", "--data", str(tree), "--no-cache")
    assert cached.exit_code == direct.exit_code == 3
    assert cached.stderr == direct.stderr
    assert _meta(tree, "reports") == len(ARCHIVE) and _meta(tree, "updated") is None


def test_an_update_cut_short_is_never_read_and_is_undone(invoke: Invoke, tree: Path) -> None:
    """A process killed in the middle of an update leaves SQLite's rollback journal: no
    query reads the index while it is there, and the next update rolls it back first."""
    index = _index(tree)
    program = (  # half of the pages written to the index itself (a cache of one page)
        "import os, sqlite3, sys\n"
        "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "c.execute('PRAGMA cache_size = 1')\n"
        "c.execute('BEGIN IMMEDIATE')\n"
        "c.execute(\"UPDATE reports SET title = 'HALF'\")\n"
        "c.execute('DELETE FROM summaries')\n"
        "os._exit(9)\n"
    )
    subprocess.run([sys.executable, "-I", "-c", program, str(index)], check=False)
    journal = index.with_name(index.name + "-journal")
    assert journal.exists() and b"HALF" in index.read_bytes()  # the index is half-written
    assert index_reader.open_index(str(tree), _cache()) is None  # not while it is there
    _add(tree, "99-01", "Zyxadded", "zyxadded")
    assert "HALF" not in invoke("list", "--json", "--data", str(tree)).stdout
    assert not journal.exists() and _meta(tree, "reports") == len(ARCHIVE) + 1  # undone
    _same_answers(invoke, tree)  # then updated


def test_clear_and_prune_remove_a_journal_left_behind(
    invoke: Invoke, tree: Path, tmp_path: Path
) -> None:
    other = write_full_archive(tmp_path / "other")
    assert index_builder.build(str(other), _cache(), settle=False) is not None
    journals = []
    for root in (tree, other):
        journal = _index(root).with_name(_index(root).name + "-journal")
        journal.write_bytes(b"")
        os.chmod(journal, 0o600)
        journals.append(journal)
    shutil.rmtree(tree)  # its index can serve nobody: a prune removes it, and its journal
    index_builder.prune(_cache())
    assert not _index(tree).exists() and not journals[0].exists()
    assert _index(other).exists() and journals[1].exists()
    assert invoke("cache", "clear").exit_code == 0
    assert not _index(other).exists() and not journals[1].exists()


def test_a_file_swapped_while_the_update_reads_is_not_indexed(
    invoke: Invoke, tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What an update reads must be what its look at the folder found: a report.json
    rewritten between the two (a race another user could try) abandons the update."""
    folder = _add(tree, "99-01", "Zyxadded", "zyxadded")
    real = index_update.tree_identity

    def then_swapped(*args: Any, **kwargs: Any) -> Any:
        found = real(*args, **kwargs)
        (folder / "report.json").write_text(
            json.dumps({**ARCHIVE[4], "report_id": "99-01", "title": "Swapped Zyxadded"}),
            encoding="utf-8",
        )
        return found

    monkeypatch.setattr(index_update, "tree_identity", then_swapped)
    assert not index_builder.refresh(str(tree), _cache())
    assert _meta(tree, "reports") == len(ARCHIVE) and _meta(tree, "updated") is None
    monkeypatch.setattr(index_update, "tree_identity", real)
    found = invoke("search", "zyxadded", "--json", "--fields", "title", "--data", str(tree))
    assert json.loads(found.stdout) == [{"title": "Swapped Zyxadded"}]


def test_an_update_walks_again_only_the_folders_that_changed(
    invoke: Invoke, tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The query's check has looked at every entry already; a folder whose times moved
    (an entry added or removed) is walked again, and nothing else: a whole walk of
    100,000 report folders is 3 s of an update."""
    walks: list[str] = []
    whole: list[str] = []
    partial, full = index_update.tree_files, index_update.tree_listing

    def walking(root: str, *more: Any, **named: Any) -> Any:
        walks.append(root)
        return partial(root, *more, **named)

    def listing(root: str, *more: Any) -> Any:
        whole.append(root)
        return full(root, *more)

    monkeypatch.setattr(index_update, "tree_files", walking)
    monkeypatch.setattr(index_update, "tree_listing", listing)
    _add(tree, "99-01", "Zyxadded", "zyxadded")
    _same_answers(invoke, tree)
    assert whole == [] and walks == [os.path.join(os.path.realpath(tree), "gpo", "2013")]
    shutil.rmtree(tree / "lsc" / "2013" / "14-01")  # a report gone: its year folder walked
    walks.clear()
    _same_answers(invoke, tree)
    assert whole == [] and walks == [os.path.join(os.path.realpath(tree), "lsc", "2013")]
    (tree / "gpo" / "2013" / "linked").symlink_to(tree / "dod")  # a link: a whole walk
    _same_answers_or_read(invoke, tree)
    assert whole


def _same_answers_or_read(invoke: Invoke, root: Path) -> None:
    """The answers are the folder's, from the index or not."""
    for query in QUERIES:
        cached = invoke(*query, "--data", str(root))
        direct = invoke(*query, "--data", str(root), "--no-cache")
        assert (cached.exit_code, cached.stdout) == (direct.exit_code, direct.stdout), query
