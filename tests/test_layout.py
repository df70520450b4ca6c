"""The shape of the code: packages by stage whose imports run one way, no import cycles,
modules of a readable size, and storage behind its door.

The rules of each stage are written once, in its package's docstring ("May import: ..."),
and read from there: this test enforces what the code says of itself."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from conftest import ROOT

PACKAGE = ROOT / "oigcli"
MOST_LINES = 650
"""No module longer than this (issue #22 asks for about 600)."""
TOP_LEVEL = {
    # the modules outside the stage packages, and what each may import
    "oigcli": {"oigcli.api", "oigcli.model"},
    "oigcli.__main__": {"oigcli.cli"},
    "oigcli.api": {"oigcli.model", "oigcli.query", "oigcli.sources"},
}


def _name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_name(p): p for p in PACKAGE.rglob("*.py")}


def _imports(path: Path, run_time_only: bool = False) -> set[str]:
    """The oigcli modules ``path`` imports: at the top, inside a function, and (unless
    ``run_time_only``) under ``if TYPE_CHECKING:``, which ties modules together too."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped: set[int] = set()
    if run_time_only:
        for node in ast.walk(tree):
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                skipped.update(id(inner) for inner in ast.walk(node))
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "oigcli" or node.module.startswith("oigcli."):
                for alias in node.names:  # a module of the package, or a name in a module
                    inner = f"{node.module}.{alias.name}"
                    found.add(inner if inner in MODULES else node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("oigcli."))
    return {name for name in found if name in MODULES} - {_name(path)}


def _graph(run_time_only: bool = False) -> dict[str, set[str]]:
    return {name: _imports(path, run_time_only) for name, path in MODULES.items()}


def _stage(module: str) -> str:
    """The stage package a module belongs to (``oigcli.sources``), or the module itself
    for the ones outside them."""
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) > 2 or module + ".__init__" in MODULES else module


STAGES = sorted(
    name
    for name, path in MODULES.items()
    if path.name == "__init__.py" and name.count(".") == 1  # oigcli.X, not oigcli.X.Y
)


def _allowed(stage: str) -> set[str] | None:
    """What a stage's docstring says it may import (its own package always): None for
    "anything"."""
    if stage in TOP_LEVEL:
        return TOP_LEVEL[stage] | {stage}
    doc = ast.get_docstring(ast.parse(MODULES[stage].read_text(encoding="utf-8"))) or ""
    rule = re.search(r"May import: (.*?)(?:\.\s*$|\.\n|;)", doc, re.S)
    assert rule, f"{stage}'s docstring says nothing of what it may import"
    if "anything in oigcli" in rule.group(1):
        return None
    return set(re.findall(r"oigcli\.\w+", rule.group(1))) | {stage}


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


def test_every_stage_says_what_it_may_import() -> None:
    assert STAGES == [
        "oigcli.cli",
        "oigcli.load",
        "oigcli.model",
        "oigcli.output",
        "oigcli.query",
        "oigcli.sources",
    ]
    for stage in STAGES:
        assert _allowed(stage) is None or stage in _allowed(stage)  # type: ignore[operator]
    assert _allowed("oigcli.model") == {"oigcli.model"}
    assert _allowed("oigcli.output") == {
        "oigcli.model",
        "oigcli.query",
        "oigcli.load",
        "oigcli.output",
    }


def test_imports_run_one_way_between_stages() -> None:
    """cli -> api -> sources -> query/load -> model, and output below cli only: each
    import, TYPE_CHECKING ones too, is one its package's docstring allows."""
    wrong = []
    for module, imported in _graph().items():
        allowed = _allowed(_stage(module))
        if allowed is None:
            continue
        wrong += [f"{module} -> {other}" for other in imported if _stage(other) not in allowed]
    assert wrong == []


def test_the_stage_rules_catch_a_wrong_way_import(monkeypatch: pytest.MonkeyPatch) -> None:
    """The check above, shown to fail: model importing a source is refused."""
    assert _stage("oigcli.sources.index") not in _allowed(_stage("oigcli.model.schema"))  # type: ignore[operator]
    assert _stage("oigcli.cli.app") not in _allowed(_stage("oigcli.output.render"))  # type: ignore[operator]


def test_no_import_cycles_in_oigcli() -> None:
    """No module imports one that imports it back, at the top, inside a function or for
    type checking only."""
    graph = _graph()
    assert "oigcli.cli.app" in graph and graph["oigcli.sources.source"] >= {
        "oigcli.sources.index.builder",
        "oigcli.sources.index.reader",
        "oigcli.sources.scan",
    }
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c", "a"]]


def test_no_module_is_too_long_to_read() -> None:
    long = {
        name: lines
        for name, path in MODULES.items()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MOST_LINES
    }
    assert long == {}


def test_only_the_source_chooses_between_the_file_and_its_index() -> None:
    """Commands, completion and output never open an index themselves: oigcli.sources.source
    does (and the index's own modules)."""
    users = sorted(
        module
        for module, imported in _graph(run_time_only=True).items()
        if any(m.startswith("oigcli.sources.index") for m in imported)
        and not module.startswith("oigcli.sources.index")
    )
    assert users == ["oigcli.sources.source"]


def test_the_two_sources_answer_every_question_of_the_boundary() -> None:
    """oigcli.sources.protocol.Source is what queries ask; both of its implementations
    answer each of its questions, taking the same arguments."""
    import inspect

    from oigcli.sources.index.reader import Index
    from oigcli.sources.protocol import Source
    from oigcli.sources.scan import Scan

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
    graph = _graph(run_time_only=True)
    assert "oigcli.sources.source" in graph["oigcli.api"]
    assert not {
        m for m in graph["oigcli.api"] if m.startswith(("oigcli.sources.", "oigcli.load"))
    } - {
        "oigcli.sources.source",
        "oigcli.sources.protocol",
    }
    readers = sorted(
        module
        for module, imported in graph.items()
        if any(m.startswith("oigcli.load.") for m in imported)
        and not module.startswith(("oigcli.load.", "oigcli.sources."))
    )
    assert readers == ["oigcli.cli.complete", "oigcli.cli.datasets"]  # validate, completion


def test_no_module_takes_another_modules_private_names() -> None:
    """A name with a leading underscore is its module's own business."""
    taken = []
    for name, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("oigcli"):
                private = [a.name for a in node.names if a.name.startswith("_")]
                taken += [f"{name}: {n}" for n in private if not n.startswith("__")]
    assert taken == []


DEFERRED = {
    # (module, what it imports inside a function): why not at its top. The start-up
    # modules (those `oigcli --help` loads) defer whatever start-up does not load; every
    # other module imports at its top, except these.
    ("oigcli.load.dataset", "oigcli.load.archive"): "folders and zips only",
    ("oigcli.load.dataset", "importlib.resources"): "the bundled dataset only",
    ("oigcli.load.check", "oigcli.model.dates"): "a record with an issue date only",
    ("oigcli.load.members", "zipfile"): "zips only",
    ("oigcli.model.dates", "dateutil"): "a date in words only",
    ("oigcli.model.dates", "dateutil.relativedelta"): "a date counted back from today only",
    ("oigcli.output.render", "tabulate"): "tables only (not json, jsonl, csv)",
    ("oigcli.output.render", "html"): "html tables only",
    ("oigcli.output.render", "oigcli.query.compare"): "diff only",
    ("oigcli.output.tally", "oigcli.query.stats"): "stats tables only (their note)",
    ("oigcli.output.printers", "oigcli.query.compare"): "diff only",
    ("oigcli.output.printers", "oigcli.output.render"): "tables and markdown only",
    ("oigcli.output.printers", "oigcli.output.tally"): "stats tables and markdown only",
    ("oigcli.load.check", "oigcli.model.derive"): "scraper records only (read for values)",
    ("oigcli.output.printers", "oigcli.output.writers"): "json, jsonl, csv and tsv only",
    ("oigcli.load.parse", "oigcli.load.stream"): "a streamed file, or a JSON error, only",
    ("oigcli.output.printers", "oigcli.query.stats"): "stats only",
    ("oigcli.output.writers", "csv"): "csv and tsv only",
    ("oigcli.output.writers", "tempfile"): "writing a file (export, --output) only",
    ("oigcli.output.writers", "orjson"): "optional: the json module without it",
    ("oigcli.query.rows", "orjson"): "optional: reports held as they are without it",
    ("oigcli.sources.index.reader", "orjson"): "optional: the json module without it",
    ("oigcli.sources.index.reader", "oigcli.query.search"): "search and --text only",
    ("oigcli.sources.index.reader", "oigcli.query.stats"): "stats only",
    ("oigcli.sources.index.layout", "oigcli.query.search"): "building only, not reading",
    ("oigcli.sources.index.identity", "oigcli.load.archive"): "folders and zips only",
    ("oigcli.sources.index.builder", "sqlite3"): "building only, not deciding to build",
    ("oigcli.sources.cache", "pwd"): "a cache folder owned by another user only",
    ("oigcli.sources.source", "oigcli.sources.scan"): "the one choice of a source",
    ("oigcli.sources.source", "oigcli.sources.cache"): "the one choice of a source",
    ("oigcli.sources.source", "oigcli.sources.index.reader"): "the one choice of a source",
    ("oigcli.sources.source", "oigcli.sources.index.builder"): "the one choice of a source",
    ("oigcli.sources.source", "oigcli.sources.index.identity"): "the one choice of a source",
    ("oigcli.query.where", "regex"): "~ only",
    ("oigcli.query.search", "snowballstemmer"): "stemming only, and once",
}
"""Every import made inside a function outside the start-up modules, with its reason:
the deferred imports in one place."""


def _deferred_imports() -> set[tuple[str, str]]:
    """(module, imported module) of every import inside a function, not under
    TYPE_CHECKING."""
    found: set[tuple[str, str]] = set()

    def visit(name: str, node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                continue
            inner = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef))
            if in_function and isinstance(child, ast.Import):
                found.update((name, alias.name) for alias in child.names)
            elif in_function and isinstance(child, ast.ImportFrom) and child.module:
                for alias in child.names:
                    module = f"{child.module}.{alias.name}"
                    found.add((name, module if module in MODULES else child.module))
            visit(name, child, inner)

    for name, path in MODULES.items():
        visit(name, ast.parse(path.read_text(encoding="utf-8")), False)
    return found


def test_imports_are_deferred_only_where_start_up_gains() -> None:
    """A start-up module defers only what start-up does not load (anything else belongs
    at its top, where a reader sees it); any other module defers only what DEFERRED
    lists, with its reason."""
    import subprocess
    import sys

    code = (
        "import sys\nsys.argv = ['oigcli', '--help']\nfrom oigcli.cli.main import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(' '.join(sorted(sys.modules)), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    loaded = set(done.stderr.split("\n")[-2].split())
    assert "oigcli.cli.options" in loaded, done.stderr
    start_up = {m for m in loaded if m in MODULES}
    wrong = []
    for module, imported in sorted(_deferred_imports()):
        if module in start_up:
            if imported in loaded and imported not in ("oigcli.cli.queries", "oigcli.cli.datasets"):
                wrong.append(f"{module} defers {imported}, which start-up loads anyway")
        elif (module, imported) not in DEFERRED:
            wrong.append(f"{module} defers {imported}: import it at the top, or say why")
    assert not wrong, "\n".join(wrong)
    assert set(DEFERRED) <= _deferred_imports(), "DEFERRED names an import that is not made"
