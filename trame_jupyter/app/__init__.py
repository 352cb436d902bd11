"""trame's application layer on trame_jupyter: a trame app ports by changing ``trame.app`` to
``trame_jupyter.app`` (and ``trame.decorators`` to ``trame_jupyter.decorators``); its widgets and layouts
stay trame's own imports.

- ``get_server(name=None, create_if_missing=True, client_type=None, **options)``: trame's signature.
- ``TrameApp`` / ``TrameComponent``: base classes holding ``self.server`` (trame-common's, with the same
  decorators); a ``TrameApp`` displays as its ``ui`` layout in a notebook.
- ``asynchronous``: ``create_task``, ``decorate_task``, ``task`` and the cross-process ``StateQueue``.

``TrameApp`` and ``TrameComponent`` need trame-common (``pip install "trame-jupyter[trame]"``).
"""

from __future__ import annotations

from typing import Any

from ..server.server import Server
from ..server.server import get_server as _get_server
from . import asynchronous


def get_server(
    name: str | Server | None = None,
    create_if_missing: bool = True,
    client_type: str | None = None,
    **options: Any,
) -> Server | None:
    """The server named ``name`` (default ``"trame"``), created if missing unless ``create_if_missing`` is
    False (then None)."""
    if not create_if_missing and not isinstance(name, Server):
        from ..server.registry import DEFAULT_NAME, registry

        existing = registry.named(DEFAULT_NAME if name is None else name)
        if existing is None:
            return None
        name = existing
    return _get_server(name, client_type=client_type, **options)


def __getattr__(name: str) -> Any:
    if name in ("TrameApp", "TrameComponent"):
        from .classes import TrameApp, TrameComponent

        return {"TrameApp": TrameApp, "TrameComponent": TrameComponent}[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["TrameApp", "TrameComponent", "asynchronous", "get_server"]
