import type { Seconds } from '../../sim/types.ts';
import type { Pixels } from './scale.ts';

/**
 * The stretch of time the charts show, `[from, to]` in seconds, when zoomed in; undefined: the whole run. One window
 * for every chart on screen, so the charts of a comparison stay lined up.
 */
export type TimeWindow = readonly [from: Seconds, to: Seconds];

/** The narrowest window: a millisecond, so a 5 ms GIL slice is hundreds of pixels wide. */
export const MIN_WINDOW: Seconds = 0.001;
/** A window covering this much of the run or more is the whole run. */
const WHOLE = 0.999;

/**
 * A window made valid for a run ending at `end`: inside [0, end], at least `MIN_WINDOW` wide (grown around its
 * middle), undefined when it shows (nearly) the whole run or is not a window at all.
 */
export function clampWindow(w: TimeWindow | undefined, end: Seconds): TimeWindow | undefined {
  if (!w || !(end > 0) || !Number.isFinite(w[0]) || !Number.isFinite(w[1])) return undefined;
  let [a, b] = w[0] <= w[1] ? w : [w[1], w[0]];
  const min = Math.min(MIN_WINDOW, end);
  if (b - a < min) {
    const mid = (a + b) / 2;
    a = mid - min / 2;
    b = mid + min / 2;
  }
  const width = Math.min(b - a, end);
  a = Math.min(Math.max(0, a), end - width);
  b = a + width;
  return width >= end * WHOLE ? undefined : [a, b];
}

/** Zoomed by `factor` (2: twice as close) keeping the instant `at` where it is on screen. */
export function zoomAround(w: TimeWindow | undefined, end: Seconds, at: Seconds, factor: number): TimeWindow | undefined {
  const [a, b] = w ?? [0, end];
  const t = Math.min(Math.max(at, a), b);
  return clampWindow([t - (t - a) / factor, t + (b - t) / factor], end);
}

/**
 * While playing: the window that keeps the playhead in view. Once it runs past the right edge (or is left of the
 * window), the window moves on so the playhead is a tenth of the way in, as a scrolling timeline does.
 */
export function follow(w: TimeWindow | undefined, end: Seconds, time: Seconds): TimeWindow | undefined {
  if (!w || (time >= w[0] && time <= w[1])) return w;
  const width = w[1] - w[0];
  return clampWindow([time - width / 10, time - width / 10 + width], end) ?? w;
}

/** A zoom transform (d3-zoom's `k` and `x`) over a plot drawn from `x0` to `x0 + plotW` with the whole run. */
export interface ZoomXY {
  k: number;
  x: Pixels;
}

/** The window a zoom transform shows. */
export function windowOfTransform(t: ZoomXY, end: Seconds, x0: Pixels, plotW: Pixels): TimeWindow | undefined {
  const at = (px: Pixels) => (((px - t.x) / t.k - x0) / plotW) * end;
  return clampWindow([at(x0), at(x0 + plotW)], end);
}

/** The zoom transform that shows a window (the inverse of `windowOfTransform`). */
export function transformOfWindow(w: TimeWindow | undefined, end: Seconds, x0: Pixels, plotW: Pixels): ZoomXY {
  if (!w || !(end > 0)) return { k: 1, x: 0 };
  const k = end / (w[1] - w[0]);
  return { k, x: x0 - k * (x0 + (w[0] / end) * plotW) };
}
