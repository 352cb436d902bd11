import assert from 'node:assert/strict';
import { test } from 'vitest';
import { ResourceLoader } from '../src/core/resources.js';
import { preferWoff2, rewriteStylesheetUrls } from '../src/core/stylesheetUrls.js';

// As @mdi/font writes it: an EOT-only src, then every format with a cache-busting query.
const MDI = `@font-face{font-family:"Material Design Icons";src:url(../fonts/mdi.eot?v=7.4.47);src:url(../fonts/mdi.eot?#iefix&v=7.4.47) format("embedded-opentype"),url(../fonts/mdi.woff2?v=7.4.47) format("woff2"),url(../fonts/mdi.woff?v=7.4.47) format("woff");font-weight:normal}.mdi:before{display:inline-block}`;

test('a font face keeps only its WOFF2 source, once; faces without one are untouched', () => {
  const kept = preferWoff2(MDI);
  assert.equal(kept.match(/src\s*:/g).length, 1);
  assert.match(kept, /src:url\(\.\.\/fonts\/mdi\.woff2\?v=7\.4\.47\) format\("woff2"\);/);
  assert.doesNotMatch(kept, /eot|\.woff\?/);
  assert.match(kept, /font-weight:normal\}\.mdi:before/);
  const ttfOnly = '@font-face{font-family:x;src:url(x.ttf) format("truetype")}';
  assert.equal(preferWoff2(ttfOnly), ttfOnly);
});

test('references resolve against the stylesheet; data:, blob: and fragments are left alone', async () => {
  const asked = [];
  const css = `@import "base.css";@import url('more/extra.css');
    .a{background:url(img/a.png)} .b{background:url("img/a.png")} .c{background:url(data:image/png;base64,xx)}
    .d{mask:url(#clip)} .e{background:url(blob:http://h/1)} .f{background:url(https://cdn.example/x.png)}`;
  const out = await rewriteStylesheetUrls(css, 'http://h/srv/css/main.css', async (href, isStylesheet) => {
    asked.push([href, isStylesheet]);
    return href.startsWith('http://h/srv/') ? `blob:${href.slice('http://h/srv/'.length)}` : null;
  });
  assert.deepEqual(asked.sort(), [
    ['http://h/srv/css/base.css', true],
    ['http://h/srv/css/img/a.png', false],
    ['http://h/srv/css/more/extra.css', true],
    ['https://cdn.example/x.png', false],
  ]);
  assert.match(out, /@import "blob:css\/base\.css";@import url\('blob:css\/more\/extra\.css'\)/);
  assert.match(out, /\.a\{background:url\("blob:css\/img\/a\.png"\)\} \.b\{background:url\("blob:css\/img\/a\.png"\)\}/);
  assert.match(out, /url\(data:image\/png;base64,xx\)/);
  assert.match(out, /url\(#clip\)/);
  assert.match(out, /url\(blob:http:\/\/h\/1\)/);
  assert.match(out, /url\(https:\/\/cdn\.example\/x\.png\)/); // not the server's: as written
});

test('a reference that fails to come stays as written, the rest of the sheet is rewritten', async () => {
  const out = await rewriteStylesheetUrls('.a{x:url(gone.png)}.b{x:url(here.png)}', 'http://h/s.css', async (href) => {
    if (href.endsWith('gone.png')) throw new Error('404');
    return 'blob:here';
  });
  assert.equal(out, '.a{x:url(gone.png)}.b{x:url("blob:here")}');
});

// The loader over a fake comm: which paths it fetches, and what the stylesheet it loads says.
function overComm(files) {
  const fetched = [];
  const fetchFile = async (path) => {
    fetched.push(path);
    if (!(path in files)) return { status: 404, reason: 'Not Found', mime: null, body: null };
    const [mime, text] = files[path];
    return { status: 200, mime, body: new TextEncoder().encode(text).buffer };
  };
  const loader = new ResourceLoader({ baseURI: 'http://h/srv/index.html' }, () => {}, { fetchFile });
  return { loader, fetched };
}

async function text(blobUrl) {
  const { resolveObjectURL } = await import('node:buffer');
  return resolveObjectURL(blobUrl).text();
}

test('over the comm, a stylesheet brings its font (WOFF2 only, once, without its query) and its imports', async () => {
  const { loader, fetched } = overComm({
    'mdi/css/mdi.css': ['text/css', `@import "more.css";${MDI}`],
    'mdi/css/more.css': ['text/css', '@import "mdi.css";.more{background:url(../fonts/mdi.woff2)}'],
    'mdi/fonts/mdi.woff2': ['font/woff2', 'WOFF2'],
  });
  const sheet = await text(await loader._source('http://h/srv/mdi/css/mdi.css', true));
  assert.deepEqual(fetched.sort(), ['mdi/css/mdi.css', 'mdi/css/more.css', 'mdi/fonts/mdi.woff2']);
  const font = sheet.match(/src:url\("(blob:[^"]+)"\) format\("woff2"\)/)[1];
  assert.equal(await text(font), 'WOFF2');
  const imported = await text(sheet.match(/@import "(blob:[^"]+)"/)[1]);
  assert.match(imported, /@import "mdi\.css"/); // the import cycle back to mdi.css ends, as written
  assert.ok(imported.includes(`url("${font}")`)); // one blob per file, shared by both sheets
});

test('over the comm, a missing font leaves the sheet loadable; a missing sheet fails', async () => {
  const { loader } = overComm({ 'a.css': ['text/css', '.x{background:url(gone.png)}'] });
  assert.equal(await text(await loader._source('http://h/srv/a.css', true)), '.x{background:url(gone.png)}');
  await assert.rejects(loader._source('http://h/srv/b.css', true), /404 Not Found/);
});
