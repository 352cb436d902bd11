"""Behind a real JupyterHub, the browser DOM round trip three ways, in one run (a script, not a test).

    python bench/hub_bench.py [--rounds 200] [--blocks 4] [--no-trame]

One hub (``support.hub_harness``: ``jupyterhub`` behind ``configurable-http-proxy``, the dummy
authenticator, a local spawner), one headless Chromium (Debian's, driven by Playwright), the same small app
(``browser_roundtrip.KERNEL_APP``: an input bound to ``a``, Python's ``@change("a")`` sets ``b``, a div
shows ``{{ b }}``) seen three ways:

(a) trame_jupyter's view through our authenticated proxy (``display(server)``, the default transport), in
    user ``alice``'s JupyterLab;
(b) trame_jupyter's view over the kernel comm (``display(server, transport="comm")``), same notebook and
    kernel, a second server of its own;
(c) trame 4 itself (``_browser_apps.py trame``, run from ``bench/.venv-trame``) behind jupyter-server-proxy,
    at ``/user/trame/proxy/<port>/index.html`` of user ``trame``, whose single-user server is that venv's
    ``jupyterhub-singleuser`` (``python bench/trame_env.py`` installs jupyterhub and jupyter-server-proxy
    there). Without it, (c) is skipped and the reason printed. For reference, not a goal: trame's page
    direct from its own port, outside the hub.

The round trip is ``browser_roundtrip.ROUND_TRIPS``, run inside each view's iframe (inside trame's page for
(c)): set the input, dispatch ``input``, a MutationObserver waits until the div shows the value Python set.
The three are measured in interleaved blocks (a, b, c, a, b, c, ...) so that the load of a shared machine
falls on all of them alike. Printed: median, p90 and mean of each, and the ratios of issue 19's goals
(proxy ≤ 0.2x the comm, ≤ 0.1x trame behind jupyter-server-proxy), each against its baseline of this run.

Needs the client built into ``trame_jupyter/static``, the JupyterLab extension installed, and
``configurable-http-proxy`` in ``node_modules`` (as ``tests/hub`` does).
"""

from __future__ import annotations

import argparse
import math
import re
import statistics
import subprocess
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
ROOT = HERE.parent
sys.path[:0] = [str(HERE), str(ROOT / "tests")]

from _common import progress  # noqa: E402
from browser_roundtrip import KERNEL_APP, ROUND_TRIPS, AppProcess, percentile  # noqa: E402
from support.chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from trame_env import trame_python  # noqa: E402

USER = "alice"  # runs this environment's JupyterLab: views (a) and (b)
PEER = "trame"  # runs bench/.venv-trame's single-user server with jupyter-server-proxy: (c)
TARGETS = {
    "proxy": "(a) ours, through our proxy",
    "comm": "(b) ours, over the kernel comm",
    "trame": "(c) trame behind jupyter-server-proxy",
    "trame-direct": "    trame direct, its own port (reference)",
}
FIRST_WARMUP, BLOCK_WARMUP = 20, 5


def kernel_app(transport: str) -> str:
    """``KERNEL_APP`` with a server (and global) of its own, shown with the default transport ("proxy") or
    with ``display(server, transport="comm")``."""
    app = KERNEL_APP.replace('"browser-bench"', f'"hub-bench-{transport}"')
    if transport != "proxy":
        show = f'from trame_jupyter import display as _display\n_display(server, transport="{transport}")\n'
        app = app.replace("display(server)\n", show)
    assert f'"hub-bench-{transport}"' in app and "display(server" in app, "browser_roundtrip.KERNEL_APP changed"
    # Its own global: each callback must reach its own server once the other cell has run.
    return re.sub(r"\bserver\b", f"server_{transport}", app)


def peer_python(options: argparse.Namespace) -> tuple[Path | None, str | None]:
    """The interpreter of trame's environment for (c), or why (c) is skipped."""
    if options.no_trame:
        return None, "--no-trame given"
    trame = trame_python()
    if trame is None:
        return None, "no environment with trame (python bench/trame_env.py creates bench/.venv-trame)"
    missing = [
        module
        for module in ("jupyter_server_proxy", "jupyterhub")
        if subprocess.run([str(trame), "-c", f"import {module}"], capture_output=True).returncode != 0
    ]
    if missing or not trame.with_name("jupyterhub-singleuser").exists():
        return None, f"{trame} lacks {', '.join(missing) or 'jupyterhub-singleuser'} (python bench/trame_env.py)"
    return trame, None


def version_of(python: Path | str, package: str) -> str:
    code = f"from importlib.metadata import version; print(version({package!r}))"
    return subprocess.run([str(python), "-c", code], capture_output=True, text=True).stdout.strip() or "?"


def open_views(browser: Any, hub: Any) -> tuple[Any, dict[str, Any]]:
    """Log ``alice`` in, run the notebook of views (a) and (b), wait until both are live: their frames."""
    from support.lab_harness import app_frame, open_notebook, run_cell, view, wait_state

    context = browser.new_context(viewport={"width": 1400, "height": 1000}, ignore_https_errors=True)
    context.set_default_timeout(60_000)
    page = context.new_page()
    user = hub.user(USER)
    notebook = user.write_notebook("hub_bench.ipynb", [kernel_app("proxy"), kernel_app("comm")])
    progress(f"logging {USER} in (the hub spawns JupyterLab)")
    user.login(page)
    open_notebook(page, user, notebook)
    frames = {}
    for index, transport in enumerate(("proxy", "comm")):
        progress(f"running the app cell shown over the {transport}")
        run_cell(page, index)
        output = view(page, index)
        wait_state(page, output, "live")
        shown = output.get_attribute("data-transport")
        if shown != transport:  # a proxy view that fell back to the comm would measure the comm twice
            raise RuntimeError(f"the {transport} view is live over {shown!r}")
        frames[transport] = app_frame(output)
        frames[transport].wait_for_selector("#bench-b", state="attached")
    return page, frames


def open_peer(browser: Any, hub: Any, url: str, direct_url: str) -> tuple[Any, Any]:
    """Log ``trame`` in (the hub spawns its jupyter-server-proxy server), open the page of trame's server at
    ``url`` behind it and, for reference, that of a second one direct from its port: the two tabs. (Two
    servers: trame's state is shared by all of a server's pages, each would also update the other.)"""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, ignore_https_errors=True)
    context.set_default_timeout(60_000)
    page = context.new_page()
    user = hub.user(PEER)
    progress(f"logging {PEER} in (the hub spawns bench/.venv-trame's server)")
    user.login(page, lab=False)
    port = url.split(":")[2].split("/")[0]
    page.goto(f"{user.url}proxy/{port}/index.html")
    direct = context.new_page()
    direct.goto(direct_url)
    for tab in (page, direct):
        tab.wait_for_selector("#bench-b", state="attached")
    return page, direct


def measure(targets: dict[str, tuple[Any, Any]], rounds: int, blocks: int) -> dict[str, dict[str, float]]:
    """Interleaved blocks of round trips; ``targets``: name → (the tab to bring to front, the frame)."""
    per_block = math.ceil(rounds / blocks)
    times: dict[str, list[float]] = {name: [] for name in targets}
    means: dict[str, list[float]] = {name: [] for name in targets}
    for block in range(blocks):
        for name, (page, frame) in targets.items():
            progress(f"block {block + 1}/{blocks}: {TARGETS[name]}")
            page.bring_to_front()
            warmup = FIRST_WARMUP if block == 0 else BLOCK_WARMUP
            measured = frame.evaluate(ROUND_TRIPS, {"rounds": per_block, "warmup": warmup})
            times[name] += measured["times"]
            means[name].append(measured["mean"])
    return {
        name: {
            "median": statistics.median(values),
            "p90": percentile(values, 0.9),
            "mean": statistics.fmean(means[name]),
            "count": len(values),
        }
        for name, values in times.items()
    }


def report(results: dict[str, dict[str, float]], options: argparse.Namespace, about: dict[str, str]) -> None:
    count = results["proxy"]["count"]
    print(
        f"\nBehind a real JupyterHub {about['hub']} (configurable-http-proxy, dummy authenticator, local spawner);"
        f"\nChromium {CHROMIUM}. DOM round trip: input -> Python @change -> DOM; {count} round trips each,"
        f"\nin {options.blocks} interleaved blocks ({FIRST_WARMUP} warm-up round trips first, then"
        f" {BLOCK_WARMUP} per block)."
    )
    if "trame" in results:
        print(f"trame {about['trame']}, from bench/.venv-trame.")
    print(f"\n  {'':44}{'median':>10}{'p90':>11}{'mean':>11}")
    for name, label in TARGETS.items():
        if name in results:
            figures = results[name]
            print(f"  {label:44}{figures['median']:>7.2f} ms{figures['p90']:>8.2f} ms{figures['mean']:>8.2f} ms")

    def ratio(label: str, numerator: str, baseline: str, goal: float | None = None) -> None:
        median = results[numerator]["median"] / results[baseline]["median"]
        p90 = results[numerator]["p90"] / results[baseline]["p90"]
        verdict = f"    goal <= {goal}x: {'met' if median <= goal else 'NOT met'}" if goal is not None else ""
        print(f"  {label:44}{median:>8.2f}x{p90:>10.2f}x{verdict}")

    print(f"\n  Ratios against this run's baselines{'':10}{'median':>9}{'p90':>11}")
    ratio("proxy / comm", "proxy", "comm", 0.2)
    if "trame" in results:
        ratio("proxy / trame behind jupyter-server-proxy", "proxy", "trame", 0.1)
        ratio("for reference: comm / trame behind jsp", "comm", "trame")
        ratio("for reference: proxy / trame direct", "proxy", "trame-direct")
        ratio("for reference: trame behind jsp / direct", "trame", "trame-direct")
    else:
        print(f"\n  (c) skipped: {about['skipped']}")
    print(
        "\n  (a) and (b): iframes of one notebook in alice's JupyterLab, one kernel, a server each;"
        "\n  (c): trame's own page (a tab of user trame) through the hub's proxy and jupyter-server-proxy,"
        "\n  trame as it ships (its websocket to jupyter-server-proxy compressed, the browser's not);"
        "\n  trame direct: a second trame server of the same app, its page from its own port, outside the hub."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200, help="round trips measured per way (after warm-up)")
    parser.add_argument("--blocks", type=int, default=4, help="interleaved blocks the round trips are split into")
    parser.add_argument("--no-trame", action="store_true", help="measure (a) and (b) only")
    options = parser.parse_args()
    if not (ROOT / "trame_jupyter" / "static" / "index.html").exists():
        sys.exit("trame_jupyter/static is missing: build the client first (npm install && npm run build:prod)")

    from playwright.sync_api import sync_playwright
    from support.hub_harness import start_hub, stop_hub

    trame, skipped = peer_python(options)
    about = {"hub": version_of(sys.executable, "jupyterhub"), "skipped": skipped or ""}
    with ExitStack() as stack:  # closed in reverse: the app, the browser, the hub, its files, Playwright
        playwright = stack.enter_context(sync_playwright())
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        single_user = {PEER: trame.with_name("jupyterhub-singleuser")} if trame else None
        progress("starting JupyterHub")
        hub = start_hub(tmp / "hub", single_user=single_user)
        stack.callback(stop_hub, hub)
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        stack.callback(browser.close)
        try:
            lab_page, frames = open_views(browser, hub)
        except Exception:
            print(f"JupyterHub's log, last lines:\n{hub.log()[-4000:]}", file=sys.stderr)
            raise
        targets = {transport: (lab_page, frame) for transport, frame in frames.items()}
        if trame is not None:
            try:
                about["trame"] = version_of(trame, "trame")
                apps = [AppProcess(str(trame), "trame") for _ in range(2)]
                for app in apps:
                    stack.callback(app.close)
                behind, direct = open_peer(browser, hub, apps[0].url, apps[1].url)
                targets["trame"] = (behind, behind.main_frame)
                targets["trame-direct"] = (direct, direct.main_frame)
            except Exception as error:  # say why, never a number for what did not run
                about["skipped"] = f"trame behind the hub failed: {error}\n{hub.log()[-3000:]}"
        lab_page.wait_for_timeout(300)  # let the connections settle (lifecycle calls, first pushes)
        results = measure(targets, options.rounds, options.blocks)
    report(results, options, about)


if __name__ == "__main__":
    main()
