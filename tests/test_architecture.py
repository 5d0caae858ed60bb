"""The shape of app/: no import circles, and the layers import only what sits below them.

Every module under app/ is parsed (not imported) and every import is collected, also those inside functions,
which is where a circle hides. An import names the module it loads: `from app import audit` is app.audit when
audit is a submodule, `from app.x import name` is app.x. Importing a submodule also runs its parent packages'
__init__, but that implicit step is not an edge: otherwise every module would close a circle through app.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app"

BLUEPRINTS = (
    "app.access_log",
    "app.admin",
    "app.auth",
    "app.care_sessions",
    "app.destruction",
    "app.errors",
    "app.exports",
    "app.families",
    "app.main",
    "app.overview",
    "app.plans",
)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(APP.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in sorted(APP.rglob("*.py"))}


def _within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def _owning_module(name: str) -> str | None:
    """The module of app/ that a dotted name lives in: itself, or the nearest parent that is a module."""
    modules = _modules()
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def _resolve_relative(module: str, is_package: bool, level: int, target: str | None) -> str:
    base = module.split(".")
    if not is_package:
        base.pop()
    if level > 1:
        base = base[: -(level - 1)]
    return ".".join([*base, target] if target else base)


@cache
def imports_of(module: str) -> frozenset[str]:
    """The modules of app/ that `module` imports, anywhere in its text."""
    path = _modules()[module]
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.add(alias.name)
        elif isinstance(node, ast.ImportFrom):
            source = node.module
            if node.level:
                source = _resolve_relative(module, path.name == "__init__.py", node.level, node.module)
            if source is None:
                continue
            names_a_module = False
            for alias in node.names:
                if f"{source}.{alias.name}" in _modules():
                    found.add(f"{source}.{alias.name}")
                    names_a_module = True
                else:
                    found.add(source)
            if not names_a_module:
                found.add(source)
    owned = {_owning_module(name) for name in found if _within(name, "app")}
    return frozenset(name for name in owned if name and name != module)


def import_graph() -> dict[str, frozenset[str]]:
    return {module: imports_of(module) for module in _modules()}


def import_cycles(graph: dict[str, frozenset[str]]) -> list[list[str]]:
    """One circle (a path that returns to its start) for each strongly connected group of modules (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(group)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return [_circle_in(graph, group) for group in groups]


def _circle_in(graph: dict[str, frozenset[str]], group: set[str]) -> list[str]:
    """The shortest path from the group's first module back to itself, through the group only."""
    start = min(group)
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for target in sorted(graph[node] & group):
                if target == start:
                    return [*paths[node], start]
                if target not in paths:
                    paths[target] = [*paths[node], target]
                    following.append(target)
        frontier = following
    raise AssertionError(f"no circle in {group}")  # pragma: no cover - a strongly connected group has one


def test_the_graph_sees_imports_inside_functions_and_submodules():
    graph = import_graph()
    assert "app.extensions" in graph["app.services.progress"]
    assert {"app.audit", "app.dates"} <= graph["app.overview.routes"]  # from app import audit, dates
    assert "app" not in graph["app.overview.routes"]  # the implicit parent is not an edge
    assert "app.bench" in graph["app"]  # from app import bench, inside create_app


def test_the_cycle_finder_names_a_circle():
    graph = {"a": frozenset({"b"}), "b": frozenset({"c"}), "c": frozenset({"a"}), "d": frozenset({"a"})}
    assert import_cycles(graph) == [["a", "b", "c", "a"]]
    assert import_cycles({"a": frozenset({"b"}), "b": frozenset()}) == []


def test_no_import_circle_in_app():
    cycles = import_cycles(import_graph())
    assert not cycles, "import circles in app/: " + "; ".join(" -> ".join(cycle) for cycle in cycles)


def test_models_and_services_import_no_blueprint():
    wrong = [
        f"{module} imports {target}"
        for module, targets in import_graph().items()
        if _within(module, "app.models") or _within(module, "app.services")
        for target in sorted(targets)
        if any(_within(target, blueprint) for blueprint in BLUEPRINTS)
    ]
    assert not wrong, "; ".join(wrong)


def test_services_draw_no_charts():
    """The services return plain data; the views hand it to app.charts."""
    wrong = [
        f"{module} imports {target}"
        for module, targets in import_graph().items()
        if _within(module, "app.services")
        for target in sorted(targets)
        if _within(target, "app.charts")
    ]
    assert not wrong, "; ".join(wrong)


def _names_imported_from(module: str, source: str) -> set[str]:
    """What `module` takes from the package `source`: the names of its from-imports, and modules imported whole."""
    path = _modules()[module]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and _within(node.module, source):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names if _within(alias.name, source))
    return names


def test_charts_are_pure_functions_of_plain_data():
    """The charts query nothing: no database, and from the services at most the types of their data."""
    wrong = []
    for module, targets in import_graph().items():
        if not _within(module, "app.charts"):
            continue
        for target in sorted(targets):
            if _within(target, "app.extensions") or _within(target, "app.db"):
                wrong.append(f"{module} imports {target}")
        # From a service, only its data classes (CamelCase names): a module or a function could run a query.
        for name in sorted(_names_imported_from(module, "app.services")):
            if not name[:1].isupper() or name.isupper():
                wrong.append(f"{module} imports {name} from app.services")
    assert not wrong, "; ".join(wrong)


def test_the_soft_delete_rule_is_written_once():
    """A session in the trash counts nowhere: CareSession.live says so, in app.models.care_sessions alone."""
    rule = "deleted_at.is_(None)"
    wrong = [
        f"{module} writes {rule}: use CareSession.live"
        for module, path in _modules().items()
        if module != "app.models.care_sessions" and rule in path.read_text(encoding="utf-8").replace(" ", "")
    ]
    assert not wrong, "; ".join(wrong)
