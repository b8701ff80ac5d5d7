import type { ModelRun } from '../../sim/timeline.ts';
import type { Seconds } from '../../sim/types.ts';

/** Each run's own instants, sorted and distinct: a run never changes, and a talk shows the same runs again and again. */
const perRun = new WeakMap<ModelRun, Float64Array>();

function instantsOf(run: ModelRun): Float64Array {
  let out = perRun.get(run);
  if (out) return out;
  let n = 0;
  for (const lane of run.taskSpans) n += lane.length;
  const all = new Float64Array(n);
  let i = 0;
  for (const lane of run.taskSpans) for (const s of lane) all[i++] = Math.round(s.start * 1e6) / 1e6;
  all.sort();
  let k = 0;
  for (let j = 0; j < all.length; j++) if (k === 0 || all[j] !== all[k - 1]) all[k++] = all[j];
  out = all.slice(0, k);
  perRun.set(run, out);
  return out;
}

/**
 * Every instant at which some task changes state in any of the runs, ascending and distinct (to the microsecond):
 * where Previous/Next event steps to. A heavy run has 50,000 such spans, hence typed arrays, each run's instants
 * kept (`instantsOf`) and merged, and no string rounding.
 */
export function eventInstants(runs: readonly ModelRun[]): Seconds[] {
  let merged: ArrayLike<number> = new Float64Array(0);
  for (const r of runs) merged = mergeDistinct(merged, instantsOf(r));
  return Array.from(merged);
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
