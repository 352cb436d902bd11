// The connection to one trame server: (re)connects with backoff, authenticates, counts calls in
// flight, fans publishes out to subscribers, and reports a status the page can show: `waiting` while
// calls go unanswered for a while (the kernel is busy in a cell), so a view never claims to be live then.
import { Session, RpcError } from './session.js';
import { COMM_CLOSE_NOT_FOUND, ERROR, STATUS, WAITING_AFTER_MS } from './protocol.js';

const HELLO_TIMEOUT_MS = 10000;

/** Why a connection gave up, with the text shown to the user. */
export const STOP_REASON = Object.freeze({
  gone: 'The server of this app has stopped. Run its notebook cell again to restart it.',
  timeout: 'The server of this app stopped answering. Run its notebook cell again to restart it.',
  auth: 'The server no longer accepts this page (it was restarted with a new secret). Display the app again.',
  'no-secret': 'This page was opened without credentials: open the address given by server.url.',
});

export class Connection {
  /**
   * @param {object} options
   * @param {string} options.url websocket URL
   * @param {string|null} options.secret secret for wslink.hello (null: ask `refreshSecret` first)
   * @param {Function} [options.refreshSecret] async () => {status: 'ok', secret} | {status: 'gone'} |
   *   {status: 'unreachable'}; given when the secret comes from the session endpoint, which is asked
   *   again before every reconnection (the server may have been replaced).
   * @param {Function} [options.onOpen] async ({reconnected}) => void, run after each hello; the status
   *   becomes `live` only once it resolves (the app is resynchronised before it is shown as live).
   * @param {object} [options.retry] `{initialDelay, maxDelay, giveUpAfter}` in ms
   * @param {number} [options.waitingAfter] ms without an answer to a call in flight before `waiting`
   */
  constructor({
    url,
    secret,
    refreshSecret,
    onOpen,
    retry = {},
    waitingAfter = WAITING_AFTER_MS,
    WebSocketImpl = globalThis.WebSocket,
  }) {
    this.url = url;
    this.secret = secret;
    this.refreshSecret = refreshSecret || null;
    this.onOpen = onOpen || (async () => {});
    // giveUpAfterShutdown: a server that closed with "going away" (it stopped) is given less time to
    // come back than one that vanished, so a stopped app says so quickly; a restart still reconnects.
    this.retry = { initialDelay: 250, maxDelay: 5000, giveUpAfter: 60000, giveUpAfterShutdown: 15000, ...retry };
    this.status = STATUS.CONNECTING;
    this.stopReason = null;
    this.session = null;
    this._WebSocket = WebSocketImpl;
    this._subscribers = new Map();
    this._statusListeners = new Set();
    this._busyListeners = new Set();
    this._busy = 0;
    this._waitingAfter = waitingAfter;
    this._answeredAt = 0; // when a call was last answered (or the first of a burst sent)
    this._waitTimer = null;
    this._attempts = 0;
    this._failingSince = null;
    this._wasLive = false;
    this._serverShutDown = false;
    this._timer = null;
    this._stopped = false;
  }

  // -- events --------------------------------------------------------------------------------

  onStatus(listener) {
    this._statusListeners.add(listener);
    return () => this._statusListeners.delete(listener);
  }

  /** `listener(count)` whenever the number of calls in flight changes. */
  onBusy(listener) {
    this._busyListeners.add(listener);
    return () => this._busyListeners.delete(listener);
  }

  get busy() {
    return this._busy;
  }

  /** Subscribe to a publish topic; survives reconnections. Returns an unsubscribe function. */
  subscribe(topic, callback) {
    if (!this._subscribers.has(topic)) this._subscribers.set(topic, new Set());
    this._subscribers.get(topic).add(callback);
    return () => this._subscribers.get(topic)?.delete(callback);
  }

  // -- calls ---------------------------------------------------------------------------------

  /** Call an RPC; rejects with an RpcError (also when the connection drops before the answer). */
  call(method, args = [], kwargs = {}) {
    const session = this.session;
    if (!session) {
      return Promise.reject(new RpcError(ERROR.CLIENT, `RPC ${method} not sent: not connected`));
    }
    if (this._busy === 0) this._answeredAt = Date.now();
    this._setBusy(this._busy + 1);
    const done = () => {
      this._answeredAt = Date.now();
      this._setBusy(this._busy - 1);
    };
    const promise = session.call(method, args, kwargs);
    promise.then(done, done);
    return promise;
  }

  // -- lifecycle -----------------------------------------------------------------------------

  start() {
    this._stopped = false;
    this._setStatus(STATUS.CONNECTING);
    this._attempt();
  }

  /** Close for good (page unload): no reconnection, and no "stopped" status (the server is fine). */
  close() {
    this._stop('closed', { quiet: true });
  }

  async _attempt() {
    this._timer = null;
    if (this._stopped) return;
    if (this.refreshSecret && (this.secret == null || this._wasLive || this._attempts > 0)) {
      const answer = await this.refreshSecret();
      if (this._stopped) return;
      if (answer.status === 'gone' || answer.status === 'no-secret') {
        this._stop(answer.status);
        return;
      }
      if (answer.status !== 'ok') {
        this._retryLater();
        return;
      }
      this.secret = answer.secret;
    }
    if (this.secret == null) {
      this._stop('no-secret');
      return;
    }
    let ws;
    try {
      ws = new this._WebSocket(this.url);
    } catch (error) {
      console.warn('trame-jupyter: cannot open the websocket:', error.message);
      this._retryLater();
      return;
    }
    const session = new Session(ws, {
      onPublish: (topic, payload) => this._publish(topic, payload),
      onClose: (event) => this._closed(session, event),
    });
    ws.addEventListener('open', () => this._authenticate(session));
  }

  async _authenticate(session) {
    const timeout = setTimeout(() => session.close(4000, 'hello timeout'), HELLO_TIMEOUT_MS);
    try {
      await session.hello(this.secret);
    } catch (error) {
      clearTimeout(timeout);
      if (error.code === ERROR.AUTHENTICATION && !this.refreshSecret) {
        this._stop('auth');
      }
      session.close(); // a refreshable secret is asked for again on the next attempt
      return;
    }
    clearTimeout(timeout);
    if (this._stopped) {
      session.close();
      return;
    }
    this.session = session;
    const reconnected = this._wasLive;
    try {
      await this.onOpen({ reconnected });
    } catch (error) {
      console.error('trame-jupyter: synchronising with the server failed:', error?.message ?? error);
      session.close();
      return;
    }
    if (session.closed || this._stopped) return;
    this._attempts = 0;
    this._failingSince = null;
    this._serverShutDown = false;
    this._wasLive = true;
    this._setStatus(STATUS.LIVE);
  }

  _closed(session, event) {
    if (this.session === session) this.session = null;
    if (event?.code === 1001) this._serverShutDown = true;
    if (this._stopped) return;
    if (event?.code === COMM_CLOSE_NOT_FOUND) {
      this._stop('gone'); // over a kernel comm: the kernel runs no such server (the proxy's "not registered")
      return;
    }
    if (this.status === STATUS.LIVE || this.status === STATUS.WAITING) this._setStatus(STATUS.RECONNECTING);
    this._retryLater();
  }

  _retryLater() {
    if (this._stopped || this._timer) return;
    const now = Date.now();
    if (this._failingSince === null) this._failingSince = now;
    const limit = this._serverShutDown ? this.retry.giveUpAfterShutdown : this.retry.giveUpAfter;
    if (now - this._failingSince > limit) {
      this._stop('timeout');
      return;
    }
    const delay = Math.min(this.retry.initialDelay * 2 ** this._attempts, this.retry.maxDelay);
    this._attempts += 1;
    this._timer = setTimeout(() => this._attempt(), delay);
  }

  _stop(reason, { quiet = false } = {}) {
    if (this._stopped) return;
    this._stopped = true;
    this.stopReason = reason;
    clearTimeout(this._timer);
    this._timer = null;
    clearTimeout(this._waitTimer);
    const session = this.session;
    this.session = null;
    session?.close(1000, 'client closed');
    if (!quiet) this._setStatus(STATUS.STOPPED);
  }

  _publish(topic, payload) {
    const subscribers = this._subscribers.get(topic);
    if (!subscribers || subscribers.size === 0) {
      console.warn(`trame-jupyter: ignoring a publish on unknown topic '${topic}'`);
      return;
    }
    for (const callback of subscribers) {
      try {
        callback(payload);
      } catch (error) {
        console.error(`trame-jupyter: handling '${topic}' failed:`, error);
      }
    }
  }

  _setBusy(count) {
    this._busy = Math.max(count, 0);
    for (const listener of this._busyListeners) listener(this._busy);
    this._watchAnswers();
  }

  /** `waiting` once calls in flight have had no answer for `waitingAfter` ms; `live` at the next answer. */
  _watchAnswers() {
    clearTimeout(this._waitTimer);
    this._waitTimer = null;
    if (this._stopped || !this.session) return;
    const silentFor = Date.now() - this._answeredAt;
    if (this._busy === 0 || silentFor < this._waitingAfter) {
      if (this.status === STATUS.WAITING) this._setStatus(STATUS.LIVE);
      if (this._busy > 0) this._waitTimer = setTimeout(() => this._watchAnswers(), this._waitingAfter - silentFor);
      return;
    }
    if (this.status === STATUS.LIVE) this._setStatus(STATUS.WAITING);
  }

  _setStatus(status) {
    if (this.status === status && status !== STATUS.CONNECTING) return;
    this.status = status;
    for (const listener of this._statusListeners) {
      try {
        listener(status, this.stopReason);
      } catch (error) {
        console.error('trame-jupyter: status listener failed:', error);
      }
    }
  }
}
