"""The server extension's own life: enabled once installed; what it cancels when Jupyter stops, it waits for."""

import asyncio
import subprocess
import sys

from trame_jupyter.jupyter.serverext import TrameJupyterExtension


async def test_stop_extension_waits_until_every_tunnel_has_closed():
    extension = TrameJupyterExtension()
    extension.tunnels = set()
    closed = []

    async def tunnel(name: str) -> None:
        try:
            await asyncio.sleep(3600)
        finally:
            await asyncio.sleep(0.01)  # closing its sockets takes a moment
            closed.append(name)

    for name in ("a", "b"):
        extension.track(asyncio.ensure_future(tunnel(name)))
    await asyncio.sleep(0)
    await extension.stop_extension()
    assert sorted(closed) == ["a", "b"]
    assert extension.tunnels == set()


def test_extension_is_listed_enabled_and_ok():

    out = subprocess.run(
        [sys.executable, "-m", "jupyter", "server", "extension", "list"], capture_output=True, text=True, timeout=60
    )
    text = out.stdout + out.stderr
    assert "trame_jupyter" in text
    assert "enabled" in text and "OK" in text.split("trame_jupyter", 2)[-1]
