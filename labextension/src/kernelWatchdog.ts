/**
 * A notebook's kernel connection that is open but never hears its kernel gets one fresh connection.
 *
 * Behind a Jupyter Kernel Gateway, JupyterLab may open two websockets of one client session in quick
 * succession; the gateway replaces the first ("Replacing stale connection") and, with that, the Jupyter
 * server's relay of the second goes quiet: the notebook shows "connected" while its kernel status stays
 * "unknown" for good, and Run All never runs (a race in Jupyter's gateway path, before any code of ours runs
 * in the kernel; see docs/upstream.md). A new websocket (`kernel.reconnect()`) is a new gateway connection
 * and works, as a page reload does. The watchdog reconnects once per kernel connection, after
 * `SILENT_KERNEL_MS` of "connected" without a word of the kernel; a kernel that is busy in a long cell
 * when the page opens is also silent, and then costs one reconnection, nothing more.
 */
import type { ISessionContext } from '@jupyterlab/apputils';
import type { Kernel } from '@jupyterlab/services';

export const SILENT_KERNEL_MS = 10_000;

/** The part of a kernel connection the watchdog uses. */
export type WatchedKernel = Pick<Kernel.IKernelConnection, 'connectionStatus' | 'status' | 'reconnect' | 'id'>;

/** Whether a kernel connection is open but has not heard its kernel (no status yet). */
export function isSilent(kernel: WatchedKernel | null | undefined): boolean {
  return !!kernel && kernel.connectionStatus === 'connected' && kernel.status === 'unknown';
}

/** Watch one notebook's session: reconnect its kernel once if it stays silent. Returns a function to stop. */
export function watchKernelConnection(
  session: ISessionContext,
  { delay = SILENT_KERNEL_MS, warn = (text: string) => console.warn(text) } = {}
): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const revived = new WeakSet<object>();
  const check = () => {
    if (timer !== null) {
      clearTimeout(timer);
      timer = null;
    }
    const kernel = session.session?.kernel;
    if (!kernel || !isSilent(kernel) || revived.has(kernel)) {
      return;
    }
    timer = setTimeout(() => {
      timer = null;
      const now = session.session?.kernel;
      if (now === kernel && isSilent(kernel) && !revived.has(kernel)) {
        revived.add(kernel);
        warn(`trame-jupyter: kernel ${kernel.id} connected but silent for ${delay / 1000} s: reconnecting`);
        void kernel.reconnect().catch(() => undefined);
      }
    }, delay);
  };
  session.kernelChanged.connect(check);
  session.connectionStatusChanged.connect(check);
  session.statusChanged.connect(check);
  check();
  return () => {
    if (timer !== null) {
      clearTimeout(timer);
    }
    session.kernelChanged.disconnect(check);
    session.connectionStatusChanged.disconnect(check);
    session.statusChanged.disconnect(check);
  };
}
