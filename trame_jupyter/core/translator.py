"""Key namespacing: how a (child) server's local names map to the full names of the shared state.

A child server created with ``prefix="c_"`` sees its key ``count`` while the state, the controller and
the browser see ``c_count``. Reserved names (``trame__*`` keys and the framework's lifecycle hooks) are
never prefixed, so every server of a tree shares them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

RESERVED_PREFIX = "trame__"
RESERVED_NAMES = frozenset(
    {
        "on_server_start",
        "on_server_bind",
        "on_server_ready",
        "on_client_connected",
        "on_client_exited",
        "on_server_exited",
        "on_server_reload",
    }
)

# JavaScript punctuation that separates identifiers; kept in the output (capturing group).
_JS_DELIMITERS = re.compile(r"""(['"`:;(){}\s.,!\[\]+*/\-|&?=<>%^~])""")
_MOUSTACHE = re.compile(r"({{.*?}})", re.DOTALL)


class _KeyLookup(Protocol):
    def has(self, key: str) -> bool: ...


def is_reserved(key: str) -> bool:
    """Names shared by a whole server tree, never prefixed."""
    return key.startswith(RESERVED_PREFIX) or key in RESERVED_NAMES


class Translator:
    """Maps local key names to full (translated) names and back."""

    def __init__(self, prefix: str | None = None) -> None:
        self._prefix = prefix or None
        self._to_full: dict[str, str] = {}
        self._to_local: dict[str, str] = {}

    def __repr__(self) -> str:
        return f"Translator(prefix={self._prefix!r}, translations={self._to_full!r})"

    @property
    def prefix(self) -> str | None:
        return self._prefix

    def set_prefix(self, prefix: str | None) -> None:
        """Change the prefix (names already written under the old one keep their full names)."""
        self._prefix = prefix or None

    def __call__(self, key: str) -> str:
        """A translator is a function from local to full names, as in trame."""
        return self.translate_key(key)

    @property
    def is_identity(self) -> bool:
        """True when every name maps to itself (the root server's translator)."""
        return self._prefix is None and not self._to_full

    def add_translation(self, key: str, translated_key: str) -> None:
        """Map ``key`` to an explicit full name instead of the prefixed one."""
        self._to_full[key] = translated_key
        self._to_local[translated_key] = key

    def translate_key(self, key: str) -> str:
        if is_reserved(key):
            return key
        if key in self._to_full:
            return self._to_full[key]
        if self._prefix:
            return f"{self._prefix}{key}"
        return key

    def reverse_translate_key(self, key: str) -> str:
        if key in self._to_local:
            return self._to_local[key]
        if self._prefix and not is_reserved(key):
            return key.removeprefix(self._prefix)
        return key

    def translate_list(self, keys: Iterable[str]) -> list[str]:
        return [self.translate_key(k) for k in keys]

    def translate_dict(self, values: Mapping[str, Any]) -> dict[str, Any]:
        return {self.translate_key(k): v for k, v in values.items()}

    def reverse_translate_list(self, keys: Iterable[str]) -> list[str]:
        return [self.reverse_translate_key(k) for k in keys]

    def reverse_translate_dict(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """Local view of full-name values; names that belong to another namespace are dropped."""
        if self.is_identity:
            return dict(values)
        local: dict[str, Any] = {}
        for full_key, value in values.items():
            local_key = self.reverse_translate_key(full_key)
            if self.translate_key(local_key) == full_key:
                local[local_key] = value
        return local

    def translate_js_expression(self, state: _KeyLookup, expression: str) -> str:
        """Prefix the identifiers of a JS expression that are existing state keys.

        ``state`` is the view that uses this translator: ``state.has(local_name)`` answers for the full name.
        """
        if self.is_identity:
            return expression
        tokens = _JS_DELIMITERS.split(expression)
        return "".join(self.translate_key(t) if t and state.has(t) else t for t in tokens)

    def translate_vue_templating(self, state: _KeyLookup, text: str) -> str:
        """Translate only inside ``{{ … }}`` moustaches of a template text."""
        if self.is_identity:
            return text
        parts = _MOUSTACHE.split(text)
        return "".join(
            "{{" + self.translate_js_expression(state, part[2:-2]) + "}}" if part.startswith("{{") else part
            for part in parts
        )
