"""wslink framing: chunking and the reassembly of interleaved, reordered chunks under size limits."""

from __future__ import annotations

import random

import msgpack
import pytest

from trame_jupyter.core import wire


def test_a_small_message_is_one_frame_and_a_large_one_is_chunked():
    small = wire.pack({"a": 1})
    frames = list(wire.chunk(small, 4096))
    assert len(frames) == 1 and frames[0][wire.HEADER_SIZE :] == small
    large = bytes(range(256)) * 100
    frames = list(wire.chunk(large, 1000))
    assert all(len(f) <= 1000 for f in frames)
    assert b"".join(f[wire.HEADER_SIZE :] for f in frames) == large
    ids = {wire.HEADER.unpack_from(f)[0] for f in frames}
    assert len(ids) == 1  # one message id for all its chunks


def test_interleaved_and_reordered_chunks_of_several_messages_reassemble():
    rng = random.Random(7)
    messages = [wire.pack({"n": n, "blob": bytes([n]) * rng.randrange(100, 5000)}) for n in range(8)]
    frames = [frame for message in messages for frame in wire.chunk(message, 257)]
    rng.shuffle(frames)  # other messages' chunks between, and a message's chunks out of order
    reassembler = wire.Reassembler(max_message_size=10_000, max_pending_bytes=100_000)
    complete = [payload for frame in frames if (payload := reassembler.feed(frame)) is not None]
    assert sorted(complete) == sorted(messages)
    assert sorted(msgpack.unpackb(m)["n"] for m in complete) == list(range(8))


def test_size_limits_are_checked_from_the_header_before_any_allocation():
    reassembler = wire.Reassembler(max_message_size=100)
    with pytest.raises(wire.FrameError) as info:
        reassembler.feed(wire.HEADER.pack(1, 0, 101) + b"x")
    assert info.value.close_code == wire.CLOSE_MESSAGE_TOO_BIG
    with pytest.raises(wire.FrameError, match="overruns"):
        reassembler.feed(wire.HEADER.pack(2, 90, 100) + b"y" * 20)
    with pytest.raises(wire.FrameError, match="shorter than"):
        reassembler.feed(b"\x00\x01")


def test_a_chunk_that_changes_its_message_size_is_refused():
    reassembler = wire.Reassembler(max_message_size=1000)
    assert reassembler.feed(wire.HEADER.pack(5, 0, 100) + b"a" * 10) is None
    with pytest.raises(wire.FrameError, match="announces"):
        reassembler.feed(wire.HEADER.pack(5, 10, 200) + b"b" * 10)


def test_memory_follows_bytes_received_not_sizes_announced():
    """16 messages each announcing 10 MB, with one byte sent: a few bytes held, not 160 MB."""
    reassembler = wire.Reassembler(max_message_size=10_000_000)
    for message_id in range(16):
        assert reassembler.feed(wire.HEADER.pack(message_id, 0, 10_000_000) + b"x") is None
    assert reassembler.held_bytes == 16


def test_bytes_held_for_incomplete_messages_are_capped():
    reassembler = wire.Reassembler(max_message_size=1000, max_pending_bytes=150)
    assert reassembler.feed(wire.HEADER.pack(1, 0, 1000) + b"a" * 100) is None
    with pytest.raises(wire.FrameError, match="hold more than 150") as info:
        reassembler.feed(wire.HEADER.pack(2, 0, 1000) + b"b" * 100)
    assert info.value.close_code == wire.CLOSE_MESSAGE_TOO_BIG


def test_chunks_must_tile_their_message():
    reassembler = wire.Reassembler(max_message_size=1000)
    reassembler.feed(wire.HEADER.pack(3, 0, 10) + b"abcd")
    with pytest.raises(wire.FrameError, match="twice"):
        reassembler.feed(wire.HEADER.pack(3, 0, 10) + b"abcd")
    reassembler.feed(wire.HEADER.pack(4, 0, 10) + b"abcdef")
    with pytest.raises(wire.FrameError, match="overlap"):
        reassembler.feed(wire.HEADER.pack(4, 2, 10) + b"wxyz")  # 6 + 4 bytes received, but they overlap


def test_nesting_depth_is_measured_without_recursion():
    deep: list = []
    for _ in range(100_000):
        deep = [deep]
    assert wire.nesting_exceeds(deep, 64)
    assert not wire.nesting_exceeds({"a": [1, {"b": [2]}]}, 4)
    assert wire.nesting_exceeds({"a": [1, {"b": [2]}]}, 3)


def test_incomplete_messages_are_capped_in_number():
    reassembler = wire.Reassembler(max_message_size=1000, max_pending=3)
    for message_id in range(3):
        assert reassembler.feed(wire.HEADER.pack(message_id, 0, 100) + b"x") is None
    with pytest.raises(wire.FrameError, match="incomplete"):
        reassembler.feed(wire.HEADER.pack(99, 0, 100) + b"x")


def test_values_msgpack_cannot_encode_are_named():
    class Opaque:
        pass

    with pytest.raises(TypeError, match="Opaque"):
        wire.pack({"x": Opaque()})
    assert wire.unpack(wire.pack({"s": {1, 2}, "m": memoryview(b"ab")})) == {"s": [1, 2], "m": b"ab"}


def test_prepacked_values_are_not_encoded_twice():
    inner = wire.pack({"k": [1, 2]})
    envelope = wire.pack_envelope("publish:t:0", wire.pack_map_of_packed({"a": inner, "b": wire.pack(None)}))
    assert wire.unpack(envelope) == {"wslink": "1.0", "id": "publish:t:0", "result": {"a": {"k": [1, 2]}, "b": None}}
    assert wire.pack(wire.Packed(inner)) is not None and wire.pack(wire.Packed(inner)) == inner
