"""PyVista's ``plotter.show()`` in a notebook, on a trame_jupyter server: the ``"trame-jupyter"`` Jupyter
backend. PyVista (≥ 0.48) finds it through the ``pyvista.jupyter_backends`` entry point of this package, so

    pyvista.set_jupyter_backend("trame-jupyter")      # or plotter.show(jupyter_backend="trame-jupyter")

shows every plotter as one of our views (through our proxy, or the kernel comm where the proxy cannot reach
the kernel) instead of starting trame's own server on a port of the kernel's host. The view is PyVista's own
UI (``trame_pyvista.ui.plotter_ui``: its menu, and its ``"trame"``, ``"server"`` or ``"client"`` mode) in a
layout of a server of ours, one server per plotter.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..server.view import View

#: The backend's name, as PyVista's ``jupyter_backend`` takes it (the entry point's name in pyproject.toml).
BACKEND = "trame-jupyter"
#: The view's size when the plotter's window size was left to PyVista.
DEFAULT_WIDTH, DEFAULT_HEIGHT = "100%", "500px"


def show(
    plotter: Any,
    *,
    mode: str | None = None,
    name: str | None = None,
    width: str | int | None = None,
    height: str | int | None = None,
    collapse_menu: bool = False,
    add_menu: bool = True,
    default_server_rendering: bool = True,
    screenshot: Any = None,
    **ignored: Any,
) -> View:
    """The handler PyVista calls for ``plotter.show()``: a view of the plotter's UI on a server of ours.

    ``mode``, ``collapse_menu``, ``add_menu`` and ``default_server_rendering`` are those of PyVista's trame
    backend; ``name`` names the server (default: one per plotter); ``width``/``height`` (CSS lengths or
    pixels) default to the plotter's window size. Other keywords of trame's backend (its URL and proxy
    options, ``handler``) have no meaning here and are ignored. ``screenshot`` is PyVista's own."""
    from trame_pyvista.ui import plotter_ui

    from ..core.widgets import html
    from ..server.layouts import DivLayout
    from ..server.server import get_server

    if plotter.render_window is None:
        raise RuntimeError("this plotter was closed: create a new one to show it")
    default_width, default_height = _window_size(plotter)
    width, height = _css(width) or default_width, _css(height) or default_height
    server = get_server(name or f"pyvista-{plotter._id_name}")
    with DivLayout(server):
        # PyVista's UI fills its parent: give it the size of the view.
        with html.Div(style=f"width: {width}; height: {height}; position: relative"):
            plotter_ui(
                plotter,
                mode=mode,
                server=server,
                collapse_menu=collapse_menu,
                add_menu=add_menu,
                default_server_rendering=default_server_rendering,
            )
    return server.view(width=width)


def _window_size(plotter: Any) -> tuple[str, str]:
    if getattr(plotter, "_window_size_unset", True):
        return DEFAULT_WIDTH, DEFAULT_HEIGHT
    width, height = plotter.window_size
    return f"{int(width)}px", f"{int(height)}px"


def _css(size: str | int | None) -> str | None:
    return f"{size}px" if isinstance(size, int) else size
