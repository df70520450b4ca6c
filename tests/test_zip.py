"""The scraper's bulk zip read in place: `--data bulk.zip`, `--data bulk.zip/dhs` (issue #14,
part), over both sources."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from conftest import Invoke, write_file
from scraper import EXPECTED as IN_FILE_ORDER
from scraper import REPORTS, write_archive

EXPECTED = sorted(IN_FILE_ORDER, key=lambda r: (r["fiscal_year"], r["issue_date"]), reverse=True)
"""The archive's reports as list gives them: newest first."""

pytestmark = pytest.mark.usefixtures("backend")
"""Every test here runs over both sources: reading the data, and its index."""


def _zip_of(tree: Path, target: Path, top: str | None = "data") -> Path:
    """A zip of ``tree``'s files, under ``top``/ (as the bulk zip holds data/), or at the
    root when ``top`` is None."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(tree.rglob("*")):
            inside = path.relative_to(tree).as_posix()
            archive.write(path, f"{top}/{inside}" if top else inside)
    return target


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    return write_archive(tmp_path / "tree")


def _listed(invoke: Invoke, data: str, *more: str) -> list[dict[str, object]]:
    result = invoke("list", "--json", "--data", data, *more)
    assert result.exit_code == 0, result.output
    return list(json.loads(result.stdout))


@pytest.mark.parametrize("top", ["data", None])
def test_a_zip_reads_as_the_tree_it_holds(
    invoke: Invoke, tree: Path, tmp_path: Path, top: str | None
) -> None:
    bulk = _zip_of(tree, tmp_path / "us-inspectors-general.bulk.zip", top)
    assert _listed(invoke, str(bulk)) == _listed(invoke, str(tree)) == EXPECTED
    stats = json.loads(invoke("stats", "--json", "--data", str(bulk)).stdout)
    assert stats["total"]["reports"] == len(EXPECTED)
    assert invoke("validate", str(bulk)).exit_code == 0


@pytest.mark.parametrize("top", ["data", None])
def test_a_folder_inside_the_zip(
    invoke: Invoke, tree: Path, tmp_path: Path, top: str | None
) -> None:
    bulk = _zip_of(tree, tmp_path / "bulk.zip", top)
    assert _listed(invoke, f"{bulk}/dhs") == EXPECTED
    in_2021 = [r for r in EXPECTED if str(r["issue_date"]).startswith("2021")]  # published
    assert _listed(invoke, f"{bulk}/dhs/2021") == in_2021 != []
    missing = invoke("list", "--data", f"{bulk}/peacecorps")
    assert missing.exit_code == 3
    assert "no report.json files in this zip below peacecorps/" in missing.stderr


def test_problems_inside_the_zip_are_named_by_their_place(
    invoke: Invoke, tree: Path, tmp_path: Path
) -> None:
    broken = next(tree.rglob("report.json"))
    broken.write_text(broken.read_text(encoding="utf-8")[:30], encoding="utf-8")
    bulk = _zip_of(tree, tmp_path / "bulk.zip")
    strict = invoke("list", "--data", str(bulk))
    inside = f"{bulk}/data/{broken.relative_to(tree).as_posix()}"
    assert strict.exit_code == 3 and inside in strict.stderr
    assert len(_listed(invoke, str(bulk), "--skip-invalid")) == len(EXPECTED) - 1


def test_a_member_too_large_to_be_a_report_is_not_read(
    invoke: Invoke, tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A zip bomb's member is refused by its declared size, before it is inflated."""
    from oigcli.load import members

    monkeypatch.setattr(members, "JSON_BYTES", 200)
    bulk = _zip_of(tree, tmp_path / "bulk.zip")
    result = invoke("validate", str(bulk))
    assert result.exit_code == 3 and "more than a report.json can be" in result.stdout


def test_what_only_looks_like_a_zip(invoke: Invoke, tree: Path, tmp_path: Path) -> None:
    """A JSON file named .zip is read as JSON; a folder named .zip as a folder; bytes that
    start as a zip but are not one, and a path inside a file that is no zip, are errors."""
    named = write_file(tmp_path, json.dumps(EXPECTED), name="reports.zip")
    assert _listed(invoke, named) == EXPECTED
    folder = write_archive(tmp_path / "archive.zip")
    assert _listed(invoke, str(folder)) == EXPECTED
    fake = tmp_path / "fake.zip"
    fake.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    result = invoke("list", "--data", str(fake))
    assert result.exit_code == 3 and "not a zip file that can be read" in result.stderr
    assert "Traceback" not in result.output
    inside_json = invoke("list", "--data", f"{named}/dhs")
    assert inside_json.exit_code == 3 and "Traceback" not in inside_json.output


def test_the_zip_is_read_in_place(invoke: Invoke, tree: Path, tmp_path: Path) -> None:
    """Nothing is unpacked: the folder holding the zip is the same after a query."""
    (tmp_path / "zips").mkdir()
    bulk = _zip_of(tree, tmp_path / "zips" / "bulk.zip")
    before = sorted(p.name for p in bulk.parent.iterdir())
    assert len(_listed(invoke, str(bulk))) == len(REPORTS)
    assert sorted(p.name for p in bulk.parent.iterdir()) == before
