"""oigcli export --sqlite FILE: a database Datasette and sqlite-utils read (issue #15, part).

Checked with the two packages themselves (test dependencies): the row count, full-text
search and facet counts equal oigcli's own answers, and Datasette's test client serves
the reports page."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils

from conftest import Invoke
from oigcli.model.schema import FIELD_NAMES
from oigcli.output.export import metadata_path
from scraper import ARCHIVE, TEXTS, write_full_archive

pytestmark = pytest.mark.usefixtures("backend")


def _export(invoke: Invoke, target: Path, *args: str) -> Path:
    result = invoke("export", "--sqlite", str(target), *args)
    assert result.exit_code == 0, result.output
    assert result.stdout == "" and "datasette" in result.stderr  # data to the file
    return target


def _datasette(target: Path, path: str) -> Any:
    from datasette.app import Datasette

    metadata = json.loads(metadata_path(target).read_text(encoding="utf-8"))
    server = Datasette([str(target)], metadata=metadata)
    return asyncio.run(server.client.get(path))


def _json(invoke: Invoke, *args: str) -> Any:
    return json.loads(invoke(*args, "--json").stdout)


def test_the_bundled_reports_as_sqlite_utils_reads_them(
    invoke: Invoke, tmp_path: Path, bundled: list[dict[str, Any]]
) -> None:
    target = _export(invoke, tmp_path / "reports.db")
    db = sqlite_utils.Database(target)
    table = db["reports"]
    assert table.count == 5 and table.pks == ["id"]
    assert [c.name for c in table.columns] == list(FIELD_NAMES)
    types = {c.name: c.type for c in table.columns}
    assert types["fiscal_year"] == types["recommendations"] == types["redacted"] == "INTEGER"
    assert types["title"] == types["components"] == "TEXT"
    assert table.detect_fts() == "reports_fts"  # as sqlite-utils enable-fts makes it
    rows = {r["id"]: r for r in table.rows}
    first = rows["dhs/OIG-21-63"]
    assert json.loads(first["components"]) == ["CBP"] and json.loads(first["tags"]) == ["OFO"]
    assert first["redacted"] == 1 and first["issue_date"] is None  # unknown stays unknown
    assert first["summary"] == bundled[0]["summary"] and first["text"] is None
    found = [r["id"] for r in table.search("canine")]
    assert found == [r["id"] for r in _json(invoke, "filter", "--text", "canine")]


def test_an_archive_with_criteria_facets_and_the_datasette_page(
    invoke: Invoke, tmp_path: Path
) -> None:
    root = str(write_full_archive(tmp_path / "data"))
    (tmp_path / "out").mkdir()
    target = _export(invoke, tmp_path / "out" / "archive.db", "--data", root, "--fy", "..2016")
    listed = _json(invoke, "filter", "--data", root, "--fy", "..2016")
    db = sqlite_utils.Database(target)
    assert sorted(r["id"] for r in db["reports"].rows) == sorted(r["id"] for r in listed)
    texts = {r["id"]: r["text"] for r in db["reports"].rows}
    assert texts["gpo/14-01"] == TEXTS["gpo/14-01"]  # the full text is exported
    assert [r["id"] for r in db["reports"].search("quarantine")] == ["dhs/DS-12-01_2012"]
    facets = _datasette(
        target, "/archive/reports.json?_facet=inspector&_facet_array=components&_size=0"
    ).json()["facet_results"]
    assert set(facets) >= {"fiscal_year", "inspector", "type", "components"}  # metadata's
    for by, name in (("inspector", "inspector"), ("component", "components")):
        stats = _json(invoke, "stats", "--by", by, "--data", root, "--fy", "..2016")
        expected = {g["key"]: g["reports"] for g in stats["groups"] if g["key"] is not None}
        counted = {f["value"]: f["count"] for f in facets[name]["results"]}
        assert counted == expected, by
    page = _datasette(target, "/archive/reports")
    assert page.status_code == 200 and "Border Searches Review" in page.text
    searched = _datasette(target, "/archive/reports.json?_search=quarantine&_shape=objects")
    assert [r["id"] for r in searched.json()["rows"]] == ["dhs/DS-12-01_2012"]
    metadata = json.loads(metadata_path(target).read_text(encoding="utf-8"))
    assert metadata["source"] == root and metadata["title"] == "Inspector General reports"


def test_nothing_is_written_over_unless_asked(invoke: Invoke, tmp_path: Path) -> None:
    target = _export(invoke, tmp_path / "reports.db")
    again = invoke("export", "--sqlite", str(target))
    assert again.exit_code == 2 and "exists; add --replace" in again.stderr
    # another database in the folder: its own metadata, beside the first's (#24)
    other = invoke("export", "--sqlite", str(tmp_path / "other.db"), "-c", "ICE")
    assert other.exit_code == 0, other.output
    assert "-m " + str(tmp_path / "other.metadata.json") in " ".join(other.stderr.split())
    assert json.loads((tmp_path / "other.metadata.json").read_text())["databases"] == {
        "other": json.loads((tmp_path / "other.metadata.json").read_text())["databases"]["other"]
    }
    replaced = invoke("export", "--sqlite", str(target), "--replace", "--title", "CBP")
    assert replaced.exit_code == 0
    metadata = json.loads((tmp_path / "reports.metadata.json").read_text(encoding="utf-8"))
    assert metadata["title"] == "CBP" and list(metadata["databases"]) == ["reports"]


@pytest.mark.parametrize(
    ("args", "status", "message"),
    [
        ([], 2, "Missing option '--sqlite'"),
        (["--sqlite", "{folder}"], 2, "is a folder"),
        (["--sqlite", ""], 2, "is a folder"),  # '.': no name to name the metadata after
        (["--sqlite", "{folder}/missing/x.db"], 4, "cannot write"),
        (["--sqlite", "{folder}/x.db", "--data", "{folder}/none.json"], 3, "no such file"),
        (["--sqlite", "{folder}/x.db", "--fy", "soon"], 2, "not a fiscal year"),
    ],
)
def test_bad_input(
    invoke: Invoke, tmp_path: Path, args: list[str], status: int, message: str
) -> None:
    result = invoke("export", *(a.format(folder=tmp_path) for a in args))
    assert result.exit_code == status, result.output
    assert message in result.stderr and "Traceback" not in result.output
    assert not list(tmp_path.glob(".*.tmp"))  # nothing half-written is left


def test_a_failed_export_leaves_the_old_database_whole(
    invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from oigcli.output import export

    target = _export(invoke, tmp_path / "reports.db")

    def broken(report: dict[str, Any]) -> tuple[Any, ...]:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(export, "_row", broken)
    failed = invoke("export", "--sqlite", str(target), "--replace")
    assert failed.exit_code == 4 and "No space left" in failed.stderr
    assert sqlite3.connect(target).execute("SELECT count(*) FROM reports").fetchone() == (5,)
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]


def test_the_archive_fixture_is_what_is_exported(invoke: Invoke, tmp_path: Path) -> None:
    root = str(write_full_archive(tmp_path / "data"))
    target = _export(invoke, tmp_path / "all.db", "--data", root)
    assert sqlite_utils.Database(target)["reports"].count == len(ARCHIVE)


def test_links_in_the_folder_are_replaced_not_followed(invoke: Invoke, tmp_path: Path) -> None:
    """In a folder others can write, a link named as the metadata (or a chart) could
    point at a file of yours: the file is written beside and renamed over the link."""
    precious = tmp_path / "precious.txt"
    precious.write_text("mine", encoding="utf-8")
    out = tmp_path / "shared"
    out.mkdir()
    (out / "r.metadata.json").symlink_to(precious)
    (out / "charts").mkdir()
    (out / "charts" / "components.svg").symlink_to(precious)
    assert invoke("export", "--sqlite", str(out / "r.db"), "--replace").exit_code == 0
    assert invoke("report", "--assets", str(out / "charts")).exit_code == 0
    assert precious.read_text(encoding="utf-8") == "mine"
    assert not (out / "r.metadata.json").is_symlink()
    assert (out / "charts" / "components.svg").read_text(encoding="utf-8").startswith("<svg")
    assert oct((out / "r.db").stat().st_mode & 0o777) == "0o644"
