"""Notebook cells the front-end tests run (kept here so every test reads the same app)."""

from __future__ import annotations

from trame_jupyter.core.contract import MIME_TYPE

from .jupyter_harness import wait_cell

MIME = MIME_TYPE

# The app of the README: a slider whose value a Python callback turns into a label, plus a text field
# (typed into by the tests), a message Python sets, and rows Python adds (the content grows).
APP = """
from trame_jupyter import get_server
from trame_jupyter.ui import DivLayout
from trame_jupyter.widgets import html

server = get_server("demo")
server.state.update({"message": "hello from python", "rows": []})

@server.state.change("resolution")
def on_resolution(resolution, **_):
    server.state.label = f"resolution {resolution}"

with DivLayout(server):
    html.Input(type="range", min=3, max=60, v_model=("resolution", 6), classes="resolution")
    html.Input(type="text", v_model=("text", ""), classes="text")
    html.Div("{{ label }}", classes="label")
    html.Div("{{ message }}", classes="message")
    html.Div("row {{ i }}", v_for="i in rows", key="i", classes="row", style="height: 30px")

display(server)
"""


def wait_for_state(condition: str, timeout: float = 20) -> str:
    """A cell that waits (without blocking the kernel's loop) until ``condition`` holds, then prints OK."""
    return wait_cell(condition, timeout)


CLIENTS = "server.protocol.endpoint.client_count"
