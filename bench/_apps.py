"""Benchmark servers, each run in its own process: ``python bench/_apps.py <kind> [args]``.

Kinds:
- ``echo``: a plain aiohttp websocket that sends every binary frame back (the baseline).
- ``ours`` / ``trame``: the same app on trame_jupyter and on trame: ``@change("a")`` sets ``b = a``;
  trigger ``burst(n)`` pushes ``counter`` n times, one flush each.
- ``rss-ours`` / ``rss-trame``: start 1 then 21 idle servers on one loop and print the RSS growth per server.

Servers print ``READY <port> <secret>`` when they accept connections.
"""

from __future__ import annotations

import asyncio
import os
import sys


def rss_bytes() -> int:
    with open("/proc/self/statm") as stream:
        return int(stream.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


async def serve_echo() -> None:
    from aiohttp import WSMsgType, web

    async def handler(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(compress=False)
        await ws.prepare(request)
        async for message in ws:
            if message.type == WSMsgType.BINARY:
                await ws.send_bytes(message.data)
        return ws

    app = web.Application()
    app.router.add_get("/ws", handler)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    print("READY", runner.addresses[0][1], "-", flush=True)
    await asyncio.Event().wait()


def build_app(server) -> None:
    state = server.state

    @state.change("a")
    def copy(a, **_):
        state.b = a

    @server.controller.trigger("burst")
    def burst(n):
        for i in range(n):
            with state:
                state.counter = i
        return n


async def serve_ours() -> None:
    from trame_jupyter import Server

    server = Server("bench")
    build_app(server)
    server.start(exec_mode="task", port=0, timeout=0)
    await server.ready
    print("READY", server.port, server.secret, flush=True)
    await asyncio.Event().wait()


async def serve_trame() -> None:
    os.environ["TRAME_DISABLE_V3_WARNING"] = "1"
    from trame.app import get_server

    server = get_server("bench", client_type="vue3")
    build_app(server)
    server.start(exec_mode="task", port=0, open_browser=False, show_connection_info=False, timeout=0)
    await server.ready
    print("READY", server.port, "wslink-secret", flush=True)
    await asyncio.Event().wait()


async def rss(kind: str, count: int = 20) -> None:
    if kind == "ours":
        from trame_jupyter import Server

        def make(i):
            return Server(f"idle{i}")
    else:
        os.environ["TRAME_DISABLE_V3_WARNING"] = "1"
        from trame.app import get_server

        def make(i):
            return get_server(f"idle{i}", client_type="vue3")

    async def start(server):
        kwargs = {"open_browser": False, "show_connection_info": False} if kind == "trame" else {}
        server.start(exec_mode="task", port=0, timeout=0, **kwargs)
        await server.ready

    first = make(0)
    await start(first)
    await asyncio.sleep(0.2)
    before = rss_bytes()
    servers = [make(i + 1) for i in range(count)]
    for server in servers:
        await start(server)
    await asyncio.sleep(0.2)
    ports = {s.port for s in [first, *servers]}
    after = rss_bytes()
    print("RSS", (after - before) / count, len(ports), flush=True)


if __name__ == "__main__":
    kind = sys.argv[1]
    if kind.startswith("rss-"):
        asyncio.run(rss(kind[4:]))
    else:
        asyncio.run({"echo": serve_echo, "ours": serve_ours, "trame": serve_trame}[kind]())
