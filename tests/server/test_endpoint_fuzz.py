"""Fuzzing a live server (hypothesis, bounded and seeded): arbitrary frames, chunk headers, msgpack values
and RPC argument shapes. For every case: no crash, no hang, every reply a well-formed wslink message (an
error carries a code and a message, never a traceback), and a witness client's copy of the state still
equal to the server's."""

from __future__ import annotations

import asyncio
import logging
import struct
from collections.abc import Iterator
from typing import Any

import msgpack
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.server_thread import ServerThread
from support.wslink_client import MirrorClient, WslinkError, WslinkTestClient, frames_of

from trame_jupyter import Server
from trame_jupyter.server.protocol import clean_value

HEADER = struct.Struct("<III")
#: How a connection may end: a close frame with one of these codes (1006, no close frame, is a crash).
CLEAN_CLOSES = {1000, 1001, 1003, 1007, 1008, 1009, 1013}
FUZZ = settings(
    max_examples=120,
    derandomize=True,  # the same cases on every run: a CI failure reproduces
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
RPCS = [
    "trame.state.get",
    "trame.state.update",
    "trame.trigger",
    "trame.force.push",
    "trame.lifecycle.update",
    "trame.error.client",
    "application.exit",
    "wslink.hello",
    "no.such.method",
]


class Crashes(logging.Handler):
    """Errors of the web server or of the event loop: an exception escaped the endpoint."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


class Harness:
    """A server on one loop thread, clients on another, and a witness that stays connected."""

    def __init__(self) -> None:
        self.crashes = Crashes()
        for name in ("aiohttp", "asyncio"):
            logging.getLogger(name).addHandler(self.crashes)
        self.server_thread = ServerThread()
        self.client_thread = ServerThread()
        self.server = Server("fuzz")

        @self.server.trigger("echo")
        def echo(x=None):
            return x

        @self.server.state.change("count")
        def double(count, **_):
            self.server.state.doubled = count * 2 if isinstance(count, (int, float)) else None

        self.server_thread.run(lambda: self.server.state.update(count=1, label="witnessed"))
        self.server_thread.start(self.server)
        self.url = f"ws://127.0.0.1:{self.server.port}/ws"
        self.witness = MirrorClient()
        self.clients(self.witness.connect(self.url, self.server.secret))
        self.clients(self.witness.sync())

    def clients(self, coroutine: Any, timeout: float = 20) -> Any:
        return self.client_thread.run_coroutine(coroutine, timeout)

    def close(self) -> None:
        for name in ("aiohttp", "asyncio"):
            logging.getLogger(name).removeHandler(self.crashes)
        self.clients(self.witness.close())
        self.server_thread.close()
        self.client_thread.close()


@pytest.fixture(scope="module")
def harness() -> Iterator[Harness]:
    fixture = Harness()
    yield fixture
    fixture.close()


def assert_well_formed(message: Any) -> None:
    assert isinstance(message, dict), message
    assert message.get("wslink") == "1.0" and isinstance(message.get("id"), str), message
    assert ("result" in message) != ("error" in message), message
    if "error" in message:
        error = message["error"]
        assert isinstance(error.get("code"), int) and isinstance(error.get("message"), str), error
        assert "trace" not in (error.get("data") or {}) and "Traceback" not in repr(error), error


async def run_case(harness: Harness, frames: list[bytes], authenticate: bool) -> None:
    """Send ``frames`` on a new connection, then a probe; every reply must be well formed, and the
    connection either answers the probe or is closed with a code (never hangs)."""
    client = WslinkTestClient()
    await client.open(harness.url)
    try:
        if authenticate:
            await client.hello(harness.server.secret)
        for frame in frames:
            if client.ws.closed:
                break
            await client.send_raw(frame)
        outcome: Any = None
        if not client.ws.closed:
            try:
                outcome = await asyncio.wait_for(client.call("trame.trigger", "echo", ["probe"]), 10)
            except (ConnectionError, WslinkError) as error:  # closed, or an error answer: both are fine
                outcome = error
        if client.ws.closed or isinstance(outcome, ConnectionError):
            await client.wait_closed()
            assert client.close_code in CLEAN_CLOSES, f"closed with {client.close_code}: not a clean close"
        elif not isinstance(outcome, WslinkError):
            assert outcome == "probe"
        for message in client.unsolicited:
            assert_well_formed(message)
    finally:
        await client.close()
    assert harness.crashes.records == [], [r.getMessage() for r in harness.crashes.records]


def normalized(value: Any) -> Any:
    return msgpack.unpackb(msgpack.packb(clean_value(value), use_bin_type=True), raw=False)


def assert_witness_agrees(harness: Harness) -> None:
    witness = harness.witness
    harness.clients(witness.call("trame.trigger", "echo", [0]))  # publishes sent before are applied now
    server_state = harness.server_thread.run(lambda: dict(harness.server.state.initial))
    client_only = set(server_state.get("trame__client_only") or [])
    for key, value in server_state.items():
        if key in client_only:
            continue
        assert normalized(witness.state.get(key)) == normalized(value), key


def envelope(method: str, args: Any, kwargs: Any, rpc_id: Any = "rpc:fuzz:1") -> dict[str, Any]:
    return {"wslink": "1.0", "id": rpc_id, "method": method, "args": args, "kwargs": kwargs}


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**64 - 1),
    st.floats(allow_nan=False),
    st.text(max_size=20),
    st.binary(max_size=20),
)
values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)


@FUZZ
@given(frames=st.lists(st.binary(max_size=64), min_size=1, max_size=4), authenticate=st.booleans())
def test_arbitrary_frames(harness, frames, authenticate):
    harness.clients(run_case(harness, frames, authenticate))
    assert_witness_agrees(harness)


@FUZZ
@given(
    headers=st.lists(
        st.tuples(
            st.integers(0, 2**32 - 1), st.integers(0, 2**32 - 1), st.integers(0, 2**32 - 1), st.binary(max_size=40)
        ),
        min_size=1,
        max_size=6,
    ),
    authenticate=st.booleans(),
)
def test_chunk_headers(harness, headers, authenticate):
    frames = [HEADER.pack(message_id, offset, total) + body for message_id, offset, total, body in headers]
    harness.clients(run_case(harness, frames, authenticate))
    assert_witness_agrees(harness)


@FUZZ
@given(message=values, chunk=st.integers(0, 16))
def test_msgpack_values_as_messages(harness, message, chunk):
    harness.clients(run_case(harness, frames_of(message, chunk), authenticate=True))
    assert_witness_agrees(harness)


@FUZZ
@given(
    method=st.sampled_from(RPCS),
    args=st.one_of(st.lists(values, max_size=3), values),
    kwargs=st.one_of(st.dictionaries(st.text(max_size=6), values, max_size=2), values),
    rpc_id=st.one_of(st.just("rpc:fuzz:1"), st.just("system:c0:9"), values),
)
def test_rpc_argument_shapes(harness, method, args, kwargs, rpc_id):
    harness.clients(run_case(harness, frames_of(envelope(method, args, kwargs, rpc_id)), authenticate=True))
    assert_witness_agrees(harness)


@FUZZ
@given(
    changes=st.lists(
        st.fixed_dictionaries({"key": st.sampled_from(["count", "label", "other", "trame__title"]), "value": values}),
        max_size=3,
    )
)
def test_state_updates_of_any_value(harness, changes):
    frames = frames_of(envelope("trame.state.update", [changes], {}))
    harness.clients(run_case(harness, frames, authenticate=True))
    assert_witness_agrees(harness)


@FUZZ
@given(secret=st.one_of(st.text(max_size=80), values), rpc_id=st.sampled_from(["system:c0:0", "system:x:1", "rpc:c:1"]))
def test_handshakes(harness, secret, rpc_id):
    frames = frames_of(envelope("wslink.hello", [{"secret": secret}], {}, rpc_id))
    harness.clients(run_case(harness, frames, authenticate=False))
    assert_witness_agrees(harness)


def deep_frames(method: str, depth: int) -> list[bytes]:
    """A request whose argument nests ``depth`` lists, encoded by hand (msgpack refuses to pack it)."""
    pack = msgpack.packb
    nested = b"\x91" * depth + pack("leaf")  # 0x91: an array of one element
    if method == "trame.state.update":
        args = b"\x91\x91\x82" + pack("key") + pack("label") + pack("value") + nested
    else:
        args = b"\x93" + pack("echo") + b"\x91" + nested + b"\x80"
    payload = b"\x85" + b"".join(
        pack(k) + pack(v) for k, v in (("wslink", "1.0"), ("id", "rpc:fuzz:deep"), ("method", method))
    )
    payload += pack("args") + args + pack("kwargs") + b"\x80"
    return [HEADER.pack(7, 0, len(payload)) + payload]


@FUZZ
@given(depth=st.integers(0, 1500), method=st.sampled_from(["trame.state.update", "trame.trigger"]))
def test_deeply_nested_arguments(harness, depth, method):
    harness.clients(run_case(harness, deep_frames(method, depth), authenticate=True))
    assert_witness_agrees(harness)
