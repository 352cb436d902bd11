"""A real ``jupyter lab`` or ``jupyter notebook`` (random port, token, temp dirs) and the page actions the
tests need: open a notebook, run a cell, read its output, find our view.

Everything waits for a condition (a selector, a JavaScript predicate, a kernel-side loop); nothing sleeps.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .jupyter_harness import JupyterServer, start_jupyter, stop_jupyter

RUN_TIMEOUT_MS = 60_000
ROOT = Path(__file__).parents[2]
EXTENSION_NAME = "trame-jupyter"

# A JupyterLab / Notebook 7 server is the shared harness's server, started with app="lab"/"notebook".
LabServer = JupyterServer


def start_lab(tmp: Path, app: str = "lab", base_url: str = "/", extra_args: list[str] | None = None) -> LabServer:
    """Start ``jupyter lab``/``jupyter notebook`` with our extensions, in temp dirs, and wait until it answers
    (``extra_args``: more command-line options, e.g. ``--gateway-url``)."""
    return start_jupyter(tmp, base_url, extra_args=extra_args, app=app)


stop_lab = stop_jupyter


def installed_extension() -> Path | None:
    """The folder JupyterLab loads our extension from, if it is installed in this environment."""
    from jupyter_core.paths import jupyter_path

    for data_dir in jupyter_path("labextensions"):
        candidate = Path(data_dir) / EXTENSION_NAME / "package.json"
        if candidate.exists():
            return candidate.parent
    return None


# -- page actions --------------------------------------------------------------------------------

NOTEBOOK = "jupyterapp.shell.currentWidget"


# Close every document of the JupyterLab in the page (no "save?" question: the tests' notebooks are theirs).
CLOSE_DOCUMENTS = """() => {
    for (const widget of [...window.jupyterapp.shell.widgets('main')]) {
        if (widget.context) {
            widget.context.model.dirty = false;
        }
        widget.dispose();
    }
}"""


def lab_is_open(page: Any, server: LabServer) -> bool:
    """True when the page shows a started JupyterLab of ``server``."""
    if server.app != "lab" or not page.url.startswith(f"{server.url}lab"):
        return False
    return bool(page.evaluate("() => !!(window.jupyterapp && window.jupyterapp.shell && window.jupyterapp.started)"))


def close_documents(page: Any) -> None:
    page.evaluate(CLOSE_DOCUMENTS)


def open_notebook(page: Any, server: LabServer, name: str, timeout_ms: int = 60_000) -> None:
    """Open a notebook (Lab: ``lab/tree/<name>``; Notebook 7: ``tree/<name>``) and wait for an idle kernel.

    A JupyterLab of this server already in the page (an earlier test's) opens it in place, after closing
    every document, as a user opening notebook after notebook in one session: starting JupyterLab costs
    about 5 s of CPU, opening a notebook in it 1 s.
    """
    if lab_is_open(page, server):
        close_documents(page)
        page.evaluate(
            "(path) => window.jupyterapp.commands.execute('docmanager:open', {path, factory: 'Notebook'})", name
        )
    else:
        # Lab: `reset` starts from an empty workspace (no notebook of an earlier test is restored).
        page.goto(server.page(f"lab/tree/{name}") + "&reset" if server.app == "lab" else server.page(f"tree/{name}"))
    try:
        page.wait_for_function(
            f"""(name) => {{
                const panel = window.jupyterapp && {NOTEBOOK};
                const kernel = panel && panel.sessionContext && panel.sessionContext.session?.kernel;
                return !!(panel && panel.context?.path === name && panel.context.isReady && kernel?.status === 'idle');
            }}""",
            arg=name,
            timeout=timeout_ms,
        )
    except Exception as error:
        raise AssertionError(f"{name} did not open with an idle kernel: {describe_notebook(page)}") from error


def describe_notebook(page: Any) -> str:
    """What the page shows of the current notebook and its kernel, and any dialog (a failure's context)."""
    return page.evaluate(
        f"""() => {{
            const panel = window.jupyterapp && {NOTEBOOK};
            const context = panel && panel.sessionContext;
            const dialogs = [...document.querySelectorAll('.jp-Dialog')].map(d => d.innerText.trim());
            return JSON.stringify({{
                path: panel?.context?.path ?? null,
                ready: panel?.context?.isReady ?? null,
                session: context?.session?.id ?? null,
                kernel: context?.session?.kernel?.name ?? null,
                status: context?.session?.kernel?.status ?? null,
                connection: context?.session?.kernel?.connectionStatus ?? null,
                dialogs,
            }});
        }}"""
    )


def open_live_view(page: Any, server: LabServer, name: str, cells: list[str]) -> tuple[Any, Any]:
    """Write notebook ``name`` of ``cells``, open it, run its first cell and wait until that cell's view is
    live; returns the view (a locator) and its page (a frame locator)."""
    open_notebook(page, server, server.write_notebook(name, cells))
    run_cell(page, 0)
    output = view(page, 0)
    wait_state(page, output, "live")
    return output, page.frame_locator(".jp-Notebook .trame-jupyter-frame").first


def run_cell(page: Any, index: int) -> None:
    """Select cell ``index`` and run it with the notebook's command; returns when it finished."""
    page.evaluate(
        f"""async ([index, timeout]) => {{
            const panel = {NOTEBOOK};
            panel.content.activeCellIndex = index;
            panel.content.mode = 'command';
            const run = jupyterapp.commands.execute('notebook:run-cell');
            const late = new Promise((_, reject) =>
                setTimeout(() => reject(new Error(`cell ${{index}} still running`)), timeout));
            await Promise.race([run, late]);
        }}""",
        [index, RUN_TIMEOUT_MS],
    )
    wait_cell_done(page, index)


def run_cell_with_keyboard(page: Any, index: int) -> None:
    """Run cell ``index`` as a user does: click into its editor and press Shift+Enter."""
    cell = page.locator(".jp-Notebook .jp-Cell").nth(index)
    cell.locator(".jp-InputArea-editor").click()
    page.keyboard.press("Shift+Enter")
    wait_cell_done(page, index)


def wait_cell_done(page: Any, index: int) -> None:
    page.wait_for_function(
        f"""(index) => {{
            const cell = {NOTEBOOK}.content.widgets[index];
            return cell.model.executionCount !== null && cell.promptNode.textContent.trim() !== '[*]:';
        }}""",
        arg=index,
        timeout=RUN_TIMEOUT_MS,
    )


def set_cell(page: Any, index: int, source: str) -> None:
    """Replace the source of cell ``index`` (adding cells as needed)."""
    page.evaluate(
        f"""([index, source]) => {{
            const model = {NOTEBOOK}.content.model;
            while (model.cells.length <= index) {{
                model.sharedModel.insertCell(model.cells.length, {{ cell_type: 'code', source: '' }});
            }}
            model.cells.get(index).sharedModel.setSource(source);
        }}""",
        [index, source],
    )


def output_text(page: Any, index: int) -> str:
    return page.evaluate(f"(index) => {NOTEBOOK}.content.widgets[index].outputArea.node.innerText", index)


def execute(page: Any, index: int, source: str) -> str:
    """Put ``source`` in cell ``index``, run it, and return the text of its outputs."""
    set_cell(page, index, source)
    run_cell(page, index)
    return output_text(page, index)


def command(page: Any, name: str, args: dict[str, Any] | None = None) -> None:
    """Run a JupyterLab command (without waiting for what it starts)."""
    page.evaluate("([name, args]) => { void jupyterapp.commands.execute(name, args); }", [name, args or {}])


def view(page: Any, index: int) -> Any:
    """Locator of our view in the outputs of cell ``index``."""
    return page.locator(".jp-Notebook .jp-Cell").nth(index).locator(".trame-jupyter-view")


def wait_state(page: Any, locator: Any, state: str, timeout: float = 60_000) -> None:
    """Wait until a view's connection state (``data-state``) is ``state``; a failure says what it showed."""
    try:
        locator.and_(page.locator(f'[data-state="{state}"]')).wait_for(state="attached", timeout=timeout)
    except Exception as error:
        raise AssertionError(f"the view never turned {state!r}: {describe_view(page, locator)}") from error


def describe_view(page: Any, locator: Any) -> str:
    """A view's state, toolbar and notice texts, and the notebook around it (a failure's context)."""
    try:
        found = locator.count()
        shown = [{"state": view.get_attribute("data-state"), "text": view.inner_text()[:600]} for view in locator.all()]
    except Exception as error:  # the page itself is gone
        return f"(the page cannot be read: {error})"
    return f"{found} view(s) {shown}; notebook: {describe_notebook(page)}"


def frame_height(locator: Any) -> float:
    return locator.locator(".trame-jupyter-frame").evaluate("frame => frame.getBoundingClientRect().height")


# -- whole notebooks -----------------------------------------------------------------------------

RUN_ALL_TIMEOUT_MS = 120_000


def run_all(page: Any, timeout: float = RUN_ALL_TIMEOUT_MS) -> None:
    """Run All, as the Run menu does (the command ``notebook:run-all-cells``); returns when the run ended
    (every cell ran, or one failed and stopped it) and the kernel is idle."""
    page.evaluate(
        """async (timeout) => {
            const late = new Promise((_, reject) =>
                setTimeout(() => reject(new Error('Run All still running')), timeout));
            await Promise.race([jupyterapp.commands.execute('notebook:run-all-cells'), late]);
        }""",
        timeout,
    )
    page.wait_for_function(
        f"() => {NOTEBOOK}.sessionContext.session?.kernel?.status === 'idle'", timeout=RUN_TIMEOUT_MS
    )


def unrun_cells(page: Any) -> list[int]:
    """Indexes of the code cells without an execution count (or still showing ``[*]``)."""
    return page.evaluate(
        f"""() => {NOTEBOOK}.content.widgets.flatMap((cell, index) =>
            cell.model.type === 'code'
                && (cell.model.executionCount === null || cell.promptNode.textContent.trim() === '[*]:')
                ? [index] : [])"""
    )


def cell_outputs(page: Any, output_type: str, stream: str | None = None) -> list[str]:
    """The outputs of one type (``error``, or ``stream`` of ``stream`` stdout/stderr) of every cell, as text
    prefixed with the cell's index."""
    return page.evaluate(
        f"""([type, stream]) => {NOTEBOOK}.content.widgets.flatMap((cell, index) =>
            cell.model.type !== 'code' ? [] : cell.model.outputs.toJSON()
                .filter((o) => o.output_type === type && (stream === null || o.name === stream))
                .map((o) => `cell ${{index}}: `
                    + (o.ename ? `${{o.ename}}: ${{o.evalue}}` : [].concat(o.text).join(''))))""",
        [output_type, stream],
    )


def view_states(page: Any) -> list[str]:
    """The connection state of every view in the notebook, in page order."""
    return page.locator(".jp-Notebook .trame-jupyter-view").evaluate_all("views => views.map(v => v.dataset.state)")


def wait_views_live(page: Any, count: int, timeout: float = 60_000) -> None:
    """Wait until the notebook shows exactly ``count`` views and every one is live."""
    try:
        page.wait_for_function(
            """(count) => {
                const views = [...document.querySelectorAll('.jp-Notebook .trame-jupyter-view')];
                return views.length === count && views.every((v) => v.dataset.state === 'live');
            }""",
            arg=count,
            timeout=timeout,
        )
    except Exception as error:  # Playwright's TimeoutError: say what the views show instead
        raise AssertionError(f"expected {count} live views, the notebook shows {view_states(page)}") from error


def app_frame(locator: Any) -> Any:
    """The page (a Playwright ``Frame``) inside a view's iframe."""
    frame = locator.locator(".trame-jupyter-frame").element_handle().content_frame()
    assert frame is not None, "the view has no page"
    return frame


def screenshot_notebook(page: Any, path: Path, max_height: int = 12_000) -> None:
    """A screenshot of the whole notebook. The notebook scrolls inside the page, so a full-page screenshot
    alone shows one screen: the window is first made tall enough to show the last cell, then set back."""
    viewport = page.viewport_size
    measure = f"""() => {{
        const panel = {NOTEBOOK};
        const scroller = panel.node.querySelector('.jp-WindowedPanel-outer');
        scroller.scrollTop = 0;
        const last = panel.content.widgets[panel.content.widgets.length - 1].node;
        return [Math.ceil(last.getBoundingClientRect().bottom - scroller.getBoundingClientRect().bottom),
                scroller.clientHeight];
    }}"""
    for _ in range(5):  # cells out of view have an estimated height until they are shown: measure again
        missing, height = page.evaluate(measure)
        current = page.viewport_size["height"]
        if missing <= 0 or current >= max_height:
            break
        page.set_viewport_size({"width": viewport["width"], "height": min(current + missing + 16, max_height)})
        page.wait_for_function(  # JupyterLab laid the notebook out again in the taller window
            f"""([height, max]) => innerHeight >= max
                || {NOTEBOOK}.node.querySelector('.jp-WindowedPanel-outer').clientHeight > height""",
            arg=[height, max_height],
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=path, full_page=True)
    page.set_viewport_size(viewport)


def shutdown_kernels(server: LabServer) -> None:
    """Shut every kernel of ``server`` down (as the Running panel does), so none outlives its test."""
    response = server.http("api/sessions")
    response.raise_for_status()
    for session in response.json():
        server.http(f"api/sessions/{session['id']}", method="DELETE").raise_for_status()
