"""Kernel-comm transport benchmark (a script, not a test): a view over the kernel comm vs over our proxy vs
ipywidgets, in one real JupyterLab in headless Chromium (Debian's, driven by Playwright).

    python bench/comm_bench.py [--rounds 30] [--pushes 10] [--updates 500] [--bursts 3]

One notebook, one kernel, two copies of the same app (``browser_roundtrip.KERNEL_APP``: an input bound
to ``a``, Python's ``@change("a")`` sets ``b``, a div shows ``{{ b }}``), one shown with
``display(server, transport="comm")`` and one with ``transport="proxy"``, plus ipywidgets and a comm echo
target (``kernel_latency_bench``). Each figure is measured inside the page that sees it:

1. DOM round trip (``browser_roundtrip.ROUND_TRIPS``, run inside each view's iframe): the input is set and
   ``input`` dispatched; a MutationObserver waits until the div shows the value Python set.
2. ipywidgets round trip (``kernel_latency_bench.WIDGET_ROUND_TRIPS``): an ``IntSlider`` set as a dragged
   one is, observed in Python, which sets a second slider, until that slider's readout shows it. Also the
   bare comm echo over Lab's kernel connection (``LAB_COMM_ECHO``): the floor under any comm round trip.
3. 1 MiB binary push: the page sets ``push = i`` (a few bytes); Python's ``@change("push")`` sets ``blob``
   to 1 MiB of bytes tagged with ``i``; timed until ``trame.state.watch`` in the page sees that tag. A round
   trip whose reply is 1 MiB; "extra" subtracts the small DOM round trip of the same transport.
4. State updates/s: the page asks for a burst; an async ``@change`` callback in Python sets ``count`` N
   times, flushing each; the page counts them with ``trame.state.watch`` and times the request → last one.

Printed: median / p90 of every figure, and the ratios of the goals of issue 13 (comm round trip ≤ 3 ms,
≤ 0.5x the ipywidgets round trip; 1 MiB push ≤ 3x our proxy). The Lab is started as shipped: our server
extension turns Nagle's algorithm off on the kernel websockets (``serverext/nodelay.py``).

Needs the client built into ``trame_jupyter/static`` and the JupyterLab extension installed (as
``tests/labextension`` does).
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
sys.path[:0] = [str(HERE), str(HERE.parent / "tests")]
from _common import progress  # noqa: E402
from browser_roundtrip import KERNEL_APP, ROUND_TRIPS, percentile  # noqa: E402
from kernel_latency_bench import ECHO_TARGET, LAB_COMM_ECHO, WARMUP, WIDGET_ROUND_TRIPS, WIDGETS  # noqa: E402
from support.chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from support.jupyter_harness import start_jupyter, stop_jupyter  # noqa: E402

TRANSPORTS = ("comm", "proxy")
MIB = 1 << 20

# The round-trip app, plus what the push and burst figures need, shown over one transport.
EXTRA_PYTHON = """
import asyncio
_blob = bytearray(MIB)

@server.state.change("push")
def _push(push, **_):
    if push:
        _blob[0], _blob[1] = push % 256, push // 256
        server.state.blob = bytes(_blob)

@server.state.change("burst")
async def _burst(burst, burst_n, **_):
    for k in range(1, (burst_n if burst else 0) + 1):
        server.state.count = burst * 1_000_000 + k
        server.state.flush()
"""


def bench_app(transport: str) -> str:
    app = KERNEL_APP.replace('"browser-bench"', f'"bench-{transport}"')
    app = app.replace("server.state.update(", "server.state.update(push=0, blob=b'', burst=0, burst_n=0, count=0, ")
    show = f'from trame_jupyter import display as _display\n_display(server, transport="{transport}")\n'
    app = app.replace("display(server)\n", EXTRA_PYTHON.replace("MIB", str(MIB)) + show)
    assert f'transport="{transport}"' in app and "push=0" in app, "browser_roundtrip.KERNEL_APP changed"
    # Globals of its own: each callback must reach its own server once the next cell has run.
    return re.sub(r"\b(server|_blob)\b", rf"\1_{transport}", app)


# The page's trame client (what `trame` is in its templates).
PAGE_TRAME = "[...document.querySelectorAll('*')].find((e) => e.__vue_app__).__vue_app__.config.globalProperties.trame"

PUSHES = f"""
async ({{ rounds, warmup }}) => {{
  const trame = {PAGE_TRAME};
  const tag = (blob) => (blob && blob.length >= 2 ? blob[0] + 256 * blob[1] : -1);
  let size = 0;
  const once = (i) => new Promise((resolve) => {{
    const stop = trame.state.watch(['blob'], (blob) => {{
      if (tag(blob) === i) {{
        size = blob.length;
        stop();
        resolve(performance.now() - start);
      }}
    }});
    const start = performance.now();
    trame.state.set('push', i);
    trame.state.flush();
  }});
  const times = [];
  for (let i = 1; i <= warmup + rounds; i += 1) {{
    const elapsed = await once(i);
    if (i > warmup) times.push(elapsed);
  }}
  return {{ times, size }};
}}
"""

BURSTS = f"""
async ({{ n, bursts }}) => {{
  const trame = {PAGE_TRAME};
  const results = [];
  for (let burst = 1; burst <= bursts; burst += 1) {{
    let received = 0;
    const elapsed = await new Promise((resolve) => {{
      const stop = trame.state.watch(['count'], (count) => {{
        if (Math.floor(count / 1e6) !== burst) return;
        received += 1;
        if (count % 1e6 === n) {{
          stop();
          resolve(performance.now() - start);
        }}
      }});
      const start = performance.now();
      trame.state.update({{ burst_n: n, burst }});
      trame.state.flush();
    }});
    results.push({{ elapsed, received }});
  }}
  return results;
}}
"""


def stats(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "p90": percentile(values, 0.9)}


def measure(rounds: int, pushes: int, updates: int, bursts: int) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright
    from support.lab_harness import app_frame, execute, open_notebook, view, wait_state

    cells = [ECHO_TARGET, bench_app("comm"), bench_app("proxy"), WIDGETS, ""]
    results: dict[str, Any] = {}
    with sync_playwright() as playwright, tempfile.TemporaryDirectory() as tmp:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        lab = start_jupyter(Path(tmp), "/", app="lab")
        try:
            page = browser.new_context().new_page()
            open_notebook(page, lab, lab.write_notebook("comm_bench.ipynb", cells))
            for index, source in enumerate(cells[:4]):
                execute(page, index, source)
            ids = execute(page, 4, "print(source.model_id, target.model_id)").split()
            frames = {}
            for index, transport in enumerate(TRANSPORTS, start=1):
                output = view(page, index)
                wait_state(page, output, "live")
                shown = output.get_attribute("data-transport")
                assert shown == transport, f"the {transport} view says data-transport={shown!r}"
                frames[transport] = app_frame(output)
                frames[transport].wait_for_selector("#bench-b", state="attached", timeout=30_000)
            page.wait_for_timeout(300)  # let the connections settle (lifecycle calls, first pushes)

            for transport, frame in frames.items():
                progress(f"{transport}: DOM round trips")
                measured = frame.evaluate(ROUND_TRIPS, {"rounds": rounds, "warmup": WARMUP})
                results[f"rt {transport}"] = {**stats(measured["times"]), "mean": measured["mean"]}
            progress("ipywidgets round trips, Lab comm echo")
            widget_rounds = {"rounds": rounds, "warmup": WARMUP, "ids": ids, "index": 3}
            results["rt ipywidgets"] = stats(page.evaluate(WIDGET_ROUND_TRIPS, widget_rounds))
            results["rt echo"] = stats(page.evaluate(LAB_COMM_ECHO, {"rounds": rounds, "warmup": WARMUP}))
            for transport, frame in frames.items():
                progress(f"{transport}: 1 MiB pushes")
                measured = frame.evaluate(PUSHES, {"rounds": pushes, "warmup": 2})
                assert measured["size"] == MIB, f"the page got {measured['size']} bytes"
                results[f"push {transport}"] = stats(measured["times"])
            for transport, frame in frames.items():
                progress(f"{transport}: bursts of {updates} state updates")
                runs = frame.evaluate(BURSTS, {"n": updates, "bursts": bursts})
                rates = [run["received"] / run["elapsed"] * 1000 for run in runs]
                results[f"rate {transport}"] = {
                    "median": statistics.median(rates),
                    "received": min(run["received"] for run in runs),
                }
        finally:
            stop_jupyter(lab)
            browser.close()
    return results


def report(results: dict[str, Any], options: argparse.Namespace) -> None:
    def row(label: str, key: str, unit: str = "ms") -> None:
        figures = results[key]
        print(f"  {label:58}{figures['median']:>9.2f} / {figures['p90']:>7.2f} {unit}")

    print(f"\nOne JupyterLab, one kernel; median / p90 ({options.rounds} round trips after {WARMUP} of warm-up)\n")
    row("1. DOM round trip, comm", "rt comm")
    row("1. DOM round trip, our proxy", "rt proxy")
    row("2. ipywidgets IntSlider -> Python -> IntSlider", "rt ipywidgets")
    row("   bare comm echo over Lab's kernel connection", "rt echo")
    print(f"\n  1 MiB push ({options.pushes} rounds: a few bytes up, 1 MiB down)")
    row("3. 1 MiB push, comm", "push comm")
    row("3. 1 MiB push, our proxy", "push proxy")
    for transport in TRANSPORTS:
        extra = results[f"push {transport}"]["median"] - results[f"rt {transport}"]["median"]
        print(
            f"     {transport}: the 1 MiB costs {extra:.1f} ms over a small round trip ({MIB / extra / 1e3:.0f} MB/s)"
        )
    print(f"\n  State updates/s ({options.bursts} bursts of {options.updates}; median)")
    for transport in TRANSPORTS:
        rate = results[f"rate {transport}"]
        print(f"  4. {transport:55}{rate['median']:>9.0f} /s   (received {rate['received']} of {options.updates})")

    comm, proxy = results["rt comm"]["median"], results["rt proxy"]["median"]
    widgets = results["rt ipywidgets"]["median"]
    push = results["push comm"]["median"] / results["push proxy"]["median"]
    rate = results["rate comm"]["median"] / results["rate proxy"]["median"]

    def verdict(met: bool) -> str:
        return "met" if met else "NOT met"

    print("\nGoals (issue 13)")
    print(f"  comm round trip {comm:.2f} ms vs 3 ms: {comm / 3:.2f}x of the goal ({verdict(comm <= 3)})")
    half = verdict(comm <= widgets / 2)
    print(f"  comm round trip / ipywidgets round trip: {comm / widgets:.2f}x (goal <= 0.5x: {half})")
    print(f"  1 MiB push comm / proxy: {push:.2f}x (goal <= 3x: {verdict(push <= 3)})")
    print(f"  for reference: comm / proxy round trip {comm / proxy:.2f}x; comm / proxy updates/s {rate:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30, help=f"round trips per figure (after {WARMUP} of warm-up)")
    parser.add_argument("--pushes", type=int, default=10, help="1 MiB pushes per transport (after 2 of warm-up)")
    parser.add_argument("--updates", type=int, default=500, help="state updates per burst")
    parser.add_argument("--bursts", type=int, default=3, help="bursts per transport")
    options = parser.parse_args()
    if not (HERE.parent / "trame_jupyter" / "static" / "index.html").exists():
        sys.exit("trame_jupyter/static is missing: build the client first (npm install && npm run build:prod)")
    report(measure(options.rounds, options.pushes, options.updates, options.bursts), options)


if __name__ == "__main__":
    main()
