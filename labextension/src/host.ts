/**
 * What the application (JupyterLab, or Notebook 7) offers to the renderers.
 *
 * A MIME renderer extension gets no `app` and cannot request tokens: its factory is created by
 * JupyterLab from static data. The companion plugin (`plugin.ts`, a plain front-end plugin of this
 * same package) receives the application and registers its services here. Both entry points are
 * modules of one federated bundle, so they share this module instance; nothing goes through `window`
 * and no other package can reach it. A renderer without a host simply offers none of these actions.
 */
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';

import type { ITrameBundle } from './bundle';
import type { IRelayKernel } from './commRelay';

/** Services of the application the renderers may use. */
export interface ITrameHost {
  /**
   * Show a bundle's live view in a main-area tab (or activate the one already open); null when the
   * shell has no main-area tabs (Notebook 7's notebook page). The sanitizer shows its snapshots.
   */
  readonly openInTab: ((bundle: ITrameBundle, sanitizer: IRenderMime.ISanitizer | null) => void) | null;
  /** Whether `node` is in an output of a notebook cell that `rerun` can run. */
  canRerun(node: HTMLElement): boolean;
  /**
   * Run the notebook cell whose output holds `node` (with `fromTop`, every cell from the first through
   * that one: what the cell needs, when the kernel lost it); false when there is none.
   */
  rerun(node: HTMLElement, options?: { fromTop?: boolean }): Promise<boolean>;
  /**
   * The kernel id of the notebook holding `node`: a string, null when that notebook has no kernel, or
   * undefined when `node` is in no notebook.
   */
  notebookKernel(node: HTMLElement): string | null | undefined;
  /**
   * The kernel connection to open a view's comms on: that of the notebook holding `node`, else (a view
   * in a tab) that of an open notebook whose kernel is `kernelId`; null when there is none.
   */
  kernelFor?(node: HTMLElement, kernelId: string | null): IRelayKernel | null;
}

let current: ITrameHost | null = null;
const listeners = new Set<(host: ITrameHost | null) => void>();

/** Set (or clear, with null) the host; renderers already shown update their actions. */
export function setHost(host: ITrameHost | null): void {
  current = host;
  for (const listener of [...listeners]) {
    listener(host);
  }
}

/** The host, or null when no application plugin registered one. */
export function getHost(): ITrameHost | null {
  return current;
}

/** Call `listener` whenever the host changes; returns a function that stops it. */
export function onHostChanged(listener: (host: ITrameHost | null) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
