"""trame_jupyter: trame-style interactive web apps that live inside Jupyter notebooks.

    from trame_jupyter import get_server
    server = get_server("demo")

This module is the front door: it assembles the floors below it. Imported inside a Jupyter kernel, it
also switches on the notebook support (``trame_jupyter.jupyter.kernel.activate``: display formatters, proxy
registration, the re-run rule); the core itself never imports Jupyter code.
"""

from __future__ import annotations

import sys
from typing import Any

from ._version import __version__
from .server.server import Server, get_server


def link(widget: Any, trait: str, server: Server, key: str) -> Any:
    """Keep an ipywidgets trait and a state key equal, both ways; returns a link with ``unlink()``."""
    from .jupyter.kernel.widget import link as make_link

    return make_link(widget, trait, server, key)


def display(*objs: Any, transport: str | None = None, **kwargs: Any) -> None:
    """IPython's ``display``, where ``transport="comm"`` (or ``"proxy"``) forces how the views shown reach
    their server: ``display(server, transport="comm")``."""
    from .jupyter.kernel.formatters import display_with_transport

    display_with_transport(*objs, transport=transport, **kwargs)


def diagnose() -> None:
    """Print what the kernel detects, how each display will connect, and every running server."""
    from .jupyter.kernel.diagnose import diagnose as run

    run()


def _jupyter_server_extension_points() -> list[dict[str, Any]]:
    """Discovery hook of jupyter_server: the proxy extension lives in ``trame_jupyter.jupyter.serverext``."""
    from .jupyter.serverext import TrameJupyterExtension

    return [{"module": "trame_jupyter.jupyter.serverext", "app": TrameJupyterExtension}]


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    """Discovery hook of JupyterLab for development installs (wheels install it as shared data)."""
    return [{"src": "labextension", "dest": "trame-jupyter"}]


if "ipykernel" in sys.modules:  # only a kernel has it loaded before user code runs; never import it here
    from .jupyter.kernel import activate

    activate()

__all__ = ["Server", "__version__", "diagnose", "display", "get_server", "link"]
