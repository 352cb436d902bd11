"""How servers, layouts and views show themselves in a notebook: IPython display formatters.

``display(server)``, a layout as the last expression of a cell, or ``display(server.view(...))`` all
come here: the view's server starts if needed (a task on the kernel's loop, no ``await``), and its
bundle is displayed with a display id, remembered so the output can be finalized when the server stops.
"""

from __future__ import annotations

from typing import Any

from ..server import Server
from ..ui import AbstractLayout
from ..view import View
from . import display
from .kernel import KernelHost
from .outputs import Outputs

#: The classes shown as live views (anything with a ``view()`` returning a ``View``).
DISPLAYED = (Server, AbstractLayout, View)


def register(shell: Any, host: KernelHost) -> None:
    """Show servers, layouts and views through ``host`` in this IPython shell."""
    formatter = shell.display_formatter.ipython_display_formatter
    for cls in DISPLAYED:
        formatter.for_type(cls, lambda obj: show(obj, host))


def show(obj: Any, host: KernelHost) -> None:
    from IPython.display import display as ipython_display

    view = obj if isinstance(obj, View) else obj.view()
    display.ensure_running(view)
    server_id = host.server_id(view.server)
    handle = ipython_display(display.live_bundle(view, server_id), raw=True, display_id=True)
    if handle is not None:
        Outputs.of(view.server).add(handle.display_id, view, server_id)
