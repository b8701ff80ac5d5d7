import type { Seconds } from '../sim/types.ts';

/**
 * The one place simulated seconds become text. Every printer of a time on screen or in a link label uses one of
 * these, so a clock, a makespan, a narration and a table row always agree on the digits.
 */

/** A point in time or a makespan: two decimals ("43.02 s"): the clock, captions, narration, the summary table. */
export function seconds(t: Seconds): string {
  return `${t.toFixed(2)} s`;
}

/** A bar's start, end or length, to the precision a tooltip needs: under a second in ms ("5.0 ms"), else "1.234 s". */
export function duration(t: Seconds): string {
  return t < 1 ? `${(t * 1000).toFixed(1)} ms` : `${t.toFixed(3)} s`;
}

/** An axis tick: `fixed` is d3's tick format for the tick step (trailing zeros trimmed); under half a second, in ms. */
export function tick(t: Seconds, fixed: (t: Seconds) => string, inMs: boolean): string {
  return inMs ? `${+(t * 1000).toFixed(3)} ms` : `${fixed(t)} s`;
}

/** A slider's value in seconds, as coarse as the slider's step ("3.0 s"). */
export function sliderSeconds(t: Seconds): string {
  return `${t.toFixed(1)} s`;
}

/** A ratio such as a speedup ("3.98×"). */
export function times(x: number): string {
  return `${x.toFixed(2)}×`;
}

/** A difference of two times, signed ("+12.3 ms", "−1.250 s"; a true minus sign), to a tooltip's precision. */
export function signedDuration(dt: Seconds): string {
  return `${dt < 0 ? '−' : '+'}${duration(Math.abs(dt))}`;
}
