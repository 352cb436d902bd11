"""How servers, layouts and views show themselves in a notebook: IPython display formatters.

``display(server)``, a layout as the last expression of a cell, or ``display(server.view(...))`` all
come here: the view's server starts if needed (a task on the kernel's loop, no ``await``), and its
bundle is displayed with a display id, remembered so the output can be finalized when the server stops.
"""

from __future__ import annotations

from typing import Any

from ...server.layouts import AbstractLayout
from ...server.server import Server
from ...server.view import View
from . import display
from .host import KernelHost
from .outputs import Outputs

#: The classes shown as live views (anything with a ``view()`` returning a ``View``).
DISPLAYED = (Server, AbstractLayout, View)
#: Classes of optional packages, registered by name (nothing is imported for them): trame apps and
#: trame's own layouts (``SinglePageLayout`` …) built on one of our servers.
DISPLAYED_BY_NAME = (("trame_jupyter.app.classes", "TrameApp"), ("trame_client.ui.core", "AbstractLayout"))


def register(shell: Any, host: KernelHost) -> None:
    """Show servers, layouts and views through ``host`` in this IPython shell."""
    formatter = shell.display_formatter.ipython_display_formatter
    for cls in DISPLAYED:
        formatter.for_type(cls, lambda obj: show(obj, host))
    for module, name in DISPLAYED_BY_NAME:
        formatter.for_type_by_name(module, name, lambda obj: show(obj, host))


def view_of(obj: Any) -> View:
    """The view an object shows: itself, its ``view()``, or (a trame layout) its server's layout."""
    if isinstance(obj, View):
        return obj
    if callable(getattr(obj, "view", None)):
        return obj.view()
    server, name = getattr(obj, "server", None), getattr(obj, "template_name", None)
    if isinstance(server, Server) and isinstance(name, str):
        return server.view(name)
    raise TypeError(f"{type(obj).__name__} is not a layout of a trame_jupyter server")


def display_with_transport(*objs: Any, transport: str | None = None, **kwargs: Any) -> None:
    """IPython's ``display``; ``transport`` ("comm" or "proxy") forces how the views among ``objs`` reach
    their server (IPython would drop an unknown keyword for objects shown by a formatter)."""
    from IPython.display import display as ipython_display

    if transport is not None:
        objs = tuple(_with_transport(obj, transport) for obj in objs)
    ipython_display(*objs, **kwargs)


def _with_transport(obj: Any, transport: str) -> Any:
    if not isinstance(obj, DISPLAYED) and not _displayed_by_name(obj):
        return obj
    view = view_of(obj)
    return View.of(view.server, view.ui, view.height, view.width, transport)


def _displayed_by_name(obj: Any) -> bool:
    names = {(cls.__module__, cls.__name__) for cls in type(obj).__mro__}
    return any(entry in names for entry in DISPLAYED_BY_NAME)


def show(obj: Any, host: KernelHost) -> None:
    from IPython.display import display as ipython_display

    view = view_of(obj)
    display.ensure_running(view)
    server_id = host.server_id(view.server)
    handle = ipython_display(display.live_bundle(view, server_id), raw=True, display_id=True)
    if handle is not None:
        Outputs.of(view.server).add(handle.display_id, view, server_id)
