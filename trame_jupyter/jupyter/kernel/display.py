"""What a view of a server looks like in a notebook: its MIME bundle (``contract.Bundle``), and the URL a
front end without our extension uses.

A bundle carries three representations:

- ``application/vnd.trame-jupyter.v1+json``: the JupyterLab/Notebook 7 extension joins ``path`` to the
  page's base URL, so hubs and custom base URLs work with no configuration;
- ``text/html``: a static snapshot of the view and an iframe at the best URL the kernel can infer,
  revealed by a small script once the app answers (VS Code, Colab; GitHub and nbconvert keep the
  snapshot alone);
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

from ..._version import __version__
from ...core import contract
from ...core.snapshot import render_snapshot
from ...core.snapshot.sanitize import safe_url, sanitize_html
from ...server import vtkweb
from ...server.view import css_length
from . import environment

if TYPE_CHECKING:
    from ...server.server import Server
    from ...server.view import View
    from .environment import Environment

DEFAULT_FALLBACK_HEIGHT = "480px"
#: Largest snapshot kept in a notebook (bytes of HTML); a bigger view saves a short note instead.
MAX_SNAPSHOT_SIZE = 3 * 1024 * 1024

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Transport:
    """How a front end without our extension reaches the server."""

    kind: str  # "jupyter-proxy" | "hub-proxy" | "colab" | "localhost"
    url: str
    reason: str


def proxy_path(server_id: str, ui: str, transport: str | None = None) -> str:
    """The page of a server, relative to the Jupyter base URL. ``transport`` forces how the page reaches its
    server: ``"comm"`` (the embedding window's kernel comm) or ``"proxy"`` (its own websocket, no fallback);
    None leaves it to the front end (the proxy when it reaches the server, else the comm)."""
    query = {"ui": ui, "server_id": server_id}
    if transport in contract.TRANSPORTS:
        query[contract.TRANSPORT_PARAM] = transport
    return f"{contract.ROUTE}/{server_id}/index.html?{urlencode(query)}"


def fallback_transport(server: Server, server_id: str, ui: str, env: Environment) -> Transport:
    """Pick the URL for the ``text/html`` iframe from what the kernel knows (decided at display time)."""
    query = urlencode({"ui": ui, "server_id": server_id})
    direct = f"http://localhost:{server.port}/index.html?{query}#secret={quote(server.secret or '', safe='')}"
    if env.colab:
        try:
            from google.colab.output import eval_js  # type: ignore[import-not-found]

            base = str(eval_js(f"google.colab.kernel.proxyPort({int(server.port)})")).rstrip("/")
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


def ensure_running(view: View) -> None:
    """Start the view's server as a task on the kernel's loop if it is not running (no ``await``)."""
    server = view.server
    if not server.running:
        server.start(exec_mode="task", port=0, open_browser=False, show_connection_info=False)


def live_bundle(view: View, server_id: str) -> dict[str, Any]:
    """The bundle of a view whose server runs."""
    env = environment.detect()
    transport = fallback_transport(view.server, server_id, view.ui, env)
    picture = snapshot(view)
    return _bundle(view, server_id, env, live_html(transport.url, server_id, view, picture), picture, stopped=False)


def final_bundle(view: View, server_id: str) -> dict[str, Any]:
    """The bundle once the server stopped: its last picture, for our renderer and every other viewer."""
    picture = snapshot(view)
    return _bundle(view, server_id, environment.detect(), static_html(picture, stopped=True), picture, stopped=True)


def _bundle(
    view: View, server_id: str, env: Environment, html_part: str, picture: str, *, stopped: bool
) -> dict[str, Any]:
    data: contract.Bundle = {
        "protocol": contract.PROTOCOL_VERSION,
        "server_id": server_id,
        "name": view.server.name,
        "path": proxy_path(server_id, view.ui, view.transport),
        "ui": view.ui,
        "height": view.height,
        "width": view.width,
        "kernel_id": env.kernel_id,
        "kernel_pid": os.getpid() if env.in_kernel else None,
        "version": __version__,
        "stopped": stopped,
        "snapshot": picture or None,
    }
    return {contract.MIME_TYPE: data, "text/html": html_part, "text/plain": repr(view)}


def snapshot(view: View) -> str:
    """The view's layout rendered to static HTML from its server's current state."""
    try:
        endpoint = getattr(view.server.protocol, "endpoint", None)
        content = render_snapshot(view.server.state.initial, view.ui, vtkweb.view_pictures(endpoint))
    except Exception as error:  # a snapshot is a courtesy: never let it break a display
        logger.warning("Snapshot of %r (%s) failed: %s", view.server.name, view.ui, error)
        content = ""
    if len(content) > MAX_SNAPSHOT_SIZE:
        content = "<p>(This view is too large for a static snapshot.)</p>"
    return content


def _script_literal(value: Any) -> str:
    """JSON for an inline ``<script>``: ``<``, ``>`` and ``&`` escaped so no value can end the script."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _snapshot_block(snapshot_html: str, caption: str, hidden_when_live: bool) -> str:
    # ``snapshot()`` is sanitized already; this public entry point re-checks whatever it is given.
    return (
        f'<div class="trame-jupyter-snapshot"{" data-live-hides" if hidden_when_live else ""}>'
        f'<div class="trame-jupyter-snapshot-caption" style="font: 11px sans-serif; color: #888; '
        f'margin: 0 0 4px 0;">{html.escape(caption)}</div>{sanitize_html(snapshot_html)}</div>'
    )


def _frame_src(src: str) -> str:
    """The frame's URL if it is http(s) or relative (never ``javascript:``/``data:``), else a blank page."""
    checked = safe_url(src, frozenset({"http", "https"}))
    if checked is None:
        logger.warning("Refusing frame URL %r for a trame_jupyter output", src)
        return "about:blank"
    return checked


def _frame_size(value: str | None, default: str | None) -> str | None:
    """A size checked again at the point of use: ``View`` validates it, but it is a plain dataclass."""
    try:
        return css_length(value) if value is not None else default
    except ValueError:
        return default


def static_html(snapshot_html: str, stopped: bool = False) -> str:
    """The snapshot alone (what a saved notebook shows once its server is gone)."""
    caption = "Snapshot of a trame_jupyter app" + (" (its server has stopped)" if stopped else "")
    return _snapshot_block(snapshot_html, caption, hidden_when_live=False)


def live_html(src: str, server_id: str, view: View, snapshot_html: str) -> str:
    """The snapshot, plus an iframe that replaces it once the app answers (where scripts run).

    Without scripts (GitHub, nbviewer, sanitized untrusted output) only the snapshot shows; with them,
    the page's status messages reveal the frame and its size messages size it.
    """
    frame_id = f"trame-jupyter-{uuid.uuid4().hex[:12]}"
    width = _frame_size(view.width, "100%")
    height = _frame_size(view.height, None)
    script = (
        f"(function(){{var f=document.getElementById({_script_literal(frame_id)});if(!f)return;"
        f"var s=f.previousElementSibling,fixed={_script_literal(height)},"
        f"h={_script_literal(DEFAULT_FALLBACK_HEIGHT)};"
        "function show(on){f.style.visibility=on?'visible':'hidden';f.style.height=on?(fixed||h):'0';"
        "if(s)s.style.display=on?'none':'';}"
        "window.addEventListener('message',function(e){var d=e.data;if(e.source!==f.contentWindow||!d)return;"
        f"if(d.type==={_script_literal(contract.MESSAGE_STATUS)}){{show(d.status!=='stopped');}}"
        f"else if(d.type==={_script_literal(contract.MESSAGE_SIZE)}&&!fixed){{"
        f"var n=Math.max({contract.MIN_HEIGHT},Math.min({contract.MAX_HEIGHT},Math.ceil(+d.height||0)));"
        "if(n){h=n+'px';if(f.style.visibility==='visible')f.style.height=h;}}});})();"
    )
    caption = "Snapshot of a trame_jupyter app · live while its kernel runs"
    # Every value below is escaped for its context: attribute values with html.escape, script values as
    # JSON with <, > and & escaped (_script_literal); the URL and sizes are validated as well.
    return (
        f'<div class="trame-jupyter-output">{_snapshot_block(snapshot_html, caption, hidden_when_live=True)}'
        f'<iframe id="{html.escape(frame_id, quote=True)}" class="trame-jupyter-frame" '
        f'src="{html.escape(_frame_src(src), quote=True)}" '
        f'data-server-id="{html.escape(server_id, quote=True)}" '
        f'style="display: block; width: {html.escape(width or "100%", quote=True)}; height: 0; border: none; '
        f'visibility: hidden;" allow="clipboard-read; clipboard-write; fullscreen"></iframe></div>\n'
        f"<script>{script}</script>"
    )
