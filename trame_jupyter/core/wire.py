"""wslink 2.x framing: msgpack messages split into chunks, each a binary frame with a 12-byte header.

Header = three little-endian uint32: a random message id, the chunk's byte offset, the message's total
size. Chunks of different messages may interleave and arrive out of order. This module only knows bytes
and limits; what a message means is ``endpoint.py``'s job.
"""

from __future__ import annotations

import secrets
import struct
from collections.abc import Iterator, Mapping
from typing import Any

import msgpack

HEADER = struct.Struct("<III")
HEADER_SIZE = HEADER.size  # 12

# WebSocket close codes (RFC 6455) used to say why a connection was dropped.
CLOSE_UNSUPPORTED_DATA = 1003  # a text frame on a binary-only protocol
CLOSE_INVALID_PAYLOAD = 1007  # a frame or message that does not decode
CLOSE_MESSAGE_TOO_BIG = 1009


class FrameError(ValueError):
    """A frame the peer should not have sent; ``close_code`` says how to close the connection."""

    def __init__(self, message: str, close_code: int = CLOSE_INVALID_PAYLOAD) -> None:
        super().__init__(message)
        self.close_code = close_code


# -- encoding ----------------------------------------------------------------------------------------


def _encode_extra(value: Any) -> Any:
    """msgpack fallback for types it does not know: numpy arrays and scalars, byte-likes, sets."""
    if hasattr(value, "__array_interface__") and hasattr(value, "tobytes") and hasattr(value, "shape"):
        if value.dtype.hasobject:
            raise TypeError(f"numpy array of dtype {value.dtype} holds Python objects and cannot be sent")
        return {"bytes": value.tobytes(), "dtype": str(value.dtype), "shape": list(value.shape)}
    if hasattr(value, "dtype") and hasattr(value, "item"):  # numpy scalar
        return value.item()
    if isinstance(value, memoryview):
        return value.tobytes()
    if isinstance(value, (set, frozenset)):
        return list(value)
    raise TypeError(f"values of type {type(value).__module__}.{type(value).__qualname__} cannot be sent")


class Packed(bytes):
    """An already-encoded msgpack value: ``pack`` passes it through instead of encoding it again."""


def pack(value: Any) -> bytes:
    """Encode one value; raises TypeError naming the type that cannot be encoded."""
    if isinstance(value, Packed):
        return value
    try:
        return msgpack.packb(value, default=_encode_extra, use_bin_type=True)
    except (TypeError, ValueError, OverflowError) as error:
        raise TypeError(str(error)) from None


def unpack(payload: bytes) -> Any:
    return msgpack.unpackb(payload, raw=False, strict_map_key=False)


def _map_header(size: int) -> bytes:
    if size < 16:
        return bytes([0x80 | size])
    if size < 0x10000:
        return b"\xde" + size.to_bytes(2, "big")
    return b"\xdf" + size.to_bytes(4, "big")


def pack_envelope(message_id: str, result_prepacked: bytes) -> bytes:
    """A success/publish envelope around an already-encoded result (no re-encoding of large values)."""
    return b"".join(
        (
            _map_header(3),
            msgpack.packb("wslink"),
            msgpack.packb("1.0"),
            msgpack.packb("id"),
            msgpack.packb(message_id),
            msgpack.packb("result"),
            result_prepacked,
        )
    )


def pack_map_of_packed(items: Mapping[str, bytes]) -> bytes:
    """Encode ``{key: value}`` where each value is already msgpack bytes."""
    parts = [_map_header(len(items))]
    for key, packed_value in items.items():
        parts.append(msgpack.packb(key))
        parts.append(packed_value)
    return b"".join(parts)


# -- chunking ----------------------------------------------------------------------------------------


def chunk(payload: bytes, max_frame_size: int) -> Iterator[bytes]:
    """Split an encoded message into frames of at most ``max_frame_size`` bytes, header included."""
    total = len(payload)
    step = max(max_frame_size - HEADER_SIZE, 1)
    message_id = secrets.randbits(32)
    if total <= step:
        yield HEADER.pack(message_id, 0, total) + payload
        return
    view = memoryview(payload)
    for offset in range(0, total, step):
        yield HEADER.pack(message_id, offset, total) + view[offset : offset + step]


class Reassembler:
    """Rebuilds messages from the frames of one connection, within limits.

    Memory grows with the bytes actually received, never with the sizes headers announce: the chunks of
    an incomplete message are kept as they came and joined once all are there. ``max_message_size``
    bounds what a header may announce; ``max_pending`` and ``max_pending_bytes`` bound the incomplete
    messages a peer may keep open (by count, and by bytes held for them).
    """

    def __init__(self, max_message_size: int, max_pending: int = 16, max_pending_bytes: int | None = None) -> None:
        self.max_message_size = max_message_size
        self.max_pending = max_pending
        self._max_pending_bytes = max_pending_bytes
        self._pending: dict[int, _Partial] = {}
        self._held = 0  # bytes held for incomplete messages

    @property
    def max_pending_bytes(self) -> int:
        return self._max_pending_bytes if self._max_pending_bytes is not None else self.max_message_size

    @property
    def held_bytes(self) -> int:
        return self._held

    def feed(self, frame: bytes) -> bytes | None:
        """Add one frame; returns the message payload once complete. Raises FrameError."""
        if len(frame) < HEADER_SIZE:
            raise FrameError(f"frame of {len(frame)} bytes is shorter than the {HEADER_SIZE}-byte chunk header")
        message_id, offset, total = HEADER.unpack_from(frame)
        content = memoryview(frame)[HEADER_SIZE:]
        if total > self.max_message_size:
            raise FrameError(
                f"message of {total} bytes exceeds the {self.max_message_size}-byte limit of this connection",
                CLOSE_MESSAGE_TOO_BIG,
            )
        if offset + len(content) > total:
            raise FrameError(f"chunk at offset {offset} with {len(content)} bytes overruns its {total}-byte message")

        partial = self._pending.get(message_id)
        if partial is None:
            if offset == 0 and len(content) == total:
                return bytes(content)  # the common case: a message in a single frame
            if len(self._pending) >= self.max_pending:
                raise FrameError(f"more than {self.max_pending} incomplete messages at once")
            partial = self._pending[message_id] = _Partial(total)
        elif partial.total != total:
            self._drop(message_id)
            raise FrameError(f"chunk announces {total} bytes but its message started with {partial.total}")
        if offset in partial.chunks:
            self._drop(message_id)
            raise FrameError(f"chunk at offset {offset} of message {message_id} was sent twice")
        if self._held + len(content) > self.max_pending_bytes:
            raise FrameError(
                f"incomplete messages hold more than {self.max_pending_bytes} bytes on this connection",
                CLOSE_MESSAGE_TOO_BIG,
            )
        partial.chunks[offset] = bytes(content)
        partial.received += len(content)
        self._held += len(content)
        if partial.received < total:
            return None
        self._drop(message_id)
        return partial.join()

    def _drop(self, message_id: int) -> None:
        partial = self._pending.pop(message_id, None)
        if partial is not None:
            self._held -= partial.received


class _Partial:
    """The chunks received so far of one message, by offset."""

    __slots__ = ("chunks", "received", "total")

    def __init__(self, total: int) -> None:
        self.total = total
        self.received = 0
        self.chunks: dict[int, bytes] = {}

    def join(self) -> bytes:
        expected = 0
        for offset in sorted(self.chunks):  # chunks must tile the message exactly: no gap, no overlap
            if offset != expected:
                raise FrameError(f"chunks of a {self.total}-byte message overlap or leave a gap at byte {expected}")
            expected += len(self.chunks[offset])
        return b"".join(self.chunks[offset] for offset in sorted(self.chunks))


def nesting_exceeds(value: Any, limit: int) -> bool:
    """True if ``value`` nests lists/maps deeper than ``limit`` (checked without recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        current, depth = stack.pop()
        if isinstance(current, (list, tuple)):
            children: Any = current
        elif isinstance(current, dict):
            children = current.values()
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False
