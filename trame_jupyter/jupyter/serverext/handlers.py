"""Authenticated routes of the server extension: the proxy to kernel-registered servers.

``{base_url}trame-jupyter/<server_id>/…`` reaches only a server some kernel registered (``routes.py``),
always on a loopback address. Every route requires Jupyter's authentication and the right to execute
code in kernels (using an app is running code in its kernel); websockets answer 403 instead of
redirecting. Error pages are plain, and every value that came from the URL is escaped.

Errors never go through Jupyter's templates (``JupyterHandler.write_error``): this extension ships none,
and rendering them touches the user before authentication has run. API routes answer JSON
``{"message", "reason"}``, pages a small self-contained HTML page, the websocket route plain text.
"""

from __future__ import annotations

import asyncio
import html
import json
import re
import time
from collections.abc import Mapping
from datetime import datetime, timezone
from http.client import responses
from typing import Any, ClassVar, Literal
from urllib.parse import quote

import aiohttp
from jupyter_server.auth.decorator import ws_authenticated
from jupyter_server.base.handlers import APIHandler, JupyterHandler
from jupyter_server.extension.handler import ExtensionHandlerMixin
from tornado import web
from tornado.iostream import SSLIOStream, StreamClosedError
from yarl import URL

from ...core.contract import REASON_NOT_REGISTERED, ROUTE
from ..routes import Route, RouteTable, is_safe_ws_path
from . import tunnel
from .framing import framable_by_jupyter

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
# Handshake headers the server needs to answer the browser's upgrade itself.
UPGRADE_HEADERS = ("Sec-WebSocket-Key", "Sec-WebSocket-Version", "Sec-WebSocket-Protocol", "Sec-WebSocket-Extensions")
ACTIVITY_INTERVAL = 5.0
# A header value replayed upstream: visible ASCII, spaces and tabs (no CR/LF that would start a new header).
_HEADER_VALUE = re.compile(r"[\t\x20-\x7e]*")


def error_page(title: str, detail: str) -> str:
    """A small self-contained page; callers pass already-escaped text."""
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>trame-jupyter</title>"
        "<style>body{font-family:system-ui,sans-serif;color:#333;margin:1.5rem}"
        "h1{font-size:1.1rem}p{max-width:42rem;line-height:1.4}</style></head>"
        f"<body><h1>{title}</h1><p>{detail}</p></body></html>"
    )


class PlainErrorsMixin:
    """``write_error`` without Jupyter templates, in the form the route's clients read.

    Safe before authentication (it never touches ``current_user``): tornado refuses some requests,
    such as a path that is not UTF-8, before ``prepare`` runs.
    """

    error_format: ClassVar[Literal["json", "page", "text"]] = "page"

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        phrase = responses.get(status_code, "Error")
        message, reason = phrase, None
        exception = kwargs.get("exc_info", (None, None, None))[1]
        if isinstance(exception, web.HTTPError):
            reason = exception.reason
            if exception.log_message:
                try:
                    message = exception.log_message % exception.args
                except (TypeError, ValueError):
                    message = exception.log_message
        elif exception is not None:
            message = "Unhandled error"  # details stay in the server log
        self.set_header("Cache-Control", "no-store")  # type: ignore[attr-defined]
        self.set_header("X-Content-Type-Options", "nosniff")  # type: ignore[attr-defined]
        if self.error_format == "json":
            self.set_header("Content-Type", "application/json")  # type: ignore[attr-defined]
            body = json.dumps({"message": message, "reason": reason})
        elif self.error_format == "text":
            self.set_header("Content-Type", "text/plain; charset=utf-8")  # type: ignore[attr-defined]
            body = f"{status_code} {phrase}: {message}\n"
        else:
            self.set_header("Content-Type", "text/html; charset=utf-8")  # type: ignore[attr-defined]
            body = error_page(html.escape(f"{status_code} {phrase}"), html.escape(message))
        self.finish(body)  # type: ignore[attr-defined]


class RouteHandlerMixin(PlainErrorsMixin, ExtensionHandlerMixin):
    """Access to the route table, and the checks shared by every route."""

    auth_resource = "kernels"

    @property
    def routes(self) -> RouteTable:
        return self.extensionapp.routes

    def require_kernel_access(self) -> None:
        user = self.current_user
        if not user or not self.authorizer.is_authorized(self, user, "execute", "kernels"):
            raise web.HTTPError(403, "Not allowed to use kernel applications")

    def entry_or_404(self, server_id: str) -> Route:
        entry = self.routes.load(server_id)
        if entry is None:
            self.set_status(404)
            raise web.HTTPError(404, f"No trame server {server_id!r} is registered")
        return entry


class ServersAPIHandler(RouteHandlerMixin, APIHandler):
    """``GET trame-jupyter/api/servers``: the live servers (never their secrets)."""

    error_format = "json"

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
                "path": f"{ROUTE}/{e.server_id}/index.html",
            }
            for e in self.routes.routes()
        ]
        self.set_header("Cache-Control", "no-store")
        # open_tunnels: proxied websockets open now (a diagnostic: it returns to 0 when pages close).
        tunnels = len(self.extensionapp.tunnels)
        self.finish({"servers": servers, "version": self.extensionapp.version, "open_tunnels": tunnels})


class KernelStatusHandler(RouteHandlerMixin, APIHandler):
    """``GET trame-jupyter/api/kernels/<kernel_id>``: is the kernel there, and which process runs it.

    A display compares the process with the one that created it: same process and no server means
    the server was stopped; another process means the kernel restarted.
    """

    error_format = "json"

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
                "servers": [e.server_id for e in self.routes.routes() if e.kernel_id == kernel_id],
            }
        )


class SessionHandler(RouteHandlerMixin, APIHandler):
    """``GET trame-jupyter/<id>/__trame_jupyter__/session``: the secret, for the authenticated page only."""

    error_format = "json"

    @web.authenticated
    async def get(self, server_id: str) -> None:
        self.require_kernel_access()
        self.set_header("Cache-Control", "no-store")
        entry = self.routes.load(server_id)
        if entry is None:  # the page tells "server stopped" from "opened without credentials" by this reason
            self.set_status(404)
            self.finish({"reason": REASON_NOT_REGISTERED, "message": f"No trame server {server_id!r} is registered"})
            return
        self.finish({"secret": entry.secret, "server_id": entry.server_id, "name": entry.name})


class ProxyPageHandler(RouteHandlerMixin, JupyterHandler):
    """HTTP ``GET``/``HEAD`` of a server's pages and assets (static content: small, cacheable)."""

    @property
    def content_security_policy(self) -> str:
        return framable_by_jupyter(super().content_security_policy)  # views are frames of Jupyter's pages

    def decode_argument(self, value: bytes, name: str | None = None) -> str:
        # tornado decodes path arguments before ``prepare``: refusing a non-UTF-8 path there would answer
        # before authentication. Keep the undecodable bytes (as surrogates) and refuse them in ``_proxy``.
        if name == "path":
            return value.decode("utf-8", "surrogateescape")
        return super().decode_argument(value, name)

    @web.authenticated
    async def get(self, server_id: str, path: str = "") -> None:
        await self._proxy(server_id, path, include_body=True)

    @web.authenticated
    async def head(self, server_id: str, path: str = "") -> None:
        await self._proxy(server_id, path, include_body=False)

    async def _proxy(self, server_id: str, path: str, include_body: bool) -> None:
        self.require_kernel_access()
        if not _is_utf8(path):
            return self._page(400, "Bad request", "This path is not valid UTF-8.")
        entry = self.routes.load(server_id)
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
        relay = _ResponseRelay(self)
        try:
            # The proxy's client gives each server its own slots and bounds the wait for one (app.py).
            async with self.extensionapp.http_client().request(
                "GET" if include_body else "HEAD",
                URL(target, encoded=True),  # already quoted: sent as is
                headers=headers,
                allow_redirects=False,
            ) as response:
                relay.start(response.status, response.headers)
                if include_body:
                    async for chunk in response.content.iter_any():
                        self.write(chunk)
                        await self.flush()  # a slow browser slows the upstream read: memory stays bounded
        except StreamClosedError:
            return relay.cut(entry, "the browser left")
        except (OSError, asyncio.TimeoutError, aiohttp.ClientError) as error:
            if relay.started:
                return relay.cut(entry, error)
            if isinstance(error, asyncio.TimeoutError):  # aiohttp's timeouts are ServerTimeoutError, one of these
                return self._busy(entry)
            return self._unreachable(entry, error)
        self.finish()
        return None

    def _unreachable(self, entry: Route, error: Any) -> None:
        self.log.warning("trame server %s (port %s) unreachable: %s", entry.server_id, entry.port, error)
        self._page(
            502,
            "The trame server is not answering",
            f"The server <code>{html.escape(entry.name)}</code> is registered but does not answer: its kernel "
            "may be busy, stopping or gone. Re-run the cell that displays it.",
        )

    def _busy(self, entry: Route) -> None:
        timeout = self.extensionapp.request_timeout
        self.log.warning("trame server %s (port %s) did not answer in %gs", entry.server_id, entry.port, timeout)
        self._page(
            504,
            "The trame server is busy",
            f"The server <code>{html.escape(entry.name)}</code> did not answer within {timeout:g} s: its kernel "
            "is probably running a long cell. Reload this page once the cell has finished.",
        )

    def _page(self, status: int, title: str, detail: str) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(error_page(html.escape(title), detail))


class _ResponseRelay:
    """The status and headers of a server's response, relayed to the browser once; its body is then streamed
    as it arrives (``ProxyPageHandler._proxy``): the body never sits whole in the Jupyter server (a widget
    bundle or a large file costs a chunk of memory, not its size)."""

    def __init__(self, handler: ProxyPageHandler) -> None:
        self._handler = handler
        self.started = False

    def start(self, code: int, headers: Mapping[str, str]) -> None:
        if self.started:
            return
        self.started = True
        handler = self._handler
        handler.set_status(code)
        for name in FORWARDED_RESPONSE_HEADERS:
            if name in headers:
                handler.set_header(name, headers[name])
        handler.set_header("X-Content-Type-Options", "nosniff")

    def cut(self, entry: Route, error: Any) -> None:
        """The server failed after part of the body went out: end the connection so the browser sees a
        broken response, never a complete-looking truncated one."""
        connection = self._handler.request.connection
        if getattr(connection, "stream", None) is not None and connection.stream.closed():  # type: ignore[union-attr]
            self._handler.log.debug("browser left during a response of trame server %s", entry.server_id)
        else:
            self._handler.log.warning("trame server %s failed while sending a response: %s", entry.server_id, error)
        connection.close()  # type: ignore[union-attr]


class ProxyWebSocketHandler(RouteHandlerMixin, JupyterHandler):
    """The websocket of a server, as a byte tunnel once the upgrade is authenticated.

    After checking Jupyter's authentication, the kernel access right and the Origin, the browser's
    upgrade request is replayed to the registered server and the two TCP connections are spliced
    (``tunnel.py``): frames, their size limit, pings and close codes pass through untouched and are
    never decoded here, so the proxy adds no per-message work and a large frame streams as it arrives.
    """

    error_format = "text"

    async def prepare(self) -> None:  # type: ignore[override]
        # A websocket cannot follow a login redirect: refuse with 403 instead (as jupyter_server does).
        await super().prepare(_redirect_to_login=False)

    @ws_authenticated
    async def get(self, server_id: str) -> None:
        self.require_kernel_access()
        if self.request.headers.get("Upgrade", "").lower() != "websocket":
            raise web.HTTPError(400, "Expected a websocket upgrade")
        if not self.check_origin():
            raise web.HTTPError(403, "Cross-origin websocket refused")
        entry = self.entry_or_404(server_id)
        request = self._upgrade_request(entry)
        activity = _ActivityRecorder(self.settings)
        timeout = self.extensionapp.connect_timeout
        try:
            upstream, head = await tunnel.open_upstream(
                entry.connect_host, entry.port, request, timeout, activity.touch
            )
        except (OSError, asyncio.TimeoutError, tunnel.TunnelError) as error:
            self.log.warning("trame server %s (port %s) unreachable: %s", server_id, entry.port, error)
            raise web.HTTPError(502, "trame server not answering") from None
        if not head.startswith((b"HTTP/1.1 101", b"HTTP/1.0 101")):
            upstream.close()
            self.log.warning("trame server %s refused the upgrade: %r", server_id, head.split(b"\r\n", 1)[0])
            raise web.HTTPError(502, "trame server refused the websocket")
        stream = self.detach()
        if isinstance(stream, SSLIOStream):  # TLS stays with tornado: pipe through the stream
            browser: Any = tunnel.StreamSide(stream, activity.touch)
            upstream.link(browser)
            browser.write(head)
            self.extensionapp.track(asyncio.ensure_future(browser.pump_to(upstream)))
            return
        # Plain TCP: hand the socket to asyncio and splice the two connections in callbacks.
        sock = tunnel.duplicate(stream.socket)
        stream.close()
        side = await tunnel.adopt_socket(sock, activity.touch)
        side.link(upstream)
        upstream.link(side)
        side.transport.write(head)
        self.extensionapp.track(asyncio.ensure_future(tunnel.hold(side, upstream)))

    def _upgrade_request(self, entry: Route) -> bytes:
        """The upgrade request replayed to the server; refuses any value that could add a line to it.

        The route table already refuses such routes: this is the second line of defence, for any
        ``Route`` that did not come through it, and for the browser's own header values.
        """
        if not is_safe_ws_path(entry.ws_path):
            self.log.warning("trame server %s: refusing its websocket path %.60r", entry.server_id, entry.ws_path)
            raise web.HTTPError(404, "No trame server %r is registered", entry.server_id)
        headers = [f"GET {entry.ws_path} HTTP/1.1", f"Host: {_host(entry)}:{entry.port}"]
        headers += ["Upgrade: websocket", "Connection: Upgrade"]
        for name in UPGRADE_HEADERS:
            value = self.request.headers.get(name)
            if value is not None:
                if not _HEADER_VALUE.fullmatch(value):
                    raise web.HTTPError(400, "Invalid %s header", name)
                headers.append(f"{name}: {value}")
        return ("\r\n".join(headers) + "\r\n\r\n").encode("ascii")


class _ActivityRecorder:
    """Tells Jupyter's idle culler the server is in use (at most every few seconds)."""

    def __init__(self, settings: dict[str, Any]) -> None:
        self._settings = settings
        self._last = 0.0

    def touch(self) -> None:
        now = time.monotonic()
        if now - self._last > ACTIVITY_INTERVAL:
            self._last = now
            self._settings["api_last_activity"] = datetime.now(timezone.utc)


class TrailingSlashHandler(PlainErrorsMixin, JupyterHandler):
    """``trame-jupyter/<id>`` → ``trame-jupyter/<id>/`` (relative URLs in the page need the slash)."""

    @web.authenticated
    def get(self, server_id: str) -> None:
        self.redirect(f"{server_id}/", permanent=False)


class NotFoundHandler(PlainErrorsMixin, JupyterHandler):
    """Anything else under ``trame-jupyter/``: a plain 404 after authentication.

    Without it Jupyter's catch-all would answer, and it decodes the whole URL before authenticating
    (a non-UTF-8 id such as ``%ff`` became a template error in the log).
    """

    @web.authenticated
    def get(self) -> None:
        raise web.HTTPError(404, "Not found")

    @web.authenticated
    def head(self) -> None:
        raise web.HTTPError(404, "Not found")


def _is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # surrogates left by ``decode_argument`` for undecodable bytes
        return False
    return True


def _host(entry: Route) -> str:
    host = entry.connect_host
    return f"[{host}]" if ":" in host else host
