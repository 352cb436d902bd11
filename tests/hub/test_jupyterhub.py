"""Our proxy behind a real JupyterHub (``support.hub_harness``): log in with Chromium, Run All a notebook,
and the view is live through our proxy, not the kernel comm it falls back to when the proxy fails.

Behind the hub, the single-user server takes the hub's OAuth cookie, refuses CORS-mode requests without
the XSRF token (the renderer's probe, the page's secret fetch, module scripts), sends requests it does not
authenticate to the hub's OAuth flow, and forbids framing by default (``frame-ancestors 'none'``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from support.hub_harness import Hub, start_hub, stop_hub
from support.lab_apps import APP  # the README's app: a slider, its label
from support.lab_harness import open_notebook, output_text, run_all, run_cell, set_cell, view, wait_state

pytestmark = [pytest.mark.jupyter, pytest.mark.browser]


@pytest.fixture(
    scope="module",
    params=[pytest.param(("/", False), id="http"), pytest.param(("/jhub/", True), id="https-jhub")],
)
def hub(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    base_url, tls = request.param
    running = start_hub(tmp_path_factory.mktemp("hub"), base_url=base_url, tls=tls)
    yield running
    stop_hub(running)


@pytest.fixture
def hub_page(browser: Any, hub: Hub) -> Iterator[Any]:
    """A tab of its own browser context (its own hub login), recording the responses of our routes."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, ignore_https_errors=True)
    context.set_default_timeout(30_000)
    page = context.new_page()
    page.ours = []  # (status, url) of every answer on a trame-jupyter route, the view's frames included
    context.on("response", lambda r: page.ours.append((r.status, r.url)) if "/trame-jupyter/" in r.url else None)
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    yield page
    context.close()


def test_a_view_is_live_through_our_proxy_behind_a_real_hub(hub: Hub, hub_page: Any) -> None:
    page = hub_page
    user = hub.user()
    notebook = user.write_notebook("hub.ipynb", [APP, "pass"])
    user.login(page)
    open_notebook(page, user, notebook)
    run_all(page)
    output = view(page, 0)
    wait_state(page, output, "live")

    frame_element = output.locator(".trame-jupyter-frame")
    assert frame_element.get_attribute("srcdoc") is None  # not a page loaded over the kernel comm
    assert (frame_element.get_attribute("src") or "").startswith(f"{user.url}trame-jupyter/")
    app = page.frame_locator(".jp-Notebook .trame-jupyter-frame").first
    app.locator(".label").filter(has_text="resolution 6").wait_for()
    app.locator("input[type=range]").fill("42")  # a DOM round trip: the browser's write, Python's answer
    app.locator(".label").filter(has_text="resolution 42").wait_for()

    set_cell(page, 1, "import trame_jupyter\ntrame_jupyter.diagnose()")
    run_cell(page, 1)
    report = output_text(page, 1)
    assert "connected now: 0 over the kernel comm, 1 over websockets" in report, report

    link = output.locator("a.trame-jupyter-open-browser")
    assert (link.get_attribute("href") or "").startswith(f"{user.url}trame-jupyter/")
    with page.context.expect_page() as opened:
        link.click()
    browser_tab = opened.value
    browser_tab.wait_for_selector('#trame-jupyter-status[data-status="live"]', state="attached")
    browser_tab.locator(".label").filter(has_text="resolution 42").wait_for()

    refused = [(status, url) for status, url in page.ours if status >= 300]
    assert not refused, f"requests of our routes refused or redirected (to the hub's login): {refused}"
    assert any("/trame-jupyter-client/" in url for _, url in page.ours)  # the page's scripts came over HTTP
    assert not page.errors, page.errors
