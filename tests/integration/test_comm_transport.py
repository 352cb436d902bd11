"""The kernel-comm transport with real parts: a kernel started by a real Jupyter server, driven over its
ZMQ channels with ``jupyter_client`` the way a front end drives it (``comm_open`` / ``comm_msg`` on the
shell channel, wslink frames as message buffers), next to a websocket client of the same server."""

from __future__ import annotations

import itertools
import json
import queue
import re
import struct
import textwrap
import time
import uuid
from typing import Any

import msgpack
import pytest
from jupyter_harness import JupyterServer, Kernel, proxied_client, start_jupyter, stop_jupyter
from wslink_client import WslinkError, frames_of

from trame_jupyter.core.contract import COMM_CLOSE_NOT_FOUND, COMM_MESSAGE, COMM_OPEN_BATCHES, COMM_TARGET, MIME_TYPE

pytestmark = pytest.mark.jupyter

MAX_MSG = 200_000  # the servers' ws_max_msg_size: small, so oversized frames are cheap to send
FRAME = {"type": COMM_MESSAGE["FRAME"]}
_HEADER = struct.Struct("<III")

APP = textwrap.dedent(
    """
    from trame_jupyter import get_server
    from trame_jupyter.ui import DivLayout
    from trame_jupyter.widgets import html

    server = get_server({name!r}, ws_max_msg_size={max_msg})

    @server.state.change("resolution")
    def on_resolution(resolution, **_):
        server.state.label = f"resolution {{resolution}}"

    @server.trigger("double")
    def double(x):
        return 2 * x

    with DivLayout(server):
        html.Input(type="range", min=3, max=60, v_model=("resolution", 6))
        html.Div("{{{{ label }}}}")
    display(server)
    """
)


@pytest.fixture(scope="module")
def jupyter(tmp_path_factory: pytest.TempPathFactory) -> JupyterServer:
    server = start_jupyter(tmp_path_factory.mktemp("jupyter"))
    yield server
    stop_jupyter(server)


@pytest.fixture(scope="module")
def kernel(jupyter: JupyterServer) -> Kernel:
    started = jupyter.start_kernel()
    yield started
    started.shutdown()


@pytest.fixture(scope="module")
def front_end(kernel: Kernel) -> FrontEnd:
    return FrontEnd(kernel)


@pytest.fixture(scope="module")
def app(front_end: FrontEnd) -> dict[str, Any]:
    """The bundle of a server displayed in the kernel (``server`` in the kernel's namespace)."""
    return front_end.show("comm")


class FrontEnd:
    """What JupyterLab does with a kernel's comms, over the kernel's ZMQ channels.

    One reader of IOPub: comm messages are kept by comm id, so running a cell meanwhile loses none.
    """

    def __init__(self, kernel: Kernel) -> None:
        self.client = kernel.client
        self.session = kernel.client.session
        self.inbox: dict[str, queue.SimpleQueue[dict[str, Any]]] = {}
        self.closed: dict[str, dict[str, Any]] = {}
        self.idle: set[str] = set()  # requests the kernel finished handling

    def send(
        self, msg_type: str, content: dict[str, Any], buffers: list[bytes] | None = None, subshell: str | None = None
    ) -> None:
        message = self.session.msg(msg_type, content)
        if subshell is not None:
            message["header"]["subshell_id"] = subshell
        self.session.send(self.client.shell_channel.socket, message, buffers=buffers)

    def open(self, data: dict[str, Any], target: str = COMM_TARGET, subshell: str | None = None) -> str:
        comm_id = uuid.uuid4().hex
        self.inbox[comm_id] = queue.SimpleQueue()
        self.send("comm_open", {"comm_id": comm_id, "target_name": target, "data": data}, subshell=subshell)
        return comm_id

    def create_subshell(self) -> str:
        """A kernel subshell (ipykernel 7): its messages are handled on a thread of their own."""
        request = self.session.msg("create_subshell_request", {})
        self.session.send(self.client.control_channel.socket, request)
        while True:
            reply = self.client.get_control_msg(timeout=10)
            if reply["parent_header"].get("msg_id") == request["header"]["msg_id"]:
                return reply["content"]["subshell_id"]

    def message(self, comm_id: str, data: dict[str, Any], buffers: list[bytes] | None = None) -> None:
        self.send("comm_msg", {"comm_id": comm_id, "data": data}, buffers)

    def close(self, comm_id: str) -> None:
        self.send("comm_close", {"comm_id": comm_id, "data": {}})

    def _route(self, message: dict[str, Any]) -> None:
        kind, content = message["msg_type"], message["content"]
        if kind == "comm_msg" and content["comm_id"] in self.inbox:
            self.inbox[content["comm_id"]].put(message)
        elif kind == "comm_close":
            self.closed[content["comm_id"]] = content.get("data") or {}
        elif kind == "status" and content["execution_state"] == "idle":
            self.idle.add(message["parent_header"].get("msg_id"))

    def pump(self, timeout: float) -> dict[str, Any] | None:
        try:
            message = self.client.get_iopub_msg(timeout=timeout)
        except queue.Empty:
            return None
        self._route(message)
        return message

    def next_message(self, comm_id: str, timeout: float = 10) -> dict[str, Any] | None:
        """The next comm message on ``comm_id``, or None once the kernel closed it."""
        deadline = time.monotonic() + timeout
        while True:
            inbox = self.inbox[comm_id]
            if not inbox.empty():
                return inbox.get()
            if comm_id in self.closed:
                return None
            assert time.monotonic() < deadline, f"nothing on comm {comm_id} in {timeout}s"
            self.pump(0.05)

    def drain(self, comm_id: str, quiet: float) -> list[dict[str, Any]]:
        """Every comm message on ``comm_id`` until none came for ``quiet`` seconds or the kernel closed it."""
        messages = []
        last = time.monotonic()
        while comm_id not in self.closed and time.monotonic() - last < quiet:
            inbox = self.inbox[comm_id]
            if inbox.empty():
                self.pump(0.05)
                continue
            messages.append(inbox.get())
            last = time.monotonic()
        while not self.inbox[comm_id].empty():
            messages.append(self.inbox[comm_id].get())
        return messages

    def wait_closed(self, comm_id: str, timeout: float = 10) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while comm_id not in self.closed:
            assert time.monotonic() < deadline, f"comm {comm_id} was not closed in {timeout}s"
            self.pump(0.05)
        return self.closed[comm_id]

    def wait_idle(self, msg_id: str, timeout: float = 30) -> None:
        """Wait until the kernel finished handling request ``msg_id`` (whose outputs are not kept)."""
        deadline = time.monotonic() + timeout
        while msg_id not in self.idle:
            assert time.monotonic() < deadline, f"request {msg_id} not finished in {timeout}s"
            self.pump(0.05)

    def execute(self, code: str, timeout: float = 60) -> str:
        """Run a cell, returning its stdout (its comm messages are kept for their comms)."""
        msg_id = self.client.execute(code, store_history=True)
        stdout, error = "", None
        deadline = time.monotonic() + timeout
        while True:
            assert time.monotonic() < deadline, f"cell did not finish: {code}"
            message = self.pump(0.1)
            if message is None or message["parent_header"].get("msg_id") != msg_id:
                continue
            kind, content = message["msg_type"], message["content"]
            if kind == "stream" and content["name"] == "stdout":
                stdout += content["text"]
            elif kind == "error":
                error = content
            elif kind == "display_data" and MIME_TYPE in content["data"]:
                self.bundle = content["data"][MIME_TYPE]
            elif kind == "status" and content["execution_state"] == "idle":
                assert error is None, f"cell failed: {error['ename']}: {error['evalue']}\n{code}"
                return stdout

    def value(self, expression: str) -> Any:
        out = self.execute(f"import json as _json; print(_json.dumps({expression}))")
        return json.loads(out.strip().splitlines()[-1])

    def show(self, name: str) -> dict[str, Any]:
        self.execute(APP.format(name=name, max_msg=MAX_MSG))
        return self.bundle


class CommClient:
    """A wslink client whose frames travel as buffers of one comm (what the page + renderer will do)."""

    def __init__(self, front_end: FrontEnd, server_id: str, subshell: str | None = None, batches: bool = False) -> None:
        self.front_end = front_end
        opened = {"server_id": server_id, **({COMM_OPEN_BATCHES: True} if batches else {})}
        self.comm_id = front_end.open(opened, subshell=subshell)
        self.client_id: str | None = None
        self.publishes: list[tuple[str, Any]] = []
        self.raw: list[dict[str, Any]] = []  # every comm message received, as it came
        self.fetch_replies: dict[Any, tuple[dict[str, Any], list[bytes]]] = {}  # fetches sharing the comm
        self._parts: dict[int, dict[int, bytes]] = {}
        self._answers: dict[str, dict[str, Any]] = {}
        self._counter = itertools.count()

    def send_frames(self, frames: list[bytes]) -> None:
        for frame in frames:
            self.front_end.message(self.comm_id, FRAME, [frame])

    def request(self, method: str, args: list, rpc_id: str | None = None) -> str:
        rpc_id = rpc_id or f"rpc:{self.client_id or 'c0'}:{next(self._counter)}"
        self.send_frames(frames_of({"wslink": "1.0", "id": rpc_id, "method": method, "args": args, "kwargs": {}}))
        return rpc_id

    def answer(self, rpc_id: str, timeout: float = 10) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while rpc_id not in self._answers:
            message = self.front_end.next_message(self.comm_id, max(deadline - time.monotonic(), 0.01))
            assert message is not None, f"comm closed before answering {rpc_id}: {self.closed}"
            self._take(message)
        return self._answers.pop(rpc_id)

    def call(self, method: str, *args: Any) -> Any:
        answer = self.answer(self.request(method, list(args)))
        if "error" in answer:
            raise WslinkError(answer["error"])
        return answer.get("result")

    def hello(self, secret: Any = None) -> dict[str, Any]:
        answer = self.answer(self.request("wslink.hello", [{"secret": secret}], "system:c0:0"))
        if "error" in answer:
            raise WslinkError(answer["error"])
        self.client_id = answer["result"]["clientID"]
        return answer["result"]

    def state_update(self, key: str, timeout: float = 10, value: Any = None) -> Any:
        """The value of ``key`` in the next state publish that has it (that has ``value``, if given)."""
        deadline = time.monotonic() + timeout
        while True:
            while self.publishes:
                topic, data = self.publishes.pop(0)
                if topic == "trame.state.topic" and key in data and value in (None, data[key]):
                    return data[key]
            message = self.front_end.next_message(self.comm_id, max(deadline - time.monotonic(), 0.01))
            assert message is not None, f"comm closed while waiting for {key}: {self.closed}"
            self._take(message)

    @property
    def closed(self) -> dict[str, Any] | None:
        return self.front_end.closed.get(self.comm_id)

    def _take(self, message: dict[str, Any]) -> None:
        data = message["content"]["data"]
        if data.get("type") == COMM_MESSAGE["FETCH_REPLY"]:
            self.fetch_replies[data["id"]] = (data, [bytes(b) for b in message.get("buffers") or []])
            return
        self.raw.append(message)
        assert message["content"]["data"] == FRAME
        for frame in message["buffers"]:
            self._take_frame(bytes(frame))

    def _take_frame(self, frame: bytes) -> None:
        message_id, offset, total = _HEADER.unpack_from(frame)
        parts = self._parts.setdefault(message_id, {})
        parts[offset] = frame[_HEADER.size :]
        if sum(len(part) for part in parts.values()) < total:
            return
        del self._parts[message_id]
        decoded = msgpack.unpackb(b"".join(parts[k] for k in sorted(parts)), raw=False)
        rpc_id = decoded.get("id", "")
        if rpc_id.startswith("publish:"):
            self.publishes.append((rpc_id.split(":")[1], decoded["result"]))
        else:
            self._answers[rpc_id] = decoded


# -- the happy path ---------------------------------------------------------------------------------


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


async def test_a_websocket_client_and_a_comm_client_of_one_server(jupyter, front_end, app):
    websocket = await proxied_client(jupyter, app["server_id"])
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


def assert_server_unaffected(front_end: FrontEnd, server_id: str) -> None:
    client = CommClient(front_end, server_id)
    client.hello()
    assert client.call("trame.trigger", "double", [8]) == 16
    front_end.close(client.comm_id)
    assert front_end.value("server.running") is True


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


async def test_oversized_frames_are_refused_as_on_the_websocket(jupyter, front_end, app):
    # One frame above the frame limit: 1009 on both transports.
    client = CommClient(front_end, app["server_id"])
    client.hello()
    client.send_frames(frames_of({"wslink": "1.0", "id": "rpc:x:1", "method": "m", "args": ["x" * 300_000]}))
    closed = front_end.wait_closed(client.comm_id)
    assert closed["code"] == 1009 and "exceeds" in closed["reason"]
    websocket = await proxied_client(jupyter, app["server_id"])
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
    websocket = await proxied_client(jupyter, app["server_id"])
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


def test_a_flood_while_the_server_is_busy_is_refused_and_bounded(front_end, app):
    """Comm messages of a subshell are handled on its own thread, even while a cell blocks the server's loop:
    then frames can only wait, and past the bound the comm is refused (memory stays bounded)."""
    subshell = front_end.create_subshell()
    client = CommClient(front_end, app["server_id"], subshell=subshell)
    client.hello()  # the handler runs on the subshell's thread, the server on the main loop
    assert client.call("trame.trigger", "double", [10]) == 20
    front_end.execute(channel_of(client))
    # A cell that blocks the main loop (so the server) until the frames fill the bound, and a bit more.
    busy = front_end.client.execute(
        "import time\n_t = time.monotonic()\n"
        "while _channel.high_water < _channel.max_waiting_frames and time.monotonic() - _t < 30:\n"
        "    time.sleep(0.01)\n"
        "time.sleep(0.5)"
    )
    frame = frames_of({"wslink": "1.0", "id": "rpc:f:0", "method": "trame.trigger", "args": ["double", [1]]})[0]
    for _ in range(3000):
        front_end.message(client.comm_id, FRAME, [frame])
    closed = front_end.wait_closed(client.comm_id, timeout=30)
    assert closed["code"] == 1013 and "too many messages waiting" in closed["reason"]
    front_end.wait_idle(busy)
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


# -- fetching the server's files over the comm (no HTTP port) -------------------------------------------

FETCH_APP = textwrap.dedent(
    """
    import os, pathlib, tempfile
    from trame_jupyter.server.transports import fetch as _fetch

    _root = pathlib.Path(tempfile.mkdtemp())
    _assets = _root / "assets"
    (_assets / "sub").mkdir(parents=True)
    (_assets / "hello.js").write_text("console.log('hello')")
    (_assets / "with space.css").write_text("a { color: red }")
    (_root / "secret.txt").write_text("top secret")
    os.symlink(_root / "secret.txt", _assets / "out.txt")  # a symlink leading out of the served directory
    with open(_assets / "huge.bin", "wb") as _file:
        _file.truncate(_fetch.MAX_FETCH_SIZE + 1)  # sparse: costs no disk
    (_assets / "big.bin").write_bytes(bytes(range(256)) * 16384)  # 4 MiB

    fetching = get_server("fetching")
    fetching.enable_module({"serve": {"__fx": str(_assets)}})

    @fetching.trigger("double")
    def _double(x):
        return 2 * x

    from trame.widgets import vuetify3  # a widget package: its module serves its scripts

    with DivLayout(fetching):
        html.Div("fetch me")
        vuetify3.VBtn("go")
    display(fetching)
    """
)
FETCH = COMM_MESSAGE["FETCH"]


class Fetcher:
    """Fetches over one comm, as the renderer does to load a page (replies are matched by id)."""

    def __init__(self, front_end: FrontEnd, server_id: str, client: CommClient | None = None) -> None:
        self.front_end = front_end
        self.comm_id = client.comm_id if client else front_end.open({"server_id": server_id})
        # Sharing a wslink client's comm: that client keeps the replies it reads for us.
        self.replies: dict[Any, tuple[dict[str, Any], list[bytes]]] = client.fetch_replies if client else {}
        self._ids = itertools.count(1)

    def request(self, path: Any, request_id: Any = None) -> Any:
        request_id = next(self._ids) if request_id is None else request_id
        self.front_end.message(self.comm_id, {"type": FETCH, "id": request_id, "path": path})
        return request_id

    def reply(self, request_id: Any, timeout: float = 20) -> tuple[dict[str, Any], list[bytes]]:
        deadline = time.monotonic() + timeout
        while request_id not in self.replies:
            message = self.front_end.next_message(self.comm_id, max(deadline - time.monotonic(), 0.01))
            assert message is not None, f"comm closed before fetch {request_id} was answered"
            data = message["content"]["data"]
            assert data["type"] == COMM_MESSAGE["FETCH_REPLY"], data
            self.replies[data["id"]] = (data, [bytes(b) for b in message.get("buffers") or []])
        return self.replies.pop(request_id)

    def get(self, path: Any) -> tuple[int, str, bytes | None]:
        data, buffers = self.reply(self.request(path))
        assert len(buffers) == (1 if data["status"] == 200 else 0)
        return data["status"], data["mime"], buffers[0] if buffers else None


@pytest.fixture(scope="module")
def fetching(front_end: FrontEnd, app: dict[str, Any]) -> dict[str, Any]:
    front_end.execute(FETCH_APP)
    return front_end.bundle


def test_fetch_the_page_and_its_scripts_over_the_comm(front_end, fetching):
    fetcher = Fetcher(front_end, fetching["server_id"])
    status, mime, page = fetcher.get("index.html")
    assert status == 200 and mime.startswith("text/html")
    scripts = re.findall(r'(?:src|href)="\.?/?(trame-jupyter-client/[^"]+)"', page.decode())
    assert scripts, page[:500]
    for path in scripts:
        status, mime, body = fetcher.get(path)
        assert status == 200 and body, path
        assert mime.split(";")[0] in ("text/javascript", "application/javascript", "text/css"), (path, mime)
    # What the page gets over HTTP, byte for byte.
    assert page == front_end.value("pathlib.Path(fetching.static_files.resolve('index.html')).read_text()").encode()
    front_end.close(fetcher.comm_id)


def test_fetch_a_modules_served_files(front_end, fetching):
    fetcher = Fetcher(front_end, fetching["server_id"])
    assert fetcher.get("__fx/hello.js")[::2] == (200, b"console.log('hello')")
    assert fetcher.get("__fx/hello.js?v=2#x")[::2] == (200, b"console.log('hello')")  # query ignored, as on HTTP
    status, mime, body = fetcher.get("__fx/with%20space.css")
    assert (status, mime.split(";")[0], body) == (200, "text/css", b"a { color: red }")
    status, mime, body = fetcher.get("__fx/big.bin")  # 4 MiB: read on a thread, one buffer
    assert status == 200 and body == bytes(range(256)) * 16384
    # A widget package's assets, as the page asks for them (trame-vuetify's scripts and styles).
    assets = front_end.value("fetching.state.trame__scripts + fetching.state.trame__styles")
    assert any("vuetify3.js" in path for path in assets), assets
    for path in assets:
        status, _, body = fetcher.get(path)
        assert status == 200 and body, path
    front_end.close(fetcher.comm_id)


@pytest.mark.parametrize(
    ("path", "statuses"),
    [
        ("__fx/nope.js", {404}),
        ("nope.html", {404}),
        ("__nothing_served_here/x.js", {404}),
        ("__fx/../secret.txt", {403, 404}),
        ("__fx/%2e%2e/secret.txt", {403, 404}),
        ("__fx/%2E%2E%2Fsecret.txt", {403, 404}),
        ("%2e%2e/%2e%2e/%2e%2e/etc/passwd", {403, 404}),
        ("../../../../etc/passwd", {403, 404}),
        ("/etc/passwd", {403, 404}),
        ("__fx//etc/passwd", {403, 404}),
        ("__fx/%2Fetc%2Fpasswd", {403, 404}),
        ("__fx/out.txt", {403, 404}),
        ("__fx/sub", {403}),
        ("__fx/", {403}),
        ("__fx/hello.js%00.png", {403, 404}),
    ],
)
def test_fetch_refuses_what_is_not_served(front_end, fetching, path, statuses):
    fetcher = Fetcher(front_end, fetching["server_id"])
    status, _, body = fetcher.get(path)
    assert status in statuses and body is None, (path, status)
    assert fetcher.get("__fx/hello.js")[0] == 200  # the comm is still open and answering
    front_end.close(fetcher.comm_id)


def test_fetch_refuses_oversized_files_and_bad_requests(front_end, fetching):
    fetcher = Fetcher(front_end, fetching["server_id"])
    data, buffers = fetcher.reply(fetcher.request("__fx/huge.bin"))
    assert (data["status"], buffers) == (413, []) and "limit" in data["reason"]
    for bad in (None, 12, ""):
        data, buffers = fetcher.reply(fetcher.request(bad))
        assert data["status"] == 400 and buffers == []
    fetcher.front_end.message(fetcher.comm_id, {"type": FETCH, "id": "one", "path": "index.html"})
    data, _ = fetcher.reply(None)
    assert data["status"] == 400 and "integer id" in data["reason"]
    assert fetcher.get("__fx/hello.js")[0] == 200
    assert_server_unaffected(front_end, fetching["server_id"])
    front_end.close(fetcher.comm_id)


def test_fetches_and_frames_share_a_comm(front_end, fetching):
    before = front_end.value("fetching.protocol.endpoint.client_count")
    client = CommClient(front_end, fetching["server_id"])
    fetcher = Fetcher(front_end, fetching["server_id"], client)
    assert fetcher.get("index.html")[0] == 200
    time.sleep(0.2)
    assert front_end.value("fetching.protocol.endpoint.client_count") == before  # only fetching: no client
    # Fetch replies interleave with frames on the comm: let the client skip them.
    client.hello()
    assert client.call("trame.trigger", "double", [21]) == 42
    assert front_end.value("fetching.protocol.endpoint.client_count") == before + 1
    request_id = fetcher.request("__fx/hello.js")
    assert client.call("trame.trigger", "double", [1]) == 2
    data, buffers = fetcher.reply(request_id)
    assert data["status"] == 200 and buffers == [b"console.log('hello')"]
    front_end.close(client.comm_id)


def test_a_burst_of_fetches_is_answered_or_refused_busy(front_end, fetching):
    fetcher = Fetcher(front_end, fetching["server_id"])
    ids = [fetcher.request("__fx/big.bin") for _ in range(150)]
    statuses = [fetcher.reply(i, timeout=60)[0]["status"] for i in ids]
    assert set(statuses) <= {200, 503} and statuses.count(200) >= 64, statuses
    assert fetcher.get("__fx/hello.js")[0] == 200  # and then served again
    assert_server_unaffected(front_end, fetching["server_id"])
    front_end.close(fetcher.comm_id)


def test_stop_closes_a_comm_that_only_fetched(front_end, fetching):
    fetcher = Fetcher(front_end, fetching["server_id"])
    assert fetcher.get("__fx/hello.js")[0] == 200
    front_end.execute("await fetching.stop()")
    assert front_end.wait_closed(fetcher.comm_id)["code"] == 1001
    comm_id = front_end.open({"server_id": fetching["server_id"]})
    assert front_end.wait_closed(comm_id)["code"] == COMM_CLOSE_NOT_FOUND


def test_diagnose_says_which_transport_views_use_and_why(front_end, app):
    client = CommClient(front_end, app["server_id"])
    client.hello()
    out = front_end.execute("import trame_jupyter\ntrame_jupyter.diagnose()")
    block = out[out.index("Server 'comm'") :]
    assert "the proxy when it reaches this server, else the kernel comm" in block
    assert "sees this server: default views use the proxy" in block  # this kernel's Jupyter server sees it
    assert "connected now: 1 over the kernel comm" in block
    front_end.close(client.comm_id)
