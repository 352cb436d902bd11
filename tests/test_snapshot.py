"""Static snapshots: template expressions evaluated like the page would, rendered to inert HTML."""

import pytest

from trame_jupyter import Server
from trame_jupyter.snapshot import render_snapshot
from trame_jupyter.snapshot.expressions import UnsupportedExpressionError, display_string, evaluate
from trame_jupyter.ui import DivLayout
from trame_jupyter.widgets import client, html

SCOPE = {"count": 3, "items": ["a", "b"], "obj": {"x": 1.5}, "flag": False, "name": "Bob", "empty": [], "none": None}


@pytest.mark.parametrize(
    ("expression", "shown"),
    [
        ("count + 1", "4"),
        ("count * 2 === 6", "true"),
        ("items.length", "2"),
        ("items[1]", "b"),
        ("obj.x.toFixed(2)", "1.50"),
        ("!flag && count > 2 ? 'yes' : 'no'", "yes"),
        ("'n=' + count", "n=3"),
        ("missing", ""),
        ("none ?? 'default'", "default"),
        ("empty ? 'arrays are truthy' : 'no'", "arrays are truthy"),
        ("Math.max(1, count) / 2", "1.5"),
        ("name.toUpperCase()", "BOB"),
        ("items.join(' | ')", "a | b"),
        ("obj", '{\n  "x": 1.5\n}'),
        ("nothing?.deep", ""),
    ],
)
def test_expressions_follow_javascript(expression, shown):
    assert display_string(evaluate(expression, SCOPE)) == shown


@pytest.mark.parametrize("expression", ["alert(1)", "window.location", "count = 5", "x => x", "fetch('/x')", "a.b.c"])
def test_anything_else_is_refused_never_run(expression):
    with pytest.raises(UnsupportedExpressionError):
        evaluate(expression, SCOPE)


def snapshot_of(build, **state):
    server = Server("snapshot")
    server.state.update(state)
    with DivLayout(server):
        build(server)
    return render_snapshot(server.state.initial)


def test_values_bindings_conditions_and_loops():
    def build(server):
        html.Input(type="range", min=3, max=60, v_model=("resolution", 6))
        html.Div("{{ label }}", classes=("{ big: count > 2 }",), id="label")
        html.P("shown", v_if="count > 5")
        html.P("fallback", v_else=True)
        html.Li("{{ i }}:{{ item }}", v_for="(item, i) in items", key="i")
        html.Span("hidden", v_show="flag")

    out = snapshot_of(build, label="resolution 6", count=3, items=["x", "y"], flag=False)
    assert '<input type="range" min="3" max="60" value="6">' in out
    assert '<div id="label" class="big">\nresolution 6\n</div>' in out
    assert "fallback" in out and "shown" not in out
    assert "0:x" in out and "1:y" in out
    assert 'style="display: none"' in out


def test_images_from_bytes_become_data_urls():
    png = b"\x89PNG\r\n\x1a\n" + bytes(20)
    out = snapshot_of(lambda s: html.Img(src=("utils.url(plot, 'image/png')",)), plot=png)
    assert 'src="data:image/png;base64,iVBORw0KGgo' in out


def test_snapshot_is_inert_html():
    def build(server):
        html.Div("{{ evil }}", click="count += 1", title=("evil",))
        html.A("link", href=("'javascript:alert(1)'",))
        html.Div(v_html="evil")
        client.Script("alert(1)")
        client.Style("body { display: none }")

    out = snapshot_of(build, evil='<img src=x onerror="alert(1)">')
    assert "<img" not in out and "onerror=&quot;" in out  # escaped as text and in attributes
    assert "javascript:" not in out
    assert "@click" not in out and "onclick" not in out
    assert "alert(1)</script>" not in out and "display: none }" not in out


def test_other_layouts_render_in_place():
    server = Server("nested")
    server.state.who = "side"
    with DivLayout(server, "side"):
        html.B("{{ who }}")
    with DivLayout(server):
        client.ServerTemplate(name="side")
    assert "<b>\nside\n</b>" in render_snapshot(server.state.initial)
