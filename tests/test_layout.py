"""The package's layout: no import cycle, every module importable on its own, none past 500 lines."""

import ast
import subprocess
import sys
from pathlib import Path

import networkx as nx

PACKAGE = Path(__file__).resolve().parent.parent / "litgraph"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _import_time_nodes(tree):
    """The import statements Python runs when the module is imported: not those in a function."""
    stack = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        stack.extend(ast.iter_child_nodes(node))


def _every_import_node(tree):
    """Every import statement of the module, those inside functions too."""
    return (node for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom)))


def imported_modules(name: str, path: Path, inside_functions: bool = False) -> set:
    """The litgraph modules ``name`` imports at import time (or, with ``inside_functions``,
    anywhere), with the packages that hold them (importing ``litgraph.cli.common`` runs
    ``litgraph/cli/__init__.py`` first)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    walk = _every_import_node if inside_functions else _import_time_nodes
    for node in walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[:len(parts) - node.level + 1] + ([base] if base else []))
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base
                       for alias in node.names]
        for target in (t for t in targets if t in MODULES):
            found.update(_with_packages(target, name))
    found.discard(name)
    return found


def _with_packages(target: str, importer: str) -> set:
    """``target`` and the packages Python imports before it, except the importer's own
    (already imported by the time the importer runs)."""
    parts = target.split(".")
    chain = {".".join(parts[:i]) for i in range(1, len(parts) + 1)}
    own = {importer.rsplit(".", i)[0] for i in range(importer.count(".") + 1)}
    return chain - own


def import_graph(inside_functions: bool = False) -> nx.DiGraph:
    graph = nx.DiGraph()
    for name, path in MODULES.items():
        graph.add_node(name)
        graph.add_edges_from((name, target)
                             for target in imported_modules(name, path, inside_functions))
    return graph


def test_the_import_walk_sees_relative_and_submodule_imports():
    # modules whose import-time imports are known: the walk must find them
    assert imported_modules("litgraph.cli", MODULES["litgraph.cli"]) >= {
        "litgraph.errors", "litgraph.cli.build", "litgraph.cli.common"}
    assert "litgraph.store" in imported_modules("litgraph.graph", MODULES["litgraph.graph"])
    assert "litgraph.plugin.cells" in imported_modules("litgraph.plugin.rows",
                                                       MODULES["litgraph.plugin.rows"])
    # a module of another package brings that package's __init__ with it
    assert {"litgraph.extract", "litgraph.extract.fields"} <= imported_modules(
        "litgraph.references.merge", MODULES["litgraph.references.merge"])
    assert "litgraph.errors" in imported_modules("litgraph.extract.readers.jats",
                                                 MODULES["litgraph.extract.readers.jats"])


def test_no_module_imports_itself_back_through_others():
    assert list(nx.simple_cycles(import_graph())) == []


def test_no_module_imports_itself_back_even_from_inside_a_function():
    # An import deferred into a function (for speed, or for an optional dependency) must
    # not hide a cycle either: a module that needs its importer back belongs elsewhere.
    graph = import_graph(inside_functions=True)
    assert graph.has_edge("litgraph.graph", "litgraph.graph.spark")  # deferred imports are seen
    assert list(nx.simple_cycles(graph)) == []


def test_every_module_imports_first_in_a_fresh_interpreter():
    # Each module imported first, with no other litgraph module loaded: a cycle or a missing
    # import would fail here whatever order the rest of the suite happens to import them in.
    script = (
        "import importlib, sys, traceback\n"
        "failed = []\n"
        "for name in sys.argv[1:]:\n"
        "    for loaded in [m for m in sys.modules if m == 'litgraph' or m.startswith('litgraph.')]:\n"
        "        del sys.modules[loaded]\n"
        "    try:\n"
        "        importlib.import_module(name)\n"
        "    except Exception:\n"
        "        failed.append(name + ': ' + traceback.format_exc().strip().splitlines()[-1])\n"
        "print('\\n'.join(failed))\n"
    )
    names = [n for n in MODULES if not n.endswith("__main__")]
    result = subprocess.run([sys.executable, "-c", script, *names], capture_output=True, text=True,
                            timeout=300)
    assert (result.returncode, result.stdout.strip()) == (0, ""), result.stderr


def test_every_module_conftest_schedules_exists():
    # conftest names test files: a renamed one would silently lose its place in the schedule.
    from conftest import LONG_MODULES, SHARED_SETUP

    root = PACKAGE.parent
    assert [m for m in LONG_MODULES + tuple(SHARED_SETUP) if not (root / m).is_file()] == []
    for module in SHARED_SETUP:  # each shares a setup wider than one test (or imports one)
        text = (root / module).read_text(encoding="utf-8")
        assert 'scope="module"' in text or 'scope="session"' in text \
            or "from test_graph_spark import" in text, module


def test_no_module_passes_the_size_at_which_the_house_splits_it():
    """Split a module by entity or stage before it passes 500 lines (the house style)."""
    sizes = {name: len(path.read_text(encoding="utf-8").splitlines()) for name, path in MODULES.items()}
    assert len(sizes) > 50  # the walk found the package
    assert {name: lines for name, lines in sizes.items() if lines > 500} == {}


def test_the_long_modules_start_first_even_those_that_share_a_setup():
    # The Spark modules are both long and one shared setup: they must not lose their early place
    # (they started after every other long module, and their worker finished 35 s after the other).
    from conftest import LONG_MODULES, SHARED_SETUP, module_places

    places = module_places()
    in_order = sorted(places, key=places.get)
    assert in_order[:len(LONG_MODULES)] == list(LONG_MODULES)
    assert set(in_order) == set(LONG_MODULES) | set(SHARED_SETUP)
