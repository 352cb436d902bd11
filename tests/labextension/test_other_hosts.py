"""The same renderer under a hub-like base URL, and in Notebook 7's notebook page (live, and stopped)."""

from __future__ import annotations

from typing import Any

import pytest

from support.lab_apps import APP, CLIENTS, wait_for_state
from support.lab_harness import LabServer, execute, open_notebook, run_cell, view, wait_state
from support.lab_views import assert_one_notice, not_found, record_requests, screenshot, server_id_of, snapshot_text

pytestmark = [pytest.mark.jupyter, pytest.mark.browser]


def round_trip(page: Any, server: LabServer) -> None:
    """Run the app; browser → Python and Python → browser; the view asks the right base URL."""
    run_cell(page, 0)
    output = view(page, 0)
    wait_state(page, output, "live")
    src = output.locator(".trame-jupyter-frame").get_attribute("src")
    assert src.startswith(f"{server.url}trame-jupyter/"), src
    frame = page.frame_locator(".trame-jupyter-frame").first
    frame.locator("input.text").fill("from the browser")
    assert "OK" in execute(page, 1, wait_for_state("server.state.text == 'from the browser'"))
    execute(page, 2, "server.state.message = 'from python'")
    frame.locator(".message").filter(has_text="from python").wait_for()
    assert "OK" in execute(page, 3, wait_for_state(f"{CLIENTS} == 1"))
    assert not page.errors, page.errors


def test_lab_under_base_url(lab_prefixed: LabServer, page: Any) -> None:
    """``--ServerApp.base_url=/user/alice/``: no configuration, the view joins its path to the base URL."""
    assert lab_prefixed.base_url == "/user/alice/"
    open_notebook(page, lab_prefixed, lab_prefixed.write_notebook("prefixed.ipynb", [APP]))
    round_trip(page, lab_prefixed)


def test_notebook7(notebook7: LabServer, page: Any) -> None:
    """Notebook 7 (``/tree/<name>`` opens the notebook page): the same renderer, without the tab action."""
    open_notebook(page, notebook7, notebook7.write_notebook("nb7.ipynb", [APP]))
    assert "/notebooks/nb7.ipynb" in page.url
    round_trip(page, notebook7)
    output = view(page, 0)
    assert output.locator(".trame-jupyter-open-tab").is_hidden()
    assert output.locator(".trame-jupyter-open-browser").is_visible()


def test_notebook7_stop_shows_the_snapshot(notebook7: LabServer, page: Any) -> None:
    """(e) Notebook 7: ``server.stop()`` shows the snapshot under one notice; Re-run (the application plugin
    finds the cell through Notebook 7's notebook tracker) makes the view live again."""
    open_notebook(page, notebook7, notebook7.write_notebook("nb7_stop.ipynb", [APP]))
    run_cell(page, 0)
    output = view(page, 0)
    wait_state(page, output, "live")
    execute(page, 1, "server.state.message = 'stopped in notebook 7'")
    page.frame_locator(".trame-jupyter-frame").first.locator(".message").filter(has_text="notebook 7").wait_for()
    requests = record_requests(page, server_id_of(output))
    execute(page, 2, "server.stop()")
    wait_state(page, output, "server-stopped")
    assert_one_notice(output, "server stopped")
    assert "stopped in notebook 7" in snapshot_text(output)
    assert not_found(requests) == [], requests
    screenshot(page, "e-notebook7-stopped")

    output.locator(".trame-jupyter-rerun").click()
    wait_state(page, view(page, 0), "live")
    assert not page.errors, page.errors
