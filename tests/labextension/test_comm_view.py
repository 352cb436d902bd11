"""A view whose page reaches its server over the kernel comm, in a real JupyterLab and Chromium: the page
posts its wslink frames to our renderer, which relays them over ``kernel.createComm``; the page and its
files come over the same comm (a ``srcdoc`` frame of ``blob:`` URLs)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from support.scene3d import drag, drawn_fraction, wait_changed, wait_drawn

from support.lab_apps import APP, CLIENTS, wait_for_state
from support.lab_harness import LabServer, command, execute, open_live_view, open_notebook, run_cell, view, wait_state

pytestmark = [pytest.mark.jupyter, pytest.mark.browser]

COMM_APP = APP.replace("display(server)", 'from trame_jupyter import display\ndisplay(server, transport="comm")')
TRANSPORTS = "sorted(type(c.channel).__name__ for c in server.protocol.endpoint.connections.values())"


@pytest.mark.parametrize("host", ["lab", "notebook7"])
def test_a_view_over_the_kernel_comm(host: str, request: pytest.FixtureRequest, page: Any) -> None:
    """In JupyterLab and in Notebook 7: state both ways over the comm, and its client leaves with the output."""
    server: LabServer = request.getfixturevalue(host)
    output, frame = open_live_view(page, server, "comm_view.ipynb", [COMM_APP])
    assert output.get_attribute("data-transport") == "comm"
    # The page came over the comm too: no address of its own, its scripts from blob: URLs.
    assert output.locator(".trame-jupyter-frame").get_attribute("src") in (None, "about:blank")
    assert frame.locator("script[src^='blob:']").count() >= 1

    # Its one client is a comm, not a websocket.
    assert "OK" in execute(page, 1, wait_for_state(f"{TRANSPORTS} == ['CommChannel']"))

    # Browser → Python → browser
    frame.locator("input.text").fill("typed over the comm")
    assert "OK" in execute(page, 2, wait_for_state("server.state.text == 'typed over the comm'"))
    frame.locator("input.resolution").focus()
    page.keyboard.press("ArrowRight")
    frame.locator(".label").filter(has_text="resolution 7").wait_for()
    execute(page, 3, "server.state.message = 'changed by python'")
    frame.locator(".message").filter(has_text="changed by python").wait_for()

    # Clearing the output closes its comm: the server loses that client.
    page.evaluate("() => { jupyterapp.shell.currentWidget.content.activeCellIndex = 0; }")
    command(page, "notebook:clear-cell-output")
    output.wait_for(state="detached")
    assert "OK" in execute(page, 4, wait_for_state(f"{CLIENTS} == 0"))
    assert not page.errors, page.errors


def test_a_comm_view_of_a_stopped_server_says_so(lab: LabServer, page: Any) -> None:
    output, _ = open_live_view(page, lab, "comm_stop.ipynb", [COMM_APP])
    execute(page, 1, "await server.stop()")
    wait_state(page, output, "server-stopped")
    assert not page.errors, page.errors


def test_comm_view_rerun_kernel_restart_and_shutdown(lab: LabServer, page: Any) -> None:
    """As over the proxy: a re-run shows the new server, and a restarted or shut down kernel is said so."""
    open_notebook(page, lab, lab.write_notebook("comm_restart.ipynb", [COMM_APP]))
    run_cell(page, 0)
    wait_state(page, view(page, 0), "live")
    run_cell(page, 0)  # the same cell again: a new server, a new view
    wait_state(page, view(page, 0), "live")
    command(page, "notebook:restart-kernel")
    page.locator(".jp-Dialog .jp-mod-accept").click()
    wait_state(page, view(page, 0), "kernel-restarted")

    page.wait_for_function("() => jupyterapp.shell.currentWidget.sessionContext.session?.kernel?.status === 'idle'")
    run_cell(page, 0)
    wait_state(page, view(page, 0), "live")
    command(page, "notebook:shutdown-kernel")
    wait_state(page, view(page, 0), "kernel-shutdown")
    assert not page.errors, page.errors


CONE_OVER_COMM = f"""
import sys
sys.path.insert(0, {str(Path(__file__).parents[1])!r})
from support.scene3d import cone_app
from trame_jupyter import get_server, display

server = get_server("cone-over-comm")
app = cone_app(server)
display(server, transport="comm")
"""


def test_3d_views_over_the_kernel_comm(lab: LabServer, page: Any) -> None:
    """trame-vtk's local view (geometry as comm buffers) and remote view (frames rendered in the kernel, mouse
    events back) draw and interact when the kernel comm is the only way to the server."""
    _, frame = open_live_view(page, lab, "comm_3d.ipynb", [CONE_OVER_COMM])
    local, remote = frame.locator("#local"), frame.locator("#remote")
    local_before, remote_before = wait_drawn(local), wait_drawn(remote)

    drag(page, remote)
    assert drawn_fraction(wait_changed(remote, remote_before, "a frame rendered after the drag")) > 0.02
    execute(page, 1, "app.cone.source.SetResolution(3); app.local.update()")
    wait_changed(local, local_before, "the local view to show the new geometry")
    assert "OK" in execute(page, 2, wait_for_state(f"{TRANSPORTS} == ['CommChannel']"))
    assert not page.errors, page.errors


def test_a_comm_view_lives_on_when_the_kernel_connection_reconnects(lab: LabServer, page: Any) -> None:
    """JupyterLab's websocket to the kernel drops and comes back (a network blip, a laptop waking up): the
    kernel and its comms are the same, so the view keeps its client and its state both ways."""
    output, frame = open_live_view(page, lab, "comm_reconnect.ipynb", [COMM_APP])
    frame.locator("input.text").fill("before the blip")
    assert "OK" in execute(page, 1, wait_for_state("server.state.text == 'before the blip'"))

    page.evaluate(
        """async () => {
            const kernel = jupyterapp.shell.currentWidget.sessionContext.session.kernel;
            const seen = [];
            kernel.connectionStatusChanged.connect((_, status) => seen.push(status));
            await kernel.reconnect();
            if (!seen.includes('connecting') || kernel.connectionStatus !== 'connected') {
                throw new Error(`the kernel connection did not reconnect: ${seen}`);
            }
        }"""
    )
    execute(page, 2, "server.state.message = 'after the blip'")
    frame.locator(".message").filter(has_text="after the blip").wait_for()
    frame.locator("input.text").fill("typed after the blip")
    assert "OK" in execute(page, 3, wait_for_state("server.state.text == 'typed after the blip'"))
    assert "OK" in execute(page, 4, wait_for_state(f"{TRANSPORTS} == ['CommChannel']"))
    assert output.get_attribute("data-state") == "live"
    assert not page.errors, page.errors
