"""The wire contract over real websockets: hello, state sync, triggers, actions, custom RPCs, binary."""

import asyncio

import numpy as np
import pytest
from support.aio import client_of, running
from support.wslink_client import WslinkError
from wslink import register
from wslink.websocket import LinkProtocol

from trame_jupyter import Server


async def test_hello_returns_client_id_and_frame_size():
    async with running(Server("p1")) as server, client_of(server, secret=None) as client:
        reply = await client.hello(server.secret)
        assert reply["clientID"].startswith("c") and len(reply["clientID"]) == 33
        assert reply["maxMsgSize"] == 4 * 1024 * 1024


async def test_state_get_contains_templates_and_values():
    server = Server("p2")
    server.state.answer = 42
    async with running(server), client_of(server) as client:
        result = await client.call("trame.state.get")
        assert result["name"] == "p2"
        assert result["state"]["answer"] == 42
        assert result["state"]["trame__title"] == "Trame"


async def test_update_runs_change_callback_and_pushes_its_result():
    server = Server("p3")
    seen = []

    @server.state.change("x")
    def on_x(x, **_):
        seen.append(x)
        server.state.y = x * 2

    async with running(server), client_of(server) as client:
        assert await client.call("trame.state.update", [{"key": "x", "value": 21}]) is None
        assert await client.state_update("y") == 42
        assert seen == [21]
        assert server.state.x == 21


async def test_python_change_outside_callbacks_reaches_the_browser_without_flush():
    async with running(Server("p4")) as server, client_of(server) as client:
        server.state.temperature = 12.5  # a plain write, as in a notebook cell
        assert await client.state_update("temperature") == 12.5


async def test_three_clients_each_get_the_echo_exactly_once():
    async with running(Server("p5")) as server:
        async with client_of(server) as a, client_of(server) as b, client_of(server) as c:
            await a.call("trame.state.update", [{"key": "shared", "value": 7}])
            assert await b.state_update("shared") == 7
            assert await c.state_update("shared") == 7
            await server.network_completion
            assert await b.no_publish("trame.state.topic")
            assert await c.no_publish("trame.state.topic")
            assert await a.no_publish("trame.state.topic")  # the sender is not echoed


async def test_triggers_with_args_kwargs_and_async():
    server = Server("p6")

    @server.trigger("add")
    def add(a, b=0):
        return a + b

    @server.trigger("slow_double")
    async def slow_double(x):
        await asyncio.sleep(0.01)
        server.state.doubled = 2 * x
        return 2 * x

    async with running(server), client_of(server) as client:
        assert await client.call("trame.trigger", "add", [1], {"b": 2}) == 3
        assert await client.call("trame.trigger", "slow_double", [4]) == 8
        assert await client.state_update("doubled") == 8


async def test_async_trigger_does_not_block_the_next_call_of_the_same_client():
    server = Server("p7")
    release = asyncio.Event()

    @server.trigger("wait")
    async def wait():
        await release.wait()
        return "released"

    @server.trigger("release")
    def do_release():
        release.set()
        return "ok"

    async with running(server), client_of(server) as client:
        pending = asyncio.ensure_future(client.call("trame.trigger", "wait"))
        assert await client.call("trame.trigger", "release") == "ok"
        assert await pending == "released"


async def test_js_call_publishes_an_action():
    async with running(Server("p8")) as server, client_of(server) as client:
        server.js_call("field", "focus", 1, "a")
        actions = await client.next_publish("trame.actions.topic")
        assert actions == [{"type": "method", "ref": "field", "method": "focus", "args": [1, "a"]}]


async def test_force_state_push_resends_unchanged_values():
    server = Server("p9")
    server.state.k = "v"
    async with running(server), client_of(server) as client:
        server.force_state_push("k")
        assert await client.state_update("k") == "v"


async def test_custom_rpc_through_add_protocol_to_configure():
    class Calculator(LinkProtocol):
        @register("calc.add")
        def add(self, a, b):
            return a + b

        @register("calc.notify")
        def notify(self, text):
            self.publish("calc.topic", {"text": text})

    server = Server("p10")
    server.add_protocol_to_configure(lambda protocol: protocol.registerLinkProtocol(Calculator()))
    async with running(server), client_of(server) as client:
        assert await client.call("calc.add", 2, 3) == 5
        await client.call("calc.notify", "hi")
        assert await client.next_publish("calc.topic") == {"text": "hi"}
        assert server.protocol_call("calc.add", 1, 1) == 2


async def test_binary_values_both_ways():
    server = Server("p11")
    received = []
    server.state.change("upload")(lambda upload, **_: received.append(upload))
    async with running(server), client_of(server) as client:
        server.state.blob = bytes(range(256))
        assert await client.state_update("blob") == bytes(range(256))
        image = np.arange(12, dtype=np.uint16).reshape(3, 4)
        server.state.image = image
        value = await client.state_update("image")
        assert value["dtype"] == "uint16" and value["shape"] == [3, 4]
        assert np.array_equal(np.frombuffer(value["bytes"], dtype=np.uint16).reshape(3, 4), image)
        await client.call("trame.state.update", [{"key": "upload", "value": b"\x00\xff" * 1000}])
        assert received == [b"\x00\xff" * 1000]


async def test_filtered_values_are_not_sent_back():
    async with running(Server("p12")) as server, client_of(server) as a, client_of(server) as b:
        upload = {"name": "f.bin", "size": 3, "content": b"abc", "_filter": ["content"]}
        await a.call("trame.state.update", [{"key": "file", "value": upload}])
        echoed = await b.state_update("file")
        assert echoed == {"name": "f.bin", "size": 3, "_filter": ["content"]}
        assert server.state.file["content"] == b"abc"


async def test_large_message_in_chunks_both_ways():
    server = Server("p13")
    async with running(server), client_of(server) as client:
        big = bytes(6 * 1024 * 1024)  # above the 4 MiB frame size: chunked by both sides
        await client.call("trame.state.update", [{"key": "big_in", "value": big}], chunk_size=1024 * 1024)
        assert len(server.state.big_in) == len(big)
        server.state.big_out = b"\x01" * (5 * 1024 * 1024)
        assert len(await client.state_update("big_out")) == 5 * 1024 * 1024


async def test_child_server_keys_and_triggers_are_prefixed():
    server = Server("p14")
    child = server.create_child_server(prefix="c_")

    @child.trigger("ping")
    def ping():
        child.state.pong = True
        return "child"

    async with running(server), client_of(server) as client:
        assert await client.call("trame.trigger", "c_ping") == "child"
        assert await client.state_update("c_pong") is True
        assert child.port == server.port and child.running


async def test_lifecycle_and_client_error_reach_the_controller():
    server = Server("p15")
    events = []
    server.controller.on_client_connected.add(lambda: events.append("connected"))
    server.controller.on_error.add(lambda message: events.append(message))
    async with running(server), client_of(server) as client:
        await client.call("trame.lifecycle.update", "client_connected")
        await client.call("trame.error.client", "TypeError: x is undefined")
        assert events == ["connected", "TypeError: x is undefined"]
        with pytest.raises(WslinkError) as info:
            await client.call("trame.lifecycle.update", "server_ready")  # not a client phase
        assert info.value.code == -32602


async def test_network_log_records_both_directions(tmp_path):
    log = tmp_path / "net.log"
    server = Server("p16", log_network=str(log))
    async with running(server), client_of(server) as client:
        await client.call("trame.state.update", [{"key": "a", "value": b"xyz"}])
        server.state.b = 2
        await client.state_update("b")
    text = log.read_text()
    assert "trame.state.update" in text and "<3 bytes>" in text and "trame.state.topic" in text


async def test_a_written_value_is_encoded_once_for_echo_flush_and_answer(monkeypatch):
    from trame_jupyter.core import wire

    server = Server("p-once")
    encoded = []
    pack = wire.pack

    def counting_pack(value):
        encoded.append(value)
        return pack(value)

    async with running(server), client_of(server) as writer, client_of(server) as other:
        blob = "x" * 10_000  # a value recognisable among what else gets encoded
        monkeypatch.setattr(wire, "pack", counting_pack)
        assert await writer.call("trame.state.update", [{"key": "text", "value": blob}]) is None
        monkeypatch.setattr(wire, "pack", pack)
        assert await other.state_update("text") == blob
        assert sum(1 for value in encoded if value == blob) == 1


async def test_a_callback_that_mutates_the_written_value_in_place_sends_the_new_content():
    """The encoding of a client's write is reused by the flush only while the value is untouched: a
    callback that sorts the very list the client sent, then marks it dirty, must send the sorted list."""
    server = Server("p-inplace")

    @server.state.change("items")
    def sort_items(items, **_):
        if items != sorted(items):
            items.sort()
            server.state.dirty("items")

    async with running(server), client_of(server) as writer, client_of(server) as other:
        kept = await writer.call("trame.state.update", [{"key": "items", "value": [3, 1, 2]}])
        assert kept == {"items": [1, 2, 3]}  # the writer converges to what the server kept
        seen = await other.state_update("items")
        while seen != [1, 2, 3]:  # the echo [3, 1, 2] first, then the sorted list
            seen = await other.state_update("items")
        assert server.state.items == [1, 2, 3]
