"""``exec_mode="desktop"``: show the app in a window of its own and stop the server when it closes.

The window is a pywebview window when pywebview is installed, else a Chromium-family browser in
``--app`` mode with a throw-away profile (so the process lives exactly as long as the window).
"""

from __future__ import annotations

import asyncio
import importlib.util
import logging
import os
import shutil
import sys
import tempfile
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .server import Server

logger = logging.getLogger(__name__)

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "microsoft-edge", "brave-browser")


class DesktopUnavailableError(RuntimeError):
    """Neither pywebview nor a Chromium-family browser is available to open a window."""


def window_program(browser: str | None = None) -> str | None:
    """The browser to use, or None for pywebview; raises when neither is available."""
    if browser is None and importlib.util.find_spec("webview") is not None:
        return None
    found_on_path = next(filter(None, map(shutil.which, BROWSERS)), None)
    executable = browser or os.environ.get("TRAME_DESKTOP_BROWSER") or found_on_path
    if executable is None:
        raise DesktopUnavailableError(
            "exec_mode='desktop' needs pywebview (pip install pywebview) or a Chromium/Chrome browser "
            "on PATH (or TRAME_DESKTOP_BROWSER=/path/to/browser)"
        )
    return executable


def window_command(url: str, title: str, debug: bool, browser: str | None, browser_args: Sequence[str]) -> list[str]:
    """The command that opens ``url`` in its own window."""
    executable = window_program(browser)
    if executable is None:
        script = (
            "import sys, webview; "
            "webview.create_window(sys.argv[1], sys.argv[2]); "
            "webview.start(debug=sys.argv[3] == '1')"
        )
        return [sys.executable, "-c", script, title, url, "1" if debug else "0"]
    args = list(browser_args)
    if not any(a.startswith("--user-data-dir") for a in args):
        # A fresh profile makes a new browser process that exits when its only window closes.
        args.append(f"--user-data-dir={tempfile.mkdtemp(prefix='trame-jupyter-desktop-')}")
    if hasattr(os, "geteuid") and os.geteuid() == 0 and "--no-sandbox" not in args:
        args.append("--no-sandbox")  # Chromium refuses to run as root with its sandbox
    return [executable, f"--app={url}", "--no-first-run", "--no-default-browser-check", *args]


def open_window(server: Server, debug: bool = False, **options: Any) -> asyncio.Task[None]:
    """Open the window (on the running loop) and stop ``server`` when it closes."""
    command = window_command(
        server.url or "", server.name, debug, options.get("browser"), options.get("browser_args", ())
    )
    return asyncio.get_running_loop().create_task(_watch(server, command))


async def _watch(server: Server, command: list[str]) -> None:
    try:
        process = await asyncio.create_subprocess_exec(
            *command, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL
        )
    except OSError as error:
        logger.error("Could not open the desktop window (%s): %s", command[0], error)
        await server.stop()
        return
    try:
        code = await process.wait()
    except asyncio.CancelledError:  # the server stopped first: close the window
        process.terminate()
        raise
    logger.info("Desktop window closed (exit code %s): stopping the server", code)
    await server.stop()
