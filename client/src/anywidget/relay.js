// The relay of one anywidget view: the page in the view's iframe speaks wslink through
// `window.parent.postMessage` (client/src/core/parentSocket.js), exactly as it does under our JupyterLab
// renderer (labextension/src/commRelay.ts); here each of its connections (a `channel`) is a virtual comm
// carried in the widget's own custom messages. Frames are buffers both ways, never base64.
//
// On the wire (model.send / msg:custom), each message is what a comm of our target would carry, plus the
// channel it belongs to: `{type: COMM_MESSAGE.FRAME, channel}` + one buffer (from the kernel, one or more:
// the frames of one tick, in order); and the comm's life:
// `{type: MESSAGE_COMM_OPEN, channel}` (to the kernel: open; from it: the channel reaches the server, and
// only then is the page told it is open, so a kernel that never answers leaves the page's own timeout to
// say so) and `{type: MESSAGE_COMM_CLOSE, channel, code, reason}`. Every view of the model (two outputs,
// two browser tabs) gets every message of the model, and each page numbers its channels from 1: on the
// wire a channel is `<view prefix>:<page channel>`, the prefix random per view.
//
// Channel 0 is the view's own (pages number theirs from 1): `fetch(path)` asks the kernel for one of the
// server's files on it (`{type: COMM_MESSAGE.FETCH, id, path}` → `{type: COMM_MESSAGE.FETCH_REPLY, id,
// status, mime, reason}` + the body as the one buffer, `FetchClient` of @trame-jupyter/common), to load
// the page where no HTTP route reaches the server, and for the files the page asks for (`MESSAGE_FETCH`).
import {
  COMM_MESSAGE,
  FetchClient,
  MESSAGE_COMM_CLOSE,
  MESSAGE_COMM_FRAME,
  MESSAGE_COMM_OPEN,
  MESSAGE_FETCH,
  MESSAGE_FETCH_REPLY,
  ownBuffer,
} from '@trame-jupyter/common';

/** @typedef {import('@trame-jupyter/common').WidgetMessage} WidgetMessage to and from the kernel */
/** @typedef {import('@trame-jupyter/common').WindowMessage} WindowMessage to the page */
/** @typedef {import('@trame-jupyter/common').PageMessage} PageMessage from the page */
/**
 * @template T
 * @typedef {import('@trame-jupyter/common').Untrusted<T>} Untrusted a message not yet checked
 */

/** The view's own channel, for fetches. */
export const FETCH_CHANNEL = 0;

/** Close code for the page when the view goes away or the widget is closed: "going away". */
export const CLOSE_GOING_AWAY = 1001;

/**
 * @param {object} options
 * @param {(content: WidgetMessage, buffers: ArrayBuffer[]) => void} options.send to the kernel (model.send)
 * @param {(message: WindowMessage, transfer: Transferable[]) => void} options.post to the page
 * @param {string} [options.prefix] this view's part of the wire channel names (random by default)
 */
export function createRelay({ send, post, prefix = randomPrefix() }) {
  // page channel → 'opening' (asked the kernel) | 'open' (the kernel answered)
  const channels = new Map();
  const wire = (channel) => `${prefix}:${channel}`;
  const pageChannel = (name) => {
    if (typeof name !== 'string' || !name.startsWith(`${prefix}:`)) return null;
    const channel = Number(name.slice(prefix.length + 1));
    return channels.has(channel) ? channel : null;
  };

  // -- fetches, on the view's own channel (a FetchClient of the page loader per opening of it) --
  // Requests follow the open at once: the kernel takes a channel's messages in order, and keeps those
  // that come before its server serves; a kernel that never answers leaves the client's timeout to say so.
  let files = null; // the FetchClient while the fetch channel is open or opening
  const openFiles = () => {
    const client = new FetchClient((data, buffers) => send({ ...data, channel: wire(FETCH_CHANNEL) }, buffers));
    channels.set(FETCH_CHANNEL, 'opening');
    send({ type: MESSAGE_COMM_OPEN, channel: wire(FETCH_CHANNEL) }, []);
    return client;
  };
  const failFiles = (reason) => {
    files?.fail(reason);
    files = null;
  };
  const fetchFile = (path) => {
    if (!files) files = openFiles();
    return files.fetch(path);
  };
  const filesMessage = (content, buffers) => {
    if (content.type === MESSAGE_COMM_OPEN) {
      channels.set(FETCH_CHANNEL, 'open');
    } else if (content.type === MESSAGE_COMM_CLOSE) {
      channels.delete(FETCH_CHANNEL);
      failFiles(typeof content.reason === 'string' ? content.reason : 'the kernel closed the fetch channel');
    } else {
      files?.receive(content, buffers);
    }
  };
  // A file the page asks for (a widget package's script): fetched here, its body moved to the page.
  const fetchForPage = (id, path) => {
    if (typeof id !== 'number' || typeof path !== 'string') return;
    const answer = ({ status, mime, reason, body }) =>
      post({ type: MESSAGE_FETCH_REPLY, id, status, mime, reason, body }, body ? [body] : []);
    const failed = (error) => answer({ status: 0, mime: '', reason: String(error?.message ?? error), body: null });
    fetchFile(path).then(answer, failed);
  };

  /** @param {Untrusted<PageMessage>} data */
  const fromPage = (data) => {
    if (data?.type === MESSAGE_FETCH) {
      fetchForPage(data.id, data.path);
      return true;
    }
    const channel = data?.channel;
    if (typeof channel !== 'number' || !Number.isInteger(channel) || channel === FETCH_CHANNEL) return false;
    if (data.type === MESSAGE_COMM_OPEN) {
      if (channels.has(channel)) send({ type: MESSAGE_COMM_CLOSE, channel: wire(channel) }, []); // a repeat replaces it
      channels.set(channel, 'opening');
      send({ type: MESSAGE_COMM_OPEN, channel: wire(channel) }, []);
    } else if (data.type === MESSAGE_COMM_FRAME) {
      if (channels.get(channel) === 'open' && data.frame instanceof ArrayBuffer) {
        send({ type: COMM_MESSAGE.FRAME, channel: wire(channel) }, [data.frame]);
      }
    } else if (data.type === MESSAGE_COMM_CLOSE) {
      if (channels.delete(channel)) send({ type: MESSAGE_COMM_CLOSE, channel: wire(channel) }, []);
    } else {
      return false;
    }
    return true;
  };

  /** @param {Untrusted<WidgetMessage>} content */
  const fromKernel = (content, buffers = []) => {
    const channel = pageChannel(content?.channel);
    if (channel === null) return; // another view's, or closed
    if (channel === FETCH_CHANNEL) {
      filesMessage(content, buffers);
      return;
    }
    if (content.type === MESSAGE_COMM_OPEN) {
      channels.set(channel, 'open');
      post({ type: MESSAGE_COMM_OPEN, channel }, []);
    } else if (content.type === COMM_MESSAGE.FRAME) {
      // One frame per buffer, in order (the kernel batches the frames of one tick: COMM_OPEN_BATCHES).
      for (const buffer of buffers) {
        const frame = ownBuffer(buffer);
        post({ type: MESSAGE_COMM_FRAME, channel, frame }, [frame]);
      }
    } else if (content.type === MESSAGE_COMM_CLOSE) {
      channels.delete(channel);
      const code = typeof content.code === 'number' ? content.code : 1006;
      const reason = typeof content.reason === 'string' ? content.reason : 'the kernel closed the connection';
      post({ type: MESSAGE_COMM_CLOSE, channel, code, reason }, []);
    }
  };

  /** Close every channel on both sides (the view is removed, or the page unloaded). */
  const closeAll = (reason = 'the view was closed', tellPage = true) => {
    for (const channel of [...channels.keys()]) {
      channels.delete(channel);
      try {
        send({ type: MESSAGE_COMM_CLOSE, channel: wire(channel) }, []);
      } catch {
        // the kernel is gone: nothing to tell
      }
      if (tellPage && channel !== FETCH_CHANNEL) {
        post({ type: MESSAGE_COMM_CLOSE, channel, code: CLOSE_GOING_AWAY, reason }, []);
      }
    }
    failFiles(reason);
  };

  return {
    fromPage,
    fromKernel,
    closeAll,
    /** One of the server's files by its path: `{status, mime, reason, body: ArrayBuffer|null}`. */
    fetch: fetchFile,
    get size() {
      return channels.size;
    },
  };
}

function randomPrefix() {
  const bytes = new Uint8Array(6);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
