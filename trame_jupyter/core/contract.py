"""The contract between the Python package and its front ends, in one place, versioned.

Its TypeScript twin is ``common/src/contract.ts`` (the package ``@trame-jupyter/common`` that the
JupyterLab extension and the browser client import); ``common/__tests__/contract.test.ts`` fails when
the two disagree: it compares every UPPER_CASE constant exported there with every one defined here
(``as_dict()`` reads them off this module), so a constant added on one side only fails too. Change both
together, and bump ``PROTOCOL_VERSION`` when a change is not backward compatible.

Every message that crosses a boundary has a typed shape: the ``TypedDict`` classes below for those the
kernel builds or reads (bundle, comm open/close data, comm messages, file fetches, ``server.widget``'s
channel messages), and TypeScript interfaces of the same names (``I`` + name) on the other side, which
also types the page ↔ embedding window messages the kernel never sees.

What it holds: the MIME bundle a kernel emits for a view, the proxy's routes, the server-id pattern,
the kernel comm that carries frames where no route reaches the server, the messages a page posts to the
window embedding it, the frame height bounds, and the names of the trame wire protocol (RPCs, topics,
reserved state keys) that the browser client speaks.
"""

from __future__ import annotations

from typing import Any, Final, Literal, TypedDict

#: Version of this contract (the ``protocol`` field of every bundle).
PROTOCOL_VERSION: Final = 1

# -- the MIME bundle ---------------------------------------------------------------------------------

MIME_TYPE: Final = "application/vnd.trame-jupyter.v1+json"


class Bundle(TypedDict):
    """``application/vnd.trame-jupyter.v1+json``: one view of a kernel's server."""

    protocol: int  # PROTOCOL_VERSION of the kernel that made it
    server_id: str  # proxy id of the server (SERVER_ID_PATTERN)
    name: str  # the server's name (``get_server(name)``)
    path: str  # the page, relative to the Jupyter base URL: f"{ROUTE}/{server_id}/index.html?…"
    ui: str  # the layout shown
    height: str | None  # a fixed CSS height, or None: follow the content's height
    width: str | None  # a fixed CSS width, or None: the output's width
    kernel_id: str | None  # the kernel running the server, when the kernel knows it
    kernel_pid: int | None  # that kernel's process id when the bundle was made (tells a restart from a stop)
    version: str  # trame_jupyter.__version__ of the kernel
    stopped: bool  # True once the server stopped: the output is final, show the snapshot
    snapshot: str | None  # the view as inert HTML (sanitized), at display time or, once stopped, at stop


BUNDLE_FIELDS: Final = tuple(Bundle.__annotations__)

# -- routes of the server extension (relative to the Jupyter base URL) --------------------------------

#: Every route of the extension starts with this segment: ``{base_url}trame-jupyter/…``.
ROUTE: Final = "trame-jupyter"
#: Server ids: what a route may name (never a host or a port).
SERVER_ID_PATTERN: Final = r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}"
#: Under ``{ROUTE}/<server_id>/``: the page's secret (proxy only) and its websocket.
SESSION_PATH: Final = "__trame_jupyter__/session"
WS_PATH: Final = "ws"
#: Under ``{ROUTE}/``: the servers registered, and the status of one kernel.
API_SERVERS_PATH: Final = "api/servers"
API_KERNELS_PATH: Final = "api/kernels"
#: ``reason`` of the session route's 404 when no kernel registered that server (it stopped).
REASON_NOT_REGISTERED: Final = "not-registered"

# -- the kernel-comm transport (wslink frames over a Jupyter comm, no HTTP port) ---------------------

#: Target of the comm a front end opens to reach a server: open data ``{server_id}``; each comm message
#: carries ``{type: COMM_MESSAGE.FRAME}`` and one wslink frame as its only buffer, both ways. The kernel
#: closes a comm with ``{code, reason}`` (websocket close codes; COMM_CLOSE_NOT_FOUND: no such server).
COMM_TARGET: Final = "trame-jupyter.wslink.v1"
#: Open data ``{server_id, COMM_OPEN_BATCHES: true}``: the front end also takes kernel → front end FRAME
#: messages carrying several frames, one per buffer, in order (the kernel sends the frames of one loop tick
#: together: one kernel message instead of many in a burst). Front end → kernel stays one frame per message.
COMM_OPEN_BATCHES: Final = "batches"
#: The same comm also fetches the server's files (no HTTP port needed): front end → kernel
#: ``{type: FETCH, id, path}`` (``path`` as the page requests it over HTTP, relative to the server root);
#: kernel → front end ``{type: FETCH_REPLY, id, status, mime, reason}``, the body as the one buffer when
#: ``status`` is 200 (FETCH_STATUSES). A comm only fetching is no client of the server (no hello needed).
COMM_MESSAGE: Final = {"FRAME": "frame", "FETCH": "fetch", "FETCH_REPLY": "fetch-reply"}
FETCH_STATUSES: Final = {
    "OK": 200,
    "BAD_REQUEST": 400,
    "FORBIDDEN": 403,
    "NOT_FOUND": 404,
    "TOO_LARGE": 413,
    "BUSY": 503,
}
COMM_CLOSE_NOT_FOUND: Final = 4404


class _CommOpenTarget(TypedDict):
    server_id: str  # the server to reach (SERVER_ID_PATTERN)


class CommOpenData(_CommOpenTarget, total=False):
    """A front end → kernel: the data of a comm opened to ``COMM_TARGET``."""

    batches: bool  # COMM_OPEN_BATCHES: the front end takes several frames per FRAME message


class CommFrameMessage(TypedDict):
    """Both ways: wslink frames, as the message's buffers (one from the front end; one or more, in
    order, to a front end that opened with ``batches``)."""

    type: Literal["frame"]  # COMM_MESSAGE["FRAME"]


class CommFetchMessage(TypedDict):
    """Front end → kernel: fetch one of the server's files."""

    type: Literal["fetch"]  # COMM_MESSAGE["FETCH"]
    id: int  # chosen by the front end, echoed in the reply
    path: str  # as the page requests it over HTTP, relative to the server root (a query is ignored)


class CommFetchReply(TypedDict):
    """Kernel → front end: the answer to a fetch; the body is the one buffer when ``status`` is 200."""

    type: Literal["fetch-reply"]  # COMM_MESSAGE["FETCH_REPLY"]
    id: int
    status: int  # one of FETCH_STATUSES
    mime: str | None  # the body's media type (status 200)
    reason: str | None  # why not (other statuses)


class CommCloseData(TypedDict):
    """Kernel → front end: the data of a comm the kernel closes (websocket close codes)."""

    code: int
    reason: str


class WidgetChannelOpen(TypedDict):
    """``server.widget``'s messages, both ways: open one connection of the page (``channel``), or say it is open.

    Once open, a channel carries the comm messages above (``CommFrameMessage``, ``CommFetchMessage``,
    ``CommFetchReply``) with a ``channel`` field added, the same buffers, both ways.
    """

    type: Literal["trame-jupyter:comm-open"]  # MESSAGE_COMM_OPEN
    channel: str  # "<view prefix>:<page channel number>"


class _WidgetChannel(TypedDict):
    type: Literal["trame-jupyter:comm-close"]  # MESSAGE_COMM_CLOSE
    channel: str


class WidgetChannelClose(_WidgetChannel, total=False):
    """``server.widget``'s messages, both ways: a connection of the page is closed."""

    code: int  # websocket close code (kernel → front end)
    reason: str


#: How a view's page reaches its server: "proxy" (its own websocket next to the page) or "comm" (through
#: the embedding window and a kernel comm). The page reads it from its ``transport`` query parameter.
#: A bundle whose path names no transport is "proxy, else comm": the front end tries the proxy and falls
#: back to the comm (page and files included) when the proxy cannot reach the server.
TRANSPORTS: Final = ("proxy", "comm")
TRANSPORT_PARAM: Final = "transport"

# -- page → embedding window messages (``window.parent.postMessage``) ---------------------------------

MESSAGE_SIZE: Final = "trame-jupyter:size"  # {type, server_id, height}: height of the page's content
MESSAGE_STATUS: Final = "trame-jupyter:status"  # {type, server_id, status}: one of STATUSES
#: waiting: connected, but a call has had no answer for WAITING_AFTER_MS (the kernel is busy in a cell).
STATUSES: Final = ("connecting", "live", "waiting", "reconnecting", "stopped")
WAITING_AFTER_MS: Final = 1500
#: {type, server_id, html}: the page's own rendering when it loses its server (its last picture).
MESSAGE_SNAPSHOT: Final = "trame-jupyter:snapshot"
#: Largest page snapshot a page posts (characters of HTML).
MAX_PAGE_SNAPSHOT: Final = 2_000_000

# -- embedding window → page messages -----------------------------------------------------------------

#: {type, theme: {scheme, variables}}: the notebook's look. ``scheme`` is "light" or "dark";
#: ``variables`` maps names of THEME_VARIABLES to CSS values the page uses as its defaults.
MESSAGE_THEME: Final = "trame-jupyter:theme"
THEME_VARIABLES: Final = (
    "--tj-font-family",
    "--tj-font-size",
    "--tj-color",
    "--tj-color-muted",
    "--tj-background",
    "--tj-accent",
    "--tj-border",
    "--tj-input-background",
)

# -- page ↔ embedding window, for a page whose transport is the comm ----------------------------------
# ``channel`` is a number the page picks for each connection; ``frame`` is an ArrayBuffer, transferred.

#: Page → window {type, server_id, channel}: open a comm to COMM_TARGET; window → page, the same: it is open.
MESSAGE_COMM_OPEN: Final = "trame-jupyter:comm-open"
#: Both ways {type, server_id, channel, frame}: one wslink frame.
MESSAGE_COMM_FRAME: Final = "trame-jupyter:comm-frame"
#: Both ways {type, server_id, channel, code, reason}: the comm is closed (websocket close codes).
MESSAGE_COMM_CLOSE: Final = "trame-jupyter:comm-close"
#: Page → window {type, server_id, id, path}: fetch one of the server's files (a widget package's script)
#: over the comm; window → page {type: MESSAGE_FETCH_REPLY, server_id, id, status, mime, reason, body}
#: (``body`` an ArrayBuffer, transferred, when status is 200).
MESSAGE_FETCH: Final = "trame-jupyter:fetch"
MESSAGE_FETCH_REPLY: Final = "trame-jupyter:fetch-reply"

#: Bounds of a frame that follows its content's height (CSS pixels).
MIN_HEIGHT: Final = 60
MAX_HEIGHT: Final = 5000

# -- trame's wire protocol, as the browser client uses it ---------------------------------------------

RPC: Final = {
    "STATE_GET": "trame.state.get",
    "STATE_UPDATE": "trame.state.update",
    "TRIGGER": "trame.trigger",
    "FORCE_PUSH": "trame.force.push",
    "LIFECYCLE": "trame.lifecycle.update",
    "CLIENT_ERROR": "trame.error.client",
}
TOPIC: Final = {"STATE": "trame.state.topic", "ACTIONS": "trame.actions.topic"}
RESERVED_PREFIX: Final = "trame__"
KEY: Final = {
    "TEMPLATE_PREFIX": "trame__template_",
    "SCRIPTS": "trame__scripts",
    "MODULE_SCRIPTS": "trame__module_scripts",
    "STYLES": "trame__styles",
    "VUE_USE": "trame__vue_use",
    "CLIENT_ONLY": "trame__client_only",
    "BUSY": "trame__busy",
    "TITLE": "trame__title",
    "FAVICON": "trame__favicon",
}


def as_dict() -> dict[str, Any]:
    """Every public constant of this module (its UPPER_CASE names) as plain data: what the TypeScript twin
    must equal. Read off the module, so a constant added here and not there fails the comparison."""
    return {name: _plain(value) for name, value in sorted(globals().items()) if _is_constant(name)}


def _is_constant(name: str) -> bool:
    return not name.startswith("_") and name.upper() == name and any(c.isalpha() for c in name)


def _plain(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value
