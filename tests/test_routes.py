"""The proxy's route table: files only their owner can write, dead kernels' routes cleaned up."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

from trame_jupyter.routes import Route, RouteTable


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def route(server_id: str = "k1-app", **fields) -> Route:
    return Route(**{"server_id": server_id, "name": "app", "port": 8123, "secret": "s", "pid": os.getpid(), **fields})


def test_routes_are_private_files_read_back_whole(tmp_path):
    table = RouteTable(tmp_path / "routes")
    path = table.write(route())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "routes").stat().st_mode) == 0o700
    assert table.load("k1-app") == route(created=table.load("k1-app").created)
    assert [r.server_id for r in table.routes()] == ["k1-app"]


def test_a_route_whose_process_is_gone_is_ignored_and_removed(tmp_path):
    table = RouteTable(tmp_path)
    table.write(route("k1-live"))
    stale = table.write(route("k1-dead", pid=dead_pid()))
    assert table.load("k1-dead") is None
    assert not stale.exists()
    assert [r.server_id for r in table.routes()] == ["k1-live"]


def test_remove_leaves_a_replacement_in_place(tmp_path):
    table = RouteTable(tmp_path)
    old = route(port=8001, secret="old")
    table.write(old)
    table.write(route(port=8002, secret="new"))  # a re-run took the same id
    assert table.remove(old) is False
    assert table.load("k1-app").port == 8002
    assert table.remove(route(port=8002, secret="new")) is True
    assert table.load("k1-app") is None


def test_ids_that_are_not_server_ids_are_never_files(tmp_path):
    table = RouteTable(tmp_path)
    for bad in ("../etc/passwd", "", "a/b", "-starts-with-dash", "x" * 65):
        assert table.load(bad) is None
    (tmp_path / "not json.json").write_text("{")
    assert table.routes() == []
