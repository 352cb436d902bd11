"""The proxy of the server extension, with a real kernel's servers behind it: pages and files (streamed),
websockets, authentication of every route, error pages, the servers' listing."""

from __future__ import annotations

import hashlib
import json
import os
import textwrap

import pytest
from support.jupyter_harness import proxied_client
from support.kernel_apps import show_app
from support.memory import peak_memory, peak_memory_reset
from support.wslink_client import WslinkTestClient

from trame_jupyter.core.contract import MIME_TYPE

pytestmark = pytest.mark.jupyter


def test_page_and_assets_through_the_proxy(jupyter, kernel):
    data = show_app(kernel, "page")
    page = jupyter.http(data["path"])
    assert page.status_code == 200
    assert "text/html" in page.headers["Content-Type"]
    assert "<script" in page.text
    root = jupyter.http(f"trame-jupyter/{data['server_id']}/")
    assert root.status_code == 302 and root.headers["Location"] == "index.html"
    bare = jupyter.http(f"trame-jupyter/{data['server_id']}")
    assert bare.status_code == 302 and bare.headers["Location"].endswith(f"{data['server_id']}/")


async def test_state_round_trip_trigger_and_binary_through_the_proxy(jupyter, kernel):
    data = show_app(kernel, "wire")
    client = await proxied_client(jupyter, data["server_id"])
    try:
        initial = await client.call("trame.state.get")
        assert initial["state"]["resolution"] == 6
        assert initial["state"]["label"] == "resolution 6"
        await client.call("trame.state.update", [{"key": "resolution", "value": 42}])
        assert await client.state_update("label") == "resolution 42"
        assert kernel.value("server.state.resolution") == 42
        assert await client.call("trame.trigger", "double", [21]) == 42
        kernel.execute("server.state.blob = bytes(range(256)) * 4096")  # 1 MiB pushed from a cell
        assert await client.state_update("blob") == bytes(range(256)) * 4096
        await client.call("trame.state.update", [{"key": "upload", "value": b"\x00" * 300_000}])
        assert kernel.value("len(server.state.upload)") == 300_000
    finally:
        await client.close()


async def test_auth_matrix(jupyter, kernel):
    data = show_app(kernel, "auth")
    server_id = data["server_id"]
    before = kernel.value("len(requests_seen)")
    # HTTP without credentials: login redirect for pages, 403 for the API and session.
    page = jupyter.http(data["path"], token=False)
    assert page.status_code in (302, 403)
    if page.status_code == 302:
        assert "login" in page.headers["Location"]
    assert jupyter.http(f"trame-jupyter/{server_id}/__trame_jupyter__/session", token=False).status_code == 403
    assert jupyter.http("trame-jupyter/api/servers", token=False).status_code == 403
    wrong = {"Authorization": "token not-the-token"}
    assert jupyter.http(data["path"], token=False, headers=wrong).status_code in (302, 403)
    # Websocket without credentials: 403 at the handshake.
    for headers in ({}, wrong):
        client = WslinkTestClient()
        with pytest.raises(Exception, match="403"):
            await client.open(jupyter.ws_url(f"trame-jupyter/{server_id}/ws"), headers=headers)
        await client.close()
    assert kernel.value("len(requests_seen)") == before  # nothing reached the kernel's server


def test_unknown_ids_and_traversal_are_404_and_fetch_nothing(jupyter, kernel):
    data = show_app(kernel, "traversal")
    server_id = data["server_id"]
    before = kernel.value("len(requests_seen)")
    port = kernel.value("server.port")
    for path in (
        "trame-jupyter/not-registered/index.html",
        "trame-jupyter/not-registered/__trame_jupyter__/session",
        f"trame-jupyter/{server_id}/..%2F..%2Fapi%2Fstatus",
        f"trame-jupyter/{server_id}/%2e%2e/%2e%2e/etc/passwd",
        "trame-jupyter/..%2F..%2Fapi/status",
        f"trame-jupyter/127.0.0.1:{port}/index.html",
        f"trame-jupyter/localhost%3A{port}/index.html",
        "trame-jupyter/http:%2F%2Fexample.com/index.html",
        "trame-jupyter/%2F%2Fexample.com/index.html",
    ):
        response = jupyter.http(path)
        assert response.status_code == 404, (path, response.status_code)
    assert kernel.value("len(requests_seen)") == before


def test_error_pages_escape_what_they_show(jupyter, kernel, tmp_path):
    # A registered server whose port is closed (its process, this test, is alive): 502, name escaped.
    registry = jupyter.runtime_dir / "trame-jupyter"
    registry.mkdir(exist_ok=True, mode=0o700)
    entry = {
        "server_id": "gone-x",
        "name": "<img src=x onerror=alert(1)>",
        "port": 9,
        "secret": "s",
        "pid": os.getpid(),
    }
    (registry / "gone-x.json").write_text(json.dumps(entry))
    try:
        response = jupyter.http("trame-jupyter/gone-x/index.html")
        assert response.status_code == 502
        assert "<img" not in response.text and "&lt;img src=x onerror=alert(1)&gt;" in response.text
    finally:
        (registry / "gone-x.json").unlink()
    response = jupyter.http("trame-jupyter/abc/%3Cscript%3Ealert(1)%3C%2Fscript%3E")
    assert response.status_code == 404 and "<script>alert(1)" not in response.text


async def test_a_process_without_the_secret_gets_nothing(jupyter, kernel):
    show_app(kernel, "direct")
    port, secret = kernel.value("server.port"), kernel.value("server.secret")
    kernel.execute("server.state.private = 'classified'")
    client = WslinkTestClient()
    await client.open(f"ws://127.0.0.1:{port}/ws")
    try:
        for guess in ("", "wslink-secret", secret[:-1]):
            with pytest.raises(Exception, match="Authentication failed"):
                await client.hello(guess)
        with pytest.raises(Exception, match="Unauthorized"):
            await client.call("trame.state.get")
        with pytest.raises(Exception, match="Unauthorized"):
            await client.call("trame.trigger", "double", [1])
        kernel.execute("server.state.private = 'still classified'")
        assert await client.no_publish("trame.state.topic")
    finally:
        await client.close()


def test_api_lists_live_servers_without_secrets(jupyter, kernel):
    data = show_app(kernel, "listed")
    listing = jupyter.http("trame-jupyter/api/servers").json()
    ids = {s["server_id"] for s in listing["servers"]}
    assert data["server_id"] in ids
    assert "secret" not in json.dumps(listing)
    assert all(s["kernel_id"] == kernel.kernel_id for s in listing["servers"] if s["server_id"] == data["server_id"])


def test_every_route_requires_authentication(jupyter):
    """Every handler of the extension is protected (no route falls back to public access)."""
    for path in (
        "trame-jupyter/api/servers",
        "trame-jupyter/api/kernels/00000000-0000-0000-0000-000000000000",
        "trame-jupyter/x/__trame_jupyter__/session",
        "trame-jupyter/x/ws",
        "trame-jupyter/x",
        "trame-jupyter/x/index.html",
    ):
        response = jupyter.http(path, token=False)
        assert response.status_code in (302, 403), (path, response.status_code)
    # jupyter_server warns about every extension endpoint lacking an auth decorator: none may be ours.
    unprotected = [line for line in jupyter.log().splitlines() if "registered for" in line and "trame-jupyter" in line]
    assert unprotected == []


async def test_cookie_authenticated_websocket_must_come_from_jupyters_origin(jupyter, kernel):
    """A page on another site must not ride the user's Jupyter cookie into the app (websocket hijacking)."""
    import aiohttp

    data = show_app(kernel, "origin")
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:  # IP-address host
        login = await session.get(f"{jupyter.url}login?token={jupyter.token}", allow_redirects=False)
        assert login.status == 302 and any(c.key.startswith("username-") for c in session.cookie_jar)
        url = jupyter.ws_url(f"trame-jupyter/{data['server_id']}/ws")
        with pytest.raises(aiohttp.WSServerHandshakeError) as info:
            await session.ws_connect(url, headers={"Origin": "https://evil.example"})
        assert info.value.status == 403
        same_origin = f"http://127.0.0.1:{jupyter.port}"
        ws = await session.ws_connect(url, headers={"Origin": same_origin})
        await ws.close()


def test_large_files_stream_through_the_proxy_in_bounded_memory(jupyter, kernel):
    """The proxy relays a body as it arrives: the Jupyter server holds a chunk of it, never all of it."""
    size = 48 * 1024 * 1024
    result = kernel.execute(
        textwrap.dedent(
            f"""
            import hashlib, os, pathlib, tempfile
            from trame_jupyter import get_server
            big = pathlib.Path(tempfile.mkdtemp())
            (big / "big.bin").write_bytes(os.urandom({size}))
            big_digest = hashlib.sha256((big / "big.bin").read_bytes()).hexdigest()
            big_server = get_server("big-file")
            big_server.enable_module({{"serve": {{"files": str(big)}}}})
            display(big_server)
            """
        )
    )
    server_id = result.bundle(MIME_TYPE)[MIME_TYPE]["server_id"]
    pid = jupyter.process.pid
    peak_memory_reset(pid)
    before = peak_memory(pid)
    digest = hashlib.sha256()
    received = 0
    with jupyter.http(f"trame-jupyter/{server_id}/files/big.bin", stream=True) as response:
        assert response.status_code == 200
        for chunk in response.iter_content(256 * 1024):
            digest.update(chunk)
            received += len(chunk)
    assert received == size
    assert digest.hexdigest() == kernel.value("big_digest")
    grown = peak_memory(pid) - before
    assert grown < 16 * 1024 * 1024, f"the Jupyter server's peak memory grew by {grown / 2**20:.1f} MiB"
