"""trame's widget packages in a real Chromium, on our servers: Vuetify 3, Plotly, Matplotlib, Markdown,
mixed with our own elements in any nesting; and browsers cannot write the reserved keys."""

from __future__ import annotations

import pytest
from support.browser_helpers import wait_status, wait_text
from trame.ui.vuetify3 import SinglePageLayout
from trame.widgets import markdown, matplotlib, plotly, vuetify3

from trame_jupyter.ui import DivLayout
from trame_jupyter.widgets import html

pytestmark = pytest.mark.browser


def vuetify_app(server):
    state = server.state
    state.clicks = 0
    state.value = 30

    @server.trigger("clicked")
    def clicked():
        state.clicks += 1

    with SinglePageLayout(server) as layout:
        layout.title.set_text("Vuetify on trame_jupyter")
        with layout.content:
            with vuetify3.VContainer():
                vuetify3.VBtn("Click", click=clicked, id="button")
                html.Span("{{ clicks }} clicks", id="clicks")  # ours, inside Vuetify
                vuetify3.VSlider(v_model=("value",), min=0, max=100, step=1, id="slider")
                vuetify3.VChip("{{ value }}", id="chip")


def test_vuetify_button_and_slider_both_ways(serve, page):
    app = serve(vuetify_app)
    page.goto(app.url)
    wait_status(page, "live")
    page.locator("#button").click()
    app.wait_for(lambda: app.server.state.clicks == 1, what="the trigger")
    wait_text(page, "#clicks", "1 clicks")
    assert page.locator(".v-app-bar").count() == 1  # Vuetify's own components rendered

    box = page.locator(".v-slider .v-slider-track").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.8, box["y"] + box["height"] / 2)
    app.wait_for(lambda: app.server.state.value >= 70, what="the slider's value")
    assert isinstance(app.state("value"), (int, float))
    app.set_state(value=12)  # and from Python to the page
    wait_text(page, "#chip", "12")
    assert page.console.of("error") == []  # every bundle and plugin loaded


def test_plotly_matplotlib_markdown_render_and_update(serve, page):
    import plotly.graph_objects as go
    from matplotlib.figure import Figure

    def figure(n):
        fig = Figure(figsize=(3, 2))
        fig.subplots().plot(range(n), [i * i for i in range(n)])
        return fig

    def build(server):
        with DivLayout(server):
            chart = plotly.Figure(id="plotly")
            chart.update(go.Figure(data=[go.Bar(x=["a", "b"], y=[1, 2])]))
            server.context.chart = chart
            with html.Div(id="mpl"):  # (the component uses its own id for the drawing)
                server.context.plot = matplotlib.Figure(figure(3))
            markdown.Markdown("# Title\n\n*emphasis*", id="md")

    app = serve(build)
    page.goto(app.url)
    wait_status(page, "live")
    page.wait_for_selector("#plotly svg .trace", timeout=15_000)
    assert page.locator("#plotly svg .trace").count() == 1
    app.run(lambda: app.server.context.chart.update(go.Figure(data=[go.Bar(y=[1]), go.Bar(y=[2])])))
    page.wait_for_function("document.querySelectorAll('#plotly svg .trace').length === 2")

    page.wait_for_selector("#mpl svg", timeout=15_000)
    before = page.locator("#mpl").inner_html()
    app.run(lambda: app.server.context.plot.update(figure(8)))
    page.wait_for_function("([sel, old]) => document.querySelector(sel).innerHTML !== old", arg=["#mpl", before])

    page.wait_for_selector("#md h1")
    assert page.locator("#md h1").inner_text().strip("\n\u200b") == "Title"  # (markdown-it adds an anchor)
    assert page.locator("#md em").inner_text() == "emphasis"


def test_vuetify_widget_inside_our_layout(serve, page):
    def build(server):
        with DivLayout(server):
            html.H3("ours", id="title")
            with vuetify3.VCard(id="card"):
                vuetify3.VCardTitle("theirs")

    app = serve(build)
    page.goto(app.url)
    wait_status(page, "live")
    page.wait_for_selector("#card.v-card")
    assert page.locator("#card .v-card-title").inner_text() == "theirs"
    assert page.locator("#title").inner_text() == "ours"


def test_a_browser_cannot_write_reserved_keys(serve, page):
    def build(server):
        server.state.safe = 1
        with DivLayout(server):
            html.Div("{{ safe }}", id="safe")

    app = serve(build)
    page.goto(app.url)
    wait_status(page, "live")
    outcome = page.evaluate(
        """async () => {
            try {
                await window.trame.rpc('trame.state.update', [[{key: 'trame__vue_use', value: ['alert(1)']}]]);
                return 'accepted';
            } catch (error) { return `${error.code} ${error.message}`; }
        }"""
    )
    assert outcome.startswith("-32602") and "trame__vue_use" in outcome
    assert app.state("trame__vue_use") == []
    assert app.state("safe") == 1


def test_a_module_that_fails_to_load_is_named_and_the_app_still_runs(serve, page):
    def build(server):
        server.enable_module({"scripts": ["__missing/widget.js"], "vue_use": ["MissingPlugin"]})
        server.state.clicks = 0

        @server.trigger("clicked")
        def clicked():
            server.state.clicks += 1

        with DivLayout(server):
            html.Button("Click", click=clicked, id="button")
            html.Span("{{ clicks }}", id="clicks")

    app = serve(build)
    page.goto(app.url)
    wait_status(page, "live")
    problems = page.locator("#trame-jupyter-problems")
    problems.wait_for()
    shown = problems.inner_text()
    assert "__missing/widget.js" in shown and "MissingPlugin" in shown
    page.click("#button")
    wait_text(page, "#clicks", "1")  # the rest of the page works
    # The same problems reach Python (trame.error.client: the controller's on_error, else the log).
    app.wait_for_error("__missing/widget.js")
    app.wait_for_error("MissingPlugin")
