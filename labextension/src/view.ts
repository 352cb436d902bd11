/**
 * `TrameView`: one view of a kernel's trame server: a same-origin iframe of the page the server
 * extension proxies while the server is live, the app's last snapshot when it is not, a small toolbar
 * (connection state, open elsewhere), and at most one short notice with one action.
 *
 * What shows (`viewState.ts` decides). Live: the frame. Not live (loading, reconnecting, stopped, kernel
 * restarted or gone, a saved output): the last snapshot of the app, sanitized again here, in place of
 * the frame: the page's own picture, posted when it lost its connection (`MESSAGE_SNAPSHOT`), or the
 * bundle's, rendered by Python (at display time, or at stop in the final bundle), whichever is newer.
 * The notice is a line above the content, never an overlay, so no frame height can clip it.
 *
 * Transport. The page reaches its server through the Jupyter proxy (its own websocket), or through the
 * kernel comm (`transportChoice.ts`): forced by the bundle, or, by default, when the proxy does not reach
 * the server (a kernel behind a gateway or on another host) but the comm does. Over the comm the page
 * itself is fetched through it too (`loadPage` of `@trame-jupyter/common`) and shown from `blob:` URLs in
 * a `srcdoc` frame.
 *
 * No dead page is ever requested. Before loading a page (first render, re-attach, a saved output, a
 * reload) the view asks the server extension whether the server is there (`kernelStatus.ts`); a final
 * bundle (`stopped`) is shown without asking. Once the server is known to be gone the page is unloaded.
 *
 * Look. The page follows the notebook's theme: the view posts `MESSAGE_THEME` (JupyterLab's CSS
 * variables, light or dark) to its frame when the page loads and whenever JupyterLab's theme changes.
 *
 * Sizing. In an output the frame takes the content height the page posts (`trame-jupyter:size`,
 * accepted only from this frame's window), or the bundle's fixed `height`. In a linked output view
 * ("Create New View for Output") and in a main-area tab it fills the space it is given. The frame is
 * never measured: only the content height reported by the page, and, in a linked view, the position
 * of this widget inside its container, which do not depend on the frame's height.
 *
 * Lifecycle. Lumino hooks: the message listener lives between `onAfterAttach` and `onBeforeDetach`;
 * a detached frame is emptied (re-inserting it would reload its page unchecked) and re-attaching checks
 * then loads again; `onResize`/`onAfterShow` refit a filling view; `dispose` unloads the page, which
 * closes its websocket, so clearing the output, deleting the cell or closing the notebook leaves no
 * client behind.
 */
import { PageConfig, URLExt } from '@jupyterlab/coreutils';
import { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { LabIcon, launchIcon, refreshIcon, runIcon, tabIcon } from '@jupyterlab/ui-components';
import { Message } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';

import {
  commPageHref,
  currentTheme,
  EMBED_JUPYTER,
  EMBED_PARAM,
  loadPage,
  MAX_HEIGHT,
  MESSAGE_SIZE,
  MESSAGE_SNAPSHOT,
  MESSAGE_STATUS,
  onThemeChanged,
  PageMessage,
  themeMessage,
  Untrusted,
  WindowMessage
} from '@trame-jupyter/common';

import { ITrameBundle, MIME_TYPE, parseBundle, samePage } from './bundle';
import { CommRelay } from './commRelay';
import { PageTransport, probeProxy, ProxyProbe, sessionUrl, transportMode, triesComm } from './transportChoice';
import { getHost, onHostChanged } from './host';
import { checkKernel, Verdict } from './kernelStatus';
import { HeightFollower, MIN_HEIGHT } from './sizing';
import { EXTENSION_VERSION } from './version';
import {
  CheckReason,
  chooseSnapshot,
  ISnapshot,
  pageSnapshotHtml,
  showsFrame,
  stateAfterCheck,
  stateOfPageStatus,
  STATES,
  ViewState
} from './viewState';

export { ViewState } from './viewState';

/** Height of a following frame before the page reports its content height. */
const INITIAL_HEIGHT = 150;
/** After the frame loads, how long to wait for the page's first message before asking why not. */
const SILENT_PAGE_MS = 3000;
/** The class of a linked output view ("Create New View for Output"), set by JupyterLab. */
const LINKED_OUTPUT_VIEW = 'jp-LinkedOutputView';

/** Options of a view. */
export interface ITrameViewOptions {
  /** Fill the widget's box (a main-area tab) instead of following the content height. */
  fill?: boolean;
  /** Offer "open in a JupyterLab tab" when the application supports it (default true). */
  tabAction?: boolean;
  /** The renderer's sanitizer; without one no snapshot is shown (its HTML is never used unsanitized). */
  sanitizer?: IRenderMime.ISanitizer | null;
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

function actionButton(className: string, icon: LabIcon, label: string, title: string): HTMLButtonElement {
  const button = element('button', `trame-jupyter-action ${className}`);
  button.type = 'button';
  button.title = title;
  iconInto(button, icon);
  button.appendChild(element('span', 'trame-jupyter-action-label', label));
  return button;
}

/** The absolute URL of a bundle's page: its path joined to this page's Jupyter base URL. */
export function pageUrl(bundle: ITrameBundle): string {
  return URLExt.join(PageConfig.getBaseUrl(), bundle.path);
}

/** The URL a view's frame loads: the page, told it is embedded by this renderer. */
export function frameUrl(bundle: ITrameBundle): string {
  const url = new URL(pageUrl(bundle), window.location.href);
  url.searchParams.set(EMBED_PARAM, EMBED_JUPYTER);
  return url.href;
}

/** The renderer of `application/vnd.trame-jupyter.v1+json`, also the content of a main-area tab. */
export class TrameView extends Widget implements IRenderMime.IRenderer {
  constructor(options: ITrameViewOptions = {}) {
    super();
    this._layoutFill = !!options.fill;
    this._tabAction = options.tabAction !== false;
    this._sanitizer = options.sanitizer ?? null;
    this.addClass('trame-jupyter-view');
    if (this._layoutFill) {
      this.addClass('trame-jupyter-fill');
    }

    const toolbar = element('div', 'trame-jupyter-toolbar');
    this._stateNode = element('span', 'trame-jupyter-state');
    this._stateNode.appendChild(element('span', 'trame-jupyter-dot'));
    this._stateLabel = this._stateNode.appendChild(element('span', 'trame-jupyter-state-label'));
    this._nameNode = element('span', 'trame-jupyter-name');
    this._browserLink = element('a', 'trame-jupyter-action trame-jupyter-open-browser');
    this._browserLink.target = '_blank';
    this._browserLink.rel = 'noopener';
    this._browserLink.title = 'Open this view in a new browser tab';
    iconInto(this._browserLink, launchIcon);
    this._browserLink.appendChild(element('span', 'trame-jupyter-action-label', 'browser tab'));
    this._tabButton = actionButton('trame-jupyter-open-tab', tabIcon, 'JupyterLab tab', 'Open this view in a JupyterLab tab');
    this._tabButton.addEventListener('click', () => {
      const host = getHost();
      if (host?.openInTab && this._bundle) {
        host.openInTab(this._bundle, this._sanitizer);
      }
    });
    toolbar.append(this._stateNode, this._nameNode, element('span', 'trame-jupyter-spacer'));
    toolbar.append(this._browserLink, this._tabButton);

    this._versionNotice = element('div', 'trame-jupyter-notice trame-jupyter-version');
    this._versionNotice.hidden = true;

    // The one notice of a view that is not live, with its one action, on its own line.
    this._notice = element('div', 'trame-jupyter-state-notice');
    this._notice.setAttribute('role', 'status');
    this._notice.hidden = true;
    this._noticeText = this._notice.appendChild(element('span', 'trame-jupyter-state-notice-text'));
    this._rerunButton = actionButton('trame-jupyter-rerun', runIcon, 'Re-run', 'Run the cell of this output again');
    this._rerunButton.addEventListener('click', () => {
      const host = getHost();
      if (host) {
        void host.rerun(this.node);
      }
    });
    this._reloadButton = actionButton('trame-jupyter-reload', refreshIcon, 'Reload', 'Load this view again');
    this._reloadButton.addEventListener('click', () => void this._open('open'));
    this._notice.append(this._rerunButton, this._reloadButton);

    this._stage = element('div', 'trame-jupyter-stage');
    this._snapshotNode = element('div', 'trame-jupyter-snapshot');
    // A picture, not an app: nothing in it can be focused or typed into.
    this._snapshotNode.inert = true;
    this._frame = element('iframe', 'trame-jupyter-frame');
    // No sandbox: the page must run its scripts, and be same-origin to be authenticated by
    // Jupyter's cookie (and so its websocket); a sandbox allowing both would protect nothing.
    this._frame.setAttribute('allow', 'clipboard-read; clipboard-write; fullscreen');
    this._frame.addEventListener('load', this._onFrameLoad);
    this._stage.append(this._snapshotNode, this._frame);

    this._errorNode = element('div', 'trame-jupyter-error');
    this._errorNode.hidden = true;

    this.node.append(toolbar, this._versionNotice, this._notice, this._stage, this._errorNode);
    this._toolbar = toolbar;
    this._follower = new HeightFollower(height => this._setFrameHeight(`${height}px`));
    this._stopHostListener = onHostChanged(() => this._updateActions());
    this._stopThemeListener = onThemeChanged(() => this._postTheme());
    this._relay = new CommRelay({
      kernel: () => getHost()?.kernelFor?.(this.node, this._bundle?.kernel_id ?? null) ?? null,
      post: (message, transfer) => this._postToPage(message, transfer),
      // The page's kernel restarted or stopped: its server went with it. Said at once, from the kernel
      // connection itself (behind a gateway our server extension cannot tell, and the page would retry).
      onKernelGone: gone => {
        if (this._pageTransport === 'comm' && !STATES[this._state].final) {
          this._finish(gone === 'restarted' ? 'kernel-restarted' : 'kernel-shutdown');
        }
      }
    });
    this._setState('checking');
  }

  /** The bundle shown, or null (nothing rendered yet, or invalid data). */
  get bundle(): ITrameBundle | null {
    return this._bundle;
  }

  /** The view's state. */
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

  /** Show a bundle: a final one at once; another page only once its server is known to be there. */
  setBundle(bundle: ITrameBundle): void {
    const previous = this._bundle;
    const same = samePage(previous, bundle);
    this._bundle = bundle;
    if (!same) {
      this._pageSnapshot = null; // another page: its pictures are not this one's
    }
    if (!same || previous?.snapshot !== bundle.snapshot) {
      this._bundleSnapshot = bundle.snapshot ? this._sanitized(bundle.snapshot) : null;
    }
    this._errorNode.hidden = true;
    this._toolbar.hidden = false;
    this._nameNode.textContent = bundle.name;
    this._nameNode.title = `server ${bundle.server_id}, layout ${bundle.ui}`;
    this._browserLink.href = pageUrl(bundle);
    this._frame.title = `trame app ${bundle.name}`;
    this._frame.style.width = bundle.width ?? '100%';
    this._snapshotNode.style.width = bundle.width ?? '';
    this._showVersion(bundle.version);
    if (bundle.stopped) {
      this._finish('server-stopped'); // the kernel said so: nothing to ask, nothing to load
    } else if (!same || this._state === 'error') {
      void this._open('open');
    } else {
      this._render();
    }
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._stopHostListener();
    this._stopThemeListener();
    this._clearTimer();
    this._relay.closeAll();
    window.removeEventListener('message', this._onMessage);
    this._frame.removeEventListener('load', this._onFrameLoad);
    super.dispose();
    // Unload the page even if something still holds the node: its websocket closes with it.
    this._frame.removeAttribute('src');
    this._frame.removeAttribute('srcdoc');
    this._frame.remove();
    this._revokePage();
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    window.addEventListener('message', this._onMessage);
    this._fillContainer = this._layoutFill ? null : this.node.closest<HTMLElement>(`.${LINKED_OUTPUT_VIEW}`);
    this.toggleClass('trame-jupyter-fill', this._layoutFill || !!this._fillContainer);
    if (this._bundle && this._reopen && !STATES[this._state].final) {
      this._reopen = false;
      void this._open('open'); // the server may have gone while the view was detached
    }
    this._updateActions();
    this._fit();
  }

  protected onBeforeDetach(msg: Message): void {
    window.removeEventListener('message', this._onMessage);
    // Re-inserting a frame reloads its page without asking whether its server is still there:
    // empty it now, and check before loading again on attach.
    if (this._frameUrl !== null) {
      this._unload();
      this._reopen = true;
    }
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
    if (showsFrame(this._state, !!this._snapshot())) {
      this._frame.focus();
    }
  }

  // -- page -------------------------------------------------------------------------------

  /** Ask whether the server is there, then load its page or show why not. */
  private async _open(reason: CheckReason): Promise<void> {
    const bundle = this._bundle;
    if (!bundle) {
      return;
    }
    this._clearTimer();
    if (reason === 'open') {
      this._unload();
    }
    this._setState('checking');
    const pending = this._check(bundle);
    this._checking = pending;
    const verdict = await pending;
    if (this.isDisposed || this._bundle !== bundle || this._checking !== pending) {
      return; // superseded by another bundle, check or reload
    }
    this._checking = null;
    this._decide(verdict, reason);
  }

  /**
   * Is the server there, and which transport reaches it (set as `_transport`): the proxy's word, then,
   * unless the bundle forces the proxy, the comm's when the proxy does not reach the server.
   */
  private async _check(bundle: ITrameBundle): Promise<Verdict> {
    let verdict = await checkKernel(bundle);
    const mode = transportMode(bundle.path);
    let proxy: ProxyProbe | null = null;
    if (mode === 'auto') {
      // No route at all: the proxy cannot reach it; else ask the route itself.
      const routed = verdict === 'running' || verdict === 'unknown';
      proxy = routed ? await probeProxy(sessionUrl(pageUrl(bundle))) : 'not-registered';
    }
    let transport: PageTransport = 'proxy';
    // A restarted or shut down kernel has no server to reach over a comm either: say so at once.
    const kernelGone = verdict === 'kernel-restarted' || verdict === 'kernel-shutdown';
    if (!kernelGone && triesComm(mode, proxy)) {
      // The kernel itself answers: a fetch of the page over a comm (closed 4404 when no such server).
      const reply = await this._relay.fetch('index.html', bundle.server_id).catch(() => null);
      if (reply?.status === 200) {
        transport = 'comm';
        verdict = 'running';
      } else if (mode === 'comm' && (verdict === 'running' || verdict === 'unknown')) {
        verdict = 'server-stopped'; // the kernel has no such server, whatever the proxy says
      }
    }
    if (this._bundle === bundle) {
      this._transport = transport;
      this.node.dataset.transport = transport;
    }
    return verdict;
  }

  private _decide(verdict: Verdict, reason: CheckReason): void {
    const host = getHost();
    if (verdict === 'running' && this._transport === 'comm' && this._pageTransport !== 'comm') {
      this._load(); // the page was on the proxy, which lost the server: the comm still reaches it
      return;
    }
    const next = stateAfterCheck(
      verdict,
      reason,
      host ? host.notebookKernel(this.node) : undefined,
      this._bundle?.kernel_id ?? null
    );
    if (next === 'load') {
      this._load();
    } else if (STATES[next].final) {
      this._finish(next);
    } else {
      this._setState(next);
    }
  }

  private _load(): void {
    const bundle = this._bundle;
    if (!bundle) {
      return;
    }
    if (!this.isAttached) {
      this._reopen = true; // a detached frame would load unchecked on insertion: load on attach
      return;
    }
    this._clearTimer();
    this._follower.reset();
    this._messages = 0;
    this._setState('connecting');
    if (!bundle.height && !this._isFilling()) {
      this._setFrameHeight(`${INITIAL_HEIGHT}px`);
    }
    if (this._transport === 'comm') {
      void this._loadOverComm(bundle);
      return;
    }
    this._pageTransport = 'proxy';
    this._frameUrl = frameUrl(bundle);
    this._frame.removeAttribute('srcdoc');
    this._frame.src = this._frameUrl;
  }

  /** Fetch the page and its files over the comm and show it from `blob:` URLs. */
  private async _loadOverComm(bundle: ITrameBundle): Promise<void> {
    const href = commPageHref(frameUrl(bundle));
    this._frameUrl = href; // its origin is JupyterLab's, as a srcdoc page's is
    this._pageTransport = 'comm';
    let page;
    try {
      page = await loadPage(path => this._relay.fetch(path, bundle.server_id), { href });
    } catch (error) {
      console.warn('trame-jupyter: could not load the page over the kernel comm:', error);
      if (this._frameUrl === href && this._bundle === bundle) {
        void this._open('silent');
      }
      return;
    }
    if (this.isDisposed || this._frameUrl !== href || this._bundle !== bundle) {
      page.revoke(); // unloaded or replaced meanwhile
      return;
    }
    this._revokePage = page.revoke;
    this._frame.removeAttribute('src');
    this._frame.srcdoc = page.html;
  }

  /** The server is gone for good: keep its picture, drop its page. */
  private _finish(state: ViewState): void {
    this._checking = null;
    this._reopen = false;
    this._unload();
    this._setState(state);
  }

  /** Unload the page (and so close its websocket), keeping the frame element. */
  private _unload(): void {
    this._clearTimer();
    this._relay.closeAll(); // the page's connections over the kernel comm end with it
    this._frameUrl = null;
    this._pageTransport = null;
    if (this._frame.hasAttribute('srcdoc')) {
      this._frame.removeAttribute('srcdoc');
      this._frame.src = 'about:blank';
    }
    if (this._frame.getAttribute('src') && this._frame.getAttribute('src') !== 'about:blank') {
      this._frame.src = 'about:blank';
    }
    this._revokePage();
    this._revokePage = () => undefined;
  }

  private _onFrameLoad = (): void => {
    this._clearTimer();
    if (!this._bundle || this._frameUrl === null) {
      return;
    }
    this._postTheme();
    if (this._messages > 0) {
      return;
    }
    // A page that says nothing is not our app (e.g. the proxy's error page): ask why.
    this._timer = window.setTimeout(() => {
      this._timer = null;
      if (this._messages === 0 && this.isAttached && this._frameUrl !== null) {
        void this._open('silent');
      }
    }, SILENT_PAGE_MS);
  };

  private _onMessage = (event: MessageEvent): void => {
    const source = this._frame.contentWindow;
    if (!source || event.source !== source || this._frameUrl === null) {
      return;
    }
    const data = event.data as Untrusted<PageMessage> | null;
    if (!data || typeof data !== 'object') {
      return;
    }
    if (this._bundle && typeof data.server_id === 'string' && data.server_id !== this._bundle.server_id) {
      return;
    }
    if (CommRelay.handles(data.type)) {
      if (this._bundle) {
        this._relay.handle(data, this._bundle.server_id);
      }
      return;
    }
    if (data.type !== MESSAGE_SIZE && data.type !== MESSAGE_STATUS && data.type !== MESSAGE_SNAPSHOT) {
      return;
    }
    this._clearTimer();
    if (this._messages++ === 0) {
      this._postTheme(); // the page listens from its first line on; the load event may come later
    }
    if (data.type === MESSAGE_SIZE) {
      if (!this._bundle?.height && !this._isFilling()) {
        this._follower.report(data.height);
      }
    } else if (data.type === MESSAGE_STATUS) {
      this._onPageStatus(data.status);
    } else {
      const html = pageSnapshotHtml(data);
      if (html !== null) {
        this._pageSnapshot = this._sanitized(html) ?? this._pageSnapshot;
        this._render();
      }
    }
  };

  private _onPageStatus(status: unknown): void {
    const next = stateOfPageStatus(this._state, status);
    if (next === 'check') {
      void this._open('stopped');
    } else if (next !== null) {
      this._checking = null; // the page speaks for itself: a check still pending is out of date
      this._setState(next);
    }
  }

  private _postTheme(): void {
    this._postToPage(themeMessage(currentTheme(this.node)));
  }

  /** Post to the page (moving `transfer`), if one of ours is loaded. */
  private _postToPage(message: WindowMessage, transfer: Transferable[] = []): void {
    const target = this._frame.contentWindow;
    if (!target || this._frameUrl === null) {
      return;
    }
    // Same origin as JupyterLab (a path under its base URL): post to that origin only.
    const origin = new URL(this._frameUrl, window.location.href).origin;
    try {
      target.postMessage(message, origin, transfer);
    } catch {
      // the frame navigated elsewhere (another origin): it is not our page
    }
  }

  // -- presentation ------------------------------------------------------------------------

  /** Sanitized HTML, or null without a sanitizer (then no snapshot is ever shown). */
  private _sanitized(html: string): ISnapshot | null {
    if (!this._sanitizer) {
      return null;
    }
    const clean = this._sanitizer.sanitize(html);
    return clean.trim() ? { html: clean, at: Date.now() } : null;
  }

  private _snapshot(): ISnapshot | null {
    return chooseSnapshot(this._pageSnapshot, this._bundleSnapshot);
  }

  private _setState(state: ViewState): void {
    this._state = state;
    this.node.dataset.state = state;
    this._stateNode.dataset.state = state;
    this._render();
  }

  /** Show the state: the notice and its action, the frame or the snapshot, the toolbar's links. */
  private _render(): void {
    const info = STATES[this._state];
    this._stateLabel.textContent = info.label;
    // One message: the notice when there is one, else the toolbar's word for the state.
    this._stateLabel.hidden = !!info.notice;
    this._notice.hidden = !info.notice;
    this._notice.dataset.state = this._state;
    this._noticeText.textContent = info.notice ?? '';

    const snapshot = this._snapshot();
    const frame = showsFrame(this._state, !!snapshot);
    this._stage.hidden = this._state === 'error' || (!frame && !snapshot);
    this._stage.classList.toggle('trame-jupyter-showing-snapshot', !frame);
    this._frame.tabIndex = frame ? 0 : -1;
    this._frame.setAttribute('aria-hidden', String(!frame));
    if (!frame && snapshot && this._shownSnapshot !== snapshot) {
      this._shownSnapshot = snapshot;
      this._snapshotNode.innerHTML = snapshot.html; // sanitized by the renderer's sanitizer
    }
    this._updateActions();
    this._fit();
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
    this._checking = null;
    this._unload();
    this._toolbar.hidden = true;
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
    const host = getHost();
    const info = STATES[this._state];
    // A page whose server is gone is not offered anywhere else either.
    const open = !!this._bundle && !info.final;
    // A page over the comm has no address a browser tab could open.
    this._browserLink.hidden = !open || this._transport === 'comm';
    this._tabButton.hidden = !(open && this._tabAction && host?.openInTab);
    this._rerunButton.hidden = !(info.action === 'rerun' && host && this.isAttached && host.canRerun(this.node));
    this._reloadButton.hidden = info.action !== 'reload';
  }

  private _isFilling(): boolean {
    return this._layoutFill || !!this._fillContainer;
  }

  private _setFrameHeight(height: string): void {
    this._frame.style.height = height;
  }

  /** Size the frame: fixed, filling, or (by the follower) following the content; and the snapshot. */
  private _fit(): void {
    const bundle = this._bundle;
    if (!bundle || !this.isAttached || !this.isVisible) {
      return;
    }
    // A snapshot takes a fixed height when the view has one, else its own (scrolling past the maximum).
    this._snapshotNode.style.height = bundle.height && !this._isFilling() ? bundle.height : '';
    this._snapshotNode.style.maxHeight = bundle.height || this._isFilling() ? '' : `${MAX_HEIGHT}px`;
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
  private readonly _sanitizer: IRenderMime.ISanitizer | null;
  private readonly _toolbar: HTMLDivElement;
  private readonly _stateNode: HTMLSpanElement;
  private readonly _stateLabel: HTMLSpanElement;
  private readonly _nameNode: HTMLSpanElement;
  private readonly _browserLink: HTMLAnchorElement;
  private readonly _tabButton: HTMLButtonElement;
  private readonly _versionNotice: HTMLDivElement;
  private readonly _notice: HTMLDivElement;
  private readonly _noticeText: HTMLSpanElement;
  private readonly _rerunButton: HTMLButtonElement;
  private readonly _reloadButton: HTMLButtonElement;
  private readonly _stage: HTMLDivElement;
  private readonly _snapshotNode: HTMLDivElement;
  private readonly _frame: HTMLIFrameElement;
  private readonly _errorNode: HTMLDivElement;
  private readonly _follower: HeightFollower;
  private readonly _relay: CommRelay;
  private readonly _stopHostListener: () => void;
  private readonly _stopThemeListener: () => void;
  private _bundle: ITrameBundle | null = null;
  private _state: ViewState = 'checking';
  private _messages = 0;
  private _timer: number | null = null;
  private _checking: Promise<Verdict> | null = null;
  private _fillContainer: HTMLElement | null = null;
  private _frameUrl: string | null = null;
  /** The transport the last check chose, and the one of the page loaded (null: none loaded). */
  private _transport: PageTransport = 'proxy';
  private _pageTransport: PageTransport | null = null;
  private _revokePage: () => void = () => undefined;
  /** Load again (after a check) when attached: the frame was emptied on detach, or never attached. */
  private _reopen = false;
  private _pageSnapshot: ISnapshot | null = null;
  private _bundleSnapshot: ISnapshot | null = null;
  private _shownSnapshot: ISnapshot | null = null;
}
