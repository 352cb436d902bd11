"""An nbconvert HTML export of a notebook whose app state and templates carry XSS vectors runs no script.

The notebook shows two apps: one stopped (its output becomes the static snapshot) and one left running (its
output keeps the snapshot next to the live frame and the display's own script). A raw IPython ``HTML`` output
is the control: it does run in the export, which proves the check would see an attack.
"""

from __future__ import annotations

import base64
import contextlib
import os
import subprocess
import sys
from typing import Any

import nbformat
import pytest
from support.jupyter_harness import wait_cell

pytestmark = [pytest.mark.jupyter, pytest.mark.browser]

_SVG = base64.b64encode(b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>").decode()
_HTML = base64.b64encode(b"<script>alert(1)</script>").decode()

APP = f"""
from IPython.display import HTML, display
from trame_jupyter import get_server
from trame_jupyter.ui import DivLayout
from trame_jupyter.widgets import html

# The control: an output that is not a snapshot, written raw. It must run in the export.
display(HTML("<img src=x onerror=\\"alert('CONTROL')\\">"))

STATE = dict(
    evil="<img src=x onerror=alert(1)><script>alert(2)</script><svg onload=alert(3)>",
    evil_url="jAvAsCrIpT:alert(4)",
    evil_svg="data:image/svg+xml;base64,{_SVG}",
    evil_html="data:text/html;base64,{_HTML}",
    evil_js="alert(5); console.log('XSS')",
    evil_style="background: url(javascript:alert(6)); width: expression(alert(7))",
    items=[
        "<iframe srcdoc='&lt;script&gt;alert(8)&lt;/script&gt;'></iframe>",
        "{{{{ constructor.constructor('alert(9)')() }}}}",
    ],
)
MARKUP = (
    '<iframe srcdoc="&lt;script&gt;alert(10)&lt;/script&gt;"></iframe><svg v-bind:onload="evil_js"></svg>'
    '<img src="x" :onerror="\\'alert(11)\\'"><svg><animate attributeName="href" values="javascript:alert(12)"/>'
    '<a><text y="20">click</text></a></svg><details open ontoggle="alert(13)">d</details>'
    '<input autofocus onfocus="alert(14)"><a href="java&#x09;script:alert(15)">tab</a>'
    '<base href="https://evil.example/"><meta http-equiv="refresh" content="0;url=javascript:alert(16)">'
    '<math><mtext><table><mglyph><style><img src=x onerror=alert(17)>'
)


def build(name, label):
    server = get_server(name)
    server.state.update(label=label, **STATE)
    with DivLayout(server):
        html.Div("{{{{ label }}}}", id=name + "-label")
        html.Div("{{{{ evil }}}}", title=("evil",))
        html.Div(v_html="evil")
        html.A("link", href=("evil_url",))
        html.Iframe(srcdoc=("evil",), src=("evil_svg",))
        html.Embed(src=("evil_svg",))
        html.Object(data=("evil_html",))
        html.Img(src="x", onerror=("evil_js",))
        html.Div("styled", style=("evil_style",))
        html.Li("{{{{ item }}}}", v_for="item in items", key="item")
        html.Div(MARKUP)
    return server


stopped = build("xss-stopped", "benign stopped label")
display(stopped)
live = build("xss-live", "benign live label")
display(live)
"""
CELLS = [APP, wait_cell("stopped.running and live.running"), "await stopped.stop()"]
EXPORT_URL = "https://export.test/app.html"


def export(tmp_path: Any) -> str:
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c.strip()) for c in CELLS])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    source = tmp_path / "app.ipynb"
    nbformat.write(notebook, source)
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")}
    command = [sys.executable, "-m", "jupyter", "nbconvert", "--to", "html", "--execute", str(source)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=180, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    return (tmp_path / "app.html").read_text()


def test_exported_html_of_a_notebook_full_of_vectors_runs_no_script(tmp_path, browser):
    from playwright.sync_api import Error as PlaywrightError
    from support.xss import AUDIT, FORBIDDEN_TAGS, INTERACT

    page_html = export(tmp_path)
    assert "its server has stopped" in page_html and 'class="trame-jupyter-frame"' in page_html  # both kinds

    context = browser.new_context()
    dialogs: list[str] = []
    logs: list[str] = []

    def on_dialog(dialog: Any) -> None:
        dialogs.append(dialog.message)
        with contextlib.suppress(PlaywrightError):
            dialog.dismiss()

    try:
        context.set_default_timeout(15_000)
        # The export alone, at an origin of its own; its CDN scripts and the dead app frame are refused.
        context.route(
            "**/*",
            lambda route: (
                route.fulfill(status=200, content_type="text/html", body=page_html)
                if route.request.url == EXPORT_URL
                else route.abort()
            ),
        )
        page = context.new_page()
        page.on("dialog", on_dialog)
        page.on("console", lambda message: logs.append(message.text))
        page.goto(EXPORT_URL, wait_until="load")
        title = page.title()
        page.wait_for_timeout(500)
        problems = page.evaluate(AUDIT, [sorted(FORBIDDEN_TAGS), ".trame-jupyter-snapshot *"])
        page.evaluate(INTERACT)
        page.wait_for_timeout(300)
        text = page.inner_text("body")
        assert set(dialogs) == {"CONTROL"}, dialogs  # the control ran; nothing from the snapshots did
        assert "XSS" not in logs
        assert page.title() == title
        assert problems == []
        assert "benign stopped label" in text and "benign live label" in text
        assert page.locator(".trame-jupyter-snapshot").count() == 2
    finally:
        context.close()
