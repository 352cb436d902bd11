"""trame_jupyter: trame-style interactive web apps that live inside Jupyter notebooks.

    from trame_jupyter import get_server
    server = get_server("demo")

``get_server(name)`` is the only registry of the package: any number of servers coexist in one process.
"""

from __future__ import annotations

from typing import Any

from ._version import __version__
from .server import Server

_servers: dict[str, Server] = {}


def get_server(name: str | Server | None = None, *, client_type: str | None = None, **options: Any) -> Server:
    """The server registered under ``name`` (default ``"trame"``), created on first use.

    A ``Server`` argument is returned as is; ``options`` apply when the server is created.
    """
    if isinstance(name, Server):
        server = name
    else:
        key = "trame" if name is None else name
        server = _servers.get(key)
        if server is not None and _cell_ran_again(server):
            _replace(server)  # re-running the cell that made it: start afresh, its views follow the new one
            server = None
        if server is None:
            server = _servers[key] = Server(key, **options)
    if client_type is not None:
        server.client_type = client_type
    return server


def _cell_ran_again(server: Server) -> bool:
    from .jupyter import environment

    if not environment.in_kernel():
        return False
    from .jupyter.kernel import is_rerun_of_origin

    return is_rerun_of_origin(server)


def _replace(server: Server) -> None:
    from .jupyter.displays import DisplayTracker

    DisplayTracker.of(server).replaced = True
    server.stop()


def link(widget: Any, trait: str, server: Server, key: str) -> Any:
    """Keep an ipywidgets trait and a state key equal, both ways; returns a link with ``unlink()``."""
    from .jupyter.widget import link as make_link

    return make_link(widget, trait, server, key)


def diagnose() -> None:
    """Print what the kernel detects, how each display will connect, and every running server."""
    from .jupyter.diagnose import diagnose as run

    run()


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    """Discovery hook of jupyter_server: the proxy extension lives in ``trame_jupyter.serverext``."""
    from .serverext import TrameJupyterExtension

    return [{"module": "trame_jupyter.serverext", "app": TrameJupyterExtension}]


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    """Discovery hook of JupyterLab for development installs (wheels install it as shared data)."""
    return [{"src": "labextension", "dest": "trame-jupyter"}]


__all__ = ["Server", "__version__", "diagnose", "get_server", "link"]
