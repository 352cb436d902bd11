// Which transport a view uses: forced by the bundle, else the proxy when it reaches the server.
import { expect, test } from 'vitest';

import { probeProxy, sessionUrl, transportMode, triesComm } from '../src/transportChoice';

test('the bundle path forces a transport, or leaves the choice to the front end', () => {
  expect(transportMode('trame-jupyter/s/index.html?ui=main&server_id=s')).toBe('auto');
  expect(transportMode('trame-jupyter/s/index.html?ui=main&server_id=s&transport=comm')).toBe('comm');
  expect(transportMode('trame-jupyter/s/index.html?ui=main&transport=proxy')).toBe('proxy');
  expect(transportMode('trame-jupyter/s/index.html?transport=pigeon')).toBe('auto');
});

test('the session endpoint next to the page', () => {
  expect(sessionUrl('http://lab.test/base/trame-jupyter/s/index.html?ui=main#x')).toBe(
    'http://lab.test/base/trame-jupyter/s/__trame_jupyter__/session'
  );
});

const answer = (status: number, body: unknown) => async () => new Response(JSON.stringify(body), { status });

test('the proxy reaches the server when its session endpoint gives the secret', async () => {
  expect(await probeProxy('u', answer(200, { secret: 's' }))).toBe('reaches');
  expect(await probeProxy('u', answer(404, { reason: 'not-registered' }))).toBe('not-registered');
  expect(await probeProxy('u', answer(404, {}))).toBe('unreachable');
  expect(await probeProxy('u', answer(502, {}))).toBe('unreachable');
  expect(
    await probeProxy('u', async () => {
      throw new TypeError('network');
    })
  ).toBe('unreachable');
});

test('the comm is tried when forced, or when the proxy does not reach the server; not when proxy is forced', () => {
  expect(triesComm('comm', null)).toBe(true);
  expect(triesComm('auto', 'reaches')).toBe(false);
  expect(triesComm('auto', 'not-registered')).toBe(true);
  expect(triesComm('auto', 'unreachable')).toBe(true);
  expect(triesComm('proxy', 'unreachable')).toBe(false);
});
