"""The kernel-comm transport: a Jupyter comm whose messages carry wslink frames, as an endpoint channel.

Each comm message carries one binary frame as its only *buffer* (never base64 in the JSON part), with
``{"type": contract.COMM_MESSAGE["FRAME"]}`` as its data; the kernel closes a comm with ``{code, reason}``
(websocket close codes). Fetch requests (``transports.fetch``) share the comm: they go to ``on_fetch``,
and a comm becomes a client of the server only with its first frame (a comm that only fetches the page's
files needs no ``wslink.hello``). Nothing here imports Jupyter: a comm is anything with ``send``/``close``/
``on_msg``/``on_close`` (ipykernel's ``Comm`` is one).

A comm has no backpressure (the kernel delivers every message as it comes), so the frames waiting for the
endpoint are bounded in number and bytes: past either bound the comm is closed with a clear reason, and
its memory is released at once. Message handlers may run on any thread (ipykernel 7 runs comm messages on
subshell threads): arrivals are taken under a lock and the endpoint's reader is woken on its own loop.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import threading
from collections import deque
from collections.abc import Callable
from typing import Any, Protocol

from ...core import contract, wire
from ..connection import CLOSE_GOING_AWAY
from ..endpoint import WslinkEndpoint

logger = logging.getLogger(__name__)

#: Frames that may wait for the endpoint before the comm is closed (a front end that floods it).
MAX_WAITING_FRAMES = 1024
#: Code of the close that refuses a comm for flooding (the websocket's "try again later").
CLOSE_FLOODED = 1013
#: Code of a comm dropped without a reason given (the websocket's "closed abnormally").
CLOSE_DROPPED = 1006

#: Most bytes of frames sent together in one comm message (a larger frame goes alone).
MAX_BATCH_BYTES = 1 << 20

#: What carries a plain kernel comm's frames (``diagnose`` names it; a comm-like object may say otherwise).
KERNEL_COMM = "the kernel comm"
#: The data of every message that carries frames (the frames are its buffers).
FRAME_MESSAGE: contract.CommFrameMessage = {"type": "frame"}


class Comm(Protocol):
    """What the transport needs of a Jupyter comm (``comm.base_comm.BaseComm`` has it)."""

    comm_id: str

    def send(self, data: Any = None, metadata: Any = None, buffers: list[Any] | None = None) -> None: ...

    def close(self, data: Any = None, metadata: Any = None, buffers: list[Any] | None = None) -> None: ...

    def on_msg(self, callback: Any) -> None: ...

    def on_close(self, callback: Any) -> None: ...


def close_comm(comm: Comm, code: int, reason: str) -> None:
    """Close ``comm`` from the kernel, telling the front end why (``{code, reason}``)."""
    data: contract.CommCloseData = {"code": code, "reason": reason}
    try:
        comm.close(data=data)
    except Exception:  # the kernel is shutting down: nobody is left to tell
        logger.debug("could not close comm %s", comm.comm_id, exc_info=True)


class CommChannel:
    """One Jupyter comm as a ``Channel``. Call ``attach()`` before the first message can arrive."""

    def __init__(
        self,
        comm: Comm,
        loop: asyncio.AbstractEventLoop,
        *,
        max_frame_size: int,
        max_waiting_bytes: int,
        max_waiting_frames: int = MAX_WAITING_FRAMES,
        context: Any = None,
        on_fetch: Callable[[dict[str, Any]], None] | None = None,
        on_first_frame: Callable[[], None] | None = None,
        batches: bool = False,
    ) -> None:
        self.comm = comm
        #: The front end takes several frames per message (contract.COMM_OPEN_BATCHES): the frames sent in
        #: one tick of the loop leave together, so a burst costs the kernel, the Jupyter server and the
        #: browser one message, not hundreds (and stays under IOPub's high-water mark).
        self.batches = batches
        self._outgoing: list[bytes] = []  # frames of this tick, not yet sent (on the loop only)
        self._outgoing_bytes = 0
        self.on_fetch = on_fetch  # takes the comm's fetch requests (any thread); None: they are refused
        self._on_first_frame = on_first_frame
        self.loop = loop
        self.peer = f"comm {comm.comm_id}"
        #: What carries the frames, for people reading ``diagnose()``: a kernel comm, or what ``comm`` says.
        self.carrier: str = getattr(comm, "carrier", KERNEL_COMM)
        self.context = context
        self.max_frame_size = max_frame_size
        self.max_waiting_bytes = max_waiting_bytes
        self.max_waiting_frames = max_waiting_frames
        #: The most frames that ever waited at once (tests check the bound holds).
        self.high_water = 0
        self._lock = threading.Lock()
        # Frames in arrival order; then, once input ends, None (closed) or the error to raise.
        self._waiting: deque[bytes | wire.FrameError | None] = deque()
        self._waiting_bytes = 0
        self._ended = False  # no more input is taken (closed by either side, or refused)
        self._closed = False  # the kernel closed the comm
        self._waiter: asyncio.Future[None] | None = None

    def attach(self) -> None:
        """Start taking the comm's messages (and its close)."""
        self.comm.on_msg(self._on_msg)
        self.comm.on_close(self._on_close)

    # -- input (any thread) -------------------------------------------------------------------------

    def _on_msg(self, msg: dict[str, Any]) -> None:
        content = msg.get("content") or {}
        data = content.get("data")
        buffers = msg.get("buffers") or []
        if self.on_fetch is not None and isinstance(data, dict) and data.get("type") == contract.COMM_MESSAGE["FETCH"]:
            if not self._ended:
                self.on_fetch(data)
            return
        if not isinstance(data, dict) or data.get("type") != contract.COMM_MESSAGE["FRAME"] or len(buffers) != 1:
            self._end(
                wire.FrameError(
                    "a trame-jupyter comm message must be {type: 'frame'} with exactly one buffer (a wslink frame)",
                    wire.CLOSE_UNSUPPORTED_DATA,
                )
            )
            return
        frame = buffers[0]
        size = frame.nbytes if isinstance(frame, memoryview) else len(frame)
        if size > self.max_frame_size:
            # Refused as the websocket refuses it (aiohttp's max_msg_size), without keeping it.
            self._end(
                wire.FrameError(
                    f"frame of {size} bytes exceeds the {self.max_frame_size}-byte frame limit",
                    wire.CLOSE_MESSAGE_TOO_BIG,
                )
            )
            return
        self._put(bytes(frame))

    def _on_close(self, msg: dict[str, Any]) -> None:
        self._end(None)

    def _put(self, frame: bytes) -> None:
        with self._lock:
            if self._ended:
                return
            full = len(self._waiting) >= self.max_waiting_frames
            if full or self._waiting_bytes + len(frame) > self.max_waiting_bytes:
                overflow = wire.FrameError(
                    f"too many messages waiting on this comm (more than {self.max_waiting_frames} frames or "
                    f"{self.max_waiting_bytes} bytes): the front end sends faster than the server reads",
                    CLOSE_FLOODED,
                )
                self._end_locked(overflow)
            else:
                self._waiting.append(frame)
                self._waiting_bytes += len(frame)
                self.high_water = max(self.high_water, len(self._waiting))
            waiter = self._take_waiter_locked()
            first, self._on_first_frame = self._on_first_frame, None
        self._wake(waiter)
        if first is not None:
            first()

    def _end(self, last: wire.FrameError | None) -> None:
        with self._lock:
            if self._ended:
                return
            self._end_locked(last)
            waiter = self._take_waiter_locked()
            # A refusal before any frame still goes through the endpoint, which closes with its code.
            first, self._on_first_frame = (self._on_first_frame, None) if last is not None else (None, None)
        self._wake(waiter)
        if first is not None:
            first()

    def _end_locked(self, last: wire.FrameError | None) -> None:
        # An error drops what waits (it will never be read); a close lets the reader finish it first.
        if last is not None:
            self._waiting.clear()
            self._waiting_bytes = 0
        self._waiting.append(last)
        self._ended = True

    def _take_waiter_locked(self) -> asyncio.Future[None] | None:
        waiter, self._waiter = self._waiter, None
        return waiter

    def _wake(self, waiter: asyncio.Future[None] | None) -> None:
        if waiter is None:
            return
        try:
            self.loop.call_soon_threadsafe(_resolve, waiter)
        except RuntimeError:  # the loop is closed: nobody is reading any more
            pass

    # -- Channel (on the server's loop) ---------------------------------------------------------------

    async def receive(self) -> bytes | None:
        while True:
            with self._lock:
                if self._waiting:
                    item = self._waiting.popleft()
                    if isinstance(item, bytes):
                        self._waiting_bytes -= len(item)
                    break
                waiter = self._waiter = self.loop.create_future()
            await waiter
        if isinstance(item, wire.FrameError):
            raise item
        return item

    async def send(self, frame: bytes) -> None:
        if self._closed:
            raise ConnectionResetError("comm closed")
        if not self.batches:
            self.comm.send(data=FRAME_MESSAGE, buffers=[frame])
            return
        if self._outgoing and self._outgoing_bytes + len(frame) > MAX_BATCH_BYTES:
            self._send_outgoing()
        if not self._outgoing:
            self.loop.call_soon(self._send_outgoing)
        self._outgoing.append(frame)
        self._outgoing_bytes += len(frame)

    def _send_outgoing(self) -> None:
        frames, self._outgoing, self._outgoing_bytes = self._outgoing, [], 0
        if frames and not self._closed:
            self.comm.send(data=FRAME_MESSAGE, buffers=frames)

    async def close(self, code: int, reason: str) -> None:
        self.abort(code, reason)

    def abort(self, code: int = CLOSE_DROPPED, reason: str = "connection dropped by the server") -> None:
        """Close the comm now (a comm has no closing handshake to wait for), after the frames of this tick."""
        self._end(None)
        if self._outgoing and not self._closed and _on_loop(self.loop):
            self._send_outgoing()
        if not self._closed:
            self._closed = True
            close_comm(self.comm, code, reason)


def _on_loop(loop: asyncio.AbstractEventLoop) -> bool:
    try:
        return asyncio.get_running_loop() is loop
    except RuntimeError:
        return False


def _resolve(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)


class CommTransport:
    """Serves ``endpoint`` to the comms given to ``serve`` (each one more client of the server)."""

    def __init__(self, endpoint: WslinkEndpoint, loop: asyncio.AbstractEventLoop) -> None:
        self.endpoint = endpoint
        self.loop = loop

    def channel(
        self,
        comm: Comm,
        context: Any = None,
        on_fetch: Callable[[dict[str, Any]], None] | None = None,
        *,
        lazy: bool = False,
        batches: bool = False,
    ) -> CommChannel:
        """A channel for ``comm``, attached at once so no message is missed (call from any thread).

        ``lazy``: the channel is served (``serve``) by itself when its first frame arrives, so a comm that
        only fetches files never becomes a client (nor times out waiting for its hello)."""
        limits = self.endpoint.limits
        # The kernel routes a comm's messages to the subshell of the context its replies are sent from:
        # serve from the context the comm was opened in, not from whichever message came first.
        opened_in = contextvars.copy_context()
        channel = CommChannel(
            comm,
            self.loop,
            max_frame_size=limits.largest_frame,
            # Room for the largest message the server accepts, plus a frame: one legitimate message
            # always fits even when it arrives all at once.
            max_waiting_bytes=max(limits.max_message_size, limits.largest_frame) + limits.largest_frame,
            context=context,
            on_fetch=on_fetch,
            on_first_frame=(lambda: self.serve_soon(channel, opened_in)) if lazy else None,
            batches=batches,
        )
        channel.attach()
        return channel

    def serve_soon(self, channel: CommChannel, context: contextvars.Context | None = None) -> None:
        """Serve ``channel`` on the server's loop (from any thread), its task in ``context`` if given."""

        def start() -> Any:
            return asyncio.run_coroutine_threadsafe(self.serve(channel), self.loop)

        try:
            future = context.copy().run(start) if context is not None else start()
        except RuntimeError:  # the loop is closed: the server is gone
            channel.abort(CLOSE_GOING_AWAY, "server is gone")
            return
        future.add_done_callback(_log_failure)

    async def serve(self, channel: CommChannel) -> None:
        """Serve ``channel`` until it closes; the comm's front end is trusted as the kernel itself."""
        if not self.endpoint.accepting:
            channel.abort(CLOSE_GOING_AWAY, "server is stopping")
            return
        await self.endpoint.serve(channel, trusted=True)


def _log_failure(future: Any) -> None:
    if not future.cancelled() and future.exception() is not None:
        logger.error("A comm client of a trame_jupyter server failed", exc_info=future.exception())
