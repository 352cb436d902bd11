"""Servers in ``async def`` tests: run one on the test's loop, connect a wslink client, wait on a condition."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
from collections.abc import AsyncIterator
from typing import Any

from trame_jupyter import Server

from .wslink_client import WslinkTestClient


def run_coroutine(coroutine: Any) -> Any:
    """``asyncio.run``, on a worker thread when this thread's loop is taken (Playwright's sync API)."""
    if asyncio._get_running_loop() is None:
        return asyncio.run(coroutine)
    with concurrent.futures.ThreadPoolExecutor(1) as worker:
        return worker.submit(asyncio.run, coroutine).result()


async def wait_until(condition: Any, timeout: float = 10, what: str = "") -> None:
    """Wait on the current loop, a tick at a time, until ``condition()`` is true (or fail after ``timeout``)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what or condition}")
        await asyncio.sleep(0.005)


@contextlib.asynccontextmanager
async def running(server: Server, **start_kwargs: Any) -> AsyncIterator[Server]:
    """Start ``server`` as a task on the current loop (port 0) and stop it afterwards."""
    start_kwargs.setdefault("port", 0)
    server.start(exec_mode="task", **start_kwargs)
    await server.ready
    try:
        yield server
    finally:
        await server.stop()


@contextlib.asynccontextmanager
async def client_of(server: Server, secret: str | None = "use-server") -> AsyncIterator[WslinkTestClient]:
    """A connected, authenticated test client (``secret=None`` sends no secret)."""
    client = WslinkTestClient()
    await client.open(f"ws://127.0.0.1:{server.port}/ws")
    if secret is not None:
        await client.hello(server.secret if secret == "use-server" else secret)
    try:
        yield client
    finally:
        await client.close()
