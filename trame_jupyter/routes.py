"""The proxy's route table: one JSON file per server a kernel started, read by the server extension.

Files live in ``<jupyter runtime dir>/trame-jupyter/<server_id>.json`` (directory 0700, files 0600, so
only the user who runs Jupyter can add a route). A route whose process is gone is stale: readers ignore
it and remove it. Shared by the kernel side (``jupyter/kernel.py`` writes) and the server extension
(``serverext/`` reads); it needs only ``jupyter_core`` for the default directory.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .contract import SERVER_ID_PATTERN

_SERVER_ID = re.compile(SERVER_ID_PATTERN)


@dataclass(frozen=True)
class Route:
    """A server the proxy may reach: where it connects and what the page must present."""

    server_id: str
    name: str
    port: int
    secret: str
    pid: int
    kernel_id: str | None = None
    host: str = "127.0.0.1"
    ws_path: str = "/ws"
    ws_max_msg_size: int = 10_000_000
    created: float = field(default_factory=time.time)

    def __post_init__(self) -> None:
        if not _SERVER_ID.fullmatch(self.server_id):
            raise ValueError(f"invalid server id {self.server_id!r}")
        if not (0 < int(self.port) < 65536):
            raise ValueError(f"invalid port {self.port!r}")

    @property
    def connect_host(self) -> str:
        """Always a loopback address: a route can never send the proxy elsewhere."""
        return "::1" if self.host == "::1" else "127.0.0.1"


def default_directory() -> Path:
    from jupyter_core.paths import jupyter_runtime_dir

    return Path(jupyter_runtime_dir()) / "trame-jupyter"


def is_valid_server_id(server_id: str) -> bool:
    return bool(_SERVER_ID.fullmatch(server_id))


def process_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except OSError as error:
        return error.errno == errno.EPERM  # exists, owned by someone else
    return True


class RouteTable:
    """Reads and writes the routes of one directory."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = Path(directory) if directory is not None else default_directory()

    def _path(self, server_id: str) -> Path:
        if not is_valid_server_id(server_id):
            raise ValueError(f"invalid server id {server_id!r}")
        return self.directory / f"{server_id}.json"

    def write(self, route: Route) -> Path:
        """Create or replace a route atomically, readable by its owner only."""
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = self._path(route.server_id)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as stream:
            json.dump(asdict(route), stream)
        os.replace(temporary, path)
        return path

    def remove(self, route: Route) -> bool:
        """Remove the route only if the file still describes it (a replacement may have taken its id)."""
        current = self.load(route.server_id, check_alive=False)
        if current is None or (current.port, current.secret) != (route.port, route.secret):
            return False
        with contextlib.suppress(FileNotFoundError):
            self._path(route.server_id).unlink()
        return True

    def load(self, server_id: str, check_alive: bool = True) -> Route | None:
        """The live route for ``server_id``, or None (unknown, malformed, or its process is gone)."""
        if not is_valid_server_id(server_id):
            return None
        path = self._path(server_id)
        try:
            data = json.loads(path.read_text())
            route = Route(**data)
        except (OSError, ValueError, TypeError):
            return None
        if route.server_id != server_id:
            return None
        if check_alive and not process_alive(route.pid):
            with contextlib.suppress(OSError):
                path.unlink()  # its kernel died without cleaning up
            return None
        return route

    def routes(self) -> list[Route]:
        """Every live route, oldest first."""
        if not self.directory.is_dir():
            return []
        found = (self.load(p.stem) for p in self.directory.glob("*.json"))
        return sorted((e for e in found if e is not None), key=lambda e: e.created)
