/**
 * `TrameView`: one live view of a kernel's trame server: a same-origin iframe of the page the
 * server extension proxies, a small toolbar (connection state, open elsewhere), and notices over a
 * dimmed frame when the server, or its kernel, is gone.
 *
 * Sizing. In an output the frame takes the content height the page posts (`trame-jupyter:size`,
 * accepted only from this frame's window), or the bundle's fixed `height`. In a linked output view
 * ("Create New View for Output") and in a main-area tab it fills the space it is given. The frame is
 * never measured: only the content height reported by the page, and, in a linked view, the position
 * of this widget inside its container, which do not depend on the frame's height.
 *
 * Lifecycle. Lumino hooks: the message listener lives between `onAfterAttach` and `onBeforeDetach`
 * (a detached iframe has no page; a re-attached one reloads), `onResize`/`onAfterShow` refit a
 * filling view, and `dispose` unloads the page, which closes its websocket, so clearing the output,
 * deleting the cell or closing the notebook leaves no client behind.
 */
import { PageConfig, URLExt } from '@jupyterlab/coreutils';
import { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { LabIcon, launchIcon, refreshIcon, tabIcon } from '@jupyterlab/ui-components';
import { Message } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';

import { ITrameBundle, MIME_TYPE, parseBundle, samePage } from './bundle';
import { MESSAGE_SIZE, MESSAGE_STATUS } from './contract';
import { getHost, onHostChanged } from './host';
import { checkKernel, Verdict } from './kernelStatus';
import { HeightFollower, MIN_HEIGHT } from './sizing';
import { EXTENSION_VERSION } from './version';

/** Height of a following frame before the page reports its content height. */
const INITIAL_HEIGHT = 150;
/** After the frame loads, how long to wait for the page's first message before asking why not. */
const SILENT_PAGE_MS = 3000;
/** The class of a linked output view ("Create New View for Output"), set by JupyterLab. */
const LINKED_OUTPUT_VIEW = 'jp-LinkedOutputView';

/** What the toolbar shows, and whether the frame is dimmed under a notice. */
export type ViewState =
  | 'connecting'
  | 'live'
  | 'reconnecting'
  | 'checking'
  | 'disconnected'
  | 'not-loaded'
  | 'stopped'
  | 'server-stopped'
  | 'kernel-restarted'
  | 'kernel-shutdown'
  | 'error';

interface IStateInfo {
  label: string;
  /** Shown over the dimmed frame. */
  notice?: string;
  /** The notice offers to reload the page (the server may still be there). */
  reload?: boolean;
  /** The server is gone for good: no page to keep alive. */
  final?: boolean;
}

const STATES: Record<ViewState, IStateInfo> = {
  connecting: { label: 'connecting…' },
  live: { label: 'live' },
  reconnecting: { label: 'reconnecting…' },
  checking: { label: 'checking…' },
  disconnected: {
    label: 'disconnected',
    notice: 'This view lost its connection, but its server still runs.',
    reload: true
  },
  'not-loaded': {
    label: 'not loaded',
    notice: 'The app page did not load: the kernel may be busy, or the server extension is not answering.',
    reload: true
  },
  stopped: {
    label: 'stopped',
    notice: 'The server of this view is gone. Re-run the cell to show it again.',
    final: true
  },
  'server-stopped': {
    label: 'server stopped',
    notice: 'The server of this view was stopped. Re-run the cell to show it again.',
    final: true
  },
  'kernel-restarted': {
    label: 'kernel restarted',
    notice: 'The kernel was restarted — re-run the cell.',
    final: true
  },
  'kernel-shutdown': {
    label: 'kernel shut down',
    notice: 'The kernel of this view was shut down. Start a kernel and re-run the cell.',
    final: true
  },
  error: { label: 'error' }
};

const VERDICT_STATE: Record<Verdict, ViewState> = {
  running: 'disconnected',
  'server-stopped': 'server-stopped',
  'kernel-restarted': 'kernel-restarted',
  'kernel-shutdown': 'kernel-shutdown',
  unknown: 'stopped'
};

/** Options of a view. */
export interface ITrameViewOptions {
  /** Fill the widget's box (a main-area tab) instead of following the content height. */
  fill?: boolean;
  /** Offer "open in a JupyterLab tab" when the application supports it (default true). */
  tabAction?: boolean;
}

function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className: string,
  text?: string
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.className = className;
  if (text !== undefined) {
    node.textContent = text;
  }
  return node;
}

function iconInto(node: HTMLElement, icon: LabIcon): void {
  icon.element({ container: node.appendChild(element('span', 'trame-jupyter-icon')), tag: 'span' });
}

/** The absolute URL of a bundle's page: its path joined to this page's Jupyter base URL. */
export function pageUrl(bundle: ITrameBundle): string {
  return URLExt.join(PageConfig.getBaseUrl(), bundle.path);
}

/** The renderer of `application/vnd.trame-jupyter.v1+json`, also the content of a main-area tab. */
export class TrameView extends Widget implements IRenderMime.IRenderer {
  constructor(options: ITrameViewOptions = {}) {
    super();
    this._layoutFill = !!options.fill;
    this._tabAction = options.tabAction !== false;
    this.addClass('trame-jupyter-view');
    if (this._layoutFill) {
      this.addClass('trame-jupyter-fill');
    }

    const toolbar = element('div', 'trame-jupyter-toolbar');
    this._stateNode = element('span', 'trame-jupyter-state');
    this._stateNode.setAttribute('role', 'status');
    this._stateNode.appendChild(element('span', 'trame-jupyter-dot'));
    this._stateLabel = this._stateNode.appendChild(element('span', 'trame-jupyter-state-label'));
    this._nameNode = element('span', 'trame-jupyter-name');
    this._browserLink = element('a', 'trame-jupyter-action trame-jupyter-open-browser');
    this._browserLink.target = '_blank';
    this._browserLink.rel = 'noopener';
    this._browserLink.title = 'Open this view in a new browser tab';
    iconInto(this._browserLink, launchIcon);
    this._browserLink.appendChild(element('span', 'trame-jupyter-action-label', 'browser tab'));
    this._tabButton = element('button', 'trame-jupyter-action trame-jupyter-open-tab');
    this._tabButton.type = 'button';
    this._tabButton.title = 'Open this view in a JupyterLab tab';
    iconInto(this._tabButton, tabIcon);
    this._tabButton.appendChild(element('span', 'trame-jupyter-action-label', 'JupyterLab tab'));
    this._tabButton.addEventListener('click', () => {
      const host = getHost();
      if (host && this._bundle) {
        host.openInTab(this._bundle);
      }
    });
    toolbar.append(this._stateNode, this._nameNode, element('span', 'trame-jupyter-spacer'));
    toolbar.append(this._browserLink, this._tabButton);

    this._versionNotice = element('div', 'trame-jupyter-notice trame-jupyter-version');
    this._versionNotice.hidden = true;

    this._stage = element('div', 'trame-jupyter-stage');
    this._frame = element('iframe', 'trame-jupyter-frame');
    // No sandbox: the page must run its scripts, and be same-origin to be authenticated by
    // Jupyter's cookie (and so its websocket); a sandbox allowing both would protect nothing.
    this._frame.setAttribute('allow', 'clipboard-read; clipboard-write; fullscreen');
    this._frame.addEventListener('load', this._onFrameLoad);
    this._overlay = element('div', 'trame-jupyter-overlay');
    this._overlay.hidden = true;
    this._overlayText = this._overlay.appendChild(element('div', 'trame-jupyter-overlay-text'));
    this._reloadButton = this._overlay.appendChild(element('button', 'trame-jupyter-action trame-jupyter-reload'));
    this._reloadButton.type = 'button';
    iconInto(this._reloadButton, refreshIcon);
    this._reloadButton.appendChild(element('span', 'trame-jupyter-action-label', 'Reload view'));
    this._reloadButton.addEventListener('click', () => this._load());
    this._stage.append(this._frame, this._overlay);

    this._errorNode = element('div', 'trame-jupyter-error');
    this._errorNode.hidden = true;

    this.node.append(toolbar, this._versionNotice, this._stage, this._errorNode);
    this._toolbar = toolbar;
    this._follower = new HeightFollower(height => this._setFrameHeight(`${height}px`));
    this._stopHostListener = onHostChanged(() => this._updateActions());
    this._setState('connecting');
  }

  /** The bundle shown, or null (nothing rendered yet, or invalid data). */
  get bundle(): ITrameBundle | null {
    return this._bundle;
  }

  /** The toolbar's connection state. */
  get state(): ViewState {
    return this._state;
  }

  /** Render MIME data: called by the output area, again when the output is updated in place. */
  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    const data = model.data[MIME_TYPE];
    const parsed = parseBundle(data);
    if (!parsed.ok) {
      const version = (data as { version?: unknown } | null)?.version;
      this._showError(parsed.errors, typeof version === 'string' ? version : null);
      return;
    }
    this.setBundle(parsed.bundle);
  }

  /** Show a bundle (the page is reloaded only if it is another page). */
  setBundle(bundle: ITrameBundle): void {
    const same = samePage(this._bundle, bundle);
    this._bundle = bundle;
    this._errorNode.hidden = true;
    this._toolbar.hidden = false;
    this._stage.hidden = false;
    this._nameNode.textContent = bundle.name;
    this._nameNode.title = `server ${bundle.server_id}, layout ${bundle.ui}`;
    this._browserLink.href = pageUrl(bundle);
    this._frame.title = `trame app ${bundle.name}`;
    this._frame.style.width = bundle.width ?? '100%';
    this._showVersion(bundle.version);
    this._updateActions();
    this._fit();
    if (!same) {
      this._load();
    }
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._stopHostListener();
    this._clearTimer();
    window.removeEventListener('message', this._onMessage);
    this._frame.removeEventListener('load', this._onFrameLoad);
    super.dispose();
    // Unload the page even if something still holds the node: its websocket closes with it.
    this._frame.removeAttribute('src');
    this._frame.remove();
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    window.addEventListener('message', this._onMessage);
    this._fillContainer = this._layoutFill ? null : this.node.closest<HTMLElement>(`.${LINKED_OUTPUT_VIEW}`);
    this.toggleClass('trame-jupyter-fill', this._layoutFill || !!this._fillContainer);
    if (this._bundle && this._frameUrl !== null && STATES[this._state].final) {
      this._unload(); // re-inserting the frame would load a page whose server is gone
    } else if (this._bundle && this._frameUrl !== null) {
      // Inserting the frame (again) loads the page (again): start over, and check the server is
      // still there, which a saved output re-opened after its kernel went away is not.
      this._follower.reset();
      this._messages = 0;
      this._pageStatus = null;
      this._setState('connecting');
      void this._verify('attach');
    }
    this._fit();
  }

  protected onBeforeDetach(msg: Message): void {
    window.removeEventListener('message', this._onMessage);
    this._clearTimer();
    super.onBeforeDetach(msg);
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this._fit();
  }

  protected onResize(msg: Widget.ResizeMessage): void {
    super.onResize(msg);
    this._fit();
  }

  protected onActivateRequest(msg: Message): void {
    super.onActivateRequest(msg);
    this._frame.focus();
  }

  // -- page -------------------------------------------------------------------------------

  private _load(): void {
    const bundle = this._bundle;
    if (!bundle) {
      return;
    }
    this._clearTimer();
    this._follower.reset();
    this._messages = 0;
    this._pageStatus = null;
    this._verifying = null;
    this._setState('connecting');
    if (!bundle.height && !this._isFilling()) {
      this._setFrameHeight(`${INITIAL_HEIGHT}px`);
    }
    this._frameUrl = pageUrl(bundle);
    this._frame.src = this._frameUrl;
  }

  /** Unload the page (and so close its websocket), keeping the frame element. */
  private _unload(): void {
    this._clearTimer();
    this._frameUrl = null;
    if (this._frame.getAttribute('src') && this._frame.getAttribute('src') !== 'about:blank') {
      this._frame.src = 'about:blank';
    }
  }

  private _onFrameLoad = (): void => {
    this._clearTimer();
    if (!this._bundle || this._frameUrl === null || this._messages > 0) {
      return;
    }
    // A page that says nothing is not our app (e.g. the proxy's error page): ask why.
    this._timer = window.setTimeout(() => {
      this._timer = null;
      if (this._messages === 0 && this.isAttached) {
        void this._verify('silent');
      }
    }, SILENT_PAGE_MS);
  };

  private _onMessage = (event: MessageEvent): void => {
    const source = this._frame.contentWindow;
    if (!source || event.source !== source) {
      return;
    }
    const data = event.data as { type?: unknown; server_id?: unknown; height?: unknown; status?: unknown };
    if (!data || typeof data !== 'object') {
      return;
    }
    if (this._bundle && typeof data.server_id === 'string' && data.server_id !== this._bundle.server_id) {
      return;
    }
    if (data.type === MESSAGE_SIZE) {
      this._messages += 1;
      this._clearTimer();
      if (!this._bundle?.height && !this._isFilling()) {
        this._follower.report(data.height);
      }
    } else if (data.type === MESSAGE_STATUS && typeof data.status === 'string') {
      this._messages += 1;
      this._clearTimer();
      this._onPageStatus(data.status);
    }
  };

  private _onPageStatus(status: string): void {
    this._pageStatus = status;
    if (STATES[this._state].final) {
      return; // the server is gone; the page only confirms it
    }
    switch (status) {
      case 'connecting':
      case 'live':
      case 'reconnecting':
        this._setState(status);
        break;
      case 'stopped':
        void this._verify('stopped');
        break;
      default:
        break;
    }
  }

  /**
   * Ask the server extension what became of the kernel and server, and show it.
   *
   * `attach`: only a server that is gone matters (the page may still be loading);
   * `stopped`: the page gave up; `silent`: the frame loaded something that is not the app.
   */
  private async _verify(reason: 'attach' | 'stopped' | 'silent'): Promise<void> {
    const bundle = this._bundle;
    if (!bundle) {
      return;
    }
    if (reason !== 'attach') {
      this._setState('checking');
    }
    const pending = checkKernel(bundle);
    this._verifying = pending;
    const verdict = await pending;
    if (this.isDisposed || this._bundle !== bundle || this._verifying !== pending) {
      return; // superseded by a reload or another bundle
    }
    if (reason === 'attach') {
      if (verdict === 'running' || verdict === 'unknown' || this._pageStatus === 'live') {
        return;
      }
    } else if (reason === 'silent' && verdict === 'running') {
      this._setState('not-loaded');
      return;
    }
    const state = VERDICT_STATE[verdict];
    this._setState(state);
    if (STATES[state].final && this._pageStatus !== 'stopped') {
      // The page is not (or no longer) our app, or is still retrying: unload it, no dead frame.
      this._unload();
    }
  }

  // -- presentation ------------------------------------------------------------------------

  private _setState(state: ViewState): void {
    this._state = state;
    const info = STATES[state];
    this.node.dataset.state = state;
    this._stateNode.dataset.state = state;
    this._stateLabel.textContent = info.label;
    this._overlay.hidden = !info.notice;
    this._overlayText.textContent = info.notice ?? '';
    this._reloadButton.hidden = !info.reload;
    this._stage.classList.toggle('trame-jupyter-dimmed', !!info.notice);
  }

  private _showVersion(kernelVersion: string | null): void {
    const differs = kernelVersion !== null && kernelVersion !== EXTENSION_VERSION;
    this._versionNotice.hidden = !differs;
    this._versionNotice.textContent = differs
      ? `trame-jupyter versions differ: the kernel has ${kernelVersion}, this JupyterLab extension is ` +
        `${EXTENSION_VERSION}. Install the same version in the kernel's and in Jupyter's environment, ` +
        'then reload this page.'
      : '';
  }

  private _showError(errors: string[], kernelVersion: string | null): void {
    this._bundle = null;
    this._unload();
    this._toolbar.hidden = true;
    this._stage.hidden = true;
    this._setState('error');
    this._showVersion(kernelVersion);
    this._errorNode.replaceChildren(
      element('div', 'trame-jupyter-error-title', `trame-jupyter cannot show this output: its ${MIME_TYPE} data is invalid.`)
    );
    const list = this._errorNode.appendChild(element('ul', 'trame-jupyter-error-list'));
    for (const error of errors) {
      list.appendChild(element('li', '', error));
    }
    this._errorNode.hidden = false;
  }

  private _updateActions(): void {
    this._tabButton.hidden = !(this._tabAction && getHost() && this._bundle);
  }

  private _isFilling(): boolean {
    return this._layoutFill || !!this._fillContainer;
  }

  private _setFrameHeight(height: string): void {
    this._frame.style.height = height;
  }

  /** Size the frame: fixed, filling, or (by the follower) following the content. */
  private _fit(): void {
    const bundle = this._bundle;
    if (!bundle || !this.isAttached || !this.isVisible) {
      return;
    }
    if (this._layoutFill) {
      this._setFrameHeight('');
      return; // the stylesheet stretches the frame over the box the layout gives this widget
    }
    const container = this._fillContainer;
    if (container) {
      // The room left below this widget in the linked view (its size is set by the dock, not by us).
      const bottom = container.getBoundingClientRect().bottom - parseFloat(getComputedStyle(container).paddingBottom);
      const room = Math.floor(bottom - this.node.getBoundingClientRect().top);
      this.node.style.height = `${Math.max(MIN_HEIGHT * 2, room)}px`;
      this._setFrameHeight('');
      return;
    }
    if (bundle.height) {
      this._setFrameHeight(bundle.height);
    } else if (this._follower.height === null && !this._frame.style.height) {
      this._setFrameHeight(`${INITIAL_HEIGHT}px`);
    }
  }

  private _clearTimer(): void {
    if (this._timer !== null) {
      window.clearTimeout(this._timer);
      this._timer = null;
    }
  }

  private readonly _layoutFill: boolean;
  private readonly _tabAction: boolean;
  private readonly _toolbar: HTMLDivElement;
  private readonly _stateNode: HTMLSpanElement;
  private readonly _stateLabel: HTMLSpanElement;
  private readonly _nameNode: HTMLSpanElement;
  private readonly _browserLink: HTMLAnchorElement;
  private readonly _tabButton: HTMLButtonElement;
  private readonly _versionNotice: HTMLDivElement;
  private readonly _stage: HTMLDivElement;
  private readonly _frame: HTMLIFrameElement;
  private readonly _overlay: HTMLDivElement;
  private readonly _overlayText: HTMLDivElement;
  private readonly _reloadButton: HTMLButtonElement;
  private readonly _errorNode: HTMLDivElement;
  private readonly _follower: HeightFollower;
  private readonly _stopHostListener: () => void;
  private _bundle: ITrameBundle | null = null;
  private _state: ViewState = 'connecting';
  private _pageStatus: string | null = null;
  private _messages = 0;
  private _timer: number | null = null;
  private _verifying: Promise<Verdict> | null = null;
  private _fillContainer: HTMLElement | null = null;
  private _frameUrl: string | null = null;
}
