"""The notebook outputs of a server, kept so they can be finalized when it stops.

At stop, each output's ``text/html`` becomes the final static snapshot (what a saved notebook then
shows), unless a re-run of the cell replaced the server: its outputs then follow the new server. Outputs
are not refreshed while the server runs: in front ends where ``text/html`` is the live view (VS Code,
Colab), replacing it would reload the app.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from ...server.registry import registry
from . import display

if TYPE_CHECKING:
    from ...server.server import Server
    from ...server.view import View

logger = logging.getLogger(__name__)


class Outputs:
    """Runtime listener of a root server that remembers its notebook outputs (display ids)."""

    def __init__(self) -> None:
        self.displays: dict[str, tuple[View, str]] = {}

    @classmethod
    def of(cls, server: Server) -> Outputs:
        return server.ensure_runtime_listener(cls)

    def add(self, display_id: str, view: View, server_id: str) -> None:
        self.displays[display_id] = (view, server_id)

    def stopping(self, server: Server) -> None:
        """``stop()`` was called: update the outputs now, from the calling cell."""
        self._finalize(server)

    def stopped(self, server: Server) -> None:
        """Stopped otherwise (idle timeout, error): update what was not updated yet."""
        self._finalize(server)

    def _finalize(self, server: Server) -> None:
        displays, self.displays = self.displays, {}
        if registry.successor(server) is not None:
            return  # a re-run replaced this server: its views follow the new one
        if displays:
            from IPython.display import update_display

            for display_id, (view, server_id) in displays.items():
                try:
                    update_display(display.final_bundle(view, server_id), display_id=display_id, raw=True)
                except Exception as error:  # the notebook may be gone; the server stops anyway
                    logger.debug("Could not update display %s: %s", display_id, error)
