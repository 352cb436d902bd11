"""The browser benchmark's app, served by trame_jupyter or by trame: ``python bench/_browser_apps.py ours|trame``.

An input bound with ``v_model`` to ``a``; ``@change("a")`` sets ``b = a``; a div shows ``{{ b }}``.
Prints ``READY <url>`` once the server accepts connections, then serves until killed.
"""

from __future__ import annotations

import asyncio
import os
import sys


def build(server, DivLayout, html) -> None:  # noqa: N803 (classes passed in)
    state = server.state
    state.a = ""
    state.b = ""

    @state.change("a")
    def copy(a, **_):
        state.b = a

    with DivLayout(server):
        html.Input(v_model=("a",), id="bench-a")
        html.Div("{{ b }}", id="bench-b")


async def serve_ours() -> None:
    from trame_jupyter import Server
    from trame_jupyter.ui import DivLayout
    from trame_jupyter.widgets import html

    server = Server("browser-bench")
    build(server, DivLayout, html)
    server.start(exec_mode="task", port=0, timeout=0)
    await server.ready
    print("READY", server.url, flush=True)
    await asyncio.Event().wait()


async def serve_trame() -> None:
    os.environ["TRAME_DISABLE_V3_WARNING"] = "1"
    from trame.app import get_server
    from trame.ui.html import DivLayout
    from trame.widgets import html

    server = get_server("browser-bench", client_type="vue3")
    build(server, DivLayout, html)
    server.start(exec_mode="task", port=0, open_browser=False, show_connection_info=False, timeout=0)
    await server.ready
    # trame's client sends the public default secret when the address carries none.
    print("READY", f"http://localhost:{server.port}/index.html", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run({"ours": serve_ours, "trame": serve_trame}[sys.argv[1]]())
