"""oigcli report: a brief in HTML or Markdown (issue #15, part).

The charts' numbers are stats --json's; the HTML is one file that asks for nothing; the
brief is a pure function of the data and the options. A real browser (headless Chromium,
when installed: .ci/run installs it) renders the HTML at a laptop's and a phone's width
and prints it to PDF; the screenshots are kept in $OIGCLI_TEST_ARTIFACTS when it is set
(CI prints where), else in the test's temporary folder."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from browser import chromium, opened
from conftest import Invoke, write_file
from scraper import STATING, TEXTS, write_full_archive

pytestmark = pytest.mark.usefixtures("backend")


def _bars(svg_text: str) -> dict[tuple[str, str], int | None]:
    """(label, series) -> the value each bar of an SVG chart carries."""
    found = {}
    for match in re.finditer(r"<rect class=\"bar\"([^>]*)>", svg_text):
        attrs = dict(re.findall(r'([\w-]+)="([^"]*)"', match.group(1)))
        value = attrs["data-value"]
        found[(attrs["data-label"], attrs["data-series"])] = int(value) if value else None
    return found


def _charts(html_text: str) -> list[str]:
    return re.findall(r"<svg .*?</svg>", html_text, re.S)


def _stats(invoke: Invoke, by: str, *args: str) -> dict[str, Any]:
    return json.loads(invoke("stats", "--by", by, *args, "--json").stdout)


def _key(key: Any) -> str:
    return "unknown" if key is None else str(key)


@pytest.mark.parametrize("criteria", [[], ["--fy", "2011..2014"], ["-c", "Peace Corps"]])
def test_the_charts_are_the_numbers_of_stats(
    invoke: Invoke, tmp_path: Path, criteria: list[str]
) -> None:
    root = str(write_full_archive(tmp_path / "data"))
    args = ["--data", root, *criteria]
    page = invoke("report", "--format", "html", *args)
    assert page.exit_code == 0, page.output
    charts = _charts(page.stdout)
    by_year = _stats(invoke, "fiscal_year", *args)
    counted = {(_key(g["key"]), "reports"): g["reports"] for g in by_year["groups"]}
    known_years = [g["key"] for g in by_year["groups"] if g["key"] is not None]
    for year in range(min(known_years), max(known_years) + 1):  # every year on the axis
        counted.setdefault((str(year), "reports"), 0)
    assert _bars(charts[0]) == counted
    several = len(_stats(invoke, "inspector", *args)["groups"]) > 1
    by_group = _stats(invoke, "inspector" if several else "component", *args)
    expected = {}
    for g in by_group["groups"]:  # a group of no count known is left out (and said)
        if (g["recommendations"], g["concurred"]) != (None, None):
            expected[(_key(g["key"]), "recommendations")] = g["recommendations"]
            expected[(_key(g["key"]), "concurred")] = g["concurred"]
    assert (_bars(charts[1]) if len(charts) > 1 else {}) == expected
    for key in ("reports", "unknown_counts"):  # the headline totals are stats' too
        assert f"<dd>{by_year['total'][key]:,}</dd>" in page.stdout


def test_the_bundled_brief_is_honest(invoke: Invoke) -> None:
    text = invoke("report", "--format", "html").stdout
    assert "<dd>22</dd>" in text and "<dd>20</dd>" in text and "<dd>90.9%</dd>" in text
    assert text.count("<td>unknown</td>") == 5  # no issue date is invented
    assert "OIG-21-27: CBP Faced Challenges" in text  # the one with two not concurred
    years, components = _charts(text)
    assert _bars(years) == {("2021", "reports"): 5}
    assert _bars(components) == {("CBP", "recommendations"): 22, ("CBP", "concurred"): 20}
    markdown = invoke("report").stdout
    assert markdown.startswith("# Inspector General reports\n")
    assert (
        "| Concurrence rate | 90.9% |" in markdown and "| OIG-21-63 | unknown | CBP |" in markdown
    )


def test_the_html_is_one_file_that_asks_for_nothing(invoke: Invoke) -> None:
    text = invoke("report", "--format", "html").stdout
    assert "<script" not in text.lower() and "@import" not in text and "url(" not in text
    assert not re.search(r"\ssrc=", text)
    assert "Content-Security-Policy" in text and "default-src 'none'" in text
    links = re.findall(r'href="([^"]*)"', text)
    assert all(link.startswith(("http://", "https://")) for link in links)  # links, not loads
    for svg in _charts(text):  # each chart named and described for screen readers
        assert 'role="img"' in svg and "aria-label=" in svg and "<desc>" in svg


def test_the_brief_is_a_pure_function_of_data_and_options(invoke: Invoke) -> None:
    for fmt in ("html", "markdown"):
        first = invoke("report", "--format", fmt).stdout
        assert first == invoke("report", "--format", fmt).stdout
        assert "2026" not in first  # no time unless asked for
        dated = invoke("report", "--format", fmt, "--date", "29 November 2026").stdout
        assert "29 November 2026" in dated and dated != first


def test_markdown_assets_are_the_charts_as_files(invoke: Invoke, tmp_path: Path) -> None:
    charts = tmp_path / "charts"
    result = invoke("report", "--assets", str(charts))
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in charts.iterdir())
    assert written == ["components.svg", "fiscal-years.svg"]
    assert f"]({charts}/fiscal-years.svg)" in result.stdout
    html = invoke("report", "--format", "html").stdout
    assert (charts / "fiscal-years.svg").read_text(encoding="utf-8").strip() == _charts(html)[0]
    refused = invoke("report", "--format", "html", "--assets", str(charts))
    assert refused.exit_code == 2 and "--assets is for --format markdown" in refused.stderr


def test_hostile_text_is_escaped(
    invoke: Invoke, tmp_path: Path, bundled: list[dict[str, Any]]
) -> None:
    evil = {
        **bundled[0],
        "title": '<script>alert(1)</script> & "x" ![i](https://t/p.png)',
        "components": ["<b>CBP</b>"],
        "document_url": "javascript:alert(1)",
    }
    path = write_file(tmp_path, json.dumps([evil]))
    html = invoke("report", "--format", "html", "--data", path).stdout
    assert "<script>" not in html and "&lt;script&gt;" in html and "<b>CBP" not in html
    assert "javascript:" not in html  # not a web address: the title is not linked
    markdown = invoke("report", "--data", path).stdout
    assert "<script>" not in markdown and "![i](" not in markdown


def test_an_archive_brief_links_documents_and_landing_pages(invoke: Invoke, tmp_path: Path) -> None:
    root = str(write_full_archive(tmp_path / "data"))
    html = invoke("report", "--format", "html", "--data", root).stdout
    assert 'href="https://oig.federalreserve.gov/reports/it-b-013.htm"' in html  # unreleased
    assert 'href="https://www.dodig.mil/reports/DODIG-2015-001.pdf"' in html  # its document
    # the scraper records no counts: two reports' texts state them, 14 stay unknown
    assert "<dt>Recommendations</dt><dd>3</dd>" in html
    assert "<dt>Reports with unknown counts</dt><dd>14</dd>" in html


def _artifacts(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("OIGCLI_TEST_ARTIFACTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.mark.skipif(chromium() is None, reason="no chromium on this machine (CI installs it)")
@pytest.mark.parametrize("data", ["bundled", "archive"])
def test_the_html_in_a_real_browser(
    invoke: Invoke, tmp_path: Path, data: str, backend: str
) -> None:
    args = [] if data == "bundled" else ["--data", str(write_full_archive(tmp_path / "data"))]
    page_file = tmp_path / "brief.html"
    page_file.write_text(invoke("report", "--format", "html", *args).stdout, encoding="utf-8")
    artifacts = _artifacts(tmp_path)
    for width in (1280, 390):
        with opened(page_file.as_uri(), width) as page:
            assert page.problems() == []
            assert page.requests() == []
            assert page.evaluate("document.documentElement.scrollWidth") <= width  # no overflow
            assert page.evaluate("document.querySelectorAll('svg.chart').length") == 2
            described = (
                "[...document.querySelectorAll('svg.chart')].every(s => "
                "s.getAttribute('aria-label') && s.nextElementSibling.querySelector('table'))"
            )
            assert page.evaluate(described) is True  # each chart, then its table
            name = f"brief-{data}-{backend}-{width}"
            page.screenshot(artifacts / f"{name}.png")
            if width == 1280:
                pdf = page.pdf(artifacts / f"{name}.pdf")
                assert pdf.startswith(b"%PDF") and len(pdf) > 1000
    print(f"screenshots and PDFs in {artifacts}")


def test_an_archive_brief_leaves_out_the_unknown_and_says_whose(
    invoke: Invoke, tmp_path: Path
) -> None:
    """#24: on an archive the brief was mostly "unknown" rows and no counts per
    inspector. Counts are charted per inspector when there are several, with the
    inspectors of no known count left out in one line; every fiscal year from the first
    to the last is on the axis; the list says whose each report is."""
    root = str(write_full_archive(tmp_path / "data"))
    text = invoke("report", "--data", root).stdout
    assert "## Recommendations made and concurred with, per inspector" in text
    charted = text.split("per inspector", 1)[1].split("## Most", 1)[0]
    assert "| gpo | 3 | 3 |" in charted and "| flra | 0 | 0 |" in charted
    assert "dhs |" not in charted and "unknown" not in charted.split("Not charted")[0]
    assert "Not charted: 5 inspectors with no count known (dhs, dod, fed, lsc, peacecorps)." in (
        charted
    )
    years = text.split("## Reports per fiscal year", 1)[1].split("##", 1)[0]
    assert "| 2007 | 0 |  |" in years and "| 2020 | 0 |  |" in years
    assert "| number | issued | inspector | components | title |" in text
    assert "| 14-01 | 2013-12-03 | gpo | GPO |" in text
    html = invoke("report", "--format", "html", "--data", root).stdout
    assert '<th scope="col">inspector</th>' in html
    assert "Not charted: 5 inspectors with no count known" in html
    # no count known anywhere: no chart of counts, the line instead
    bare = write_full_archive(
        tmp_path / "bare", {k: v for k, v in TEXTS.items() if k not in STATING}
    )
    text = invoke("report", "--data", str(bare)).stdout
    counts = text.split("per inspector", 1)[1].split("## Most", 1)[0]
    assert (
        counts.strip()
        == "Not charted: 7 inspectors with no count known (dhs, dod, fed, flra, gpo, lsc, peacecorps)."
    )
    html = invoke("report", "--format", "html", "--data", str(bare)).stdout
    assert html.count("<svg") == 1  # the years' chart alone


def test_a_brief_on_one_inspector_charts_components(invoke: Invoke) -> None:
    text = invoke("report").stdout
    assert "## Recommendations made and concurred with, per component" in text
    assert "| CBP | 22 | 20 |" in text and "Not charted" not in text
    assert "| number | issued | components | title |" in text


def test_what_is_new_gives_the_newest_reports_in_their_own_words(
    invoke: Invoke, tmp_path: Path
) -> None:
    """The nightly brief of new reports had titles alone: the newest reports (all of a
    night's) now come with their summaries, escaped as every Markdown value is."""
    text = invoke("report").stdout
    new = text.split("## What is new: each report, in its own words", 1)[1].split("## Every")[0]
    assert new.count("\n### ") == 5
    assert "### OIG-21-27: CBP Faced Challenges" in new
    assert "\\[REDACTED\\] pieces of mail" in new  # escaped: no link can start
    assert "fiscal year 2021 · dhs · CBP" in new
    root = write_full_archive(tmp_path / "data")
    text = invoke("report", "--data", str(root)).stdout
    new = text.split("## What is new", 1)[1].split("## Every")[0]
    assert "2013-12-03 · gpo · GPO" in new and "We audited the controls" in new
    assert "No summary." in new  # a report without one says so
    many = [{**r, "id": f"dhs/X-{i}", "report_number": f"X-{i}"} for i, r in
            enumerate(json.loads(invoke("list", "--json").stdout) * 6)]  # fmt: skip
    text = invoke("report", "--data", write_file(tmp_path, json.dumps(many))).stdout
    assert "## What is new: the newest 25 reports, in their own words" in text
    html = invoke("report", "--format", "html").stdout
    assert "<h2>What is new: each report, in its own words</h2>" in html
    assert html.count("<h3>") == 5
