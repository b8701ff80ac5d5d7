import type { ModelRun } from '../../sim/timeline.ts';
import type { Seconds } from '../../sim/types.ts';

/** Each run's own instants, sorted and distinct: a run never changes, and a talk shows the same runs again and again. */
const perRun = new WeakMap<ModelRun, Float64Array>();

/**
 * Instants closer than this (in microseconds) are one stop, at the last of them. A GIL hand-off is two instants
 * `gilHandoff` (25 µs) apart: the holder lets go (it waits for the GIL again, waits on I/O, runs native code), and the
 * next holder has it and runs. Listed apart, Next stopped in between, at a state no chart at a talk's zoom can show
 * (one has let go, the other has not started), and then again at the same displayed time. 0.1 ms is what the link
 * keeps the playhead to (`t=1.5826`): two stops always show as two times. The last instant of such a burst is where
 * the state has settled: the next instant is at least 0.1 ms on, so the chart at the playhead and the narration
 * (`narrate`, which reads the state just after its instant) tell the same state, and it lasts.
 */
const ONE_STOP_US = 100;

function instantsOf(run: ModelRun): Float64Array {
  let out = perRun.get(run);
  if (out) return out;
  let n = run.gil.length;
  for (const lane of run.taskSpans) n += lane.length;
  const all = new Float64Array(n);
  let i = 0;
  // In whole microseconds, exact in a double: merged and compared without rounding error. The GIL's changes too: a
  // hand-off to the main thread changes no task's state, only the GIL lane.
  for (const lane of run.taskSpans) for (const s of lane) all[i++] = Math.round(s.start * 1e6);
  for (const g of run.gil) all[i++] = Math.round(g.start * 1e6);
  all.sort();
  let k = 0;
  for (let j = 0; j < all.length; j++) if (k === 0 || all[j] !== all[k - 1]) all[k++] = all[j];
  out = all.slice(0, k);
  perRun.set(run, out);
  return out;
}

/**
 * Every instant at which some task changes state, or the GIL changes hands, in any of the runs, ascending and distinct
 * (to the microsecond), those less than 0.1 ms apart as one, the last of them (see ONE_STOP_US): where Previous/Next
 * event steps to. A heavy run has 50,000 such spans, hence typed arrays, each run's instants kept (`instantsOf`) and
 * merged, and no string rounding.
 */
export function eventInstants(runs: readonly ModelRun[]): Seconds[] {
  let merged: ArrayLike<number> = new Float64Array(0);
  for (const r of runs) merged = mergeDistinct(merged, instantsOf(r));
  const out: Seconds[] = [];
  for (let j = 0; j < merged.length; j++) {
    const us = merged[j];
    // A burst moves its stop on to its latest instant: each gap under 0.1 ms continues the burst.
    if (out.length && us - merged[j - 1] < ONE_STOP_US) out[out.length - 1] = us / 1e6;
    else out.push(us / 1e6);
  }
  return out;
}

/** Two ascending lists of distinct values, as one. */
function mergeDistinct(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  const out = new Float64Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length || j < b.length) {
    const v = j >= b.length || (i < a.length && a[i] <= b[j]) ? a[i++] : b[j++];
    if (k === 0 || v !== out[k - 1]) out[k++] = v;
  }
  return out.slice(0, k);
}

/**
 * The instants a clicker steps through: of `instants` (ascending), only those at least `minGap` seconds after the
 * last one kept, so each press moves the playhead a visible distance (a few pixels at the current zoom) instead of
 * through a burst of micro-events. The last instant is always kept: a press can always reach the end of a run.
 */
export function visibleInstants(instants: readonly Seconds[], minGap: Seconds): Seconds[] {
  const out: Seconds[] = [];
  for (const t of instants) if (out.length === 0 || t - out[out.length - 1] >= minGap) out.push(t);
  const last = instants[instants.length - 1];
  if (last !== undefined && out[out.length - 1] !== last) out[out.length - 1] = last;
  return out;
}
