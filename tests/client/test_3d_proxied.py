"""trame-vtk's views in a real kernel, shown through our proxy in a real Jupyter server, in Chromium."""

from __future__ import annotations

import base64
import re
import textwrap
from pathlib import Path

import pytest
from support.browser_helpers import wait_status
from support.scene3d import drag, drawn_fraction, wait_changed, wait_drawn

from trame_jupyter.core.contract import MIME_TYPE

pytestmark = [pytest.mark.jupyter, pytest.mark.browser]

TESTS = Path(__file__).parents[1]
CELL = textwrap.dedent(
    f"""
    import sys
    sys.path.insert(0, {str(TESTS)!r})
    from support.scene3d import cone_app
    from trame_jupyter import get_server

    server = get_server("cone3d")
    app = cone_app(server)
    display(server)
    """
)


def test_local_and_remote_views_through_the_proxy(jupyter_root, kernel_root, page):
    data = kernel_root.execute(CELL).bundle(MIME_TYPE)[MIME_TYPE]
    page.goto(f"{jupyter_root.url}{data['path']}&token={jupyter_root.token}")
    wait_status(page, "live", 20_000)
    local, remote = page.locator("#local"), page.locator("#remote")
    local_before = wait_drawn(local)
    remote_before = wait_drawn(remote)

    drag(page, remote)  # mouse events through the proxy to the kernel, frames back
    remote_after = wait_changed(remote, remote_before, "a frame rendered after the drag")
    assert drawn_fraction(remote_after) > 0.02

    kernel_root.execute("app.cone.source.SetResolution(3); app.local.update()")  # a new geometry from a cell
    wait_changed(local, local_before, "the local view to show the new geometry")
    assert page.console.of("pageerror") == []

    # Stopped, the output keeps a picture of each view, for the saved notebook and every other viewer.
    stopped = kernel_root.execute("server.stop()")
    final = [o["content"]["data"] for o in stopped.outputs if o["msg_type"] == "update_display_data"][-1]
    assert final[MIME_TYPE]["stopped"]
    pictures = re.findall(r'<img src="data:image/jpeg;base64,([^"]+)"', final["text/html"])
    assert len(pictures) == 2  # the local and the remote view
    for picture in pictures:
        assert drawn_fraction(base64.b64decode(picture)) > 0.02  # the cone, not an empty frame
