import assert from 'node:assert/strict';
import { test } from 'vitest';
import { readPageOptions, secretFromAddress, sessionUrl, websocketUrl } from '../src/core/page.js';

test('the websocket sits next to the page, under any prefix', () => {
  assert.equal(websocketUrl('http://localhost:8080/index.html#secret=x'), 'ws://localhost:8080/ws');
  assert.equal(
    websocketUrl('https://hub.example/user/x/trame-jupyter/abc/index.html?ui=main'),
    'wss://hub.example/user/x/trame-jupyter/abc/ws',
  );
  assert.equal(
    sessionUrl('https://hub.example/user/x/trame-jupyter/abc/index.html?ui=main'),
    'https://hub.example/user/x/trame-jupyter/abc/__trame_jupyter__/session',
  );
});

test('the secret comes from the fragment, else the query, and leaves the address', () => {
  const fromFragment = secretFromAddress('http://h/index.html?ui=a#secret=s%2F1&x=2');
  assert.equal(fromFragment.secret, 's/1');
  assert.equal(fromFragment.source, 'fragment');
  assert.equal(fromFragment.cleanHref, 'http://h/index.html?ui=a#x=2');

  const fromQuery = secretFromAddress('http://h/index.html?secret=q&ui=b');
  assert.deepEqual([fromQuery.secret, fromQuery.cleanHref], ['q', 'http://h/index.html?ui=b']);

  assert.equal(secretFromAddress('http://h/index.html?ui=b').secret, null);
});

test('page options: ui defaults to main, server_id to null, not in a frame of our renderer', () => {
  assert.deepEqual(readPageOptions('http://h/index.html'), {
    ui: 'main',
    serverId: null,
    jupyterFrame: false,
    transport: 'proxy',
  });
  assert.deepEqual(readPageOptions('http://h/index.html?ui=x&server_id=7'), {
    ui: 'x',
    serverId: '7',
    jupyterFrame: false,
    transport: 'proxy',
  });
  assert.equal(readPageOptions('http://h/index.html?transport=comm').transport, 'comm');
  assert.equal(readPageOptions('http://h/index.html?transport=elsewhere').transport, 'proxy');
  assert.equal(readPageOptions('http://h/index.html?ui=x&server_id=7&embed=jupyter').jupyterFrame, true);
  assert.equal(readPageOptions('http://h/index.html?embed=other').jupyterFrame, false);
});
