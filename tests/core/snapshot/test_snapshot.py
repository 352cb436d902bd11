"""Static snapshots: template expressions evaluated like the page would, rendered to inert HTML."""

import pytest

from trame_jupyter import Server
from trame_jupyter.core.snapshot import render_snapshot
from trame_jupyter.core.snapshot.expressions import UnsupportedExpressionError, display_string, evaluate
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


def render(template, **state):
    return render_snapshot({"trame__template_main": template, **state})


def test_components_off_the_allow_list_show_their_content_in_a_div():
    out = render(
        "<v-card class='pa-4' :class=\"{ on: ok }\" @click='go'><v-card-title>{{ title }}</v-card-title>"
        "<v-btn href='javascript:alert(1)' color='primary'>Go</v-btn></v-card>",
        title="Results",
        ok=True,
    )
    assert out == '<div class="pa-4 on"><div>Results</div><div>Go</div></div>'


def test_forms_and_documents_are_unwrapped_active_elements_dropped_with_their_content():
    out = render(
        "<form action='/x'><input v-model='n' name='n'><button formaction='/y' type='submit'>Send</button></form>"
        "<iframe src='https://example.org'>frame text</iframe><object data='x'>fallback</object><style>p{}</style>"
        "<svg><text>svg text</text></svg>",
        n=3,
    )
    assert out == '<div><input value="3"><button>Send</button></div>'  # SVG is dropped with its text


def test_urls_follow_the_scheme_allow_list():
    png = b"\x89PNG\r\n\x1a\n" + bytes(8)
    out = render(
        "<a href='mailto:a@example.org'>m</a><a href='/notebooks/x.ipynb'>r</a><a href='HTTPS://example.org'>h</a>"
        "<a :href=\"utils.url(png, 'image/png')\">d</a><img :src=\"utils.url(png, 'image/svg+xml')\">"
        "<img :srcset=\"utils.url(png, 'image/webp') + ' 1x, /b.png 2x'\"><img src='ftp://example.org/a.png'>",
        png=png,
    )
    assert '<a href="mailto:a@example.org"' in out and '<a href="/notebooks/x.ipynb"' in out
    assert '<a href="HTTPS://example.org"' in out
    assert '<a rel="noopener noreferrer">d</a>' in out  # a data URL is for images only
    assert 'srcset="data:image/webp;base64,iVBORw0KGgo' in out and ", /b.png 2x" in out
    assert "svg+xml" not in out and "ftp:" not in out


def test_style_keeps_only_plain_declarations():
    out = render(
        "<div style='color: red; background: url(x.png); position: fixed; width: calc(100% - 2px)' "
        ":style=\"{ marginTop: '4px', backgroundImage: 'url(javascript:alert(1))', fontFamily: '\\'x\\'' }\" "
        "v-show='hidden'>s</div><p style='background-image: url(a.png)'>t</p>",
        hidden=False,
    )
    assert out == ('<div style="color: red; width: calc(100% - 2px); margin-top: 4px; display: none">s</div><p>t</p>')


def test_text_areas_and_passwords():
    out = render(
        "<textarea v-model='note'></textarea><textarea>{{ note }}<b>x</b></textarea>"
        "<input type='password' v-model='secret'><input :type=\"'pass' + 'word'\" v-model='secret'>"
        "<input type='checkbox' v-model='on'>",
        note="</textarea><script>alert(1)</script>",
        secret="hunter2",
        on=True,
    )
    assert out.count("&lt;/textarea&gt;&lt;script&gt;") == 2 and "<b>" not in out
    assert "hunter2" not in out  # a saved notebook must not carry a typed password
    assert '<input type="checkbox" checked="">' in out


def test_expressions_that_fail_leave_their_part_out():
    out = render("<p>{{ 'abc'.slice('x') }}|{{ Math.sqrt(-1) }}|{{ (1).toFixed(1000) }}|{{ n.toFixed(1) }}</p>", n=2)
    assert out == "<p>|||2.0</p>"


def test_the_last_pass_holds_whatever_it_is_given():
    from trame_jupyter.core.snapshot.sanitize import sanitize_html
    from trame_jupyter.jupyter.kernel.display import static_html

    raw = (
        '<script>alert(1)</script><img src=x onerror=alert(1)><a href="java\tscript:alert(1)">a</a>'
        '<iframe srcdoc="<script>alert(1)</script>"></iframe><v-btn onclick="alert(1)">b</v-btn>'
        '<p title="</p><script>alert(1)</script>">t</p><div style="background:url(javascript:alert(1))">s</div>'
    )
    expected = (
        '<img src="x"><a rel="noopener noreferrer">a</a>b'
        '<p title="&lt;/p&gt;&lt;script&gt;alert(1)&lt;/script&gt;">t</p><div>s</div>'
    )
    assert sanitize_html(raw) == expected
    assert expected in static_html(raw)


def test_overlays_show_their_activator_and_icons_no_glyph_names():
    state = {
        "trame__template_main": (
            '<div><VTooltip text="t"><template v-slot:activator="{ props }"><button v-bind="props">Help</button>'
            "</template><pre>versions: 1.2.3</pre></VTooltip>"
            '<v-menu activator="parent"><div>menu item</div></v-menu>'
            '<VDialog v-model="open"><template #activator="{ props }"><span>Open the dialog</span></template>'
            "<div>dialog body</div></VDialog><VBtn><VIcon>mdi-close</VIcon> Close</VBtn></div>"
        ),
        "open": False,
    }
    out = render_snapshot(state, "main")
    assert "Help" in out and "Open the dialog" in out
    assert "versions" not in out and "menu item" not in out and "dialog body" not in out
    assert "Close" in out and "mdi-close" not in out  # an icon's glyph name is not text


def test_components_that_draw_show_their_picture_and_only_a_data_image_url():
    """``pictures`` turns a component (a 3D view) into an image; what it returns still meets the allow-list."""
    state = {"trame__template_main": '<div><vtk-remote-view :viewId="viewKey"></vtk-remote-view><b>caption</b></div>'}
    state["viewKey"] = "7"
    asked = []

    def pictures(tag, attribute):
        asked.append((tag, attribute("viewid")))
        return "data:image/jpeg;base64,AAAA"

    shown = render_snapshot(state, pictures=pictures)
    assert asked == [("vtk-remote-view", "7")]
    assert '<img src="data:image/jpeg;base64,AAAA"' in shown and "<b>caption</b>" in shown
    for hostile in ("javascript:alert(1)", "data:text/html,<script>alert(1)</script>", 'x" onerror="alert(1)'):
        shown = render_snapshot(state, pictures=lambda tag, attribute, url=hostile: url)
        assert "<img" not in shown and "alert" not in shown
