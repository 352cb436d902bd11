"""The package is a house whose floors are its folders; import arrows only point down, and there is no cycle.

1. ``core/``: wire framing, RPC envelope, state, controller, translator, elements, snapshots, the contract;
2. ``server/``: the Server, its lifecycle and registry, protocol, endpoint, transports, runner, layouts;
3. ``jupyter/``: the Jupyter adapters: the kernel side (``kernel/``), the server extension
   (``serverext/``), the route table both share;
4. the front door: the package root's modules and folders (``__init__``, the public ``ui``, ``widgets``,
   ``decorators``, the trame compatibility layer ``app/``) and the example apps.

Every import counts, at module level or inside a function; only ``if TYPE_CHECKING:`` blocks are exempt.
"""

from __future__ import annotations

import ast
from pathlib import Path

import trame_jupyter

PACKAGE = Path(trame_jupyter.__file__).parent
ROOT = "trame_jupyter"

#: The floors, by folder; everything else in the package root is the front door (floor 4).
FLOOR_FOLDERS = {"core": 1, "server": 2, "jupyter": 3}
FRONT_DOOR = 4
#: Packaging metadata: imports nothing, and any floor may read the version.
LEAVES = {"_version"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join([ROOT, *parts])


def floor_of(module: str) -> int:
    first = module.removeprefix(ROOT).lstrip(".").split(".")[0]
    if first in LEAVES:
        return 0
    return FLOOR_FOLDERS.get(first, FRONT_DOOR)


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


def third_party_imports(floor: int, forbidden: set[str]) -> list[str]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if floor_of(module_name(path)) != floor:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                names = [node.module]
            else:
                continue
            found += [f"{module_name(path)}: {name}" for name in names if name.split(".")[0] in forbidden]
    return found


JUPYTER = {"IPython", "ipykernel", "ipywidgets", "anywidget", "jupyter_server", "jupyter_core", "jupyter_client"}


def test_the_core_imports_no_web_server_and_no_jupyter():
    assert third_party_imports(1, {"aiohttp", "tornado", *JUPYTER}) == []


def test_the_server_floor_imports_no_jupyter():
    assert third_party_imports(2, JUPYTER) == []


def test_the_floors_are_the_folders():
    """Every module of the package root's own level is the front door or a leaf; every floor is a folder."""
    folders = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    assert set(FLOOR_FOLDERS) <= folders
    for name, floor in FLOOR_FOLDERS.items():
        assert all(floor_of(module_name(p)) == floor for p in (PACKAGE / name).rglob("*.py"))
    front = sorted(module_name(p) for p in PACKAGE.rglob("*.py") if floor_of(module_name(p)) == FRONT_DOOR)
    assert "trame_jupyter.ui" in front
    assert "trame_jupyter.widgets.html" in front
    assert "trame_jupyter.app.decorators" in front


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
    assert "trame_jupyter.jupyter.kernel" in graph["trame_jupyter"]  # the front door imports the adapter lazily
    assert "trame_jupyter.server.desktop" in graph["trame_jupyter.server.lifecycle"]  # a function-level import
