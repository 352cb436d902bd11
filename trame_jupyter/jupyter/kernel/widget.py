"""The ipywidgets bridge: a server view as a widget, and ``link()`` between a widget trait and a state key.

``view_widget`` is an ``anywidget`` widget (``anywidget_view.TrameWidget``): it needs no extension of ours
(VS Code, Colab, Voilà render it too) and nests in ``VBox``/``HBox``/``Tab``.

``link`` keeps both sides equal. Widget messages may be handled on another thread (ipykernel 7 runs
comm handlers on subshell threads): writes to the state always hop onto the server's loop.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from ...core.state import values_equal

if TYPE_CHECKING:
    from ...server.server import Server
    from ...server.view import View

logger = logging.getLogger(__name__)


def view_widget(view: View, server_id: str) -> Any:
    """``view`` as a widget: an anywidget (``anywidget_view``) whose page reaches the server through the
    widget's own messages, so it renders in every front end that renders ipywidgets, extension or not."""
    try:
        from .anywidget_view import view_widget as anywidget_view
    except ImportError as error:
        raise ImportError(
            f"a server's .widget needs anywidget and ipywidgets ({error}): pip install 'trame-jupyter[jupyter]'"
        ) from error
    return anywidget_view(view, server_id)


class Link:
    """A two-way link between ``widget.<trait>`` and ``server.state[key]``; ``unlink()`` ends it."""

    def __init__(self, widget: Any, trait: str, server: Server, key: str) -> None:
        self.widget = widget
        self.trait = trait
        self.server = server
        self.key = key
        self._loop = _loop_of(server)
        self._active = True
        # Start equal: the state takes the widget's value unless the key already has one.
        current = server.state[key]
        if current is None:
            server.state[key] = getattr(widget, trait)
        else:
            self._set_widget(current)
        server.state.change(key)(self._on_state)
        widget.observe(self._on_widget, names=trait)

    def _on_state(self, **state: Any) -> None:
        if self._active:
            self._set_widget(state.get(self.key))

    def _set_widget(self, value: Any) -> None:
        if not values_equal(getattr(self.widget, self.trait), value):
            setattr(self.widget, self.trait, value)

    def _on_widget(self, change: dict[str, Any]) -> None:
        if not self._active:
            return
        value = change["new"]
        loop = _loop_of(self.server) or self._loop
        if loop is None or _running_loop() is loop:
            self._set_state(value)
        else:  # a comm handler on another thread (ipykernel 7 subshells): hop onto the server's loop
            loop.call_soon_threadsafe(self._set_state, value)

    def _set_state(self, value: Any) -> None:
        if not values_equal(self.server.state[self.key], value):
            self.server.state[self.key] = value

    def unlink(self) -> None:
        self._active = False
        self.widget.unobserve(self._on_widget, names=self.trait)


def _loop_of(server: Server) -> asyncio.AbstractEventLoop | None:
    loop = server.loop
    return loop if loop is not None else _running_loop()


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def link(widget: Any, trait: str, server: Server, key: str) -> Link:
    """Keep ``widget.<trait>`` and ``server.state[key]`` equal, both ways."""
    if not widget.has_trait(trait):
        raise AttributeError(f"{type(widget).__name__} has no trait {trait!r}")
    return Link(widget, trait, server, key)
