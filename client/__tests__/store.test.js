import assert from 'node:assert/strict';
import { test } from 'vitest';
import { StateStore } from '../src/core/store.js';

function recordingStore() {
  const calls = [];
  const store = new StateStore({
    call: (method, args) => {
      calls.push([method, args]);
      return Promise.resolve(null);
    },
  });
  return { store, calls };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

test('writes of one tick go out as one trame.state.update', async () => {
  const { store, calls } = recordingStore();
  for (let i = 1; i <= 100; i += 1) store.set('n', i);
  store.set('other', 'x');
  await tick();
  assert.deepEqual(calls, [['trame.state.update', [[{ key: 'n', value: 100 }, { key: 'other', value: 'x' }]]]]);
});

test('client-only keys are never sent', async () => {
  const { store, calls } = recordingStore();
  store.replaceAll({ trame__client_only: ['trame__busy', 'local'] });
  store.set('local', 1);
  store.set('shared', 2);
  await tick();
  assert.deepEqual(calls, [['trame.state.update', [[{ key: 'shared', value: 2 }]]]]);
  assert.equal(store.get('local'), 1);
});

test('writes wait while calls are in flight, then leave together', async () => {
  const { store, calls } = recordingStore();
  store.setBusy(1);
  store.set('a', 1);
  store.set('b', 2);
  await tick();
  assert.equal(calls.length, 0);
  store.setBusy(0);
  assert.deepEqual(calls, [['trame.state.update', [[{ key: 'a', value: 1 }, { key: 'b', value: 2 }]]]]);
  assert.equal(store.get('trame__busy'), 0);
});

test('flush() sends now even when busy (a trigger must not overtake earlier writes)', () => {
  const { store, calls } = recordingStore();
  store.setBusy(2);
  store.set('a', 1);
  store.flush();
  assert.deepEqual(calls, [['trame.state.update', [[{ key: 'a', value: 1 }]]]]);
});

test('server values never override an unsent local write', async () => {
  const { store } = recordingStore();
  store.set('a', 'local');
  store.applyRemote({ a: 'remote', b: 'remote' });
  assert.equal(store.get('a'), 'local');
  assert.equal(store.get('b'), 'remote');
});

test('a full resync replaces the values and drops unsent writes', async () => {
  const { store, calls } = recordingStore();
  const changes = [];
  store.onChange((keys) => changes.push(keys));
  store.replaceAll({ a: 1, gone: 2 });
  store.setBusy(1);
  store.set('a', 5);
  store.replaceAll({ a: 3 });
  store.setBusy(0);
  assert.equal(store.has('gone'), false);
  assert.equal(store.get('a'), 3);
  assert.deepEqual(calls, []);
  assert.ok(changes.at(-2).includes('gone'));
});

test('an uploaded file echoed without its content does not replace the local one', () => {
  const { store } = recordingStore();
  const local = { name: 'f.txt', size: 3, content: new Uint8Array([1, 2, 3]), _filter: ['content'] };
  store.replaceAll({ file: local });
  store.applyRemote({ file: { name: 'f.txt', size: 3, _filter: ['content'] } });
  assert.equal(store.get('file'), local);
});

function deferredStore() {
  const calls = [];
  const store = new StateStore({
    call: (method, args) =>
      new Promise((resolve, reject) => {
        calls.push({ method, args, resolve, reject });
      }),
    onSendError: () => {},
  });
  return { store, calls };
}

test('publishes of a key are skipped while our write of it is in flight, then the answer decides', async () => {
  const { store, calls } = deferredStore();
  store.replaceAll({ x: 0 });
  store.set('x', 2);
  await tick();
  assert.equal(calls.length, 1);
  store.applyRemote({ x: 1, y: 'other' }); // published before the server handled our write: older
  assert.equal(store.get('x'), 2);
  assert.equal(store.get('y'), 'other'); // keys we did not write are applied
  calls[0].resolve({ x: 3 }); // a callback changed what we wrote: the server kept 3
  await tick();
  assert.equal(store.get('x'), 3);
  store.applyRemote({ x: 4 }); // published after the answer: newer
  assert.equal(store.get('x'), 4);
});

test('an answer without values keeps our write; a failed write stops skipping publishes', async () => {
  const { store, calls } = deferredStore();
  store.replaceAll({ x: 0 });
  store.set('x', 5);
  await tick();
  calls[0].resolve(null);
  await tick();
  assert.equal(store.get('x'), 5);
  store.set('x', 6);
  await tick();
  calls[1].reject(new Error('connection closed'));
  await tick();
  store.applyRemote({ x: 7 });
  assert.equal(store.get('x'), 7);
});

test('an older answer does not undo a newer write still in flight', async () => {
  const { store, calls } = deferredStore();
  store.replaceAll({ x: 0 });
  store.set('x', 1);
  await tick();
  store.set('x', 2); // a second write while the first is in flight
  await tick();
  assert.equal(calls.length, 2);
  calls[0].resolve({ x: 'kept for the first write' });
  await tick();
  assert.equal(store.get('x'), 2);
  calls[1].resolve(null);
  await tick();
  assert.equal(store.get('x'), 2);
});
