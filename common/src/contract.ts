/**
 * The contract between the Python package and its front ends, in one place, versioned: the TypeScript
 * twin of the Python module `trame_jupyter.core.contract`. The JupyterLab extension, the browser page and
 * the anywidget front end import it from `@trame-jupyter/common`. `__tests__/contract.test.ts` reads both
 * modules and fails when their UPPER_CASE constants differ (a name on one side only, or another value):
 * change both together, and bump `PROTOCOL_VERSION` when a change is not backward compatible.
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
/** The connection statuses a page reports. */
export const STATUSES = ['connecting', 'live', 'reconnecting', 'stopped'] as const;
export type Status = (typeof STATUSES)[number];
/** `{type, server_id, html}`: the page's own rendering when it loses its server (its last picture). */
export const MESSAGE_SNAPSHOT = 'trame-jupyter:snapshot';
/** Largest page snapshot a page posts (characters of HTML). */
export const MAX_PAGE_SNAPSHOT = 2_000_000;

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
