"""The app the kernel-side tests display: a slider whose value a callback turns into a label, a trigger."""

from __future__ import annotations

import textwrap
from typing import Any

from trame_jupyter.core.contract import MIME_TYPE

from .jupyter_harness import Kernel

APP = textwrap.dedent(
    """
    from trame_jupyter import get_server
    from trame_jupyter.ui import DivLayout
    from trame_jupyter.widgets import html

    server = get_server({name!r})
    requests_seen = []

    async def count_requests(app, handler):
        async def counted(request):
            requests_seen.append(request.path)
            return await handler(request)
        return counted

    server.controller.on_server_bind.add(lambda runner: runner.app.middlewares.append(count_requests))

    resolution_calls = []

    @server.state.change("resolution")
    def on_resolution(resolution, **_):
        resolution_calls.append(resolution)
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


def show_app(kernel: Kernel, name: str) -> dict[str, Any]:
    result = kernel.execute(APP.format(name=name))
    return result.bundle(MIME_TYPE)[MIME_TYPE]
