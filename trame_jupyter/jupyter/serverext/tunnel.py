"""Splicing two TCP connections: what one side receives is written to the other, in callbacks.

Used for websockets once the proxy has authenticated the upgrade: frames pass through as bytes,
never decoded, with no coroutine per chunk. Flow control follows asyncio's protocol contract: when a
side's outgoing buffer is full, the other side stops reading until it drains.
"""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import Callable

HANDSHAKE_END = b"\r\n\r\n"
MAX_HANDSHAKE = 64 * 1024
WRITE_BUFFER_HIGH = 4 * 1024 * 1024


class TunnelError(ConnectionError):
    """The server did not accept the websocket upgrade."""


class Pipe(asyncio.Protocol):
    """One side of a tunnel."""

    def __init__(self, on_traffic: Callable[[], None]) -> None:
        self.transport: asyncio.Transport | None = None
        self.peer: Pipe | None = None
        self._on_traffic = on_traffic
        self._held = bytearray()  # received before the peer was linked
        self.closed = asyncio.get_running_loop().create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.transport.set_write_buffer_limits(high=WRITE_BUFFER_HIGH)
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def link(self, peer: Pipe) -> None:
        self.peer = peer
        if self._held:
            held, self._held = bytes(self._held), bytearray()
            self.data_received(held)

    def data_received(self, data: bytes) -> None:
        peer = self.peer
        if peer is None or peer.transport is None:
            self._held += data
            return
        self._on_traffic()
        peer.transport.write(data)

    def pause_writing(self) -> None:  # our outgoing buffer is full: stop reading what fills it
        if self.peer is not None and self.peer.transport is not None:
            self.peer.transport.pause_reading()

    def resume_writing(self) -> None:
        if self.peer is not None and self.peer.transport is not None:
            self.peer.transport.resume_reading()

    def eof_received(self) -> bool:
        return False  # close: a websocket does not half-close

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.closed.done():
            self.closed.set_result(None)
        if self.peer is not None and self.peer.transport is not None:
            self.peer.transport.close()

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


class UpstreamPipe(Pipe):
    """The server side: first collects the server's answer to the upgrade, then pipes."""

    def __init__(self, on_traffic: Callable[[], None]) -> None:
        super().__init__(on_traffic)
        self._buffer = bytearray()
        self.head: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()

    def data_received(self, data: bytes) -> None:
        if self.head.done():
            super().data_received(data)
            return
        self._buffer += data
        end = self._buffer.find(HANDSHAKE_END)
        if end < 0:
            if len(self._buffer) > MAX_HANDSHAKE:
                self.head.set_exception(TunnelError("the server's handshake answer is too long"))
            return
        end += len(HANDSHAKE_END)
        head, rest = bytes(self._buffer[:end]), bytes(self._buffer[end:])
        self._buffer = bytearray()
        self.head.set_result(head)
        if rest:
            super().data_received(rest)  # held until the browser side is linked

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.head.done():
            self.head.set_exception(TunnelError("the server closed the connection during the handshake"))
        super().connection_lost(exc)


async def open_upstream(
    host: str, port: int, request: bytes, timeout: float, on_traffic: Callable[[], None]
) -> tuple[UpstreamPipe, bytes]:
    """Connect to the server and replay the upgrade; returns the pipe and the server's answer head."""
    loop = asyncio.get_running_loop()
    _, upstream = await asyncio.wait_for(loop.create_connection(lambda: UpstreamPipe(on_traffic), host, port), timeout)
    upstream.transport.write(request)  # type: ignore[union-attr]
    try:
        head = await asyncio.wait_for(asyncio.shield(upstream.head), timeout)
    except BaseException:
        upstream.close()
        raise
    return upstream, head


async def adopt_socket(sock: socket.socket, on_traffic: Callable[[], None]) -> Pipe:
    """Take over an accepted socket (a duplicate of the HTTP server's) as the browser side of a tunnel."""
    loop = asyncio.get_running_loop()
    _, pipe = await loop.connect_accepted_socket(lambda: Pipe(on_traffic), sock=sock)
    return pipe


def duplicate(sock: socket.socket) -> socket.socket:
    """A new socket object on a duplicate descriptor: closing the original keeps the connection open."""
    return socket.socket(fileno=os.dup(sock.fileno()))


class StreamSide:
    """A tornado ``IOStream`` (e.g. a TLS connection, which cannot change hands) as a tunnel side."""

    def __init__(self, stream: object, on_traffic: Callable[[], None]) -> None:
        self.stream = stream
        self.transport = self  # the peer writes through ``transport.write``
        self._on_traffic = on_traffic
        self._reading = asyncio.Event()
        self._reading.set()

    def write(self, data: bytes) -> None:
        self.stream.write(data)  # type: ignore[attr-defined]

    def pause_reading(self) -> None:
        self._reading.clear()

    def resume_reading(self) -> None:
        self._reading.set()

    def close(self) -> None:
        self.stream.close()  # type: ignore[attr-defined]

    async def pump_to(self, peer: Pipe) -> None:
        """Copy what the stream receives to ``peer`` until either side closes."""
        from tornado.iostream import StreamClosedError

        try:
            while True:
                await self._reading.wait()
                data = await self.stream.read_bytes(256 * 1024, partial=True)  # type: ignore[attr-defined]
                self._on_traffic()
                if peer.transport is None or peer.transport.is_closing():
                    break
                peer.transport.write(data)
        except StreamClosedError:
            pass
        finally:
            peer.close()
            self.close()


async def hold(*sides: Pipe) -> None:
    """Live as long as the tunnel; cancelling it (server shutdown) closes both sides."""
    try:
        await asyncio.gather(*(side.closed for side in sides))
    finally:
        for side in sides:
            side.close()
