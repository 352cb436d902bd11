/**
 * The comm relay of one view: a page whose transport is the comm (`?transport=comm`) posts its wslink
 * frames to this window; each of its connections (a `channel`) becomes one kernel comm to
 * `COMM_TARGET`, opened for the view's own server, and frames go both ways as comm buffers, moved
 * (transferred) across `postMessage`, never copied into JSON. From the kernel, one message may carry the
 * frames of one tick of its loop, one per buffer (`COMM_OPEN_BATCHES`): each goes to the page in order.
 *
 * The kernel trusts comms of its own front end as it trusts itself, so the relay only opens comms on the
 * kernel of the notebook showing the view, and only to the server of the view's bundle, whatever the
 * page claims.
 *
 * Files: one more comm of the view, opened when first needed, fetches the server's files (`{type: "fetch"}`,
 * the page loader of `@trame-jupyter/common`): the page itself when the view loads it over the comm
 * (`fetch`), and what the page asks for (`MESSAGE_FETCH`: widget packages' scripts and styles).
 */
import type { Kernel } from '@jupyterlab/services';
import type { JSONObject } from '@lumino/coreutils';

import {
  COMM_CLOSE_NOT_FOUND,
  COMM_MESSAGE,
  COMM_OPEN_BATCHES,
  COMM_TARGET,
  CommMessage,
  FetchClient,
  ICommCloseData,
  ICommFrameMessage,
  ICommOpenData,
  IFetchReply,
  MESSAGE_COMM_CLOSE,
  MESSAGE_COMM_FRAME,
  MESSAGE_COMM_OPEN,
  MESSAGE_FETCH,
  MESSAGE_FETCH_REPLY,
  ownBuffer,
  PageMessage,
  Untrusted,
  WindowMessage
} from '@trame-jupyter/common';

/** What the relay uses of a kernel connection. */
export type IRelayKernel = Pick<Kernel.IKernelConnection, 'createComm' | 'statusChanged' | 'disposed'>;

/** Kernel statuses after which no comm of the kernel lives on (JupyterLab drops them without a word). */
const KERNEL_GONE: ReadonlySet<Kernel.Status> = new Set(['restarting', 'autorestarting', 'terminating', 'dead']);
/** Close code the page gets when its kernel restarts or stops: its server went away with the kernel. */
const CLOSE_GOING_AWAY = 1001;

/** What became of a kernel whose comms are gone: restarted (a new process, no server of ours yet), or shut down. */
export type KernelGone = 'restarted' | 'shutdown';

/** Options of a relay. */
export interface ICommRelayOptions {
  /** The kernel to open comms on (the notebook's), or null when there is none now. */
  kernel: () => IRelayKernel | null;
  /** Post a message to the page, moving `transfer`. */
  post: (message: WindowMessage, transfer: Transferable[]) => void;
  /**
   * The kernel of an open channel restarted or shut down: its server is gone with it. Where nothing else
   * can tell (a kernel behind a gateway is unknown to our server extension), this is how the view knows.
   */
  onKernelGone?: (gone: KernelGone) => void;
}

/** Close code the relay answers with when the kernel refuses a comm: "try again later". */
const CLOSE_TRY_AGAIN = 1013;

export class CommRelay {
  constructor(options: ICommRelayOptions) {
    this._kernel = options.kernel;
    this._post = options.post;
    this._onKernelGone = options.onKernelGone ?? (() => undefined);
  }

  /** Whether `type` is a message of this relay (the view hands those over, and no others). */
  static handles(type: unknown): boolean {
    return (
      type === MESSAGE_COMM_OPEN || type === MESSAGE_COMM_FRAME || type === MESSAGE_COMM_CLOSE || type === MESSAGE_FETCH
    );
  }

  /** Fetch one of the server's files (`path` relative to its root) over the view's fetch comm. */
  fetch(path: string, serverId: string): Promise<IFetchReply> {
    let files = this._files;
    if (!files || files.serverId !== serverId) {
      this._closeFiles();
      files = this._files = this._openFiles(serverId);
    }
    return files.client.fetch(path);
  }

  /** How many comms are open. */
  get size(): number {
    return this._comms.size;
  }

  /** A message from the page, for the server `serverId` (the view's, not the page's word). */
  handle(data: Untrusted<PageMessage>, serverId: string): void {
    if (data.type === MESSAGE_FETCH) {
      this._fetchForPage(data.id, data.path, serverId);
      return;
    }
    const channel = data.channel;
    if (typeof channel !== 'number' || !Number.isInteger(channel)) {
      return;
    }
    if (data.type === MESSAGE_COMM_OPEN) {
      this._open(channel, serverId);
    } else if (data.type === MESSAGE_COMM_FRAME) {
      const comm = this._comms.get(channel)?.comm;
      if (comm && !comm.isDisposed && data.frame instanceof ArrayBuffer) {
        comm.send(json<ICommFrameMessage>({ type: COMM_MESSAGE.FRAME }), undefined, [data.frame]);
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
    this._closeFiles();
  }

  private _fetchForPage(id: unknown, path: unknown, serverId: string): void {
    if (typeof id !== 'number' || typeof path !== 'string') {
      return;
    }
    const answer = (reply: IFetchReply): void => {
      const body = reply.body;
      const { status, mime, reason } = reply;
      this._post({ type: MESSAGE_FETCH_REPLY, id, status, mime, reason, body }, body ? [body] : []);
    };
    this.fetch(path, serverId).then(answer, (error: unknown) =>
      answer({ status: 0, mime: '', reason: error instanceof Error ? error.message : String(error), body: null })
    );
  }

  /** The comm fetching files: its replies go to a `FetchClient`; it is no client of the server. */
  private _openFiles(serverId: string): IFiles {
    const kernel = this._kernel();
    let comm: Kernel.IComm | null = null;
    const client = new FetchClient((data, buffers) => {
      if (!comm || comm.isDisposed) {
        throw new Error('the comm to the kernel is closed');
      }
      comm.send(json(data), undefined, buffers);
    });
    const files: IFiles = { serverId, client, close: () => undefined };
    if (!kernel) {
      client.fail('the notebook has no kernel running');
      return files;
    }
    try {
      comm = kernel.createComm(COMM_TARGET);
    } catch (error) {
      client.fail(String(error));
      return files;
    }
    const opened = comm;
    const lost = (reason: string): void => {
      client.fail(reason);
      if (this._files === files) {
        this._files = null; // the next fetch opens a new comm
      }
      stop();
    };
    const stop = watchKernel(kernel, lost);
    opened.onMsg = msg => {
      client.receive(msg.content.data, msg.buffers ?? []);
    };
    opened.onClose = msg => {
      const data = (msg.content.data ?? {}) as Untrusted<ICommCloseData>;
      const reason = typeof data.reason === 'string' ? data.reason : 'the kernel closed the comm';
      lost(reason);
      files.closeCode = typeof data.code === 'number' ? data.code : 1006;
    };
    files.close = () => {
      lost('the view closed its comm');
      if (!opened.isDisposed) {
        try {
          opened.close();
        } catch {
          // the kernel went away: the comm is gone with it
        }
      }
    };
    opened.open(json<ICommOpenData>({ server_id: serverId }));
    return files;
  }

  private _closeFiles(): void {
    const files = this._files;
    this._files = null;
    files?.close();
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
    const lost = (reason: string, gone: KernelGone): void => {
      if (this._comms.get(channel)?.comm === comm) {
        this._close(channel);
        this._post({ type: MESSAGE_COMM_CLOSE, channel, code: CLOSE_GOING_AWAY, reason }, []);
        this._onKernelGone(gone);
      }
    };
    const stop = watchKernel(kernel, lost);
    this._comms.set(channel, { comm, stop });
    comm.onMsg = msg => {
      const data = msg.content.data as Untrusted<CommMessage> | undefined;
      const buffers = msg.buffers ?? [];
      if (data?.type !== COMM_MESSAGE.FRAME) {
        return;
      }
      // One frame per buffer, in order: the kernel sends the frames of one tick together (COMM_OPEN_BATCHES).
      for (const buffer of buffers) {
        const frame = ownBuffer(buffer);
        this._post({ type: MESSAGE_COMM_FRAME, channel, frame }, [frame]);
      }
    };
    comm.onClose = msg => {
      const open = this._comms.get(channel);
      if (open?.comm !== comm) {
        return; // closed from this side: the page knows
      }
      this._comms.delete(channel);
      open.stop();
      const data = (msg.content.data ?? {}) as Untrusted<ICommCloseData>;
      const code = typeof data.code === 'number' ? data.code : 1006;
      const reason = typeof data.reason === 'string' ? data.reason : 'the kernel closed the comm';
      this._post({ type: MESSAGE_COMM_CLOSE, channel, code, reason }, []);
    };
    comm.open(json<ICommOpenData>({ server_id: serverId, [COMM_OPEN_BATCHES]: true }));
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
  private _post: (message: WindowMessage, transfer: Transferable[]) => void;
  private _onKernelGone: (gone: KernelGone) => void;
  private _comms = new Map<number, { comm: Kernel.IComm; stop: () => void }>();
  private _files: IFiles | null = null;
}

/** A message of the contract as the JSON data a comm sends (its interfaces have no index signature). */
function json<T extends object>(message: T): JSONObject {
  return message as unknown as JSONObject;
}

/** The comm of a view that fetches files. */
interface IFiles {
  serverId: string;
  client: FetchClient;
  close: () => void;
  /** The kernel's close code, once it closed the comm (`COMM_CLOSE_NOT_FOUND`: no such server). */
  closeCode?: number;
}

/**
 * Call `lost(reason, gone)` when `kernel` restarts, dies or its connection is disposed (JupyterLab drops the
 * kernel's comms then without calling their onClose); returns the function that stops watching.
 */
function watchKernel(kernel: IRelayKernel, lost: (reason: string, gone: KernelGone) => void): () => void {
  const onStatus = (_: unknown, status: Kernel.Status): void => {
    if (KERNEL_GONE.has(status)) {
      lost(`the kernel is ${status}`, status === 'restarting' || status === 'autorestarting' ? 'restarted' : 'shutdown');
    }
  };
  const onDisposed = (): void => lost('the kernel connection is closed', 'shutdown');
  kernel.statusChanged.connect(onStatus);
  kernel.disposed.connect(onDisposed);
  return () => {
    kernel.statusChanged.disconnect(onStatus);
    kernel.disposed.disconnect(onDisposed);
  };
}
