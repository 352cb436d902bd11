"""Browser round-trip benchmark (a script, not a test).

    python bench/browser_roundtrip.py [--rounds 300] [--loads 10] [--no-trame] [--jupyter]

In headless Chromium (Debian's, driven by Playwright), for the same app served by trame_jupyter and,
when available, by trame 4 (each server in its own process):
- DOM round trip: set the value of an input bound with ``v_model`` to ``a`` and dispatch ``input``;
  Python's ``@change("a")`` sets ``b = a``; a MutationObserver waits until the div showing ``{{ b }}``
  displays that value. Median and p90 of ``--rounds`` round trips (after a warm-up).
- Time to first render: navigation start → the layout's content is in the DOM (median of ``--loads``
  loads, each in a fresh browser context, so nothing is cached).

With ``--jupyter`` the app runs in a real kernel under a real ``jupyter server`` instead, and the page
is measured twice: direct to the kernel's port, and through our authenticated proxy (goal: proxied
median round trip ≤ 1.2x direct).

trame runs from ``bench/.venv-trame`` (``python bench/trame_env.py`` creates it; git-ignore it) or from
``TRAME_PYTHON``; without it the comparison is skipped and the reason printed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
ROOT = HERE.parent
sys.path[:0] = [str(HERE), str(ROOT / "tests")]

from support.chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from trame_env import trame_python  # noqa: E402

# Records when the layout's content first appears (performance.now() counts from navigation start).
FIRST_RENDER_SCRIPT = """
(() => {
  const observer = new MutationObserver(() => {
    if (!window.__benchFirstRender && document.getElementById('bench-b')) {
      window.__benchFirstRender = performance.now();
      observer.disconnect();
    }
  });
  observer.observe(document, { childList: true, subtree: true });
})();
"""

ROUND_TRIPS = """
async ({ rounds, warmup }) => {
  const input = document.getElementById('bench-a');
  const output = document.getElementById('bench-b');
  const once = (value) => new Promise((resolve) => {
    const observer = new MutationObserver(() => {
      if (output.textContent.trim() === value) {
        observer.disconnect();
        resolve(performance.now() - start);
      }
    });
    observer.observe(output, { childList: true, characterData: true, subtree: true });
    const start = performance.now();
    input.value = value;
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
  const times = [];
  let spanStart = 0;
  for (let i = 0; i < warmup + rounds; i += 1) {
    if (i === warmup) spanStart = performance.now();
    const elapsed = await once(`value-${i}`);
    if (i >= warmup) times.push(elapsed);
  }
  // One long span: its mean is not limited by the browser's coarse timer (0.1 ms steps here).
  return { times, mean: (performance.now() - spanStart) / rounds };
}
"""


class AppProcess:
    """One benchmark server in its own process; ``url`` once it is ready."""

    def __init__(self, python: str, kind: str, flags: tuple[str, ...] = (), script: str = "_browser_apps.py") -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "TRAME_DISABLE_V3_WARNING": "1"}
        self.process = subprocess.Popen(
            [python, "-u", str(HERE / script), kind, *flags],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=str(ROOT),
            env=env,
        )
        self.url = self._wait_ready(timeout=60)

    def _wait_ready(self, timeout: float) -> str:
        found: list[str] = []

        def read() -> None:
            for line in self.process.stdout:
                if line.startswith("READY "):
                    found.append(line.split(" ", 1)[1].strip())
                    return

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        reader.join(timeout)
        if not found:
            self.close()
            error = self.process.stderr.read()[-2000:] if self.process.stderr else ""
            raise RuntimeError(f"server did not start: {error}")
        return found[0]

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def measure(browser: Any, url: str, rounds: int, loads: int) -> dict[str, float]:
    first_renders = []
    for _ in range(loads):
        context = browser.new_context()
        context.add_init_script(FIRST_RENDER_SCRIPT)
        page = context.new_page()
        page.goto(url)
        page.wait_for_function("window.__benchFirstRender !== undefined", timeout=30_000)
        first_renders.append(page.evaluate("() => window.__benchFirstRender"))
        context.close()

    context = browser.new_context()
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector("#bench-b", state="attached", timeout=30_000)
    page.wait_for_timeout(300)  # let the connection settle (lifecycle calls, first pushes)
    measured = page.evaluate(ROUND_TRIPS, {"rounds": rounds, "warmup": 20})
    times = measured["times"]
    context.close()
    return {
        "mean": measured["mean"],
        "median": statistics.median(times),
        "p90": percentile(times, 0.9),
        "first_render": statistics.median(first_renders),
    }


def run_kind(
    browser: Any, python: str, kind: str, rounds: int, loads: int, flags: tuple[str, ...] = ()
) -> dict[str, float]:
    app = AppProcess(python, kind, flags)
    try:
        return measure(browser, app.url, rounds, loads)
    finally:
        app.close()


KERNEL_APP = """
from trame_jupyter import get_server
from trame_jupyter.ui import DivLayout
from trame_jupyter.widgets import html
server = get_server("browser-bench")
server.state.update(a="", b="")
@server.state.change("a")
def copy(a, **_):
    server.state.b = a
with DivLayout(server):
    html.Input(v_model=("a",), id="bench-a")
    html.Div("{{ b }}", id="bench-b")
display(server)
"""


def jupyter_main(options: argparse.Namespace) -> None:
    """Ours in a kernel, direct vs through our proxy; and trame direct vs behind jupyter-server-proxy."""
    import tempfile

    from playwright.sync_api import sync_playwright
    from support.jupyter_harness import start_jupyter, stop_jupyter

    mime = "application/vnd.trame-jupyter.v1+json"
    results: dict[str, dict[str, float]] = {}
    skipped = None
    with sync_playwright() as playwright, tempfile.TemporaryDirectory() as tmp:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            jupyter = start_jupyter(Path(tmp) / "ours", "/")
            kernel = jupyter.start_kernel()
            try:
                data = kernel.execute(KERNEL_APP).bundle(mime)[mime]
                # ?token= authenticates the first request; Jupyter then sets its login cookie for the rest.
                proxied = f"{jupyter.url}{data['path']}&token={jupyter.token}"
                results["ours, direct"] = measure(browser, kernel.value("server.url"), options.rounds, options.loads)
                results["ours, our proxy"] = measure(browser, proxied, options.rounds, options.loads)
            finally:
                kernel.shutdown()
                stop_jupyter(jupyter)
            trame = trame_python()
            has_proxy = (
                trame is not None
                and subprocess.run([str(trame), "-c", "import jupyter_server_proxy"], capture_output=True).returncode
                == 0
            )
            if options.no_trame:
                skipped = "--no-trame given"
            elif not has_proxy:
                skipped = "no environment with trame and jupyter-server-proxy (python bench/trame_env.py)"
            else:
                app = AppProcess(str(trame), "trame")
                peer = start_jupyter(Path(tmp) / "peer", "/", python=str(trame))
                try:
                    port = app.url.split(":")[2].split("/")[0]
                    behind_proxy = f"{peer.url}proxy/{port}/index.html?token={peer.token}"
                    results["trame, direct"] = measure(browser, app.url, options.rounds, options.loads)
                    results["trame, jupyter-server-proxy"] = measure(
                        browser, behind_proxy, options.rounds, options.loads
                    )
                finally:
                    stop_jupyter(peer)
                    app.close()
        finally:
            browser.close()
    print(f"\nBrowser round trip, app in a Jupyter setting ({options.rounds} rounds), direct vs proxied\n")
    columns = list(results)
    print(f"{'':26}" + "".join(f"{name:>30}" for name in columns))
    for label, key in (
        ("DOM round trip, mean", "mean"),
        ("DOM round trip, median", "median"),
        ("DOM round trip, p90", "p90"),
        ("time to first render", "first_render"),
    ):
        print(f"{label:26}" + "".join(f"{results[name][key]:>27.2f} ms" for name in columns))
    ours = results["ours, our proxy"]["median"] / results["ours, direct"]["median"]
    print(
        f"\nours: proxied / direct median round trip {ours:.2f}x (goal <= 1.2x: {'met' if ours <= 1.2 else 'NOT met'})"
    )
    if "trame, direct" in results:
        peer_ratio = results["trame, jupyter-server-proxy"]["median"] / results["trame, direct"]["median"]
        versus = results["ours, our proxy"]["median"] / results["trame, jupyter-server-proxy"]["median"]
        print(f"trame: behind jupyter-server-proxy / direct {peer_ratio:.2f}x")
        print(f"ours through our proxy / trame through jupyter-server-proxy: {versus:.2f}x")
    if skipped:
        print(f"trame comparison skipped: {skipped}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=300, help="round trips measured (after 20 of warm-up)")
    parser.add_argument("--loads", type=int, default=10, help="page loads for the time to first render")
    parser.add_argument("--no-trame", action="store_true", help="measure trame_jupyter only")
    parser.add_argument("--jupyter", action="store_true", help="in a kernel: direct vs through the Jupyter proxy")
    options = parser.parse_args()
    if not (ROOT / "trame_jupyter" / "static" / "index.html").exists():
        sys.exit("trame_jupyter/static is missing: build the client first (npm install && npm run build:prod)")
    if options.jupyter:
        jupyter_main(options)
        return

    from playwright.sync_api import sync_playwright

    results: dict[str, dict[str, float]] = {}
    skipped = None
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            results["ours"] = run_kind(browser, sys.executable, "ours", options.rounds, options.loads)
            trame = None if options.no_trame else trame_python()
            if options.no_trame:
                skipped = "--no-trame given"
            elif trame is None:
                skipped = "no interpreter with trame (run `python bench/trame_env.py`, or set TRAME_PYTHON)"
            else:
                try:
                    # trame compresses websockets by default (permessage-deflate) and ours does not in a
                    # kernel: measure it both ways; the headline ratio compares like with like (off).
                    results["trame"] = run_kind(browser, str(trame), "trame", options.rounds, options.loads)
                    results["trame, no compression"] = run_kind(
                        browser, str(trame), "trame", options.rounds, options.loads, ("--no-ws-compress",)
                    )
                except Exception as error:  # report, never hide: the comparison is optional
                    skipped = f"trame failed to run: {error}"
        finally:
            browser.close()

    print(
        f"\nBrowser round trip: input → Python @change → DOM ({options.rounds} rounds; first render: "
        f"median of {options.loads} cold loads). Chromium {CHROMIUM}\n"
    )
    rows = [
        ("DOM round trip, mean", "mean"),
        ("DOM round trip, median", "median"),
        ("DOM round trip, p90", "p90"),
        ("time to first render", "first_render"),
    ]
    ours = results["ours"]
    deflate = results.get("trame")
    plain = results.get("trame, no compression")
    header = f"{'':28}{'trame_jupyter':>15}"
    if deflate and plain:
        header += f"{'trame (deflate)':>18}{'trame (off)':>14}{'ours/trame off':>16}"
    print(header)
    for label, key in rows:
        line = f"{label:28}{ours[key]:>12.2f} ms"
        if deflate and plain:
            line += f"{deflate[key]:>15.2f} ms{plain[key]:>11.2f} ms{ours[key] / plain[key]:>16.2f}"
        print(line)
    if skipped:
        print(f"\ntrame comparison skipped: {skipped}")
    elif deflate and plain:
        print(
            "\ntrame (deflate): its default, permessage-deflate on; trame (off): --no-ws-compress, as ours in a"
            " kernel.\nThe ratio column compares like with like (compression off on both)."
        )
        verdict = "met" if ours["median"] <= plain["median"] else "NOT met"
        print(f"Goal (our median round trip <= trame's, both uncompressed): {verdict}")


if __name__ == "__main__":
    main()
