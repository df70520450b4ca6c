"""What a newcomer hits in the first minutes (issue #16), and the README's promises."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from conftest import (
    DOCUMENTATION,
    ROOT,
    Invoke,
    fake_terminal,
    oigcli_executable,
    run_oigcli,
    write_file,
)

pytestmark = pytest.mark.usefixtures("backend")
"""Every test here runs over both sources: reading the data, and its index."""

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _report(number: str, title: str = "A title", **more: Any) -> dict[str, Any]:
    return {"report_number": number, "title": title, "fiscal_year": 2021, **more}


# --- errors are one or two lines starting with Error: ------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["list", "--limit", "-1"],
        ["list", "--nonsense"],
        ["list", "-c", "CBP"],
        ["lisst"],
        ["show"],
        ["stats", "--by", "title"],
        ["filter", "--fy", "20x1"],
        ["list", "--format", "xml"],
        ["filter", "--where", "recommendations==8"],
        ["list", "--data", "/nonexistent/reports.json"],
    ],
)
def test_errors_are_one_or_two_lines_starting_with_error(args: list[str]) -> None:
    done = run_oigcli(args)
    assert done.returncode in (2, 3) and done.stdout == ""
    lines = done.stderr.splitlines()
    assert 1 <= len(lines) <= 2 and lines[0].startswith("Error: "), done.stderr
    assert "Usage:" not in done.stderr and "Traceback" not in done.stderr


def test_an_option_of_another_command_names_that_command() -> None:
    done = run_oigcli(["list", "-c", "CBP"])
    assert (
        "did you mean `oigcli filter -c CBP`? (filter, search, stats, recommendations, diff, "
        "export or report take it)" in done.stderr
    )
    assert run_oigcli(["list", "--by", "component"]).stderr.startswith(
        "Error: No such option: --by; did you mean `oigcli stats --by component`? (stats takes it)"
    )
    # a line the other command would refuse too is not offered; the command is still named
    assert run_oigcli(["list", "--by", "x"]).stderr.startswith(
        "Error: No such option: --by (stats takes it)\n"
    )


def test_options_before_the_command_are_offered_after_it() -> None:
    """``oigcli --data X list`` offered ``oigcli show X list`` (the first word taken for a
    command): options written before the command are moved after it (#24)."""
    done = run_oigcli(["--data", "reports.json", "list"])
    assert done.returncode == 2
    assert done.stderr.startswith(
        "Error: No such option: --data before the command; options come after it: "
        "did you mean `oigcli list --data reports.json`?"
    )
    moved = run_oigcli(["--verbose", "--limit", "2", "search", "mail"])
    assert "did you mean `oigcli search --verbose --limit 2 mail`?" in moved.stderr
    assert "oigcli show" not in run_oigcli(["--json", "list"]).stderr


def test_a_doubled_operator_says_what_would_work(invoke: Invoke) -> None:
    for typed, meant in [
        ("recommendations==8", "recommendations=8"),
        ("recommendations=>5", "recommendations>=5"),
        ("fiscal_year<>2021", "fiscal_year!=2021"),
    ]:
        result = invoke("filter", "--where", typed)
        assert result.exit_code == 2 and f"did you mean {meant}?" in result.stderr
    assert invoke("filter", "--where", "title~=x").exit_code == 0  # a regex may start so


# --- stats --by takes categories; schema takes no dataset --------------------------------


@pytest.mark.parametrize("field", ["title", "summary", "report_number", "document_url"])
def test_stats_by_prose_or_identifiers_is_a_usage_error(invoke: Invoke, field: str) -> None:
    result = invoke("stats", "--by", field)
    assert result.exit_code == 2 and "is not a field to group by" in result.stderr


def test_schema_takes_neither_data_nor_format_as_the_readme_says(invoke: Invoke) -> None:
    assert "Every command but `schema` and `diff` takes `--data PATH`" in DOCUMENTATION
    assert "`--format` (`-f`) on every command but `schema`, `open` and `export`" in DOCUMENTATION
    for option in ("--data", "--format"):
        assert invoke("schema", option, "x").exit_code == 2
    assert invoke("diff", "a.json", "b.json", "--data", "x").exit_code == 2
    assert invoke("export", "--sqlite", "x.db", "--format", "json").exit_code == 2


# --- a terminal: 80 columns and narrower -------------------------------------------------


def test_list_at_80_columns_keeps_40_characters_of_each_title(
    invoke: Invoke, bundled: list[dict[str, Any]]
) -> None:
    env, out, err = fake_terminal(80)
    assert invoke("list", env=env).exit_code == 0
    lines = out.getvalue().splitlines()
    assert all(len(line) <= 80 for line in lines)
    start = lines[0].index("title")
    titles = [line[start:] for line in lines[2:]]
    assert len(titles) == 5 and all(len(t) >= 40 for t in titles)
    assert all(r["title"].startswith(t.rstrip("…")) for r, t in zip(bundled, titles, strict=True))
    assert "issue_date" not in lines[0]
    assert err.getvalue() == "Not shown: issue_date (unknown in every row).\n"


def test_columns_chosen_with_fields_are_never_left_out(invoke: Invoke) -> None:
    env, out, err = fake_terminal(80)
    invoke("list", "--fields", "report_number,issue_date,title", env=env)
    assert "issue_date" in out.getvalue() and err.getvalue() == ""


def test_a_cut_snippet_keeps_its_match(invoke: Invoke) -> None:
    env, out, _ = fake_terminal(80, environ={"PAGER": "", "NO_COLOR": "1"})
    invoke("search", "searches", env=env)
    snippet = out.getvalue().splitlines()[2].split("  ")[-1]
    assert "search" in snippet and snippet.endswith("…")


@pytest.mark.parametrize("width", [40, 30, 20])
def test_stats_fits_a_narrow_terminal(invoke: Invoke, width: int) -> None:
    env, out, _ = fake_terminal(width)
    assert invoke("stats", "--by", "redacted", env=env).exit_code == 0
    text = out.getvalue()
    assert all(len(line) <= width for line in text.splitlines()), text
    assert "redacted: yes" in text and "90.9%" in text


def test_a_pipe_gets_the_whole_table(invoke: Invoke) -> None:
    result = invoke("list")
    assert "issue_date" in result.stdout and result.stderr == ""


# --- a typo finds nothing, and says so ---------------------------------------------------


@pytest.mark.parametrize(
    ("args", "note"),
    [
        (["filter", "-c", "CPB"], "the component 'CPB'. Did you mean CBP?"),
        (["filter", "--tag", "OF0"], "the tag 'OF0'. Did you mean OFO?"),
        (["stats", "-c", "CPB"], "the component 'CPB'. Did you mean CBP?"),
        (["search", "mail", "-c", "CPB"], "the component 'CPB'. Did you mean CBP?"),
    ],
)
def test_a_value_no_report_has_gets_a_note(invoke: Invoke, args: list[str], note: str) -> None:
    result = invoke(*args, "--json")
    assert result.exit_code == 0
    assert f"Note: no report in this dataset has {note}" in result.stderr
    data = json.loads(result.stdout)
    assert data == [] or data["total"]["reports"] == 0


def test_no_note_for_a_known_value_in_any_case(invoke: Invoke) -> None:
    assert invoke("filter", "-c", "cbp", "--tag", "ofo", "--json").stderr == ""


def test_the_index_gives_the_same_notes(
    invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    from oigcli.sources import cache as index_cache
    from oigcli.sources.index import builder as index_builder
    from oigcli.sources.index import identity as index_identity

    monkeypatch.setattr(index_identity, "MIN_BYTES", 0)
    path = write_file(tmp_path, json.dumps([_report("A-1", component="CBP", tags=["OFO"])]))
    where = index_cache.location(os.environ)
    assert where is not None and index_builder.build(path, where, settle=False)
    for cache in ([], ["--no-cache"]):
        result = invoke("filter", "-c", "CPB", "--tag", "OF0", "--data", path, *cache)
        assert "'CPB'. Did you mean CBP?" in result.stderr
        assert "'OF0'. Did you mean OFO?" in result.stderr


# --- contradictions are usage errors -----------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["filter", "--since", "2022", "--until", "2021"], "comes after --until 2021"),
        (["list", "--data", ""], "--data is empty"),
        (["validate", ""], "--data is empty"),
        (["filter", "--redacted", "--not-redacted"], "contradict each other"),
        (["stats", "--by", "component", "--by", "tag"], "--by is given 2 times"),
        (["list", "--bom"], "--bom is for csv and tsv"),
    ],
)
def test_contradictions_are_usage_errors(invoke: Invoke, args: list[str], message: str) -> None:
    result = invoke(*args)
    assert result.exit_code == 2 and message in result.stderr


def test_the_environment_is_named_as_the_source_of_a_path(
    invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OIGCLI_DATA", str(tmp_path / "nope.json"))
    result = invoke("list")
    assert result.exit_code == 3
    assert f"OIGCLI_DATA={tmp_path / 'nope.json'}: no such file" in result.stderr
    broken = write_file(tmp_path, "[{", "broken.json")
    monkeypatch.setenv("OIGCLI_DATA", broken)
    assert f"OIGCLI_DATA={broken} cannot be used" in invoke("stats").stderr
    assert "OIGCLI_DATA" not in invoke("list", "--data", broken).stderr  # the option's own


# --- files that are not JSON -------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "said"),
    [
        ("<!DOCTYPE html>\n<html><body>OIG</body></html>", "an HTML page (a saved web page?)"),
        ("<?xml version='1.0'?><reports/>", "XML or HTML"),
        ("report_number,title,fiscal_year\nA-1,Title,2021\n", "looks like CSV"),
        ("report_number\ttitle\nA-1\tTitle\n", "looks like CSV"),
        ('[{"report_number": "A-1", "title": "Cut', "a string that never ends"),
        ('[{"report_number": "A-1", "title": "t", "fiscal_year": 2021},', "is the file cut short?"),
        ('{"report_number": "A-1", "title": "t", "fiscal_year": 2021}\n{"report', "cut short"),
    ],
)
def test_a_file_that_is_not_json_is_named(
    invoke: Invoke, tmp_path: Path, content: str, said: str
) -> None:
    path = write_file(tmp_path, content)
    result = invoke("list", "--data", path)
    assert result.exit_code == 3 and said in result.stderr
    assert "Unterminated string starting at\n" not in result.stderr  # json's, cut short


# --- formats -----------------------------------------------------------------------------


@pytest.mark.parametrize("style", ["github", "pipe", "jira", "textile", "orgtbl", "asciidoc"])
def test_a_pipe_in_the_data_cannot_break_a_pipe_style(
    invoke: Invoke, tmp_path: Path, style: str
) -> None:
    path = write_file(
        tmp_path, json.dumps([_report("A-1", "Ports | and | pipes", component="x|y")])
    )
    text = invoke("list", "--table-format", style, "--data", path).stdout
    lines = [line for line in text.splitlines() if "report_number" in line or "A-1" in line]
    separator = r"(?<!\\)\|\|?" if style == "jira" else r"(?<!\\)\|"  # jira heads with ||
    counts = {len(re.findall(separator, line)) for line in lines}
    assert len(lines) == 2 and len(counts) == 1, text


def test_markup_styles_escape_html(invoke: Invoke, tmp_path: Path) -> None:
    path = write_file(tmp_path, json.dumps([_report("A-1", "<script>x</script> & [a](b)")]))
    for style in ("github", "mediawiki", "html", "unsafehtml"):
        text = invoke("list", "--table-format", style, "--data", path).stdout
        assert "<script>" not in text, style
    latex = invoke("list", "--table-format", "latex_raw", "--data", path).stdout
    assert "\\&" in latex


def test_csv_for_excel_has_a_byte_order_mark_on_request(invoke: Invoke) -> None:
    plain = invoke("list", "--format", "csv").stdout
    marked = invoke("list", "--format", "csv", "--bom").stdout
    assert not plain.startswith("\ufeff") and marked == "\ufeff" + plain
    assert invoke("list", "--format", "tsv", "--bom").stdout.startswith("\ufeffid\treport_number\t")
    assert invoke("stats", "--format", "csv", "--bom").stdout.startswith("\ufeff")


def test_md_fy_prefixes_and_case(invoke: Invoke) -> None:
    assert invoke("list", "-f", "md").stdout == invoke("list", "--format", "markdown").stdout
    assert invoke("list", "-f", "JSON").stdout == invoke("list", "--json").stdout
    every = invoke("filter", "--json").stdout
    for fy in ("FY2021", "fy2021", "FY2019..FY2021", "FY2021.."):
        assert invoke("filter", "--fy", fy, "--json").stdout == every, fy
    assert invoke("filter", "--where", "fiscal_year=FY2021", "--json").stdout == every


def test_oigcli_help(invoke: Invoke) -> None:
    assert invoke("help").stdout == invoke("--help").stdout
    assert invoke("help", "filter").stdout == invoke("filter", "--help").stdout
    result = invoke("help", "stat")
    assert result.exit_code == 2 and "Did you mean stats?" in result.stderr
    done = run_oigcli(["help", "list"])  # the real program builds one command: not for help
    assert done.returncode == 0 and "List every report" in done.stdout


# --- empty pages, and show with numbers missing ------------------------------------------


def test_an_empty_page_is_not_called_no_match(invoke: Invoke) -> None:
    assert invoke("list", "--offset", "9").stderr == (
        "--offset 9 skips them all (5 reports match); this page is empty.\n"
    )
    assert (
        invoke("list", "--limit", "0").stderr == "--limit 0 shows none of them (5 reports match).\n"
    )
    assert invoke("filter", "--fy", "2019").stderr == "No reports match.\n"
    assert invoke("list", "--offset", "9", "--json").stdout == "[]\n"


def test_show_prints_what_it_found_and_names_what_it_did_not(invoke: Invoke) -> None:
    result = invoke("show", "21-63", "21-99", "21-27", "--json")
    assert result.exit_code == 1
    assert [r["report_number"] for r in json.loads(result.stdout)] == ["OIG-21-63", "OIG-21-27"]
    assert "no report numbered '21-99'" in result.stderr
    page = invoke("show", "21-63", "21-99")
    assert page.exit_code == 1 and "OIG-21-63" in page.stdout


# --- the README's exit-status table is what the program does ----------------------------


def _exit_status_table() -> dict[int, str]:
    section = README.split("## Exit status", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| (\d+) \| (.*) \|$", section, re.MULTILINE)
    return {int(status): meaning for status, meaning in rows}


def test_the_exit_status_table_lists_every_status() -> None:
    assert sorted(_exit_status_table()) == [0, 1, 2, 3, 4, 5, 130]


def test_every_example_in_the_exit_status_table_exits_as_it_says(tmp_path: Path) -> None:
    """Each status's own examples, as the table writes them, and one of each kind more."""
    table = _exit_status_table()
    examples = {status: re.findall(r"`([^`]+)`", meaning) for status, meaning in table.items()}
    assert examples[2] == ["--fy 20x1", "--by title"]
    for option in examples[2]:
        assert run_oigcli(["stats", *option.split()]).returncode == 2, option
    pipe = examples[0][0].replace("\\|", "|")
    assert pipe == "oigcli list | head -1"
    done = subprocess.run(
        ["bash", "-c", f"set -o pipefail; {pipe.replace('oigcli', oigcli_executable(), 1)}"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0 and done.stderr == ""
    assert "show" in examples[1] and run_oigcli(["show", "21-99"]).returncode == 1
    assert run_oigcli(["list", "--data", str(tmp_path / "missing.json")]).returncode == 3
    if Path("/dev/full").exists():
        with open("/dev/full", "w") as full:
            status = subprocess.run([oigcli_executable(), "list"], stdout=full, check=False)
        assert status.returncode == 4
    assert "diff --skip-invalid" in examples[5][0]  # (test_diff.py shows exit 5 itself)


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_install_completion_writes_only_into_the_tests_home(private_home: Path) -> None:
    done = run_oigcli(["--install-completion", "bash"])
    assert done.returncode == 0
    assert (private_home / ".bashrc").exists()  # the test's own home, not the real one
