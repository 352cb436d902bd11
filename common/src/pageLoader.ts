/**
 * Loading a view's page where no HTTP route reaches its server: every file comes through a fetch
 * function (the kernel comm's `{type: "fetch"}` requests, `contract.ts`), becomes a `blob:` URL, and the
 * page is shown from HTML whose references are rewritten to those URLs (an iframe's `srcdoc`).
 *
 * Carrier-agnostic on purpose: the JupyterLab renderer feeds `FetchClient` from a kernel comm, the
 * anywidget front end from its widget's messages; both call `loadPage`. It imports only the contract.
 *
 * What this does not make work: URLs *inside* the fetched files that are relative to them (a stylesheet's
 * `url(fonts/x.woff2)`, a script's `import('./chunk.js')` or `new URL('x', import.meta.url)`) resolve
 * against the `blob:` URL and fail; the page's own build has no such references. Absolute URLs (CDNs)
 * load as usual.
 */
import {
  COMM_MESSAGE,
  FETCH_STATUSES,
  type ICommFetchMessage,
  type ICommFetchReply,
  TRANSPORT_PARAM,
  type Untrusted
} from './contract.js';

/** A file fetched from the server (`body` when `status` is 200). */
export interface IFetchReply {
  status: number;
  mime: string;
  reason: string;
  body: ArrayBuffer | null;
}

/** Fetch one file by its path relative to the server root, as the page would request it over HTTP. */
export type FetchFile = (path: string) => Promise<IFetchReply>;

/** How long a fetch may take before it fails (a kernel busy running a cell does not answer). */
export const FETCH_TIMEOUT_MS = 60000;

/** Name of the global the page reads its options from when it has no address of its own (srcdoc). */
export const PAGE_GLOBAL = '__TRAME_JUPYTER_PAGE__';

/** The bytes of a buffer as an ArrayBuffer of their own (a view may share a larger buffer). */
export function ownBuffer(buffer: ArrayBuffer | ArrayBufferView): ArrayBuffer {
  if (buffer instanceof ArrayBuffer) {
    return buffer;
  }
  const source = buffer.buffer as ArrayBuffer;
  if (buffer.byteOffset === 0 && buffer.byteLength === source.byteLength) {
    return source;
  }
  return source.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength);
}

/**
 * The requesting side of the fetch protocol over one carrier: `send(data, buffers)` carries a request,
 * and the carrier's incoming messages go to `receive` (which says whether one was a fetch reply).
 */
export class FetchClient {
  constructor(send: (data: ICommFetchMessage, buffers: ArrayBuffer[]) => void, timeoutMs = FETCH_TIMEOUT_MS) {
    this._send = send;
    this._timeoutMs = timeoutMs;
  }

  /** Fetch `path`; rejects when the carrier fails (`fail`) or no reply comes in time. */
  fetch(path: string): Promise<IFetchReply> {
    if (this._failed !== null) {
      return Promise.reject(new Error(this._failed));
    }
    const id = ++this._lastId;
    return new Promise<IFetchReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this._pending.delete(id);
        reject(new Error(`no answer to the fetch of ${path} in ${this._timeoutMs / 1000} s`));
      }, this._timeoutMs);
      this._pending.set(id, { resolve, reject, timer });
      try {
        this._send({ type: COMM_MESSAGE.FETCH, id, path }, []);
      } catch (error) {
        this._settle(id)?.reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  /** A message of the carrier: true if it was a fetch reply (then it is taken). */
  receive(data: unknown, buffers: ReadonlyArray<ArrayBuffer | ArrayBufferView> = []): boolean {
    const reply = data as Untrusted<ICommFetchReply> | null;
    if (!reply || typeof reply !== 'object' || reply.type !== COMM_MESSAGE.FETCH_REPLY) {
      return false;
    }
    const pending = typeof reply.id === 'number' ? this._settle(reply.id) : undefined;
    if (pending) {
      const status = typeof reply.status === 'number' ? reply.status : 0;
      pending.resolve({
        status,
        mime: typeof reply.mime === 'string' ? reply.mime : '',
        reason: typeof reply.reason === 'string' ? reply.reason : '',
        body: status === FETCH_STATUSES.OK && buffers.length === 1 ? ownBuffer(buffers[0]) : null
      });
    }
    return true;
  }

  /** The carrier is gone: every pending fetch, and every later one, fails with `reason`. */
  fail(reason: string): void {
    this._failed = reason;
    for (const id of [...this._pending.keys()]) {
      this._settle(id)?.reject(new Error(reason));
    }
  }

  private _settle(id: number): IPending | undefined {
    const pending = this._pending.get(id);
    if (pending) {
      this._pending.delete(id);
      clearTimeout(pending.timer);
    }
    return pending;
  }

  private _send: (data: ICommFetchMessage, buffers: ArrayBuffer[]) => void;
  private _timeoutMs: number;
  private _lastId = 0;
  private _failed: string | null = null;
  private _pending = new Map<number, IPending>();
}

interface IPending {
  resolve: (reply: IFetchReply) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

/** A fetch that did not give the file: `status` is the server's answer (0: no answer at all). */
export class FetchError extends Error {
  constructor(
    readonly path: string,
    readonly status: number,
    reason: string
  ) {
    super(`could not fetch ${path}: ${status ? `${status} ${reason}` : reason}`);
  }
}

/** Fetch `path` and give its content, or throw `FetchError`. */
export async function fetchFile(fetch: FetchFile, path: string): Promise<IFetchReply & { body: ArrayBuffer }> {
  let reply: IFetchReply;
  try {
    reply = await fetch(path);
  } catch (error) {
    throw new FetchError(path, 0, error instanceof Error ? error.message : String(error));
  }
  if (reply.status !== FETCH_STATUSES.OK || reply.body === null) {
    throw new FetchError(path, reply.status, reply.reason);
  }
  return reply as IFetchReply & { body: ArrayBuffer };
}

/** A reference of the page to one of the server's own files (not another site, not inline data). */
export function isServerPath(url: string): boolean {
  return !!url && !/^[a-z][a-z0-9+.-]*:/i.test(url) && !url.startsWith('//') && !url.startsWith('#');
}

/** The path relative to the server root of a reference the page makes (`./x/y.js` → `x/y.js`). */
export function serverPath(url: string): string {
  return url.replace(/^(\.\/)+/, '').replace(/^\/+/, '');
}

/** The `src`/`href` of every `<script>` and stylesheet/preload `<link>` of `html` that is a server path. */
export function pageReferences(html: string): string[] {
  const found = new Set<string>();
  for (const match of html.matchAll(/<(script|link)\b[^>]*>/gi)) {
    const tag = match[0];
    if (match[1].toLowerCase() === 'link' && !/\brel\s*=\s*["']?(stylesheet|modulepreload|preload)\b/i.test(tag)) {
      continue;
    }
    const attribute = /\b(?:src|href)\s*=\s*("([^"]*)"|'([^']*)')/i.exec(tag);
    const url = attribute ? (attribute[2] ?? attribute[3]) : null;
    if (url && isServerPath(url)) {
      found.add(url);
    }
  }
  return [...found];
}

/** `html` with each reference of `replacements` (as written in the page) swapped for its new URL. */
export function rewriteReferences(html: string, replacements: ReadonlyMap<string, string>): string {
  return html.replace(/<(script|link)\b[^>]*>/gi, tag =>
    tag.replace(/\b(src|href)(\s*=\s*)("([^"]*)"|'([^']*)')/i, (whole, name, equals, _quoted, double, single) => {
      const replacement = replacements.get(double ?? single);
      return replacement === undefined ? whole : `${name}${equals}"${replacement}"`;
    })
  );
}

/** JSON safe inside an inline `<script>` (no `</script>`, no `<!--`). */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

/** Where the page believes it is: `baseHref` its virtual address (relative URLs resolve against it). */
export interface IPageAddress {
  /** The page's address with its options in the query (`?ui=…&server_id=…&transport=comm…`). */
  href: string;
}

/** `html` with a `<base>` (the page's virtual address) and the page's options, first in its `<head>`. */
export function withPageAddress(html: string, address: IPageAddress): string {
  const head =
    `<base href="${escapeAttribute(address.href)}">` +
    `<script>window[${scriptJson(PAGE_GLOBAL)}] = ${scriptJson({ href: address.href })};</script>`;
  const match = /<head\b[^>]*>/i.exec(html);
  if (!match) {
    return head + html;
  }
  const end = match.index + match[0].length;
  return html.slice(0, end) + head + html.slice(end);
}

/** A page made of `blob:` URLs; `revoke()` frees them once the page is unloaded. */
export interface ILoadedPage {
  html: string;
  revoke: () => void;
}

/** What `loadPage` needs of the environment (the browser's, unless tests give their own). */
export interface IBlobUrls {
  create: (blob: Blob) => string;
  revoke: (url: string) => void;
}

const BROWSER_URLS: IBlobUrls = {
  create: blob => URL.createObjectURL(blob),
  revoke: url => URL.revokeObjectURL(url)
};

/**
 * Fetch the page (`index.html`) and the scripts and stylesheets it references, and give its HTML with
 * those references turned into `blob:` URLs and its address given (`withPageAddress`), for a `srcdoc`.
 * `address.href` should carry `transport=comm`: the page then speaks through its embedding window.
 */
export async function loadPage(
  fetch: FetchFile,
  address: IPageAddress,
  urls: IBlobUrls = BROWSER_URLS
): Promise<ILoadedPage> {
  const page = await fetchFile(fetch, 'index.html');
  const html = new TextDecoder().decode(page.body);
  const references = pageReferences(html);
  const files = await Promise.all(references.map(url => fetchFile(fetch, serverPath(url))));
  const made: string[] = [];
  const replacements = new Map<string, string>();
  references.forEach((url, index) => {
    const file = files[index];
    const blobUrl = urls.create(new Blob([file.body], { type: file.mime || 'application/octet-stream' }));
    made.push(blobUrl);
    replacements.set(url, blobUrl);
  });
  return {
    html: withPageAddress(rewriteReferences(html, replacements), address),
    revoke: () => made.splice(0).forEach(url => urls.revoke(url))
  };
}

/** `pageHref` (the page's address over the proxy) told to use the comm. */
export function commPageHref(pageHref: string): string {
  const url = new URL(pageHref);
  url.searchParams.set(TRANSPORT_PARAM, 'comm');
  return url.href;
}
