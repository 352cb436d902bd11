"""Real Jupyter parts for tests and benchmarks: a ``jupyter server`` subprocess (random port, token,
our extension loaded) and kernels it manages, driven over ZMQ with ``jupyter_client``."""

from __future__ import annotations

import json
import os
import queue
import secrets
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
import requests
from jupyter_client import BlockingKernelClient

from .wslink_client import WslinkTestClient


def wait_cell(condition: str, timeout: float = 20) -> str:
    """A cell that waits (without blocking the kernel's loop) until ``condition`` holds, then prints OK."""
    return f"""
import asyncio as _asyncio, time as _time
_deadline = _time.monotonic() + {timeout}
while not ({condition}) and _time.monotonic() < _deadline:
    await _asyncio.sleep(0.02)
print("OK" if ({condition}) else "TIMEOUT")
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class JupyterServer:
    """A running ``jupyter server`` with our extension."""

    process: subprocess.Popen[bytes]
    port: int
    base_url: str
    token: str
    runtime_dir: Path
    root_dir: Path
    env: dict[str, str]
    log_path: Path
    tls_ca: Path | None = None  # when serving HTTPS: the CA file that verifies it
    app: str = "server"  # "server", "lab" (JupyterLab) or "notebook" (Notebook 7)

    @property
    def url(self) -> str:
        scheme = "https" if self.tls_ca else "http"
        return f"{scheme}://127.0.0.1:{self.port}{self.base_url}"

    def http(self, path: str, token: bool = True, **kwargs: Any) -> requests.Response:
        headers = kwargs.pop("headers", {})
        if token:
            headers["Authorization"] = f"token {self.token}"
        kwargs.setdefault("allow_redirects", False)
        if self.tls_ca:
            kwargs.setdefault("verify", str(self.tls_ca))
        return requests.request(kwargs.pop("method", "GET"), self.url + path, headers=headers, timeout=15, **kwargs)

    def ws_url(self, path: str) -> str:
        scheme = "wss" if self.tls_ca else "ws"
        return f"{scheme}://127.0.0.1:{self.port}{self.base_url}{path}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def page(self, path: str) -> str:
        """An address of the app, with the token (the server answers with its login cookie)."""
        return f"{self.url}{path}?token={self.token}"

    def write_notebook(self, name: str, cells: list[str]) -> str:
        """A notebook of code cells (unsigned, so untrusted until run) in the root; returns its name."""
        notebook = nbformat.v4.new_notebook()
        notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        notebook.cells = [nbformat.v4.new_code_cell(source) for source in cells]
        nbformat.write(notebook, self.root_dir / name)
        return name

    def start_kernel(self) -> Kernel:
        response = self.http("api/kernels", method="POST", json={"name": "python3"})
        response.raise_for_status()
        kernel_id = response.json()["id"]
        connection_file = self.runtime_dir / f"kernel-{kernel_id}.json"
        deadline = time.monotonic() + 30
        while not connection_file.exists():
            assert time.monotonic() < deadline, "kernel connection file never appeared"
            time.sleep(0.05)
        client = BlockingKernelClient()
        client.load_connection_info(json.loads(connection_file.read_text()))
        # No heartbeat channel: its 1 s deadline calls a kernel that starts slowly on a loaded machine dead
        # (jupyter_client's wait_for_ready raises "Kernel died"); the Jupyter server watches the process.
        client.start_channels(hb=False)
        client.wait_for_ready(timeout=60)
        return Kernel(self, kernel_id, client)


@dataclass
class CellResult:
    outputs: list[dict[str, Any]] = field(default_factory=list)
    stdout: str = ""
    stderr: str = ""
    error: dict[str, Any] | None = None

    def bundles(self) -> list[dict[str, Any]]:
        return [o["content"]["data"] for o in self.outputs if o["msg_type"] in ("display_data", "execute_result")]

    def bundle(self, mime: str) -> dict[str, Any]:
        found = [b for b in self.bundles() if mime in b]
        assert found, f"no {mime} output; outputs: {self.outputs}, stderr: {self.stderr}, error: {self.error}"
        return found[-1]


class Kernel:
    """A kernel started by the Jupyter server, executed over ZMQ."""

    def __init__(self, server: JupyterServer, kernel_id: str, client: BlockingKernelClient) -> None:
        self.server = server
        self.kernel_id = kernel_id
        self.client = client

    def execute(self, code: str, timeout: float = 60, allow_error: bool = False) -> CellResult:
        msg_id = self.client.execute(code, store_history=True)
        result = self.collect(msg_id, timeout)
        if result.error is not None and not allow_error:
            raise AssertionError(f"cell failed: {result.error['ename']}: {result.error['evalue']}\n{code}")
        return result

    def submit(self, code: str) -> str:
        """Start executing without waiting (collect later with ``collect``)."""
        return self.client.execute(code, store_history=True)

    def collect(self, msg_id: str, timeout: float = 60) -> CellResult:
        result = CellResult()
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"cell did not finish in {timeout}s: {result}"
            try:
                message = self.client.get_iopub_msg(timeout=remaining)
            except queue.Empty:
                continue
            if message["parent_header"].get("msg_id") != msg_id:
                continue
            kind = message["msg_type"]
            content = message["content"]
            if kind == "status" and content["execution_state"] == "idle":
                return result
            if kind == "stream":
                if content["name"] == "stdout":
                    result.stdout += content["text"]
                else:
                    result.stderr += content["text"]
            elif kind == "error":
                result.error = content
            elif kind in ("display_data", "execute_result", "update_display_data"):
                result.outputs.append(message)

    def wait_until(self, condition: str, timeout: float = 20) -> None:
        """Wait in the kernel (without blocking its loop) until the Python ``condition`` holds."""
        out = self.execute(wait_cell(condition, timeout), timeout=timeout + 30).stdout
        assert out.strip().endswith("OK"), f"timed out waiting in the kernel for: {condition}"

    def value(self, expression: str) -> Any:
        """Evaluate an expression in the kernel and return its JSON value."""
        out = self.execute(f"import json as _json; print(_json.dumps({expression}))").stdout
        return json.loads(out.strip().splitlines()[-1])

    def shutdown(self) -> None:
        self.client.stop_channels()
        self.server.http(f"api/kernels/{self.kernel_id}", method="DELETE")


# Front ends must not open dialogs or toasts over the notebook: no news or update checks, no announcements.
LAB_USER_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false", "checkForUpdates": False},
}
LAB_PAGE_CONFIG = {"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}}
APP_MODULES = {"server": "jupyter_server", "lab": "jupyterlab", "notebook": "notebook"}
APP_CLASSES = {"lab": "LabApp", "notebook": "JupyterNotebookApp"}


def _front_end_environment(tmp: Path) -> dict[str, str]:
    """Private config, settings and workspaces for JupyterLab / Notebook 7."""
    config, settings, workspaces = (tmp / d for d in ("config", "settings", "workspaces"))
    for directory in (config / "labconfig", settings, workspaces):
        directory.mkdir(parents=True)
    (config / "labconfig" / "page_config.json").write_text(json.dumps(LAB_PAGE_CONFIG))
    for relative, values in LAB_USER_SETTINGS.items():
        path = settings / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    return {
        "JUPYTER_CONFIG_DIR": str(config),
        "JUPYTERLAB_SETTINGS_DIR": str(settings),
        "JUPYTERLAB_WORKSPACES_DIR": str(workspaces),
    }


def start_jupyter(
    tmp: Path,
    base_url: str = "/",
    extra_args: list[str] | None = None,
    tls: bool = False,
    app: str = "server",
    python: str = sys.executable,
) -> JupyterServer:
    """Start ``jupyter server`` (or ``lab``/``notebook``) with our extension, and wait until it answers.

    ``python`` may be another environment's interpreter (benchmarks run peers' proxies that way).
    """
    runtime = tmp / "runtime"
    root = tmp / "root"
    runtime.mkdir(parents=True)
    root.mkdir()
    port = free_port()
    token = secrets.token_hex(16)
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(runtime), "PYTHONUNBUFFERED": "1"}
    env.pop("JUPYTERHUB_SERVICE_PREFIX", None)
    front_end_args: list[str] = []
    if app in APP_CLASSES:
        env.update(_front_end_environment(tmp))
        front_end_args = [f"--{APP_CLASSES[app]}.expose_app_in_browser=True"]
    log_path = tmp / f"jupyter-{app}.log"
    tls_args: list[str] = []
    tls_ca = None
    if tls:
        tls_ca, cert, key = localhost_certificate(tmp)
        tls_args = [f"--certfile={cert}", f"--keyfile={key}"]
    args = [
        python,
        "-m",
        APP_MODULES[app],
        "--no-browser",
        "--allow-root",
        f"--port={port}",
        "--ip=127.0.0.1",
        f"--ServerApp.base_url={base_url}",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        "--ServerApp.allow_unauthenticated_access=False",
        *tls_args,
        *front_end_args,
        *(extra_args or []),
    ]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT)
    server = JupyterServer(process, port, base_url, token, runtime, root, env, log_path, tls_ca, app)
    deadline = time.monotonic() + 60
    while True:
        try:
            if server.http("api/status").status_code == 200:
                return server
        except requests.ConnectionError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"jupyter server did not start:\n{server.log()}")
        time.sleep(0.1)


def localhost_certificate(tmp: Path) -> tuple[Path, Path, Path]:
    """A test CA (trustme) and a certificate for 127.0.0.1 it signed, written in ``tmp``: the CA file that
    verifies it, the certificate chain and its key."""
    import trustme

    authority = trustme.CA()
    certificate = authority.issue_cert("127.0.0.1")
    ca, cert, key = tmp / "ca.pem", tmp / "cert.pem", tmp / "key.pem"
    authority.cert_pem.write_to_path(str(ca))
    certificate.cert_chain_pems[0].write_to_path(str(cert))
    certificate.private_key_pem.write_to_path(str(key))
    return ca, cert, key


def stop_process(process: subprocess.Popen[bytes], timeout: float = 20) -> None:
    """Terminate a server process, killing it if it does not exit within ``timeout`` seconds."""
    process.terminate()
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)


def stop_jupyter(server: JupyterServer) -> None:
    stop_process(server.process)


async def proxied_client(jupyter: JupyterServer, server_id: str) -> WslinkTestClient:
    """A wslink client of a kernel's server through our proxy, authenticated as the page would be."""
    session = jupyter.http(f"trame-jupyter/{server_id}/__trame_jupyter__/session")
    assert session.status_code == 200, session.text
    assert session.headers["Cache-Control"] == "no-store"
    client = WslinkTestClient()
    await client.connect(
        jupyter.ws_url(f"trame-jupyter/{server_id}/ws"),
        session.json()["secret"],
        headers={"Authorization": f"token {jupyter.token}"},
    )
    return client
