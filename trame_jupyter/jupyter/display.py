"""Displaying a server in a notebook: the MIME bundle, and the URL a front end without our extension uses.

``display(server)`` (or a layout, or ``server.view(ui=..., height=...)``) starts the server if needed —
no ``await`` — and emits:

- ``application/vnd.trame-jupyter.v1+json`` (PROTOCOL.md): the JupyterLab/Notebook 7 extension joins
  ``path`` to the page's base URL, so hubs and custom base URLs work with no configuration;
- ``text/html``: an iframe at the best URL the kernel can infer, for VS Code, Colab and others;
- ``text/plain``: a short, stable description (no port, no secret).
"""

from __future__ import annotations

import html
import json
import os
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

from .._version import __version__
from . import environment

if TYPE_CHECKING:
    from ..server import Server
    from .environment import Environment

MIME_TYPE = "application/vnd.trame-jupyter.v1+json"
ROUTE = "trame-jupyter"
DEFAULT_FALLBACK_HEIGHT = "480px"


def css_size(value: int | float | str | None) -> str | None:
    if value is None:
        return None
    return f"{value}px" if isinstance(value, (int, float)) else str(value)


@dataclass(frozen=True)
class Transport:
    """How a front end without our extension reaches the server."""

    kind: str  # "jupyter-proxy" | "hub-proxy" | "colab" | "localhost"
    url: str
    reason: str


def proxy_path(server_id: str, ui: str) -> str:
    """The page of a server, relative to the Jupyter base URL."""
    return f"{ROUTE}/{server_id}/index.html?{urlencode({'ui': ui, 'server_id': server_id})}"


def fallback_transport(server: Server, server_id: str, ui: str, env: Environment) -> Transport:
    """Pick the URL for the ``text/html`` iframe from what the kernel knows (decided at display time)."""
    query = urlencode({"ui": ui, "server_id": server_id})
    direct = f"http://localhost:{server.port}/index.html?{query}#secret={quote(server.secret or '', safe='')}"
    if env.colab:
        try:
            from google.colab.output import eval_js  # type: ignore[import-not-found]

            base = str(eval_js(f"google.colab.kernel.proxyPort({server.port})")).rstrip("/")
            secret = quote(server.secret or "", safe="")
            return Transport("colab", f"{base}/index.html?{query}#secret={secret}", "Colab proxies kernel ports")
        except Exception as error:  # pragma: no cover - only inside Colab
            return Transport("localhost", direct, f"Colab proxyPort failed ({error})")
    if env.hub_prefix:
        return Transport("hub-proxy", f"{env.hub_prefix}{proxy_path(server_id, ui)}", "JUPYTERHUB_SERVICE_PREFIX")
    if env.vscode:
        return Transport("localhost", direct, "VS Code renders outputs outside Jupyter's origin")
    jupyter = _parent_jupyter_server(env)
    if jupyter is not None:
        return Transport("jupyter-proxy", f"{jupyter.base_url}{proxy_path(server_id, ui)}", f"Jupyter at {jupyter.url}")
    return Transport("localhost", direct, "no Jupyter server found on this machine")


def _parent_jupyter_server(env: Environment) -> Any | None:
    parent = os.environ.get("JPY_PARENT_PID")
    for info in env.jupyter_servers:
        if parent and str(info.pid) == parent:
            return info
    return env.jupyter_servers[0] if env.jupyter_servers else None


class View:
    """One display of a server's layout (``ui``), with an optional fixed size."""

    def __init__(
        self,
        server: Server,
        ui: str = "main",
        height: int | str | None = None,
        width: int | str | None = None,
    ) -> None:
        self.server = server.root_server
        self.ui = ui
        self.height = css_size(height)
        self.width = css_size(width)

    def __repr__(self) -> str:
        return f"<trame_jupyter view of {self.server.name!r}, layout {self.ui!r}>"

    def _ensure_running(self) -> str:
        """Start the server if needed (a task on the kernel's loop) and return its proxy id."""
        from .kernel import attach, server_id_for

        server = self.server
        if not server.running:
            server.start(exec_mode="task", port=0, open_browser=False, show_connection_info=False)
        if environment.in_kernel():
            return attach(server).server_id
        return server_id_for(server.name)

    def bundle(self) -> dict[str, Any]:
        server_id = self._ensure_running()
        env = environment.detect()
        data = {
            "server_id": server_id,
            "name": self.server.name,
            "path": proxy_path(server_id, self.ui),
            "ui": self.ui,
            "height": self.height,
            "width": self.width,
            "kernel_id": env.kernel_id,
            "kernel_pid": os.getpid() if env.in_kernel else None,
            "version": __version__,
        }
        transport = fallback_transport(self.server, server_id, self.ui, env)
        return {MIME_TYPE: data, "text/html": fallback_html(transport.url, server_id, self), "text/plain": repr(self)}

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return self.bundle()

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.bundle(), raw=True)

    @property
    def widget(self) -> Any:
        """An ipywidgets widget showing this view (for ``VBox``, ``HBox``, ``Tab`` …)."""
        from .widget import view_widget

        return view_widget(self)


def fallback_html(src: str, server_id: str, view: View) -> str:
    """An iframe that sizes itself from the page's size messages (where scripts run)."""
    frame_id = f"trame-jupyter-{uuid.uuid4().hex[:12]}"
    width = view.width or "100%"
    height = view.height or DEFAULT_FALLBACK_HEIGHT
    follow = "false" if view.height else "true"
    script = (
        f"(function(){{var f=document.getElementById({json.dumps(frame_id)});if(!f)return;"
        "window.addEventListener('message',function(e){var d=e.data;"
        f"if(e.source!==f.contentWindow||!d||d.type!=='trame-jupyter:size'||!{follow})return;"
        "var h=Math.max(60,Math.min(5000,Math.ceil(+d.height||0)));if(h)f.style.height=h+'px';});})();"
    )
    return (
        f'<iframe id="{frame_id}" class="trame-jupyter-frame" src="{html.escape(src, quote=True)}" '
        f'data-server-id="{html.escape(server_id, quote=True)}" '
        f'style="width: {html.escape(width)}; height: {html.escape(height)}; border: none;" '
        f'allow="clipboard-read; clipboard-write; fullscreen"></iframe>\n<script>{script}</script>'
    )
