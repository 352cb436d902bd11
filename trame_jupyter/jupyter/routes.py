"""The proxy's route table: one JSON file per server a kernel started, read by the server extension.

Files live in ``<jupyter runtime dir>/trame-jupyter/<server_id>.json`` (directory 0700, files 0600, so
only the user who runs Jupyter can add a route). A route whose process is gone is stale: readers ignore
it and remove it. Shared by the kernel side (``jupyter/kernel.py`` writes) and the server extension
(``serverext/`` reads); it needs only ``jupyter_core`` for the default directory.

Reading is strict: every field of a file is checked (``Route.from_json``) and a file that fails is
skipped with one warning, never trusted and never fatal. Keys this version does not know are ignored,
so a kernel running a newer trame-jupyter can still register with an older extension.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import math
import os
import re
import time
from collections.abc import Callable
from dataclasses import MISSING, asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from ..core.contract import SERVER_ID_PATTERN

_SERVER_ID = re.compile(SERVER_ID_PATTERN)
# Jupyter kernel ids: lowercase UUIDs (as jupyter_client makes them and the status API route matches).
_KERNEL_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
# The proxy writes ws_path into an HTTP request line: printable ASCII only, no space, CR or LF.
_WS_PATH = re.compile(r"/[\x21-\x7e]{0,1023}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

#: Addresses a route may name: the proxy only ever connects to this machine's loopback interface.
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})
MAX_NAME_LENGTH = 256
MAX_SECRET_LENGTH = 1024
MAX_PID = 2**31 - 1
MAX_FILE_SIZE = 64 * 1024  # a route is a few hundred bytes: anything much larger is not one

logger = logging.getLogger(__name__)


class InvalidRouteError(ValueError):
    """A route file or value that must not be used; ``field`` names what is wrong."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"bad field {field!r}: {problem}" if field != "file" else problem)
        self.field = field
        self.problem = problem


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)  # JSON true must not pass as 1


def _check_server_id(value: object) -> str | None:
    return None if isinstance(value, str) and _SERVER_ID.fullmatch(value) else "must match the server id pattern"


def _check_name(value: object) -> str | None:
    if not isinstance(value, str):
        return "must be a string"
    return None if len(value) <= MAX_NAME_LENGTH else f"must be at most {MAX_NAME_LENGTH} characters"


def _check_port(value: object) -> str | None:
    return None if _is_int(value) and 0 < value < 65536 else "must be an integer in 1..65535"  # type: ignore[operator]


def _check_secret(value: object) -> str | None:
    if not isinstance(value, str) or not value or len(value) > MAX_SECRET_LENGTH or _CONTROL.search(value):
        return f"must be a non-empty string of at most {MAX_SECRET_LENGTH} characters without control characters"
    return None


def _check_pid(value: object) -> str | None:
    # Bounded: os.kill raises OverflowError, not OSError, for a number no pid_t can hold.
    return None if _is_int(value) and 0 < value <= MAX_PID else f"must be an integer in 1..{MAX_PID}"  # type: ignore[operator]


def _check_size(value: object) -> str | None:
    return None if _is_int(value) and value > 0 else "must be an integer > 0"  # type: ignore[operator]


def _check_kernel_id(value: object) -> str | None:
    if value is None or (isinstance(value, str) and _KERNEL_ID.fullmatch(value)):
        return None
    return "must be null or a kernel id (a lowercase UUID)"


def _check_host(value: object) -> str | None:
    return None if value in LOOPBACK_HOSTS else f"must be one of {', '.join(sorted(LOOPBACK_HOSTS))}"


def _check_ws_path(value: object) -> str | None:
    return None if is_safe_ws_path(value) else "must be an absolute path of printable ASCII without spaces"


def _check_created(value: object) -> str | None:
    if _is_int(value) or (isinstance(value, float) and math.isfinite(value)):  # JSON 1e400 parses as inf
        return None
    return "must be a finite number"


# Field → check (None when the value is acceptable, else what it must be).
_CHECKS: dict[str, Callable[[object], str | None]] = {
    "server_id": _check_server_id,
    "name": _check_name,
    "port": _check_port,
    "secret": _check_secret,
    "pid": _check_pid,
    "kernel_id": _check_kernel_id,
    "host": _check_host,
    "ws_path": _check_ws_path,
    "ws_max_msg_size": _check_size,
    "created": _check_created,
}


def is_safe_ws_path(value: object) -> bool:
    """Whether ``value`` can be written as the target of an HTTP request line as it is."""
    return isinstance(value, str) and bool(_WS_PATH.fullmatch(value))


def _shown(name: str, value: object) -> str:
    """A value for a log line: never the secret, never long (repr escapes CR/LF, so no forged log lines)."""
    if name == "secret":
        return f"a {type(value).__name__}"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


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
        # Only what every writer already guarantees: the kernel builds routes from live server options,
        # which the reader (from_json) checks in full.
        for name in ("server_id", "port"):
            problem = _CHECKS[name](getattr(self, name))
            if problem:
                raise InvalidRouteError(name, f"{problem}, got {_shown(name, getattr(self, name))}")

    @classmethod
    def from_json(cls, data: object, server_id: str | None = None) -> Route:
        """A route from a parsed route file, every field checked; ``server_id`` is the file's name.

        Raises ``InvalidRouteError`` naming the first bad field. Unknown keys are ignored.
        """
        if not isinstance(data, dict):
            raise InvalidRouteError("file", f"not a JSON object (a {type(data).__name__})")
        values: dict[str, Any] = {}
        for spec in fields(cls):
            if spec.name not in data:
                if spec.default is MISSING and spec.default_factory is MISSING:
                    raise InvalidRouteError(spec.name, "missing")
                continue
            value = data[spec.name]
            problem = _CHECKS[spec.name](value)
            if problem:
                raise InvalidRouteError(spec.name, f"{problem}, got {_shown(spec.name, value)}")
            values[spec.name] = value
        if server_id is not None and values["server_id"] != server_id:
            raise InvalidRouteError("server_id", f"{_shown('server_id', values['server_id'])} is not the file's name")
        return cls(**values)

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
    """Reads and writes the routes of one directory.

    A file that cannot be used is reported once per version of it (path and modification time), not
    on every request that lists the routes.
    """

    def __init__(self, directory: Path | None = None, log: logging.Logger | None = None) -> None:
        self.directory = Path(directory) if directory is not None else default_directory()
        self.log = log or logger
        self._reported: dict[Path, tuple[int, int]] = {}  # path → (mtime_ns, size) of the bad version

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
        """Remove the route only if the file still describes it (a replacement may have taken its id).

        Compares the raw file, not a checked route: a writer can always take back what it wrote, even a
        route this reader would refuse.
        """
        path = self._path(route.server_id)
        try:
            data = _read_json(path)
        except (OSError, InvalidRouteError):
            return False
        if not isinstance(data, dict) or (data.get("port"), data.get("secret")) != (route.port, route.secret):
            return False
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        return True

    def load(self, server_id: str, check_alive: bool = True) -> Route | None:
        """The live route for ``server_id``, or None (unknown, malformed, or its process is gone)."""
        if not is_valid_server_id(server_id):
            return None
        path = self._path(server_id)
        try:
            route = Route.from_json(_read_json(path), server_id)
        except FileNotFoundError:
            self._reported.pop(path, None)
            return None
        except (OSError, InvalidRouteError) as error:
            self._report(path, error)
            return None
        self._reported.pop(path, None)
        if check_alive and not process_alive(route.pid):
            with contextlib.suppress(OSError):
                path.unlink()  # its kernel died without cleaning up
            return None
        return route

    def routes(self) -> list[Route]:
        """Every live route, oldest first."""
        if not self.directory.is_dir():
            return []
        found: list[Route] = []
        seen: set[Path] = set()
        for path in self.directory.glob("*.json"):
            seen.add(path)
            if not is_valid_server_id(path.stem):
                self._report(path, InvalidRouteError("file", "its name is not a server id"))
                continue
            route = self.load(path.stem)
            if route is not None:
                found.append(route)
        for gone in self._reported.keys() - seen:  # forget files that were removed
            del self._reported[gone]
        return sorted(found, key=lambda e: e.created)

    def _report(self, path: Path, error: Exception) -> None:
        """Warn about a file that cannot be used, once per version of the file."""
        try:
            status = path.stat()
            stamp = (status.st_mtime_ns, status.st_size)
        except OSError:
            stamp = (0, 0)
        if self._reported.get(path) == stamp:
            return
        self._reported[path] = stamp
        reason = (error.strerror or type(error).__name__) if isinstance(error, OSError) else str(error)
        self.log.warning("Ignoring trame-jupyter route file %s: %s", path, reason)


def _read_json(path: Path) -> object:
    """The parsed content of a route file; ``InvalidRouteError("file", …)`` when it is not JSON."""
    with open(path, "rb") as stream:
        raw = stream.read(MAX_FILE_SIZE + 1)
    if len(raw) > MAX_FILE_SIZE:
        raise InvalidRouteError("file", f"larger than {MAX_FILE_SIZE} bytes")
    try:
        return json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant)
    except ValueError as error:  # UnicodeDecodeError and JSONDecodeError both are
        raise InvalidRouteError("file", f"not UTF-8 JSON ({type(error).__name__})") from None


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")  # Python's json would accept NaN and Infinity
