// What a view shows: the decision table of its states, and which snapshot is the last picture.
import { expect, test } from 'vitest';

import { MAX_PAGE_SNAPSHOT } from '@trame-jupyter/common';

import type { Verdict } from '../src/kernelStatus';
import {
  chooseSnapshot,
  pageSnapshotHtml,
  showsFrame,
  stateAfterCheck,
  stateOfPageStatus,
  STATES,
  ViewState
} from '../src/viewState';

const KERNEL = '0b8c4b76-2f0a-4e8e-9b39-9d2b4e0b8f10';
const OTHER = '11111111-2f0a-4e8e-9b39-9d2b4e0b8f10';

test('a check before loading loads unless the server is known to be gone', () => {
  const open = (verdict: Verdict, notebook: string | null | undefined = KERNEL) =>
    stateAfterCheck(verdict, 'open', notebook, KERNEL);
  expect(open('running')).toBe('load');
  expect(open('unknown')).toBe('load'); // no answer never keeps a live server from showing
  expect(open('server-stopped')).toBe('server-stopped');
  expect(open('kernel-restarted')).toBe('kernel-restarted');
  expect(open('not-registered')).toBe('not-running');
});

test('a gone kernel says "Kernel not running" only when the view saw it go and the notebook has no other', () => {
  expect(stateAfterCheck('kernel-shutdown', 'stopped', null, KERNEL)).toBe('kernel-shutdown');
  expect(stateAfterCheck('kernel-shutdown', 'stopped', KERNEL, KERNEL)).toBe('kernel-shutdown'); // still going
  expect(stateAfterCheck('kernel-shutdown', 'stopped', undefined, KERNEL)).toBe('kernel-shutdown'); // a tab
  expect(stateAfterCheck('kernel-shutdown', 'stopped', OTHER, KERNEL)).toBe('not-running'); // kernel changed
  // A saved notebook reopened: the notebook has (or is starting) another kernel; never "Kernel not running".
  for (const notebook of [null, undefined, OTHER, KERNEL]) {
    expect(stateAfterCheck('kernel-shutdown', 'open', notebook, KERNEL)).toBe('not-running');
  }
});

test('after the page gave up or stayed silent, a running server means reload, not re-run', () => {
  expect(stateAfterCheck('running', 'stopped', KERNEL, KERNEL)).toBe('disconnected');
  expect(stateAfterCheck('running', 'silent', KERNEL, KERNEL)).toBe('not-loaded');
  expect(stateAfterCheck('unknown', 'stopped', KERNEL, KERNEL)).toBe('stopped');
  expect(stateAfterCheck('unknown', 'silent', KERNEL, KERNEL)).toBe('not-loaded');
  expect(STATES.disconnected.action).toBe('reload');
  expect(STATES['not-loaded'].action).toBe('reload');
});

test('every state that is not live has one short notice; gone servers offer a run and are final', () => {
  const gone: ViewState[] = ['stopped', 'server-stopped', 'kernel-restarted', 'kernel-shutdown', 'not-running'];
  for (const state of gone) {
    const info = STATES[state];
    expect(info.final).toBe(true);
    // The kernel still has what the cells above defined only when the server alone stopped.
    expect(info.action).toBe(state === 'stopped' || state === 'server-stopped' ? 'rerun' : 'run-to-here');
    expect(info.notice!.length).toBeLessThanOrEqual(30);
    expect(info.notice).not.toMatch(/start a kernel/i);
  }
  expect(STATES['kernel-restarted'].notice).toMatch(/restarted/);
  for (const state of ['live', 'connecting', 'checking'] as ViewState[]) {
    expect(STATES[state].notice).toBeUndefined();
    expect(STATES[state].final).toBeFalsy();
  }
});

test('page statuses move a view that is not final; a final one ignores them', () => {
  expect(stateOfPageStatus('connecting', 'live')).toBe('live');
  expect(stateOfPageStatus('live', 'reconnecting')).toBe('reconnecting');
  expect(stateOfPageStatus('live', 'waiting')).toBe('waiting');
  expect(stateOfPageStatus('waiting', 'live')).toBe('live');
  expect(stateOfPageStatus('not-loaded', 'live')).toBe('live'); // a slow page that answers after all
  expect(stateOfPageStatus('live', 'stopped')).toBe('check');
  expect(stateOfPageStatus('live', 'nonsense')).toBeNull();
  expect(stateOfPageStatus('server-stopped', 'live')).toBeNull();
  expect(stateOfPageStatus('kernel-restarted', 'stopped')).toBeNull();
});

test('the frame shows only when live (or waiting for a busy kernel), or while loading with no picture', () => {
  expect(showsFrame('live', true)).toBe(true);
  expect(showsFrame('waiting', true)).toBe(true); // the app stays usable: changes wait for the kernel
  expect(showsFrame('connecting', false)).toBe(true);
  expect(showsFrame('connecting', true)).toBe(false);
  for (const state of Object.keys(STATES) as ViewState[]) {
    if (state !== 'live' && state !== 'waiting' && state !== 'connecting') {
      expect(showsFrame(state, true)).toBe(false);
      expect(showsFrame(state, false)).toBe(false);
    }
  }
});

test('the newest snapshot wins; the page wins a tie; empty ones do not count', () => {
  const page = { html: '<p>typed</p>', at: 200 };
  const olderBundle = { html: '<p>at display</p>', at: 100 };
  const finalBundle = { html: '<p>at stop</p>', at: 300 };
  expect(chooseSnapshot(page, olderBundle)).toBe(page); // a restart: the page's picture is the last one
  expect(chooseSnapshot(page, finalBundle)).toBe(finalBundle);
  expect(chooseSnapshot(page, { ...olderBundle, at: 200 })).toBe(page);
  expect(chooseSnapshot(null, olderBundle)).toBe(olderBundle); // a saved notebook: only the bundle's
  expect(chooseSnapshot(page, null)).toBe(page);
  expect(chooseSnapshot({ html: '  ', at: 999 }, olderBundle)).toBe(olderBundle);
  expect(chooseSnapshot(null, null)).toBeNull();
});

test('a page snapshot message is kept only with HTML text within the size limit', () => {
  expect(pageSnapshotHtml({ html: '<b>x</b>' })).toBe('<b>x</b>');
  expect(pageSnapshotHtml({ html: '' })).toBeNull();
  expect(pageSnapshotHtml({ html: 42 })).toBeNull();
  expect(pageSnapshotHtml({})).toBeNull();
  expect(pageSnapshotHtml({ html: 'x'.repeat(MAX_PAGE_SNAPSHOT + 1) })).toBeNull();
});
