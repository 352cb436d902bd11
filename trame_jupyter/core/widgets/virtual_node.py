"""Virtual nodes: named slots of UI (``server.ui.<name>``) that layouts include and that can be filled
later, in any order; filling one re-renders the layouts that include it."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .element import AbstractElement, current_parent, pop_open, push_open

if TYPE_CHECKING:
    from ...server.layouts import AbstractLayout
    from ...server.server import Server


class VirtualNode:
    """A named slot of UI: insert it in layouts with ``server.ui.name(layout)``, fill it with ``with``."""

    def __init__(self, trame_server: Server | None = None, **_: Any) -> None:
        self._server = trame_server
        self._children: list[Any] = []
        self._layouts: list[AbstractLayout] = []

    @property
    def server(self) -> Server | None:
        return self._server

    def set_server(self, server: Server) -> None:
        self._server = server

    @property
    def children(self) -> list[Any]:
        return self._children

    def add_child(self, child: Any) -> VirtualNode:
        if isinstance(child, AbstractElement) and child.server is None and self._server is not None:
            child.set_server(self._server)
        self._children.append(child)
        return self

    def add_children(self, children: list[Any]) -> VirtualNode:
        for child in children:
            self.add_child(child)
        return self

    def clear(self) -> VirtualNode:
        self._children.clear()
        return self

    @property
    def html(self) -> str:
        return "\n".join(child if isinstance(child, str) else child.html for child in self._children)

    def __call__(self, layout: AbstractLayout | None = None, **_: Any) -> None:
        """Place this node inside the element currently open (and re-render ``layout`` when it changes)."""
        if layout is not None:
            if layout not in self._layouts:
                self._layouts.append(layout)
            self._server = layout.server
        parent = current_parent()
        if parent is not None:
            parent.add_child(self)

    def __enter__(self) -> VirtualNode:
        push_open(self)
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        pop_open(self)
        self.flush_content()

    def clear_layouts(self) -> VirtualNode:
        self._layouts.clear()
        return self

    def flush_content(self) -> VirtualNode:
        for layout in self._layouts:
            layout.flush_content()
        return self


class VirtualNodeManager:
    """``server.ui``: virtual nodes by name, created on first access."""

    def __init__(self, server: Server, vn_constructor: Callable[..., Any] | None = None) -> None:
        self._server = server
        self._constructor = vn_constructor or VirtualNode
        self._nodes: dict[str, Any] = {}

    def set_vn_constructor(self, constructor: Callable[..., Any]) -> None:
        self._constructor = constructor

    def __getitem__(self, name: str) -> Any:
        if name not in self._nodes:
            self._nodes[name] = self._constructor(trame_server=self._server)
        return self._nodes[name]

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return self[name]

    def __contains__(self, name: str) -> bool:
        return name in self._nodes

    def clear_layouts(self) -> None:
        for node in self._nodes.values():
            node.clear_layouts()

    def flush_content(self) -> None:
        for node in self._nodes.values():
            node.flush_content()

    def clear(self) -> None:
        for node in self._nodes.values():
            node.clear()


__all__ = ["VirtualNode", "VirtualNodeManager"]
