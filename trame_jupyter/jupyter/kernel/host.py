"""The Jupyter kernel as the host of this process's servers (``servers.Host``).

It tells the process registry which cell is running (so a re-run of a cell replaces the servers it
made), and registers every root server with the proxy's route table while it serves: the route is
written at every start and removed at stop or kernel exit. Nothing here blocks the kernel's loop.
"""

from __future__ import annotations

import atexit
import hashlib
import logging
import os
import re
import weakref
from typing import TYPE_CHECKING, Any

from ...server.registry import Origin, registry
from ...server.transports.fetch import MAX_PROCESS_BYTES_IN_FLIGHT, ByteBudget
from ..routes import Route, RouteTable
from . import environment

if TYPE_CHECKING:
    from ...server.server import Server
    from ...server.view import View

logger = logging.getLogger(__name__)

_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


def server_id_for(key: str, kernel_id: str | None = None, pid: int | None = None) -> str:
    """The proxy id of a server: stable per (kernel, server key), so a re-run keeps its views' URL."""
    owner = (kernel_id or "")[:8] or f"p{pid or os.getpid()}"
    slug = _UNSAFE.sub("-", key).strip("-")[:40] or "server"
    if slug != key:  # keep distinct keys distinct after slugging
        slug = f"{slug[:31]}-{hashlib.sha1(key.encode()).hexdigest()[:8]}"
    return f"{owner}-{slug}"


class KernelHost:
    """What a Jupyter kernel does for the servers of its process."""

    def __init__(self, shell: Any, routes: RouteTable | None = None) -> None:
        self.shell = shell
        self.routes = routes or RouteTable()
        self.kernel_id = environment.kernel_id()
        #: Bytes of file-fetch replies in flight on all of this kernel's comms (``transports.fetch``).
        self.fetch_budget = ByteBudget(MAX_PROCESS_BYTES_IN_FLIGHT, "in this process")
        self._swept = False

    def register(self, route: Route) -> None:
        """Write ``route``; the first time, first remove the routes of kernels that died without removing
        theirs (killed rather than shut down), so the directory does not fill up over the sessions."""
        if not self._swept:
            self._swept = True
            self.routes.routes()  # reading removes the routes whose process is gone
        self.routes.write(route)

    def origin(self) -> Origin | None:
        cell = environment.current_cell()
        return Origin(*cell) if cell is not None else None

    def adopt(self, server: Server) -> None:
        server.ensure_runtime_listener(ProxyRegistration, lambda: ProxyRegistration(self))

    def widget(self, view: View) -> Any:
        from .widget import view_widget

        return view_widget(view, self.server_id(view.server))

    def server_id(self, server: Server) -> str:
        return server_id_for(server.key, self.kernel_id)

    def server_by_id(self, server_id: str) -> Server | None:
        """The root server whose proxy id is ``server_id`` (what a comm names), if any: the newest one that
        runs and is not stopping (a re-run's server shares its predecessor's id)."""
        candidates = [s for s in registry.servers() if s.running and self.server_id(s) == server_id]
        return next((s for s in reversed(candidates) if not s.stopping), candidates[-1] if candidates else None)


class ProxyRegistration:
    """Runtime listener: the route of one root server, written while it serves."""

    def __init__(self, host: KernelHost) -> None:
        self._host = host
        self.route: Route | None = None
        # atexit holds a strong reference: go through a weak one so a dropped server can be collected.
        self._at_exit = _weak_method(self.unregister)

    def started(self, server: Server) -> None:
        host = self._host
        self.route = Route(
            server_id=host.server_id(server),
            name=server.name,
            port=server.port,
            secret=server.secret or "",
            pid=os.getpid(),
            kernel_id=host.kernel_id,
            host=_loopback_of(server.host),
            ws_max_msg_size=server.options.ws_max_msg_size,
        )
        try:
            host.register(self.route)
        except OSError as error:
            logger.error("Could not register server %r with the Jupyter proxy: %s", server.name, error)
        atexit.register(self._at_exit)

    def stopped(self, server: Server) -> None:
        self.unregister()
        atexit.unregister(self._at_exit)

    def unregister(self) -> None:
        route, self.route = self.route, None
        if route is not None:
            try:
                self._host.routes.remove(route)
            except OSError as error:
                logger.warning("Could not remove the route of %r: %s", route.name, error)


def _loopback_of(host: str | None) -> str:
    """The loopback address the proxy connects to (a route may name no other host)."""
    return "::1" if host == "::1" else "127.0.0.1"


def _weak_method(method: Any) -> Any:
    reference = weakref.WeakMethod(method)

    def call() -> None:
        target = reference()
        if target is not None:
            target()

    return call
