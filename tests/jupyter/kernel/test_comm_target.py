"""The kernel-comm transport with real parts: a kernel started by a real Jupyter server, driven over its
ZMQ channels the way a front end drives it (``support.comm_front_end``), next to a websocket client of the
same server: each comm one more client of the server it names, its frames checked as a websocket's."""

from __future__ import annotations

import pytest
from support.comm_front_end import FRAME, MAX_MSG, CommClient, assert_server_unaffected
from support.jupyter_harness import proxied_client
from support.wslink_client import WslinkError, frames_of

from trame_jupyter.core.contract import COMM_CLOSE_NOT_FOUND

pytestmark = pytest.mark.jupyter


def test_state_both_ways_trigger_and_binary_over_a_comm(front_end, app):
    client = CommClient(front_end, app["server_id"])
    hello = client.hello()  # no secret: a comm of this kernel's front end is trusted as the kernel
    assert hello["clientID"].startswith("c")
    assert hello["maxMsgSize"] == MAX_MSG
    initial = client.call("trame.state.get")
    assert initial["state"]["resolution"] == 6
    assert initial["state"]["label"] == "resolution 6"

    client.call("trame.state.update", [{"key": "resolution", "value": 42}])
    assert client.state_update("label") == "resolution 42"
    assert front_end.value("server.state.resolution") == 42
    assert client.call("trame.trigger", "double", [21]) == 42

    front_end.execute("server.state.blob = bytes(range(256)) * 4096")  # 1 MiB pushed from a cell
    assert client.state_update("blob") == bytes(range(256)) * 4096
    client.call("trame.state.update", [{"key": "upload", "value": b"\x00" * 150_000}])
    assert front_end.value("len(server.state.upload)") == 150_000

    # Frames travel as buffers: the JSON part of every message is only {type: frame}.
    assert client.raw and all(m["content"]["data"] == FRAME and len(m["buffers"]) == 1 for m in client.raw)
    assert max(len(m["buffers"][0]) for m in client.raw) > 1_000_000 // 8  # the 1 MiB went as chunk buffers

    front_end.close(client.comm_id)
    front_end.execute(
        "import asyncio\nwhile server.protocol.endpoint.client_count: await asyncio.sleep(0.02)", timeout=20
    )


def test_a_front_end_that_takes_batches_gets_a_burst_in_few_messages_in_order(front_end, app):
    """500 state updates in one go: a front end that opened with COMM_OPEN_BATCHES gets them as a few comm
    messages of many frames (one kernel message each for the Jupyter server and the browser to carry), the
    others one message per frame; both see every update, in order."""
    batching = CommClient(front_end, app["server_id"], batches=True)
    batching.hello()
    single = CommClient(front_end, app["server_id"])
    single.hello()
    for client in (batching, single):
        client.raw.clear()
    front_end.execute("for k in range(1, 501):\n    server.state.burst = k\n    server.state.flush()")
    for client in (batching, single):
        seen = [client.state_update("burst", value=k) for k in range(1, 501)]
        assert seen == list(range(1, 501))
    assert len(single.raw) >= 500 and all(len(m["buffers"]) == 1 for m in single.raw)
    assert len(batching.raw) <= 10, len(batching.raw)
    assert sum(len(m["buffers"]) for m in batching.raw) >= 500
    assert batching.call("trame.trigger", "double", [5]) == 10  # and it serves on, request by request
    front_end.close(batching.comm_id)
    front_end.close(single.comm_id)


def test_each_comm_is_its_own_client(front_end, app):
    first, second = CommClient(front_end, app["server_id"]), CommClient(front_end, app["server_id"])
    assert first.hello()["clientID"] != second.hello()["clientID"]
    assert front_end.value("server.protocol.endpoint.client_count") == 2
    first.call("trame.state.update", [{"key": "resolution", "value": 7}])
    assert second.state_update("resolution") == 7  # a collaborator's change reaches the other comm
    for client in (first, second):
        front_end.close(client.comm_id)


def test_a_secret_is_not_needed_but_the_hello_is(front_end, app):
    client = CommClient(front_end, app["server_id"])
    with pytest.raises(WslinkError) as error:
        client.call("trame.state.get")  # before wslink.hello: refused, as on the websocket
    assert error.value.code == -32000
    client.hello("not the secret")  # whatever it says: the comm vouches for it
    assert client.call("trame.trigger", "double", [2]) == 4
    front_end.close(client.comm_id)


async def test_a_websocket_client_and_a_comm_client_of_one_server(jupyter_root, front_end, app):
    websocket = await proxied_client(jupyter_root, app["server_id"])
    try:
        comm = CommClient(front_end, app["server_id"])
        comm.hello()
        comm.call("trame.state.update", [{"key": "resolution", "value": 11}])
        assert await websocket.state_update("label") == "resolution 11"
        await websocket.call("trame.state.update", [{"key": "resolution", "value": 12}])
        assert comm.state_update("label", value="resolution 12") == "resolution 12"
        # A broken comm does not disturb the websocket client.
        comm.send_frames([b"\x01\x02"])  # shorter than a chunk header
        assert front_end.wait_closed(comm.comm_id)["code"] == 1007
        assert await websocket.call("trame.trigger", "double", [5]) == 10
    finally:
        await websocket.close()


# -- bad input ----------------------------------------------------------------------------------------


def channel_of(client: CommClient) -> str:
    """A cell that names ``_channel`` the kernel side of ``client``'s comm."""
    return (
        "_channel = next(c.channel for c in server.protocol.endpoint.connections.values()"
        f" if c.channel.peer == 'comm {client.comm_id}')"
    )


def test_garbage_frame_closes_that_comm_only(front_end, app):
    bystander = CommClient(front_end, app["server_id"])
    bystander.hello()
    client = CommClient(front_end, app["server_id"])
    client.hello()
    client.send_frames([b"\x01\x02"])
    closed = front_end.wait_closed(client.comm_id)
    assert closed["code"] == 1007 and "frame" in closed["reason"]
    assert bystander.call("trame.trigger", "double", [3]) == 6
    front_end.close(bystander.comm_id)


@pytest.mark.parametrize(
    ("data", "buffers"),
    [({"type": "frame"}, []), ({"type": "frame"}, [b"a", b"b"]), ({"type": "other"}, [b"x"]), ({}, [b"x"])],
    ids=["no buffer", "two buffers", "unknown type", "no type"],
)
def test_a_message_that_is_not_one_frame_closes_the_comm(front_end, app, data, buffers):
    comm_id = front_end.open({"server_id": app["server_id"]})
    front_end.message(comm_id, data, buffers)
    closed = front_end.wait_closed(comm_id)
    assert closed["code"] == 1003 and "exactly one buffer" in closed["reason"]
    assert_server_unaffected(front_end, app["server_id"])


@pytest.mark.parametrize(
    ("open_data", "code", "words"),
    [
        ({"server_id": "nope-no-such-server"}, COMM_CLOSE_NOT_FOUND, "no server 'nope-no-such-server'"),
        ({"server_id": "../etc"}, 1007, "server_id"),
        ({}, 1007, "server_id"),
    ],
    ids=["unknown server", "not a server id", "no server id"],
)
def test_a_comm_to_no_server_is_closed_with_the_reason(front_end, app, open_data, code, words):
    comm_id = front_end.open(open_data)
    closed = front_end.wait_closed(comm_id)
    assert closed["code"] == code and words in closed["reason"]
    assert_server_unaffected(front_end, app["server_id"])


async def test_oversized_frames_are_refused_as_on_the_websocket(jupyter_root, front_end, app):
    # One frame above the frame limit: 1009 on both transports.
    client = CommClient(front_end, app["server_id"])
    client.hello()
    client.send_frames(frames_of({"wslink": "1.0", "id": "rpc:x:1", "method": "m", "args": ["x" * 300_000]}))
    closed = front_end.wait_closed(client.comm_id)
    assert closed["code"] == 1009 and "exceeds" in closed["reason"]
    websocket = await proxied_client(jupyter_root, app["server_id"])
    await websocket.send_raw(frames_of(["x" * 300_000])[0])
    assert await websocket.wait_closed() == 1009
    await websocket.close()

    # A message above ws_max_msg_size in frames that each fit: 1009 on both, from the reassembler.
    too_big = {"wslink": "1.0", "id": "rpc:x:2", "method": "m", "args": ["x" * 250_000]}
    client = CommClient(front_end, app["server_id"])
    client.hello()
    client.send_frames(frames_of(too_big, chunk_size=150_000))
    closed = front_end.wait_closed(client.comm_id)
    assert closed["code"] == 1009
    websocket = await proxied_client(jupyter_root, app["server_id"])
    for frame in frames_of(too_big, chunk_size=150_000):
        await websocket.send_raw(frame)
    assert await websocket.wait_closed() == 1009
    await websocket.close()
    assert_server_unaffected(front_end, app["server_id"])


def test_a_burst_of_ten_thousand_messages(front_end, app):
    """Either the server keeps up or the comm is refused with a clear reason; the frames waiting never pass
    the bound, and the server, this comm and the other clients carry on. (Not every answer need arrive:
    the kernel's IOPub is a ZMQ PUB socket, which drops messages past its high-water mark when a reader
    lags — Jupyter's delivery, the same for any comm.)"""
    bystander = CommClient(front_end, app["server_id"])
    bystander.hello()
    client = CommClient(front_end, app["server_id"])
    client.hello()
    front_end.execute(channel_of(client))
    frame = frames_of(
        {"wslink": "1.0", "id": "rpc:burst:0", "method": "trame.trigger", "args": ["double", [1]], "kwargs": {}}
    )[0]
    for _ in range(10_000):
        front_end.message(client.comm_id, FRAME, [frame])
    answered = 0
    for message in front_end.drain(client.comm_id, quiet=10):
        client._take(message)
        answered += len(client._answers)
        client._answers.clear()
    print(f"burst: {answered} answered, closed: {client.closed}")
    if client.closed is not None:
        assert client.closed["code"] == 1013 and "too many messages waiting" in client.closed["reason"]
    else:
        assert answered > 0
        assert client.call("trame.trigger", "double", [3]) == 6  # the comm serves on after the burst
    assert front_end.value("_channel.high_water") <= front_end.value("_channel.max_waiting_frames")
    assert bystander.call("trame.trigger", "double", [4]) == 8
    front_end.close(bystander.comm_id)
    if client.closed is None:
        front_end.close(client.comm_id)
    front_end.execute("pass")  # queued after what is left of the burst: the next test finds the kernel idle


def test_a_flood_while_the_server_is_busy_is_refused_and_bounded(front_end, app):
    """Comm messages of a subshell are handled on its own thread, even while a cell blocks the server's loop:
    then frames can only wait, and past the bound the comm is refused (memory stays bounded)."""
    subshell = front_end.create_subshell()
    client = CommClient(front_end, app["server_id"], subshell=subshell)
    client.hello(timeout=60)  # the handler runs on the subshell's thread, the server on the main loop
    assert client.call("trame.trigger", "double", [10]) == 20
    front_end.execute(channel_of(client))
    # A cell that blocks the main loop (so the server) until the frames fill the bound, and a bit more.
    busy = front_end.client.execute(
        "import time\n_t = time.monotonic()\n"
        "while _channel.high_water < _channel.max_waiting_frames and time.monotonic() - _t < 60:\n"
        "    time.sleep(0.01)\n"
        "time.sleep(0.5)"
    )
    frame = frames_of({"wslink": "1.0", "id": "rpc:f:0", "method": "trame.trigger", "args": ["double", [1]]})[0]
    for _ in range(3000):
        front_end.message(client.comm_id, FRAME, [frame])
    # Generous deadlines: a loaded machine handles the 3 000 messages slowly; a pass is as quick as ever.
    closed = front_end.wait_closed(client.comm_id, timeout=60)
    assert closed["code"] == 1013 and "too many messages waiting" in closed["reason"]
    front_end.wait_idle(busy, timeout=60)
    assert front_end.value("_channel.high_water") == front_end.value("_channel.max_waiting_frames")
    assert_server_unaffected(front_end, app["server_id"])


async def test_stop_closes_the_comm_going_away(front_end):
    bundle = front_end.show("stopping")
    client = CommClient(front_end, bundle["server_id"])
    client.hello()
    front_end.execute("await server.stop()")
    assert front_end.wait_closed(client.comm_id)["code"] == 1001
    comm_id = front_end.open({"server_id": bundle["server_id"]})  # a stopped server is no server
    assert front_end.wait_closed(comm_id)["code"] == COMM_CLOSE_NOT_FOUND
    front_end.execute("server = get_server('comm')")  # the module's app again, for later tests


def test_an_app_cell_run_four_times_leaves_one_server_and_comms_reach_it(front_end):
    """Each run of the app cell stops the server of the run before: one server runs, one port listens, a
    comm opened after a re-run talks to the newest server, and the comms of the replaced ones are closed."""
    clients, ports = [], []
    for run in range(4):
        bundle = front_end.show("rerun-comm")  # the same cell, run again
        front_end.execute(f"server.state.run = {run}")
        ports.append(front_end.value("server.port"))
        client = CommClient(front_end, bundle["server_id"])
        client.hello(timeout=30)
        assert client.call("trame.state.get")["state"]["run"] == run  # not an earlier run's server
        clients.append(client)
    front_end.execute(
        "import asyncio\nfrom trame_jupyter.server.registry import registry\n"
        "while [s for s in registry.servers() if s.name == 'rerun-comm' and s.running][1:]:\n"
        "    await asyncio.sleep(0.05)",
        timeout=30,
    )
    assert front_end.value("[s.port for s in registry.servers() if s.name == 'rerun-comm' and s.running]") == [
        ports[-1]
    ]
    refused = "__import__('socket').socket().connect_ex(('127.0.0.1', {})) != 0"
    assert all(front_end.value(refused.format(port)) for port in ports[:-1])  # no port left listening
    for earlier in clients[:-1]:
        assert front_end.wait_closed(earlier.comm_id)["code"] == 1001
    assert clients[-1].closed is None
    front_end.execute("server.stop()\nserver = get_server('comm')")  # the module's app again, for later tests


def test_comm_target_survives_asyncio_sleep(front_end, app):
    # Comm messages are handled while an async cell runs (ipykernel 7 dispatches them concurrently).
    client = CommClient(front_end, app["server_id"])
    msg_id = front_end.client.execute("import asyncio\nawait asyncio.sleep(2)")
    client.hello()
    assert client.call("trame.trigger", "double", [9]) == 18
    assert msg_id not in front_end.idle  # answered while the cell still runs
    front_end.wait_idle(msg_id)
    front_end.close(client.comm_id)


def test_display_with_transport_comm_tells_the_page(front_end, app):
    front_end.execute("from trame_jupyter import display as tj_display\ntj_display(server, transport='comm')")
    assert front_end.bundle["path"].endswith("&transport=comm")
    assert front_end.bundle["server_id"] == app["server_id"]
    front_end.execute("display(server.view(transport='comm', height=200))")
    assert front_end.bundle["path"].endswith("&transport=comm") and front_end.bundle["height"] == "200px"
    front_end.execute("tj_display(server, transport='proxy')")  # forced: the front end does not fall back
    assert front_end.bundle["path"].endswith("&transport=proxy")
    front_end.execute("display(server)")  # the default: the front end's choice (proxy, else comm)
    assert "transport" not in front_end.bundle["path"]
    refused = front_end.execute(
        "try:\n    server.view(transport='carrier-pigeon')\nexcept ValueError as error:\n    print(error)"
    )
    assert "transport must be one of 'proxy', 'comm'" in refused


def test_diagnose_says_which_transport_views_use_and_why(front_end, app):
    client = CommClient(front_end, app["server_id"])
    client.hello()
    out = front_end.execute("import trame_jupyter\ntrame_jupyter.diagnose()")
    block = out[out.index("Server 'comm'") :]
    assert "the proxy when it reaches this server, else the kernel comm" in block
    assert "sees this server: default views use the proxy" in block  # this kernel's Jupyter server sees it
    assert "connected now: 1 over the kernel comm" in block
    front_end.close(client.comm_id)
