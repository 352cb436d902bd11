"""Remote 3D view benchmark (a script, not a test): trame-vtk's ``VtkRemoteView`` on trame_jupyter and on trame 4.

    python bench/vtk_bench.py [--rounds 30] [--seconds 3] [--passes 3] [--no-trame]

The app (``bench/_vtk_app.py``) is a 400×300 ``VtkRemoteView`` of a fixed scene (a sphere, 32×32 facets,
edges drawn) rendered offscreen in the server's process by the ``vtk`` wheel; only its ``get_server``
import differs. The view shows each JPEG frame the server publishes on ``viewport.image.push.subscription``
by pointing one ``<img>`` at a new blob URL (vtk.js's canvas view), so a frame is *shown* when that
``<img>`` fires ``load``. In headless Chromium (Debian's, via Playwright), with the left button held down
in the view (a real ``page.mouse.down``: trackball rotation, each move sent as ``viewport.mouse.interaction``):

- interaction latency: wait until no frame has come for 150 ms, move the mouse (``page.mouse.move``:
  a trusted ``pointermove``; a first 1-pixel move wakes vtk.js's interactor, which does not send the
  first move after 200 ms without any), and time from the page seeing the timed ``pointermove`` (a
  capturing listener on ``window``, before vtk.js's) to the ``load`` of the next frame. Median and p90
  of ``--rounds`` moves per pass (after 5 of warm-up), pooled over passes;
- frames/s: a continuous drag of ``--seconds``, one ``pointermove`` per animation frame (as Chromium
  delivers a real mouse's moves) along a Lissajous path, dispatched in the page (``page.mouse.move``
  waits for each event to be handled and cannot keep up 60 moves/s here); frames shown per second of
  the page's clock. Also printed: frames received, moves made and mouse events the view sent per second;
- bytes per frame: the mean size of the websocket messages that carry a frame (Playwright's
  ``framereceived``: wslink's envelope included, after any permessage-deflate), and the frame's
  ``workTime`` (the ms the server's tick spent in ``still_render`` for it: short when the mouse event
  had already rendered that camera and the JPEG was encoded in the background).

What bounds these figures is trame-vtk's, on both servers: vtk.js sends at most one mouse event per
33 ms (about 20/s from 60 moves/s); while a drag lasts, the server renders on each mouse event and again
in an animation loop (at most 30 ticks/s) that publishes the newest JPEG, encoded in the background, so
a frame usually reaches the page one or two ticks after the move. Rendering is software OpenGL: on a
small machine the server's event loop is busy rendering, and the transport is a small share of the time.

Five targets in one run: each server in a plain Python process (direct: the like-for-like comparison),
ours in a real kernel under a real ``jupyter server`` (direct to its port, and through our proxy), and
trame behind jupyter-server-proxy. ``--passes`` repeats the set, each pass starting one target later,
so that a slow spell of the machine hits all alike; frames/s and bytes are medians over passes. Goals:
through our proxy ≥ 0.9× the frames/s and ≤ 1.2× the latency of the same kernel's server direct to its
port; ≥ 5× trame behind jupyter-server-proxy. trame runs from ``bench/.venv-trame`` (``python bench/trame_env.py``, with
trame-vtk and vtk) or ``TRAME_PYTHON``; without it the trame columns are skipped and the reason printed.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

import msgpack
from wslink.chunking import HEADER_LENGTH

HERE = Path(__file__).parent
ROOT = HERE.parent
sys.path[:0] = [str(HERE), str(ROOT / "tests")]

from _common import progress, start_targets  # noqa: E402
from _vtk_app import APP  # noqa: E402
from browser_roundtrip import percentile  # noqa: E402
from support.chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from trame_env import trame_python  # noqa: E402

IMAGE_TOPIC = b"viewport.image.push.subscription"
MOUSE_RPC = b"viewport.mouse.interaction"
WARMUP = 5

# Timestamps (page clock) of every frame shown and of the latest pointermove. ``load`` does not bubble:
# a capturing listener on the view's box sees each frame of its <img>.
INSTRUMENT = """
() => {
  const bench = { frames: [], lastMove: 0, installed: performance.now() };
  window.__bench = bench;
  document.getElementById('bench-view').addEventListener('load', (event) => {
    if (event.target.tagName === 'IMG') bench.frames.push(performance.now());
  }, true);
  window.addEventListener('pointermove', () => { bench.lastMove = performance.now(); }, true);
}
"""

# Resolves once no frame has been shown for quietMs (nothing left in flight from earlier moves) and
# vtk.js's interactor has ended its mouse-move spell: 200 ms after the last move it takes the next one
# as the start of a new spell, which it does not send to the server.
WAIT_QUIET = """
async (quietMs) => {
  const bench = window.__bench;
  for (;;) {
    const lastFrame = bench.frames.length ? bench.frames[bench.frames.length - 1] : bench.installed;
    const wait = Math.max(lastFrame + quietMs, bench.lastMove + 250) - performance.now();
    if (wait <= 0) return { count: bench.frames.length, now: performance.now() };
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}
"""

# The first frame shown after the move (null: none within 3 s); the timestamps come from the listeners,
# not from this polling.
NEXT_FRAME = """
async ({ count, since }) => {
  const bench = window.__bench;
  const deadline = performance.now() + 3_000;
  while (bench.frames.length <= count) {
    if (performance.now() > deadline) return null;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  if (bench.lastMove <= since) throw new Error('the page saw no pointermove');
  return bench.frames[count] - bench.lastMove;
}
"""

# A continuous drag: one pointermove per animation frame, as Chromium delivers a real mouse's moves,
# along a Lissajous path around the view's centre. Dispatched in the page because Playwright's
# page.mouse.move waits for each event to be handled: on this machine it cannot keep up 60 moves/s.
# The left button is held by a real pointerdown: vtk.js takes these moves as part of that drag.
DRAG = """
async ({ seconds, x, y }) => {
  const bench = window.__bench;
  const canvas = document.querySelector('#bench-view canvas');
  const start = performance.now();
  let moves = 0;
  await new Promise((resolve) => {
    const tick = (now) => {
      const t = (now - start) / 1000;
      if (t >= seconds) return resolve();
      canvas.dispatchEvent(new PointerEvent('pointermove', {
        bubbles: true, cancelable: true, composed: true, pointerId: 1, pointerType: 'mouse', isPrimary: true,
        buttons: 1, button: -1, clientX: x + 120 * Math.sin(t * 4.2), clientY: y + 60 * Math.sin(t * 3.1),
      }));
      moves += 1;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  const end = performance.now();
  return { start, end, moves, shown: bench.frames.filter((t) => t >= start && t <= end).length };
}
"""


class Traffic:
    """The page's websocket traffic: sizes of the messages that carry a frame (while ``recording`` is set),
    and how many mouse events the view has sent."""

    def __init__(self) -> None:
        self.recording = False
        self.sizes: list[int] = []
        self.work_times: list[float] = []  # each frame's workTime: the server's ms in still_render
        self.mouse_events = 0

    def attach(self, page: Any) -> None:
        def watch(socket: Any) -> None:
            socket.on("framereceived", self._received)
            socket.on("framesent", self._sent)

        page.on("websocket", watch)

    def _sent(self, payload: bytes | str) -> None:
        data = payload if isinstance(payload, bytes) else payload.encode()
        self.mouse_events += MOUSE_RPC in data

    def _received(self, payload: bytes | str) -> None:
        data = payload if isinstance(payload, bytes) else payload.encode()
        if self.recording and IMAGE_TOPIC in data:
            self.sizes.append(len(data))
            # wslink 2: a chunk header, then msgpack (a frame of this size is a single chunk).
            with contextlib.suppress(Exception):
                self.work_times.append(msgpack.unpackb(data[HEADER_LENGTH:])["result"]["workTime"])


def measure(browser: Any, url: str, rounds: int, seconds: float) -> dict[str, Any]:
    """One pass on one target: a fresh context, the page loaded, latencies then a sustained drag."""
    context = browser.new_context(viewport={"width": 800, "height": 600})
    traffic = Traffic()
    try:
        page = context.new_page()
        traffic.attach(page)
        page.goto(url)
        page.wait_for_selector("#bench-view img[src^='blob:']", state="attached", timeout=30_000)
        page.evaluate(INSTRUMENT)
        box = page.locator("#bench-view").bounding_box()
        x, y = box["x"] + 40, box["y"] + box["height"] / 2
        page.mouse.move(x, y)
        page.mouse.down()
        traffic.recording = True  # from here on every frame is of the view's interactive quality
        # One direction all along: every move gives a camera the server has not rendered yet.
        step = (box["width"] - 80) / (rounds + WARMUP)
        latencies = []
        unsent = lost = 0  # moves the view did not send; moves sent that brought no frame
        for number in range(rounds + WARMUP):
            quiet = page.evaluate(WAIT_QUIET, 150)
            # The first move of a spell only wakes the interactor up; the second one goes to the server.
            page.mouse.move(x + 1, y)
            x += step
            sent = traffic.mouse_events
            page.mouse.move(x, y)
            latency = page.evaluate(NEXT_FRAME, {"count": quiet["count"], "since": quiet["now"]})
            if latency is None:
                if traffic.mouse_events == sent:
                    unsent += 1
                else:
                    lost += 1
            elif number >= WARMUP:
                latencies.append(latency)

        page.evaluate(WAIT_QUIET, 150)
        before, received = traffic.mouse_events, len(traffic.sizes)
        drag = page.evaluate(DRAG, {"seconds": seconds, "x": box["x"] + box["width"] / 2, "y": y})
        traffic.recording = False
        page.mouse.up()
    finally:
        context.close()
    span = (drag["end"] - drag["start"]) / 1000
    return {
        "latencies": latencies,
        "fps": drag["shown"] / span,
        "received": (len(traffic.sizes) - received) / span,
        "moves": drag["moves"] / span,
        "sent": (traffic.mouse_events - before) / span,
        "work": statistics.median(traffic.work_times) if traffic.work_times else math.nan,
        "bytes": statistics.fmean(traffic.sizes) if traffic.sizes else math.nan,
        "unsent": unsent,
        "lost": lost,
    }


def ratio_line(results: dict[str, dict[str, Any]], base: str) -> str:
    """Each target's figures over ``base``'s: latency (lower is better) and frames/s (higher is better)."""
    reference = results[base]
    cells = "".join(
        f"{figures['median'] / reference['median']:>13.2f}x lat {figures['fps'] / reference['fps']:>5.2f}x fps"
        for figures in results.values()
    )
    return f"{'vs ' + base:26}{cells}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30, help=f"mouse moves timed per pass (after {WARMUP})")
    parser.add_argument("--seconds", type=float, default=3.0, help="length of the sustained drag per pass")
    parser.add_argument("--passes", type=int, default=3, help="times the whole set of targets is measured")
    parser.add_argument("--no-trame", action="store_true", help="measure trame_jupyter only")
    options = parser.parse_args()

    from playwright.sync_api import sync_playwright

    trame = None if options.no_trame else trame_python()
    with sync_playwright() as playwright, tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        stack.callback(browser.close)
        progress("starting the servers, a Jupyter server and its kernel")
        targets = start_targets(stack, trame, Path(tmp), "_vtk_app.py", APP)
        names = list(targets)
        passes: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
        for number in range(options.passes):
            # Each pass starts one target later: no target always follows the same one.
            shift = number % len(names)
            for name in names[shift:] + names[:shift]:
                progress(f"pass {number + 1} of {options.passes}: {name}")
                passes[name].append(measure(browser, targets[name], options.rounds, options.seconds))

    results: dict[str, dict[str, Any]] = {}
    for name, runs in passes.items():
        latencies = [latency for run in runs for latency in run["latencies"]]
        results[name] = {
            "median": statistics.median(latencies),
            "p90": percentile(latencies, 0.9),
            "fps": statistics.median(run["fps"] for run in runs),
            "received": statistics.median(run["received"] for run in runs),
            "bytes": statistics.median(run["bytes"] for run in runs),
            "moves": statistics.median(run["moves"] for run in runs),
            "sent": statistics.median(run["sent"] for run in runs),
            "work": statistics.median(run["work"] for run in runs),
            "missed": f"{sum(run['unsent'] for run in runs)} / {sum(run['lost'] for run in runs)}",
        }

    print(
        f"\nVtkRemoteView 400x300, sphere 32x32: mouse move -> next frame shown ({options.rounds} moves x "
        f"{options.passes} passes); frames/s while dragging {options.seconds:g} s (median of passes). "
        f"Chromium {CHROMIUM}\n"
    )
    columns = list(results)
    print(f"{'':26}" + "".join(f"{name:>30}" for name in columns))
    for label, key, unit, digits in (
        ("latency, median", "median", "ms", 1),
        ("latency, p90", "p90", "ms", 1),
        ("frames/s while dragging", "fps", "/s", 1),
        ("  frames received/s", "received", "/s", 1),
        ("  mouse moves/s", "moves", "/s", 1),
        ("  mouse events sent/s", "sent", "/s", 1),
        ("server workTime", "work", "ms", 1),
        ("bytes per frame", "bytes", " B", 0),
    ):
        print(f"{label:26}" + "".join(f"{results[name][key]:>27.{digits}f} {unit}" for name in columns))
    # Timed moves with no frame within 3 s (left out of the latencies): not sent by the view / sent.
    print(f"{'moves unsent / no frame':26}" + "".join(f"{results[name]['missed']:>30}" for name in columns))
    print()
    print(ratio_line(results, "ours, direct"))
    jsp = "trame, jupyter-server-proxy"
    if jsp in results:
        print(ratio_line(results, jsp))

    proxied, kernel = results["ours, our proxy"], results["ours, kernel direct"]
    fps, latency = proxied["fps"] / kernel["fps"], proxied["median"] / kernel["median"]
    print(f"\nGoal through our proxy >= 0.9x direct frames/s: {'met' if fps >= 0.9 else 'NOT met'} ({fps:.2f}x)")
    print(f"Goal through our proxy <= 1.2x direct latency: {'met' if latency <= 1.2 else 'NOT met'} ({latency:.2f}x)")
    if jsp not in results:
        reason = "--no-trame given" if options.no_trame else "no interpreter with trame (python bench/trame_env.py)"
        print(f"trame comparison skipped: {reason}")
        return
    peer = results[jsp]
    fps, latency = proxied["fps"] / peer["fps"], peer["median"] / proxied["median"]
    print(
        f"Goal >= 5x trame behind jupyter-server-proxy: frames/s {fps:.2f}x ({'met' if fps >= 5 else 'NOT met'}), "
        f"latency {latency:.2f}x lower ({'met' if latency >= 5 else 'NOT met'})"
    )


if __name__ == "__main__":
    main()
