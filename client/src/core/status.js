// The visible connection status: #trame-jupyter-status[data-status], and the app dimmed and inert
// whenever what it shows may be stale (so old values are never taken for live ones). In a frame of
// our JupyterLab renderer the line stays hidden: the renderer shows one notice for the whole output.
import { STATUS } from './protocol.js';

const TEXT = {
  [STATUS.CONNECTING]: 'Connecting to the server…',
  [STATUS.LIVE]: '',
  [STATUS.WAITING]: 'Waiting for the kernel (busy in a cell?): your changes are sent when it answers.',
  [STATUS.RECONNECTING]: 'Connection lost: reconnecting…',
  [STATUS.STOPPED]: 'The server of this app has stopped.',
};

export class StatusView {
  /**
   * @param {HTMLElement} element the status element (id trame-jupyter-status)
   * @param {HTMLElement} app the element the app is mounted in
   * @param {{shown?: boolean}} [options] `shown: false` keeps the line hidden (data-status still follows)
   */
  constructor(element, app, { shown = true } = {}) {
    this.element = element;
    this.app = app;
    this.shown = shown;
    this.status = null;
    this._listeners = new Set();
  }

  onChange(listener) {
    this._listeners.add(listener);
  }

  set(status, detail) {
    const changed = status !== this.status;
    this.status = status;
    this.element.dataset.status = status;
    this.element.textContent = detail || TEXT[status] || status;
    this.element.hidden = !this.shown || status === STATUS.LIVE;
    // Waiting, the app stays usable: what the user does is queued and reaches the server in order.
    const stale = status !== STATUS.LIVE && status !== STATUS.WAITING;
    this.element.setAttribute('role', status === STATUS.STOPPED ? 'alert' : 'status');
    this.app.classList.toggle('trame-jupyter-stale', stale);
    if (stale) this.app.setAttribute('inert', '');
    else this.app.removeAttribute('inert');
    this.app.setAttribute('aria-busy', String(status === STATUS.CONNECTING || status === STATUS.RECONNECTING));
    if (changed) for (const listener of this._listeners) listener(status);
  }
}
