/**
 * What a view shows, decided without I/O (so it can be tested alone): the states of a view, the one
 * notice and the one action of each, what a kernel-status check means at each moment, and which
 * snapshot is the last picture of the app.
 *
 * A view that is not live never shows an empty or dimmed frame: it shows the last snapshot of the app
 * (sanitized), with at most one short notice above it.
 */
import { ISnapshotMessage, MAX_PAGE_SNAPSHOT, Untrusted } from '@trame-jupyter/common';

import type { Verdict } from './kernelStatus';

export type ViewState =
  /** Asking the server extension whether the server is there (before loading, or after the page gave up). */
  | 'checking'
  | 'connecting'
  | 'live'
  /** Connected, but the server has not answered the page's calls for a while (its kernel is busy). */
  | 'waiting'
  | 'reconnecting'
  /** The page gave up, but its server still runs. */
  | 'disconnected'
  /** The frame loaded something that is not the app (it never said a word). */
  | 'not-loaded'
  /** The page gave up, and the server extension could not say why. */
  | 'stopped'
  | 'server-stopped'
  | 'kernel-restarted'
  /** The view's kernel is gone and the notebook has no other one. */
  | 'kernel-shutdown'
  /** The view's kernel is gone but the notebook runs another one (e.g. a saved notebook reopened). */
  | 'not-running'
  /** The MIME data is invalid (an error is shown instead of a view). */
  | 'error';

/**
 * The one action a notice offers: re-run the cell (a new server; the kernel still has what the cells above
 * defined), run the notebook from the top through the cell (the kernel lost that: restarted, shut down, a
 * notebook opened again), or reload the page (same server).
 */
export type ViewAction = 'rerun' | 'run-to-here' | 'reload';

export interface IStateInfo {
  /** The toolbar's word for it. */
  readonly label: string;
  /** The notice shown above the content (short; the toolbar then shows no label). */
  readonly notice?: string;
  readonly action?: ViewAction;
  /** The server is gone for good: the page is unloaded and never loaded again by this view. */
  readonly final?: boolean;
}

export const STATES: Readonly<Record<ViewState, IStateInfo>> = {
  checking: { label: 'checking…' },
  connecting: { label: 'connecting…' },
  live: { label: 'live' },
  waiting: { label: 'waiting for the kernel…' },
  reconnecting: { label: 'reconnecting…', notice: 'Reconnecting…' },
  disconnected: { label: 'disconnected', notice: 'Connection lost.', action: 'reload' },
  'not-loaded': { label: 'not loaded', notice: 'The app page did not load.', action: 'reload' },
  stopped: { label: 'stopped', notice: 'Server not reachable.', action: 'rerun', final: true },
  'server-stopped': { label: 'server stopped', notice: 'Server stopped.', action: 'rerun', final: true },
  'kernel-restarted': { label: 'kernel restarted', notice: 'Kernel restarted.', action: 'run-to-here', final: true },
  'kernel-shutdown': { label: 'kernel not running', notice: 'Kernel not running.', action: 'run-to-here', final: true },
  'not-running': { label: 'not running', notice: 'Server not running.', action: 'run-to-here', final: true },
  error: { label: 'error', final: true }
};

/**
 * Why the server extension is asked:
 * - `open`: before loading the page (first render, re-attach, a saved output, a reload);
 * - `stopped`: the page gave up its connection;
 * - `silent`: the frame loaded but the page never said a word.
 */
export type CheckReason = 'open' | 'stopped' | 'silent';

/**
 * What a check's verdict means: `'load'` (load the page), or the state to show.
 *
 * A gone kernel is "Kernel not running" only when this view saw it go (the page lost its connection)
 * and the notebook has no other kernel: `notebookKernel` is the id of the kernel of the notebook
 * holding the view now (null: none; undefined: not known, e.g. no notebook). A view opened after its
 * kernel went (a saved notebook reopened, which may be starting a new kernel right now) says "Server
 * not running", which is true whatever the notebook runs.
 */
export function stateAfterCheck(
  verdict: Verdict,
  reason: CheckReason,
  notebookKernel: string | null | undefined,
  bundleKernel: string | null
): ViewState | 'load' {
  switch (verdict) {
    case 'running':
      return reason === 'open' ? 'load' : reason === 'stopped' ? 'disconnected' : 'not-loaded';
    case 'unknown':
      // No answer: never keep a page from loading for that; after the page spoke, say what we know.
      return reason === 'open' ? 'load' : reason === 'stopped' ? 'stopped' : 'not-loaded';
    case 'server-stopped':
      return 'server-stopped';
    case 'kernel-restarted':
      return 'kernel-restarted';
    case 'kernel-shutdown':
      if (reason === 'open' || (typeof notebookKernel === 'string' && notebookKernel !== bundleKernel)) {
        return 'not-running';
      }
      return 'kernel-shutdown';
    case 'not-registered':
      return 'not-running';
  }
}

/** The state a page's status message leads to, or 'check' (the page gave up: ask why), or null (ignore). */
export function stateOfPageStatus(current: ViewState, status: unknown): ViewState | 'check' | null {
  if (STATES[current].final) {
    return null; // the server is gone; the page only confirms it
  }
  switch (status) {
    case 'connecting':
    case 'live':
    case 'waiting':
    case 'reconnecting':
      return status;
    case 'stopped':
      return 'check';
    default:
      return null;
  }
}

/** A snapshot, and when this view received it (ms). */
export interface ISnapshot {
  readonly html: string;
  readonly at: number;
}

/**
 * The last picture of the app: the newer of the page's own (posted when it lost its connection) and
 * the bundle's (rendered by Python at display time, or at stop in a final bundle); on a tie, the page's
 * (it is what the user saw). Empty snapshots do not count.
 */
export function chooseSnapshot(page: ISnapshot | null, bundle: ISnapshot | null): ISnapshot | null {
  const usable = (snapshot: ISnapshot | null) => (snapshot && snapshot.html.trim() ? snapshot : null);
  const fromPage = usable(page);
  const fromBundle = usable(bundle);
  if (!fromPage || !fromBundle) {
    return fromPage ?? fromBundle;
  }
  return fromBundle.at > fromPage.at ? fromBundle : fromPage;
}

/** The HTML of a `MESSAGE_SNAPSHOT` message, or null when it has none fit to keep. */
export function pageSnapshotHtml(data: Untrusted<ISnapshotMessage>): string | null {
  const html = data.html;
  return typeof html === 'string' && html.trim() && html.length <= MAX_PAGE_SNAPSHOT ? html : null;
}

/**
 * What the view's stage shows: the frame only when the page is live (or loading with no picture to
 * show meanwhile); otherwise the snapshot, or nothing when there is none.
 */
export function showsFrame(state: ViewState, hasSnapshot: boolean): boolean {
  return state === 'live' || state === 'waiting' || (state === 'connecting' && !hasSnapshot);
}
