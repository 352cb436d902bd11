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
import logging
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
#: Largest snapshot kept in a notebook (bytes of HTML); a bigger view saves a short note instead.
MAX_SNAPSHOT_SIZE = 3 * 1024 * 1024

logger = logging.getLogger(__name__)


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
        """The live bundle (starts the server if needed)."""
        server_id = self._ensure_running()
        env = environment.detect()
        transport = fallback_transport(self.server, server_id, self.ui, env)
        html_part = live_html(transport.url, server_id, self, self.snapshot())
        return self._bundle(server_id, env, html_part)

    def final_bundle(self, server_id: str) -> dict[str, Any]:
        """The bundle once the server stopped: the live renderer says so, other viewers get the snapshot."""
        return self._bundle(server_id, environment.detect(), static_html(self.snapshot(), stopped=True))

    def _bundle(self, server_id: str, env: Environment, html_part: str) -> dict[str, Any]:
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
        return {MIME_TYPE: data, "text/html": html_part, "text/plain": repr(self)}

    def snapshot(self) -> str:
        """This layout rendered to static HTML from the current state."""
        from .snapshot import render_snapshot

        try:
            content = render_snapshot(self.server.state.initial, self.ui)
        except Exception as error:  # a snapshot is a courtesy: never let it break a display
            logger.warning("Snapshot of %r (%s) failed: %s", self.server.name, self.ui, error)
            content = ""
        if len(content) > MAX_SNAPSHOT_SIZE:
            content = "<p>(This view is too large for a static snapshot.)</p>"
        return content

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return self.bundle()

    def _ipython_display_(self) -> None:
        from IPython.display import display

        from .displays import DisplayTracker

        bundle = self.bundle()
        handle = display(bundle, raw=True, display_id=True)
        if handle is not None:
            DisplayTracker.of(self.server).add(handle.display_id, self, bundle[MIME_TYPE]["server_id"])

    @property
    def widget(self) -> Any:
        """An ipywidgets widget showing this view (for ``VBox``, ``HBox``, ``Tab`` …)."""
        from .widget import view_widget

        return view_widget(self)


def _snapshot_block(snapshot: str, caption: str, hidden_when_live: bool) -> str:
    return (
        f'<div class="trame-jupyter-snapshot"{" data-live-hides" if hidden_when_live else ""}>'
        f'<div class="trame-jupyter-snapshot-caption" style="font: 11px sans-serif; color: #888; '
        f'margin: 0 0 4px 0;">{html.escape(caption)}</div>{snapshot}</div>'
    )


def static_html(snapshot: str, stopped: bool = False) -> str:
    """The snapshot alone (what a saved notebook shows once its server is gone)."""
    caption = "Snapshot of a trame_jupyter app" + (" (its server has stopped)" if stopped else "")
    return _snapshot_block(snapshot, caption, hidden_when_live=False)


def live_html(src: str, server_id: str, view: View, snapshot: str) -> str:
    """The snapshot, plus an iframe that replaces it once the app answers (where scripts run).

    Without scripts (GitHub, nbviewer, sanitized untrusted output) only the snapshot shows; with them,
    the page's status messages reveal the frame and its size messages size it.
    """
    frame_id = f"trame-jupyter-{uuid.uuid4().hex[:12]}"
    width = view.width or "100%"
    fixed = view.height
    script = (
        f"(function(){{var f=document.getElementById({json.dumps(frame_id)});if(!f)return;"
        "var s=f.previousElementSibling,fixed=" + json.dumps(fixed) + ",h=" + json.dumps(DEFAULT_FALLBACK_HEIGHT) + ";"
        "function show(on){f.style.visibility=on?'visible':'hidden';f.style.height=on?(fixed||h):'0';"
        "if(s)s.style.display=on?'none':'';}"
        "window.addEventListener('message',function(e){var d=e.data;if(e.source!==f.contentWindow||!d)return;"
        "if(d.type==='trame-jupyter:status'){show(d.status!=='stopped');}"
        "else if(d.type==='trame-jupyter:size'&&!fixed){var n=Math.max(60,Math.min(5000,Math.ceil(+d.height||0)));"
        "if(n){h=n+'px';if(f.style.visibility==='visible')f.style.height=h;}}});})();"
    )
    caption = "Snapshot of a trame_jupyter app · live while its kernel runs"
    return (
        f'<div class="trame-jupyter-output">{_snapshot_block(snapshot, caption, hidden_when_live=True)}'
        f'<iframe id="{frame_id}" class="trame-jupyter-frame" src="{html.escape(src, quote=True)}" '
        f'data-server-id="{html.escape(server_id, quote=True)}" '
        f'style="display: block; width: {html.escape(width)}; height: 0; border: none; visibility: hidden;" '
        f'allow="clipboard-read; clipboard-write; fullscreen"></iframe></div>\n<script>{script}</script>'
    )
