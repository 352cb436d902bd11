"""``TCP_NODELAY`` on Jupyter's kernel websockets (``/api/kernels/<id>/channels``).

Tornado leaves Nagle's algorithm on for websockets, and jupyter_server never turns it off. A kernel
answers a message with several small frames in a row (``status: busy``, the reply, ``status: idle``):
the first leaves at once, the next waits for its ACK, which the browser delays by up to 40 ms. Every
comm round trip through Jupyter (ipywidgets, our comm transport) then takes ~45 ms instead of ~2 ms
(``bench/kernel_latency_bench.py`` measures it). The configured connection class is wrapped, not
replaced, so a gateway's connection class (``--gateway-url``) or a user's own keeps working.

Private API: it reads the handler's ``ws_connection`` (tornado's, set once the upgrade succeeded) before
``connect`` (jupyter_server 2.x, ``jupyter_server/services/kernels/connection/channels.py``); the
benchmark and the comm tests notice if it stops applying. Upstream: no issue names it yet (tornado leaves
Nagle on by design, https://www.tornadoweb.org/en/stable/websocket.html#tornado.websocket.WebSocketHandler.set_nodelay,
and jupyter_server's kernel websocket handler never calls ``set_nodelay``): ``docs/upstream.md`` holds the
report to file. Remove this module once jupyter_server sets it itself.
"""

from __future__ import annotations

from typing import Any

from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection


def with_nodelay(base: type) -> type:
    """A subclass of the kernel websocket connection class ``base`` that turns Nagle's algorithm off."""
    if getattr(base, "_trame_jupyter_nodelay", False):
        return base

    class NoDelayKernelConnection(base):  # type: ignore[misc, valid-type]
        _trame_jupyter_nodelay = True

        def connect(self, *args: Any, **kwargs: Any) -> Any:
            handler = getattr(self, "websocket_handler", None)
            if handler is not None and getattr(handler, "ws_connection", None) is not None:
                handler.set_nodelay(True)  # stays on: the upgraded stream no longer serves HTTP requests
            return super().connect(*args, **kwargs)  # the base's own result (a future, coroutine or None)

    NoDelayKernelConnection.__name__ = NoDelayKernelConnection.__qualname__ = f"NoDelay{base.__name__}"
    NoDelayKernelConnection.__module__ = __name__
    return NoDelayKernelConnection


# For servers our extension is not loaded in, e.g. a Jupyter Kernel Gateway (``--gateway-url``), whose own
# kernel websockets hold replies the same way: ``--KernelGatewayApp.kernel_websocket_connection_class=
# trame_jupyter.jupyter.serverext.nodelay.NoDelayZMQChannelsWebsocketConnection``.
NoDelayZMQChannelsWebsocketConnection = with_nodelay(ZMQChannelsWebsocketConnection)
