"""Vuetify 3 benchmark (a script, not a test): the same trame app on trame_jupyter and on trame 4.

    python bench/vuetify_bench.py [--rounds 200] [--loads 10] [--no-trame]

The app (``bench/_vuetify_app.py``) is trame's ``SinglePageLayout`` with a ``VBtn``, a ``VSlider`` and a
``VChip``; only its ``get_server`` import differs. In headless Chromium (Debian's, via Playwright):
- time to first render: navigation start → the first frame with the ``VBtn`` (median of ``--loads``
  cold loads, each in a fresh browser context);
- DOM round trip: an ArrowRight key on the slider's thumb moves it one step; Vuetify updates ``value``;
  Python's ``@change("value")`` sets ``label``; a MutationObserver waits for the ``VChip`` to show it.

Each is measured five ways in one run: each server in a plain Python process (direct: the like-for-like
comparison), ours in a real kernel under a real ``jupyter server`` (direct to its port, and through our
proxy), and trame behind jupyter-server-proxy. Goals: first render ≤ trame's; round trip ≤ 0.5× trame
direct. trame runs from ``bench/.venv-trame`` (``python
bench/trame_env.py``) or ``TRAME_PYTHON``; without it the trame columns are skipped and the reason printed.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
ROOT = HERE.parent
sys.path[:0] = [str(HERE), str(ROOT / "tests")]

from _common import progress, start_targets  # noqa: E402
from _vuetify_app import APP  # noqa: E402
from browser_roundtrip import percentile  # noqa: E402
from support.chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from trame_env import trame_python  # noqa: E402

# Records the first frame after the button is in the document (performance.now() counts from navigation
# start). Vue mounts the whole layout at once, so that frame lays it out and paints it. The observer only
# watches for added nodes: measuring sizes on every mutation would itself slow the page down.
FIRST_BUTTON_SCRIPT = """
(() => {
  const observer = new MutationObserver(() => {
    if (document.getElementById('bench-btn')) {
      observer.disconnect();
      requestAnimationFrame(() => { window.__benchFirstButton = performance.now(); });
    }
  });
  observer.observe(document, { childList: true, subtree: true });
})();
"""

SLIDER_ROUND_TRIPS = """
async ({ rounds, warmup }) => {
  const thumb = document.querySelector('.v-slider-thumb');
  const chip = document.getElementById('bench-chip');
  const step = (expected) => new Promise((resolve, reject) => {
    const late = setTimeout(() => {
      observer.disconnect();
      const value = thumb.getAttribute('aria-valuenow');
      reject(new Error(`no ${expected} after 10 s: the chip shows ${chip.textContent.trim()}, the slider ${value}`));
    }, 10_000);
    const observer = new MutationObserver(() => {
      if (chip.textContent.trim() === expected) {
        observer.disconnect();
        clearTimeout(late);
        resolve(performance.now() - start);
      }
    });
    observer.observe(chip, { childList: true, characterData: true, subtree: true });
    const start = performance.now();
    thumb.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true }));
  });
  const times = [];
  let spanStart = 0;
  const first = Number(thumb.getAttribute('aria-valuenow'));  // a page earlier may have moved it
  for (let i = 1; i <= warmup + rounds; i += 1) {
    if (i === warmup + 1) spanStart = performance.now();
    const elapsed = await step(`v${first + i}`);
    if (i > warmup) times.push(elapsed);
  }
  return { times, mean: (performance.now() - spanStart) / rounds };
}
"""


def first_render(browser: Any, url: str) -> float:
    """One cold load (a fresh browser context: nothing cached): ms from navigation to the first VBtn frame."""
    context = browser.new_context()
    try:
        context.add_init_script(FIRST_BUTTON_SCRIPT)
        page = context.new_page()
        page.goto(url)
        page.wait_for_function("window.__benchFirstButton !== undefined", timeout=30_000)
        return page.evaluate("() => window.__benchFirstButton")
    finally:
        context.close()


def round_trips(browser: Any, url: str, rounds: int) -> dict[str, float]:
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(url)
        page.wait_for_selector(".v-slider-thumb", timeout=30_000)
        page.wait_for_timeout(300)  # let the connection settle
        measured = page.evaluate(SLIDER_ROUND_TRIPS, {"rounds": rounds, "warmup": 20})
    finally:
        context.close()
    times = measured["times"]
    return {"median": statistics.median(times), "p90": percentile(times, 0.9), "mean": measured["mean"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200, help="slider round trips measured (after 20 of warm-up)")
    parser.add_argument("--loads", type=int, default=10, help="cold page loads for the time to first render")
    parser.add_argument("--no-trame", action="store_true", help="measure trame_jupyter only")
    options = parser.parse_args()

    from playwright.sync_api import sync_playwright

    trame = None if options.no_trame else trame_python()
    results: dict[str, dict[str, float]] = {}
    with sync_playwright() as playwright, tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        stack.callback(browser.close)
        targets = start_targets(stack, trame, Path(tmp), "_vuetify_app.py", APP)
        # Cold loads interleaved (one of each target per pass): a slow spell of the machine hits all alike.
        loads: dict[str, list[float]] = {name: [] for name in targets}
        for number in range(options.loads):
            progress(f"cold loads, pass {number + 1} of {options.loads}")
            for name, url in targets.items():
                loads[name].append(first_render(browser, url))
        for name, url in targets.items():
            progress(f"round trips: {name}")
            measured = round_trips(browser, url, options.rounds)
            results[name] = {"first_render": statistics.median(loads[name]), **measured}

    print(
        f"\nVuetify 3 app: first VBtn on screen (median of {options.loads} cold loads); VSlider → Python → VChip "
        f"({options.rounds} round trips). Chromium {CHROMIUM}\n"
    )
    columns = list(results)
    print(f"{'':26}" + "".join(f"{name:>30}" for name in columns))
    for label, key in (
        ("time to first VBtn", "first_render"),
        ("round trip, median", "median"),
        ("round trip, p90", "p90"),
        ("round trip, mean", "mean"),
    ):
        print(f"{label:26}" + "".join(f"{results[name][key]:>27.2f} ms" for name in columns))
    if "trame, direct" not in results:
        reason = "--no-trame given" if options.no_trame else "no interpreter with trame (python bench/trame_env.py)"
        print(f"\ntrame comparison skipped: {reason}")
        return
    trame_direct = results["trame, direct"]
    print()
    for ours_name, trame_name in (
        ("ours, direct", "trame, direct"),
        ("ours, kernel direct", "trame, direct"),
        ("ours, our proxy", "trame, jupyter-server-proxy"),
    ):
        if trame_name not in results:
            continue
        ours, theirs = results[ours_name], results[trame_name]
        print(
            f"{ours_name} / {trame_name}: first render {ours['first_render'] / theirs['first_render']:.2f}x, "
            f"round trip median {ours['median'] / theirs['median']:.2f}x"
        )
    first = results["ours, direct"]["first_render"] / trame_direct["first_render"]
    round_trip = results["ours, direct"]["median"] / trame_direct["median"]
    print(f"Goal first render <= trame's (direct): {'met' if first <= 1 else 'NOT met'} ({first:.2f}x)")
    print(f"Goal round trip <= 0.5x trame direct: {'met' if round_trip <= 0.5 else 'NOT met'} ({round_trip:.2f}x)")


if __name__ == "__main__":
    main()
