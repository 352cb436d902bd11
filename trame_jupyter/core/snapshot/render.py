"""Static snapshots: a layout rendered to plain HTML from the server's current state.

A saved notebook opened without a kernel (nbconvert, GitHub, nbviewer, an untrusted notebook in
JupyterLab) cannot run the live app; its ``text/html`` output shows this snapshot instead of a dead
frame. The template is rendered the way the page would render it — ``{{ }}`` text, bound attributes,
``v-if``/``v-else``/``v-show``, ``v-for``, ``v-model`` values, other layouts through
``trame-template``, images from bytes through ``utils.url`` — using ``expressions.evaluate``.
What cannot be evaluated is left out. A snapshot is inert HTML: only the elements, attributes, URL
schemes and CSS of the allow-list in ``sanitize`` are emitted, every value is escaped, other components
(``v-card`` …) become a neutral ``<div>`` holding their content, and the result goes through ``nh3`` last.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping
from html.parser import HTMLParser
from typing import Any

from .expressions import UNDEFINED, UnsupportedExpressionError, display_string, evaluate, js_string, truthy
from .sanitize import ALLOWED_TAGS, DROPPED_TAGS, NEUTRAL_TAG, clean_attribute, sanitize_html

VOID_TAGS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
)
# Components of the page that have nothing to show in a static document.
SILENT_TAGS = frozenset(
    {
        "trame-style",
        "trame-script",
        "trame-client-triggers",
        "trame-client-state-change",
        "trame-size-observer",
    }
)
# Vuetify's overlays: their content shows only once activated (hover, click), so a snapshot shows just
# their activator slot. Names as the HTML parser gives them (lower case), with or without dashes.
OVERLAY_COMPONENTS = frozenset({"vtooltip", "vmenu", "vdialog", "vsnackbar", "voverlay", "vbottomsheet", "vspeeddial"})
# Icons: their text is an icon font's glyph name (``mdi-help-circle``), not words to show.
ICON_COMPONENTS = frozenset({"vicon"})
# Elements whose first newline the HTML parser eats: one is written after the start tag to keep the text.
_LEADING_NEWLINE_TAGS = frozenset({"pre", "textarea"})
_MOUSTACHE = re.compile(r"{{(.*?)}}", re.DOTALL)
_FOR = re.compile(r"^\s*(?:\(\s*(\w+)\s*(?:,\s*(\w+)\s*)?\)|(\w+))\s+(?:in|of)\s+(.+)$", re.DOTALL)
_SLOT_PROPS = re.compile(r"^\s*{(.*)}\s*$", re.DOTALL)
MAX_TEMPLATE_DEPTH = 5
#: A component's picture for the snapshot (a 3D view's last image): ``(tag, attribute) -> data URL``
#: or None, where ``attribute(name)`` evaluates one of the element's attributes (static or bound).
Pictures = Callable[[str, Callable[[str], Any]], "str | None"]
MAX_LOOP_ITEMS = 1000
_PICTURE_STYLE = "display: block; width: 100%; height: 100%; object-fit: contain"


class _Node:
    def __init__(self, tag: str, attributes: list[tuple[str, str | None]]) -> None:
        self.tag = tag
        self.attributes = attributes
        self.children: list[_Node | str] = []


class _TreeBuilder(HTMLParser):
    """Template text → a tree (Vue's self-closing ``<x />`` on any tag is accepted)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Node("#root", [])
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = _Node(tag, attrs)
        self.stack[-1].children.append(node)
        if tag not in VOID_TAGS:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(_Node(tag, attrs))

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.stack) - 1, 0, -1):
            if self.stack[index].tag == tag:
                del self.stack[index:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse_template(template: str) -> _Node:
    builder = _TreeBuilder()
    builder.feed(template)
    builder.close()
    return builder.root


def _value(expression: str | None, scope: Mapping[str, Any]) -> Any:
    if expression is None:
        return UNDEFINED
    return evaluate(expression, scope)


class SnapshotRenderer:
    """Renders the templates of one state (a mapping of full key names to values)."""

    def __init__(self, state: Mapping[str, Any], pictures: Pictures | None = None) -> None:
        self.state = dict(state)
        self.pictures = pictures

    def render_layout(self, name: str, depth: int = 0) -> str:
        template = self.state.get(f"trame__template_{name}")
        if not isinstance(template, str) or depth > MAX_TEMPLATE_DEPTH:
            return ""
        return self._children(parse_template(template), self.state, depth)

    # -- tree --------------------------------------------------------------------------------------

    def _children(self, node: _Node, scope: Mapping[str, Any], depth: int) -> str:
        parts: list[str] = []
        chain_open = False  # a v-if chain whose branch has not been taken yet
        for child in node.children:
            if isinstance(child, str):
                if child.strip():
                    chain_open = False
                parts.append(self._text(child, scope))
                continue
            attributes = dict(child.attributes)
            if "v-if" in attributes:
                taken = self._condition(attributes["v-if"], scope)
                chain_open = not taken
                if not taken:
                    continue
            elif "v-else-if" in attributes:
                if not chain_open:
                    continue
                taken = self._condition(attributes["v-else-if"], scope)
                chain_open = not taken
                if not taken:
                    continue
            elif "v-else" in attributes:
                was_open, chain_open = chain_open, False
                if not was_open:
                    continue
            else:
                chain_open = False
            parts.append(self._element(child, scope, depth))
        return "".join(parts)

    def _condition(self, expression: str | None, scope: Mapping[str, Any]) -> bool:
        try:
            return truthy(_value(expression, scope))
        except UnsupportedExpressionError:
            return True  # unknown: show the content rather than hide it

    def _text(self, text: str, scope: Mapping[str, Any]) -> str:
        parts = _MOUSTACHE.split(text)  # literal, expression, literal, …
        rendered = []
        for index, part in enumerate(parts):
            if index % 2 == 0:
                rendered.append(html.escape(part, quote=False))
                continue
            try:
                rendered.append(html.escape(display_string(evaluate(part, scope)), quote=False))
            except UnsupportedExpressionError:
                pass
        return "".join(rendered)

    def _element(self, node: _Node, scope: Mapping[str, Any], depth: int) -> str:
        attributes = dict(node.attributes)
        loop = attributes.get("v-for")
        if loop is not None:
            return self._loop(node, loop, scope, depth)
        tag = node.tag
        if tag in SILENT_TAGS or tag in DROPPED_TAGS:
            return ""
        if tag == "template":
            return self._children(node, scope, depth)  # slot props come from components not run here
        if tag == "trame-template":
            name = self._attribute_value(attributes, "templatename", scope)
            return self.render_layout(js_string(name), depth + 1) if name not in (None, UNDEFINED) else ""
        if tag == "trame-getter":
            return self._getter(node, attributes, scope, depth)
        if tag.replace("-", "") in ICON_COMPONENTS:
            return ""
        if tag.replace("-", "") in OVERLAY_COMPONENTS:
            return "".join(
                self._children(child, scope, depth)
                for child in node.children
                if isinstance(child, _Node) and child.tag == "template" and _slot_of(child) == "activator"
            )

        if self.pictures is not None and tag not in ALLOWED_TAGS:
            url = self.pictures(tag, lambda name: self._attribute_value(attributes, name, scope))
            # Only an image in the document itself (nothing fetched), and the allow-list still decides.
            if isinstance(url, str) and url.startswith("data:image/"):
                source = clean_attribute("img", "src", url)
                if source is not None:
                    return f'<img src="{html.escape(source, quote=True)}" alt="" style="{_PICTURE_STYLE}">'
        # Anything off the allow-list (components, form, body …) shows its content in a neutral element.
        shown = tag if tag in ALLOWED_TAGS else NEUTRAL_TAG
        void = shown in VOID_TAGS
        rendered = self._attributes(node, shown, scope)
        inner = ""
        if "v-text" in attributes or "v-html" in attributes:  # v-html is shown as text: a snapshot stays inert
            try:
                inner = html.escape(display_string(_value(attributes.get("v-text", attributes.get("v-html")), scope)))
            except UnsupportedExpressionError:
                inner = ""
        elif shown == "textarea":  # its content is text, never markup
            value = self._model_value(attributes, scope) if _has_model(attributes) else None
            inner = html.escape(value if value is not None else self._text_content(node, scope), quote=False)
        elif not void:
            inner = self._children(node, scope, depth)
        if tag not in ALLOWED_TAGS:
            inner = self._component_summary(attributes, scope) + inner
        if shown in _LEADING_NEWLINE_TAGS:
            inner = "\n" + inner
        opening = f"<{shown}{rendered}>"
        return opening if void else f"{opening}{inner}</{shown}>"

    def _component_summary(self, attributes: Mapping[str, Any], scope: Mapping[str, Any]) -> str:
        """What a component (a text field, a slider, a select …) showed beside its children: its label and
        its bound value, as text (``Name: Ada``), since the component itself does not run here."""
        label = self._attribute_value(attributes, "label", scope)
        label_text = js_string(label) if label not in (None, UNDEFINED) and not isinstance(label, bool) else ""
        value: Any = UNDEFINED
        if _has_model(attributes):
            value = self._model_value(attributes, scope)
        elif ":model-value" in attributes or ":modelvalue" in attributes:
            value = self._attribute_value(attributes, "model-value", scope)
            if value is UNDEFINED:
                value = self._attribute_value(attributes, "modelvalue", scope)
        value_text = "" if value in (None, UNDEFINED) else display_string(value)
        text = f"{label_text}: {value_text}" if label_text and value_text else label_text or value_text
        return f'<span class="trame-jupyter-snapshot-value">{html.escape(text, quote=False)}</span>' if text else ""

    def _text_content(self, node: _Node, scope: Mapping[str, Any]) -> str:
        """The text of ``node``'s direct text children, ``{{ }}`` evaluated (not escaped)."""
        return html.unescape("".join(self._text(child, scope) for child in node.children if isinstance(child, str)))

    def _loop(self, node: _Node, spec: str, scope: Mapping[str, Any], depth: int) -> str:
        match = _FOR.match(spec or "")
        if match is None:
            return ""
        item_name = match.group(1) or match.group(3)
        index_name = match.group(2)
        try:
            source = evaluate(match.group(4), scope)
        except UnsupportedExpressionError:
            return ""
        if isinstance(source, Mapping):
            pairs = list(source.values())
        elif isinstance(source, (list, tuple, str)):
            pairs = list(source)
        elif isinstance(source, int) and not isinstance(source, bool):
            pairs = list(range(1, source + 1))
        else:
            return ""
        body = _Node(node.tag, [(k, v) for k, v in node.attributes if k != "v-for"])
        body.children = node.children
        wrapper = _Node("#loop", [])
        parts = []
        for index, item in enumerate(pairs[:MAX_LOOP_ITEMS]):
            inner_scope = {**scope, item_name: item}
            if index_name:
                inner_scope[index_name] = index
            wrapper.children = [body]
            parts.append(self._children(wrapper, inner_scope, depth))
        return "".join(parts)

    def _getter(self, node: _Node, attributes: Mapping[str, Any], scope: Mapping[str, Any], depth: int) -> str:
        key = self._attribute_value(attributes, "name", scope)
        value = scope.get(js_string(key), UNDEFINED) if key not in (None, UNDEFINED) else UNDEFINED
        names = self._slot_names(attributes.get("v-slot"))
        inner = {**scope, **{alias: value for prop, alias in names.items() if prop == "value"}}
        return self._children(node, inner, depth)

    @staticmethod
    def _slot_names(spec: str | None) -> dict[str, str]:
        match = _SLOT_PROPS.match(spec or "")
        names: dict[str, str] = {}
        for part in match.group(1).split(",") if match else []:
            prop, _, alias = part.partition(":")
            if prop.strip():
                names[prop.strip()] = (alias or prop).strip()
        return names

    # -- attributes ----------------------------------------------------------------------------------

    def _attribute_value(self, attributes: Mapping[str, Any], name: str, scope: Mapping[str, Any]) -> Any:
        if f":{name}" in attributes:
            try:
                return _value(attributes[f":{name}"], scope)
            except UnsupportedExpressionError:
                return UNDEFINED
        return attributes.get(name, UNDEFINED)

    def _model_value(self, attributes: Mapping[str, Any], scope: Mapping[str, Any]) -> str | None:
        for name in ("v-model", "v-model.number", "v-model.trim", "v-model.lazy"):
            if name in attributes:
                try:
                    value = _value(attributes[name], scope)
                except UnsupportedExpressionError:
                    return None
                return None if value in (None, UNDEFINED) else display_string(value)
        return None

    def _attributes(self, node: _Node, tag: str, scope: Mapping[str, Any]) -> str:
        """The attributes of ``node`` shown as element ``tag``: evaluated, then kept only if on the allow-list."""
        static: dict[str, str] = {}
        classes: list[str] = []
        styles: list[str] = []
        for name, raw in node.attributes:
            if name.startswith(("@", "v-on", "#", "v-slot")) or name in ("ref", ":ref", "key", ":key"):
                continue
            if name in ("v-if", "v-else", "v-else-if", "v-for", "v-text", "v-html", "v-pre", "v-once", "v-cloak"):
                continue
            if name.startswith("v-model"):
                value = self._model_value({name: raw}, scope)
                if tag == "input" and value is not None:
                    kind = self._attribute_value(dict(node.attributes), "type", scope)
                    kind = "text" if kind in (None, UNDEFINED) else js_string(kind).strip().lower()
                    if kind in ("checkbox", "radio"):
                        if value not in ("", "false"):
                            static["checked"] = ""
                    elif kind != "password":  # a saved notebook must not carry a typed password
                        static["value"] = value
                continue
            if name == "v-show":
                if not self._condition(raw, scope):
                    styles.append("display: none")
                continue
            if name.startswith((":", "v-bind:")):
                target = name.split(":", 1)[1]
                try:
                    value = _value(raw, scope)
                except UnsupportedExpressionError:
                    continue
                if target == "class":
                    classes.extend(_classes(value))
                elif target == "style":
                    styles.append(_style(value))
                elif value is True:
                    static[target] = ""
                elif value not in (None, UNDEFINED, False):
                    static[target] = js_string(value)
                continue
            if name.startswith("v-"):
                continue  # other directives (plugins): nothing static to show
            if name == "class":
                classes.extend((raw or "").split())
            elif name == "style":
                styles.append(raw or "")
            else:
                static[name] = raw or ""
        if classes:
            static["class"] = " ".join(dict.fromkeys(classes))
        if styles:
            static["style"] = "; ".join(s.strip().rstrip(";") for s in styles if s.strip())
        parts = []
        for name, value in static.items():
            cleaned = clean_attribute(tag, name, value)  # the allow-list: handlers, srcdoc, bad URLs … go
            if cleaned is not None:
                parts.append(f' {name}="{html.escape(cleaned, quote=True)}"')
        return "".join(parts)


def _has_model(attributes: Mapping[str, Any]) -> bool:
    return any(name.startswith("v-model") for name in attributes)


def _classes(value: Any) -> list[str]:
    if isinstance(value, str):
        return value.split()
    if isinstance(value, Mapping):
        return [str(k) for k, v in value.items() if truthy(v)]
    if isinstance(value, (list, tuple)):
        return [c for v in value for c in _classes(v)]
    return []


def _style(value: Any) -> str:
    if isinstance(value, Mapping):
        return "; ".join(f"{_kebab(k)}: {js_string(v)}" for k, v in value.items() if v not in (None, UNDEFINED))
    return js_string(value) if isinstance(value, str) else ""


def _kebab(name: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"-\1", str(name)).lower()


def render_snapshot(state: Mapping[str, Any], ui: str = "main", pictures: Pictures | None = None) -> str:
    """The static HTML of layout ``ui`` for ``state`` (full key names), sanitized by ``nh3`` last;
    ``pictures`` shows components that draw (3D views) as images."""
    return sanitize_html(SnapshotRenderer(state, pictures).render_layout(ui))


def _slot_of(template: _Node) -> str | None:
    """The slot a ``<template v-slot:name>`` (or ``#name``) fills, if any."""
    for name, _ in template.attributes:
        for prefix in ("v-slot:", "#"):
            if name.startswith(prefix):
                return name[len(prefix) :]
    return None
