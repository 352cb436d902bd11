// The comm transport between a page and its renderer: the page's ParentSocket talks postMessage to the
// renderer's CommRelay, which holds one kernel comm per channel. Both real; the kernel is a stand-in
// that records what its comms do (the real kernel is in tests/jupyter/kernel and tests/labextension).
import assert from 'node:assert/strict';
import { test } from 'vitest';
import { parentSocketClass } from '@trame-jupyter/client/core';
import { COMM_CLOSE_NOT_FOUND, COMM_MESSAGE, COMM_OPEN_BATCHES, COMM_TARGET } from '@trame-jupyter/common';
import { CommRelay } from '../src/commRelay.ts';

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

function messageEvent(data, source) {
  const event = new Event('message');
  Object.assign(event, { data, source });
  return event;
}

class FakeComm {
  constructor(target) {
    this.target = target;
    this.isDisposed = false;
    this.opened = null;
    this.sent = [];
    this.closed = false;
    this.onMsg = () => {};
    this.onClose = () => {};
  }
  open(data) {
    this.opened = data;
  }
  send(data, metadata, buffers) {
    this.sent.push({ data, buffers });
  }
  close() {
    this.closed = true;
    this.isDisposed = true;
  }
}

/** A page window, its parent window with a relay for server "srv", and a kernel (or none). */
function setup({ withKernel = true } = {}) {
  const page = new EventTarget();
  const comms = [];
  const statusSlots = new Set();
  const disposedSlots = new Set();
  const kernel = {
    statusChanged: { connect: (slot) => statusSlots.add(slot), disconnect: (slot) => statusSlots.delete(slot) },
    disposed: { connect: (slot) => disposedSlots.add(slot), disconnect: (slot) => disposedSlots.delete(slot) },
    setStatus: (status) => [...statusSlots].forEach((slot) => slot(kernel, status)),
    dispose: () => [...disposedSlots].forEach((slot) => slot(kernel)),
    statusSlots,
    disposedSlots,
    createComm(target) {
      const comm = new FakeComm(target);
      comms.push(comm);
      return comm;
    },
  };
  const posted = []; // page → parent, with their transfer lists
  const parent = {
    postMessage(message, origin, transfer) {
      posted.push({ message, transfer });
      setTimeout(() => relay.handle(message, 'srv'), 0); // postMessage delivers later, as a task
    },
  };
  const relay = new CommRelay({
    kernel: () => (withKernel ? kernel : null),
    post: (message) => setTimeout(() => page.dispatchEvent(messageEvent(message, parent)), 0),
  });
  const Socket = parentSocketClass({ self: page, parent, serverId: 'page-claims-this' });
  return { page, parent, relay, comms, posted, Socket, kernel };
}

function events(socket) {
  const seen = [];
  for (const type of ['open', 'message', 'close']) socket.addEventListener(type, (event) => seen.push(event));
  return seen;
}

test('a socket opens a comm to our target for the view’s server, and frames travel as buffers', async () => {
  const { comms, posted, Socket, relay } = setup();
  const socket = new Socket('ws://ignored');
  const seen = events(socket);
  assert.equal(socket.readyState, 0);
  await tick();
  await tick();
  assert.equal(socket.readyState, 1);
  assert.equal(seen[0].type, 'open');
  assert.equal(comms.length, 1);
  assert.equal(comms[0].target, COMM_TARGET);
  // The view's server, not the page's claim; and this relay takes several frames per kernel message.
  assert.deepEqual(comms[0].opened, { server_id: 'srv', [COMM_OPEN_BATCHES]: true });

  // A chunk that is a view into a larger buffer: exactly its bytes go, moved.
  const whole = new Uint8Array([9, 9, 1, 2, 3, 9]);
  socket.send(whole.subarray(2, 5));
  await tick();
  const { data, buffers } = comms[0].sent[0];
  assert.deepEqual(data, { type: COMM_MESSAGE.FRAME });
  assert.deepEqual([...new Uint8Array(buffers[0])], [1, 2, 3]);
  assert.equal(posted.at(-1).transfer[0], buffers[0]);

  // From the kernel, a buffer that is a DataView on a larger buffer.
  const incoming = new Uint8Array([7, 4, 5, 6, 7]);
  comms[0].onMsg({ content: { data: { type: 'frame' } }, buffers: [new DataView(incoming.buffer, 1, 3)] });
  await tick();
  const message = seen.find((event) => event.type === 'message');
  assert.ok(message.data instanceof ArrayBuffer);
  assert.deepEqual([...new Uint8Array(message.data)], [4, 5, 6]);

  // A batch from the kernel (the frames of one tick): each frame reaches the socket, in order.
  const batch = [new Uint8Array([1]), new Uint8Array([2, 2]), new Uint8Array([3, 3, 3])];
  comms[0].onMsg({ content: { data: { type: 'frame' } }, buffers: batch.map((b) => new DataView(b.buffer)) });
  await tick();
  const frames = seen.filter((event) => event.type === 'message').slice(1);
  assert.deepEqual(frames.map((event) => [...new Uint8Array(event.data)]), [[1], [2, 2], [3, 3, 3]]);

  socket.close(1000, 'bye');
  await tick();
  assert.equal(comms[0].closed, true);
  assert.equal(relay.size, 0);
  await tick();
  assert.equal(seen.at(-1).type, 'close');
});

test('the kernel closing the comm closes the socket with its code and reason', async () => {
  const { comms, Socket } = setup();
  const socket = new Socket('');
  const seen = events(socket);
  await tick();
  await tick();
  comms[0].onClose({ content: { data: { code: COMM_CLOSE_NOT_FOUND, reason: "no server 'srv' runs" } } });
  await tick();
  await tick();
  const close = seen.at(-1);
  assert.equal(close.type, 'close');
  assert.equal(close.code, COMM_CLOSE_NOT_FOUND);
  assert.equal(close.reason, "no server 'srv' runs");
  assert.equal(socket.readyState, 3);
  assert.throws(() => socket.send(new Uint8Array([1])));
});

test('without a kernel the socket closes at once, as for a server that is not there', async () => {
  const { Socket } = setup({ withKernel: false });
  const socket = new Socket('');
  const seen = events(socket);
  await tick();
  await tick();
  await tick();
  assert.equal(seen.at(-1).type, 'close');
  assert.equal(seen.at(-1).code, COMM_CLOSE_NOT_FOUND); // no kernel, no server: the page stops trying
});

test('only the parent speaks for a channel, and each socket is its own channel', async () => {
  const { page, parent, comms, Socket, relay } = setup();
  const first = new Socket('');
  const second = new Socket('');
  const firstEvents = events(first);
  await tick();
  await tick();
  firstEvents.length = 0; // its open
  assert.equal(relay.size, 2);
  const frame = new Uint8Array([1]).buffer;
  // Another window posting a frame for this channel is ignored.
  page.dispatchEvent(messageEvent({ type: 'trame-jupyter:comm-frame', channel: first.channel, frame }, {}));
  assert.equal(firstEvents.length, 0);
  // The parent's frames for the second channel do not reach the first.
  page.dispatchEvent(
    messageEvent({ type: 'trame-jupyter:comm-frame', channel: second.channel, frame: new ArrayBuffer(1) }, parent),
  );
  assert.equal(firstEvents.length, 0);
  comms[1].onClose({ content: { data: { code: 1001, reason: 'Server shutdown' } } });
  assert.equal(relay.size, 1);
  relay.closeAll();
  assert.equal(comms[0].closed, true);
  assert.equal(relay.size, 0);
});

test('a kernel that restarts takes its comms with it: the page is told its server went away', async () => {
  const { comms, Socket, kernel, relay } = setup();
  const socket = new Socket('');
  const seen = events(socket);
  await tick();
  await tick();
  kernel.setStatus('busy');
  assert.equal(relay.size, 1);
  kernel.setStatus('restarting'); // JupyterLab disposes the comms without calling their onClose
  await tick();
  await tick();
  assert.equal(relay.size, 0);
  assert.equal(kernel.statusSlots.size + kernel.disposedSlots.size, 0);
  assert.equal(comms[0].closed, true);
  assert.equal(seen.at(-1).type, 'close');
  assert.equal(seen.at(-1).code, 1001);
});

test('a kernel shut down (its connection disposed) takes its comms with it too', async () => {
  const { Socket, kernel, relay } = setup();
  const socket = new Socket('');
  const seen = events(socket);
  await tick();
  await tick();
  kernel.dispose();
  await tick();
  await tick();
  assert.equal(relay.size, 0);
  assert.equal(seen.at(-1).code, 1001);
});
