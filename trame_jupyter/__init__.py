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
        if server is None:
            server = _servers[key] = Server(key, **options)
    if client_type is not None:
        server.client_type = client_type
    return server


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    """Discovery hook of jupyter_server: the proxy extension lives in ``trame_jupyter.serverext``."""
    return [{"module": "trame_jupyter.serverext"}]


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    """Discovery hook of JupyterLab for development installs (wheels install it as shared data)."""
    return [{"src": "labextension", "dest": "trame-jupyter"}]


__all__ = ["Server", "__version__", "get_server"]
