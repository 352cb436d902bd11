"""The page a notebook shows, opened through the Jupyter proxy in headless Chromium."""

from __future__ import annotations

import contextlib
import textwrap
from collections.abc import Iterator
from typing import Any

import pytest
from support.browser_helpers import wait_status, wait_text

from trame_jupyter.core.contract import MIME_TYPE

pytestmark = [pytest.mark.jupyter, pytest.mark.browser]

APP = textwrap.dedent(
    """
    from trame_jupyter import get_server
    from trame_jupyter.ui import DivLayout
    from trame_jupyter.widgets import html

    server = get_server("page")

    @server.state.change("resolution")
    def on_resolution(resolution, **_):
        server.state.label = f"resolution {resolution}"

    with DivLayout(server):
        html.Input(type="range", min=3, max=60, v_model_number=("resolution", 6), id="resolution")
        html.Div("{{ label }}", id="label")
        html.Div("{{ generation }}", id="generation")
    server.state.generation = GENERATION
    display(server)
    """
)


WAIT = 15_000  # ms: the page talks to a kernel through Jupyter


@contextlib.contextmanager
def proxied_page(jupyter, kernel, browser, generation: int) -> Iterator[Any]:
    """Run the app's cell (as generation ``generation``) and open its view through the proxy."""
    data = kernel.execute(APP.replace("GENERATION", str(generation))).bundle(MIME_TYPE)[MIME_TYPE]
    context = browser.new_context()
    try:
        page = context.new_page()
        # ?token= authenticates the page load; Jupyter's login cookie then covers its requests and websocket.
        page.goto(f"{jupyter.url}{data['path']}&token={jupyter.token}")
        yield page
    finally:
        context.close()


def test_proxied_page_is_live_both_ways_and_follows_stop_and_rerun(jupyter, kernel, browser):
    with proxied_page(jupyter, kernel, browser, 1) as page:
        wait_status(page, "live", WAIT)
        wait_text(page, "#label", "resolution 6", WAIT)
        assert "#secret" not in page.url and "secret=" not in page.url

        page.fill("#resolution", "42")
        wait_text(page, "#label", "resolution 42", WAIT)  # computed by the @change callback in the kernel
        assert kernel.value("server.state.resolution") == 42

        kernel.execute("server.state.label = 'set from a cell'")
        wait_text(page, "#label", "set from a cell", WAIT)

        kernel.execute("server.stop()")
        wait_status(page, "stopped", timeout=30_000)
        assert "stopped" in page.inner_text("#trame-jupyter-status").lower()

        # Running the cell again brings a new server under the same id: an open page follows it.
        kernel.execute(APP.replace("GENERATION", "2"))
        page.reload()
        wait_status(page, "live", WAIT)
        wait_text(page, "#generation", "2", WAIT)


def test_page_reconnects_to_a_replacement_server_without_reload(jupyter, kernel, browser):
    with proxied_page(jupyter, kernel, browser, 10) as page:
        wait_text(page, "#generation", "10", WAIT)
        kernel.execute(APP.replace("GENERATION", "11"))  # re-run: the old server stops, a new one registers
        wait_text(page, "#generation", "11", timeout=30_000)  # reconnected with the new secret, resynced
        wait_status(page, "live", WAIT)
