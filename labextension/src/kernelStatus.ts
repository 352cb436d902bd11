/**
 * Why a view stopped: ask the server extension (`GET trame-jupyter/api/kernels/<kernel_id>`, see `contract.ts`) about
 * the kernel that made the bundle, and compare with what the bundle recorded.
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import { ITrameBundle } from './bundle';
import { API_KERNELS_PATH, ROUTE } from './contract';

/**
 * - `running`: the kernel still runs this bundle's server (the page itself lost its connection);
 * - `server-stopped`: same kernel process, the server is gone;
 * - `kernel-restarted`: the kernel runs in another process now;
 * - `kernel-shutdown`: the kernel does not exist any more;
 * - `unknown`: the route did not answer (older server extension, network, permissions).
 */
export type Verdict = 'running' | 'server-stopped' | 'kernel-restarted' | 'kernel-shutdown' | 'unknown';

interface IKernelStatus {
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

/** Ask the server extension what happened to the bundle's kernel and server. */
export async function checkKernel(
  bundle: ITrameBundle,
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): Promise<Verdict> {
  if (!bundle.kernel_id) {
    return 'unknown';
  }
  const url = URLExt.join(settings.baseUrl, ROUTE, API_KERNELS_PATH, bundle.kernel_id);
  try {
    const response = await ServerConnection.makeRequest(url, { cache: 'no-store' }, settings);
    if (!response.ok) {
      return 'unknown';
    }
    const status: unknown = await response.json();
    return isKernelStatus(status) ? verdictOf(bundle, status) : 'unknown';
  } catch {
    return 'unknown';
  }
}
