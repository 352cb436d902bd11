"""Server lifecycle: exec modes, start/stop/restart, ready, idle timeout, CLI, many servers at once."""

import asyncio
import concurrent.futures
import contextlib
import os
import re
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from urllib.parse import unquote

import pytest
from support.aio import client_of, run_coroutine, running, wait_until
from support.wslink_client import WslinkTestClient

from trame_jupyter import Server
from trame_jupyter.server.cli import StartError

URL_LINE = re.compile(r"http://localhost:(\d+)/index\.html#secret=(\S+)")


async def test_task_mode_binds_before_returning_and_serves():
    server = Server("l1")
    task = server.start(exec_mode="task", port=0)
    assert isinstance(task, asyncio.Task)
    assert server.port > 0  # known before any await
    assert server.running
    assert server.url == f"http://localhost:{server.port}/index.html#secret={server.secret}"
    assert server.start(exec_mode="task") is None  # second start is a no-op
    assert await server.ready is True
    async with client_of(server) as client:
        assert (await client.call("trame.state.get"))["name"] == "l1"
    await server.stop()
    assert task.done() and not server.running


async def test_stop_then_start_again_on_a_new_port_with_a_new_secret():
    server = Server("l2")
    calls = []
    server.controller.on_server_ready.add(lambda **_: calls.append("ready"))
    server.controller.on_server_exited.add(lambda **_: calls.append("exited"))
    async with running(server):
        first_port, first_secret = server.port, server.secret
    assert calls == ["ready", "exited"]
    async with running(server):
        assert server.secret != first_secret
        async with client_of(server) as client:
            assert (await client.call("trame.state.get"))["name"] == "l2"
    assert calls == ["ready", "exited", "ready", "exited"]
    assert server.port > 0 and first_port > 0


async def test_stop_works_without_await():
    server = Server("l3")
    server.start(exec_mode="task", port=0)
    await server.ready
    server.stop()  # as a notebook user would write it
    await wait_until(lambda: not server.running, what="the server to stop")


async def test_ready_is_false_when_the_start_task_is_cancelled():
    server = Server("l4")
    task = server.start(exec_mode="task", port=0)
    ready = server.ready
    task.cancel()
    assert await ready is False
    assert not server.running


async def test_ready_is_reset_by_stop():
    server = Server("l5")
    async with running(server):
        first = server.ready
        assert first.done()
    second = server.ready
    assert second is not first and not second.done()
    server.start(exec_mode="task", port=0)
    assert await second is True
    await server.stop()


async def test_coroutine_mode_returns_a_coroutine_and_resets_when_done():
    server = Server("l6")
    coroutine = server.start(exec_mode="coroutine", port=0)
    assert asyncio.iscoroutine(coroutine)
    assert server.port > 0
    task = asyncio.ensure_future(coroutine)
    await server.ready
    async with client_of(server) as client:
        assert await client.call("trame.state.get")
    await server.stop()
    await task
    assert not server.running  # trame leaves coroutine-mode servers "running" forever


async def test_stopping_an_unscheduled_coroutine_releases_the_port():
    server = Server("l7")
    coroutine = server.start(exec_mode="coroutine", port=0)
    port = server.port
    await server.stop()
    coroutine.close()
    assert not server.running
    again = Server("l7b")
    async with running(again, port=port):  # the port is free again
        assert again.port == port


async def test_idle_timeout_stops_only_without_clients():
    server = Server("l8")
    server.start(exec_mode="task", port=0, timeout=0.3)
    await server.ready
    async with client_of(server):
        await asyncio.sleep(0.5)  # longer than the timeout: nothing may happen while a client is there
        assert server.running  # a connected client keeps it alive
    await wait_until(lambda: not server.running, what="the idle timeout")
    assert not server.ready.done()  # reset by the timeout stop too


async def test_main_mode_inside_a_running_loop_becomes_a_task(capsys):
    server = Server("l9")
    task = server.start(port=0)
    assert isinstance(task, asyncio.Task)
    assert "started as a task" in capsys.readouterr().out
    await server.ready
    await server.stop()


async def test_twenty_servers_on_one_loop_are_isolated():
    servers = [Server(f"many{i}") for i in range(20)]
    for i, server in enumerate(servers):
        server.state.ident = i
        server.start(exec_mode="task", port=0)
    await asyncio.gather(*(s.ready for s in servers))
    assert len({s.port for s in servers}) == 20
    assert len({s.secret for s in servers}) == 20
    clients = [WslinkTestClient() for _ in servers]
    try:
        for server, client in zip(servers, clients, strict=True):
            await client.connect(f"ws://127.0.0.1:{server.port}/ws", server.secret)
        states = await asyncio.gather(*(c.call("trame.state.get") for c in clients))
        assert [s["state"]["ident"] for s in states] == list(range(20))
        await clients[3].call("trame.state.update", [{"key": "ident", "value": 300}])
        assert servers[3].state.ident == 300
        assert [s.state.ident for s in servers if s is not servers[3]] == [i for i in range(20) if i != 3]
        for client in clients[:3] + clients[4:]:
            assert await client.no_publish("trame.state.topic", 0.05)  # no cross-server traffic
        # a secret of one server does not open another
        intruder = WslinkTestClient()
        await intruder.open(f"ws://127.0.0.1:{servers[0].port}/ws")
        with pytest.raises(Exception, match="Authentication"):
            await intruder.hello(servers[1].secret)
        await intruder.close()
    finally:
        for client in clients:
            await client.close()
        await asyncio.gather(*(s.stop() for s in servers))


async def test_trame_args_and_secrets(monkeypatch, tmp_path):
    key_file = tmp_path / "key"
    key_file.write_text("from-a-file\n")
    monkeypatch.setenv("TRAME_ARGS", f"--authKeyFile {key_file} --timeout 0")
    server = Server("l10")
    async with running(server):
        assert server.secret == "from-a-file"
        assert server.server_options.authKeyFile == str(key_file)
    monkeypatch.setenv("TRAME_ARGS", "--authKey wslink-secret")
    with pytest.raises(StartError, match="public"):
        server.start(exec_mode="task")


async def test_host_from_environment(monkeypatch):
    monkeypatch.setenv("TRAME_DEFAULT_HOST", "127.0.0.1")
    server = Server("l11")
    async with running(server):
        assert server.url.startswith(f"http://127.0.0.1:{server.port}/")


def test_cli_parser_ignores_unknown_arguments():
    server = Server("l12")
    server.cli.add_argument("--data", default="x")
    args, unknown = server.cli.parse_known_args(["-f", "/kernel.json", "--data", "y"])
    assert args.data == "y" and unknown == ["-f", "/kernel.json"]


def test_thread_mode_serves_from_a_worker_thread():
    server = Server("l13")
    errors = []

    def serve():
        try:
            server.start(exec_mode="main", thread=True, port=0, open_browser=False, show_connection_info=False)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    worker = threading.Thread(target=serve, daemon=True)
    worker.start()
    deadline = time.monotonic() + 5
    while not server.running:  # the worker has bound the socket
        assert time.monotonic() < deadline
        time.sleep(0.01)
    # From a thread without an event loop (not this one: Playwright's sync API may hold a loop here),
    # ready is a concurrent future that resolves once the worker serves.
    with concurrent.futures.ThreadPoolExecutor(1) as other:
        assert other.submit(lambda: server.ready.result(5)).result() is True

    async def talk():
        async with client_of(server) as client:
            return await client.call("trame.state.get")

    assert run_coroutine(talk())["name"] == "l13"
    server.stop().result(5)  # from another thread: goes through the server's loop
    worker.join(5)
    assert not worker.is_alive() and errors == [] and not server.running


# -- scripts (main and desktop modes) in subprocesses -------------------------------------------------


@contextlib.contextmanager
def spawned(args, **env):
    """A Python subprocess with its output piped; killed (if still running) and reaped at the end."""
    with subprocess.Popen(
        [sys.executable, *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env={**os.environ, **env}
    ) as process:
        try:
            yield process
        finally:
            process.kill()


def _read_url(process, timeout=20):
    deadline = time.monotonic() + timeout
    lines = []
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line)
        match = URL_LINE.search(line)
        if match:
            return int(match.group(1)), unquote(match.group(2))
    process.kill()
    raise AssertionError("no URL printed:\n" + "".join(lines))


def test_main_mode_script_serves_until_interrupted():
    with spawned(["-m", "trame_jupyter.examples.hello", "--port", "0", "--server"]) as process:
        port, secret = _read_url(process)

        async def use():
            client = WslinkTestClient()
            await client.connect(f"ws://127.0.0.1:{port}/ws", secret)
            await client.call("trame.state.update", [{"key": "resolution", "value": 12}])
            label = await client.state_update("label")
            await client.close()
            return label

        assert run_coroutine(use()) == "resolution 12"
        process.send_signal(signal.SIGINT)
        assert process.wait(10) == 0


def test_main_mode_idle_timeout_and_client_exit():
    with spawned(["-m", "trame_jupyter.examples.hello", "--port", "0", "--server", "--timeout", "1"]) as process:
        _read_url(process)
        assert process.wait(10) == 0  # nobody connected: stopped by the idle timeout
    with spawned(["-m", "trame_jupyter.examples.hello", "-p", "0", "--server"]) as process:
        port, secret = _read_url(process)

        async def quit_app():
            client = WslinkTestClient()
            await client.connect(f"ws://127.0.0.1:{port}/ws", secret)
            await client.call("application.exit")  # allowed for a script's own server
            await client.close()

        run_coroutine(quit_app())
        assert process.wait(10) == 0


DESKTOP_APP = textwrap.dedent(
    """
    import sys
    from trame_jupyter.examples.hello import build
    server = build()
    server.controller.on_client_connected.add(lambda: print("window connected", flush=True))
    server.controller.on_server_exited.add(lambda **_: print("server exited", flush=True))
    server.start(exec_mode="desktop", browser="/usr/bin/chromium",
                 browser_args=["--headless=new", "--disable-gpu", f"--user-data-dir={sys.argv[1]}"])
    print("start returned", flush=True)
    """
)


@pytest.mark.browser
def test_desktop_mode_stops_when_the_window_closes(tmp_path):
    if not Path("/usr/bin/chromium").exists():
        pytest.fail("Debian's chromium is required (scripts/system-deps.sh installs it)")
    profile = tmp_path / "profile"
    try:
        with spawned(["-c", DESKTOP_APP, str(profile)]) as process:
            deadline = time.monotonic() + 30
            output = []
            while time.monotonic() < deadline:
                line = process.stdout.readline()
                output.append(line)
                if "window connected" in line:
                    break
            assert "window connected" in "".join(output), "".join(output)
            subprocess.run(["pkill", "-f", str(profile)], check=False)  # the user closes the window
            assert process.wait(15) == 0
            rest = process.stdout.read()
            assert "server exited" in rest and "start returned" in rest
    finally:
        subprocess.run(["pkill", "-f", str(profile)], check=False)  # no window left behind


async def test_stop_handle_reads_well_as_a_cell_result():
    server = Server("l14")
    server.start(exec_mode="task", port=0)
    await server.ready
    handle = server.stop()
    assert repr(handle) == "<stopping trame_jupyter server 'l14'>"
    await handle
    assert repr(handle) == "<stopped trame_jupyter server 'l14'>" and not server.running


async def test_a_failing_bind_hook_leaves_nothing_half_started():
    server = Server("l15")

    def broken(runner):
        raise RuntimeError("hook failed")

    server.controller.on_server_bind.add(broken)
    with pytest.raises(RuntimeError, match="hook failed"):
        server.start(exec_mode="task", port=0)
    assert not server.running
    server.controller.on_server_bind.discard(broken)
    async with running(server):
        assert server.running


def test_stopping_a_coroutine_server_before_it_runs():
    def scenario() -> tuple[bool, bool]:  # in a thread with no event loop, as a plain script would be
        server = Server("l16")
        coroutine = server.start(exec_mode="coroutine", port=0)
        handle = server.stop()  # no loop runs the server yet: the port is released at once
        released = handle.done() and not server.running
        asyncio.run(coroutine)  # returns at once instead of failing
        return released, server.running

    with concurrent.futures.ThreadPoolExecutor(1) as worker:
        assert worker.submit(scenario).result(10) == (True, False)


async def test_callbacks_of_values_written_before_start_have_run_when_start_returns():
    """What a callback computes from a default is there when the cell that displays the app ends,
    however late a browser connects (issue: notebook 04 under Run All)."""
    server = Server("l15")

    @server.state.change("frequency")
    def render(frequency, **_):
        server.state.plot = f"plot of {frequency}"

    server.state.setdefault("frequency", 2)
    server.start(exec_mode="task", port=0)
    assert server.state.plot == "plot of 2"  # no await: the server has not served yet
    with server.state:
        server.state.frequency = 7
    assert server.state.plot == "plot of 7"
    await server.ready
    await server.stop()
