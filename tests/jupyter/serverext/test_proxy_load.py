"""The proxy under load, through a real jupyter server: a kernel busy in a cell holds only its own servers'
requests (another kernel's page answers at once), a request that waits too long answers 504 naming the
busy server, and bodies over tornado's 100 MB default stream through.

The Jupyter server of this module has short timeouts, so waiting for them stays cheap.
"""

from __future__ import annotations

import asyncio
import html
import textwrap
import time
from collections.abc import Iterator

import aiohttp
import pytest
from support.jupyter_harness import JupyterServer, Kernel, start_jupyter, stop_jupyter

from trame_jupyter.core.contract import MIME_TYPE

pytestmark = pytest.mark.jupyter

TIMEOUT = 3.0  # the proxy's request_timeout here
PER_SERVER = 4  # the proxy's max_requests_per_server here
PENDING = 12  # requests left waiting on the busy kernel: more than tornado's shared client runs at once (10)
# Long enough that every request to the busy kernel times out first: the ones that got a slot after TIMEOUT,
# the ones still waiting for one after TIMEOUT too (or, if a slot frees just then, TIMEOUT later).
BUSY_FOR = 2 * TIMEOUT + 3
BUSY_NAME = "busy <b>&amp;</b>"

APP = textwrap.dedent(
    """
    from trame_jupyter import get_server
    from trame_jupyter.ui import DivLayout
    from trame_jupyter.widgets import html

    server = get_server({name!r})
    with DivLayout(server):
        html.Div("a page")
    display(server)
    """
)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[JupyterServer]:
    server = start_jupyter(
        tmp_path_factory.mktemp("proxy-load"),
        "/",
        extra_args=[
            f"--TrameJupyterExtension.request_timeout={TIMEOUT}",
            f"--TrameJupyterExtension.max_requests_per_server={PER_SERVER}",
        ],
    )
    yield server
    stop_jupyter(server)


@pytest.fixture(scope="module")
def two_kernels(loaded: JupyterServer) -> Iterator[tuple[Kernel, Kernel]]:
    kernels = (loaded.start_kernel(), loaded.start_kernel())
    yield kernels
    for kernel in kernels:
        kernel.shutdown()


def show(kernel: Kernel, name: str) -> dict:
    return kernel.execute(APP.format(name=name)).bundle(MIME_TYPE)[MIME_TYPE]


def wait_busy(kernel: Kernel, msg_id: str) -> None:
    """Until the kernel started running request ``msg_id`` (its loop, and the servers on it, are blocked)."""
    while True:
        message = kernel.client.get_iopub_msg(timeout=30)
        if message["parent_header"].get("msg_id") == msg_id and message["msg_type"] == "execute_input":
            return


async def timed_get(http: aiohttp.ClientSession, url: str) -> tuple[int, str, float]:
    start = time.monotonic()
    async with http.get(url) as response:
        return response.status, await response.text(), time.monotonic() - start


async def test_a_busy_kernel_does_not_delay_another_kernels_page(loaded, two_kernels):
    busy_kernel, idle_kernel = two_kernels
    busy, idle = show(busy_kernel, BUSY_NAME), show(idle_kernel, "idle")
    headers = {"Authorization": f"token {loaded.token}"}
    timeout = aiohttp.ClientTimeout(total=BUSY_FOR + 30)
    async with aiohttp.ClientSession(headers=headers, timeout=timeout) as http:
        assert (await timed_get(http, loaded.url + busy["path"]))[0] == 200  # answers while idle
        cell = busy_kernel.submit(f"import time; time.sleep({BUSY_FOR})")
        wait_busy(busy_kernel, cell)
        started = time.monotonic()
        pending = [asyncio.ensure_future(timed_get(http, loaded.url + busy["path"])) for _ in range(PENDING)]
        await asyncio.sleep(0.5)  # they reached the proxy, and wait on the busy kernel
        for _ in range(3):
            status, text, took = await timed_get(http, loaded.url + idle["path"])
            assert status == 200 and "<script" in text, (status, text[:300])
            assert took < 1.5, f"the idle kernel's page took {took:.1f}s behind the busy one"
        answers = await asyncio.gather(*pending)
        assert time.monotonic() - started < BUSY_FOR, "a request waited for the busy kernel's cell to end"
        for status, text, took in answers:
            # A clear timeout that names the server (escaped), after the configured wait, not a 502.
            assert status == 504, (status, text[:300])
            assert html.escape(BUSY_NAME) in text and BUSY_NAME not in text, text
            assert TIMEOUT - 0.5 < took < 2 * TIMEOUT + 1.5, took
        busy_kernel.collect(cell, timeout=BUSY_FOR + 30)
        assert (await timed_get(http, loaded.url + busy["path"]))[0] == 200  # idle again: served again
    log = loaded.log()
    assert "Traceback" not in log, log[-3000:]


def test_a_file_over_100_mb_streams_through_the_proxy(loaded, two_kernels):
    """tornado's client refuses bodies over 100 MB by default, streamed or not."""
    _, kernel = two_kernels
    size = 100 * 1024 * 1024 + 5
    result = kernel.execute(
        textwrap.dedent(
            f"""
            import pathlib, tempfile
            from trame_jupyter import get_server
            large = pathlib.Path(tempfile.mkdtemp())
            with open(large / "large.bin", "wb") as file:
                file.seek({size} - 5)  # sparse up to there: costs no disk
                file.write(b"tail!")
            large_server = get_server("large-file")
            large_server.enable_module({{"serve": {{"files": str(large)}}}})
            display(large_server)
            """
        )
    )
    server_id = result.bundle(MIME_TYPE)[MIME_TYPE]["server_id"]
    received, last = 0, b""
    with loaded.http(f"trame-jupyter/{server_id}/files/large.bin", stream=True) as response:
        assert response.status_code == 200, response.text[:300]
        for chunk in response.iter_content(1024 * 1024):
            received += len(chunk)
            last = (last + chunk)[-5:]
    assert (received, last) == (size, b"tail!")
