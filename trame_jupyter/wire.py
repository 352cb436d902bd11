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
    """Rebuilds messages from the frames of one connection, enforcing size limits as it goes.

    ``max_message_size`` bounds the total size a frame header may announce (checked before any
    allocation); ``max_pending`` bounds how many incomplete messages a peer may keep open.
    """

    def __init__(self, max_message_size: int, max_pending: int = 16) -> None:
        self.max_message_size = max_message_size
        self.max_pending = max_pending
        self._pending: dict[int, tuple[bytearray, list[int]]] = {}

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

        if offset == 0 and len(content) == total and message_id not in self._pending:
            return bytes(content)  # the common case: a message in a single frame

        entry = self._pending.get(message_id)
        if entry is None:
            if len(self._pending) >= self.max_pending:
                raise FrameError(f"more than {self.max_pending} incomplete messages at once")
            entry = (bytearray(total), [0])
            self._pending[message_id] = entry
        buffer, received = entry
        if len(buffer) != total:
            del self._pending[message_id]
            raise FrameError(f"chunk announces {total} bytes but its message started with {len(buffer)}")
        buffer[offset : offset + len(content)] = content
        received[0] += len(content)
        if received[0] >= total:
            del self._pending[message_id]
            return bytes(buffer)
        return None
