"""Core runtime benchmark (a script, not a test).

    python bench/core_bench.py [--rounds 1000] [--burst 20000]

Measures, in one run and over loopback, each server in its own process:
- state round trip: client ``trame.state.update(a)`` → Python ``@change`` sets ``b`` → the client
  receives ``b``; median of ``--rounds``, as a ratio to a plain aiohttp websocket echo (the baseline);
- push throughput: small server→client state updates per second (one flush per update);
- memory: RSS growth per extra idle server (20 servers on one loop).
trame 4 runs the same app beside ours when ``bench/.venv-trame`` exists (``python bench/trame_env.py``).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import struct
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp
import msgpack

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
from trame_env import trame_python  # noqa: E402

HEADER = struct.Struct("<III")
NO_DEFLATE = ("--no-ws-compress",)


class Client:
    """A lean wslink client: one frame per message, replies and publishes by id."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.counter = 0

    def frame(self, message: dict[str, Any]) -> bytes:
        payload = msgpack.packb(message)
        return HEADER.pack(int.from_bytes(os.urandom(4), "little"), 0, len(payload)) + payload

    async def receive(self) -> dict[str, Any]:
        """The next complete message (frames of one message are reassembled; others must not interleave)."""
        buffer = bytearray()
        while True:
            frame = (await self.ws.receive()).data
            _, offset, total = HEADER.unpack_from(frame)
            if offset == 0 and len(frame) - HEADER.size == total:
                return msgpack.unpackb(frame[HEADER.size :], raw=False)
            buffer += frame[HEADER.size :]
            if len(buffer) >= total:
                return msgpack.unpackb(bytes(buffer), raw=False)

    async def call(self, method: str, *args: Any) -> Any:
        self.counter += 1
        rpc_id = f"rpc:c:{self.counter}"
        await self.ws.send_bytes(self.frame({"wslink": "1.0", "id": rpc_id, "method": method, "args": list(args)}))
        while True:
            message = await self.receive()
            if message["id"] == rpc_id:
                return message.get("result")

    async def hello(self, secret: str) -> None:
        await self.ws.send_bytes(
            self.frame({"wslink": "1.0", "id": "system:c0:0", "method": "wslink.hello", "args": [{"secret": secret}]})
        )
        await self.receive()


def launch(python: str, kind: str, flags: tuple[str, ...] = ()) -> tuple[subprocess.Popen[str], int, str]:
    process = subprocess.Popen(
        [python, str(HERE / "_apps.py"), kind, *flags], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    for line in process.stdout:
        if line.startswith("READY"):
            _, port, secret = line.split()
            return process, int(port), secret
    raise RuntimeError(f"{kind} server did not start")


async def echo_round_trips(port: int, rounds: int) -> list[float]:
    async with aiohttp.ClientSession() as session, session.ws_connect(f"ws://127.0.0.1:{port}/ws") as ws:
        client = Client(ws)
        samples = []
        for i in range(rounds + 50):
            request = {
                "wslink": "1.0",
                "id": "rpc:c:1",
                "method": "trame.state.update",
                "args": [[{"key": "a", "value": i}]],
            }
            frame = client.frame(request)
            start = time.perf_counter()
            await ws.send_bytes(frame)
            await ws.receive()
            samples.append(time.perf_counter() - start)
        return samples[50:]


async def state_round_trips(port: int, secret: str, rounds: int) -> list[float]:
    async with aiohttp.ClientSession() as session, session.ws_connect(f"ws://127.0.0.1:{port}/ws") as ws:
        client = Client(ws)
        await client.hello(secret)
        await client.call("trame.state.get")
        samples = []
        for i in range(1, rounds + 51):
            start = time.perf_counter()
            await ws.send_bytes(
                client.frame(
                    {
                        "wslink": "1.0",
                        "id": f"rpc:c:u{i}",
                        "method": "trame.state.update",
                        "args": [[{"key": "a", "value": i}]],
                        "kwargs": {},
                    }
                )
            )
            while True:  # until the pushed b == i (the RPC reply may come before or after)
                message = await client.receive()
                result = message.get("result")
                if message["id"].startswith("publish:trame.state.topic") and result.get("b") == i:
                    break
            samples.append(time.perf_counter() - start)
        return samples[50:]


async def push_throughput(port: int, secret: str, count: int) -> float:
    async with aiohttp.ClientSession() as session, session.ws_connect(f"ws://127.0.0.1:{port}/ws") as ws:
        client = Client(ws)
        await client.hello(secret)
        await client.call("trame.state.get")
        start = time.perf_counter()
        request = {"wslink": "1.0", "id": "rpc:c:burst", "method": "trame.trigger", "args": ["burst", [count], {}]}
        await ws.send_bytes(client.frame(request))
        seen = 0
        while True:
            message = await client.receive()
            result = message.get("result")
            if message["id"].startswith("publish:trame.state.topic") and "counter" in result:
                seen += 1
                if result["counter"] == count - 1:
                    break
        elapsed = time.perf_counter() - start
        return seen / elapsed


def rss_per_server(python: str, kind: str) -> tuple[float, int]:
    output = subprocess.run(
        [python, str(HERE / "_apps.py"), f"rss-{kind}"], capture_output=True, text=True, timeout=120
    )
    for line in output.stdout.splitlines():
        if line.startswith("RSS"):
            _, per_server, ports = line.split()
            return float(per_server), int(ports)
    raise RuntimeError(f"rss-{kind} failed: {output.stderr[-2000:]}")


def describe(samples: list[float]) -> str:
    ordered = sorted(samples)
    p90 = ordered[int(len(ordered) * 0.9)]
    return f"median {statistics.median(samples) * 1e3:.3f} ms, p90 {p90 * 1e3:.3f} ms (n={len(samples)})"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=1000)
    parser.add_argument("--burst", type=int, default=20000)
    args = parser.parse_args()

    frameworks = [("trame_jupyter", sys.executable, "ours", ())]
    trame = trame_python()
    if trame is not None:
        # trame compresses websockets by default (permessage-deflate; ours does not in a kernel): both ways.
        frameworks.append(("trame 4, permessage-deflate on (its default)", str(trame), "trame", ()))
        frameworks.append(("trame 4, compression off (--no-ws-compress, as ours)", str(trame), "trame", NO_DEFLATE))
    else:
        print("trame: not installed for benchmarks (python bench/trame_env.py); its column is skipped\n")

    echo, echo_port, _ = launch(sys.executable, "echo")
    try:
        baseline = await echo_round_trips(echo_port, args.rounds)
    finally:
        echo.kill()
    base = statistics.median(baseline)
    print(f"baseline: raw aiohttp websocket echo        {describe(baseline)}")

    results = {}
    results_rss: dict[str, tuple[float, int]] = {}
    for label, python, kind, flags in frameworks:
        process, port, secret = launch(python, kind, flags)
        try:
            round_trip = await state_round_trips(port, secret, args.rounds)
            rate = await push_throughput(port, secret, args.burst)
        finally:
            process.kill()
        per_server, ports = rss_per_server(python, kind) if not flags else results_rss[kind]
        results_rss[kind] = (per_server, ports)
        results[label] = (statistics.median(round_trip), rate, per_server)
        print(f"\n{label}")
        print(f"  state round trip (update → @change → push)  {describe(round_trip)}")
        print(f"    ratio to raw websocket echo: {statistics.median(round_trip) / base:.2f}x")
        print(f"  server→client state updates: {rate:,.0f} /s ({args.burst} pushes, one flush each)")
        print(f"  RSS per extra idle server: {per_server / 1024:,.0f} KiB ({ports} servers, {ports} ports)")

    ours = results.pop("trame_jupyter")
    for name, theirs in results.items():
        print(
            f"\ntrame_jupyter vs {name}: round trip {ours[0] / theirs[0]:.2f}x, push rate {ours[1] / theirs[1]:.2f}x, "
            f"memory per server {ours[2] / theirs[2]:.2f}x (lower is better for round trip and memory)"
        )
    if results:
        print("\nThe headline ratio is the one against trame with compression off: like with like.")


if __name__ == "__main__":
    asyncio.run(main())
