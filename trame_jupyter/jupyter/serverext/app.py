"""``TrameJupyterExtension``: configuration and routes of the proxy (handlers in ``handlers.py``)."""

from __future__ import annotations

import asyncio

from jupyter_server.extension.application import ExtensionApp
from traitlets import Bool, Float, Unicode, default

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
    request_timeout = Float(60.0, help="Seconds allowed for one proxied HTTP request.").tag(config=True)
    kernel_ws_nodelay = Bool(
        True, help="Turn Nagle's algorithm off on Jupyter's kernel websockets (else ~40 ms per comm round trip)."
    ).tag(config=True)

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

    def track(self, tunnel: asyncio.Future[None]) -> None:
        """Keep an open tunnel referenced until it closes."""
        self.tunnels.add(tunnel)
        tunnel.add_done_callback(self.tunnels.discard)

    async def stop_extension(self) -> None:
        """Close the websocket tunnels still open (browsers reconnect when Jupyter comes back), and wait
        until each has closed its sockets."""
        tunnels = list(self.tunnels)
        for task in tunnels:
            task.cancel()
        await asyncio.gather(*tunnels, return_exceptions=True)

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
