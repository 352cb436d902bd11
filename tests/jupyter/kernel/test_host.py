"""The kernel as the servers' host: they serve between and during async cells, a re-run replaces, an interrupt
stops only the cell, a restart or shutdown unregisters them."""

from __future__ import annotations

import queue
import time

import pytest
from support.jupyter_harness import proxied_client
from support.kernel_apps import show_app

pytestmark = pytest.mark.jupyter


async def test_server_stays_live_between_cells_and_during_async_cells(jupyter, kernel):
    data = show_app(kernel, "live")
    busy = kernel.submit("import asyncio\nawait asyncio.sleep(3)")
    try:
        start = time.monotonic()
        client = await proxied_client(jupyter, data["server_id"])
        try:
            assert await client.call("trame.trigger", "double", [4]) == 8
        finally:
            await client.close()
        assert time.monotonic() - start < 2.5  # served while the cell was still awaiting
    finally:
        kernel.collect(busy)


def test_rerun_replaces_cleanly_and_stop_shows_not_running(jupyter, kernel):
    first = show_app(kernel, "rerun")
    first_port = kernel.value("server.port")
    second = show_app(kernel, "rerun")  # the same cell again
    assert second["server_id"] == first["server_id"]
    assert kernel.value("server.port") != first_port
    kernel.wait_until(f"__import__('socket').socket().connect_ex(('127.0.0.1', {first_port})) != 0")
    # A fresh server: one @change callback, not one per run of the cell.
    kernel.execute("resolution_calls.clear()\nserver.state.resolution = 40")
    kernel.wait_until("server.state.label == 'resolution 40'")
    assert kernel.value("resolution_calls") == [40]
    assert jupyter.http(second["path"]).status_code == 200
    kernel.execute("server.stop()")
    kernel.wait_until("not server.running")
    gone = jupyter.http(second["path"])
    assert gone.status_code == 404 and "not running" in gone.text
    assert jupyter.http(f"trame-jupyter/{second['server_id']}/__trame_jupyter__/session").status_code == 404


def test_kernel_restart_and_shutdown_unregister(jupyter):
    kernel = jupyter.start_kernel()
    data = show_app(kernel, "restart")
    entry = jupyter.runtime_dir / "trame-jupyter" / f"{data['server_id']}.json"
    assert entry.exists()
    assert oct(entry.stat().st_mode & 0o777) == "0o600"
    status = jupyter.http(f"trame-jupyter/api/kernels/{kernel.kernel_id}").json()
    assert status["exists"] and status["pid"] == data["kernel_pid"] and status["servers"] == [data["server_id"]]
    response = jupyter.http(f"api/kernels/{kernel.kernel_id}/restart", method="POST")
    assert response.status_code == 200
    status = jupyter.http(f"trame-jupyter/api/kernels/{kernel.kernel_id}").json()
    assert status["exists"] and status["pid"] != data["kernel_pid"] and status["servers"] == []
    listing = jupyter.http("trame-jupyter/api/servers").json()["servers"]
    assert data["server_id"] not in {s["server_id"] for s in listing}
    assert jupyter.http(data["path"]).status_code == 404
    kernel.client.wait_for_ready(timeout=60)
    show_app(kernel, "restart")
    assert entry.exists()
    kernel.shutdown()
    deadline = time.monotonic() + 15
    while entry.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not entry.exists()  # removed by the kernel at exit
    assert jupyter.http(f"trame-jupyter/api/kernels/{kernel.kernel_id}").json()["exists"] is False


async def test_interrupt_does_not_kill_the_kernel_or_the_server(jupyter, kernel):
    data = show_app(kernel, "interrupt")
    busy = kernel.submit("import time\nprint('sleeping', flush=True)\ntime.sleep(30)")
    # Interrupt once the cell's code runs (its first line printed): "busy" alone may be an earlier message's,
    # and an interrupt before the cell starts is lost (the cell then sleeps its 30 s).
    deadline = time.monotonic() + 20
    while True:
        assert time.monotonic() < deadline, "the kernel never started the cell"
        try:
            message = kernel.client.get_iopub_msg(timeout=0.5)
        except queue.Empty:
            continue
        if message["parent_header"].get("msg_id") == busy and "sleeping" in message["content"].get("text", ""):
            break
    assert jupyter.http(f"api/kernels/{kernel.kernel_id}/interrupt", method="POST").status_code == 204
    result = kernel.collect(busy, timeout=20)
    assert result.error is not None and result.error["ename"] == "KeyboardInterrupt"
    client = await proxied_client(jupyter, data["server_id"])
    try:
        assert await client.call("trame.trigger", "double", [5]) == 10
    finally:
        await client.close()
