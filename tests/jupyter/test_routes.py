"""The proxy's route table: files only their owner can write, dead kernels' routes cleaned up."""

from __future__ import annotations

import json
import logging
import os
import stat
import subprocess
import sys

import pytest

from trame_jupyter.jupyter.routes import InvalidRouteError, Route, RouteTable


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


# -- malformed files: skipped with one warning each, never trusted, never fatal -------------------------------

VALID = {"name": "app", "port": 8123, "secret": "s3cret", "kernel_id": "0b6f3c1e-8a2d-4c39-9d0e-2f4a6b8c1d3e"}
REQUIRED = ("server_id", "name", "port", "secret", "pid")


MALFORMED = {
    "string pid": ("pid", {"pid": str(os.getpid())}),
    "string created": ("created", {"created": "yesterday"}),
    # json.dumps cannot write it: raw text that Python's json parses as inf.
    "infinite created": (
        "created",
        f'{{"server_id": "bad", "name": "a", "port": 8123, "secret": "s", "pid": {os.getpid()}, "created": 1e400}}',
    ),
    "port 0": ("port", {"port": 0}),
    "port 70000": ("port", {"port": 70000}),
    "string port": ("port", {"port": "80"}),
    "boolean port": ("port", {"port": True}),
    "float port": ("port", {"port": 8123.0}),
    "boolean pid": ("pid", {"pid": True}),
    "negative pid": ("pid", {"pid": -1}),
    "huge pid": ("pid", {"pid": 10**30}),
    "private host": ("host", {"host": "10.0.0.1"}),
    "remote host": ("host", {"host": "example.com"}),
    "wildcard host": ("host", {"host": "0.0.0.0"}),
    "header injection in ws_path": ("ws_path", {"ws_path": "/ws\r\nX-Injected: 1"}),
    "relative ws_path": ("ws_path", {"ws_path": "ws"}),
    "space in ws_path": ("ws_path", {"ws_path": "/w s"}),
    "non-ASCII ws_path": ("ws_path", {"ws_path": "/wé"}),
    "bad server_id": ("server_id", {"server_id": "../etc"}),
    "server_id of another file": ("server_id", {"server_id": "other"}),
    "long name": ("name", {"name": "n" * 1000}),
    "list name": ("name", {"name": ["app"]}),
    "empty secret": ("secret", {"secret": ""}),
    "secret with a newline": ("secret", {"secret": "a\nb"}),
    "numeric secret": ("secret", {"secret": 42}),
    "short kernel_id": ("kernel_id", {"kernel_id": "abc"}),
    "kernel_id object": ("kernel_id", {"kernel_id": {"id": "x"}}),
    "zero ws_max_msg_size": ("ws_max_msg_size", {"ws_max_msg_size": 0}),
    "string ws_max_msg_size": ("ws_max_msg_size", {"ws_max_msg_size": "10"}),
    **{f"missing {key}": (key, {key: None}) for key in REQUIRED},
    "not JSON": ("file", "{not json"),
    "NaN": ("file", '{"created": NaN}'),
    "not UTF-8": ("file", b'{"name": "\xff"}'),
    "a JSON list": ("file", "[1, 2]"),
    "a JSON string": ("file", '"route"'),
    "too large": ("file", " " * 70_000 + "{}"),
}


def write_raw(path, content) -> None:
    if isinstance(content, dict):  # a valid entry changed as the case says (a None value: the key is absent)
        base = {**VALID, "server_id": path.stem, "pid": os.getpid()}
        merged = {**base, **content}
        content = json.dumps({k: v for k, v in merged.items() if v is not None or k == "kernel_id"})
    path.write_bytes(content if isinstance(content, bytes) else content.encode())


@pytest.mark.parametrize(("field", "content"), MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_route_is_skipped_with_one_warning(tmp_path, caplog, field, content):
    table = RouteTable(tmp_path)
    good = table.write(route("k1-good"))
    write_raw(tmp_path / "bad.json", content)
    with caplog.at_level(logging.WARNING, logger="trame_jupyter.jupyter.routes"):
        assert table.load("bad") is None
        assert table.load("bad", check_alive=False) is None
        assert [r.server_id for r in table.routes()] == ["k1-good"]
        assert [r.server_id for r in table.routes()] == ["k1-good"]
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1, [r.getMessage() for r in warnings]  # once per file, not once per read
    message = warnings[0].getMessage()
    assert "bad.json" in message
    if field != "file":
        assert f"bad field {field!r}" in message
    assert "s3cret" not in message  # the secret is never logged
    assert "\n" not in message and "\r" not in message  # no forged log lines
    assert (tmp_path / "bad.json").exists() and good.exists()  # an untrusted file is not acted upon


def test_a_bad_file_is_reported_again_only_when_it_changes(tmp_path, caplog):
    table = RouteTable(tmp_path)
    path = tmp_path / "k1-bad.json"
    write_raw(path, {"pid": "1"})
    with caplog.at_level(logging.WARNING, logger="trame_jupyter.jupyter.routes"):
        for _ in range(3):
            assert table.routes() == []
        assert len(caplog.records) == 1
        write_raw(path, {"port": "80"})
        os.utime(path, ns=(0, path.stat().st_mtime_ns + 10**9))  # a new version even on a coarse clock
        assert table.routes() == []
        assert len(caplog.records) == 2 and "'port'" in caplog.records[1].getMessage()
        write_raw(path, {})  # repaired: listed, and forgotten as bad
        assert [r.server_id for r in table.routes()] == ["k1-bad"]
    assert len(caplog.records) == 2


def test_unknown_keys_are_ignored_and_optional_fields_default(tmp_path):
    table = RouteTable(tmp_path)
    entry = {"server_id": "k1-new", "name": "app", "port": 8123, "secret": "s", "pid": os.getpid(), "future": [1]}
    (tmp_path / "k1-new.json").write_text(json.dumps(entry))
    loaded = table.load("k1-new")
    assert loaded is not None and loaded.host == "127.0.0.1" and loaded.ws_path == "/ws" and loaded.kernel_id is None
    for host in ("127.0.0.1", "::1", "localhost"):
        (tmp_path / "k1-new.json").write_text(json.dumps({**entry, "host": host}))
        assert table.load("k1-new").connect_host in ("127.0.0.1", "::1")


def test_from_json_names_the_bad_field():
    data = {"server_id": "k1-app", "name": "app", "port": 8123, "secret": "s", "pid": 1}
    assert Route.from_json(data, "k1-app").port == 8123
    with pytest.raises(InvalidRouteError) as info:
        Route.from_json({**data, "created": "now"}, "k1-app")
    assert info.value.field == "created"
    with pytest.raises(InvalidRouteError) as info:
        Route.from_json(data, "k1-other")
    assert info.value.field == "server_id"


def test_the_writer_can_remove_a_route_the_reader_refuses(tmp_path):
    table = RouteTable(tmp_path)
    refused = route("k1-wild", host="0.0.0.0")  # the kernel builds it from its own options
    table.write(refused)
    assert table.load("k1-wild") is None
    assert table.remove(refused) is True
    assert not (tmp_path / "k1-wild.json").exists()


async def test_a_kernels_first_server_sweeps_routes_of_dead_kernels(tmp_path):
    from trame_jupyter import Server
    from trame_jupyter.jupyter.kernel.host import KernelHost

    table = RouteTable(tmp_path)
    stale = table.write(route("k0-killed", pid=dead_pid()))  # a kernel killed before it could clean up
    live = table.write(route("k0-other"))
    host = KernelHost(shell=None, routes=table)
    server = Server("sweep")
    host.adopt(server)
    server.start(exec_mode="task", port=0)
    await server.ready
    try:
        assert not stale.exists()
        assert live.exists()  # a live process's route stays
        assert [r.name for r in table.routes()].count("sweep") == 1
    finally:
        await server.stop()
    assert [r.server_id for r in table.routes()] == ["k0-other"]
