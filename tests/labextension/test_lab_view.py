"""The renderer in a real JupyterLab: live state both ways, sizing, clearing, restart, tabs and bad data."""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import nbformat
import pytest
from jupyter_client import BlockingKernelClient

import trame_jupyter

from support.lab_apps import APP, CLIENTS, MIME, wait_for_state
from support.lab_harness import (
    LabServer,
    command,
    execute,
    frame_height,
    open_notebook,
    output_text,
    run_cell,
    run_cell_with_keyboard,
    view,
    wait_state,
)

pytestmark = [pytest.mark.jupyter, pytest.mark.browser]


def test_live_view_round_trip(lab: LabServer, page: Any) -> None:
    """Type in the frame → Python sees it; Python changes state → the frame shows it; the height follows;
    clearing the output removes the frame and its client."""
    open_notebook(page, lab, lab.write_notebook("round_trip.ipynb", [APP]))
    run_cell_with_keyboard(page, 0)
    output = view(page, 0)
    wait_state(page, output, "live")
    frame = page.frame_locator(".jp-Notebook .trame-jupyter-frame").first

    # Browser → Python
    frame.locator("input.text").fill("typed in the browser")
    assert "OK" in execute(page, 1, wait_for_state("server.state.text == 'typed in the browser'"))
    frame.locator("input.resolution").focus()
    page.keyboard.press("ArrowRight")
    assert "OK" in execute(page, 2, wait_for_state("server.state.label == 'resolution 7'"))
    frame.locator(".label").filter(has_text="resolution 7").wait_for()

    # Python → browser, and the frame grows with its content (never measured from the frame itself); the
    # content may start below the frame's minimum height, so the growth is counted from the content's.
    before = frame.locator("#trame-jupyter-root").evaluate("root => root.getBoundingClientRect().height")
    execute(page, 3, "server.state.message = 'changed by python'\nserver.state.rows = list(range(12))")
    frame.locator(".message").filter(has_text="changed by python").wait_for()
    page.wait_for_function(
        "(before) => document.querySelector('.jp-Notebook .trame-jupyter-frame').getBoundingClientRect().height"
        " >= before + 12 * 30 - 4",
        arg=before,
    )
    assert "OK" in execute(page, 4, wait_for_state(f"{CLIENTS} == 1"))

    # Clearing the output disposes the frame: the kernel's server loses that client.
    page.evaluate("() => { jupyterapp.shell.currentWidget.content.activeCellIndex = 0; }")
    command(page, "notebook:clear-cell-output")
    output.wait_for(state="detached")
    assert page.locator(".trame-jupyter-frame").count() == 0
    assert "OK" in execute(page, 5, wait_for_state(f"{CLIENTS} == 0"))
    assert not page.errors, page.errors


def test_closing_the_notebook_disconnects(lab: LabServer, page: Any) -> None:
    """Closing the notebook disposes its views: the kernel (still running) sees its client leave."""
    open_notebook(page, lab, lab.write_notebook("close.ipynb", [APP]))
    run_cell(page, 0)
    wait_state(page, view(page, 0), "live")
    kernel_id = page.evaluate("() => jupyterapp.shell.currentWidget.sessionContext.session.kernel.id")
    page.evaluate("async () => { const nb = jupyterapp.shell.currentWidget; await nb.context.save(); nb.close(); }")
    page.locator(".trame-jupyter-view").wait_for(state="detached")
    with kernel_client(lab, kernel_id) as client:
        assert run_in_kernel(client, wait_for_state(f"{CLIENTS} == 0")).strip() == "OK"


@contextlib.contextmanager
def kernel_client(server: LabServer, kernel_id: str) -> Iterator[BlockingKernelClient]:
    """A ZMQ client of a kernel the Jupyter server runs (no browser involved)."""
    client = BlockingKernelClient()
    client.load_connection_info(json.loads((server.runtime_dir / f"kernel-{kernel_id}.json").read_text()))
    client.start_channels(hb=False)  # a heartbeat calls a slow-starting kernel dead (see support/jupyter_harness.py)
    try:
        client.wait_for_ready(timeout=30)
        yield client
    finally:
        client.stop_channels()


def run_in_kernel(client: BlockingKernelClient, code: str) -> str:
    out: list[str] = []

    def collect(message: dict[str, Any]) -> None:
        if message["msg_type"] == "stream":
            out.append(message["content"]["text"])

    reply = client.execute_interactive(code, output_hook=collect, timeout=60)
    assert reply["content"]["status"] == "ok", reply["content"]
    return "".join(out)


def notice(page: Any, index: int) -> str:
    """The one visible notice of the view in cell ``index`` (a line above its snapshot, never an overlay)."""
    notices = view(page, index).locator(".trame-jupyter-state-notice:visible")
    assert notices.count() == 1, notices.all_inner_texts()
    assert view(page, index).locator(".trame-jupyter-frame").is_hidden()
    return notices.first.inner_text()


def test_rerun_and_kernel_restart_and_shutdown(lab: LabServer, page: Any) -> None:
    """Re-running shows the new server; a stopped server, a restarted kernel (through the Lab UI) and a shut
    down kernel each show the snapshot under their one notice, in place of the frame."""
    open_notebook(page, lab, lab.write_notebook("restart.ipynb", [APP, "server.stop()"]))
    run_cell(page, 0)
    wait_state(page, view(page, 0), "live")
    run_cell(page, 0)  # the same cell again: a new server, a new view
    wait_state(page, view(page, 0), "live")
    assert page.locator(".trame-jupyter-view").count() == 1

    run_cell(page, 1)
    wait_state(page, view(page, 0), "server-stopped")
    assert notice(page, 0).startswith("Server stopped.")
    assert view(page, 0).locator(".trame-jupyter-snapshot .message").inner_text() == "hello from python"

    run_cell(page, 0)
    wait_state(page, view(page, 0), "live")
    command(page, "notebook:restart-kernel")
    page.locator(".jp-Dialog .jp-mod-accept").click()
    wait_state(page, view(page, 0), "kernel-restarted")
    assert notice(page, 0).startswith("Kernel restarted.")

    page.wait_for_function("() => jupyterapp.shell.currentWidget.sessionContext.session?.kernel?.status === 'idle'")
    run_cell(page, 0)
    wait_state(page, view(page, 0), "live")
    command(page, "notebook:shutdown-kernel")  # no confirmation dialog for this one
    wait_state(page, view(page, 0), "kernel-shutdown")
    assert notice(page, 0).startswith("Kernel not running.")
    assert not page.errors, page.errors


def test_a_view_whose_kernel_is_busy_says_it_waits_then_live_again(lab: LabServer, page: Any) -> None:
    """A cell blocks the kernel (time.sleep): what the user changes waits for an answer, and the view says
    "waiting for the kernel…" instead of "live", stays usable, and is live again once the cell ends (the
    change then reaches Python)."""
    open_notebook(
        page, lab, lab.write_notebook("busy.ipynb", [APP, "import time\ntime.sleep(5)", "server.state.resolution"])
    )
    run_cell(page, 0)
    output = view(page, 0)
    wait_state(page, output, "live")
    page.evaluate(
        "() => { const nb = jupyterapp.shell.currentWidget.content; nb.activeCellIndex = 1;"
        " void jupyterapp.commands.execute('notebook:run-cell'); }"
    )
    page.wait_for_function("() => jupyterapp.shell.currentWidget.sessionContext.session?.kernel?.status === 'busy'")
    app = page.frame_locator(".jp-Notebook .trame-jupyter-frame").first
    app.locator("input.resolution").fill("33")
    wait_state(page, output, "waiting", timeout=6_000)
    assert output.locator(".trame-jupyter-state-label").inner_text() == "waiting for the kernel…"
    assert output.locator(".trame-jupyter-frame").is_visible()  # the app stays on screen and usable
    wait_state(page, output, "live", timeout=30_000)
    app.locator(".label").filter(has_text="resolution 33").wait_for()
    assert not page.errors, page.errors


def test_tab_linked_view_and_browser_tab(lab: LabServer, page: Any) -> None:
    """The same live view in a JupyterLab tab, in "Create New View for Output" and in a browser tab,
    each filling its space."""
    open_notebook(page, lab, lab.write_notebook("views.ipynb", [APP]))
    run_cell(page, 0)
    output = view(page, 0)
    wait_state(page, output, "live")

    output.locator(".trame-jupyter-open-tab").click()
    tab = page.locator(".trame-jupyter-view.trame-jupyter-tab")
    wait_state(page, tab, "live")
    tab_frame = page.frame_locator(".trame-jupyter-tab .trame-jupyter-frame")
    tab_frame.locator(".message").filter(has_text="hello from python").wait_for()
    tab_box = tab.bounding_box()
    assert tab_box["height"] > 600, tab_box
    assert frame_height(tab) > tab_box["height"] - 60

    activate_notebook(page)
    page.evaluate("() => { jupyterapp.shell.currentWidget.content.activeCellIndex = 0; }")
    command(page, "notebook:create-output-view")
    linked = page.locator(".jp-LinkedOutputView .trame-jupyter-view")
    wait_state(page, linked, "live")
    container = page.locator(".jp-LinkedOutputView").bounding_box()
    assert frame_height(linked) > container["height"] * 0.7, (frame_height(linked), container)
    activate_notebook(page)
    assert "OK" in execute(page, 1, wait_for_state(f"{CLIENTS} == 3"))

    link = output.locator("a.trame-jupyter-open-browser")
    href = link.get_attribute("href")
    assert href.startswith(f"{lab.url}trame-jupyter/")
    with page.context.expect_page() as opened:
        link.click()
    browser_tab = opened.value
    browser_tab.wait_for_selector('#trame-jupyter-status[data-status="live"]', state="attached")
    browser_tab.locator(".message").filter(has_text="hello from python").wait_for()
    assert not page.errors, page.errors


def activate_notebook(page: Any) -> None:
    """Make the notebook the current widget again (after a tab or a linked view took the focus)."""
    page.evaluate(
        "() => { const nb = [...jupyterapp.shell.widgets('main')].find(w => w.content?.widgets);"
        " jupyterapp.shell.activateById(nb.id); }"
    )
    page.wait_for_function("() => !!jupyterapp.shell.currentWidget?.content?.widgets")


def test_invalid_bundle_and_version_mismatch(lab: LabServer, page: Any) -> None:
    """A bundle with a missing or invalid field renders a readable error; another version shows a notice
    with both versions and the view still loads."""
    bad = f"display({{{MIME!r}: {{'path': '../../etc/passwd', 'ui': 'main', 'version': '0.1.0'}}}}, raw=True)"
    mismatch = (
        "from trame_jupyter.jupyter.kernel.display import live_bundle\n"
        "from trame_jupyter.server.registry import registry\n"
        "bundle = live_bundle(server.view(), registry.host.server_id(server))\n"
        f"bundle[{MIME!r}]['version'] = '9.9.9'\n"
        "display(bundle, raw=True)"
    )
    open_notebook(page, lab, lab.write_notebook("bad.ipynb", [APP, bad, mismatch]))
    run_cell(page, 0)
    run_cell(page, 1)
    error = page.locator(".jp-Notebook .jp-Cell").nth(1).locator(".trame-jupyter-error")
    error.wait_for()
    text = error.inner_text()
    assert '"server_id" is missing' in text, text
    assert page.locator(".jp-Notebook .jp-Cell").nth(1).locator(".trame-jupyter-frame[src]").count() == 0

    run_cell(page, 2)
    notice = view(page, 2).locator(".trame-jupyter-version")
    notice.wait_for()
    assert "9.9.9" in notice.inner_text()
    assert trame_jupyter.__version__ in notice.inner_text()
    wait_state(page, view(page, 2), "live")
    assert output_text(page, 1)  # the error is visible text


def test_saved_output_untrusted_then_trusted(lab: LabServer, page: Any) -> None:
    """A saved notebook is untrusted: our (unsafe) renderer is not used, the bundle's text/html fallback
    is. Once trusted, the view checks its kernel first and shows the saved snapshot under a notice that is
    true while the notebook runs another kernel, instead of a dead frame."""
    name = lab.write_notebook("saved.ipynb", ["display(server)"])
    notebook = nbformat.read(lab.root_dir / name, as_version=4)
    server_id = "0000aaaa-demo"
    bundle = {
        "server_id": server_id,
        "name": "demo",
        "path": f"trame-jupyter/{server_id}/index.html?ui=main&server_id={server_id}",
        "ui": "main",
        "height": None,
        "width": None,
        "kernel_id": str(uuid.uuid4()),  # a kernel this Jupyter never ran
        "kernel_pid": 12345,
        "version": trame_jupyter.__version__,
        "stopped": False,
        "snapshot": "<div class='saved'>saved picture</div><script>window.snapshotScript = 1</script>",
    }
    notebook.cells[0].outputs = [
        nbformat.v4.new_output(
            "display_data",
            data={MIME: bundle, "text/html": "<b class='fallback'>trame app demo</b>", "text/plain": "<view>"},
        )
    ]
    nbformat.write(notebook, lab.root_dir / name)
    open_notebook(page, lab, name)
    page.locator(".jp-Notebook .jp-Cell").first.locator("b.fallback").wait_for()
    assert page.locator(".trame-jupyter-view").count() == 0

    command(page, "notebook:trust")
    page.locator(".jp-Dialog .jp-mod-accept").click()
    output = view(page, 0)
    wait_state(page, output, "not-running")
    assert notice(page, 0).startswith("Server not running.")
    assert "start a kernel" not in output.inner_text().lower()
    assert output.locator(".trame-jupyter-snapshot .saved").inner_text() == "saved picture"
    assert output.locator(".trame-jupyter-snapshot script").count() == 0  # sanitized in the front end too
    assert output.locator(".trame-jupyter-frame").get_attribute("src") in (None, "about:blank")
    assert not page.errors, page.errors


def test_sizing_rules(lab: LabServer, page: Any) -> None:
    """Size messages count only from the view's own frame; heights are clamped; a flip-flop settles on
    the larger value; a bundle's fixed height and width win over the content."""
    fixed = "display(server.view(height=300, width='50%'))"
    open_notebook(page, lab, lab.write_notebook("sizing.ipynb", [APP, fixed]))
    run_cell(page, 0)
    output = view(page, 0)
    wait_state(page, output, "live")
    query = parse_qs(urlsplit(output.locator(".trame-jupyter-frame").get_attribute("src")).query)
    server_id = query["server_id"][0]
    assert query["embed"] == ["jupyter"]  # the page leaves the status to the renderer
    app_frame = next(f for f in page.frames if "trame-jupyter/" in f.url)

    def post(target: Any, *heights: float) -> None:
        """Post size messages to the notebook page from ``target`` (in one go: timing matters)."""
        messages = [{"type": "trame-jupyter:size", "height": h, "server_id": server_id} for h in heights]
        target.evaluate("(messages) => messages.forEach((m) => window.parent.postMessage(m, '*'))", messages)

    def height_is(value: float) -> None:
        page.wait_for_function(
            "(h) => Math.round(document.querySelector('.jp-Notebook .trame-jupyter-frame')"
            ".getBoundingClientRect().height) === h",
            arg=value,
        )

    # Start once the page's own report is applied (it reports again only if its content changes).
    page.wait_for_function(
        "(h) => Math.abs(document.querySelector('.jp-Notebook .trame-jupyter-frame').getBoundingClientRect().height"
        " - h) <= 2",
        arg=max(60, app_frame.evaluate("document.getElementById('trame-jupyter-root').getBoundingClientRect().height")),
    )
    page.evaluate(  # record every height the view applies
        """() => {
            const frame = document.querySelector('.jp-Notebook .trame-jupyter-frame');
            window.appliedHeights = [];
            new MutationObserver(() => window.appliedHeights.push(frame.style.height))
                .observe(frame, { attributes: true, attributeFilter: ['style'] });
        }"""
    )
    post(app_frame, 400)
    height_is(400)
    post(page, 700)  # the notebook page itself is not the view's frame: ignored
    post(app_frame, 401)  # within the tolerance: ignored
    post(app_frame, 99_999)
    height_is(5000)
    post(app_frame, 10)
    height_is(60)
    post(app_frame, 250, 300, 250, 120)  # a flip-flop settles on the larger value, then holds it a moment
    height_is(300)
    applied = page.evaluate("() => window.appliedHeights.filter((h, i, all) => h !== all[i - 1])")
    assert applied == ["400px", "5000px", "60px", "250px", "300px"], applied

    run_cell(page, 1)
    fixed_view = view(page, 1)
    wait_state(page, fixed_view, "live")
    box = fixed_view.locator(".trame-jupyter-frame").bounding_box()
    cell_width = fixed_view.bounding_box()["width"]
    assert round(box["height"]) == 300, box
    assert abs(box["width"] - cell_width / 2) < 2, (box, cell_width)
