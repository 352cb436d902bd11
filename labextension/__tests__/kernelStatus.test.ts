// Why a view is not live, from the server extension's answers (no I/O here).
import { expect, test } from 'vitest';

import { parseBundle } from '../src/bundle';
import { IKernelStatus, verdictOf, verdictOfServers } from '../src/kernelStatus';

const parsed = parseBundle({
  server_id: 'abcd1234-demo',
  path: 'trame-jupyter/abcd1234-demo/index.html?ui=main',
  ui: 'main',
  version: '0.1.0',
  kernel_id: '0b8c4b76-2f0a-4e8e-9b39-9d2b4e0b8f10',
  kernel_pid: 4242
});
if (!parsed.ok) {
  throw new Error(parsed.errors.join('; '));
}
const bundle = parsed.bundle;

function status(change: Partial<IKernelStatus>): IKernelStatus {
  return { kernel_id: bundle.kernel_id!, exists: true, pid: 4242, execution_state: 'idle', servers: [], ...change };
}

test('the kernel answer tells running, stopped, restarted and gone apart', () => {
  expect(verdictOf(bundle, status({ servers: ['abcd1234-demo'] }))).toBe('running');
  expect(verdictOf(bundle, status({}))).toBe('server-stopped');
  expect(verdictOf(bundle, status({ pid: 9999 }))).toBe('kernel-restarted');
  expect(verdictOf(bundle, status({ exists: false, pid: null }))).toBe('kernel-shutdown');
});

test('a bundle without a kernel is looked up among the registered servers', () => {
  const servers = (...ids: string[]) => ({ servers: ids.map(server_id => ({ server_id })) });
  expect(verdictOfServers(bundle, servers('other', 'abcd1234-demo'))).toBe('running');
  expect(verdictOfServers(bundle, servers('other'))).toBe('not-registered');
  expect(verdictOfServers(bundle, { nothing: true })).toBe('unknown');
  expect(verdictOfServers(bundle, null)).toBe('unknown');
});
