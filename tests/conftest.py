"""Shared test plumbing: ``async def`` tests run on a fresh event loop, and running servers are cleaned up."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import inspect
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from chromium import CHROMIUM, CHROMIUM_ARGS
from wslink_client import WslinkTestClient

from trame_jupyter import Server

STATIC_INDEX = Path(__file__).parents[1] / "trame_jupyter" / "static" / "index.html"


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run coroutine tests with ``asyncio.run`` (a new loop per test)."""
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    names = pyfuncitem._fixtureinfo.argnames
    run_coroutine(pyfuncitem.obj(**{name: pyfuncitem.funcargs[name] for name in names}))
    return True


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


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's headless Chromium, driven by Playwright (both installed by scripts/install.sh)."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/system-deps.sh (scripts/install.sh does)")
    if not STATIC_INDEX.exists():
        pytest.fail(f"{STATIC_INDEX} is missing: build the client first (npm install && npm run build:prod)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


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
