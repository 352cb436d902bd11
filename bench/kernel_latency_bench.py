"""Kernel ↔ browser latency benchmark (a script, not a test): where a comm round trip's time goes between
an ipykernel and JupyterLab, leg by leg, in one run.

    python bench/kernel_latency_bench.py [--rounds 100] [--no-browser] [--gateway]

Every leg echoes small messages through a comm target of the kernel (``bench_echo``: each ``comm_msg``
is sent straight back) and times request → echo, one message in flight at a time (after a warm-up):

1. ZMQ: ``jupyter_client`` on the kernel's own channels (shell in, IOPub out), no Jupyter server.
2. Kernel websocket: a raw aiohttp client on the server's ``/api/kernels/<id>/channels``, with the
   legacy JSON protocol and with the ``v1.kernel.websocket.jupyter.org`` binary one. Also timed: when the
   ``status: busy`` the kernel sends before the echo arrived, which tells a slow kernel from a held frame.
3. Headless Chromium (Debian's, driven by Playwright): a page of the server's origin without JupyterLab
   opens its own ``WebSocket`` on the same channels (legacy JSON): the browser's network stack alone.
4. JupyterLab in the same Chromium, in a notebook:
   a. comm echo over Lab's own kernel connection (``kernel.createComm``);
   b. ipywidgets: an ``IntSlider`` is set as a dragged one is (``model.set`` + ``save_changes``), Python
      observes it and sets a second slider, until that slider's readout shows the value.

The legs run against two ``jupyter lab`` servers with our extension, one after the other: as shipped
(our extension turns Nagle's algorithm off on the kernel websockets, ``serverext/nodelay.py``) and with
``--TrameJupyterExtension.kernel_ws_nodelay=False`` (stock Jupyter: tornado leaves Nagle on). The
difference between the two is the figure: a reply that follows another small frame waits for that
frame's ACK, which the client delays by up to 40 ms. ``--no-browser`` runs legs 1 and 2 only
(``jupyter server``, no Lab or Chromium). All legs of a server use the same kernel (the notebook's).

``--gateway`` adds leg 2 with the kernel behind a real Jupyter Kernel Gateway (``jupyter-kernel-gateway``,
``--gateway-url``): the gateway's own kernel websocket is one more tornado leg with Nagle on, which our
extension cannot reach; measured stock, with our extension, and with the gateway started with
``--KernelGatewayApp.kernel_websocket_connection_class`` set to our ``NoDelayZMQChannelsWebsocketConnection``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import aiohttp
import requests
from jupyter_client import BlockingKernelClient
from jupyter_client.session import Session
from jupyter_server.services.kernels.connection.base import deserialize_msg_from_ws_v1, serialize_msg_to_ws_v1

HERE = Path(__file__).parent
sys.path[:0] = [str(HERE), str(HERE.parent / "tests")]
from _common import progress  # noqa: E402
from browser_roundtrip import percentile  # noqa: E402
from support.chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from support.jupyter_harness import JupyterServer, Kernel, free_port, start_jupyter, stop_jupyter  # noqa: E402

WARMUP = 10
V1 = "v1.kernel.websocket.jupyter.org"
NAGLE_ON = "--TrameJupyterExtension.kernel_ws_nodelay=False"
GATEWAY_NODELAY = "trame_jupyter.jupyter.serverext.nodelay.NoDelayZMQChannelsWebsocketConnection"

ECHO_TARGET = """
from comm import get_comm_manager
def _bench_echo(comm, _open):
    comm.on_msg(lambda msg: comm.send(msg["content"]["data"]))
get_comm_manager().register_target("bench_echo", _bench_echo)
"""

WIDGETS = """
import ipywidgets as widgets
source = widgets.IntSlider(max=1_000_000, description="a")
target = widgets.IntSlider(max=1_000_000, description="b")
def _copy(change):
    target.value = change["new"]
source.observe(_copy, "value")
display(widgets.VBox([source, target]))
"""

LAB_COMM_ECHO = """
async ({ rounds, warmup }) => {
  const kernel = jupyterapp.shell.currentWidget.sessionContext.session.kernel;
  const comm = kernel.createComm('bench_echo');
  let waiting = null;
  comm.onMsg = (msg) => {
    if (waiting && msg.content.data.i === waiting.i) waiting.resolve(performance.now());
  };
  await comm.open({}).done;
  const times = [];
  for (let i = 0; i < warmup + rounds; i += 1) {
    const arrived = new Promise((resolve) => { waiting = { i, resolve }; });
    const start = performance.now();
    comm.send({ i });
    const end = await arrived;
    if (i >= warmup) times.push(end - start);
  }
  comm.close();
  return times;
}
"""

# A page of the server's origin (no JupyterLab) with its own WebSocket on the kernel's channels, legacy JSON.
BROWSER_WS_ECHO = """
async ({ url, rounds, warmup }) => {
  const ws = new WebSocket(url);
  await new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = reject; });
  const session = `bench-${Math.random()}`;
  let count = 0;
  const send = (msg_type, content) => ws.send(JSON.stringify({
    channel: 'shell', buffers: [], parent_header: {}, metadata: {}, content,
    header: { msg_id: `${session}-${count++}`, msg_type, session, username: '', version: '5.3',
              date: new Date().toISOString() },
  }));
  let waiting = null;
  ws.onmessage = (event) => {
    const msg = JSON.parse(event.data);
    if (waiting && msg.header.msg_type === 'comm_msg' && msg.content.data.i === waiting.i) {
      waiting.resolve(performance.now());
    }
  };
  send('comm_open', { comm_id: session, target_name: 'bench_echo', data: {} });
  const times = [];
  for (let i = 0; i < warmup + rounds; i += 1) {
    const arrived = new Promise((resolve) => { waiting = { i, resolve }; });
    const start = performance.now();
    send('comm_msg', { comm_id: session, data: { i } });
    const end = await arrived;
    if (i >= warmup) times.push(end - start);
  }
  send('comm_close', { comm_id: session, data: {} });
  ws.close();
  return times;
}
"""

# The renderer of a widget output keeps its manager in `_manager` (a PromiseDelegate).
WIDGET_ROUND_TRIPS = """
async ({ rounds, warmup, ids, index }) => {
  const cell = jupyterapp.shell.currentWidget.content.widgets[index];
  const find = (w) => w._manager?.promise ? w : (w.widgets || []).map(find).find(Boolean);
  const manager = await find(cell.outputArea)._manager.promise;
  const [source, target] = await Promise.all(ids.map((id) => manager.get_model(id)));
  const readout = (await Object.values(target.views)[0]).el.querySelector('.widget-readout');
  const once = (value) => new Promise((resolve) => {
    const observer = new MutationObserver(() => {
      if (readout.textContent.trim() === String(value) && target.get('value') === value) {
        observer.disconnect();
        resolve(performance.now() - start);
      }
    });
    observer.observe(readout, { childList: true, characterData: true, subtree: true });
    const start = performance.now();
    source.set('value', value);
    source.save_changes();
  });
  const times = [];
  for (let i = 0; i < warmup + rounds; i += 1) {
    const elapsed = await once(1000 + i);
    if (i >= warmup) times.push(elapsed);
  }
  return times;
}
"""


def zmq_round_trips(client: BlockingKernelClient, rounds: int) -> list[float]:
    """Leg 1: comm echo over the kernel's ZMQ channels; seconds per round."""
    session = client.session
    comm_id = uuid.uuid4().hex
    client.shell_channel.send(session.msg("comm_open", {"comm_id": comm_id, "target_name": "bench_echo", "data": {}}))
    samples = []
    for i in range(WARMUP + rounds):
        message = session.msg("comm_msg", {"comm_id": comm_id, "data": {"i": i}})
        start = time.perf_counter()
        client.shell_channel.send(message)
        while True:
            reply = client.get_iopub_msg(timeout=10)  # IOPub carries every client's traffic: match the parent
            if reply["msg_type"] == "comm_msg" and reply["parent_header"].get("msg_id") == message["header"]["msg_id"]:
                break
        samples.append(time.perf_counter() - start)
    client.shell_channel.send(session.msg("comm_close", {"comm_id": comm_id, "data": {}}))
    return samples[WARMUP:]


async def websocket_round_trips(jupyter: JupyterServer, kernel_id: str, rounds: int, v1: bool) -> dict[str, list]:
    """Leg 2: comm echo through the kernel websocket; seconds to the echo and to its ``status: busy``."""
    session = Session()
    url = jupyter.ws_url(f"api/kernels/{kernel_id}/channels?session_id={session.session}")

    def frame(msg_type: str, content: dict[str, Any]) -> tuple[Any, str]:
        """A shell message as a websocket frame, and its message id."""
        message = session.msg(msg_type, content)
        if v1:
            return serialize_msg_to_ws_v1(message, "shell", session.pack), message["header"]["msg_id"]
        return json.dumps({**message, "channel": "shell", "buffers": []}, default=str), message["header"]["msg_id"]

    def parse(data: Any) -> tuple[str, str, dict[str, Any]]:
        """A frame's message type, parent message id and content."""
        if isinstance(data, str):
            message = json.loads(data)
            header, parent, content = message["header"], message["parent_header"], message["content"]
        else:
            _channel, parts = deserialize_msg_from_ws_v1(data)
            header, parent, _metadata, content = (json.loads(part) for part in parts[:4])
        return header["msg_type"], parent.get("msg_id", ""), content

    async with aiohttp.ClientSession(headers={"Authorization": f"token {jupyter.token}"}) as http:
        ws = await http.ws_connect(url, protocols=[V1] if v1 else [], max_msg_size=0)
        assert ws.protocol == (V1 if v1 else None), f"subprotocol {ws.protocol!r}"
        send = ws.send_bytes if v1 else ws.send_str
        comm_id = uuid.uuid4().hex
        await send(frame("comm_open", {"comm_id": comm_id, "target_name": "bench_echo", "data": {}})[0])
        echo, busy = [], []
        for i in range(WARMUP + rounds):
            request, request_id = frame("comm_msg", {"comm_id": comm_id, "data": {"i": i}})
            start = time.perf_counter()
            await send(request)
            busy_at = None
            while True:
                msg_type, parent_id, content = parse((await ws.receive()).data)
                if msg_type == "status" and parent_id == request_id and content["execution_state"] == "busy":
                    busy_at = time.perf_counter()
                if msg_type == "comm_msg" and content.get("data", {}).get("i") == i:
                    break
            echo.append(time.perf_counter() - start)
            busy.append((busy_at or time.perf_counter()) - start)
        await send(frame("comm_close", {"comm_id": comm_id, "data": {}})[0])
        await ws.close()
    return {"echo": echo[WARMUP:], "busy": busy[WARMUP:]}


async def execute_over_websocket(jupyter: JupyterServer, kernel_id: str, code: str) -> None:
    """Run code in a kernel reached only through the server (a gateway's kernel has no connection file here)."""
    session = Session()
    url = jupyter.ws_url(f"api/kernels/{kernel_id}/channels?session_id={session.session}")
    async with aiohttp.ClientSession(headers={"Authorization": f"token {jupyter.token}"}) as http:
        ws = await http.ws_connect(url)
        content = {"code": code, "silent": False, "store_history": False, "user_expressions": {}, "allow_stdin": False}
        await ws.send_str(json.dumps({**session.msg("execute_request", content), "channel": "shell"}, default=str))
        while True:
            reply = json.loads((await ws.receive()).data)
            if reply["header"]["msg_type"] == "execute_reply":
                assert reply["content"]["status"] == "ok", reply["content"]
                break
        await ws.close()


def start_gateway(tmp: Path, nodelay: bool) -> tuple[subprocess.Popen[bytes], str]:
    """A real Jupyter Kernel Gateway (``jupyter-kernel-gateway``); its process and URL."""
    tmp.mkdir(parents=True)
    port = free_port()
    args = [
        sys.executable,
        "-m",
        "kernel_gateway",
        "--KernelGatewayApp.ip=127.0.0.1",
        f"--KernelGatewayApp.port={port}",
    ]
    args.append("--JupyterWebsocketPersonality.list_kernels=True")  # Jupyter's /api/status lists kernels
    if nodelay:
        args.append(f"--KernelGatewayApp.kernel_websocket_connection_class={GATEWAY_NODELAY}")
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp / "runtime")}
    with open(tmp / "gateway.log", "wb") as log:
        process = subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if requests.get(f"{url}/api", timeout=2).ok:
                return process, url
        except requests.ConnectionError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"kernel gateway did not start:\n{(tmp / 'gateway.log').read_text()}")
        time.sleep(0.2)


def gateway_legs(tmp: Path, rounds: int) -> dict[str, dict[str, float]]:
    """Leg 2 with the kernel behind a Kernel Gateway (``--gateway-url``): a second tornado websocket leg."""
    results = {}
    gateways = {nodelay: start_gateway(tmp / f"gateway-{nodelay}", nodelay) for nodelay in (False, True)}
    try:
        for name, nagle, gateway_nodelay in (
            ("stock Jupyter, stock gateway", True, False),
            ("ours, stock gateway", False, False),
            ("ours, gateway with our NoDelay class", False, True),
        ):
            progress(f"gateway leg: {name}")
            args = [f"--gateway-url={gateways[gateway_nodelay][1]}", *([NAGLE_ON] if nagle else [])]
            jupyter = start_jupyter(tmp / name.replace(" ", "-").replace(",", ""), "/", extra_args=args)
            try:
                response = jupyter.http("api/kernels", method="POST", json={"name": "python3"})
                response.raise_for_status()
                kernel_id = response.json()["id"]
                asyncio.run(execute_over_websocket(jupyter, kernel_id, ECHO_TARGET))
                measured = asyncio.run(websocket_round_trips(jupyter, kernel_id, rounds, False))
                results[f"via a gateway: {name}"] = stats(measured["echo"])
                jupyter.http(f"api/kernels/{kernel_id}", method="DELETE")
            finally:
                stop_jupyter(jupyter)
    finally:
        for process, _url in gateways.values():
            process.terminate()
            process.wait(20)
    return results


def kernel_client(jupyter: JupyterServer, kernel_id: str) -> Kernel:
    client = BlockingKernelClient()
    client.load_connection_info(json.loads((jupyter.runtime_dir / f"kernel-{kernel_id}.json").read_text()))
    client.start_channels()
    client.wait_for_ready(timeout=60)
    return Kernel(jupyter, kernel_id, client)


def stats(samples: list[float], scale: float = 1000.0) -> dict[str, float]:
    values = [s * scale for s in samples]
    return {"median": statistics.median(values), "p90": percentile(values, 0.9)}


def measure_server(tmp: Path, nagle: bool, rounds: int, browser: Any) -> dict[str, dict[str, float]]:
    """Every leg against one Jupyter server (Lab when there is a browser); name → {median, p90} in ms."""
    from support.lab_harness import execute, open_notebook, shutdown_kernels

    label = "Nagle on (stock)" if nagle else "TCP_NODELAY (ours)"
    jupyter = start_jupyter(tmp, "/", extra_args=[NAGLE_ON] if nagle else [], app="lab" if browser else "server")
    results: dict[str, dict[str, float]] = {}
    context = None
    try:
        if browser is None:
            kernel = jupyter.start_kernel()
            kernel.execute(ECHO_TARGET + WIDGETS)
        else:
            context = browser.new_context()
            page = context.new_page()
            name = jupyter.write_notebook("latency.ipynb", [ECHO_TARGET, WIDGETS, ""])
            open_notebook(page, jupyter, name)
            execute(page, 0, ECHO_TARGET)
            execute(page, 1, WIDGETS)
            ids = execute(page, 2, "print(source.model_id, target.model_id)").split()
            kernel_id = page.evaluate("() => jupyterapp.shell.currentWidget.sessionContext.session.kernel.id")
            kernel = kernel_client(jupyter, kernel_id)
            progress(f"{label}: browser legs")
            # The API's pages forbid scripts' connections (CSP): this page may open a websocket all the same.
            plain = browser.new_context(bypass_csp=True).new_page()
            plain.goto(jupyter.page("api/status"))
            channels = jupyter.ws_url(f"api/kernels/{kernel_id}/channels?session_id=bench&token={jupyter.token}")
            echoes = plain.evaluate(BROWSER_WS_ECHO, {"url": channels, "rounds": rounds, "warmup": WARMUP})
            plain.context.close()
            results["3. Chromium WebSocket (no Lab), legacy JSON"] = stats(echoes, 1.0)
            results["4a. Lab kernel connection, comm echo"] = stats(
                page.evaluate(LAB_COMM_ECHO, {"rounds": rounds, "warmup": WARMUP}), 1.0
            )
            widget_rounds = {"rounds": rounds, "warmup": WARMUP, "ids": ids, "index": 1}
            results["4b. Lab ipywidgets IntSlider -> Python -> IntSlider"] = stats(
                page.evaluate(WIDGET_ROUND_TRIPS, widget_rounds), 1.0
            )
        progress(f"{label}: ZMQ and raw websocket legs")
        results["1. ZMQ, jupyter_client <-> ipykernel"] = stats(zmq_round_trips(kernel.client, rounds))
        for v1, protocol in ((False, "legacy JSON"), (True, "v1 binary")):
            # In a thread of its own: Playwright's sync API keeps an event loop running in this one.
            with ThreadPoolExecutor(1) as thread:
                measured = thread.submit(asyncio.run, websocket_round_trips(jupyter, kernel.kernel_id, rounds, v1))
                measured = measured.result()
            results[f"2. kernel websocket, {protocol}"] = stats(measured["echo"])
            results[f"2. kernel websocket, {protocol}: its status: busy came"] = stats(measured["busy"])
        kernel.client.stop_channels()
        if browser is None:
            kernel.shutdown()
        else:
            shutdown_kernels(jupyter)
    finally:
        if context is not None:
            context.close()
        stop_jupyter(jupyter)
    return dict(sorted(results.items()))  # by leg number; a leg's "busy" row after it


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=100, help=f"round trips per leg (after {WARMUP} of warm-up)")
    parser.add_argument("--no-browser", action="store_true", help="ZMQ and raw websocket legs only")
    parser.add_argument("--gateway", action="store_true", help="also leg 2 through a Jupyter Kernel Gateway")
    options = parser.parse_args()

    runs: dict[str, dict[str, dict[str, float]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        if options.no_browser:
            for nagle in (True, False):
                runs[str(nagle)] = measure_server(Path(tmp) / str(nagle), nagle, options.rounds, None)
        else:
            from playwright.sync_api import sync_playwright

            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
                try:
                    for nagle in (True, False):
                        runs[str(nagle)] = measure_server(Path(tmp) / str(nagle), nagle, options.rounds, browser)
                finally:
                    browser.close()

    stock, ours = runs["True"], runs["False"]
    print(f"\nKernel comm round trips, {options.rounds} rounds per leg; median / p90 in ms\n")
    print(f"{'leg':62}{'Nagle on (stock)':>22}{'TCP_NODELAY (ours)':>22}{'stock/ours':>12}")
    for leg in stock:
        a, b = stock[leg], ours[leg]
        cells = f"{a['median']:>10.2f} / {a['p90']:>7.2f}{b['median']:>14.2f} / {b['p90']:>5.2f}"
        print(f"{leg:62}{cells}{a['median'] / b['median']:>12.1f}x")
    zmq = ours["1. ZMQ, jupyter_client <-> ipykernel"]["median"]
    print("\nEach leg over the ZMQ leg (same server):")
    for leg in stock:
        if "busy" not in leg:
            print(f"  {leg:60} stock {stock[leg]['median'] / zmq:6.1f}x   ours {ours[leg]['median'] / zmq:6.1f}x")
    if options.gateway:
        with tempfile.TemporaryDirectory() as tmp:
            gateway = gateway_legs(Path(tmp), options.rounds)
        print("\nThe kernel behind a Jupyter Kernel Gateway (--gateway-url), legacy JSON; median / p90 in ms")
        for leg, figures in gateway.items():
            print(f"  {leg:60}{figures['median']:>8.2f} / {figures['p90']:>6.2f}")
    widgets = "4b. Lab ipywidgets IntSlider -> Python -> IntSlider"
    if widgets in ours:
        lost = stock[widgets]["median"] - ours[widgets]["median"]
        print(f"\nipywidgets round trip: Nagle's algorithm on the kernel websocket costs {lost:.1f} ms of its median.")


if __name__ == "__main__":
    main()
