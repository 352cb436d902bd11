"""The text/html part of a display, as VS Code or Colab render it: snapshot first, then the live frame."""

from __future__ import annotations

import pytest

from trame_jupyter.jupyter.kernel import display
from trame_jupyter.ui import DivLayout
from trame_jupyter.widgets import html

pytestmark = pytest.mark.browser


def build(server):
    server.state.update(label="from the snapshot", items=["a", "b"])
    with DivLayout(server):
        html.Div("{{ label }}", id="label")
        html.Li("{{ item }}", v_for="item in items", key="item")


def test_snapshot_then_live_frame_then_snapshot_again(serve, page):
    app = serve(build)
    view = app.server.view()
    output = app.run(lambda: display.live_html(app.server.url, "test", view, display.snapshot(view)))
    page.set_content(f"<html><body>{output}</body></html>")

    snapshot = page.locator(".trame-jupyter-snapshot")
    frame = page.locator("iframe.trame-jupyter-frame")
    assert "from the snapshot" in snapshot.inner_text()
    # Once the app reports live, the frame replaces the snapshot and takes the content's height.
    page.wait_for_function("document.querySelector('iframe.trame-jupyter-frame').style.visibility === 'visible'")
    assert not snapshot.is_visible()
    page.wait_for_function("parseInt(document.querySelector('iframe.trame-jupyter-frame').style.height) >= 60")
    live = page.frame_locator("iframe.trame-jupyter-frame")
    live.locator("#label").wait_for()
    app.set_state(label="live value")
    live.locator("#label", has_text="live value").wait_for()  # the frame is the live app

    # Stopped (and not back within the client's grace period): the snapshot replaces the dead frame.
    app.thread.stop(app.server)
    hidden = "document.querySelector('iframe.trame-jupyter-frame').style.visibility === 'hidden'"
    page.wait_for_function(hidden, timeout=40_000)
    assert snapshot.is_visible() and frame.get_attribute("style").count("height: 0") == 1
