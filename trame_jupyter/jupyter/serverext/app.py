"""``TrameJupyterExtension``: configuration and routes of the proxy (handlers in ``handlers.py``)."""

from __future__ import annotations

import asyncio

import aiohttp
from jupyter_server.extension.application import ExtensionApp
from traitlets import Bool, Float, Integer, Unicode, default

from ..._version import __version__
from ...core.contract import API_KERNELS_PATH, API_SERVERS_PATH, ROUTE, SERVER_ID_PATTERN, SESSION_PATH, WS_PATH
from ..routes import RouteTable, default_directory
from . import handlers
from .gateway import with_binary_gateway
from .nodelay import with_nodelay


class TrameJupyterExtension(ExtensionApp):
    """Routes ``{base_url}trame-jupyter/<server_id>/…`` (HTTP and websocket) to kernel-registered servers."""

    name = "trame_jupyter"
    version = __version__
    load_other_extensions = True

    registry_dir = Unicode(
        help="Directory where kernels register their servers (default: <jupyter runtime dir>/trame-jupyter)."
    ).tag(config=True)
    connect_timeout = Float(5.0, help="Seconds to wait when connecting to a kernel's server.").tag(config=True)
    request_timeout = Float(
        60.0,
        help="Seconds a proxied HTTP request may wait: for a free slot of its server, then for each piece of the "
        "answer (a download that keeps flowing is never cut). Past it the browser gets a 504 naming the server.",
    ).tag(config=True)
    max_requests_per_server = Integer(
        6, min=1, help="HTTP requests proxied to one server at once; more wait for a slot (up to request_timeout)."
    ).tag(config=True)
    kernel_ws_nodelay = Bool(
        True, help="Turn Nagle's algorithm off on Jupyter's kernel websockets (else ~40 ms per comm round trip)."
    ).tag(config=True)

    _http: aiohttp.ClientSession | None = None  # see http_client()

    @default("registry_dir")
    def _default_registry_dir(self) -> str:
        return str(default_directory())

    def initialize_settings(self) -> None:
        self.routes = RouteTable(self.registry_dir, log=self.log)  # bad route files are reported in Jupyter's log
        self.tunnels: set[asyncio.Future[None]] = set()
        connection_class = self.settings.get("kernel_websocket_connection_class")
        if self.kernel_ws_nodelay and connection_class is not None:
            self.settings["kernel_websocket_connection_class"] = with_nodelay(connection_class)
        if connection_class is not None:  # behind a gateway, comm buffers must get through (gateway.py)
            self.settings["kernel_websocket_connection_class"] = with_binary_gateway(
                self.settings["kernel_websocket_connection_class"]
            )
        self.log.info("trame_jupyter %s: proxying servers registered in %s", __version__, self.registry_dir)

    def http_client(self) -> aiohttp.ClientSession:
        """The client of every proxied HTTP request (made on first use: it needs the running loop).

        Each server gets its own ``max_requests_per_server`` connections (aiohttp's per-host limit: a host
        is an address and port, so one per server), so a kernel busy in a cell holds only its own servers'
        requests; tornado's shared ``AsyncHTTPClient`` ran 10 for all kernels together, so one busy kernel
        stalled every other's pages. The wait for a slot and each read are bounded, the whole body is not
        (tornado's client also capped bodies at 100 MB and requests at a total time, cutting long downloads).
        """
        if self._http is None or self._http.closed:
            self._http = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=0, limit_per_host=self.max_requests_per_server, force_close=True),
                timeout=aiohttp.ClientTimeout(
                    total=None,
                    connect=self.request_timeout,  # waiting for a slot, then connecting
                    sock_connect=self.connect_timeout,
                    sock_read=self.request_timeout,  # silence: before the answer starts, or within it
                ),
                cookie_jar=aiohttp.DummyCookieJar(),  # a server's cookies never reach another server
                auto_decompress=False,
                skip_auto_headers=("Accept-Encoding",),  # bodies are relayed as the server sends them
            )
        return self._http

    def track(self, tunnel: asyncio.Future[None]) -> None:
        """Keep an open tunnel referenced until it closes."""
        self.tunnels.add(tunnel)
        tunnel.add_done_callback(self.tunnels.discard)

    async def stop_extension(self) -> None:
        """Close the websocket tunnels still open (browsers reconnect when Jupyter comes back), and wait
        until each has closed its sockets; close the HTTP client."""
        tunnels = list(self.tunnels)
        for task in tunnels:
            task.cancel()
        await asyncio.gather(*tunnels, return_exceptions=True)
        if self._http is not None:
            await self._http.close()

    def initialize_handlers(self) -> None:
        server = rf"(?P<server_id>{SERVER_ID_PATTERN})"
        self.handlers.extend(
            [
                (rf"/{ROUTE}/{API_SERVERS_PATH}", handlers.ServersAPIHandler),
                (rf"/{ROUTE}/{API_KERNELS_PATH}/(?P<kernel_id>[0-9a-f-]{{36}})", handlers.KernelStatusHandler),
                (rf"/{ROUTE}/{server}/{SESSION_PATH}", handlers.SessionHandler),
                (rf"/{ROUTE}/{server}/{WS_PATH}", handlers.ProxyWebSocketHandler),
                (rf"/{ROUTE}/{server}", handlers.TrailingSlashHandler),
                (rf"/{ROUTE}/{server}/(?P<path>.*)", handlers.ProxyPageHandler),
                # Last: the rest of our prefix is ours to refuse (no group, so nothing is decoded before auth).
                (rf"/{ROUTE}/.*", handlers.NotFoundHandler),
            ]
        )
