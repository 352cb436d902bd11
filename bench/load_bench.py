"""Load benchmark (a script, not a test).

    python bench/load_bench.py [--clients 50] [--writes 1000] [--idle 200]

One run over loopback, the server in its own process:
- sustained ``trame.state.update`` rate with ``--clients`` clients each writing ``--writes`` times (half
  to shared keys, half to its own), every client awaiting each answer (as the browser client does);
- round-trip percentiles (median, p99) under that load;
- the same load against a plain aiohttp websocket echo (the baseline), as ratios;
- RSS of the server process per connection (``--idle`` idle authenticated connections) and per server;
- trame 4 under the same load (compression off, as ours), when ``bench/.venv-trame`` exists.

Every update to a shared key is published to the other clients: with 50 clients the server sends ~25
messages per update, and this process decodes them all (it is part of what is measured).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

import aiohttp

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
from core_bench import NO_DEFLATE, Client, launch, rss_per_server  # noqa: E402
from trame_env import trame_python  # noqa: E402


def process_rss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS")


async def load(port: int, secret: str | None, clients: int, writes: int) -> tuple[float, list[float]]:
    """Updates per second over the whole run, and every update's round trip (seconds)."""
    samples: list[float] = []
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        sockets, peers = [], []
        for _ in range(clients):
            sockets.append(await session.ws_connect(f"ws://127.0.0.1:{port}/ws"))
            peers.append(Client(sockets[-1]))
            if secret is not None:
                await peers[-1].hello(secret)

        async def writer(index: int, peer: Client) -> None:
            rng = random.Random(index)
            for n in range(writes):
                key = rng.choice(["s0", "s1", "s2"]) if n % 2 else f"own{index}"
                request = {
                    "wslink": "1.0",
                    "id": f"rpc:c:{index}-{n}",
                    "method": "trame.state.update",
                    "args": [[{"key": key, "value": n}]],
                    "kwargs": {},
                }
                start = time.perf_counter()
                await peer.ws.send_bytes(peer.frame(request))
                if secret is None:
                    await peer.ws.receive()  # the echo
                else:
                    while (await peer.receive()).get("id") != request["id"]:
                        pass  # publishes of the other clients' writes
                samples.append(time.perf_counter() - start)

        start = time.perf_counter()
        await asyncio.gather(*(writer(i, p) for i, p in enumerate(peers)))
        elapsed = time.perf_counter() - start
        for ws in sockets:
            await ws.close()
    return clients * writes / elapsed, samples


async def rss_per_connection(process: subprocess.Popen[str], port: int, secret: str, count: int) -> float:
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        await asyncio.sleep(0.5)
        before = process_rss(process.pid)
        sockets = []
        for _ in range(count):
            sockets.append(await session.ws_connect(f"ws://127.0.0.1:{port}/ws"))
            peer = Client(sockets[-1])
            await peer.hello(secret)
            await peer.call("trame.state.get")
        await asyncio.sleep(0.5)
        after = process_rss(process.pid)
        for ws in sockets:
            await ws.close()
    return (after - before) / count


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--writes", type=int, default=1000)
    parser.add_argument("--idle", type=int, default=200)
    args = parser.parse_args()

    echo, echo_port, _ = launch(sys.executable, "echo")
    try:
        echo_rate, echo_samples = await load(echo_port, None, args.clients, args.writes)
    finally:
        echo.kill()
    ours, port, secret = launch(sys.executable, "ours")
    try:
        rate, samples = await load(port, secret, args.clients, args.writes)
        per_connection = await rss_per_connection(ours, port, secret, args.idle)
    finally:
        ours.kill()
    per_server, _ = rss_per_server(sys.executable, "ours")
    trame = trame_python()
    peer = None
    if trame is not None:
        theirs, port, secret = launch(str(trame), "trame", NO_DEFLATE)
        try:
            peer_rate, peer_samples = await load(port, secret, args.clients, args.writes)
            peer_per_connection = await rss_per_connection(theirs, port, secret, args.idle)
        finally:
            theirs.kill()
        peer = (peer_rate, peer_samples, peer_per_connection)

    total = args.clients * args.writes
    echo_median, echo_p99 = statistics.median(echo_samples), percentile(echo_samples, 0.99)
    median, p99 = statistics.median(samples), percentile(samples, 0.99)
    print(f"{args.clients} clients x {args.writes} writes each ({total:,} trame.state.update), loopback\n")
    print(
        f"baseline, raw aiohttp echo: {echo_rate:>10,.0f} messages/s  "
        f"round trip median {echo_median * 1e3:.2f} ms, p99 {echo_p99 * 1e3:.2f} ms"
    )
    print(
        f"trame_jupyter:              {rate:>10,.0f} updates/s   "
        f"round trip median {median * 1e3:.2f} ms, p99 {p99 * 1e3:.2f} ms"
    )
    print(
        f"  ratio to the echo: rate {rate / echo_rate:.2f}x, "
        f"median {median / echo_median:.2f}x, p99 {p99 / echo_p99:.2f}x"
    )
    if peer is not None:
        peer_rate, peer_samples, peer_per_connection = peer
        peer_median, peer_p99 = statistics.median(peer_samples), percentile(peer_samples, 0.99)
        print(
            f"trame 4 (compression off):  {peer_rate:>10,.0f} updates/s   "
            f"round trip median {peer_median * 1e3:.2f} ms, p99 {peer_p99 * 1e3:.2f} ms"
        )
        print(
            f"  ours / trame: rate {rate / peer_rate:.2f}x, median {median / peer_median:.2f}x, "
            f"p99 {p99 / peer_p99:.2f}x, RSS per connection {per_connection / peer_per_connection:.2f}x"
        )
    else:
        print("trame 4: not installed for benchmarks (python bench/trame_env.py); its row is skipped")
    print(f"\nRSS per idle authenticated connection: {per_connection / 1024:,.1f} KiB ({args.idle} connections)")
    print(f"RSS per extra idle server: {per_server / 1024:,.0f} KiB")


if __name__ == "__main__":
    asyncio.run(main())
