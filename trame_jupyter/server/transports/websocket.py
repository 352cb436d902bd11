"""The websocket transport: an aiohttp route whose connections become endpoint channels."""

from __future__ import annotations

import logging

from aiohttp import WSMsgType, web

from ...core import wire
from ..endpoint import WslinkEndpoint

logger = logging.getLogger(__name__)


class WebSocketChannel:
    """An aiohttp websocket as a ``Channel``."""

    def __init__(self, ws: web.WebSocketResponse, request: web.Request) -> None:
        self.ws = ws
        self.context = request
        self.peer = request.remote or "?"

    async def receive(self) -> bytes | None:
        message = await self.ws.receive()
        if message.type == WSMsgType.BINARY:
            return message.data
        if message.type == WSMsgType.TEXT:
            raise wire.FrameError(
                "wslink expects binary frames (msgpack chunks); a text frame was received", wire.CLOSE_UNSUPPORTED_DATA
            )
        if message.type == WSMsgType.ERROR:
            logger.warning("Websocket error from %s: %s", self.peer, self.ws.exception())
        return None  # CLOSE, CLOSING, CLOSED, ERROR: the connection is over

    async def send(self, frame: bytes) -> None:
        if self.ws.closed:
            raise ConnectionResetError("websocket closed")
        try:
            await self.ws.send_bytes(frame)
        except RuntimeError as error:  # aiohttp: "cannot write to closing transport"
            raise ConnectionResetError(str(error)) from None

    async def close(self, code: int, reason: str) -> None:
        await self.ws.close(code=code, message=reason.encode()[:120])

    def abort(self) -> None:
        transport = self.context.transport
        if transport is not None:
            transport.abort()


class WebSocketTransport:
    """Serves ``endpoint`` to websocket clients (the ``GET <ws_path>`` route of a server)."""

    def __init__(self, endpoint: WslinkEndpoint, *, heartbeat: float | None, compress: bool) -> None:
        self.endpoint = endpoint
        self._heartbeat = heartbeat
        self._compress = compress

    async def handle(self, request: web.Request) -> web.StreamResponse:
        if not self.endpoint.accepting:
            raise web.HTTPServiceUnavailable(text="server is stopping")
        ws = web.WebSocketResponse(
            # A frame carries at most one chunk; the endpoint enforces the message limits itself.
            max_msg_size=self.endpoint.limits.largest_frame,
            heartbeat=self._heartbeat,
            compress=self._compress,
        )
        await ws.prepare(request)
        await self.endpoint.serve(WebSocketChannel(ws, request))
        return ws
