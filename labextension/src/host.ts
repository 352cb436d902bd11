/**
 * What the JupyterLab application offers to the renderers.
 *
 * A MIME renderer extension gets no `app` and cannot request tokens: its factory is created by
 * JupyterLab from static data. The companion plugin (`plugin.ts`, a plain front-end plugin of this
 * same package) receives the application and registers its services here. Both entry points are
 * modules of one federated bundle, so they share this module instance; nothing goes through `window`
 * and no other package can reach it. A renderer without a host (e.g. a shell with no main-area tabs,
 * such as Notebook 7's notebook page) simply does not offer the tab action.
 */
import type { ITrameBundle } from './bundle';

/** Services of the application the renderers may use. */
export interface ITrameHost {
  /** Show a bundle's live view in a main-area tab (or activate the one already open). */
  openInTab(bundle: ITrameBundle): void;
}

let current: ITrameHost | null = null;
const listeners = new Set<(host: ITrameHost | null) => void>();

/** Set (or clear, with null) the host; renderers already shown update their toolbar. */
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
