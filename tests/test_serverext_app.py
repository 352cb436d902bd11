"""The server extension's own life: what it cancels when Jupyter stops, it waits for."""

import asyncio

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
