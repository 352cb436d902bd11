"""Authenticated routes of the server extension: the proxy to kernel-registered servers.

``{base_url}trame-jupyter/<server_id>/…`` reaches only a server some kernel registered (``registry.py``),
always on a loopback address. Every route requires Jupyter's authentication and the right to execute
code in kernels (using an app is running code in its kernel); websockets answer 403 instead of
redirecting. Error pages are plain, and every value that came from the URL is escaped.
"""

from __future__ import annotations

import html
from typing import Any
from urllib.parse import quote

from jupyter_server.auth.decorator import ws_authenticated
from jupyter_server.base.handlers import APIHandler, JupyterHandler
from jupyter_server.base.websocket import WebSocketMixin
from jupyter_server.extension.handler import ExtensionHandlerMixin
from tornado import web, websocket
from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest

from ..registry import Entry, Registry

# Request headers worth forwarding to a static file server (no cookies, no Jupyter credentials).
FORWARDED_REQUEST_HEADERS = ("Accept", "Accept-Language", "If-None-Match", "If-Modified-Since", "Range")
FORWARDED_RESPONSE_HEADERS = (
    "Content-Type",
    "Cache-Control",
    "ETag",
    "Last-Modified",
    "Location",
    "Content-Range",
    "Accept-Ranges",
)
# Room for the wslink envelope and chunk header around the largest message a server accepts.
FRAME_OVERHEAD = 64 * 1024
MIN_FRAME_SIZE = 4 * 1024 * 1024


def error_page(title: str, detail: str) -> str:
    """A small self-contained page; callers pass already-escaped text."""
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>trame-jupyter</title>"
        "<style>body{font-family:system-ui,sans-serif;color:#333;margin:1.5rem}"
        "h1{font-size:1.1rem}p{max-width:42rem;line-height:1.4}</style></head>"
        f"<body><h1>{title}</h1><p>{detail}</p></body></html>"
    )


class RegistryHandlerMixin(ExtensionHandlerMixin):
    """Access to the registry, and the checks shared by every route."""

    auth_resource = "kernels"

    @property
    def registry(self) -> Registry:
        return self.extensionapp.registry

    def require_kernel_access(self) -> None:
        user = self.current_user
        if not user or not self.authorizer.is_authorized(self, user, "execute", "kernels"):
            raise web.HTTPError(403, "Not allowed to use kernel applications")

    def entry_or_404(self, server_id: str) -> Entry:
        entry = self.registry.load(server_id)
        if entry is None:
            self.set_status(404)
            raise web.HTTPError(404, f"No trame server {server_id!r} is registered")
        return entry


class ServersAPIHandler(RegistryHandlerMixin, APIHandler):
    """``GET trame-jupyter/api/servers``: the live servers (never their secrets)."""

    @web.authenticated
    async def get(self) -> None:
        self.require_kernel_access()
        servers = [
            {
                "server_id": e.server_id,
                "name": e.name,
                "kernel_id": e.kernel_id,
                "pid": e.pid,
                "port": e.port,
                "created": e.created,
                "path": f"trame-jupyter/{e.server_id}/index.html",
            }
            for e in self.registry.entries()
        ]
        self.set_header("Cache-Control", "no-store")
        self.finish({"servers": servers, "version": self.extensionapp.version})


class KernelStatusHandler(RegistryHandlerMixin, APIHandler):
    """``GET trame-jupyter/api/kernels/<kernel_id>``: is the kernel there, and which process runs it.

    A display compares the process with the one that created it: same process and no server means
    the server was stopped; another process means the kernel restarted.
    """

    @web.authenticated
    async def get(self, kernel_id: str) -> None:
        self.require_kernel_access()
        manager = self.serverapp.kernel_manager
        exists = kernel_id in manager
        kernel = manager.get_kernel(kernel_id) if exists else None
        provisioner = getattr(kernel, "provisioner", None)
        self.set_header("Cache-Control", "no-store")
        self.finish(
            {
                "kernel_id": kernel_id,
                "exists": exists,
                "pid": getattr(provisioner, "pid", None),
                "execution_state": getattr(kernel, "execution_state", None),
                "servers": [e.server_id for e in self.registry.entries() if e.kernel_id == kernel_id],
            }
        )


class SessionHandler(RegistryHandlerMixin, APIHandler):
    """``GET trame-jupyter/<id>/__trame_jupyter__/session``: the secret, for the authenticated page only."""

    @web.authenticated
    async def get(self, server_id: str) -> None:
        self.require_kernel_access()
        entry = self.entry_or_404(server_id)
        self.set_header("Cache-Control", "no-store")
        self.finish({"secret": entry.secret, "server_id": entry.server_id, "name": entry.name})


class ProxyPageHandler(RegistryHandlerMixin, JupyterHandler):
    """HTTP ``GET``/``HEAD`` of a server's pages and assets (static content: small, cacheable)."""

    @web.authenticated
    async def get(self, server_id: str, path: str = "") -> None:
        await self._proxy(server_id, path, include_body=True)

    @web.authenticated
    async def head(self, server_id: str, path: str = "") -> None:
        await self._proxy(server_id, path, include_body=False)

    async def _proxy(self, server_id: str, path: str, include_body: bool) -> None:
        self.require_kernel_access()
        entry = self.registry.load(server_id)
        if entry is None:
            return self._page(
                404,
                "This trame server is not running",
                f"No server with id <code>{html.escape(server_id)}</code> is registered: it was stopped, or "
                "its kernel was restarted or shut down. Re-run the cell that displays it.",
            )
        if ".." in path.split("/") or "\\" in path:
            return self._page(404, "Not found", "This path is outside the server.")
        target = f"http://{_host(entry)}:{entry.port}/{quote(path, safe='/@:+,;=-_.~')}"
        if self.request.query:
            target += f"?{self.request.query}"
        headers = {k: v for k in FORWARDED_REQUEST_HEADERS if (v := self.request.headers.get(k))}
        request = HTTPRequest(
            target,
            method="GET" if include_body else "HEAD",
            headers=headers,
            follow_redirects=False,
            connect_timeout=self.extensionapp.connect_timeout,
            request_timeout=self.extensionapp.request_timeout,
            decompress_response=False,
        )
        try:
            response = await AsyncHTTPClient().fetch(request, raise_error=False)
        except (OSError, HTTPClientError) as error:
            return self._unreachable(entry, error)
        if response.code == 599:
            return self._unreachable(entry, response.error)
        self.set_status(response.code)
        for name in FORWARDED_RESPONSE_HEADERS:
            if name in response.headers:
                self.set_header(name, response.headers[name])
        self.set_header("X-Content-Type-Options", "nosniff")
        if include_body and response.code != 304 and response.body:
            self.write(response.body)
        self.finish()
        return None

    def _unreachable(self, entry: Entry, error: Any) -> None:
        self.log.warning("trame server %s (port %s) unreachable: %s", entry.server_id, entry.port, error)
        self._page(
            502,
            "The trame server is not answering",
            f"The server <code>{html.escape(entry.name)}</code> is registered but does not answer: its kernel "
            "may be busy, stopping or gone. Re-run the cell that displays it.",
        )

    def _page(self, status: int, title: str, detail: str) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(error_page(html.escape(title), detail))


class ProxyWebSocketHandler(RegistryHandlerMixin, WebSocketMixin, websocket.WebSocketHandler, JupyterHandler):
    """The websocket of a server, relayed frame by frame in both directions (binary kept binary)."""

    entry: Entry | None = None
    upstream: websocket.WebSocketClientConnection | None = None

    @ws_authenticated
    async def get(self, server_id: str, *args: Any, **kwargs: Any) -> None:
        self.require_kernel_access()
        entry = self.entry_or_404(server_id)
        self.entry = entry
        # Connect to the server before accepting the browser, so no early frame is lost.
        url = f"ws://{_host(entry)}:{entry.port}{entry.ws_path}"
        try:
            self.upstream = await websocket.websocket_connect(
                HTTPRequest(url, connect_timeout=self.extensionapp.connect_timeout),
                on_message_callback=self._from_server,
                max_message_size=self.max_message_size,
            )
        except (OSError, HTTPClientError, websocket.WebSocketError) as error:
            self.log.warning("trame server %s unreachable: %s", server_id, error)
            raise web.HTTPError(502, "trame server not answering") from None
        self.upstream.protocol.set_nodelay(True)
        await super().get(server_id, *args, **kwargs)

    @property
    def max_message_size(self) -> int:
        size = self.entry.ws_max_msg_size if self.entry is not None else 0
        return max(size, MIN_FRAME_SIZE) + FRAME_OVERHEAD

    def get_compression_options(self) -> dict[str, Any] | None:
        return None  # msgpack and images gain little; latency matters more

    def open(self, *args: Any, **kwargs: Any) -> None:
        super().open(*args, **kwargs)
        self.set_nodelay(True)

    def on_message(self, message: str | bytes) -> None:
        if self.upstream is not None:
            try:
                self.upstream.write_message(message, binary=isinstance(message, bytes))
            except websocket.WebSocketClosedError:
                self.close(1011, "trame server connection lost")

    def _from_server(self, message: str | bytes | None) -> None:
        if message is None:  # the server closed: pass its code on (1001 when it stops)
            upstream = self.upstream
            code = upstream.close_code if upstream is not None and upstream.close_code else 1011
            self.close(code, (upstream.close_reason if upstream is not None else None) or "trame server closed")
            return
        if self.ws_connection is None or self.ws_connection.is_closing():
            return
        try:
            self.write_message(message, binary=isinstance(message, bytes))
        except websocket.WebSocketClosedError:
            pass

    def on_close(self) -> None:
        if self.upstream is not None:
            self.upstream.close()
            self.upstream = None


class TrailingSlashHandler(JupyterHandler):
    """``trame-jupyter/<id>`` → ``trame-jupyter/<id>/`` (relative URLs in the page need the slash)."""

    @web.authenticated
    def get(self, server_id: str) -> None:
        self.redirect(f"{server_id}/", permanent=False)


def _host(entry: Entry) -> str:
    host = entry.connect_host
    return f"[{host}]" if ":" in host else host
