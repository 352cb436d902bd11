"""Test harness: run a real ``Server`` on an event loop in a background thread.

Browser tests drive Chromium synchronously from the test thread while the server serves on its own
loop. Everything that touches the server's state must run on that loop: use ``run(fn)`` (sync
functions) or ``run_coroutine(coro)``.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from trame_jupyter import Server

T = TypeVar("T")


class ServerThread:
    """Owns a loop thread; ``start(server)`` serves it there in task mode on a free port."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run_loop, name="trame-test-loop", daemon=True)
        self._thread.start()
        self.servers: list[Server] = []

    def _run_loop(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()

    def run(self, fn: Callable[[], T], timeout: float = 10) -> T:
        """Call ``fn()`` on the server loop and return its result."""

        async def call() -> T:
            return fn()

        return self.run_coroutine(call(), timeout)

    def run_coroutine(self, coroutine: Coroutine[Any, Any, T], timeout: float = 10) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def start(self, server: Server, **start_kwargs: Any) -> Server:
        """Start ``server`` (task mode, port 0 unless given) and wait until it is ready."""

        async def start() -> None:
            server.start(exec_mode="task", port=start_kwargs.pop("port", 0), **start_kwargs)
            await server.ready

        self.run_coroutine(start())
        self.servers.append(server)
        return server

    def stop(self, server: Server) -> None:
        async def stop() -> None:
            await server.stop()

        self.run_coroutine(stop())

    def close(self) -> None:
        for server in self.servers:
            if server.running:
                try:
                    self.stop(server)
                except (concurrent.futures.TimeoutError, RuntimeError):
                    pass
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)
        self.loop.close()
