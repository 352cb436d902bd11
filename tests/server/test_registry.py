"""The process registry: get_server by name, unique keys, and the one re-run rule (with a host telling
which notebook cell runs, as the Jupyter kernel adapter does)."""

from __future__ import annotations

import pytest
from support.aio import running

from trame_jupyter import Server, get_server
from trame_jupyter.server.registry import Origin, registry


class CellHost:
    """A host whose 'current cell' the test sets, like a kernel running cells."""

    def __init__(self) -> None:
        self.now: Origin | None = None
        self.adopted: list[Server] = []

    def origin(self) -> Origin | None:
        return self.now

    def adopt(self, server: Server) -> None:
        self.adopted.append(server)

    def widget(self, view):
        return ("widget of", view.ui)


@pytest.fixture
def host(monkeypatch):
    cell_host = CellHost()
    monkeypatch.setattr(registry, "host", cell_host)
    return cell_host


def test_get_server_shares_by_name_without_a_host(monkeypatch):
    monkeypatch.setattr(registry, "host", None)
    assert get_server("reg-a") is get_server("reg-a")
    assert get_server("reg-a") is not get_server("reg-b")
    server = Server("direct")
    assert get_server(server) is server
    assert server in registry.servers() and get_server("reg-a") in registry.servers()


async def test_a_rerun_of_the_creating_cell_replaces_the_server(host):
    host.now = Origin("cell-1", "run-1")
    first = get_server("rerun-a")
    assert get_server("rerun-a") is first  # same run of the cell: the same server
    async with running(first):
        host.now = Origin("cell-2", "run-1")
        assert get_server("rerun-a") is first  # another cell uses it: shared
        host.now = Origin("cell-1", "run-2")  # the creating cell runs again
        second = get_server("rerun-a")
        assert second is not first
        assert registry.successor(first) is second
        assert second.key == first.key  # its views reconnect to the new server
        assert get_server("rerun-a") is second
        await first.stop()
    assert not first.running


async def test_each_rerun_replaces_the_newest_server_so_one_keeps_running(host):
    """A cell run four times: each run stops the server of the run before (not the oldest, long stopped),
    before the new one serves; one server runs, one port listens, and old views follow the chain."""
    servers = []
    for run in range(4):
        host.now = Origin("cell-app", f"run-{run}")
        server = get_server("rerun-chain")
        servers.append(server)
        server.start(exec_mode="task", port=0)
        await server.ready
        assert [s for s in servers if s.running and not s.stopping] == [server]
    try:
        for earlier in servers[:-1]:
            await earlier.stop()  # waits for the stop begun by the re-run
        assert [s for s in servers if s.running] == [servers[-1]]
        assert [registry.successor(s) for s in servers] == [*servers[1:], None]
        assert {s.key for s in servers} == {servers[0].key}
        assert get_server("rerun-chain") is servers[-1]
    finally:
        await servers[-1].stop()


def test_every_new_root_server_is_adopted_by_the_host(host):
    server = Server("adopt-a")
    child = server.create_child_server(prefix="c_")
    assert host.adopted == [server]
    assert child.root_server is server


async def test_two_live_servers_with_one_name_get_distinct_keys(host):
    host.now = Origin("cell-1", "run-1")
    first = Server("twin")
    async with running(first):
        host.now = Origin("cell-2", "run-1")  # another cell, not a re-run: both live
        second = Server("twin")
        assert (first.key, second.key) == ("twin", "twin-2")
        assert registry.successor(first) is None and first.running


def test_attaching_a_host_adopts_the_servers_that_exist(monkeypatch):
    monkeypatch.setattr(registry, "host", None)
    existing = Server("before-host")
    late = CellHost()
    registry.attach_host(late)
    assert existing in late.adopted


def test_widgets_come_from_the_host(host, monkeypatch):
    assert Server("w").view("side").widget == ("widget of", "side")
    monkeypatch.setattr(registry, "host", None)
    with pytest.raises(RuntimeError, match="Jupyter kernel"):
        _ = Server("w2").widget
