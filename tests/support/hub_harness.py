"""A real JupyterHub: ``jupyterhub`` from PyPI behind ``configurable-http-proxy`` from npm (the project's
package.json), the dummy authenticator, and ``SimpleLocalProcessSpawner`` running this environment's
``jupyterhub-singleuser`` (JupyterLab, our extensions) for each user who logs in (or, for the users named
in ``start_hub``'s ``single_user``, another environment's).

A single-user server behind the hub is where our proxy meets Jupyter's stricter rules: it takes the hub's
OAuth cookie, not a token, it checks the XSRF token on CORS-mode requests (``fetch``, module scripts), and
it sends requests without a valid login to the hub's OAuth flow.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import requests

from .jupyter_harness import JupyterServer, _front_end_environment, free_port, localhost_certificate, stop_process

ROOT = Path(__file__).parents[2]
PROXY = ROOT / "node_modules" / ".bin" / "configurable-http-proxy"
SINGLE_USER = Path(sys.executable).with_name("jupyterhub-singleuser")
HUB = Path(sys.executable).with_name("jupyterhub")
USER = "alice"


@dataclass
class Hub:
    """A running JupyterHub; ``url`` ends with its base URL (``/`` or ``/jhub/``)."""

    process: subprocess.Popen[bytes]
    url: str
    tmp: Path
    log_path: Path
    tls_ca: Path | None

    @property
    def base_url(self) -> str:
        return urlsplit(self.url).path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def user(self, name: str = USER) -> HubUser:
        home = self.tmp / "home" / name
        home.mkdir(parents=True, exist_ok=True)
        return HubUser(self, name, home)


@dataclass
class HubUser:
    """One user's single-user server, shaped like the harness's ``JupyterServer`` for the Lab helpers
    (``url``, ``page``, ``app``, ``root_dir``, ``write_notebook``); the browser is logged in by ``login``."""

    hub: Hub
    name: str
    root_dir: Path
    app: str = "lab"

    @property
    def url(self) -> str:
        return f"{self.hub.url}user/{self.name}/"

    def page(self, path: str) -> str:
        return f"{self.url}{path}?"

    def write_notebook(self, name: str, cells: list[str]) -> str:
        return JupyterServer.write_notebook(self, name, cells)  # type: ignore[arg-type]  # needs only root_dir

    def login(self, page: Any, timeout_ms: int = 120_000, lab: bool = True) -> None:
        """Log in through the hub's login form (any password: the dummy authenticator), let the hub spawn
        the server, and wait until JupyterLab has started in ``page`` (``lab=False``: until the page reached
        the server, for a server without JupyterLab)."""
        # The spawn page starts the server and goes to its default URL (JupyterLab).
        page.goto(f"{self.hub.url}hub/login?next={quote(self.hub.base_url + 'hub/spawn')}")
        page.fill("#username_input", self.name)
        page.fill("#password_input", "any")
        page.click("#login_submit")
        if not lab:
            page.wait_for_url(f"{self.url}**", timeout=timeout_ms)
            return
        page.wait_for_function(
            "() => !!(window.jupyterapp && window.jupyterapp.started)", timeout=timeout_ms, polling=250
        )
        page.evaluate("() => window.jupyterapp.restored.then(() => true)")  # every plugin activated


CONFIG = """
c = get_config()  # noqa
c.JupyterHub.bind_url = {bind_url!r}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {hub_port}
c.JupyterHub.db_url = {db_url!r}
c.JupyterHub.cookie_secret_file = {cookie_secret!r}
c.JupyterHub.pid_file = {pid_file!r}
c.JupyterHub.cleanup_servers = True
c.JupyterHub.ssl_cert = {ssl_cert!r}
c.JupyterHub.ssl_key = {ssl_key!r}
c.ConfigurableHTTPProxy.command = [{proxy!r}]
c.ConfigurableHTTPProxy.api_url = {proxy_api!r}
c.ConfigurableHTTPProxy.auth_token = {proxy_token!r}
c.ConfigurableHTTPProxy.should_start = True
c.JupyterHub.authenticator_class = "dummy"
c.Authenticator.allow_all = True
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = {home_template!r}
c.Spawner.cmd = [{single_user!r}]
c.Spawner.args = ["--allow-root", "--LabApp.expose_app_in_browser=True"]
c.Spawner.default_url = "/lab"
c.Spawner.environment = {environment!r}
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120

_single_user_of = {single_user_of!r}


def _pick_single_user(spawner):
    if spawner.user.name in _single_user_of:
        spawner.cmd = [_single_user_of[spawner.user.name]]


c.Spawner.pre_spawn_hook = _pick_single_user
"""


def start_hub(tmp: Path, base_url: str = "/", tls: bool = False, single_user: dict[str, Path] | None = None) -> Hub:
    """Start JupyterHub (and its proxy) on a free port and wait until it is healthy.

    ``single_user``: user name → the ``jupyterhub-singleuser`` that user's server runs instead of this
    environment's (another virtualenv's: a benchmark's peer behind the same hub).
    """
    if not PROXY.exists():
        raise RuntimeError(f"{PROXY} is missing: run npm install at the repository root (scripts/install.sh does)")
    tmp.mkdir(parents=True, exist_ok=True)
    port = free_port()
    ssl_cert = ssl_key = ""
    tls_ca = None
    if tls:
        tls_ca, cert, key = localhost_certificate(tmp)
        ssl_cert, ssl_key = str(cert), str(key)
    scheme = "https" if tls else "http"
    url = f"{scheme}://127.0.0.1:{port}{base_url}"
    front_end = _front_end_environment(tmp / "single-user")
    config = tmp / "jupyterhub_config.py"
    config.write_text(
        textwrap.dedent(
            CONFIG.format(
                bind_url=url,
                hub_port=free_port(),
                db_url=f"sqlite:///{tmp / 'jupyterhub.sqlite'}",
                cookie_secret=str(tmp / "cookie_secret"),
                pid_file=str(tmp / "proxy.pid"),
                ssl_cert=ssl_cert,
                ssl_key=ssl_key,
                proxy=str(PROXY),
                proxy_api=f"http://127.0.0.1:{free_port()}",
                proxy_token=secrets.token_hex(16),
                home_template=str(tmp / "home" / "{username}"),
                single_user=str(SINGLE_USER),
                single_user_of={name: str(command) for name, command in (single_user or {}).items()},
                environment={**front_end, "JUPYTER_RUNTIME_DIR": str(tmp / "runtime"), "PYTHONUNBUFFERED": "1"},
            )
        )
    )
    env = {key: value for key, value in os.environ.items() if not key.startswith("JUPYTERHUB_")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    log_path = tmp / "jupyterhub.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [str(HUB), "-f", str(config)], cwd=tmp, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    hub = Hub(process, url, tmp, log_path, tls_ca)
    deadline = time.monotonic() + 60
    while True:
        try:
            if requests.get(f"{url}hub/health", timeout=5, verify=str(tls_ca) if tls_ca else True).ok:
                return hub
        except requests.ConnectionError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            stop_hub(hub)
            raise RuntimeError(f"JupyterHub did not start:\n{hub.log()[-6000:]}")
        time.sleep(0.2)


def stop_hub(hub: Hub) -> None:
    """Stop the hub; with ``cleanup_servers`` it stops the single-user servers and the proxy first."""
    stop_process(hub.process, timeout=30)
