"""Kernel + jupyter_server + our extension: display, proxy (HTTP and websocket), lifecycle."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import textwrap
import time
from pathlib import Path

import pytest
from jupyter_harness import proxied_client
from wslink_client import WslinkTestClient

from trame_jupyter.core.contract import MIME_TYPE

pytestmark = pytest.mark.jupyter

APP = textwrap.dedent(
    """
    from trame_jupyter import get_server
    from trame_jupyter.ui import DivLayout
    from trame_jupyter.widgets import html

    server = get_server({name!r})
    requests_seen = []

    async def count_requests(app, handler):
        async def counted(request):
            requests_seen.append(request.path)
            return await handler(request)
        return counted

    server.controller.on_server_bind.add(lambda runner: runner.app.middlewares.append(count_requests))

    resolution_calls = []

    @server.state.change("resolution")
    def on_resolution(resolution, **_):
        resolution_calls.append(resolution)
        server.state.label = f"resolution {{resolution}}"

    @server.trigger("double")
    def double(x):
        return 2 * x

    with DivLayout(server):
        html.Input(type="range", min=3, max=60, v_model=("resolution", 6))
        html.Div("{{{{ label }}}}")
    display(server)
    """
)


def show_app(kernel, name: str) -> dict:
    result = kernel.execute(APP.format(name=name))
    return result.bundle(MIME_TYPE)[MIME_TYPE]


def test_display_needs_no_await_and_emits_our_bundle(jupyter, kernel):
    result = kernel.execute(APP.format(name="display"))
    bundle = result.bundle(MIME_TYPE)
    data = bundle[MIME_TYPE]
    assert data["path"] == f"trame-jupyter/{data['server_id']}/index.html?ui=main&server_id={data['server_id']}"
    assert data["ui"] == "main" and data["kernel_id"] == kernel.kernel_id
    assert data["version"] == kernel.value("__import__('trame_jupyter').__version__")
    assert bundle["text/plain"] == "<trame_jupyter view of 'display', layout 'main'>"
    # A Jupyter server runs here, so the fallback iframe uses its proxy route (no secret in the notebook).
    assert f'src="{jupyter.base_url}{data["path"]}"'.replace("&", "&amp;") in bundle["text/html"]
    assert kernel.value("server.secret") not in json.dumps(bundle)
    assert kernel.value("server.running") is True


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


def test_other_cells_reuse_the_server_and_several_views_share_state(jupyter, kernel):
    data = show_app(kernel, "shared")
    other = kernel.execute("from trame_jupyter import get_server\nsame = get_server('shared')\ndisplay(same)")
    assert other.bundle(MIME_TYPE)[MIME_TYPE]["server_id"] == data["server_id"]
    assert kernel.value("same is server")
    views = kernel.execute(
        "from trame_jupyter.ui import DivLayout\n"
        "with DivLayout(server, 'side') as side:\n    html.Span('{{ label }}')\n"
        "display(side)\ndisplay(server.view('side', height=300, width='50%'))"
    )
    bundles = [b[MIME_TYPE] for b in views.bundles()]
    assert [b["ui"] for b in bundles] == ["side", "side"]
    assert bundles[1]["height"] == "300px" and bundles[1]["width"] == "50%"
    fallback = views.bundles()[1]["text/html"]
    assert "width: 50%" in fallback and 'fixed="300px"' in fallback  # the frame's fixed height once live


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


def test_fallback_urls_follow_the_environment(jupyter, kernel):
    kernel.execute(APP.format(name="envs"))
    hub = kernel.execute(
        "import os\nos.environ['JUPYTERHUB_SERVICE_PREFIX'] = '/user/bob/'\n"
        "display(server)\ndel os.environ['JUPYTERHUB_SERVICE_PREFIX']"
    ).bundle(MIME_TYPE)
    assert 'src="/user/bob/trame-jupyter/' in hub["text/html"]
    code = "import os\nos.environ['VSCODE_PID'] = '1'\ndisplay(server)\ndel os.environ['VSCODE_PID']"
    vscode = kernel.execute(code).bundle(MIME_TYPE)
    port = kernel.value("server.port")
    assert f'src="http://localhost:{port}/index.html?ui=main' in vscode["text/html"]


def test_diagnose_reports_environment_transport_extension_and_servers(jupyter, kernel):
    show_app(kernel, "diag")
    out = kernel.execute("import trame_jupyter\ntrame_jupyter.diagnose()").stdout
    assert "Jupyter kernel: yes" in out
    assert kernel.kernel_id in out
    assert "server extension: answered" in out
    assert "diag" in out and "jupyter-proxy" in out


def test_diagnose_tells_a_stale_runtime_file_from_a_missing_extension(jupyter, kernel):
    """A runtime file left by a Jupyter server that exited can name a live pid (reused) and a port where
    another server answers: that is no reason to reinstall anything."""
    stale = jupyter.runtime_dir / "jpserver-424242.json"
    stale.write_text(
        json.dumps({"url": jupyter.url, "token": "not-its-token", "pid": jupyter.process.pid, "base_url": "/"})
    )
    try:
        out = kernel.execute("import trame_jupyter\ntrame_jupyter.diagnose()").stdout
    finally:
        stale.unlink()
    lines = [line for line in out.splitlines() if "server extension:" in line]
    assert len(lines) == 2, out
    stale_line = next(line for line in lines if "left over" in line)
    assert str(stale) in stale_line and "pip install" not in stale_line
    assert any("answered (trame_jupyter" in line for line in lines)


def test_widget_and_link(jupyter, kernel):
    show_app(kernel, "widgets")
    kernel.execute(
        "import ipywidgets as w\nimport trame_jupyter\n"
        "slider = w.IntSlider(value=9)\nbox = w.VBox([slider, server.widget])\n"
        "bridge = trame_jupyter.link(slider, 'value', server, 'resolution')\ndisplay(box)"
    )
    # An anywidget (no extension of ours needed), not an Output holding our MIME bundle.
    assert kernel.value("type(server.widget).__name__") == "TrameWidget"
    assert kernel.value("server.state.resolution") == 6  # the state already had a value: it wins
    assert kernel.value("slider.value") == 6
    kernel.execute("slider.value = 25")
    kernel.wait_until("server.state.resolution == 25")
    assert kernel.value("server.state.label") == "resolution 25"  # the @change callback ran
    kernel.execute("server.state.resolution = 33")
    kernel.wait_until("slider.value == 33")
    kernel.execute("bridge.unlink()\nslider.value = 1")
    assert kernel.value("server.state.resolution") == 33
    # Stopped: the widget shows the final snapshot instead of the page.
    kernel.execute("server.stop()")
    assert kernel.value("box.children[1].stopped") is True
    assert "resolution 33" in kernel.value("box.children[1].snapshot")


async def test_interrupt_does_not_kill_the_kernel_or_the_server(jupyter, kernel):
    data = show_app(kernel, "interrupt")
    busy = kernel.submit("import time\ntime.sleep(30)")
    status = f"api/kernels/{kernel.kernel_id}"
    deadline = time.monotonic() + 20
    while jupyter.http(status).json()["execution_state"] != "busy":  # the cell runs: now interrupt it
        assert time.monotonic() < deadline, "the kernel never started the cell"
        await asyncio.sleep(0.02)
    assert jupyter.http(f"api/kernels/{kernel.kernel_id}/interrupt", method="POST").status_code == 204
    result = kernel.collect(busy, timeout=20)
    assert result.error is not None and result.error["ename"] == "KeyboardInterrupt"
    client = await proxied_client(jupyter, data["server_id"])
    try:
        assert await client.call("trame.trigger", "double", [5]) == 10
    finally:
        await client.close()


def test_extension_is_listed_enabled_and_ok():
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-m", "jupyter", "server", "extension", "list"], capture_output=True, text=True, timeout=60
    )
    text = out.stdout + out.stderr
    assert "trame_jupyter" in text
    assert "enabled" in text and "OK" in text.split("trame_jupyter", 2)[-1]


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


def peak_memory_reset(pid: int) -> None:
    """Reset a process's peak resident memory (VmHWM) to its current size (Linux: clear_refs 5)."""
    with open(f"/proc/{pid}/clear_refs", "w") as refs:
        refs.write("5")


def peak_memory(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmHWM")


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
