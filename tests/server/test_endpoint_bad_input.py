"""Bad input gets a clear error; the server keeps serving and the other clients keep their state."""

import logging
import os
import socket
import struct

import msgpack
import pytest
from support.aio import client_of, running, wait_until
from support.wslink_client import WslinkError, WslinkTestClient, frames_of

from trame_jupyter import Server
from trame_jupyter.server.cli import StartError
from trame_jupyter.server.protocol import UnserializableStateError
from trame_jupyter.server.runner import PortInUseError


@pytest.fixture
def witness_server():
    return make_witness()


def make_witness(**options):
    """A server whose ``value`` key a healthy witness client watches while another client misbehaves."""
    server = Server("witness", **options)

    @server.trigger("echo")
    def echo(x):
        return x

    return server


async def assert_still_serving(server: Server, witness: WslinkTestClient) -> None:
    """The server answers, and the witness keeps receiving live updates."""
    assert await witness.call("trame.trigger", "echo", ["alive"]) == "alive"
    marker = os.urandom(4).hex()
    server.state.value = marker
    assert await witness.state_update("value") == marker


async def test_wrong_missing_and_public_secret(witness_server):
    async with running(witness_server) as server, client_of(server) as witness:
        for secret in ("not-the-secret", "", "wslink-secret", None, 42):
            async with client_of(server, secret=None) as intruder:
                with pytest.raises(WslinkError) as info:
                    await intruder.hello(secret)
                assert info.value.code == -32000 and info.value.message == "Authentication failed"
                with pytest.raises(WslinkError) as info:
                    await intruder.call("trame.state.get")
                assert info.value.code == -32000
        await assert_still_serving(server, witness)


async def test_unauthenticated_client_gets_no_publishes(witness_server):
    async with running(witness_server) as server, client_of(server) as witness, client_of(server, None) as stranger:
        server.state.value = "secret-data"
        assert await witness.state_update("value") == "secret-data"
        assert await stranger.no_publish("trame.state.topic")


async def test_unknown_rpc_and_unknown_system_method(witness_server):
    async with running(witness_server) as server, client_of(server) as witness, client_of(server) as bad:
        with pytest.raises(WslinkError) as info:
            await bad.call("no.such.method")
        assert info.value.code == -32601 and info.value.data == "no.such.method"
        with pytest.raises(WslinkError) as info:
            await bad._request("system:c0:1", "wslink.nothing", [], {})
        assert info.value.code == -32601
        await assert_still_serving(server, witness)


@pytest.mark.parametrize(
    ("method", "args", "kwargs"),
    [
        ("trame.state.update", [], {}),
        ("trame.state.update", ["not a list"], {}),
        ("trame.state.update", [[{"value": 1}]], {}),
        ("trame.state.update", [[{"key": 3, "value": 1}]], {}),
        ("trame.state.update", [[1, 2]], {}),
        ("trame.trigger", [], {}),
        ("trame.trigger", [5], {}),
        ("trame.trigger", ["echo", "x"], {}),
        ("trame.trigger", ["echo", [], "kw"], {}),
        ("trame.trigger", ["echo", [1, 2, 3]], {}),
        ("trame.trigger", ["echo"], {"unexpected": 1}),
        ("trame.force.push", [1], {}),
        ("trame.lifecycle.update", [], {}),
        ("trame.lifecycle.update", [{"a": 1}], {}),
        ("trame.state.get", [1, 2], {}),
        ("trame.error.client", [], {}),
    ],
)
async def test_wrong_argument_shapes(witness_server, method, args, kwargs):
    async with running(witness_server) as server, client_of(server) as witness, client_of(server) as bad:
        with pytest.raises(WslinkError) as info:
            await bad.call(method, *args, **kwargs)
        assert info.value.code == -32602, info.value.message
        assert method.split(".")[-1] in info.value.message or "trigger" in info.value.message
        await assert_still_serving(server, witness)
        assert await bad.call("trame.trigger", "echo", [1]) == 1  # the offender's connection still works


async def test_unknown_trigger_and_raising_trigger_are_reported(witness_server, caplog):
    @witness_server.trigger("explode")
    def explode():
        raise ValueError("kaboom")

    async with running(witness_server) as server, client_of(server) as witness, client_of(server) as bad:
        with pytest.raises(WslinkError) as info:
            await bad.call("trame.trigger", "missing_trigger")
        assert info.value.code == -32601 and "missing_trigger" in info.value.message
        with caplog.at_level(logging.ERROR):
            with pytest.raises(WslinkError) as info:
                await bad.call("trame.trigger", "explode")
        assert info.value.code == -32001
        assert "explode" in info.value.data["exception"] and "kaboom" in info.value.data["exception"]
        assert any("explode" in r.getMessage() for r in caplog.records)
        await assert_still_serving(server, witness)


async def test_callback_error_does_not_break_the_update_or_other_callbacks(witness_server, caplog):
    ran = []
    witness_server.state.change("n")(lambda **_: (_ for _ in ()).throw(RuntimeError("bad callback")))
    witness_server.state.change("n")(lambda n, **_: ran.append(n))
    async with running(witness_server) as server, client_of(server) as witness, client_of(server) as other:
        with caplog.at_level(logging.ERROR):
            await other.call("trame.state.update", [{"key": "n", "value": 3}])
        assert ran == [3]
        assert any("'n'" in r.getMessage() or " n" in r.getMessage() for r in caplog.records)
        assert await witness.state_update("n") == 3
        await assert_still_serving(server, witness)


async def test_malformed_request_envelopes_get_invalid_request(witness_server):
    async with running(witness_server) as server, client_of(server) as witness, client_of(server) as bad:
        for message in ({"id": "rpc:x:1", "method": 5}, {"id": "rpc:x:2", "method": "a", "args": "no"}):
            for frame in frames_of(message):
                await bad.send_raw(frame)
        await wait_until(lambda: len(bad.unsolicited) >= 2, what="two error replies")
        errors = [m["error"]["code"] for m in bad.unsolicited]
        assert errors == [-32600, -32600]
        for frame in frames_of(["not", "a", "map"]):  # no id: nothing to answer, connection stays
            await bad.send_raw(frame)
        assert await bad.call("trame.trigger", "echo", [2]) == 2
        await assert_still_serving(server, witness)


@pytest.mark.parametrize(
    ("payload", "close_code"),
    [
        (b"\x01\x02\x03", 1007),  # shorter than the chunk header
        (struct.pack("<III", 1, 0, 2**31) + os.urandom(52), 1009),  # random bytes announcing 2 GiB
        (struct.pack("<III", 7, 0, 10) + b"\xc1" * 10, 1007),  # complete but not msgpack
        (struct.pack("<III", 7, 8, 10) + b"abcd", 1007),  # chunk overruns its message
    ],
    ids=["short", "random-2GiB", "not-msgpack", "overrun"],  # stable ids: each xdist worker collects the same
)
async def test_corrupt_frames_close_only_that_connection(witness_server, payload, close_code):
    async with running(witness_server) as server, client_of(server) as witness, client_of(server) as bad:
        await bad.send_raw(payload)
        assert await bad.wait_closed() == close_code
        await assert_still_serving(server, witness)


async def test_text_frame_is_refused_with_a_clear_close(witness_server):
    async with running(witness_server) as server, client_of(server) as witness, client_of(server) as bad:
        await bad.send_text('{"id": "rpc:1", "method": "trame.state.get"}')
        assert await bad.wait_closed() == 1003
        await assert_still_serving(server, witness)


async def test_truncated_message_then_limits(witness_server):
    async with running(witness_server) as server, client_of(server) as witness, client_of(server) as bad:
        # First half of a chunked message, never completed: the connection keeps working meanwhile.
        payload = msgpack.packb({"wslink": "1.0", "id": "rpc:x:9", "method": "trame.state.get", "args": []})
        await bad.send_raw(struct.pack("<III", 99, 0, len(payload)) + payload[:10])
        assert await bad.call("trame.trigger", "echo", [3]) == 3
        await assert_still_serving(server, witness)


async def test_message_over_ws_max_msg_size_is_refused():
    small = make_witness(ws_max_msg_size=100_000)
    async with running(small) as server, client_of(server) as witness, client_of(server) as bad:
        with pytest.raises(ConnectionError):
            await bad.call("trame.state.update", [{"key": "big", "value": bytes(200_000)}], chunk_size=50_000)
        assert bad.close_code == 1009
        assert server.state.big is None
        await assert_still_serving(server, witness)


async def test_oversized_single_frame_is_refused():
    small = make_witness(ws_max_msg_size=100_000)
    async with running(small) as server, client_of(server) as witness, client_of(server) as bad:
        with pytest.raises(ConnectionError):
            await bad.call("trame.state.update", [{"key": "big", "value": bytes(300_000)}])
        assert bad.close_code == 1009
        await assert_still_serving(server, witness)


async def test_pre_auth_size_cap(witness_server):
    async with running(witness_server) as server, client_of(server) as witness, client_of(server, None) as bad:
        with pytest.raises(ConnectionError):
            await bad.hello("x" * 2000)
        assert bad.close_code == 1009
        await assert_still_serving(server, witness)


async def test_unserializable_state_value_names_the_key(witness_server):
    async with running(witness_server) as server, client_of(server) as witness:
        with pytest.raises(UnserializableStateError, match="'broken'") as info:
            with server.state:
                server.state.broken = object()
                server.state.fine = 1
        assert "object" in str(info.value)
        assert await witness.state_update("fine") == 1  # the other keys were still pushed
        await assert_still_serving(server, witness)


async def test_unserializable_trigger_result(witness_server):
    @witness_server.trigger("weird")
    def weird():
        return object()

    async with running(witness_server) as server, client_of(server) as witness:
        with pytest.raises(WslinkError) as info:
            await witness.call("trame.trigger", "weird")
        assert info.value.code == -32002
        await assert_still_serving(server, witness)


async def test_client_cannot_stop_a_task_server(witness_server):
    async with running(witness_server) as server, client_of(server) as witness:
        for method, args in (("application.exit", []), ("application.exit.later", [0])):
            with pytest.raises(WslinkError) as info:
                await witness.call(method, *args)
            assert "server.stop()" in info.value.message
        await witness.call("trame.state.get")  # a full round trip: any stop scheduled for later has run
        assert server.running
        await assert_still_serving(server, witness)


async def test_port_in_use_error_names_the_port():
    blocker = socket.socket()
    blocker.bind(("127.0.0.1", 0))
    blocker.listen()
    port = blocker.getsockname()[1]
    try:
        server = Server("busy")
        with pytest.raises(PortInUseError, match=str(port)):
            server.start(exec_mode="task", port=port)
        assert not server.running
        async with running(server, port=0):  # nothing half-started was left behind
            assert server.port != port
    finally:
        blocker.close()


async def test_unknown_backend_and_exec_mode_are_clear_errors(monkeypatch):
    server = Server("cfg")
    with pytest.raises(StartError, match="tornado"):
        server.start(exec_mode="task", backend="tornado")
    monkeypatch.setenv("TRAME_BACKEND", "generic")
    with pytest.raises(StartError, match="generic"):
        server.start(exec_mode="task")
    monkeypatch.delenv("TRAME_BACKEND")
    with pytest.raises(StartError, match="exec_mode"):
        server.start(exec_mode="thread")
    assert not server.running
