"""The 3D views' bad input and limits, with a real server and real wslink clients: frames to a client
that stops reading are replaced by the newest (memory stays bounded, other clients keep theirs); a drag
at 1 000 events/s is coalesced; absurd coordinates are refused or clamped; a kernel without OpenGL
answers the views' rendering calls with the reason instead of crashing."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.aio import client_of, running, wait_until
from support.browser_helpers import wait_status
from support.scene3d import REMOTE_REF, cone_app, drawn_fraction, noise_app, wait_drawn
from support.wslink_client import WslinkError, WslinkTestClient

from trame_jupyter import Server
from trame_jupyter.core.rpc import EXCEPTION_ERROR, INVALID_PARAMS
from trame_jupyter.server.vtkweb import IMAGE_TOPIC, MOUSE_RPC

HERE = Path(__file__).parent


def mouse(view_id: str, action: str, x: float, y: float) -> dict[str, object]:
    """A ``viewport.mouse.interaction`` event as vtk.js's remote view sends it (x, y in view units)."""
    event = dict.fromkeys(("buttonMiddle", "buttonRight", "shiftKey", "ctrlKey", "altKey", "metaKey"), 0)
    return {**event, "view": view_id, "action": action, "x": x, "y": y, "buttonLeft": 1}


async def watch(server: Server, client: WslinkTestClient) -> str:
    """Subscribe ``client`` to the remote view's frames, as the view does when it mounts; its view id."""
    view_id = server.state[f"{REMOTE_REF}Id"]
    await client.call("viewport.image.push.observer.add", view_id)
    return view_id


def connection_of(server: Server, client: WslinkTestClient):
    """The server's side of ``client`` (wslink prefixes the id it hands out with "c")."""
    return server.protocol.endpoint.connections[client.client_id.removeprefix("c")]


def drain(client: WslinkTestClient, topic: str) -> int:
    queue = client.topic(topic)
    count = 0
    while not queue.empty():
        queue.get_nowait()
        count += 1
    return count


async def test_a_client_that_stops_reading_gets_the_newest_frame_not_a_backlog():
    server = Server("vtk-slow")
    noise, view = noise_app(server)  # frames of ~300 kB: the frozen client's socket fills after a few
    async with running(server), client_of(server) as frozen, client_of(server) as reader:
        await watch(server, frozen)
        await watch(server, reader)
        await reader.next_publish(IMAGE_TOPIC, timeout=10)
        frozen.stop_reading()
        slow = connection_of(server, frozen)
        largest_backlog = 0
        for _ in range(250):  # 30 MB of frames: the first ~80 fill the socket buffers
            noise.shuffle()
            view.update()
            largest_backlog = max(largest_backlog, slow.backlog)
            await asyncio.sleep(0.002)  # the writers run, the encoder threads finish
        await wait_until(lambda: slow.replaced > 50, what="frames replaced for the frozen client")
        assert not slow.too_slow and not slow.closed  # frames were dropped, never the client
        # What waits for it is at most one frame (the newest) besides the one being written.
        assert largest_backlog < 1024 * 1024, f"the frozen client's backlog reached {largest_backlog} bytes"
        assert drain(reader, IMAGE_TOPIC) > 50  # the other client got its frames all along


async def test_a_drag_of_a_thousand_moves_is_coalesced_and_bad_coordinates_are_refused():
    server = Server("vtk-mouse")
    cone_app(server, local=False)
    async with running(server), client_of(server) as client:
        view_id = await watch(server, client)
        await client.call(MOUSE_RPC, mouse(view_id, "down", 0.5, 0.5))
        moves = [client.call(MOUSE_RPC, mouse(view_id, "move", 0.5 + i / 2000, 0.5)) for i in range(1000)]
        answers = await asyncio.gather(*moves)
        await client.call(MOUSE_RPC, mouse(view_id, "up", 1.0, 0.5))
        coalesced = connection_of(server, client).coalesced
        assert answers.count(None) == coalesced > 500  # answered unhandled: a newer move took their place
        assert 0 < len(answers) - coalesced < 500  # handled moves: one per render the kernel could make
        frames = drain(client, IMAGE_TOPIC)
        assert 0 < frames < 500

        for bad in (float("nan"), float("inf"), "left", None):
            with pytest.raises(WslinkError) as refused:
                await client.call(MOUSE_RPC, mouse(view_id, "move", bad, 0.5))
            assert refused.value.code == INVALID_PARAMS and "finite number" in refused.value.message
        with pytest.raises(WslinkError) as refused:
            await client.call(MOUSE_RPC, "not an event")
        assert refused.value.code == INVALID_PARAMS
        # Far outside the view: clamped, handled like a drag that left it.
        await client.call(MOUSE_RPC, mouse(view_id, "down", 1e300, -1e300))
        await client.call(MOUSE_RPC, mouse(view_id, "up", 1e300, -1e300))
        assert await client.call("trame.state.get") is not None  # the server is fine


# A server with a remote view in a process where OpenGL cannot load: the libraries VTK would open are
# shadowed by files that are not libraries (a machine without Mesa or a display behaves the same).
NO_GL_APP = """
import asyncio, sys
sys.path.insert(0, {tests!r})
from support.scene3d import cone_app
from trame_jupyter import Server

async def main():
    server = Server("no-gl")
    cone_app(server)
    server.state.ping = 0
    server.start(exec_mode="task", port=0)
    await server.ready
    print(server.port, server.secret, server.url, flush=True)
    await asyncio.Event().wait()

asyncio.run(main())
"""
GL_LIBRARIES = (
    "libEGL.so",
    "libEGL.so.1",
    "libGL.so.1",
    "libGLX.so.0",
    "libOSMesa.so",
    "libOSMesa.so.6",
    "libOSMesa.so.8",
)


@contextlib.contextmanager
def server_without_opengl(tmp_path: Path) -> Iterator[list[str]]:
    """The app in a child process that cannot load OpenGL; yields its ``[port, secret, url]``."""
    for name in GL_LIBRARIES:
        (tmp_path / name).write_text("not a library\n")
    environment = {**os.environ, "LD_LIBRARY_PATH": str(tmp_path)}
    environment.pop("DISPLAY", None)
    log = tmp_path / "server.log"
    with (
        log.open("w") as stderr,
        subprocess.Popen(
            [sys.executable, "-c", NO_GL_APP.format(tests=str(HERE.parent))],
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            env=environment,
        ) as process,
    ):
        try:
            line = process.stdout.readline()
            assert line, f"the server did not start:\n{log.read_text()[-2000:]}"
            yield line.split()
            assert process.poll() is None, log.read_text()[-2000:]  # it lives on
        finally:
            process.kill()


async def test_without_opengl_rendering_calls_answer_the_reason_and_the_app_works(tmp_path):
    with server_without_opengl(tmp_path) as (port, secret, _):
        client = WslinkTestClient()
        try:
            await client.connect(f"ws://127.0.0.1:{port}/ws", secret)
            with pytest.raises(WslinkError) as refused:
                await client.call("viewport.image.push.observer.add", "1")
            assert refused.value.code == EXCEPTION_ERROR
            assert "no OpenGL" in refused.value.message and "libosmesa6" in refused.value.message
            with pytest.raises(WslinkError):
                await client.call(MOUSE_RPC, mouse("1", "down", 0.5, 0.5))
            # The rest of the app works: state both ways, and the local view's geometry (no rendering).
            await client.call("trame.state.update", [{"key": "resolution", "value": 12}])
            assert (await client.call("trame.state.get"))["state"]["resolution"] == 12
        finally:
            await client.close()


@pytest.mark.browser
def test_without_opengl_the_page_says_why_the_remote_view_is_empty(tmp_path, page):
    with server_without_opengl(tmp_path) as (_, _, url):
        page.goto(url)
        wait_status(page, "live")
        problems = page.locator("#trame-jupyter-problems")
        problems.filter(has_text="no OpenGL").wait_for(timeout=20_000)
        assert "libosmesa6" in problems.inner_text()
        wait_drawn(page.locator("#local"))  # rendered by the browser: the local view is fine


async def test_snapshot_pictures_come_from_views_that_rendered():
    """A view's picture for the static snapshot is its render window's image, once it has one: a window
    nothing rendered yet (size 0) gets none, and capturing it is not attempted (VTK would print errors)."""
    from trame_jupyter.server.vtkweb import view_pictures

    server = Server("vtk-pictures")
    app = cone_app(server, local=False)
    app.cone.window.SetSize(0, 0)  # as a window is before its first render
    async with running(server):
        pictures = view_pictures(server.protocol.endpoint)
        view_id = server.state[f"{REMOTE_REF}Id"]
        attribute = {"viewid": view_id}.get
        assert pictures("vtk-remote-view", attribute) is None
        app.cone.window.SetSize(200, 150)
        app.cone.window.Render()
        url = pictures("vtk-remote-view", attribute)
        assert url.startswith("data:image/jpeg;base64,")
        assert drawn_fraction(base64.b64decode(url.split(",", 1)[1])) > 0.02
        assert pictures("div", attribute) is None and pictures("vtk-remote-view", {"viewid": "x"}.get) is None
