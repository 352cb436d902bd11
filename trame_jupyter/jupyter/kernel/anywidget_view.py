"""``server.widget``: a view as an ``anywidget`` widget, for every front end that renders ipywidgets
(JupyterLab, Notebook 7, Voilà, VS Code, Colab), with or without our JupyterLab extension.

The widget's front end (``static/anywidget/widget.js``, built from ``client/src/anywidget``) shows the
server's page in an iframe opened with ``?transport=comm``; the page's wslink connections travel in the
widget's own custom messages. Each connection (a *channel*) is a virtual comm: ``WidgetComm`` gives it the
face of a kernel comm, and ``comm_target.open_comm`` makes it one more trusted client of the server, as a
real comm of our target would be. On the wire each message is a comm message's data plus its channel:
``{type: "frame", channel}`` with the frame as its one buffer (never base64), ``{type: MESSAGE_COMM_OPEN,
channel}`` (opened; the kernel answers the same once the channel reaches the server) and ``{type:
MESSAGE_COMM_CLOSE, channel, code, reason}``.

Cleanup: ``widget.close()`` ends its connections; the server's stop closes them (the endpoint closes its
channels) and turns the widget into its last snapshot; the front end closes its channels when the view
goes away. A kernel restart takes the server and the widget's model with it.
"""

from __future__ import annotations

import logging
import re
import threading
import weakref
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import anywidget
import ipywidgets
import traitlets

from ...core import contract, wire
from ...server.connection import CLOSE_GOING_AWAY, CLOSE_TRY_AGAIN
from ...server.modules import CLIENT_DIR
from ...server.registry import registry
from . import comm_target, display, environment

if TYPE_CHECKING:
    from ...server.server import Server
    from ...server.view import View

logger = logging.getLogger(__name__)

ESM_FILE = CLIENT_DIR / "anywidget" / "widget.js"
#: Channels one widget may have open at once (each page opens one at a time; more is a misbehaving client).
MAX_CHANNELS = 32
#: Messages a channel keeps until the comm transport takes them (between open and attach, while its server
#: finishes starting); past this the channel is closed.
MAX_EARLY_MESSAGES = 64
# `<view prefix>:<page channel>` (client/src/anywidget/relay.js)
_CHANNEL = re.compile(r"[A-Za-z0-9]{1,32}:[0-9]{1,9}")

_MISSING_ESM = """
export default { render({ el }) {
  el.textContent = "trame-jupyter: the widget's front end is not built (run `npm run build:prod` and reinstall).";
} };
"""


def _esm_source() -> str:
    # Read once, as text: a path would make anywidget watch the file, and a missing build must not break import.
    try:
        return ESM_FILE.read_text(encoding="utf-8")
    except OSError:
        logger.warning("trame_jupyter: %s is missing: the widget front end is not built", ESM_FILE)
        return _MISSING_ESM


class TrameWidget(anywidget.AnyWidget):
    """A server's layout in an iframe whose page reaches the server through this widget's messages."""

    _esm = _esm_source()

    server_id = traitlets.Unicode("").tag(sync=True)
    #: The page through our server extension's proxy, relative to the Jupyter base URL.
    page_path = traitlets.Unicode("").tag(sync=True)
    #: The page at an address the kernel inferred (its own port, Colab's proxy): where no proxy answers.
    page_url = traitlets.Unicode("").tag(sync=True)
    frame_height = traitlets.Unicode("").tag(sync=True)
    frame_width = traitlets.Unicode("").tag(sync=True)
    #: The server stopped: the front end shows ``snapshot`` (sanitized HTML) instead of the page.
    stopped = traitlets.Bool(False).tag(sync=True)
    snapshot = traitlets.Unicode("").tag(sync=True)

    def __init__(self, view: View, server_id: str, **kwargs: Any) -> None:
        self._channels: dict[str, WidgetComm] = {}
        self._lock = threading.Lock()
        self.view = view
        super().__init__(server_id=server_id, **kwargs)
        self.on_msg(_on_front_end_message)

    # -- from the front end (any thread: ipykernel 7 may run comm handlers on subshell threads) -----------

    def _handle_front_end(self, content: Any, buffers: list[Any]) -> None:
        channel = content.get("channel") if isinstance(content, dict) else None
        if not isinstance(channel, str) or not _CHANNEL.fullmatch(channel):
            logger.debug("trame_jupyter widget %s: ignoring a message without a valid channel", self.model_id)
            return
        kind = content.get("type")
        if kind == contract.MESSAGE_COMM_OPEN:
            self._open(channel)
            return
        with self._lock:
            comm = self._channels.get(channel)
            if kind == contract.MESSAGE_COMM_CLOSE and comm is not None:
                del self._channels[channel]
        if comm is None:
            if kind != contract.MESSAGE_COMM_CLOSE:  # a late message of a closed channel: say it is closed
                self._send_close(channel, wire.CLOSE_INVALID_PAYLOAD, "no such channel open on this widget")
        elif kind == contract.MESSAGE_COMM_CLOSE:
            comm.ended_by_front_end()
        else:  # a comm message: the comm transport checks it (a bad one closes that channel, with the reason)
            data = {key: value for key, value in content.items() if key != "channel"}
            comm.deliver({"content": {"data": data}, "buffers": list(buffers or [])})

    def _open(self, channel: str) -> None:
        comm = WidgetComm(self, channel)
        with self._lock:
            previous = self._channels.pop(channel, None)
            full = len(self._channels) >= MAX_CHANNELS
            if not full:
                self._channels[channel] = comm
        if previous is not None:  # a repeated open replaces the channel
            previous.ended_by_front_end()
        if full:
            self._send_close(channel, CLOSE_TRY_AGAIN, f"more than {MAX_CHANNELS} connections open on this widget")
            return
        host = registry.host
        if host is None or not hasattr(host, "server_by_id"):
            comm.close({"code": contract.COMM_CLOSE_NOT_FOUND, "reason": "no Jupyter kernel hosts this server"})
            return
        # Trusted as a comm of our target is: only this kernel's front end can send widget messages.
        # The widget's front end comes from this package (its `_esm`): it always takes batches of frames.
        opened: contract.CommOpenData = {"server_id": self.server_id, "batches": True}
        comm_target.open_comm(host, comm, {"content": {"data": opened}})
        if not comm.closed:
            said_open: contract.WidgetChannelOpen = {"type": "trame-jupyter:comm-open", "channel": channel}
            self.send(said_open)

    # -- to the front end --------------------------------------------------------------------------------

    def _send_close(self, channel: str, code: int, reason: str) -> None:
        try:
            closed: contract.WidgetChannelClose = {
                "type": "trame-jupyter:comm-close",
                "channel": channel,
                "code": code,
                "reason": reason,
            }
            self.send(closed)
        except Exception:  # the widget or the kernel is closing: nobody is left to tell
            logger.debug("could not tell the front end channel %s closed", channel, exc_info=True)

    def _forget(self, comm: WidgetComm) -> None:
        with self._lock:
            if self._channels.get(comm.channel) is comm:
                del self._channels[comm.channel]

    @property
    def channel_count(self) -> int:
        """How many of the page's connections this widget carries now."""
        with self._lock:
            return len(self._channels)

    def finish(self, snapshot_html: str) -> None:
        """The server stopped for good: show its last picture instead of the page."""
        self.snapshot = snapshot_html
        self.stopped = True

    def close(self) -> None:
        """Close the widget: its connections end (their clients leave the server), then its model."""
        with self._lock:
            comms, self._channels = list(self._channels.values()), {}
        for comm in comms:
            comm.ended_by_front_end()
            self._send_close(comm.channel, CLOSE_GOING_AWAY, "the widget was closed")
        super().close()


def _on_front_end_message(widget: TrameWidget, content: Any, buffers: list[Any]) -> None:
    widget._handle_front_end(content, buffers)


class WidgetComm:
    """One channel of a ``TrameWidget`` with the face of a kernel comm (``transports.comm.Comm``)."""

    carrier = "the widget's messages (server.widget)"

    def __init__(self, widget: TrameWidget, channel: str) -> None:
        self.widget = widget
        self.channel = channel
        self.comm_id = f"{widget.model_id}/{channel}"
        self.closed = False  # by either side
        self._lock = threading.Lock()
        self._on_msg: Any = None
        self._on_close: Any = None
        self._early: list[dict[str, Any]] = []  # messages that came before the transport attached
        self._ended = False  # the front end closed it before the transport attached

    # -- Comm ------------------------------------------------------------------------------------------

    def send(self, data: Any = None, metadata: Any = None, buffers: list[Any] | None = None) -> None:
        if self.closed:
            return  # as a closed kernel comm does: the message goes nowhere
        self.widget.send({**(data or {}), "channel": self.channel}, buffers=list(buffers or []) or None)

    def close(self, data: Any = None, metadata: Any = None, buffers: list[Any] | None = None) -> None:
        """Closed from the kernel side (the server, or a refused message): tell the front end why."""
        if self.closed:
            return
        self.closed = True
        self.widget._forget(self)
        data = data if isinstance(data, dict) else {}
        code = data.get("code") if isinstance(data.get("code"), int) else CLOSE_GOING_AWAY
        self.widget._send_close(self.channel, code, str(data.get("reason", "closed by the kernel")))

    def on_msg(self, callback: Any) -> None:
        with self._lock:
            self._on_msg = callback
            early, self._early = self._early, []
        for msg in early:
            callback(msg)

    def on_close(self, callback: Any) -> None:
        with self._lock:
            self._on_close = callback
            ended = self._ended
        if ended:
            callback({})

    # -- from the widget -------------------------------------------------------------------------------

    def deliver(self, msg: dict[str, Any]) -> None:
        with self._lock:
            callback = self._on_msg
            if callback is None:
                overflow = len(self._early) >= MAX_EARLY_MESSAGES
                if not overflow:
                    self._early.append(msg)
        if callback is not None:
            callback(msg)
        elif overflow:
            self._early.clear()
            self.close({"code": CLOSE_TRY_AGAIN, "reason": "too many messages before the server was ready"})

    def ended_by_front_end(self) -> None:
        """The front end closed this channel (or the widget closed): the server loses that client."""
        self.closed = True
        with self._lock:
            callback = self._on_close
            self._ended = callback is None
        if callback is not None:
            callback({})


class WidgetViews:
    """Runtime listener of a root server: its widgets, turned into their last picture when it stops (a re-run
    that replaced it hands them to the new server instead)."""

    def __init__(self) -> None:
        self.widgets: weakref.WeakSet[TrameWidget] = weakref.WeakSet()

    @classmethod
    def of(cls, server: Server) -> WidgetViews:
        return server.ensure_runtime_listener(cls)

    def stopping(self, server: Server) -> None:
        self._finish(server)

    def stopped(self, server: Server) -> None:
        self._finish(server)

    def _finish(self, server: Server) -> None:
        widgets, self.widgets = list(self.widgets), weakref.WeakSet()
        successor = registry.successor(server)
        if successor is not None:  # the cell ran again: the page reconnects to the new server
            WidgetViews.of(successor).widgets.update(widgets)
            return
        for widget in widgets:
            try:
                widget.finish(display.static_html(display.snapshot(widget.view), stopped=True))
            except Exception as error:  # a closed widget, a kernel shutting down
                logger.debug("Could not finish widget %r: %s", widget, error)


def page_url(server: Server, server_id: str, ui: str) -> str:
    """The page with ``?transport=comm`` at the address the kernel infers for front ends that have no proxy
    of ours (no secret in it: over the comm none is needed, and widget state may be saved in the notebook)."""
    query = urlencode({"ui": ui, "server_id": server_id, contract.TRANSPORT_PARAM: "comm"})
    env = environment.detect()
    if env.colab:
        found = display.fallback_transport(server, server_id, ui, env)
        if found.kind == "colab":
            return f"{found.url.split('?', 1)[0]}?{query}"
    return f"http://localhost:{server.port}/index.html?{query}"


def view_widget(view: View, server_id: str) -> TrameWidget:
    """A new widget showing ``view`` (its server started if it was not)."""
    display.ensure_running(view)
    widget = TrameWidget(
        view,
        server_id,
        page_path=display.proxy_path(server_id, view.ui, "comm"),
        page_url=page_url(view.server, server_id, view.ui),
        frame_height=view.height or "",
        frame_width=view.width or "",
        layout=ipywidgets.Layout(width=view.width or "100%"),
    )
    WidgetViews.of(view.server).widgets.add(widget)
    return widget
