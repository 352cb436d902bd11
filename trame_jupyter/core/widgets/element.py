"""Elements: Python objects that render to Vue template strings.

``html.Div(...)`` inside a ``with`` block of a layout (or another element) becomes that block's child.
Attribute rules (PROTOCOL.md / trame §4.4): a tuple binds to an expression (and ``(key, default)``
also gives the key a default), a callable event becomes ``trigger('name')``, ``ref`` registers the
element for ``server.js_call``, and names are translated for child servers.

The stack of open elements lives in a ``ContextVar``: each thread and asyncio task building UI sees
its own, and no process-wide slot exists.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import warnings
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ...server.server import Server

logger = logging.getLogger(__name__)

_open_elements: ContextVar[tuple[Any, ...]] = ContextVar("trame_jupyter_open_elements", default=())

DIRECTIVES: tuple[tuple[str, str], ...] = (
    ("v_text", "v-text"),
    ("v_html", "v-html"),
    ("v_show", "v-show"),
    ("v_if", "v-if"),
    ("v_else", "v-else"),
    ("v_else_if", "v-else-if"),
    ("v_for", "v-for"),
    ("v_on", "v-on"),
    ("v_bind", "v-bind"),
    ("v_model", "v-model"),
    ("v_model_lazy", "v-model.lazy"),
    ("v_model_number", "v-model.number"),
    ("v_model_trim", "v-model.trim"),
    ("v_slot", "v-slot"),
    ("v_pre", "v-pre"),
    ("v_once", "v-once"),
    ("v_memo", "v-memo"),
    ("v_cloak", "v-cloak"),
)

SHARED_ATTRIBUTES: tuple[str | tuple[str, str], ...] = (
    "accesskey",
    "autocapitalize",
    "autofocus",
    ("classes", "class"),
    "contenteditable",
    "dir",
    "draggable",
    "enterkeyhint",
    "hidden",
    "id",
    "inputmode",
    "is",
    "itemid",
    "itemprop",
    "itemref",
    "itemscope",
    "itemtype",
    "lang",
    "nonce",
    "slot",
    "spellcheck",
    "style",
    "tabindex",
    "title",
    "translate",
    "ref",
    ("key", ":key"),
)

#: DOM events recognised on every element (anything else can be listed with ``__events=[...]``).
DOM_EVENTS: tuple[str, ...] = (
    "click", "dblclick", "mousedown", "mouseup", "mouseenter", "mouseleave", "mousemove", "mouseover",
    "mouseout", "contextmenu", "wheel", "keydown", "keyup", "keypress", "input", "change", "submit",
    "reset", "focus", "blur", "focusin", "focusout", "select", "invalid", "scroll", "resize",
    "pointerdown", "pointerup", "pointermove", "pointerenter", "pointerleave", "pointercancel",
    "touchstart", "touchend", "touchmove", "touchcancel", "drag", "dragstart", "dragend", "dragenter",
    "dragleave", "dragover", "drop", "load", "error", "play", "pause", "ended", "timeupdate",
    "volumechange", "animationstart", "animationend", "animationiteration", "transitionstart",
    "transitionend", "transitionrun", "transitioncancel", "toggle", "copy", "cut", "paste",
)  # fmt: skip


#: Input types whose ``v_model`` binds numbers (``v-model.number``).
NUMERIC_INPUT_TYPES = frozenset({"range", "number"})


def py2js_key(name: str) -> str:
    return name.replace("_", "-")


def _entry(item: str | tuple[str, str]) -> tuple[str, str]:
    return (item, py2js_key(item)) if isinstance(item, str) else (item[0], item[1])


def _trame_client_stack() -> Any | None:
    """trame-client's stack of open elements, when trame's widget packages are in use.

    trame's elements (``trame.widgets.vuetify3`` …) find their parent and server on that stack. Ours
    are pushed there too, and an element of either kind created inside a ``with`` block of the other
    attaches to it: one stack, whichever package made the element. Read from ``sys.modules`` only: the
    core never imports trame-client itself.
    """
    module = sys.modules.get("trame_client.widgets.core")
    if module is None:
        return None
    stack = getattr(module, "HTML_CTX", None)
    if not all(hasattr(stack, name) for name in ("enter", "exit", "element_stack")):
        raise UnsupportedTrameClientError(_installed_version("trame-client"))
    return stack


#: The trame-client releases whose element stack the bridge above knows (pyproject's ``trame`` extra).
SUPPORTED_TRAME_CLIENT = ">=4.1,<5"


class UnsupportedTrameClientError(RuntimeError):
    """trame-client is imported, but not a release whose widgets can share our element stack."""

    def __init__(self, installed: str) -> None:
        super().__init__(
            f"trame-client {installed} is not supported: trame's widgets need trame-client{SUPPORTED_TRAME_CLIENT} "
            f'to nest with trame_jupyter\'s. Run: pip install "trame-client{SUPPORTED_TRAME_CLIENT}"'
        )


def _installed_version(distribution: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(distribution)
    except PackageNotFoundError:
        return "(unknown version)"


def current_parent() -> Any | None:
    """The innermost element (or virtual node) open in a ``with`` block, of any package, if any."""
    shared = _trame_client_stack()
    if shared is not None and shared.element_stack:
        return shared.element_stack[-1]
    stack = _open_elements.get()
    return stack[-1] if stack else None


def push_open(element: Any) -> None:
    _open_elements.set((*_open_elements.get(), element))
    shared = _trame_client_stack()
    if shared is not None:
        shared.enter(element)


def pop_open(element: Any) -> None:
    stack = _open_elements.get()
    if stack and stack[-1] is element:
        _open_elements.set(stack[:-1])
    shared = _trame_client_stack()
    if shared is not None:
        shared.exit(element)


def _quote(value: str) -> str:
    """Escape text for a double-quoted attribute (Vue's compiler decodes the entities back)."""
    return value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")


class AbstractElement:
    """A template element.

    Parameters
    ----------
    _elem_name:
        Tag name (``div``, ``v-btn`` …).
    children:
        A string, an element, or a list of them.
    trame_server:
        The server whose state/controller bindings use (default: the enclosing element's).
    __properties, __events:
        Extra attribute and event names this element knows, as names or ``(py, js)`` pairs.
    kwargs:
        Attributes, directives (``v_if``, ``v_model`` …) and events (``click`` …).
    """

    def __init__(self, _elem_name: str, children: Any = None, **kwargs: Any) -> None:
        object.__setattr__(self, "_elem_name", _elem_name)
        object.__setattr__(self, "_server", kwargs.pop("trame_server", None))
        connect_parent = kwargs.pop("connect_parent", True)
        properties = [_entry(p) for p in kwargs.pop("__properties", [])]
        events = [_entry(e) for e in kwargs.pop("__events", [])]
        if isinstance(kwargs.get("style"), dict):
            kwargs["style"] = " ".join(f"{k}: {v};" for k, v in kwargs["style"].items())
        object.__setattr__(self, "_attr_names", [*properties, *(_entry(a) for a in SHARED_ATTRIBUTES)])
        object.__setattr__(self, "_event_names", [*events, *(_entry(e) for e in DOM_EVENTS)])
        object.__setattr__(self, "_py_attr", kwargs)
        object.__setattr__(self, "_children", [])
        object.__setattr__(self, "_extra_attributes", {})

        parent = current_parent() if connect_parent else None
        if parent is not None:
            if self._server is None:
                object.__setattr__(self, "_server", parent.server)
            parent.add_child(self)
        if children is not None:
            self.add_children(children if isinstance(children, (list, tuple)) else [children])
        self._apply_defaults()

    # -- attributes --------------------------------------------------------------------------------

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self._py_attr[name]
        except KeyError:
            raise AttributeError(f"{self._elem_name} has no attribute {name!r}") from None

    def __setattr__(self, name: str, value: Any) -> None:
        if name.startswith("_"):
            object.__setattr__(self, name, value)
        elif name == "children":
            self._children[:] = []
            self.add_children(value if isinstance(value, (list, tuple)) else [value])
        elif value is None:
            self._py_attr.pop(name, None)
        else:
            self._py_attr[name] = value
            self._apply_defaults()

    def __getitem__(self, name: str) -> Any:
        return self._py_attr[name]

    def __setitem__(self, name: str, value: Any) -> None:
        setattr(self, name, value)

    @property
    def server(self) -> Server | None:
        return self._server

    def set_server(self, server: Server) -> None:
        object.__setattr__(self, "_server", server)
        self._apply_defaults()

    # -- children ----------------------------------------------------------------------------------

    @property
    def children(self) -> list[Any]:
        return self._children

    def add_child(self, child: Any) -> AbstractElement:
        if isinstance(child, AbstractElement) and child.server is None and self._server is not None:
            child.set_server(self._server)
        self._children.append(child)
        return self

    def add_children(self, children: Iterable[Any]) -> AbstractElement:
        for child in children:
            self.add_child(child)
        return self

    def clear(self) -> AbstractElement:
        self._children.clear()
        return self

    def set_text(self, value: str) -> None:
        self.clear()
        self._children.append(value)

    def hide(self) -> AbstractElement:
        """Keep the element in the DOM but hidden."""
        self._extra_attributes["__style"] = 'style="display: none"'
        return self

    def ttsSensitive(self) -> AbstractElement:  # noqa: N802 (trame's name)
        """Re-create the element at every layout update (keyed by the layout's ``tts`` counter)."""
        self._extra_attributes["__tts"] = f':key="`w{id(self)}-${{tts}}`"'
        return self

    def __enter__(self) -> AbstractElement:
        push_open(self)
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        pop_open(self)

    # -- rendering ---------------------------------------------------------------------------------

    def _apply_defaults(self) -> None:
        """``(key, default)`` bindings give the key its default as soon as the element knows its server."""
        if self._server is None:
            return
        events = {py for py, _ in self._event_names}
        for name, value in self._py_attr.items():
            if name in events or name.startswith("v_on_"):
                continue
            if isinstance(value, (tuple, list)) and len(value) > 1 and isinstance(value[0], str):
                default = value[1]
                if hasattr(default, "set_defaults"):
                    default.set_defaults(self._server)
                else:
                    self._server.state.setdefault(value[0], default)

    def _ordered_names(self) -> Iterator[tuple[str, str, bool]]:
        """(python name, js name, is_event) for every attribute given, in rendering order."""
        given = self._py_attr
        seen: set[str] = set()
        for py, js in self._attr_names:
            if py in given and py not in seen:
                seen.add(py)
                yield py, js, False
        event_names = dict(self._event_names)
        directive_names = dict(DIRECTIVES)
        for py in given:  # attributes nobody declared: render them in the order given
            if py not in seen and py not in directive_names and py not in event_names and not _is_dynamic_directive(py):
                seen.add(py)
                yield py, py2js_key(py), False
        numeric = self._elem_name == "input" and given.get("type") in NUMERIC_INPUT_TYPES
        for py, js in DIRECTIVES:
            if py in given and py not in seen:
                seen.add(py)
                # A range or number input's value is text in the DOM: bound with v-model, the state would
                # get '17'. Keep numbers numbers (v-model.number), as trame users expect of a slider.
                yield py, ("v-model.number" if numeric and py == "v_model" else js), False
        for py in given:
            if py not in seen and _is_dynamic_directive(py):
                seen.add(py)
                yield py, _dynamic_directive_js(py), py.startswith("v_on_")
        for py, js in self._event_names:
            if py in given and py not in seen:
                seen.add(py)
                yield py, _event_js_name(py, js), True

    def _render_attribute(self, py: str, js: str, is_event: bool, value: Any) -> str | None:
        server = self._server
        state = server.state if server is not None else None

        def translate(expression: str) -> str:
            return state.translator.translate_js_expression(state, expression) if state is not None else expression

        if value is None:
            return None
        if is_event:
            return self._render_event(js, value, translate)
        if py == "ref" and isinstance(value, str):
            return f':ref="(el) => trame.refs[{_quote(_js_string(value))}] = el"'
        bound = js.startswith(("v-", ":", "@"))
        if isinstance(value, (tuple, list)):
            expression = translate(str(value[0])) if value else "undefined"
            name = js if bound else f":{js}"
            return f'{name}="{_quote(expression)}"'
        if isinstance(value, bool):
            if js.startswith("v-") and value is True:
                return js if js in ("v-else", "v-pre", "v-once", "v-cloak") else f'{js}="true"'
            return js if value else f':{js.lstrip(":")}="false"'
        if isinstance(value, (int, float)):
            return f'{js}="{value}"'
        if isinstance(value, str):
            if not bound:
                _warn_if_expression(self._elem_name, py, js, value)
            return f'{js}="{_quote(translate(value) if bound else value)}"'
        if isinstance(value, dict):
            name = js if bound else f":{js}"
            return f'{name}="{_quote(json.dumps(value))}"'
        raise TypeError(f"cannot render attribute {py}={value!r} on <{self._elem_name}>")

    def _render_event(self, js: str, value: Any, translate: Callable[[str], str]) -> str:
        server = self._server
        if isinstance(value, str):
            return f'{js}="{_quote(translate(value))}"'
        if callable(value):
            return f"""{js}="trigger('{_trigger_name(server, value)}')\""""
        if isinstance(value, tuple) and value:
            name = _trigger_name(server, value[0]) if callable(value[0]) else str(value[0])
            parts = [f"'{name}'"]
            if len(value) > 1:
                parts.append(translate(str(value[1])))
            if len(value) > 2:
                parts.append(str(value[2]))
            return f'{js}="{_quote("trigger(" + ", ".join(parts) + ")")}"'
        raise TypeError(f"cannot render event {js}={value!r} on <{self._elem_name}>")

    def _attributes_string(self) -> str:
        parts = []
        for py, js, is_event in self._ordered_names():
            rendered = self._render_attribute(py, js, is_event, self._py_attr[py])
            if rendered:
                parts.append(rendered)
        parts.extend(self._extra_attributes.values())
        return " ".join(parts)

    @property
    def html(self) -> str:
        """The Vue template string of this element and its children."""
        try:
            attributes = self._attributes_string()
            if not self._children:
                return f"<{self._elem_name} {attributes} />"
            state = self._server.state if self._server is not None else None
            lines = [f"<{self._elem_name} {attributes}>"]
            for child in self._children:
                if isinstance(child, str):
                    text = state.translator.translate_vue_templating(state, child) if state is not None else child
                    lines.append(text)
                else:
                    lines.append(child.html)
            lines.append(f"</{self._elem_name}>")
            return "\n".join(lines)
        except Exception:
            logger.exception("Rendering <%s> failed", self._elem_name)
            return f"<{self._elem_name} html-error />"

    def __repr__(self) -> str:
        return self.html


class TemplateWarning(UserWarning):
    """An element attribute that is probably not what its author meant."""


# A plain attribute value that reads as a JavaScript call (``utils.url(plot, 'image/png')``) or holds a
# {{ }} moustache (which Vue does not evaluate in attributes).
_LOOKS_LIKE_CALL = re.compile(r"\s*[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*\s*\(.*\)\s*", re.DOTALL)


def _warn_if_expression(tag: str, py: str, js: str, value: str) -> None:
    if _LOOKS_LIKE_CALL.fullmatch(value) or ("{{" in value and "}}" in value):
        warnings.warn(
            f'<{tag} {js}="{value}">: this value looks like a JavaScript expression but is a plain string, so '
            f'the page gets it as text. To bind it, write {py}=("{value}",) — a tuple: mind the comma.',
            TemplateWarning,
            stacklevel=2,
        )


def _js_string(value: str) -> str:
    """A single-quoted JavaScript string literal."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n") + "'"


def _trigger_name(server: Server | None, fn: Callable[..., Any]) -> str:
    if server is None:
        raise RuntimeError("an element with a Python callback needs a server (create it inside a layout)")
    return server.trigger_name(fn)


def _is_dynamic_directive(py: str) -> bool:
    return py.startswith(("v_model_", "v_bind_", "v_on_", "v_slot_")) and py not in dict(DIRECTIVES)


def _dynamic_directive_js(py: str) -> str:
    """``v_model_foo`` → ``v-model:foo``, ``v_bind_x`` → ``:x``, ``v_on_click_stop`` → ``@click.stop``."""
    if py.startswith("v_model_"):
        return f"v-model:{py[len('v_model_') :]}"
    if py.startswith("v_bind_"):
        return f":{py2js_key(py[len('v_bind_') :])}"
    if py.startswith("v_slot_"):
        return f"v-slot:{py2js_key(py[len('v_slot_') :])}"
    event, *modifiers = py[len("v_on_") :].split("_")
    return "@" + ".".join([event, *modifiers])


def _event_js_name(py: str, js: str) -> str:
    if js.startswith("@"):
        return js
    if py.startswith("update_"):  # Vue component v-model events: update_modelValue → @update:modelValue
        return f"@update:{py[len('update_') :]}"
    return f"@{js}"
