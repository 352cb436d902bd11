"""A saved notebook shows each display's last rendered content: ``jupyter nbconvert --execute --to html``."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import nbformat
import pytest
from support.jupyter_harness import wait_cell

pytestmark = pytest.mark.jupyter

CELLS = [
    """
from trame_jupyter import get_server
from trame_jupyter.ui import DivLayout
from trame_jupyter.widgets import html

server = get_server("exported")

@server.state.change("resolution")
def on_resolution(resolution, **_):
    server.state.label = f"resolution {resolution}"

with DivLayout(server):
    html.Input(type="range", min=3, max=60, v_model=("resolution", 6))
    html.Div("{{ label }}", id="label")
    html.Li("{{ item }}", v_for="item in items", key="item")
server.state.items = ["alpha", "beta"]
display(server)
""",
    "server.state.resolution = 42  # what moving the slider does\nserver.state.items = ['alpha', 'beta', 'gamma']",
    wait_cell("server.state.label == 'resolution 42'") + "assert server.state.label == 'resolution 42'",
    "await server.stop()",
]


@pytest.mark.parametrize("stop", ["await server.stop()", "server.stop()"])
def test_nbconvert_html_of_an_executed_notebook_shows_rendered_values(tmp_path, stop):
    cells = [*CELLS[:-1], stop]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c.strip()) for c in cells])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    source = tmp_path / "app.ipynb"
    nbformat.write(notebook, source)
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")}
    command = [sys.executable, "-m", "jupyter", "nbconvert", "--to", "html", "--execute", str(source)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=180, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    page = (tmp_path / "app.html").read_text()
    # The display's final snapshot: values computed by Python after the display, and the list.
    assert re.search(r'<div id="label">\s*resolution 42\s*</div>', page)
    assert "gamma" in page and 'value="42"' in page
    assert "its server has stopped" in page
    assert "#secret=" not in page and "<iframe" not in page  # the stopped server's frame and secret are gone


def test_saved_notebook_keeps_the_snapshot_next_to_the_live_frame(tmp_path):
    """While the server runs, text/html holds the snapshot (shown without scripts) and the live frame."""
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(CELLS[0].strip())])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    source = tmp_path / "live.ipynb"
    nbformat.write(notebook, source)
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")}
    command = [sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute", str(source)]
    subprocess.run(command, check=True, capture_output=True, timeout=180, env=env)
    executed = nbformat.read(tmp_path / "live.nbconvert.ipynb", as_version=4)
    data = executed.cells[0].outputs[0]["data"]
    assert "application/vnd.trame-jupyter.v1+json" in data
    # At display time the callbacks have not run yet (they run once the server is ready): the snapshot
    # shows what is known then, e.g. the list and the slider's default.
    assert "beta" in data["text/html"] and 'value="6"' in data["text/html"]
    assert 'class="trame-jupyter-frame"' in data["text/html"]
