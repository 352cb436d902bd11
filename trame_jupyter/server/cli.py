"""Command-line flags and the one function that turns flags, environment and ``start()`` arguments
into the options a start uses.

Only a script owns its command line: ``sys.argv`` is read when a server starts in ``main``/``desktop``
mode, from the main thread, outside a running event loop. A kernel's argv belongs to ipykernel and a
host program's to that program: neither is parsed (use ``TRAME_ARGS`` or ``--trame-args`` there).
"""

from __future__ import annotations

import argparse
import os
import secrets
import shlex
import ssl
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

EXEC_MODES = ("main", "desktop", "task", "coroutine")
SUPPORTED_BACKENDS = ("aiohttp",)
PUBLIC_DEFAULT_SECRET = "wslink-secret"
DEFAULT_MAIN_PORT = 8080
DEFAULT_MAIN_TIMEOUT = 300


class StartError(RuntimeError):
    """``start()`` cannot proceed with the options it was given; the message says what to change."""


def build_parser() -> argparse.ArgumentParser:
    """The flags of trame's command line (users may add their own with ``server.cli.add_argument``)."""
    parser = argparse.ArgumentParser(description="A trame_jupyter application", allow_abbrev=False)
    add = parser.add_argument
    add("--server", action="store_true", help="Do not open a web browser")
    add("--banner", action="store_true", help="Print a banner when the server is ready")
    add("--app", action="store_true", help="Open the application in its own desktop window")
    add("--no-http", dest="no_http", action="store_true", help="Serve the websocket only (no static content)")
    add("--authKeyFile", help="File holding the secret clients must present")
    add("--authKey", help="Secret clients must present (default: a random secret per start)")
    add("--hot-reload", dest="hot_reload", action="store_true", help="Accepted for compatibility; ignored")
    add("--trame-args", dest="trame_args", help="More flags, as one string (for environments that own argv)")
    add("--follow-symlinks", dest="follow_symlinks", action="store_true", help="Follow symlinks in static dirs")
    add("--debug", action="store_true", help="Log network and protocol details")
    add("--nosignalhandlers", action="store_true", help="Do not install SIGINT/SIGTERM handlers")
    add("--host", default=None, help="Interface to listen on (default: localhost)")
    add("-p", "--port", type=int, default=None, help="Port to listen on; 0 picks a free one (default: 8080)")
    add("--timeout", type=float, default=None, help="Stop after this many idle seconds; 0 never (default: 300)")
    add("--content", default="", help="Directory served at / instead of the bundled web client")
    add("--ws-endpoint", dest="ws", default="ws", help="Websocket path (default: ws)")
    add("--no-ws-endpoint", dest="nows", action="store_true", help="Do not serve a websocket")
    add("--no-ws-compress", dest="nowscompress", action="store_true", help="Disable permessage-deflate")
    add("--fs-endpoints", dest="fsEndpoints", default="", help="Extra static dirs: 'prefix=/dir|prefix2=/dir2'")
    add("--ssl", default="", help="'certfile,keyfile' to serve HTTPS")
    add("--reverse-url", dest="reverse_url", default=None, help="Not supported by trame_jupyter")
    return parser


def command_line_args(read_argv: bool) -> list[str]:
    """The flags this start should parse: ``TRAME_ARGS`` / ``--trame-args``, plus argv for a script."""
    argv = list(sys.argv[1:]) if read_argv else []
    extra = os.environ.get("TRAME_ARGS", "")
    for i, item in enumerate(argv):
        if item == "--trame-args" and i + 1 < len(argv):
            extra = argv[i + 1]
            argv = argv[:i] + argv[i + 2 :]
            break
        if item.startswith("--trame-args="):
            extra = item.split("=", 1)[1]
            argv = argv[:i] + argv[i + 1 :]
            break
    return argv + [a for a in shlex.split(extra) if a != "--"]


@dataclass(frozen=True)
class StartOptions:
    """Everything one start of a server uses, resolved once."""

    exec_mode: str
    host: str
    port: int
    timeout: float
    secret: str
    open_browser: bool
    show_connection_info: bool
    disable_logging: bool
    handle_signals: bool
    ws_path: str | None
    http: bool
    ws_compress: bool
    follow_symlinks: bool
    content: Path | None
    fs_endpoints: dict[str, Path] = field(default_factory=dict)
    ssl_context: ssl.SSLContext | None = None
    banner: bool = False
    debug: bool = False
    desktop: bool = False


def resolve_start_options(
    flags: argparse.Namespace,
    *,
    exec_mode: str,
    port: int | None,
    host: str | None,
    timeout: float | None,
    backend: str | None,
    open_browser: bool | None,
    show_connection_info: bool,
    disable_logging: bool,
    thread: bool,
) -> StartOptions:
    """Apply the precedence rules: explicit ``start()`` argument > flag > environment > default.

    One exception, kept from trame: an explicit ``--host`` flag beats the ``host`` argument, so a
    deployment can widen what an app listens on without editing it.
    """
    if exec_mode not in EXEC_MODES:
        raise StartError(f"exec_mode must be one of {', '.join(EXEC_MODES)}; got {exec_mode!r}")
    chosen_backend = backend or os.environ.get("TRAME_BACKEND") or "aiohttp"
    if chosen_backend not in SUPPORTED_BACKENDS:
        raise StartError(
            f"backend {chosen_backend!r} is not supported: trame_jupyter serves over aiohttp "
            "(pass backend='aiohttp' or unset TRAME_BACKEND)"
        )
    if flags.reverse_url:
        raise StartError("--reverse-url is not supported by trame_jupyter")

    desktop = exec_mode == "desktop" or (exec_mode == "main" and bool(flags.app))
    blocking = exec_mode in ("main", "desktop") or desktop
    if desktop:
        exec_mode = "desktop"

    if desktop:
        resolved_port = 0
    elif port is not None:
        resolved_port = port
    elif flags.port is not None:
        resolved_port = flags.port
    else:
        resolved_port = DEFAULT_MAIN_PORT if blocking else 0

    resolved_host = flags.host or host or os.environ.get("TRAME_DEFAULT_HOST") or "localhost"

    if timeout is not None:
        resolved_timeout = float(timeout)
    elif flags.timeout is not None:
        resolved_timeout = float(flags.timeout)
    else:
        resolved_timeout = DEFAULT_MAIN_TIMEOUT if blocking and not desktop else 0.0

    if open_browser is None:
        open_browser = not os.environ.get("TRAME_SERVER") and not flags.server
    in_main_thread = threading.current_thread() is threading.main_thread()

    return StartOptions(
        exec_mode=exec_mode,
        host=resolved_host,
        port=resolved_port,
        timeout=max(resolved_timeout, 0.0),
        secret=_resolve_secret(flags),
        open_browser=bool(open_browser) and blocking and not desktop,
        show_connection_info=show_connection_info and blocking and not desktop,
        disable_logging=disable_logging,
        # Signal handlers belong to whoever owns the loop: never in a kernel, a thread or task mode.
        handle_signals=blocking and not thread and not flags.nosignalhandlers and in_main_thread,
        ws_path=None if flags.nows else "/" + flags.ws.strip("/"),
        http=not flags.no_http,
        ws_compress=not flags.nowscompress and blocking,
        follow_symlinks=bool(flags.follow_symlinks or os.environ.get("WSLINK_FOLLOW_SYMLINKS") == "1"),
        content=Path(flags.content) if flags.content else None,
        fs_endpoints=_parse_fs_endpoints(flags.fsEndpoints),
        ssl_context=_ssl_context(flags.ssl),
        banner=bool(flags.banner),
        debug=bool(flags.debug),
        desktop=desktop,
    )


def _resolve_secret(flags: argparse.Namespace) -> str:
    if flags.authKeyFile:
        try:
            secret = Path(flags.authKeyFile).read_text().strip()
        except OSError as error:
            raise StartError(f"--authKeyFile {flags.authKeyFile}: {error.strerror}") from None
        if not secret:
            raise StartError(f"--authKeyFile {flags.authKeyFile} is empty")
    elif flags.authKey:
        secret = flags.authKey
    else:
        return secrets.token_urlsafe(32)
    if secret == PUBLIC_DEFAULT_SECRET:
        raise StartError(f"the secret '{PUBLIC_DEFAULT_SECRET}' is public; choose another (or none for a random one)")
    return secret


def _parse_fs_endpoints(spec: str) -> dict[str, Path]:
    endpoints: dict[str, Path] = {}
    for item in filter(None, spec.split("|")):
        prefix, sep, directory = item.partition("=")
        if not sep or not prefix.strip() or not directory.strip():
            raise StartError(f"--fs-endpoints expects 'prefix=/dir|prefix2=/dir2'; got {item!r}")
        endpoints[prefix.strip().strip("/")] = Path(directory.strip())
    return endpoints


def _ssl_context(spec: str) -> ssl.SSLContext | None:
    if not spec:
        return None
    if spec == "adhoc":
        raise StartError("--ssl adhoc is not supported; pass 'certfile,keyfile'")
    certfile, _, keyfile = spec.partition(",")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certfile, keyfile or None)
    return context
