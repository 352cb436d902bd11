// What the client speaks: the shared contract (`@trame-jupyter/common`, common/src/contract.ts, the twin
// of the Python package's contract module) plus wslink's own envelope (wslink's framing and error codes).
import {
  KEY,
  COMM_CLOSE_NOT_FOUND,
  EMBED_JUPYTER,
  EMBED_PARAM,
  MAX_PAGE_SNAPSHOT,
  MESSAGE_COMM_CLOSE,
  MESSAGE_COMM_FRAME,
  MESSAGE_COMM_OPEN,
  MESSAGE_SIZE,
  MESSAGE_SNAPSHOT,
  MESSAGE_STATUS,
  MESSAGE_THEME,
  RPC,
  SESSION_PATH,
  STATUSES,
  THEME_VARIABLES,
  TOPIC,
  TRANSPORT_PARAM,
  WAITING_AFTER_MS,
  WS_PATH,
} from '@trame-jupyter/common';

export {
  COMM_CLOSE_NOT_FOUND,
  EMBED_JUPYTER,
  EMBED_PARAM,
  KEY,
  MAX_PAGE_SNAPSHOT,
  MESSAGE_THEME,
  RPC,
  SESSION_PATH,
  THEME_VARIABLES,
  TOPIC,
  TRANSPORT_PARAM,
  WAITING_AFTER_MS,
  WS_PATH,
};

export const WSLINK_VERSION = '1.0';
export const HELLO_METHOD = 'wslink.hello';
export const HELLO_ID = 'system:c0:0';

/** Lifecycle phases sent with RPC.LIFECYCLE. */
export const PHASE = Object.freeze({
  CONNECTED: 'client_connected',
  EXITED: 'client_exited',
});

/** Error codes of wslink (JSON-RPC style) plus the client-side one. */
export const ERROR = Object.freeze({
  AUTHENTICATION: -32000,
  EXCEPTION: -32001,
  RESULT_SERIALIZE: -32002,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  CLIENT: -32099, // local failures: connection not open, encoding, …
});

/** Connection status, as shown by #trame-jupyter-status[data-status] and posted to the parent. */
export const STATUS = Object.freeze(Object.fromEntries(STATUSES.map((status) => [status.toUpperCase(), status])));

/** Messages posted to the embedding page (window.parent). */
export const EMBED_MESSAGE = Object.freeze({
  SIZE: MESSAGE_SIZE, // {type, height, server_id}
  STATUS: MESSAGE_STATUS, // {type, status, server_id}
  SNAPSHOT: MESSAGE_SNAPSHOT, // {type, html, server_id}
});

/** Messages between the page and the embedding window that relays its frames over a kernel comm. */
export const RELAY_MESSAGE = Object.freeze({
  OPEN: MESSAGE_COMM_OPEN, // {type, server_id, channel}
  FRAME: MESSAGE_COMM_FRAME, // {type, server_id, channel, frame: ArrayBuffer}
  CLOSE: MESSAGE_COMM_CLOSE, // {type, server_id, channel, code, reason}
});

/** Key of a value whose sub-keys listed under it are never sent back (uploaded file content). */
export const FILTER_KEY = '_filter';
