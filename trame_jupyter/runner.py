"""The HTTP side of a started server: a listening socket bound synchronously, aiohttp routes (the
websocket and static files), serving until stopped.

Binding happens in ``bind()``, outside any coroutine, so ``start()`` knows the real port (and reports
"port in use" as an exception) before it returns, whatever the exec mode.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import socket
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

logger = logging.getLogger(__name__)


class PortInUseError(OSError):
    """The requested port is already taken; the message names it."""


@dataclass(frozen=True)
class RunnerConfig:
    host: str
    port: int
    ws_path: str | None = "/ws"
    http: bool = True
    www: Path | None = None
    serve: Mapping[str, Path] = field(default_factory=dict)
    follow_symlinks: bool = False
    handle_signals: bool = False
    ssl_context: Any = None
    headers: Mapping[str, str] = field(default_factory=dict)  # added to every HTTP response


def bind_socket(host: str, port: int) -> socket.socket:
    """Create a listening TCP socket now; ``port=0`` lets the OS choose."""
    bind_host = "127.0.0.1" if host == "localhost" else host
    try:
        infos = socket.getaddrinfo(bind_host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as error:
        raise OSError(errno.EADDRNOTAVAIL, f"Cannot listen on {host!r}: {error.strerror}") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6 and bind_host in ("::", ""):
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        sock.bind(address)
        sock.listen(128)
        sock.setblocking(False)
    except OSError as error:
        sock.close()
        if error.errno == errno.EADDRINUSE:
            raise PortInUseError(
                errno.EADDRINUSE,
                f"Port {port} on {host} is already in use; stop what listens there or pass port=0 for a free port",
            ) from None
        raise OSError(error.errno, f"Cannot listen on {host}:{port}: {error.strerror}") from None
    return sock


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Runner:
    """aiohttp application, site and lifetime of one started server.

    ``websocket`` answers ``config.ws_path``; ``before_cleanup`` runs when serving ends, before the
    site closes (it disconnects the clients, so they are told why).
    """

    def __init__(
        self,
        config: RunnerConfig,
        websocket: Handler | None = None,
        before_cleanup: Callable[[], Awaitable[Any]] | None = None,
    ) -> None:
        self.config = config
        self.app = web.Application()
        if config.ws_path and websocket is not None:
            self.app.router.add_get(config.ws_path, websocket)
        if config.http and config.www:
            self.app.router.add_get("/", _redirect_to_index)
        if config.headers:
            self.app.on_response_prepare.append(self._add_headers)
        self._before_cleanup = before_cleanup
        self._socket: socket.socket | None = None
        self._runner: web.AppRunner | None = None
        self._stopped: asyncio.Event | None = None
        self.port = 0

    async def _add_headers(self, request: web.Request, response: web.StreamResponse) -> None:
        for name, value in self.config.headers.items():
            response.headers.setdefault(name, value)

    # -- lifecycle ---------------------------------------------------------------------------------

    def bind(self) -> int:
        self._socket = bind_socket(self.config.host, self.config.port)
        self.port = self._socket.getsockname()[1]
        return self.port

    async def serve(self, on_ready: Any = None) -> None:
        """Start accepting connections, call ``on_ready()``, then run until ``stop()``."""
        if self._socket is None:
            return  # stopped before it started serving (or never bound): nothing to serve
        self._stopped = asyncio.Event()
        self._add_static_routes()
        self._runner = web.AppRunner(self.app, handle_signals=self.config.handle_signals, access_log=None)
        try:
            await self._runner.setup()
            site = web.SockSite(self._runner, self._socket, ssl_context=self.config.ssl_context)
            await site.start()
            if on_ready is not None:
                on_ready()
            await self._stopped.wait()
        finally:
            await self._cleanup()

    def request_stop(self) -> None:
        """Ask ``serve()`` to return (safe from any callback on the loop)."""
        if self._stopped is not None:
            self._stopped.set()
        else:
            self._close_socket()

    @property
    def serving(self) -> bool:
        return self._stopped is not None and not self._stopped.is_set()

    async def _cleanup(self) -> None:
        if self._before_cleanup is not None:
            await self._before_cleanup()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        self._close_socket()

    def _close_socket(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None

    # -- routes ------------------------------------------------------------------------------------

    def _add_static_routes(self) -> None:
        if not self.config.http:
            return
        # Longer prefixes first, so /a/b is not shadowed by /a; the web root comes last.
        for prefix in sorted(self.config.serve, key=len, reverse=True):
            directory = self.config.serve[prefix]
            if directory.is_dir():
                self.app.router.add_static(f"/{prefix}", directory, follow_symlinks=self.config.follow_symlinks)
            else:
                logger.error("Not serving /%s: %s is not a directory", prefix, directory)
        if self.config.www is not None:
            self.app.router.add_static("/", self.config.www, follow_symlinks=self.config.follow_symlinks)


async def _redirect_to_index(request: web.Request) -> web.StreamResponse:
    # Relative, so it also works behind a path prefix (a proxy); the query string is kept.
    location = "index.html" + (f"?{request.query_string}" if request.query_string else "")
    raise web.HTTPFound(location)
