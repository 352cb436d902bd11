"""The HTTP side of a started server: a listening socket bound synchronously, aiohttp routes (the
websocket and static files), serving until stopped.

``StaticFiles`` decides which file a path names: the HTTP routes use it, and so does every other way a
page's files are fetched (the kernel comm's fetch), so both answer the same paths the same way.

Binding happens in ``bind()``, outside any coroutine, so ``start()`` knows the real port (and reports
"port in use" as an exception) before it returns, whatever the exec mode.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import mimetypes
import os
import socket
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import unquote, urlsplit

from aiohttp import web

logger = logging.getLogger(__name__)


class PortInUseError(OSError):
    """The requested port is already taken; the message names it."""


@dataclass(frozen=True)
class RunnerConfig:
    host: str
    port: int
    ws_path: str | None = "/ws"
    http: bool = True
    www: Path | None = None
    serve: Mapping[str, Path] = field(default_factory=dict)
    follow_symlinks: bool = False
    handle_signals: bool = False
    ssl_context: Any = None
    headers: Mapping[str, str] = field(default_factory=dict)  # added to every HTTP response


def bind_socket(host: str, port: int) -> socket.socket:
    """Create a listening TCP socket now; ``port=0`` lets the OS choose."""
    bind_host = "127.0.0.1" if host == "localhost" else host
    try:
        infos = socket.getaddrinfo(bind_host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as error:
        raise OSError(errno.EADDRNOTAVAIL, f"Cannot listen on {host!r}: {error.strerror}") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6 and bind_host in ("::", ""):
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        sock.bind(address)
        sock.listen(128)
        sock.setblocking(False)
    except OSError as error:
        sock.close()
        if error.errno == errno.EADDRINUSE:
            raise PortInUseError(
                errno.EADDRINUSE,
                f"Port {port} on {host} is already in use; stop what listens there or pass port=0 for a free port",
            ) from None
        raise OSError(error.errno, f"Cannot listen on {host}:{port}: {error.strerror}") from None
    return sock


class StaticFileError(Exception):
    """A path that names no servable file: ``status`` is 404 (nothing there, or outside every served
    directory) or 403 (a directory, or unreadable), as the HTTP route answers; 413 past a size cap."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class StaticFiles:
    """The files a server serves: ``serve`` prefixes (longest first), then the web root ``www``.

    ``resolve`` never names a file outside the directory of the mount that matched: ``..`` and absolute
    paths are refused, and so are symlinks leading out unless ``follow_symlinks`` (as aiohttp's static
    routes did, whose answers these are). It touches the file system: call it off the event loop.
    """

    def __init__(self, www: Path | None, serve: Mapping[str, Path], follow_symlinks: bool = False) -> None:
        self.follow_symlinks = follow_symlinks
        mounts: list[tuple[str, Path]] = []
        for prefix in sorted(serve, key=len, reverse=True):
            directory = Path(serve[prefix])
            if directory.is_dir():
                mounts.append((prefix.strip("/"), directory.expanduser().resolve()))
            else:
                logger.error("Not serving /%s: %s is not a directory", prefix, directory)
        if www is not None:
            mounts.append(("", Path(www).expanduser().resolve()))
        #: (prefix without slashes, resolved directory), in matching order; the web root's prefix is "".
        self.mounts: tuple[tuple[str, Path], ...] = tuple(mounts)

    def mount_of(self, path: str) -> tuple[Path, str] | None:
        """The directory serving ``path`` (decoded, relative to the server root) and the rest of the path."""
        for prefix, directory in self.mounts:
            if not prefix:
                return directory, path
            if path.startswith(prefix + "/"):
                return directory, path[len(prefix) + 1 :]
        return None

    def resolve(self, path: str) -> Path:
        """The file ``path`` names (decoded, relative to the server root), or ``StaticFileError``."""
        mount = self.mount_of(path)
        if mount is None:
            raise StaticFileError(404, "no served directory has this path")
        directory, name = mount
        if "\0" in name or Path(name).is_absolute():
            # An absolute name could reach anything (and on Windows a UNC share): never serve one.
            raise StaticFileError(404, "not a relative path")
        unresolved = directory.joinpath(name)
        try:
            if self.follow_symlinks:
                # The path itself may not climb out; symlinks inside the directory may point anywhere.
                normalized = Path(os.path.normpath(unresolved))
                normalized.relative_to(directory)
                target = normalized.resolve()
            else:
                target = unresolved.resolve()
                target.relative_to(directory)
        except (ValueError, RuntimeError, OSError):  # outside the directory, or a symlink loop
            raise StaticFileError(404, "outside the served directory") from None
        try:
            if target.is_dir():
                raise StaticFileError(403, "a directory")
            if not target.is_file():
                raise StaticFileError(404, "no such file")
        except PermissionError:
            raise StaticFileError(403, "not readable") from None
        except OSError:  # e.g. a component over the file system's name limit: nothing can be there
            raise StaticFileError(404, "no such file") from None
        return target

    def resolve_url(self, url_path: str) -> Path:
        """Like ``resolve``, for a path as a page requests it over HTTP: percent-encoded, maybe with a
        query or fragment (ignored, as the HTTP route ignores them)."""
        if url_path.startswith("/"):
            raise StaticFileError(404, "not a relative path")
        return self.resolve(unquote(urlsplit(url_path).path))

    def open(self, url_path: str, max_size: int) -> tuple[BinaryIO, int, str]:
        """The file ``url_path`` names, open, with its size and MIME type (blocking: run it in a thread);
        ``StaticFileError(413)`` when it is larger than ``max_size`` bytes. The caller closes the file."""
        target = self.resolve_url(url_path)
        try:
            file = target.open("rb")
        except PermissionError:
            raise StaticFileError(403, "not readable") from None
        except OSError:
            raise StaticFileError(404, "no such file") from None
        try:
            size = os.fstat(file.fileno()).st_size
        except OSError:
            file.close()
            raise StaticFileError(404, "no such file") from None
        if size > max_size:
            file.close()
            raise StaticFileError(413, f"{size} bytes, more than the {max_size}-byte limit")
        return file, size, mime_type(target)

    def read(self, url_path: str, max_size: int) -> tuple[bytes, str]:
        """The content and MIME type of the file ``url_path`` names (blocking: run it in a thread);
        ``StaticFileError(413)`` when it is larger than ``max_size`` bytes."""
        file, _, mime = self.open(url_path, max_size)
        try:
            with file:
                content = file.read(max_size + 1)
        except OSError:
            raise StaticFileError(404, "no such file") from None
        if len(content) > max_size:  # it grew while being read
            raise StaticFileError(413, f"more than the {max_size}-byte limit")
        return content, mime


def mime_type(path: Path) -> str:
    """The MIME type the HTTP route sends for ``path`` (with a charset for text, as browsers expect)."""
    kind, _ = mimetypes.guess_type(path.name)
    kind = kind or "application/octet-stream"
    if kind.startswith("text/") or kind in ("application/javascript", "application/json"):
        return f"{kind}; charset=utf-8"
    return kind


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Runner:
    """aiohttp application, site and lifetime of one started server.

    ``websocket`` answers ``config.ws_path``; ``before_cleanup`` runs when serving ends, before the
    site closes (it disconnects the clients, so they are told why).
    """

    def __init__(
        self,
        config: RunnerConfig,
        websocket: Handler | None = None,
        before_cleanup: Callable[[], Awaitable[Any]] | None = None,
    ) -> None:
        self.config = config
        self.app = web.Application()
        if config.ws_path and websocket is not None:
            self.app.router.add_get(config.ws_path, websocket)
        if config.http and config.www:
            self.app.router.add_get("/", _redirect_to_index)
        if config.headers:
            self.app.on_response_prepare.append(self._add_headers)
        #: The files this server serves over HTTP (and to anything else that fetches its page's files).
        self.files = StaticFiles(config.www, config.serve, config.follow_symlinks) if config.http else None
        self._before_cleanup = before_cleanup
        self._socket: socket.socket | None = None
        self._runner: web.AppRunner | None = None
        self._stopped: asyncio.Event | None = None
        self.port = 0

    async def _add_headers(self, request: web.Request, response: web.StreamResponse) -> None:
        for name, value in self.config.headers.items():
            response.headers.setdefault(name, value)

    # -- lifecycle ---------------------------------------------------------------------------------

    def bind(self) -> int:
        self._socket = bind_socket(self.config.host, self.config.port)
        self.port = self._socket.getsockname()[1]
        return self.port

    async def serve(self, on_ready: Any = None) -> None:
        """Start accepting connections, call ``on_ready()``, then run until ``stop()``."""
        if self._socket is None:
            return  # stopped before it started serving (or never bound): nothing to serve
        self._stopped = asyncio.Event()
        self._add_static_routes()
        self._runner = web.AppRunner(self.app, handle_signals=self.config.handle_signals, access_log=None)
        try:
            await self._runner.setup()
            site = web.SockSite(self._runner, self._socket, ssl_context=self.config.ssl_context)
            await site.start()
            if on_ready is not None:
                on_ready()
            await self._stopped.wait()
        finally:
            await self._cleanup()

    def request_stop(self) -> None:
        """Ask ``serve()`` to return (safe from any callback on the loop)."""
        if self._stopped is not None:
            self._stopped.set()
        else:
            self._close_socket()

    @property
    def serving(self) -> bool:
        return self._stopped is not None and not self._stopped.is_set()

    async def _cleanup(self) -> None:
        if self._before_cleanup is not None:
            await self._before_cleanup()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        self._close_socket()

    def _close_socket(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None

    # -- routes ------------------------------------------------------------------------------------

    def _add_static_routes(self) -> None:
        # Added last, so the websocket and any route an app added at bind time come first.
        if self.files is not None and self.files.mounts:
            self.app.router.add_get("/{path:.*}", self._static_file)

    async def _static_file(self, request: web.Request) -> web.StreamResponse:
        files = self.files
        assert files is not None
        try:
            # The file system may be slow (network mounts): resolve off the loop.
            target = await asyncio.get_running_loop().run_in_executor(None, files.resolve, request.match_info["path"])
        except StaticFileError as error:
            raise (web.HTTPForbidden() if error.status == 403 else web.HTTPNotFound()) from None
        return web.FileResponse(target)


async def _redirect_to_index(request: web.Request) -> web.StreamResponse:
    # Relative, so it also works behind a path prefix (a proxy); the query string is kept.
    location = "index.html" + (f"?{request.query_string}" if request.query_string else "")
    raise web.HTTPFound(location)
