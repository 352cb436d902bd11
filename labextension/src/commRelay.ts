/**
 * The comm relay of one view: a page whose transport is the comm (`?transport=comm`) posts its wslink
 * frames to this window; each of its connections (a `channel`) becomes one kernel comm to
 * `COMM_TARGET`, opened for the view's own server, and frames go both ways as comm buffers, moved
 * (transferred) across `postMessage`, never copied into JSON.
 *
 * The kernel trusts comms of its own front end as it trusts itself, so the relay only opens comms on the
 * kernel of the notebook showing the view, and only to the server of the view's bundle, whatever the
 * page claims.
 */
import type { Kernel } from '@jupyterlab/services';

import {
  COMM_CLOSE_NOT_FOUND,
  COMM_MESSAGE,
  COMM_TARGET,
  MESSAGE_COMM_CLOSE,
  MESSAGE_COMM_FRAME,
  MESSAGE_COMM_OPEN
} from './contract';

/** What the relay uses of a kernel connection. */
export type IRelayKernel = Pick<Kernel.IKernelConnection, 'createComm' | 'statusChanged' | 'disposed'>;

/** Kernel statuses after which no comm of the kernel lives on (JupyterLab drops them without a word). */
const KERNEL_GONE: ReadonlySet<Kernel.Status> = new Set(['restarting', 'autorestarting', 'terminating', 'dead']);
/** Close code the page gets when its kernel restarts or stops: its server went away with the kernel. */
const CLOSE_GOING_AWAY = 1001;

/** Options of a relay. */
export interface ICommRelayOptions {
  /** The kernel to open comms on (the notebook's), or null when there is none now. */
  kernel: () => IRelayKernel | null;
  /** Post a message to the page, moving `transfer`. */
  post: (message: Record<string, unknown>, transfer: Transferable[]) => void;
}

/** Close code the relay answers with when the kernel refuses a comm: "try again later". */
const CLOSE_TRY_AGAIN = 1013;

/** The bytes of a buffer as an ArrayBuffer of their own (a view may share a larger buffer). */
function ownBuffer(buffer: ArrayBuffer | ArrayBufferView): ArrayBuffer {
  if (buffer instanceof ArrayBuffer) {
    return buffer;
  }
  const source = buffer.buffer as ArrayBuffer;
  if (buffer.byteOffset === 0 && buffer.byteLength === source.byteLength) {
    return source;
  }
  return source.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength);
}

export class CommRelay {
  constructor(options: ICommRelayOptions) {
    this._kernel = options.kernel;
    this._post = options.post;
  }

  /** Whether `type` is a message of this relay (the view hands those over, and no others). */
  static handles(type: unknown): boolean {
    return type === MESSAGE_COMM_OPEN || type === MESSAGE_COMM_FRAME || type === MESSAGE_COMM_CLOSE;
  }

  /** How many comms are open. */
  get size(): number {
    return this._comms.size;
  }

  /** A message from the page, for the server `serverId` (the view's, not the page's word). */
  handle(data: { type?: unknown; channel?: unknown; frame?: unknown }, serverId: string): void {
    const channel = data.channel;
    if (typeof channel !== 'number' || !Number.isInteger(channel)) {
      return;
    }
    if (data.type === MESSAGE_COMM_OPEN) {
      this._open(channel, serverId);
    } else if (data.type === MESSAGE_COMM_FRAME) {
      const comm = this._comms.get(channel)?.comm;
      if (comm && !comm.isDisposed && data.frame instanceof ArrayBuffer) {
        comm.send({ type: COMM_MESSAGE.FRAME }, undefined, [data.frame]);
      }
    } else if (data.type === MESSAGE_COMM_CLOSE) {
      this._close(channel);
    }
  }

  /** Close every comm (the page is unloaded or the view disposed). */
  closeAll(): void {
    for (const channel of [...this._comms.keys()]) {
      this._close(channel);
    }
  }

  private _open(channel: number, serverId: string): void {
    this._close(channel); // a channel is opened once; a repeat replaces it
    const kernel = this._kernel();
    if (!kernel) {
      // No kernel, so no server: the page stops trying (as when the proxy has no route for it).
      const reason = 'the notebook has no kernel running';
      this._post({ type: MESSAGE_COMM_CLOSE, channel, code: COMM_CLOSE_NOT_FOUND, reason }, []);
      return;
    }
    let comm: Kernel.IComm;
    try {
      comm = kernel.createComm(COMM_TARGET);
    } catch (error) {
      this._post({ type: MESSAGE_COMM_CLOSE, channel, code: CLOSE_TRY_AGAIN, reason: String(error) }, []);
      return;
    }
    // JupyterLab drops a kernel's comms without calling their onClose when the kernel restarts, and
    // when it shuts down (the connection is disposed): watch both.
    const lost = (reason: string): void => {
      if (this._comms.get(channel)?.comm === comm) {
        this._close(channel);
        this._post({ type: MESSAGE_COMM_CLOSE, channel, code: CLOSE_GOING_AWAY, reason }, []);
      }
    };
    const onStatus = (_: unknown, status: Kernel.Status): void => {
      if (KERNEL_GONE.has(status)) {
        lost(`the kernel is ${status}`);
      }
    };
    const onDisposed = (): void => lost('the kernel connection is closed');
    kernel.statusChanged.connect(onStatus);
    kernel.disposed.connect(onDisposed);
    const stop = (): void => {
      kernel.statusChanged.disconnect(onStatus);
      kernel.disposed.disconnect(onDisposed);
    };
    this._comms.set(channel, { comm, stop });
    comm.onMsg = msg => {
      const data = msg.content.data as { type?: unknown } | undefined;
      const buffers = msg.buffers ?? [];
      if (data?.type !== COMM_MESSAGE.FRAME || buffers.length !== 1) {
        return;
      }
      const frame = ownBuffer(buffers[0]);
      this._post({ type: MESSAGE_COMM_FRAME, channel, frame }, [frame]);
    };
    comm.onClose = msg => {
      const open = this._comms.get(channel);
      if (open?.comm !== comm) {
        return; // closed from this side: the page knows
      }
      this._comms.delete(channel);
      open.stop();
      const data = (msg.content.data ?? {}) as { code?: unknown; reason?: unknown };
      const code = typeof data.code === 'number' ? data.code : 1006;
      const reason = typeof data.reason === 'string' ? data.reason : 'the kernel closed the comm';
      this._post({ type: MESSAGE_COMM_CLOSE, channel, code, reason }, []);
    };
    comm.open({ server_id: serverId });
    this._post({ type: MESSAGE_COMM_OPEN, channel }, []);
  }

  private _close(channel: number): void {
    const open = this._comms.get(channel);
    if (!open) {
      return;
    }
    this._comms.delete(channel);
    open.stop();
    const comm = open.comm;
    if (!comm.isDisposed) {
      try {
        comm.close();
      } catch {
        // the kernel went away: the comm is gone with it
      }
    }
  }

  private _kernel: () => IRelayKernel | null;
  private _post: (message: Record<string, unknown>, transfer: Transferable[]) => void;
  private _comms = new Map<number, { comm: Kernel.IComm; stop: () => void }>();
}
