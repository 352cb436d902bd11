/**
 * Is a view's server there, and if not, why: ask the server extension
 * (`GET trame-jupyter/api/kernels/<kernel_id>`, see the contract) about the kernel that made the
 * bundle, and compare with what the bundle recorded. A bundle that names no kernel is looked up in the
 * list of registered servers (`GET trame-jupyter/api/servers`).
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';
import { API_KERNELS_PATH, API_SERVERS_PATH, ROUTE } from '@trame-jupyter/common';

import { ITrameBundle } from './bundle';

/**
 * - `running`: the kernel still runs this bundle's server (the page itself lost its connection);
 * - `server-stopped`: same kernel process, the server is gone;
 * - `kernel-restarted`: the kernel runs in another process now;
 * - `kernel-shutdown`: the kernel does not exist any more;
 * - `not-registered`: (a bundle without a kernel id) no server of that id is registered;
 * - `unknown`: the route did not answer (older server extension, network, permissions).
 */
export type Verdict = 'running' | 'server-stopped' | 'kernel-restarted' | 'kernel-shutdown' | 'not-registered' | 'unknown';

export interface IKernelStatus {
  kernel_id: string;
  exists: boolean;
  pid: number | null;
  execution_state: string | null;
  servers: string[];
}

function isKernelStatus(value: unknown): value is IKernelStatus {
  const v = value as IKernelStatus;
  return !!v && typeof v === 'object' && typeof v.exists === 'boolean' && Array.isArray(v.servers);
}

/** Decide from a kernel status answer (exported for reuse and reasoning; no I/O). */
export function verdictOf(bundle: ITrameBundle, status: IKernelStatus): Verdict {
  if (!status.exists) {
    return 'kernel-shutdown';
  }
  if (status.servers.includes(bundle.server_id)) {
    return 'running';
  }
  if (bundle.kernel_pid !== null && status.pid !== null && status.pid !== bundle.kernel_pid) {
    return 'kernel-restarted';
  }
  return 'server-stopped';
}

/** Decide from the list of registered servers, for a bundle that names no kernel (no I/O). */
export function verdictOfServers(bundle: ITrameBundle, answer: unknown): Verdict {
  const servers = (answer as { servers?: unknown } | null)?.servers;
  if (!Array.isArray(servers)) {
    return 'unknown';
  }
  const found = servers.some(entry => (entry as { server_id?: unknown } | null)?.server_id === bundle.server_id);
  return found ? 'running' : 'not-registered';
}

async function getJson(url: string, settings: ServerConnection.ISettings): Promise<unknown> {
  const response = await ServerConnection.makeRequest(url, { cache: 'no-store' }, settings);
  return response.ok ? response.json() : undefined;
}

/** Ask the server extension what happened to the bundle's kernel and server. */
export async function checkKernel(
  bundle: ITrameBundle,
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): Promise<Verdict> {
  try {
    if (!bundle.kernel_id) {
      const answer = await getJson(URLExt.join(settings.baseUrl, ROUTE, API_SERVERS_PATH), settings);
      return answer === undefined ? 'unknown' : verdictOfServers(bundle, answer);
    }
    const status = await getJson(URLExt.join(settings.baseUrl, ROUTE, API_KERNELS_PATH, bundle.kernel_id), settings);
    return isKernelStatus(status) ? verdictOf(bundle, status) : 'unknown';
  } catch {
    return 'unknown';
  }
}
