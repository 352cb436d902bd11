"""What the kernel can tell about where it runs: a Jupyter kernel or not, JupyterHub, Colab, VS Code,
and which Jupyter servers run on this machine. Nothing here blocks or imports Jupyter eagerly."""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..routes import process_alive

_KERNEL_FILE = re.compile(r"kernel-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.json")


def shell() -> Any | None:
    """The IPython shell of a Jupyter kernel, or None (plain Python, IPython terminal)."""
    ipython = sys.modules.get("IPython")
    if ipython is None or "ipykernel" not in sys.modules:
        return None
    get_ipython = getattr(ipython, "get_ipython", None)
    current = get_ipython() if get_ipython is not None else None
    return current if current is not None and getattr(current, "kernel", None) is not None else None


def in_kernel() -> bool:
    return shell() is not None


def kernel_id() -> str | None:
    """The Jupyter kernel id, read from the connection file name jupyter_client gives kernels."""
    try:
        from ipykernel import get_connection_file

        name = Path(get_connection_file()).name
    except Exception:  # not a kernel, or a launcher without a connection file
        return None
    match = _KERNEL_FILE.fullmatch(name)
    return match.group(1) if match else None


def current_cell() -> tuple[str, str] | None:
    """``(cell identity, execution id)`` of the cell being executed, or None outside a cell.

    The identity is the front end's cell id when it sends one, else a hash of the cell's code, so a
    re-run of the same cell is recognised as such.
    """
    current = shell()
    if current is None:
        return None
    try:
        parent = current.kernel.get_parent()
    except Exception:
        return None
    header = parent.get("header") or {}
    if header.get("msg_type") != "execute_request":
        return None
    cell_id = (parent.get("metadata") or {}).get("cellId")
    if not cell_id:
        code = (parent.get("content") or {}).get("code", "")
        cell_id = "code-" + hashlib.sha1(code.encode()).hexdigest()[:16]
    return str(cell_id), str(header.get("msg_id", ""))


@dataclass(frozen=True)
class JupyterServerInfo:
    url: str
    base_url: str
    token: str
    pid: int
    root_dir: str | None = None
    runtime_file: str | None = None


def running_jupyter_servers() -> list[JupyterServerInfo]:
    """Live Jupyter servers of this user, from their ``jpserver-*.json`` files in the runtime dir."""
    try:
        from jupyter_core.paths import jupyter_runtime_dir
    except ImportError:
        return []
    found = []
    for path in Path(jupyter_runtime_dir()).glob("jpserver-*.json"):
        try:
            data = json.loads(path.read_text())
            alive = process_alive(int(data.get("pid", 0)))
        except (OSError, ValueError, TypeError, OverflowError, AttributeError):
            continue  # not a runtime file we can read
        if alive:
            found.append(
                JupyterServerInfo(
                    url=data.get("url", ""),
                    base_url=data.get("base_url", "/"),
                    token=data.get("token", ""),
                    pid=int(data["pid"]),
                    root_dir=data.get("root_dir"),
                    runtime_file=str(path),
                )
            )
    return found


@dataclass(frozen=True)
class Environment:
    """The facts a display decision is made from."""

    in_kernel: bool
    kernel_id: str | None
    hub_prefix: str | None
    colab: bool
    vscode: bool
    jupyter_servers: tuple[JupyterServerInfo, ...]

    @property
    def front_end(self) -> str:
        if self.colab:
            return "Google Colab"
        if self.vscode:
            return "VS Code"
        if self.hub_prefix:
            return "JupyterHub / Binder"
        if self.jupyter_servers:
            return "Jupyter server (JupyterLab / Notebook 7)"
        return "no Jupyter server found (plain Python or IPython)"


def detect() -> Environment:
    return Environment(
        in_kernel=in_kernel(),
        kernel_id=kernel_id(),
        hub_prefix=os.environ.get("JUPYTERHUB_SERVICE_PREFIX") or None,
        colab="google.colab" in sys.modules or bool(os.environ.get("COLAB_RELEASE_TAG")),
        vscode=bool(os.environ.get("VSCODE_PID") or os.environ.get("VSCODE_CWD")),
        jupyter_servers=tuple(running_jupyter_servers()),
    )
