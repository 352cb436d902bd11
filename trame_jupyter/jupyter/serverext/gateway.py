"""Binary kernel messages through a kernel gateway (``--gateway-url``), both ways.

jupyter_server's gateway connection (``GatewayWebSocketConnection``, 2.x) relays a kernel's messages
between the browser and the gateway, but not those with buffers (binary websocket frames): from the
gateway it decodes them as UTF-8, which fails and ends the kernel's connection for good; to the gateway
it writes them as text frames, which the gateway refuses. Comm buffers are how our comm transport (and
ipywidgets) carry bytes, so behind a gateway every view would die with its kernel connection. The
connection class is wrapped, not replaced, and only when it is the gateway's: binary frames pass through
as binary frames, everything else is left to the base class.

Private API: this overrides ``_connection_done`` and ``_write_message`` and wraps the gateway websocket's
``read_message`` (jupyter_server 2.x, ``jupyter_server/gateway/connections.py``); ``tests/labextension/test_gateway.py``
fails if they change. Upstream: the classic notebook fixed the same bug in its gateway handlers
(https://github.com/jupyter/notebook/pull/4576, from https://github.com/jupyter/nb2kg/pull/33);
jupyter_server's rewrite of them never got the fix (related: https://github.com/jupyter-server/jupyter_server/issues/406).
No jupyter_server issue names it yet: ``docs/upstream.md`` holds the report to file. Remove this module once
jupyter_server relays binary frames through a gateway itself.
"""

from __future__ import annotations

import logging
from typing import Any

from jupyter_server.gateway.connections import GatewayWebSocketConnection
from tornado.websocket import WebSocketClosedError

logger = logging.getLogger(__name__)


class _BinaryMessage(str):
    """A binary frame read from the gateway, kept as bytes: a ``str`` so the base's reader, which decodes
    every ``bytes`` message, passes it on untouched to ``handle_outgoing_message``."""

    raw: bytes

    def __new__(cls, raw: bytes) -> _BinaryMessage:
        message = super().__new__(cls, "")
        message.raw = raw
        return message


def _keeping_binary(read_message: Any) -> Any:
    async def read() -> Any:
        message = await read_message()
        return _BinaryMessage(message) if isinstance(message, bytes) else message

    return read


def with_binary_gateway(base: type) -> type:
    """``base`` if it is not a gateway connection class, else a subclass relaying binary frames as such."""
    if not issubclass(base, GatewayWebSocketConnection) or getattr(base, "_trame_jupyter_binary", False):
        return base

    class BinaryGatewayConnection(base):  # type: ignore[misc, valid-type]
        _trame_jupyter_binary = True

        def _connection_done(self, fut: Any) -> None:
            super()._connection_done(fut)
            if self.ws is not None:
                self.ws.read_message = _keeping_binary(self.ws.read_message)

        def handle_outgoing_message(self, incoming_msg: str, *args: Any) -> None:
            if not isinstance(incoming_msg, _BinaryMessage):
                super().handle_outgoing_message(incoming_msg, *args)
                return
            try:
                self.websocket_handler.write_message(incoming_msg.raw, binary=True)
            except WebSocketClosedError:
                logger.debug("a binary kernel message for a closed browser websocket was dropped")

        def _write_message(self, message: Any) -> None:
            if not isinstance(message, bytes):
                super()._write_message(message)
                return
            try:
                if not self.disconnected and self.ws is not None:
                    self.ws.write_message(message, binary=True)
            except Exception as error:  # as the base class: the reader notices a lost gateway and reconnects
                logger.error("Exception writing a binary message to the gateway: %s", error)

    BinaryGatewayConnection.__name__ = BinaryGatewayConnection.__qualname__ = f"Binary{base.__name__}"
    BinaryGatewayConnection.__module__ = __name__
    return BinaryGatewayConnection
