// The page's connection status while calls go unanswered: `waiting` after a silence, `live` again at the
// next answer. The session is a stand-in whose calls the test answers by hand (the wire is tested in
// Chromium: tests/labextension/test_lab_view.py).
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { Connection } from '../src/core/connection.js';
import { STATUS } from '../src/core/protocol.js';

let connection;
let pending;
let statuses;

beforeEach(() => {
  vi.useFakeTimers();
  pending = [];
  statuses = [];
  connection = new Connection({ url: 'ws://test/ws', secret: 's', waitingAfter: 1000, WebSocketImpl: class {} });
  connection.session = {
    call: () =>
      new Promise((resolve) => {
        pending.push(resolve);
      }),
  };
  connection.status = STATUS.LIVE;
  connection.onStatus((status) => statuses.push(status));
});

afterEach(() => {
  vi.useRealTimers();
});

test('a call unanswered for a while turns the status to waiting, its answer back to live', async () => {
  connection.call('trame.state.update');
  vi.advanceTimersByTime(999);
  expect(connection.status).toBe(STATUS.LIVE);
  vi.advanceTimersByTime(1);
  expect(connection.status).toBe(STATUS.WAITING);
  pending.shift()('done');
  await vi.runAllTimersAsync();
  expect(connection.status).toBe(STATUS.LIVE);
  expect(statuses).toEqual([STATUS.WAITING, STATUS.LIVE]);
});

test('answers that keep coming are no wait, even with calls always in flight', async () => {
  connection.call('a');
  for (let i = 0; i < 5; i++) {
    vi.advanceTimersByTime(600);
    connection.call('next');
    pending.shift()('answered');
    await Promise.resolve();
    await Promise.resolve();
  }
  expect(statuses).toEqual([]);
  vi.advanceTimersByTime(1000); // then silence with a call in flight
  expect(connection.status).toBe(STATUS.WAITING);
});

test('a connection lost while waiting is reconnecting, not live', async () => {
  connection.call('a');
  vi.advanceTimersByTime(1000);
  expect(connection.status).toBe(STATUS.WAITING);
  connection._closed(connection.session, { code: 1006 });
  expect(connection.status).toBe(STATUS.RECONNECTING);
  connection.close();
});
