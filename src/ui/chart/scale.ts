import { scaleLinear, type ScaleLinear } from 'd3';
import type { Seconds } from '../../sim/types.ts';
import { tick } from '../format.ts';

/** Pixels on screen, left to right from a chart's plot origin. */
export type Pixels = number;

/** The one place simulated time becomes pixels. */
export type TimeScale = ScaleLinear<Pixels, Pixels>;

/** The whole run from 0 to `end` across `width` px, or only `window` of it when zoomed in (see zoom.ts). */
export function timeScale(end: Seconds, width: Pixels, window?: readonly [Seconds, Seconds]): TimeScale {
  return scaleLinear<Pixels, Pixels>()
    .domain(window ? [window[0], window[1]] : [0, Math.max(end, 1e-3)])
    .range([0, Math.max(width, 1)]);
}

export interface Tick {
  x: Pixels;
  label: string;
}

/** About one tick per `spacing` px (90 for 11 px labels), labelled in seconds or milliseconds as the span needs. */
export function timeTicks(scale: TimeScale, spacing: Pixels = 90): Tick[] {
  const [, w] = scale.range();
  const ticks = scale.ticks(Math.max(2, Math.floor(w / spacing)));
  // Milliseconds while every instant on the axis is under half a second; past it, seconds with the decimals the step
  // needs (a window zoomed in at 20 s reads 20.005 s, not 20005 ms).
  const ms = scale.domain()[1] < 0.5;
  // Fixed point with the decimals the tick step needs, trailing zeros trimmed (10 → "10", 0.25 → "0.25", 1.0 → "1");
  // '~g' would print 1e+1.
  const fmt = scale.tickFormat(ticks.length, ',~f');
  return ticks.map((t) => ({ x: scale(t), label: tick(t, fmt, ms) }));
}

/** A chart's lane-label column for lane labels of `lanePx` type (96 px at the workbench's 12 px). */
export const labelWidth = (lanePx: number): Pixels => Math.round((96 * lanePx) / 12);
/** The plot area's width in a chart `chartW` px wide: what `timeScale` spans. */
export const plotWidth = (chartW: Pixels, lanePx: number): Pixels => Math.max(40, chartW - labelWidth(lanePx) - 8);
