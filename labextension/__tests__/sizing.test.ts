// HeightFollower: content heights become frame heights, clamped, without jitter or oscillation.
import { expect, test } from 'vitest';

import { MAX_HEIGHT, MIN_HEIGHT } from '@trame-jupyter/common';

import { HeightFollower, TOLERANCE, clampHeight } from '../src/sizing';

function follower(): { applied: number[]; follow: HeightFollower } {
  const applied: number[] = [];
  return { applied, follow: new HeightFollower(height => applied.push(height)) };
}

test('heights are clamped to the contract bounds; non-numbers are ignored', () => {
  expect(clampHeight(10)).toBe(MIN_HEIGHT);
  expect(clampHeight(1e9)).toBe(MAX_HEIGHT);
  expect(clampHeight(120.2)).toBe(121);
  for (const bad of [NaN, Infinity, '300', null, undefined, {}]) {
    expect(clampHeight(bad)).toBeNull();
  }
});

test('changes within the tolerance are not applied', () => {
  const { applied, follow } = follower();
  follow.report(300, 0);
  follow.report(300 + TOLERANCE, 5000);
  follow.report(300 - TOLERANCE, 10000);
  expect(applied).toEqual([300]);
  follow.report(400, 15000);
  expect(applied).toEqual([300, 400]);
});

test('an A -> B -> A flip-flop settles on the larger height and holds it', () => {
  const { applied, follow } = follower();
  follow.report(300, 0);
  follow.report(320, 100);
  follow.report(300, 200); // back within a second: an oscillation
  expect(applied).toEqual([300, 320]);
  expect(follow.height).toBe(320);
  follow.report(300, 1000); // smaller reports are ignored while held
  expect(follow.height).toBe(320);
  follow.report(500, 1100); // growing is always allowed
  expect(follow.height).toBe(500);
  follow.report(300, 10000); // after the hold, shrinking works again
  expect(follow.height).toBe(300);
});

test('reset forgets the history (a new page)', () => {
  const { applied, follow } = follower();
  follow.report(300, 0);
  follow.reset();
  expect(follow.height).toBeNull();
  follow.report(300, 10);
  expect(applied).toEqual([300, 300]);
});
