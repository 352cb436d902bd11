"""What the browser benchmarks of one trame app on both servers share (``vuetify_bench.py``, ``vtk_bench.py``).

- ``serve_app``: the app script's side. Runs an app's source (which calls ``get_server``) on our server
  or on trame's, prints ``READY <url>`` once it accepts connections, then serves until killed.
- ``start_targets``: the benchmark's side. Every server of the comparison at once: the app in a plain
  Python process (ours and trame's), ours in a real kernel under a real ``jupyter server`` (direct to its
  port and through our proxy), and trame behind jupyter-server-proxy.

Imports that need the tests' helpers, Jupyter or Playwright happen inside the functions: the app scripts
import this module too, from trame's virtualenv, which has none of them.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

MIME = "application/vnd.trame-jupyter.v1+json"


def progress(message: str) -> None:
    print(f"  … {message}", file=sys.stderr, flush=True)


def build(app: str, get_server: Any) -> Any:
    """Run an app's source with the given ``get_server``; its ``server``."""
    namespace = {"get_server": get_server}
    exec(app, namespace)
    return namespace["server"]


async def _serve(app: str, kind: str) -> None:
    os.environ["TRAME_DISABLE_V3_WARNING"] = "1"
    if kind == "ours":
        from trame_jupyter.app import get_server
    else:
        from trame.app import get_server
    server = build(app, get_server)
    server.start(exec_mode="task", port=0, open_browser=False, show_connection_info=False, timeout=0)
    await server.ready
    # trame's client sends the public default secret when the address carries none.
    url = server.url if kind == "ours" else f"http://localhost:{server.port}/index.html"
    print("READY", url, flush=True)
    await asyncio.Event().wait()


def serve_app(app: str) -> None:
    """The app scripts' main: ``python bench/_<name>_app.py ours|trame``."""
    asyncio.run(_serve(app, sys.argv[1]))


def start_targets(stack: contextlib.ExitStack, trame: Path | None, tmp: Path, script: str, app: str) -> dict[str, str]:
    """Every server of the comparison, running at once: name → the URL a browser opens.

    ``script`` serves ``app`` in a process of its own (``serve_app``); the kernel runs ``app`` itself.
    """
    from browser_roundtrip import AppProcess
    from support.jupyter_harness import start_jupyter, stop_jupyter

    def process(python: str, kind: str) -> AppProcess:
        served = AppProcess(python, kind, script=script)
        stack.callback(served.close)
        return served

    targets = {"ours, direct": process(sys.executable, "ours").url}
    jupyter = start_jupyter(tmp / "ours", "/")
    stack.callback(stop_jupyter, jupyter)
    kernel = jupyter.start_kernel()
    stack.callback(kernel.shutdown)
    kernel_app = "from trame_jupyter.app import get_server\n" + app + "\ndisplay(server)\n"
    data = kernel.execute(kernel_app).bundle(MIME)[MIME]
    targets["ours, kernel direct"] = kernel.value("server.url")
    # ?token= authenticates the first request; Jupyter then sets its login cookie for the rest.
    targets["ours, our proxy"] = f"{jupyter.url}{data['path']}&token={jupyter.token}"
    if trame is None:
        return targets
    # trame compresses websockets by default; ours does not in a kernel. Compared as each ships.
    peer_app = process(str(trame), "trame")
    targets["trame, direct"] = peer_app.url
    if subprocess.run([str(trame), "-c", "import jupyter_server_proxy"], capture_output=True).returncode == 0:
        peer = start_jupyter(tmp / "peer", "/", python=str(trame))
        stack.callback(stop_jupyter, peer)
        port = peer_app.url.split(":")[2].split("/")[0]
        targets["trame, jupyter-server-proxy"] = f"{peer.url}proxy/{port}/index.html?token={peer.token}"
    return targets
