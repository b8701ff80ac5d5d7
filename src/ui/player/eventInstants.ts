import type { ModelRun } from '../../sim/timeline.ts';
import type { Seconds } from '../../sim/types.ts';

/**
 * Every instant at which some task changes state in any of the runs, ascending and distinct (to the microsecond):
 * where Previous/Next event steps to. A heavy run has 50,000 such spans, hence a typed array and no string rounding.
 */
export function eventInstants(runs: readonly ModelRun[]): Seconds[] {
  let n = 0;
  for (const r of runs) for (const lane of r.taskSpans) n += lane.length;
  const all = new Float64Array(n);
  let i = 0;
  for (const r of runs) for (const lane of r.taskSpans) for (const s of lane) all[i++] = Math.round(s.start * 1e6) / 1e6;
  all.sort();
  const out: Seconds[] = [];
  for (const t of all) if (out.length === 0 || t !== out[out.length - 1]) out.push(t);
  return out;
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
