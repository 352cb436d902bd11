"""Modules (styles, scripts, Vue plugins), document keys, built-in Style, and embedding in an iframe."""

from __future__ import annotations

import pytest
from support.browser_helpers import wait_status, wait_text

from trame_jupyter.core.widgets.element import AbstractElement
from trame_jupyter.ui import DivLayout
from trame_jupyter.widgets import client, html

pytestmark = pytest.mark.browser


def test_title_follows_trame__title(serve, page):
    def build(server):
        server.state.trame__title = "First title"
        with DivLayout(server):
            html.Div("x")

    app = serve(build)
    page.goto(app.url)
    page.wait_for_function("document.title === 'First title'")
    app.set_state(trame__title="Second title")
    page.wait_for_function("document.title === 'Second title'")


def test_style_widget_applies_and_updates_css(serve, page):
    holder = {}

    def build(server):
        with DivLayout(server):
            holder["style"] = client.Style("#styled { color: rgb(255, 0, 0); }")
            html.Div("styled", id="styled")

    app = serve(build)
    page.goto(app.url)
    color = "() => { const el = document.querySelector('#styled'); return el && getComputedStyle(el).color; }"
    page.wait_for_function(f"({color})() === 'rgb(255, 0, 0)'")
    app.run(lambda: holder["style"].update("#styled { color: rgb(0, 128, 0); }"))
    page.wait_for_function(f"({color})() === 'rgb(0, 128, 0)'")


def test_script_widget_runs_with_trame_in_scope(serve, page):
    def build(server):
        server.state.from_script = None
        with DivLayout(server):
            client.Script("trame.state.set('from_script', 'ran ' + typeof trame.trigger)")
            html.Div("{{ from_script }}", id="out")

    app = serve(build)
    page.goto(app.url)
    wait_text(page, "#out", "ran function")
    app.wait_for(lambda: app.server.state.from_script == "ran function", what="the script's write")


def test_scripts_plugins_and_a_missing_script(serve, page, tmp_path):
    (tmp_path / "plugin.js").write_text(
        "window.TestPlugin = { install(app, options) {"
        " app.component('test-greeting', { template: `<b id='greeting'>{{ '${options.word}' }}</b>` }); } };"
    )
    (tmp_path / "module.js").write_text("window.moduleLoaded = 'yes';")
    (tmp_path / "style.css").write_text("#styled { width: 77px; }")

    def build(server):
        server.enable_module(
            {
                "serve": {"assets": str(tmp_path)},
                "styles": ["assets/style.css"],
                "scripts": ["assets/plugin.js", "assets/missing-script.js"],
                "module_scripts": ["assets/module.js", "assets/missing-module.js"],
                "vue_use": [["TestPlugin", {"word": "hello"}], "MissingPlugin"],
            }
        )
        with DivLayout(server):
            html.Div("rest of the page", id="rest")
            html.Div(id="styled")
            AbstractElement("test-greeting")

    app = serve(build)
    page.goto(app.url)
    wait_text(page, "#rest", "rest of the page")
    wait_status(page, "live")
    wait_text(page, "#greeting", "hello")
    assert page.evaluate("() => window.moduleLoaded") == "yes"
    assert page.evaluate("() => getComputedStyle(document.querySelector('#styled')).width") == "77px"
    assert "missing-script.js" in app.wait_for_error("missing-script.js")
    assert "missing-module.js" in app.wait_for_error("missing-module.js")
    assert "MissingPlugin" in app.wait_for_error("MissingPlugin")


def test_embedded_page_posts_its_size_and_status_to_the_parent(serve, page):
    def build(server):
        server.state.tall = False
        with DivLayout(server):
            html.Div("embedded", id="embedded", style="height: 120px")
            html.Div(v_if=("tall",), style="height: 400px")

    app = serve(build)
    url = app.url.replace("/index.html#", "/index.html?server_id=abc123#")
    page.set_content("<!doctype html><body></body>")
    page.evaluate(
        """(src) => {
            window.received = [];
            window.addEventListener('message', (event) => window.received.push(event.data));
            const frame = document.createElement('iframe');
            frame.src = src;
            frame.style.height = '50px';
            document.body.appendChild(frame);
        }""",
        url,
    )
    live = "window.received.some((m) => m.type === 'trame-jupyter:status' && m.status === 'live')"
    page.wait_for_function(live)
    sized = "(h) => window.received.some((m) => m.type === 'trame-jupyter:size' && m.height >= h)"
    page.wait_for_function(sized, arg=120)
    messages = page.evaluate("() => window.received")
    assert all(m["server_id"] == "abc123" for m in messages)
    heights = [m["height"] for m in messages if m["type"] == "trame-jupyter:size"]
    assert max(heights) < 400  # content height, not the frame's

    app.set_state(tall=True)
    page.wait_for_function(sized, arg=520)
    count = page.evaluate("() => window.received.filter((m) => m.type === 'trame-jupyter:size').length")
    page.evaluate("() => new Promise((resolve) => setTimeout(resolve, 300))")  # let any feedback loop show
    assert page.evaluate("() => window.received.filter((m) => m.type === 'trame-jupyter:size').length") == count
