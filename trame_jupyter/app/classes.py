"""``TrameApp`` and ``TrameComponent``: trame's base classes, on a trame_jupyter server.

``TrameComponent`` is trame-common's own (the same that every trame widget derives from): it binds the
methods decorated with ``trame_jupyter.decorators`` (``@change``, ``@trigger``, ``@controller.*``,
``@life_cycle.*``) to its server. ``TrameApp`` adds what trame's adds: a server from ``get_server``, and a
notebook display of its ``ui`` layout (a view, live, with no ``await``).
"""

from __future__ import annotations

from typing import Any

from ..server.server import Server, get_server
from ..server.view import View
from ._requirements import require

TrameComponent = require("trame_common.obj.component", "TrameComponent").TrameComponent


class TrameApp(TrameComponent):  # type: ignore[misc, valid-type]
    """Base class of a trame application: ``self.server`` (by name, or a ``Server``), and ``self.ui``.

    In a notebook, ``display(app)`` (or ``app`` as a cell's last expression) shows ``app.ui`` live;
    ``await app.display_cell(height=..., width=...)`` does the same with a size, as in trame.
    """

    def __init__(
        self, server: str | Server | None = None, client_type: str = "vue3", ctx_name: str | None = None, **_: Any
    ) -> None:
        super().__init__(get_server(server, client_type=client_type), ctx_name=ctx_name)

    def view(self, height: int | str | None = None, width: int | str | None = None) -> View:
        """A view of ``self.ui`` (a layout of this app's server), for ``display``."""
        ui = getattr(self, "ui", None)
        template = getattr(ui, "template_name", None)
        if not isinstance(template, str):
            raise TypeError(
                f"{type(self).__name__}.ui must be a layout of its server (a DivLayout, SinglePageLayout …) "
                "to be displayed"
            )
        return self.server.view(template, height, width)

    async def display_cell(self, *, height: int | str | None = None, width: int | str | None = None) -> None:
        """Show ``self.ui`` in the current cell (trame's API; here no waiting is needed)."""
        from IPython.display import display

        display(self.view(height, width))
