/**
 * The page of a view (`TrameView`, `view.ts`) and its place, the stage: a same-origin iframe of the page
 * the server extension proxies, or, when the view is not live, the app's last snapshot in its place.
 *
 * Loading. Over the proxy the frame loads the page's address; over the kernel comm (`CommRelay`) the page
 * and its files are fetched through the comm (`loadPage` of `@trame-jupyter/common`) and shown from
 * `blob:` URLs in a `srcdoc` frame. Unloading the page (and so closing its websocket or its comms) keeps
 * the frame element. A loaded frame whose page never says a word is not our app (e.g. the proxy's error
 * page): after `SILENT_PAGE_MS` the view is told (`onSilent`).
 *
 * Messages. Only those of this frame's window count, and only from the origin of the page we loaded (a
 * proxied page's, or JupyterLab's for a `srcdoc` page): a page of another site the frame navigated to (a
 * link in the app) is never heard. The comm relay's messages go to the relay only for a page loaded over
 * the comm (a proxied page has its own websocket, no relay); a `srcdoc` page that navigates away loses
 * its channels. The page's size, status and snapshot are taken here. The page gets the notebook's theme (`MESSAGE_THEME`) when it loads
 * and when it first speaks (the load event may come later than its first message).
 *
 * Snapshots. The last picture of the app: the page's own, posted when it lost its connection, or the
 * bundle's, rendered by Python, whichever is newer; sanitized again here, never shown without a sanitizer.
 *
 * Sizing. In an output the frame takes the content height the page posts, or the bundle's fixed
 * `height`. In a linked output view ("Create New View for Output") and in a main-area tab it fills the
 * space it is given. The frame is never measured: only the content height reported by the page, and, in
 * a linked view, the position of the view inside its container, which do not depend on the frame's height.
 */
import { PageConfig, URLExt } from '@jupyterlab/coreutils';
import { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import {
  commPageHref,
  currentTheme,
  EMBED_JUPYTER,
  EMBED_PARAM,
  IFetchReply,
  loadPage,
  MAX_HEIGHT,
  MESSAGE_SIZE,
  MESSAGE_SNAPSHOT,
  MESSAGE_STATUS,
  PageMessage,
  themeMessage,
  Untrusted,
  WindowMessage
} from '@trame-jupyter/common';

import { ITrameBundle } from './bundle';
import { CommRelay, IRelayKernel, KernelGone } from './commRelay';
import { element } from './dom';
import { HeightFollower, MIN_HEIGHT } from './sizing';
import { PageTransport } from './transportChoice';
import { chooseSnapshot, ISnapshot, pageSnapshotHtml, showsFrame, ViewState } from './viewState';

/** Height of a following frame before the page reports its content height. */
const INITIAL_HEIGHT = 150;
/** After the frame loads, how long to wait for the page's first message before asking why not. */
const SILENT_PAGE_MS = 3000;
/** The class of a linked output view ("Create New View for Output"), set by JupyterLab. */
const LINKED_OUTPUT_VIEW = 'jp-LinkedOutputView';

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

/** What the page frame uses of its view (a Lumino widget). */
export interface IFramedView {
  readonly node: HTMLElement;
  readonly isAttached: boolean;
  readonly isVisible: boolean;
  readonly isDisposed: boolean;
  /** The bundle shown, or null. */
  readonly bundle: ITrameBundle | null;
}

/** Options of a page frame. */
export interface IPageFrameOptions {
  view: IFramedView;
  /** Fill the view's box (a main-area tab) instead of following the content height. */
  fill: boolean;
  /** Sanitizes the snapshots; without one no snapshot is shown. */
  sanitizer: IRenderMime.ISanitizer | null;
  /** The kernel to open the page's comms on, or null when there is none now. */
  kernel: () => IRelayKernel | null;
  /** The kernel of a page loaded over the comm restarted or stopped: its server went with it. */
  onKernelGone(gone: KernelGone): void;
  /** The page reported its connection status (not checked yet). */
  onStatus(status: unknown): void;
  /** The page is not there: the frame loaded but the page said nothing, or it could not be fetched over the comm. */
  onSilent(): void;
  /** The page posted a new snapshot: show the view again. */
  onSnapshot(): void;
}

/** The stage of one view: its frame, the page loaded in it, the snapshot in its place. */
export class PageFrame {
  constructor(options: IPageFrameOptions) {
    this._view = options.view;
    this._layoutFill = options.fill;
    this._sanitizer = options.sanitizer;
    this._options = options;

    this.stage = element('div', 'trame-jupyter-stage');
    this._snapshotNode = element('div', 'trame-jupyter-snapshot');
    // A picture, not an app: nothing in it can be focused or typed into.
    this._snapshotNode.inert = true;
    this._frame = element('iframe', 'trame-jupyter-frame');
    // No sandbox: the page must run its scripts, and be same-origin to be authenticated by
    // Jupyter's cookie (and so its websocket); a sandbox allowing both would protect nothing.
    this._frame.setAttribute('allow', 'clipboard-read; clipboard-write; fullscreen');
    this._frame.addEventListener('load', this._onFrameLoad);
    this.stage.append(this._snapshotNode, this._frame);

    this._follower = new HeightFollower(height => this._setFrameHeight(`${height}px`));
    this._relay = new CommRelay({
      kernel: options.kernel,
      post: (message, transfer) => this._postToPage(message, transfer),
      // The page's kernel restarted or stopped: its server went with it. Said at once, from the kernel
      // connection itself (behind a gateway our server extension cannot tell, and the page would retry).
      onKernelGone: gone => {
        if (this._pageTransport === 'comm') {
          options.onKernelGone(gone);
        }
      }
    });
  }

  /** The frame and the snapshot, for the view to place. */
  readonly stage: HTMLDivElement;

  /** Whether a page is loaded (or loading) in the frame. */
  get loaded(): boolean {
    return this._frameUrl !== null;
  }

  /** The transport of the page loaded, or null when none is. */
  get transport(): PageTransport | null {
    return this._pageTransport;
  }

  /** Whether the frame fills the view (a tab, a linked output view) rather than following its content. */
  get isFilling(): boolean {
    return this._layoutFill || !!this._fillContainer;
  }

  /** Fetch one of the server's files over the view's comm (the kernel's own answer). */
  fetch(path: string, serverId: string): Promise<IFetchReply> {
    return this._relay.fetch(path, serverId);
  }

  /** The view is attached: listen to its page, and see whether it sits in a linked output view. */
  attach(): void {
    window.addEventListener('message', this._onMessage);
    this._fillContainer = this._layoutFill ? null : this._view.node.closest<HTMLElement>(`.${LINKED_OUTPUT_VIEW}`);
  }

  /** The view is being detached: stop listening to its page. */
  detach(): void {
    window.removeEventListener('message', this._onMessage);
  }

  /** A bundle is shown (`samePage`: the same page as before, whose pictures stay). */
  setBundle(bundle: ITrameBundle, samePage: boolean, snapshotChanged: boolean): void {
    if (!samePage) {
      this._pageSnapshot = null; // another page: its pictures are not this one's
    }
    if (!samePage || snapshotChanged) {
      this._bundleSnapshot = bundle.snapshot ? this._sanitized(bundle.snapshot) : null;
    }
  }

  /** The frame's title and the width of the frame and of the snapshot. */
  showBundle(bundle: ITrameBundle): void {
    this._frame.title = `trame app ${bundle.name}`;
    this._frame.style.width = bundle.width ?? '100%';
    this._snapshotNode.style.width = bundle.width ?? '';
  }

  /** Stop waiting for the first word of a page that is silent so far. */
  clearTimer(): void {
    if (this._timer !== null) {
      window.clearTimeout(this._timer);
      this._timer = null;
    }
  }

  /** Before a page loads: no timer, no height history, no message heard yet. */
  prepare(): void {
    this.clearTimer();
    this._follower.reset();
    this._messages = 0;
  }

  /** Load the bundle's page over `transport` (after `prepare`). */
  load(bundle: ITrameBundle, transport: PageTransport): void {
    if (!bundle.height && !this.isFilling) {
      this._setFrameHeight(`${INITIAL_HEIGHT}px`);
    }
    if (transport === 'comm') {
      void this._loadOverComm(bundle);
      return;
    }
    this._pageTransport = 'proxy';
    this._srcdocShown = false;
    this._frameUrl = frameUrl(bundle);
    this._frame.removeAttribute('srcdoc');
    this._frame.src = this._frameUrl;
  }

  /** Unload the page (and so close its websocket), keeping the frame element. */
  unload(): void {
    this.clearTimer();
    this._relay.closeAll(); // the page's connections over the kernel comm end with it
    this._frameUrl = null;
    this._pageTransport = null;
    this._srcdocShown = false;
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

  /** The last picture of the app, or null. */
  snapshot(): ISnapshot | null {
    return chooseSnapshot(this._pageSnapshot, this._bundleSnapshot);
  }

  /** Show the frame or the snapshot, as `state` wants. */
  show(state: ViewState): void {
    const snapshot = this.snapshot();
    const frame = showsFrame(state, !!snapshot);
    this.stage.hidden = state === 'error' || (!frame && !snapshot);
    this.stage.classList.toggle('trame-jupyter-showing-snapshot', !frame);
    this._frame.tabIndex = frame ? 0 : -1;
    this._frame.setAttribute('aria-hidden', String(!frame));
    if (!frame && snapshot && this._shownSnapshot !== snapshot) {
      this._shownSnapshot = snapshot;
      this._snapshotNode.innerHTML = snapshot.html; // sanitized by the renderer's sanitizer
    }
  }

  /** Focus the frame when `state` shows it. */
  focus(state: ViewState): void {
    if (showsFrame(state, !!this.snapshot())) {
      this._frame.focus();
    }
  }

  /** Post the notebook's theme to the page. */
  postTheme(): void {
    this._postToPage(themeMessage(currentTheme(this._view.node)));
  }

  /** Size the frame: fixed, filling, or (by the follower) following the content; and the snapshot. */
  fit(): void {
    const bundle = this._view.bundle;
    if (!bundle || !this._view.isAttached || !this._view.isVisible) {
      return;
    }
    // A snapshot takes a fixed height when the view has one, else its own (scrolling past the maximum).
    this._snapshotNode.style.height = bundle.height && !this.isFilling ? bundle.height : '';
    this._snapshotNode.style.maxHeight = bundle.height || this.isFilling ? '' : `${MAX_HEIGHT}px`;
    if (this._layoutFill) {
      this._setFrameHeight('');
      return; // the stylesheet stretches the frame over the box the layout gives the view
    }
    const container = this._fillContainer;
    if (container) {
      // The room left below the view in the linked view (its size is set by the dock, not by us).
      const bottom = container.getBoundingClientRect().bottom - parseFloat(getComputedStyle(container).paddingBottom);
      const room = Math.floor(bottom - this._view.node.getBoundingClientRect().top);
      this._view.node.style.height = `${Math.max(MIN_HEIGHT * 2, room)}px`;
      this._setFrameHeight('');
      return;
    }
    if (bundle.height) {
      this._setFrameHeight(bundle.height);
    } else if (this._follower.height === null && !this._frame.style.height) {
      this._setFrameHeight(`${INITIAL_HEIGHT}px`);
    }
  }

  /** The view is being disposed: no timer, no comm, no listener any more. */
  stop(): void {
    this.clearTimer();
    this._relay.closeAll();
    window.removeEventListener('message', this._onMessage);
    this._frame.removeEventListener('load', this._onFrameLoad);
  }

  /** The view is disposed: unload the page even if something still holds the frame (its websocket closes). */
  dispose(): void {
    this._frame.removeAttribute('src');
    this._frame.removeAttribute('srcdoc');
    this._frame.remove();
    this._revokePage();
  }

  /** Fetch the page and its files over the comm and show it from `blob:` URLs. */
  private async _loadOverComm(bundle: ITrameBundle): Promise<void> {
    const href = commPageHref(frameUrl(bundle));
    this._frameUrl = href; // its origin is JupyterLab's, as a srcdoc page's is
    this._pageTransport = 'comm';
    this._srcdocShown = false;
    let page;
    try {
      page = await loadPage(path => this._relay.fetch(path, bundle.server_id), { href });
    } catch (error) {
      console.warn('trame-jupyter: could not load the page over the kernel comm:', error);
      if (this._frameUrl === href && this._view.bundle === bundle) {
        this._options.onSilent();
      }
      return;
    }
    if (this._view.isDisposed || this._frameUrl !== href || this._view.bundle !== bundle) {
      page.revoke(); // unloaded or replaced meanwhile
      return;
    }
    this._revokePage = page.revoke;
    this._frame.removeAttribute('src');
    this._frame.srcdoc = page.html;
  }

  private _onFrameLoad = (): void => {
    this.clearTimer();
    if (!this._view.bundle || this._frameUrl === null) {
      return;
    }
    if (this._pageTransport === 'comm') {
      if (this._frameLocation() === 'about:srcdoc') {
        this._srcdocShown = true;
      } else if (this._srcdocShown) {
        // Our srcdoc page navigated away (a link in the app): what loaded is not ours. Its channels
        // close, nothing more is relayed or posted to it, and the view asks why it went silent.
        this._relay.closeAll();
        this._frameUrl = null;
        this._options.onSilent();
        return;
      } else {
        return; // the blank page of an earlier unload, late
      }
    }
    this.postTheme();
    if (this._messages > 0) {
      return;
    }
    // A page that says nothing is not our app (e.g. the proxy's error page): ask why.
    this._timer = window.setTimeout(() => {
      this._timer = null;
      if (this._messages === 0 && this._view.isAttached && this._frameUrl !== null) {
        this._options.onSilent();
      }
    }, SILENT_PAGE_MS);
  };

  private _onMessage = (event: MessageEvent): void => {
    const source = this._frame.contentWindow;
    if (!source || event.source !== source || this._frameUrl === null || event.origin !== this._pageOrigin()) {
      return;
    }
    const data = event.data as Untrusted<PageMessage> | null;
    if (!data || typeof data !== 'object') {
      return;
    }
    const bundle = this._view.bundle;
    if (bundle && typeof data.server_id === 'string' && data.server_id !== bundle.server_id) {
      return;
    }
    if (CommRelay.handles(data.type)) {
      if (bundle && this._pageTransport === 'comm') {
        this._relay.handle(data, bundle.server_id);
      }
      return;
    }
    if (data.type !== MESSAGE_SIZE && data.type !== MESSAGE_STATUS && data.type !== MESSAGE_SNAPSHOT) {
      return;
    }
    this.clearTimer();
    if (this._messages++ === 0) {
      this.postTheme(); // the page listens from its first line on; the load event may come later
    }
    if (data.type === MESSAGE_SIZE) {
      if (!this._view.bundle?.height && !this.isFilling) {
        this._follower.report(data.height);
      }
    } else if (data.type === MESSAGE_STATUS) {
      this._options.onStatus(data.status);
    } else {
      const html = pageSnapshotHtml(data);
      if (html !== null) {
        this._pageSnapshot = this._sanitized(html) ?? this._pageSnapshot;
        this._options.onSnapshot();
      }
    }
  };

  /** Post to the page (moving `transfer`), if one of ours is loaded. */
  private _postToPage(message: WindowMessage, transfer: Transferable[] = []): void {
    const target = this._frame.contentWindow;
    if (!target || this._frameUrl === null) {
      return;
    }
    try {
      target.postMessage(message, this._pageOrigin(), transfer);
    } catch {
      // the frame navigated elsewhere (another origin): it is not our page
    }
  }

  /** The frame's address, or null when it is not readable (a page of another origin). */
  private _frameLocation(): string | null {
    try {
      return this._frame.contentWindow?.location.href ?? null;
    } catch {
      return null;
    }
  }

  /** The origin of the page we loaded: the proxied page's address's, or JupyterLab's (a srcdoc page's). */
  private _pageOrigin(): string {
    if (this._pageTransport === 'comm' || this._frameUrl === null) {
      return window.location.origin;
    }
    return new URL(this._frameUrl, window.location.href).origin;
  }

  /** Sanitized HTML, or null without a sanitizer (then no snapshot is ever shown). */
  private _sanitized(html: string): ISnapshot | null {
    if (!this._sanitizer) {
      return null;
    }
    const clean = this._sanitizer.sanitize(html);
    return clean.trim() ? { html: clean, at: Date.now() } : null;
  }

  private _setFrameHeight(height: string): void {
    this._frame.style.height = height;
  }

  private readonly _view: IFramedView;
  private readonly _options: IPageFrameOptions;
  private readonly _layoutFill: boolean;
  private readonly _sanitizer: IRenderMime.ISanitizer | null;
  private readonly _snapshotNode: HTMLDivElement;
  private readonly _frame: HTMLIFrameElement;
  private readonly _follower: HeightFollower;
  private readonly _relay: CommRelay;
  private _messages = 0;
  private _timer: number | null = null;
  private _fillContainer: HTMLElement | null = null;
  private _frameUrl: string | null = null;
  /** The transport of the page loaded (null: none loaded). */
  private _pageTransport: PageTransport | null = null;
  /** Whether the current srcdoc page has loaded (a later load of another address is a navigation away). */
  private _srcdocShown = false;
  private _revokePage: () => void = () => undefined;
  private _pageSnapshot: ISnapshot | null = null;
  private _bundleSnapshot: ISnapshot | null = null;
  private _shownSnapshot: ISnapshot | null = null;
}
