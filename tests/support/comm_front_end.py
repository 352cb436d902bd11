"""A front end of a kernel's comms, driven over the kernel's ZMQ channels with ``jupyter_client`` the way
JupyterLab drives them (``comm_open`` / ``comm_msg`` on the shell channel, wslink frames as message
buffers): a wslink client over one comm, and file fetches over one comm."""

from __future__ import annotations

import itertools
import json
import queue
import struct
import textwrap
import time
import uuid
from typing import Any

import msgpack

from trame_jupyter.core.contract import COMM_MESSAGE, COMM_OPEN_BATCHES, COMM_TARGET, MIME_TYPE

from .jupyter_harness import Kernel
from .wslink_client import WslinkError, frames_of

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


class FrontEnd:
    """What JupyterLab does with a kernel's comms, over the kernel's ZMQ channels.

    One reader of IOPub: comm messages are kept by comm id, so running a cell meanwhile loses none.
    """

    def __init__(self, kernel: Kernel) -> None:
        self.kernel = kernel
        self.client = kernel.client
        self.session = kernel.client.session
        self.inbox: dict[str, queue.SimpleQueue[dict[str, Any]]] = {}
        self.closed: dict[str, dict[str, Any]] = {}
        self.idle: set[str] = set()  # requests the kernel finished handling
        self.outputs: list[dict[str, Any]] = []  # every stream and error message (whatever their parent)

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
        elif kind in ("stream", "error"):
            self.outputs.append(message)

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
            if time.monotonic() > deadline:
                raise AssertionError(f"nothing on comm {comm_id} in {timeout}s; {self.kernel_log()}")
            self.pump(0.05)

    def kernel_log(self) -> str:
        """The end of the Jupyter server's log, where the kernel's own output goes (a failure's context)."""
        return "the Jupyter server's log ends with:\n" + self.kernel.server.log()[-3000:]

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

    def settle(self, seconds: float) -> None:
        """Read IOPub for ``seconds`` (output a kernel prints is flushed on a timer, after what it sends)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.pump(0.05)

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

    def hello(self, secret: Any = None, timeout: float = 10) -> dict[str, Any]:
        answer = self.answer(self.request("wslink.hello", [{"secret": secret}], "system:c0:0"), timeout)
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


def assert_server_unaffected(front_end: FrontEnd, server_id: str) -> None:
    client = CommClient(front_end, server_id)
    client.hello()
    assert client.call("trame.trigger", "double", [8]) == 16
    front_end.close(client.comm_id)
    assert front_end.value("server.running") is True
