"""The displays a server has in the notebook, so they can be updated when the server stops.

At stop, each display's ``text/html`` becomes the final static snapshot (what a saved notebook then
shows), unless the server was replaced by a re-run of its cell: its views then follow the new server.
Displays are not refreshed while the server runs: in front ends where ``text/html`` is the live view
(VS Code, Colab), replacing it would reload the app.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..server import Server
    from .display import View

logger = logging.getLogger(__name__)


class DisplayTracker:
    """Runtime listener of a root server that remembers its notebook displays."""

    def __init__(self) -> None:
        self.displays: dict[str, tuple[View, str]] = {}
        self.replaced = False

    @classmethod
    def of(cls, server: Server) -> DisplayTracker:
        tracker = server.runtime_listener(cls)
        if tracker is None:
            tracker = cls()
            server.add_runtime_listener(tracker)
        return tracker

    def add(self, display_id: str, view: View, server_id: str) -> None:
        self.displays[display_id] = (view, server_id)

    def started(self, server: Server) -> None:
        self.replaced = False

    def stopping(self, server: Server) -> None:
        """``stop()`` was called: update the displays now, from the calling cell."""
        self._finalize()

    def stopped(self, server: Server) -> None:
        """Stopped otherwise (idle timeout, error): update what was not updated yet."""
        self._finalize()

    def _finalize(self) -> None:
        displays, self.displays = self.displays, {}
        if self.replaced or not displays:
            return  # a re-run replaced this server: its views follow the new one
        from IPython.display import update_display

        for display_id, (view, server_id) in displays.items():
            try:
                update_display(view.final_bundle(server_id), display_id=display_id, raw=True)
            except Exception as error:  # the notebook may be gone; the server stops anyway
                logger.debug("Could not update display %s: %s", display_id, error)
