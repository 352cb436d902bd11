"""Jupyter proxy benchmark (a script, not a test): the same kernel-hosted server reached directly on its
port and through our authenticated jupyter-server extension, in one run.

    python bench/proxy_bench.py [--rounds 1000] [--pushes 60]

Figures (medians), each as a ratio proxied / direct:
- state round trip over a raw websocket client (update → @change in the kernel → push back);
- a 1 MiB binary state push (a trigger sets 1 MiB of fresh bytes; time until the client has them).
Goals: round trip ≤ 1.2x direct, 1 MiB push ≤ 3x direct. The browser DOM round trip through the proxy
is measured by ``bench/browser_roundtrip.py --jupyter``.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import aiohttp

HERE = Path(__file__).parent
sys.path[:0] = [str(HERE), str(HERE.parent / "tests")]
from core_bench import Client, describe  # noqa: E402
from support.jupyter_harness import start_jupyter, stop_jupyter  # noqa: E402

APP = textwrap.dedent(
    """
    import os
    from trame_jupyter import get_server
    from trame_jupyter.ui import DivLayout
    from trame_jupyter.widgets import html

    server = get_server("bench")

    @server.state.change("a")
    def copy(a, **_):
        server.state.b = a

    @server.trigger("push_blob")
    def push_blob():
        server.state.blob = os.urandom(1 << 20)
        return True

    with DivLayout(server):
        html.Input(v_model=("a", ""), id="a")
        html.Div("{{ b }}", id="b")
    display(server)
    """
)


async def connect(session: aiohttp.ClientSession, url: str, secret: str, headers: dict[str, str]) -> Client:
    ws = await session.ws_connect(url, headers=headers, max_msg_size=0)
    client = Client(ws)
    await client.hello(secret)
    await client.call("trame.state.get")
    return client


async def round_trips(client: Client, rounds: int) -> list[float]:
    samples = []
    for i in range(1, rounds + 51):
        value = f"v{i}-{time.perf_counter_ns()}"
        start = time.perf_counter()
        request = {"wslink": "1.0", "id": f"rpc:c:{value}", "method": "trame.state.update"}
        await client.ws.send_bytes(client.frame({**request, "args": [[{"key": "a", "value": value}]], "kwargs": {}}))
        while True:
            message = await client.receive()
            if message["id"].startswith("publish:trame.state.topic") and message["result"].get("b") == value:
                break
        samples.append(time.perf_counter() - start)
    return samples[50:]


async def blob_pushes(client: Client, count: int) -> list[float]:
    samples = []
    for i in range(count + 5):
        start = time.perf_counter()
        request = {"wslink": "1.0", "id": f"rpc:c:blob{i}", "method": "trame.trigger", "args": ["push_blob", [], {}]}
        await client.ws.send_bytes(client.frame(request))
        while True:
            message = await client.receive()
            if message["id"].startswith("publish:trame.state.topic") and "blob" in message["result"]:
                assert len(message["result"]["blob"]) == 1 << 20
                break
        samples.append(time.perf_counter() - start)
    return samples[5:]


async def measure(label: str, url: str, secret: str, headers: dict[str, str], args: argparse.Namespace) -> dict:
    async with aiohttp.ClientSession() as session:
        client = await connect(session, url, secret, headers)
        try:
            rt = await round_trips(client, args.rounds)
            push = await blob_pushes(client, args.pushes)
        finally:
            await client.ws.close()
    print(f"{label}")
    print(f"  state round trip    {describe(rt)}")
    print(f"  1 MiB binary push   {describe(push)}")
    return {"rt": statistics.median(rt), "push": statistics.median(push)}


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=1000)
    parser.add_argument("--pushes", type=int, default=60)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        jupyter = start_jupyter(Path(tmp), "/")
        kernel = jupyter.start_kernel()
        try:
            result = kernel.execute(APP)
            data = result.bundle("application/vnd.trame-jupyter.v1+json")["application/vnd.trame-jupyter.v1+json"]
            port, secret = kernel.value("server.port"), kernel.value("server.secret")
            auth = {"Authorization": f"token {jupyter.token}"}
            direct = await measure("direct (kernel port)", f"ws://127.0.0.1:{port}/ws", secret, {}, args)
            proxied_url = jupyter.ws_url(f"trame-jupyter/{data['server_id']}/ws")
            proxied = await measure("through the trame-jupyter proxy", proxied_url, secret, auth, args)
        finally:
            kernel.shutdown()
            stop_jupyter(jupyter)
    rt_ratio = proxied["rt"] / direct["rt"]
    push_ratio = proxied["push"] / direct["push"]
    print(f"\nproxied / direct: round trip {rt_ratio:.2f}x (goal ≤ 1.2x), 1 MiB push {push_ratio:.2f}x (goal ≤ 3x)")


if __name__ == "__main__":
    asyncio.run(main())
