"""The README and the docs agree with the program: its commands, its schema table."""

from __future__ import annotations

import re

from conftest import DOCUMENTS, ROOT
from oigcli.model.schema import FIELDS

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _command_after(marker: str) -> str:
    match = re.search(rf"<!-- {marker} -->\n```sh\n(.+)\n```", README)
    assert match, f"README has no {marker} block"
    return match.group(1)


def test_readme_has_the_two_one_line_commands() -> None:
    assert _command_after("install-command") == "pip install . && oigcli list"
    assert _command_after("test-command") == "pip install -e '.[test]' && pytest"


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "test-command" in ci  # .ci/run reads the line from the README, so they cannot differ


def test_schema_table_is_generated_from_the_schema() -> None:
    table = (
        DOCUMENTS["docs/dataset.md"]
        .split("<!-- schema-table", 1)[1]
        .split("<!-- end schema-table -->", 1)[0]
    )
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    assert rows == [
        f"| `{f.name}` | {f.type_name} | {f.description} | {f.source} |" for f in FIELDS
    ]


def test_cli_reference_is_up_to_date() -> None:
    """docs/cli.md is generated from the program; regenerate it when the CLI changes."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("cli_docs", ROOT / "scripts" / "cli_docs.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert (ROOT / "docs" / "cli.md").read_text(encoding="utf-8") == module.render(), (
        "docs/cli.md is stale: run python scripts/cli_docs.py"
    )


def test_the_readme_is_read_in_five_minutes() -> None:
    """The README is what it is, how to install it, the first commands and where the
    manual is (issue #22: about 250 lines at most); the manual is in docs/."""
    assert len(README.splitlines()) <= 250


def test_every_link_between_the_documents_leads_somewhere() -> None:
    pages = {**DOCUMENTS, "CONTRIBUTING.md": (ROOT / "CONTRIBUTING.md").read_text("utf-8")}
    broken = []
    for path, text in pages.items():
        for target in re.findall(r"\]\(([^)#:]+\.md)(?:#[^)]*)?\)", text):
            if not (ROOT / path).parent.joinpath(target).resolve().is_file():
                broken.append(f"{path} -> {target}")
    assert broken == []
