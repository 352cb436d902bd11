"""How wslink frames reach a server: a ``Channel`` per client, whatever carries it.

The endpoint (``endpoint.py``) serves channels; it never sees a websocket or a Jupyter comm. A
transport turns its own connections into channels and hands each to ``WslinkEndpoint.serve``.
"""

from __future__ import annotations

from typing import Any, Protocol


class Channel(Protocol):
    """One client's two-way stream of binary wslink frames."""

    #: Who is at the other end, for log lines (an address, a comm id).
    peer: str
    #: What the transport knows of the connection (e.g. the HTTP request), given to wslink's
    #: ``onConnect`` hooks of protocols.
    context: Any

    async def receive(self) -> bytes | None:
        """The next frame, or None once the peer closed. Raises ``wire.FrameError`` for a frame that
        cannot be a wslink frame (a text frame, say), with the close code to answer it with."""
        ...

    async def send(self, frame: bytes) -> None:
        """Write one frame; raises ``ConnectionError`` when the peer is gone."""
        ...

    async def close(self, code: int, reason: str) -> None:
        """Close with a websocket-style close code and a short reason."""
        ...

    def abort(self) -> None:
        """Drop the connection now, without a closing handshake (for a peer that reads nothing)."""
        ...
