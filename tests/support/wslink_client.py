"""A small wslink 2.x client for tests, written from the protocol description (not from our server code):
msgpack messages, split in chunks that each carry a 12-byte little-endian header (id, offset, total)."""

from __future__ import annotations

import asyncio
import itertools
import os
import struct
from typing import Any

import aiohttp
import msgpack

_HEADER = struct.Struct("<III")


class WslinkError(Exception):
    def __init__(self, error: dict[str, Any]) -> None:
        super().__init__(f"{error.get('code')}: {error.get('message')}")
        self.code = error.get("code")
        self.message = error.get("message")
        self.data = error.get("data")


def frames_of(message: Any, chunk_size: int = 0) -> list[bytes]:
    payload = msgpack.packb(message, use_bin_type=True)
    total = len(payload)
    message_id = int.from_bytes(os.urandom(4), "little")
    step = total if chunk_size <= 0 else chunk_size
    return [
        _HEADER.pack(message_id, offset, total) + payload[offset : offset + step]
        for offset in range(0, max(total, 1), step)
    ]


class WslinkTestClient:
    """Connect, authenticate, call RPCs and collect publishes."""

    def __init__(self) -> None:
        self.session: aiohttp.ClientSession | None = None
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self.client_id: str | None = None
        self.max_msg_size = 0
        self.publishes: dict[str, asyncio.Queue[Any]] = {}
        self.unsolicited: list[Any] = []
        self._pending: dict[str, asyncio.Future[Any]] = {}
        self._parts: dict[int, dict[int, bytes]] = {}
        self._counter = itertools.count()
        self._reader: asyncio.Task[None] | None = None
        self.close_code: int | None = None
        self.close_message: str | None = None

    async def open(self, url: str, headers: dict[str, str] | None = None, ssl: Any = None) -> None:
        self.session = aiohttp.ClientSession()
        options = {"ssl": ssl} if ssl is not None else {}
        self.ws = await self.session.ws_connect(url, headers=headers, max_msg_size=0, **options)
        self._reader = asyncio.ensure_future(self._read())

    async def connect(
        self, url: str, secret: str | None, headers: dict[str, str] | None = None, ssl: Any = None
    ) -> dict[str, Any]:
        await self.open(url, headers, ssl)
        return await self.hello(secret)

    async def hello(self, secret: Any) -> dict[str, Any]:
        result = await self._request("system:c0:0", "wslink.hello", [{"secret": secret}], {})
        self.client_id = result["clientID"]
        self.max_msg_size = result["maxMsgSize"]
        return result

    async def call(self, method: str, *args: Any, chunk_size: int = 0, **kwargs: Any) -> Any:
        rpc_id = f"rpc:{self.client_id or 'c0'}:{next(self._counter)}"
        return await self._request(rpc_id, method, list(args), kwargs, chunk_size)

    async def _request(self, rpc_id: str, method: str, args: list, kwargs: dict, chunk_size: int = 0) -> Any:
        future = asyncio.get_running_loop().create_future()
        self._pending[rpc_id] = future
        message = {"wslink": "1.0", "id": rpc_id, "method": method, "args": args, "kwargs": kwargs}
        for frame in frames_of(message, chunk_size):
            await self.ws.send_bytes(frame)
        return await asyncio.wait_for(future, 10)

    async def send_raw(self, data: bytes) -> None:
        await self.ws.send_bytes(data)

    async def send_text(self, text: str) -> None:
        await self.ws.send_str(text)

    def topic(self, name: str) -> asyncio.Queue[Any]:
        return self.publishes.setdefault(name, asyncio.Queue())

    async def next_publish(self, topic: str, timeout: float = 5) -> Any:
        return await asyncio.wait_for(self.topic(topic).get(), timeout)

    async def no_publish(self, topic: str, wait: float = 0.3) -> bool:
        """True if nothing arrives on ``topic`` within ``wait`` seconds."""
        try:
            await asyncio.wait_for(self.topic(topic).get(), wait)
        except asyncio.TimeoutError:
            return True
        return False

    async def state_update(self, key: str, wait: float = 5) -> Any:
        """Wait for a state publish containing ``key`` and return its value."""
        deadline = asyncio.get_running_loop().time() + wait
        while True:
            remaining = deadline - asyncio.get_running_loop().time()
            message = await self.next_publish("trame.state.topic", max(remaining, 0.01))
            if key in message:
                return message[key]

    async def _read(self) -> None:
        async for message in self.ws:
            if message.type != aiohttp.WSMsgType.BINARY:
                continue
            message_id, offset, total = _HEADER.unpack_from(message.data)
            parts = self._parts.setdefault(message_id, {})
            parts[offset] = message.data[_HEADER.size :]
            if sum(len(p) for p in parts.values()) < total:
                continue
            del self._parts[message_id]
            payload = b"".join(parts[k] for k in sorted(parts))
            self._dispatch(msgpack.unpackb(payload, raw=False))
        self.close_code = self.ws.close_code
        self.close_message = getattr(self.ws, "_close_message", None)
        for future in self._pending.values():
            if not future.done():
                future.set_exception(ConnectionError(f"websocket closed ({self.close_code})"))

    def _dispatch(self, message: dict[str, Any]) -> None:
        rpc_id = message.get("id", "")
        if rpc_id.startswith("publish:"):
            topic = rpc_id.split(":")[1]
            self.topic(topic).put_nowait(message["result"])
            return
        future = self._pending.pop(rpc_id, None)
        if future is None:
            self.unsolicited.append(message)
            return
        if "error" in message:
            future.set_exception(WslinkError(message["error"]))
        else:
            future.set_result(message.get("result"))

    def stop_reading(self) -> None:
        """Read nothing more: the server's frames pile up in the socket (a client that froze)."""
        if self._reader is not None:
            self._reader.cancel()

    async def wait_closed(self, timeout: float = 5) -> int | None:
        await asyncio.wait_for(asyncio.shield(self._reader), timeout)
        return self.close_code

    async def close(self) -> None:
        if self.ws is not None and not self.ws.closed:
            await self.ws.close()
        if self._reader is not None:
            await asyncio.gather(self._reader, return_exceptions=True)
        if self.session is not None:
            await self.session.close()


class MirrorClient(WslinkTestClient):
    """Keeps a copy of the server's state the way the browser client does (client/src/core/store.js).

    Publishes of a key this client wrote, and whose write is not answered yet, are skipped (they are
    older than the write); the answer carries the values the server kept where they differ. Answers
    and publishes are applied in the order they arrive.
    """

    def __init__(self) -> None:
        super().__init__()
        self.state: dict[str, Any] = {}
        self.inflight: dict[str, int] = {}
        self.acknowledged: dict[str, Any] = {}  # key → the last value of ours the server answered
        self._writes: dict[str, dict[str, Any]] = {}  # rpc id → what it wrote

    async def sync(self) -> None:
        self.state = dict((await self.call("trame.state.get"))["state"])

    async def write(self, values: dict[str, Any]) -> None:
        rpc_id = f"rpc:{self.client_id or 'c0'}:{next(self._counter)}"
        self._writes[rpc_id] = dict(values)
        for key in values:
            self.inflight[key] = self.inflight.get(key, 0) + 1
        self.state.update(values)
        await self._request(rpc_id, "trame.state.update", [[{"key": k, "value": v} for k, v in values.items()]], {})

    def _apply(self, changes: dict[str, Any]) -> None:
        for key, value in changes.items():
            if not self.inflight.get(key):
                self.state[key] = value

    def _dispatch(self, message: dict[str, Any]) -> None:
        rpc_id = message.get("id", "")
        if rpc_id.startswith("publish:trame.state.topic"):
            self._apply(message["result"])
        written = self._writes.pop(rpc_id, None)
        if written is not None:
            for key in written:
                self.inflight[key] -= 1
            if "error" not in message:
                self.acknowledged.update(written)
                self._apply(message.get("result") or {})
        super()._dispatch(message)
