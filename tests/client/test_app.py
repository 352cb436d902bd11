"""The browser client renders layouts and keeps state in sync both ways."""

from __future__ import annotations

import pytest
from support.browser_helpers import png, wait_status, wait_text

from trame_jupyter.ui import DivLayout
from trame_jupyter.widgets import client, html

pytestmark = pytest.mark.browser


def test_page_renders_the_layout(serve, page):
    def build(server):
        server.state.greeting = "Hello"
        with DivLayout(server, classes="root"):
            html.H1("{{ greeting }}, trame", id="title")
            with html.Ul(id="list"):
                html.Li("one")
                html.Li("two")

    app = serve(build)
    page.goto(app.url)
    wait_text(page, "#title", "Hello, trame")
    wait_status(page, "live")
    assert page.locator("#list li").count() == 2
    assert page.get_attribute("#app", "inert") is None
    # The secret left the address bar once read.
    assert "secret" not in page.url


def test_typing_in_a_v_model_input_runs_the_python_change_callback(serve, page):
    seen = []

    def build(server):
        server.state.a = ""

        @server.state.change("a")
        def on_a(a, **_):
            seen.append(a)
            server.state.b = a.upper()

        with DivLayout(server):
            html.Input(v_model=("a",), id="a")
            html.Div("{{ b }}", id="b")

    app = serve(build)
    page.goto(app.url)
    wait_status(page, "live")
    page.locator("#a").press_sequentially("hi there")
    wait_text(page, "#b", "HI THERE")
    assert app.state("a") == "hi there"
    assert seen[-1] == "hi there"


def test_python_state_changes_update_the_dom_including_keys_that_appear_later(serve, page):
    def build(server):
        server.state.count = 1
        with DivLayout(server):
            html.Div("{{ count }}", id="count")
            html.Div("{{ late }}", id="late")
            html.Div("busy={{ trame__busy }}", id="busy")

    app = serve(build)
    page.goto(app.url)
    wait_text(page, "#count", "1")
    app.set_state(count=42)
    wait_text(page, "#count", "42")
    app.set_state(late="arrived")  # not in the state when the template first rendered
    wait_text(page, "#late", "arrived")
    wait_text(page, "#busy", "busy=0")


def test_button_calls_a_trigger_with_arguments_and_gets_its_result(serve, page):
    calls = []

    def build(server):
        server.state.sum = None

        def on_click(*args, **kwargs):
            calls.append((args, kwargs))

        @server.trigger("add")
        def add(a, b):
            return a + b

        with DivLayout(server):
            html.Button("go", id="go", click=(on_click, "[1, 'two']", "{ three: 3 }"))
            html.Button("add", id="add", click="trigger('add', [2, 3]).then((r) => set('sum', r))")
            html.Div("{{ sum }}", id="sum")

    app = serve(build)
    page.goto(app.url)
    wait_status(page, "live")
    page.click("#go")
    app.wait_for(lambda: bool(calls), what="the trigger")
    assert calls == [((1, "two"), {"three": 3})]
    page.click("#add")
    wait_text(page, "#sum", "5")
    app.wait_for(lambda: app.server.state.sum == 5, what="sum written back")


def test_writes_in_one_tick_reach_python_as_one_update(serve, page):
    seen = []

    def build(server):
        server.state.n = 0

        @server.state.change("n")
        def on_n(n, **_):
            seen.append(n)

        with DivLayout(server):
            html.Div("{{ n }}", id="n")
            html.Button("burst", id="burst", click="for (let i = 1; i <= 100; i++) set('n', i)")

    app = serve(build)
    page.goto(app.url)
    wait_status(page, "live")
    seen.clear()
    page.click("#burst")
    app.wait_for(lambda: app.server.state.n == 100, what="n == 100")
    wait_text(page, "#n", "100")
    assert seen == [100]


def test_js_call_focuses_an_element_and_an_unknown_ref_only_warns(serve, page):
    def build(server):
        with DivLayout(server):
            html.Input(id="other")
            html.Input(id="target", ref="target_input")

    app = serve(build)
    page.goto(app.url)
    wait_status(page, "live")
    page.focus("#other")
    app.run(lambda: app.server.js_call("nowhere", "focus"))
    app.run(lambda: app.server.js_call("target_input", "focus"))
    page.wait_for_function("document.activeElement && document.activeElement.id === 'target'")
    assert any("nowhere" in text for text in page.console.of("warning"))


def test_template_hot_update_rerenders_without_reload(serve, page):
    def build(server):
        server.state.v = "kept"
        with DivLayout(server):
            html.Div("first version", id="content")

    app = serve(build)
    page.goto(app.url)
    wait_text(page, "#content", "first version")
    page.evaluate("() => { window.__sameDocument = true }")

    def rebuild():
        with DivLayout(app.server):
            html.Div("second version: {{ v }}", id="content")
            html.Span("new", id="new")

    app.run(rebuild)
    wait_text(page, "#content", "second version: kept")
    assert page.inner_text("#new") == "new"
    assert page.evaluate("() => window.__sameDocument") is True


def test_an_image_from_png_bytes_is_displayed_and_replaced(serve, page):
    def build(server):
        server.state.image = png(3, 2)
        with DivLayout(server):
            html.Img(id="img", src=("utils.url(image, 'image/png')",))

    app = serve(build)
    page.goto(app.url)
    page.wait_for_function("document.querySelector('#img')?.naturalWidth === 3")
    first = page.get_attribute("#img", "src")
    assert first.startswith("blob:")
    app.set_state(image=png(7, 5, (0, 90, 200)))
    page.wait_for_function("document.querySelector('#img')?.naturalWidth === 7")
    assert page.get_attribute("#img", "src") != first
    revoked = "async (url) => { try { await fetch(url); return false; } catch { return true; } }"
    assert page.evaluate(revoked, first), "the replaced image's object URL is revoked"


def test_two_pages_stay_in_sync(serve, new_page):
    def build(server):
        server.state.shared = "start"
        with DivLayout(server):
            html.Input(v_model=("shared",), id="shared")
            html.Div("{{ shared }}", id="echo")

    app = serve(build)
    first, second = new_page(), new_page()
    first.goto(app.url)
    second.goto(app.url)
    wait_status(first, "live")
    wait_status(second, "live")
    first.fill("#shared", "typed in the first")
    wait_text(second, "#echo", "typed in the first")
    assert second.input_value("#shared") == "typed in the first"
    second.fill("#shared", "and back")
    wait_text(first, "#echo", "and back")


def test_a_layout_with_a_thousand_elements_renders(serve, page):
    def build(server):
        server.state.label = "item"
        with DivLayout(server), html.Div(id="many"):
            for i in range(1000):
                html.Div(f"{{{{ label }}}} {i}", classes="cell")

    app = serve(build)
    page.goto(app.url)
    page.wait_for_function("document.querySelectorAll('#many .cell').length === 1000")
    assert page.inner_text("#many .cell >> nth=999") == "item 999"
    app.set_state(label="cell")
    wait_text(page, "#many .cell:last-child", "cell 999")


def test_a_broken_template_shows_its_error_in_place_and_the_rest_works(serve, page):
    def build(server):
        server.state.a = ""

        @server.state.change("a")
        def on_a(a, **_):
            server.state.b = f"got {a}"

        with DivLayout(server):
            html.Input(v_model=("a",), id="a")
            html.Div("{{ b }}", id="b")
            client.ServerTemplate(name="broken")
        with DivLayout(server, template_name="broken"):
            html.Div("{{ a + }}")

    app = serve(build)
    page.goto(app.url)
    error = page.locator(".trame-jupyter-template-error")
    error.wait_for()
    assert "broken" in error.inner_text()
    assert "broken" in app.wait_for_error("broken")
    page.fill("#a", "ok")
    wait_text(page, "#b", "got ok")


def test_unknown_server_messages_are_ignored_with_a_warning(serve, page):
    def build(server):
        server.state.x = 1
        with DivLayout(server):
            html.Div("{{ x }}", id="x")

    app = serve(build)
    page.goto(app.url)
    wait_status(page, "live")
    endpoint = app.server.protocol.endpoint
    app.run(lambda: endpoint.publish("trame.state.topic", [1, 2, 3]))
    app.run(lambda: endpoint.publish("trame.actions.topic", {"not": "a list"}))
    app.run(lambda: endpoint.publish("some.other.topic", {}))
    app.set_state(x=2)
    wait_text(page, "#x", "2")
    warnings = " ".join(page.console.of("warning"))
    assert "unknown shape" in warnings
    assert "some.other.topic" in warnings


def test_file_input_sends_name_size_and_content(serve, page, tmp_path):
    received = []

    def build(server):
        server.state.files = None

        @server.state.change("files")
        def on_files(files, **_):
            if files:
                received.append(files)

        with DivLayout(server):
            html.Input(type="file", id="file", multiple=True, change="set('files', $event.target.files)")

    upload = tmp_path / "hello.txt"
    upload.write_bytes(b"hello file")
    app = serve(build)
    page.goto(app.url)
    wait_status(page, "live")
    page.set_input_files("#file", str(upload))
    app.wait_for(lambda: bool(received), what="the file")
    (sent,) = received[-1]
    assert sent["name"] == "hello.txt"
    assert sent["size"] == 10
    assert sent["content"] == b"hello file"
    assert sent["_filter"] == ["content"]


def test_client_built_ins_getter_triggers_state_change_and_size_observer(serve, page):
    events = []
    holder = {}

    def build(server):
        server.state.msg = "from getter"
        server.state.watched = 0

        with DivLayout(server):
            holder["triggers"] = client.ClientTriggers(
                mounted=lambda: events.append("mounted"), ping=(lambda v: events.append(("ping", v)), "[$event]")
            )
            with client.Getter(name="msg", value_name="value", update_name="update"):
                html.Span("{{ value }}", id="getter")
                html.Button("update", id="update", click="update('updated by slot')")
            client.ClientStateChange(value=("watched",), change=(lambda v: events.append(("changed", v)), "[$event]"))
            html.Button("bump", id="bump", click="watched += 1")
            with html.Div(style="width: 321px; height: 123px"):
                client.SizeObserver("box")

    app = serve(build)
    page.goto(app.url)
    wait_text(page, "#getter", "from getter")
    app.wait_for(lambda: "mounted" in events, what="mounted")
    app.run(lambda: holder["triggers"].call("ping", 1, "a"))
    app.wait_for(lambda: ("ping", 1) in events, what="ping")
    page.click("#update")
    wait_text(page, "#getter", "updated by slot")
    app.wait_for(lambda: app.server.state.msg == "updated by slot", what="msg written")
    page.click("#bump")
    app.wait_for(lambda: ("changed", 1) in events, what="state change event")
    app.wait_for(lambda: (app.server.state.box or {}).get("size") == {"width": 321, "height": 123}, what="size")


def test_ui_query_parameter_picks_the_layout(serve, page):
    def build(server):
        with DivLayout(server):
            html.Div("main layout", id="which")
        with DivLayout(server, template_name="second"):
            html.Div("second layout", id="which")

    app = serve(build)
    page.goto(app.url.replace("/index.html#", "/index.html?ui=second#"))
    wait_text(page, "#which", "second layout")
    page.goto(app.url.replace("/index.html#", "/index.html?ui=nothing#"))
    page.locator(".trame-jupyter-missing-layout").wait_for()


def test_client_only_keys_are_never_sent(serve, page):
    def build(server):
        server.state.trame__client_only = ["trame__busy", "local"]
        server.state.local = "server value"
        server.state.shared = ""
        with DivLayout(server):
            html.Input(v_model=("local",), id="local")
            html.Input(v_model=("shared",), id="shared")
            html.Div("{{ local }}", id="echo")

    app = serve(build)
    page.goto(app.url)
    wait_status(page, "live")
    page.fill("#local", "browser only")
    wait_text(page, "#echo", "browser only")
    page.fill("#shared", "sent")
    app.wait_for(lambda: app.server.state.shared == "sent", what="the shared key")
    assert app.state("local") == "server value"
