"""trame's and PyVista's Jupyter instructions tell users to call ``nest_asyncio.apply()`` first, so many
kernels have it applied. Everything keeps working then: display, re-run, triggers (and the background
work they start), stop, and a server in a thread. The real package, in a real kernel."""

from __future__ import annotations

import pytest
from support.jupyter_harness import proxied_client
from support.kernel_apps import show_app

pytestmark = pytest.mark.jupyter


@pytest.fixture(scope="module")
def nested_kernel(jupyter):
    kernel = jupyter.start_kernel()
    kernel.execute("import nest_asyncio\nnest_asyncio.apply()")
    assert kernel.value("getattr(__import__('asyncio').get_event_loop(), '_nest_patched', False)") is True
    yield kernel
    kernel.shutdown()


async def test_display_state_trigger_rerun_and_stop(jupyter, nested_kernel):
    kernel = nested_kernel
    first = show_app(kernel, "nested")
    client = await proxied_client(jupyter, first["server_id"])
    try:
        await client.call("trame.state.update", [{"key": "resolution", "value": 12}])
        kernel.wait_until("server.state.label == 'resolution 12'")
        assert await client.call("trame.trigger", "double", [21]) == 42
        kernel.execute("server.state.resolution = 30")
        while (await client.state_update("label")) != "resolution 30":
            pass
    finally:
        await client.close()
    second = show_app(kernel, "nested")  # the same cell again: replaces the server
    assert second["server_id"] == first["server_id"]
    kernel.execute("from trame_jupyter.server.registry import registry as _registry")
    kernel.wait_until("sum(s.running for s in _registry.servers() if s.name == 'nested') == 1")
    kernel.execute("await server.stop()")
    assert kernel.value("server.running") is False


async def test_a_trigger_that_starts_background_work_streams_it(jupyter, nested_kernel):
    kernel = nested_kernel
    data = show_app(kernel, "nested-work")
    kernel.execute(
        "import asyncio\n"
        "@server.trigger('work')\n"
        "def work():\n"
        "    async def steps():\n"
        "        for i in range(1, 6):\n"
        "            await asyncio.sleep(0.02)\n"
        "            server.state.progress = i\n"
        "    asyncio.create_task(steps())\n"
    )
    client = await proxied_client(jupyter, data["server_id"])
    try:
        await client.call("trame.trigger", "work")
        seen = [await client.state_update("progress") for _ in range(5)]
        assert seen == [1, 2, 3, 4, 5]  # each step reached the page as it happened
    finally:
        await client.close()
        kernel.execute("server.stop()")


def test_a_server_in_a_thread(nested_kernel):
    kernel = nested_kernel
    kernel.execute(
        "import threading, trame_jupyter\n"
        "threaded = trame_jupyter.Server('nested-thread')\n"
        "worker = threading.Thread(target=lambda: threaded.start(thread=True, port=0, open_browser=False,"
        " show_connection_info=False), daemon=True)\n"
        "worker.start()\n"
    )
    kernel.wait_until("threaded.running")
    kernel.execute("threaded.stop().result(10)\nworker.join(10)")  # from the kernel's thread: waits for the stop
    assert kernel.value("worker.is_alive() or threaded.running") is False
