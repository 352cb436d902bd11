/**
 * The height of a frame that follows its content: the page inside reports the height of its content
 * (never of its viewport, so resizing the frame cannot feed back), and this decides what to apply.
 */

import { MAX_HEIGHT, MIN_HEIGHT } from '@trame-jupyter/common';

/** Smallest and largest height applied, in CSS pixels (from the contract). */
export { MAX_HEIGHT, MIN_HEIGHT };
/** Changes this small are ignored (sub-pixel rounding, scrollbars appearing). */
export const TOLERANCE = 2;
/** A height reported again within this time after a different one counts as an oscillation. */
const OSCILLATION_MS = 1000;
/** After a flip-flop, reports smaller than the kept height are ignored for this long. */
const HOLD_MS = 2000;

/** Clamp a reported height to what a frame may take; null for a value that is not a height. */
export function clampHeight(value: unknown): number | null {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    return null;
  }
  return Math.min(MAX_HEIGHT, Math.max(MIN_HEIGHT, Math.ceil(value)));
}

/**
 * Turns reported content heights into frame heights.
 *
 * Ignores changes of at most `TOLERANCE` pixels, and damps an A → B → A flip-flop (content whose
 * height depends on its own width, e.g. a scrollbar that comes and goes): the larger value is kept,
 * and smaller reports are ignored for `HOLD_MS` after each flip.
 */
export class HeightFollower {
  constructor(private readonly apply: (height: number) => void) {}

  /** The height last applied, or null before the first report. */
  get height(): number | null {
    return this._height;
  }

  /** A content height reported by the page. */
  report(value: unknown, now: number = Date.now()): void {
    const height = clampHeight(value);
    if (height === null) {
      return;
    }
    const previous = this._height;
    if (previous !== null && Math.abs(height - previous) <= TOLERANCE) {
      return;
    }
    if (this._floor && now < this._floor.until && height < this._floor.height) {
      return;
    }
    const before = this._before;
    if (
      previous !== null &&
      before !== null &&
      Math.abs(height - before.height) <= TOLERANCE &&
      now - before.time < OSCILLATION_MS
    ) {
      const settled = Math.max(height, previous);
      this._floor = { height: settled, until: now + HOLD_MS };
      this._before = null;
      if (settled !== previous) {
        this._set(settled);
      }
      return;
    }
    this._before = previous === null ? null : { height: previous, time: now };
    this._set(height);
  }

  /** Forget the history (a new page is loading). */
  reset(): void {
    this._height = null;
    this._before = null;
    this._floor = null;
  }

  private _set(height: number): void {
    this._height = height;
    this.apply(height);
  }

  private _height: number | null = null;
  private _before: { height: number; time: number } | null = null;
  private _floor: { height: number; until: number } | null = null;
}
