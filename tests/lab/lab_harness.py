"""A real ``jupyter lab`` or ``jupyter notebook`` (random port, token, temp dirs) and the page actions the
tests need: open a notebook, run a cell, read its output, find our view.

Everything waits for a condition (a selector, a JavaScript predicate, a kernel-side loop); nothing sleeps.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jupyter_harness import JupyterServer, start_jupyter, stop_jupyter

RUN_TIMEOUT_MS = 60_000

# A JupyterLab / Notebook 7 server is the shared harness's server, started with app="lab"/"notebook".
LabServer = JupyterServer


def start_lab(tmp: Path, app: str = "lab", base_url: str = "/") -> LabServer:
    """Start ``jupyter lab``/``jupyter notebook`` with our extensions, in temp dirs, and wait until it answers."""
    return start_jupyter(tmp, base_url, app=app)


stop_lab = stop_jupyter


# -- page actions --------------------------------------------------------------------------------

NOTEBOOK = "jupyterapp.shell.currentWidget"


def open_notebook(page: Any, server: LabServer, name: str) -> None:
    """Open a notebook (Lab: ``lab/tree/<name>``; Notebook 7: ``tree/<name>``) and wait for an idle kernel."""
    # Lab: `reset` starts from an empty workspace (no notebook of an earlier test is restored).
    page.goto(server.page(f"lab/tree/{name}") + "&reset" if server.app == "lab" else server.page(f"tree/{name}"))
    page.wait_for_function(
        f"""(name) => {{
            const panel = window.jupyterapp && {NOTEBOOK};
            const kernel = panel && panel.sessionContext && panel.sessionContext.session?.kernel;
            return !!(panel && panel.context?.path === name && panel.context.isReady && kernel?.status === 'idle');
        }}""",
        arg=name,
        timeout=60_000,
    )


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


def wait_state(page: Any, locator: Any, state: str, timeout: float = 30_000) -> None:
    """Wait until a view's connection state (``data-state``) is ``state``."""
    locator.and_(page.locator(f'[data-state="{state}"]')).wait_for(state="attached", timeout=timeout)


def frame_height(locator: Any) -> float:
    return locator.locator(".trame-jupyter-frame").evaluate("frame => frame.getBoundingClientRect().height")
