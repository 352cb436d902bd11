"""trame's ecosystem on our servers, Python side: trame's widgets and layouts mixed with ours in any
nesting, their modules loaded without replacing our page, trame's app layer and trame-server's classes."""

from __future__ import annotations

import asyncio
import multiprocessing
from concurrent.futures import ProcessPoolExecutor

import pytest
from support.aio import running
from trame.ui.html import DivLayout as TrameDivLayout
from trame.ui.vuetify3 import SinglePageLayout
from trame.widgets import html as trame_html
from trame.widgets import markdown, matplotlib, plotly, vuetify3

from trame_jupyter import Server, decorators
from trame_jupyter.app import TrameApp, asynchronous, get_server
from trame_jupyter.core.state import State
from trame_jupyter.core.translator import Translator
from trame_jupyter.decorators import change, controller, life_cycle, trigger
from trame_jupyter.server.modules import CLIENT_DIR
from trame_jupyter.ui import DivLayout
from trame_jupyter.widgets import html


def test_their_elements_inside_our_layout_and_ours_inside_theirs():
    server = Server("mix")
    with DivLayout(server) as ours:
        html.Div("ours", id="a")
        with vuetify3.VCard():
            html.Span("ours in theirs")
            vuetify3.VBtn("theirs", click="count += 1")
    template = ours.html
    assert '<div id="a" >' in template or '<div id="a">' in template
    assert template.index("<VCard") < template.index("ours in theirs") < template.index("</VCard>")
    assert "<VBtn" in template and "theirs" in template

    with SinglePageLayout(server, "spl") as layout:
        with layout.content:
            html.Div("ours inside a Vuetify layout", id="inside")
            with html.Div(id="ours-outer"):
                vuetify3.VSlider(v_model=("value", 3))
    spl = server.state.trame__template_spl
    assert spl.index("<VMain") < spl.index("ours inside a Vuetify layout") < spl.index("</VMain>")
    assert spl.index('id="ours-outer"') < spl.index("<VSlider") < spl.index("</VApp>")
    assert server.state.value == 3  # their (key, default) binding set the default on our state

    with TrameDivLayout(server, "trame_div"):
        trame_html.Div("their html")
        html.B("our html")
    assert "their html" in server.state.trame__template_trame_div
    assert "our html" in server.state.trame__template_trame_div


def test_widget_modules_load_but_never_replace_our_page():
    server = Server("modules")
    with SinglePageLayout(server) as layout:
        with layout.content:
            plotly.Figure()
            matplotlib.Figure()
            markdown.Markdown("# Title")
            trame_html.Div("uses trame-client's html module")
    scripts = " ".join(server.state.trame__scripts)
    for bundle in ("vuetify3.js", "trame-plotly.umd.js", "trame-matplotlib.umd.min.js", "trame-markdown.umd.js"):
        assert bundle in scripts
    assert server.state.trame__vue_use[0].startswith("Vuetify.createVuetify(")
    assert {"trame_plotly", "trame_matplotlib", "trame_markdown"} <= set(server.state.trame__vue_use)
    assert server._modules.www in (None, CLIENT_DIR)  # trame-client's page was not taken


def test_trame_app_layer_ports_a_class_based_app():
    @decorators.TrameApp()
    class Counter:
        def __init__(self, server):
            self.server = server
            self.server.state.count = 0
            self.started = []

        @change("count")
        def on_count(self, count, **_):
            self.server.state.double = 2 * count

        @trigger("bump")
        def bump(self):
            self.server.state.count += 1

        @controller.set("reset")
        def reset(self):
            self.server.state.count = 0

        @life_cycle.server_ready
        def ready(self, **_):
            self.started.append(True)

    server = get_server("trame-app-layer")
    assert get_server("trame-app-layer") is server
    assert get_server("not-created", create_if_missing=False) is None
    app = Counter(server)
    server.state.ready()
    server.controller.trigger_fn("bump")()
    server.state.flush()
    assert server.state.double == 2
    server.controller.reset()
    server.state.flush()
    assert server.state.count == 0 and server.state.double == 0
    assert server.controller.on_server_ready.exists() and app.started == []


def test_trame_app_base_class_displays_its_ui():
    class App(TrameApp):
        def __init__(self):
            super().__init__("base-class-app")
            with DivLayout(self.server, "panel") as self.ui:
                html.Div("{{ message }}")
            self.state.message = "hello"

    app = App()
    assert app.server is get_server("base-class-app")
    view = app.view(height=200)
    assert (view.ui, view.height) == ("panel", "200px")


async def test_asynchronous_task_decorator():
    done = asyncio.Event()

    @asynchronous.task
    async def work():
        done.set()

    work()
    await asyncio.wait_for(done.wait(), 5)


def _worker(queue) -> None:
    with asynchronous.StateQueue(queue) as state:
        state.running = True
        state.update({"b": 10})
        for step in range(3):
            state.step = step
        state.running = False


async def test_state_queue_updates_a_server_from_another_process():
    server = Server("queue")
    seen = []

    @server.state.change("step")
    def on_step(step, **_):
        seen.append(step)

    async with running(server):
        manager = multiprocessing.Manager()
        queue = manager.Queue()
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
            monitor = asynchronous.create_state_queue_monitor_task(server, queue, delay=0.01)
            await asyncio.get_running_loop().run_in_executor(pool, _worker, queue)
            await asyncio.wait_for(monitor, 10)  # ends when the worker leaves its with block
        manager.shutdown()
    assert seen == [0, 1, 2] and server.state.b == 10 and server.state.running is False


def test_trame_server_class_signatures():
    root = State(Translator(), None, None, hot_reload=False, ready=True)
    root.x = 1
    assert root._pending_update == {"x": 1}
    root.flush()  # ready from the start: no ready() call needed to push
    assert root._pushed_state == {"x": 1} and root._pending_update == {}
    assert root._not_set is None  # trame: an unset private attribute reads as None
    child = State(Translator(prefix="c_"), internal=root)
    child.y = 2
    assert root.to_dict() == {"x": 1, "c_y": 2}  # full names, as trame
    translator = Translator()
    translator.set_prefix("p_")
    assert translator("k") == "p_k" and translator.reverse_translate_list(["p_a", "b"]) == ["a", "b"]
    server = Server("signatures")
    server.controller.go = print
    assert "go" in server.controller._func_dict


def test_http_headers_apply_to_responses():
    server = Server("headers")
    server.http_headers.shared_array_buffer = True
    server.http_headers.set_header("X-Test", "yes")
    assert server.http_headers.get_header("Cross-Origin-Opener-Policy") == "same-origin"
    with pytest.raises(ValueError, match="line break"):
        server.http_headers.set_header("X-Bad", "a\r\nb")
    server.http_headers.shared_array_buffer = False
    assert server.http_headers.headers == {"X-Test": "yes"}


async def test_http_headers_reach_the_browser():
    import aiohttp

    server = Server("headers-live")
    server.http_headers.set_header("X-Test", "yes")
    async with running(server), aiohttp.ClientSession() as session:
        async with session.get(f"http://127.0.0.1:{server.port}/index.html") as response:
            assert response.headers["X-Test"] == "yes"


def test_a_saved_vuetify_app_shows_its_text_and_values():
    """A snapshot (saved notebook, nbconvert) of a Vuetify app: components do not run there, so each shows
    its label and bound value as text; no Vuetify markup or script."""
    from trame_jupyter.core.snapshot import render_snapshot

    server = Server("vuetify-snapshot")
    with SinglePageLayout(server) as layout:
        layout.title.set_text("Survey")
        with layout.content:
            vuetify3.VTextField(v_model=("name", "Ada"), label="Name")
            vuetify3.VCheckbox(v_model=("agree", True), label="Agree")
            vuetify3.VSlider(v_model=("level", 30), label="Level")
            vuetify3.VChip("{{ level }} %")
    snapshot = render_snapshot(server.state.initial, "main")
    for text in ("Survey", "Name: Ada", "Agree: true", "Level: 30", "30 %"):
        assert text in snapshot
    assert "<script" not in snapshot and "VTextField" not in snapshot and "v-model" not in snapshot


def test_an_unsupported_trame_client_is_named_with_the_fix(monkeypatch):
    import sys
    import types
    from pathlib import Path

    from trame_jupyter.core.widgets import element as core

    # The range the error quotes is the one the package declares.
    pyproject = (Path(__file__).parents[2] / "pyproject.toml").read_text()
    assert f'"trame-client{core.SUPPORTED_TRAME_CLIENT}"' in pyproject

    # A trame-client whose widgets module has no shared element stack (not a release we know).
    monkeypatch.setitem(sys.modules, "trame_client.widgets.core", types.ModuleType("trame_client.widgets.core"))
    server = Server("old-client")
    with pytest.raises(core.UnsupportedTrameClientError, match=r"trame-client \S+ is not supported.*pip install"):
        with DivLayout(server):
            html.Div("x")
