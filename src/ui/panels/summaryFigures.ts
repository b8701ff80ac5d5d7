import type { ModelRun } from '../../sim/timeline.ts';
import type { Seconds } from '../../sim/types.ts';

// The summary table's figures beyond the run's own summary, each defined to match what the charts draw.

/** When a task is done: the end of its last span that is not `done`. */
export function taskEnd(run: ModelRun, task: number): Seconds {
  const spans = run.taskSpans[task] ?? [];
  for (let i = spans.length - 1; i >= 0; i--) if (spans[i].state !== 'done') return spans[i].end;
  return 0;
}

/** GIL wait of the mean task, and as a share of the run: what one task's lane shows as "waiting for the GIL". */
export function gilWaitPerTask(run: ModelRun): { seconds: Seconds; share: number } {
  const n = Math.max(1, run.taskSpans.length);
  const seconds = run.summary.gilWait / n;
  return { seconds, share: run.makespan > 0 ? seconds / run.makespan : 0 };
}

/** Seconds the event loop spent inside blocking calls: the loop lane's "blocking the loop" bars, added up. */
export function loopBlockedByCalls(run: ModelRun): Seconds {
  let t = 0;
  for (const l of run.loop) if (l.kind === 'blocking-io') t += l.end - l.start;
  return t;
}

/**
 * The task whose end differs most between the models (latest over earliest end): the convoy's chatty task, the one
 * a blocking call holds up. The first task when all end alike.
 */
export function mostAffectedTask(runs: readonly ModelRun[]): number {
  let best = 0;
  let ratio = 1;
  const n = runs[0]?.taskSpans.length ?? 0;
  for (let t = 0; t < n; t++) {
    const ends = runs.map((r) => taskEnd(r, t)).filter((e) => e > 0);
    if (!ends.length) continue;
    const r = Math.max(...ends) / Math.min(...ends);
    if (r > ratio + 1e-9) {
      ratio = r;
      best = t;
    }
  }
  return best;
}
