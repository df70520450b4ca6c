"""The Python API (oigcli.open): the CLI's own questions, so the two agree."""

from __future__ import annotations

import datetime as dt
import inspect
import io
import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import oigcli
from conftest import BUNDLED_STATS, NUMBERS, Invoke, write_file
from oigcli.cli.options import CRITERIA, SHAPE
from oigcli.query.criteria import OPTIONS
from strategies import COMPONENTS, CONDITIONS, TAGS, WORDS, datasets

pytestmark = pytest.mark.usefixtures("backend")
"""Every test here runs over both sources: reading the data, and its index."""


def test_the_names_are_the_clis_long_options() -> None:
    """The keywords are the options' long names with _ for - (Typer's own names)."""
    assert set(CRITERIA.options) == set(OPTIONS)
    for name, option in OPTIONS.items():
        assert "--" + name.replace("_", "-") in option.flags
    for method in (oigcli.Reports.filter, oigcli.Reports.search):
        assert set(SHAPE.options) <= set(inspect.signature(method).parameters)


def test_the_readme_example() -> None:
    with oigcli.open() as reports:
        rows = list(reports.filter(component="CBP", fy="2021", where=["recommendations>=5"]))
        assert [r["report_number"] for r in rows] == ["OIG-21-63", "OIG-21-27"]
        assert reports.get("21-27")["recommendations"] == 8
        hits = list(reports.search("canine", limit=3))
        assert [h["report_number"] for h in hits] == ["OIG-21-19"]
        assert list(hits[0])[-2:] == ["score", "snippet"]
        assert reports.stats() == BUNDLED_STATS
        assert reports.stats(by="component")["groups"][0]["key"] == "CBP"
        assert reports.values("tags") == ["OFO"]


def test_typed_errors_as_the_cli_has_them(tmp_path: Path) -> None:
    reports = oigcli.open()
    with pytest.raises(oigcli.NotFound, match="did you mean OIG-21-19"):
        reports.get("21-99")
    with pytest.raises(oigcli.UsageError, match="not a fiscal year"):
        list(reports.filter(fy="20x1"))
    with pytest.raises(oigcli.UsageError, match="not a field to group by"):
        reports.stats(by="title")
    with pytest.raises(
        oigcli.UsageError, match=r"no keyword 'componnet'\. Did you mean component\?"
    ):
        list(reports.filter(componnet="CBP"))
    with pytest.raises(oigcli.UsageError, match="contradict"):
        list(reports.filter(redacted=True, not_redacted=True))
    with pytest.raises(oigcli.DatasetError, match="no such file"):
        list(oigcli.open(tmp_path / "missing.json").filter())
    assert issubclass(oigcli.NotFound, oigcli.OigError)


def test_values_as_python_has_them() -> None:
    reports = oigcli.open()
    assert list(reports.filter(fy=2021)) == list(reports.filter(fy="FY2021"))
    assert list(reports.filter(since=dt.date(2020, 10, 1))) == list(reports.filter())
    assert list(reports.filter(component=["ICE", "cbp"], tag="ofo")) == list(reports.filter())
    only = list(reports.filter(fields=["title", "report_number"], limit=1))
    assert list(only[0]) == ["title", "report_number"]


def test_standard_input_is_read_once(bundled: list[dict[str, Any]]) -> None:
    reports = oigcli.Reports("-", stdin=io.StringIO(json.dumps(bundled)))
    assert len(list(reports.filter())) == 5
    with pytest.raises(oigcli.UsageError, match="read by an earlier query"):
        reports.stats()


def test_a_path_object_and_the_cache_switch(tmp_path: Path, bundled: list[dict[str, Any]]) -> None:
    path = Path(write_file(tmp_path, json.dumps(bundled)))
    assert list(oigcli.open(path, cache=False).filter()) == list(oigcli.open().filter())


def test_the_package_loads_the_api_only_when_asked() -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", "import sys, oigcli; print('oigcli.api' in sys.modules)"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == "False"
    with pytest.raises(AttributeError):
        oigcli.nothing_here  # noqa: B018


# --- the API and the CLI give the same answers ------------------------------------------


@st.composite
def _options(draw: st.DrawFn) -> tuple[dict[str, Any], list[str], list[str]]:
    """The same criteria and shaping, as Python keywords and as command-line words; and
    the words of the criteria alone (what stats takes)."""
    keywords: dict[str, Any] = {}
    words: list[str] = []
    components = draw(st.lists(st.sampled_from([c for c in COMPONENTS if c]), max_size=2))
    if components:
        keywords["component"] = components
        words += [w for c in components for w in ("-c", c)]
    if draw(st.booleans()):
        keywords["inspector"] = inspector = draw(st.sampled_from(["dhs", "GPO"]))
        words += ["--inspector", inspector]
    if draw(st.booleans()):
        keywords["fy"] = year = draw(st.sampled_from(["2019..2021", "2020", "..2018", "FY2022"]))
        words += ["--fy", year]
    if draw(st.booleans()):
        keywords["tag"] = tag = draw(st.sampled_from(TAGS))
        words += ["--tag", tag]
    if draw(st.booleans()):
        keywords["text"] = text = draw(st.sampled_from(WORDS))
        words += ["--text", text]
    if draw(st.booleans()):
        keywords["since"] = since = draw(st.sampled_from(["2019-10", "2020"]))
        words += ["--since", since]
    where = draw(st.lists(st.sampled_from(CONDITIONS), max_size=2))
    if where:
        keywords["where"] = where
        words += [w for c in where for w in ("--where", c)]
    flag = draw(st.sampled_from([None, "redacted", "not_redacted", "nonconcurred"]))
    if flag:
        keywords[flag] = True
        words.append("--" + flag.replace("_", "-"))
    criteria_words = list(words)
    if draw(st.booleans()):
        keywords["sort"] = sort = draw(st.sampled_from(["-recommendations", "title,inspector"]))
        words.append(f"--sort={sort}")
    if draw(st.booleans()):
        keywords["limit"] = limit = draw(st.integers(0, 4))
        words += ["--limit", str(limit)]
    if draw(st.booleans()):
        keywords["offset"] = offset = draw(st.integers(0, 3))
        words += ["--offset", str(offset)]
    return keywords, words, criteria_words


@given(st.data())
@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_the_api_answers_as_the_cli_prints(invoke: Invoke, data: st.DataObject) -> None:
    reports_data = data.draw(datasets(max_size=15))
    keywords, words, criteria_words = data.draw(_options())
    with tempfile.TemporaryDirectory() as folder:
        path = write_file(Path(folder), json.dumps(reports_data))
        reports = oigcli.open(path)
        cli = invoke("filter", *words, "--json", "--data", path)
        assert list(reports.filter(**keywords)) == json.loads(cli.stdout)
        term = data.draw(st.sampled_from(WORDS))
        cli = invoke("search", term, *words, "--json", "--data", path)
        assert list(reports.search(term, **keywords)) == json.loads(cli.stdout)
        criteria = {k: v for k, v in keywords.items() if k not in ("sort", "limit", "offset")}
        cli = invoke("stats", "--by", "component", *criteria_words, "--json", "--data", path)
        assert reports.stats(by="component", **criteria) == json.loads(cli.stdout)
        if reports_data:
            number = reports_data[0]["report_number"]
            shown = invoke("show", number, "--json", "--data", path)
            assert reports.get(number) == json.loads(shown.stdout)


def test_the_numbers_of_the_bundled_data() -> None:
    assert [r["report_number"] for r in oigcli.open().filter()] == NUMBERS


def test_the_first_example_of_docs_api_md_runs_and_says_true(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from conftest import ROOT

    text = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    example = text.split("```python\n", 1)[1].split("```", 1)[0]
    exec(compile(example, "docs/api.md", "exec"), {})
    assert capsys.readouterr().out.splitlines() == ["OIG-21-63 5", "OIG-21-27 8"]
    for line in example.splitlines():  # each `expression  # value` comment is the value
        code, _, shown = line.partition("  # ")
        if shown and not code.lstrip().startswith(("with", "for", "print", "import")):
            with oigcli.open() as reports:
                value = eval(code.strip(), {"reports": reports})
            assert repr(value).startswith(shown.rstrip(".")), line


def test_the_readmes_python_example_runs() -> None:
    from conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    example = readme.split("```python\n", 1)[1].split("```", 1)[0]
    assert "oigcli.open()" in example
    exec(compile(example, "README.md", "exec"), {})


def test_a_notebook_sees_the_public_names() -> None:
    import oigcli

    assert dir(oigcli) == sorted(oigcli.__all__)
    assert "open" in dir(oigcli) and "importlib" not in dir(oigcli)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda r: list(r.filter(limt=3)), "Reports.filter() has no keyword 'limt'. Did you mean limit?"),
        (lambda r: list(r.search("x", componet="CBP")), "Reports.search() has no keyword 'componet'. Did you mean component?"),
        (lambda r: r.stats(compnent="CBP"), "Reports.stats() has no keyword 'compnent'. Did you mean component?"),
    ],
)  # fmt: skip
def test_a_misspelt_keyword_names_the_method_called(call: Any, message: str) -> None:
    with oigcli.open() as reports, pytest.raises(oigcli.UsageError) as raised:
        call(reports)
    assert str(raised.value).startswith(message)
    assert "criterion" not in str(raised.value).split(".")[0]


def test_not_found_tells_a_python_user_what_python_does() -> None:
    with oigcli.open() as reports, pytest.raises(oigcli.NotFound) as raised:
        reports.get("OIG-99-99")
    assert "oigcli list" not in str(raised.value)
    assert "Reports.filter() gives every report" in str(raised.value)
