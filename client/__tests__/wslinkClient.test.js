import assert from 'node:assert/strict';
import { test } from 'vitest';
import { createSession, createWslinkClient } from '../src/core/wslinkClient.js';

// The page's Connection as far as the session uses it: calls recorded, publishes delivered by hand.
function connectionRecorder() {
  const calls = [];
  const subscribers = new Map();
  return {
    calls,
    publish: (topic, payload) => [...(subscribers.get(topic) ?? [])].forEach((callback) => callback(payload)),
    call: (method, args, kwargs) => {
      calls.push([method, args, kwargs]);
      return Promise.resolve(method === 'viewport.geometry.array.get' ? new Uint8Array([1, 2, 3]) : { ok: 1 });
    },
    subscribe(topic, callback) {
      if (!subscribers.has(topic)) subscribers.set(topic, new Set());
      subscribers.get(topic).add(callback);
      return () => subscribers.get(topic).delete(callback);
    },
  };
}

test('a publish reaches wslink subscribers wrapped in an array, until they unsubscribe', async () => {
  const connection = connectionRecorder();
  const session = createSession(connection);
  const seen = [];
  const subscription = session.subscribe('trame.vtk.delta', (args) => seen.push(args));
  assert.deepEqual(await subscription.promise, { topic: 'trame.vtk.delta', callback: subscription.callback });
  connection.publish('trame.vtk.delta', { id: '7' });
  assert.deepEqual(seen, [[{ id: '7' }]]);
  await session.unsubscribe(subscription);
  connection.publish('trame.vtk.delta', { id: '8' });
  assert.equal(seen.length, 1);
  await assert.rejects(session.unsubscribe(subscription), /not subscribed/);
});

test('calls keep their arguments; geometry arrays come back as Blobs', async () => {
  const connection = connectionRecorder();
  const client = createWslinkClient(connection);
  assert.equal(client.getConnection().getSession(), client.getSession());
  assert.deepEqual(await client.getSession().call('viewport.image.push', [{ view: '3' }]), { ok: 1 });
  const getArray = client.getRemote().SyncView.getArray; // vue-vtk-js calls it unbound
  const array = await getArray('hash1');
  assert.ok(array instanceof Blob);
  assert.deepEqual([...new Uint8Array(await array.arrayBuffer())], [1, 2, 3]);
  assert.deepEqual(connection.calls, [
    ['viewport.image.push', [{ view: '3' }], {}],
    ['viewport.geometry.array.get', ['hash1', true], {}],
  ]);
});

test("a call that fails in the server is reported (the view's reason shows on the page); others are not", async () => {
  const failing = {
    call: (method) =>
      Promise.reject(
        Object.assign(new Error(method === 'viewport.image.push' ? 'VTK cannot render' : 'not connected'), {
          code: method === 'viewport.image.push' ? -32001 : -32099,
        }),
      ),
    subscribe: () => () => {},
  };
  const reported = [];
  const session = createWslinkClient(failing, { onServerError: (message) => reported.push(message) }).getSession();
  await assert.rejects(session.call('viewport.image.push', [{ view: '1' }]), /VTK cannot render/);
  await assert.rejects(session.call('viewport.mouse.interaction', [{}]), /not connected/);
  assert.deepEqual(reported, ['viewport.image.push: VTK cannot render']);
});
