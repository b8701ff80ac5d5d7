import type { ModelRun, Summary, TaskSpan } from './timeline.ts';
import type { Seconds } from './types.ts';

/** Length of the union of intervals (any order). */
export function unionLength(intervals: { start: Seconds; end: Seconds }[]): Seconds {
  const xs = intervals.filter((i) => i.end > i.start).sort((a, b) => a.start - b.start);
  let total = 0;
  let s = -Infinity;
  let e = -Infinity;
  for (const i of xs) {
    if (i.start > e) {
      if (e > s) total += e - s;
      s = i.start;
      e = i.end;
    } else if (i.end > e) e = i.end;
  }
  if (e > s) total += e - s;
  return total;
}

export function summarise(run: ModelRun, sequentialMakespan: Seconds): Summary & { gilWaitByTask: Seconds[] } {
  const { makespan, cores } = run;
  let busy = 0;
  for (const lane of run.coreSegments) for (const s of lane) busy += s.end - s.start;
  // One pass over every task's spans (6,000 of them for collatz's threads), in plain loops: this runs after every
  // simulation, and array methods with closures made it 6% of one.
  const gilWaitByTask: Seconds[] = [];
  const blocked: TaskSpan[] = [];
  for (const lane of run.taskSpans) {
    let wait = 0;
    for (const s of lane) {
      if (s.state === 'gil-wait') wait += s.end - s.start;
      else if (s.state === 'blocked') blocked.push(s);
    }
    gilWaitByTask.push(wait);
  }
  return {
    makespan,
    speedup: makespan > 0 ? sequentialMakespan / makespan : 1,
    utilisation: makespan > 0 ? busy / (cores * makespan) : 0,
    gilWait: gilWaitByTask.reduce((a, b) => a + b, 0),
    loopBlocked: unionLength(blocked),
    gilSwitches: run.gil.length > 0 ? run.gil.length - 1 : 0,
    gilWaitByTask,
  };
}
