// A WebSocket look-alike whose frames go through the embedding window (`window.parent.postMessage`),
// which relays them over a Jupyter kernel comm (labextension/src/commRelay.ts). `Session` and
// `Connection` use it as they use a WebSocket, so reconnection, hello and calls work unchanged; it is
// chosen when the page address says `?transport=comm` (a kernel whose server no proxy can reach).
//
// Frames travel as ArrayBuffers in the transfer list: moved, not copied, and never base64.
import { RELAY_MESSAGE } from './protocol.js';

/**
 * The messages of a channel, both ways (`@trame-jupyter/common`'s contract).
 * @typedef {import('@trame-jupyter/common').IRelayOpenMessage
 *   | import('@trame-jupyter/common').IRelayFrameMessage
 *   | import('@trame-jupyter/common').IRelayCloseMessage} ChannelMessage
 */

const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;
/** How long the window has to say the comm is open before this gives up (a parent without our relay). */
const OPEN_TIMEOUT_MS = 10000;

let channels = 0; // each socket is its own channel: a late message of a closed one is never mistaken

/**
 * A class to give `Connection` as its `WebSocketImpl`: `new ParentSocket(url)` ignores `url`.
 * @param {object} options
 * @param {Window} options.self this page's window (messages arrive on it)
 * @param {Window} options.parent the embedding window (messages go to it)
 * @param {string|null} options.serverId echoed in every message
 */
export function parentSocketClass({ self, parent, serverId }) {
  return class ParentSocket {
    constructor() {
      this.readyState = CONNECTING;
      this.binaryType = 'arraybuffer';
      this.channel = ++channels;
      this._listeners = { open: new Set(), message: new Set(), close: new Set(), error: new Set() };
      this._onMessage = (event) => this._receive(event);
      self.addEventListener('message', this._onMessage);
      this._openTimer = setTimeout(() => this._closed(1006, 'the embedding window did not open a comm'), OPEN_TIMEOUT_MS);
      this._post({ type: RELAY_MESSAGE.OPEN });
    }

    addEventListener(type, listener) {
      this._listeners[type]?.add(listener);
    }

    removeEventListener(type, listener) {
      this._listeners[type]?.delete(listener);
    }

    /** Send one frame (an ArrayBuffer or a view of one: wslink's chunks are Uint8Arrays). */
    send(data) {
      if (this.readyState !== OPEN) throw new Error('ParentSocket is not open');
      let buffer;
      if (data instanceof ArrayBuffer) {
        buffer = data;
      } else {
        // A view may share its buffer with other data: transfer a copy of exactly its bytes.
        const whole = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength;
        buffer = whole ? data.buffer : data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength);
      }
      this._post({ type: RELAY_MESSAGE.FRAME, frame: buffer }, [buffer]);
    }

    close(code = 1000, reason = '') {
      if (this.readyState >= CLOSING) return;
      this._post({ type: RELAY_MESSAGE.CLOSE, code, reason });
      this._closed(code, reason);
    }

    /** @param {*} message a `ChannelMessage` but its `server_id` and `channel`, which this adds */
    _post(message, transfer = []) {
      parent.postMessage({ ...message, server_id: serverId, channel: this.channel }, '*', transfer);
    }

    _receive(event) {
      /** @type {import('@trame-jupyter/common').Untrusted<ChannelMessage>} */
      const data = event.data;
      // Only the embedding window speaks for the comm, and only about this channel.
      if (event.source !== parent || !data || typeof data !== 'object' || data.channel !== this.channel) return;
      if (data.type === RELAY_MESSAGE.OPEN && this.readyState === CONNECTING) {
        clearTimeout(this._openTimer);
        this.readyState = OPEN;
        this._emit('open', { type: 'open' });
      } else if (data.type === RELAY_MESSAGE.FRAME && this.readyState === OPEN && data.frame instanceof ArrayBuffer) {
        this._emit('message', { type: 'message', data: data.frame });
      } else if (data.type === RELAY_MESSAGE.CLOSE) {
        this._closed(Number(data.code) || 1006, String(data.reason ?? ''));
      }
    }

    _closed(code, reason) {
      if (this.readyState === CLOSED) return;
      clearTimeout(this._openTimer);
      this.readyState = CLOSED;
      self.removeEventListener('message', this._onMessage);
      // Later, as a WebSocket does: a caller of close() finishes before the close listeners run.
      setTimeout(() => this._emit('close', { type: 'close', code, reason, wasClean: code === 1000 }), 0);
    }

    _emit(type, event) {
      for (const listener of [...this._listeners[type]]) {
        try {
          listener(event);
        } catch (error) {
          console.error(`trame-jupyter: a ${type} listener failed:`, error);
        }
      }
    }
  };
}
