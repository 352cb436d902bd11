// The wire contract with the Python server, in one place. Mirrors trame_jupyter/protocol.py and
// endpoint.py (and PROTOCOL.md): change both sides together.

export const WSLINK_VERSION = '1.0';
export const HELLO_METHOD = 'wslink.hello';
export const HELLO_ID = 'system:c0:0';

/** RPCs the client calls (client → server). */
export const RPC = Object.freeze({
  STATE_GET: 'trame.state.get', // [] → {name, state}
  STATE_UPDATE: 'trame.state.update', // [[{key, value}, …]]
  TRIGGER: 'trame.trigger', // [name, args, kwargs] → result
  FORCE_PUSH: 'trame.force.push', // [...keys]
  LIFECYCLE: 'trame.lifecycle.update', // [phase], phase matches client_[a-z_]+
  CLIENT_ERROR: 'trame.error.client', // [message]
});

/** Publish topics (server → client). */
export const TOPIC = Object.freeze({
  STATE: 'trame.state.topic', // {key: value, …} of changed keys
  ACTIONS: 'trame.actions.topic', // [{type: 'method', ref, method, args}, …] (js_call)
});

/** Lifecycle phases sent with RPC.LIFECYCLE. */
export const PHASE = Object.freeze({
  CONNECTED: 'client_connected',
  EXITED: 'client_exited',
});

/** Reserved state keys (trame-server-behaviour.md §2.7). */
export const KEY = Object.freeze({
  TEMPLATE_PREFIX: 'trame__template_',
  SCRIPTS: 'trame__scripts',
  MODULE_SCRIPTS: 'trame__module_scripts',
  STYLES: 'trame__styles',
  VUE_USE: 'trame__vue_use',
  CLIENT_ONLY: 'trame__client_only',
  BUSY: 'trame__busy',
  TITLE: 'trame__title',
  FAVICON: 'trame__favicon',
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

/** Same-origin endpoint that gives the secret when served behind the Jupyter proxy. */
export const SESSION_PATH = '__trame_jupyter__/session';
export const WS_PATH = 'ws';

/** Connection status, as shown by #trame-jupyter-status[data-status] and posted to the parent. */
export const STATUS = Object.freeze({
  CONNECTING: 'connecting',
  LIVE: 'live',
  RECONNECTING: 'reconnecting',
  STOPPED: 'stopped',
});

/** Messages posted to the embedding page (window.parent). */
export const EMBED_MESSAGE = Object.freeze({
  SIZE: 'trame-jupyter:size', // {type, height, server_id}
  STATUS: 'trame-jupyter:status', // {type, status, server_id}
});

/** Key of a value whose sub-keys listed under it are never sent back (uploaded file content). */
export const FILTER_KEY = '_filter';
