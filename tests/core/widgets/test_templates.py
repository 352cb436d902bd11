"""Elements and layouts rendered to Vue templates (trame §4.4 rules)."""

import warnings

import pytest

from trame_jupyter import Server
from trame_jupyter.core.widgets.element import TemplateWarning
from trame_jupyter.ui import DivLayout, HtmlLayout
from trame_jupyter.widgets import client, html


def test_layout_stores_its_template_and_tuple_bindings_set_defaults():
    server = Server("t1")
    with DivLayout(server) as layout:
        html.Input(type="range", min=3, max=60, v_model=("resolution", 6))
        html.Div("{{ label }}")
    template = server.state.trame__template_main
    assert template == layout.html
    assert '<input type="range" min="3" max="60" v-model.number="resolution" />' in template
    assert "{{ label }}" in template
    assert server.state.resolution == 6


def test_empty_layout_shape():
    server = Server("t2")
    with DivLayout(server) as layout:
        server.ui.content(layout)
    assert layout.html == "<div >\n\n</div>"
    with server.ui.content:
        html.Div("Hello")
    assert server.state.trame__template_main == "<div >\n<div >\nHello\n</div>\n</div>"


def test_attribute_kinds():
    server = Server("t3")
    with DivLayout(server) as layout:
        html.Button(
            "Go",
            classes=("cls", "big"),
            style={"color": "red", "margin": "1px"},
            disabled=True,
            hidden=False,
            title='say "hi" & <go>',
            key="item.id",
            v_if="show",
            data_index=3,
        )
    out = layout.html
    assert ':class="cls"' in out and server.state.cls == "big"
    assert 'style="color: red; margin: 1px;"' in out
    assert " disabled" in out and ':hidden="false"' in out
    assert 'title="say &quot;hi&quot; &amp; &lt;go&gt;"' in out  # static text is escaped
    assert ':key="item.id"' in out
    assert 'v-if="show"' in out
    assert 'data-index="3"' in out


def test_events_become_triggers():
    server = Server("t4")

    def reset():
        pass

    @server.trigger("named")
    def named(*args):
        pass

    with DivLayout(server) as layout:
        html.Button(click=reset)
        html.Button(click=(named, "[a, $event]", "{ x: 1 }"))
        html.Button(click="count += 1")
        html.Input(v_on_keydown_enter=(named,))
    out = layout.html
    assert "@click=\"trigger('trigger__1')\"" in out
    assert "@click=\"trigger('named', [a, $event], { x: 1 })\"" in out
    assert '@click="count += 1"' in out
    assert "@keydown.enter=\"trigger('named')\"" in out
    assert server.controller.trigger_fn("trigger__1") is reset


def test_ref_is_registered_for_js_call():
    server = Server("t5")
    with DivLayout(server) as layout:
        html.Input(ref="field")
    assert ":ref=\"(el) => trame.refs['field'] = el\"" in layout.html


def test_dynamic_directives():
    server = Server("t6")
    with DivLayout(server) as layout:
        html.Div(v_model_title=("t",), v_bind_foo_bar=("x",), v_slot_item="{ item }", v_for="i in items", v_else=True)
    out = layout.html
    assert 'v-model:title="t"' in out
    assert ':foo-bar="x"' in out
    assert 'v-slot:item="{ item }"' in out
    assert 'v-for="i in items"' in out
    assert "v-else" in out


def test_child_server_translates_existing_keys():
    server = Server("t7")
    child = server.create_child_server(prefix="c_")
    child.state.count = 1
    with DivLayout(child, "child") as layout:
        html.Div("{{ count }} {{ other }}", v_model=("name", "x"), click="count += 1")
    out = layout.html
    assert "{{ c_count }} {{ other }}" in out
    assert 'v-model="c_name"' in out  # the default created the key, so the binding is prefixed
    assert server.state.c_name == "x"
    assert '@click="c_count += 1"' in out
    assert server.state.trame__template_child == out


def test_template_hot_update_rewrites_the_key():
    server = Server("t8")
    with DivLayout(server):
        html.Div("one")
    first = server.state.trame__template_main
    with DivLayout(server):
        html.Div("two")
    assert first != server.state.trame__template_main
    assert "two" in server.state.trame__template_main


def test_html_layout_with_custom_tag_and_nesting():
    server = Server("t9")
    with HtmlLayout(server, "alt", tag="section", classes="wrap") as layout:
        with html.Ul():
            html.Li("{{ item }}", v_for="item in items", key="item")
    out = layout.html
    assert out.startswith('<section class="wrap">')
    assert '<li :key="item" v-for="item in items">' in out  # shared attributes, then directives


def test_client_widgets():
    server = Server("t10")
    with DivLayout(server) as layout:
        style = client.Style("body { color: red; }")
        client.Script("trame.state.set('x', 1)")
        client.ServerTemplate(name="other")
        with client.Getter(name="'a'", value_name="v"):
            html.Span("{{ v }}")
    out = layout.html
    assert f':css="{style.var_name}"' in out
    assert server.state[style.var_name] == "body { color: red; }"
    style.update("p {}")
    assert server.state[style.var_name] == "p {}"
    assert 'templateName="other"' in out
    assert 'v-slot="{ value: v }"' in out
    assert "<trame-script" in out


def test_rendering_error_is_contained():
    server = Server("t11")

    class Weird:
        pass

    with DivLayout(server) as layout:
        html.Div("ok")
        html.Span(data=Weird())
    assert "<span html-error />" in layout.html
    assert "ok" in layout.html


def test_numeric_inputs_bind_numbers():
    """A slider bound with plain v_model must give the state numbers, not '17'."""
    server = Server("t-numeric")
    with DivLayout(server):
        html.Input(type="range", min=3, max=60, v_model=("resolution", 6))
        html.Input(type="number", v_model=("count",))
        html.Input(type="text", v_model=("name",))
    template = server.state.trame__template_main
    assert 'type="range" min="3" max="60" v-model.number="resolution"' in template
    assert 'type="number" v-model.number="count"' in template
    assert 'type="text" v-model="name"' in template
    assert server.state.resolution == 6


def test_an_expression_passed_as_a_plain_string_is_flagged():
    server = Server("t-expression")
    with pytest.warns(TemplateWarning, match=r"""src=\("utils.url\(plot, 'image/png'\)",\)"""):
        with DivLayout(server):
            html.Img(src=("utils.url(plot, 'image/png')"))  # the tuple's comma is missing
    with pytest.warns(TemplateWarning, match="mind the comma"):
        with DivLayout(server, "other"):
            html.Div(title="{{ label }}")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with DivLayout(server, "fine"):
            html.Img(src="images/logo(1).png", alt="Logo (large)")
            html.A("docs", href="https://example.org/page(1)")
            html.Img(src=("utils.url(plot, 'image/png')",))
