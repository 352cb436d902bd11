"""Layouts: how element trees become the ``trame__template_<name>`` state keys of a server.

``with DivLayout(server):`` collects the elements built inside it; leaving the block renders them and
stores the Vue template in ``state["trame__template_main"]``, which every connected browser re-renders
live. ``server.ui.<name>`` virtual nodes (``widgets.virtual_node``) are placeholders that can be filled
later, in any order.
"""

from __future__ import annotations

from typing import Any

from ..core.widgets import html
from ..core.widgets.element import AbstractElement, pop_open, push_open
from ..core.widgets.virtual_node import VirtualNode, VirtualNodeManager
from .server import Server, get_server
from .view import View

TEMPLATE_PREFIX = "trame__template_"


class AbstractLayout:
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

    def view(self, height: int | str | None = None, width: int | str | None = None) -> View:
        """A view of this layout, optionally with a fixed size (``display(layout.view(height=300))``)."""
        return self._server.view(self._template_name, height, width)

    @property
    def widget(self) -> Any:
        """This layout as an ipywidgets widget (for ``VBox``, ``Tab`` …); needs a Jupyter kernel."""
        return self.view().widget

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
