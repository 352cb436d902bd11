"""``View``: what to show of a server — one of its layouts, at a size. Front-end adapters render it.

``server.view("side", height=300)`` and ``layout.view()`` return one; in a Jupyter kernel it displays
as a live frame (``trame_jupyter.jupyter.kernel``), and ``view.widget`` is the same as an ipywidgets widget.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..core.contract import TRANSPORTS
from .registry import registry

if TYPE_CHECKING:
    from .server import Server

_CSS_LENGTH = re.compile(
    r"(?:\d+(?:\.\d+)?|\.\d+)(?:px|%|em|rem|ex|ch|lh|vh|vw|vmin|vmax|dvh|svh|lvh|cm|mm|in|pt|pc)", re.IGNORECASE
)


def css_length(value: int | float | str | None, what: str = "size") -> str | None:
    """A validated CSS length: a number means pixels; strings must be a plain length (``"400px"``,
    ``"50%"``, ``"30em"`` …). Anything else raises ``ValueError`` (it ends up in HTML and CSS)."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"{what} must be a number of pixels or a CSS length such as '400px' or '50%', not {value!r}")
    if isinstance(value, (int, float)):
        if not value > 0 or value != value or value == float("inf"):
            raise ValueError(f"{what} must be a positive number of pixels, not {value!r}")
        return f"{value:g}px"
    if isinstance(value, str) and _CSS_LENGTH.fullmatch(value.strip()):
        return value.strip()
    raise ValueError(
        f"{what} must be a number of pixels or a CSS length such as '400px', '50%' or '30em', not {value!r}"
    )


@dataclass(frozen=True, eq=False)
class View:
    """Layout ``ui`` of a (root) server, with an optional fixed height and width (CSS lengths), and the
    transport its page uses (one of ``contract.TRANSPORTS``; None: the front end's default, the proxy)."""

    server: Server
    ui: str = "main"
    height: str | None = None
    width: str | None = None
    transport: str | None = None

    @classmethod
    def of(
        cls,
        server: Server,
        ui: str = "main",
        height: int | float | str | None = None,
        width: Any = None,
        transport: str | None = None,
    ) -> View:
        if not isinstance(ui, str) or not ui:
            raise ValueError(f"ui must be the name of a layout, not {ui!r}")
        if transport is not None and transport not in TRANSPORTS:
            raise ValueError(f"transport must be one of {', '.join(map(repr, TRANSPORTS))} or None, not {transport!r}")
        return cls(server.root_server, ui, css_length(height, "height"), css_length(width, "width"), transport)

    @property
    def widget(self) -> Any:
        """This view as an ipywidgets widget (for ``VBox``, ``HBox``, ``Tab`` …); needs a Jupyter kernel."""
        return registry.widget(self)

    def __repr__(self) -> str:
        return f"<trame_jupyter view of {self.server.name!r}, layout {self.ui!r}>"
