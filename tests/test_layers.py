"""The package is a house of floors whose import arrows only point down, and has no import cycle.

1. core: wire framing, RPC envelope, state, controller, translator, elements, snapshots, the contract;
2. server and transports: lifecycle, protocol, endpoint, transports, runner, layouts, the process registry;
3. Jupyter adapters: the kernel side (``jupyter/``), the server extension (``serverext/``), the route table;
4. the front door (the package root) and the example apps.

Every import counts, at module level or inside a function; only ``if TYPE_CHECKING:`` blocks are exempt.
"""

from __future__ import annotations

import ast
from pathlib import Path

import trame_jupyter

PACKAGE = Path(trame_jupyter.__file__).parent
ROOT = "trame_jupyter"

FLOORS = {
    1: ("contract", "wire", "rpc", "translator", "state", "controller", "widgets", "snapshot", "_version"),
    2: (
        "options", "cli", "modules", "protocol", "endpoint", "transports", "runner", "lifecycle", "server",
        "servers", "view", "ui", "desktop", "network_log", "http_headers", "app", "decorators", "vtkweb",
    ),
    3: ("jupyter", "serverext", "routes", "pyvista_backend"),
    4: ("", "examples"),
}  # fmt: skip


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join([ROOT, *parts])


def floor_of(module: str) -> int:
    first = module.removeprefix(ROOT).lstrip(".").split(".")[0]
    for floor, names in FLOORS.items():
        if first in names:
            return floor
    raise AssertionError(f"{module} is on no floor: add it to FLOORS")


def _in_type_checking(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            return True
    return False


def imports_of(path: Path, modules: set[str]) -> set[str]:
    """The package modules ``path`` imports (a ``from x import y`` of a submodule ``y`` counts as ``x.y``)."""
    tree = ast.parse(path.read_text())
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    me = module_name(path)
    package = me if path.name == "__init__.py" else me.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if _in_type_checking(node, parents):
            continue
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith(ROOT)}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                target = f"{base}.{node.module}" if node.module else base
            elif node.module and node.module.startswith(ROOT):
                target = node.module
            else:
                continue
            for alias in node.names:
                found.add(f"{target}.{alias.name}" if f"{target}.{alias.name}" in modules else target)
    return {name for name in found if name in modules and name != me}


def import_graph() -> dict[str, set[str]]:
    paths = sorted(PACKAGE.rglob("*.py"))
    modules = {module_name(p) for p in paths}
    return {module_name(p): imports_of(p, modules) for p in paths}


def test_every_arrow_points_down_or_stays_on_its_floor():
    upward = [
        f"{module} (floor {floor_of(module)}) imports {target} (floor {floor_of(target)})"
        for module, targets in import_graph().items()
        for target in sorted(targets)
        if floor_of(target) > floor_of(module)
    ]
    assert upward == []


def test_the_core_imports_no_web_server_and_no_jupyter():
    forbidden = {"aiohttp", "tornado", "IPython", "ipykernel", "ipywidgets", "jupyter_server", "jupyter_core"}
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if floor_of(module_name(path)) != 1:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                names = [node.module]
            else:
                continue
            found += [f"{module_name(path)}: {name}" for name in names if name.split(".")[0] in forbidden]
    assert found == []


def test_no_import_cycle():
    graph = import_graph()
    # Tarjan's strongly connected components: any component of two or more modules is a cycle.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    assert cycles == []


def test_the_graph_sees_imports_inside_functions():
    """The checker itself: a function-level upward import is found (it would hide in a lazy import)."""
    graph = import_graph()
    assert "trame_jupyter.jupyter" in graph["trame_jupyter"]  # the front door imports the adapter lazily
    assert "trame_jupyter.desktop" in graph["trame_jupyter.lifecycle"]  # a function-level import
