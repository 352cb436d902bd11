"""Views that are not live in a real JupyterLab: the last snapshot with one notice and one action, never a
dead frame or a request to a page whose server is gone; and the page in the notebook's theme."""

from __future__ import annotations

from typing import Any

import pytest

from support.lab_apps import APP, wait_for_state
from support.lab_views import NOTEBOOK, app_frame, assert_one_notice, kernel_id, not_found, record_requests, screenshot, server_id_of, snapshot_input, snapshot_text
from support.lab_harness import LabServer, command, execute, open_notebook, output_text, run_cell, view, wait_state

pytestmark = [pytest.mark.jupyter, pytest.mark.browser]

# -- tests --------------------------------------------------------------------------------------


def test_stop_shows_the_last_snapshot_and_rerun_revives(lab: LabServer, page: Any) -> None:
    """(a) ``server.stop()``: the final bundle's snapshot (state at stop) under one notice, no request to the
    stopped page; Re-run runs the cell and the view is live again."""
    open_notebook(page, lab, lab.write_notebook("stop.ipynb", [APP]))
    run_cell(page, 0)
    output = view(page, 0)
    wait_state(page, output, "live")
    app_frame(page).locator("input.text").fill("typed before stop")
    assert "OK" in execute(page, 1, wait_for_state("server.state.text == 'typed before stop'"))
    execute(page, 2, "server.state.message = 'the last words'")
    app_frame(page).locator(".message").filter(has_text="the last words").wait_for()

    requests = record_requests(page, server_id_of(output))
    execute(page, 3, "server.stop()")
    wait_state(page, output, "server-stopped")
    assert_one_notice(output, "server stopped")
    assert "the last words" in snapshot_text(output)
    assert snapshot_input(output, "text") == "typed before stop"
    page.wait_for_timeout(1500)  # room for a request that must not come (a reloading or retrying page)
    assert not_found(requests) == [], requests
    screenshot(page, "a-server-stopped")

    output.locator(".trame-jupyter-rerun").click()
    wait_state(page, view(page, 0), "live")
    app_frame(page).locator(".message").filter(has_text="hello from python").wait_for()
    assert view(page, 0).locator(".trame-jupyter-state-notice").is_hidden()
    screenshot(page, "a-rerun-live")
    assert not page.errors, page.errors


def test_run_to_here_after_a_restart_runs_what_the_view_needs(lab: LabServer, page: Any) -> None:
    """After a kernel restart the view's cell alone would fail (what the cells above defined is gone): the
    notice offers "Run to here", which runs the notebook from the top through that cell, not the cells
    after it, and the view is live again."""
    cells = [
        "from trame_jupyter import get_server\nserver = get_server('needs-above')\nstate = server.state",
        "from trame_jupyter.ui import DivLayout\nfrom trame_jupyter.widgets import html\n"
        "state.word = 'defined above'\nwith DivLayout(server):\n    html.Div('{{ word }}', classes='word')\n"
        "display(server)",
        "after = True",
        "print('after' in globals())",
    ]
    open_notebook(page, lab, lab.write_notebook("run-to-here.ipynb", cells))
    for index in range(3):
        run_cell(page, index)
    wait_state(page, view(page, 1), "live")
    command(page, "notebook:restart-kernel")
    page.locator(".jp-Dialog .jp-mod-accept").click()
    output = view(page, 1)
    wait_state(page, output, "kernel-restarted")
    page.wait_for_function("() => jupyterapp.shell.currentWidget.sessionContext.session?.kernel?.status === 'idle'")
    action = output.locator(".trame-jupyter-rerun")
    assert action.inner_text().strip() == "Run to here", action.inner_text()
    action.click()
    wait_state(page, view(page, 1), "live")
    app_frame(page).locator(".word").filter(has_text="defined above").wait_for()
    run_cell(page, 3)
    assert output_text(page, 3).strip() == "False"  # the cells after the view's did not run
    assert not page.errors, page.errors


def test_kernel_restart_shows_what_the_page_showed_last(lab: LabServer, page: Any) -> None:
    """(b) A kernel restart (REST API) gives Python no chance to send a final bundle: the view keeps the
    page's own last picture (state changed after display, by the browser and by Python), one notice."""
    open_notebook(page, lab, lab.write_notebook("restart.ipynb", [APP]))
    run_cell(page, 0)
    output = view(page, 0)
    wait_state(page, output, "live")
    app_frame(page).locator("input.text").fill("typed after display")
    assert "OK" in execute(page, 1, wait_for_state("server.state.text == 'typed after display'"))
    execute(page, 2, "server.state.message = 'changed after display'")
    app_frame(page).locator(".message").filter(has_text="changed after display").wait_for()

    response = lab.http(f"api/kernels/{kernel_id(page)}/restart", method="POST")
    assert response.status_code == 200, response.text
    wait_state(page, output, "kernel-restarted")
    assert_one_notice(output, "restarted", action="Run to here")
    assert "changed after display" in snapshot_text(output)  # not the display-time snapshot
    assert snapshot_input(output, "text") == "typed after display"
    screenshot(page, "b-kernel-restarted")
    assert not page.errors, page.errors


def _save_close(page: Any) -> None:
    page.evaluate(f"async () => {{ const nb = {NOTEBOOK}; await nb.context.save(); nb.close(); }}")
    page.locator(".jp-Notebook").wait_for(state="detached")


def _reopen(page: Any, server: LabServer, name: str, server_id: str) -> tuple[Any, list[tuple[str, int | None]]]:
    """Reopen a saved notebook in a fresh page, recording requests to the server's page from the start."""
    requests = record_requests(page, server_id)
    open_notebook(page, server, name)
    output = view(page, 0)
    output.wait_for()
    return output, requests


def test_saved_notebook_reopened_shows_its_snapshot(lab: LabServer, page: Any) -> None:
    """(c) Save, close and reopen while a kernel runs: the saved snapshot shows with a correct notice, never
    "Start a kernel", no dead frame, and no request at all to the page of the stopped server."""
    # A server stopped before saving: the saved bundle is final (state at stop); the same kernel still runs.
    name = lab.write_notebook("saved_stopped.ipynb", [APP])
    open_notebook(page, lab, name)
    run_cell(page, 0)
    output = view(page, 0)
    wait_state(page, output, "live")
    server_id = server_id_of(output)
    execute(page, 1, "server.state.message = 'state at stop'")
    app_frame(page).locator(".message").filter(has_text="state at stop").wait_for()
    execute(page, 2, "server.stop()")
    wait_state(page, output, "server-stopped")
    _save_close(page)

    output, requests = _reopen(page, lab, name, server_id)
    wait_state(page, output, "server-stopped")
    assert_one_notice(output, "server stopped")
    assert "state at stop" in snapshot_text(output)
    page.wait_for_timeout(1500)  # room for a request that must not come
    assert requests == [], requests  # a final bundle is shown as it is: nothing to ask, nothing to load
    screenshot(page, "c-reopened-server-stopped")

    # A live view saved, then its kernel shut down: reopening starts another kernel. Only the bundle's
    # display-time snapshot exists; the notebook has a kernel, so the notice must not ask to start one.
    name = lab.write_notebook("saved_live.ipynb", [APP])
    open_notebook(page, lab, name)
    run_cell(page, 0)
    output = view(page, 0)
    wait_state(page, output, "live")
    server_id, old_kernel = server_id_of(output), kernel_id(page)
    _save_close(page)
    sessions = [s for s in lab.http("api/sessions").json() if s["kernel"]["id"] == old_kernel]
    for session in sessions:
        assert lab.http(f"api/sessions/{session['id']}", method="DELETE").status_code == 204

    output, requests = _reopen(page, lab, name, server_id)
    assert kernel_id(page) != old_kernel
    wait_state(page, output, "not-running")
    assert_one_notice(output, "not running", action="Run to here")
    assert "hello from python" in snapshot_text(output)
    page.wait_for_timeout(1500)  # room for a request that must not come
    assert requests == [], requests
    screenshot(page, "c-reopened-new-kernel")
    assert not page.errors, page.errors


LAB_FONT = """() => {
    const probe = document.createElement('div');
    probe.style.fontFamily = 'var(--jp-content-font-family)';
    probe.style.color = 'var(--jp-content-font-color1)';
    document.body.appendChild(probe);
    const style = getComputedStyle(probe);
    const found = [style.fontFamily, style.color];
    probe.remove();
    return found;
}"""
PAGE_LOOK = """() => {
    const style = getComputedStyle(document.querySelector('.message'));
    return [style.fontFamily, style.color, getComputedStyle(document.documentElement).colorScheme];
}"""


def test_unstyled_layout_follows_the_notebook_theme(lab: LabServer, page: Any) -> None:
    """(d) A DivLayout without styles renders in Lab's content font and colour; switching Lab to its dark
    theme switches the page's colour scheme and text colour. The same for ``server.widget`` (the anywidget
    view, which renders without our extension's help), shown beside it."""
    open_notebook(page, lab, lab.write_notebook("theme.ipynb", [APP, "server.widget"]))
    run_cell(page, 0)
    output = view(page, 0)
    wait_state(page, output, "live")
    run_cell(page, 1)
    page.locator(".jp-Notebook .jp-Cell").nth(1).frame_locator(".trame-jupyter-widget-frame").locator(
        ".message"
    ).wait_for()
    frames = [f for f in page.frames if "/trame-jupyter/" in f.url]
    assert len(frames) == 2, [f.url for f in page.frames]  # the output's page and the widget's
    lab_font, lab_color = page.evaluate(LAB_FONT)
    assert "serif" in lab_font and not lab_font.lower().startswith(("serif", "times")), lab_font
    for frame in frames:
        frame.wait_for_function(
            "(font) => getComputedStyle(document.querySelector('.message')).fontFamily === font", arg=lab_font
        )
        font, color, scheme = frame.evaluate(PAGE_LOOK)
        assert (font, color, scheme) == (lab_font, lab_color, "light"), frame.url
    screenshot(page, "d-theme-light")

    try:
        command(page, "apputils:change-theme", {"theme": "JupyterLab Dark"})
        page.wait_for_function("() => document.body.dataset.jpThemeLight === 'false'", timeout=30_000)
        dark_font, dark_color = page.evaluate(LAB_FONT)
        assert dark_color != lab_color, dark_color
        for frame in frames:
            frame.wait_for_function(
                "() => getComputedStyle(document.documentElement).colorScheme === 'dark'", timeout=10_000
            )
            assert frame.evaluate(PAGE_LOOK)[:2] == [dark_font, dark_color], frame.url
        screenshot(page, "d-theme-dark")
    finally:
        command(page, "apputils:change-theme", {"theme": "JupyterLab Light"})
        page.wait_for_function("() => document.body.dataset.jpThemeLight === 'true'", timeout=30_000)
    assert not page.errors, page.errors


# The contrast ratio (WCAG) of an element's text on the background it shows through (its own, or the first
# ancestor's that is not transparent).
CONTRAST = """(selector) => {
    const rgb = (value) => value.match(/[\\d.]+/g).slice(0, 4).map(Number);
    const luminance = ([r, g, b]) => {
        const channel = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
        return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
    };
    const element = document.querySelector(selector);
    let node = element, background = null;
    while (node && node.nodeType === 1) {
        const value = rgb(getComputedStyle(node).backgroundColor);
        if (value.length < 4 || value[3] > 0) { background = value; break; }
        node = node.parentElement;
    }
    background = background || [255, 255, 255];
    const [a, b] = [luminance(rgb(getComputedStyle(element).color)), luminance(background)];
    return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""

DARK_THEME_APPS = [
    # Notebook 03's side view: the author set a light background, not the text colour.
    "from trame_jupyter import get_server\nfrom trame_jupyter.ui import DivLayout\nfrom trame_jupyter.widgets import html\n"
    "side = get_server('side')\n"
    "with DivLayout(side, style='font-family: sans-serif; background: #e3edff; padding: .5em'):\n"
    "    html.B('Next up: ', classes='next')\n"
    "    html.Span('read the docs')\n"
    "display(side)",
    # A Vuetify app that chose no theme follows the notebook; one that chose its theme keeps it.
    "from trame.ui.vuetify3 import SinglePageLayout\nfrom trame.widgets import vuetify3\n"
    "from trame_jupyter.app import get_server\n"
    "for name, config in (('follows', None), ('chose', {'theme': {'defaultTheme': 'light'}})):\n"
    "    app = get_server(name, client_type='vue3')\n"
    "    with SinglePageLayout(app, vuetify_config=config) as layout:\n"
    "        layout.title.set_text(name)\n"
    "        with layout.content:\n"
    "            vuetify3.VCard(vuetify3.VCardText('a card'), classes='card')\n"
    "    display(app)",
]


def test_dark_theme_keeps_author_colours_readable_and_vuetify_follows(lab: LabServer, page: Any) -> None:
    """In JupyterLab's dark theme: text in a box whose background the app set stays readable (the page's
    dark-theme text colour used to land on it: white on light blue), and a Vuetify app switches to
    Vuetify's dark theme unless it chose its own."""
    open_notebook(page, lab, lab.write_notebook("dark.ipynb", DARK_THEME_APPS))
    run_cell(page, 0)
    run_cell(page, 1)
    for index, count in ((0, 1), (1, 2)):
        views = page.locator(".jp-Notebook .jp-Cell").nth(index).locator(".trame-jupyter-view")
        for position in range(count):
            wait_state(page, views.nth(position), "live")
    frames = {name: next(f for f in page.frames if f"-{name}/" in f.url) for name in ("side", "follows", "chose")}
    try:
        command(page, "apputils:change-theme", {"theme": "JupyterLab Dark"})
        page.wait_for_function("() => document.body.dataset.jpThemeLight === 'false'", timeout=30_000)
        side = frames["side"]
        side.wait_for_function("() => document.documentElement.dataset.tjScheme === 'dark'", timeout=10_000)
        assert side.evaluate(CONTRAST, ".next") >= 4.5
        frames["follows"].wait_for_function(
            "() => !!document.querySelector('.v-application.v-theme--dark')", timeout=10_000
        )
        frames["chose"].wait_for_function(
            "() => document.documentElement.dataset.tjScheme === 'dark'", timeout=10_000
        )
        assert frames["chose"].locator(".v-application.v-theme--light").count() == 1
        screenshot(page, "e-dark-theme-author-colours")
    finally:
        command(page, "apputils:change-theme", {"theme": "JupyterLab Light"})
        page.wait_for_function("() => document.body.dataset.jpThemeLight === 'true'", timeout=30_000)
    frames["follows"].wait_for_function("() => !!document.querySelector('.v-application.v-theme--light')")
    assert not page.errors, page.errors
