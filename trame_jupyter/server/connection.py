"""One wslink client of an endpoint: its channel, its reassembler, authentication state and an ordered
outbox with a bounded backlog.

Messages leave in the order they were queued; a client that does not read is cut off once its backlog
passes the limit, so a server's memory never depends on how fast its slowest client reads. Messages that
only matter until a newer one exists (a video frame) replace the one still waiting.
"""

from __future__ import annotations

import asyncio
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

from ..core import wire
from .transports import Channel

# Close codes (RFC 6455 and the 4000s that applications may use).
CLOSE_GOING_AWAY = 1001  # the server stops
CLOSE_POLICY = 1008  # no wslink.hello in time
CLOSE_TRY_AGAIN = 1013  # too many connections waiting to authenticate
#: Seconds a closing connection waits for its backlog to be written and for the closing handshake.
CLOSE_GRACE = 2.0
#: Room for the chunk header and the msgpack envelope around the largest chunk a peer may send.
FRAME_MARGIN = 4096


@dataclass(frozen=True)
class EndpointLimits:
    """Size limits of one endpoint (bytes)."""

    max_message_size: int  # largest message a client may send once authenticated
    max_frame_size: int  # chunk size in both directions, announced to clients as ``maxMsgSize``
    pre_auth_message_size: int = 512  # largest message before a successful ``wslink.hello``
    max_inflight: int = 64  # async requests one client may have running at once
    hello_timeout: float = 10.0  # seconds a client has to authenticate
    max_unauthenticated: int = 128  # connections that may be waiting to authenticate at once
    max_backlog: int = 64 * 1024 * 1024  # bytes queued for a client that does not read, before dropping it

    @property
    def largest_frame(self) -> int:
        """The largest frame a transport should accept from a client."""
        return self.max_frame_size + FRAME_MARGIN


@dataclass(frozen=True)
class _Newest:
    """Outbox marker: write the newest message of ``key`` waiting at that point (see ``send_newest``)."""

    key: Hashable


class Connection:
    """One client: its channel, reassembler, authentication and an ordered outbox."""

    def __init__(self, client_id: str, channel: Channel, limits: EndpointLimits, trusted: bool = False) -> None:
        self.client_id = client_id
        self.channel = channel
        self.trusted = trusted  # its transport vouches for it: wslink.hello needs no secret
        self.authenticated = False
        self.closed = False
        self.reassembler = wire.Reassembler(limits.pre_auth_message_size)
        self.inflight = asyncio.Semaphore(limits.max_inflight)
        self.tasks: set[asyncio.Task[Any]] = set()
        self.hello_deadline: asyncio.TimerHandle | None = None
        self.too_slow = False  # its backlog passed the limit
        self.dropping = False  # being disconnected for it
        self._frame_size = limits.max_frame_size
        self._max_backlog = limits.max_backlog
        self._backlog = 0  # bytes queued, not yet written
        self._outbox: asyncio.Queue[bytes | _Newest | None] = asyncio.Queue()
        self._newest: dict[Hashable, bytes] = {}  # key → the message a _Newest marker will write
        self.replaced = 0  # messages dropped for a newer one of the same key before they were written
        self.held: dict[Hashable, tuple[str, str, list, dict]] = {}  # key → request waiting (see _hold)
        self.coalesced = 0  # requests answered unhandled because a newer one of the same key arrived
        self._writer = asyncio.ensure_future(self._write_loop())

    def send(self, payload: bytes) -> bool:
        """Queue an encoded message; frames leave in the order messages were queued.

        Returns False, queueing nothing, when the client already has more than the backlog limit
        waiting (it does not read): the caller disconnects it, so its memory stays bounded.
        """
        if self.closed or self.too_slow:
            return False
        if self._backlog > self._max_backlog:
            self.too_slow = True
            return False
        for frame in wire.chunk(payload, self._frame_size):
            self._backlog += len(frame)
            self._outbox.put_nowait(frame)
        return True

    @property
    def backlog(self) -> int:
        """Bytes queued for this client, not yet written."""
        return self._backlog

    def send_newest(self, key: Hashable, payload: bytes) -> bool:
        """Queue a message that only matters until a newer one of the same ``key`` exists (a video frame):
        if one is still waiting, it is replaced (it keeps its place in the order). A client that reads
        slowly gets fewer frames, never a growing backlog of old ones."""
        if self.closed or self.too_slow:
            return False
        waiting = self._newest.get(key)
        self._newest[key] = payload
        if waiting is None:
            self._backlog += len(payload)
            self._outbox.put_nowait(_Newest(key))
        else:
            self._backlog += len(payload) - len(waiting)
            self.replaced += 1
        return True

    async def _write_loop(self) -> None:
        while True:
            item = await self._outbox.get()
            try:
                if item is None:
                    return
                if isinstance(item, _Newest):
                    payload = self._newest.pop(item.key)
                    for frame in wire.chunk(payload, self._frame_size):
                        await self.channel.send(frame)
                    self._backlog -= len(payload)
                    continue
                await self.channel.send(item)
                self._backlog -= len(item)
            except ConnectionError:  # peer went away; the reader ends the connection
                self.closed = True
                return
            finally:
                self._outbox.task_done()

    async def drain(self) -> None:
        """Wait until everything queued so far has been written (or the writer stopped)."""
        if not self._writer.done():
            waiter = asyncio.ensure_future(self._outbox.join())
            await asyncio.wait([waiter, self._writer], return_when=asyncio.FIRST_COMPLETED)
            waiter.cancel()

    async def close(self, code: int, message: str) -> None:
        """Close after what is queued has been written; a client that reads nothing gets 2 s, not forever."""
        self._outbox.put_nowait(None)
        await asyncio.wait([self._writer], timeout=CLOSE_GRACE)
        self.closed = True
        await close_channel(self.channel, code, message)

    async def finish(self) -> None:
        if self.hello_deadline is not None:
            self.hello_deadline.cancel()
        self.closed = True
        self._outbox.put_nowait(None)
        if not self._writer.done():
            self._writer.cancel()
            await asyncio.gather(self._writer, return_exceptions=True)


async def close_channel(channel: Channel, code: int, reason: str) -> None:
    """Close with a handshake if the peer answers within the grace period; else drop the connection."""
    try:
        await asyncio.wait_for(channel.close(code, reason), CLOSE_GRACE)
    except (asyncio.TimeoutError, ConnectionError):
        channel.abort()
