"""``enable_module``: what a module (a Python module or a dict) contributes to a server.

A module may define ``setup(server, **kwargs)``, ``scripts``, ``module_scripts``, ``styles``,
``vue_use``, ``state``, ``serve`` (URL prefix → directory) and ``www`` (the web root). Each module is
processed once per server.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.contract import SESSION_PATH, WS_PATH

if TYPE_CHECKING:
    from .server import Server

#: The browser client that npm builds from ``client/`` (``trame_jupyter/static``): the page every server serves.
CLIENT_DIR = Path(__file__).parents[1] / "static"

RESOURCE_KEYS = ("scripts", "module_scripts", "styles", "vue_use")
#: URL prefixes the page itself uses; a module serving there would replace the client or its routes.
RESERVED_PREFIXES = frozenset({"trame-jupyter-client", WS_PATH, SESSION_PATH.split("/")[0]})


class ModuleRegistry:
    """Modules already enabled on one server, and the HTTP content they asked to serve."""

    def __init__(self) -> None:
        self._objects: list[Any] = []  # kept alive so identity checks stay valid
        self._dicts: list[Mapping[str, Any]] = []
        self.serve: dict[str, Any] = {}  # prefix → directory (a path, or trame's (path, ...) tuple)
        self.www: Path | None = None

    def _seen(self, module: Any) -> bool:
        if isinstance(module, Mapping):
            return any(module == d for d in self._dicts)
        return any(module is o for o in self._objects)

    def enable(self, server: Server, module: Any, **kwargs: Any) -> bool:
        if self._seen(module):
            return False
        if isinstance(module, Mapping):
            attributes: Mapping[str, Any] = module
        elif hasattr(module, "__dict__"):
            attributes = vars(module)
        else:
            raise TypeError(f"enable_module expects a module, an object or a dict; got {type(module).__name__}")
        for prefix in attributes.get("serve") or {}:  # checked first: a refused module changes nothing
            name = str(prefix).strip("/")
            if name.split("/")[0] in RESERVED_PREFIXES:
                raise ValueError(f"a module cannot serve files at /{name}: that path belongs to the page itself")
        if isinstance(module, Mapping):
            self._dicts.append(module)
        else:
            self._objects.append(module)

        setup = attributes.get("setup")
        if callable(setup):
            setup(server, **kwargs)

        state = server.state
        for key in RESOURCE_KEYS:
            items = attributes.get(key)
            if items:
                state[f"trame__{key}"] = list(state[f"trame__{key}"] or []) + list(items)
        if attributes.get("state"):
            state.update(attributes["state"])
        for prefix, target in (attributes.get("serve") or {}).items():
            self.serve[str(prefix).strip("/")] = target
        if attributes.get("www") and not _is_trame_client_page(module):
            self.www = Path(attributes["www"])

        if attributes.get("vue_use"):
            state["trame__vue_use"] = merge_vue_use(state["trame__vue_use"] or [])
        return True


def served_directory(target: Any) -> Path:
    """The directory of a ``serve`` entry: a path, or trame's ``(path, …)`` tuple."""
    return Path(target[0] if isinstance(target, (tuple, list)) else target)


def _is_trame_client_page(module: Any) -> bool:
    """trame-client's own web page (``trame_client.module.vue3`` …), which its elements enable: our page
    runs their components, and replacing it would drop our connection handling (and Jupyter's proxy)."""
    return getattr(module, "__name__", "").startswith("trame_client.module")


def merge_vue_use(entries: list[Any]) -> list[Any]:
    """Merge duplicate Vue plugin entries (``"Name"`` or ``["Name", options]``), deep-merging options."""
    merged: dict[str, dict[str, Any] | None] = {}
    for entry in entries:
        name, options = (entry, None) if isinstance(entry, str) else (entry[0], entry[1] if len(entry) > 1 else None)
        if name not in merged:
            merged[name] = None
        if options:
            merged[name] = _deep_merge(merged[name] or {}, options)
    return [name if options is None else [name, options] for name, options in merged.items()]


def _deep_merge(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    result = dict(base)
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(result.get(key), dict):
            result[key] = _deep_merge(result[key], value)
        else:
            result[key] = value
    return result
