"""The proxy facing a tampered route table and undecodable URLs, through a real jupyter server.

Malformed route files sit next to a server a real kernel registered; they point at a decoy listener on
this machine, so any connection the proxy opens because of them is counted.
"""

from __future__ import annotations

import json
import os
import socket
import textwrap
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest
from tornado import web

from trame_jupyter.core.contract import MIME_TYPE, REASON_NOT_REGISTERED
from trame_jupyter.jupyter.routes import Route
from trame_jupyter.jupyter.serverext.handlers import ProxyWebSocketHandler

pytestmark = pytest.mark.jupyter

APP = textwrap.dedent(
    """
    from trame_jupyter import get_server
    from trame_jupyter.ui import DivLayout
    from trame_jupyter.widgets import html

    server = get_server("hardened")
    with DivLayout(server):
        html.Div("still served")
    display(server)
    """
)
# A websocket handshake as a browser sends it (requests speaks plain HTTP: the answer is enough here).
UPGRADE = {
    "Upgrade": "websocket",
    "Connection": "Upgrade",
    "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
    "Sec-WebSocket-Version": "13",
}


class Decoy:
    """A loopback listener that counts the connections it accepts (and closes them)."""

    def __init__(self) -> None:
        self._socket = socket.create_server(("127.0.0.1", 0))
        self._socket.settimeout(0.1)
        self.port: int = self._socket.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._socket.accept()
            except TimeoutError:
                continue
            self.connections += 1
            connection.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self._socket.close()


@dataclass
class Tampered:
    """The registry under test: one valid server, and malformed files (file stem → the field blamed)."""

    valid_id: str
    kernel_id: str
    bad: dict[str, str]
    decoy: Decoy
    log_start: int  # where the Jupyter server's log stood when the registry was tampered with


def malformed_files(registry: Path, valid_id: str, kernel_id: str, port: int) -> dict[str, str]:
    """Write the malformed files; each would reach ``port`` if it were trusted. Returns stem → field."""
    # Alive (this test's process), on the decoy's port, claiming the real kernel: only the defect differs.
    base = {"name": "decoy", "port": port, "secret": "decoy-secret", "pid": os.getpid(), "kernel_id": kernel_id}
    entries: dict[str, tuple[str, dict | str]] = {
        "bad-pid": ("pid", {"pid": str(os.getpid())}),
        "bad-created": ("created", {"created": "yesterday"}),
        "bad-port": ("port", {"port": str(port)}),
        "bad-bool-port": ("port", {"port": True}),
        "bad-private-host": ("host", {"host": "10.0.0.1"}),
        "bad-remote-host": ("host", {"host": "example.com"}),
        "bad-ws-path": ("ws_path", {"ws_path": "/ws\r\nX-Injected: 1"}),
        "bad-relative-ws": ("ws_path", {"ws_path": "ws"}),
        "bad-secret": ("secret", {"secret": ""}),
        "bad-kernel": ("kernel_id", {"kernel_id": 42}),
        "bad-claims-valid": ("server_id", {"server_id": valid_id}),  # not its own file name
        "bad-missing": ("pid", {"pid": None}),
        "bad-json": ("file", "{not json"),
        "bad-list": ("file", json.dumps([base])),
    }
    for stem, (_, change) in entries.items():
        if isinstance(change, str):
            text = change
        else:
            merged = {**base, "server_id": stem, **change}
            text = json.dumps({k: v for k, v in merged.items() if v is not None})
        path = registry / f"{stem}.json"
        path.write_text(text)
        path.chmod(0o600)
    return {stem: field for stem, (field, _) in entries.items()}


@pytest.fixture(scope="module")
def tampered(jupyter, kernel) -> Iterator[Tampered]:
    data = kernel.execute(APP).bundle(MIME_TYPE)[MIME_TYPE]
    registry = jupyter.runtime_dir / "trame-jupyter"
    assert (registry / f"{data['server_id']}.json").exists()
    decoy = Decoy()
    log_start = len(jupyter.log())  # the server is shared with other modules: judge what happens from here
    bad = malformed_files(registry, data["server_id"], kernel.kernel_id, decoy.port)
    yield Tampered(data["server_id"], kernel.kernel_id, bad, decoy, log_start)
    decoy.close()
    for stem in bad:
        (registry / f"{stem}.json").unlink(missing_ok=True)


def assert_clean_log(jupyter, tampered: Tampered) -> None:
    log = jupyter.log()[tampered.log_start :]
    assert "Traceback" not in log and "TemplateNotFound" not in log, log[-4000:]


def test_malformed_routes_are_skipped_and_the_valid_one_still_works(jupyter, tampered):
    for _ in range(2):  # a second round must not log the warnings again
        listing = jupyter.http("trame-jupyter/api/servers")
        assert listing.status_code == 200, listing.text
        assert [s["server_id"] for s in listing.json()["servers"]] == [tampered.valid_id]
        status = jupyter.http(f"trame-jupyter/api/kernels/{tampered.kernel_id}")
        assert status.status_code == 200, status.text
        assert status.json()["exists"] is True and status.json()["servers"] == [tampered.valid_id]
    for stem in tampered.bad:
        page = jupyter.http(f"trame-jupyter/{stem}/index.html")
        assert page.status_code == 404, (stem, page.status_code)
        assert "text/html" in page.headers["Content-Type"] and "decoy" not in page.text
        session = jupyter.http(f"trame-jupyter/{stem}/__trame_jupyter__/session")
        assert session.status_code == 404 and session.json()["reason"] == REASON_NOT_REGISTERED
        upgrade = jupyter.http(f"trame-jupyter/{stem}/ws", headers=dict(UPGRADE))
        assert upgrade.status_code == 404, (stem, upgrade.status_code)
        assert "decoy-secret" not in page.text + session.text + upgrade.text
    assert tampered.decoy.connections == 0  # no malformed route was ever followed
    valid = jupyter.http(f"trame-jupyter/{tampered.valid_id}/index.html")
    assert valid.status_code == 200 and "<script" in valid.text
    log = jupyter.log()[tampered.log_start :]
    for stem, field in tampered.bad.items():
        lines = [line for line in log.splitlines() if f"{stem}.json: " in line]
        assert len(lines) == 1, (stem, lines)  # one warning per file, however often it was read
        assert "Ignoring trame-jupyter route file" in lines[0]
        assert f"bad field {field!r}" in lines[0] if field != "file" else "JSON" in lines[0]
        assert "decoy-secret" not in lines[0]
    assert "X-Injected" not in "".join(line for line in log.splitlines() if "bad-ws-path" not in line)
    assert_clean_log(jupyter, tampered)


async def test_the_valid_websocket_still_upgrades_and_malformed_ones_are_refused(jupyter, tampered):
    headers = {"Authorization": f"token {jupyter.token}"}
    async with aiohttp.ClientSession() as session:
        ws = await session.ws_connect(jupyter.ws_url(f"trame-jupyter/{tampered.valid_id}/ws"), headers=headers)
        await ws.close()
        for stem in ("bad-ws-path", "bad-private-host", "bad-port"):
            with pytest.raises(aiohttp.WSServerHandshakeError) as info:
                await session.ws_connect(jupyter.ws_url(f"trame-jupyter/{stem}/ws"), headers=headers)
            assert info.value.status == 404
    assert tampered.decoy.connections == 0
    assert_clean_log(jupyter, tampered)


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_undecodable_paths_get_a_small_page_and_no_traceback(jupyter, tampered, method):
    cases = {
        f"trame-jupyter/{tampered.valid_id}/%ff%fe": 400,  # the page route: refused after authentication
        f"trame-jupyter/{tampered.valid_id}/__trame_jupyter__/%ff": 400,
        "trame-jupyter/bad-pid/%ff%fe": 400,
        "trame-jupyter/%ff%fe/index.html": 404,  # not a server id: our catch-all, not Jupyter's
        "trame-jupyter/api/kernels/%ff%fe": 400,  # the page route of a server named "api"
    }
    for path, expected in cases.items():
        response = jupyter.http(path, method=method)
        assert response.status_code == expected, (path, response.status_code)
        assert response.headers["Content-Type"] == "text/html; charset=utf-8"
        if method == "GET":
            assert response.text.startswith("<!doctype html>") and len(response.text) < 2000
            assert "Jupyter Server" not in response.text  # not one of Jupyter's templates
    assert_clean_log(jupyter, tampered)


def test_errors_never_use_jupyter_templates(jupyter, tampered):
    # The websocket route without an upgrade: plain text, not Jupyter's HTML error page.
    plain = jupyter.http(f"trame-jupyter/{tampered.valid_id}/ws")
    assert plain.status_code == 400 and plain.headers["Content-Type"].startswith("text/plain")
    assert "<" not in plain.text
    # API routes: JSON with message and reason, whatever the error.
    for path in ("trame-jupyter/api/servers", f"trame-jupyter/api/kernels/{tampered.kernel_id}"):
        refused = jupyter.http(path, method="DELETE")
        assert refused.status_code == 405 and refused.headers["Content-Type"].startswith("application/json")
        assert set(refused.json()) == {"message", "reason"}
    # An undecodable query argument read by Jupyter's authentication (tornado refuses it inside prepare).
    token = jupyter.http(f"trame-jupyter/{tampered.valid_id}/index.html?token=%ff", token=False)
    assert token.status_code == 400 and token.text.startswith("<!doctype html>")
    assert "\\xff" in token.text or "Invalid" in token.text
    assert_clean_log(jupyter, tampered)


async def test_unauthenticated_requests_are_refused_before_anything_else(jupyter, tampered):
    pages = (
        f"trame-jupyter/{tampered.valid_id}/%ff%fe",
        "trame-jupyter/%ff%fe/index.html",
        "trame-jupyter/bad-pid/index.html",
        "trame-jupyter/bad-host-that-is-not-registered/index.html",
    )
    apis = (
        "trame-jupyter/api/servers",
        f"trame-jupyter/api/kernels/{tampered.kernel_id}",
        "trame-jupyter/bad-pid/__trame_jupyter__/session",
    )
    wrong = {"Authorization": "token not-the-token"}
    for headers in ({}, wrong):
        for path in pages:
            response = jupyter.http(path, token=False, headers=dict(headers))
            assert response.status_code in (302, 403), (path, response.status_code)
            if response.status_code == 302:
                assert "login" in response.headers["Location"]
        for path in apis:
            response = jupyter.http(path, token=False, headers=dict(headers))
            assert response.status_code in (401, 403), (path, response.status_code)
            assert "decoy" not in response.text
        for stem in ("bad-ws-path", tampered.valid_id):
            response = jupyter.http(f"trame-jupyter/{stem}/ws", token=False, headers={**headers, **UPGRADE})
            assert response.status_code == 403, (stem, response.status_code)
    async with aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.WSServerHandshakeError) as info:
            await session.ws_connect(jupyter.ws_url("trame-jupyter/bad-ws-path/ws"))
        assert info.value.status == 403
    assert tampered.decoy.connections == 0
    assert_clean_log(jupyter, tampered)


class _Request:
    def __init__(self, headers: dict[str, str]) -> None:
        self.headers = headers


class _Handler:
    """What ``_upgrade_request`` reads of a handler: the browser's headers and a logger."""

    def __init__(self, headers: dict[str, str]) -> None:
        self.request = _Request(headers)
        self.log = __import__("logging").getLogger("test")


def test_upgrade_request_refuses_what_could_add_a_line():
    """Second line of defence, for a ``Route`` that never went through the route table's checks."""
    good = Route("k1-app", "app", 8123, "s", 1)
    request = ProxyWebSocketHandler._upgrade_request(_Handler(dict(UPGRADE)), good)  # type: ignore[arg-type]
    assert request.startswith(b"GET /ws HTTP/1.1\r\nHost: 127.0.0.1:8123\r\n") and request.count(b"\r\n\r\n") == 1
    for ws_path in ("/ws\r\nX-Injected: 1", "/w s", "ws", "/w\x00s", "/wé"):
        with pytest.raises(web.HTTPError) as info:
            ProxyWebSocketHandler._upgrade_request(_Handler({}), Route("k1-app", "app", 8123, "s", 1, ws_path=ws_path))  # type: ignore[arg-type]
        assert info.value.status_code == 404
    with pytest.raises(web.HTTPError) as info:
        headers = {**UPGRADE, "Sec-WebSocket-Protocol": "chat\r\nX-Injected: 1"}
        ProxyWebSocketHandler._upgrade_request(_Handler(headers), good)  # type: ignore[arg-type]
    assert info.value.status_code == 400
