"""Layouts and virtual nodes: how element trees become the ``trame__template_<name>`` state keys.

``with DivLayout(server):`` collects the elements built inside it; leaving the block renders them and
stores the Vue template in ``state["trame__template_main"]``, which every connected browser re-renders
live. ``server.ui.<name>`` virtual nodes are placeholders that can be filled later, in any order.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..jupyter.displayable import Displayable
from ..widgets import html
from ..widgets.core import AbstractElement, current_parent, pop_open, push_open

if TYPE_CHECKING:
    from ..server import Server

TEMPLATE_PREFIX = "trame__template_"


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


class AbstractLayout(Displayable):
    """A named template of a server, built from a root element.

    Parameters
    ----------
    server:
        The server (or its name, for ``get_server``).
    root_elem:
        The element everything built inside ``with layout:`` is added to.
    template_name:
        Name of the template (``?ui=<name>`` in the page URL shows it; default ``main``).
    """

    def __init__(self, server: Server | str, root_elem: AbstractElement, template_name: str = "main", **_: Any) -> None:
        from .. import get_server

        self._server = get_server(server)
        self._template_name = template_name
        self._root = root_elem
        root_elem.set_server(self._server)
        self._server.state[self.template_key] = ""

    @property
    def server(self) -> Server:
        return self._server

    @property
    def state(self) -> Any:
        return self._server.state

    @property
    def ctrl(self) -> Any:
        return self._server.controller

    @property
    def template_name(self) -> str:
        return self._template_name

    @property
    def template_key(self) -> str:
        return f"{TEMPLATE_PREFIX}{self._template_name}"

    @property
    def root(self) -> AbstractElement:
        return self._root

    @root.setter
    def root(self, element: AbstractElement) -> None:
        """Replace the root; the previous root becomes the new root's child."""
        element.set_server(self._server)
        element.add_child(self._root)
        self._root = element

    @property
    def html(self) -> str:
        return self._root.html

    def flush_content(self) -> None:
        """Store the rendered template in the state (browsers re-render at the next flush)."""
        self._server.state[self.template_key] = self.html

    def __enter__(self) -> AbstractLayout:
        push_open(self._root)
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        pop_open(self._root)
        self.flush_content()

    def clear(self) -> AbstractLayout:
        """Remove every child of the root (``with layout.clear():`` rebuilds the content)."""
        self._root.clear()
        return self

    def view(self, height: int | str | None = None, width: int | str | None = None) -> Any:
        """A displayable live view of this layout, optionally with a fixed size."""
        return self._server.view(self._template_name, height, width)

    @property
    def ready(self) -> Any:
        """Start the server as a task if needed, and return its ``ready`` future."""
        if not self._server.running:
            self._server.start(
                exec_mode="task",
                port=0,
                open_browser=False,
                show_connection_info=False,
                disable_logging=True,
                timeout=0,
            )
        return self._server.ready


class HtmlLayout(AbstractLayout):
    """A layout whose root is an HTML element (``tag``, default ``div``) with the given attributes."""

    def __init__(self, server: Server | str, template_name: str = "main", tag: str = "div", **kwargs: Any) -> None:
        root = AbstractElement(tag, connect_parent=False, **kwargs)
        super().__init__(server, root, template_name)


class DivLayout(AbstractLayout):
    """A layout whose root is a ``<div>``; keyword arguments are its attributes."""

    def __init__(self, server: Server | str, template_name: str = "main", **kwargs: Any) -> None:
        super().__init__(server, html.Div(connect_parent=False, **kwargs), template_name)


__all__ = ["AbstractLayout", "DivLayout", "HtmlLayout", "VirtualNode", "VirtualNodeManager"]
