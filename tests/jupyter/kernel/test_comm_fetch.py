"""The server's files fetched over the kernel comm (no HTTP port): the page, its scripts, a module's served
files; what is not served, too large or malformed is refused with a status, bursts are bounded."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from support.comm_front_end import FETCH, FETCH_APP, CommClient, Fetcher, FrontEnd, assert_server_unaffected
from support.jupyter_harness import wait_cell
from support.memory import peak_memory, peak_memory_reset

from trame_jupyter.core.contract import COMM_CLOSE_NOT_FOUND
from trame_jupyter.server.transports import fetch as _fetch

pytestmark = pytest.mark.jupyter

BIG = 4 * 1024 * 1024  # __fx/big.bin
#: The comm channels of the ``fetching`` server, in the kernel.
CHANNELS = (
    "fetching.runtime_listener(__import__('trame_jupyter.jupyter.kernel.comm_target', fromlist=['_'])"
    ".CommCloser).channels"
)


@pytest.fixture(scope="module")
def fetching(front_end: FrontEnd) -> dict[str, Any]:
    """A server with served files and a widget package, displayed in the kernel (``fetching`` there)."""
    front_end.show("comm")  # the kernel's namespace has the app the fetch tests build on
    front_end.execute(FETCH_APP)
    return front_end.bundle


def test_fetch_the_page_and_its_scripts_over_the_comm(front_end, fetching):
    fetcher = Fetcher(front_end, fetching["server_id"])
    status, mime, page = fetcher.get("index.html")
    assert status == 200 and mime.startswith("text/html")
    scripts = re.findall(r'(?:src|href)="\.?/?(trame-jupyter-client/[^"]+)"', page.decode())
    assert scripts, page[:500]
    for path in scripts:
        status, mime, body = fetcher.get(path)
        assert status == 200 and body, path
        assert mime.split(";")[0] in ("text/javascript", "application/javascript", "text/css"), (path, mime)
    # What the page gets over HTTP, byte for byte.
    assert page == front_end.value("pathlib.Path(fetching.static_files.resolve('index.html')).read_text()").encode()
    front_end.close(fetcher.comm_id)


def test_fetch_a_modules_served_files(front_end, fetching):
    fetcher = Fetcher(front_end, fetching["server_id"])
    assert fetcher.get("__fx/hello.js")[::2] == (200, b"console.log('hello')")
    assert fetcher.get("__fx/hello.js?v=2#x")[::2] == (200, b"console.log('hello')")  # query ignored, as on HTTP
    status, mime, body = fetcher.get("__fx/with%20space.css")
    assert (status, mime.split(";")[0], body) == (200, "text/css", b"a { color: red }")
    status, mime, body = fetcher.get("__fx/big.bin")  # 4 MiB: read on a thread, one buffer
    assert status == 200 and body == bytes(range(256)) * 16384
    # A widget package's assets, as the page asks for them (trame-vuetify's scripts and styles).
    assets = front_end.value("fetching.state.trame__scripts + fetching.state.trame__styles")
    assert any("vuetify3.js" in path for path in assets), assets
    for path in assets:
        status, _, body = fetcher.get(path)
        assert status == 200 and body, path
    front_end.close(fetcher.comm_id)


@pytest.mark.parametrize(
    ("path", "statuses"),
    [
        ("__fx/nope.js", {404}),
        ("nope.html", {404}),
        ("__nothing_served_here/x.js", {404}),
        ("__fx/../secret.txt", {403, 404}),
        ("__fx/%2e%2e/secret.txt", {403, 404}),
        ("__fx/%2E%2E%2Fsecret.txt", {403, 404}),
        ("%2e%2e/%2e%2e/%2e%2e/etc/passwd", {403, 404}),
        ("../../../../etc/passwd", {403, 404}),
        ("/etc/passwd", {403, 404}),
        ("__fx//etc/passwd", {403, 404}),
        ("__fx/%2Fetc%2Fpasswd", {403, 404}),
        ("__fx/out.txt", {403, 404}),
        ("__fx/sub", {403}),
        ("__fx/", {403}),
        ("__fx/hello.js%00.png", {403, 404}),
    ],
)
def test_fetch_refuses_what_is_not_served(front_end, fetching, path, statuses):
    fetcher = Fetcher(front_end, fetching["server_id"])
    status, _, body = fetcher.get(path)
    assert status in statuses and body is None, (path, status)
    assert fetcher.get("__fx/hello.js")[0] == 200  # the comm is still open and answering
    front_end.close(fetcher.comm_id)


def test_a_path_the_file_system_refuses_is_not_found_and_prints_nothing(front_end, fetching):
    """A component over the file system's 255-byte limit (``OSError: File name too long``): 404, and no
    traceback reaches the notebook (the kernel's stderr is IOPub)."""
    fetcher = Fetcher(front_end, fetching["server_id"])
    front_end.settle(0.3)
    front_end.outputs.clear()
    long = "a" * 300
    for path in (long, f"{long}/x.js", f"__fx/{long}", f"__fx/{long}/x.js", f"__fx/%61{long}"):
        status, _, body = fetcher.get(path)
        assert (status, body) == (404, None), path[-20:]
    front_end.settle(1.0)  # the kernel flushes what it prints every 0.2 s: let any of it arrive
    printed = [m["content"].get("text") or m["content"].get("ename") for m in front_end.outputs]
    assert printed == [], printed
    assert fetcher.get("__fx/hello.js")[0] == 200
    front_end.close(fetcher.comm_id)


def test_fetch_refuses_oversized_files_and_bad_requests(front_end, fetching):
    fetcher = Fetcher(front_end, fetching["server_id"])
    data, buffers = fetcher.reply(fetcher.request("__fx/huge.bin"))
    assert (data["status"], buffers) == (413, []) and "limit" in data["reason"]
    for bad in (None, 12, ""):
        data, buffers = fetcher.reply(fetcher.request(bad))
        assert data["status"] == 400 and buffers == []
    fetcher.front_end.message(fetcher.comm_id, {"type": FETCH, "id": "one", "path": "index.html"})
    data, _ = fetcher.reply(None)
    assert data["status"] == 400 and "integer id" in data["reason"]
    assert fetcher.get("__fx/hello.js")[0] == 200
    assert_server_unaffected(front_end, fetching["server_id"])
    front_end.close(fetcher.comm_id)


def test_fetches_and_frames_share_a_comm(front_end, fetching):
    before = front_end.value("fetching.protocol.endpoint.client_count")
    client = CommClient(front_end, fetching["server_id"])
    fetcher = Fetcher(front_end, fetching["server_id"], client)
    assert fetcher.get("index.html")[0] == 200
    time.sleep(0.2)
    assert front_end.value("fetching.protocol.endpoint.client_count") == before  # only fetching: no client
    # Fetch replies interleave with frames on the comm: let the client skip them.
    client.hello()
    assert client.call("trame.trigger", "double", [21]) == 42
    assert front_end.value("fetching.protocol.endpoint.client_count") == before + 1
    request_id = fetcher.request("__fx/hello.js")
    assert client.call("trame.trigger", "double", [1]) == 2
    data, buffers = fetcher.reply(request_id)
    assert data["status"] == 200 and buffers == [b"console.log('hello')"]
    front_end.close(client.comm_id)


def test_a_burst_of_fetches_is_answered_or_refused_busy(front_end, fetching):
    fetcher = Fetcher(front_end, fetching["server_id"])
    ids = [fetcher.request("__fx/big.bin") for _ in range(150)]
    statuses = [fetcher.reply(i, timeout=60)[0]["status"] for i in ids]
    # At least what fits in the bytes in flight at once is served (more, as the kernel sends replies out).
    fits = _fetch.MAX_BYTES_IN_FLIGHT // BIG
    assert set(statuses) <= {200, 503} and statuses.count(200) >= fits, statuses
    assert fetcher.get("__fx/hello.js")[0] == 200  # and then served again
    assert_server_unaffected(front_end, fetching["server_id"])
    front_end.close(fetcher.comm_id)


def test_a_fetch_flood_holds_the_kernels_memory_to_the_cap(front_end, fetching):
    """A reply counts as in flight until the kernel has sent it out (its buffer released): a flood of 4 MiB
    fetches grows the kernel's memory by about the cap on bytes in flight (64 MiB), not by the flood (it
    grew by 220-320 MiB when only the number of fetches being read was capped)."""
    pid = front_end.value("__import__('os').getpid()")
    fetcher = Fetcher(front_end, fetching["server_id"])
    assert fetcher.get("__fx/big.bin")[0] == 200
    peak_memory_reset(pid)
    before = peak_memory(pid)
    ids = [fetcher.request("__fx/big.bin") for _ in range(150)]
    replies = [fetcher.reply(i, timeout=60)[0] for i in ids]
    grown = peak_memory(pid) - before
    assert grown < 2 * _fetch.MAX_BYTES_IN_FLIGHT, f"the kernel's peak memory grew by {grown / 2**20:.0f} MiB"
    statuses = [reply["status"] for reply in replies]
    assert set(statuses) <= {200, 503} and 200 in statuses, statuses
    busy = {reply["reason"] for reply in replies if reply["status"] == 503}
    assert all("in flight on this comm" in reason or "fetches at once" in reason for reason in busy), busy
    high_water = front_end.value(f"[c.on_fetch.__self__.in_flight.high_water for c in {CHANNELS}]")
    assert high_water and max(high_water) <= _fetch.MAX_BYTES_IN_FLIGHT, high_water
    # Sent out, the replies no longer count: one after another, many times the cap is served.
    for _ in range(3 * _fetch.MAX_BYTES_IN_FLIGHT // BIG):
        assert fetcher.get("__fx/big.bin")[0] == 200
    front_end.execute("from trame_jupyter.server.registry import registry as _registry")
    assert front_end.execute(wait_cell("_registry.host.fetch_budget.in_use == 0")).strip().endswith("OK")
    front_end.close(fetcher.comm_id)


def test_stop_closes_a_comm_that_only_fetched(front_end, fetching):
    fetcher = Fetcher(front_end, fetching["server_id"])
    assert fetcher.get("__fx/hello.js")[0] == 200
    front_end.execute("await fetching.stop()")
    assert front_end.wait_closed(fetcher.comm_id)["code"] == 1001
    comm_id = front_end.open({"server_id": fetching["server_id"]})
    assert front_end.wait_closed(comm_id)["code"] == COMM_CLOSE_NOT_FOUND
