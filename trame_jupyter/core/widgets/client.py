"""Built-in components of the browser client, for extending a page from Python.

- ``Style(css)``: global CSS rules, updatable with ``.update(css)``.
- ``Script(js)``: JavaScript run in the page when it mounts (and again when updated).
- ``ServerTemplate(name=...)``: renders another layout's template in place.
- ``Getter(name=...)``: exposes a state value (picked by an expression) to its slot.
- ``ClientTriggers``, ``ClientStateChange``, ``SizeObserver``: client lifecycle, watching and sizing.
"""

from __future__ import annotations

from typing import Any

from .element import AbstractElement


def _free_key(element: AbstractElement, stem: str) -> str:
    """A reserved (never prefixed) state key not used yet on this element's server."""
    state = element.server.state if element.server is not None else None
    if state is None:
        raise RuntimeError(f"{type(element).__name__} needs a server: create it inside a layout")
    index = 1
    while state.has(f"trame__{stem}_{index}"):
        index += 1
    return f"trame__{stem}_{index}"


class Style(AbstractElement):
    """Global CSS rules; ``update()`` replaces them live."""

    def __init__(self, css_content: str | None = None, **kwargs: Any) -> None:
        super().__init__("trame-style", **kwargs)
        self._key = _free_key(self, "style")
        self.server.state[self._key] = css_content or ""
        self._extra_attributes["css"] = f':css="{self._key}"'

    @property
    def var_name(self) -> str:
        """The state key holding the CSS."""
        return self._key

    def update(self, css_content: str) -> None:
        self.server.state[self._key] = css_content


class Script(AbstractElement):
    """JavaScript run in the page when this element mounts, and again whenever it is updated.

    The code runs as the body of a function with ``trame`` (the client API) in scope.
    """

    def __init__(self, script_content: str | None = None, **kwargs: Any) -> None:
        super().__init__("trame-script", **kwargs)
        self._key = _free_key(self, "script")
        self.server.state[self._key] = script_content or ""
        self._extra_attributes["script"] = f':script="{self._key}"'

    @property
    def var_name(self) -> str:
        return self._key

    def update(self, script_content: str) -> None:
        self.server.state[self._key] = script_content


class ServerTemplate(AbstractElement):
    """Render the template of another layout (``name``) here."""

    def __init__(self, children: Any = None, **kwargs: Any) -> None:
        super().__init__(
            "trame-template",
            children,
            __properties=[("name", "templateName"), ("use_url", "useUrl"), ("url_key", "urlKey")],
            **kwargs,
        )


class Getter(AbstractElement):
    """Expose ``state[name]`` (``name`` may be an expression) to the slot as ``value``.

    ``update_name`` / ``update_nested_name`` name slot functions that write the value back.
    """

    def __init__(
        self,
        children: Any = None,
        value_name: str | None = None,
        key_name: str | None = None,
        update_nested_name: str | None = None,
        update_name: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__("trame-getter", children, __properties=["name"], **kwargs)
        extracts = []
        if key_name:
            extracts.append(f"keyName: {key_name}")
        if update_nested_name:
            extracts.append(f"updateNested: {update_nested_name}")
        if update_name:
            extracts.append(f"update: {update_name}")
        extracts.append(f"value: {value_name}" if value_name else "value")
        self._extra_attributes["slot"] = f'v-slot="{{ {", ".join(extracts)} }}"'


class ClientTriggers(AbstractElement):
    """Run callbacks on client lifecycle events (``mounted=fn`` …) and on ``call(name)`` from Python."""

    def __init__(self, ref: str = "trame_triggers", children: Any = None, **kwargs: Any) -> None:
        events = [("before_unmount", "beforeUnmount"), *(k for k in kwargs if k != "before_unmount")]
        super().__init__("trame-client-triggers", children, ref=ref, __events=events, **kwargs)
        self._ref_name = ref

    def call(self, method: str, *args: Any) -> None:
        """Fire the event registered as ``method`` in every browser."""
        self.server.js_call(self._ref_name, "emit", method, *args)


class ClientStateChange(AbstractElement):
    """Fire ``change`` in the browser when ``value`` (a state key) changes there."""

    def __init__(self, children: Any = None, **kwargs: Any) -> None:
        super().__init__(
            "trame-client-state-change",
            children,
            __properties=[("value", ":value"), "immediate", ("trigger_on_create", "triggerChangeOnCreate")],
            __events=["change"],
            **kwargs,
        )


class SizeObserver(AbstractElement):
    """Keep state key ``name`` equal to ``{size: {width, height}, pixelRatio}`` of the available space."""

    def __init__(self, _name: str, **kwargs: Any) -> None:
        super().__init__("trame-size-observer", name=_name, __properties=["name"], **kwargs)
        self.server.state[_name] = None


__all__ = ["ClientStateChange", "ClientTriggers", "Getter", "Script", "ServerTemplate", "SizeObserver", "Style"]
