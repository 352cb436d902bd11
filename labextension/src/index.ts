/**
 * The MIME renderer extension of trame-jupyter (`"mimeExtension": true`, this module is `main`):
 * `application/vnd.trame-jupyter.v1+json` becomes a live view of the kernel's server.
 *
 * The companion plugin for application services (main-area tabs) is `plugin.ts`.
 */
import { IRenderMime } from '@jupyterlab/rendermime-interfaces';

import { MIME_TYPE } from './bundle';
import { TrameView } from './view';

export { ITrameBundle, MIME_TYPE, parseBundle } from './bundle';
export { EXTENSION_VERSION } from './version';
export { TrameView, ViewState } from './view';

/**
 * The renderer factory.
 *
 * `safe: false`, on purpose: the view is an iframe running the app's scripts, same-origin with
 * JupyterLab, that opens a websocket to code running in the kernel. That is exactly what an
 * untrusted notebook must not do on open. JupyterLab therefore uses this renderer only for trusted
 * outputs: a cell executed in this session is trusted (executing marks its outputs trusted), and so
 * is a notebook the user trusted. A saved, untrusted notebook falls back to the bundle's `text/html`
 * (sanitized: no script, no frame) or `text/plain`, which is what we want: nothing connects until
 * the user runs the cell or trusts the notebook.
 */
export const rendererFactory: IRenderMime.IRendererFactory = {
  safe: false,
  mimeTypes: [MIME_TYPE],
  defaultRank: 0,
  // The sanitizer cleans the snapshots again before they are shown (the kernel sanitized them already).
  createRenderer: options => new TrameView({ sanitizer: options.sanitizer })
};

/** Rank 0: preferred over `text/html` (50) and every other representation in the bundle. */
const extension: IRenderMime.IExtension = {
  id: 'trame-jupyter:renderer',
  description: 'Renders trame-jupyter app views (application/vnd.trame-jupyter.v1+json) as live frames.',
  rendererFactory,
  rank: 0,
  dataType: 'json'
};

export default extension;
