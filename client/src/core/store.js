// The client's copy of the shared state: values, change listeners, and the queue that sends local
// writes to the server. No framework here: the Vue layer mirrors it into reactive objects.
import { FILTER_KEY, KEY, RPC } from './protocol.js';
import { encodeFiles, needsFileEncoding } from './files.js';

const hasOwn = (object, key) => Object.prototype.hasOwnProperty.call(object, key);
const isPlainObject = (value) =>
  value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype;

function shallowEqual(a, b) {
  if (Object.is(a, b)) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => shallowEqual(v, b[i]));
  return false;
}

// A value carrying `_filter` (an uploaded file) comes back without its filtered sub-keys: it only
// counts as changed if one of the sub-keys it does carry differs from what we hold.
function sameFilteredValue(local, incoming) {
  if (!isPlainObject(incoming) || !Array.isArray(incoming[FILTER_KEY]) || !isPlainObject(local)) return false;
  return Object.keys(incoming).every((key) => key.startsWith('_') || shallowEqual(local[key], incoming[key]));
}

export class StateStore {
  /**
   * @param {object} options
   * @param {Function} options.call `(method, args) => Promise`: how writes reach the server
   * @param {Function} [options.onSendError] called with the error of a failed state update
   */
  constructor({ call, onSendError } = {}) {
    this._call = call;
    this._onSendError = onSendError || ((error) => console.error('trame-jupyter: state update failed:', error));
    this._values = Object.create(null);
    this._listeners = new Set();
    this._pending = new Map(); // key → value written locally, not sent yet
    this._inflight = new Map(); // key → number of sent writes the server has not answered yet
    this._clientOnly = new Set([KEY.BUSY]);
    this._busy = 0;
    this._flushQueued = false;
    this._sending = Promise.resolve(); // keeps sends that need file reading in order
    this._encoding = 0;
  }

  // -- reading -------------------------------------------------------------------------------

  get(key) {
    return this._values[key];
  }

  has(key) {
    return hasOwn(this._values, key);
  }

  keys() {
    return Object.keys(this._values);
  }

  /** A shallow copy of every value. */
  snapshot() {
    return { ...this._values };
  }

  /** `listener(keys)` after values changed (locally or from the server). Returns an unsubscribe function. */
  onChange(listener) {
    this._listeners.add(listener);
    return () => this._listeners.delete(listener);
  }

  // -- local writes --------------------------------------------------------------------------

  /** Write one key and send it (coalesced with other writes of this tick) unless it is client-only. */
  set(key, value) {
    this.update({ [key]: value });
  }

  /** Write several keys at once. */
  update(values) {
    const changed = [];
    for (const key of Object.keys(values)) {
      const value = values[key];
      // Objects are always sent: they may have been mutated in place before being written back.
      if (this.has(key) && Object.is(this._values[key], value) && (value === null || typeof value !== 'object')) {
        continue;
      }
      this._values[key] = value;
      changed.push(key);
      if (!this._clientOnly.has(key)) this._pending.set(key, value);
    }
    if (changed.length) {
      this._noteClientOnly(changed);
      this._notify(changed);
      this._scheduleFlush();
    }
  }

  /** Send these keys now with their current value (after in-place mutation); all pending keys if none. */
  flush(...keys) {
    for (const key of keys) {
      if (this.has(key) && !this._clientOnly.has(key)) this._pending.set(key, this._values[key]);
    }
    this._flush(true);
  }

  /** Set a value that is never sent (busy count, sizes computed locally, …). */
  setLocal(key, value) {
    if (this.has(key) && Object.is(this._values[key], value)) return;
    this._values[key] = value;
    this._notify([key]);
  }

  /** Number of RPCs in flight: writes wait while it is above zero, then go out together. */
  setBusy(count) {
    this._busy = count;
    this.setLocal(KEY.BUSY, count);
    if (count === 0 && this._pending.size) this._flush(false);
  }

  // -- server values -------------------------------------------------------------------------

  /**
   * Merge a `trame.state.topic` payload.
   *
   * A key we wrote and have not had answered yet is skipped: the server handles messages in order, so
   * whatever it published before answering our write is older than our write. The answer then gives
   * the value the server kept (see `_send`), so every client ends with the server's state.
   */
  applyRemote(changes) {
    const changed = [];
    for (const key of Object.keys(changes)) {
      if (this._pending.has(key) || this._inflight.has(key)) continue; // our write is newer than this
      const value = changes[key];
      if (this.has(key) && sameFilteredValue(this._values[key], value)) continue;
      this._values[key] = value;
      changed.push(key);
    }
    if (changed.length) {
      this._noteClientOnly(changed);
      this._notify(changed);
    }
  }

  /** Replace everything with a full state from `trame.state.get` (first load and every resync). */
  replaceAll(state) {
    const changed = new Set(Object.keys(this._values));
    const kept = Object.create(null);
    for (const key of this._clientOnly) {
      if (this.has(key) && !hasOwn(state, key)) kept[key] = this._values[key];
    }
    this._values = Object.assign(Object.create(null), state, kept);
    if (this._busy || hasOwn(state, KEY.BUSY)) this._values[KEY.BUSY] = this._busy;
    this._pending.clear(); // writes made while disconnected lose against the server's state
    this._inflight.clear();
    for (const key of Object.keys(this._values)) changed.add(key);
    this._noteClientOnly([...changed]);
    this._notify([...changed]);
  }

  // -- internals -----------------------------------------------------------------------------

  _noteClientOnly(keys) {
    if (keys.includes(KEY.CLIENT_ONLY)) {
      const list = this._values[KEY.CLIENT_ONLY];
      this._clientOnly = new Set([KEY.BUSY, ...(Array.isArray(list) ? list : [])]);
      for (const key of this._clientOnly) this._pending.delete(key);
    }
  }

  _notify(keys) {
    for (const listener of this._listeners) {
      try {
        listener(keys);
      } catch (error) {
        console.error('trame-jupyter: state listener failed:', error);
      }
    }
  }

  _scheduleFlush() {
    if (this._flushQueued) return;
    this._flushQueued = true;
    queueMicrotask(() => {
      this._flushQueued = false;
      this._flush(false);
    });
  }

  // `force` sends even while RPCs are in flight (before a trigger, so the order the page wrote
  // things in is the order the server sees them).
  _flush(force) {
    if (!this._pending.size || (!force && this._busy > 0) || !this._call) return;
    const changes = [];
    let hasFiles = false;
    for (const [key, value] of this._pending) {
      changes.push({ key, value });
      hasFiles ||= needsFileEncoding(value);
    }
    this._pending.clear();
    if (!hasFiles && this._encoding === 0) {
      this._send(changes);
      return;
    }
    // Reading files is asynchronous: this send, and any made meanwhile, wait their turn.
    this._encoding += 1;
    this._sending = this._sending
      .then(async () => {
        const encoded = hasFiles
          ? await Promise.all(changes.map(async (c) => ({ key: c.key, value: await encodeFiles(c.value) })))
          : changes;
        this._send(encoded);
      })
      .catch((error) => this._onSendError(error))
      .finally(() => {
        this._encoding -= 1;
      });
  }

  _send(changes) {
    const keys = changes.map((change) => change.key);
    for (const key of keys) this._inflight.set(key, (this._inflight.get(key) || 0) + 1);
    const answered = (kept) => {
      for (const key of keys) {
        const left = (this._inflight.get(key) || 0) - 1;
        if (left > 0) this._inflight.set(key, left);
        else this._inflight.delete(key);
      }
      // The server answers with the values it kept where they differ from what we wrote (a callback
      // changed them): those are newer than anything it published before, which we skipped.
      if (kept && typeof kept === 'object' && !Array.isArray(kept)) this.applyRemote(kept);
    };
    this._call(RPC.STATE_UPDATE, [changes]).then(answered, (error) => {
      answered(null);
      this._onSendError(error);
    });
  }
}
