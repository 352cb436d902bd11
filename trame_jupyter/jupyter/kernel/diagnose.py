"""``trame_jupyter.diagnose()``: what the kernel sees, how displays will connect, what is running."""

from __future__ import annotations

import json
import platform
import sys
import urllib.error
import urllib.request
from collections import Counter
from typing import TYPE_CHECKING, Any, TextIO

from ..._version import __version__
from ...core.contract import API_SERVERS_PATH, ROUTE
from ...server.registry import registry
from ...server.transports.comm import KERNEL_COMM, CommChannel
from ..routes import RouteTable
from . import environment
from .display import fallback_transport, proxy_path
from .host import KernelHost, server_id_for

if TYPE_CHECKING:
    from ...server.server import Server
    from .environment import JupyterServerInfo


def _get_json(info: JupyterServerInfo, path: str) -> Any:
    request = urllib.request.Request(f"{info.url.rstrip('/')}/{path}", headers={"Authorization": f"token {info.token}"})
    with urllib.request.urlopen(request, timeout=3) as response:
        return json.loads(response.read())


def _probe_extension(info: JupyterServerInfo) -> str:
    """Ask a Jupyter server for our API (short timeout; it is another process, so no deadlock).

    First make sure the server of the runtime file is the one answering: a file left by a server that
    exited can name a pid and a port that something else uses now.
    """
    try:
        _get_json(info, "api/status")  # answers only to the token of this runtime file
    except (OSError, ValueError) as error:
        reason = f"HTTP {error.code}" if isinstance(error, urllib.error.HTTPError) else str(error)
        return (
            f"does not answer as the server of {info.runtime_file or 'its runtime file'} ({reason}): that file is "
            "probably left over by a Jupyter server that exited; ignore this entry (or delete the file)"
        )
    try:
        body = _get_json(info, f"{ROUTE}/{API_SERVERS_PATH}")
        return f"answered (trame_jupyter {body.get('version')}, {len(body.get('servers', []))} registered server(s))"
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return (
                "NOT installed or not enabled on this Jupyter server (404): pip install trame-jupyter in the "
                "environment that runs Jupyter, then restart Jupyter"
            )
        return f"answered with HTTP {error.code}"
    except (OSError, ValueError) as error:
        return f"did not answer ({error})"


def _server_id(server: Server, env: environment.Environment) -> str:
    host = registry.host
    return host.server_id(server) if isinstance(host, KernelHost) else server_id_for(server.key, env.kernel_id)


def _proxy_sees(info: JupyterServerInfo, server_id: str) -> bool | None:
    """Whether that Jupyter server's extension lists ``server_id`` (None: it did not answer)."""
    try:
        body = _get_json(info, f"{ROUTE}/{API_SERVERS_PATH}")
    except (OSError, ValueError):
        return None
    return any(isinstance(e, dict) and e.get("server_id") == server_id for e in body.get("servers", []))


WEBSOCKETS = "websockets"


def _transport_lines(server: Server, server_id: str, env: environment.Environment) -> list[str]:
    """Which transport the views of ``server`` use, and why (as far as the kernel can tell)."""
    lines = [
        "transport: the proxy when it reaches this server, else the kernel comm (the default); "
        "display(server, transport='comm'|'proxy') forces one for a view"
    ]
    seen = [(info, _proxy_sees(info, server_id)) for info in env.jupyter_servers]
    if any(sees for _, sees in seen):
        urls = ", ".join(info.url for info, sees in seen if sees)
        lines.append(f"the proxy of {urls} sees this server: default views use the proxy")
    else:
        lines.append(
            "no Jupyter server on this machine sees this server (a kernel gateway, a remote kernel, or another "
            "runtime directory): default views use the kernel comm, page and files included"
        )
    endpoint = getattr(server.protocol, "endpoint", None)
    if endpoint is not None:
        carriers = Counter(
            channel.carrier if isinstance(channel, CommChannel) else WEBSOCKETS
            for channel in (connection.channel for connection in endpoint.connections.values())
        )
        # The kernel comm and websockets always named (even with none connected), other carriers when used.
        named = [KERNEL_COMM, *sorted(set(carriers) - {KERNEL_COMM, WEBSOCKETS}), WEBSOCKETS]
        lines.append("connected now: " + ", ".join(f"{carriers[carrier]} over {carrier}" for carrier in named))
    return lines


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
    servers = registry.servers()
    if not servers:
        say("No trame_jupyter server in this process yet.")
    for server in servers:
        say(f"Server {server.name!r}: {'running on port ' + str(server.port) if server.running else 'stopped'}")
        if not server.running:
            continue
        server_id = _server_id(server, env)
        say(f"  JupyterLab / Notebook 7 (our extension): {{base_url}}{proxy_path(server_id, 'main')}")
        for line in _transport_lines(server, server_id, env):
            say(f"    {line}")
        transport = fallback_transport(server, server_id, "main", env)
        shown = transport.url.split("#secret=")[0] + ("#secret=…" if "#secret=" in transport.url else "")
        say(f"  other front ends: {transport.kind} → {shown} ({transport.reason})")
    routes = RouteTable().routes() if env.jupyter_servers or env.in_kernel else []
    if routes:
        say()
        say("Registered with the Jupyter proxy (all kernels of this user):")
        for route in routes:
            owner = f"kernel {route.kernel_id or '?'}, pid {route.pid}"
            say(f"  {route.server_id}: {route.name!r}, {owner}, port {route.port}")
