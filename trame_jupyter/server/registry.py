"""Every root server of this process, and the one policy that replaces a server when its cell runs again.

This is the only process-wide registry of the package (DESIGN.md): ``get_server(name)`` returns the
server registered under ``name``, and each root server gets a ``key``, unique in the process, that
adapters use to name it (the Jupyter proxy route is built from it).

The registry knows nothing of Jupyter. An adapter attaches itself as the ``Host``: it says where code
runs now (``origin()``: a notebook cell and its execution) and takes each new server in its care
(``adopt``). With that, one rule holds everywhere: a server created by a new run of the cell that
created another server of the same name replaces it — the old one stops, the new one takes its key
(so the views of the old one reconnect to the new one), and ``get_server`` returns the new one.
"""

from __future__ import annotations

import itertools
import logging
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from .server import Server
    from .view import View

logger = logging.getLogger(__name__)

DEFAULT_NAME = "trame"


@dataclass(frozen=True)
class Origin:
    """Where a server was created: a place (a notebook cell) and one run of it (an execution)."""

    place: str
    run: str

    def is_rerun_of(self, other: Origin) -> bool:
        return self.place == other.place and self.run != other.run


class Host(Protocol):
    """The environment a process runs in (the Jupyter kernel adapter implements it)."""

    def origin(self) -> Origin | None:
        """Where code is running now, or None when it cannot tell."""

    def adopt(self, server: Server) -> None:
        """A new root server exists: attach what the environment needs (listeners, …)."""

    def widget(self, view: View) -> Any:
        """The view as a widget of the environment's widget toolkit."""


class ServerRegistry:
    """Root servers by name and by key, their origins, and who replaced whom."""

    def __init__(self) -> None:
        self._named: dict[str, Server] = {}  # get_server's servers: kept alive, as trame does
        self._servers: weakref.WeakKeyDictionary[Server, int] = weakref.WeakKeyDictionary()  # → creation order
        self._counter = itertools.count()
        self._origins: weakref.WeakKeyDictionary[Server, Origin] = weakref.WeakKeyDictionary()
        self._keys: weakref.WeakKeyDictionary[Server, str] = weakref.WeakKeyDictionary()
        self._successors: weakref.WeakKeyDictionary[Server, Server] = weakref.WeakKeyDictionary()
        self.host: Host | None = None

    # -- adapters -----------------------------------------------------------------------------------

    def attach_host(self, host: Host) -> None:
        """Let ``host`` adopt every root server, the existing ones first."""
        self.host = host
        for server in self.servers():
            host.adopt(server)

    # -- servers ------------------------------------------------------------------------------------

    def get_or_create(self, name: str, create: Callable[[str], Server]) -> Server:
        """The server named ``name``; a new one (``create(name)``) if none, or if its cell ran again."""
        existing = self._named.get(name)
        if existing is not None and not self._created_by_earlier_run(existing):
            return existing
        server = create(name)  # registering it replaces ``existing`` when the cell ran again
        self._named[name] = server
        return server

    def register(self, server: Server) -> None:
        """Record a new root server (``Server.__init__`` calls this) and apply the re-run rule."""
        host = self.host
        origin = host.origin() if host is not None else None
        # Each run of a cell replaces the server of the run before (the newest of that name); any older one
        # still running (a stop that failed, a server started again by hand) stops with it.
        earlier = [
            other
            for other in self.servers()
            if other is not server and other.name == server.name and self._created_by_earlier_run(other, origin)
        ]
        replaced = earlier[-1] if earlier else None
        self._servers[server] = next(self._counter)
        if origin is not None:
            self._origins[server] = origin
        self._keys[server] = self._keys[replaced] if replaced is not None else self._free_key(server.name, server)
        if host is not None:
            host.adopt(server)
        if replaced is None:
            return
        logger.info("Replacing server %r: the cell that created it ran again", server.name)
        if self._named.get(server.name) in earlier:
            self._named[server.name] = server
        for other in earlier:
            if other is replaced or other.running:
                self._successors.setdefault(other, server)
                # Stopped before the new server serves: its port is free and its clients are told why.
                other.stop()

    def named(self, name: str) -> Server | None:
        """The server ``get_server(name)`` returns, if it exists."""
        return self._named.get(name)

    def servers(self) -> list[Server]:
        """Every root server alive in this process, oldest first."""
        return [server for server, _ in sorted(self._servers.items(), key=lambda item: item[1])]

    def key(self, server: Server) -> str:
        """The process-unique key of a root server (its name, unless another server holds that)."""
        return self._keys.get(server.root_server) or server.name

    def successor(self, server: Server) -> Server | None:
        """The server that replaced ``server`` when its cell ran again, if any."""
        return self._successors.get(server)

    def widget(self, view: View) -> Any:
        if self.host is None:
            raise RuntimeError(
                "a server's .widget is an ipywidgets widget: it needs a Jupyter kernel (with ipywidgets installed)"
            )
        return self.host.widget(view)

    # -- internals ----------------------------------------------------------------------------------

    def _created_by_earlier_run(self, server: Server, now: Origin | None = None) -> bool:
        if now is None:
            now = self.host.origin() if self.host is not None else None
        origin = self._origins.get(server)
        return now is not None and origin is not None and now.is_rerun_of(origin)

    def _free_key(self, name: str, newcomer: Server) -> str:
        taken = {
            key
            for other, key in list(self._keys.items())
            if other is not newcomer and (other.running or self._named.get(other.name) is other)
        }
        key, number = name, 1
        while key in taken:
            number += 1
            key = f"{name}-{number}"
        return key


#: The registry of this process.
registry = ServerRegistry()
