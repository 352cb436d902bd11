/**
 * The check/decide cycle of a view (`TrameView`, `view.ts`): no dead page is ever requested. Before its
 * page is loaded (first render, re-attach, a saved output, a reload), when its page gave up (`stopped`)
 * and when the frame loaded but the page never said a word (`silent`), the view asks the server extension
 * whether the server is there (`kernelStatus.ts`) and which transport reaches it (`transportChoice.ts`:
 * the proxy, else the kernel comm, whose own answer is a fetch of the page), then decides
 * (`viewState.ts`): load the page, show a state, or finish (the server is gone for good: the page is
 * unloaded and its picture kept). A final bundle (`stopped`) is finished without asking. A check still
 * pending when another bundle, check or reload comes, or when the page speaks for itself, counts no more.
 */
import { ITrameBundle } from './bundle';
import { KernelGone } from './commRelay';
import { getHost } from './host';
import { checkKernel, Verdict } from './kernelStatus';
import { PageFrame, pageUrl } from './pageFrame';
import { PageTransport, probeProxy, ProxyProbe, sessionUrl, transportMode, triesComm } from './transportChoice';
import { CheckReason, stateAfterCheck, stateOfPageStatus, STATES, ViewState } from './viewState';

/** What the check uses of its view (a Lumino widget). */
export interface ICheckedView {
  readonly node: HTMLElement;
  readonly isAttached: boolean;
  readonly isDisposed: boolean;
  /** The bundle shown, or null. */
  readonly bundle: ITrameBundle | null;
  /** The view's state. */
  readonly state: ViewState;
}

/** Options of a check. */
export interface IServerCheckOptions {
  view: ICheckedView;
  /** The view's page. */
  page: PageFrame;
  /** Show a state. */
  setState(state: ViewState): void;
}

/** The check/decide cycle of one view. */
export class ServerCheck {
  constructor(options: IServerCheckOptions) {
    this._view = options.view;
    this._page = options.page;
    this._setState = options.setState;
  }

  /** The transport the last check chose. */
  get transport(): PageTransport {
    return this._transport;
  }

  /** Load again (after a check) when attached: the frame was emptied on detach, or never attached. */
  reopen = false;

  /** Ask whether the server is there, then load its page or show why not. */
  async open(reason: CheckReason): Promise<void> {
    const bundle = this._view.bundle;
    if (!bundle) {
      return;
    }
    this._page.clearTimer();
    if (reason === 'open') {
      this._page.unload();
    }
    this._setState('checking');
    const pending = this._check(bundle);
    this._checking = pending;
    const verdict = await pending;
    if (this._view.isDisposed || this._view.bundle !== bundle || this._checking !== pending) {
      return; // superseded by another bundle, check or reload
    }
    this._checking = null;
    this._decide(verdict, reason);
  }

  /** The server is gone for good: keep its picture, drop its page. */
  finish(state: ViewState): void {
    this._checking = null;
    this.reopen = false;
    this._page.unload();
    this._setState(state);
  }

  /** Forget a check still pending (the view shows something else now). */
  cancel(): void {
    this._checking = null;
  }

  /** Load the page over the transport the last check chose (on attach, if the view is not attached). */
  load(): void {
    const bundle = this._view.bundle;
    if (!bundle) {
      return;
    }
    if (!this._view.isAttached) {
      this.reopen = true; // a detached frame would load unchecked on insertion: load on attach
      return;
    }
    this._page.prepare();
    this._setState('connecting');
    this._page.load(bundle, this._transport);
  }

  /** The page reported its connection status. */
  onPageStatus(status: unknown): void {
    const next = stateOfPageStatus(this._view.state, status);
    if (next === 'check') {
      void this.open('stopped');
    } else if (next !== null) {
      this._checking = null; // the page speaks for itself: a check still pending is out of date
      this._setState(next);
    }
  }

  /** The kernel of the page (loaded over the comm) restarted or stopped: its server went with it. */
  onKernelGone(gone: KernelGone): void {
    if (!STATES[this._view.state].final) {
      this.finish(gone === 'restarted' ? 'kernel-restarted' : 'kernel-shutdown');
    }
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
      const reply = await this._page.fetch('index.html', bundle.server_id).catch(() => null);
      if (reply?.status === 200) {
        transport = 'comm';
        verdict = 'running';
      } else if (mode === 'comm' && (verdict === 'running' || verdict === 'unknown')) {
        verdict = 'server-stopped'; // the kernel has no such server, whatever the proxy says
      }
    }
    if (this._view.bundle === bundle) {
      this._transport = transport;
      this._view.node.dataset.transport = transport;
    }
    return verdict;
  }

  private _decide(verdict: Verdict, reason: CheckReason): void {
    const host = getHost();
    if (verdict === 'running' && this._transport === 'comm' && this._page.transport !== 'comm') {
      this.load(); // the page was on the proxy, which lost the server: the comm still reaches it
      return;
    }
    const next = stateAfterCheck(
      verdict,
      reason,
      host ? host.notebookKernel(this._view.node) : undefined,
      this._view.bundle?.kernel_id ?? null
    );
    if (next === 'load') {
      this.load();
    } else if (STATES[next].final) {
      this.finish(next);
    } else {
      this._setState(next);
    }
  }

  private readonly _view: ICheckedView;
  private readonly _page: PageFrame;
  private readonly _setState: (state: ViewState) => void;
  private _checking: Promise<Verdict> | null = null;
  /** The transport the last check chose. */
  private _transport: PageTransport = 'proxy';
}
