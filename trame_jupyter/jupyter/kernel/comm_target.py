"""The kernel's comm target: each comm a front end opens to ``contract.COMM_TARGET`` becomes one more client
of the server it names (``{server_id}`` in the open data), over ``transports.comm``.

A comm reaches the kernel only through the kernel's own channels (signed with its connection key), so it is
trusted as the kernel itself: its ``wslink.hello`` needs no secret. Each comm is its own client (own client
id), from its first frame on; before that (and after) it may also fetch the server's files
(``transports.fetch``), which is how a page loads where no HTTP route reaches the server. A bad open (no
server of that id here, malformed data) closes that comm with ``{code, reason}``.
"""

from __future__ import annotations

import logging
import re
import weakref
from typing import TYPE_CHECKING, Any

from ...core import contract, wire
from ...server.connection import CLOSE_GOING_AWAY
from ...server.transports.comm import Comm, CommChannel, CommTransport, close_comm
from ...server.transports.fetch import FetchResponder

if TYPE_CHECKING:
    from ...server.server import Server
    from .host import KernelHost

logger = logging.getLogger(__name__)

_SERVER_ID = re.compile(contract.SERVER_ID_PATTERN)


def register(shell: Any, host: KernelHost) -> bool:
    """Register our comm target with the kernel of ``shell``; False when it has no comm manager."""
    manager = getattr(getattr(shell, "kernel", None), "comm_manager", None)
    if manager is None:
        return False
    manager.register_target(contract.COMM_TARGET, lambda comm, msg: open_comm(host, comm, msg))
    return True


def open_comm(host: KernelHost, comm: Comm, msg: dict[str, Any]) -> None:
    """A front end opened a comm to our target (on any thread): connect it to the server it names."""
    data = (msg.get("content") or {}).get("data")
    server_id = data.get("server_id") if isinstance(data, dict) else None
    if not isinstance(server_id, str) or not _SERVER_ID.fullmatch(server_id):
        close_comm(comm, wire.CLOSE_INVALID_PAYLOAD, "the comm's open data must be {server_id: <a server id>}")
        return
    server = host.server_by_id(server_id)
    if server is None:
        close_comm(comm, contract.COMM_CLOSE_NOT_FOUND, f"no server {server_id!r} runs in this kernel")
        return
    if server.loop is not None:
        _connect(host, server, comm, msg)
        return
    # Started but not serving yet (an async cell displayed it and goes on): connect once it serves.
    server.ready.add_done_callback(lambda _: _connect(host, server, comm, msg))


def _connect(host: KernelHost, server: Server, comm: Comm, msg: dict[str, Any]) -> None:
    loop = server.loop
    protocol = server.protocol
    endpoint = protocol.endpoint if protocol is not None else None
    if loop is None or endpoint is None or not endpoint.accepting:
        close_comm(comm, contract.COMM_CLOSE_NOT_FOUND, f"server {server.name!r} is not serving")
        return
    transport = CommTransport(endpoint, loop)
    fetches = FetchResponder(
        server.static_files,
        loop,
        lambda data, buffers: comm.send(data=data, buffers=buffers),
        available=lambda: endpoint.accepting,
        process_budget=host.fetch_budget,  # the kernel's comms together
    )
    data = (msg.get("content") or {}).get("data") or {}
    batches = data.get(contract.COMM_OPEN_BATCHES) is True
    # Attached now: nothing sent meanwhile is lost. It becomes a client with its first frame.
    channel = transport.channel(comm, context=msg, on_fetch=fetches.handle, lazy=True, batches=batches)
    _closer_of(server).channels.add(channel)


class CommCloser:
    """Runtime listener: at stop, closes the comms of a server that never became clients (they only
    fetched files); the endpoint closes the others itself."""

    def __init__(self) -> None:
        self.channels: weakref.WeakSet[CommChannel] = weakref.WeakSet()

    def stopped(self, server: Server) -> None:
        channels, self.channels = list(self.channels), weakref.WeakSet()
        for channel in channels:
            channel.abort(CLOSE_GOING_AWAY, "server stopped")


def _closer_of(server: Server) -> CommCloser:
    return server.ensure_runtime_listener(CommCloser)
