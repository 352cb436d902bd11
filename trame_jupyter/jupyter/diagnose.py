"""``trame_jupyter.diagnose()``: what the kernel sees, how displays will connect, what is running."""

from __future__ import annotations

import json
import platform
import sys
import urllib.error
import urllib.request
from typing import TYPE_CHECKING, TextIO

from .._version import __version__
from ..registry import Registry
from . import environment
from .display import fallback_transport, proxy_path

if TYPE_CHECKING:
    from ..server import Server
    from .environment import JupyterServerInfo


def _probe_extension(info: JupyterServerInfo) -> str:
    """Ask a Jupyter server for our API (short timeout; it is another process, so no deadlock)."""
    request = urllib.request.Request(
        info.url.rstrip("/") + "/trame-jupyter/api/servers", headers={"Authorization": f"token {info.token}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=3) as response:
            body = json.loads(response.read())
        return f"answered (trame_jupyter {body.get('version')}, {len(body.get('servers', []))} registered server(s))"
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return "NOT installed or not enabled on this Jupyter server (404): pip install trame-jupyter there"
        return f"answered with HTTP {error.code}"
    except (OSError, ValueError) as error:
        return f"did not answer ({error})"


def _servers_in_this_process() -> list[Server]:
    import trame_jupyter

    from .kernel import _attached

    found: dict[int, Server] = {id(s): s for s in trame_jupyter._servers.values()}
    found.update({id(s): s for s in list(_attached.values())})
    return list(found.values())


def diagnose(stream: TextIO | None = None) -> None:
    out = stream or sys.stdout
    env = environment.detect()

    def say(text: str = "") -> None:
        print(text, file=out)

    say(f"trame_jupyter {__version__} · Python {platform.python_version()} · {platform.system()}")
    say(
        f"Jupyter kernel: {'yes' if env.in_kernel else 'no'}"
        + (f" (kernel id {env.kernel_id})" if env.kernel_id else "")
    )
    say(f"Front end (best guess): {env.front_end}")
    if env.hub_prefix:
        say(f"JupyterHub prefix: {env.hub_prefix}")
    say()
    if env.jupyter_servers:
        for info in env.jupyter_servers:
            say(f"Jupyter server {info.url} (base_url {info.base_url}, pid {info.pid})")
            say(f"  server extension: {_probe_extension(info)}")
    else:
        say("No Jupyter server found on this machine: displays fall back to http://localhost:<port> iframes.")
    say()
    servers = _servers_in_this_process()
    if not servers:
        say("No trame_jupyter server in this process yet.")
    for server in servers:
        say(f"Server {server.name!r}: {'running on port ' + str(server.port) if server.running else 'stopped'}")
        if not server.running:
            continue
        from .kernel import server_id_for

        attachment = server.runtime_listener(_attachment_type())
        server_id = attachment.server_id if attachment is not None else server_id_for(server.name)
        say(f"  JupyterLab / Notebook 7 (our extension): {{base_url}}{proxy_path(server_id, 'main')}")
        transport = fallback_transport(server, server_id, "main", env)
        shown = transport.url.split("#secret=")[0] + ("#secret=…" if "#secret=" in transport.url else "")
        say(f"  other front ends: {transport.kind} → {shown} ({transport.reason})")
    entries = Registry().entries() if env.jupyter_servers or env.in_kernel else []
    if entries:
        say()
        say("Registered with the Jupyter proxy (all kernels of this user):")
        for entry in entries:
            owner = f"kernel {entry.kernel_id or '?'}, pid {entry.pid}"
            say(f"  {entry.server_id}: {entry.name!r}, {owner}, port {entry.port}")


def _attachment_type() -> type:
    from .kernel import KernelAttachment

    return KernelAttachment
