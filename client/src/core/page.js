// What the page address tells the client: where the websocket is, which layout to show, which
// output it is embedded in, and the secret (read once, then removed from the address bar).
import { PAGE_GLOBAL, withXsrf } from '@trame-jupyter/common';
import { EMBED_JUPYTER, EMBED_PARAM, SESSION_PATH, TRANSPORT_PARAM, WS_PATH } from './protocol.js';

/**
 * The page's address: its own, or, for a page its host loaded over the comm (an `about:srcdoc` page),
 * the one the host gave it (`window[PAGE_GLOBAL].href`, see common/src/pageLoader.ts).
 */
export function pageAddress(win) {
  const given = win[PAGE_GLOBAL];
  return given && typeof given.href === 'string' && given.href ? given.href : win.location.href;
}

/** Websocket URL next to the page, so the app works under any path prefix (e.g. the Jupyter proxy). */
export function websocketUrl(pageHref) {
  const url = new URL(`./${WS_PATH}`, pageHref);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.hash = '';
  url.search = '';
  return url.href;
}

export function sessionUrl(pageHref) {
  const url = new URL(`./${SESSION_PATH}`, pageHref);
  url.hash = '';
  url.search = '';
  return url.href;
}

/**
 * `{ui, serverId, jupyterFrame, transport}` from the query string: `?ui=<layout>` (default main),
 * `?server_id=`, `?embed=jupyter`, which our JupyterLab renderer adds to the frames it makes (it shows
 * the connection status itself, so the page does not show its own), and `?transport=comm`: reach the
 * server through the embedding window's kernel comm instead of a websocket (default `proxy`).
 */
export function readPageOptions(pageHref) {
  const params = new URL(pageHref).searchParams;
  return {
    ui: params.get('ui') || 'main',
    serverId: params.get('server_id'),
    jupyterFrame: params.get(EMBED_PARAM) === EMBED_JUPYTER,
    transport: params.get(TRANSPORT_PARAM) === 'comm' ? 'comm' : 'proxy',
  };
}

function fragmentParams(url) {
  return new URLSearchParams(url.hash.startsWith('#') ? url.hash.slice(1) : url.hash);
}

/**
 * The secret from `#secret=` or `?secret=`, and the address without it (null if none was there).
 * @returns {{secret: string|null, source: 'fragment'|'query'|null, cleanHref: string|null}}
 */
export function secretFromAddress(pageHref) {
  const url = new URL(pageHref);
  const fragment = fragmentParams(url);
  if (fragment.get('secret')) {
    const secret = fragment.get('secret');
    fragment.delete('secret');
    const rest = fragment.toString();
    url.hash = rest ? `#${rest}` : '';
    return { secret, source: 'fragment', cleanHref: url.href };
  }
  if (url.searchParams.get('secret')) {
    const secret = url.searchParams.get('secret');
    url.searchParams.delete('secret');
    return { secret, source: 'query', cleanHref: url.href };
  }
  return { secret: null, source: null, cleanHref: null };
}

/**
 * Ask the same-origin session endpoint for the secret (served by the Jupyter proxy).
 * @returns {Promise<{status: 'ok', secret: string} | {status: 'gone'} | {status: 'no-secret'} |
 *   {status: 'unreachable', error}>} 'gone' when the proxy says no such server is registered;
 *   'no-secret' for any other 404 (a direct server has no session endpoint: the page was opened
 *   without the secret in its address).
 */
export async function fetchSessionSecret(url, fetchImpl = fetch) {
  let response;
  try {
    response = await fetchImpl(url, withXsrf({ credentials: 'same-origin', cache: 'no-store' }));
  } catch (error) {
    return { status: 'unreachable', error };
  }
  if (response.status === 404 || response.status === 410) {
    const body = await response.json().catch(() => null);
    return { status: body && body.reason === 'not-registered' ? 'gone' : 'no-secret' };
  }
  if (!response.ok) return { status: 'unreachable', error: new Error(`HTTP ${response.status}`) };
  try {
    const body = await response.json();
    if (body && typeof body.secret === 'string' && body.secret) return { status: 'ok', secret: body.secret };
  } catch (error) {
    return { status: 'unreachable', error };
  }
  return { status: 'unreachable', error: new Error('session endpoint answered without a secret') };
}
