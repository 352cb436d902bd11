"""Browser tests of the page: servers on a loop thread (``server_thread.py``), what their pages reported.

Touch a served server's state only through ``app.run(fn)`` (its loop is another thread's).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from trame_jupyter import Server

from .server_thread import ServerThread

SESSION_ROUTE = "/__trame_jupyter__/session"
T = TypeVar("T")


class Console:
    """Messages a page printed, for assertions and for failure reports."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, str]] = []

    def add(self, kind: str, text: str) -> None:
        self.messages.append((kind, text))

    def of(self, kind: str) -> list[str]:
        return [text for k, text in self.messages if k == kind]


@dataclass
class App:
    """A started server, the thread it runs on, and what its browsers reported."""

    server: Server
    thread: ServerThread
    browser_errors: list[str] = field(default_factory=list)
    session: dict[str, Any] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def bare_url(self) -> str:
        """The page address without credentials (the secret then comes from the session endpoint)."""
        return f"http://localhost:{self.server.port}/index.html"

    def run(self, fn: Callable[[], T]) -> T:
        return self.thread.run(fn)

    def state(self, key: str) -> Any:
        return self.thread.run(lambda: self.server.state[key])

    def set_state(self, **values: Any) -> None:
        self.thread.run(lambda: self.server.state.update(values))

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 10, what: str = "condition") -> None:
        """Poll a Python-side condition (evaluated on the server loop)."""
        deadline = time.monotonic() + timeout
        while not self.thread.run(predicate):
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}")
            time.sleep(0.02)

    def wait_for_error(self, fragment: str, timeout: float = 10) -> str:
        self.wait_for(
            lambda: any(fragment in e for e in self.browser_errors), timeout, f"a browser error with {fragment!r}"
        )
        return next(e for e in self.browser_errors if fragment in e)


def add_session_route(app: App) -> None:
    """The route the Jupyter proxy serves (``__trame_jupyter__/session``): the current secret, or 404 once
    ``app.session["gone"]`` is set."""
    from aiohttp import web

    async def session(_request: web.Request) -> web.Response:
        if app.session.get("gone"):  # what trame_jupyter.jupyter.serverext answers for an unregistered server
            return web.json_response({"reason": "not-registered", "message": "no such server"}, status=404)
        return web.json_response({"secret": app.server.secret})

    app.server.controller.on_server_bind.add(lambda runner: runner.app.router.add_get(SESSION_ROUTE, session))
