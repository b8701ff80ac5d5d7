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
