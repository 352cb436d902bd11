"""The endpoint under hostile or careless clients: bounded memory, deadlines, no tracebacks sent, quiet
logs, and every request answered when the server stops. Real servers, real websocket clients."""

from __future__ import annotations

import asyncio
import base64
import functools
import logging
import os
import struct
from pathlib import Path

import pytest
from support.aio import client_of, running, wait_until
from support.wslink_client import MirrorClient, WslinkError, WslinkTestClient, frames_of

from trame_jupyter import Server
from trame_jupyter.core import wire
from trame_jupyter.core.rpc import MAX_NESTING, SERVER_STOPPING
from trame_jupyter.server import lifecycle


@pytest.fixture
def limits(monkeypatch):
    """Start servers with other endpoint limits (the real EndpointLimits, other values)."""

    def use(**overrides):
        monkeypatch.setattr(lifecycle, "EndpointLimits", functools.partial(lifecycle.EndpointLimits, **overrides))

    return use


def echo_server(name: str) -> Server:
    server = Server(name)

    @server.trigger("echo")
    def echo(x):
        return x

    @server.trigger("fail")
    def fail():
        raise ValueError("the details of a failure")

    return server


def rss_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


async def test_a_secret_that_is_not_ascii_gets_the_authentication_error():
    async with running(echo_server("e1")) as server, client_of(server, None) as client:
        for secret in ("é", "\u00ff" * 40, "秘密", "\x00"):
            with pytest.raises(WslinkError) as info:
                await client.hello(secret)
            assert info.value.code == -32000
        await client.hello(server.secret)
        assert await client.call("trame.trigger", "echo", [1]) == 1


async def test_deep_nesting_is_a_clear_error_and_no_traceback_reaches_a_client():
    async with running(echo_server("e2")) as server, client_of(server) as client:
        deep: list = []
        for _ in range(MAX_NESTING + 400):
            deep = [deep]
        with pytest.raises(WslinkError) as info:
            await client.call("trame.state.update", [{"key": "deep", "value": deep}])
        assert info.value.code == -32602 and "nest deeper" in info.value.message
        with pytest.raises(WslinkError) as info:
            await client.call("trame.trigger", "fail")
        assert info.value.code == -32001
        assert "trace" not in info.value.data and "Traceback" not in str(info.value.data)
        assert info.value.data["exception"].startswith("TriggerError: trigger 'fail' raised ValueError")
        assert await client.call("trame.trigger", "echo", [2]) == 2  # still connected


async def test_announced_sizes_cost_no_memory_and_incomplete_messages_are_capped():
    async with running(echo_server("e3")) as server, client_of(server) as witness, client_of(server) as bad:
        before = rss_bytes()
        for message_id in range(16):  # each announces 9 MB, sends 1 byte
            await bad.send_raw(wire.HEADER.pack(message_id, 0, 9_000_000) + b"x")
        assert await bad.call("trame.trigger", "echo", [3]) == 3  # the connection still works
        assert rss_bytes() - before < 30 * 1024 * 1024  # was 150 MB when buffers followed the announced size
        await bad.send_raw(wire.HEADER.pack(99, 0, 9_000_000) + b"x")  # a 17th incomplete message
        assert await bad.wait_closed() == wire.CLOSE_INVALID_PAYLOAD
        assert await witness.call("trame.trigger", "echo", [4]) == 4


async def test_a_client_that_never_authenticates_is_closed_after_the_deadline(limits):
    limits(hello_timeout=0.3)
    async with running(echo_server("e4")) as server, client_of(server, None) as silent:
        assert await silent.wait_closed(5) == 1008
        async with client_of(server) as fine:  # a prompt client is unaffected
            await asyncio.sleep(0.5)  # past the deadline: authenticated clients have none
            assert await fine.call("trame.trigger", "echo", [5]) == 5


async def test_connections_waiting_to_authenticate_are_capped(limits):
    limits(max_unauthenticated=3)
    async with running(echo_server("e5")) as server, client_of(server) as member:
        waiting = [WslinkTestClient() for _ in range(3)]
        for client in waiting:
            await client.open(f"ws://127.0.0.1:{server.port}/ws")
        await wait_until(lambda: server.protocol.endpoint.client_count == 4)
        extra = WslinkTestClient()
        await extra.open(f"ws://127.0.0.1:{server.port}/ws")
        assert await extra.wait_closed() == 1013
        await waiting[0].hello(server.secret)  # one authenticates: a place frees up
        again = WslinkTestClient()
        await again.open(f"ws://127.0.0.1:{server.port}/ws")
        await again.hello(server.secret)
        assert await member.call("trame.trigger", "echo", [6]) == 6
        for client in [*waiting, extra, again]:
            await client.close()


async def test_failed_handshakes_are_logged_once_a_minute_at_info(caplog):
    caplog.set_level(logging.INFO, logger="trame_jupyter")
    async with running(echo_server("e6")) as server:
        for _ in range(20):
            async with client_of(server, None) as intruder:
                with pytest.raises(WslinkError):
                    await intruder.hello("wrong")
    auth = [r for r in caplog.records if "failed authentication" in r.getMessage()]
    assert len(auth) == 1 and auth[0].levelno == logging.INFO  # never a warning printed into a cell
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING and r.name.startswith("trame_jupyter")]


async def test_stop_answers_every_request_it_handled():
    """10 clients write while the server stops: each write the server applied was acknowledged."""
    server = Server("e7")
    applied: list[tuple[str, int]] = []

    @server.state.change(*[f"k{i}" for i in range(10)])
    def record(**state):
        applied.extend((key, state[key]) for key in server.state.modified_keys)

    server.start(exec_mode="task", port=0)
    await server.ready
    clients = [MirrorClient() for _ in range(10)]
    for client in clients:
        await client.connect(f"ws://127.0.0.1:{server.port}/ws", server.secret)
    outcomes: list[str] = []

    async def write(index: int, client: MirrorClient) -> None:
        for value in range(1, 10_000):
            try:
                await client.write({f"k{index}": value})
            except WslinkError as error:
                outcomes.append("stopping" if error.code == SERVER_STOPPING else f"error {error.code}")
                return
            except ConnectionError:
                outcomes.append("closed")
                return

    writers = [asyncio.ensure_future(write(i, c)) for i, c in enumerate(clients)]
    await wait_until(lambda: len(applied) > 200)
    await server.stop()
    await asyncio.wait_for(asyncio.gather(*writers), 10)
    acknowledged = {key: value for client in clients for key, value in client.acknowledged.items()}
    for key, value in applied:
        assert acknowledged.get(key, 0) >= value, f"{key}={value} was applied but never acknowledged"
    assert len(outcomes) == 10 and all(outcome in ("stopping", "closed") for outcome in outcomes), outcomes
    for client in clients:
        await client.close()


async def open_raw_websocket(port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A websocket spoken by hand over TCP, so the test controls when (if ever) it reads."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    key = base64.b64encode(os.urandom(16)).decode()
    writer.write(
        f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode()
    )
    head = await reader.readuntil(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 101")
    return reader, writer


def masked_binary_frame(payload: bytes) -> bytes:
    mask = os.urandom(4)
    length = len(payload)
    header = bytes([0x82]) + (
        bytes([0x80 | length]) if length < 126 else bytes([0x80 | 126]) + struct.pack(">H", length)
    )
    return header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


async def last_byte_reader(client: WslinkTestClient, key: str, seen: list[int]) -> None:
    """Consume ``key``'s publishes as they come (keeping only the last byte of each), so the witness
    itself holds no backlog in this process."""
    while True:
        value = await client.state_update(key, wait=30)
        seen.append(value[-1])


async def test_a_client_that_stops_reading_is_dropped_and_memory_stays_bounded(limits):
    limits(max_backlog=4 * 1024 * 1024)
    async with running(echo_server("e8")) as server, client_of(server) as witness:
        _, writer = await open_raw_websocket(server.port)
        hello = {"wslink": "1.0", "id": "system:c0:0", "method": "wslink.hello", "args": [{"secret": server.secret}]}
        for frame in frames_of(hello):
            writer.write(masked_binary_frame(frame))
        await wait_until(lambda: sum(c.authenticated for c in server.protocol.endpoint.connections.values()) == 2)
        seen: list[int] = []
        reading = asyncio.ensure_future(last_byte_reader(witness, "blob", seen))
        before = rss_bytes()
        blob = bytes(512 * 1024)
        for i in range(400):  # 200 MB pushed at a client that reads nothing, at a pace the witness follows
            server.state.blob = blob[:-1] + bytes([i % 256])
            server.state.flush()
            await asyncio.sleep(0.002)
        await wait_until(lambda: server.protocol.endpoint.client_count == 1, timeout=20, what="the slow client's drop")
        await wait_until(lambda: seen and seen[-1] == 399 % 256, timeout=20, what="the witness's last value")
        assert rss_bytes() - before < 64 * 1024 * 1024  # the dropped client's backlog was bounded (4 MB)
        reading.cancel()
        writer.close()
