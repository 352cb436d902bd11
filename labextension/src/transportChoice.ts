/**
 * How a view's page reaches its server. The kernel may force it (`?transport=proxy|comm` in the bundle's
 * path, from `display(server, transport=...)`); otherwise ("auto") the proxy is used when it reaches the
 * server, and the kernel comm when it does not: the proxy has no route to it (a kernel behind a gateway,
 * on another host: its registration is not visible here), or answers 502, or does not answer at all.
 * No I/O here but `probeProxy`, whose fetch is given.
 */
import { REASON_NOT_REGISTERED, SESSION_PATH, TRANSPORT_PARAM, withXsrf } from '@trame-jupyter/common';

/** What the bundle asks for. */
export type TransportMode = 'proxy' | 'comm' | 'auto';
/** What a page uses. */
export type PageTransport = 'proxy' | 'comm';

/** The transport a bundle's path asks for (`auto` when it names none). */
export function transportMode(path: string): TransportMode {
  const query = path.split('#', 1)[0].split('?')[1] ?? '';
  const asked = new URLSearchParams(query).get(TRANSPORT_PARAM);
  return asked === 'proxy' || asked === 'comm' ? asked : 'auto';
}

/** The session endpoint next to a page (`pageHref` absolute). */
export function sessionUrl(pageHref: string): string {
  const url = new URL(`./${SESSION_PATH}`, pageHref);
  url.search = '';
  url.hash = '';
  return url.href;
}

/**
 * Whether the proxy reaches the server: `reaches` (its session endpoint gave the secret), or why not:
 * `not-registered` (no route: stopped, or registered where this Jupyter server cannot see it),
 * `unreachable` (502: the route names a port nothing answers on, or another error, or no answer).
 */
export type ProxyProbe = 'reaches' | 'not-registered' | 'unreachable';

export async function probeProxy(url: string, fetchImpl: typeof fetch = fetch): Promise<ProxyProbe> {
  let response: Response;
  try {
    response = await fetchImpl(url, withXsrf({ credentials: 'same-origin', cache: 'no-store' }));
  } catch {
    return 'unreachable';
  }
  if (response.ok) {
    const body = (await response.json().catch(() => null)) as { secret?: unknown } | null;
    return body && typeof body.secret === 'string' && body.secret ? 'reaches' : 'unreachable';
  }
  if (response.status === 404) {
    const body = (await response.json().catch(() => null)) as { reason?: unknown } | null;
    return body?.reason === REASON_NOT_REGISTERED ? 'not-registered' : 'unreachable';
  }
  return 'unreachable';
}

/** Whether to try the comm: forced, or auto and the proxy does not reach the server. */
export function triesComm(mode: TransportMode, proxy: ProxyProbe | null): boolean {
  return mode === 'comm' || (mode === 'auto' && proxy !== 'reaches');
}
