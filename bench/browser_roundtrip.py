"""Browser round-trip benchmark (a script, not a test).

    python bench/browser_roundtrip.py [--rounds 300] [--loads 10] [--no-trame]

In headless Chromium (Debian's, driven by Playwright), for the same app served by trame_jupyter and,
when available, by trame 4 (each server in its own process):
- DOM round trip: set the value of an input bound with ``v_model`` to ``a`` and dispatch ``input``;
  Python's ``@change("a")`` sets ``b = a``; a MutationObserver waits until the div showing ``{{ b }}``
  displays that value. Median and p90 of ``--rounds`` round trips (after a warm-up).
- Time to first render: navigation start → the layout's content is in the DOM (median of ``--loads``
  loads, each in a fresh browser context, so nothing is cached).

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
sys.path.insert(0, str(HERE))

from trame_env import trame_python  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

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
  for (let i = 0; i < warmup + rounds; i += 1) {
    const elapsed = await once(`value-${i}`);
    if (i >= warmup) times.push(elapsed);
  }
  return times;
}
"""


class AppProcess:
    """One benchmark server in its own process; ``url`` once it is ready."""

    def __init__(self, python: str, kind: str) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "TRAME_DISABLE_V3_WARNING": "1"}
        self.process = subprocess.Popen(
            [python, "-u", str(HERE / "_browser_apps.py"), kind],
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
    times = page.evaluate(ROUND_TRIPS, {"rounds": rounds, "warmup": 20})
    context.close()
    return {
        "median": statistics.median(times),
        "p90": percentile(times, 0.9),
        "first_render": statistics.median(first_renders),
    }


def run_kind(browser: Any, python: str, kind: str, rounds: int, loads: int) -> dict[str, float]:
    app = AppProcess(python, kind)
    try:
        return measure(browser, app.url, rounds, loads)
    finally:
        app.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=300, help="round trips measured (after 20 of warm-up)")
    parser.add_argument("--loads", type=int, default=10, help="page loads for the time to first render")
    parser.add_argument("--no-trame", action="store_true", help="measure trame_jupyter only")
    options = parser.parse_args()
    if not (ROOT / "trame_jupyter" / "static" / "index.html").exists():
        sys.exit("trame_jupyter/static is missing: build the client first (npm install && npm run build:prod)")

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
                    results["trame"] = run_kind(browser, str(trame), "trame", options.rounds, options.loads)
                except Exception as error:  # report, never hide: the comparison is optional
                    skipped = f"trame failed to run: {error}"
        finally:
            browser.close()

    print(
        f"\nBrowser round trip: input → Python @change → DOM ({options.rounds} rounds; first render: "
        f"median of {options.loads} cold loads). Chromium {CHROMIUM}\n"
    )
    rows = [
        ("DOM round trip, median", "median"),
        ("DOM round trip, p90", "p90"),
        ("time to first render", "first_render"),
    ]
    ours = results["ours"]
    trame_results = results.get("trame")
    header = f"{'':28}{'trame_jupyter':>15}"
    if trame_results:
        header += f"{'trame 4':>12}{'ours/trame':>12}"
    print(header)
    for label, key in rows:
        line = f"{label:28}{ours[key]:>12.2f} ms"
        if trame_results:
            line += f"{trame_results[key]:>9.2f} ms{ours[key] / trame_results[key]:>12.2f}"
        print(line)
    if skipped:
        print(f"\ntrame comparison skipped: {skipped}")
    elif trame_results:
        verdict = "met" if ours["median"] <= trame_results["median"] else "NOT met"
        print(f"\nGoal (our median round trip <= trame's): {verdict}")


if __name__ == "__main__":
    main()
