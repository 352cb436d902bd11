"""``server.widget`` is an anywidget: its page reaches the server through the widget's own messages, so it
works in an ipywidgets container in JupyterLab and Notebook 7 (not rendered by our extension) and in a
real Voilà, where our server extension is not loaded at all; each in headless Chromium. What each kind of
message on the widget's channels does is checked in process, with no front end."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest
import requests
from support.jupyter_harness import free_port
from playwright.sync_api import expect
from support.wslink_client import frames_of

from trame_jupyter.core import contract
from trame_jupyter.jupyter.kernel.anywidget_view import MAX_CHANNELS, TrameWidget
from trame_jupyter.jupyter.kernel.host import KernelHost
from trame_jupyter.server.registry import registry
from trame_jupyter.server.server import Server
from trame_jupyter.ui import DivLayout
from trame_jupyter.widgets import html

from support.lab_apps import CLIENTS, wait_for_state
from support.lab_harness import LabServer, command, execute, open_notebook, run_cell

pytestmark = [pytest.mark.jupyter, pytest.mark.browser]

# An app with a trigger (the button) and a text field, shown as server.widget in a VBox under an
# ipywidgets slider linked to its state.
WIDGET_APP = """
import ipywidgets as w
import trame_jupyter
from trame_jupyter import get_server
from trame_jupyter.ui import DivLayout
from trame_jupyter.widgets import html

server = get_server("anywidget-demo")
server.state.update({"message": "hello from python", "pokes": 0})

@server.state.change("resolution")
def on_resolution(resolution, **_):
    server.state.label = f"resolution {resolution}"

def poke():
    server.state.pokes += 1

with DivLayout(server):
    html.Input(type="range", min=3, max=60, v_model=("resolution", 6), classes="resolution")
    html.Input(type="text", v_model=("text", ""), classes="text")
    html.Button("poke", click=poke, classes="poke")
    html.Div("{{ label }}", classes="label")
    html.Div("{{ message }}", classes="message")
    html.Div("pokes {{ pokes }}", classes="pokes")

slider = w.IntSlider(value=9, min=3, max=60, description="resolution")
bridge = trame_jupyter.link(slider, "value", server, "resolution")
app = server.widget
box = w.VBox([slider, app])
box
"""
TRANSPORTS = "sorted(type(c.channel).__name__ for c in server.protocol.endpoint.connections.values())"
WIDGET_FRAME = ".trame-jupyter-widget-frame"


@pytest.mark.parametrize("host", ["lab", "notebook7"])
def test_server_widget_in_a_vbox(host: str, request: pytest.FixtureRequest, page: Any) -> None:
    """State both ways and a trigger through the widget's messages; the ipywidgets link both ways; clearing
    the output ends the page's client."""
    server: LabServer = request.getfixturevalue(host)
    open_notebook(page, server, server.write_notebook(f"anywidget_{host}.ipynb", [WIDGET_APP]))
    run_cell(page, 0)
    cell = page.locator(".jp-Notebook .jp-Cell").nth(0)
    frame = cell.frame_locator(WIDGET_FRAME)
    frame.locator(".message").filter(has_text="hello from python").wait_for()
    # An anywidget inside the VBox, not our MIME renderer; its one client is a comm-like channel.
    assert cell.locator(".widget-vbox .trame-jupyter-widget").count() == 1
    assert cell.locator(".trame-jupyter-view").count() == 0
    assert "transport=comm" in cell.locator(WIDGET_FRAME).get_attribute("src")
    assert "OK" in execute(page, 1, wait_for_state(f"{TRANSPORTS} == ['CommChannel'] and app.channel_count == 1"))
    said = execute(page, 1, "import trame_jupyter\ntrame_jupyter.diagnose()")
    assert (
        "connected now: 0 over the kernel comm, 1 over the widget's messages (server.widget), 0 over websockets" in said
    )

    # The server's files come over the widget's messages too (what loads a page where no HTTP route
    # reaches the server): the body as a binary buffer; a path outside the served files is refused.
    fetched = cell.locator(".trame-jupyter-widget").evaluate(
        """async (node) => {
            const page = await node.trameJupyterFetch('index.html');
            const outside = await node.trameJupyterFetch('../../../etc/passwd');
            const html = new TextDecoder().decode(page.body);
            return [page.status, page.mime, html.includes('trame-jupyter-root'), outside.status, outside.body];
        }"""
    )
    assert fetched[:3] == [200, fetched[1], True] and fetched[1].startswith("text/html"), fetched
    assert fetched[3] in (400, 403, 404) and fetched[4] is None, fetched

    # Browser → Python, a trigger, Python → browser.
    frame.locator("input.text").fill("typed in the widget")
    assert "OK" in execute(page, 2, wait_for_state("server.state.text == 'typed in the widget'"))
    frame.locator("button.poke").click()
    frame.locator(".pokes").filter(has_text="pokes 1").wait_for()
    assert "OK" in execute(page, 2, wait_for_state("server.state.pokes == 1"))
    execute(page, 3, "server.state.message = 'changed by python'")
    frame.locator(".message").filter(has_text="changed by python").wait_for()

    # The ipywidgets slider and the app's slider, linked through Python, both ways.
    execute(page, 3, "slider.value = 20")
    frame.locator(".label").filter(has_text="resolution 20").wait_for()
    frame.locator("input.resolution").focus()
    page.keyboard.press("ArrowRight")
    cell.locator(".widget-slider .widget-readout").filter(has_text="21").wait_for()

    # Clearing the output removes the view: its channel closes and the server loses that client.
    page.evaluate("() => { jupyterapp.shell.currentWidget.content.activeCellIndex = 0; }")
    command(page, "notebook:clear-cell-output")
    cell.locator(WIDGET_FRAME).wait_for(state="detached")
    assert "OK" in execute(page, 4, wait_for_state(f"{CLIENTS} == 0 and app.channel_count == 0"))

    # Stopped: a widget shown again has the last picture, no page.
    execute(page, 5, "app\n")
    cell5 = page.locator(".jp-Notebook .jp-Cell").nth(5)
    cell5.frame_locator(WIDGET_FRAME).locator(".message").filter(has_text="changed by python").wait_for()
    execute(page, 6, "await server.stop()")
    cell5.locator(".trame-jupyter-widget-snapshot").filter(has_text="changed by python").wait_for()
    expect(cell5.locator(WIDGET_FRAME)).to_be_hidden()
    expect(cell5.locator(WIDGET_FRAME)).to_have_attribute("src", "about:blank")
    assert not page.errors, page.errors


def test_server_widget_when_the_kernel_restarts(lab: LabServer, page: Any) -> None:
    """A re-run replaces the server and its view; the server goes with the kernel: the view unloads its page
    and says so; a re-run after the restart shows the app again."""
    open_notebook(page, lab, lab.write_notebook("anywidget_restart.ipynb", [WIDGET_APP]))
    run_cell(page, 0)
    cell = page.locator(".jp-Notebook .jp-Cell").nth(0)
    cell.frame_locator(WIDGET_FRAME).locator(".message").filter(has_text="hello from python").wait_for()
    run_cell(page, 0)  # the same cell again: a new server, a new widget, one client
    cell.locator('.trame-jupyter-widget[data-status="live"]').wait_for()
    assert "OK" in execute(page, 1, wait_for_state(f"{CLIENTS} == 1 and app.channel_count == 1"))
    command(page, "notebook:restart-kernel")
    page.locator(".jp-Dialog .jp-mod-accept").click()
    cell.locator('.trame-jupyter-widget[data-status="kernel-lost"]').wait_for()
    expect(cell.locator(".trame-jupyter-widget-snapshot")).to_contain_text("run its cell again")
    expect(cell.locator(WIDGET_FRAME)).to_be_hidden()

    page.wait_for_function("() => jupyterapp.shell.currentWidget.sessionContext.session?.kernel?.status === 'idle'")
    run_cell(page, 0)
    cell.frame_locator(WIDGET_FRAME).locator(".message").filter(has_text="hello from python").wait_for()
    assert not page.errors, page.errors


# -- the widget's channels, in process (no front end): what each kind of message does --------------

HELLO = {"wslink": "1.0", "id": "system:c0:0", "method": "wslink.hello", "args": [{}], "kwargs": {}}
OPEN, CLOSE = contract.MESSAGE_COMM_OPEN, contract.MESSAGE_COMM_CLOSE
FRAME = contract.COMM_MESSAGE["FRAME"]


class _Shell:
    kernel = None  # no comm manager: the widget's channels need none


async def test_widget_channels_bad_input_and_cleanup(monkeypatch: pytest.MonkeyPatch) -> None:
    """A bad frame closes its channel only, with the reason; unknown channels and too many are refused;
    a channel's close and the widget's close end their clients; a stop turns the widget into its picture."""
    monkeypatch.setattr(registry, "host", KernelHost(_Shell()))

    server = Server("channels")
    with DivLayout(server):
        html.Div("{{ note }}")
    server.state.note = "last picture"
    widget: TrameWidget = server.widget
    sent: list[tuple[dict[str, Any], Any]] = []
    monkeypatch.setattr(widget, "send", lambda content, buffers=None: sent.append((content, buffers)))

    def closes(channel: str) -> list[dict[str, Any]]:
        return [c for c, _ in sent if c["type"] == CLOSE and c["channel"] == channel]

    # Opened before the server serves: answered at once, its frames wait for the server.
    widget._handle_front_end({"type": OPEN, "channel": "v1:1"}, [])
    widget._handle_front_end({"type": FRAME, "channel": "v1:1"}, frames_of(HELLO))
    assert sent[0][0] == {"type": OPEN, "channel": "v1:1"}
    await server.ready
    endpoint = server.protocol.endpoint
    for _ in range(200):
        if endpoint.client_count == 1 and any(c["type"] == FRAME for c, _ in sent):
            break
        await asyncio.sleep(0.01)
    reply = next(buffers for c, buffers in sent if c["type"] == FRAME and c["channel"] == "v1:1")
    assert len(reply) == 1  # the server's answer, as the message's one buffer

    # Not a frame: that channel is closed with the reason; the other one keeps its client.
    widget._handle_front_end({"type": OPEN, "channel": "v1:2"}, [])
    widget._handle_front_end({"type": FRAME, "channel": "v1:2"}, [b"short"])
    for _ in range(200):
        if closes("v1:2"):
            break
        await asyncio.sleep(0.01)
    assert closes("v1:2")[0]["code"] == 1007 and "header" in closes("v1:2")[0]["reason"]
    assert endpoint.client_count == 1 and widget.channel_count == 1

    # Messages of no open channel, malformed channels, and too many channels.
    widget._handle_front_end({"type": FRAME, "channel": "v1:9"}, [b"x" * 20])
    assert "no such channel" in closes("v1:9")[0]["reason"]
    count = len(sent)
    widget._handle_front_end({"type": OPEN, "channel": "../etc"}, [])
    widget._handle_front_end(["not", "a", "dict"], [])
    assert len(sent) == count and widget.channel_count == 1
    for index in range(MAX_CHANNELS + 1):
        widget._handle_front_end({"type": OPEN, "channel": f"v2:{index}"}, [])
    assert closes(f"v2:{MAX_CHANNELS - 1}")[0]["code"] == 1013

    # The front end closes a channel: the server loses that client; the widget's close ends the rest.
    widget._handle_front_end({"type": CLOSE, "channel": "v1:1"}, [])
    for _ in range(200):
        if endpoint.client_count == 0:
            break
        await asyncio.sleep(0.01)
    assert endpoint.client_count == 0
    widget.close()
    assert widget.channel_count == 0

    # A stop turns a widget into the app's last picture.
    other: TrameWidget = server.widget
    await server.stop()
    assert other.stopped and "last picture" in other.snapshot


# -- Voilà ------------------------------------------------------------------------------------------

# Voilà runs the notebook and shows its widgets; Python is reached through ipywidgets only: a Text linked to
# the app's text field shows what the browser typed, and a Button sets the app's message from Python.
VOILA_CELLS = [
    WIDGET_APP.replace("box\n", ""),
    "echo = w.Text(description='echo')\n"
    "echo_link = trame_jupyter.link(echo, 'value', server, 'text')\n"
    "button = w.Button(description='from python')\n"
    "button.on_click(lambda _: server.state.update({'message': 'set by a python callback'}))\n"
    "w.VBox([echo, button, box])",
]


@pytest.fixture
def voila(tmp_path: Path) -> Iterator[str]:
    """A real ``voila`` (standalone, on a free port, its own runtime directory) rendering the app notebook."""
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in VOILA_CELLS]
    path = tmp_path / "app.ipynb"
    nbformat.write(notebook, path)
    runtime = tmp_path / "runtime"
    runtime.mkdir()
    port = free_port()
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(runtime), "PYTHONUNBUFFERED": "1"}
    log_path = tmp_path / "voila.log"
    args = [sys.executable, "-m", "voila", str(path), "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1"]
    with open(log_path, "wb") as log:
        # Its own process group: at the end its kernel gets the signal too (voila alone waits for it).
        process = subprocess.Popen(
            args, env=env, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{url}voila/static/", timeout=5).status_code < 500:
                    break
            except requests.ConnectionError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"voila did not start:\n{log_path.read_text(errors='replace')}")
            time.sleep(0.1)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)
        if process.returncode not in (0, -15, 143):
            print(log_path.read_text(errors="replace"))


def test_server_widget_in_voila(voila: str, page: Any) -> None:
    """Voilà loads no server extension of ours: the page, its scripts and its frames all come through the
    widget's messages; state both ways through Python, and a trigger."""
    direct: list[str] = []  # requests to the kernel's own server (there should be none)
    page.on("request", lambda request: direct.append(request.url) if "//localhost:" in request.url else None)
    page.goto(voila, timeout=90_000)
    frame = page.frame_locator(WIDGET_FRAME)
    frame.locator(".message").filter(has_text="hello from python").wait_for(timeout=60_000)
    # No proxy of ours answers in Voilà: the page itself came over the widget's messages (no HTTP to the
    # kernel's server at all), shown from a srcdoc whose address says transport=comm.
    frame_node = page.locator(WIDGET_FRAME)
    assert frame_node.get_attribute("src") is None and "transport=comm" in frame_node.get_attribute("srcdoc")

    # Browser → Python → browser: typed in the app, shown by the ipywidgets Text linked in Python.
    frame.locator("input.text").fill("typed in voila")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.widget-text input')].some((i) => i.value === 'typed in voila')"
    )
    # Python → browser: an ipywidgets button whose Python callback sets the app's state.
    page.get_by_role("button", name="from python").click()
    frame.locator(".message").filter(has_text="set by a python callback").wait_for()
    # A trigger, and the linked slider follows the app's slider.
    frame.locator("button.poke").click()
    frame.locator(".pokes").filter(has_text="pokes 1").wait_for()
    frame.locator("input.resolution").focus()
    page.keyboard.press("ArrowRight")
    page.locator(".widget-slider .widget-readout").filter(has_text="7").wait_for()
    assert direct == [], direct
    assert not page.errors, page.errors
