// Loading a page over a fetch function: the fetch protocol's client side, and the page's rewriting.
import { expect, test } from 'vitest';

import { COMM_MESSAGE } from '../src/contract';
import {
  commPageHref,
  FetchClient,
  FetchError,
  IFetchReply,
  loadPage,
  PAGE_GLOBAL,
  pageReferences,
  rewriteReferences,
  serverPath
} from '../src/pageLoader';

const PAGE = `<!doctype html>
<html><head>
<link rel="icon" href="data:," />
<script type="module" crossorigin src="./trame-jupyter-client/index-A.js"></script>
<link rel="stylesheet" crossorigin href="./trame-jupyter-client/index-B.css">
<script src="https://cdn.example.org/x.js"></script>
</head><body><div id="app"></div></body></html>`;

const bytes = (text: string): ArrayBuffer => new TextEncoder().encode(text).buffer as ArrayBuffer;

test('a fetch client matches replies to requests by id, over any carrier', async () => {
  const sent: Record<string, unknown>[] = [];
  const client = new FetchClient(data => sent.push(data));
  const first = client.fetch('index.html');
  const second = client.fetch('__mod/x.js');
  expect(sent).toEqual([
    { type: COMM_MESSAGE.FETCH, id: 1, path: 'index.html' },
    { type: COMM_MESSAGE.FETCH, id: 2, path: '__mod/x.js' }
  ]);
  expect(client.receive({ type: 'frame' }, [])).toBe(false); // not ours: left to the wslink side
  const notFound = { type: COMM_MESSAGE.FETCH_REPLY, id: 2, status: 404, mime: '', reason: 'no such file' };
  expect(client.receive(notFound)).toBe(true);
  const body = new Uint8Array([1, 2, 3]);
  client.receive({ type: COMM_MESSAGE.FETCH_REPLY, id: 1, status: 200, mime: 'text/html', reason: '' }, [body]);
  expect(await second).toEqual({ status: 404, mime: '', reason: 'no such file', body: null });
  const page = await first;
  expect(page.status).toBe(200);
  expect(new Uint8Array(page.body!)).toEqual(body);
});

test('a failed carrier fails every pending and later fetch; a silent one times out', async () => {
  const client = new FetchClient(() => undefined);
  const pending = client.fetch('index.html');
  client.fail('the kernel is restarting');
  await expect(pending).rejects.toThrow('the kernel is restarting');
  await expect(client.fetch('index.html')).rejects.toThrow('the kernel is restarting');
  const silent = new FetchClient(() => undefined, 20);
  await expect(silent.fetch('index.html')).rejects.toThrow('no answer');
});

test('the page references its own scripts and styles; other sites and inline data are left alone', () => {
  expect(pageReferences(PAGE)).toEqual(['./trame-jupyter-client/index-A.js', './trame-jupyter-client/index-B.css']);
  expect(serverPath('./trame-jupyter-client/index-A.js')).toBe('trame-jupyter-client/index-A.js');
  const rewritten = rewriteReferences(PAGE, new Map([['./trame-jupyter-client/index-A.js', 'blob:x/1']]));
  expect(rewritten).toContain('<script type="module" crossorigin src="blob:x/1"></script>');
  expect(rewritten).toContain('href="./trame-jupyter-client/index-B.css"');
  expect(rewritten).toContain('https://cdn.example.org/x.js');
});

test('loadPage fetches the page and its files, and gives it its address', async () => {
  const files: Record<string, IFetchReply> = {
    'index.html': { status: 200, mime: 'text/html', reason: '', body: bytes(PAGE) },
    'trame-jupyter-client/index-A.js': { status: 200, mime: 'text/javascript', reason: '', body: bytes('js') },
    'trame-jupyter-client/index-B.css': { status: 200, mime: 'text/css', reason: '', body: bytes('css') }
  };
  const asked: string[] = [];
  const made: Blob[] = [];
  const revoked: string[] = [];
  const urls = {
    create: (blob: Blob) => `blob:test/${made.push(blob)}`,
    revoke: (url: string) => void revoked.push(url)
  };
  const href = commPageHref('http://lab.test/trame-jupyter/s1/index.html?ui=main&server_id=s1&embed=jupyter');
  expect(href).toContain('transport=comm');
  const page = await loadPage(
    async path => {
      asked.push(path);
      return files[path] ?? { status: 404, mime: '', reason: 'no', body: null };
    },
    { href },
    urls
  );
  expect(asked).toEqual(['index.html', 'trame-jupyter-client/index-A.js', 'trame-jupyter-client/index-B.css']);
  expect(made.map(blob => blob.type)).toEqual(['text/javascript', 'text/css']);
  expect(page.html).toContain('src="blob:test/1"');
  expect(page.html).toContain('href="blob:test/2"');
  // The address comes first in <head>: a <base> for relative URLs and the page's options.
  const head = page.html.slice(page.html.indexOf('<head>') + 6);
  expect(head.startsWith(`<base href="${href.replace(/&/g, '&amp;')}">`)).toBe(true);
  expect(head).toContain(`window["${PAGE_GLOBAL}"] = {"href":"${href.replace(/&/g, '\\u0026')}"}`);
  page.revoke();
  expect(revoked).toEqual(['blob:test/1', 'blob:test/2']);
});

test('loadPage fails with the status of what could not be fetched', async () => {
  const error = await loadPage(async () => ({ status: 404, mime: '', reason: 'no such server', body: null }), {
    href: 'http://lab.test/p/index.html'
  }).catch(e => e);
  expect(error).toBeInstanceOf(FetchError);
  expect(error.status).toBe(404);
});
