"""Browser tests: a real headless Chromium (Debian's) driven by Playwright against in-process servers.

Servers run on a loop thread (``tests/servers.py``); touch their state only through ``app.run(fn)``.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pytest
from servers import ServerThread

from trame_jupyter import Server

SESSION_ROUTE = "/__trame_jupyter__/session"
T = TypeVar("T")
_names = itertools.count()


class Console:
    """Messages a page printed, for assertions and for failure reports."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, str]] = []

    def add(self, kind: str, text: str) -> None:
        self.messages.append((kind, text))

    def of(self, kind: str) -> list[str]:
        return [text for k, text in self.messages if k == kind]


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    ctx = browser.new_context()
    ctx.set_default_timeout(10_000)
    yield ctx
    ctx.close()


@pytest.fixture
def new_page(context: Any) -> Callable[[], Any]:
    """Open another tab; each has ``.console`` (a Console) recording console output and page errors."""

    def open_page() -> Any:
        page = context.new_page()
        console = Console()
        page.on("console", lambda message: console.add(message.type, message.text))
        page.on("pageerror", lambda error: console.add("pageerror", str(error)))
        page.console = console
        return page

    return open_page


@pytest.fixture
def page(new_page: Callable[[], Any]) -> Any:
    return new_page()


@pytest.fixture
def server_thread() -> Iterator[ServerThread]:
    thread = ServerThread()
    yield thread
    thread.close()


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


@pytest.fixture
def serve(server_thread: ServerThread) -> Callable[..., App]:
    """``serve(build, session_endpoint=False, **start)``: build a server on the loop thread and start it.

    ``session_endpoint=True`` adds the route the Jupyter proxy serves (``__trame_jupyter__/session``),
    answering the current secret, or 404 once ``app.session["gone"]`` is set.
    """

    def start(build: Callable[[Server], None], session_endpoint: bool = False, **start_kwargs: Any) -> App:
        server = Server(f"browser-test-{next(_names)}")
        app = App(server, server_thread)

        def setup() -> None:
            server.controller.on_error.add(app.browser_errors.append)
            if session_endpoint:
                _add_session_route(app)
            build(server)

        server_thread.run(setup)
        server_thread.start(server, **start_kwargs)
        return app

    return start


def _add_session_route(app: App) -> None:
    from aiohttp import web

    async def session(_request: web.Request) -> web.Response:
        if app.session.get("gone"):  # what trame_jupyter.jupyter.serverext answers for an unregistered server
            return web.json_response({"reason": "not-registered", "message": "no such server"}, status=404)
        return web.json_response({"secret": app.server.secret})

    app.server.controller.on_server_bind.add(lambda runner: runner.app.router.add_get(SESSION_ROUTE, session))
