"""The 3D views' bad input and limits, with a real server and real wslink clients: frames to a client
that stops reading are replaced by the newest (memory stays bounded, other clients keep theirs); a drag
at 1 000 events/s is coalesced, and so is a flood of presses, while another client's calls are answered;
absurd coordinates are refused or clamped; render sizes and ratios past the cap are refused; a kernel
without OpenGL answers the views' rendering calls with the reason instead of crashing."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support.aio import client_of, running, wait_until
from support.browser_helpers import wait_status
from support.memory import peak_memory, peak_memory_reset
from support.scene3d import REMOTE_REF, cone_app, drawn_fraction, noise_app, wait_drawn
from support.server_thread import ServerThread
from support.wslink_client import WslinkError, WslinkTestClient

from trame_jupyter import Server
from trame_jupyter.core.rpc import EXCEPTION_ERROR, INVALID_PARAMS
from trame_jupyter.server.vtkweb import IMAGE_TOPIC, MAX_PIXELS, MAX_SIDE, MOUSE_RPC, QUALITY_RPC, SIZE_RPC

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


async def flood_while_asking(
    thread: ServerThread, server: Server, view_id: str, flood: list[tuple[str, list]]
) -> tuple[float, float, list[Any], int]:
    """Send ``flood`` (method, args) at once from one client, and ask ``trame.state.get`` from another
    while it is handled. The server runs on its own thread, as in a kernel, so the flood reaches it as
    fast as a script can send it. Returns how long the other client waited, how long the flood took,
    the flood's answers (an exception for a call that got none) and how many were coalesced."""
    url = f"ws://127.0.0.1:{server.port}/ws"
    flooder, other = WslinkTestClient(), WslinkTestClient()
    try:
        await flooder.connect(url, server.secret)
        await other.connect(url, server.secret)
        await flooder.call("viewport.image.push.observer.add", view_id)
        started, cpu = time.perf_counter(), time.process_time()
        calls = [asyncio.ensure_future(flooder.call(method, *args)) for method, args in flood]
        await asyncio.sleep(0.05)  # the tasks have sent the flood
        asked = time.perf_counter()
        state = await other.call("trame.state.get")
        waited = time.perf_counter() - asked
        answers = await asyncio.gather(*calls, return_exceptions=True)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        coalesced = thread.run(lambda: connection_of(server, flooder).coalesced)
        print(f"state.get waited {waited:.3f} s; flood {elapsed:.2f} s, {cpu:.2f} s of CPU; {coalesced} coalesced")
        assert state["name"] == server.name
        assert (await other.call("trame.state.get"))["name"] == server.name
        return waited, elapsed, answers, coalesced
    finally:
        await flooder.close()
        await other.close()


def serve_cone(thread: ServerThread, name: str) -> tuple[Server, str]:
    server = Server(name)
    thread.run(lambda: cone_app(server, local=False))
    thread.start(server)
    return server, thread.run(lambda: server.state[f"{REMOTE_REF}Id"])


async def test_a_flood_of_presses_is_coalesced_and_another_client_is_answered_promptly(
    server_thread: ServerThread,
):
    """10 000 presses and releases sent at once (vtk.js sends a drag as presses too): each is answered,
    most unhandled (a newer one of its action took its place), and meanwhile another client's
    ``trame.state.get`` is answered at once. Before: one render per press, 85 s of CPU for the flood,
    and the other client waited past the test client's 10 s timeout."""
    server, view_id = serve_cone(server_thread, "vtk-press-flood")
    presses = [(MOUSE_RPC, [mouse(view_id, action, 0.5, 0.5)]) for action in ("down", "up") * 5000]
    waited, elapsed, answers, coalesced = await flood_while_asking(server_thread, server, view_id, presses)
    assert waited < 2, f"another client waited {waited:.1f} s for trame.state.get"
    errors = [a for a in answers if isinstance(a, BaseException)]
    assert not errors, f"{len(errors)} presses got no answer, e.g. {errors[0]!r}"
    assert answers.count(None) == coalesced > 9000  # answered unhandled: a newer one took their place
    assert elapsed < 10


async def test_a_flood_of_renders_does_not_hold_another_clients_calls(server_thread: ServerThread):
    """Calls that are not coalesced, each a render (``viewport.image.push``), sent at once by one
    client: another client's ``trame.state.get`` is answered within a few renders, not after the flood
    (a client's read loop hands over its turn every few milliseconds). Before: after the whole flood."""
    server, view_id = serve_cone(server_thread, "vtk-render-flood")
    pushes = [("viewport.image.push", [{"view": view_id}])] * 400
    waited, elapsed, answers, _ = await flood_while_asking(server_thread, server, view_id, pushes)
    assert not [a for a in answers if isinstance(a, BaseException)]
    assert waited < min(1.0, elapsed / 4), f"another client waited {waited:.2f} s of the flood's {elapsed:.2f} s"


async def test_render_sizes_past_the_cap_are_refused_and_memory_stays_bounded():
    """A view's size in the page (``original.size``) and its ratio (``quality``) are bounded, alone and
    together (for the image as rendered): 16384² asked for gigabytes and aborted the process, a ratio of
    40 too. Refused with −32602 naming the limit; the view renders at the last accepted size."""
    server = Server("vtk-sizes")
    cone_app(server, local=False)
    async with running(server), client_of(server) as client, client_of(server) as other:
        view_id = await watch(server, client)
        await client.next_publish(IMAGE_TOPIC, timeout=10)
        process = os.getpid()
        peak_memory_reset(process)
        before = peak_memory(process)
        past_the_cap = [
            (SIZE_RPC, 16384, 16384),
            (SIZE_RPC, 8192, 8192),
            (SIZE_RPC, MAX_SIDE + 1, 100),
            (SIZE_RPC, MAX_SIDE, MAX_SIDE),  # each side fits, not the whole
            (SIZE_RPC, float("nan"), 300),
            (SIZE_RPC, -400, 300),
            (SIZE_RPC, "4000", 300),
            (QUALITY_RPC, 100, 40),
            (QUALITY_RPC, 100, 0),
            (QUALITY_RPC, 100, float("inf")),
            (QUALITY_RPC, 1000, 1),
        ]
        for method, *values in past_the_cap:
            with pytest.raises(WslinkError) as refused:
                await client.call(method, view_id, *values)
            assert refused.value.code == INVALID_PARAMS, (method, values)
            assert refused.value.message.startswith(f"{method}: "), refused.value.message
        # Each fine alone, past the cap together: the image is the size times the ratio.
        await client.call(SIZE_RPC, view_id, 1600, 1000)
        with pytest.raises(WslinkError) as refused:
            await client.call(QUALITY_RPC, view_id, 80, 4)
        assert "6400 × 4000 px" in refused.value.message and f"{MAX_PIXELS} px in all" in refused.value.message
        await client.call(QUALITY_RPC, view_id, 80, 2)
        with pytest.raises(WslinkError) as refused:
            await client.call(SIZE_RPC, view_id, 2200, 1200)  # 4400 × 2400 at ratio 2
        assert f"limit of {MAX_SIDE} px a side" in refused.value.message
        await client.call(SIZE_RPC, view_id, 400, 300)

        drain(client, IMAGE_TOPIC)
        await client.call("viewport.image.push", {"view": view_id})
        frame = await client.next_publish(IMAGE_TOPIC, timeout=10)
        assert frame["size"] == [800, 600]  # 400 × 300 at ratio 2: nothing refused was kept
        grown = peak_memory(process) - before
        print(f"peak memory grew {grown / 2**20:.0f} MB over {len(past_the_cap) + 2} refused calls and a render")
        assert grown < 200 * 1024 * 1024, f"peak memory grew {grown / 2**20:.0f} MB"
        assert (await other.call("trame.state.get"))["name"] == server.name  # the server and others are fine


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
