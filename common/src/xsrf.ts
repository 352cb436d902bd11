/**
 * Jupyter's XSRF token on our own same-origin requests.
 *
 * A fetch (CORS mode, even same-origin) authenticated by the login cookie needs the token under
 * JupyterHub's single-user servers (and jupyter-server when `disable_check_xsrf` is false): without it the
 * answer is 403. The token is the `_xsrf` cookie, which pages of the Jupyter server's origin can read; it is
 * sent as JupyterLab sends it, in the `X-XSRFToken` header (or as the `_xsrf` query argument where a request
 * cannot carry headers, as a module `<script>`). Outside Jupyter there is no such cookie and nothing is added.
 */

/** The `_xsrf` cookie's value, or null. The first one wins (the most specific path comes first). */
export function xsrfToken(cookies: string = globalThis.document?.cookie ?? ''): string | null {
  for (const part of cookies.split(';')) {
    const separator = part.indexOf('=');
    if (separator >= 0 && part.slice(0, separator).trim() === '_xsrf') {
      const value = part.slice(separator + 1).trim().replace(/^"(.*)"$/, '$1');
      return value || null;
    }
  }
  return null;
}

/** `init` with the XSRF header added, when there is a token. */
export function withXsrf(init: RequestInit = {}, cookies?: string): RequestInit {
  const token = xsrfToken(cookies);
  if (token === null) {
    return init;
  }
  const headers = new Headers(init.headers);
  headers.set('X-XSRFToken', token);
  return { ...init, headers };
}

/**
 * `url` with the token as its `_xsrf` query argument, for a request that cannot carry headers; only for
 * a URL of `origin` (the token is never given to another site).
 */
export function withXsrfQuery(url: string, origin: string, cookies?: string): string {
  const token = xsrfToken(cookies);
  const target = new URL(url, origin);
  if (token === null || target.origin !== new URL(origin).origin || target.searchParams.has('_xsrf')) {
    return url;
  }
  target.searchParams.set('_xsrf', token);
  return target.href;
}
