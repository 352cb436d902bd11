"""``Displayable``: what makes a server or a layout show itself in a notebook, through ``view()``."""

from __future__ import annotations

from typing import Any


class Displayable:
    """Mixin for objects with a ``view()``: ``display(obj)``, a cell's last expression, ``obj.widget``."""

    def view(self) -> Any:  # pragma: no cover - defined by the classes using the mixin
        raise NotImplementedError

    def _ipython_display_(self) -> None:
        self.view()._ipython_display_()

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return self.view().bundle()

    @property
    def widget(self) -> Any:
        """This view as an ipywidgets widget (for ``VBox``, ``HBox``, ``Tab`` …)."""
        return self.view().widget
