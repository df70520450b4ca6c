"""The shape of the code: no import cycles in oigcli/, and storage stays behind its door."""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "oigcli"


def _imports(path: Path) -> set[str]:
    """The oigcli modules ``path`` imports when it runs: at the top or inside a function,
    but not under ``if TYPE_CHECKING:`` (those never run)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(inner) for inner in ast.walk(node))
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "oigcli":
                found.update(f"oigcli.{alias.name}" for alias in node.names)
            elif node.module.startswith("oigcli."):
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("oigcli."))
    modules = {f"oigcli.{p.stem}" for p in PACKAGE.glob("*.py")}
    return {name for name in found if name in modules}


def _graph() -> dict[str, set[str]]:
    return {f"oigcli.{p.stem}": _imports(p) for p in PACKAGE.glob("*.py")}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every cycle found by a depth-first walk (each reported once, from where it closes)."""
    found: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(module: str) -> None:
        state[module] = 1
        path.append(module)
        for imported in sorted(graph.get(module, ())):
            if state.get(imported) == 1:
                found.append([*path[path.index(imported) :], imported])
            elif imported not in state:
                visit(imported)
        path.pop()
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module)
    return found


def test_no_import_cycles_in_oigcli() -> None:
    graph = _graph()
    assert "oigcli.cli" in graph and graph["oigcli.source"] >= {"oigcli.index", "oigcli.scan"}
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c", "a"]]


def test_only_the_source_chooses_between_the_file_and_its_index() -> None:
    """Commands, completion and output never open an index themselves: oigcli.source does
    (and the index, of course, and its builder's own module)."""
    graph = _graph()
    users = sorted(module for module, imported in graph.items() if "oigcli.index" in imported)
    assert users == ["oigcli.source"]


def test_the_two_sources_answer_every_question_of_the_boundary() -> None:
    """oigcli.source.Source is what queries ask; both of its implementations answer each
    of its questions, taking the same arguments."""
    import inspect

    from oigcli.index import Index
    from oigcli.scan import Scan
    from oigcli.source import Source

    questions = [name for name in vars(Source) if not name.startswith("_")]
    assert {"rows", "numbers", "values", "statistics", "summarize", "close"} <= set(questions)
    for implementation in (Scan, Index):
        for name in questions:
            wanted = inspect.signature(getattr(Source, name))
            given = inspect.signature(getattr(implementation, name))
            assert list(given.parameters) == list(wanted.parameters), (implementation, name)


def test_the_queries_reach_storage_only_through_the_source() -> None:
    """The API (and so every command) asks a Source; it never reads a dataset or an index
    itself. Only the scan source, the index's builder, validate and completion's reading
    of a dataset with problems read the data directly."""
    graph = _graph()
    assert "oigcli.source" in graph["oigcli.api"]
    assert not graph["oigcli.api"] & {"oigcli.index", "oigcli.scan", "oigcli.dataset"}
    readers = sorted(module for module, imported in graph.items() if "oigcli.dataset" in imported)
    assert readers == ["oigcli.cli", "oigcli.complete", "oigcli.index", "oigcli.scan"]


def test_no_module_takes_another_modules_private_names() -> None:
    """A name with a leading underscore is its module's own business."""
    taken = []
    for path in PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("oigcli"):
                private = [a.name for a in node.names if a.name.startswith("_")]
                taken += [f"{path.stem}: {name}" for name in private if not name.startswith("__")]
    assert taken == []
