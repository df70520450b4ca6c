"""The index in the cache: same answers as the file, never stale, never half-written.

Most tests lower index_identity.MIN_BYTES so that small datasets are indexed, and build the index
synchronously with index_builder.build (what the background builder runs)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import (
    REAL_BUILD_IN_BACKGROUND,
    Invoke,
    builders_of,
    oigcli_executable,
    run_oigcli,
    write_file,
)
from oigcli.model.errors import UsageError
from oigcli.sources import cache as index_cache
from oigcli.sources.index import builder as index_builder
from oigcli.sources.index import identity as index_identity
from oigcli.sources.index import layout as index_layout
from oigcli.sources.index import reader as index_reader
from scraper import write_archive
from strategies import CONDITIONS, WORDS, datasets

HOSTILE_WORDS = [
    "ſtop",
    "STOP",
    "ß",
    "ss",
    "İi",
    "K",
    "k",
    "x_y",
    "x",
    "y",
    "é",
    "e\u0301",
    "9",
    "’s",
]
"""Letters whose case folding or word boundaries differ between tools, which an index
built by another tokenizer could get wrong."""


@pytest.fixture
def small_files_indexed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(index_identity, "MIN_BYTES", 0)


def _report(number: str, title: str, summary: str | None = None, **more: Any) -> dict[str, Any]:
    return {
        "report_number": number,
        "title": title,
        "summary": summary,
        "issue_date": None,
        "fiscal_year": 2021,
        "component": "CBP",
        "tags": [],
        "redacted": False,
        "recommendations": 2,
        "recommendations_concurred": 1,
        "document_url": None,
        "oversight_area": None,
        **more,
    }


REPORTS = [
    _report("OIG-21-01", "Tunnel inspections at the border", "Officers found a tunnel."),
    _report("OIG-21-02", "Mail facility", "Canine teams search mail.", component="ICE"),
    _report("OIG-21-03", "Medical care", None, tags=["OFO"], recommendations=5),
]


def _cache() -> Path:
    return index_cache.location(os.environ)


def _build(path: str) -> Path:
    made = index_builder.build(path, _cache(), settle=False)
    assert made is not None and made.exists()
    return made


def _same(invoke: Invoke, *args: str) -> str:
    """Runs args with the index and with --no-cache; both must succeed alike."""
    cached, direct = invoke(*args), invoke(*args, "--no-cache")
    assert (cached.exit_code, cached.output) == (direct.exit_code, direct.output), args
    return cached.output


def _poison(where: Path) -> None:
    """Writes a title into the index that the file does not have: an answer with it came
    from the index."""
    connection = sqlite3.connect(where)
    connection.execute("""UPDATE reports SET title = 'POISON', components = '["POISON"]'""")
    connection.execute("UPDATE components SET item = 'POISON'")
    connection.commit()
    connection.close()


# --- the index is used, and answers as the file does ----------------------------------


@pytest.mark.usefixtures("small_files_indexed")
def test_queries_are_answered_from_the_index(invoke: Invoke, tmp_path: Path) -> None:
    path = write_file(tmp_path, json.dumps(REPORTS))
    _poison(_build(path))
    for args in (
        ["list", "--json"],
        ["show", "21-01", "--json"],
        ["filter", "--text", "tunnel", "--json"],
        ["search", "mail", "--json"],
        ["stats", "--by", "component", "--json"],
        ["stats", "--by", "component", "--text", "mail", "--json"],
    ):
        cached = invoke(*args, "--data", path)
        assert cached.exit_code == 0 and "POISON" in cached.output, args
        direct = invoke(*args, "--data", path, "--no-cache")
        assert direct.exit_code == 0 and "POISON" not in direct.output, args


@pytest.mark.usefixtures("small_files_indexed")
@pytest.mark.parametrize(
    ("text", "decided"),
    [("tunnel", True), ("UNNE", True), ("tunnel mail", True), ("tu", False), ("u.s.", False)],
)
def test_the_index_decides_a_text_of_whole_word_runs(
    invoke: Invoke, tmp_path: Path, text: str, decided: bool
) -> None:
    """filter --text of words made of word characters is answered by FTS5 alone (the
    texts are never read: a poisoned text changes nothing); a text it can only narrow by
    (too short, or with punctuation) is still tested on each report's text."""
    from oigcli.query.criteria import Criteria

    texts = ["a zebra crossing", "mail", "care"]  # zebra: in a text only
    path = write_file(
        tmp_path, json.dumps([{**r, "text": t} for r, t in zip(REPORTS, texts, strict=True)])
    )
    where = _build(path)
    index = index_reader.open_index(path, _cache())
    assert index is not None
    with contextlib.closing(index):
        need = Criteria.from_options(text=text).narrowing()
        assert index.decides(need) == (frozenset({"words"}) if decided else frozenset())
    connection = sqlite3.connect(where)  # the texts no longer say what the words do
    connection.execute("UPDATE texts SET body = ?", (index_layout.pack("poison"),))
    connection.commit()
    connection.close()
    found = json.loads(invoke("filter", "--text", "zebra", "--json", "--data", path).output)
    assert [r["report_number"] for r in found] == ["OIG-21-01"]  # from FTS5, not the text
    assert invoke("filter", "--text", "zebra", "--json", "--data", path, "--no-cache").output == (
        invoke("filter", "--text", "zebra", "--json", "--data", path).output
    )


@pytest.mark.usefixtures("small_files_indexed")
def test_the_index_gives_the_files_answers(invoke: Invoke, tmp_path: Path) -> None:
    path = write_file(tmp_path, json.dumps(REPORTS))
    _build(path)
    data = ("--data", path)
    assert json.loads(_same(invoke, "filter", "--text", "unne", "--json", *data))[0][
        "report_number"
    ] == ("OIG-21-01")
    assert _same(invoke, "filter", "--text", "nowhere", "--json", *data) == "[]\n"
    assert len(json.loads(_same(invoke, "search", "mail*", "--json", *data))) == 1
    _same(invoke, "show", "21-04", *data)  # not found, with the same suggestions
    _same(invoke, "show", "21-03", "oig-21-01", "--json", *data)
    _same(invoke, "list", "--limit", "2", "--offset", "1", "--json", *data)  # query.Newest
    _same(invoke, "filter", "--tag", "OFO", "--limit", "1", "--json", *data)
    for by in ("component", "tag", "redacted", "year", "month", "fiscal_year", "summary"):
        _same(invoke, "stats", "--by", by, "--json", *data)
        _same(invoke, "stats", "--by", by, "--fy", "2020..2021", "--json", *data)
        _same(invoke, "stats", "--by", by, "--fy", "..2020", "--json", *data)


def _hostile_text(draw: st.DrawFn) -> str:
    pieces = st.sampled_from(WORDS + HOSTILE_WORDS) | st.text(max_size=3)
    separators = st.sampled_from([" ", "-", ". ", "\n", "’", "_", ""])
    parts = draw(st.lists(st.tuples(pieces, separators), min_size=1, max_size=12))
    return "".join(piece + separator for piece, separator in parts).strip() or "x"


@st.composite
def _hostile_datasets(draw: st.DrawFn) -> list[dict[str, Any]]:
    reports = draw(datasets(max_size=12))
    for report in reports:
        if draw(st.booleans()):
            report["title"] = _hostile_text(draw)
        if draw(st.booleans()):
            report["summary"] = _hostile_text(draw)
        if draw(st.booleans()):  # folded by casefold, as criteria fold them
            report["components"] = draw(st.lists(st.sampled_from(HOSTILE_WORDS), max_size=2))
        if draw(st.booleans()):
            report["tags"] = draw(st.lists(st.sampled_from(HOSTILE_WORDS), max_size=3))
    return reports


@st.composite
def _queries(draw: st.DrawFn, reports: list[dict[str, Any]]) -> list[str]:
    """A search query or a --text: words of the data (and parts of them), hostile words,
    prefixes and phrases; or stats by a grouping, perhaps over some fiscal years."""
    texts = [f"{r['title']} {r['summary'] or ''}" for r in reports]
    pool = [w for text in texts for w in text.split()] + WORDS + HOSTILE_WORDS
    word = st.sampled_from(pool)
    part = st.builds(
        lambda w, i, j: w[min(i, j) : max(i, j) + 1], word, st.integers(0, 8), st.integers(0, 8)
    )
    kind = draw(st.sampled_from(["search", "prefix", "phrase", "text", "stats", "criteria"]))
    if kind == "criteria":  # pushed down into SQL by the index: it must lose no match
        page = draw(st.sampled_from([[], ["--limit", "2"], ["--limit", "1", "--offset", "1"],
                                     ["--offset", "3"], ["--limit", "0"], ["--sort", "title"]]))  # fmt: skip
        return ["filter", *draw(_criteria_words(reports)), *page]
    if kind == "stats":  # counted by SQLite when SQL decides every criterion
        groupings = ["component", "tag", "redacted", "year", "month", "recommendations", "title"]
        return ["stats", "--by", draw(st.sampled_from(groupings)), *draw(_criteria_words(reports))]
    if kind == "text":
        chosen = draw(st.lists(part | word, min_size=1, max_size=3))
        return ["filter", "--text", " ".join(w for w in chosen if w.strip()) or "x"]
    chosen = draw(st.lists(word, min_size=1, max_size=3))
    query = " ".join(chosen)
    if kind == "prefix":
        query = f"{draw(part).strip() or 'x'}*"
    elif kind == "phrase":
        query = '"' + query.replace('"', "") + '"'
    elif draw(st.booleans()):  # OR and -word: FTS5's NOT and OR, in Query.phrases' order
        other = draw(word).replace('"', "")
        query = f"{query} OR {other}" if draw(st.booleans()) else f'{query} -"{other}"'
    # ranked, ordered and paged by SQL, with the criteria SQL decides (the rest: by Python)
    page = draw(st.sampled_from([[], ["--limit", "2"], ["--limit", "1", "--offset", "1"],
                                 ["--offset", "3"], ["--limit", "0"], ["--sort", "title"]]))  # fmt: skip
    criteria = draw(_criteria_words(reports)) if draw(st.booleans()) else []
    return ["search", query, *page, *criteria]


@st.composite
def _criteria_words(draw: st.DrawFn, reports: list[dict[str, Any]]) -> list[str]:
    """Components, tags, fiscal years, redaction and date windows, in any case."""
    names = [c for r in reports for c in r["components"]] + HOSTILE_WORDS
    tags = [t for r in reports for t in r["tags"]] + HOSTILE_WORDS
    spelling = st.sampled_from([str.upper, str.lower, str.casefold, str])

    def cased(pool: list[str]) -> st.SearchStrategy[str]:
        return st.tuples(st.sampled_from(pool), spelling).map(lambda p: p[1](p[0]))

    words: list[str] = []
    for name in draw(st.lists(cased(names), max_size=2)):
        words += ["-c", name]
    for tag in draw(st.lists(cased(tags), max_size=2)):
        words += ["--tag", tag]
    if draw(st.booleans()):
        words += ["--fy", draw(st.sampled_from(["2019..2021", "2020", "..2018", "2022.."]))]
    words += draw(st.sampled_from([[], ["--redacted"], ["--not-redacted"]]))
    windows = [("2016", None), (None, "2019-10"), ("2019-10-01", "2021-09-30"), ("June 2020", None),
               ("2020-10-01", "2024"), (None, "2021-09-30"), ("2019-10-02", "2021-09-29")]  # fmt: skip
    since, until = draw(st.sampled_from([(None, None), *windows]))
    words += ["--since", since] if since else []
    words += ["--until", until] if until else []
    for condition in draw(st.lists(st.sampled_from(PUSHED_CONDITIONS), max_size=2)):
        words += ["--where", condition]
    words += draw(st.sampled_from([[], ["--nonconcurred"]]))
    return words


PUSHED_CONDITIONS = [
    *CONDITIONS,
    *(f"recommendations{op}2" for op in ("=", "!=", "<", "<=", ">", ">=")),
    *(f"issue_date{op}2020-06" for op in ("=", "!=", "<", "<=", ">", ">=")),
    "issue_date=2021",
    "issue_date!=null",
    "inspector=null",
    "inspector!=dhs",
    "components=straße",
    "components!=cbp",
    "unreleased=false",
    "recommendations=null",
    "redacted<true",
    "redacted!=false",
    "tags!=ofo",
    "tags=STRASSE",
    "recommendations_concurred>=99999999999999999999999",
]
"""--where comparisons the index decides in SQL (numbers, booleans, dates, tags, null) and
some it leaves to the query (text, ~)."""


@contextlib.contextmanager
def _cache_home(folder: str) -> Iterator[Path]:
    """$XDG_CACHE_HOME is ``folder`` (for one hypothesis example); the cache in it."""
    old = os.environ["XDG_CACHE_HOME"]
    os.environ["XDG_CACHE_HOME"] = folder
    try:
        yield index_cache.location(os.environ)
    finally:
        os.environ["XDG_CACHE_HOME"] = old


@given(datasets(max_size=15), st.data())
@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@pytest.mark.usefixtures("small_files_indexed")
def test_sqlite_ranks_as_the_scan_does_to_the_last_bit(
    reports: list[dict[str, Any]], data: st.DataObject
) -> None:
    """Search's score is FTS5's bm25(): the index's scores (from SQLite) and a scan's
    (search.Ranking, from Python) are the same floats, so ties and order agree."""
    from oigcli.query import search
    from oigcli.query.criteria import Criteria

    with tempfile.TemporaryDirectory() as folder, _cache_home(folder) as cache:
        path = write_file(Path(folder), json.dumps(reports))
        made = index_builder.build(path, cache, settle=False)
        assert made is not None
        index = index_reader.open_index(path, cache)
        assert index is not None
        with contextlib.closing(index):
            for query_text in data.draw(st.lists(_queries(reports), min_size=1, max_size=3)):
                if query_text[0] != "search":
                    continue
                try:
                    query = search.parse_query(query_text[1])
                except UsageError:  # a query with no words
                    continue
                need = Criteria().narrowing(terms=query.needed, full_text=True)
                ranked = index.rank(query, need, 0, None)
                assert ranked is not None
                from_sql = [(report["id"], score) for report, score in ranked.rows]
                ranking = search.Ranking(query)
                for report in reports:
                    ranking.pick({**report, "text": report.get("text")})
                hits = ranking.hits()
                assert from_sql == [(h.report["id"], h.score) for h in hits]
                assert ranked.matched == len(hits)


@given(st.data())
@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@pytest.mark.usefixtures("small_files_indexed")
def test_cached_and_uncached_answers_are_the_same(invoke: Invoke, data: st.DataObject) -> None:
    """Search counts words as FTS5 must for its document frequencies; --text finds parts
    of words through the vocabulary: whatever the text, the index finds what reading does."""
    reports = data.draw(_hostile_datasets())
    with tempfile.TemporaryDirectory() as folder, _cache_home(folder) as cache:
        path = write_file(Path(folder), json.dumps(reports))
        assert index_builder.build(path, cache, settle=False) is not None
        for _ in range(4):
            args = [*data.draw(_queries(reports)), "--json", "--data", path]
            cached, direct = invoke(*args), invoke(*args, "--no-cache")
            assert (cached.exit_code, cached.output) == (direct.exit_code, direct.output)


# --- never stale --------------------------------------------------------------------------


def _titles(invoke: Invoke, path: str) -> list[str]:
    result = invoke("list", "--json", "--data", path)
    assert result.exit_code == 0, result.output
    return [r["title"] for r in json.loads(result.output)]


@pytest.mark.usefixtures("small_files_indexed")
def test_an_edit_that_keeps_size_and_modification_time_is_noticed(
    invoke: Invoke, tmp_path: Path
) -> None:
    path = write_file(tmp_path, json.dumps(REPORTS))
    _build(path)
    before = os.stat(path)
    edited = Path(path).read_text().replace("Medical care", "Medical CARE")
    Path(path).write_text(edited)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # touch -r: mtime as it was
    assert os.stat(path).st_size == before.st_size
    assert "Medical CARE" in _titles(invoke, path)


@pytest.mark.usefixtures("small_files_indexed")
def test_a_grown_or_replaced_file_is_read_again(invoke: Invoke, tmp_path: Path) -> None:
    path = write_file(tmp_path, json.dumps(REPORTS))
    _build(path)
    Path(path).write_text(json.dumps([*REPORTS, _report("OIG-21-04", "Added later")]))
    assert "Added later" in _titles(invoke, path)
    _build(path)
    replacement = write_file(tmp_path, json.dumps(REPORTS[:1]), "new.json")
    os.replace(replacement, path)  # a new file (inode) under the same name
    assert _titles(invoke, path) == [REPORTS[0]["title"]]


def test_the_identity_changes_with_any_change(tmp_path: Path) -> None:
    path = write_file(tmp_path, "x" * 5_000_000)
    first = index_identity.identify(path)
    assert first is not None and first == index_identity.identify(path)
    with open(path, "r+b") as file:  # one byte, in the middle, where no sample looks
        file.seek(2_500_123)
        file.write(b"y")
    os.utime(path, ns=(first.mtime_ns, first.mtime_ns))
    second = index_identity.identify(path)
    assert second is not None and second.mtime_ns == first.mtime_ns
    assert second.ctime_ns != first.ctime_ns or second.fingerprint != first.fingerprint
    assert index_identity.identify(str(tmp_path / "missing.json")) is None


def test_a_folder_s_identity_changes_with_any_report_file(tmp_path: Path) -> None:
    """Never stale: a report.json or report.txt added, removed, changed (even to the same
    size and modification time) or replaced anywhere in the folder changes its identity,
    as the walk finds it and as an index's listing of the folder finds it."""
    from scraper import write_full_archive

    root = write_full_archive(tmp_path / "data")
    seen = [index_identity.identify(str(root))]
    assert seen[0] is not None and seen[0] == index_identity.identify(str(root))
    text = root / "gpo" / "2013" / "14-01" / "report.txt"
    record = root / "lsc" / "2013" / "14-01" / "report.json"

    def changed() -> None:
        now = index_identity.identify(str(root))
        assert now is not None and now not in seen
        seen.append(now)

    before = text.stat()
    text.write_text(text.read_text(encoding="utf-8").upper(), encoding="utf-8")
    os.utime(text, ns=(before.st_atime_ns, before.st_mtime_ns))  # same size and mtime
    changed()
    text.unlink()
    changed()
    text.write_text("back", encoding="utf-8")
    changed()
    record.write_text(record.read_text(encoding="utf-8") + " ", encoding="utf-8")
    changed()
    added = root / "gpo" / "2020" / "20-01"
    added.mkdir(parents=True)
    (added / "report.json").write_text("{}", encoding="utf-8")
    changed()
    shutil.rmtree(added)
    changed()
    replaced = record.with_name("new.json")
    replaced.write_text(record.read_text(encoding="utf-8"), encoding="utf-8")
    os.replace(replaced, record)  # the same content, a new file
    changed()
    far = int(2400 * 365.25 * 86400) * 10**9  # past 63 bits of nanoseconds: year 2262 on
    try:
        os.utime(text, ns=(far, far))
    except (OverflowError, OSError):  # a file system that cannot hold it
        pass
    else:
        changed()
    listing = index_identity.tree_listing(str(root))  # what an index keeps, and checks
    assert index_identity.tree_identity(str(root), listing) == seen[-1]
    (root / "gpo" / "2013" / "14-01" / "report.txt").unlink()
    assert index_identity.tree_identity(str(root), listing) != seen[-1]  # its folder changed too


@pytest.mark.usefixtures("small_files_indexed")
def test_a_folder_s_index_is_used_until_a_report_file_changes(
    invoke: Invoke, tmp_path: Path
) -> None:
    from scraper import write_full_archive

    root = str(write_full_archive(tmp_path / "data"))
    made = index_builder.build(root, _cache(), settle=False)
    assert made is not None
    _poison(made)
    assert "POISON" in invoke("list", "--json", "--data", root).stdout  # the index's
    text = Path(root) / "gpo" / "2013" / "14-01" / "report.txt"
    text.write_text("a new text", encoding="utf-8")
    fresh = invoke("list", "--json", "--data", root).stdout
    assert "POISON" not in fresh and json.loads(fresh)  # read again: the folder changed
    found = invoke("search", "new", "--json", "--data", root, "--fields", "id")
    assert json.loads(found.stdout) == [{"id": "gpo/14-01"}]


@pytest.mark.usefixtures("small_files_indexed")
def test_a_file_is_indexed_only_once_it_has_settled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two writes within one tick of the file system's clock leave the same times: a file
    changed less than SETTLED_NS ago is waited for, and looked at again after the wait."""
    path = write_file(tmp_path, json.dumps(REPORTS))
    waits: list[float] = []
    monkeypatch.setattr(index_builder.time, "sleep", waits.append)
    assert index_builder.build(path, _cache()) is not None
    assert len(waits) == 1 and 0 < waits[0] <= index_builder.SETTLED_NS / 1e9

    def written_meanwhile(seconds: float) -> None:
        Path(path).write_text(json.dumps(REPORTS[:2]))

    monkeypatch.setattr(index_builder.time, "sleep", written_meanwhile)
    Path(path).write_text(json.dumps(REPORTS[:1]))
    assert index_builder.build(path, _cache()) is None  # changed while waiting: not now


# --- whole or not at all ------------------------------------------------------------------


@pytest.mark.usefixtures("small_files_indexed")
@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty", "grown", "other database"])
def test_a_damaged_index_is_not_used_and_is_removed(
    invoke: Invoke, tmp_path: Path, damage: str
) -> None:
    path = write_file(tmp_path, json.dumps(REPORTS))
    where = _build(path)
    content = where.read_bytes()
    if damage == "garbage":
        where.write_bytes(b"\x00not sqlite\xff" * 1000)
    elif damage == "truncated":
        where.write_bytes(content[: len(content) // 2])
    elif damage == "empty":
        where.write_bytes(b"")
    elif damage == "grown":
        where.write_bytes(content + b"\x00" * 4096)
    else:
        where.unlink()
        sqlite3.connect(where).execute("CREATE TABLE meta (key, value)").connection.commit()
    result = invoke("list", "--json", "--data", path)
    assert result.exit_code == 0 and "Traceback" not in result.output
    assert [r["report_number"] for r in json.loads(result.output)] == [
        "OIG-21-03",
        "OIG-21-02",
        "OIG-21-01",
    ]
    if damage != "empty":  # an empty file is a database with no tables yet: left alone
        assert not where.exists() or where.read_bytes() != content


@pytest.mark.usefixtures("small_files_indexed")
def test_pages_damaged_inside_the_index_never_give_a_traceback(
    invoke: Invoke, tmp_path: Path
) -> None:
    reports = [_report(f"OIG-21-{n}", f"Report {n}", "word " * 300) for n in range(200)]
    path = write_file(tmp_path, json.dumps(reports))
    where = _build(path)
    content = bytearray(where.read_bytes())
    for offset in range(8192, len(content) - 4096, 16384):  # every fourth page, past meta
        content[offset : offset + 4096] = os.urandom(4096)
    where.write_bytes(bytes(content))
    for args in (["list"], ["search", "word"], ["stats", "--by", "tag"], ["show", "21-5"]):
        result = invoke(*args, "--json", "--data", path)
        assert result.exit_code in (0, 3), (args, result.output)
        assert result.exception is None or isinstance(result.exception, SystemExit)
        if result.exit_code == 3:
            assert "has been removed" in result.output and not where.exists()
            where.write_bytes(bytes(content))


@pytest.mark.usefixtures("small_files_indexed")
def test_a_builder_that_died_leaves_nothing_that_is_read(invoke: Invoke, tmp_path: Path) -> None:
    path = write_file(tmp_path, json.dumps(REPORTS))
    identity = index_identity.identify(path)
    assert identity is not None
    where = index_identity.index_path(identity, _cache())
    where.parent.mkdir(parents=True)
    where.with_suffix(".tmp").write_bytes(b"half an index")  # what a killed builder leaves
    assert _titles(invoke, path)[0] == "Medical care"
    assert not where.exists()
    assert _build(path) == where and not where.with_suffix(".tmp").exists()


@pytest.mark.usefixtures("small_files_indexed")
def test_concurrent_builders_make_one_whole_index(invoke: Invoke, tmp_path: Path) -> None:
    reports = [_report(f"OIG-21-{n}", f"Report {n}", "word " * 200) for n in range(2000)]
    path = write_file(tmp_path, json.dumps(reports))
    results: list[Path | None] = []
    threads = [
        threading.Thread(
            target=lambda: results.append(index_builder.build(path, _cache(), settle=False))
        )
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    made = [r for r in results if r is not None]
    assert made, "no builder finished"  # the others found the lock taken, or the index made
    assert sorted(p.name for p in _cache().iterdir()) == sorted(
        [made[0].name, made[0].with_suffix(".lock").name]
    )
    opened = index_reader.open_index(path, _cache())
    assert opened is not None and opened.reports == 2000
    opened.close()


def _builder_at_work(folder: Path) -> tuple[str, subprocess.Popen[bytes]]:
    """A 20 MB dataset (a build takes a while) and a builder that has begun writing."""
    reports = [_report(f"OIG-21-{n}", f"Report {n}", "word " * 200) for n in range(20000)]
    path = write_file(folder, json.dumps(reports))
    builder = subprocess.Popen([oigcli_executable(), "index", path])
    deadline = time.monotonic() + 60
    while not list(_cache().glob("*.tmp")) and time.monotonic() < deadline:
        time.sleep(0.01)
    return path, builder


def test_a_builder_killed_midway_leaves_the_cache_readable(tmp_path: Path) -> None:
    path, builder = _builder_at_work(tmp_path)
    cache = _cache()
    builder.send_signal(signal.SIGKILL)
    builder.wait()
    assert not list(cache.glob("*.sqlite3"))  # a .tmp perhaps; never a final index
    assert index_reader.open_index(path, cache) is None
    assert subprocess.run([oigcli_executable(), "index", path], check=False).returncode == 0
    opened = index_reader.open_index(path, cache)
    assert opened is not None and opened.reports == 20000
    opened.close()


def test_an_invalid_dataset_is_not_indexed(tmp_path: Path) -> None:
    path = write_file(tmp_path, json.dumps([*REPORTS, {"title": "no number"}]) + " " * 2_000_000)
    assert index_builder.build(path, _cache(), settle=False) is None
    assert not list(_cache().glob("*.sqlite3"))


# --- when there is no index ---------------------------------------------------------------


def test_the_cache_follows_xdg_cache_home() -> None:
    assert index_cache.location({"XDG_CACHE_HOME": "/c", "HOME": "/h"}) == Path("/c/oigcli")
    assert index_cache.location({"XDG_CACHE_HOME": "rel", "HOME": "/h"}) == Path("/h/.cache/oigcli")
    assert index_cache.location({"HOME": "/h"}) == Path("/h/.cache/oigcli")


@pytest.mark.usefixtures("small_files_indexed")
def test_a_first_query_starts_a_builder_and_no_cache_does_not(
    invoke: Invoke, tmp_path: Path, private_cache: list[str]
) -> None:
    path = write_file(tmp_path, json.dumps(REPORTS))
    assert invoke("list", "--data", path, "--no-cache").exit_code == 0
    assert private_cache == []
    assert invoke("list", "--data", path).exit_code == 0
    assert private_cache == [path]
    _build(path)
    assert invoke("list", "--data", path).exit_code == 0
    assert private_cache == [path]  # an index answered: nothing more to build


@pytest.mark.usefixtures("small_files_indexed")
def test_stdin_the_bundled_data_and_small_folders_are_never_indexed(
    invoke: Invoke, tmp_path: Path, private_cache: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    text = json.dumps(REPORTS)
    assert invoke("list", "--data", "-", input=text).exit_code == 0
    assert invoke("list").exit_code == 0
    assert not index_identity.worth_indexing("-") and not index_identity.worth_indexing(None)
    archive = str(write_archive(tmp_path / "archive"))  # 3 reports: read as fast
    assert invoke("list", "--data", archive).exit_code == 0
    assert private_cache == []
    monkeypatch.setattr(index_builder, "MIN_TREE_REPORTS", 3)  # a folder of that many: indexed
    assert invoke("list", "--data", archive).exit_code == 0
    assert private_cache == [archive]
    assert index_builder.build(archive, _cache(), settle=False) is not None  # however few bytes


def test_small_files_are_not_indexed(tmp_path: Path) -> None:
    path = write_file(tmp_path, json.dumps(REPORTS))
    assert not index_identity.worth_indexing(path)
    assert index_builder.build(path, _cache(), settle=False) is None


@pytest.mark.usefixtures("small_files_indexed")
def test_an_unusable_cache_changes_nothing_but_speed(
    invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_file(tmp_path, json.dumps(REPORTS))
    blocker = write_file(tmp_path, "a file where the cache directory would be", "blocker")
    monkeypatch.setenv("XDG_CACHE_HOME", blocker)
    result = invoke("list", "--json", "--data", path)
    assert result.exit_code == 0 and len(json.loads(result.output)) == 3
    cache = index_cache.location(os.environ)
    REAL_BUILD_IN_BACKGROUND(path, cache)  # says nothing, starts nothing
    assert index_builder.build(path, cache, settle=False) is None


@pytest.mark.skipif(not Path("/proc/self/fd").exists(), reason="needs Linux's /proc")
def test_a_real_first_query_indexes_in_the_background_and_lets_go_of_its_pipes(
    tmp_path: Path,
) -> None:
    reports = [_report(f"OIG-21-{n}", f"Report {n}", "tunnel word " * 100) for n in range(1000)]
    path = write_file(tmp_path, json.dumps(reports))
    assert os.path.getsize(path) >= index_identity.MIN_BYTES
    first = subprocess.run(
        [oigcli_executable(), "filter", "--text", "tunnel", "--json", "--data", path],
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert first.returncode == 0 and first.stderr == b"" and len(json.loads(first.stdout)) == 1000
    builders = builders_of(path)  # waiting for the file to settle: still there
    assert builders, "no builder was started"
    for pid in builders:
        assert os.getsid(pid) != os.getsid(0)  # its own session: no terminal, no job
        for fd in ("0", "1", "2"):
            assert os.readlink(f"/proc/{pid}/fd/{fd}") == os.devnull
    deadline = time.monotonic() + 120
    while (
        opened := index_reader.open_index(path, _cache())
    ) is None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert opened is not None, "the index never appeared"
    opened.close()
    _poison(index_identity.index_path(index_identity.identify(path), _cache()))  # type: ignore[arg-type]
    second = subprocess.run(
        [oigcli_executable(), "filter", "--text", "tunnel", "--json", "--data", path],
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert second.returncode == 0 and b"POISON" in second.stdout


@pytest.mark.usefixtures("small_files_indexed")
@pytest.mark.parametrize(
    "odd",
    [
        {"title": "\ud800: a lone surrogate, which JSON can escape"},
        {"recommendations": 10**30, "recommendations_concurred": 1},
    ],
)
def test_what_sqlite_cannot_hold_is_read_from_the_file(
    invoke: Invoke, tmp_path: Path, odd: dict[str, Any]
) -> None:
    path = write_file(tmp_path, json.dumps([*REPORTS, {**_report("OIG-21-09", "x"), **odd}]))
    assert invoke("validate", path).exit_code == 0
    assert index_builder.build(path, _cache(), settle=False) is None
    assert not list(_cache().glob("*.tmp")) and not list(_cache().glob("*.sqlite3"))
    listed = invoke("list", "--json", "--fields", "report_number", "--data", path)
    assert len(json.loads(listed.output)) == 4  # (the title itself, in a real process)


def test_a_terminated_builder_cleans_up(tmp_path: Path) -> None:
    _, builder = _builder_at_work(tmp_path)
    cache = _cache()
    builder.terminate()
    assert builder.wait(timeout=60) == 128 + signal.SIGTERM
    assert not list(cache.glob("*.tmp")) and not list(cache.glob("*.sqlite3"))


@pytest.mark.usefixtures("small_files_indexed")
def test_an_index_of_another_format_is_not_used(invoke: Invoke, tmp_path: Path) -> None:
    path = write_file(tmp_path, json.dumps(REPORTS))
    where = _build(path)
    _poison(where)
    connection = sqlite3.connect(where)
    connection.execute("UPDATE meta SET value = ? WHERE key = 'format'", (index_layout.FORMAT - 1,))
    connection.commit()
    connection.close()
    assert "POISON" not in invoke("list", "--json", "--data", path).output


@pytest.mark.usefixtures("small_files_indexed")
def test_an_index_asked_for_waits_for_the_builder_at_work(tmp_path: Path) -> None:
    import fcntl

    path = write_file(tmp_path, json.dumps(REPORTS))
    identity = index_identity.identify(path)
    assert identity is not None
    where = index_identity.index_path(identity, _cache())
    where.parent.mkdir(parents=True)
    with open(where.with_suffix(".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # a builder at work
        assert (
            index_builder.build(path, _cache(), settle=False) is None
        )  # a background one leaves it
        results: list[Path | None] = []
        waiting = threading.Thread(
            target=lambda: results.append(
                index_builder.build(path, _cache(), settle=False, wait=True)
            )
        )
        waiting.start()
        waiting.join(0.5)
        assert waiting.is_alive()  # cannot finish while the lock is held
    waiting.join()
    assert results == [where]


def test_oigcli_index_says_why_it_did_not_index(tmp_path: Path) -> None:
    small = write_file(tmp_path, json.dumps(REPORTS))  # under 1 MiB: needs none
    done = run_oigcli(["index", small])
    assert done.returncode == 0 and done.stdout == ""
    assert (
        done.stderr
        == f"Note: {small} is under 1 MiB: not indexed (reading it is as fast as an index would answer)\n"
    )
    broken = write_file(tmp_path, json.dumps(REPORTS * 3000)[:-1], "broken.json")
    done = run_oigcli(["index", broken])
    assert done.returncode == 3 and "not indexed: it has problems" in done.stderr
    missing = run_oigcli(["index", str(tmp_path / "missing.json")])
    assert missing.returncode == 3 and "no dataset file, zip or scraper folder" in missing.stderr
    assert run_oigcli(["index", "-"]).returncode == 2
    assert run_oigcli(["index"]).returncode == 2


def test_python_m_oigcli_index_is_not_the_way_to_index(tmp_path: Path) -> None:
    """``python -m`` puts the current folder on the import path (a json.py planted beside
    a dataset would run): the module only builds for a query, and says what to run."""
    path = write_file(tmp_path, json.dumps(REPORTS))
    done = subprocess.run(
        [sys.executable, "-I", "-m", "oigcli.sources.index.builder", path],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2 and "usage: oigcli index PATH..." in done.stderr


@pytest.mark.usefixtures("small_files_indexed")
def test_a_build_prunes_what_no_query_can_use(tmp_path: Path) -> None:
    import fcntl

    kept = write_file(tmp_path, json.dumps(REPORTS), "kept.json")
    gone = write_file(tmp_path, json.dumps(REPORTS[:2]), "gone.json")
    held = write_file(tmp_path, json.dumps(REPORTS[:1]), "held.json")
    kept_index, gone_index, held_index = _build(kept), _build(gone), _build(held)
    kept_index.with_suffix(".tmp").write_bytes(b"left by a builder that died")
    Path(gone).unlink()
    Path(held).unlink()
    with open(held_index.with_suffix(".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # a builder at work on it: not touched
        _build(write_file(tmp_path, json.dumps(REPORTS[1:]), "new.json"))
        assert held_index.exists()
    assert kept_index.exists() and not kept_index.with_suffix(".tmp").exists()
    # a lock file with nothing left to guard goes too, under its own lock
    assert not gone_index.exists() and not gone_index.with_suffix(".lock").exists()
    assert kept_index.with_suffix(".lock").exists()
    assert index_builder.prune(_cache()) == [held_index]  # once nobody holds it
    assert not held_index.with_suffix(".lock").exists()


@pytest.mark.usefixtures("small_files_indexed")
def test_the_index_gives_completion_its_values(tmp_path: Path) -> None:
    path = write_file(tmp_path, json.dumps(REPORTS))
    _build(path)
    opened = index_reader.open_index(path, _cache())
    assert opened is not None
    try:
        assert opened.values("report_number") == ["OIG-21-01", "OIG-21-02", "OIG-21-03"]
        assert opened.values("tags") == ["OFO"]
        assert sorted(opened.values("components")) == ["CBP", "ICE"]
        with pytest.raises(ValueError):
            opened.values("summary")
    finally:
        opened.close()


@pytest.mark.usefixtures("small_files_indexed")
def test_oigcli_no_cache_in_the_environment_is_no_cache(
    invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, private_cache: list[str]
) -> None:
    path = write_file(tmp_path, json.dumps(REPORTS))
    _poison(_build(path))
    monkeypatch.setenv("OIGCLI_NO_CACHE", "1")
    assert "POISON" not in invoke("list", "--json", "--data", path).output
    monkeypatch.setenv("OIGCLI_NO_CACHE", "0")
    assert "POISON" in invoke("list", "--json", "--data", path).output
    monkeypatch.setenv("OIGCLI_NO_CACHE", "perhaps")
    result = invoke("list", "--data", path)
    assert result.exit_code == 2 and "not a valid boolean" in result.output
    assert private_cache == []


@pytest.mark.usefixtures("small_files_indexed")
def test_pushed_down_criteria_fold_case_as_python_does(invoke: Invoke, tmp_path: Path) -> None:
    """Components and tags are matched by casefold, which SQLite's lower() is not: ß is
    SS, the long s is s, the Kelvin sign is k. The index stores Python's folding."""
    odd = ["Straße", "ſtop", "\u212aelvin", "İi"]
    reports = [
        _report(f"OIG-21-{n:02d}", f"Report {n}", component=word, tags=[word])
        for n, word in enumerate(odd, 1)
    ]
    path = write_file(tmp_path, json.dumps(reports))
    _build(path)
    for asked in ("STRASSE", "strasse", "STOP", "stop", "kelvin", "KELVIN", "i̇i", "İI"):
        for option in ("-c", "--tag"):
            found = _same(invoke, "filter", option, asked, "--json", "--data", path)
            assert json.loads(found), (option, asked)  # and the index found it too


@pytest.mark.usefixtures("small_files_indexed")
def test_the_index_answers_selective_criteria_itself(
    invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fiscal years, components, tags, redaction and dates narrow in SQL: the reports the
    criteria rule out are never read from the index."""
    reports = [
        _report("OIG-21-01", "Kept", component="ICE", tags=["OFO"], redacted=True),
        *(_report(f"OIG-19-{n:02d}", "Other", fiscal_year=2019) for n in range(2, 12)),
    ]
    path = write_file(tmp_path, json.dumps(reports))
    _build(path)
    read: list[str] = []
    rows = index_reader.Index._reports

    def counted(self: index_reader.Index, found: Any, names: Any) -> Any:
        for report in rows(self, found, names):
            read.append(report["report_number"])
            yield report

    monkeypatch.setattr(index_reader.Index, "_reports", counted)
    for words in (
        ["--fy", "2021"],
        ["-c", "ice"],
        ["--tag", "ofo"],
        ["--redacted"],
        ["--since", "2020-10-01"],
        ["--fy", "2020..", "--tag", "OFO", "--until", "2021-09-30"],
    ):
        read.clear()
        found = json.loads(invoke("filter", *words, "--json", "--data", path).stdout)
        assert [r["report_number"] for r in found] == ["OIG-21-01"], words
        assert read == ["OIG-21-01"], words  # the ten others stayed in SQLite


def _varied_reports() -> list[dict[str, Any]]:
    """Reports on both sides of every pushed-down comparison's edge: dates around June
    2020 and none, counts 0 to 4 and unknown, concurred equal, fewer or unknown, each
    redaction state, tags in two cases, components and none."""
    reports = []
    dates = [None, "2020-05-31", "2020-06-01", "2020-06-30", "2020-07-01", "2021-03-04"]
    for n in range(36):
        made = None if n % 7 == 0 else n % 5
        reports.append(
            _report(
                f"OIG-20-{n:02d}",
                f"Report {n}",
                issue_date=dates[n % len(dates)],
                fiscal_year=2019 + n % 3 if dates[n % len(dates)] is None else 2020,
                component=[None, "CBP", "ICE", "Straße"][n % 4],
                tags=[[], ["OFO"], ["ofo", "x"], ["STRASSE"]][n % 4],
                redacted=[None, True, False][n % 3],
                recommendations=made,
                recommendations_concurred=None if made is None or n % 4 == 1 else made - n % 2,
            )
        )
    for report in reports:  # a fiscal year that agrees with the date
        if report["issue_date"]:
            year, month = int(report["issue_date"][:4]), int(report["issue_date"][5:7])
            report["fiscal_year"] = year + (month >= 10)
        if report["recommendations_concurred"] is not None:
            report["recommendations_concurred"] = max(report["recommendations_concurred"], 0)
    return reports


@pytest.mark.usefixtures("small_files_indexed")
def test_each_pushed_down_comparison_answers_as_the_file_does(
    invoke: Invoke, tmp_path: Path
) -> None:
    """Every --where comparison the index decides in SQL, and --nonconcurred: filter (which
    SQL only narrows) and stats (which SQL counts by itself when it decides every
    criterion) give what reading the file gives."""
    path = write_file(tmp_path, json.dumps(_varied_reports()))
    _build(path)
    data = ("--data", path)
    for words in (*(["--where", c] for c in PUSHED_CONDITIONS), ["--nonconcurred"]):
        found = json.loads(_same(invoke, "filter", *words, "--json", *data))
        _same(invoke, "filter", *words, "--limit", "3", "--offset", "2", "--json", *data)
        for by in ("component", "tag", "year", "redacted"):
            counted = json.loads(_same(invoke, "stats", "--by", by, *words, "--json", *data))
            assert counted["total"]["reports"] == len(found), words


def test_the_builder_holds_a_batch_not_the_dataset(monkeypatch: pytest.MonkeyPatch) -> None:
    """The builder's memory is a batch (ended by its reports or its texts' characters)
    and a few numbers a report: rows go to a temporary table as each batch is written."""
    from oigcli.load.dataset import read
    from oigcli.sources.index.identity import Identity

    monkeypatch.setattr(index_layout.Writer, "BATCH_CHARACTERS", 1000)
    connection = sqlite3.connect(":memory:", isolation_level=None)
    index_layout.create(connection)
    writer = index_layout.Writer(connection)
    reports = [  # 600 characters of text each
        {**r, "report_number": f"{r['report_number']}-{n}", "text": "word " * 120}
        for n in range(4)
        for r in REPORTS
    ]
    with tempfile.TemporaryDirectory() as folder:
        path = write_file(Path(folder), json.dumps(reports))
        held = []
        for report in read(path).reports:
            writer.add(report)
            held.append(len(writer.rows))
    assert max(held) <= 2  # a batch of two texts' characters at most, never the dataset
    writer.finish(Identity("x", 0, 0, 0, 0, 0, "x"))
    places = [p for (p,) in connection.execute("SELECT place FROM reports ORDER BY newest")]
    assert sorted(places) == list(range(len(reports)))  # every report, once
