"""Jupyter served over HTTPS: the proxy's websocket path keeps TLS with tornado and still tunnels."""

from __future__ import annotations

import ssl

import pytest
from support.jupyter_harness import start_jupyter, stop_jupyter
from support.wslink_client import WslinkTestClient

from trame_jupyter.core.contract import MIME_TYPE

pytestmark = pytest.mark.jupyter

APP = """
from trame_jupyter import get_server
server = get_server("tls")
@server.trigger("echo")
def echo(value):
    return value
display(server)
"""


@pytest.fixture(scope="module")
def https_jupyter(tmp_path_factory):
    server = start_jupyter(tmp_path_factory.mktemp("tls"), "/", tls=True)
    yield server
    stop_jupyter(server)


async def test_websocket_and_pages_over_https(https_jupyter):
    jupyter = https_jupyter
    kernel = jupyter.start_kernel()
    try:
        data = kernel.execute(APP).bundle(MIME_TYPE)[MIME_TYPE]
        assert jupyter.http(data["path"]).status_code == 200
        secret = jupyter.http(f"trame-jupyter/{data['server_id']}/__trame_jupyter__/session").json()["secret"]
        client = WslinkTestClient()
        context = ssl.create_default_context(cafile=str(jupyter.tls_ca))
        await client.connect(
            jupyter.ws_url(f"trame-jupyter/{data['server_id']}/ws"),
            secret,
            headers={"Authorization": f"token {jupyter.token}"},
            ssl=context,
        )
        try:
            payload = bytes(range(256)) * 8192  # 2 MiB each way: chunked frames through TLS
            assert await client.call("trame.trigger", "echo", [payload], chunk_size=1 << 20) == payload
            kernel.execute("server.stop()")
            assert await client.wait_closed(10) == 1001  # the server's "going away" reaches the browser
        finally:
            await client.close()
    finally:
        kernel.shutdown()
