"""Faults through the real proxy: a kernel killed with -9 while pages are connected."""

from __future__ import annotations

import asyncio
import os
import signal
import time

import pytest
from support.jupyter_harness import proxied_client
from support.kernel_apps import show_app

pytestmark = pytest.mark.jupyter


def open_fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


async def test_kernel_killed_with_open_sockets(jupyter):
    """The pages' sockets close promptly, and the Jupyter server's tunnels and descriptors return to
    where they were before the pages connected."""
    kernel = jupyter.start_kernel()
    try:
        data = show_app(kernel, "killed")
        pid = kernel.value("__import__('os').getpid()")
        baseline_fds = open_fds(jupyter.process.pid)
        assert jupyter.http("trame-jupyter/api/servers").json()["open_tunnels"] == 0
        clients = [await proxied_client(jupyter, data["server_id"]) for _ in range(3)]
        assert jupyter.http("trame-jupyter/api/servers").json()["open_tunnels"] == 3
        assert open_fds(jupyter.process.pid) > baseline_fds

        os.kill(pid, signal.SIGKILL)
        started = time.monotonic()
        for client in clients:
            await client.wait_closed(timeout=10)
        assert time.monotonic() - started < 5  # promptly: not a ping timeout later

        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            tunnels = jupyter.http("trame-jupyter/api/servers").json()["open_tunnels"]
            if tunnels == 0 and open_fds(jupyter.process.pid) <= baseline_fds:
                break
            await asyncio.sleep(0.05)
        assert tunnels == 0
        assert open_fds(jupyter.process.pid) <= baseline_fds
        for client in clients:
            await client.close()
    finally:
        kernel.shutdown()
