// parseBundle: the documented shape renders; anything else is refused with readable reasons.
import { PROTOCOL_VERSION } from '@trame-jupyter/common';
import { expect, test } from 'vitest';

import { parseBundle, samePage } from '../src/bundle';

const good = {
  protocol: 1,
  server_id: 'abcd1234-demo',
  name: 'demo',
  path: 'trame-jupyter/abcd1234-demo/index.html?ui=main&server_id=abcd1234-demo',
  ui: 'main',
  height: '300px',
  width: null,
  kernel_id: '0b8c4b76-2f0a-4e8e-9b39-9d2b4e0b8f10',
  kernel_pid: 4242,
  version: '0.1.0',
  stopped: false,
  snapshot: '<div class="message">hello</div>'
};

function errors(data: unknown): string[] {
  const parsed = parseBundle(data);
  return parsed.ok ? [] : parsed.errors;
}

test('a bundle of the documented shape parses unchanged', () => {
  const parsed = parseBundle(good);
  expect(parsed.ok).toBe(true);
  expect(parsed.ok && parsed.bundle).toEqual(good);
});

test('optional fields may be absent; an output saved before "protocol" existed is version 1', () => {
  const { protocol, name, height, width, kernel_id, kernel_pid, stopped, snapshot, ...required } = good;
  const parsed = parseBundle(required);
  expect(parsed.ok && parsed.bundle).toMatchObject({
    protocol: 1,
    name: good.server_id,
    height: null,
    width: null,
    kernel_id: null,
    kernel_pid: null,
    stopped: false,
    snapshot: null
  });
});

test('a final bundle says stopped; its snapshot is kept as text (sanitized when shown)', () => {
  const parsed = parseBundle({ ...good, stopped: true, snapshot: '<p>last</p>' });
  expect(parsed.ok && [parsed.bundle.stopped, parsed.bundle.snapshot]).toEqual([true, '<p>last</p>']);
  const empty = parseBundle({ ...good, snapshot: '' });
  expect(empty.ok && empty.bundle.snapshot).toBeNull();
  expect(errors({ ...good, stopped: 'yes' }).join(' ')).toContain('"stopped"');
  expect(errors({ ...good, snapshot: { html: 'x' } }).join(' ')).toContain('"snapshot"');
});

test('paths outside the server route are refused', () => {
  for (const path of [
    '../../etc/passwd',
    'trame-jupyter/other-server/index.html',
    'trame-jupyter/abcd1234-demo/../other/index.html',
    'trame-jupyter/abcd1234-demo//index.html',
    'trame-jupyter/abcd1234-demo\\index.html',
    '/trame-jupyter/abcd1234-demo/index.html'
  ]) {
    expect(errors({ ...good, path }).join(' ')).toContain('"path"');
  }
});

test('every wrong field is named, with what was expected', () => {
  const found = errors({ ...good, server_id: 'a b', kernel_id: 'x', kernel_pid: -1, height: 12 * 0 - 5, ui: '' });
  expect(found.some(e => e.startsWith('"server_id"'))).toBe(true);
  expect(found.some(e => e.startsWith('"kernel_id"'))).toBe(true);
  expect(found.some(e => e.startsWith('"kernel_pid"'))).toBe(true);
  expect(found.some(e => e.startsWith('"height"'))).toBe(true);
  expect(found.some(e => e.startsWith('"ui"'))).toBe(true);
  expect(errors(null)).toEqual(['the data is null, not an object']);
  expect(errors([good])[0]).toContain('not an object');
});

test('a bundle from a newer protocol asks for an update instead of rendering', () => {
  const found = errors({ ...good, protocol: PROTOCOL_VERSION + 1 });
  expect(found.join(' ')).toContain('newer trame-jupyter');
  expect(errors({ ...good, protocol: 'one' }).join(' ')).toContain('"protocol"');
});

test('numbers are pixel sizes; an over-long or empty size is refused', () => {
  const parsed = parseBundle({ ...good, height: 240, width: 320 });
  expect(parsed.ok && [parsed.bundle.height, parsed.bundle.width]).toEqual(['240px', '320px']);
  expect(errors({ ...good, height: 'x'.repeat(101) }).join(' ')).toContain('"height"');
  expect(errors({ ...good, width: '  ' }).join(' ')).toContain('"width"');
});

test('samePage tells a re-render of the same output from a new page', () => {
  const parsed = parseBundle(good);
  if (!parsed.ok) {
    throw new Error('unreachable');
  }
  expect(samePage(null, parsed.bundle)).toBe(false);
  expect(samePage(parsed.bundle, { ...parsed.bundle, height: '10px' })).toBe(true);
  expect(samePage(parsed.bundle, { ...parsed.bundle, path: `${parsed.bundle.path}&x=1` })).toBe(false);
});
