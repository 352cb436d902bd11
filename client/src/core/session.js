// One wslink 2.x session over one WebSocket: hello, RPC calls, publishes.
//
// Written on wslink's own framing (chunking.js) and msgpack rather than wslink's Session so that
// (a) calls still in flight are rejected when the socket closes (wslink leaves them pending forever,
// which would wedge the update queue), (b) frames are read as ArrayBuffers without Blob round trips,
// and (c) a message of an unknown shape is ignored with a warning instead of an error.
import { Encoder, Decoder } from '@msgpack/msgpack';
import { UnChunker, generateChunks } from 'wslink/src/WebsocketConnection/chunking.js';
import { ERROR, HELLO_ID, HELLO_METHOD, WSLINK_VERSION } from './protocol.js';

// wslink's JS client accepts these ids; anything else is not a wslink message.
const ID_PATTERN = /^(rpc|publish|system):(\w+(?:\.\w+)*):(?:\d+)$/;
const PRE_AUTH_FRAME_SIZE = 512; // the server's pre-auth limit

/** Error raised for failed calls: `{code, message, data}` like a wslink error frame. */
export class RpcError extends Error {
  constructor(code, message, data) {
    super(message);
    this.name = 'RpcError';
    this.code = code;
    this.data = data;
  }
}

// UnChunker reads Blob-like chunks (slice + async arrayBuffer); this adapts an ArrayBuffer to that
// shape without copying twice through the Blob machinery.
class BufferChunk {
  constructor(buffer) {
    this.buffer = buffer;
  }

  slice(start, end) {
    return new BufferChunk(this.buffer.slice(start, end));
  }

  arrayBuffer() {
    return Promise.resolve(this.buffer);
  }
}

// msgpack encodes typed-array views but not a bare ArrayBuffer: wrap it (what wslink does too).
class WireEncoder extends Encoder {
  encodeObject(object, depth) {
    return super.encodeObject(object instanceof ArrayBuffer ? new Uint8Array(object) : object, depth);
  }
}

function toRpcError(error) {
  if (error instanceof RpcError) return error;
  if (error && typeof error === 'object' && 'code' in error) {
    return new RpcError(error.code, String(error.message ?? 'RPC error'), error.data);
  }
  return new RpcError(ERROR.CLIENT, String(error?.message ?? error));
}

export class Session {
  /**
   * @param {WebSocket} ws an open (or opening) socket with binaryType 'arraybuffer'
   * @param {object} hooks `onPublish(topic, payload)`, `onClose(event)`
   */
  constructor(ws, { onPublish, onClose } = {}) {
    this.ws = ws;
    this.clientId = null;
    this.maxFrameSize = PRE_AUTH_FRAME_SIZE;
    this.closed = false;
    this._count = 0;
    this._inflight = new Map();
    this._unchunker = new UnChunker();
    this._encoder = new WireEncoder();
    this._onPublish = onPublish || (() => {});
    this._onClose = onClose || (() => {});
    ws.binaryType = 'arraybuffer';
    ws.addEventListener('message', (event) => this._receive(event.data));
    ws.addEventListener('close', (event) => this._closed(event));
  }

  /** Authenticate; resolves with the client id, rejects with an RpcError (AUTHENTICATION on a bad secret). */
  hello(secret) {
    return this._send(HELLO_ID, HELLO_METHOD, [{ secret }], {});
  }

  call(method, args = [], kwargs = {}) {
    if (!this.clientId || this.closed || this.ws.readyState !== 1) {
      return Promise.reject(new RpcError(ERROR.CLIENT, `RPC ${method} not sent: connection not open`));
    }
    return this._send(`rpc:${this.clientId}:${this._count++}`, method, args, kwargs);
  }

  close(code = 1000, reason = '') {
    if (this.ws.readyState <= 1) this.ws.close(code, reason);
  }

  _send(id, method, args, kwargs) {
    let packed;
    try {
      packed = this._encoder.encode({ wslink: WSLINK_VERSION, id, method, args, kwargs });
    } catch (error) {
      return Promise.reject(new RpcError(ERROR.CLIENT, `RPC ${method}: arguments cannot be encoded (${error.message})`));
    }
    return new Promise((resolve, reject) => {
      this._inflight.set(id, { resolve, reject, method });
      for (const chunk of generateChunks(packed, this.maxFrameSize)) this.ws.send(chunk);
    });
  }

  async _receive(data) {
    if (!(data instanceof ArrayBuffer)) {
      console.warn('trame-jupyter: ignoring a non-binary websocket frame');
      return;
    }
    let message;
    try {
      message = await this._unchunker.processChunk(new BufferChunk(data), () => new Decoder());
    } catch (error) {
      console.warn('trame-jupyter: ignoring a malformed frame:', error.message);
      return;
    }
    if (message !== undefined) this._dispatch(message);
  }

  _dispatch(message) {
    const id = message && typeof message === 'object' ? message.id : undefined;
    const match = typeof id === 'string' ? ID_PATTERN.exec(id) : null;
    if (!match) {
      console.warn('trame-jupyter: ignoring a server message of unknown shape', message);
      return;
    }
    if (match[1] === 'publish') {
      this._onPublish(match[2], message.result);
      return;
    }
    const pending = this._inflight.get(id);
    if (!pending) {
      console.warn('trame-jupyter: ignoring a reply to no pending call', id);
      return;
    }
    this._inflight.delete(id);
    if (message.error) {
      pending.reject(toRpcError(message.error));
      return;
    }
    if (id === HELLO_ID) {
      const result = message.result || {};
      this.clientId = result.clientID;
      // The server announces its frame size once authenticated; keep it for our own chunks.
      this.maxFrameSize = result.maxMsgSize || 4 * 1024 * 1024;
      pending.resolve(this.clientId);
      return;
    }
    pending.resolve(message.result);
  }

  _closed(event) {
    if (this.closed) return;
    this.closed = true;
    this._unchunker.releasePendingMessages();
    const error = new RpcError(ERROR.CLIENT, 'connection closed before the server answered');
    for (const { reject } of this._inflight.values()) reject(error);
    this._inflight.clear();
    this._onClose(event);
  }
}
