/**
 * The contract between the Python package and its front ends, in one place, versioned: the TypeScript
 * twin of the Python module `trame_jupyter.core.contract`. The JupyterLab extension, the browser page and
 * the anywidget front end import it from `@trame-jupyter/common`. `__tests__/contract.test.ts` reads both
 * modules and fails when their UPPER_CASE constants differ (a name on one side only, or another value):
 * change both together, and bump `PROTOCOL_VERSION` when a change is not backward compatible.
 *
 * Every message that crosses a boundary has an interface here. Those of the kernel's side have Python
 * twins (TypedDicts) of the same names: `IBundle` (`Bundle`), `ICommOpenData`, `ICommFrameMessage`,
 * `ICommFetchMessage`, `ICommFetchReply`, `ICommCloseData`, `IWidgetChannelOpen`, `IWidgetChannelClose`
 * (without the `I`). The messages between a page and its embedding window are the front ends' own.
 *
 * This module imports nothing, so any bundle (and any test runner) can take it as it is.
 */

/** Version of this contract (the `protocol` field of every bundle). */
export const PROTOCOL_VERSION = 1;

// -- the MIME bundle -----------------------------------------------------------------------------

/** The MIME type of a view's data. */
export const MIME_TYPE = 'application/vnd.trame-jupyter.v1+json';

/** `application/vnd.trame-jupyter.v1+json`: one view of a kernel's server. */
export interface IBundle {
  /** `PROTOCOL_VERSION` of the kernel that made it. */
  readonly protocol: number;
  /** Proxy id of the server (`SERVER_ID_PATTERN`). */
  readonly server_id: string;
  /** The server's name (`get_server(name)`). */
  readonly name: string;
  /** The page, relative to the Jupyter base URL: `${ROUTE}/<server_id>/index.html?...`. */
  readonly path: string;
  /** The layout shown. */
  readonly ui: string;
  /** A fixed CSS height, or null: follow the content's height. */
  readonly height: string | null;
  /** A fixed CSS width, or null: the output's width. */
  readonly width: string | null;
  /** The kernel running the server, when the kernel knows it. */
  readonly kernel_id: string | null;
  /** That kernel's process id when the bundle was made (tells a restart from a stop). */
  readonly kernel_pid: number | null;
  /** `trame_jupyter.__version__` of the kernel. */
  readonly version: string;
  /** True once the server stopped: the output is final, show the snapshot. */
  readonly stopped: boolean;
  /** The view as inert HTML (sanitized), at display time or, once stopped, at stop. */
  readonly snapshot: string | null;
}

/** The fields of a bundle, in order. */
export const BUNDLE_FIELDS: ReadonlyArray<keyof IBundle> = [
  'protocol',
  'server_id',
  'name',
  'path',
  'ui',
  'height',
  'width',
  'kernel_id',
  'kernel_pid',
  'version',
  'stopped',
  'snapshot'
];

// -- routes of the server extension (relative to the Jupyter base URL) ----------------------------

/** Every route of the extension starts with this segment: `{base_url}trame-jupyter/...`. */
export const ROUTE = 'trame-jupyter';
/** Server ids: what a route may name (never a host or a port). */
export const SERVER_ID_PATTERN = '[A-Za-z0-9][A-Za-z0-9_-]{0,63}';
/** Under `${ROUTE}/<server_id>/`: the page's secret (proxy only) and its websocket. */
export const SESSION_PATH = '__trame_jupyter__/session';
export const WS_PATH = 'ws';
/** Under `${ROUTE}/`: the servers registered, and the status of one kernel. */
export const API_SERVERS_PATH = 'api/servers';
export const API_KERNELS_PATH = 'api/kernels';
/** `reason` of the session route's 404 when no kernel registered that server (it stopped). */
export const REASON_NOT_REGISTERED = 'not-registered';

// -- the kernel-comm transport (wslink frames over a Jupyter comm, no HTTP port) ------------------

/**
 * Target of the comm a front end opens to reach a server: open data `{server_id}`; each comm message
 * carries `{type: COMM_MESSAGE.FRAME}` and one wslink frame as its only buffer, both ways. The kernel
 * closes a comm with `{code, reason}` (websocket close codes; `COMM_CLOSE_NOT_FOUND`: no such server).
 */
export const COMM_TARGET = 'trame-jupyter.wslink.v1';
/**
 * Open data `{server_id, [COMM_OPEN_BATCHES]: true}`: the front end also takes kernel -> front end FRAME
 * messages carrying several frames, one per buffer, in order (the kernel sends the frames of one loop
 * tick together: one kernel message instead of many in a burst). Front end -> kernel stays one per message.
 */
export const COMM_OPEN_BATCHES = 'batches';
/**
 * The same comm also fetches the server's files (no HTTP port needed): front end -> kernel
 * `{type: FETCH, id, path}` (`path` as the page requests it over HTTP, relative to the server root);
 * kernel -> front end `{type: FETCH_REPLY, id, status, mime, reason}`, the body as the one buffer when
 * `status` is 200 (`FETCH_STATUSES`). A comm only fetching is no client of the server (no hello needed).
 */
export const COMM_MESSAGE = Object.freeze({
  FRAME: 'frame',
  FETCH: 'fetch',
  FETCH_REPLY: 'fetch-reply'
});
export const FETCH_STATUSES = Object.freeze({
  OK: 200,
  BAD_REQUEST: 400,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  TOO_LARGE: 413,
  BUSY: 503
});
export const COMM_CLOSE_NOT_FOUND = 4404;

/** Front end -> kernel, the data of the comm's open. */
export interface ICommOpenData {
  /** The server to reach (the view's own). */
  readonly server_id: string;
  /** True: kernel -> front end FRAME messages may carry several frames (one per buffer). */
  readonly [COMM_OPEN_BATCHES]?: boolean;
}

/** Both ways: one wslink frame as the message's one buffer (kernel -> front end: one or more, in order). */
export interface ICommFrameMessage {
  readonly type: typeof COMM_MESSAGE.FRAME;
}

/** Front end -> kernel: fetch one of the server's files (`path` relative to the server root). */
export interface ICommFetchMessage {
  readonly type: typeof COMM_MESSAGE.FETCH;
  /** Picked by the front end, echoed in the reply. */
  readonly id: number;
  readonly path: string;
}

/** Kernel -> front end: the answer to `ICommFetchMessage`; the body is the one buffer when `status` is 200. */
export interface ICommFetchReply {
  readonly type: typeof COMM_MESSAGE.FETCH_REPLY;
  readonly id: number;
  /** One of `FETCH_STATUSES`. */
  readonly status: number;
  readonly mime: string;
  readonly reason: string;
}

/** A message of the comm (its data; the frames and file bodies are its buffers). */
export type CommMessage = ICommFrameMessage | ICommFetchMessage | ICommFetchReply;

/** Kernel -> front end, the data of the comm's close: a websocket close code and why. */
export interface ICommCloseData {
  /** A websocket close code; `COMM_CLOSE_NOT_FOUND`: the kernel has no such server. */
  readonly code: number;
  readonly reason: string;
}
/**
 * How a view's page reaches its server: "proxy" (its own websocket next to the page) or "comm" (through
 * the embedding window and a kernel comm). The page reads it from its `transport` query parameter.
 * A bundle whose path names no transport is "proxy, else comm": the front end tries the proxy and falls
 * back to the comm (page and files included) when the proxy cannot reach the server.
 */
export const TRANSPORTS = ['proxy', 'comm'] as const;
export type Transport = (typeof TRANSPORTS)[number];
export const TRANSPORT_PARAM = 'transport';

// -- page -> embedding window messages (`window.parent.postMessage`) ------------------------------

/** `{type, server_id, height}`: height of the page's content. */
export const MESSAGE_SIZE = 'trame-jupyter:size';
/** `{type, server_id, status}`: one of `STATUSES`. */
export const MESSAGE_STATUS = 'trame-jupyter:status';
/**
 * The connection statuses a page reports. `waiting`: connected, but a call has had no answer for
 * `WAITING_AFTER_MS` (the kernel is busy in a cell); back to `live` with the next answer.
 */
export const STATUSES = ['connecting', 'live', 'waiting', 'reconnecting', 'stopped'] as const;
export const WAITING_AFTER_MS = 1500;
export type Status = (typeof STATUSES)[number];
/** `{type, server_id, html}`: the page's own rendering when it loses its server (its last picture). */
export const MESSAGE_SNAPSHOT = 'trame-jupyter:snapshot';
/** Largest page snapshot a page posts (characters of HTML). */
export const MAX_PAGE_SNAPSHOT = 2_000_000;

/** What every message a page posts carries: the server id of its address (null when it has none). */
export interface IFromPage {
  readonly server_id: string | null;
}

/** Page -> window: the height of the page's content (CSS pixels). */
export interface ISizeMessage extends IFromPage {
  readonly type: typeof MESSAGE_SIZE;
  readonly height: number;
}

/** Page -> window: its connection status. */
export interface IStatusMessage extends IFromPage {
  readonly type: typeof MESSAGE_STATUS;
  readonly status: Status;
}

/** Page -> window: its own rendering, when it lost its server (at most `MAX_PAGE_SNAPSHOT` characters). */
export interface ISnapshotMessage extends IFromPage {
  readonly type: typeof MESSAGE_SNAPSHOT;
  readonly html: string;
}

// -- embedding window -> page messages ------------------------------------------------------------

/**
 * `{type, theme: {scheme, variables}}`: the notebook's look. `scheme` is "light" or "dark"; `variables`
 * maps names of `THEME_VARIABLES` to CSS values the page uses as its defaults.
 */
export const MESSAGE_THEME = 'trame-jupyter:theme';
export const THEME_VARIABLES = [
  '--tj-font-family',
  '--tj-font-size',
  '--tj-color',
  '--tj-color-muted',
  '--tj-background',
  '--tj-accent',
  '--tj-border',
  '--tj-input-background'
] as const;
export type ThemeVariable = (typeof THEME_VARIABLES)[number];

/** The notebook's look: its colour scheme, and CSS values of (some of) `THEME_VARIABLES`. */
export interface ITheme {
  scheme: 'light' | 'dark';
  variables: Partial<Record<ThemeVariable, string>>;
}

/** Window -> page: the notebook's look. */
export interface IThemeMessage {
  readonly type: typeof MESSAGE_THEME;
  readonly theme: ITheme;
}

// -- page <-> embedding window, for a page whose transport is the comm ----------------------------
// `channel` is a number the page picks for each connection; `frame` is an ArrayBuffer, transferred.

/** Page -> window `{type, server_id, channel}`: open a comm to COMM_TARGET; window -> page, the same: it is open. */
export const MESSAGE_COMM_OPEN = 'trame-jupyter:comm-open';
/** Both ways `{type, server_id, channel, frame}`: one wslink frame. */
export const MESSAGE_COMM_FRAME = 'trame-jupyter:comm-frame';
/** Both ways `{type, server_id, channel, code, reason}`: the comm is closed (websocket close codes). */
export const MESSAGE_COMM_CLOSE = 'trame-jupyter:comm-close';
/**
 * Page -> window `{type, server_id, id, path}`: fetch one of the server's files (a widget package's script)
 * over the comm; window -> page `{type: MESSAGE_FETCH_REPLY, server_id, id, status, mime, reason, body}`
 * (`body` an ArrayBuffer, transferred, when status is 200).
 */
export const MESSAGE_FETCH = 'trame-jupyter:fetch';
export const MESSAGE_FETCH_REPLY = 'trame-jupyter:fetch-reply';

/**
 * What the messages of the relay between a page and its window (the page's connections carried over a
 * kernel comm) carry: the page's channel, and its server id (always from the page; from the window, only
 * where it adds it: the anywidget front end does).
 */
export interface IRelayChannel {
  readonly channel: number;
  readonly server_id?: string | null;
}

/** Page -> window: open a comm for this channel; window -> page: it is open. */
export interface IRelayOpenMessage extends IRelayChannel {
  readonly type: typeof MESSAGE_COMM_OPEN;
}

/** Both ways: one wslink frame (moved in the transfer list). */
export interface IRelayFrameMessage extends IRelayChannel {
  readonly type: typeof MESSAGE_COMM_FRAME;
  readonly frame: ArrayBuffer;
}

/** Both ways: the channel's comm is closed (a websocket close code and why). */
export interface IRelayCloseMessage extends IRelayChannel {
  readonly type: typeof MESSAGE_COMM_CLOSE;
  readonly code: number;
  readonly reason: string;
}

/** Page -> window: fetch one of the server's files over the comm. */
export interface IFetchMessage extends IFromPage {
  readonly type: typeof MESSAGE_FETCH;
  readonly id: number;
  readonly path: string;
}

/** Window -> page: the answer to `IFetchMessage` (`body` moved in the transfer list, when status is 200). */
export interface IFetchReplyMessage {
  readonly type: typeof MESSAGE_FETCH_REPLY;
  readonly server_id?: string | null;
  readonly id: number;
  /** One of `FETCH_STATUSES`, or 0: no answer came. */
  readonly status: number;
  readonly mime: string;
  readonly reason: string;
  readonly body: ArrayBuffer | null;
}

/** Every message a page posts to its embedding window. */
export type PageMessage =
  | ISizeMessage
  | IStatusMessage
  | ISnapshotMessage
  | IRelayOpenMessage
  | IRelayFrameMessage
  | IRelayCloseMessage
  | IFetchMessage;

/** Every message an embedding window posts to its page. */
export type WindowMessage =
  | IThemeMessage
  | IRelayOpenMessage
  | IRelayFrameMessage
  | IRelayCloseMessage
  | IFetchReplyMessage;

// -- the anywidget front end (`server.widget`) <-> kernel: the widget's custom messages --------------
// Each message is what a comm of `COMM_TARGET` carries, plus the channel it belongs to: on the wire
// `<view prefix>:<page channel>` (the prefix random per view; page channel 0 is the view's own, for
// fetches). Frames and file bodies are the message's buffers, never base64.

/** What every widget message carries: its wire channel. */
export interface IWidgetChannel {
  readonly channel: string;
}

/** Front end -> kernel: open the channel; kernel -> front end: it reaches the server. */
export interface IWidgetChannelOpen extends IWidgetChannel {
  readonly type: typeof MESSAGE_COMM_OPEN;
}

/** Front end -> kernel: the channel is closed (no code); kernel -> front end: closed, with code and reason. */
export interface IWidgetChannelClose extends IWidgetChannel {
  readonly type: typeof MESSAGE_COMM_CLOSE;
  readonly code?: number;
  readonly reason?: string;
}

/** Both ways on a page channel: wslink frames as buffers. */
export interface IWidgetFrameMessage extends ICommFrameMessage, IWidgetChannel {}

/** Front end -> kernel on the view's channel: fetch a file. */
export interface IWidgetFetchMessage extends ICommFetchMessage, IWidgetChannel {}

/** Kernel -> front end on the view's channel: the file (its body the one buffer). */
export interface IWidgetFetchReplyMessage extends ICommFetchReply, IWidgetChannel {}

/** Every custom message of the widget, both ways. */
export type WidgetMessage =
  | IWidgetChannelOpen
  | IWidgetChannelClose
  | IWidgetFrameMessage
  | IWidgetFetchMessage
  | IWidgetFetchReplyMessage;

/**
 * A message as it arrives from the other side, not yet checked: the fields of `T` (of any member of a
 * union), each possibly missing and of any type, for code that validates before it trusts.
 */
export type Untrusted<T> = { readonly [K in T extends unknown ? keyof T : never]?: unknown };

/** Bounds of a frame that follows its content's height (CSS pixels). */
export const MIN_HEIGHT = 60;
export const MAX_HEIGHT = 5000;

// -- trame's wire protocol, as the browser client uses it -----------------------------------------

/** RPCs the client calls (client -> server). */
export const RPC = Object.freeze({
  STATE_GET: 'trame.state.get',
  STATE_UPDATE: 'trame.state.update',
  TRIGGER: 'trame.trigger',
  FORCE_PUSH: 'trame.force.push',
  LIFECYCLE: 'trame.lifecycle.update',
  CLIENT_ERROR: 'trame.error.client'
});

/** Publish topics (server -> client). */
export const TOPIC = Object.freeze({
  STATE: 'trame.state.topic',
  ACTIONS: 'trame.actions.topic'
});

/** Keys starting with this are the framework's; browsers may not write them. */
export const RESERVED_PREFIX = 'trame__';

/** Reserved state keys. */
export const KEY = Object.freeze({
  TEMPLATE_PREFIX: 'trame__template_',
  SCRIPTS: 'trame__scripts',
  MODULE_SCRIPTS: 'trame__module_scripts',
  STYLES: 'trame__styles',
  VUE_USE: 'trame__vue_use',
  CLIENT_ONLY: 'trame__client_only',
  BUSY: 'trame__busy',
  TITLE: 'trame__title',
  FAVICON: 'trame__favicon'
});
