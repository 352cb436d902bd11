import { afterEach, beforeEach, expect, test, vi } from 'vitest';

import { isSilent, watchKernelConnection } from '../src/kernelWatchdog';

/** A signal as the session context's: listeners connected, emitted by the test. */
function signal() {
  const listeners = new Set<() => void>();
  return {
    connect: (listener: () => void) => listeners.add(listener),
    disconnect: (listener: () => void) => listeners.delete(listener),
    emit: () => listeners.forEach(listener => listener())
  };
}

function fakeSession(kernel: Record<string, unknown>) {
  return {
    session: { kernel },
    kernelChanged: signal(),
    connectionStatusChanged: signal(),
    statusChanged: signal()
  };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

test('a connected kernel without a status is silent; one that answered or is not connected is not', () => {
  expect(isSilent({ connectionStatus: 'connected', status: 'unknown' } as never)).toBe(true);
  expect(isSilent({ connectionStatus: 'connected', status: 'idle' } as never)).toBe(false);
  expect(isSilent({ connectionStatus: 'connecting', status: 'unknown' } as never)).toBe(false);
  expect(isSilent(null)).toBe(false);
});

test('a connection silent for the delay is reconnected once, and only once', () => {
  const kernel = { id: 'k', connectionStatus: 'connected', status: 'unknown', reconnect: vi.fn(async () => {}) };
  const session = fakeSession(kernel);
  const warnings: string[] = [];
  watchKernelConnection(session as never, { delay: 1000, warn: text => warnings.push(text) });
  vi.advanceTimersByTime(999);
  expect(kernel.reconnect).not.toHaveBeenCalled();
  vi.advanceTimersByTime(1);
  expect(kernel.reconnect).toHaveBeenCalledTimes(1);
  expect(warnings[0]).toMatch(/silent/);
  session.connectionStatusChanged.emit(); // still silent after the reconnection: no loop of reconnections
  vi.advanceTimersByTime(5000);
  expect(kernel.reconnect).toHaveBeenCalledTimes(1);
});

test('a kernel that speaks before the delay is left alone; stopping ends the watch', () => {
  const kernel = { id: 'k', connectionStatus: 'connected', status: 'unknown', reconnect: vi.fn(async () => {}) };
  const session = fakeSession(kernel);
  const stop = watchKernelConnection(session as never, { delay: 1000, warn: () => undefined });
  vi.advanceTimersByTime(500);
  kernel.status = 'idle';
  session.statusChanged.emit();
  vi.advanceTimersByTime(2000);
  expect(kernel.reconnect).not.toHaveBeenCalled();
  kernel.status = 'unknown';
  stop();
  session.statusChanged.emit();
  vi.advanceTimersByTime(2000);
  expect(kernel.reconnect).not.toHaveBeenCalled();
});
