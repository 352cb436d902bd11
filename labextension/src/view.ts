/**
 * `TrameView`: one view of a kernel's trame server: a same-origin iframe of the page the server
 * extension proxies while the server is live, the app's last snapshot when it is not, a small toolbar
 * (connection state, open elsewhere), and at most one short notice with one action.
 *
 * The renderer composes three parts, each in its own module:
 * - `toolbar.ts`: the toolbar and the notices (the state, the version mismatch, the error of invalid data);
 * - `pageFrame.ts`: the stage: the frame, loading and unloading its page (over the Jupyter proxy or the
 *   kernel comm), the page's messages and theme, the snapshot in the frame's place, the frame's height;
 * - `serverCheck.ts`: the check/decide cycle: before a page is loaded, and when it gives up or stays
 *   silent, whether the server is there and which transport reaches it; then load, a state, or finish.
 *
 * What shows (`viewState.ts` decides). Live: the frame. Not live (loading, reconnecting, stopped, kernel
 * restarted or gone, a saved output): the last snapshot of the app, sanitized again here, in place of
 * the frame. The notice is a line above the content, never an overlay, so no frame height can clip it.
 *
 * Look. The page follows the notebook's theme: the view posts `MESSAGE_THEME` (JupyterLab's CSS
 * variables, light or dark) to its frame when the page loads and whenever JupyterLab's theme changes.
 *
 * Lifecycle. Lumino hooks: the message listener lives between `onAfterAttach` and `onBeforeDetach`;
 * a detached frame is emptied (re-inserting it would reload its page unchecked) and re-attaching checks
 * then loads again; `onResize`/`onAfterShow` refit a filling view; `dispose` unloads the page, which
 * closes its websocket, so clearing the output, deleting the cell or closing the notebook leaves no
 * client behind.
 */
import { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { Message } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';
import { onThemeChanged } from '@trame-jupyter/common';

import { ITrameBundle, MIME_TYPE, parseBundle, samePage } from './bundle';
import { getHost, onHostChanged } from './host';
import { PageFrame, pageUrl } from './pageFrame';
import { ServerCheck } from './serverCheck';
import { ViewToolbar } from './toolbar';
import { STATES, ViewState } from './viewState';

export { frameUrl, pageUrl } from './pageFrame';
export { ViewState } from './viewState';

/** Options of a view. */
export interface ITrameViewOptions {
  /** Fill the widget's box (a main-area tab) instead of following the content height. */
  fill?: boolean;
  /** Offer "open in a JupyterLab tab" when the application supports it (default true). */
  tabAction?: boolean;
  /** The renderer's sanitizer; without one no snapshot is shown (its HTML is never used unsanitized). */
  sanitizer?: IRenderMime.ISanitizer | null;
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

    this._toolbar = new ViewToolbar({
      openTab: () => {
        const host = getHost();
        if (host?.openInTab && this._bundle) {
          host.openInTab(this._bundle, this._sanitizer);
        }
      },
      rerun: () => {
        const host = getHost();
        if (host) {
          void host.rerun(this.node, { fromTop: STATES[this._state].action === 'run-to-here' });
        }
      },
      reload: () => void this._check.open('open')
    });
    this._page = new PageFrame({
      view: this,
      fill: this._layoutFill,
      sanitizer: this._sanitizer,
      kernel: () => getHost()?.kernelFor?.(this.node, this._bundle?.kernel_id ?? null) ?? null,
      onKernelGone: gone => this._check.onKernelGone(gone),
      onStatus: status => this._check.onPageStatus(status),
      onSilent: () => void this._check.open('silent'),
      onSnapshot: () => this._render()
    });
    this._check = new ServerCheck({ view: this, page: this._page, setState: state => this._setState(state) });
    const toolbar = this._toolbar;
    this.node.append(toolbar.toolbar, toolbar.versionNotice, toolbar.notice, this._page.stage, toolbar.errorNode);
    this._stopHostListener = onHostChanged(() => this._updateActions());
    this._stopThemeListener = onThemeChanged(() => this._page.postTheme());
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
    this._page.setBundle(bundle, same, previous?.snapshot !== bundle.snapshot);
    this._toolbar.showBundle(bundle.name, bundle.server_id, bundle.ui, pageUrl(bundle));
    this._page.showBundle(bundle);
    this._toolbar.showVersion(bundle.version);
    if (bundle.stopped) {
      this._check.finish('server-stopped'); // the kernel said so: nothing to ask, nothing to load
    } else if (!same || this._state === 'error') {
      void this._check.open('open');
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
    this._page.stop();
    super.dispose();
    // Unload the page even if something still holds the node: its websocket closes with it.
    this._page.dispose();
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    this._page.attach();
    this.toggleClass('trame-jupyter-fill', this._page.isFilling);
    if (this._bundle && this._check.reopen && !STATES[this._state].final) {
      this._check.reopen = false;
      void this._check.open('open'); // the server may have gone while the view was detached
    }
    this._updateActions();
    this._page.fit();
  }

  protected onBeforeDetach(msg: Message): void {
    this._page.detach();
    // Re-inserting a frame reloads its page without asking whether its server is still there:
    // empty it now, and check before loading again on attach.
    if (this._page.loaded) {
      this._page.unload();
      this._check.reopen = true;
    }
    super.onBeforeDetach(msg);
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this._page.fit();
  }

  protected onResize(msg: Widget.ResizeMessage): void {
    super.onResize(msg);
    this._page.fit();
  }

  protected onActivateRequest(msg: Message): void {
    super.onActivateRequest(msg);
    this._page.focus(this._state);
  }

  private _setState(state: ViewState): void {
    this._state = state;
    this.node.dataset.state = state;
    this._toolbar.markState(state);
    this._render();
  }

  /** Show the state: the notice and its action, the frame or the snapshot, the toolbar's links. */
  private _render(): void {
    this._toolbar.showState(this._state, STATES[this._state]);
    this._page.show(this._state);
    this._updateActions();
    this._page.fit();
  }

  private _showError(errors: string[], kernelVersion: string | null): void {
    this._bundle = null;
    this._check.cancel();
    this._page.unload();
    this._toolbar.hideToolbar();
    this._setState('error');
    this._toolbar.showVersion(kernelVersion);
    this._toolbar.showError(errors);
  }

  private _updateActions(): void {
    const host = getHost();
    const info = STATES[this._state];
    // A page whose server is gone is not offered anywhere else either.
    const open = !!this._bundle && !info.final;
    this._toolbar.showActions({
      // A page over the comm has no address a browser tab could open.
      browserTab: open && this._check.transport !== 'comm',
      jupyterTab: !!(open && this._tabAction && host?.openInTab),
      rerun:
        (info.action === 'rerun' || info.action === 'run-to-here') && host && this.isAttached && host.canRerun(this.node)
          ? info.action
          : null,
      reload: info.action === 'reload'
    });
  }

  private readonly _layoutFill: boolean;
  private readonly _tabAction: boolean;
  private readonly _sanitizer: IRenderMime.ISanitizer | null;
  private readonly _toolbar: ViewToolbar;
  private readonly _page: PageFrame;
  private readonly _check: ServerCheck;
  private readonly _stopHostListener: () => void;
  private readonly _stopThemeListener: () => void;
  private _bundle: ITrameBundle | null = null;
  private _state: ViewState = 'checking';
}
