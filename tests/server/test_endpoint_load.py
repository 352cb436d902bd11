"""Many clients at once: every client ends with the server's state, no acknowledged write is lost, and
connecting and disconnecting does not leak. (Heavier settings: ``bench/load_bench.py``.)"""

from __future__ import annotations

import asyncio
import gc
import random
from pathlib import Path

from support.aio import running
from support.wslink_client import MirrorClient, WslinkTestClient

from trame_jupyter import Server

CLIENTS = 50
WRITES = 100  # per client; the benchmark does 1 000
SHARED = ["s0", "s1", "s2", "s3", "s4"]


def rss_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def busy_server(name: str) -> Server:
    """Shared keys, each client's own key, and Python callbacks that write while clients write."""
    server = Server(name)
    state = server.state

    @state.change(*SHARED)
    def total(**values):
        state.total = sum(v for k, v in values.items() if k in SHARED and isinstance(v, int))

    @state.change("s0")
    def clamp(s0, **_):
        if isinstance(s0, int) and s0 > 900:
            state.s0 = 900  # a callback overriding what a client wrote: the writer must see 900

    state.update({key: 0 for key in SHARED})
    return server


async def test_fifty_clients_writing_shared_and_own_keys_all_end_with_the_servers_state():
    server = busy_server("load")
    async with running(server):
        url = f"ws://127.0.0.1:{server.port}/ws"
        clients = [MirrorClient() for _ in range(CLIENTS)]
        for client in clients:
            await client.connect(url, server.secret)
            await client.sync()

        last_own: dict[int, int] = {}

        async def writer(index: int, client: MirrorClient) -> None:
            rng = random.Random(index)
            for n in range(1, WRITES + 1):
                if rng.random() < 0.5 and n < WRITES:
                    await client.write({rng.choice(SHARED): rng.randrange(1000)})
                else:
                    await client.write({f"own{index}": n})
                    last_own[index] = n

        async def python_writes() -> None:
            for n in range(200):
                server.state.python = n
                await asyncio.sleep(0.001)

        await asyncio.gather(python_writes(), *(writer(i, c) for i, c in enumerate(clients)))
        await clients[0].write({"s0": 999})  # the last write of s0 is clamped by a callback: its writer sees 900
        for client in clients:  # a round trip each: everything published before is applied
            await client.call("trame.state.get")
        expected = {k: v for k, v in server.state.initial.items() if k not in server.state.trame__client_only}
        for index, client in enumerate(clients):
            differing = {k for k, v in expected.items() if client.state.get(k) != v}
            assert differing == set(), f"client {index} differs on {sorted(differing)}"
            assert server.state[f"own{index}"] == client.acknowledged[f"own{index}"] == last_own[index] == WRITES
        assert server.state.s0 <= 900
        for client in clients:
            await client.close()


async def test_connect_and_disconnect_a_thousand_times_without_leaking():
    server = Server("churn")
    async with running(server):
        url = f"ws://127.0.0.1:{server.port}/ws"

        async def cycle() -> None:
            client = WslinkTestClient()
            await client.connect(url, server.secret)
            await client.call("trame.state.get")
            await client.close()

        for _ in range(100):  # warm up allocators and caches
            await cycle()
        gc.collect()
        before = rss_bytes()
        for _ in range(1000):
            await cycle()
        gc.collect()
        assert server.protocol.endpoint.client_count == 0
        assert rss_bytes() - before < 16 * 1024 * 1024
